//! Image type and dimensions read from the bytes themselves (never from a
//! file name or a declared type): PNG, JPEG, WebP and GIF ([`sniff`], what
//! the API takes as input), and SVG too ([`sniff_any`], what it may answer
//! with: a vector image's size is its `width` and `height`, or its `viewBox`).
//!
//! Only headers are read, never pixel data, so checking a 50 MB upload costs
//! a few hundred bytes of work (JPEG metadata segments are skipped by length,
//! not scanned). Every read is bounds-checked: the input is whatever the host
//! hands us, and a malformed image must become `None`, not a panic.

mod svg;

/// The image types the API accepts or returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
    Gif,
    /// A vector image: text, never decoded here beyond its root element.
    Svg,
}

impl ImageKind {
    /// `image/png`, `image/jpeg`, `image/webp`, `image/gif`, `image/svg+xml`.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Webp => "image/webp",
            ImageKind::Gif => "image/gif",
            ImageKind::Svg => "image/svg+xml",
        }
    }

    /// `png`, `jpg`, `webp`, `gif`, `svg`: the file extension the SDK would use.
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
            ImageKind::Gif => "gif",
            ImageKind::Svg => "svg",
        }
    }
}

/// What the bytes say they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageMeta {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

/// Reads the type and dimensions from the image header. `None` when the bytes
/// are not a PNG, JPEG, WebP or GIF, or the header is truncated or has zero
/// dimensions. Never panics, whatever the input.
pub fn sniff(bytes: &[u8]) -> Option<ImageMeta> {
    let (kind, (width, height)) = if bytes.starts_with(PNG_SIGNATURE) {
        (ImageKind::Png, png(bytes)?)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        (ImageKind::Jpeg, jpeg(bytes)?)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        (ImageKind::Webp, webp(bytes)?)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        (ImageKind::Gif, gif(bytes)?)
    } else {
        return None;
    };
    (width > 0 && height > 0).then_some(ImageMeta { kind, width, height })
}

