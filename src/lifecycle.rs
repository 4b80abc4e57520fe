//! Where a model is in its life (active, deprecated, retired), decided from a
//! shutdown date and today's date, and what the service says about it.
//!
//! The model table ([`crate::models`]) carries each known model's
//! [`Schedule`]; the service's model objects carry `shutdown_date`
//! ([`Announced`]), which wins over the table when present. Today's date comes
//! from the host's wall clock (`Transport::today`), never from a constant.

use serde_json::Value;

use crate::bindings::{Error, Lifecycle, ModelState};
use crate::date::Date;

/// What the model table knows of a model's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Served, with no shutdown announced.
    Active,
    /// Stops (or stopped) on `date`; `replacement` is what OpenAI recommends instead.
    Shutdown { date: Date, replacement: &'static str },
}

impl Schedule {
    /// The lifecycle on `today`.
    pub fn at(self, today: Date) -> Lifecycle {
        match self {
            Schedule::Active => lifecycle(None, None, today),
            Schedule::Shutdown { date, replacement } => lifecycle(Some(date), Some(replacement), today),
        }
    }

    pub fn replacement(self) -> Option<&'static str> {
        match self {
            Schedule::Active => None,
            Schedule::Shutdown { replacement, .. } => Some(replacement),
        }
    }
}

/// A model with a shutdown date is deprecated before that date and retired
/// from it on (the date is the day it stops answering); one without is active.
pub fn state(shutdown: Option<Date>, today: Date) -> ModelState {
    match shutdown {
        None => ModelState::Active,
        Some(date) if today < date => ModelState::Deprecated,
        Some(_) => ModelState::Retired,
    }
}

/// The lifecycle for a shutdown date (if any) on `today`. An active model
/// has no replacement to recommend.
pub fn lifecycle(shutdown: Option<Date>, replacement: Option<&str>, today: Date) -> Lifecycle {
    let state = state(shutdown, today);
    Lifecycle {
        state,
        shutdown_date: shutdown.map(|d| d.to_string()),
        replacement: replacement.filter(|_| state != ModelState::Active).map(str::to_string),
    }
}

/// What a service's model object says about its shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announced {
    /// No `shutdown_date` field (a gateway that does not send one), or one that is not a date.
    NotSaid,
    /// `"shutdown_date": null`: no shutdown announced.
    Nothing,
    /// `"shutdown_date": "YYYY-MM-DD"`.
    On(Date),
}

impl Announced {
    /// Reads `shutdown_date` from a model object (`GET /models`, `GET /models/{id}`).
    pub fn of(model: &Value) -> Announced {
        match model.get("shutdown_date") {
            Some(Value::Null) => Announced::Nothing,
            // A timestamp-shaped value (`2027-01-14T00:00:00Z`) still starts with the date.
            Some(Value::String(s)) => s.get(..10).and_then(Date::parse).map_or(Announced::NotSaid, Announced::On),
            _ => Announced::NotSaid,
        }
    }
}

/// The table's schedule merged with what the service announced: the service
/// wins on the date (a date, or none announced), the table supplies the
/// replacement; when the service says nothing, the table decides alone.
pub fn merge(schedule: Option<Schedule>, announced: Announced, today: Date) -> Option<Lifecycle> {
    let replacement = schedule.and_then(Schedule::replacement);
    match announced {
        Announced::On(date) => Some(lifecycle(Some(date), replacement, today)),
        Announced::Nothing => Some(lifecycle(None, None, today)),
        Announced::NotSaid => schedule.map(|s| s.at(today)),
    }
}

/// A sentence for a deprecated or retired model, `None` for an active one:
/// "`gpt-4o-mini` shuts down on 2027-01-14; use gpt-6-luna".
pub fn describe(model: &str, lifecycle: &Lifecycle) -> Option<String> {
    let mut out = match (lifecycle.state, &lifecycle.shutdown_date) {
        (ModelState::Active, _) => return None,
        (ModelState::Deprecated, Some(date)) => format!("`{model}` shuts down on {date}"),
        (ModelState::Deprecated, None) => format!("`{model}` is deprecated"),
        (ModelState::Retired, Some(date)) => format!("`{model}` was retired on {date}"),
        (ModelState::Retired, None) => format!("`{model}` has been retired"),
    };
    if let Some(replacement) = &lifecycle.replacement {
        out.push_str(&format!("; use {replacement}"));
    }
    Some(out)
}

