//! What the mock made of a request ([`Outcome`]: an answer or an error) and
//! how it is written as a [`Reply`], bent by a [`Fault`] when one is due.
//! It sits above the answer writers ([`crate::output`]) and below the
//! handler, which records the verdict before this decides the bytes.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::azure;
use super::body::{Reply, Script, Step};
use super::errors::{self, mask_key};
use super::faults::Fault;
use super::output::{self, RenderedImages, StreamMod, Tamper};
use super::route::Op;

/// A successful answer before it is written.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// Boxed: a rendered job is large beside a JSON value.
    Images(Box<RenderedImages>),
    Json(Value),
}

/// What the mock made of a request, for writing the answer.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub op: Option<Op>,
    pub result: Result<Answer, errors::ApiError>,
    pub model: Option<String>,
    /// The key the client presented, however it presented it.
    pub key: Option<String>,
    pub azure: bool,
    pub request_id: String,
    pub created: u64,
    pub stream_pause: Duration,
}

impl Outcome {
    /// The answer with no fault, or with a payload/stream modification.
    fn normal(&self, tamper: Option<&Tamper>, modification: Option<StreamMod>) -> Reply {
        match &self.result {
            Err(e) => Reply::error(e),
            Ok(Answer::Json(v)) => Reply::json(StatusCode::OK, v),
            Ok(Answer::Images(r)) if r.job.stream => {
                Reply::event_stream(output::event_stream(r, tamper, modification, self.stream_pause, || {
                    errors::moderation_stream_error(&self.request_id)
                }))
            }
            Ok(Answer::Images(r)) => Reply::json(StatusCode::OK, &output::images_response(r, tamper)),
        }
    }

    /// The body as one JSON document (a stream's non-streamed equivalent).
    fn document(&self) -> Value {
        match &self.result {
            Err(e) => e.body.clone(),
            Ok(Answer::Json(v)) => v.clone(),
            Ok(Answer::Images(r)) => output::images_response(r, None),
        }
    }

    fn is_stream(&self) -> bool {
        matches!(&self.result, Ok(Answer::Images(r)) if r.job.stream)
    }

    fn model(&self) -> &str {
        self.model.as_deref().unwrap_or("gpt-image-1")
    }
}

/// The reply for an outcome under an optional fault.
pub(crate) fn respond(fault: Option<&Fault>, o: &Outcome) -> Reply {
    let Some(fault) = fault else {
        return o.normal(None, None);
    };
    match fault {
        Fault::Status { status, body, headers } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let kind = if serde_json::from_str::<Value>(body).is_ok() { "application/json" } else { "text/plain" };
            let mut r = Reply::new(status, kind, Script::full(body.clone()));
            for (name, value) in headers {
                let name = name.to_ascii_lowercase();
                r.headers.retain(|(n, _)| *n != name);
                r.headers.push((name, value.clone()));
            }
            r
        }
        Fault::Unauthorized401 => Reply::error(&match (&o.key, o.azure) {
            (_, true) => azure::access_denied(),
            (Some(k), false) if !k.is_empty() => errors::invalid_api_key(&mask_key(k)),
            _ => errors::missing_api_key(),
        }),
        Fault::EchoKey => Reply::error(&errors::invalid_api_key(o.key.as_deref().unwrap_or(""))),
        Fault::OrgNotVerified403 => Reply::error(&errors::org_not_verified(o.model())),
        Fault::ModelNotFound404 if o.azure => Reply::error(&azure::deployment_not_found()),
        Fault::ModelNotFound404 => Reply::error(&errors::model_not_found(o.model())),
        Fault::ContentPolicyViolation => Reply::error(&errors::content_policy_violation()),
        Fault::ModerationBlocked => Reply::error(&errors::moderation_blocked(&o.request_id)),
        Fault::AzureContentFilter => Reply::error(&errors::azure_content_filter()),
        Fault::InsufficientQuota429 => Reply::error(&errors::insufficient_quota()),
        Fault::RateLimited429 { retry_after_ms, retry_after_secs } => {
            let wait =
                retry_after_ms.map(|ms| ms as f64 / 1000.0).or(retry_after_secs.map(|s| s as f64)).unwrap_or(1.0);
            let mut e = errors::rate_limited(o.model(), wait)
                .with_header("x-ratelimit-limit-requests", "5")
                .with_header("x-ratelimit-remaining-requests", "0")
                .with_header("x-ratelimit-reset-requests", format!("{wait:.3}s"));
            if let Some(ms) = retry_after_ms {
                e = e.with_header("retry-after-ms", ms.to_string());
            }
            if let Some(s) = retry_after_secs {
                e = e.with_header("retry-after", s.to_string());
            }
            Reply::error(&e)
        }
        Fault::ServerError500 => Reply::error(&errors::server_error()),
        Fault::Overloaded503 => Reply::error(&errors::overloaded()),
        Fault::HtmlBadGateway502 => {
            let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
            let mut r = Reply::new(StatusCode::BAD_GATEWAY, "text/html", Script::full(page));
            r.headers.push(("server".to_string(), "nginx".to_string()));
            r.bare = true;
            r
        }
        Fault::TruncatedJson => {
            let full = serde_json::to_vec(&o.document()).expect("JSON values serialize");
            Reply::new(StatusCode::OK, "application/json", Script::full(full[..full.len() / 2].to_vec()))
        }
        Fault::EmptyData => {
            let body = match o.op {
                Some(Op::Chat) => json!({
                    "id": format!("chatcmpl-{}", o.request_id), "object": "chat.completion", "created": o.created,
                    "model": o.model(), "choices": [],
                }),
                _ => json!({"created": o.created, "data": []}),
            };
            Reply::json(StatusCode::OK, &body)
        }
        Fault::BadBase64 => o.normal(Some(&Tamper::BadBase64), None),
        Fault::NotAnImage => o.normal(Some(&Tamper::NotAnImage(junk(&o.request_id))), None),
        Fault::StreamBreakBeforeCompleted if o.is_stream() => o.normal(None, Some(StreamMod::BreakBeforeCompleted)),
        Fault::StreamBreakAfterCompleted if o.is_stream() => o.normal(None, Some(StreamMod::BreakAfterCompleted)),
        Fault::StreamErrorEvent if o.is_stream() => o.normal(None, Some(StreamMod::ErrorEvent)),
        Fault::StreamBreakBeforeCompleted | Fault::StreamBreakAfterCompleted | Fault::StreamErrorEvent => {
            o.normal(None, None)
        }
        Fault::ResetMidBody => {
            let mut r = o.normal(None, None);
            r.script = cut(r.script, vec![Step::Pause(Duration::from_millis(50)), Step::Reset], false);
            r
        }
        Fault::StallMidBody(d) => {
            let mut r = o.normal(None, None);
            r.script = cut(r.script, vec![Step::Pause(*d)], true);
            r
        }
        Fault::NoFirstByte(d) => {
            let mut r = o.normal(None, None);
            r.first_byte_delay = *d;
            r
        }
        Fault::HugeBody { bytes } => {
            let prefix = format!("{{\"created\":{},\"data\":[{{\"b64_json\":\"", o.created);
            let suffix = "\"}]}";
            let fill = bytes.saturating_sub((prefix.len() + suffix.len()) as u64);
            let total = prefix.len() as u64 + fill + suffix.len() as u64;
            static FILL: [u8; 64 * 1024] = [b'A'; 64 * 1024];
            let script = Script {
                steps: VecDeque::from([
                    Step::Data(Bytes::from(prefix)),
                    Step::Repeat { chunk: Bytes::from_static(&FILL), remaining: fill },
                    Step::Data(Bytes::from_static(suffix.as_bytes())),
                ]),
                declared_len: Some(total),
            };
            Reply::new(StatusCode::OK, "application/json", script)
        }
    }
}

