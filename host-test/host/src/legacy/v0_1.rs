//! The step between contract 0.1 and 0.2: a 0.1 component's answers in the
//! 0.2 shape, and 0.2 requests in the 0.1 shape (the 0.2 step, `v0_2.rs`,
//! takes them on to 0.3).
//!
//! 0.1 had a fixed `settings` record; here it becomes declared settings of the
//! matching kinds, under the names 0.2 backends use for the same things. Its
//! per-request enums (quality, background, style, ...) become a quality list
//! and declared options, checked here before the call. Its models carry no
//! lifecycle: 0.1 could not say.

use crate::bindings::{v0_1 as v1, v0_2 as v2};
use v2::Value;

/// Why a 0.2 value cannot be expressed in 0.1; nothing is sent.
fn invalid(message: String) -> v2::Error {
    v2::Error::InvalidInput(message)
}

// ---- settings ----------------------------------------------------------------

fn spec(name: &str, label: &str, kind: v2::ValueKind, default: Option<Value>, help: &str) -> v2::FieldSpec {
    v2::FieldSpec { name: name.into(), label: label.into(), kind, default, help: Some(help.into()), required: false }
}

fn whole(min: f64, max: Option<f64>) -> v2::ValueKind {
    v2::ValueKind::Number(v2::NumberRange { min: Some(min), max, integer: true })
}

/// The fields of 0.1's `settings` record, declared. The defaults are the ones
/// 0.1 documented ("every field but the key has a sensible default").
pub fn settings_spec() -> Vec<v2::FieldSpec> {
    use v2::ValueKind::*;
    let text = |s: &str| Some(Value::Text(s.into()));
    vec![
        spec("api-key", "API key", Secret, None, "Sent as a Bearer token (or Azure's api-key); never shown."),
        spec("base-url", "Base URL", Url, text("https://api.openai.com/v1"), "Where the service is."),
        spec("organization", "Organization", Text, None, "Sent as OpenAI-Organization."),
        spec("project", "Project", Text, None, "Sent as OpenAI-Project."),
        spec("extra-headers", "Extra headers", Pairs, None, "Sent with every request (gateways)."),
        spec("azure-endpoint", "Azure endpoint", Url, None, "When set, requests go to Azure OpenAI."),
        spec("azure-api-version", "Azure API version", Text, text("2025-04-01-preview"), "Azure's api-version."),
        spec("azure-text-to-image-deployment", "Azure text-to-image deployment", Text, None, "Azure deployment."),
        spec("azure-image-edit-deployment", "Azure image-edit deployment", Text, None, "Azure deployment."),
        spec("azure-image-analysis-deployment", "Azure image-analysis deployment", Text, None, "Azure deployment."),
        spec("connect-timeout", "Connect timeout", Duration, None, "Time to establish a connection."),
        spec("generation-timeout", "Generation timeout", Duration, None, "Time until the response begins."),
        spec("between-bytes-timeout", "Between-bytes timeout", Duration, None, "Longest pause in a response."),
        spec("max-retries", "Retries", whole(0.0, Some(u32::MAX as f64)), None, "Retries after a retryable failure."),
        spec("max-response-bytes", "Response cap", whole(1.0, None), None, "Larger responses are refused."),
    ]
}

