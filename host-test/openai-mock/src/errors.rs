//! Error answers, in the exact envelopes the real services use.
//!
//! OpenAI's is `{"error":{"message","type","param","code"}}`; the wording of
//! each message follows what the API is known to say (the observed bodies in
//! `fixtures/` are copied from `shared/openai/errors_observed` and embedded, so
//! nothing outside the crate is read at run time).

use http::StatusCode;
use serde_json::{json, Value};

const UNSUPPORTED_MIMETYPE: &str = include_str!("../fixtures/unsupported_mimetype_400.json");
const INVALID_IMAGE_FILE: &str = include_str!("../fixtures/invalid_image_file_400.json");
const INVALID_TYPE_FILE: &str = include_str!("../fixtures/invalid_type_image0_400.json");
const ORG_NOT_VERIFIED: &str = include_str!("../fixtures/org_not_verified_403.json");
const CONTENT_POLICY: &str = include_str!("../fixtures/content_policy_violation_dalle3_400.json");
const MODERATION_BLOCKED: &str = include_str!("../fixtures/moderation_blocked_gpt_image_400.json");
const AZURE_CONTENT_FILTER: &str = include_str!("../fixtures/azure_content_filter_400.json");
const MODEL_RETIRED: &str = include_str!("../fixtures/model_retired_404.json");

/// An error answer: status, JSON body and any extra headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    /// The OpenAI envelope with `type: invalid_request_error`.
    pub fn invalid(status: StatusCode, message: impl Into<String>, param: Option<&str>, code: Option<&str>) -> Self {
        Self::typed(status, "invalid_request_error", message, param, code)
    }

    pub fn typed(
        status: StatusCode,
        kind: &str,
        message: impl Into<String>,
        param: Option<&str>,
        code: Option<&str>,
    ) -> Self {
        ApiError {
            status,
            body: json!({"error": {"message": message.into(), "type": kind, "param": param, "code": code}}),
            headers: Vec::new(),
        }
    }

    fn fixture(status: StatusCode, text: &str) -> Self {
        ApiError { status, body: serde_json::from_str(text).expect("embedded fixture is JSON"), headers: Vec::new() }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Rewrites `error.message` (fixtures carry placeholders such as `req_XXXX`).
    fn map_message(mut self, f: impl FnOnce(&str) -> String) -> Self {
        if let Some(Value::String(m)) = self.body.pointer_mut("/error/message") {
            *m = f(m);
        }
        self
    }

    fn set(mut self, field: &str, value: Value) -> Self {
        if let Some(Value::Object(e)) = self.body.get_mut("error") {
            e.insert(field.to_string(), value);
        }
        self
    }

    /// `error.code`, `error.param` and `error.message`, for the recorded verdict.
    pub fn summary(&self) -> (Option<String>, Option<String>, String) {
        let e = &self.body["error"];
        let s = |v: &Value| v.as_str().map(str::to_string);
        (s(&e["code"]), s(&e["param"]), s(&e["message"]).unwrap_or_default())
    }
}

/// A key shown the way the API shows it: a few characters each end, the rest starred.
pub(crate) fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        20.. => (8, 4),
        10..=19 => (5, 3),
        4..=9 => (2, 0),
        _ => (0, 0),
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

pub(crate) fn missing_api_key() -> ApiError {
    ApiError::invalid(
        StatusCode::UNAUTHORIZED,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth \
         (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the \
         API from your browser and are prompted for a username. You can obtain an API key from \
         https://platform.openai.com/account/api-keys.",
        None,
        None,
    )
}

/// `shown` is the key as the message displays it: masked normally, whole for the echo fault.
pub(crate) fn invalid_api_key(shown: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::UNAUTHORIZED,
        format!(
            "Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys."
        ),
        None,
        Some("invalid_api_key"),
    )
}

pub(crate) fn mismatched_header(what: &str, code: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::UNAUTHORIZED,
        format!("{what} header should match {} for API key", what_lower(what)),
        None,
        Some(code),
    )
}

fn what_lower(header: &str) -> &'static str {
    if header.ends_with("Project") {
        "project"
    } else {
        "organization"
    }
}

pub(crate) fn invalid_url(method: &str, path: &str) -> ApiError {
    ApiError::invalid(StatusCode::NOT_FOUND, format!("Invalid URL ({method} {path})"), None, None)
}

pub(crate) fn model_not_found(model: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::NOT_FOUND,
        format!("The model '{model}' does not exist or you do not have access to it."),
        None,
        Some("model_not_found"),
    )
}

/// The observed body after a shutdown (`model_retired_404.json`): no `param` at all.
pub(crate) fn model_retired(model: &str) -> ApiError {
    ApiError::fixture(StatusCode::NOT_FOUND, MODEL_RETIRED)
        .map_message(|m| m.replace("`dall-e-3`", &format!("`{model}`")))
}

