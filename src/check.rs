//! Readiness: whether a capability would work with a model, found by one
//! cheap authenticated request (`GET /models/{model}`, or the deployment on
//! Azure), and reported as a [`Status`] a host can show.
//!
//! What the check finds, failures included, is the status; `Err` is only for
//! arguments that cannot be checked at all. A 200 cannot prove an
//! organization is verified (the lookup succeeds either way), so GPT image
//! models get a `warning` saying so.

use std::time::Duration;

use serde_json::Value;

use crate::analyze;
use crate::api_error;
use crate::bindings::{Capability, Error, Status, StatusLevel};
use crate::call::{Call, Endpoint};
use crate::config::Config;
use crate::http::{Body, ResponseHead};
use crate::images_response;
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
    /// The model checked, as reported in the status.
    model: String,
    /// How messages name what was looked up: `` `model` `` or ``deployment `name` ``.
    subject: String,
    /// A 200 is only a `warning`: organization verification cannot be seen.
    unverifiable: bool,
    azure: bool,
}

/// Checks the arguments and decides what to ask. `model` defaults to the
/// capability's default model.
pub fn prepare(capability: Capability, model: Option<&str>, config: &Config) -> Result<Plan, Error> {
    let default = match capability {
        Capability::TextToImage => models::DEFAULT_TEXT_TO_IMAGE,
        Capability::ImageEdit => models::DEFAULT_EDIT,
        Capability::ImageAnalysis => analyze::DEFAULT_MODEL,
    };
    let model = options::model_id(model, default).to_string();
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
    Ok(Plan::Lookup(Lookup { call, model, subject, unverifiable, azure }))
}

impl Lookup {
    /// The status for what the lookup got: the 2xx answer, or the error the
    /// client made of a failure.
    pub fn status(self, outcome: Result<(ResponseHead, Vec<u8>), Error>) -> Result<Status, Error> {
        let Lookup { model, subject, .. } = &self;
        let status = |level, message: String, problem| Status { level, message, model: model.clone(), problem };
        match outcome {
            Ok((head, body)) => {
                let is_object = serde_json::from_slice::<Value>(&body).is_ok_and(|v| v.is_object());
                if !is_object {
                    let why = format!(
                        "the service answered the lookup of {subject}, but not like the OpenAI API: {}; check the base URL",
                        images_response::quoted(&body)
                    );
                    let problem = api_error::annotate(images_response::malformed(why.clone()), &head);
                    return Ok(status(StatusLevel::Error, why, Some(problem)));
                }
                Ok(if self.unverifiable {
                    status(
                        StatusLevel::Warning,
                        format!(
                            "{subject} is available; organization verification can only be confirmed by a real \
                             image call"
                        ),
                        None,
                    )
                } else {
                    status(StatusLevel::Ok, format!("{subject} is available"), None)
                })
            }
            Err(Error::InvalidInput(why)) => Err(Error::InvalidInput(why)),
            Err(problem) => {
                let (level, message) = match &problem {
                    Error::NotFound(_) if self.azure => {
                        (StatusLevel::Error, format!("unknown deployment {subject}: {}", problem.message()))
                    }
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
    use crate::bindings::{AzureSettings, Settings};
    use crate::client::tests::{client, client_with, error_body, json_response, respond, Step, KEY};
    use crate::http::{Method, TransportError};
    use serde_json::json;

    #[test]
    fn check_reports_what_it_finds() {
        let model = json!({"id": "gpt-image-1", "object": "model", "created": 1, "owned_by": "system"});
        type Case = (Capability, Option<&'static str>, Step, StatusLevel, Option<&'static str>);
        let cases: Vec<Case> = vec![
            (Capability::TextToImage, None, json_response(200, model.clone()), StatusLevel::Ok, None),
            (
                Capability::TextToImage,
                Some("gpt-image-1"),
                json_response(200, model.clone()),
                StatusLevel::Warning,
                None,
            ),
            (Capability::ImageAnalysis, None, json_response(200, model.clone()), StatusLevel::Ok, None),
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
            ),
            (
                Capability::TextToImage,
                None,
                Step::Fail(TransportError::Timeout(TimeoutPhase::FirstByte)),
                StatusLevel::Error,
                Some("timeout"),
            ),
            (
                Capability::TextToImage,
                None,
                Step::Fail(TransportError::Denied("not on the allowlist".into())),
                StatusLevel::Error,
                Some("network"),
            ),
            (
                Capability::TextToImage,
                None,
                respond(200, &[], "<html>welcome</html>"),
                StatusLevel::Error,
                Some("malformed-response"),
            ),
        ];
        for (capability, model, step, level, problem) in cases {
            let mut c = client(vec![step]);
            let status = c.check(capability, model).unwrap();
            assert_eq!(status.level, level, "{capability:?} {model:?}: {status:?}");
            assert_eq!(status.problem.as_ref().map(Error::kind), problem, "{status:?}");
            assert_eq!(c.transport().sent[0].method, Method::Get);
            if status.level == StatusLevel::Warning {
                assert!(status.message.contains("organization verification"), "{}", status.message);
            }
            if problem == Some("not-found") {
                assert!(status.message.contains("unknown model"), "{}", status.message);
            }
        }
        let mut c = client(vec![json_response(200, model.clone())]);
        let status = c.check(Capability::TextToImage, Some(" gpt-image-1.5 ")).unwrap();
        assert_eq!(status.model, "gpt-image-1.5");
        assert_eq!(c.transport().sent[0].url, "https://api.test/v1/models/gpt-image-1.5");
    }

    #[test]
    fn check_waits_briefly_for_a_lookup() {
        let mut c = client(vec![json_response(200, json!({"id": "dall-e-3", "object": "model"}))]);
        c.check(Capability::TextToImage, None).unwrap();
        let sent = &c.transport().sent[0];
        assert_eq!(sent.timeouts.first_byte, LOOKUP_FIRST_BYTE_TIMEOUT);
        assert_eq!(sent.timeouts.connect, c.config().timeouts().connect);
        assert!(sent.body.is_empty());
    }

    #[test]
    fn check_on_azure_looks_up_the_deployment() {
        let azure = Settings {
            api_key: KEY.into(),
            azure: Some(AzureSettings {
                endpoint: "https://res.openai.azure.com".into(),
                api_version: "2025-04-01-preview".into(),
                text_to_image_deployment: Some("img".into()),
                ..Default::default()
            }),
            ..Settings::default()
        };
        let deployment = json!({"id": "img", "model": "gpt-image-1", "object": "deployment", "status": "succeeded"});
        let mut c = client_with(azure.clone(), vec![json_response(200, deployment)]);
        let status = c.check(Capability::TextToImage, Some("gpt-image-1")).unwrap();
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
        let mut c = client_with(azure, vec![json_response(404, missing)]);
        let status = c.check(Capability::TextToImage, None).unwrap();
        assert_eq!(status.problem.as_ref().map(Error::kind), Some("not-found"));
        assert!(status.message.contains("unknown deployment"), "{}", status.message);
    }

    #[test]
    fn check_refuses_what_cannot_work_without_asking() {
        let mut c = client(vec![]);
        let status = c.check(Capability::ImageEdit, Some("dall-e-3")).unwrap();
        assert_eq!(status.level, StatusLevel::Error);
        assert_eq!(status.problem.as_ref().map(Error::kind), Some("unsupported"));
        assert!(status.message.contains("gpt-image-1"), "{}", status.message);
        assert_eq!(c.check(Capability::TextToImage, Some("bad\nid")).unwrap_err().kind(), "invalid-input");
        assert!(c.transport().sent.is_empty());
    }
}
