//! Where images go on disk, and how results are printed.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::report::usage_json;
use visual_host::bindings::{Generation, Image};

/// The file extension for a MIME type, as the bytes say it is.
pub fn extension_for(mime_type: &str) -> &'static str {
    match mime_type {
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "png",
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
/// money and minutes, and is never thrown away for want of a path.
pub fn write_image(path: &Path, image: &Image) -> std::io::Result<PathBuf> {
    match std::fs::write(path, &image.data) {
        Ok(()) => Ok(path.to_path_buf()),
        Err(first) => {
            let fallback = std::env::temp_dir().join(path.file_name().unwrap_or_else(|| "image.png".as_ref()));
            std::fs::write(&fallback, &image.data).map_err(|_| first)?;
            eprintln!(
                "visual-host: could not write {} ; saved the image to {} instead",
                path.display(),
                fallback.display()
            );
            Ok(fallback)
        }
    }
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_take_the_suffix_and_the_real_extension() {
        assert_eq!(image_path(Path::new("out.png"), "", "image/png"), PathBuf::from("out.png"));
        assert_eq!(image_path(Path::new("dir/out.png"), "-2", "image/jpeg"), PathBuf::from("dir/out-2.jpg"));
        assert_eq!(image_path(Path::new("out"), "-partial-0", "image/webp"), PathBuf::from("out-partial-0.webp"));
    }
}
