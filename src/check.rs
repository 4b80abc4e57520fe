//! Readiness: whether a capability would work with a model, found by one
//! cheap authenticated request (`GET /models/{model}`, or the deployment on
//! Azure), and reported as a [`Status`] a host can show.
//!
//! What the check finds, failures included, is the status; `Err` is only for
//! arguments that cannot be checked at all. A 200 cannot prove an
//! organization is verified (the lookup succeeds either way), so GPT image
//! models get a `warning` saying so. The model's lifecycle (the table's,
//! with the `shutdown_date` the service returns winning on the date) adds a
//! `warning` for a deprecated model; a retired one the service no longer
//! serves is an `error` that says since when and what to use instead.

use std::time::Duration;

use serde_json::Value;

use crate::api_error;
use crate::bindings::{Capability, Error, ModelState, Status, StatusLevel};
use crate::call::{Call, Endpoint};
use crate::config::Config;
use crate::date::Date;
use crate::http::{Body, ResponseHead};
use crate::images_response;
use crate::lifecycle::{self, Announced, Schedule};
use crate::models::{self, Family};
use crate::options;

/// The longest wait for a model lookup to answer, whatever the generation
/// timeout: a status indicator should not hang for five minutes.
pub const LOOKUP_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest model id accepted; ids are short, and it goes into a URL.
const MAX_MODEL_ID_CHARS: usize = 256;

/// What a check needs to do.
pub enum Plan {
    /// The answer is known without asking (the model cannot do it, or Azure
    /// has no deployment for it).
    Answered(Status),
    /// Ask the service.
    Lookup(Lookup),
}

/// A lookup to send, and what is needed to read its answer.
pub struct Lookup {
    pub call: Call<'static>,
    capability: Capability,
    /// The model checked, as reported in the status.
    model: String,
    /// How messages name what was looked up: `` `model` `` or ``deployment `name` ``.
    subject: String,
    /// A 200 is only a `warning`: organization verification cannot be seen.
    unverifiable: bool,
    azure: bool,
    /// The table's lifecycle for the model (none on Azure: deployments are named by the user).
    schedule: Option<Schedule>,
}

/// Checks the arguments and decides what to ask. `model` defaults to the
/// capability's default model.
pub fn prepare(capability: Capability, model: Option<&str>, config: &Config) -> Result<Plan, Error> {
    let model = options::model_id(model, models::default_model(capability)).to_string();
    if model.chars().count() > MAX_MODEL_ID_CHARS || model.chars().any(char::is_control) {
        return Err(Error::InvalidInput(format!(
            "the model id must be at most {MAX_MODEL_ID_CHARS} characters without control characters"
        )));
    }
    let image_model = (capability != Capability::ImageAnalysis).then(|| models::image_model(&model));
    if let Some(m) = image_model.as_ref().filter(|m| capability == Capability::ImageEdit && m.max_reference_images == 0)
    {
        let why = format!("{} cannot edit images; models that can: {}", m.id, models::edit_model_ids().join(", "));
        return Ok(Plan::Answered(error(model, Error::Unsupported(why))));
    }
    let azure = config.is_azure();
    let lookup = if azure {
        match config.azure_deployment(capability) {
            Ok(deployment) => deployment.to_string(),
            Err(unsupported) => return Ok(Plan::Answered(error(model, unsupported))),
        }
    } else {
        model.clone()
    };
    let subject = if azure { format!("deployment `{lookup}`") } else { format!("`{model}`") };
    let call = Call {
        endpoint: Endpoint::RetrieveModel,
        model: lookup,
        content_type: None,
        body: Body::empty(),
        streaming: false,
    };
    let unverifiable = image_model.is_some_and(|m| m.family == Family::GptImage) && !azure;
    let schedule = if azure { None } else { models::schedule(&model, capability) };
    Ok(Plan::Lookup(Lookup { call, capability, model, subject, unverifiable, azure, schedule }))
}

