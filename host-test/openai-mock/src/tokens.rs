//! Token accounting that behaves like the real one (grows with text, image
//! size and quality), so usage figures the component reports are plausible
//! and checkable.

/// Roughly four characters a token, at least one for non-empty text.
pub(crate) fn text_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// Vision input tokens (the published tile formula): `low` is a flat 85; else
/// the image is fitted in 2048x2048, its short side brought down to 768, and
/// each 512px tile costs 170 on top of the base 85.
pub(crate) fn vision_tokens(width: u32, height: u32, detail: &str) -> u64 {
    if detail == "low" || width == 0 || height == 0 {
        return 85;
    }
    let (mut w, mut h) = (width as f64, height as f64);
    let fit = (2048.0 / w.max(h)).min(1.0);
    w *= fit;
    h *= fit;
    let short = (768.0 / w.min(h)).min(1.0);
    w *= short;
    h *= short;
    let tiles = (w / 512.0).ceil() as u64 * (h / 512.0).ceil() as u64;
    85 + 170 * tiles
}

/// Output tokens of one generated image: the published 1024x1024 figures per
/// quality, scaled by area. No figures are published for the 2.5 family's
/// `xhigh` and `max`: the mock doubles and quadruples `high`'s.
pub(crate) fn image_output_tokens(width: u32, height: u32, quality: &str) -> u64 {
    let per_square = match quality {
        "low" => 272.0,
        "high" => 4160.0,
        "xhigh" => 8320.0,
        "max" => 16640.0,
        _ => 1056.0,
    };
    (per_square * (width as f64 * height as f64) / (1024.0 * 1024.0)).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_figures() {
        assert_eq!(image_output_tokens(1024, 1024, "low"), 272);
        assert_eq!(image_output_tokens(1536, 1024, "medium"), 1584);
        assert_eq!(image_output_tokens(1024, 1536, "high"), 6240);
        assert_eq!(vision_tokens(1024, 1024, "high"), 765);
        assert_eq!(vision_tokens(2048, 4096, "high"), 1105);
        assert_eq!(vision_tokens(4096, 4096, "low"), 85);
        assert_eq!(text_tokens("abcde"), 2);
    }
}
