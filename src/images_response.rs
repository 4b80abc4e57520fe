//! A successful Images API response (`ImagesResponse`) turned into a
//! [`Generation`].
//!
//! Images are described from their own bytes: the type and size come from
//! the image header, never from the response's `output_format` or `size`,
//! which describe the request and can disagree with what arrived (a gateway
//! re-encoding, or `auto`).
//!
//! A response carries up to ten images of several megabytes each as base64
//! strings, and the component's linear memory only ever grows, so its peak
//! is what a generation costs for the rest of the instance's life. Each
//! `b64_json` string is therefore decoded in place, inside the body's own
//! buffer: base64 is longer than what it encodes, so the decoded bytes always
//! land behind the ones still to be read. The first image is decoded to the
//! front of the body and the body's allocation becomes that image's data;
//! further images are copied out at their exact size. The most held at once
//! is the body, then the image in the same buffer, nothing else (about 1.4
//! times the image, where decoding into a buffer of its own would need 2.4).
//!
//! Only strings without escapes are decoded in place: serde_json lends
//! those straight from the body, and the API sends no others. A string with
//! escapes (a gateway's `\/` or wrapped lines) is unescaped into a copy and
//! decoded from there. Invalid base64 fails in place in one pass, with the same
//! message (its offset counts base64 characters, spaces left out): a second,
//! checking pass would cost every good response a full decode.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use base64::{DecodeError, DecodeSliceError};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::api_error;
use crate::bindings::{Error, Failure, Generation, HelperUsage, Image, Usage};
use crate::imaging::{self, ImageMeta};

/// Standard alphabet, padding optional: the API pads, but a gateway that
/// re-encodes may not, and the missing `=` loses nothing.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Base64 characters decoded per step of the in-place decode (a multiple of
/// four, so every step but the last decodes whole quads without padding).
const CHUNK: usize = 4096;

/// Parses a 2xx `ImagesResponse` body. Every failure is
/// `malformed-response` without a status (the client adds it), with at most
/// a short excerpt of the body, never the body itself; an error envelope
/// sent with a 2xx status is mapped like a stream's error event.
///
/// The body is taken by value because the images are decoded into it (see
/// the module documentation).
pub fn parse(mut body: Vec<u8>, model: &str) -> Result<Generation, Error> {
    let plan = plan(&body, model)?;
    let count = plan.items.len();
    let mut images = Vec::with_capacity(count);
    let mut revised_prompt = None;
    // The length of the first image when it sits at the front of `body`.
    let mut first_in_body = None;
    for (i, item) in plan.items.into_iter().enumerate() {
        let which = which(i, count);
        let (source, prompt) = match item {
            PlanItem::Null => return Err(null_image(&which)),
            PlanItem::Missing { url } => return Err(missing_image(&which, url)),
            PlanItem::Base64 { range, revised_prompt } => (Ok(range), revised_prompt),
            PlanItem::Unescaped { text, revised_prompt } => (Err(text), revised_prompt),
        };
        if revised_prompt.is_none() {
            revised_prompt = prompt.filter(|p| !p.trim().is_empty());
        }
        let range = match source {
            Ok(range) => range,
            Err(text) => {
                images.push(decode_image(&text).map_err(|why| malformed(format!("{which} {why}")))?);
                continue;
            }
        };
        let to = if i == 0 { 0 } else { range.start };
        let len = decode_in_place(&mut body, range, to)
            .map_err(|e| malformed(format!("{which} is not valid base64 ({e})")))?;
        let data = &body[to..to + len];
        let meta = describe(data).map_err(|why| malformed(format!("{which} {why}")))?;
        if i == 0 {
            first_in_body = Some(len);
            images.push(image(Vec::new(), meta));
        } else {
            images.push(image(data.to_vec(), meta));
        }
    }
    if let Some(len) = first_in_body {
        body.truncate(len);
        images[0].data = body;
    }
    Ok(Generation {
        model: model.to_string(),
        images,
        revised_prompt,
        usage: plan.usage.main,
        svg_usage: plan.usage.svg,
        cost: None,
    })
}

/// The token accounting an answer carries: the image model's `usage`, and
/// the `svg_usage` of the model that wrote an SVG.
#[derive(Default)]
pub(crate) struct Usages {
    pub main: Option<Usage>,
    pub svg: Option<HelperUsage>,
}