/// Appended to what a `warning` for a GPT image model says.
const VERIFICATION: &str = "organization verification can only be confirmed by a real image call";

impl Lookup {
    /// The status for what the lookup got on `today`: the 2xx answer, or the
    /// error the client made of a failure.
    pub fn status(self, outcome: Result<(ResponseHead, Vec<u8>), Error>, today: Date) -> Result<Status, Error> {
        let Lookup { model, subject, .. } = &self;
        let status = |level, message: String, problem| Status { level, message, model: model.clone(), problem };
        match outcome {
            Ok((head, body)) => {
                let object = serde_json::from_slice::<Value>(&body).ok().filter(Value::is_object);
                let Some(object) = object else {
                    let why = format!(
                        "the service answered the lookup of {subject}, but not like the OpenAI API: {}; check the base URL",
                        images_response::quoted(&body)
                    );
                    let problem = api_error::annotate(images_response::malformed(why.clone()), &head);
                    return Ok(status(StatusLevel::Error, why, Some(problem)));
                };
                let announced = if self.azure { Announced::NotSaid } else { Announced::of(&object) };
                let lifecycle = lifecycle::merge(self.schedule, announced, today);
                let verification = |message: String| {
                    if self.unverifiable {
                        format!("{message}; {VERIFICATION}")
                    } else {
                        message
                    }
                };
                Ok(match lifecycle.as_ref().map(|l| (l.state, l)) {
                    Some((ModelState::Deprecated, l)) => {
                        let said = lifecycle::describe(model, l).unwrap_or_default();
                        status(StatusLevel::Warning, verification(said), None)
                    }
                    Some((ModelState::Retired, l)) => {
                        // Still answered: a gateway (or the shutdown day itself). It may stop any time.
                        let date = l.shutdown_date.as_deref().unwrap_or("unknown");
                        let mut said =
                            format!("{subject} still answers here, but its shutdown date ({date}) has passed");
                        if let Some(replacement) = &l.replacement {
                            said.push_str(&format!("; use {replacement}"));
                        }
                        status(StatusLevel::Warning, verification(said), None)
                    }
                    _ if self.unverifiable => {
                        status(StatusLevel::Warning, format!("{subject} is available; {VERIFICATION}"), None)
                    }
                    _ => status(StatusLevel::Ok, format!("{subject} is available"), None),
                })
            }
            Err(Error::InvalidInput(why)) => Err(Error::InvalidInput(why)),
            Err(problem) => {
                let (problem, retired) = if self.azure {
                    (problem, false)
                } else {
                    let fallback = models::default_model(self.capability);
                    let explained =
                        lifecycle::explain_not_found(problem.clone(), model, self.schedule, Some(fallback), today);
                    let retired = explained != problem;
                    (explained, retired)
                };
                let (level, message) = match &problem {
                    Error::NotFound(_) if self.azure => {
                        (StatusLevel::Error, format!("unknown deployment {subject}: {}", problem.message()))
                    }
                    Error::NotFound(_) if retired => (StatusLevel::Error, problem.message().to_string()),
                    Error::NotFound(_) => {
                        (StatusLevel::Error, format!("unknown model {subject}: {}", problem.message()))
                    }
                    Error::Authentication(_) => {
                        (StatusLevel::Error, format!("the API key was refused: {}", problem.message()))
                    }
                    Error::RateLimited(_) => (
                        StatusLevel::Warning,
                        format!("the key works, but requests are being rate limited: {}", problem.message()),
                    ),
                    _ => (StatusLevel::Error, problem.message().to_string()),
                };
                Ok(status(level, message, Some(problem)))
            }
        }
    }
}

