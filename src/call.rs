//! A validated API call, between request building and sending.
//!
//! `generate`, `edit`, `analyze` and `check` turn a host request into a
//! [`Call`] (or an `invalid-input` / `unsupported` error, before anything is
//! sent); [`Call::request`] turns a `Call` into the HTTP request for the
//! configured service (OpenAI, a compatible gateway, or Azure).

use crate::bindings::{Capability, Error};
use crate::config::{Config, Service};
use crate::http::{Body, Method, Request};
use crate::url::encode_component;

/// Which API operation a call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /images/generations`
    ImageGenerations,
    /// `POST /images/edits`
    ImageEdits,
    /// `POST /chat/completions`
    ChatCompletions,
    /// `GET /models/{model}`
    RetrieveModel,
    /// `GET /models`
    ListModels,
}

impl Endpoint {
    /// The capability whose Azure deployment serves this endpoint.
    pub fn capability(self) -> Option<Capability> {
        match self {
            Endpoint::ImageGenerations => Some(Capability::TextToImage),
            Endpoint::ImageEdits => Some(Capability::ImageEdit),
            Endpoint::ChatCompletions => Some(Capability::ImageAnalysis),
            Endpoint::RetrieveModel | Endpoint::ListModels => None,
        }
    }

    /// The operation's path below the API root (or the Azure deployment).
    fn path(self) -> &'static str {
        match self {
            Endpoint::ImageGenerations => "/images/generations",
            Endpoint::ImageEdits => "/images/edits",
            Endpoint::ChatCompletions => "/chat/completions",
            Endpoint::RetrieveModel => "",
            Endpoint::ListModels => "/models",
        }
    }
}

/// What to send. The body borrows large inputs from the host's request.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub endpoint: Endpoint,
    /// The model id as the host named it (or the default): used for the
    /// model table, for messages, and for `GET /models/{model}`.
    pub model: String,
    /// `application/json` or `multipart/form-data; boundary=...`; `None` for GET.
    pub content_type: Option<String>,
    pub body: Body<'a>,
    /// True when the body asked for `stream: true` (the response is SSE).
    pub streaming: bool,
}