impl Usages {
    fn read(usage: Option<&Value>, svg_usage: Option<&Value>) -> Self {
        Usages { main: usage.and_then(self::usage), svg: svg_usage.and_then(helper_usage) }
    }
}

/// The `ImagesResponse` structure of a body, borrowing from it: the images
/// (at least one) and the usage, or the error that says what the body is
/// instead.
fn read_wire<'a>(body: &'a [u8], model: &str) -> Result<(Vec<Option<WireImage<'a>>>, Usages), Error> {
    let wire: Wire<'a> = match serde_json::from_slice(body) {
        Ok(wire) => wire,
        Err(e) if e.is_data() => {
            let why = api_error::clip(&e.to_string(), 120);
            return Err(malformed(format!("the response is not an image response ({why}): {}", quoted(body))));
        }
        Err(e) if e.is_eof() => {
            return Err(malformed(format!("the response ends before its JSON does (cut short?): {}", quoted(body))))
        }
        Err(_) => return Err(malformed(format!("the response is not JSON: {}", quoted(body)))),
    };
    let data = match wire.data {
        Some(data) => data,
        None => {
            if let Some(error) = wire.error.filter(|e| !e.is_null()) {
                return Err(api_error::from_stream_error(&serde_json::json!({ "error": error }), model, None));
            }
            return Err(malformed(format!("the response has no images (no `data`): {}", quoted(body))));
        }
    };
    if data.is_empty() {
        return Err(malformed(format!("the response has no images (`data` is empty): {}", quoted(body))));
    }
    Ok((data, Usages::read(wire.usage.as_ref(), wire.svg_usage.as_ref())))
}

/// "the image", or "image 2 of 3".
fn which(i: usize, count: usize) -> String {
    if count == 1 {
        "the image".to_string()
    } else {
        format!("image {} of {count}", i + 1)
    }
}

fn null_image(which: &str) -> Error {
    malformed(format!("{which} in the response is null"))
}

fn missing_image(which: &str, has_url: bool) -> Error {
    malformed(if has_url {
        format!(
            "the service sent a URL for {which} instead of the image data; this backend asks for base64 \
             (`b64_json`), so the service or gateway ignored the request's format"
        )
    } else {
        format!("{which} has no `b64_json` data")
    })
}

/// What [`parse`] needs from a body, owning nothing of it, so the body can
/// then be written to.
struct Plan {
    items: Vec<PlanItem>,
    usage: Usages,
}

enum PlanItem {
    Null,
    Missing {
        url: bool,
    },
    /// `range` is the inside of the `b64_json` string (without its quotes).
    Base64 {
        range: Range<usize>,
        revised_prompt: Option<String>,
    },
    /// A string with escapes (a gateway's), already copied out unescaped.
    Unescaped {
        text: String,
        revised_prompt: Option<String>,
    },
}

/// Reads the body's structure, with each `b64_json` as the byte range of its
/// string when the string has no escapes (serde_json lends those from the
/// body; the API sends no others), or unescaped into a `String` of its own.
fn plan(body: &[u8], model: &str) -> Result<Plan, Error> {
    let (data, usage) = read_wire(body, model)?;
    let base = body.as_ptr() as usize;
    let items = data
        .into_iter()
        .map(|item| match item {
            None => PlanItem::Null,
            Some(WireImage { b64_json: None, url, .. }) => PlanItem::Missing { url: url.is_some() },
            Some(WireImage { b64_json: Some(Base64Str(Cow::Borrowed(text))), revised_prompt, .. }) => {
                // Borrowed from `body`: its offset is where it starts.
                let start = text.as_ptr() as usize - base;
                PlanItem::Base64 { range: start..start + text.len(), revised_prompt }
            }
            Some(WireImage { b64_json: Some(Base64Str(Cow::Owned(text))), revised_prompt, .. }) => {
                PlanItem::Unescaped { text, revised_prompt }
            }
        })
        .collect();
    Ok(Plan { items, usage })
}