/// A not-found error for `model`, told as a retirement when it is one:
///
/// - the table says the model is retired today and the service answered
///   `model_not_found`: "`dall-e-3` was retired on 2026-05-12; use ...";
/// - the service says the model "has been deprecated" (how OpenAI answers for
///   a shut-down model): it was retired; the table's date and replacement
///   when it knows them, else `fallback` (the capability's default) as the
///   model to use.
///
/// Anything else (another error, a model that is merely unknown, a wrong base
/// URL) is returned unchanged. Status, code and request id are kept.
pub fn explain_not_found(
    mut error: Error,
    model: &str,
    schedule: Option<Schedule>,
    fallback: Option<&str>,
    today: Date,
) -> Error {
    let Error::NotFound(failure) = &mut error else { return error };
    let said_deprecated = failure.message.to_ascii_lowercase().contains("has been deprecated");
    let not_found_code = failure.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("model_not_found"));
    let known = schedule.map(|s| s.at(today));
    let retired_by_table = known.as_ref().is_some_and(|l| l.state == ModelState::Retired);
    if !(said_deprecated || (not_found_code && retired_by_table)) {
        return error;
    }
    let retired = match known {
        Some(Lifecycle { shutdown_date: Some(date), replacement, .. }) => {
            let when = if retired_by_table {
                format!("was retired on {date}")
            } else {
                format!("has been retired (announced for {date})")
            };
            let instead = replacement.or_else(|| fallback.map(str::to_string));
            (when, instead)
        }
        _ => ("has been retired".to_string(), fallback.filter(|f| *f != model).map(str::to_string)),
    };
    let (when, instead) = retired;
    failure.message = match instead {
        Some(other) => format!("the model `{model}` {when}; use {other} instead"),
        None => format!("the model `{model}` {when}; list the models this key can use with `models`"),
    };
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::Failure;

    const SHUTDOWN: Schedule = Schedule::Shutdown { date: Date::ymd(2027, 1, 14), replacement: "gpt-6-luna" };

    #[test]
    fn the_same_model_is_deprecated_then_retired() {
        let deprecated = SHUTDOWN.at(Date::ymd(2026, 12, 2));
        assert_eq!(
            deprecated,
            Lifecycle {
                state: ModelState::Deprecated,
                shutdown_date: Some("2027-01-14".into()),
                replacement: Some("gpt-6-luna".into())
            }
        );
        assert_eq!(SHUTDOWN.at(Date::ymd(2027, 1, 13)).state, ModelState::Deprecated);
        // The shutdown date is the day it stops.
        assert_eq!(SHUTDOWN.at(Date::ymd(2027, 1, 14)).state, ModelState::Retired);
        let retired = SHUTDOWN.at(Date::ymd(2027, 1, 15));
        assert_eq!((retired.state, retired.shutdown_date.as_deref()), (ModelState::Retired, Some("2027-01-14")));
        assert_eq!(
            Schedule::Active.at(Date::ymd(2030, 1, 1)),
            Lifecycle { state: ModelState::Active, shutdown_date: None, replacement: None }
        );
        assert_eq!(
            describe("gpt-4o-mini", &deprecated).unwrap(),
            "`gpt-4o-mini` shuts down on 2027-01-14; use gpt-6-luna"
        );
        assert_eq!(
            describe("gpt-4o-mini", &retired).unwrap(),
            "`gpt-4o-mini` was retired on 2027-01-14; use gpt-6-luna"
        );
        assert_eq!(describe("x", &Schedule::Active.at(Date::ymd(2030, 1, 1))), None);
    }

    #[test]
    fn the_service_wins_on_the_date() {
        let today = Date::ymd(2026, 12, 2);
        let announced = |v: Value| Announced::of(&serde_json::json!({"id": "m", "shutdown_date": v}));
        assert_eq!(announced(Value::Null), Announced::Nothing);
        assert_eq!(announced("2027-03-01".into()), Announced::On(Date::ymd(2027, 3, 1)));
        assert_eq!(announced("2027-03-01T00:00:00Z".into()), Announced::On(Date::ymd(2027, 3, 1)));
        assert_eq!(announced("soon".into()), Announced::NotSaid);
        assert_eq!(announced(5.into()), Announced::NotSaid);
        assert_eq!(Announced::of(&serde_json::json!({"id": "m"})), Announced::NotSaid);

        // A moved date: the service's date, the table's replacement.
        let moved = merge(Some(SHUTDOWN), Announced::On(Date::ymd(2027, 3, 1)), today).unwrap();
        assert_eq!(
            (moved.shutdown_date.as_deref(), moved.replacement.as_deref()),
            (Some("2027-03-01"), Some("gpt-6-luna"))
        );
        // Served with no shutdown announced: active, whatever the table says.
        assert_eq!(merge(Some(SHUTDOWN), Announced::Nothing, today).unwrap().state, ModelState::Active);
        // Silent service: the table alone.
        assert_eq!(merge(Some(SHUTDOWN), Announced::NotSaid, today), Some(SHUTDOWN.at(today)));
        assert_eq!(merge(None, Announced::NotSaid, today), None);
        // An unknown model with a date: deprecated, no replacement to name.
        let unknown = merge(None, Announced::On(Date::ymd(2027, 1, 1)), today).unwrap();
        assert_eq!((unknown.state, unknown.replacement), (ModelState::Deprecated, None));
    }

    fn not_found(message: &str, code: Option<&str>) -> Error {
        Error::NotFound(Failure {
            message: message.into(),
            status: Some(404),
            code: code.map(Into::into),
            request_id: Some("req_1".into()),
        })
    }

    #[test]
    fn a_retired_model_is_explained() {
        let dalle = Schedule::Shutdown { date: Date::ymd(2026, 5, 12), replacement: "gpt-image-2.5-sunburst" };
        let today = Date::ymd(2026, 12, 2);
        let body = "the model `dall-e-3` was not found, or this key cannot use it: The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations";
        let e = explain_not_found(
            not_found(body, Some("model_not_found")),
            "dall-e-3",
            Some(dalle),
            Some("gpt-image-2.5-flare"),
            today,
        );
        assert_eq!(e.message(), "the model `dall-e-3` was retired on 2026-05-12; use gpt-image-2.5-sunburst instead");
        let f = e.failure().unwrap();
        assert_eq!(
            (f.status, f.code.as_deref(), f.request_id.as_deref()),
            (Some(404), Some("model_not_found"), Some("req_1"))
        );
        // The table alone suffices for a plain model_not_found.
        let plain = explain_not_found(
            not_found("no such model", Some("model_not_found")),
            "dall-e-3",
            Some(dalle),
            None,
            today,
        );
        assert!(
            plain.message().contains("retired on 2026-05-12") && plain.message().contains("gpt-image-2.5-sunburst")
        );
        // An unknown model the service calls deprecated: no date, the default instead.
        let e = explain_not_found(
            not_found("The model `dall-e-2` has been deprecated.", Some("model_not_found")),
            "dall-e-2",
            None,
            Some("gpt-image-2.5-flare"),
            today,
        );
        assert_eq!(e.message(), "the model `dall-e-2` has been retired; use gpt-image-2.5-flare instead");
        // Deprecated by the table, but already gone at the service.
        let early = explain_not_found(
            not_found("has been deprecated", None),
            "gpt-4o-mini",
            Some(SHUTDOWN),
            Some("gpt-6-luna"),
            today,
        );
        assert!(
            early.message().contains("announced for 2027-01-14") && early.message().contains("use gpt-6-luna"),
            "{}",
            early.message()
        );
        // Left alone: an unknown model, a model the table still serves, a base-URL 404, other errors.
        for (e, model, schedule) in [
            (not_found("The model `gpt-image-9` does not exist", Some("model_not_found")), "gpt-image-9", None),
            (not_found("no such model", Some("model_not_found")), "gpt-4o-mini", Some(SHUTDOWN)),
            (not_found("the service does not know this address", None), "dall-e-3", Some(dalle)),
            (Error::Upstream(Failure::new("has been deprecated")), "dall-e-3", Some(dalle)),
        ] {
            assert_eq!(explain_not_found(e.clone(), model, schedule, Some("d"), today), e);
        }
    }
}