/// What `/chat/completions` answers for a model that is not a chat model.
pub(crate) fn not_a_chat_model() -> ApiError {
    ApiError::invalid(
        StatusCode::NOT_FOUND,
        "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use \
         v1/completions?",
        Some("model"),
        None,
    )
}

/// A known parameter this model does not take; `hint` follows the sentence when given.
pub(crate) fn unsupported_parameter(name: &str, hint: Option<&str>) -> ApiError {
    let hint = hint.map(|h| format!(" {h}")).unwrap_or_default();
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Unsupported parameter: '{name}' is not supported with this model.{hint}"),
        Some(name),
        Some("unsupported_parameter"),
    )
}

/// A value of a known parameter this model does not take.
pub(crate) fn unsupported_value(name: &str, value: &str, supported: &[&str]) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!(
            "Unsupported value: '{name}' does not support '{value}' with this model. Supported values are: {}.",
            listed(supported)
        ),
        Some(name),
        Some("unsupported_value"),
    )
}

pub(crate) fn invalid_json() -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library \
         correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble \
         figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        None,
        None,
    )
}

pub(crate) fn unsupported_content_type(got: Option<&str>, accepted: &str) -> ApiError {
    let got = got.unwrap_or("");
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!(
            "Unsupported content type: '{got}'. This API method only accepts {accepted} requests, but you specified the \
             header 'Content-Type: {got}'. Please try again with a supported content type."
        ),
        None,
        Some("unsupported_content_type"),
    )
}

pub(crate) fn body_too_large(limit: usize) -> ApiError {
    ApiError::invalid(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is too large; the maximum is {limit} bytes."),
        None,
        Some("request_too_large"),
    )
}

pub(crate) fn body_unreadable(why: &str) -> ApiError {
    ApiError::invalid(StatusCode::BAD_REQUEST, format!("The request body could not be read: {why}"), None, None)
}

pub(crate) fn unknown_parameter(name: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Unknown parameter: '{name}'."),
        Some(name),
        Some("unknown_parameter"),
    )
}

pub(crate) fn unrecognized_argument(name: &str) -> ApiError {
    ApiError::invalid(StatusCode::BAD_REQUEST, format!("Unrecognized request argument supplied: {name}"), None, None)
}

pub(crate) fn missing_required(name: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Missing required parameter: '{name}'."),
        Some(name),
        Some("missing_required_parameter"),
    )
}

/// How an `invalid_type` message names the type of a JSON value (`got` in
/// [`invalid_type`]); every JSON body check words it this way.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a decimal",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn invalid_type(name: &str, expected: &str, got: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Invalid type for '{name}': expected {expected}, but got {got} instead."),
        Some(name),
        Some("invalid_type"),
    )
}

/// "Supported values are: 'a', 'b', and 'c'."
pub(crate) fn invalid_value(name: &str, value: &str, supported: &[&str]) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Invalid value: '{value}'. Supported values are: {}.", listed(supported)),
        Some(name),
        Some("invalid_value"),
    )
}

/// "'a', 'b', and 'c'".
fn listed(values: &[&str]) -> String {
    let list: Vec<String> = values.iter().map(|s| format!("'{s}'")).collect();
    match list.len() {
        0 => String::new(),
        1 => list[0].clone(),
        2 => format!("{} and {}", list[0], list[1]),
        n => format!("{}, and {}", list[..n - 1].join(", "), list[n - 1]),
    }
}

pub(crate) fn invalid_value_msg(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(StatusCode::BAD_REQUEST, message, Some(name), Some("invalid_value"))
}

pub(crate) fn empty_string(name: &str) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!(
            "Invalid '{name}': empty string. Expected a string with minimum length 1, but got an empty string instead."
        ),
        Some(name),
        Some("empty_string"),
    )
}

pub(crate) fn string_too_long(name: &str, max: usize, got: usize) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!(
            "Invalid '{name}': string too long. Expected a string with maximum length {max}, but got a string with length \
             {got} instead."
        ),
        Some(name),
        Some("string_above_max_length"),
    )
}

pub(crate) fn integer_out_of_range(name: &str, got: i64, min: i64, max: i64) -> ApiError {
    let (what, bound, code) = if got < min {
        ("below minimum", format!(">= {min}"), "integer_below_min_value")
    } else {
        ("above maximum", format!("<= {max}"), "integer_above_max_value")
    };
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!("Invalid '{name}': integer {what} value. Expected a value {bound}, but got {got} instead."),
        Some(name),
        Some(code),
    )
}