/// Like [`sniff`], and an SVG document too (its size from the root
/// element's `width` and `height`, or its `viewBox`). For what the service
/// answers with, and for image-valued parameters; never for the images an
/// edit or an analysis sends, which the API takes as raster images only.
pub fn sniff_any(bytes: &[u8]) -> Option<ImageMeta> {
    sniff(bytes).or_else(|| {
        let (width, height) = svg::size(bytes)?;
        Some(ImageMeta { kind: ImageKind::Svg, width, height })
    })
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn be16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn le16(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le24(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(3)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The first chunk must be a 13-byte IHDR (PNG spec 5.6); dimensions are at
/// most 2^31-1 each.
fn png(bytes: &[u8]) -> Option<(u32, u32)> {
    if be32(bytes, 8)? != 13 || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let (width, height) = (be32(bytes, 16)?, be32(bytes, 20)?);
    const MAX: u32 = i32::MAX as u32;
    (width <= MAX && height <= MAX).then_some((width, height))
}

/// Walks the marker segments after SOI until a start-of-frame (ITU T.81 B.1).
///
/// Segments are skipped by their length field; after a start-of-scan the
/// entropy-coded data is skipped by looking for the next marker that is not a
/// stuffed `FF 00` or a restart marker. Bytes other than `FF` where a marker
/// should start are skipped, as libjpeg and Pillow do, so images with padding
/// between segments (which every decoder opens) are not refused.
fn jpeg(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2; // after SOI
    loop {
        // Find the marker prefix, then the marker code after any fill bytes.
        while *bytes.get(at)? != 0xFF {
            at += 1;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *bytes.get(at)?;
        at += 1;
        match marker {
            // A stuffed zero outside entropy-coded data: not a marker.
            0x00 => continue,
            // Standalone markers: TEM, RSTn, SOI carry no length.
            0x01 | 0xD0..=0xD8 => continue,
            // End of image before any frame header.
            0xD9 => return None,
            _ => {}
        }
        let length = be16(bytes, at)? as usize;
        if length < 2 {
            return None;
        }
        if is_start_of_frame(marker) {
            // Lf (2), P (1), Y (2), X (2), Nf (1): a frame header is at least 8 bytes.
            if length < 8 {
                return None;
            }
            let height = be16(bytes, at + 3)?;
            let width = be16(bytes, at + 5)?;
            return Some((width, height));
        }
        at = at.checked_add(length)?;
        if marker == 0xDA {
            at = skip_entropy_coded(bytes, at)?;
        }
    }
}

/// SOF0-3, SOF5-7, SOF9-11, SOF13-15. C4 (DHT), C8 (JPG) and CC (DAC) share
/// the range but are not frame headers.
fn is_start_of_frame(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF)
}

/// The offset of the `FF` that starts the first marker after scan data.
fn skip_entropy_coded(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let offset = bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        at += offset;
        // Fill bytes may precede the marker code.
        let mut code_at = at + 1;
        while *bytes.get(code_at)? == 0xFF {
            code_at += 1;
        }
        match bytes[code_at] {
            0x00 | 0xD0..=0xD7 => at = code_at + 1,
            _ => return Some(at),
        }
    }
}

/// RIFF container, then the first chunk says which bitstream follows
/// (WebP container spec: "Simple", "Lossless" and "Extended" formats).
fn webp(bytes: &[u8]) -> Option<(u32, u32)> {
    let chunk = bytes.get(12..16)?;
    let payload = 20;
    match chunk {
        b"VP8 " => {
            // RFC 6386 9.1: a 3-byte frame tag (bit 0 clear on key frames), the
            // start code 9D 01 2A, then 14-bit width and height (2 scale bits on top).
            if bytes.get(payload)? & 1 != 0 || bytes.get(payload + 3..payload + 6)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some((le16(bytes, payload + 6)? & 0x3FFF, le16(bytes, payload + 8)? & 0x3FFF))
        }
        b"VP8L" => {
            // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit
            // alpha, 3 bits version (must be 0).
            if *bytes.get(payload)? != 0x2F {
                return None;
            }
            let bits = le32(bytes, payload + 1)?;
            if bits >> 29 != 0 {
                return None;
            }
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            // Flags (1), reserved (3), canvas width-1 and height-1 (24 bits each);
            // their product must fit in 32 bits.
            let width = le24(bytes, payload + 4)? + 1;
            let height = le24(bytes, payload + 7)? + 1;
            (u64::from(width) * u64::from(height) <= u64::from(u32::MAX)).then_some((width, height))
        }
        _ => None,
    }
}

/// The logical screen descriptor right after the 6-byte signature.
fn gif(bytes: &[u8]) -> Option<(u32, u32)> {
    // Width, height, flags, background colour index, aspect ratio.
    bytes.get(6..13)?;
    Some((le16(bytes, 6)?, le16(bytes, 8)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ExtendedColorType, ImageEncoder};
    use proptest::prelude::*;

    fn meta(kind: ImageKind, width: u32, height: u32) -> Option<ImageMeta> {
        Some(ImageMeta { kind, width, height })
    }

    fn rgba(width: u32, height: u32) -> Vec<u8> {
        (0..width * height * 4).map(|i| (i * 37 % 251) as u8).collect()
    }

    fn rgb(width: u32, height: u32) -> Vec<u8> {
        (0..width * height * 3).map(|i| (i * 53 % 241) as u8).collect()
    }

    fn encode_png(width: u32, height: u32, colour: ExtendedColorType) -> Vec<u8> {
        let pixels = match colour {
            ExtendedColorType::Rgba8 => rgba(width, height),
            ExtendedColorType::Rgb8 => rgb(width, height),
            ExtendedColorType::L8 => vec![128; (width * height) as usize],
            other => unreachable!("{other:?}"),
        };
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, width, height, colour).unwrap();
        out
    }

    fn encode_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .write_image(&rgb(width, height), width, height, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn encode_webp(width: u32, height: u32, icc: Option<Vec<u8>>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
        if let Some(icc) = icc {
            encoder.set_icc_profile(icc).unwrap();
        }
        encoder.write_image(&rgba(width, height), width, height, ExtendedColorType::Rgba8).unwrap();
        out
    }

    fn encode_gif(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
            let frame = image::RgbaImage::from_raw(width, height, rgba(width, height)).unwrap();
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
        out
    }

    /// Decodes with the `image` crate: the dimensions a real decoder sees.
    fn decoded(bytes: &[u8]) -> (u32, u32) {
        let img = image::load_from_memory(bytes).expect("the image crate decodes it");
        (img.width(), img.height())
    }

    fn b64(text: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    }

    /// Real 1x1 WebP files (the ones Modernizr uses to detect WebP support):
    /// simple lossy (VP8), lossless (VP8L), and extended (VP8X) with alpha.
    fn webp_lossy_1x1() -> Vec<u8> {
        b64("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
    }
    fn webp_lossless_1x1() -> Vec<u8> {
        b64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
    }
    fn webp_alpha_1x1() -> Vec<u8> {
        b64("UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==")
    }

    /// A hand-built lossy WebP header (no valid frame data after it).
    fn webp_vp8_header(width_field: u16, height_field: u16) -> Vec<u8> {
        let mut out = b"RIFF\0\0\0\0WEBPVP8 \x10\0\0\0".to_vec();
        out.extend_from_slice(&[0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A]);
        out.extend_from_slice(&width_field.to_le_bytes());
        out.extend_from_slice(&height_field.to_le_bytes());
        out.extend_from_slice(&[0; 6]);
        out
    }

    /// Built once: proptest runs its cases against the same files.
    fn valid_images() -> &'static [(Vec<u8>, ImageMeta)] {
        static IMAGES: std::sync::OnceLock<Vec<(Vec<u8>, ImageMeta)>> = std::sync::OnceLock::new();
        IMAGES.get_or_init(|| {
            vec![
                (encode_png(7, 3, ExtendedColorType::Rgba8), ImageMeta { kind: ImageKind::Png, width: 7, height: 3 }),
                (encode_jpeg(33, 17), ImageMeta { kind: ImageKind::Jpeg, width: 33, height: 17 }),
                (encode_webp(9, 4, None), ImageMeta { kind: ImageKind::Webp, width: 9, height: 4 }),
                (encode_webp(4, 9, Some(vec![1; 32])), ImageMeta { kind: ImageKind::Webp, width: 4, height: 9 }),
                (webp_lossy_1x1(), ImageMeta { kind: ImageKind::Webp, width: 1, height: 1 }),
                (encode_gif(5, 6), ImageMeta { kind: ImageKind::Gif, width: 5, height: 6 }),
            ]
        })
    }

    #[test]
    fn png_from_a_real_encoder() {
        for (w, h, colour) in
            [(1, 1, ExtendedColorType::Rgba8), (640, 480, ExtendedColorType::Rgb8), (3, 1000, ExtendedColorType::L8)]
        {
            let bytes = encode_png(w, h, colour);
            assert_eq!(sniff(&bytes), meta(ImageKind::Png, w, h));
            assert_eq!(decoded(&bytes), (w, h));
        }
    }

    #[test]
    fn png_header_rules() {
        let good = encode_png(2, 2, ExtendedColorType::Rgba8);
        let mut wrong_length = good.clone();
        wrong_length[11] = 12;
        assert_eq!(sniff(&wrong_length), None);
        let mut not_ihdr = good.clone();
        not_ihdr[12..16].copy_from_slice(b"IDAT");
        assert_eq!(sniff(&not_ihdr), None);
        let mut zero_height = good.clone();
        zero_height[20..24].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(sniff(&zero_height), None);
        let mut too_wide = good.clone();
        too_wide[16..20].copy_from_slice(&(1u32 << 31).to_be_bytes());
        assert_eq!(sniff(&too_wide), None);
        let mut widest = good;
        widest[16..20].copy_from_slice(&(i32::MAX as u32).to_be_bytes());
        assert_eq!(sniff(&widest), meta(ImageKind::Png, i32::MAX as u32, 2));
    }

    #[test]
    fn jpeg_from_a_real_encoder() {
        for (w, h) in [(1, 1), (33, 17), (1024, 8), (8, 1536)] {
            let bytes = encode_jpeg(w, h);
            assert_eq!(sniff(&bytes), meta(ImageKind::Jpeg, w, h));
            assert_eq!(decoded(&bytes), (w, h));
        }
    }

    /// SOI, then the given segments, then a frame header of `marker`.
    fn jpeg_with(before_frame: &[u8], marker: u8, width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend_from_slice(before_frame);
        out.extend_from_slice(&[0xFF, marker, 0x00, 0x0B, 0x08]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    #[test]
    fn jpeg_every_frame_type_and_none_of_the_lookalikes() {
        let app0 = b"\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
        for marker in 0xC0..=0xCF {
            let bytes = jpeg_with(app0, marker, 300, 200);
            let expected = match marker {
                0xC4 | 0xC8 | 0xCC => None,
                _ => meta(ImageKind::Jpeg, 300, 200),
            };
            assert_eq!(sniff(&bytes), expected, "marker {marker:02X}");
        }
    }

    #[test]
    fn jpeg_segment_walking() {
        // A DHT-like segment whose payload holds what looks like an SOF0 marker:
        // it must be skipped by length, not scanned.
        let decoy = [0xFF, 0xC4, 0x00, 0x0B, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01];
        assert_eq!(sniff(&jpeg_with(&decoy, 0xC0, 64, 48)), meta(ImageKind::Jpeg, 64, 48));
        // Fill bytes before a marker, and a standalone marker (TEM, RST) between segments.
        let fill = [0xFF, 0xFF, 0xFF, 0x01, 0xFF, 0xD3, 0xFF, 0xFF, 0xFE, 0x00, 0x03, b'x'];
        assert_eq!(sniff(&jpeg_with(&fill, 0xC2, 5, 7)), meta(ImageKind::Jpeg, 5, 7));
        // Padding between segments, which libjpeg skips with a warning.
        let padded = [0xFF, 0xFE, 0x00, 0x02, 0x00, 0x00, 0x00];
        assert_eq!(sniff(&jpeg_with(&padded, 0xC0, 9, 9)), meta(ImageKind::Jpeg, 9, 9));
        // A scan before the frame header (as in hierarchical files): its
        // entropy-coded data, stuffed bytes and restart markers are skipped.
        let scan =
            [0xFF, 0xDA, 0x00, 0x04, 0x01, 0x01, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD7, 0x78];
        assert_eq!(sniff(&jpeg_with(&scan, 0xC1, 11, 13)), meta(ImageKind::Jpeg, 11, 13));
        // A frame height of zero (defined later by DNL) is no usable size.
        assert_eq!(sniff(&jpeg_with(&[], 0xC0, 10, 0)), None);
        // End of image with no frame; a segment length below 2; a frame header too short.
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xD9, 0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1]), None);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1]), None);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x07, 8, 0, 1, 0, 1, 1]), None);
        // The segment length pointing past the end.
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]), None);
    }

    #[test]
    fn webp_real_files_of_every_flavour() {
        for (bytes, chunk) in [
            (webp_lossy_1x1(), b"VP8 "),
            (webp_lossless_1x1(), b"VP8L"),
            (webp_alpha_1x1(), b"VP8X"),
            (encode_webp(300, 7, None), b"VP8L"),
            (encode_webp(7, 300, Some(vec![0; 64])), b"VP8X"),
        ] {
            assert_eq!(&bytes[12..16], chunk);
            let (w, h) = decoded(&bytes);
            assert_eq!(sniff(&bytes), meta(ImageKind::Webp, w, h), "{}", String::from_utf8_lossy(chunk));
        }
    }

    #[test]
    fn webp_header_rules() {
        // 14-bit lossy dimensions; the top two bits are upscaling hints.
        assert_eq!(sniff(&webp_vp8_header(16383, 2)), meta(ImageKind::Webp, 16383, 2));
        assert_eq!(sniff(&webp_vp8_header(0xC000 | 640, 0x4000 | 480)), meta(ImageKind::Webp, 640, 480));
        assert_eq!(sniff(&webp_vp8_header(0, 5)), None);
        let mut interframe = webp_vp8_header(4, 4);
        interframe[20] |= 1;
        assert_eq!(sniff(&interframe), None);
        let mut bad_start_code = webp_vp8_header(4, 4);
        bad_start_code[24] = 0;
        assert_eq!(sniff(&bad_start_code), None);

        // Lossless: 14 bits each, plus one; a non-zero version is refused.
        let lossless = |bits: u32| {
            let mut out = b"RIFF\0\0\0\0WEBPVP8L\x05\0\0\0\x2F".to_vec();
            out.extend_from_slice(&bits.to_le_bytes());
            out
        };
        assert_eq!(sniff(&lossless(0x3FFF | (0x3FFF << 14))), meta(ImageKind::Webp, 16384, 16384));
        assert_eq!(sniff(&lossless(99 | (49 << 14) | (1 << 28))), meta(ImageKind::Webp, 100, 50));
        assert_eq!(sniff(&lossless(1 << 29)), None);
        let mut no_signature = lossless(0);
        no_signature[20] = 0x2E;
        assert_eq!(sniff(&no_signature), None);

        // Extended: 24 bits each, plus one, product within 32 bits.
        let extended = |w: u32, h: u32| {
            let mut out = b"RIFF\0\0\0\0WEBPVP8X\x0A\0\0\0\x10\0\0\0".to_vec();
            out.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
            out.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
            out
        };
        assert_eq!(sniff(&extended(3840, 2160)), meta(ImageKind::Webp, 3840, 2160));
        assert_eq!(sniff(&extended(1 << 24, 255)), meta(ImageKind::Webp, 1 << 24, 255));
        assert_eq!(sniff(&extended(1 << 24, 256)), None);

        // Other first chunks, or RIFF files that are not WebP.
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPALPH\x05\0\0\0\x2F\0\0\0\0"), None);
        assert_eq!(sniff(b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0"), None);
    }

    #[test]
    fn gif_from_a_real_encoder_and_by_hand() {
        for (w, h) in [(1, 1), (5, 6), (320, 2)] {
            let bytes = encode_gif(w, h);
            assert_eq!(sniff(&bytes), meta(ImageKind::Gif, w, h));
            assert_eq!(decoded(&bytes), (w, h));
        }
        let by_hand = |sig: &[u8], w: u16, h: u16| {
            let mut out = sig.to_vec();
            out.extend_from_slice(&w.to_le_bytes());
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0, 0x3B]);
            out
        };
        assert_eq!(sniff(&by_hand(b"GIF87a", 65535, 3)), meta(ImageKind::Gif, 65535, 3));
        assert_eq!(sniff(&by_hand(b"GIF89a", 0, 3)), None);
        assert_eq!(sniff(&by_hand(b"GIF88a", 4, 3)), None);
        assert_eq!(sniff(&by_hand(b"GIF89a", 4, 3)[..12]), None);
    }

    #[test]
    fn not_images() {
        for bytes in [
            &b""[..],
            b"\x89PNG",
            b"\xFF\xD8",
            b"\xFF\xD8\xFF",
            b"RIFF",
            b"GIF89a",
            b"BM\x36\0\0\0",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"%PDF-1.7",
        ] {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
    }

    #[test]
    fn kinds_name_themselves() {
        let all = [ImageKind::Png, ImageKind::Jpeg, ImageKind::Webp, ImageKind::Gif];
        let mimes: Vec<_> = all.iter().map(|k| k.mime_type()).collect();
        let exts: Vec<_> = all.iter().map(|k| k.extension()).collect();
        assert_eq!(mimes, ["image/png", "image/jpeg", "image/webp", "image/gif"]);
        assert_eq!(exts, ["png", "jpg", "webp", "gif"]);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Some(m) = sniff(&bytes) {
                prop_assert!(m.width > 0 && m.height > 0);
            }
        }

        /// Random tails after each signature reach the deeper parsing paths.
        #[test]
        fn never_panics_behind_a_signature(
            which in 0usize..6,
            tail in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let head: &[u8] = [
                &b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"[..],
                b"\xFF\xD8\xFF",
                b"RIFF\0\0\0\0WEBPVP8 ",
                b"RIFF\0\0\0\0WEBPVP8L",
                b"RIFF\0\0\0\0WEBPVP8X",
                b"GIF89a",
            ][which];
            let mut bytes = head.to_vec();
            bytes.extend_from_slice(&tail);
            if let Some(m) = sniff(&bytes) {
                prop_assert!(m.width > 0 && m.height > 0);
            }
        }

        /// A prefix of a valid image is either too short to tell or reads the
        /// same: never a different answer.
        #[test]
        fn truncations_and_corruptions_of_valid_images(
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
            xor in 1u8..,
        ) {
            for (bytes, expected) in valid_images() {
                let expected = *expected;
                prop_assert_eq!(sniff(bytes), Some(expected));
                let prefix = &bytes[..cut.index(bytes.len() + 1)];
                let got = sniff(prefix);
                prop_assert!(got.is_none() || got == Some(expected), "{:?} for a {}-byte prefix", got, prefix.len());
                let mut corrupted = bytes.clone();
                corrupted[flip.index(bytes.len())] ^= xor;
                if let Some(m) = sniff(&corrupted) {
                    prop_assert!(m.width > 0 && m.height > 0);
                }
            }
        }
    }
}
