//! Non-2xx responses (and the `error` events of a stream) turned into the
//! contract's typed [`Error`].
//!
//! OpenAI's envelope is `{"error": {"message", "type", "param", "code"}}`,
//! with `code` a string, a number or null; Azure adds `inner_error` (or
//! `innererror`) and sometimes uses numeric-looking codes. Gateways and
//! proxies answer with anything at all (HTML, empty bodies), so the status is
//! the fallback and the body only ever appears as a short, single-line
//! excerpt.
//!
//! A 400 from the server is `upstream` (status 400 and the API's message),
//! never `invalid-input`: the contract reserves `invalid-input` for requests
//! refused *before* anything was sent, which tells a host that no call was
//! made and nothing was billed. The request checks in `generate` / `edit` /
//! `analyze` catch what they can; a 400 that slips past them is the service's
//! word and is reported as such.

use serde_json::Value;

use crate::bindings::{Error, Failure, RateLimit};
use crate::http::ResponseHead;
use crate::retry;

/// Where users verify an organization for GPT image models.
pub const ORG_VERIFICATION_URL: &str = "https://platform.openai.com/settings/organization/general";

/// Longest excerpt of an unexpected body shown in a message, in characters.
pub const EXCERPT_CHARS: usize = 200;
/// Longest API message kept, in characters: the API's own are far shorter,
/// but a misbehaving gateway could put a page in `message`.
const MESSAGE_CHARS: usize = 1000;

/// Maps a non-2xx response. `model` is the model (or Azure deployment) the
/// call was for, named in not-found and verification messages.
pub fn from_response(head: &ResponseHead, body: &[u8], model: &str) -> Error {
    let request_id = request_id(head);
    let status = head.status;
    match ApiError::parse(body) {
        Some(api) => classify(Some(status), &api, model, request_id, retry_after_ms(head)),
        None => from_unparsed(head, body, request_id),
    }
}

/// Maps the error object of a stream's `error` event: either the envelope
/// (`{"error": {...}}`) or the bare object (`{"type": "error", "code",
/// "message", ...}`, the shape of the Responses API's `ResponseErrorEvent`).
/// There is no HTTP status (the stream itself was a 200), so the code decides.
pub fn from_stream_error(event: &Value, model: &str, request_id: Option<&str>) -> Error {
    let api = ApiError::from_value(event).unwrap_or_default();
    let api = if api.message.is_none() && api.code.is_none() {
        ApiError { message: Some("the service reported an error in the stream".into()), ..api }
    } else {
        api
    };
    classify(None, &api, model, request_id.map(str::to_string), None)
}

/// The service's request id, for support tickets. Azure's gateway answers
/// with `apim-request-id` when the request never reached the model.
pub fn request_id(head: &ResponseHead) -> Option<String> {
    ["x-request-id", "apim-request-id"]
        .iter()
        .find_map(|name| head.header(name))
        .map(|v| clip(v.trim(), 200))
        .filter(|v| !v.is_empty())
}

/// Adds the response's status and request id to a failure found in its body.
pub(crate) fn annotate(mut error: Error, head: &ResponseHead) -> Error {
    if let Some(f) = error.failure_mut() {
        f.status = f.status.or(Some(head.status));
        if f.request_id.is_none() {
            f.request_id = request_id(head);
        }
    }
    error
}

