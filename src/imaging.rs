//! Image type and dimensions read from the bytes themselves (never from a
//! file name or a declared type): PNG, JPEG, WebP and GIF.
//! STUB: signatures fixed; implementation pending.

/// The image types the API accepts or returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ImageKind {
    /// `image/png`, `image/jpeg`, `image/webp`, `image/gif`.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Webp => "image/webp",
            ImageKind::Gif => "image/gif",
        }
    }

    /// `png`, `jpg`, `webp`, `gif`: the file extension the SDK would use.
    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
            ImageKind::Gif => "gif",
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
    let _ = bytes;
    todo!("imaging::sniff")
}