/// An `error` status for a problem found without asking.
fn error(model: String, problem: Error) -> Status {
    Status { level: StatusLevel::Error, message: problem.message().to_string(), model, problem: Some(problem) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::TimeoutPhase;
    use crate::client::tests::{client, client_on, client_with, error_body, json_response, respond, Step, KEY, TODAY};
    use crate::http::{Method, TransportError};
    use crate::settings::tests::text;
    use serde_json::json;

    const RETIRED_404: &str = r#"{"error": {"message": "The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations", "type": "invalid_request_error", "code": "model_not_found"}}"#;

    fn model_object(id: &str, shutdown: Option<&str>) -> Value {
        json!({"id": id, "object": "model", "created": 1, "owned_by": "system", "shutdown_date": shutdown})
    }

    #[test]
    fn check_reports_what_it_finds() {
        let model = json!({"id": "gpt-image-2", "object": "model", "created": 1, "owned_by": "system"});
        type Case = (Capability, Option<&'static str>, Step, StatusLevel, Option<&'static str>, &'static str);
        let cases: Vec<Case> = vec![
            (
                Capability::TextToImage,
                None,
                json_response(200, model.clone()),
                StatusLevel::Warning,
                None,
                "`gpt-image-2.6-flare` is available; organization verification",
            ),
            (
                Capability::TextToImage,
                Some("gpt-image-2"),
                json_response(200, model.clone()),
                StatusLevel::Warning,
                None,
                "organization verification",
            ),
            (
                Capability::ImageAnalysis,
                None,
                json_response(200, model.clone()),
                StatusLevel::Ok,
                None,
                "`gpt-6-luna` is available",
            ),
            (
                Capability::TextToImage,
                Some("gpt-image-9"),
                json_response(
                    404,
                    error_body(
                        "The model 'gpt-image-9' does not exist",
                        "invalid_request_error",
                        Some("model_not_found"),
                    ),
                ),
                StatusLevel::Error,
                Some("not-found"),
                "unknown model",
            ),
            (
                Capability::ImageEdit,
                None,
                json_response(
                    401,
                    error_body("Incorrect API key provided", "invalid_request_error", Some("invalid_api_key")),
                ),
                StatusLevel::Error,
                Some("authentication"),
                "the API key was refused",
            ),
            (
                Capability::TextToImage,
                None,
                Step::Fail(TransportError::Timeout(TimeoutPhase::FirstByte)),
                StatusLevel::Error,
                Some("timeout"),
                "timed out",
            ),
            (
                Capability::TextToImage,
                None,
                Step::Fail(TransportError::Denied("not on the allowlist".into())),
                StatusLevel::Error,
                Some("network"),
                "does not allow",
            ),
            (
                Capability::TextToImage,
                None,
                respond(200, &[], "<html>welcome</html>"),
                StatusLevel::Error,
                Some("malformed-response"),
                "check the base URL",
            ),
        ];
        for (capability, model, step, level, problem, says) in cases {
            let mut c = client(vec![step]);
            let status = c.check(capability, model).unwrap();
            assert_eq!(status.level, level, "{capability:?} {model:?}: {status:?}");
            assert_eq!(status.problem.as_ref().map(Error::kind), problem, "{status:?}");
            assert_eq!(c.transport().sent[0].method, Method::Get);
            assert!(status.message.contains(says), "{says}: {}", status.message);
        }
        let mut c = client(vec![json_response(200, model.clone())]);
        let status = c.check(Capability::TextToImage, Some(" gpt-image-1.5 ")).unwrap();
        assert_eq!(status.model, "gpt-image-1.5");
        assert_eq!(c.transport().sent[0].url, "https://api.test/v1/models/gpt-image-1.5");
    }

    #[test]
    fn a_deprecated_model_warns_with_its_date_and_replacement() {
        // The service's date, as OpenAI sends it.
        let mut c = client(vec![json_response(200, model_object("gpt-4o-mini", Some("2027-01-14")))]);
        let status = c.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert_eq!((status.level, status.problem), (StatusLevel::Warning, None));
        assert_eq!(status.message, "`gpt-4o-mini` shuts down on 2027-01-14; use gpt-6-luna");
        // The table's date when the service says nothing (a gateway).
        let mut c = client(vec![json_response(200, json!({"id": "gpt-4.1-mini", "object": "model"}))]);
        let status = c.check(Capability::ImageAnalysis, Some("gpt-4.1-mini")).unwrap();
        assert_eq!(status.message, "`gpt-4.1-mini` shuts down on 2027-01-14; use gpt-6-luna");
        // The service wins on the date: moved, or none announced.
        let mut c = client(vec![json_response(200, model_object("gpt-4o-mini", Some("2027-03-31")))]);
        let status = c.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert_eq!(status.message, "`gpt-4o-mini` shuts down on 2027-03-31; use gpt-6-luna");
        let mut c = client(vec![json_response(200, model_object("gpt-4o-mini", None))]);
        let status = c.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert_eq!((status.level, status.message.as_str()), (StatusLevel::Ok, "`gpt-4o-mini` is available"));
        // The service's date, for a model the table also dates.
        let mut c = client(vec![json_response(200, model_object("gpt-5", Some("2026-12-11")))]);
        let status = c.check(Capability::ImageAnalysis, Some("gpt-5")).unwrap();
        assert_eq!(
            (status.level, status.message.as_str()),
            (StatusLevel::Warning, "`gpt-5` shuts down on 2026-12-11; use gpt-6.1-sol")
        );
        // A deprecated GPT image model also carries the verification warning.
        let mut c = client_on(
            Date::ymd(2026, 11, 20),
            vec![json_response(200, model_object("gpt-image-1.5", Some("2026-12-01")))],
        );
        let status = c.check(Capability::ImageEdit, Some("gpt-image-1.5")).unwrap();
        assert_eq!(status.level, StatusLevel::Warning);
        assert_eq!(
            status.message,
            "`gpt-image-1.5` shuts down on 2026-12-01; use gpt-image-2.6-sunburst; organization verification can only be confirmed by a real image call"
        );
    }

    #[test]
    fn the_date_decides_deprecated_or_retired() {
        // The same model, the same answer from a gateway that does not send dates: before and after.
        let gateway = || json_response(200, json!({"id": "gpt-4o-mini", "object": "model"}));
        let mut before = client_on(Date::ymd(2026, 12, 2), vec![gateway()]);
        let status = before.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert!(status.message.contains("shuts down on 2027-01-14"), "{}", status.message);
        let mut after = client_on(Date::ymd(2027, 1, 15), vec![gateway()]);
        let status = after.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert_eq!(status.level, StatusLevel::Warning);
        assert_eq!(
            status.message,
            "`gpt-4o-mini` still answers here, but its shutdown date (2027-01-14) has passed; use gpt-6-luna"
        );
        // Once the service stops serving it: an error that says since when and what to use.
        let gone = || {
            json_response(
                404,
                error_body("The model `gpt-4o-mini` does not exist", "invalid_request_error", Some("model_not_found")),
            )
        };
        let mut after = client_on(Date::ymd(2027, 1, 15), vec![gone()]);
        let status = after.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert_eq!((status.level, status.problem.as_ref().map(Error::kind)), (StatusLevel::Error, Some("not-found")));
        assert_eq!(status.message, "the model `gpt-4o-mini` was retired on 2027-01-14; use gpt-6-luna instead");
        // Before the date, the same 404 is an unknown model (a project restriction, say).
        let mut before = client_on(Date::ymd(2026, 12, 2), vec![gone()]);
        let status = before.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).unwrap();
        assert!(status.message.starts_with("unknown model `gpt-4o-mini`"), "{}", status.message);
    }

    #[test]
    fn a_retired_model_is_an_error_naming_its_replacement() {
        let mut c = client(vec![respond(404, &[("content-type", "application/json")], RETIRED_404)]);
        let status = c.check(Capability::TextToImage, Some("dall-e-3")).unwrap();
        assert_eq!(status.level, StatusLevel::Error);
        let problem = status.problem.as_ref().unwrap();
        assert_eq!((problem.kind(), problem.status()), ("not-found", Some(404)));
        assert_eq!(
            status.message,
            "the model `dall-e-3` was retired on 2026-05-12; use gpt-image-2.5-sunburst instead"
        );
        assert_eq!(problem.message(), status.message);
        // An unknown model the service says was deprecated: no date, the capability's default instead.
        let body = RETIRED_404.replace("dall-e-3", "dall-e-2");
        let mut c = client(vec![respond(404, &[], body)]);
        let status = c.check(Capability::ImageEdit, Some("dall-e-2")).unwrap();
        assert_eq!(status.message, "the model `dall-e-2` has been retired; use gpt-image-2.6-sunburst instead");
    }

    #[test]
    fn check_waits_briefly_for_a_lookup() {
        let mut c = client(vec![json_response(200, json!({"id": "gpt-image-2.5-flare", "object": "model"}))]);
        c.check(Capability::TextToImage, None).unwrap();
        let sent = &c.transport().sent[0];
        assert_eq!(sent.timeouts.first_byte, LOOKUP_FIRST_BYTE_TIMEOUT);
        assert_eq!(sent.timeouts.connect, c.config().timeouts().connect);
        assert!(sent.body.is_empty());
    }

    #[test]
    fn check_on_azure_looks_up_the_deployment() {
        let azure = vec![
            text("api-key", KEY),
            text("azure-endpoint", "https://res.openai.azure.com"),
            text("azure-api-version", "2025-04-01-preview"),
            text("azure-text-to-image-deployment", "img"),
        ];
        // The deployment carries no lifecycle, whatever its model or the table say.
        let deployment = json!({"id": "img", "model": "dall-e-3", "object": "deployment", "status": "succeeded", "shutdown_date": "2020-01-01"});
        let mut c = client_with(azure.clone(), vec![json_response(200, deployment)]);
        let status = c.check(Capability::TextToImage, Some("dall-e-3")).unwrap();
        // No organization verification on Azure.
        assert_eq!(status.level, StatusLevel::Ok, "{status:?}");
        assert!(status.message.contains("deployment `img`"), "{}", status.message);
        let sent = &c.transport().sent[0];
        assert!(sent.url.starts_with("https://res.openai.azure.com/openai/deployments/img"), "{}", sent.url);
        assert_eq!(sent.header("api-key"), Some(KEY));
        let mut c = client_with(azure.clone(), vec![]);
        let status = c.check(Capability::ImageEdit, None).unwrap();
        assert_eq!((status.level, status.problem.as_ref().map(Error::kind)), (StatusLevel::Error, Some("unsupported")));
        let missing = json!({"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."}});
        let mut c = client_with(azure.clone(), vec![json_response(404, missing)]);
        let status = c.check(Capability::TextToImage, None).unwrap();
        assert_eq!(status.problem.as_ref().map(Error::kind), Some("not-found"));
        assert!(status.message.contains("unknown deployment"), "{}", status.message);
        // A deployment named like a retired model is not explained as one.
        let mut c = client_with(azure, vec![respond(404, &[], RETIRED_404)]);
        let status = c.check(Capability::TextToImage, None).unwrap();
        assert!(status.message.starts_with("unknown deployment"), "{}", status.message);
    }

    #[test]
    fn check_refuses_what_cannot_work_without_asking() {
        let mut c = client(vec![]);
        let status = c.check(Capability::ImageEdit, Some("dall-e-3")).unwrap();
        assert_eq!(status.level, StatusLevel::Error);
        assert_eq!(status.problem.as_ref().map(Error::kind), Some("unsupported"));
        assert!(status.message.contains("gpt-image-2.5-sunburst"), "{}", status.message);
        assert_eq!(c.check(Capability::TextToImage, Some("bad\nid")).unwrap_err().kind(), "invalid-input");
        assert!(c.transport().sent.is_empty());
        assert_eq!(TODAY, Date::ymd(2026, 12, 2));
    }
}
