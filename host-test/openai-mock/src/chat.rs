//! `POST /chat/completions` with an image: checks the message shape and the
//! data-URL image the way the real API does, and answers with a
//! ChatCompletion whose text proves the image arrived intact (its real
//! format, size and a hash prefix) and repeats the question.
//!
//! A question containing `[[refuse]]` gets a refusal (`content: null`,
//! `refusal` set), so clients can test that path.
//!
//! Reasoning models (`gpt-5*`, `gpt-6-luna`, `gpt-5.6-luna`, `gpt-6.1-sol`,
//! `gpt-6.1-terra` (LIFECYCLE.md, "Current small vision model"), o-series) take
//! `reasoning_effort` and spend reasoning tokens before they answer; those
//! count against `max_completion_tokens`, so a small limit ends with
//! `finish_reason: "length"` and empty content, as LIFECYCLE.md describes for
//! `gpt-6-luna`. Other chat models refuse `reasoning_effort`. Which model
//! reasons, and at what cost, is [`crate::reasoning`]'s.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::digest::hex;
use super::errors::{self, json_kind, ApiError};
use super::gate::{Endpoint, Gate};
use super::reasoning::{self, Rules, DEFAULT_EFFORT};
use super::sniff::{self, ImageInfo};
use super::tokens;

/// What the handler needs from a chat body, valid or not.
pub(crate) struct Parsed {
    pub model: Option<String>,
    pub stream: bool,
    pub answer: Result<Value, ApiError>,
}

pub(crate) const REFUSE_MARKER: &str = "[[refuse]]";
const REFUSAL: &str = "I'm sorry, but I can't help with that request.";
const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

const KNOWN_ARGUMENTS: &[&str] = &[
    "model",
    "messages",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "n",
    "stream",
    "stream_options",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "user",
    "seed",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "service_tier",
    "store",
    "metadata",
    "reasoning_effort",
    "modalities",
    "prediction",
    "audio",
    "verbosity",
    "web_search_options",
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
];
const ROLES: &[&str] = &["system", "assistant", "user", "function", "tool", "developer"];
const PART_TYPES: &[&str] = &["text", "image_url", "input_audio", "refusal", "audio", "file"];

/// One image the request carried.
struct SeenImage {
    info: ImageInfo,
    sha256: [u8; 32],
    detail: String,
}

pub(crate) fn parse(body: &[u8], gate: &Gate, created: u64, id: &str) -> Parsed {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Parsed { model: None, stream: false, answer: Err(errors::invalid_json()) },
    };
    let body_model = value.get("model").and_then(Value::as_str).map(str::to_string);
    let model = gate.forced().map(str::to_string).or(body_model);
    let stream = value.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let answer = answer(&value, model.as_deref(), gate, created, id);
    Parsed { model, stream, answer }
}

