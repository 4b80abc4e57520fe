//! The backend's settings, from the command line and the environment.
//!
//! The backend declares what it takes (`info().settings`); this module only
//! knows a few well-known names that its convenience flags and the OpenAI
//! environment variables fill (`api-key`, `base-url`, `generation-timeout`,
//! ...), and passes each only if the backend declares it. `--setting
//! NAME=VALUE` reaches any declared setting, parsed by its declared kind.

use std::time::Duration;

use openai_mock::{AzureMock, MockConfig, MockServer};
use visual_host::bindings::{BackendInfo, FieldSpec, Setting, Value, ValueKind};

use crate::args::Cli;
use crate::failure::Failure;

/// The key the embedded mock accepts when none is given.
pub const MOCK_KEY: &str = "sk-mock-key";

/// Settings for one run, and the mock serving them (it must live as long as the calls).
pub struct Resolved {
    pub settings: Vec<Setting>,
    pub mock: Option<MockServer>,
}

/// A value from a flag or the environment, before the backend's declarations decide.
struct Candidate {
    setting: Setting,
    /// The flag that gave it, to name when the backend does not take it; `None`
    /// for the environment and the mock, which apply only where they fit.
    flag: Option<&'static str>,
}

pub async fn resolve(cli: &Cli, info: &BackendInfo) -> Result<Resolved, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut found: Vec<Candidate> = Vec::new();
    let mut put = |name: &str, value: Value, flag: Option<&'static str>| {
        found.push(Candidate { setting: Setting { name: name.into(), value }, flag });
    };
    let mut mock = None;

    if cli.mock {
        let key = env("OPENAI_API_KEY").unwrap_or_else(|| MOCK_KEY.to_string());
        let mut config = MockConfig { api_key: key.clone(), today: cli.today.clone(), ..MockConfig::default() };
        if let Some(deployment) = &cli.azure_deployment {
            config.azure = Some(AzureMock {
                api_version: cli.azure_api_version.clone(),
                deployments: vec![(deployment.clone(), cli.command.model().unwrap_or_default())],
            });
        }
        let server = MockServer::start(config).await.map_err(|e| Failure::Host(e.into()))?;
        let name = if cli.azure_deployment.is_some() { "azure-endpoint" } else { "base-url" };
        put(name, Value::Text(server.base_url()), None);
        put("api-key", Value::Text(key), None);
        mock = Some(server);
    } else {
        if let Some(key) = env("OPENAI_API_KEY") {
            put("api-key", Value::Text(key), None);
        }
        match &cli.base_url {
            Some(url) => put("base-url", Value::Text(url.clone()), Some("--base-url")),
            None => {
                if let Some(url) = env("OPENAI_BASE_URL") {
                    put("base-url", Value::Text(url), None);
                }
            }
        }
        if let Some(endpoint) = &cli.azure_endpoint {
            put("azure-endpoint", Value::Text(endpoint.clone()), Some("--azure-endpoint"));
        }
    }
    if cli.azure_endpoint.is_some() != cli.azure_deployment.is_some() && !(cli.mock && cli.azure_deployment.is_some()) {
        return Err(Failure::Usage("--azure-endpoint and --azure-deployment go together".into()));
    }
    if let Some(deployment) = &cli.azure_deployment {
        put("azure-api-version", Value::Text(cli.azure_api_version.clone()), Some("--azure-api-version"));
        for capability in ["text-to-image", "image-edit", "image-analysis"] {
            put(&format!("azure-{capability}-deployment"), Value::Text(deployment.clone()), Some("--azure-deployment"));
        }
    }
    for (variable, name) in [("OPENAI_ORG_ID", "organization"), ("OPENAI_PROJECT_ID", "project")] {
        if let Some(value) = env(variable) {
            put(name, Value::Text(value), None);
        }
    }
    if !cli.headers.is_empty() {
        let headers = cli.headers.iter().map(|h| header(h)).collect::<Result<Vec<_>, _>>()?;
        put("extra-headers", pairs(headers), Some("--header"));
    }
    if let Some(secs) = cli.timeout {
        if !(secs.is_finite() && secs > 0.0) {
            return Err(Failure::Usage(format!("--timeout takes a positive number of seconds, not {secs}")));
        }
        let timeout = Duration::from_secs_f64(secs);
        put("generation-timeout", millis(timeout), Some("--timeout"));
        put("between-bytes-timeout", millis(timeout.min(Duration::from_secs(60))), Some("--timeout"));
    }
    if let Some(n) = cli.max_retries {
        put("max-retries", Value::Number(f64::from(n)), Some("--max-retries"));
    }

    // What the backend declares decides; `--setting` reaches any declared name
    // and is passed as given otherwise, for the backend to refuse by name.
    let mut settings: Vec<Setting> = Vec::new();
    for candidate in found {
        match info.setting(&candidate.setting.name) {
            Some(_) => set(&mut settings, candidate.setting),
            None => {
                if let Some(flag) = candidate.flag {
                    if !cli.json {
                        eprintln!(
                            "visual-host: {} takes no {} setting; {flag} ignored",
                            info.label, candidate.setting.name
                        );
                    }
                }
            }
        }
    }
    for given in &cli.settings {
        let (name, text) = crate::args::parse_pair(given).map_err(Failure::Usage)?;
        let value = match info.setting(&name) {
            Some(spec) => parse_value(spec, &text, settings.iter().find(|s| s.name == name))?,
            None => Value::Text(text),
        };
        set(&mut settings, Setting { name, value });
    }
    missing_required(info, &settings)?;
    Ok(Resolved { settings, mock })
}