impl<'a> Call<'a> {
    /// The HTTP request for this call on the service `config` names. Cloning
    /// the body copies only the small owned segments; images stay borrowed.
    ///
    /// `RetrieveModel` on Azure reads `model` as the *deployment* to look up
    /// (`GET /openai/deployments/{deployment}`): on Azure a deployment is what
    /// stands for a model, so a check asks about the one it would use. Azure
    /// has no `ListModels`: its models are the deployments the settings name.
    pub fn request(&self, config: &Config) -> Result<Request<'a>, Error> {
        let path_with_query = match &config.service {
            Service::OpenAi { base } => match self.endpoint {
                Endpoint::RetrieveModel => format!("{}/models/{}", base.path, encode_component(self.lookup_id()?)),
                endpoint => format!("{}{}", base.path, endpoint.path()),
            },
            Service::Azure { .. } if self.endpoint == Endpoint::ListModels => {
                return Err(Error::Unsupported(
                    "Azure OpenAI's models are the deployments in the settings; nothing to list".into(),
                ))
            }
            Service::Azure { endpoint, api_version, .. } => {
                let (deployment, operation) = match self.endpoint.capability() {
                    None => (self.lookup_id()?, ""),
                    Some(capability) => (config.azure_deployment(capability)?, self.endpoint.path()),
                };
                format!(
                    "{}/openai/deployments/{}{operation}?api-version={}",
                    endpoint.path,
                    encode_component(deployment),
                    encode_component(api_version)
                )
            }
        };
        let (method, body) = match self.endpoint {
            Endpoint::RetrieveModel | Endpoint::ListModels => (Method::Get, Body::empty()),
            _ => (Method::Post, self.body.clone()),
        };
        let mut headers: Vec<(String, String)> = Vec::with_capacity(6 + config.extra_headers.len());
        let mut add = |name: &str, value: &str| headers.push((name.to_string(), value.to_string()));
        if config.is_azure() {
            add("api-key", config.api_key());
        } else {
            add("Authorization", &format!("Bearer {}", config.api_key()));
        }
        if let Some(organization) = &config.organization {
            add("OpenAI-Organization", organization);
        }
        if let Some(project) = &config.project {
            add("OpenAI-Project", project);
        }
        if let (Method::Post, Some(content_type)) = (method, &self.content_type) {
            add("Content-Type", content_type);
        }
        add("Accept", if self.streaming { "text/event-stream" } else { "application/json" });
        add("User-Agent", &config.user_agent);
        headers.extend(config.extra_headers.iter().cloned());
        let base = config.base();
        Ok(Request { method, scheme: base.scheme, authority: base.authority.clone(), path_with_query, headers, body })
    }

    /// The model (or Azure deployment) a `RetrieveModel` call looks up.
    fn lookup_id(&self) -> Result<&str, Error> {
        match self.model.trim() {
            "" => Err(Error::InvalidInput("no model id to look up".into())),
            id => Ok(id),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::{Pair, Value};
    use crate::config::tests::{azure, config, replaced, settings, with, KEY};
    use crate::http::Scheme;
    use crate::settings::tests::{set, text};
    use std::borrow::Cow;

    pub(crate) fn call(endpoint: Endpoint) -> Call<'static> {
        Call {
            endpoint,
            model: "gpt-image-1".into(),
            content_type: Some("application/json".into()),
            body: Body::from_vec(b"{}".to_vec()),
            streaming: false,
        }
    }

    #[test]
    fn openai_requests() {
        let c = config(with(vec![
            text("organization", "org-123"),
            text("project", " proj_456 "),
            set("extra-headers", Value::Pairs(vec![Pair::new("X-Trace", "abc")])),
        ]));
        let json = call(Endpoint::ImageGenerations);
        let r = json.request(&c).unwrap();
        assert_eq!((r.method, r.scheme), (Method::Post, Scheme::Https));
        assert_eq!(r.url(), "https://api.openai.com/v1/images/generations");
        let expected: Vec<(String, String)> = [
            ("Authorization", format!("Bearer {KEY}").as_str()),
            ("OpenAI-Organization", "org-123"),
            ("OpenAI-Project", "proj_456"),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            ("User-Agent", concat!("openai-visual-backend/", env!("CARGO_PKG_VERSION"))),
            ("X-Trace", "abc"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(r.headers, expected);
        assert_eq!(r.body.to_vec(), b"{}");

        let streaming = Call { streaming: true, ..call(Endpoint::ImageEdits) };
        let r = streaming.request(&c).unwrap();
        assert_eq!(r.path_with_query, "/v1/images/edits");
        assert_eq!(r.header("accept"), Some("text/event-stream"));

        let r = call(Endpoint::ChatCompletions).request(&c).unwrap();
        assert_eq!(r.path_with_query, "/v1/chat/completions");
    }

    #[test]
    fn retrieve_model_is_a_get_with_the_id_encoded() {
        let c = config(settings());
        let get = Call { model: "ft:gpt-4o:my org::abc/1".into(), ..call(Endpoint::RetrieveModel) };
        let r = get.request(&c).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path_with_query, "/v1/models/ft%3Agpt-4o%3Amy%20org%3A%3Aabc%2F1");
        assert!(r.body.is_empty());
        assert_eq!(r.header("content-type"), None);
        let empty = Call { model: " ".into(), ..call(Endpoint::RetrieveModel) };
        assert!(matches!(empty.request(&c), Err(Error::InvalidInput(_))));
        let list = call(Endpoint::ListModels).request(&c).unwrap();
        assert_eq!((list.method, list.url()), (Method::Get, "https://api.openai.com/v1/models".to_string()));
        assert!(list.body.is_empty() && list.header("content-type").is_none());
        assert_eq!(list.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
        assert!(matches!(call(Endpoint::ListModels).request(&config(azure(None))), Err(Error::Unsupported(_))));
    }

    #[test]
    fn request_body_keeps_borrowed_segments_borrowed() {
        let image = vec![9u8; 1000];
        let mut body = Body::empty();
        body.push_owned(b"head".to_vec());
        body.push_borrowed(&image);
        let c = config(settings());
        let r = Call { body, ..call(Endpoint::ImageEdits) }.request(&c).unwrap();
        match &r.body.segments[1] {
            Cow::Borrowed(slice) => assert_eq!(slice.as_ptr(), image.as_ptr()),
            Cow::Owned(_) => panic!("the image was copied"),
        }
    }

    #[test]
    fn azure_requests() {
        let c = config(azure(None));
        assert!(c.is_azure());
        assert_eq!(c.base_authority(), "my-resource.openai.azure.com");
        assert_eq!(c.deployment_for(Capability::TextToImage), Some("dalle3-prod"));
        assert_eq!(c.deployment_for(Capability::ImageEdit), None);
        let r = call(Endpoint::ImageGenerations).request(&c).unwrap();
        assert_eq!(
            r.url(),
            "https://my-resource.openai.azure.com/openai/deployments/dalle3-prod/images/generations?api-version=2025-04-01-preview"
        );
        assert_eq!(r.header("api-key"), Some(KEY));
        assert_eq!(r.header("authorization"), None);
        let r = call(Endpoint::ChatCompletions).request(&c).unwrap();
        assert_eq!(
            r.path_with_query,
            "/openai/deployments/vision%204.1/chat/completions?api-version=2025-04-01-preview"
        );
        let lookup = Call { model: "dalle3-prod".into(), ..call(Endpoint::RetrieveModel) };
        let r = lookup.request(&c).unwrap();
        assert_eq!(
            (r.method, r.path_with_query.as_str()),
            (Method::Get, "/openai/deployments/dalle3-prod?api-version=2025-04-01-preview")
        );
        assert!(r.body.is_empty() && r.header("content-type").is_none());
        assert_eq!(r.header("api-key"), Some(KEY));
        let blank = Call { model: "".into(), ..call(Endpoint::RetrieveModel) };
        assert!(matches!(blank.request(&c), Err(Error::InvalidInput(_))));
        match call(Endpoint::ImageEdits).request(&c) {
            Err(Error::Unsupported(m)) => assert!(m.contains("set azure-image-edit-deployment"), "{m}"),
            other => panic!("{other:?}"),
        }
        let with_edit = config(azure(Some("gpt-image-1")));
        assert_eq!(
            call(Endpoint::ImageEdits).request(&with_edit).unwrap().path_with_query,
            "/openai/deployments/gpt-image-1/images/edits?api-version=2025-04-01-preview"
        );
        // A blank deployment is no deployment.
        assert_eq!(config(azure(Some("  "))).deployment_for(Capability::ImageEdit), None);
    }

    #[test]
    fn azure_endpoint_with_a_gateway_path() {
        let s = replaced(azure(None), "azure-endpoint", "https://apim.example.com/aoai/");
        let r = call(Endpoint::ImageGenerations).request(&config(s)).unwrap();
        assert_eq!(
            r.path_with_query,
            "/aoai/openai/deployments/dalle3-prod/images/generations?api-version=2025-04-01-preview"
        );
    }
}
