//! Uploads: `multipart/form-data` read field by field, each file capped as it
//! streams in (50 MiB per reference image, 4 MiB for a mask, 20 MiB for an
//! image to analyze, as the backend contract's OpenAI backend takes them) and
//! described from its own bytes, never from its name or declared type. A bad
//! upload is refused with a sentence naming the file and what is wrong, before
//! any job exists.

use std::collections::HashMap;

use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::StatusCode;

use crate::error::ApiError;

pub const MIB: usize = 1024 * 1024;
/// Largest reference image for an edit.
pub const MAX_REFERENCE_BYTES: usize = 50 * MIB;
/// Largest mask.
pub const MAX_MASK_BYTES: usize = 4 * MIB;
/// Largest image to analyze.
pub const MAX_ANALYZE_BYTES: usize = 20 * MIB;
/// Most reference images in one edit.
pub const MAX_REFERENCES: usize = 16;
/// Largest text field.
const MAX_TEXT_BYTES: usize = MIB;
/// Room for the multipart framing and the text fields around the files.
const FRAMING: usize = 2 * MIB;
/// The whole body of an edit: every reference at its cap, and a mask.
pub const EDIT_BODY_LIMIT: usize = MAX_REFERENCES * MAX_REFERENCE_BYTES + MAX_MASK_BYTES + FRAMING;
pub const ANALYZE_BODY_LIMIT: usize = MAX_ANALYZE_BYTES + FRAMING;
const _: () = assert!(EDIT_BODY_LIMIT > MAX_REFERENCES * MAX_REFERENCE_BYTES + MAX_MASK_BYTES);

/// An image's real type and size, read from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Described {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// What the bytes are: `image/png`, `image/jpeg`, `image/webp` or `image/gif`, and the pixel size.
pub fn describe(bytes: &[u8]) -> Option<Described> {
    let format = image::guess_format(bytes).ok()?;
    let mime = match format {
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::WebP => "image/webp",
        image::ImageFormat::Gif => "image/gif",
        _ => return None,
    };
    let (width, height) =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), format).into_dimensions().ok()?;
    Some(Described { mime, width, height })
}

/// One uploaded file.
#[derive(Clone)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub described: Described,
}

/// What a form held.
#[derive(Default)]
pub struct Form {
    pub text: HashMap<String, String>,
    pub files: HashMap<String, Vec<Upload>>,
}

impl Form {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.text.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

/// How a file field is checked.
#[derive(Clone, Copy)]
pub struct FileRule {
    /// The field's name; one ending in `*` takes every field with that prefix
    /// (`option:*`: an image option, named after the colon).
    pub field: &'static str,
    /// "reference image", "mask", "image".
    pub what: &'static str,
    pub max_bytes: usize,
    pub max_count: usize,
    pub types: &'static [&'static str],
}

impl FileRule {
    fn matches(&self, name: &str) -> bool {
        match self.field.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
            None => self.field == name,
        }
    }
}

/// Reads the whole form, applying `rules` to its files as they stream in.
pub async fn read(mut multipart: Multipart, rules: &[FileRule]) -> Result<Form, ApiError> {
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        match rules.iter().find(|r| r.matches(&name)) {
            Some(rule) => {
                let count = form.files.get(&name).map(Vec::len).unwrap_or(0);
                if count >= rule.max_count {
                    return Err(ApiError::invalid(format!(
                        "at most {} {}{} per request",
                        rule.max_count,
                        rule.what,
                        if rule.max_count == 1 { "" } else { "s" }
                    )));
                }
                let upload = read_file(field, rule, count).await?;
                form.files.entry(name).or_default().push(upload);
            }
            None => {
                let text = read_text(field, &name).await?;
                form.text.insert(name, text);
            }
        }
    }
    Ok(form)
}

async fn read_file(mut field: Field<'_>, rule: &FileRule, index: usize) -> Result<Upload, ApiError> {
    let file_name = field.file_name().map(str::to_string).filter(|n| !n.is_empty());
    let option = rule.field.strip_suffix('*').and_then(|p| field.name().and_then(|n| n.strip_prefix(p)));
    let which = match (&file_name, rule.max_count) {
        _ if option.is_some() => format!("the {} {:?}", rule.what, option.unwrap_or_default()),
        (Some(n), 1) => format!("the {} {n:?}", rule.what),
        (Some(n), _) => format!("{} {} ({n:?})", rule.what, index + 1),
        (None, 1) => format!("the {}", rule.what),
        (None, _) => format!("{} {}", rule.what, index + 1),
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > rule.max_bytes {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid-input",
                format!("{which} is larger than {} MB, the most this takes", rule.max_bytes / MIB),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(ApiError::invalid(format!("{which} is empty")));
    }
    let allowed = || rule.types.iter().map(|t| type_name(t)).collect::<Vec<_>>();
    let described = describe(&bytes)
        .ok_or_else(|| ApiError::invalid(format!("{which} is not an image this takes ({})", allowed().join(", "))))?;
    if !rule.types.contains(&described.mime) {
        return Err(ApiError::invalid(format!(
            "{which} is {}, which this does not take ({} only)",
            described.mime,
            allowed().join(", ")
        )));
    }
    Ok(Upload { bytes, described })
}

async fn read_text(mut field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid-input",
                format!("the field {name:?} is too long"),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::invalid(format!("the field {name:?} is not UTF-8 text")))
}

/// `PNG` for `image/png`, and so on.
pub fn type_name(mime: &str) -> &str {
    match mime {
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "image/webp" => "WebP",
        "image/gif" => "GIF",
        other => other,
    }
}

fn multipart_error(e: MultipartError) -> ApiError {
    let status = e.status();
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "the upload is larger than the server takes (50 MB per reference image, 20 MB for analysis)".to_string()
    } else {
        format!("the upload could not be read: {}", e.body_text())
    };
    ApiError::new(status, "invalid-input", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let pixels = vec![0u8; (width * height * 3) as usize];
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut out),
            &pixels,
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
        out
    }

    #[test]
    fn images_are_described_from_their_bytes() {
        assert_eq!(describe(&png(3, 2)), Some(Described { mime: "image/png", width: 3, height: 2 }));
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert_eq!(describe(gif), Some(Described { mime: "image/gif", width: 1, height: 1 }));
        assert_eq!(describe(b"<html>not an image</html>"), None);
        assert_eq!(describe(b"\x89PNG\r\n\x1a\n"), None, "a truncated PNG has no size");
    }
}
