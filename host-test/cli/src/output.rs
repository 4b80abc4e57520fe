//! Where images go on disk, and how results are printed.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use visual_host::json;

use crate::report::{helper_usage_json, usage_json};
use visual_host::bindings::{Generation, Image};

/// The file extension for a MIME type, as the bytes say it is: `jpg`,
/// `gif`, `svg` for `image/svg+xml`; another `image/x` type is `.x`.
pub fn extension_for(mime_type: &str) -> String {
    let subtype = mime_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let subtype = subtype.strip_prefix("image/").unwrap_or("png");
    let subtype = subtype.split('+').next().unwrap_or_default();
    match subtype {
        "jpeg" | "pjpeg" => "jpg".into(),
        s if !s.is_empty() && s.len() <= 10 && s.chars().all(|c| c.is_ascii_alphanumeric()) => s.into(),
        _ => "png".into(),
    }
}

/// `base` with `suffix` before the extension, and the extension replaced by
/// the real type's: `out.png` + `-2` + `image/jpeg` -> `out-2.jpg`.
pub fn image_path(base: &Path, suffix: &str, mime_type: &str) -> PathBuf {
    let stem = base.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "image".into());
    let name = format!("{stem}{suffix}.{}", extension_for(mime_type));
    match base.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
        _ => PathBuf::from(name),
    }
}

/// Writes an image. If the chosen place fails (no such directory, read-only),
/// the image goes to the temporary directory instead: a generation costs
/// money and minutes, and is never thrown away for want of a path. There it
/// only ever creates a file that did not exist (a planted file or link is
/// neither replaced nor followed), numbering the name until one is free.
pub fn write_image(path: &Path, image: &Image) -> std::io::Result<PathBuf> {
    match std::fs::write(path, &image.data) {
        Ok(()) => Ok(path.to_path_buf()),
        Err(first) => {
            let name = path.file_name().map(PathBuf::from).unwrap_or_else(|| "image.png".into());
            let fallback = write_new(&std::env::temp_dir(), &name, &image.data).map_err(|_| first)?;
            eprintln!(
                "visual-host: could not write {} ; saved the image to {} instead",
                path.display(),
                fallback.display()
            );
            Ok(fallback)
        }
    }
}

/// Writes `data` to a file in `dir` that did not exist: `name`, else
/// `name` numbered `-1`, `-2`, ... before its extension.
fn write_new(dir: &Path, name: &Path, data: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    let stem = name.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "image".into());
    let extension = name.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    for n in 0..1000 {
        let candidate = dir.join(if n == 0 { format!("{stem}{extension}") } else { format!("{stem}-{n}{extension}") });
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate) {
            Ok(mut file) => {
                file.write_all(data)?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free file name"))
}

/// Writes every image of a generation; returns the JSON rows for them.
pub fn write_generation(out: &Path, generation: &Generation) -> std::io::Result<Vec<Value>> {
    let many = generation.images.len() > 1;
    let mut rows = Vec::with_capacity(generation.images.len());
    for (i, image) in generation.images.iter().enumerate() {
        let suffix = if many { format!("-{}", i + 1) } else { String::new() };
        let path = write_image(&image_path(out, &suffix, &image.mime_type), image)?;
        rows.push(json!({
            "path": path.display().to_string(),
            "mime_type": image.mime_type,
            "width": image.width,
            "height": image.height,
            "bytes": image.data.len(),
        }));
    }
    Ok(rows)
}

/// The `--json` success object for generate and edit.
pub fn generation_json(generation: &Generation, images: Vec<Value>) -> Value {
    json!({
        "model": generation.model,
        "images": images,
        "revised_prompt": generation.revised_prompt,
        "usage": generation.usage.as_ref().map(usage_json),
        "svg_usage": generation.svg_usage.as_ref().map(helper_usage_json),
        "cost": generation.cost.as_ref().map(json::cost),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_never_replaces_or_follows_an_existing_file() {
        let dir = std::env::temp_dir().join(format!("visual-host-fallback-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("out.png"), b"precious").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("target.txt"), dir.join("out-1.png")).unwrap();

        let written = write_new(&dir, Path::new("out.png"), b"image").unwrap();
        assert_eq!(written, dir.join(if cfg!(unix) { "out-2.png" } else { "out-1.png" }));
        assert_eq!(std::fs::read(&written).unwrap(), b"image");
        assert_eq!(std::fs::read(dir.join("out.png")).unwrap(), b"precious", "an existing file is never replaced");
        assert!(!dir.join("target.txt").exists(), "a planted link is never followed");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn paths_take_the_suffix_and_the_real_extension() {
        assert_eq!(image_path(Path::new("out.png"), "", "image/png"), PathBuf::from("out.png"));
        assert_eq!(image_path(Path::new("dir/out.png"), "-2", "image/jpeg"), PathBuf::from("dir/out-2.jpg"));
        assert_eq!(image_path(Path::new("out"), "-partial-0", "image/webp"), PathBuf::from("out-partial-0.webp"));
        assert_eq!(image_path(Path::new("out.png"), "", "image/gif"), PathBuf::from("out.gif"));
        assert_eq!(image_path(Path::new("out.png"), "", "image/svg+xml"), PathBuf::from("out.svg"));
        assert_eq!(image_path(Path::new("out.png"), "", "image/avif"), PathBuf::from("out.avif"));
        assert_eq!(image_path(Path::new("out.png"), "", "application/octet-stream"), PathBuf::from("out.png"));
    }
}
