//! What image bytes really are, independent of what the client declared:
//! format from the magic bytes, dimensions from the header alone (no full
//! decode, so a 40 MB upload costs nothing to identify).

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

/// An image identified from its bytes, independently of what the client declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// `png`, `jpeg`, `webp` or `gif`.
    pub format: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The format and size of an image in `bytes` (a prefix holding the header is enough).
pub(crate) fn sniff(bytes: &[u8]) -> Option<ImageInfo> {
    let format = image::guess_format(bytes).ok()?;
    let name = format_name(format)?;
    if format == ImageFormat::Png {
        // The size is in IHDR, the first chunk; the decoder would also want every chunk up to the first IDAT.
        if bytes.get(12..16)? != b"IHDR" {
            return None;
        }
        let width = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let height = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
        return (width > 0 && height > 0).then_some(ImageInfo { format: name, width, height });
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().ok()?;
    Some(ImageInfo { format: name, width, height })
}

fn format_name(format: ImageFormat) -> Option<&'static str> {
    Some(match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        _ => return None,
    })
}

/// The format a MIME type names (`image/jpg` is accepted as the common alias).
pub(crate) fn format_of_mime(mime: &str) -> Option<&'static str> {
    Some(match mime {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpeg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => return None,
    })
}

/// Whether a PNG's colour type can carry a mask: `RGBA`, `LA` or `L`, as the API requires.
pub(crate) fn png_mode(bytes: &[u8]) -> Option<&'static str> {
    use image::ImageDecoder;
    let decoder = image::codecs::png::PngDecoder::new(Cursor::new(bytes)).ok()?;
    Some(match decoder.color_type() {
        image::ColorType::Rgba8 | image::ColorType::Rgba16 => "RGBA",
        image::ColorType::La8 | image::ColorType::La16 => "LA",
        image::ColorType::L8 | image::ColorType::L16 => "L",
        _ => "RGB",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_from_a_header_prefix() {
        let img = image::RgbaImage::new(30, 20);
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        assert_eq!(sniff(&png), Some(ImageInfo { format: "png", width: 30, height: 20 }));
        assert_eq!(sniff(&png[..40]).map(|i| (i.width, i.height)), Some((30, 20)));
        assert_eq!(png_mode(&png), Some("RGBA"));
        assert_eq!(sniff(b"JUNK and more junk"), None);
        assert_eq!(format_of_mime("image/jpg"), Some("jpeg"));
    }
}