/// Reads declared settings into 0.1's record; unknown names and wrong kinds
/// are refused, as a 0.2 backend refuses them.
pub fn settings(values: &[v2::Setting]) -> Result<v1::Settings, v2::Error> {
    let mut s = v1::Settings {
        api_key: String::new(),
        base_url: None,
        organization: None,
        project: None,
        extra_headers: Vec::new(),
        azure: None,
        connect_timeout_ms: None,
        generation_timeout_ms: None,
        between_bytes_timeout_ms: None,
        max_retries: None,
        max_response_bytes: None,
    };
    let mut azure_endpoint = None;
    let mut azure_version = None;
    let mut deployments: [Option<String>; 3] = Default::default();
    for v in values {
        let kind_error = || invalid(format!("setting {:?} does not take a {} value", v.name, kind_name(&v.value)));
        let text = || match &v.value {
            Value::Text(text) => Ok(text.clone()),
            _ => Err(kind_error()),
        };
        let millis = || match v.value {
            Value::Duration(ms) => Ok(ms),
            _ => Err(kind_error()),
        };
        let number = |max: f64| match v.value {
            Value::Number(n) if n.fract() == 0.0 && (0.0..=max).contains(&n) => Ok(n),
            Value::Number(n) => {
                Err(invalid(format!("setting {:?} must be a whole number from 0 to {max}, not {n}", v.name)))
            }
            _ => Err(kind_error()),
        };
        match v.name.as_str() {
            "api-key" => s.api_key = text()?,
            "base-url" => s.base_url = Some(text()?),
            "organization" => s.organization = Some(text()?),
            "project" => s.project = Some(text()?),
            "extra-headers" => match &v.value {
                Value::Pairs(pairs) => {
                    s.extra_headers =
                        pairs.iter().map(|p| v1::Header { name: p.name.clone(), value: p.value.clone() }).collect()
                }
                _ => return Err(kind_error()),
            },
            "azure-endpoint" => azure_endpoint = Some(text()?),
            "azure-api-version" => azure_version = Some(text()?),
            "azure-text-to-image-deployment" => deployments[0] = Some(text()?),
            "azure-image-edit-deployment" => deployments[1] = Some(text()?),
            "azure-image-analysis-deployment" => deployments[2] = Some(text()?),
            "connect-timeout" => s.connect_timeout_ms = Some(millis()?),
            "generation-timeout" => s.generation_timeout_ms = Some(millis()?),
            "between-bytes-timeout" => s.between_bytes_timeout_ms = Some(millis()?),
            "max-retries" => s.max_retries = Some(number(u32::MAX as f64)? as u32),
            "max-response-bytes" => s.max_response_bytes = Some(number(u64::MAX as f64)? as u64),
            other => {
                let known: Vec<String> = settings_spec().into_iter().map(|s| s.name).collect();
                return Err(invalid(format!("unknown setting {other:?}; this backend takes {}", known.join(", "))));
            }
        }
    }
    if let Some(endpoint) = azure_endpoint {
        let [text_to_image_deployment, image_edit_deployment, image_analysis_deployment] = deployments;
        s.azure = Some(v1::AzureSettings {
            endpoint,
            api_version: azure_version.unwrap_or_else(|| "2025-04-01-preview".into()),
            text_to_image_deployment,
            image_edit_deployment,
            image_analysis_deployment,
        });
    }
    Ok(s)
}

/// The name of a value's case, for messages (never the value: it may be a key).
fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Text(_) => "text",
        Value::Number(_) => "number",
        Value::Duration(_) => "duration",
        Value::Flag(_) => "flag",
        Value::TextList(_) => "text-list",
        Value::Pairs(_) => "pairs",
    }
}

// ---- what the backend offers --------------------------------------------------

/// 0.1's quality enum, by name: every 0.1 model could be asked for any of them.
const QUALITIES: [(&str, v1::Quality); 6] = [
    ("auto", v1::Quality::Auto),
    ("low", v1::Quality::Low),
    ("medium", v1::Quality::Medium),
    ("high", v1::Quality::High),
    ("standard", v1::Quality::Standard),
    ("hd", v1::Quality::Hd),
];

fn choice(name: &str, label: &str, values: &[&str]) -> v2::FieldSpec {
    let values = values.iter().map(|v| v.to_string()).collect();
    spec(name, label, v2::ValueKind::Choice(values), None, "A 0.1 request field.")
}

/// 0.1's per-request fields, as the options a model declares in 0.2.
fn options(capability: v1::Capability) -> Vec<v2::FieldSpec> {
    let compression = spec(
        "output-compression",
        "Output compression",
        whole(0.0, Some(100.0)),
        None,
        "0-100, for jpeg and webp output.",
    );
    let user = spec("user", "End-user id", v2::ValueKind::Text, None, "Passed to the service for abuse monitoring.");
    let background = choice("background", "Background", &["auto", "transparent", "opaque"]);
    match capability {
        v1::Capability::TextToImage => vec![
            background,
            choice("moderation", "Moderation", &["auto", "low"]),
            choice("style", "Style", &["vivid", "natural"]),
            compression,
            user,
        ],
        v1::Capability::ImageEdit => {
            vec![background, choice("input-fidelity", "Input fidelity", &["low", "high"]), compression, user]
        }
        v1::Capability::ImageAnalysis => vec![choice("detail", "Detail", &["auto", "low", "high"])],
    }
}

