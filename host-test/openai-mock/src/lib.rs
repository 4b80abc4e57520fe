//! An embedded OpenAI API mock for integration tests and the CLI's `--mock` flag.
//!
//! It speaks HTTP/1.1 on `127.0.0.1` and answers the endpoints the component
//! uses (`/images/generations`, `/images/edits`, `/chat/completions`,
//! `/models`), plus the Azure OpenAI deployment form. It validates every
//! request the way the real API does (same error envelopes, statuses and
//! wording where known), so a test that passes against the mock exercises the
//! component's real wire format, not a lenient stand-in. Every request is
//! recorded with its verdict, and [`Fault`]s make it misbehave like the real
//! service does on a bad day (rate limits, outages, broken connections,
//! corrupt payloads).
//!
//! Where the real API is lenient in a way the component must never rely on,
//! the mock is deliberately stricter: `model` is required, `dall-e-2` is not
//! served, edits must be multipart, and chat streaming is refused. Those
//! rejections say "this mock" in their message so they are not mistaken for
//! the real API's.

mod auth;
mod azure;
mod body;
mod chat;
mod edits;
mod errors;
mod faults;
mod handler;
mod images;
mod models;
mod net;
mod output;
mod params;
mod record;
mod render;
mod reqbody;
mod route;
mod server;
mod sniff;
mod sse;
mod tokens;

use std::time::Duration;

pub use faults::Fault;
pub use record::{ImageInfo, RecordedPart, RecordedRequest, Verdict};
pub use render::noise_png;
pub use server::MockServer;

/// How the mock behaves. `Default` gives the plain OpenAI form at `/v1`.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The key clients must send (`Authorization: Bearer`, or `api-key` for Azure).
    pub api_key: String,
    /// Where the OpenAI routes live, e.g. `/v1` (or `""` for a gateway at the root).
    pub path_prefix: String,
    /// When set, the mock serves the Azure OpenAI deployment routes instead.
    pub azure: Option<AzureMock>,
    /// Pause before each server-sent event, so a stream is observably a stream.
    pub stream_pause: Duration,
    /// When set, an `OpenAI-Organization` header must name this organization.
    pub organization: Option<String>,
    /// When set, an `OpenAI-Project` header must name this project.
    pub project: Option<String>,
    /// How many bytes of a multipart body [`RecordedRequest::body`] keeps; the
    /// parts are summarised in full either way. JSON bodies are always kept whole.
    pub record_body_limit: usize,
    /// How much detail the images carry, which decides their encoded size.
    pub image_detail: ImageDetail,
}

/// How detailed the mock's images are. Tests want them cheap; a benchmark
/// wants the payload of a real generation, whose size is set by detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ImageDetail {
    /// Smooth gradients: a 1536x1024 PNG is a few tens of KB.
    #[default]
    Flat,
    /// The gradient with a fine grain, so it compresses like a photograph:
    /// a 1536x1024 PNG is about 3 MB, as `gpt-image-1` sends.
    Photographic,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            api_key: "sk-mock-key".to_string(),
            path_prefix: "/v1".to_string(),
            azure: None,
            stream_pause: Duration::from_millis(50),
            organization: None,
            project: None,
            record_body_limit: 1024 * 1024,
            image_detail: ImageDetail::Flat,
        }
    }
}

impl MockConfig {
    /// The Azure form with the given API version and `(deployment, model)` pairs.
    pub fn azure(api_version: impl Into<String>, deployments: &[(&str, &str)]) -> Self {
        MockConfig {
            azure: Some(AzureMock {
                api_version: api_version.into(),
                deployments: deployments.iter().map(|(d, m)| (d.to_string(), m.to_string())).collect(),
            }),
            ..MockConfig::default()
        }
    }
}

/// The Azure OpenAI form: deployments instead of model ids, `api-key` instead of Bearer.
#[derive(Debug, Clone)]
pub struct AzureMock {
    /// The one `api-version` query value accepted.
    pub api_version: String,
    /// `(deployment name, model it serves)`; the model decides the validation rules.
    pub deployments: Vec<(String, String)>,
}

impl AzureMock {
    pub(crate) fn model_of(&self, deployment: &str) -> Option<&str> {
        self.deployments.iter().find(|(d, _)| d == deployment).map(|(_, m)| m.as_str())
    }
}
