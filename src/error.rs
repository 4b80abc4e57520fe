//! The component's own helpers on the contract's typed failure ([`Error`],
//! generated in `bindings.rs`; its case name, message and failure are
//! `visual_contract`'s, shared with the hosts): building failures, and
//! scrubbing the key out of an error.

use crate::bindings::{Error, Failure, Status, TimeoutInfo, TimeoutPhase};

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), ..Failure::default() }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl TimeoutPhase {
    pub fn describe(self) -> &'static str {
        match self {
            TimeoutPhase::Connect => "connecting to the API",
            TimeoutPhase::FirstByte => "waiting for the response to begin",
            TimeoutPhase::BetweenBytes => "waiting for more of the response body",
        }
    }
}

impl Error {
    /// Removes `secret` from every text the error carries, so a server that
    /// echoes the key back (or a message built from a URL that held it) cannot
    /// leak it. Applied in one place: the client's boundary (`client.rs`).
    pub fn redacted(mut self, secret: &str) -> Self {
        let scrub = |s: &mut String| *s = redact(s, secret);
        match &mut self {
            Error::InvalidInput(m) | Error::Unsupported(m) | Error::Network(m) | Error::Cancelled(m) => scrub(m),
            Error::Timeout(TimeoutInfo { message, .. }) => scrub(message),
            _ => {}
        }
        if let Some(f) = self.failure_mut() {
            scrub(&mut f.message);
            if let Some(code) = &mut f.code {
                scrub(code);
            }
            if let Some(id) = &mut f.request_id {
                scrub(id);
            }
        }
        self
    }
}

impl Status {
    /// Removes `secret` from the message and the problem, as [`Error::redacted`].
    pub fn redacted(self, secret: &str) -> Self {
        Status { message: redact(&self.message, secret), problem: self.problem.map(|p| p.redacted(secret)), ..self }
    }
}

/// Replaces every occurrence of `secret` (and of any 8-character run of it, so
/// a truncated echo is caught too) with `[redacted]`. Short secrets are
/// replaced whole only.
pub fn redact(text: &str, secret: &str) -> String {
    let secret = secret.trim();
    if secret.is_empty() {
        return text.to_string();
    }
    let mut out = text.replace(secret, "[redacted]");
    const WINDOW: usize = 8;
    if secret.len() > WINDOW && secret.is_ascii() {
        // Longest first, so a long echo becomes one marker rather than many.
        for len in (WINDOW..secret.len()).rev() {
            for start in 0..=secret.len() - len {
                let piece = &secret[start..start + len];
                if out.contains(piece) {
                    out = out.replace(piece, "[redacted]");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn redact_removes_whole_and_partial_echoes() {
        let key = "sk-test-abcdefghijklmnopqrstuvwxyz0123";
        let text = format!("Incorrect API key provided: {key}. Also sk-test-abcdefgh**** and ...wxyz0123");
        let out = redact(&text, key);
        assert!(!out.contains(key));
        assert!(!out.contains("sk-test-abcdefgh"));
        assert!(!out.contains("wxyz0123"));
        assert!(out.contains("Incorrect API key provided: [redacted]"));
    }

    #[test]
    fn redact_with_empty_secret_is_identity() {
        assert_eq!(redact("hello", ""), "hello");
    }

    #[test]
    fn redacted_error_scrubs_every_field() {
        let key = "sk-secret-0123456789";
        let err = Error::Authentication(Failure {
            message: format!("bad key {key}"),
            status: Some(401),
            code: Some(key.to_string()),
            request_id: None,
        })
        .redacted(key);
        assert!(!format!("{err:?}").contains("0123456789"));
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.kind(), "authentication");
    }

    proptest! {
        /// Whole or cut short, wherever it is echoed, no run of 8 characters
        /// of the key survives.
        #[test]
        fn no_eight_characters_of_the_key_survive(
            key in "sk-[A-Za-z0-9_-]{8,60}",
            before in ".{0,40}",
            after in ".{0,40}",
            start in 0usize..64,
            len in 8usize..64,
        ) {
            // The marker itself would count as a run of such a key.
            prop_assume!(!key.contains("redacted"));
            let start = start.min(key.len() - 8);
            let echo = &key[start..(start + len).min(key.len())];
            let text = format!("{before}{key}{after} (was {echo}...)");
            let out = redact(&text, &key);
            for window in key.as_bytes().windows(8) {
                let window = std::str::from_utf8(window).unwrap();
                prop_assert!(!out.contains(window), "{:?} survived in {:?}", window, out);
            }
        }
    }
}