/// Decodes the base64 inside a JSON string without escapes at `buf[range]`
/// (spaces are skipped) to `buf[to..]`, for `to <= range.start`,
/// and returns the decoded length. `CHUNK` characters at a time are copied
/// into a stack buffer, decoded into another and copied behind the read
/// cursor, which they never reach: four characters make at most three bytes.
/// On an error `buf` is partly overwritten (the caller drops it) and the
/// error's offset counts base64 characters from the start of the string, as
/// decoding the string whole would.
fn decode_in_place(buf: &mut [u8], range: Range<usize>, to: usize) -> Result<usize, DecodeError> {
    debug_assert!(to <= range.start && range.end <= buf.len());
    let mut chunk = [0u8; CHUNK];
    let mut decoded = [0u8; CHUNK / 4 * 3];
    let mut chars = Base64Chars { at: range.start, end: range.end };
    // The API sends plain base64, so chunks are first taken as they are; the
    // first one that does not decode (spaces from a gateway, or a real
    // error) is read again character by character, and so is the rest.
    // Nothing is written until a chunk has decoded, so a retry reads intact
    // input.
    let mut plain = true;
    let (mut written, mut read) = (0, 0);
    loop {
        let start = chars.at;
        let len = if plain { chars.copy(buf, &mut chunk) } else { chars.fill(buf, &mut chunk) };
        let last = chars.clone().next(buf).is_none();
        // Padding only at the very end, as when decoding the string whole.
        // The decoder refuses `=` before a chunk's last quad itself.
        let padding = if last { None } else { chunk[CHUNK - 4..].iter().position(|&c| c == b'=') };
        let result = match padding {
            Some(at) => Err(DecodeError::InvalidByte(read + CHUNK - 4 + at, b'=')),
            None => BASE64.decode_slice(&chunk[..len], &mut decoded).map_err(|e| shifted(e, read)),
        };
        match result {
            Ok(n) => {
                buf[to + written..to + written + n].copy_from_slice(&decoded[..n]);
                written += n;
            }
            Err(_) if plain => {
                plain = false;
                chars.at = start;
                continue;
            }
            Err(e) => return Err(e),
        }
        read += len;
        if last {
            return Ok(written);
        }
    }
}

/// A chunk's decode error with its offset counted from the string's start.
fn shifted(error: DecodeSliceError, by: usize) -> DecodeError {
    match error {
        DecodeSliceError::DecodeError(DecodeError::InvalidByte(at, b)) => DecodeError::InvalidByte(by + at, b),
        DecodeSliceError::DecodeError(DecodeError::InvalidLastSymbol(at, b)) => {
            DecodeError::InvalidLastSymbol(by + at, b)
        }
        DecodeSliceError::DecodeError(DecodeError::InvalidLength(len)) => DecodeError::InvalidLength(by + len),
        DecodeSliceError::DecodeError(e) => e,
        // The output always has room (see `decode_in_place`); say so plainly if not.
        DecodeSliceError::OutputSliceTooSmall => DecodeError::InvalidLength(by),
    }
}

/// The base64 characters of a JSON string's inside, spaces dropped (JSON
/// allows no other raw whitespace in a string).
#[derive(Clone)]
struct Base64Chars {
    at: usize,
    end: usize,
}

impl Base64Chars {
    /// Copies the next bytes as they are; returns how many (fewer at the end).
    fn copy(&mut self, buf: &[u8], chunk: &mut [u8]) -> usize {
        let len = chunk.len().min(self.end - self.at);
        chunk[..len].copy_from_slice(&buf[self.at..self.at + len]);
        self.at += len;
        len
    }

    /// Fills `chunk` with the next characters; returns how many (fewer at the end).
    fn fill(&mut self, buf: &[u8], chunk: &mut [u8]) -> usize {
        let mut len = 0;
        while len < chunk.len() {
            let Some(c) = self.next(buf) else { break };
            chunk[len] = c;
            len += 1;
        }
        len
    }

    fn next(&mut self, buf: &[u8]) -> Option<u8> {
        while self.at < self.end {
            let b = buf[self.at];
            self.at += 1;
            if b != b' ' {
                return Some(b);
            }
        }
        None
    }
}

/// Decodes one base64 image and describes it from its header. The error
/// completes a sentence about the image ("is not valid base64 ...").
pub(crate) fn decode_image(b64: &str) -> Result<Image, String> {
    let data = match BASE64.decode(b64) {
        Ok(data) => data,
        // Line-wrapped base64 (MIME style) from a re-encoding gateway: the
        // API sends none, so only this rare path pays for a cleaned copy.
        Err(first) if b64.bytes().any(|b| b.is_ascii_whitespace()) => {
            let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            BASE64.decode(compact).map_err(|_| format!("is not valid base64 ({first})"))?
        }
        Err(e) => return Err(format!("is not valid base64 ({e})")),
    };
    let meta = describe(&data)?;
    Ok(image(data, meta))
}

