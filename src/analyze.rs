//! Image analysis: a question about one image, asked through
//! `POST /chat/completions` with the image inlined as a `data:` URL.
//!
//! The image is up to 20 MB, so its base64 (about 27 MB) is written once,
//! straight into the final body buffer, between a JSON prefix and suffix that
//! serde_json escapes: no intermediate string, no re-serialization.

use base64::Engine;
use serde_json::Value;

use crate::bindings::{Analysis, AnalyzeRequest, Error, Failure, Usage};
use crate::call::{Call, Endpoint};
use crate::http::Body;
use crate::imaging;
use crate::models;
use crate::options;

/// Used when the request names no model.
pub const DEFAULT_MODEL: &str = models::DEFAULT_ANALYSIS;

/// The largest image accepted, before base64.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// Checks `req` and builds its call. Any model id is sent as given (trimmed);
/// whether it can see images is the service's call. Options are checked
/// against the model's declaration: `detail`, and `reasoning-effort` for
/// models that reason. A reasoning model of the table is always sent
/// `reasoning_effort` (low unless asked otherwise), so a short description
/// does not spend its whole token budget thinking; a model that does not
/// reason (gpt-4o*, gpt-4.1*) never is, and an id the table does not know only
/// when the request asks for it.
///
/// `default_model` stands in when the request names none: the table's default
/// on OpenAI; on Azure the deployment, whose model the component cannot know,
/// so it is sent no option it did not ask for.
pub fn prepare(req: &AnalyzeRequest, default_model: &str) -> Result<Call<'static>, Error> {
    if req.prompt.trim().is_empty() {
        return Err(invalid("the prompt is empty"));
    }
    if req.image.is_empty() {
        return Err(invalid("the image is empty"));
    }
    if req.image.len() > MAX_IMAGE_BYTES {
        return Err(invalid(format!(
            "the image is {:.1} MB; image analysis takes at most {} MB",
            req.image.len() as f64 / (1024.0 * 1024.0),
            MAX_IMAGE_BYTES / (1024 * 1024)
        )));
    }
    let meta = imaging::sniff(&req.image).ok_or_else(|| invalid("the image is not a PNG, JPEG, WebP or GIF image"))?;
    if req.max_output_tokens == Some(0) {
        return Err(invalid("max_output_tokens must be at least 1"));
    }
    let model = models::vision_model(options::model_id(req.model.as_deref(), default_model));
    let mut chosen = options::check_options(&model.id, model.known, &req.options, model.options())?;
    options::add_extra(&mut chosen, &req.extra, options::CHAT_FIELDS)?;
    chosen.no_images("/chat/completions")?;
    // The default effort gives way to one sent as given.
    let default_effort =
        (model.reasoning && !chosen.sends("reasoning_effort")).then_some(models::DEFAULT_REASONING_EFFORT);
    let reasoning_effort = chosen.text("reasoning-effort").or(default_effort);

    // {"model":M,"messages":[{"role":"user","content":[{"type":"text","text":P},
    //  {"type":"image_url","image_url":{"url":"data:T;base64,<B64>"[,"detail":D]}}]}]
    //  [,"max_completion_tokens":N][,"reasoning_effort":E]}
    let mut prefix = Vec::with_capacity(160 + req.prompt.len());
    prefix.extend_from_slice(b"{\"model\":");
    push_json_string(&mut prefix, &model.id)?;
    prefix.extend_from_slice(b",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":");
    push_json_string(&mut prefix, &req.prompt)?;
    prefix.extend_from_slice(b"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:");
    prefix.extend_from_slice(meta.kind.mime_type().as_bytes());
    prefix.extend_from_slice(b";base64,");

    let mut suffix = b"\"".to_vec();
    if let Some(detail) = chosen.text("detail") {
        suffix.extend_from_slice(b",\"detail\":");
        push_json_string(&mut suffix, detail)?;
    }
    suffix.extend_from_slice(b"}}]}]");
    // `max_completion_tokens`, not the deprecated `max_tokens`, which
    // reasoning models refuse.
    if let Some(limit) = req.max_output_tokens {
        suffix.extend_from_slice(format!(",\"max_completion_tokens\":{limit}").as_bytes());
    }
    if let Some(effort) = reasoning_effort {
        suffix.extend_from_slice(b",\"reasoning_effort\":");
        push_json_string(&mut suffix, effort)?;
    }
    for (name, value) in &chosen.passthrough {
        let json = value.to_json().expect("images were refused above");
        suffix.push(b',');
        push_json_string(&mut suffix, name)?;
        suffix.push(b':');
        serde_json::to_writer(&mut suffix, &json).map_err(|e| invalid(format!("could not encode `{name}`: {e}")))?;
    }
    suffix.push(b'}');

    let encoded_len =
        base64::encoded_len(req.image.len(), true).ok_or_else(|| invalid("the image is too large to encode"))?;
    let mut body = Vec::with_capacity(prefix.len() + encoded_len + suffix.len());
    body.extend_from_slice(&prefix);
    let start = body.len();
    body.resize(start + encoded_len, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(&req.image, &mut body[start..])
        .map_err(|e| invalid(format!("could not encode the image: {e}")))?;
    body.truncate(start + written);
    body.extend_from_slice(&suffix);

    Ok(Call {
        endpoint: Endpoint::ChatCompletions,
        model: model.id,
        content_type: Some("application/json".into()),
        body: Body::from_vec(body),
        streaming: false,
    })
}

/// Reads a 2xx chat completion: the first choice's text, or why there is none.
///
/// `model` and `finish_reason` are as the service reports them (empty if it
/// leaves them out). A refusal or a content-filter stop is `content-policy`;
/// a body that is not a chat completion is `malformed-response`.
pub fn parse_response(body: &[u8]) -> Result<Analysis, Error> {
    let json: Value =
        serde_json::from_slice(body).map_err(|e| malformed(format!("the chat completion is not JSON ({e})"), body))?;
    let Some(root) = json.as_object() else {
        return Err(malformed("the chat completion is not a JSON object", body));
    };
    let Some(choice) = root.get("choices").and_then(Value::as_array).and_then(|c| c.first()) else {
        // Some gateways answer 200 with an error envelope.
        if let Some(message) = root.get("error").and_then(|e| e.get("message").or(Some(e))).and_then(Value::as_str) {
            return Err(Error::Upstream(Failure::new(format!(
                "the service returned an error: {}",
                clip(message, 500)
            ))));
        }
        return Err(malformed("the chat completion has no choices", body));
    };
    let Some(message) = choice.get("message").filter(|m| m.is_object()) else {
        return Err(malformed("the chat completion's first choice has no message", body));
    };
    let finish_reason = choice.get("finish_reason").and_then(Value::as_str).unwrap_or("").to_string();
    let model = root.get("model").and_then(Value::as_str).unwrap_or("").to_string();

    let (text, part_refusal) = match message.get("content") {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(s)) => (Some(s.clone()), None),
        Some(Value::Array(parts)) => content_parts(parts),
        Some(_) => return Err(malformed("the message content is neither text nor a list of parts", body)),
    };
    let refusal = message.get("refusal").and_then(Value::as_str).map(str::to_owned).or(part_refusal);

    if let Some(refusal) = refusal.filter(|r| !r.trim().is_empty()) {
        return Err(content_policy(format!("the model refused: {}", clip(refusal.trim(), 2000)), "refusal"));
    }
    if finish_reason == "content_filter" {
        let categories = filtered_categories(choice);
        let message = if categories.is_empty() {
            "the answer was withheld by the content filter".to_string()
        } else {
            format!("the answer was withheld by the content filter ({})", categories.join(", "))
        };
        return Err(content_policy(message, "content_filter"));
    }
    let truncated = finish_reason == "length";
    let text = match text {
        Some(text) => text,
        // A reasoning model can spend the whole token budget before answering.
        None if truncated => String::new(),
        None => {
            return Err(content_policy(
                format!("the model returned no answer (finish reason: {})", or_none(&finish_reason)),
                "no_content",
            ))
        }
    };
    Ok(Analysis { text, model, finish_reason, truncated, usage: usage(root.get("usage")), cost: None })
}

