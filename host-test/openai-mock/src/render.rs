//! Real, cheap images: a horizontal gradient in a look's colour
//! ([`crate::look`]), encoded in the format asked for (animated GIFs and SVG
//! documents are drawn by [`crate::animated`] and [`crate::vector`], from the
//! same look).
//!
//! Every row is the same, so PNG's `Up` filter turns all but the first row
//! into zeros and fast deflate is nearly free; the encoded bytes are cached
//! per look anyway, so a benchmark that asks for the same picture a hundred
//! times measures the client, not the encoder.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};

use super::animated;
use super::look::{ImageDetail, Look};
use super::types::OutFormat;
use super::vector;

/// Encoded images by look, bounded so a long-running `--mock` does not grow forever.
#[derive(Default)]
pub(crate) struct ImageCache {
    map: Mutex<HashMap<Look, Bytes>>,
}

const CACHE_ENTRIES: usize = 256;

impl ImageCache {
    /// The encoded image, from the cache or encoded off the async threads.
    pub async fn get(self: &Arc<Self>, look: Look) -> Bytes {
        if let Some(b) = self.map.lock().unwrap().get(&look) {
            return b.clone();
        }
        let cache = self.clone();
        tokio::task::spawn_blocking(move || cache.get_blocking(look)).await.expect("image encoding does not panic")
    }

    fn get_blocking(&self, look: Look) -> Bytes {
        if let Some(b) = self.map.lock().unwrap().get(&look) {
            return b.clone();
        }
        let bytes = encode(look);
        let mut map = self.map.lock().unwrap();
        if map.len() >= CACHE_ENTRIES {
            map.clear();
        }
        map.insert(look, bytes.clone());
        bytes
    }
}

/// Encodes `look` in its format.
pub(crate) fn encode(look: Look) -> Bytes {
    match look.format {
        OutFormat::Gif => animated::encode(look),
        OutFormat::Svg => vector::document(look),
        OutFormat::Png | OutFormat::Jpeg | OutFormat::Webp => raster(look),
    }
}

/// Encodes the gradient for a still `look`.
fn raster(look: Look) -> Bytes {
    let Look { width, height, format, rgb, transparent, jpeg_quality, detail, .. } = look;
    let alpha = transparent && format != OutFormat::Jpeg;
    let channels = if alpha { 4 } else { 3 };
    let end = rgb.map(|c| c / 2 + 64);
    let band = width / 8;
    let mut row = Vec::with_capacity(width as usize * channels);
    for x in 0..width {
        let t = if width > 1 { x as f32 / (width - 1) as f32 } else { 0.0 };
        for i in 0..3 {
            row.push((rgb[i] as f32 + (end[i] as f32 - rgb[i] as f32) * t).round() as u8);
        }
        if alpha {
            row.push(if x < band || x >= width - band { 0 } else { 255 });
        }
    }
    let mut pixels = row.repeat(height as usize);
    if detail == ImageDetail::Photographic {
        add_grain(&mut pixels, channels, rgb);
    }
    let colour = if alpha { ExtendedColorType::Rgba8 } else { ExtendedColorType::Rgb8 };
    let mut out = Vec::new();
    let result = match format {
        OutFormat::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Up)
            .write_image(&pixels, width, height, colour),
        OutFormat::Jpeg => JpegEncoder::new_with_quality(&mut out, jpeg_quality.clamp(1, 100))
            .write_image(&pixels, width, height, colour),
        OutFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(&pixels, width, height, colour),
        OutFormat::Gif | OutFormat::Svg => unreachable!("drawn by their own modules"),
    };
    result.expect("encoding an in-memory gradient cannot fail");
    Bytes::from(out)
}

/// Adds a deterministic grain of -7..+8 to every colour sample (alpha is left
/// alone): about four bits of noise a sample, which deflate cannot squeeze,
/// like the sensor-style texture of a generated photograph.
fn add_grain(pixels: &mut [u8], channels: usize, rgb: [u8; 3]) {
    let mut state = u64::from_le_bytes([rgb[0], rgb[1], rgb[2], 1, 0, 0, 0, 0]) | 1;
    for pixel in pixels.chunks_exact_mut(channels) {
        // xorshift64: fast and good enough to defeat compression.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for (i, sample) in pixel.iter_mut().take(3).enumerate() {
            let noise = ((state >> (i * 8)) & 0x0F) as i16 - 7;
            *sample = (*sample as i16 + noise).clamp(0, 255) as u8;
        }
    }
}

/// A PNG of random pixels: incompressible, so its size is its pixels' (a
/// 3200x3200 one is about 40 MB), for tests and benchmarks of large uploads.
pub fn noise_png(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut pixels = Vec::with_capacity((width * height * 4) as usize);
    while pixels.len() < pixels.capacity() {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        pixels.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    pixels.truncate((width * height * 4) as usize);
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(&pixels, width, height, ExtendedColorType::Rgba8)
        .expect("encoding an in-memory image cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_each_format_at_the_exact_size() {
        for (format, expected) in [
            (OutFormat::Png, image::ImageFormat::Png),
            (OutFormat::Jpeg, image::ImageFormat::Jpeg),
            (OutFormat::Webp, image::ImageFormat::WebP),
        ] {
            let look = Look {
                width: 48,
                height: 32,
                format,
                animation: None,
                rgb: [200, 30, 90],
                transparent: true,
                jpeg_quality: 80,
                detail: ImageDetail::Flat,
            };
            let bytes = encode(look);
            assert_eq!(image::guess_format(&bytes).unwrap(), expected);
            let img = image::load_from_memory(&bytes).unwrap();
            assert_eq!((img.width(), img.height()), (48, 32));
            assert_eq!(img.color().has_alpha(), format != OutFormat::Jpeg);
        }
    }

    #[test]
    fn photographic_images_weigh_what_real_ones_do() {
        let look = |detail| Look {
            width: 1536,
            height: 1024,
            format: OutFormat::Png,
            animation: None,
            rgb: [90, 120, 200],
            transparent: false,
            jpeg_quality: 100,
            detail,
        };
        let flat = encode(look(ImageDetail::Flat));
        let photo = encode(look(ImageDetail::Photographic));
        assert!(flat.len() < 200 << 10, "flat: {} bytes", flat.len());
        assert!((2 << 20..5 << 20).contains(&photo.len()), "photographic: {} bytes", photo.len());
        let img = image::load_from_memory(&photo).unwrap();
        assert_eq!((img.width(), img.height()), (1536, 1024));
    }
}
