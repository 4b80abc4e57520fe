//! Whether one request may use the model it names, and by which rules it is
//! judged: the catalog's [`View`] as of the request, or an Azure deployment's
//! model, which decides whatever the body says. Unknown and retired models
//! (in [`MockMode::Api`]) and models of another family are refused here as
//! the API refuses them; an image model's rules are its family's
//! ([`crate::kinds`]) plus what its catalog entry declares.

use super::catalog::{MockMode, View};
use super::entry::{ModelEntry, ModelFamily};
use super::errors::{self, ApiError};
use super::kinds::{ModelKind, ModelRules};

/// The endpoints a request can name a model on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Generation,
    Edit,
    Chat,
}

/// How one request's model is admitted.
#[derive(Debug, Clone)]
pub(crate) enum Gate {
    /// Azure: the deployment's model, whatever the body says; no catalog,
    /// nothing retired (the deployment decides).
    Deployment(String),
    /// The catalog as of the request.
    Catalog(View),
}

impl Gate {
    /// The model the route imposes (Azure), if any.
    pub fn forced(&self) -> Option<&str> {
        match self {
            Gate::Deployment(model) => Some(model),
            Gate::Catalog(_) => None,
        }
    }

    /// Whether the model may be used on this endpoint: unknown and retired
    /// models (in [`MockMode::Api`]) and models of another family are refused
    /// as the API refuses them.
    pub fn admit(&self, model: &str, endpoint: Endpoint) -> Result<(), ApiError> {
        let Gate::Catalog(view) = self else { return Ok(()) };
        let family = match view.find(model) {
            Some(found) if found.entry.is_some_and(|e| !view.serves(e)) => return Err(errors::model_retired(model)),
            Some(found) => found.family,
            None if view.mode == MockMode::Api => return Err(errors::model_not_found(model)),
            // A gateway passes any id; one named like an image model is one.
            None if is_image_name(model) => ModelFamily::Image,
            None if endpoint == Endpoint::Chat => ModelFamily::Chat,
            None => ModelFamily::Image,
        };
        match (endpoint, family) {
            (Endpoint::Chat, ModelFamily::Chat) => Ok(()),
            (Endpoint::Chat, _) => Err(errors::not_a_chat_model()),
            (_, ModelFamily::Image) => Ok(()),
            (_, _) => Err(errors::invalid_value("model", model, &self.image_models(endpoint))),
        }
    }

    /// The rules an image request naming `model` is judged by: its family by
    /// id (or by the id its entry names in `rules_of`), plus what its catalog
    /// entry declares. Azure deployments and ids the catalog does not know
    /// (through a gateway) get their family's rules alone.
    pub fn rules(&self, model: &str) -> ModelRules {
        let entry = match self {
            Gate::Catalog(view) => view.find(model).and_then(|found| found.entry),
            Gate::Deployment(_) => None,
        };
        match entry {
            Some(e) => ModelRules {
                kind: ModelKind::of(e.rules_of.as_deref().unwrap_or(model)),
                declared: e.params.clone(),
                extra_qualities: e.qualities.clone(),
            },
            None => ModelRules::of_kind(ModelKind::of(model)),
        }
    }

    /// The image models served on an image endpoint, for "Supported values"
    /// lists (Azure: the default catalog's).
    pub fn image_models(&self, endpoint: Endpoint) -> Vec<&str> {
        static DEFAULT: std::sync::OnceLock<Vec<ModelEntry>> = std::sync::OnceLock::new();
        let entries: Vec<&ModelEntry> = match self {
            Gate::Catalog(view) => view.entries.iter().filter(|e| view.serves(e)).collect(),
            Gate::Deployment(_) => DEFAULT.get_or_init(ModelEntry::default_catalog).iter().collect(),
        };
        entries
            .into_iter()
            .filter(|e| e.family == ModelFamily::Image)
            .filter(|e| endpoint != Endpoint::Edit || ModelKind::of(&e.id) != ModelKind::DallE3)
            .map(|e| e.id.as_str())
            .collect()
    }
}

fn is_image_name(id: &str) -> bool {
    ["gpt-image-", "dall-e-", "chatgpt-image-"].iter().any(|p| id.starts_with(p))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The default catalog on 2026-12-07 (LIFECYCLE.md's date), in `mode`.
    pub(crate) fn gate(mode: MockMode) -> Gate {
        Gate::Catalog(crate::catalog::tests::view(mode))
    }

    fn refusal(r: Result<(), ApiError>) -> (u16, Option<String>, Option<String>, String) {
        let e = r.unwrap_err();
        let (code, param, message) = e.summary();
        (e.status.as_u16(), code, param, message)
    }

    #[test]
    fn admission_per_mode_and_endpoint() {
        let api = gate(MockMode::Api);
        let retired = refusal(api.admit("dall-e-3", Endpoint::Generation));
        assert_eq!(
            retired,
            (
                404,
                Some("model_not_found".into()),
                None,
                "The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations"
                    .into()
            )
        );
        assert_eq!(refusal(api.admit("gpt-image-9", Endpoint::Edit)).0, 404);
        assert_eq!(refusal(api.admit("gpt-image-9", Endpoint::Edit)).1.as_deref(), Some("model_not_found"));
        let (status, code, param, message) = refusal(api.admit("gpt-image-2", Endpoint::Chat));
        assert_eq!((status, code, param.as_deref()), (404, None, Some("model")));
        assert!(message.starts_with("This is not a chat model"));
        let (status, code, param, message) = refusal(api.admit("gpt-4o-mini", Endpoint::Generation));
        assert_eq!((status, code.as_deref(), param.as_deref()), (400, Some("invalid_value"), Some("model")));
        assert_eq!(
            message,
            "Invalid value: 'gpt-4o-mini'. Supported values are: 'gpt-image-2', 'gpt-image-2.5-flare', \
             'gpt-image-2.5-sunburst', 'gpt-image-2.6-flare', and 'gpt-image-2.6-sunburst'."
        );
        assert!(api.admit("gpt-image-2.5-sunburst-2026-09-08", Endpoint::Edit).is_ok());
        assert!(api.admit("gpt-4.1-mini", Endpoint::Chat).is_ok());
        assert!(api.admit("ft:gpt-4o-mini:acme::x", Endpoint::Chat).is_ok());

        let gateway = gate(MockMode::Gateway);
        assert!(gateway.admit("dall-e-3", Endpoint::Generation).is_ok());
        assert!(gateway.admit("gpt-image-9", Endpoint::Edit).is_ok());
        assert!(gateway.admit("some-future-model", Endpoint::Generation).is_ok());
        assert!(gateway.admit("some-future-model", Endpoint::Chat).is_ok());
        assert_eq!(refusal(gateway.admit("gpt-image-1", Endpoint::Chat)).0, 404);
        assert_eq!(refusal(gateway.admit("gpt-image-2.6-flare", Endpoint::Chat)).0, 404);
        assert_eq!(refusal(gateway.admit("gpt-4o", Endpoint::Edit)).0, 400);
        assert!(gateway.image_models(Endpoint::Edit).contains(&"dall-e-2"));
        assert!(!gateway.image_models(Endpoint::Edit).contains(&"dall-e-3"));

        assert!(Gate::Deployment("gpt-4o".into()).admit("anything", Endpoint::Generation).is_ok());
    }
}