fn answer(value: &Value, model: Option<&str>, gate: &Gate, created: u64, id: &str) -> Result<Value, ApiError> {
    let Value::Object(request) = value else {
        return Err(errors::invalid_type("body", "an object", json_kind(value)));
    };
    if let Some(unknown) = request.keys().find(|k| !KNOWN_ARGUMENTS.contains(&k.as_str())) {
        return Err(errors::unrecognized_argument(unknown));
    }
    let missing = || ApiError::invalid(StatusCode::BAD_REQUEST, "you must provide a model parameter", None, None);
    let model = match request.get("model") {
        Some(v) if !v.is_string() && !v.is_null() => {
            return Err(errors::invalid_type("model", "a string", json_kind(v)))
        }
        // Azure serves the deployment's model whatever the body names.
        _ if gate.forced().is_some() => model.unwrap_or_default().to_string(),
        Some(Value::String(m)) if !m.is_empty() => m.clone(),
        _ => return Err(missing()),
    };
    gate.admit(&model, Endpoint::Chat)?;
    let rules = Rules::of(&model);
    if request.get("stream").and_then(Value::as_bool) == Some(true) {
        return Err(errors::not_in_mock(Some("stream"), "Streaming chat completions are not supported by this mock."));
    }
    let effort = reasoning::effort(request, rules)?;
    // The spec: `max_tokens` "is not compatible with o-series models", nor with any reasoning model.
    if rules != Rules::Plain && request.get("max_tokens").is_some_and(|v| !v.is_null()) {
        return Err(errors::unsupported_parameter("max_tokens", Some("Use 'max_completion_tokens' instead.")));
    }
    let limit = token_limit(request)?;
    let n = match request.get("n") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_i64() {
            Some(n) if (1..=128).contains(&n) => n as usize,
            Some(n) => return Err(errors::integer_out_of_range("n", n, 1, 128)),
            None => return Err(errors::invalid_type("n", "an integer", json_kind(v))),
        },
    };

    let messages = match request.get("messages") {
        None => return Err(errors::missing_required("messages")),
        Some(Value::Array(m)) if m.is_empty() => return Err(ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            Some("messages"),
            Some("empty_array"),
        )),
        Some(Value::Array(m)) => m,
        Some(v) => return Err(errors::invalid_type("messages", "an array", json_kind(v))),
    };
    let mut images = Vec::new();
    let mut prompt_text = String::new();
    let mut question = String::new();
    for (i, message) in messages.iter().enumerate() {
        let texts = check_message(i, message, &mut images)?;
        prompt_text.push_str(&texts.join("\n"));
        if message.get("role").and_then(Value::as_str) == Some("user") {
            question = texts.join("\n");
        }
    }

    let prompt_tokens = tokens::text_tokens(&prompt_text)
        + images.iter().map(|im| tokens::vision_tokens(im.info.width, im.info.height, &im.detail)).sum::<u64>();
    let refuse = question.contains(REFUSE_MARKER);
    let full = describe(&images, &question);
    let words: Vec<&str> = full.split_whitespace().collect();
    let reasoning = match rules {
        Rules::Plain => 0,
        Rules::Reasoning(_) => reasoning::reasoning_tokens(effort.unwrap_or(DEFAULT_EFFORT)),
    };
    // Reasoning comes first and counts against the limit; the answer gets what is left.
    let reasoning = limit.map_or(reasoning, |max| reasoning.min(max));
    let left = limit.map(|max| max - reasoning);
    let (content, finish_reason, visible_tokens) = match left {
        Some(0) => (Some(String::new()), "length", 0),
        _ if refuse => (None, "stop", tokens::text_tokens(REFUSAL)),
        Some(left) if (words.len() as u64) > left => (Some(words[..left as usize].join(" ")), "length", left),
        _ => (Some(full.clone()), "stop", words.len() as u64),
    };
    let refusal = if content.is_none() { json!(REFUSAL) } else { Value::Null };
    let choices: Vec<Value> = (0..n)
        .map(|index| {
            json!({
                "index": index,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": null,
                "finish_reason": finish_reason,
            })
        })
        .collect();
    let reasoning_tokens = reasoning * n as u64;
    let completion_tokens = (visible_tokens + reasoning) * n as u64;
    Ok(json!({
        "id": format!("chatcmpl-{id}"),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning_tokens, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_mock",
    }))
}

/// The answer text; whitespace-separated words count as completion tokens.
fn describe(images: &[SeenImage], question: &str) -> String {
    let one = |im: &SeenImage| {
        format!(
            "a {}x{} {} image (sha256 prefix {})",
            im.info.width,
            im.info.height,
            im.info.format.to_ascii_uppercase(),
            &hex(&im.sha256)[..8]
        )
    };
    let seen = match images {
        [] => "I see no image".to_string(),
        [im] => format!("I see {}", one(im)),
        many => format!("I see {} images: {}", many.len(), many.iter().map(one).collect::<Vec<_>>().join(", ")),
    };
    format!("{seen}. You asked: {question}")
}

/// `max_completion_tokens` (or the older `max_tokens`), at least 1.
fn token_limit(request: &Map<String, Value>) -> Result<Option<u64>, ApiError> {
    let mut limit = None;
    for name in ["max_tokens", "max_completion_tokens"] {
        match request.get(name) {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_i64() {
                Some(t) if t >= 1 => limit = Some(t as u64),
                Some(t) => return Err(errors::integer_out_of_range(name, t, 1, i64::MAX)),
                None => return Err(errors::invalid_type(name, "an integer", json_kind(v))),
            },
        }
    }
    Ok(limit)
}