/// The server's requested wait in milliseconds, when it gave one.
fn retry_after_ms(head: &ResponseHead) -> Option<u64> {
    retry::retry_after(head).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The fields of an error object we use.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ApiError {
    message: Option<String>,
    kind: Option<String>,
    code: Option<String>,
    /// Azure's `inner_error.code` / `innererror.code`.
    inner_code: Option<String>,
}

impl ApiError {
    /// `None` when the body is not a JSON object that looks like an error.
    fn parse(body: &[u8]) -> Option<ApiError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        ApiError::from_value(&value)
    }

    fn from_value(value: &Value) -> Option<ApiError> {
        let outer = value.as_object()?;
        match outer.get("error") {
            Some(Value::Object(inner)) => Some(ApiError::from_object(inner)),
            // Some gateways: `{"error": "message"}`.
            Some(Value::String(message)) => {
                Some(ApiError { message: Some(message.clone()), ..ApiError::from_object(outer) })
            }
            // Bare objects: stream error events, Azure APIM's `{"statusCode", "message"}`.
            _ if outer.contains_key("message") || outer.contains_key("code") => Some(ApiError::from_object(outer)),
            _ => None,
        }
    }

    fn from_object(object: &serde_json::Map<String, Value>) -> ApiError {
        let inner_code = ["inner_error", "innererror"]
            .iter()
            .find_map(|k| object.get(*k))
            .and_then(|inner| inner.get("code"))
            .and_then(scalar);
        ApiError {
            message: object.get("message").and_then(Value::as_str).map(str::to_string),
            kind: object.get("type").and_then(Value::as_str).filter(|t| *t != "error").map(str::to_string),
            code: object.get("code").and_then(scalar),
            inner_code,
        }
    }

    fn code_is(&self, codes: &[&str]) -> bool {
        self.code.as_deref().is_some_and(|c| codes.iter().any(|k| c.eq_ignore_ascii_case(k)))
    }

    fn kind_is(&self, kinds: &[&str]) -> bool {
        self.kind.as_deref().is_some_and(|c| kinds.iter().any(|k| c.eq_ignore_ascii_case(k)))
    }

    fn message_lower(&self) -> String {
        self.message.as_deref().unwrap_or_default().to_ascii_lowercase()
    }

    fn is_content_policy(&self) -> bool {
        if self.code_is(&["content_policy_violation", "moderation_blocked", "content_filter"])
            || self.inner_code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("ResponsibleAIPolicyViolation"))
        {
            return true;
        }
        // gpt-image moderation refusals come as image_generation_user_error;
        // so do bad input files, which must not be read as a policy refusal.
        let m = self.message_lower();
        self.kind_is(&["image_generation_user_error"])
            && (m.contains("safety system") || m.contains("moderation") || m.contains("safety_violations"))
    }

    fn is_quota(&self) -> bool {
        self.code_is(&["insufficient_quota", "billing_hard_limit_reached", "billing_not_active"])
            || self.kind_is(&["insufficient_quota"])
    }

    fn is_org_verification(&self) -> bool {
        let m = self.message_lower();
        m.contains("must be verified") || m.contains("verify organization")
    }
}

/// A string or number as text; null and anything else as `None`.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(clip(s.trim(), 100)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn classify(
    status: Option<u16>,
    api: &ApiError,
    model: &str,
    request_id: Option<String>,
    retry_after_ms: Option<u64>,
) -> Error {
    let api_message = api.message.as_deref().map(|m| clip(&one_line(m), MESSAGE_CHARS)).filter(|m| !m.is_empty());
    let failure = |message: String| Failure { message, status, code: api.code.clone(), request_id: request_id.clone() };
    let said = |fallback: &str| api_message.clone().unwrap_or_else(|| fallback.to_string());

    // Codes first: they mean the same whatever the status (and streams have none).
    if api.is_content_policy() {
        return Error::ContentPolicy(failure(said("the request was refused by the service's safety system")));
    }
    if api.is_quota() {
        return Error::QuotaExceeded(failure(said("the account has no credit left; check the plan and billing")));
    }
    if api.code_is(&["model_not_found", "DeploymentNotFound"]) {
        return Error::NotFound(failure(not_found_message(model, api_message.as_deref())));
    }
    match status {
        Some(401) => Error::Authentication(failure(said("the API key was refused"))),
        Some(403) if api.is_org_verification() => Error::PermissionDenied(failure(org_verification_message(model))),
        Some(403) => Error::PermissionDenied(failure(said("the API key may not do this"))),
        Some(404) if api.message_lower().starts_with("invalid url") => Error::NotFound(failure(format!(
            "the service does not know this address: {}; check the base URL",
            said("no details")
        ))),
        Some(404) => Error::NotFound(failure(not_found_message(model, api_message.as_deref()))),
        Some(429) => Error::RateLimited(RateLimit { failure: failure(said("too many requests")), retry_after_ms }),
        Some(s) if s >= 500 => {
            Error::Upstream(failure(format!("the service failed (HTTP {s}): {}", said("no details"))))
        }
        Some(s) => {
            Error::Upstream(failure(format!("the service refused the request (HTTP {s}): {}", said("no details"))))
        }
        // Stream errors: the codes the API uses for the cases above.
        None if api.code_is(&["invalid_api_key"]) => Error::Authentication(failure(said("the API key was refused"))),
        None if api.code_is(&["rate_limit_exceeded"]) => {
            Error::RateLimited(RateLimit { failure: failure(said("too many requests")), retry_after_ms: None })
        }
        None => Error::Upstream(failure(format!("the service stopped the generation: {}", said("no details")))),
    }
}