pub fn backend_info(i: v1::BackendInfo) -> v2::BackendInfo {
    v2::BackendInfo {
        name: i.name,
        label: i.label,
        description: i.description,
        version: i.version,
        prompt_style: match i.prompt_style {
            v1::PromptStyle::Descriptive => v2::PromptStyle::Descriptive,
            v1::PromptStyle::Keywords => v2::PromptStyle::Keywords,
        },
        capabilities: i.capabilities.into_iter().map(capability_info).collect(),
        settings: settings_spec(),
    }
}

fn capability_info(c: v1::CapabilityInfo) -> v2::CapabilityInfo {
    let old = c.capability;
    v2::CapabilityInfo {
        capability: capability(old),
        supported: c.supported,
        models: c.models.into_iter().map(|m| model_info(m, old)).collect(),
        default_model: c.default_model,
        accepts_unknown_models: c.accepts_unknown_models,
        max_reference_images: c.max_reference_images,
    }
}

fn model_info(m: v1::ModelInfo, capability: v1::Capability) -> v2::ModelInfo {
    let draws = capability != v1::Capability::ImageAnalysis;
    v2::ModelInfo {
        id: m.id,
        label: m.label,
        note: m.note,
        lifecycle: None,
        sizes: v2::SizeRule { formats: format_sizes(m.sizes), free: None },
        qualities: if draws { QUALITIES.iter().map(|(name, _)| name.to_string()).collect() } else { Vec::new() },
        default_quality: None,
        options: options(capability),
        max_reference_images: m.max_reference_images,
        max_prompt_chars: m.max_prompt_chars,
        max_images: m.max_images,
        streams_partial_images: m.streams_partial_images,
    }
}

/// 0.1 has no `models` operation: what `info()` lists, with no lifecycle.
pub fn models(info: &v2::BackendInfo, wanted: Option<v2::Capability>) -> Vec<v2::ModelEntry> {
    info.capabilities
        .iter()
        .filter(|c| c.supported && wanted.is_none_or(|w| w == c.capability))
        .flat_map(|c| {
            c.models.iter().map(|m| v2::ModelEntry {
                id: m.id.clone(),
                capability: c.capability,
                listed: true,
                lifecycle: None,
                label: m.label.clone(),
                note: m.note.clone(),
            })
        })
        .collect()
}

// ---- requests -------------------------------------------------------------------

/// A request's options, taken one by one into 0.1's fields.
struct Options<'a> {
    pairs: &'a [v2::Pair],
    allowed: Vec<v2::FieldSpec>,
}

impl<'a> Options<'a> {
    fn new(pairs: &'a [v2::Pair], capability: v1::Capability) -> Result<Self, v2::Error> {
        let allowed = options(capability);
        if let Some(unknown) = pairs.iter().find(|p| !allowed.iter().any(|o| o.name == p.name)) {
            let names: Vec<&str> = allowed.iter().map(|o| o.name.as_str()).collect();
            return Err(invalid(format!("unknown option {:?}; this model takes {}", unknown.name, names.join(", "))));
        }
        Ok(Options { pairs, allowed })
    }

    /// The value of option `name`, checked against its declaration and mapped.
    fn get<T>(&self, name: &str, map: impl Fn(&str) -> Option<T>) -> Result<Option<T>, v2::Error> {
        let Some(pair) = self.pairs.iter().rev().find(|p| p.name == name) else { return Ok(None) };
        map(&pair.value).map(Some).ok_or_else(|| {
            let expected = match self.allowed.iter().find(|o| o.name == name).map(|o| &o.kind) {
                Some(v2::ValueKind::Choice(values)) => format!("one of {}", values.join(", ")),
                Some(v2::ValueKind::Number(_)) => "a whole number from 0 to 100".into(),
                _ => "text".into(),
            };
            invalid(format!("option {name:?} is {:?}; it takes {expected}", pair.value))
        })
    }
}