/// Text parts joined; a refusal part, if any. Parts of other types (audio,
/// annotations) carry no answer text.
fn content_parts(parts: &[Value]) -> (Option<String>, Option<String>) {
    let mut text: Option<String> = None;
    let mut refusal = None;
    for part in parts {
        let kind = part.get("type").and_then(Value::as_str);
        match (kind, part.get("text").and_then(Value::as_str), part.get("refusal").and_then(Value::as_str)) {
            (Some("refusal"), _, Some(r)) => refusal = Some(r.to_string()),
            (Some("text" | "output_text") | None, Some(t), _) => text.get_or_insert_with(String::new).push_str(t),
            _ => {}
        }
    }
    (text, refusal)
}

/// Azure's `content_filter_results`: the categories marked `filtered`.
fn filtered_categories(choice: &Value) -> Vec<String> {
    let Some(results) = choice.get("content_filter_results").and_then(Value::as_object) else {
        return Vec::new();
    };
    results
        .iter()
        .filter(|(_, r)| r.get("filtered").and_then(Value::as_bool) == Some(true))
        .map(|(name, _)| name.clone())
        .collect()
}

fn usage(raw: Option<&Value>) -> Option<Usage> {
    let raw = raw?.as_object()?;
    let count = |key: &str| raw.get(key).and_then(Value::as_u64);
    let (input, output) = (count("prompt_tokens"), count("completion_tokens"));
    if input.is_none() && output.is_none() && count("total_tokens").is_none() {
        return None;
    }
    let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
    let detail = |group: &str, key: &str| raw.get(group).and_then(|d| d.get(key)).and_then(Value::as_u64);
    Some(Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: count("total_tokens").unwrap_or(input.saturating_add(output)),
        input_text_tokens: None,
        input_image_tokens: None,
        input_cached_tokens: detail("prompt_tokens_details", "cached_tokens"),
        // A chat model writes text; its reasoning is billed as output text too.
        output_text_tokens: output.into(),
        output_image_tokens: None,
    })
}

