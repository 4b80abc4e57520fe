//! Real SVG documents for 2.6's `output_format: "svg"`: a root `<svg>` sized
//! to the request (`width`, `height` and a matching `viewBox`) holding a few
//! shapes in the look's colours, so a client can parse it, read its size and
//! render it.

use bytes::Bytes;

use super::look::Look;

/// The SVG document for `look`: a gradient background (inset by transparent
/// side bands for a transparent background), a sun, a hill and a frame line.
pub(crate) fn document(look: Look) -> Bytes {
    let (w, h) = (look.width, look.height);
    let hex = |[r, g, b]: [u8; 3]| format!("#{r:02x}{g:02x}{b:02x}");
    let start = hex(look.rgb);
    let end = hex(look.rgb.map(|c| c / 2 + 64));
    let accent = hex(look.rgb.map(|c| 255 - c));
    let band = if look.transparent { w / 8 } else { 0 };
    let (cx, cy, r) = (w * 2 / 3, h / 3, w.min(h) / 6);
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="{start}"/>
      <stop offset="1" stop-color="{end}"/>
    </linearGradient>
  </defs>
  <rect x="{band}" y="0" width="{inner}" height="{h}" fill="url(#sky)"/>
  <circle cx="{cx}" cy="{cy}" r="{r}" fill="{accent}"/>
  <path d="M{band} {h} Q{mid} {hill} {right} {h} Z" fill="{end}" stroke="{accent}" stroke-width="2"/>
  <rect x="{inset}" y="{inset}" width="{frame_w}" height="{frame_h}" fill="none" stroke="{accent}" stroke-width="2"/>
</svg>
"##,
        inner = w - 2 * band,
        mid = w / 2,
        hill = h / 3,
        right = w - band,
        inset = 8.min(w / 4),
        frame_w = w.saturating_sub(2 * 8.min(w / 4)),
        frame_h = h.saturating_sub(2 * 8.min(w / 4)),
    );
    Bytes::from(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::look::ImageDetail;
    use crate::types::OutFormat;

    #[test]
    fn the_document_is_sized_to_the_request() {
        let look = Look {
            width: 1536,
            height: 864,
            format: OutFormat::Svg,
            animation: None,
            rgb: [10, 120, 240],
            transparent: false,
            jpeg_quality: 100,
            detail: ImageDetail::Flat,
        };
        let text = String::from_utf8(document(look).to_vec()).unwrap();
        assert!(text.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="1536" height="864" viewBox="0 0 1536 864">"#
        ));
        assert!(text.trim_end().ends_with("</svg>"));
        assert!(text.contains("<circle") && text.contains("#0a78f0"));
    }
}
