//! Real images for the tests that talk to the mock: encoded by the `image`
//! crate, so the component's sniffing and the mock's checks meet files as
//! real encoders write them; and readers for the images that come back.

use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat};

/// A gradient, so every encoder has something to encode.
pub fn picture(width: u32, height: u32) -> image::RgbaImage {
    image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 255 / width) as u8, (y * 255 / height) as u8, ((x ^ y) & 0xFF) as u8, 255])
    })
}

/// `image` encoded for real by the image crate.
pub fn encode(image: DynamicImage, codec: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, codec).unwrap_or_else(|e| panic!("encoding {codec:?}: {e}"));
    out.into_inner()
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(DynamicImage::ImageRgba8(picture(width, height)), ImageFormat::Png)
}

/// A real JPEG of the given size: [`picture`] without its alpha, which JPEG
/// cannot carry.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let rgb = DynamicImage::ImageRgba8(picture(width, height)).to_rgb8();
    encode(DynamicImage::ImageRgb8(rgb), ImageFormat::Jpeg)
}

/// A real WebP of the given size.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    encode(DynamicImage::ImageRgba8(picture(width, height)), ImageFormat::WebP)
}

/// A real GIF of the given size: one frame.
pub fn gif(width: u32, height: u32) -> Vec<u8> {
    encode(DynamicImage::ImageRgba8(picture(width, height)), ImageFormat::Gif)
}

/// An edit's mask: an RGBA PNG of the given size, opaque but for a
/// transparent centre (the middle half each way), the area to edit.
pub fn mask(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        let inside = (width / 4..width * 3 / 4).contains(&x) && (height / 4..height * 3 / 4).contains(&y);
        image::Rgba([0, 0, 0, if inside { 0 } else { 255 }])
    });
    encode(DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// Width and height from a PNG's IHDR, after checking that `bytes` start
/// with the PNG signature and then that chunk.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The frames of a GIF, decoded by the image crate after checking the GIF
/// signature: each one composed as a viewer shows it, the size of the GIF's
/// logical screen (asserted), with its own delay.
pub fn gif_frames(bytes: &[u8]) -> Vec<image::Frame> {
    assert!(bytes.starts_with(b"GIF89a") || bytes.starts_with(b"GIF87a"), "not a GIF");
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).expect("a GIF the decoder reads");
    let screen = decoder.dimensions();
    let frames = decoder.into_frames().collect_frames().expect("every frame decodes");
    for frame in &frames {
        assert_eq!(frame.buffer().dimensions(), screen, "a frame the size of the logical screen");
    }
    frames
}
