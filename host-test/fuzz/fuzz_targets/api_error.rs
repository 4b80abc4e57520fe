//! Non-2xx responses mapped to the contract's errors, and the retry decision
//! taken on them: no panic, the status is kept, the message is one bounded
//! line, a key echoed anywhere in the body is scrubbed, and only what the
//! policy calls transient is retried, never for longer than its caps.

#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use openai_visual_backend::api_error;
use openai_visual_backend::bindings::Error;
use openai_visual_backend::http::ResponseHead;
use openai_visual_backend::retry::{self, Decision, RetryPolicy};
use openai_visual_backend_fuzz::{assert_error_has_no_key, assert_tidy, plant_key, KEY};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    status: u16,
    /// `retry-after`, `retry-after-ms`, `x-request-id`, `x-should-retry`, `location`, or any.
    headers: Vec<(u8, String)>,
    attempt: u8,
    random: u64,
    body: &'a [u8],
}

const HEADER_NAMES: &[&str] =
    &["retry-after", "retry-after-ms", "x-request-id", "apim-request-id", "x-should-retry", "location", "content-type"];

fuzz_target!(|input: Input<'_>| {
    let status = 100 + input.status % 500;
    let headers = input
        .headers
        .iter()
        .map(|(name, value)| (HEADER_NAMES[usize::from(*name) % HEADER_NAMES.len()].to_string(), value.clone()))
        .collect();
    let head = ResponseHead { status, headers };
    let body = plant_key(input.body);

    let error = api_error::from_response(&head, &body, "gpt-image-1");
    assert_eq!(error.status(), Some(status), "{error:?}");
    assert_tidy(error.message(), 1300);
    let scrubbed = error.clone().redacted(KEY);
    assert_error_has_no_key(&scrubbed);
    assert_eq!(scrubbed.kind(), error.kind());

    let policy = RetryPolicy::new(2);
    let attempt = u32::from(input.attempt % 4);
    if let Decision::Retry(wait) = policy.after_response(attempt, &head, &error, input.random) {
        assert!(attempt < policy.max_retries, "retried past max_retries");
        assert!(retry::retryable_status(status), "retried HTTP {status}");
        assert!(!matches!(error, Error::QuotaExceeded(_)), "retried an empty account");
        assert!(wait <= policy.max_server_wait.max(policy.max_delay), "waits {wait:?}");
    }

    // The same body as a stream's `error` event: no status to lean on.
    if let Ok(event) = serde_json::from_slice::<serde_json::Value>(&body) {
        let error = api_error::from_stream_error(&event, "gpt-image-1", Some("req_1"));
        assert_eq!(error.status(), None);
        assert_tidy(error.message(), 1300);
        assert_error_has_no_key(&error.redacted(KEY));
    }
});
