//! Faults: the ways the real service (or what sits in front of it) fails, for
//! reliability tests, and the queue a test fills with them. A fault replaces
//! or bends the answer the mock would have given ([`crate::outcome`] does
//! that); it never changes the recorded verdict, so a test can check both
//! "the client retried" and "every request it sent was valid". Plain data, so
//! the request log can name the fault a request consumed.

use std::collections::VecDeque;
use std::time::Duration;

/// One misbehaviour, consumed by one request (or applied to all, see
/// [`crate::MockServer::set_fault_always`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Any status, body and headers (a JSON body gets `application/json`, else `text/plain`).
    Status { status: u16, body: String, headers: Vec<(String, String)> },
    /// 401 `invalid_api_key` naming the (masked) key the client sent.
    Unauthorized401,
    /// 403 "Your organization must be verified to use the model ..." (observed body).
    OrgNotVerified403,
    /// 404 `model_not_found` for the request's model (Azure: `DeploymentNotFound`).
    ModelNotFound404,
    /// 400 `content_policy_violation` (observed dall-e-3 body).
    ContentPolicyViolation,
    /// 400 `moderation_blocked` (observed GPT image body).
    ModerationBlocked,
    /// 429 `insufficient_quota`: not worth retrying.
    InsufficientQuota429,
    /// 429 `rate_limit_exceeded` with `retry-after-ms` / `retry-after` when given.
    RateLimited429 { retry_after_ms: Option<u64>, retry_after_secs: Option<u64> },
    /// 500 `server_error`.
    ServerError500,
    /// 503 "The engine is currently overloaded".
    Overloaded503,
    /// 502 with nginx's HTML page, as a proxy answers.
    HtmlBadGateway502,
    /// 200 whose JSON body is cut in half (the HTTP framing itself is complete).
    TruncatedJson,
    /// 200 `{"created":..,"data":[]}` (chat: `choices: []`).
    EmptyData,
    /// 200 whose `b64_json` values are `!!!notbase64`.
    BadBase64,
    /// 200 whose `b64_json` values decode to bytes that are no image.
    NotAnImage,
    /// Headers and half the body, then a TCP reset.
    ResetMidBody,
    /// Read the request, then send nothing for this long (then answer normally).
    NoFirstByte(Duration),
    /// Headers and half the body, then nothing for this long (then the rest).
    StallMidBody(Duration),
    /// 200 JSON of this many bytes, generated while sending (never allocated).
    HugeBody { bytes: u64 },
    /// 401 whose message contains the full key the client sent, to test redaction.
    EchoKey,
    /// A stream's partial images, then the connection drops before `completed`.
    StreamBreakBeforeCompleted,
    /// The whole stream including `completed`, then the connection drops instead of ending cleanly.
    StreamBreakAfterCompleted,
    /// A stream's partial images, then an `error` event (`moderation_blocked`), then a clean end.
    StreamErrorEvent,
    /// Azure's 400 content-filter envelope (`inner_error.content_filter_results`).
    AzureContentFilter,
}

impl Fault {
    /// 429 with `retry-after: secs`.
    pub fn rate_limited_secs(secs: u64) -> Fault {
        Fault::RateLimited429 { retry_after_ms: None, retry_after_secs: Some(secs) }
    }

    /// 429 with `retry-after-ms: ms`.
    pub fn rate_limited_ms(ms: u64) -> Fault {
        Fault::RateLimited429 { retry_after_ms: Some(ms), retry_after_secs: None }
    }
}

/// Queued faults first, then the standing one.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pub queue: VecDeque<Fault>,
    pub always: Option<Fault>,
}

impl FaultQueue {
    pub fn take(&mut self) -> Option<Fault> {
        self.queue.pop_front().or_else(|| self.always.clone())
    }
}