pub(crate) fn array_too_long(name: &str, max: usize, got: usize) -> ApiError {
    ApiError::invalid(
        StatusCode::BAD_REQUEST,
        format!(
            "Invalid '{name}': array too long. Expected an array with maximum length {max}, but got an array with length \
             {got} instead."
        ),
        Some(name),
        Some("array_above_max_length"),
    )
}

/// Requests the real API would serve but this mock will not (see the module docs).
pub(crate) fn not_in_mock(param: Option<&str>, message: impl Into<String>) -> ApiError {
    ApiError::invalid(StatusCode::BAD_REQUEST, message, param, Some("unsupported_by_mock"))
}

/// The observed "unsupported mimetype" body, for the named file field.
pub(crate) fn unsupported_mimetype(param: &str, mime: &str, supported: &str) -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, UNSUPPORTED_MIMETYPE)
        .map_message(|_| {
            format!("Invalid file '{param}': unsupported mimetype ('{mime}'). Supported file formats are {supported}.")
        })
        .set("param", json!(param))
}

pub(crate) const IMAGE_MIMETYPES: &str = "'image/jpeg', 'image/png', and 'image/webp'";

/// The observed "invalid image file" body; `index` is 1-based as in the real message.
pub(crate) fn invalid_image_file(index: usize, request_id: &str) -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, INVALID_IMAGE_FILE)
        .map_message(|m| m.replace("image 1,", &format!("image {index},")).replace("req_XXXX", request_id))
}

/// The observed "expected a file, but got a string" body, for the named field.
pub(crate) fn expected_file(param: &str) -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, INVALID_TYPE_FILE)
        .map_message(|m| m.replace("'image[0]'", &format!("'{param}'")))
        .set("param", json!(param))
}

pub(crate) fn org_not_verified(model: &str) -> ApiError {
    ApiError::fixture(StatusCode::FORBIDDEN, ORG_NOT_VERIFIED)
        .map_message(|m| m.replace("`gpt-image-1`", &format!("`{model}`")))
}

pub(crate) fn content_policy_violation() -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, CONTENT_POLICY)
}

pub(crate) fn moderation_blocked(request_id: &str) -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, MODERATION_BLOCKED).map_message(|m| m.replace("<uuid>", request_id))
}

pub(crate) fn azure_content_filter() -> ApiError {
    ApiError::fixture(StatusCode::BAD_REQUEST, AZURE_CONTENT_FILTER)
}

pub(crate) fn insufficient_quota() -> ApiError {
    ApiError::typed(
        StatusCode::TOO_MANY_REQUESTS,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details. For more information on this \
         error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        None,
        Some("insufficient_quota"),
    )
}

pub(crate) fn rate_limited(model: &str, wait_secs: f64) -> ApiError {
    ApiError::typed(
        StatusCode::TOO_MANY_REQUESTS,
        "requests",
        format!(
            "Rate limit reached for {model} in organization org-mock on requests per minute (RPM): Limit 5, Used 5, \
             Requested 1. Please try again in {wait_secs:.3}s. Visit https://platform.openai.com/account/rate-limits to \
             learn more."
        ),
        None,
        Some("rate_limit_exceeded"),
    )
}

pub(crate) fn server_error() -> ApiError {
    ApiError::typed(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "The server had an error while processing your request. Sorry about that!",
        None,
        None,
    )
}

pub(crate) fn overloaded() -> ApiError {
    ApiError::typed(
        StatusCode::SERVICE_UNAVAILABLE,
        "server_error",
        "The engine is currently overloaded, please try again later",
        None,
        None,
    )
}

/// The body of the `error` event a stream carries when moderation stops it late.
pub(crate) fn moderation_stream_error(request_id: &str) -> Value {
    moderation_blocked(request_id).body["error"].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_the_api() {
        assert_eq!(mask_key("sk-mock-key"), "sk-mo***key");
        assert_eq!(mask_key("sk-proj-abcdefghijklmnopqrstuvwxyz"), "sk-proj-**********************wxyz");
        assert_eq!(mask_key("sk-bad"), "sk****");
        assert_eq!(mask_key("abc"), "***");
    }

    #[test]
    fn fixtures_keep_their_shape_after_rewriting() {
        let e = unsupported_mimetype("image[1]", "application/octet-stream", IMAGE_MIMETYPES);
        assert_eq!(e.body["error"]["param"], "image[1]");
        assert_eq!(e.body["error"]["code"], "unsupported_file_mimetype");
        assert!(e.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid file 'image[1]': unsupported mimetype"));
        let e = invalid_image_file(3, "req_abc");
        let m = e.body["error"]["message"].as_str().unwrap();
        assert!(m.contains("image 3,") && m.contains("req_abc"), "{m}");
        assert_eq!(
            invalid_value("size", "1x1", &["a", "b", "c"]).summary().2,
            "Invalid value: '1x1'. Supported values are: 'a', 'b', and 'c'."
        );
    }
}
