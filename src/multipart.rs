//! `multipart/form-data` encoding for the image-edit endpoint, byte for byte
//! as the official Python SDK writes it (it sends through httpx, whose
//! `_multipart.py` this mirrors): `--boundary CRLF`, the part headers, a blank
//! line, the content, `CRLF`; then `--boundary-- CRLF`.
//!
//! Header text is built in small owned buffers; file contents are pushed as
//! borrowed segments, so a form holding 16 reference images of 50 MB each
//! costs a few hundred bytes of allocation, not 800 MB of copies.

use crate::http::Body;

/// A form being built. File contents are borrowed, not copied: the encoded
/// body is a list of segments whose large pieces point at the caller's bytes.
pub struct Multipart<'a> {
    boundary: String,
    body: Body<'a>,
    /// Framing and small fields not yet pushed: consecutive text parts share
    /// one segment rather than making one each.
    pending: Vec<u8>,
}

impl<'a> Multipart<'a> {
    /// `boundary` must be 1-70 characters of `[0-9A-Za-z'()+_,-./:=?]` and not
    /// occur in any part; callers make it from random bytes (see
    /// [`boundary_from_random`]), which makes a collision with the content as
    /// unlikely as guessing a 128-bit key.
    pub fn new(boundary: String) -> Self {
        debug_assert!(is_valid_boundary(&boundary), "invalid multipart boundary {boundary:?}");
        Multipart { boundary, body: Body::empty(), pending: Vec::with_capacity(512) }
    }

    /// A text field.
    pub fn text(&mut self, name: &str, value: &str) {
        self.open_part();
        self.pending.extend_from_slice(b"Content-Disposition: form-data; ");
        push_param(&mut self.pending, "name", name);
        self.pending.extend_from_slice(b"\r\n\r\n");
        self.pending.extend_from_slice(value.as_bytes());
        self.pending.extend_from_slice(b"\r\n");
    }

    /// A file field with its filename and `Content-Type`. An empty filename
    /// leaves the `filename` parameter out, as httpx does.
    pub fn file(&mut self, name: &str, filename: &str, content_type: &str, data: &'a [u8]) {
        self.open_part();
        self.pending.extend_from_slice(b"Content-Disposition: form-data; ");
        push_param(&mut self.pending, "name", name);
        if !filename.is_empty() {
            self.pending.extend_from_slice(b"; ");
            push_param(&mut self.pending, "filename", filename);
        }
        self.pending.extend_from_slice(b"\r\nContent-Type: ");
        // A line break here would end the part headers early; the types we
        // send are constants, so dropping control characters loses nothing.
        self.pending.extend(content_type.bytes().filter(|b| !b.is_ascii_control()));
        self.pending.extend_from_slice(b"\r\n\r\n");
        self.flush();
        self.body.push_borrowed(data);
        self.pending.extend_from_slice(b"\r\n");
    }

    /// Closes the form. Returns the `Content-Type` header value
    /// (`multipart/form-data; boundary=...`) and the body.
    pub fn finish(mut self) -> (String, Body<'a>) {
        self.pending.extend_from_slice(b"--");
        self.pending.extend_from_slice(self.boundary.as_bytes());
        self.pending.extend_from_slice(b"--\r\n");
        self.flush();
        (format!("multipart/form-data; boundary={}", self.boundary), self.body)
    }

    fn open_part(&mut self) {
        self.pending.extend_from_slice(b"--");
        self.pending.extend_from_slice(self.boundary.as_bytes());
        self.pending.extend_from_slice(b"\r\n");
    }

    fn flush(&mut self) {
        let pending = std::mem::replace(&mut self.pending, Vec::with_capacity(256));
        self.body.push_owned(pending);
    }
}

/// A boundary made of 128 random bits as 32 lowercase hex digits: the shape
/// httpx uses (`os.urandom(16).hex()`).
pub fn boundary_from_random(high: u64, low: u64) -> String {
    format!("{high:016x}{low:016x}")
}

/// RFC 2046 5.1.1, without the space it allows (but not at the end), which
/// some servers mishandle.
fn is_valid_boundary(boundary: &str) -> bool {
    (1..=70).contains(&boundary.len())
        && boundary.bytes().all(|b| b.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&b))
}

