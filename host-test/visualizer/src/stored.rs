//! An image the server keeps for the page (a result, a partial image, an
//! input's preview): its bytes, their real type and size, and the random key
//! of its URL.
//!
//! Below both the jobs (which make these) and the gallery (which keeps them
//! after their job is forgotten), so that each imports the image from here
//! rather than from the other. The bytes are shared (`Bytes`), so the same
//! image held by a job and by the gallery is one allocation.

use axum::body::Bytes;
use visual_host::bindings::Image;

use crate::security::random_key;
use crate::upload::describe;

/// An image kept for the page, described from its own bytes, and reachable
/// at `/images/{key}.{ext}` (see `api`): the key is random, so the URL is a
/// capability for this one image and nothing else.
#[derive(Clone)]
pub struct Stored {
    pub bytes: Bytes,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub image_index: u32,
    pub partial_index: Option<u32>,
    pub key: String,
}

impl Stored {
    /// A backend's image (a result or a partial one), under a fresh key.
    pub fn new(image: Image, image_index: u32, partial_index: Option<u32>) -> Stored {
        let bytes = Bytes::from(image.data);
        // The host's own reading of the bytes; the backend's word only for an
        // SVG (text the host checks is an SVG document) or when it cannot tell.
        let (mime, width, height) = match describe(&bytes) {
            Some(d) => (d.mime, d.width, d.height),
            None if image.mime_type == SVG && looks_like_svg(&bytes) => (SVG, image.width, image.height),
            None => ("application/octet-stream", image.width, image.height),
        };
        Stored::from_parts(bytes, mime, width, height, image_index, partial_index)
    }

    pub fn from_parts(
        bytes: Bytes,
        mime: &'static str,
        width: u32,
        height: u32,
        image_index: u32,
        partial_index: Option<u32>,
    ) -> Stored {
        Stored { bytes, mime, width, height, image_index, partial_index, key: random_key() }
    }

    pub fn extension(&self) -> &'static str {
        extension(self.mime)
    }

    /// Where the page loads it from (no token needed: the key is the capability).
    pub fn url(&self) -> String {
        format!("/images/{}.{}", self.key, self.extension())
    }
}

pub const SVG: &str = "image/svg+xml";

pub fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        SVG => "svg",
        _ => "bin",
    }
}

/// Whether `bytes` are an SVG document: after an optional byte order mark,
/// XML declaration, comments and doctype, the root element is `<svg`.
pub fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let Ok(text) = std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()])) else {
        return false;
    };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            let Some(end) = after.find("?>") else { return false };
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let Some(end) = after.find("-->") else { return false };
            rest = &after[end + 3..];
        } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case("<!doctype") {
            let Some(end) = rest.find('>') else { return false };
            rest = &rest[end + 1..];
        } else {
            return rest.starts_with("<svg")
                && rest[4..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_documents_are_told_from_other_text() {
        for svg in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\" height=\"2\"/>"[..],
            b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- made by a model -->\n<!DOCTYPE svg>\n<svg>\n</svg>",
            b"  <svg\n viewBox=\"0 0 1 1\"></svg>",
        ] {
            assert!(looks_like_svg(svg), "{}", String::from_utf8_lossy(svg));
        }
        for other in [&b"<html><svg></svg></html>"[..], b"<svgx/>", b"<?xml version=\"1.0\"", b"\x89PNG\r\n", b""] {
            assert!(!looks_like_svg(other), "{}", String::from_utf8_lossy(other));
        }
    }
}
