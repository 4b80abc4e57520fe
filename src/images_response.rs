//! A successful Images API response (`ImagesResponse`) turned into a
//! [`Generation`].
//!
//! Images are described from their own bytes: the type and size come from
//! the image header, never from the response's `output_format` or `size`,
//! which describe the request and can disagree with what arrived (a gateway
//! re-encoding, or `auto`).
//!
//! A response carries up to ten images of several megabytes each as base64
//! strings, so `b64_json` is borrowed from the body whenever the JSON string
//! has no escapes (the API sends none) and decoded straight into the image's
//! own buffer: the body, the decoded images and nothing else.

use std::borrow::Cow;
use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::api_error;
use crate::error::{Error, Failure};
use crate::imaging;
use crate::types::{Generation, Image, Usage};

/// Standard alphabet, padding optional: the API pads, but a gateway that
/// re-encodes may not, and the missing `=` loses nothing.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Parses a 2xx `ImagesResponse` body. Every failure is
/// `malformed-response` without a status (the client adds it), with at most
/// a short excerpt of the body, never the body itself; an error envelope
/// sent with a 2xx status is mapped like a stream's error event.
pub fn parse(body: &[u8], model: &str) -> Result<Generation, Error> {
    let wire: Wire<'_> = match serde_json::from_slice(body) {
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
    let mut images = Vec::with_capacity(data.len());
    let mut revised_prompt = None;
    let count = data.len();
    for (i, item) in data.into_iter().enumerate() {
        let which = if count == 1 { "the image".to_string() } else { format!("image {} of {count}", i + 1) };
        let Some(item) = item else {
            return Err(malformed(format!("{which} in the response is null")));
        };
        let Some(b64) = item.b64_json else {
            return Err(malformed(if item.url.is_some() {
                format!(
                    "the service sent a URL for {which} instead of the image data; this backend asks for base64 \
                     (`b64_json`), so the service or gateway ignored the request's format"
                )
            } else {
                format!("{which} has no `b64_json` data")
            }));
        };
        images.push(decode_image(&b64.0).map_err(|why| malformed(format!("{which} {why}")))?);
        if revised_prompt.is_none() {
            revised_prompt = item.revised_prompt.filter(|p| !p.trim().is_empty());
        }
    }
    Ok(Generation { model: model.to_string(), images, revised_prompt, usage: wire.usage.as_ref().and_then(usage) })
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
    let Some(meta) = imaging::sniff(&data) else {
        let start: Vec<String> = data.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return Err(format!(
            "is not a PNG, JPEG, WebP or GIF image ({} bytes, starting {})",
            data.len(),
            if start.is_empty() { "with nothing".to_string() } else { start.join(" ") }
        ));
    };
    Ok(Image { data, mime_type: meta.kind.mime_type().to_string(), width: meta.width, height: meta.height })
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
    let details = object.get("input_tokens_details");
    let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
    Some(Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: total.unwrap_or(input.saturating_add(output)),
        input_text_tokens: count(details.and_then(|d| d.get("text_tokens"))),
        input_image_tokens: count(details.and_then(|d| d.get("image_tokens"))),
    })
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
        let g = parse(&response, "gpt-image-1").unwrap();
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
                input_image_tokens: Some(40)
            })
        );
    }

    #[test]
    fn dall_e_3_response_without_usage() {
        let webp = fixtures::webp(1792, 1024);
        let response =
            body(json!({"created": 1, "data": [{"b64_json": b64(&webp), "revised_prompt": "r", "url": null}]}));
        let g = parse(&response, "dall-e-3").unwrap();
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
        assert_eq!(parse(escaped.as_bytes(), "m").unwrap().images[0].data, png);
        let wrapped: String =
            encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n");
        assert_eq!(parse(&body(json!({"data": [{"b64_json": wrapped}]})), "m").unwrap().images[0].data, png);
        let unpadded = encoded.trim_end_matches('=');
        assert_eq!(parse(&body(json!({"data": [{"b64_json": unpadded}]})), "m").unwrap().images[0].data, png);
    }

    #[test]
    fn urls_instead_of_data_explain_we_ask_for_base64() {
        let m = failure_message(parse(&body(json!({"created": 1, "data": [{"url": "https://x/y.png"}]})), "dall-e-3"));
        assert!(m.contains("b64_json") && m.contains("URL"), "{m}");
        assert!(!m.contains("https://x/y.png"));
    }

    #[test]
    fn every_broken_shape_is_malformed_with_a_short_excerpt() {
        let big_garbage = format!("<html>{}</html>", "x".repeat(5_000_000));
        let m = failure_message(parse(big_garbage.as_bytes(), "m"));
        assert!(m.contains("not JSON"), "{m}");
        assert!(failure_message(parse(b"", "m")).contains("empty body"));
        assert!(failure_message(parse(br#"{"data":[{"b64_json":"iVBO"#, "m")).contains("cut short"));
        assert!(failure_message(parse(br#"{"created":1}"#, "m")).contains("no images"));
        assert!(failure_message(parse(br#"{"data":[]}"#, "m")).contains("empty"));
        assert!(failure_message(parse(br#"{"data":{}}"#, "m")).contains("not an image response"));
        assert!(failure_message(parse(br#"{"data":[null]}"#, "m")).contains("null"));
        assert!(failure_message(parse(br#"{"data":[{}]}"#, "m")).contains("no `b64_json`"));
        assert!(failure_message(parse(br#"{"data":[{"b64_json":"..."}]}"#, "m")).contains("not valid base64"));
        assert!(failure_message(parse(br#"{"data":[{"b64_json":42}]}"#, "m")).contains("not an image response"));
        let m = failure_message(parse(&body(json!({"data": [{"b64_json": b64(b"hello, world")}]})), "m"));
        assert!(m.contains("not a PNG") && m.contains("68 65 6c 6c"), "{m}");
        let two = body(json!({"data": [{"b64_json": b64(&fixtures::png(8, 8))}, {"b64_json": b64(b"nope")}]}));
        assert!(failure_message(parse(&two, "m")).starts_with("image 2 of 2"));
        assert!(failure_message(parse(&body(json!([1, 2])), "m")).contains("not an image response"));
    }

    #[test]
    fn an_error_envelope_with_a_2xx_status_is_mapped() {
        let e = parse(br#"{"error":{"message":"Your request was rejected as a result of our safety system.","code":"content_policy_violation","type":"invalid_request_error","param":null}}"#, "dall-e-3")
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

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse(&bytes, "m");
        }

        #[test]
        fn never_panics_on_arbitrary_base64_payloads(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&body(json!({"data": [{"b64_json": b64(&payload)}]})), "m");
        }
    }
}
