//! The settings `open` takes: declared once ([`SETTINGS`], what `info()`
//! lists), and the host's `list<setting>` checked against them into
//! [`Values`]. Names are checked (an unknown one is refused, naming it), as are
//! kinds, bounds and the required key; `config.rs` then checks what the
//! values mean (URLs, headers, Azure) and applies the defaults.
//!
//! Nothing here formats a [`Setting`] or a [`Value`]: their generated `Debug`
//! would print the key.

use crate::bindings::{Error, Pair, Setting, Value};
use crate::fields::{self, Default, Kind, Spec};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_AZURE_API_VERSION: &str = "2025-04-01-preview";
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;
/// Just over five minutes: a high-quality GPT image can take most of that.
pub const DEFAULT_GENERATION_TIMEOUT_MS: u64 = 301_000;
pub const DEFAULT_BETWEEN_BYTES_TIMEOUT_MS: u64 = 60_000;
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Beyond this, retries only multiply the wait and the bill.
pub const MAX_RETRIES_LIMIT: u32 = 10;
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

const fn text(name: &'static str, label: &'static str, help: &'static str) -> Spec {
    Spec { name, label, kind: Kind::Text, default: None, help, required: false }
}

const fn duration(name: &'static str, label: &'static str, default: u64, help: &'static str) -> Spec {
    Spec { name, label, kind: Kind::Duration, default: Some(Default::Duration(default)), help, required: false }
}

/// Every setting, in the order a settings panel shows them. The names are
/// part of the contract with hosts (the host, the CLI, the Python and
/// Talemate adapters use them).
pub const SETTINGS: &[Spec] = &[
    Spec {
        name: "api-key",
        label: "API key",
        kind: Kind::Secret,
        default: None,
        help: "Your OpenAI API key, from https://platform.openai.com/api-keys (on Azure, the resource's key); the \
               GPT image models also need a verified organization \
               (https://platform.openai.com/settings/organization/general).",
        required: true,
    },
    Spec {
        name: "base-url",
        label: "Base URL",
        kind: Kind::Url,
        default: Some(Default::Text(DEFAULT_BASE_URL)),
        help: "Where the OpenAI API or a compatible gateway is; a URL without a path gets /v1.",
        required: false,
    },
    text(
        "organization",
        "Organization ID",
        "The OpenAI organization (org-...) to use, sent as OpenAI-Organization; empty for the key's default.",
    ),
    text(
        "project",
        "Project ID",
        "The OpenAI project (proj_...) to use, sent as OpenAI-Project; empty for the key's default.",
    ),
    Spec {
        name: "extra-headers",
        label: "Extra headers",
        kind: Kind::Pairs,
        default: None,
        help: "HTTP headers sent with every request, for gateways; they cannot replace Authorization, api-key, \
               Content-Type and the like.",
        required: false,
    },
    Spec {
        name: "azure-endpoint",
        label: "Azure OpenAI endpoint",
        kind: Kind::Url,
        default: None,
        help: "Your Azure OpenAI resource (https://NAME.openai.azure.com); when set, requests go to its \
               deployments with the key in the api-key header.",
        required: false,
    },
    Spec {
        name: "azure-api-version",
        label: "Azure API version",
        kind: Kind::Text,
        default: Some(Default::Text(DEFAULT_AZURE_API_VERSION)),
        help: "The api-version every Azure OpenAI request carries.",
        required: false,
    },
    text(
        "azure-text-to-image-deployment",
        "Azure deployment for text to image",
        "The Azure deployment that makes images from prompts (empty: none).",
    ),
    text(
        "azure-image-edit-deployment",
        "Azure deployment for image edits",
        "The Azure deployment that edits images (empty: none).",
    ),
    text(
        "azure-image-analysis-deployment",
        "Azure deployment for image analysis",
        "The Azure deployment of a vision model that answers questions about images (empty: none).",
    ),
    duration(
        "connect-timeout",
        "Connect timeout",
        DEFAULT_CONNECT_TIMEOUT_MS,
        "How long to wait for a connection to the service, in milliseconds.",
    ),
    duration(
        "generation-timeout",
        "Generation timeout",
        DEFAULT_GENERATION_TIMEOUT_MS,
        "How long to wait for an answer to begin, in milliseconds; a high-quality image can take minutes.",
    ),
    duration(
        "between-bytes-timeout",
        "Between-bytes timeout",
        DEFAULT_BETWEEN_BYTES_TIMEOUT_MS,
        "How long an answer may pause once it has begun, in milliseconds.",
    ),
    Spec {
        name: "max-retries",
        label: "Retries",
        kind: Kind::Number { min: Some(0.0), max: Some(MAX_RETRIES_LIMIT as f64), integer: true, step: None },
        default: Some(Default::Number(DEFAULT_MAX_RETRIES as f64)),
        help: "How often a request that failed for a passing reason (rate limit, overload, no connection) is \
               sent again.",
        required: false,
    },
    Spec {
        name: "max-response-bytes",
        label: "Largest response",
        kind: Kind::Number { min: Some(1.0), max: None, integer: true, step: None },
        default: Some(Default::Number(DEFAULT_MAX_RESPONSE_BYTES as f64)),
        help: "The largest response body accepted, in bytes; a larger one is refused and the connection closed.",
        required: false,
    },
];