/// The image's header, or an error completing a sentence about the image.
fn describe(data: &[u8]) -> Result<ImageMeta, String> {
    imaging::sniff_any(data).ok_or_else(|| {
        let start: Vec<String> = data.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!(
            "is not a PNG, JPEG, WebP, GIF or SVG image ({} bytes, starting {})",
            data.len(),
            if start.is_empty() { "with nothing".to_string() } else { start.join(" ") }
        )
    })
}

fn image(data: Vec<u8>, meta: ImageMeta) -> Image {
    Image { data, mime_type: meta.kind.mime_type().to_string(), width: meta.width, height: meta.height }
}
/// `ImageGenUsage` / `ImagesUsage`, read leniently: usage is bookkeeping, and
/// a field of an unexpected type must not cost the user a paid image.
pub(crate) fn usage(value: &Value) -> Option<Usage> {
    let object = value.as_object()?;
    let count = |v: Option<&Value>| v.and_then(Value::as_u64);
    let input = count(object.get("input_tokens"));
    let output = count(object.get("output_tokens"));
    let total = count(object.get("total_tokens"));
    if input.is_none() && output.is_none() && total.is_none() {
        return None;
    }
    let detail = |group: &str, key: &str| count(object.get(group).and_then(|d| d.get(key)));
    let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
    Some(Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: total.unwrap_or(input.saturating_add(output)),
        input_text_tokens: detail("input_tokens_details", "text_tokens"),
        input_image_tokens: detail("input_tokens_details", "image_tokens"),
        input_cached_tokens: detail("input_tokens_details", "cached_tokens"),
        output_text_tokens: detail("output_tokens_details", "text_tokens"),
        output_image_tokens: detail("output_tokens_details", "image_tokens"),
    })
}

/// `svg_usage`: the tokens of the model that wrote an SVG, shaped like
/// `usage`, with the model's id when the service names it. Read leniently too.
pub(crate) fn helper_usage(value: &Value) -> Option<HelperUsage> {
    let model = value.get("model").and_then(Value::as_str).map(str::to_string);
    Some(HelperUsage { model, usage: usage(value)? })
}

pub(crate) fn malformed(message: String) -> Error {
    Error::MalformedResponse(Failure::new(message))
}

/// The excerpt in quotes, or "an empty body".
pub(crate) fn quoted(body: &[u8]) -> String {
    match api_error::excerpt(body) {
        e if e.is_empty() => "an empty body".to_string(),
        e => format!("\"{e}\""),
    }
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(default, borrow)]
    data: Option<Vec<Option<WireImage<'a>>>>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(default)]
    svg_usage: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct WireImage<'a> {
    #[serde(default, borrow)]
    b64_json: Option<Base64Str<'a>>,
    #[serde(default)]
    url: Option<IgnoredAny>,
    #[serde(default)]
    revised_prompt: Option<String>,
}