fn push_json_string(out: &mut Vec<u8>, text: &str) -> Result<(), Error> {
    serde_json::to_writer(out, text).map_err(|e| invalid(format!("could not encode the request: {e}")))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

fn content_policy(message: String, code: &str) -> Error {
    Error::ContentPolicy(Failure { code: Some(code.to_string()), ..Failure::new(message) })
}

/// `what`, then the start of the body: enough to recognise an HTML error page
/// or a proxy's message, short enough for a log line.
fn malformed(what: impl Into<String>, body: &[u8]) -> Error {
    const EXCERPT_BYTES: usize = 200;
    let head = &body[..body.len().min(EXCERPT_BYTES)];
    let mut excerpt: String = String::from_utf8_lossy(head)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if body.len() > EXCERPT_BYTES {
        excerpt.push('…');
    }
    let what = what.into();
    let message = if excerpt.is_empty() { format!("{what} (empty body)") } else { format!("{what}: {excerpt}") };
    Error::MalformedResponse(Failure::new(message))
}

/// At most `max` characters, cut on a character boundary.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "none"
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The call on OpenAI, where the table's default stands in.
    fn prepare(req: &AnalyzeRequest) -> Result<Call<'static>, Error> {
        super::prepare(req, DEFAULT_MODEL)
    }

    #[test]
    fn on_azure_an_unnamed_model_is_the_deployment_and_gets_no_reasoning_effort() {
        let call = super::prepare(&request(jpeg()), "vision-deployment").unwrap();
        let json = body_json(&call);
        assert_eq!(json["model"], "vision-deployment");
        assert!(json.get("reasoning_effort").is_none(), "{json}");
    }
    use crate::bindings::Parameter;
    use proptest::prelude::*;
    use std::borrow::Cow;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        out
    }

    fn jpeg() -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00];
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    fn request(image: Vec<u8>) -> AnalyzeRequest {
        AnalyzeRequest::new(image, "What is in this image?")
    }

    fn body_json(call: &Call<'_>) -> Value {
        serde_json::from_slice(&call.body.to_vec()).expect("the body is JSON")
    }

    fn invalid_message(req: &AnalyzeRequest) -> String {
        match prepare(req) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn the_request_body_matches_the_chat_completions_schema() {
        let image = png(64, 32);
        let req = AnalyzeRequest {
            model: Some("gpt-4o-mini".into()),
            options: vec![Parameter::text("detail", "high")],
            max_output_tokens: Some(300),
            ..request(image.clone())
        };
        let call = prepare(&req).unwrap();
        assert_eq!(call.endpoint, Endpoint::ChatCompletions);
        assert_eq!(call.model, "gpt-4o-mini");
        assert_eq!(call.content_type.as_deref(), Some("application/json"));
        assert!(!call.streaming);
        let url = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&image));
        assert_eq!(
            body_json(&call),
            serde_json::json!({
                "model": "gpt-4o-mini",
                "messages": [{
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in this image?"},
                        {"type": "image_url", "image_url": {"url": url, "detail": "high"}}
                    ]
                }],
                "max_completion_tokens": 300
            })
        );
    }

    /// The seed's models get, byte for byte, the body the 0.1 component sent
    /// for the same request (recorded from it).
    #[test]
    fn seed_model_bodies_are_byte_for_byte_as_before() {
        let image = png(2, 2);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&image);
        let req = AnalyzeRequest {
            model: Some("gpt-4.1-mini".into()),
            options: vec![Parameter::text("detail", "low")],
            max_output_tokens: Some(50),
            ..AnalyzeRequest::new(image.clone(), "What is this?")
        };
        assert_eq!(
            String::from_utf8(prepare(&req).unwrap().body.to_vec()).unwrap(),
            format!(
                r#"{{"model":"gpt-4.1-mini","messages":[{{"role":"user","content":[{{"type":"text","text":"What is this?"}},{{"type":"image_url","image_url":{{"url":"data:image/png;base64,{b64}","detail":"low"}}}}]}}],"max_completion_tokens":50}}"#
            )
        );
        let plain = AnalyzeRequest { model: Some("gpt-4o-mini".into()), ..AnalyzeRequest::new(image, "Hi") };
        assert_eq!(
            String::from_utf8(prepare(&plain).unwrap().body.to_vec()).unwrap(),
            format!(
                r#"{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":[{{"type":"text","text":"Hi"}},{{"type":"image_url","image_url":{{"url":"data:image/png;base64,{b64}"}}}}]}}]}}"#
            )
        );
    }

    #[test]
    fn optional_fields_are_left_out_and_the_default_model_is_used() {
        let call = prepare(&request(jpeg())).unwrap();
        assert_eq!(call.model, DEFAULT_MODEL);
        assert_eq!(DEFAULT_MODEL, "gpt-6-luna");
        let json = body_json(&call);
        assert_eq!(json["model"], DEFAULT_MODEL);
        assert!(json.get("max_completion_tokens").is_none() && json.get("max_tokens").is_none());
        let image_url = &json["messages"][0]["content"][1]["image_url"];
        assert!(image_url.get("detail").is_none());
        // The type comes from the bytes.
        assert!(image_url["url"].as_str().unwrap().starts_with("data:image/jpeg;base64,/9j/"));

        for text in ["auto", "low", "high"] {
            let call =
                prepare(&AnalyzeRequest { options: vec![Parameter::text("detail", text)], ..request(jpeg()) }).unwrap();
            assert_eq!(body_json(&call)["messages"][0]["content"][1]["image_url"]["detail"], text);
        }
        // Any model id is honoured; blank means the default.
        for (given, sent) in [(" my-vision-model ", "my-vision-model"), ("  ", DEFAULT_MODEL), ("o3", "o3")] {
            let call = prepare(&AnalyzeRequest { model: Some(given.into()), ..request(jpeg()) }).unwrap();
            assert_eq!((call.model.as_str(), body_json(&call)["model"].as_str()), (sent, Some(sent)));
        }
    }

    #[test]
    fn reasoning_models_get_a_low_effort_and_others_none() {
        let effort = |model: Option<&str>, options: Vec<Parameter>| {
            let call = prepare(&AnalyzeRequest { model: model.map(Into::into), options, ..request(jpeg()) }).unwrap();
            body_json(&call).get("reasoning_effort").map(|e| e.as_str().unwrap().to_string())
        };
        // The default model reasons: low unless asked otherwise.
        assert_eq!(effort(None, vec![]).as_deref(), Some("low"));
        assert_eq!(effort(Some("gpt-5.6-luna"), vec![]).as_deref(), Some("low"));
        assert_eq!(effort(Some("gpt-6-luna-2026-09-22"), vec![]).as_deref(), Some("low"));
        for level in ["none", "minimal", "low", "medium", "high", "xhigh", "max"] {
            let asked = vec![Parameter::text("reasoning-effort", level)];
            assert_eq!(effort(Some("gpt-6-luna"), asked).as_deref(), Some(level));
        }
        // Never to a model that does not reason, nor unasked to one the table does not know.
        for model in ["gpt-4o-mini", "gpt-4.1-mini", "gpt-4o", "gpt-4.1", "o3", "my-vision-model"] {
            assert_eq!(effort(Some(model), vec![]), None, "{model}");
        }
        // An id the table does not know gets it when asked; a known non-reasoning model refuses it.
        assert_eq!(
            effort(Some("gpt-7-nova"), vec![Parameter::text("reasoning-effort", "none")]).as_deref(),
            Some("none")
        );
        // The GPT-6.1 models reason.
        assert_eq!(effort(Some("gpt-6.1-terra"), vec![]).as_deref(), Some("low"));
        let refused = AnalyzeRequest {
            model: Some("gpt-4o-mini".into()),
            options: vec![Parameter::text("reasoning-effort", "low")],
            ..request(jpeg())
        };
        assert_eq!(invalid_message(&refused), "gpt-4o-mini takes no option `reasoning-effort`; its options are detail");
        let bad = AnalyzeRequest { options: vec![Parameter::text("reasoning-effort", "lots")], ..request(jpeg()) };
        assert!(invalid_message(&bad).contains("none, minimal, low, medium, high, xhigh, max"));
        let bad = AnalyzeRequest { options: vec![Parameter::text("detail", "ultra")], ..request(jpeg()) };
        assert!(invalid_message(&bad).contains("auto, low, high"));
        // Where it goes: after everything else.
        let call = prepare(&AnalyzeRequest { max_output_tokens: Some(200), ..request(png(1, 1)) }).unwrap();
        let text = String::from_utf8(call.body.to_vec()).unwrap();
        assert!(text.ends_with(r#"}]}],"max_completion_tokens":200,"reasoning_effort":"low"}"#), "{text}");
    }

    #[test]
    fn extra_parameters_and_unknown_models_options_go_as_given() {
        let req = AnalyzeRequest {
            model: Some("gpt-7-nova".into()),
            options: vec![Parameter::text("verbosity", "low"), Parameter::number("focus-level", 2.0)],
            extra: vec![Parameter::flag("store", false), Parameter::number("seed", 7.0)],
            ..request(png(1, 1))
        };
        let json = body_json(&prepare(&req).unwrap());
        assert_eq!(
            (&json["verbosity"], &json["focus_level"], &json["store"], &json["seed"]),
            (&serde_json::json!("low"), &serde_json::json!(2), &serde_json::json!(false), &serde_json::json!(7))
        );
        // An extra effort replaces the default one, never doubles it.
        let effort = AnalyzeRequest { extra: vec![Parameter::text("reasoning_effort", "high")], ..request(png(1, 1)) };
        let text = String::from_utf8(prepare(&effort).unwrap().body.to_vec()).unwrap();
        assert_eq!(text.matches("reasoning_effort").count(), 1, "{text}");
        assert!(text.ends_with(r#","reasoning_effort":"high"}"#), "{text}");
        for field in ["model", "messages", "max_completion_tokens"] {
            let replace = AnalyzeRequest { extra: vec![Parameter::text(field, "x")], ..request(png(1, 1)) };
            assert!(invalid_message(&replace).contains("would replace"), "{field}");
        }
        let image = AnalyzeRequest { extra: vec![Parameter::image("second", png(2, 2))], ..request(png(1, 1)) };
        assert!(invalid_message(&image).contains("/chat/completions takes JSON"));
    }

    #[test]
    fn the_prompt_is_escaped_and_the_image_survives_intact() {
        let prompt = "Quote \" backslash \\ newline\n tab\t nul\0 </script> é 😀 \u{2028}";
        let image = png(3, 3);
        let call = prepare(&AnalyzeRequest { prompt: prompt.into(), ..request(image.clone()) }).unwrap();
        let json = body_json(&call);
        assert_eq!(json["messages"][0]["content"][0]["text"], prompt);
        let url = json["messages"][0]["content"][1]["image_url"]["url"].as_str().unwrap();
        let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
        assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), image);
    }

    #[test]
    fn the_body_is_one_exactly_sized_buffer() {
        // A few MB: the base64 must land in the body without growing it.
        let mut image = png(1024, 1024);
        image.resize(3 * 1024 * 1024 + 1, 0xAB);
        let call = prepare(&request(image)).unwrap();
        assert_eq!(call.body.segments.len(), 1);
        match &call.body.segments[0] {
            Cow::Owned(bytes) => assert_eq!(bytes.capacity(), bytes.len()),
            Cow::Borrowed(_) => panic!("the body should own its bytes"),
        }
    }

    #[test]
    fn checks_before_sending() {
        assert!(
            invalid_message(&AnalyzeRequest { prompt: " \n\t".into(), ..request(jpeg()) }).contains("prompt is empty")
        );
        assert!(invalid_message(&request(Vec::new())).contains("image is empty"));
        assert!(invalid_message(&request(b"GIF89a\0\0\0\0".to_vec())).contains("not a PNG, JPEG, WebP or GIF"));
        assert!(invalid_message(&request(b"%PDF-1.7 not an image".to_vec())).contains("not a PNG, JPEG, WebP or GIF"));
        let mut huge = png(8, 8);
        huge.resize(MAX_IMAGE_BYTES + 1, 0);
        let message = invalid_message(&request(huge));
        assert!(message.contains("20.0 MB") && message.contains("at most 20 MB"), "{message}");
        let mut largest = png(8, 8);
        largest.resize(MAX_IMAGE_BYTES, 0);
        assert!(prepare(&request(largest)).is_ok());
        let zero = AnalyzeRequest { max_output_tokens: Some(0), ..request(jpeg()) };
        assert!(invalid_message(&zero).contains("max_output_tokens"));
        // Every type the API reads is accepted, GIF included.
        let gif = b"GIF89a\x02\0\x02\0\0\0\0;".to_vec();
        let call = prepare(&request(gif)).unwrap();
        assert!(body_json(&call)["messages"][0]["content"][1]["image_url"]["url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/gif;base64,"));
    }

    /// The spec's own example response.
    const EXAMPLE: &str = r#"{
      "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
      "object": "chat.completion",
      "created": 1741570283,
      "model": "gpt-5.4",
      "choices": [
        {
          "index": 0,
          "message": {
            "role": "assistant",
            "content": "The image shows a wooden boardwalk path running through a lush green field or meadow.",
            "refusal": null,
            "annotations": []
          },
          "logprobs": null,
          "finish_reason": "stop"
        }
      ],
      "usage": {
        "prompt_tokens": 1117,
        "completion_tokens": 46,
        "total_tokens": 1163,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
      },
      "service_tier": "default"
    }"#;

    fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
        let mut json: Value = serde_json::from_str(EXAMPLE).unwrap();
        edit(&mut json);
        serde_json::to_vec(&json).unwrap()
    }

    fn policy(body: &[u8]) -> Failure {
        match parse_response(body) {
            Err(Error::ContentPolicy(f)) => f,
            other => panic!("expected content-policy, got {other:?}"),
        }
    }

    fn malformed_message(body: &[u8]) -> String {
        match parse_response(body) {
            Err(Error::MalformedResponse(f)) => f.message,
            other => panic!("expected malformed-response, got {other:?}"),
        }
    }

    #[test]
    fn reads_the_spec_example() {
        let analysis = parse_response(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(
            analysis,
            Analysis {
                text: "The image shows a wooden boardwalk path running through a lush green field or meadow.".into(),
                model: "gpt-5.4".into(),
                finish_reason: "stop".into(),
                truncated: false,
                usage: Some(Usage {
                    input_tokens: 1117,
                    output_tokens: 46,
                    total_tokens: 1163,
                    input_text_tokens: None,
                    input_image_tokens: None,
                    input_cached_tokens: Some(0),
                    output_text_tokens: Some(46),
                    output_image_tokens: None,
                }),
                cost: None,
            }
        );
    }

    #[test]
    fn length_means_truncated() {
        let analysis = parse_response(&with(|j| j["choices"][0]["finish_reason"] = "length".into())).unwrap();
        assert!(analysis.truncated);
        assert_eq!(analysis.finish_reason, "length");
        // A reasoning model that used the whole budget thinking: no text, still an answer.
        let empty = parse_response(&with(|j| {
            j["choices"][0]["finish_reason"] = "length".into();
            j["choices"][0]["message"]["content"] = Value::Null;
        }))
        .unwrap();
        assert!(empty.truncated && empty.text.is_empty());
    }

    #[test]
    fn content_as_a_list_of_parts() {
        let analysis = parse_response(&with(|j| {
            j["choices"][0]["message"]["content"] = serde_json::json!([
                {"type": "text", "text": "A cat "},
                {"type": "image_url", "image_url": {"url": "x"}},
                {"type": "text", "text": "on a mat."}
            ]);
        }))
        .unwrap();
        assert_eq!(analysis.text, "A cat on a mat.");
        let refused = policy(&with(|j| {
            j["choices"][0]["message"]["content"] = serde_json::json!([{"type": "refusal", "refusal": "No."}]);
        }));
        assert_eq!(refused.message, "the model refused: No.");
    }

    #[test]
    fn refusals_and_filters_are_content_policy() {
        let refused = policy(&with(|j| {
            j["choices"][0]["message"]["content"] = Value::Null;
            j["choices"][0]["message"]["refusal"] = "I'm sorry, I can't help with identifying people.".into();
        }));
        assert_eq!(refused.message, "the model refused: I'm sorry, I can't help with identifying people.");
        assert_eq!(refused.code.as_deref(), Some("refusal"));

        let filtered = policy(&with(|j| {
            j["choices"][0]["finish_reason"] = "content_filter".into();
            j["choices"][0]["message"]["content"] = Value::Null;
            j["choices"][0]["content_filter_results"] = serde_json::json!({
                "hate": {"filtered": false, "severity": "safe"},
                "sexual": {"filtered": true, "severity": "high"},
                "violence": {"filtered": true, "severity": "medium"}
            });
        }));
        assert_eq!(filtered.message, "the answer was withheld by the content filter (sexual, violence)");
        assert_eq!(filtered.code.as_deref(), Some("content_filter"));
        let plain_filter = policy(&with(|j| j["choices"][0]["finish_reason"] = "content_filter".into()));
        assert_eq!(plain_filter.message, "the answer was withheld by the content filter");

        let silent = policy(&with(|j| j["choices"][0]["message"]["content"] = Value::Null));
        assert_eq!(silent.message, "the model returned no answer (finish reason: stop)");
        // An empty refusal is no refusal.
        assert!(parse_response(&with(|j| j["choices"][0]["message"]["refusal"] = "".into())).is_ok());
    }

    #[test]
    fn missing_optional_fields() {
        let analysis = parse_response(br#"{"choices":[{"message":{"content":"ok"}}]}"#).unwrap();
        assert_eq!((analysis.text.as_str(), analysis.model.as_str(), analysis.finish_reason.as_str()), ("ok", "", ""));
        assert_eq!(analysis.usage, None);
        let partial =
            parse_response(&with(|j| j["usage"] = serde_json::json!({"prompt_tokens": 10, "completion_tokens": 5})))
                .unwrap();
        assert_eq!(partial.usage.map(|u| u.total_tokens), Some(15));
    }

    #[test]
    fn malformed_bodies() {
        let html = b"<html><head><title>502 Bad Gateway</title></head><body>\n\n<center>nginx</center></body></html>";
        let message = malformed_message(html);
        assert!(message.starts_with("the chat completion is not JSON"), "{message}");
        assert!(message
            .ends_with("<html><head><title>502 Bad Gateway</title></head><body> <center>nginx</center></body></html>"));
        assert!(malformed_message(b"").ends_with("(empty body)"));
        assert!(malformed_message(b"[1,2]").contains("not a JSON object"));
        assert!(malformed_message(br#"{"choices":[]}"#).contains("no choices"));
        assert!(malformed_message(br#"{"object":"list"}"#).contains("no choices"));
        assert!(malformed_message(br#"{"choices":[{"finish_reason":"stop"}]}"#).contains("no message"));
        assert!(malformed_message(br#"{"choices":[{"message":{"content":42}}]}"#).contains("neither text"));

        // The excerpt is short, whatever the body.
        let long = format!("not json {}", "é".repeat(100_000));
        let message = malformed_message(long.as_bytes());
        assert!(message.chars().count() < 300, "{} chars", message.chars().count());
        assert!(message.ends_with('…'));

        // A 200 carrying an error envelope.
        match parse_response(br#"{"error":{"message":"upstream model overloaded","type":"server_error"}}"#) {
            Err(Error::Upstream(f)) => assert!(f.message.contains("upstream model overloaded")),
            other => panic!("{other:?}"),
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            prop_oneof![
                Just("stop".to_string()),
                Just("length".to_string()),
                Just("content_filter".to_string()),
                Just("text".to_string()),
                Just("refusal".to_string()),
                ".{0,12}"
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let key = prop_oneof![
                Just("choices".to_string()),
                Just("message".to_string()),
                Just("content".to_string()),
                Just("refusal".to_string()),
                Just("finish_reason".to_string()),
                Just("usage".to_string()),
                Just("prompt_tokens".to_string()),
                Just("type".to_string()),
                Just("text".to_string()),
                Just("error".to_string()),
                Just("filtered".to_string()),
                Just("content_filter_results".to_string()),
                "[a-z]{1,6}",
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn parse_response_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Err(Error::MalformedResponse(f)) = parse_response(&bytes) {
                prop_assert!(f.message.chars().count() < 320);
            }
        }

        #[test]
        fn parse_response_never_panics_on_json(value in json_value()) {
            let _ = parse_response(&serde_json::to_vec(&value).unwrap());
        }

        #[test]
        fn any_prompt_and_image_round_trip(
            prompt in "\\PC{1,200}".prop_filter("not blank", |p| !p.trim().is_empty()),
            tail in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut image = png(5, 7);
            image.extend_from_slice(&tail);
            let call = prepare(&AnalyzeRequest { prompt: prompt.clone(), ..request(image.clone()) }).unwrap();
            let json = body_json(&call);
            prop_assert_eq!(json["messages"][0]["content"][0]["text"].as_str(), Some(prompt.as_str()));
            let url = json["messages"][0]["content"][1]["image_url"]["url"].as_str().unwrap();
            let b64 = url.strip_prefix("data:image/png;base64,").unwrap();
            prop_assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), image);
        }
    }
}
