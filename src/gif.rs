//! Animated GIF sizes. GPT Image 2.6 lays all of a GIF's frames out within
//! one pixel budget (LIFECYCLE.md, "Current image models": 8,294,400 pixels,
//! a 3840x2160 frame's worth, for all frames together; each frame's sides
//! in multiples of 16), so the more frames, the smaller each one: 2-9 frames
//! allow up to 1280x720 or 960x960, 10-12 up to 816x816, 13-16 up to 720x720.
//! A format's size for a GIF is the largest of its shape that fits.

use crate::bindings::{ImageFormat, Size};

/// Pixels all of a GIF's frames share.
pub const PIXEL_BUDGET: u64 = 8_294_400;
pub const MIN_FRAMES: u32 = 2;
pub const MAX_FRAMES: u32 = 16;
/// What the API makes when a request names no frame count.
pub const DEFAULT_FRAMES: u32 = 9;
/// Frame sides are multiples of this.
const STEP: u32 = 16;

/// The largest frame of `format`'s shape for `frames` frames: 16:9 for
/// landscape, 9:16 for portrait (video's shapes, which is what an animation
/// is shown as), square for square.
pub fn frame_size(format: ImageFormat, frames: u32) -> Size {
    let per_frame = PIXEL_BUDGET / u64::from(frames.max(1));
    let (wide, tall) = match format {
        ImageFormat::Landscape | ImageFormat::Portrait => (16, 9),
        ImageFormat::Square => (1, 1),
    };
    // The tallest short side whose long side (rounded down to the step)
    // keeps the frame within its share of the budget.
    let mut best = Size::new(STEP, STEP);
    let mut short = STEP;
    loop {
        let long = (u64::from(short) * wide / tall) as u32 / STEP * STEP;
        if u64::from(long) * u64::from(short) > per_frame {
            break;
        }
        best = Size::new(long.max(STEP), short);
        short += STEP;
    }
    match format {
        ImageFormat::Portrait => Size::new(best.height, best.width),
        _ => best,
    }
}

/// Why `frames` frames of `size` do not fit the budget, or `Ok`.
pub fn check_budget(model: &str, size: Size, frames: u32) -> Result<(), String> {
    let pixels = u64::from(size.width) * u64::from(size.height) * u64::from(frames);
    if pixels <= PIXEL_BUDGET {
        return Ok(());
    }
    let fits = frame_size(ImageFormat::Square, frames);
    Err(format!(
        "{frames} GIF frames of {size} are {pixels} pixels; {model} fits all frames of a GIF within {PIXEL_BUDGET} \
         (at {frames} frames, up to {fits} square): make the frames smaller or fewer"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImageFormat::*;

    fn size(format: ImageFormat, frames: u32) -> (u32, u32) {
        let s = frame_size(format, frames);
        (s.width, s.height)
    }

    #[test]
    fn nine_frames_are_720p_or_960_square() {
        assert_eq!(size(Landscape, 9), (1280, 720));
        assert_eq!(size(Portrait, 9), (720, 1280));
        assert_eq!(size(Square, 9), (960, 960));
    }

    #[test]
    fn more_frames_are_smaller_as_the_gateways_measured() {
        assert_eq!(size(Square, 12), (816, 816));
        assert_eq!(size(Square, 16), (720, 720));
        assert_eq!(size(Square, 2), (2032, 2032));
        assert_eq!(size(Landscape, 2), (2688, 1520));
    }

    #[test]
    fn every_default_fits_and_is_on_the_grid() {
        for frames in MIN_FRAMES..=MAX_FRAMES {
            for format in [Landscape, Portrait, Square] {
                let s = frame_size(format, frames);
                assert_eq!((s.width % 16, s.height % 16), (0, 0), "{format:?} {frames}");
                assert_eq!(check_budget("m", s, frames), Ok(()), "{format:?} {frames}");
            }
        }
    }

    #[test]
    fn over_the_budget_is_refused_with_the_numbers() {
        let message = check_budget("gpt-image-2.6-flare", Size::new(1024, 1024), 16).unwrap_err();
        assert!(message.contains("16 GIF frames of 1024x1024"), "{message}");
        assert!(message.contains("8294400") && message.contains("720x720"), "{message}");
        assert_eq!(check_budget("m", Size::new(1280, 720), 9), Ok(()));
        assert!(check_budget("m", Size::new(1296, 720), 9).is_err());
    }
}