/// A JSON string borrowed from the body when it has no escapes, copied
/// otherwise. (serde borrows a bare `Cow<str>` field but not one inside an
/// `Option`, hence the visitor.)
pub(crate) struct Base64Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Base64Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Base64Str<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Base64Str(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Base64Str(Cow::Owned(v.to_string())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Base64Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::edit::fixtures;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use serde_json::json;

    /// The copying decoder `parse` replaced, kept as its reference: each
    /// image decoded into a buffer of its own from the unescaped string.
    fn parse_copied(body: &[u8], model: &str) -> Result<Generation, Error> {
        let (data, usage) = read_wire(body, model)?;
        let mut images = Vec::with_capacity(data.len());
        let mut revised_prompt = None;
        let count = data.len();
        for (i, item) in data.into_iter().enumerate() {
            let which = which(i, count);
            let Some(item) = item else {
                return Err(null_image(&which));
            };
            let Some(b64) = item.b64_json else {
                return Err(missing_image(&which, item.url.is_some()));
            };
            images.push(decode_image(&b64.0).map_err(|why| malformed(format!("{which} {why}")))?);
            if revised_prompt.is_none() {
                revised_prompt = item.revised_prompt.filter(|p| !p.trim().is_empty());
            }
        }
        Ok(Generation {
            model: model.to_string(),
            images,
            revised_prompt,
            usage: usage.main,
            svg_usage: usage.svg,
            cost: None,
        })
    }

    pub(crate) fn b64(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    fn body(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap()
    }

    fn failure_message(result: Result<Generation, Error>) -> String {
        match result {
            Err(Error::MalformedResponse(f)) => {
                assert_eq!(f.status, None, "the client sets the status");
                assert!(f.message.chars().count() < 600, "{}", f.message);
                f.message
            }
            other => panic!("expected malformed-response, got {other:?}"),
        }
    }

    #[test]
    fn parses_images_usage_and_revised_prompt() {
        let png = fixtures::png(1536, 1024);
        let jpeg = fixtures::jpeg(1024, 1536);
        let response = body(json!({
            "created": 1713833628,
            "data": [
                {"b64_json": b64(&png)},
                {"b64_json": b64(&jpeg), "revised_prompt": "A watercolour otter"},
            ],
            "background": "opaque",
            // Deliberately wrong: the bytes decide.
            "output_format": "webp",
            "size": "1024x1024",
            "quality": "high",
            "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50,
                      "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}}
        }));
        let g = parse(response, "gpt-image-1").unwrap();
        assert_eq!(g.model, "gpt-image-1");
        assert_eq!(g.images.len(), 2);
        assert_eq!(g.images[0].data, png);
        assert_eq!((g.images[0].mime_type.as_str(), g.images[0].width, g.images[0].height), ("image/png", 1536, 1024));
        assert_eq!((g.images[1].mime_type.as_str(), g.images[1].width, g.images[1].height), ("image/jpeg", 1024, 1536));
        assert_eq!(g.revised_prompt.as_deref(), Some("A watercolour otter"));
        assert_eq!(
            g.usage,
            Some(Usage {
                input_tokens: 50,
                output_tokens: 50,
                total_tokens: 100,
                input_text_tokens: Some(10),
                input_image_tokens: Some(40),
                input_cached_tokens: None,
                output_text_tokens: None,
                output_image_tokens: None,
            })
        );
    }

    #[test]
    fn dall_e_3_response_without_usage() {
        let webp = fixtures::webp(1792, 1024);
        let response =
            body(json!({"created": 1, "data": [{"b64_json": b64(&webp), "revised_prompt": "r", "url": null}]}));
        let g = parse(response, "dall-e-3").unwrap();
        assert_eq!(g.usage, None);
        assert_eq!(g.revised_prompt.as_deref(), Some("r"));
        assert_eq!((g.images[0].mime_type.as_str(), g.images[0].width), ("image/webp", 1792));
    }

    #[test]
    fn escaped_and_wrapped_and_unpadded_base64_still_decode() {
        let png = fixtures::png(64, 64);
        let encoded = b64(&png);
        // `\/` is a legal JSON escape some encoders use for `/`.
        let escaped = format!(r#"{{"data":[{{"b64_json":"{}"}}]}}"#, encoded.replace('/', "\\/"));
        assert_eq!(parse(escaped.into_bytes(), "m").unwrap().images[0].data, png);
        let wrapped: String =
            encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n");
        assert_eq!(parse(body(json!({"data": [{"b64_json": wrapped}]})), "m").unwrap().images[0].data, png);
        let unpadded = encoded.trim_end_matches('=');
        assert_eq!(parse(body(json!({"data": [{"b64_json": unpadded}]})), "m").unwrap().images[0].data, png);
    }

    #[test]
    fn urls_instead_of_data_explain_we_ask_for_base64() {
        let m = failure_message(parse(body(json!({"created": 1, "data": [{"url": "https://x/y.png"}]})), "dall-e-3"));
        assert!(m.contains("b64_json") && m.contains("URL"), "{m}");
        assert!(!m.contains("https://x/y.png"));
    }

    #[test]
    fn every_broken_shape_is_malformed_with_a_short_excerpt() {
        let big_garbage = format!("<html>{}</html>", "x".repeat(5_000_000));
        let m = failure_message(parse(big_garbage.into_bytes(), "m"));
        assert!(m.contains("not JSON"), "{m}");
        assert!(failure_message(parse(b"".to_vec(), "m")).contains("empty body"));
        assert!(failure_message(parse(br#"{"data":[{"b64_json":"iVBO"#.to_vec(), "m")).contains("cut short"));
        assert!(failure_message(parse(br#"{"created":1}"#.to_vec(), "m")).contains("no images"));
        assert!(failure_message(parse(br#"{"data":[]}"#.to_vec(), "m")).contains("empty"));
        assert!(failure_message(parse(br#"{"data":{}}"#.to_vec(), "m")).contains("not an image response"));
        assert!(failure_message(parse(br#"{"data":[null]}"#.to_vec(), "m")).contains("null"));
        assert!(failure_message(parse(br#"{"data":[{}]}"#.to_vec(), "m")).contains("no `b64_json`"));
        assert!(failure_message(parse(br#"{"data":[{"b64_json":"..."}]}"#.to_vec(), "m")).contains("not valid base64"));
        assert!(
            failure_message(parse(br#"{"data":[{"b64_json":42}]}"#.to_vec(), "m")).contains("not an image response")
        );
        let m = failure_message(parse(body(json!({"data": [{"b64_json": b64(b"hello, world")}]})), "m"));
        assert!(m.contains("not a PNG") && m.contains("68 65 6c 6c"), "{m}");
        let two = body(json!({"data": [{"b64_json": b64(&fixtures::png(8, 8))}, {"b64_json": b64(b"nope")}]}));
        assert!(failure_message(parse(two, "m")).starts_with("image 2 of 2"));
        assert!(failure_message(parse(body(json!([1, 2])), "m")).contains("not an image response"));
    }

    #[test]
    fn an_error_envelope_with_a_2xx_status_is_mapped() {
        let e = parse(br#"{"error":{"message":"Your request was rejected as a result of our safety system.","code":"content_policy_violation","type":"invalid_request_error","param":null}}"#.to_vec(), "dall-e-3")
            .unwrap_err();
        assert_eq!(e.kind(), "content-policy");
    }

    #[test]
    fn usage_is_read_leniently() {
        assert_eq!(usage(&json!({"input_tokens": "many"})), None);
        assert_eq!(usage(&json!(null)), None);
        let u = usage(&json!({"input_tokens": 3, "output_tokens": 4})).unwrap();
        assert_eq!((u.total_tokens, u.input_text_tokens), (7, None));
    }

    /// A JSON string's inside for `bytes` in base64, as a re-encoding
    /// gateway might send it: `/` escaped, MIME-wrapped with escaped line
    /// breaks, padding dropped.
    fn gateway_base64(bytes: &[u8], escape_slash: bool, wrap: Option<(usize, &str)>, unpadded: bool) -> String {
        let mut encoded = b64(bytes);
        if unpadded {
            encoded = encoded.trim_end_matches('=').to_string();
        }
        if let Some((width, eol)) = wrap {
            let lines: Vec<&str> = encoded.as_bytes().chunks(width).map(|c| std::str::from_utf8(c).unwrap()).collect();
            encoded = lines.join(eol);
        }
        if escape_slash {
            encoded = encoded.replace('/', "\\/");
        }
        encoded
    }

    fn response_with(insides: &[String]) -> Vec<u8> {
        let items: Vec<String> =
            insides.iter().map(|s| format!(r#"{{"b64_json":"{s}","revised_prompt":"p"}}"#)).collect();
        format!(r#"{{"created":1,"data":[{}],"usage":{{"input_tokens":1,"output_tokens":2}}}}"#, items.join(","))
            .into_bytes()
    }

    /// A PNG header (enough for `sniff`) followed by `tail`.
    fn png_with_tail(tail: &[u8]) -> Vec<u8> {
        let mut png = fixtures::png(3, 2);
        png.extend_from_slice(tail);
        png
    }

    #[test]
    fn the_first_image_is_the_body_buffer() {
        let png = png_with_tail(&[7; 100_000]);
        // As the API sends it, and spaced out (a gateway), which also stays in place.
        for wrap in [None, Some((76, " "))] {
            let response = response_with(&[gateway_base64(&png, false, wrap, false)]);
            let (ptr, capacity) = (response.as_ptr(), response.capacity());
            let g = parse(response, "m").unwrap();
            assert_eq!(g.images[0].data, png);
            assert_eq!((g.images[0].data.as_ptr(), g.images[0].data.capacity()), (ptr, capacity));
            assert_eq!((g.images[0].width, g.images[0].height), (3, 2));
        }
    }

    #[test]
    fn several_images_decode_in_place_like_the_copying_path() {
        let images = [png_with_tail(&[1; 5000]), fixtures::jpeg(20, 10), png_with_tail(b"x"), fixtures::webp(9, 9)];
        let insides: Vec<String> = images
            .iter()
            .enumerate()
            .map(|(i, img)| gateway_base64(img, i % 2 == 0, (i == 1).then_some((64, "\\n")), i == 2))
            .collect();
        let response = response_with(&insides);
        let g = parse(response.clone(), "m").unwrap();
        assert_eq!(g, parse_copied(&response, "m").unwrap());
        let data: Vec<&Vec<u8>> = g.images.iter().map(|i| &i.data).collect();
        assert_eq!(data, images.iter().collect::<Vec<_>>());
        assert_eq!(g.revised_prompt.as_deref(), Some("p"));
        assert_eq!(g.usage.map(|u| u.total_tokens), Some(3));
        // Only the first image keeps the body's (larger) buffer.
        assert!(g.images[1..].iter().all(|i| i.data.capacity() == i.data.len()));
    }

    /// The same failure: the same message, except that a base64 error's
    /// offset may count characters differently when the string has
    /// whitespace or escapes (in place counts base64 characters only).
    fn assert_same_failure(fast: &str, copied: &str) {
        let before_offset = |m: &str| m.split(" (").next().unwrap_or(m).to_string();
        if fast != copied {
            assert!(copied.contains("is not valid base64 ("), "in place: {fast}; copying: {copied}");
            assert_eq!(before_offset(fast), before_offset(copied));
        }
    }

    #[test]
    fn invalid_base64_fails_like_the_copying_path_does() {
        let png = b64(&fixtures::png(8, 8));
        let long = "A".repeat(CHUNK - 4);
        let cases = [
            "...".to_string(),
            "A".to_string(),
            "AAAAA".to_string(),
            "AB==".to_string(),
            "AA=A".to_string(),
            "AA==AAAA".to_string(),
            format!("{long}AA==AAAA"),
            format!("{long}AA==\\n AAAA"),
            format!("{png}\\r\\n*"),
            format!("{png} x"),
            format!("{png}é"),
            format!("{}\\n\\/\\/\\/", &png[..png.len() - 4]),
            format!("{long}{long}AAAAA"),
        ];
        for inside in cases {
            for response in
                [response_with(std::slice::from_ref(&inside)), response_with(&[png.clone(), inside.clone()])]
            {
                let (fast, copied) =
                    (failure_message(parse(response.clone(), "m")), failure_message(parse_copied(&response, "m")));
                assert!(fast.contains("is not valid base64 ("), "{fast}");
                assert_same_failure(&fast, &copied);
            }
        }
    }

    #[test]
    fn other_escapes_and_odd_shapes_behave_as_the_copying_decoder() {
        let png = fixtures::png(8, 8);
        let encoded = b64(&png);
        // `\u0041` is an `A`: still an image, decoded from an unescaped copy.
        let unicode = format!(r#"{{"data":[{{"b64_json":"\u00{:x}{}"}}]}}"#, encoded.as_bytes()[0], &encoded[1..]);
        assert_eq!(parse(unicode.into_bytes(), "m").unwrap().images[0].data, png);
        for response in [
            r#"{"data":[{"b64_json":"\ud800AAAA"}]}"#,
            r#"{"data":[{"b64_json":"AA\\AA"}]}"#,
            r#"{"data":[{"b64_json":"AA\"AA"}]}"#,
            r#"{"data":[{"b64_json":"AAAA\b"}]}"#,
            r#"{"data":[{"b64_json":42}]}"#,
            r#"{"data":[{"b64_json":["AAAA"]}]}"#,
            r#"{"data":[{"b64_json":"AAAA"}],"error":1,"error":2}"#,
            r#"{"data":[{"b64_json":"AAAA","b64_json":"AAAA"}]}"#,
            r#"{"data":[{"b64_json":"AAAA"}, null]}"#,
            r#"{"data":[null, {"b64_json":"AAAA"}]}"#,
            r#"{"data":[{"b64_json":"AAAA"}, {"url":"u"}]}"#,
            r#"{"data":[{"b64_json":"AAAA"}]"#,
        ] {
            let (fast, copied) = (parse(response.as_bytes().to_vec(), "m"), parse_copied(response.as_bytes(), "m"));
            assert_eq!(fast, copied, "{response}");
            assert!(fast.is_err(), "{response}");
        }
    }

    proptest! {
        #[test]
        fn in_place_decode_equals_base64_decode(
            payload in proptest::collection::vec(any::<u8>(), 0..10_000),
            wrap in proptest::option::of((1usize..200, prop_oneof![Just(" "), Just("  ")])),
            unpadded: bool,
            to_front: bool,
        ) {
            // Only strings without escapes are decoded in place (see `plan`).
            let inside = gateway_base64(&payload, false, wrap, unpadded);
            let mut body = format!(r#"{{"data":[{{"b64_json":"{inside}"}}]}}"#).into_bytes();
            let start = body.len() - inside.len() - 4;
            prop_assert_eq!(&body[start - 1..start], b"\"");
            let to = if to_front { 0 } else { start };
            let len = decode_in_place(&mut body, start..start + inside.len(), to).unwrap();
            prop_assert_eq!(&body[to..to + len], &STANDARD.decode(b64(&payload)).unwrap()[..]);
        }

        #[test]
        fn parse_in_place_equals_the_copying_path(
            tails in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..7000), 1..4),
            escape_slash: bool,
            wrap in proptest::option::of(1usize..100),
            unpadded: bool,
        ) {
            let images: Vec<Vec<u8>> = tails.iter().map(|t| png_with_tail(t)).collect();
            let insides: Vec<String> =
                images.iter().map(|i| gateway_base64(i, escape_slash, wrap.map(|w| (w, "\\r\\n")), unpadded)).collect();
            let response = response_with(&insides);
            let g = parse(response.clone(), "m").unwrap();
            prop_assert_eq!(&g, &parse_copied(&response, "m").unwrap());
            let data: Vec<Vec<u8>> = g.images.into_iter().map(|i| i.data).collect();
            prop_assert_eq!(data, images);
        }

        #[test]
        fn never_panics_and_agrees_on_arbitrary_insides(inside in "[A-Za-z0-9+/= \\\\nrtfu\"é]{0,64}") {
            let response = format!(r#"{{"data":[{{"b64_json":"{inside}"}}]}}"#).into_bytes();
            match (parse(response.clone(), "m"), parse_copied(&response, "m")) {
                (Ok(fast), Ok(copied)) => prop_assert_eq!(fast, copied),
                (Err(fast), Err(copied)) => assert_same_failure(fast.message(), copied.message()),
                (fast, copied) => prop_assert!(false, "in place {:?}, copying {:?}", fast, copied),
            }
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse(bytes, "m");
        }

        #[test]
        fn never_panics_on_arbitrary_base64_payloads(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(body(json!({"data": [{"b64_json": b64(&payload)}]})), "m");
        }
    }

    #[test]
    fn an_svg_answer_is_an_image_with_its_authors_usage() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1536" height="1024"><rect/></svg>"#;
        let body = serde_json::to_vec(&json!({
            "created": 1,
            "data": [{"b64_json": b64(svg)}],
            "output_format": "svg",
            "usage": {"input_tokens": 20, "output_tokens": 4000, "total_tokens": 4020,
                      "input_tokens_details": {"text_tokens": 20, "image_tokens": 0, "cached_tokens": 0},
                      "output_tokens_details": {"image_tokens": 4000, "text_tokens": 0}},
            "svg_usage": {"model": "gpt-6-luna", "input_tokens": 1200, "output_tokens": 3000, "total_tokens": 4200}
        }))
        .unwrap();
        let g = parse(body, "gpt-image-2.6-sunburst").unwrap();
        let image = &g.images[0];
        assert_eq!((image.mime_type.as_str(), image.width, image.height), ("image/svg+xml", 1536, 1024));
        assert_eq!(image.data, svg);
        let usage = g.usage.unwrap();
        assert_eq!(
            (usage.output_image_tokens, usage.output_text_tokens, usage.input_cached_tokens),
            (Some(4000), Some(0), Some(0))
        );
        let author = g.svg_usage.unwrap();
        assert_eq!((author.model.as_deref(), author.usage.output_tokens), (Some("gpt-6-luna"), 3000));
    }
}
