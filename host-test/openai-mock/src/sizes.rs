//! The pixel sizes an image family renders for a `size` value, and the one
//! budget every frame of an animated GIF shares (LIFECYCLE.md, "Current image
//! models", GIF sizes). Its own module: the arithmetic and its wording are
//! checked here once, apart from which parameters a request may send
//! ([`crate::params`]).

use super::errors::{self, ApiError};
use super::kinds::ModelKind;
use super::types::Animation;

const GPT_SIZES: &[&str] = &["1024x1024", "1536x1024", "1024x1536", "auto"];
const DALLE3_SIZES: &[&str] = &["1024x1024", "1792x1024", "1024x1792"];

/// All frames of an animated GIF share one budget of 8,294,400 pixels, one
/// 3840x2160 frame's worth (LIFECYCLE.md, "Current image models", GIF sizes).
const GIF_PIXEL_BUDGET: u64 = 3840 * 2160;

/// Whether `frames` frames of `width`x`height` fit [`GIF_PIXEL_BUDGET`].
fn gif_fits(frames: u32, width: u32, height: u32) -> bool {
    u64::from(frames) * u64::from(width) * u64::from(height) <= GIF_PIXEL_BUDGET
}

/// The side of the largest square frame (a multiple of 16, at most `cap`)
/// that `frames` frames can have within the budget. With a cap of 1024 it is
/// what an animated GIF gets for `size: auto` or no size (the mock's choice:
/// the usual default 1024x1024 does not fit 8 frames or more); the budget
/// refusal names it as the largest square that would fit.
fn gif_square_side(frames: u32, cap: u32) -> u32 {
    let mut side = cap - cap % 16;
    while side > 16 && !gif_fits(frames, side, side) {
        side -= 16;
    }
    side
}

/// `1234567` as `1,234,567`, as the budget message writes pixel counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The pixel size for a `size` value; `auto` (or none) is 1024x1024, or for
/// an animated GIF the largest square frame within the budget. A GIF's
/// explicit size follows the family's rules and must fit the budget too.
pub(crate) fn size(kind: ModelKind, value: Option<&str>, animation: Option<Animation>) -> Result<(u32, u32), ApiError> {
    let (width, height) = frame_size(kind, value)?;
    let Some(Animation { frames, .. }) = animation else { return Ok((width, height)) };
    if value.is_none_or(|v| v == "auto") {
        let side = gif_square_side(frames, 1024);
        return Ok((side, side));
    }
    if gif_fits(frames, width, height) {
        return Ok((width, height));
    }
    let side = gif_square_side(frames, 3840);
    Err(errors::invalid_value_msg(
        "size",
        format!(
            "Invalid value: '{}'. The frames of an animated GIF share a budget of {} pixels: {frames} frames of \
             {width}x{height} are {} pixels. With {frames} frames, a square frame can be at most {side}x{side}.",
            value.unwrap_or_default(),
            thousands(GIF_PIXEL_BUDGET),
            thousands(u64::from(frames) * u64::from(width) * u64::from(height)),
        ),
    ))
}

/// The pixel size of one image (or frame) for a `size` value; `auto` (or none) is 1024x1024.
fn frame_size(kind: ModelKind, value: Option<&str>) -> Result<(u32, u32), ApiError> {
    let value = match value {
        None => return Ok((1024, 1024)),
        Some(v) => v,
    };
    match kind {
        ModelKind::DallE3 if DALLE3_SIZES.contains(&value) => Ok(parse_size(value).expect("listed size")),
        ModelKind::DallE3 => Err(errors::invalid_value("size", value, DALLE3_SIZES)),
        _ if value == "auto" => Ok((1024, 1024)),
        _ if !kind.free_sizes() && GPT_SIZES.contains(&value) => Ok(parse_size(value).expect("listed size")),
        _ if !kind.free_sizes() => Err(errors::invalid_value("size", value, GPT_SIZES)),
        // gpt-image-2 (openapi.yaml, CreateImageRequest.size), 2.5 ("sizes as gpt-image-2", LIFECYCLE.md)
        // and 2.6 ("the same sizes ... as 2.5", LIFECYCLE.md).
        _ => {
            let (w, h) = parse_size(value).ok_or_else(|| {
                errors::invalid_value_msg(
                    "size",
                    format!("Invalid value: '{value}'. Expected 'auto' or a size of the form WIDTHxHEIGHT, such as '1536x864'."),
                )
            })?;
            let bad = |why: &str| errors::invalid_value_msg("size", format!("Invalid value: '{value}'. {why}"));
            let (long, short) = (w.max(h), w.min(h));
            if w % 16 != 0 || h % 16 != 0 {
                Err(bad("Width and height must both be divisible by 16."))
            } else if long > 3 * short {
                Err(bad("The aspect ratio must be between 1:3 and 3:1."))
            } else if long > 3840 || short > 2160 {
                Err(bad("The maximum supported resolution is 3840x2160."))
            } else {
                Ok((w, h))
            }
        }
    }
}

fn parse_size(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once('x')?;
    let digits = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(w) || !digits(h) {
        return None;
    }
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gif_budget_arithmetic() {
        assert_eq!(GIF_PIXEL_BUDGET, 8_294_400);
        // LIFECYCLE.md's table: 2-9 frames up to 960x960 or 1280x720, 10-12 up to 816x816, 13-16 up to 720x720.
        for (w, h) in [(1280, 720), (720, 1280), (960, 960)] {
            assert!(gif_fits(9, w, h), "{w}x{h}");
            assert!(!gif_fits(10, w, h), "{w}x{h} with 10 frames");
        }
        assert!(!gif_fits(9, 976, 976));
        assert!(gif_fits(12, 816, 816) && !gif_fits(12, 832, 832));
        assert!(gif_fits(16, 720, 720) && !gif_fits(16, 736, 736) && !gif_fits(16, 1024, 1024));
        assert!(gif_fits(1, 3840, 2160) && !gif_fits(2, 3840, 2160));
        assert_eq!(gif_square_side(2, 1024), 1024);
        assert_eq!(gif_square_side(7, 1024), 1024);
        assert_eq!(gif_square_side(8, 1024), 1008);
        assert_eq!(gif_square_side(9, 1024), 960);
        assert_eq!(gif_square_side(12, 1024), 816);
        assert_eq!(gif_square_side(16, 1024), 720);
        assert_eq!(gif_square_side(2, 3840), 2032);
        assert_eq!(
            (thousands(999), thousands(1000), thousands(16_777_216)),
            ("999".into(), "1,000".into(), "16,777,216".into())
        );
    }
}
