//! Real images for the tests that talk to the mock: encoded by the `image`
//! crate, so the component's sniffing and the mock's checks meet files as
//! real encoders write them.

/// A gradient, so every encoder has something to encode.
pub fn picture(width: u32, height: u32) -> image::RgbaImage {
    image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 255 / width) as u8, (y * 255 / height) as u8, ((x ^ y) & 0xFF) as u8, 255])
    })
}

/// `image` encoded for real by the image crate.
pub fn encode(image: image::DynamicImage, codec: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, codec).unwrap_or_else(|e| panic!("encoding {codec:?}: {e}"));
    out.into_inner()
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(image::DynamicImage::ImageRgba8(picture(width, height)), image::ImageFormat::Png)
}