fn not_found_message(model: &str, api_message: Option<&str>) -> String {
    match api_message {
        Some(m) => format!("the model `{model}` was not found, or this key cannot use it: {m}"),
        None => format!("the model `{model}` was not found, or this key cannot use it"),
    }
}

fn org_verification_message(model: &str) -> String {
    format!(
        "Your OpenAI organization must be verified to use `{model}`. Verify it at {ORG_VERIFICATION_URL} \
         (GPT image models need this; dall-e-3 does not). Access can take up to 15 minutes to arrive after \
         verification."
    )
}

/// A body that is not an API error object: a proxy's HTML page, an empty or
/// truncated body. Statuses that say what to do on their own (401, 403, 404,
/// 429) keep their meaning, 3xx and 5xx are the service's failure, and any
/// other status with an unreadable body is a malformed response.
fn from_unparsed(head: &ResponseHead, body: &[u8], request_id: Option<String>) -> Error {
    let status = head.status;
    let what = match excerpt(body) {
        e if e.is_empty() => "an empty body".to_string(),
        e => format!("\"{e}\""),
    };
    let failure =
        |message: String| Failure { message, status: Some(status), code: None, request_id: request_id.clone() };
    match status {
        401 => Error::Authentication(failure(format!("the API key was refused (HTTP 401, {what})"))),
        403 => Error::PermissionDenied(failure(format!("access was refused (HTTP 403, {what})"))),
        404 => Error::NotFound(failure(format!("not found (HTTP 404, {what}); check the base URL or Azure endpoint"))),
        429 => Error::RateLimited(RateLimit {
            failure: failure(format!("too many requests (HTTP 429, {what})")),
            retry_after_ms: retry_after_ms(head),
        }),
        300..=399 => {
            let to = head.header("location").map(|l| format!(" to {}", clip(&one_line(l), EXCERPT_CHARS)));
            Error::Upstream(failure(format!(
                "the service redirected{} (HTTP {status}); set the base URL to the final address",
                to.unwrap_or_default()
            )))
        }
        500.. => Error::Upstream(failure(format!("the service failed (HTTP {status}, {what})"))),
        _ => Error::MalformedResponse(failure(format!(
            "the service answered HTTP {status} with {what} instead of an API error"
        ))),
    }
}

