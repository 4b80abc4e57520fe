//! Readiness as a host shows it: what `check` found (or the error that kept it
//! from finding anything) as one coloured light and a sentence, the same way
//! in every host built on this library.
//!
//! | light | from | Talemate's `BackendStatusType` |
//! |---|---|---|
//! | green | `ok` | `OK` |
//! | amber | `warning` (organization verification may be needed, a model that shuts down soon), or a rate limit: it will work, or may | `WARNING` |
//! | red | `error` (a bad key, an unknown or retired model, an unreachable service, ...) | `ERROR` |
//! | grey | nothing was checked: no backend chosen, a required setting (the key) missing, the check cancelled | `DISCONNECTED` |

use crate::bindings::{Error, Status, StatusLevel};

/// The colour of a status indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Light {
    /// Ready.
    Green,
    /// Usable, with something the user should know.
    Amber,
    /// Will not work until the user changes something.
    Red,
    /// Not checked: not configured, or the check did not finish.
    Grey,
}

impl Light {
    /// `green`, `amber`, `red` or `grey`.
    pub fn name(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Amber => "amber",
            Light::Red => "red",
            Light::Grey => "grey",
        }
    }
}

/// A status indicator: the light, the sentence beside it, and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pill {
    pub light: Light,
    /// One sentence for the user, as the backend wrote it.
    pub message: String,
    /// The model that was checked, when the check got that far.
    pub model: Option<String>,
    /// The error case (`authentication`, `not-found`, ...) behind an amber or red light.
    pub problem: Option<&'static str>,
}

/// The light for what a check found.
pub fn light(status: &Status) -> Light {
    match status.level {
        StatusLevel::Ok => Light::Green,
        StatusLevel::Warning => Light::Amber,
        StatusLevel::Error => match &status.problem {
            Some(problem) => error_light(problem),
            None => Light::Red,
        },
    }
}

/// The light for an error that stopped a check (or that a check reported).
/// A rate limit is amber: the key and the model are fine, the service is busy.
pub fn error_light(error: &Error) -> Light {
    match error {
        Error::RateLimited(_) => Light::Amber,
        Error::Cancelled(_) => Light::Grey,
        _ => Light::Red,
    }
}

impl Pill {
    /// What a check found.
    pub fn from_status(status: &Status) -> Pill {
        Pill {
            light: light(status),
            message: status.message.clone(),
            model: Some(status.model.clone()).filter(|m| !m.is_empty()),
            problem: status.problem.as_ref().map(Error::kind),
        }
    }

    /// A check that returned an error instead of a status.
    pub fn from_error(error: &Error) -> Pill {
        let message = match error.message() {
            "" => error.kind().to_string(),
            message => message.to_string(),
        };
        Pill { light: error_light(error), message, model: None, problem: Some(error.kind()) }
    }

    /// Nothing to check yet: say why (no backend chosen, no key set, ...).
    pub fn off(message: impl Into<String>) -> Pill {
        Pill { light: Light::Grey, message: message.into(), model: None, problem: None }
    }

    /// The host itself failed (the component trapped, the check ran out of
    /// time): red, with no error case from the backend.
    pub fn host_failure(message: impl Into<String>) -> Pill {
        Pill { light: Light::Red, message: message.into(), model: None, problem: None }
    }

    /// Ready enough to use: green or amber.
    pub fn usable(&self) -> bool {
        matches!(self.light, Light::Green | Light::Amber)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Failure, RateLimit, TimeoutInfo, TimeoutPhase};

    fn failure(message: &str, status: u16) -> Failure {
        Failure { message: message.into(), status: Some(status), code: None, request_id: None }
    }

    fn status(level: StatusLevel, message: &str, problem: Option<Error>) -> Status {
        Status { level, message: message.into(), model: "gpt-image-2.5-flare".into(), problem }
    }

    #[test]
    fn levels_map_to_lights() {
        let ok = Pill::from_status(&status(StatusLevel::Ok, "gpt-image-2.5-flare is available", None));
        assert_eq!((ok.light, ok.problem, ok.model.as_deref()), (Light::Green, None, Some("gpt-image-2.5-flare")));
        assert!(ok.usable());

        let warning = status(StatusLevel::Warning, "organization verification may be needed", None);
        let pill = Pill::from_status(&warning);
        assert_eq!((pill.light, pill.message.as_str()), (Light::Amber, "organization verification may be needed"));
        assert!(pill.usable());
    }

    #[test]
    fn an_error_status_is_red_with_its_case() {
        for (problem, kind) in [
            (Error::Authentication(failure("Incorrect API key provided", 401)), "authentication"),
            (Error::PermissionDenied(failure("verify your organization", 403)), "permission-denied"),
            (Error::NotFound(failure("dall-e-3 was retired on 2026-05-12", 404)), "not-found"),
            (Error::Network("connection refused".into()), "network"),
            (Error::Unsupported("cannot edit".into()), "unsupported"),
            (Error::Timeout(TimeoutInfo { phase: TimeoutPhase::Connect, message: "no connection".into() }), "timeout"),
        ] {
            let pill = Pill::from_status(&status(StatusLevel::Error, "not ready", Some(problem)));
            assert_eq!((pill.light, pill.problem), (Light::Red, Some(kind)));
            assert!(!pill.usable());
        }
        let bare = Pill::from_status(&status(StatusLevel::Error, "not ready", None));
        assert_eq!((bare.light, bare.problem), (Light::Red, None));
    }

    #[test]
    fn a_rate_limit_is_amber() {
        let limited = Error::RateLimited(RateLimit { failure: failure("slow down", 429), retry_after_ms: Some(500) });
        assert_eq!(Pill::from_status(&status(StatusLevel::Error, "busy", Some(limited.clone()))).light, Light::Amber);
        let pill = Pill::from_error(&limited);
        assert_eq!(
            (pill.light, pill.message.as_str(), pill.problem),
            (Light::Amber, "slow down", Some("rate-limited"))
        );
    }

    #[test]
    fn errors_from_the_call_itself() {
        let pill = Pill::from_error(&Error::InvalidInput("unknown capability".into()));
        assert_eq!(
            (pill.light, pill.message.as_str(), pill.problem),
            (Light::Red, "unknown capability", Some("invalid-input"))
        );
        assert_eq!(Pill::from_error(&Error::Cancelled(String::new())).light, Light::Grey);
        assert_eq!(Pill::from_error(&Error::Cancelled(String::new())).message, "cancelled");
    }

    #[test]
    fn off_and_host_failures() {
        let off = Pill::off("no API key: type one in the settings or set OPENAI_API_KEY");
        assert_eq!((off.light, off.light.name()), (Light::Grey, "grey"));
        assert!(!off.usable());
        assert_eq!(Pill::host_failure("the backend trapped").light.name(), "red");
        assert_eq!([Light::Green, Light::Amber].map(Light::name), ["green", "amber"]);
    }
}
