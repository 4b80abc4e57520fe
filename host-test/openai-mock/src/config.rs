//! How a mock is set up ([`MockConfig`]): the mode, the starting catalog and
//! date, credentials, the route prefix or the Azure form, and the knobs of
//! its answers. Read by the server and by authentication; it names the
//! catalog's and the images' types, never the other way round.

use std::time::Duration;

use super::catalog::MockMode;
use super::entry::ModelEntry;
use super::look::ImageDetail;

/// How the mock behaves. `Default` gives the plain OpenAI form at `/v1`,
/// answering like the API does today.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The API of today (default), or a gateway that serves any model.
    pub mode: MockMode,
    /// The models it starts with; change them while it runs through [`crate::MockServer::catalog`].
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
    /// How many bytes of a multipart body [`crate::RecordedRequest::body`] keeps; the
    /// parts are summarised in full either way. JSON bodies are always kept whole.
    pub record_body_limit: usize,
    /// How much detail the images carry, which decides their encoded size.
    pub image_detail: ImageDetail,
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