/// Checks one message; returns its text parts and collects its images.
fn check_message(i: usize, message: &Value, images: &mut Vec<SeenImage>) -> Result<Vec<String>, ApiError> {
    let at = format!("messages[{i}]");
    let Value::Object(m) = message else {
        return Err(errors::invalid_type(&at, "an object", json_kind(message)));
    };
    let role = match m.get("role") {
        None => return Err(errors::missing_required(&format!("{at}.role"))),
        Some(Value::String(r)) if ROLES.contains(&r.as_str()) => r.as_str(),
        Some(Value::String(r)) => return Err(errors::invalid_value(&format!("{at}.role"), r, ROLES)),
        Some(v) => return Err(errors::invalid_type(&format!("{at}.role"), "a string", json_kind(v))),
    };
    let parts = match m.get("content") {
        None | Some(Value::Null) if role == "assistant" => return Ok(Vec::new()),
        None => return Err(errors::missing_required(&format!("{at}.content"))),
        Some(Value::String(s)) => return Ok(vec![s.clone()]),
        Some(Value::Array(parts)) => parts,
        Some(v) => return Err(errors::invalid_type(&format!("{at}.content"), "a string or an array", json_kind(v))),
    };
    let mut texts = Vec::new();
    for (j, part) in parts.iter().enumerate() {
        let at = format!("{at}.content[{j}]");
        let kind = match part.get("type") {
            None => return Err(errors::missing_required(&format!("{at}.type"))),
            Some(Value::String(t)) if PART_TYPES.contains(&t.as_str()) => t.as_str(),
            Some(Value::String(t)) => return Err(errors::invalid_value(&format!("{at}.type"), t, PART_TYPES)),
            Some(v) => return Err(errors::invalid_type(&format!("{at}.type"), "a string", json_kind(v))),
        };
        match kind {
            "text" => match part.get("text") {
                Some(Value::String(t)) => texts.push(t.clone()),
                None => return Err(errors::missing_required(&format!("{at}.text"))),
                Some(v) => return Err(errors::invalid_type(&format!("{at}.text"), "a string", json_kind(v))),
            },
            "image_url" if role == "user" => images.push(check_image(&at, part)?),
            "image_url" => {
                return Err(errors::invalid_value_msg(
                    &format!("{at}.type"),
                    format!("Invalid '{at}.type': image content is only supported for messages with role 'user'."),
                ))
            }
            other => {
                return Err(errors::not_in_mock(
                    Some(&format!("{at}.type")),
                    format!("Content parts of type '{other}' are not supported by this mock."),
                ))
            }
        }
    }
    Ok(texts)
}

