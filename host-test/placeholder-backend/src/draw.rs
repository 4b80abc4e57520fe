//! The pictures: one solid colour per prompt, encoded as a real PNG.

/// FNV-1a, 64-bit: tiny, stable across platforms and releases, so the same
/// prompt draws the same colour everywhere.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_extend(0xcbf2_9ce4_8422_2325, bytes)
}

/// Continues an FNV-1a hash with more bytes.
pub fn fnv1a_extend(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= b as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The colour of image `index` for a prompt hashed to `seed`. Hue comes from
/// the hash; saturation and value stay in a band so every colour is clearly
/// a colour, never near-black or washed out.
pub fn colour(seed: u64, index: u32) -> [u8; 3] {
    let h = fnv1a_extend(seed, &index.to_le_bytes());
    let hue = (h % 360) as f32;
    let saturation = 0.45 + ((h >> 16) % 31) as f32 / 100.0;
    let value = 0.70 + ((h >> 32) % 26) as f32 / 100.0;
    hsv_to_rgb(hue, saturation, value)
}

fn hsv_to_rgb(hue: f32, s: f32, v: f32) -> [u8; 3] {
    let c = v * s;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (hue / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    let channel = |f: f32| ((f + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [channel(r), channel(g), channel(b)]
}

/// `to` mixed into neutral grey by `numerator / denominator`: the preview
/// of a picture that is `numerator / denominator` done.
pub fn toward(to: [u8; 3], numerator: u32, denominator: u32) -> [u8; 3] {
    let grey = 128i64;
    let (n, d) = (numerator.min(denominator) as i64, denominator.max(1) as i64);
    to.map(|c| (grey + (c as i64 - grey) * n / d) as u8)
}

/// A `width` x `height` PNG of one colour. One-bit indexed colour keeps even a
/// 4096x4096 picture to a few kilobytes and a few milliseconds.
pub fn solid_png(width: u32, height: u32, rgb: [u8; 3]) -> Result<Vec<u8>, png::EncodingError> {
    let row_bytes = (width as usize).div_ceil(8);
    let pixels = vec![0u8; row_bytes * height as usize];
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_palette(rgb.to_vec());
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn png_decodes_to_the_colour_and_size() {
        let bytes = solid_png(37, 5, [200, 100, 50]).unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buf).unwrap();
        assert_eq!((frame.width, frame.height, frame.color_type), (37, 5, png::ColorType::Rgb));
        let pixels = &buf[..frame.buffer_size()];
        assert_eq!(pixels.len(), 37 * 5 * 3);
        assert!(pixels.chunks(3).all(|p| p == [200, 100, 50]));
    }

    #[test]
    fn colours_are_stable_and_vivid() {
        assert_eq!(colour(fnv1a(b"a red fox"), 0), colour(fnv1a(b"a red fox"), 0));
        assert_ne!(colour(fnv1a(b"a red fox"), 0), colour(fnv1a(b"a red fox"), 1));
        for i in 0..200 {
            let [r, g, b] = colour(fnv1a(format!("prompt {i}").as_bytes()), 0);
            let (max, min) = (r.max(g).max(b), r.min(g).min(b));
            assert!(max >= 170 && max - min >= 70, "prompt {i}: {r},{g},{b}");
        }
        assert_eq!(toward([228, 28, 128], 0, 2), [128, 128, 128]);
        assert_eq!(toward([228, 28, 128], 1, 2), [178, 78, 128]);
        assert_eq!(toward([228, 28, 128], 2, 2), [228, 28, 128]);
    }
}