fn quality(q: Option<&str>) -> Result<Option<v1::Quality>, v2::Error> {
    let Some(q) = q else { return Ok(None) };
    QUALITIES.iter().find(|(name, _)| *name == q).map(|(_, v)| Some(*v)).ok_or_else(|| {
        let names: Vec<&str> = QUALITIES.iter().map(|(name, _)| *name).collect();
        invalid(format!("quality {q:?} cannot be asked of a 0.1 backend; it takes {}", names.join(", ")))
    })
}

fn compression(v: &str) -> Option<u8> {
    v.parse::<u8>().ok().filter(|c| *c <= 100)
}

fn background(v: &str) -> Option<v1::Background> {
    match v {
        "auto" => Some(v1::Background::Auto),
        "transparent" => Some(v1::Background::Transparent),
        "opaque" => Some(v1::Background::Opaque),
        _ => None,
    }
}

/// A 0.1 generate or edit request from its 0.2 form: the fields both share
/// (their names are the same in both), then the ones `$rest` gives.
macro_rules! image_request {
    ($ty:ident, $r:expr, $o:expr, { $($rest:tt)* }) => {
        v1::$ty {
            prompt: $r.prompt.clone(),
            format: format_down($r.format),
            model: $r.model.clone(),
            size: $r.size.map(size_down),
            n: $r.n,
            quality: quality($r.quality.as_deref())?,
            output_format: $r.output_format.map(output_format_down),
            output_compression: $o.get("output-compression", compression)?,
            background: $o.get("background", background)?,
            user: $o.get("user", |v| Some(v.to_string()))?,
            $($rest)*
        }
    };
}

pub fn generate_request(r: &v2::GenerateRequest) -> Result<v1::GenerateRequest, v2::Error> {
    let o = Options::new(&r.options, v1::Capability::TextToImage)?;
    Ok(image_request!(GenerateRequest, r, o, {
        moderation: o.get("moderation", |v| match v {
            "auto" => Some(v1::Moderation::Auto),
            "low" => Some(v1::Moderation::Low),
            _ => None,
        })?,
        style: o.get("style", |v| match v {
            "vivid" => Some(v1::Style::Vivid),
            "natural" => Some(v1::Style::Natural),
            _ => None,
        })?,
    }))
}

pub fn edit_request(r: &v2::EditRequest) -> Result<v1::EditRequest, v2::Error> {
    let o = Options::new(&r.options, v1::Capability::ImageEdit)?;
    Ok(image_request!(EditRequest, r, o, {
        images: r.images.clone(),
        mask: r.mask.clone(),
        input_fidelity: o.get("input-fidelity", |v| match v {
            "low" => Some(v1::InputFidelity::Low),
            "high" => Some(v1::InputFidelity::High),
            _ => None,
        })?,
    }))
}

pub fn analyze_request(r: &v2::AnalyzeRequest) -> Result<v1::AnalyzeRequest, v2::Error> {
    let o = Options::new(&r.options, v1::Capability::ImageAnalysis)?;
    Ok(v1::AnalyzeRequest {
        image: r.image.clone(),
        prompt: r.prompt.clone(),
        model: r.model.clone(),
        detail: o.get("detail", |v| match v {
            "auto" => Some(v1::Detail::Auto),
            "low" => Some(v1::Detail::Low),
            "high" => Some(v1::Detail::High),
            _ => None,
        })?,
        max_output_tokens: r.max_output_tokens,
    })
}

// ---- results --------------------------------------------------------------------

pub fn generation(g: v1::Generation) -> v2::Generation {
    v2::Generation {
        model: g.model,
        images: g.images.into_iter().map(image).collect(),
        revised_prompt: g.revised_prompt,
        usage: g.usage.map(usage),
    }
}

fn usage(u: v1::Usage) -> v2::Usage {
    v2::Usage {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        total_tokens: u.total_tokens,
        input_text_tokens: u.input_text_tokens,
        input_image_tokens: u.input_image_tokens,
    }
}

pub fn analysis(a: v1::Analysis) -> v2::Analysis {
    v2::Analysis {
        text: a.text,
        model: a.model,
        finish_reason: a.finish_reason,
        truncated: a.truncated,
        usage: a.usage.map(usage),
    }
}

// ---- the small enums ----------------------------------------------------------------

kept_shape!(v1 => v2);