/// Inserts `interruption` halfway through the body's data; with `resume`, the
/// rest follows it, else the body ends there. A `Content-Length` body keeps
/// its declared length, so the client knows it was short-changed.
fn cut(script: Script, interruption: Vec<Step>, resume: bool) -> Script {
    let data_steps = script.steps.iter().filter(|s| matches!(s, Step::Data(_))).count();
    let mut steps = VecDeque::new();
    if data_steps <= 1 {
        // One block of data (a JSON body): split the block itself.
        let data = script.data();
        let half = data.len() / 2;
        steps.push_back(Step::Data(Bytes::copy_from_slice(&data[..half])));
        steps.extend(interruption);
        if resume {
            steps.push_back(Step::Data(Bytes::copy_from_slice(&data[half..])));
        }
    } else {
        // A stream of events: stop after the first half of them.
        let keep = data_steps.div_ceil(2);
        let mut seen = 0;
        let mut rest = script.steps.into_iter();
        for step in rest.by_ref() {
            let is_data = matches!(step, Step::Data(_));
            steps.push_back(step);
            seen += is_data as usize;
            if seen == keep {
                break;
            }
        }
        steps.extend(interruption);
        if resume {
            steps.extend(rest);
        }
    }
    Script { steps, declared_len: script.declared_len }
}

/// Bytes that are valid base64 material but no image format (they start with `JUNK`).
fn junk(seed: &str) -> Bytes {
    let mut out = b"JUNK".to_vec();
    let mut block: [u8; 32] = Sha256::digest(seed.as_bytes()).into();
    while out.len() < 1024 {
        out.extend_from_slice(&block);
        block = Sha256::digest(block).into();
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_splits_json_and_streams() {
        let s = cut(Script::full(&b"0123456789"[..]), vec![Step::Reset], false);
        assert_eq!(s.data(), b"01234");
        assert_eq!(s.declared_len, Some(10));
        assert!(matches!(s.steps.back(), Some(Step::Reset)));

        let s = cut(Script::full(&b"0123456789"[..]), vec![Step::Pause(Duration::from_millis(1))], true);
        assert_eq!(s.data(), b"0123456789");

        let events = Script::chunked((0..3).map(|i| Step::Data(Bytes::from(format!("e{i}")))));
        let s = cut(events, vec![Step::Reset], false);
        assert_eq!(s.data(), b"e0e1");
        assert_eq!(s.declared_len, None);
    }

    #[test]
    fn junk_is_not_an_image() {
        assert!(image::guess_format(&junk("req_1")).is_err());
        assert_eq!(junk("a").len(), 1028);
    }
}
