//! An image's type and dimensions from its header alone, so requests can be
//! checked (and analysed) without decoding anything.

/// The image types the contract moves around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl Kind {
    pub fn mime_type(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Webp => "image/webp",
            Kind::Gif => "image/gif",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Png => "PNG",
            Kind::Jpeg => "JPEG",
            Kind::Webp => "WebP",
            Kind::Gif => "GIF",
        }
    }
}

/// What a header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
}

/// The type and size of `bytes`, or `None` when they are not a PNG, JPEG,
/// WebP or GIF whose header gives a non-zero size.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    let (kind, (width, height)) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        (Kind::Png, png(bytes)?)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        (Kind::Jpeg, jpeg(bytes)?)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        (Kind::Webp, webp(bytes)?)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        (Kind::Gif, (le16(bytes, 6)?, le16(bytes, 8)?))
    } else {
        return None;
    };
    (width > 0 && height > 0).then_some(Sniffed { kind, width, height })
}

/// IHDR must be the first chunk.
fn png(b: &[u8]) -> Option<(u32, u32)> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(b, 16)?, be32(b, 20)?))
}

/// Walks the marker segments up to the first start-of-frame.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i)? == 0xFF {
            i += 1; // fill bytes
        }
        let marker = b[i];
        i += 1;
        match marker {
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => continue,
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let length = be16(b, i)? as usize;
        if length < 2 {
            return None;
        }
        // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            // length(2) precision(1) height(2) width(2)
            return Some((be16(b, i + 5)?, be16(b, i + 3)?));
        }
        i += length;
    }
}

/// The first chunk says which of the three WebP flavours this is.
fn webp(b: &[u8]) -> Option<(u32, u32)> {
    const DATA: usize = 20;
    match b.get(12..16)? {
        b"VP8 " => {
            // frame tag (3), start code 9d 01 2a, then 14-bit width and height.
            if b.get(DATA + 3..DATA + 6)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some((le16(b, DATA + 6)? & 0x3FFF, le16(b, DATA + 8)? & 0x3FFF))
        }
        b"VP8L" => {
            if *b.get(DATA)? != 0x2F {
                return None;
            }
            let bits = u32::from_le_bytes(b.get(DATA + 1..DATA + 5)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, DATA + 4)? + 1, le24(b, DATA + 7)? + 1)),
        _ => None,
    }
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as u32)
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(s[0] as u32 | (s[1] as u32) << 8 | (s[2] as u32) << 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_format_header() {
        let png = crate::draw::solid_png(300, 200, [1, 2, 3]).unwrap();
        assert_eq!(sniff(&png), Some(Sniffed { kind: Kind::Png, width: 300, height: 200 }));

        // SOI, an APP0 segment to skip, then SOF0 with height 480 and width 640.
        let jpeg = [
            &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB][..],
            &[0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03],
        ]
        .concat();
        assert_eq!(sniff(&jpeg), Some(Sniffed { kind: Kind::Jpeg, width: 640, height: 480 }));

        let riff = |chunk: &[u8], data: &[u8]| [b"RIFF\0\0\0\0WEBP", chunk, b"\0\0\0\0", data, &[0; 8]].concat();
        let lossy = riff(b"VP8 ", &[0, 0, 0, 0x9D, 0x01, 0x2A, 0x00, 0x04, 0x00, 0x03]);
        assert_eq!(sniff(&lossy), Some(Sniffed { kind: Kind::Webp, width: 1024, height: 768 }));
        // 14-bit fields hold width-1 = 99 and height-1 = 49.
        let bits: u32 = 99 | (49 << 14);
        let lossless = riff(b"VP8L", &[&[0x2F][..], &bits.to_le_bytes()].concat());
        assert_eq!(sniff(&lossless), Some(Sniffed { kind: Kind::Webp, width: 100, height: 50 }));
        let extended = riff(b"VP8X", &[0, 0, 0, 0, 0xFF, 0x05, 0x00, 0xFF, 0x03, 0x00]);
        assert_eq!(sniff(&extended), Some(Sniffed { kind: Kind::Webp, width: 1536, height: 1024 }));

        let gif = b"GIF89a\x20\x03\x58\x02\x00";
        assert_eq!(sniff(gif), Some(Sniffed { kind: Kind::Gif, width: 800, height: 600 }));
    }

    #[test]
    fn refuses_truncated_or_unknown_bytes() {
        let png = crate::draw::solid_png(10, 10, [0, 0, 0]).unwrap();
        let cases: [&[u8]; 5] = [&png[..20], b"hello world", b"", &[0xFF, 0xD8, 0xFF, 0xD9], b"GIF89a\0\0\x01\0"];
        for bytes in cases {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
    }
}
