//! The log of requests the mock received, so tests can assert what was sent
//! (or that nothing was), and whether the mock judged it valid.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use bytes::Bytes;

use super::errors::ApiError;
use super::faults::Fault;
use super::sniff::ImageInfo;

/// One request as the mock saw it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Arrival order, from 0; [`crate::MockServer::requests`] is sorted by it.
    pub seq: u64,
    /// The `x-request-id` the mock answered with.
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The raw body: whole for JSON, the first `record_body_limit` bytes for multipart.
    pub body: Bytes,
    /// How many body bytes arrived in all.
    pub body_len: u64,
    /// Multipart parts in order (empty for other bodies), summarised even when `body` is cut.
    pub parts: Vec<RecordedPart>,
    /// The model the request named (or the Azure deployment's model), when it could be read.
    pub model: Option<String>,
    /// The request asked for a server-sent-events stream.
    pub stream: bool,
    /// Whether the request was valid; a fault does not change this.
    pub verdict: Verdict,
    /// The fault this request consumed, if any.
    pub fault: Option<Fault>,
}

impl RecordedRequest {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A request parameter as sent: from a JSON body, its value with its JSON
    /// type (so a test can tell the string `"low"` from the number `3` or the
    /// boolean `true`); from a multipart body, a text field as a JSON string.
    /// `None` when it was not sent; file parts are in [`RecordedRequest::parts_named`].
    pub fn param(&self, name: &str) -> Option<serde_json::Value> {
        if let Some(serde_json::Value::Object(mut body)) = self.json() {
            return body.remove(name);
        }
        let part = self.parts_named(name).find(|p| p.filename.is_none())?;
        part.text.clone().map(serde_json::Value::String)
    }

    /// The multipart parts with this field name.
    pub fn parts_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RecordedPart> + 'a {
        self.parts.iter().filter(move |p| p.name.as_deref() == Some(name))
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedPart {
    pub name: Option<String>,
    pub filename: Option<String>,
    /// The part's own `Content-Type` header, as sent.
    pub content_type: Option<String>,
    pub len: u64,
    /// Hex SHA-256 of the part's bytes.
    pub sha256: String,
    /// The value of a text part (no filename), when it is UTF-8 and small.
    pub text: Option<String>,
    /// What the bytes of a file part really are, when they are an image
    /// (recorded for every file part: `image`, `mask`, 2.6's `markup`, ...).
    pub image: Option<ImageInfo>,
}

/// The mock's judgement of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Valid; answered normally (unless a fault said otherwise).
    Ok,
    /// Rejected with this error answer.
    Rejected { status: u16, code: Option<String>, param: Option<String>, message: String },
}

impl Verdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, Verdict::Ok)
    }

    pub(crate) fn from_error(e: &ApiError) -> Verdict {
        let (code, param, message) = e.summary();
        // Azure's envelope has no `param`/`type` and a string `code`; summary() reads it the same way.
        Verdict::Rejected { status: e.status.as_u16(), code, param, message }
    }
}

/// Thread-safe store of recorded requests.
#[derive(Default)]
pub(crate) struct Recorder {
    next_seq: AtomicU64,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl Recorder {
    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn push(&self, request: RecordedRequest) {
        self.requests.lock().unwrap().push(request);
    }

    /// Requests in arrival order (a long upload may finish after a later short request).
    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        let mut all = self.requests.lock().unwrap().clone();
        all.sort_by_key(|r| r.seq);
        all
    }

    pub fn clear(&self) {
        self.requests.lock().unwrap().clear();
    }
}
