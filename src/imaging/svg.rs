//! The size of an SVG document, read from its root element: `width` and
//! `height` in pixels, else its `viewBox`, else the 300x150 a browser gives an
//! SVG that says nothing. Only the prologue and the root element's start tag
//! are read (at most [`HEAD_LIMIT`] bytes), never the drawing itself.
//!
//! Hand-written: an XML parser would add weight to the component for one tag,
//! and the rules here are the few a browser applies to size an `<img>`.

/// How far into the document the root element must start and end.
const HEAD_LIMIT: usize = 64 * 1024;

/// What a browser makes of an SVG with no size and no `viewBox` (CSS 2's
/// default replaced element size).
const DEFAULT_SIZE: (u32, u32) = (300, 150);

/// `(width, height)` in pixels, or `None` when the bytes are not an SVG
/// document (the first element is not `<svg`, or it is not UTF-8 text).
pub fn size(bytes: &[u8]) -> Option<(u32, u32)> {
    let head = &bytes[..bytes.len().min(HEAD_LIMIT)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // Cut inside a character at the limit: read up to it.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let tag = root_tag(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let attr = |name: &str| attribute(tag, name);
    let width = attr("width").and_then(pixels);
    let height = attr("height").and_then(pixels);
    let view_box = attr("viewBox").and_then(view_box);
    let (w, h) = match (width, height, view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (None, None, Some(size)) => size,
        _ => return Some(DEFAULT_SIZE),
    };
    Some((whole(w)?, whole(h)?))
}

/// The attributes of the root `<svg ...>` tag (the text between its name and
/// its `>`), after any XML declaration, comments, processing instructions and
/// doctype.
fn root_tag(mut text: &str) -> Option<&str> {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("<?") {
            text = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = text.strip_prefix("<!--") {
            text = &rest[rest.find("-->")? + 3..];
        } else if let Some(rest) = text.strip_prefix("<!DOCTYPE").or_else(|| text.strip_prefix("<!doctype")) {
            text = &rest[doctype_end(rest)?..];
        } else {
            break;
        }
    }
    let rest = text.strip_prefix("<svg")?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/') {
        return None;
    }
    Some(&rest[..tag_end(rest)?])
}

/// Past the doctype's closing `>`, skipping an internal subset in brackets.
fn doctype_end(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Where the start tag ends (its `>`), skipping quoted attribute values.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` in a start tag's text.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        let name_end = rest.find(|c: char| c == '=' || c.is_ascii_whitespace())?;
        let found = &rest[..name_end];
        rest = rest[name_end..].trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value_end = rest[1..].find(quote)? + 1;
        let value = &rest[1..value_end];
        if found == name {
            return Some(value);
        }
        rest = &rest[value_end + 1..];
    }
}

/// A length in CSS pixels: a number, alone or with `px`. Other units
/// (`%`, `mm`, `em`) say nothing of pixels without a context: `None`.
fn pixels(value: &str) -> Option<f64> {
    let value = value.trim();
    let number = value.strip_suffix("px").unwrap_or(value).trim_end();
    number.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0)
}

/// The `viewBox`'s width and height (its third and fourth numbers).
fn view_box(value: &str) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = value
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<f64>().ok())
        .collect::<Option<_>>()?;
    match numbers[..] {
        [_, _, w, h] if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 => Some((w, h)),
        _ => None,
    }
}

/// Rounded up to whole pixels, at least one.
fn whole(n: f64) -> Option<u32> {
    (n.is_finite() && n > 0.0).then(|| n.ceil().min(f64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn of(text: &str) -> Option<(u32, u32)> {
        size(text.as_bytes())
    }

    #[test]
    fn width_and_height_win() {
        assert_eq!(
            of(r#"<svg xmlns="http://www.w3.org/2000/svg" width="1536" height="1024"></svg>"#),
            Some((1536, 1024))
        );
        assert_eq!(of(r#"<svg width='640px' height="480.2" viewBox="0 0 10 10"/>"#), Some((640, 481)));
    }

    #[test]
    fn the_view_box_stands_in() {
        assert_eq!(of(r#"<svg viewBox="0 0 1024 1536"><rect/></svg>"#), Some((1024, 1536)));
        assert_eq!(of(r#"<svg viewBox="0,0,200,100" width="400"></svg>"#), Some((400, 200)));
        assert_eq!(of(r#"<svg viewBox="0 0 200 100" height="50%"></svg>"#), Some((200, 100)));
        assert_eq!(of(r#"<svg viewBox="0 0 200 100" height="50"></svg>"#), Some((100, 50)));
    }

    #[test]
    fn a_prologue_is_skipped() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by a model -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" [ <!ENTITY a \"b\"> ]>\n<svg\n  width=\"32\" height=\"16\">";
        assert_eq!(of(doc), Some((32, 16)));
    }

    #[test]
    fn no_size_is_a_browsers_default() {
        assert_eq!(of("<svg><circle r='4'/></svg>"), Some((300, 150)));
        assert_eq!(of(r#"<svg width="10cm" height="5cm"></svg>"#), Some((300, 150)));
    }

    #[test]
    fn other_documents_are_not_svg() {
        for text in ["<html><svg width='1' height='1'/></html>", "<svgx width='1'>", "", "svg", "<svg width='3'"] {
            assert_eq!(of(text), None, "{text}");
        }
        assert_eq!(size(&[0xFF, 0xFE, b'<']), None);
    }

    proptest! {
        /// Any bytes: an answer or none, never a panic, never a zero side.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200), prefix in "<svg[ a-z=\"'0-9.,]{0,40}>?") {
            let mut doc = prefix.into_bytes();
            doc.extend_from_slice(&bytes);
            if let Some((w, h)) = size(&doc) {
                prop_assert!(w > 0 && h > 0);
            }
        }
    }
}