/// Replaces a setting of the same name, or adds it.
fn set(settings: &mut Vec<Setting>, setting: Setting) {
    match settings.iter_mut().find(|s| s.name == setting.name) {
        Some(existing) => *existing = setting,
        None => settings.push(setting),
    }
}

fn millis(d: Duration) -> Value {
    Value::Duration(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn pairs(pairs: Vec<(String, String)>) -> Value {
    Value::Pairs(pairs.into_iter().map(|(name, value)| visual_host::bindings::Pair { name, value }).collect())
}

/// `Name: value`.
fn header(h: &str) -> Result<(String, String), Failure> {
    let (name, value) =
        h.split_once(':').ok_or_else(|| Failure::Usage(format!("--header takes 'Name: value', not {h:?}")))?;
    Ok((name.trim().to_string(), value.trim().to_string()))
}

/// A `--setting` value, read by the kind the backend declares. Pairs and
/// lists add to what an earlier `--setting` of the same name gave.
fn parse_value(spec: &FieldSpec, text: &str, earlier: Option<&Setting>) -> Result<Value, Failure> {
    let bad = |expected: &str| Failure::Usage(format!("--setting {}: expected {expected}, not {text:?}", spec.name));
    Ok(match &spec.kind {
        ValueKind::Text | ValueKind::Secret | ValueKind::Url | ValueKind::Choice(_) => Value::Text(text.to_string()),
        ValueKind::Number(_) => Value::Number(text.trim().parse().map_err(|_| bad("a number"))?),
        ValueKind::Duration => {
            let secs: f64 = text.trim().trim_end_matches('s').parse().map_err(|_| bad("seconds"))?;
            if !(secs.is_finite() && secs >= 0.0) {
                return Err(bad("seconds"));
            }
            millis(Duration::from_secs_f64(secs))
        }
        ValueKind::Flag => Value::Flag(match text.trim() {
            "true" | "yes" | "on" | "1" => true,
            "false" | "no" | "off" | "0" => false,
            _ => return Err(bad("true or false")),
        }),
        ValueKind::TextList => {
            let mut list = match earlier.map(|s| &s.value) {
                Some(Value::TextList(list)) => list.clone(),
                _ => Vec::new(),
            };
            list.extend(text.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
            Value::TextList(list)
        }
        ValueKind::Json => {
            serde_json::from_str::<serde_json::Value>(text).map_err(|_| bad("a JSON document"))?;
            Value::Json(text.trim().to_string())
        }
        ValueKind::Image(_) => {
            let path = text.strip_prefix('@').filter(|p| !p.is_empty()).ok_or_else(|| bad("@PATH (an image file)"))?;
            let bytes = std::fs::read(path)
                .map_err(|e| Failure::Usage(format!("--setting {}: cannot read {path}: {e}", spec.name)))?;
            Value::Image(bytes)
        }
        ValueKind::Pairs => {
            let mut list = match earlier.map(|s| &s.value) {
                Some(Value::Pairs(list)) => list.clone(),
                _ => Vec::new(),
            };
            let (name, value) = text.split_once(':').ok_or_else(|| bad("'Name: value'"))?;
            list.push(visual_host::bindings::Pair { name: name.trim().into(), value: value.trim().into() });
            Value::Pairs(list)
        }
    })
}

/// A required setting nobody gave: bad usage, with how to give it.
fn missing_required(info: &BackendInfo, settings: &[Setting]) -> Result<(), Failure> {
    let Some(spec) = info.settings.iter().find(|s| s.required && s.effective(settings).is_none()) else {
        return Ok(());
    };
    Err(Failure::Usage(if spec.name == "api-key" {
        "No API key. Set OPENAI_API_KEY to a key from https://platform.openai.com/api-keys \
         (gpt-image models also need a verified organization), or add --mock to use the embedded mock."
            .into()
    } else {
        format!(
            "{} needs the setting {} ({}){}; pass --setting {}=...",
            info.label,
            spec.name,
            spec.label,
            spec.help.as_deref().map(|h| format!(": {h}")).unwrap_or_default(),
            spec.name
        )
    }))
}
