//! The image-edit form: whatever the field names, filenames and contents,
//! a strict decoder gets back exactly the parts that were put in (names and
//! filenames escaped as httpx escapes them), and file contents are sent from
//! the caller's memory, never copied.

#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use openai_visual_backend::multipart::{boundary_from_random, Multipart};

#[derive(Arbitrary, Debug)]
enum Field {
    Text { name: String, value: String },
    File { name: String, filename: String, content_type: String, data: Vec<u8> },
}

#[derive(Arbitrary, Debug)]
struct Input {
    high: u64,
    low: u64,
    fields: Vec<Field>,
}

/// One decoded part: its header lines and its content.
#[derive(Debug, PartialEq, Eq)]
struct Part {
    headers: Vec<String>,
    content: Vec<u8>,
}

/// httpx's `_HTML5_FORM_ENCODING_REPLACEMENTS`, written out independently.
fn escaped(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\\' => out.push_str("\\\\"),
            '\u{1b}' => out.push(c),
            c if (c as u32) < 0x20 => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// RFC 7578 decoding, strict: every delimiter where it must be, and nothing
/// after the close delimiter but its CRLF.
fn decode(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    // The body opens with `--boundary`; a leading CRLF makes every delimiter alike.
    let body = [b"\r\n".as_slice(), body].concat();
    let mut parts = Vec::new();
    let mut at = 0;
    loop {
        assert!(body[at..].starts_with(&delimiter), "no delimiter at {at}");
        at += delimiter.len();
        if &body[at..] == b"--\r\n" {
            return parts;
        }
        assert!(body[at..].starts_with(b"\r\n"), "no CRLF after the delimiter at {at}");
        at += 2;
        let head_len = find(&body[at..], b"\r\n\r\n").expect("the part headers end");
        let headers = std::str::from_utf8(&body[at..at + head_len]).expect("UTF-8 headers");
        let headers = headers.split("\r\n").map(str::to_string).collect();
        at += head_len + 4;
        let content_len = find(&body[at..], &delimiter).expect("the part is closed");
        parts.push(Part { headers, content: body[at..at + content_len].to_vec() });
        at += content_len;
    }
}

fuzz_target!(|input: Input| {
    let boundary = boundary_from_random(input.high, input.low);
    // The encoder's contract: the boundary occurs in no part (random 128 bits
    // make that certain in practice; the fuzzer can break it on purpose).
    let occurs = |bytes: &[u8]| find(bytes, boundary.as_bytes()).is_some();
    if input.fields.iter().any(|f| match f {
        Field::Text { value, .. } => occurs(value.as_bytes()),
        Field::File { data, .. } => occurs(data),
    }) {
        return;
    }

    let mut form = Multipart::new(boundary.clone());
    let mut expected = Vec::new();
    for field in &input.fields {
        match field {
            Field::Text { name, value } => {
                form.text(name, value);
                expected.push(Part {
                    headers: vec![format!("Content-Disposition: form-data; name=\"{}\"", escaped(name))],
                    content: value.as_bytes().to_vec(),
                });
            }
            Field::File { name, filename, content_type, data } => {
                form.file(name, filename, content_type, data);
                let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", escaped(name));
                if !filename.is_empty() {
                    disposition.push_str(&format!("; filename=\"{}\"", escaped(filename)));
                }
                let content_type: String = content_type.chars().filter(|c| !c.is_ascii_control()).collect();
                expected.push(Part {
                    headers: vec![disposition, format!("Content-Type: {content_type}")],
                    content: data.clone(),
                });
            }
        }
    }
    let (content_type, body) = form.finish();
    assert_eq!(content_type, format!("multipart/form-data; boundary={boundary}"));
    assert_eq!(decode(&body.to_vec(), &boundary), expected);

    // Every non-empty file is a borrowed segment pointing at the caller's bytes.
    let borrowed: Vec<*const u8> = body
        .segments
        .iter()
        .filter_map(|s| match s {
            Cow::Borrowed(b) => Some(b.as_ptr()),
            Cow::Owned(_) => None,
        })
        .collect();
    let files: Vec<*const u8> = input
        .fields
        .iter()
        .filter_map(|f| match f {
            Field::File { data, .. } if !data.is_empty() => Some(data.as_ptr()),
            _ => None,
        })
        .collect();
    assert_eq!(borrowed, files);
});