/// Settings as given, checked by kind. Text is as given (`config.rs` trims
/// and reads blank as unset); what is absent takes its default there.
/// No `Debug`: it holds the key.
#[derive(Clone, Default)]
pub struct Values {
    pub api_key: String,
    pub base_url: Option<String>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub extra_headers: Vec<Pair>,
    pub azure_endpoint: Option<String>,
    pub azure_api_version: Option<String>,
    /// Text to image, image edit, image analysis.
    pub azure_deployments: [Option<String>; 3],
    pub connect_timeout_ms: Option<u64>,
    pub generation_timeout_ms: Option<u64>,
    pub between_bytes_timeout_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub max_response_bytes: Option<u64>,
}

/// The API key as given, if there is one: what the client scrubs from any
/// error `open` returns, before anything else is checked.
pub fn api_key(settings: &[Setting]) -> Option<&str> {
    settings.iter().find(|s| s.name == "api-key").and_then(|s| match &s.value {
        Value::Text(key) => Some(key.as_str()),
        _ => None,
    })
}

/// Checks every setting against [`SETTINGS`]: known name, given once, of its
/// kind and within bounds; the required ones present.
pub fn parse(settings: &[Setting]) -> Result<Values, Error> {
    let mut values = Values::default();
    let mut seen: Vec<&str> = Vec::with_capacity(settings.len());
    for setting in settings {
        let name = setting.name.as_str();
        let Some(spec) = SETTINGS.iter().find(|s| s.name == name) else {
            return Err(invalid(format!(
                "unknown setting `{}`; the settings are {}",
                crate::api_error::shown(name, 64),
                SETTINGS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            )));
        };
        if seen.contains(&name) {
            return Err(invalid(format!("setting {name} is given twice")));
        }
        seen.push(name);
        fields::check_value(spec, &setting.value).map_err(invalid)?;
        // Checked: each name holds its kind, numbers are whole and within bounds
        // (so the casts are exact); nothing else reaches here.
        let text = |t: &String| Some(t.clone());
        match (name, &setting.value) {
            ("api-key", Value::Text(t)) => values.api_key = t.clone(),
            ("base-url", Value::Text(t)) => values.base_url = text(t),
            ("organization", Value::Text(t)) => values.organization = text(t),
            ("project", Value::Text(t)) => values.project = text(t),
            ("extra-headers", Value::Pairs(pairs)) => values.extra_headers = pairs.clone(),
            ("azure-endpoint", Value::Text(t)) => values.azure_endpoint = text(t),
            ("azure-api-version", Value::Text(t)) => values.azure_api_version = text(t),
            ("azure-text-to-image-deployment", Value::Text(t)) => values.azure_deployments[0] = text(t),
            ("azure-image-edit-deployment", Value::Text(t)) => values.azure_deployments[1] = text(t),
            ("azure-image-analysis-deployment", Value::Text(t)) => values.azure_deployments[2] = text(t),
            ("connect-timeout", Value::Duration(ms)) => values.connect_timeout_ms = Some(*ms),
            ("generation-timeout", Value::Duration(ms)) => values.generation_timeout_ms = Some(*ms),
            ("between-bytes-timeout", Value::Duration(ms)) => values.between_bytes_timeout_ms = Some(*ms),
            ("max-retries", Value::Number(n)) => values.max_retries = Some(*n as u32),
            ("max-response-bytes", Value::Number(n)) => values.max_response_bytes = Some(*n as u64),
            _ => debug_assert!(false, "setting {name} is declared but not read"),
        }
    }
    if let Some(missing) = SETTINGS.iter().find(|s| s.required && !seen.contains(&s.name)) {
        return Err(invalid(format!("the setting {} is required", missing.name)));
    }
    Ok(values)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::ValueKind;

    /// A setting, for tests.
    pub(crate) fn set(name: &str, value: Value) -> Setting {
        Setting { name: name.into(), value }
    }

    pub(crate) fn text(name: &str, value: &str) -> Setting {
        set(name, Value::Text(value.into()))
    }

    fn invalid_message(settings: &[Setting]) -> String {
        match parse(settings) {
            Err(Error::InvalidInput(m)) => m,
            Err(other) => panic!("expected invalid-input, got {}", other.kind()),
            Ok(_) => panic!("expected invalid-input, got values"),
        }
    }

    #[test]
    fn the_declared_settings() {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "api-key",
                "base-url",
                "organization",
                "project",
                "extra-headers",
                "azure-endpoint",
                "azure-api-version",
                "azure-text-to-image-deployment",
                "azure-image-edit-deployment",
                "azure-image-analysis-deployment",
                "connect-timeout",
                "generation-timeout",
                "between-bytes-timeout",
                "max-retries",
                "max-response-bytes",
            ]
        );
        let spec = |name: &str| SETTINGS.iter().find(|s| s.name == name).unwrap().field_spec();
        let key = spec("api-key");
        assert_eq!((key.kind, key.required, key.default), (ValueKind::Secret, true, None));
        assert!(key
            .help
            .as_deref()
            .is_some_and(|h| h.contains("platform.openai.com/api-keys") && h.contains("verified organization")));
        assert_eq!(spec("base-url").default, Some(Value::Text("https://api.openai.com/v1".into())));
        assert_eq!((spec("azure-endpoint").kind, spec("azure-endpoint").default), (ValueKind::Url, None));
        assert_eq!(spec("azure-api-version").default, Some(Value::Text("2025-04-01-preview".into())));
        assert_eq!(spec("extra-headers").kind, ValueKind::Pairs);
        for (name, ms) in
            [("connect-timeout", 10_000), ("generation-timeout", 301_000), ("between-bytes-timeout", 60_000)]
        {
            assert_eq!(
                (spec(name).kind, spec(name).default),
                (ValueKind::Duration, Some(Value::Duration(ms))),
                "{name}"
            );
        }
        let retries = spec("max-retries");
        assert_eq!(
            (retries.kind, retries.default),
            (
                ValueKind::Number(crate::bindings::NumberRange {
                    min: Some(0.0),
                    max: Some(10.0),
                    integer: true,
                    step: None
                }),
                Some(Value::Number(2.0))
            )
        );
        let cap = spec("max-response-bytes");
        assert_eq!(
            (cap.kind, cap.default),
            (
                ValueKind::Number(crate::bindings::NumberRange {
                    min: Some(1.0),
                    max: None,
                    integer: true,
                    step: None
                }),
                Some(Value::Number(67_108_864.0))
            )
        );
        for s in SETTINGS {
            let spec = s.field_spec();
            assert!(!spec.label.is_empty() && spec.help.as_deref().is_some_and(|h| h.ends_with('.')), "{}", s.name);
            assert_eq!(spec.required, s.name == "api-key", "{}", s.name);
        }
    }

    #[test]
    fn every_declared_setting_is_read() {
        for spec in SETTINGS {
            let value = match spec.kind {
                Kind::Text | Kind::Secret | Kind::Url => Value::Text("x".into()),
                Kind::Number { .. } => Value::Number(1.0),
                Kind::Duration => Value::Duration(1),
                Kind::Pairs => Value::Pairs(vec![Pair::new("X-A", "1")]),
                Kind::Choice(values) => Value::Text(values[0].into()),
                Kind::Image(_) => unreachable!("no setting is an image"),
            };
            let list = if spec.name == "api-key" {
                vec![set(spec.name, value)]
            } else {
                vec![text("api-key", "k"), set(spec.name, value)]
            };
            // A declared setting that `parse` does not read trips its debug assertion.
            assert!(parse(&list).is_ok(), "{}", spec.name);
        }
    }

    #[test]
    fn names_kinds_bounds_and_the_required_key() {
        let key = text("api-key", "sk-1");
        let message = invalid_message(&[key.clone(), text("base_url", "https://x")]);
        assert!(
            message.contains("unknown setting `base_url`") && message.contains("base-url, organization"),
            "{message}"
        );
        assert!(invalid_message(&[key.clone(), key.clone()]).contains("api-key is given twice"));
        assert_eq!(invalid_message(&[text("base-url", "https://x")]), "the setting api-key is required");
        assert!(
            invalid_message(&[set("api-key", Value::Number(1.0))]).contains("api-key takes secret text, not a number")
        );
        let cases = [
            (set("max-retries", Value::Number(11.0)), "max-retries takes a whole number from 0 to 10"),
            (set("max-retries", Value::Text("3".into())), "max-retries takes a whole number from 0 to 10, not text"),
            (set("max-response-bytes", Value::Number(0.0)), "max-response-bytes takes a whole number of at least 1"),
            (set("connect-timeout", Value::Duration(0)), "connect-timeout must be greater than 0"),
            (set("generation-timeout", Value::Number(5.0)), "generation-timeout takes a duration in milliseconds"),
            (set("extra-headers", Value::TextList(vec!["X: y".into()])), "extra-headers takes name and value pairs"),
            (set("azure-endpoint", Value::Flag(true)), "azure-endpoint takes a URL"),
        ];
        for (setting, why) in cases {
            let message = invalid_message(&[key.clone(), setting]);
            assert!(message.contains(why), "{why}: {message}");
        }
        let v = parse(&[
            key,
            set("max-retries", Value::Number(0.0)),
            set("max-response-bytes", Value::Number(1.0)),
            set("between-bytes-timeout", Value::Duration(5)),
            text("azure-image-edit-deployment", "edit"),
            set("extra-headers", Value::Pairs(vec![Pair::new("X-A", "1")])),
        ])
        .unwrap();
        assert_eq!((v.api_key.as_str(), v.max_retries, v.max_response_bytes), ("sk-1", Some(0), Some(1)));
        assert_eq!((v.between_bytes_timeout_ms, v.connect_timeout_ms), (Some(5), None));
        assert_eq!(v.azure_deployments, [None, Some("edit".into()), None]);
        assert_eq!(v.extra_headers, vec![Pair::new("X-A", "1")]);
    }

    #[test]
    fn no_message_quotes_a_value() {
        let secret = "sk-proj-very-secret-value-0123";
        for setting in [
            set("api-key", Value::Pairs(vec![Pair::new(secret, secret)])),
            set("max-retries", Value::Text(secret.into())),
            set("organization", Value::TextList(vec![secret.into()])),
        ] {
            let list = if setting.name == "api-key" { vec![setting] } else { vec![text("api-key", "k"), setting] };
            let message = invalid_message(&list);
            assert!(!message.contains("very-secret"), "{message}");
        }
        assert_eq!(api_key(&[text("base-url", "u"), text("api-key", secret)]), Some(secret));
        assert_eq!(api_key(&[set("api-key", Value::Number(1.0))]), None);
    }
}