/// Checks an `image_url` part: a base64 data URL whose declared type matches its bytes.
fn check_image(at: &str, part: &Value) -> Result<SeenImage, ApiError> {
    let image_url = match part.get("image_url") {
        Some(Value::Object(o)) => o,
        None => return Err(errors::missing_required(&format!("{at}.image_url"))),
        Some(v) => return Err(errors::invalid_type(&format!("{at}.image_url"), "an object", json_kind(v))),
    };
    let url_at = format!("{at}.image_url.url");
    let url = match image_url.get("url") {
        Some(Value::String(u)) => u,
        None => return Err(errors::missing_required(&url_at)),
        Some(v) => return Err(errors::invalid_type(&url_at, "a string", json_kind(v))),
    };
    let detail = match image_url.get("detail") {
        None | Some(Value::Null) => "auto".to_string(),
        Some(Value::String(d)) if ["auto", "low", "high"].contains(&d.as_str()) => d.clone(),
        Some(Value::String(d)) => {
            return Err(errors::invalid_value(&format!("{at}.image_url.detail"), d, &["auto", "low", "high"]))
        }
        Some(v) => return Err(errors::invalid_type(&format!("{at}.image_url.detail"), "a string", json_kind(v))),
    };
    if url.starts_with("http://") || url.starts_with("https://") {
        return Err(ApiError::invalid(
            StatusCode::BAD_REQUEST,
            format!("Error while downloading {url}. (This mock does not fetch URLs; send a data URL.)"),
            Some(&url_at),
            Some("invalid_image_url"),
        ));
    }
    let expected = |got: &str| {
        errors::invalid_value_msg(
            &url_at,
            format!(
                "Invalid '{url_at}'. Expected a base64-encoded data URL with an image MIME type (e.g. \
                 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got {got}."
            ),
        )
    };
    let rest = url.strip_prefix("data:").ok_or_else(|| expected("a value that is not a data URL"))?;
    let (meta, payload) = rest.split_once(',').ok_or_else(|| expected("a data URL without data"))?;
    let mime = meta
        .strip_suffix(";base64")
        .ok_or_else(|| expected("a data URL that is not base64-encoded"))?
        .to_ascii_lowercase();
    if !mime.starts_with("image/") {
        return Err(expected(&format!("unsupported MIME type '{mime}'")));
    }
    let bytes = STANDARD.decode(payload).map_err(|_| expected("invalid base64 data"))?;
    let unsupported = || {
        ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "You uploaded an unsupported image. Please make sure your image has of one the following formats: \
             ['png', 'jpeg', 'gif', 'webp'].",
            None,
            Some("invalid_image_format"),
        )
    };
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "You uploaded an unsupported image. Please make sure your image is below 20 MB in size and is of one the \
             following formats: ['png', 'jpeg', 'gif', 'webp'].",
            None,
            Some("image_too_large"),
        ));
    }
    let declared = sniff::format_of_mime(&mime).ok_or_else(unsupported)?;
    let info = sniff::sniff(&bytes).ok_or_else(|| {
        ApiError::invalid(
            StatusCode::BAD_REQUEST,
            "The image data you provided does not represent a valid image. Please check your input and try again with \
             one of the supported image formats: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].",
            None,
            Some("image_parse_error"),
        )
    })?;
    if info.format != declared {
        return Err(unsupported());
    }
    Ok(SeenImage { info, sha256: Sha256::digest(&bytes).into(), detail })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MockMode;
    use crate::gate::tests::gate;
    use crate::reasoning::EFFORTS;

    fn ask(model: &str, extra: Value) -> Result<Value, ApiError> {
        let mut body = json!({"model": model, "messages": [{"role": "user", "content": "Describe it."}]});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        answer(&body, Some(model), &gate(MockMode::Api), 0, "x")
    }

    #[test]
    fn reasoning_spends_the_completion_budget_first() {
        // "I see no image. You asked: Describe it." is 8 words.
        let r = ask("gpt-6-luna", json!({"reasoning_effort": "low", "max_completion_tokens": 20})).unwrap();
        assert_eq!(r["choices"][0]["finish_reason"], "length");
        assert_eq!(r["choices"][0]["message"]["content"], "I see no image.");
        assert_eq!(r["usage"]["completion_tokens"], 20);
        assert_eq!(r["usage"]["completion_tokens_details"]["reasoning_tokens"], 16);

        let r = ask("gpt-6-luna", json!({"max_completion_tokens": 50})).unwrap();
        assert_eq!(
            (r["choices"][0]["finish_reason"].as_str(), r["choices"][0]["message"]["content"].as_str()),
            (Some("length"), Some(""))
        );
        assert_eq!(r["choices"][0]["message"]["refusal"], Value::Null, "an exhausted budget is not a refusal");
        assert_eq!(r["usage"]["completion_tokens_details"]["reasoning_tokens"], 50);

        let r = ask("gpt-6-luna", json!({"reasoning_effort": "none", "max_completion_tokens": 8})).unwrap();
        assert_eq!(r["choices"][0]["finish_reason"], "stop");
        let r = ask("gpt-5-mini", json!({"reasoning_effort": "minimal"})).unwrap();
        assert_eq!(r["usage"]["completion_tokens"], 8 + 8);

        let r = ask("gpt-4o-mini", json!({"max_completion_tokens": 3})).unwrap();
        assert_eq!(r["choices"][0]["message"]["content"], "I see no");
        assert_eq!(r["usage"]["completion_tokens_details"]["reasoning_tokens"], 0);
    }

    #[test]
    fn reasoning_parameters_per_model() {
        let e = ask("gpt-4o-mini", json!({"reasoning_effort": "low"})).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.summary()),
            (
                400,
                (
                    Some("unsupported_parameter".into()),
                    Some("reasoning_effort".into()),
                    "Unsupported parameter: 'reasoning_effort' is not supported with this model.".into()
                )
            )
        );
        assert!(ask("gpt-4o-mini", json!({"reasoning_effort": null})).is_ok());
        for effort in EFFORTS {
            assert!(ask("gpt-6-luna", json!({"reasoning_effort": effort})).is_ok(), "{effort}");
        }
        let e = ask("gpt-5-nano", json!({"reasoning_effort": "none"})).unwrap_err();
        assert_eq!(
            e.summary().2,
            "Unsupported value: 'reasoning_effort' does not support 'none' with this model. Supported values are: \
             'minimal', 'low', 'medium', and 'high'."
        );
        assert_eq!(
            ask("gpt-6-luna", json!({"reasoning_effort": "huge"})).unwrap_err().summary().0.as_deref(),
            Some("invalid_value")
        );
        assert_eq!(
            ask("gpt-6-luna", json!({"reasoning_effort": 3})).unwrap_err().summary().0.as_deref(),
            Some("invalid_type")
        );
        let e = ask("gpt-6-luna", json!({"max_tokens": 100})).unwrap_err();
        assert_eq!(e.summary().1.as_deref(), Some("max_tokens"));
        assert!(e.summary().2.ends_with("Use 'max_completion_tokens' instead."));
        assert!(ask("gpt-4.1-mini", json!({"max_tokens": 100})).is_ok());
    }

    #[test]
    fn models_are_admitted_by_the_catalog() {
        assert_eq!(ask("gpt-image-2", json!({})).unwrap_err().status.as_u16(), 404);
        assert_eq!(ask("gpt-9", json!({})).unwrap_err().summary().0.as_deref(), Some("model_not_found"));
        let body = json!({"model": "gpt-9", "messages": [{"role": "user", "content": "?"}]});
        assert!(answer(&body, Some("gpt-9"), &gate(MockMode::Gateway), 0, "x").is_ok());
        let azure = Gate::Deployment("gpt-4.1-mini".into());
        assert!(answer(&body, Some("gpt-4.1-mini"), &azure, 0, "x").is_ok());
    }
}
