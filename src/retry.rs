//! When to send a failed request again, and how long to wait first.
//!
//! Pure: the client passes in what happened and a random number, and gets
//! back a [`Decision`]; it does the sleeping itself. That keeps every rule
//! testable without a clock.
//!
//! The rules follow the official OpenAI SDKs (retry 408, 409, 429 and 5xx
//! with exponential backoff and jitter, honour `retry-after-ms` and
//! `retry-after`), with one deliberate difference: a request that timed out
//! or broke *after* it was sent is never retried. The SDKs do retry those,
//! but an image generation the server already accepted keeps running and is
//! billed, so a retry would pay twice and wait minutes longer; the caller
//! gets a `timeout` or `network` error and decides.

use std::time::Duration;

use crate::bindings::{Error, TimeoutPhase};
use crate::http::{ResponseHead, TransportError};

/// How patiently to retry. `max_retries` comes from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts in all).
    pub max_retries: u32,
    /// The first backoff; doubled on each retry.
    pub base_delay: Duration,
    /// The longest computed backoff.
    pub max_delay: Duration,
    /// The longest server-requested wait we sleep through. A longer
    /// `retry-after` means giving up at once, so the host sees `rate-limited`
    /// with the wait instead of a call that hangs for minutes.
    pub max_server_wait: Duration,
}

impl RetryPolicy {
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(8);
    pub const DEFAULT_MAX_SERVER_WAIT: Duration = Duration::from_secs(60);

    /// The default delays with `max_retries` retries.
    pub fn new(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
            max_server_wait: Self::DEFAULT_MAX_SERVER_WAIT,
        }
    }

    /// After attempt number `attempt` (0 for the first) got a non-2xx
    /// response, mapped to `error` by `api_error`. `random` feeds the jitter.
    pub fn after_response(&self, attempt: u32, head: &ResponseHead, error: &Error, random: u64) -> Decision {
        if attempt >= self.max_retries || !retryable_status(head.status) {
            return Decision::GiveUp;
        }
        // An empty account stays empty: a retry only delays the bad news.
        if matches!(error, Error::QuotaExceeded(_)) {
            return Decision::GiveUp;
        }
        // The SDKs honour this header both ways; we honour only "false",
        // since "true" on a 4xx would contradict the rules above.
        if head.header("x-should-retry").is_some_and(|v| v.trim().eq_ignore_ascii_case("false")) {
            return Decision::GiveUp;
        }
        match retry_after(head) {
            Some(wait) if wait > self.max_server_wait => Decision::GiveUp,
            Some(wait) => Decision::Retry(wait),
            None => Decision::Retry(self.backoff(attempt, random)),
        }
    }

    /// After attempt number `attempt` failed below HTTP. Only failures where
    /// the request certainly never reached the server are retried.
    pub fn after_transport_error(&self, attempt: u32, error: &TransportError, random: u64) -> Decision {
        if attempt >= self.max_retries || !error.never_sent() {
            return Decision::GiveUp;
        }
        debug_assert!(matches!(error, TransportError::Connect(_) | TransportError::Timeout(TimeoutPhase::Connect)));
        Decision::Retry(self.backoff(attempt, random))
    }

    /// `base * 2^attempt`, capped at `max_delay`, then shortened by up to 25 %
    /// (the SDKs' jitter) so clients that failed together do not retry together.
    pub fn backoff(&self, attempt: u32, random: u64) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        let delay = self.base_delay.saturating_mul(factor).min(self.max_delay);
        // The top 53 bits give a uniform fraction in [0, 1).
        let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
        delay.mul_f64(1.0 - 0.25 * fraction)
    }
}

/// What the client should do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then send the same request again.
    Retry(Duration),
    /// Return the error.
    GiveUp,
}

/// Statuses that say "try again": request timeout, lock conflict, rate
/// limit, and the server or a gateway failing. 501 and 505+ are permanent.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500 | 502 | 503 | 504)
}