fn output_format_down(f: v2::OutputFormat) -> v1::OutputFormat {
    match f {
        v2::OutputFormat::Png => v1::OutputFormat::Png,
        v2::OutputFormat::Jpeg => v1::OutputFormat::Jpeg,
        v2::OutputFormat::Webp => v1::OutputFormat::Webp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{self as v3, Parameter};
    use crate::legacy::v0_2;

    /// 0.3 settings, taken through the 0.2 step.
    fn down(values: &[Parameter]) -> Vec<v2::Setting> {
        v0_2::settings(values).unwrap()
    }

    /// A 0.2 error, in the 0.3 shape where its helpers are.
    fn up(e: v2::Error) -> v3::Error {
        v0_2::error(e)
    }

    #[test]
    fn declared_settings_fill_the_old_record() {
        let values = [
            Parameter::text("api-key", "sk-x"),
            Parameter::text("base-url", "http://127.0.0.1:9/v1"),
            Parameter::pairs("extra-headers", [("X-A", "1")]),
            Parameter::duration("generation-timeout", std::time::Duration::from_secs(3)),
            Parameter::number("max-retries", 1.0),
            Parameter::text("azure-endpoint", "https://r.openai.azure.com"),
            Parameter::text("azure-image-edit-deployment", "edit"),
        ];
        let s = settings(&down(&values)).unwrap();
        assert_eq!(s.api_key, "sk-x");
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        assert_eq!(s.extra_headers.len(), 1);
        assert_eq!((s.generation_timeout_ms, s.max_retries), (Some(3000), Some(1)));
        let azure = s.azure.unwrap();
        assert_eq!(
            (azure.api_version.as_str(), azure.image_edit_deployment.as_deref()),
            ("2025-04-01-preview", Some("edit"))
        );
        // Every declared name is read, and only those.
        for spec in settings_spec() {
            let value = match spec.kind {
                v2::ValueKind::Duration => Parameter::duration(spec.name.clone(), std::time::Duration::from_secs(1)),
                v2::ValueKind::Number(_) => Parameter::number(spec.name.clone(), 1.0),
                v2::ValueKind::Pairs => Parameter::pairs(spec.name.clone(), [("a", "b")]),
                _ => Parameter::text(spec.name.clone(), "x"),
            };
            assert!(settings(&down(&[value])).is_ok(), "{}", spec.name);
        }
    }

    #[test]
    fn unknown_settings_and_wrong_kinds_are_refused() {
        let unknown = up(settings(&down(&[Parameter::text("api_key", "sk-x")])).unwrap_err());
        assert!(unknown.message().contains("unknown setting \"api_key\""), "{}", unknown.message());
        let wrong = up(settings(&down(&[Parameter::number("api-key", 1.0)])).unwrap_err());
        assert!(wrong.message().contains("does not take a number"), "{}", wrong.message());
        let fraction = up(settings(&down(&[Parameter::number("max-retries", 1.5)])).unwrap_err());
        assert_eq!(fraction.kind(), "invalid-input");
    }

    fn pair(name: &str, value: &str) -> v2::Pair {
        v2::Pair { name: name.into(), value: value.into() }
    }

    #[test]
    fn quality_and_options_map_onto_the_old_fields_or_are_refused() {
        let mut r = v0_2::generate_request(&v3::GenerateRequest::new("a fox", v3::ImageFormat::Square)).unwrap();
        r.quality = Some("hd".into());
        r.options = vec![pair("style", "natural"), pair("output-compression", "80")];
        let old = generate_request(&r).unwrap();
        assert!(matches!(old.quality, Some(v1::Quality::Hd)));
        assert!(matches!(old.style, Some(v1::Style::Natural)));
        assert_eq!(old.output_compression, Some(80));

        r.quality = Some("xhigh".into());
        assert!(up(generate_request(&r).unwrap_err()).message().contains("\"xhigh\""));
        r.quality = None;
        r.options = vec![pair("style", "loud")];
        assert!(up(generate_request(&r).unwrap_err()).message().contains("one of vivid, natural"));
        r.options = vec![pair("input-fidelity", "high")];
        assert!(up(generate_request(&r).unwrap_err()).message().contains("unknown option"));
        r.options = vec![pair("output-compression", "101")];
        assert!(generate_request(&r).is_err());
    }
}
