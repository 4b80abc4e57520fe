//! Shared by the fuzz targets: a key to plant in inputs and the checks every
//! error message must pass.

use openai_visual_backend::bindings::Error;

/// Looks like an API key and shares no 8-character run with `[redacted]`.
pub const KEY: &str = "sk-fuzz-0123456789ABCDEFGHIJ";

/// Where a fuzz input writes this, the key is substituted, so the fuzzer can
/// plant the key anywhere without having to guess it.
pub const KEY_MARKER: &[u8] = b"$K";

/// `input` with every [`KEY_MARKER`] replaced by [`KEY`].
pub fn plant_key(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.windows(KEY_MARKER.len()).position(|w| w == KEY_MARKER) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(KEY.as_bytes());
        rest = &rest[at + KEY_MARKER.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// No 8-character run of [`KEY`] survives in `text` (what `redact` promises).
pub fn assert_no_key(text: &str) {
    for window in KEY.as_bytes().windows(8) {
        let window = std::str::from_utf8(window).unwrap();
        assert!(!text.contains(window), "part of the key ({window}) leaked into: {text:?}");
    }
}

/// No part of the key in any text an error carries. (Not its `Debug` form:
/// escaping there can make a key-like run out of other bytes, `\0` + `1234567`.)
pub fn assert_error_has_no_key(e: &Error) {
    assert_no_key(e.message());
    if let Some(f) = e.failure() {
        assert_no_key(f.code.as_deref().unwrap_or_default());
        assert_no_key(f.request_id.as_deref().unwrap_or_default());
    }
}

/// A message a user can be shown: not empty, one line, bounded.
pub fn assert_tidy(message: &str, max_chars: usize) {
    assert!(!message.trim().is_empty(), "empty message");
    assert!(!message.contains(['\n', '\r']), "multi-line message: {message:?}");
    let chars = message.chars().count();
    assert!(chars <= max_chars, "{chars}-character message (at most {max_chars}): {message:?}");
}