/// The wait the server asked for: `retry-after-ms` (OpenAI's, milliseconds)
/// or `retry-after` (seconds; fractions accepted). The HTTP-date form of
/// `retry-after` counts as not given: the pure logic has no wall clock to
/// subtract it from, and OpenAI sends seconds. Zero, negative and
/// non-finite values count as not given too, as in the SDKs.
pub fn retry_after(head: &ResponseHead) -> Option<Duration> {
    let parse = |name: &str, unit_secs: f64| {
        let value: f64 = head.header(name)?.trim().parse().ok()?;
        (value.is_finite() && value > 0.0).then(|| Duration::try_from_secs_f64(value * unit_secs).ok()).flatten()
    };
    parse("retry-after-ms", 0.001).or_else(|| parse("retry-after", 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Failure, RateLimit};
    use proptest::prelude::*;

    fn head(status: u16, headers: &[(&str, &str)]) -> ResponseHead {
        ResponseHead { status, headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect() }
    }

    fn upstream(status: u16) -> Error {
        Error::Upstream(Failure::new("x").with_status(status))
    }

    fn rate_limited() -> Error {
        Error::RateLimited(RateLimit { failure: Failure::new("slow down").with_status(429), retry_after_ms: None })
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down_by_at_most_a_quarter() {
        let p = RetryPolicy::new(10);
        assert_eq!(p.backoff(0, 0), Duration::from_millis(500));
        assert_eq!(p.backoff(1, 0), Duration::from_secs(1));
        assert_eq!(p.backoff(3, 0), Duration::from_secs(4));
        assert_eq!(p.backoff(4, 0), Duration::from_secs(8));
        assert_eq!(p.backoff(9, 0), Duration::from_secs(8));
        assert_eq!(p.backoff(u32::MAX, 0), Duration::from_secs(8));
        let jittered = p.backoff(0, u64::MAX);
        assert!(jittered >= Duration::from_millis(375) && jittered < Duration::from_millis(376), "{jittered:?}");
        assert_eq!(p.backoff(2, 1 << 63), Duration::from_millis(1750));
    }

    #[test]
    fn retries_transient_statuses_only() {
        let p = RetryPolicy::new(2);
        for status in [408, 409, 500, 502, 503, 504] {
            assert_eq!(p.after_response(0, &head(status, &[]), &upstream(status), 0), Decision::Retry(p.backoff(0, 0)));
        }
        assert_eq!(p.after_response(1, &head(429, &[]), &rate_limited(), 0), Decision::Retry(Duration::from_secs(1)));
        for status in [400, 401, 403, 404, 413, 422, 501, 505] {
            assert_eq!(p.after_response(0, &head(status, &[]), &upstream(status), 0), Decision::GiveUp, "{status}");
        }
    }

    #[test]
    fn stops_after_max_retries() {
        let p = RetryPolicy::new(2);
        assert!(matches!(p.after_response(1, &head(503, &[]), &upstream(503), 0), Decision::Retry(_)));
        assert_eq!(p.after_response(2, &head(503, &[]), &upstream(503), 0), Decision::GiveUp);
        assert_eq!(RetryPolicy::new(0).after_response(0, &head(503, &[]), &upstream(503), 0), Decision::GiveUp);
    }

    #[test]
    fn never_retries_an_empty_account() {
        let quota = Error::QuotaExceeded(Failure::new("quota").with_status(429));
        assert_eq!(RetryPolicy::new(5).after_response(0, &head(429, &[]), &quota, 0), Decision::GiveUp);
    }

    #[test]
    fn honours_the_servers_wait_up_to_the_cap() {
        let p = RetryPolicy::new(2);
        let d = |h: &[(&str, &str)]| p.after_response(0, &head(429, h), &rate_limited(), u64::MAX);
        assert_eq!(d(&[("retry-after-ms", "1500")]), Decision::Retry(Duration::from_millis(1500)));
        assert_eq!(d(&[("retry-after-ms", "12.5")]), Decision::Retry(Duration::from_micros(12_500)));
        assert_eq!(d(&[("retry-after", "3")]), Decision::Retry(Duration::from_secs(3)));
        assert_eq!(d(&[("retry-after", " 0.25 ")]), Decision::Retry(Duration::from_millis(250)));
        // The millisecond header wins when both are sent.
        assert_eq!(d(&[("retry-after", "9"), ("retry-after-ms", "100")]), Decision::Retry(Duration::from_millis(100)));
        assert_eq!(d(&[("retry-after", "60")]), Decision::Retry(Duration::from_secs(60)));
        assert_eq!(d(&[("retry-after", "61")]), Decision::GiveUp);
        assert_eq!(d(&[("retry-after-ms", "3600000")]), Decision::GiveUp);
        // Unusable values fall back to backoff.
        for bad in ["0", "-1", "soon", "NaN", "inf", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            assert_eq!(d(&[("retry-after", bad)]), Decision::Retry(p.backoff(0, u64::MAX)), "{bad}");
        }
        // Header names are matched without regard to case.
        assert_eq!(d(&[("Retry-After", "2")]), Decision::Retry(Duration::from_secs(2)));
    }

    #[test]
    fn x_should_retry_false_is_honoured() {
        let p = RetryPolicy::new(2);
        assert_eq!(
            p.after_response(0, &head(503, &[("x-should-retry", "false")]), &upstream(503), 0),
            Decision::GiveUp
        );
        // "true" does not make a 400 retryable.
        assert_eq!(p.after_response(0, &head(400, &[("x-should-retry", "true")]), &upstream(400), 0), Decision::GiveUp);
    }

    #[test]
    fn transport_errors_retry_only_when_nothing_was_sent() {
        let p = RetryPolicy::new(2);
        let retry = Decision::Retry(p.backoff(0, 0));
        assert_eq!(p.after_transport_error(0, &TransportError::Connect("refused".into()), 0), retry);
        assert_eq!(p.after_transport_error(0, &TransportError::Timeout(TimeoutPhase::Connect), 0), retry);
        assert_eq!(p.after_transport_error(2, &TransportError::Connect("refused".into()), 0), Decision::GiveUp);
        for e in [
            TransportError::Reset("broken pipe".into()),
            TransportError::Timeout(TimeoutPhase::FirstByte),
            TransportError::Timeout(TimeoutPhase::BetweenBytes),
            TransportError::Denied("not allowed".into()),
            TransportError::TooLarge { limit: 1 },
            TransportError::Cancelled,
            TransportError::Other("?".into()),
        ] {
            assert_eq!(p.after_transport_error(0, &e, 0), Decision::GiveUp, "{e:?}");
        }
    }

    proptest! {
        /// Retry exactly when the policy says so, and wait exactly what the
        /// server asked (within the cap) or the backoff.
        #[test]
        fn decisions_follow_the_rules(
            status in 100u16..600,
            attempt in 0u32..6,
            max_retries in 0u32..5,
            random in any::<u64>(),
            seconds in proptest::option::of("[0-9]{1,3}(\\.[0-9]{1,3})?|-1|0|soon|inf"),
            millis in proptest::option::of("[0-9]{1,8}"),
        ) {
            let p = RetryPolicy::new(max_retries);
            let mut headers = Vec::new();
            if let Some(v) = &seconds {
                headers.push(("retry-after", v.as_str()));
            }
            if let Some(v) = &millis {
                headers.push(("retry-after-ms", v.as_str()));
            }
            let h = head(status, &headers);
            let asked = retry_after(&h);
            let retries = attempt < max_retries
                && retryable_status(status)
                && asked.is_none_or(|wait| wait <= p.max_server_wait);
            match p.after_response(attempt, &h, &upstream(status), random) {
                Decision::Retry(wait) => {
                    prop_assert!(retries);
                    prop_assert_eq!(wait, asked.unwrap_or_else(|| p.backoff(attempt, random)));
                    prop_assert!(wait <= p.max_server_wait.max(p.max_delay));
                }
                Decision::GiveUp => prop_assert!(!retries),
            }
        }

        #[test]
        fn backoff_is_the_doubled_base_less_at_most_a_quarter(attempt in 0u32..64, random in any::<u64>()) {
            let p = RetryPolicy::new(10);
            let full = p.base_delay.saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX)).min(p.max_delay);
            let wait = p.backoff(attempt, random);
            prop_assert!(wait <= full, "{:?} > {:?}", wait, full);
            prop_assert!(wait + Duration::from_nanos(1) >= full.mul_f64(0.75), "{:?} < 3/4 of {:?}", wait, full);
        }
    }
}