/// `key="value"` with httpx's escaping (its `_HTML5_FORM_ENCODING_REPLACEMENTS`):
/// `"` becomes `%22`, a backslash is doubled, and every C0 control character
/// but ESC becomes `%XX`, so no name can close the quotes or break the line.
fn push_param(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"=\"");
    for &b in value.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"%22"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x1B => out.push(b),
            0x00..=0x1F => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::borrow::Cow;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    const BOUNDARY: &str = "5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b";

    /// Drives a future whose inputs are all in memory, so it never waits.
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..1_000_000 {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
        panic!("the parser kept waiting on an in-memory body");
    }

    #[derive(Debug, PartialEq)]
    struct Part {
        name: Option<String>,
        filename: Option<String>,
        content_type: Option<String>,
        data: Vec<u8>,
    }

    /// Parses with `multer` (what the test host's mock server uses), feeding
    /// it the body one segment at a time.
    fn parse(content_type: &str, body: &Body<'_>) -> Vec<Part> {
        let boundary = multer::parse_boundary(content_type).expect("boundary in the content type");
        let chunks: Vec<Result<Vec<u8>, std::convert::Infallible>> =
            body.segments.iter().map(|s| Ok(s.to_vec())).collect();
        let mut form = multer::Multipart::new(futures_util::stream::iter(chunks), boundary);
        block_on(async {
            let mut parts = Vec::new();
            while let Some(field) = form.next_field().await.expect("well-formed multipart") {
                let name = field.name().map(str::to_owned);
                let filename = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(|m| m.to_string());
                let data = field.bytes().await.expect("part content").to_vec();
                parts.push(Part { name, filename, content_type, data });
            }
            parts
        })
    }

    fn owned_bytes(body: &Body<'_>) -> usize {
        body.segments.iter().filter(|s| matches!(s, Cow::Owned(_))).map(|s| s.len()).sum()
    }

    #[test]
    fn exact_bytes_as_httpx_writes_them() {
        let image = b"\x89PNG\r\n\x1a\nfake".to_vec();
        let mask = b"MASK".to_vec();
        let mut form = Multipart::new(BOUNDARY.into());
        form.text("prompt", "Create a lovely gift basket");
        form.text("n", "1");
        form.file("image[]", "body-lotion.png", "image/png", &image);
        form.file("mask", "mask.png", "image/png", &mask);
        let (content_type, body) = form.finish();
        assert_eq!(content_type, format!("multipart/form-data; boundary={BOUNDARY}"));
        let expected = [
            &b"--5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b\r\n"[..],
            b"Content-Disposition: form-data; name=\"prompt\"\r\n\r\n",
            b"Create a lovely gift basket\r\n",
            b"--5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b\r\n",
            b"Content-Disposition: form-data; name=\"n\"\r\n\r\n",
            b"1\r\n",
            b"--5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b\r\n",
            b"Content-Disposition: form-data; name=\"image[]\"; filename=\"body-lotion.png\"\r\n",
            b"Content-Type: image/png\r\n\r\n",
            b"\x89PNG\r\n\x1a\nfake\r\n",
            b"--5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b\r\n",
            b"Content-Disposition: form-data; name=\"mask\"; filename=\"mask.png\"\r\n",
            b"Content-Type: image/png\r\n\r\n",
            b"MASK\r\n",
            b"--5f1c0e3a9b7d4c2e8a6f0b1d3c5e7a9b--\r\n",
        ]
        .concat();
        assert_eq!(String::from_utf8_lossy(&body.to_vec()), String::from_utf8_lossy(&expected));
        assert_eq!(body.len(), expected.len() as u64);

        // Text parts share a segment; each file is its own borrowed segment.
        assert_eq!(body.segments.len(), 5);
        assert!(matches!(&body.segments[1], Cow::Borrowed(s) if s.as_ptr() == image.as_ptr()));
        assert!(matches!(&body.segments[3], Cow::Borrowed(s) if s.as_ptr() == mask.as_ptr()));
    }

    #[test]
    fn names_and_filenames_are_escaped_like_httpx() {
        let mut form = Multipart::new(BOUNDARY.into());
        form.text("a\"b\r\nc\\d\te\x1bf\x00", "v");
        form.file("image", "evil\"; name=\"x.png\r\nContent-Type: text/html", "image/png\r\nX-Injected: 1", b"D");
        let (_, body) = form.finish();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("name=\"a%22b%0D%0Ac\\\\d%09e\x1bf%00\"\r\n\r\nv\r\n"), "{text:?}");
        assert!(
            text.contains(
                "name=\"image\"; filename=\"evil%22; name=%22x.png%0D%0AContent-Type: text/html\"\r\n\
                 Content-Type: image/pngX-Injected: 1\r\n\r\nD\r\n"
            ),
            "{text:?}"
        );
    }

    #[test]
    fn an_empty_filename_is_left_out_and_empty_values_are_kept() {
        let mut form = Multipart::new("b".into());
        form.file("blob", "", "application/octet-stream", b"");
        form.text("empty", "");
        let (_, body) = form.finish();
        assert_eq!(
            body.to_vec(),
            b"--b\r\nContent-Disposition: form-data; name=\"blob\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n\
              --b\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--b--\r\n"
        );
        let parts = parse("multipart/form-data; boundary=b", &body);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.data.is_empty()));
    }

    #[test]
    fn an_empty_form_is_just_the_closing_delimiter() {
        let (content_type, body) = Multipart::new(BOUNDARY.into()).finish();
        assert_eq!(body.to_vec(), format!("--{BOUNDARY}--\r\n").into_bytes());
        assert!(parse(&content_type, &body).is_empty());
    }

    #[test]
    fn random_boundaries_look_like_httpx_ones() {
        assert_eq!(boundary_from_random(0, 1), "00000000000000000000000000000001");
        let b = boundary_from_random(0x5f1c_0e3a_9b7d_4c2e, 0x8a6f_0b1d_3c5e_7a9b);
        assert_eq!(b, BOUNDARY);
        assert!(is_valid_boundary(&b));
        assert!(!is_valid_boundary(""));
        assert!(!is_valid_boundary(&"a".repeat(71)));
        assert!(!is_valid_boundary("has space"));
        assert!(!is_valid_boundary("quote\""));
    }

    /// Names as a form might use them; multer reads a backslash before a
    /// quote as an escape, so backslashes are covered by the exact-bytes test.
    fn name() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_\\[\\]\"\r\n é.;=-]{1,20}"
    }

    fn httpx_escaped(value: &str) -> String {
        let mut out = Vec::new();
        push_param(&mut out, "", value);
        String::from_utf8(out[2..out.len() - 1].to_vec()).unwrap()
    }

    proptest! {
        #[test]
        fn every_field_round_trips_and_files_are_never_copied(
            fields in proptest::collection::vec(
                (any::<bool>(), name(), name(), ".{0,64}", proptest::collection::vec(any::<u8>(), 0..2048)),
                0..8,
            ),
            high in any::<u64>(),
            low in any::<u64>(),
        ) {
            let boundary = boundary_from_random(high, low);
            let mut form = Multipart::new(boundary.clone());
            let mut expected = Vec::new();
            let mut file_bytes = 0;
            for (is_file, name, filename, text, data) in &fields {
                if *is_file {
                    form.file(name, filename, "image/webp", data);
                    file_bytes += data.len();
                    expected.push(Part {
                        name: Some(httpx_escaped(name)),
                        filename: Some(httpx_escaped(filename)),
                        content_type: Some("image/webp".into()),
                        data: data.clone(),
                    });
                } else {
                    form.text(name, text);
                    expected.push(Part {
                        name: Some(httpx_escaped(name)),
                        filename: None,
                        content_type: None,
                        data: text.as_bytes().to_vec(),
                    });
                }
            }
            let (content_type, body) = form.finish();
            prop_assert_eq!(parse(&content_type, &body), expected);

            // Every file is a borrowed segment pointing at the caller's bytes,
            // and what is owned is framing and text only.
            let mut borrowed = body.segments.iter().filter_map(|s| match s {
                Cow::Borrowed(b) => Some(b.as_ptr()),
                Cow::Owned(_) => None,
            });
            for (is_file, _, _, _, data) in &fields {
                if *is_file && !data.is_empty() {
                    prop_assert_eq!(borrowed.next(), Some(data.as_ptr()));
                }
            }
            prop_assert_eq!(borrowed.next(), None);
            prop_assert_eq!(owned_bytes(&body) as u64, body.len() - file_bytes as u64);
        }
    }
}