/// A short, single-line, printable rendering of an unexpected body: markup
/// tags dropped (when the body is markup), whitespace and control characters
/// collapsed, at most [`EXCERPT_CHARS`] characters. Empty when nothing
/// printable is left.
pub fn excerpt(body: &[u8]) -> String {
    // Look at a bounded prefix only: the body may be megabytes.
    let prefix = &body[..body.len().min(EXCERPT_CHARS * 8)];
    let text = String::from_utf8_lossy(prefix);
    // Only a body that starts as markup has tags; a `<` in plain text stays.
    let markup = text.trim_start().starts_with('<');
    let mut out = String::new();
    let mut in_tag = false;
    let mut space = false;
    for c in text.chars() {
        match c {
            '<' if markup => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                space = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => space = true,
            c => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    clip(&out, EXCERPT_CHARS)
}

/// Whitespace runs (newlines included) as single spaces, trimmed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text from a request or a response, fit for a one-line message: control
/// characters and whitespace runs as single spaces, at most `max` characters.
pub(crate) fn shown(s: &str, max: usize) -> String {
    let printable: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    clip(&one_line(&printable), max)
}

/// At most `max` characters (`max` ≥ 1), ending in `…` when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().nth(max).is_none() {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Error bodies users of the API reported (shared/openai/errors_observed,
    /// sources in its README), inlined so the tests stand alone.
    pub(crate) mod observed {
        pub const ORG_NOT_VERIFIED_403: &str = r#"{
  "error": {
    "message": "Your organization must be verified to use the model `gpt-image-1`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.",
    "type": "invalid_request_error",
    "param": null,
    "code": null
  }
}"#;
        pub const CONTENT_POLICY_VIOLATION_DALLE3_400: &str = r#"{
  "error": {
    "code": "content_policy_violation",
    "message": "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
    "param": null,
    "type": "invalid_request_error"
  }
}"#;
        pub const MODERATION_BLOCKED_GPT_IMAGE_400: &str = r#"{
  "error": {
    "message": "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID <uuid>. safety_violations=[sexual].",
    "type": "image_generation_user_error",
    "param": null,
    "code": "moderation_blocked",
    "moderation_details": {
      "moderation_stage": "output",
      "categories": ["sexual"]
    }
  }
}"#;
        pub const INVALID_IMAGE_FILE_400: &str = r#"{
  "error": {
    "message": "Invalid image file or mode for image 1, please check your image file. If you believe this is an error, contact us at help.openai.com and include the request ID req_XXXX.",
    "type": "image_generation_user_error",
    "param": null,
    "code": "invalid_image_file"
  }
}"#;
        pub const UNSUPPORTED_MIMETYPE_400: &str = r#"{
  "error": {
    "message": "Invalid file 'image': unsupported mimetype ('application/octet-stream'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
    "type": "invalid_request_error",
    "param": "image",
    "code": "unsupported_file_mimetype"
  }
}"#;
        pub const INVALID_TYPE_IMAGE0_400: &str = r#"{
  "error": {
    "message": "Invalid type for 'image[0]': expected a file, but got a string instead.",
    "type": "invalid_request_error",
    "param": "image[0]",
    "code": "invalid_type"
  }
}"#;
        /// Azure OpenAI's content filter refusal.
        pub const AZURE_CONTENT_FILTER_400: &str = r#"{
  "error": {
    "code": "content_policy_violation",
    "inner_error": {
      "code": "ResponsibleAIPolicyViolation",
      "content_filter_results": {
        "sexual": { "filtered": true, "severity": "high" },
        "violence": { "filtered": false, "severity": "safe" }
      }
    },
    "message": "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
    "type": "invalid_request_error"
  }
}"#;
    }

    fn observed(name: &str) -> Vec<u8> {
        let body = match name {
            "org_not_verified_403" => observed::ORG_NOT_VERIFIED_403,
            "content_policy_violation_dalle3_400" => observed::CONTENT_POLICY_VIOLATION_DALLE3_400,
            "moderation_blocked_gpt_image_400" => observed::MODERATION_BLOCKED_GPT_IMAGE_400,
            "invalid_image_file_400" => observed::INVALID_IMAGE_FILE_400,
            "unsupported_mimetype_400" => observed::UNSUPPORTED_MIMETYPE_400,
            "invalid_type_image0_400" => observed::INVALID_TYPE_IMAGE0_400,
            "azure_content_filter_400" => observed::AZURE_CONTENT_FILTER_400,
            other => panic!("no observed body {other}"),
        };
        body.as_bytes().to_vec()
    }

    fn head(status: u16) -> ResponseHead {
        ResponseHead { status, headers: vec![("x-request-id".into(), "req_123".into())] }
    }

    fn with(status: u16, headers: &[(&str, &str)]) -> ResponseHead {
        let mut h = head(status);
        h.headers.extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        h
    }

    fn envelope(message: &str, kind: &str, code: Value) -> Vec<u8> {
        serde_json::to_vec(
            &serde_json::json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
        )
        .unwrap()
    }

    #[test]
    fn unauthorized_is_authentication_with_status_code_and_request_id() {
        let body =
            envelope("Incorrect API key provided: sk-abc***xyz.", "invalid_request_error", "invalid_api_key".into());
        let e = from_response(&head(401), &body, "dall-e-3");
        assert_eq!(e.kind(), "authentication");
        let f = e.failure().unwrap();
        assert_eq!(
            (f.status, f.code.as_deref(), f.request_id.as_deref()),
            (Some(401), Some("invalid_api_key"), Some("req_123"))
        );
        assert_eq!(f.message, "Incorrect API key provided: sk-abc***xyz.");
    }

    #[test]
    fn unverified_organization_explains_what_to_do() {
        let e = from_response(&head(403), &observed("org_not_verified_403"), "gpt-image-1");
        let Error::PermissionDenied(f) = &e else { panic!("{e:?}") };
        assert_eq!(f.status, Some(403));
        assert_eq!(f.code, None);
        for needle in [ORG_VERIFICATION_URL, "`gpt-image-1`", "dall-e-3 does not", "15 minutes", "verified"] {
            assert!(f.message.contains(needle), "{needle}: {}", f.message);
        }
        let other = from_response(
            &head(403),
            &envelope(
                "Country, region, or territory not supported",
                "request_forbidden",
                "unsupported_country_region_territory".into(),
            ),
            "m",
        );
        assert_eq!(other.kind(), "permission-denied");
        assert_eq!(other.message(), "Country, region, or territory not supported");
    }

    #[test]
    fn not_found_names_the_model() {
        let body = envelope(
            "The model 'gpt-image-9' does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found".into(),
        );
        let e = from_response(&head(404), &body, "gpt-image-9");
        assert_eq!(e.kind(), "not-found");
        assert!(e.message().contains("`gpt-image-9`") && e.message().contains("does not exist"), "{}", e.message());
        assert_eq!(e.failure().unwrap().code.as_deref(), Some("model_not_found"));
        // model_not_found decides even under another status.
        assert_eq!(from_response(&head(400), &body, "gpt-image-9").kind(), "not-found");
        // Azure's deployment-not-found.
        let azure = br#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#;
        let e = from_response(&head(404), azure, "my-deployment");
        assert_eq!((e.kind(), e.failure().unwrap().code.as_deref()), ("not-found", Some("DeploymentNotFound")));
        assert!(e.message().contains("my-deployment"));
        // A wrong base URL is not a missing model.
        let e = from_response(
            &head(404),
            &envelope("Invalid URL (POST /v2/images/generations)", "invalid_request_error", Value::Null),
            "dall-e-3",
        );
        assert_eq!(e.kind(), "not-found");
        assert!(e.message().contains("base URL") && !e.message().contains("dall-e-3"), "{}", e.message());
    }

    #[test]
    fn safety_refusals_are_content_policy_with_the_reason() {
        let e = from_response(&head(400), &observed("content_policy_violation_dalle3_400"), "dall-e-3");
        assert_eq!(e.kind(), "content-policy");
        assert!(e.message().starts_with("Your request was rejected as a result of our safety system."));
        assert_eq!(e.failure().unwrap().code.as_deref(), Some("content_policy_violation"));

        let e = from_response(&head(400), &observed("moderation_blocked_gpt_image_400"), "gpt-image-1");
        assert_eq!(e.kind(), "content-policy");
        assert!(e.message().contains("safety_violations=[sexual]"), "{}", e.message());
        assert_eq!(e.status(), Some(400));

        // The same wording without a code still counts.
        let body =
            envelope("Your request was rejected by the safety system.", "image_generation_user_error", Value::Null);
        assert_eq!(from_response(&head(400), &body, "gpt-image-1").kind(), "content-policy");

        let azure = observed("azure_content_filter_400");
        assert_eq!(from_response(&head(400), &azure, "d").kind(), "content-policy");
        let spelled = br#"{"error":{"code":"BadRequest","message":"filtered","innererror":{"code":"ResponsibleAIPolicyViolation"}}}"#;
        assert_eq!(from_response(&head(400), spelled, "d").kind(), "content-policy");
    }

    #[test]
    fn other_bad_requests_are_upstream_with_the_apis_message() {
        for (name, code) in [
            ("invalid_image_file_400", "invalid_image_file"),
            ("unsupported_mimetype_400", "unsupported_file_mimetype"),
            ("invalid_type_image0_400", "invalid_type"),
        ] {
            let body = observed(name);
            let e = from_response(&head(400), &body, "gpt-image-1");
            let Error::Upstream(f) = &e else { panic!("{name}: {e:?}") };
            assert_eq!((f.status, f.code.as_deref()), (Some(400), Some(code)), "{name}");
            let api: Value = serde_json::from_slice(&body).unwrap();
            assert!(f.message.contains(api["error"]["message"].as_str().unwrap()), "{}", f.message);
            assert!(f.message.contains("HTTP 400"));
        }
        let e = from_response(&head(422), &envelope("nope", "invalid_request_error", Value::Null), "m");
        assert_eq!((e.kind(), e.status()), ("upstream", Some(422)));
    }

    #[test]
    fn quota_is_not_a_rate_limit() {
        let body = envelope(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota".into(),
        );
        let e = from_response(&with(429, &[("retry-after", "1")]), &body, "m");
        assert_eq!(e.kind(), "quota-exceeded");
        assert_eq!(e.status(), Some(429));
        let by_type = envelope("quota", "insufficient_quota", Value::Null);
        assert_eq!(from_response(&head(429), &by_type, "m").kind(), "quota-exceeded");
        let billing = envelope(
            "Billing hard limit has been reached",
            "invalid_request_error",
            "billing_hard_limit_reached".into(),
        );
        assert_eq!(from_response(&head(400), &billing, "dall-e-3").kind(), "quota-exceeded");
    }

    #[test]
    fn rate_limits_carry_the_servers_wait() {
        let body = envelope(
            "Rate limit reached for gpt-image-1 on requests per minute.",
            "requests",
            "rate_limit_exceeded".into(),
        );
        let wait = |h: &[(&str, &str)]| match from_response(&with(429, h), &body, "m") {
            Error::RateLimited(RateLimit { retry_after_ms, failure }) => {
                assert_eq!(failure.code.as_deref(), Some("rate_limit_exceeded"));
                retry_after_ms
            }
            e => panic!("{e:?}"),
        };
        assert_eq!(wait(&[("retry-after-ms", "1500")]), Some(1500));
        assert_eq!(wait(&[("retry-after", "20")]), Some(20_000));
        assert_eq!(wait(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]), None);
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn server_failures_are_upstream() {
        let body = envelope(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            Value::Null,
        );
        for status in [500, 502, 503, 504] {
            let e = from_response(&head(status), &body, "m");
            assert_eq!((e.kind(), e.status()), ("upstream", Some(status)));
            assert!(e.message().contains("Sorry about that"));
        }
    }

    #[test]
    fn codes_may_be_numbers_or_null() {
        let e = from_response(&head(401), br#"{"error":{"code":401,"message":"Access denied"}}"#, "m");
        assert_eq!((e.kind(), e.failure().unwrap().code.as_deref()), ("authentication", Some("401")));
        let e = from_response(&head(401), br#"{"error":{"code":"401","message":"Access denied"}}"#, "m");
        assert_eq!(e.failure().unwrap().code.as_deref(), Some("401"));
        let e = from_response(
            &head(500),
            br#"{"error":{"code":null,"message":"x","type":"server_error","param":null}}"#,
            "m",
        );
        assert_eq!(e.failure().unwrap().code, None);
        // Azure APIM's bare shape and a gateway's string error.
        let e = from_response(
            &head(401),
            br#"{"statusCode":401,"message":"Access denied due to invalid subscription key."}"#,
            "m",
        );
        assert_eq!(e.message(), "Access denied due to invalid subscription key.");
        let e = from_response(&head(502), br#"{"error":"upstream connect error"}"#, "m");
        assert!(e.message().contains("upstream connect error"));
    }

    #[test]
    fn html_and_empty_bodies_give_short_safe_excerpts() {
        let html = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        let e = from_response(&head(502), html, "m");
        assert_eq!(e.kind(), "upstream");
        assert_eq!(e.message(), "the service failed (HTTP 502, \"502 Bad Gateway 502 Bad Gateway nginx\")");
        assert_eq!(e.failure().unwrap().request_id.as_deref(), Some("req_123"));

        let e = from_response(&head(400), b"", "m");
        assert_eq!((e.kind(), e.status()), ("malformed-response", Some(400)));
        assert!(e.message().contains("an empty body"));

        let long = format!("<p>{}</p>", "spam ".repeat(10_000));
        let e = from_response(&head(418), long.as_bytes(), "m");
        assert_eq!(e.kind(), "malformed-response");
        assert!(e.message().chars().count() < EXCERPT_CHARS + 100, "{}", e.message());
        assert!(!e.message().contains('\n'));

        let truncated = br#"{"error":{"message":"The server had an err"#;
        assert_eq!(from_response(&head(503), truncated, "m").kind(), "upstream");
        // Statuses that say what to do keep their meaning behind a proxy page.
        assert_eq!(from_response(&head(401), b"<h1>Unauthorized</h1>", "m").kind(), "authentication");
        let e = from_response(&with(429, &[("retry-after", "2")]), b"Too Many Requests", "m");
        assert!(matches!(e, Error::RateLimited(RateLimit { retry_after_ms: Some(2000), .. })), "{e:?}");
        assert_eq!(from_response(&head(404), b"404 page not found", "m").kind(), "not-found");
    }

    #[test]
    fn redirects_name_the_target() {
        let e = from_response(&with(301, &[("location", "https://api.example.com/v1/images/generations")]), b"", "m");
        assert_eq!(e.kind(), "upstream");
        assert!(e.message().contains("https://api.example.com/v1/images/generations"), "{}", e.message());
    }

    #[test]
    fn stream_error_events_map_by_code() {
        let moderation: Value = serde_json::from_slice(&observed("moderation_blocked_gpt_image_400")).unwrap();
        // Enveloped and bare.
        for event in [moderation.clone(), moderation["error"].clone()] {
            let e = from_stream_error(&event, "gpt-image-1", Some("req_9"));
            assert_eq!(e.kind(), "content-policy", "{event}");
            assert_eq!(e.failure().unwrap().request_id.as_deref(), Some("req_9"));
            assert_eq!(e.status(), None);
        }
        let bare = serde_json::json!({"type": "error", "code": "server_error", "message": "Something went wrong", "param": null, "sequence_number": 1});
        let e = from_stream_error(&bare, "m", None);
        assert_eq!((e.kind(), e.failure().unwrap().code.as_deref()), ("upstream", Some("server_error")));
        assert!(e.message().contains("Something went wrong"));
        let e = from_stream_error(&serde_json::json!({"type": "error"}), "m", None);
        assert_eq!(e.kind(), "upstream");
        let e = from_stream_error(
            &serde_json::json!({"error": {"code": "rate_limit_exceeded", "message": "slow"}}),
            "m",
            None,
        );
        assert_eq!(e.kind(), "rate-limited");
    }

    #[test]
    fn excerpt_is_single_line_and_bounded() {
        assert_eq!(excerpt(b"  a\n\tb  \x00 c "), "a b c");
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(b"a < b and c > d"), "a < b and c > d");
        let e = excerpt("é".repeat(500).as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }

    proptest! {
        #[test]
        fn never_panics_and_always_keeps_the_status(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let e = from_response(&head(status), &body, "m");
            prop_assert_eq!(e.status(), Some(status));
            prop_assert!(!e.message().contains('\n'));
        }

        #[test]
        fn json_shaped_bodies_never_panic(message in ".{0,300}", code in proptest::option::of("[a-z_]{0,20}"), status in 400u16..600) {
            let body = serde_json::to_vec(&serde_json::json!({"error": {"message": message, "code": code, "type": "x"}})).unwrap();
            let e = from_response(&head(status), &body, "m");
            prop_assert!(e.message().chars().count() <= MESSAGE_CHARS + 100);
            prop_assert!(!e.message().contains('\n'));
        }
    }
}
