//! Real animated GIFs, cheap to make: each frame is the look's colour with a
//! bar of its darker shade that moves from left to right over the frames, so
//! every frame differs and the animation is visible, encoded by the `image`
//! crate's GIF encoder.
//!
//! A frame has at most three colours (background, bar, and the transparent
//! side bands of a transparent background), so the encoder takes them as an
//! exact palette instead of quantizing, and every row of a frame is the same
//! row: a 9-frame 1280x720 GIF costs a few milliseconds, not seconds.

use bytes::Bytes;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbaImage};

use super::look::Look;
use super::types::Animation;

/// Encodes `look` as an endlessly looping GIF of `look.animation`'s frames
/// (one frame if none), each `delay_ms` long.
pub(crate) fn encode(look: Look) -> Bytes {
    let Animation { frames, delay_ms } = look.animation.unwrap_or(Animation { frames: 1, delay_ms: 100 });
    let mut out = Vec::new();
    {
        // Speed 30: the fastest quantizer, never needed with at most three colours anyway.
        let mut encoder = GifEncoder::new_with_speed(&mut out, 30);
        encoder.set_repeat(Repeat::Infinite).expect("setting the loop before any frame");
        for index in 0..frames {
            let pixels = frame_pixels(&look, index, frames);
            let buffer = RgbaImage::from_raw(look.width, look.height, pixels).expect("a whole frame of pixels");
            let frame = Frame::from_parts(buffer, 0, 0, Delay::from_numer_denom_ms(delay_ms, 1));
            encoder.encode_frame(frame).expect("encoding an in-memory frame cannot fail");
        }
    }
    Bytes::from(out)
}

/// Frame `index` of `count`: the background, the bar at its place, and
/// transparent side bands (an eighth of the width each) when asked for; the
/// bar travels between the bands, so it is seen in every frame.
fn frame_pixels(look: &Look, index: u32, count: u32) -> Vec<u8> {
    let (width, height) = (look.width, look.height);
    let bar_colour = look.rgb.map(|c| c / 2 + 32);
    let band = if look.transparent { width / 8 } else { 0 };
    let bar = (width / 8).max(1);
    let travel = width.saturating_sub(2 * band + bar);
    let start = band + if count > 1 { travel * index / (count - 1) } else { 0 };
    let mut row = Vec::with_capacity(width as usize * 4);
    for x in 0..width {
        let transparent = x < band || x >= width - band;
        let [r, g, b] = if (start..start + bar).contains(&x) { bar_colour } else { look.rgb };
        row.extend_from_slice(&[r, g, b, if transparent { 0 } else { 255 }]);
    }
    row.repeat(height as usize)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::codecs::gif::GifDecoder;
    use image::AnimationDecoder;

    use super::*;
    use crate::look::ImageDetail;
    use crate::types::OutFormat;

    #[test]
    fn frames_sizes_and_delays_are_as_asked() {
        let look = Look {
            width: 64,
            height: 48,
            format: OutFormat::Gif,
            animation: Some(Animation { frames: 5, delay_ms: 70 }),
            rgb: [200, 30, 90],
            transparent: true,
            jpeg_quality: 100,
            detail: ImageDetail::Flat,
        };
        let bytes = encode(look);
        assert_eq!(image::guess_format(&bytes).unwrap(), image::ImageFormat::Gif);
        let frames = GifDecoder::new(Cursor::new(&bytes[..])).unwrap().into_frames().collect_frames().unwrap();
        assert_eq!(frames.len(), 5);
        for f in &frames {
            assert_eq!(f.buffer().dimensions(), (64, 48));
            assert_eq!(f.delay().numer_denom_ms(), (70, 1));
            assert_eq!(f.buffer().get_pixel(0, 0)[3], 0, "transparent band");
        }
        assert!(frames[0].buffer() != frames[4].buffer(), "the bar moves");
        let opaque = |f: &image::Frame| (0..64).filter(|&x| f.buffer().get_pixel(x, 10)[3] == 255).count();
        assert_eq!(opaque(&frames[2]), 48, "an eighth each side is transparent");
    }
}
