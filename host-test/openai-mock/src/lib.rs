//! A strict loopback mock of the OpenAI APIs the backend uses: Images
//! (generations and edits), Chat Completions with image input, and Models,
//! plus the Azure OpenAI deployment form. It is for tests and `visual-host --mock`.
//!
//! It speaks HTTP/1.1 on `127.0.0.1` and validates every request the way the
//! real API does (same error envelopes, statuses and wording where known), so
//! a test that passes against the mock exercises the component's real wire
//! format, not a lenient stand-in. Every request is recorded with its verdict,
//! and [`Fault`]s make it misbehave like the real service does on a bad day
//! (rate limits, outages, broken connections, corrupt payloads).
//!
//! **Which models it serves.** By default ([`MockMode::Api`]) it answers like
//! OpenAI's API today: a [`ModelEntry`] catalog (by default
//! [`ModelEntry::default_catalog`], OpenAI as of 2026-12-02) says which ids
//! exist, which endpoint family each serves, and when each shuts down. A model
//! whose shutdown date has come is retired (unlisted, and a 404 with the body
//! OpenAI sends after a shutdown); an unknown id is a 404 `model_not_found`; an
//! image model sent to chat, or a chat model sent to images, is refused.
//! "Today" is the real UTC date unless [`MockConfig::today`] fixes it.
//! [`MockMode::Gateway`] ([`MockConfig::gateway`]) is a compatible gateway that
//! still serves the old models: nothing is retired and any id passes, with its
//! family's rules. With [`MockConfig::azure`] the deployment decides the model.
//! The catalog can be changed while the mock runs: [`MockServer::catalog`].
//!
//! Where the real API is lenient in a way the component must never rely on,
//! the mock is deliberately stricter: `model` is required, `dall-e-2` is not
//! served, edits must be multipart, and chat streaming is refused. Those
//! rejections say "this mock" in their message so they are not mistaken for
//! the real API's.

mod auth;
mod azure;
mod body;
mod catalog;
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
pub mod test_images;
mod tokens;

use std::time::Duration;

pub use catalog::{Catalog, ModelEntry, ModelFamily};
pub use faults::Fault;
pub use record::{ImageInfo, RecordedPart, RecordedRequest, Verdict};
pub use render::noise_png;
pub use server::MockServer;

/// How the mock behaves. `Default` gives the plain OpenAI form at `/v1`,
/// answering like the API does today.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The API of today (default), or a gateway that serves any model.
    pub mode: MockMode,
    /// The models it starts with; change them while it runs through [`MockServer::catalog`].
    pub catalog: Vec<ModelEntry>,
    /// "Today" as `YYYY-MM-DD`, which decides what is retired; `None` is the real current UTC date.
    pub today: Option<String>,
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

/// Which models the mock serves (outside the Azure form, where the deployment decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MockMode {
    /// Like OpenAI's API: only catalog models (with their dated snapshots and
    /// fine-tunes), and not once their shutdown date has come. Unknown and
    /// retired models are 404s; a model of another family is refused.
    #[default]
    Api,
    /// Like a compatible gateway or an Azure-style deployment that still serves
    /// the old models: nothing is retired (`/models` still shows shutdown
    /// dates), and any id passes on every endpoint with the rules of its
    /// family: a catalog model's own, an unknown image id the GPT image rules.
    /// A catalog model is still refused on another family's endpoint.
    Gateway,
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
            mode: MockMode::Api,
            catalog: ModelEntry::default_catalog(),
            today: None,
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
    /// The default configuration in [`MockMode::Gateway`].
    pub fn gateway() -> Self {
        MockConfig { mode: MockMode::Gateway, ..MockConfig::default() }
    }

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
