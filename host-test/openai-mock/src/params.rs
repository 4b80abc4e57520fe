//! The image parameters shared by generations and edits, checked per model.
//!
//! Generations send them as JSON, edits as multipart text fields; both are
//! turned into [`Fields`] and validated here once, with the real API's rules:
//! which parameters each model family takes, their ranges, and the sizes it
//! can render.

use serde_json::Value;

use super::catalog::{Endpoint, Gate};
use super::errors::{self, ApiError};
use super::record::ImageInfo;

/// A parameter value as it arrived: typed JSON, or multipart text.
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    Json(Value),
    Text(String),
}

/// The request's parameters in arrival order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(pub Vec<(String, Raw)>);

impl Fields {
    fn raw(&self, name: &str) -> Option<&Raw> {
        // `null` is what the spec's nullable fields mean by "not given".
        self.0.iter().find(|(n, _)| n == name).map(|(_, r)| r).filter(|r| !matches!(r, Raw::Json(Value::Null)))
    }

    /// Sent at all, even as `null`: a parameter the model does not take is
    /// refused by name, whatever its value.
    pub fn sent(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub fn str(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => Ok(Some(s.clone())),
            Some(Raw::Json(Value::String(s))) => Ok(Some(s.clone())),
            Some(Raw::Json(v)) => Err(errors::invalid_type(name, "a string", json_kind(v))),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => {
                s.trim().parse().map(Some).map_err(|_| errors::invalid_type(name, "an integer", "a string"))
            }
            Some(Raw::Json(v)) => {
                v.as_i64().map(Some).ok_or_else(|| errors::invalid_type(name, "an integer", json_kind(v)))
            }
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => match s.trim() {
                "true" | "True" => Ok(Some(true)),
                "false" | "False" => Ok(Some(false)),
                _ => Err(errors::invalid_type(name, "a boolean", "a string")),
            },
            Some(Raw::Json(Value::Bool(b))) => Ok(Some(*b)),
            Some(Raw::Json(v)) => Err(errors::invalid_type(name, "a boolean", json_kind(v))),
        }
    }

    /// A string that must be one of `allowed`.
    fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.str(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(errors::invalid_value(name, &v, allowed)),
            v => Ok(v),
        }
    }

    /// The model as sent, if it is a string (for the record, even when invalid).
    pub fn model_hint(&self) -> Option<String> {
        self.str("model").ok().flatten()
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a decimal",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageEndpoint {
    Generation,
    Edit,
}

impl ImageEndpoint {
    /// The stream event type prefix: `image_generation` / `image_edit`.
    pub fn event_prefix(self) -> &'static str {
        match self {
            ImageEndpoint::Generation => "image_generation",
            ImageEndpoint::Edit => "image_edit",
        }
    }
}

/// The rule families the real API applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelKind {
    DallE3,
    /// gpt-image-1, -1-mini, -1.5, chatgpt-image-latest, and ids named like no newer family.
    GptImage,
    /// gpt-image-2 and its snapshots: free sizes within limits (openapi.yaml, CreateImageRequest.size).
    GptImage2,
    /// gpt-image-2.5-flare / -sunburst, their snapshots, and later 2.x versions (gpt-image-2.6-*, as
    /// gateways offer them): gpt-image-2's rules plus the quality tiers `xhigh` and `max`
    /// (LIFECYCLE.md, "Current image models", from the 2.5 launch notes it cites; the spec predates them).
    GptImage25,
}

impl ModelKind {
    /// By name: `gpt-image-2[.Y]...` by its minor version; anything else (an
    /// unknown family included) gets the GPT image rules.
    pub fn of(model: &str) -> ModelKind {
        if model == "dall-e-3" {
            return ModelKind::DallE3;
        }
        let version = model.strip_prefix("gpt-image-").map(|rest| {
            let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
            let mut numbers = rest[..end].split('.').map(|n| n.parse::<u32>().unwrap_or(0));
            (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
        });
        match version {
            Some((2, minor)) if minor >= 5 => ModelKind::GptImage25,
            Some((2, _)) => ModelKind::GptImage2,
            _ => ModelKind::GptImage,
        }
    }

    pub fn is_gpt(self) -> bool {
        self != ModelKind::DallE3
    }

    /// Free `WIDTHxHEIGHT` sizes rather than a fixed list.
    fn free_sizes(self) -> bool {
        matches!(self, ModelKind::GptImage2 | ModelKind::GptImage25)
    }

    /// The `quality` values it takes: the spec's per family, and for 2.5 also
    /// `xhigh` and `max` (LIFECYCLE.md).
    fn qualities(self) -> &'static [&'static str] {
        match self {
            ModelKind::DallE3 => &["standard", "hd", "auto"],
            ModelKind::GptImage | ModelKind::GptImage2 => &["low", "medium", "high", "auto"],
            ModelKind::GptImage25 => &["low", "medium", "high", "auto", "xhigh", "max"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OutFormat {
    Png,
    Jpeg,
    Webp,
}

impl OutFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            OutFormat::Png => "png",
            OutFormat::Jpeg => "jpeg",
            OutFormat::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            OutFormat::Png => "image/png",
            OutFormat::Jpeg => "image/jpeg",
            OutFormat::Webp => "image/webp",
        }
    }
}

/// An input image of an edit, as identified from its bytes.
#[derive(Debug, Clone)]
pub(crate) struct InputImage {
    pub sha256: [u8; 32],
    pub info: ImageInfo,
}

/// A validated image request: everything needed to answer it.
#[derive(Debug, Clone)]
pub(crate) struct ImageJob {
    pub endpoint: ImageEndpoint,
    pub kind: ModelKind,
    pub prompt: String,
    pub n: u32,
    pub width: u32,
    pub height: u32,
    /// Resolved (`auto` replaced by what the model would pick).
    pub quality: String,
    pub output_format: OutFormat,
    /// 0-100; used for JPEG quality.
    pub compression: u8,
    /// Resolved: `transparent` or `opaque`.
    pub background: String,
    /// dall-e-3 without `response_format: b64_json` answers with URLs.
    pub url_response: bool,
    pub stream: bool,
    pub partial_images: u32,
    pub inputs: Vec<InputImage>,
}

impl ImageJob {
    pub fn size_label(&self) -> String {
        format!("{}x{}", self.width, self.height)
    }
}

const GENERATION_FIELDS: &[&str] = &[
    "prompt",
    "model",
    "n",
    "quality",
    "response_format",
    "output_format",
    "output_compression",
    "stream",
    "partial_images",
    "size",
    "moderation",
    "background",
    "style",
    "user",
];
const EDIT_FIELDS: &[&str] = &[
    "prompt",
    "model",
    "n",
    "quality",
    "response_format",
    "output_format",
    "output_compression",
    "stream",
    "partial_images",
    "size",
    "background",
    "input_fidelity",
    "user",
];
const GPT_ONLY: &[&str] =
    &["output_format", "output_compression", "background", "moderation", "stream", "partial_images", "input_fidelity"];
const DALLE_ONLY: &[&str] = &["response_format", "style"];
const GPT_SIZES: &[&str] = &["1024x1024", "1536x1024", "1024x1536", "auto"];
const DALLE3_SIZES: &[&str] = &["1024x1024", "1792x1024", "1024x1792"];

/// Validates the parameters. The gate admits the model (the catalog, or the
/// Azure deployment's model, which decides the rules whatever the body says).
pub(crate) fn image_job(
    endpoint: ImageEndpoint,
    fields: &Fields,
    gate: &Gate,
    inputs: Vec<InputImage>,
) -> Result<ImageJob, ApiError> {
    let allowed = match endpoint {
        ImageEndpoint::Generation => GENERATION_FIELDS,
        ImageEndpoint::Edit => EDIT_FIELDS,
    };
    if let Some((name, _)) = fields.0.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
        return Err(errors::unknown_parameter(name));
    }

    let body_model = fields.str("model")?;
    let model = match (gate.forced(), body_model) {
        (Some(m), _) => m.to_string(),
        (None, Some(m)) if !m.is_empty() => m,
        (None, Some(_)) => return Err(errors::empty_string("model")),
        (None, None) => {
            return Err(errors::not_in_mock(
                Some("model"),
                "Missing required parameter: 'model'. (The real API would default to dall-e-2; this mock requires an explicit model.)",
            ))
        }
    };
    let on = match endpoint {
        ImageEndpoint::Generation => Endpoint::Generation,
        ImageEndpoint::Edit => Endpoint::Edit,
    };
    gate.admit(&model, on)?;
    if model == "dall-e-2" {
        return Err(errors::not_in_mock(Some("model"), "The model 'dall-e-2' is not supported by this mock server."));
    }
    let kind = ModelKind::of(&model);
    if endpoint == ImageEndpoint::Edit && kind == ModelKind::DallE3 {
        return Err(errors::invalid_value("model", &model, &gate.image_models(on)));
    }

    let prompt = fields.str("prompt")?.ok_or_else(|| errors::missing_required("prompt"))?;
    if prompt.is_empty() {
        return Err(errors::empty_string("prompt"));
    }
    let max_prompt = if kind.is_gpt() { 32000 } else { 4000 };
    let prompt_len = prompt.chars().count();
    if prompt_len > max_prompt {
        return Err(errors::string_too_long("prompt", max_prompt, prompt_len));
    }

    let foreign = if kind.is_gpt() { DALLE_ONLY } else { GPT_ONLY };
    // `stream: false` is the default everywhere, so only a real request to stream counts.
    let streams = matches!(fields.bool("stream"), Ok(Some(true)));
    let sent = |n: &&&str| fields.sent(n) && (**n != "stream" || streams);
    if let Some(name) = foreign.iter().find(sent) {
        return Err(errors::unknown_parameter(name));
    }

    let n = fields.int("n")?.unwrap_or(1);
    if !(1..=10).contains(&n) {
        return Err(errors::integer_out_of_range("n", n, 1, 10));
    }
    if kind == ModelKind::DallE3 && n != 1 {
        return Err(errors::invalid_value_msg("n", "You must provide n=1 for this model."));
    }

    let (width, height) = size(kind, fields.str("size")?.as_deref())?;

    let quality = fields.choice("quality", kind.qualities())?;
    let quality = match (kind, quality.as_deref()) {
        (ModelKind::DallE3, None | Some("auto")) => "standard".to_string(),
        (_, None | Some("auto")) => "medium".to_string(),
        (_, Some(q)) => q.to_string(),
    };

    let output_format = match fields.choice("output_format", &["png", "jpeg", "webp"])?.as_deref() {
        Some("jpeg") => OutFormat::Jpeg,
        Some("webp") => OutFormat::Webp,
        _ => OutFormat::Png,
    };
    let compression = match fields.int("output_compression")? {
        None => 100,
        Some(c) if !(0..=100).contains(&c) => {
            return Err(errors::integer_out_of_range("output_compression", c, 0, 100))
        }
        Some(c) if c < 100 && output_format == OutFormat::Png => {
            return Err(errors::invalid_value_msg(
                "output_compression",
                "Compression less than 100 is not supported for PNG output format.",
            ))
        }
        Some(c) => c as u8,
    };
    let background = fields.choice("background", &["transparent", "opaque", "auto"])?;
    if background.as_deref() == Some("transparent") && output_format == OutFormat::Jpeg {
        return Err(errors::invalid_value_msg(
            "background",
            "Transparent background is not supported for the 'jpeg' output format; use 'png' or 'webp'.",
        ));
    }
    let background = if background.as_deref() == Some("transparent") { "transparent" } else { "opaque" }.to_string();

    fields.choice("moderation", &["low", "auto"])?;
    fields.choice("style", &["vivid", "natural"])?;
    let response_format = fields.choice("response_format", &["url", "b64_json"])?;
    let url_response = kind == ModelKind::DallE3 && response_format.as_deref() != Some("b64_json");

    let stream = fields.bool("stream")?.unwrap_or(false);
    let partial_images = match fields.int("partial_images")? {
        None => 0,
        Some(p) if !(0..=3).contains(&p) => return Err(errors::integer_out_of_range("partial_images", p, 0, 3)),
        Some(p) => p as u32,
    };

    if fields.choice("input_fidelity", &["high", "low"])?.is_some() && model == "gpt-image-1-mini" {
        return Err(errors::invalid_value_msg(
            "input_fidelity",
            "input_fidelity is not supported for gpt-image-1-mini.",
        ));
    }
    fields.str("user")?;

    Ok(ImageJob {
        endpoint,
        kind,
        prompt,
        n: n as u32,
        width,
        height,
        quality,
        output_format,
        compression,
        background,
        url_response,
        stream,
        partial_images,
        inputs,
    })
}

/// The pixel size for a `size` value; `auto` (or none) is 1024x1024.
fn size(kind: ModelKind, value: Option<&str>) -> Result<(u32, u32), ApiError> {
    let value = match value {
        None => return Ok((1024, 1024)),
        Some(v) => v,
    };
    match kind {
        ModelKind::DallE3 if DALLE3_SIZES.contains(&value) => Ok(parse_size(value).expect("listed size")),
        ModelKind::DallE3 => Err(errors::invalid_value("size", value, DALLE3_SIZES)),
        _ if value == "auto" => Ok((1024, 1024)),
        _ if !kind.free_sizes() && GPT_SIZES.contains(&value) => Ok(parse_size(value).expect("listed size")),
        _ if !kind.free_sizes() => Err(errors::invalid_value("size", value, GPT_SIZES)),
        // gpt-image-2 (openapi.yaml, CreateImageRequest.size) and 2.5 ("sizes as gpt-image-2", LIFECYCLE.md).
        _ => {
            let (w, h) = parse_size(value).ok_or_else(|| {
                errors::invalid_value_msg(
                    "size",
                    format!("Invalid value: '{value}'. Expected 'auto' or a size of the form WIDTHxHEIGHT, such as '1536x864'."),
                )
            })?;
            let bad = |why: &str| errors::invalid_value_msg("size", format!("Invalid value: '{value}'. {why}"));
            let (long, short) = (w.max(h), w.min(h));
            if w % 16 != 0 || h % 16 != 0 {
                Err(bad("Width and height must both be divisible by 16."))
            } else if long > 3 * short {
                Err(bad("The aspect ratio must be between 1:3 and 3:1."))
            } else if long > 3840 || short > 2160 {
                Err(bad("The maximum supported resolution is 3840x2160."))
            } else {
                Ok((w, h))
            }
        }
    }
}

fn parse_size(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.split_once('x')?;
    let digits = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(w) || !digits(h) {
        return None;
    }
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::gate;
    use crate::MockMode;
    use serde_json::json;

    fn json_fields(v: Value) -> Fields {
        Fields(v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), Raw::Json(v.clone()))).collect())
    }

    /// Through a gateway: the seed models' own rules, whatever their shutdown dates.
    fn gen(v: Value) -> Result<ImageJob, ApiError> {
        image_job(ImageEndpoint::Generation, &json_fields(v), &gate(MockMode::Gateway), Vec::new())
    }

    /// As the API answers on 2026-12-02.
    fn gen_api(v: Value) -> Result<ImageJob, ApiError> {
        image_job(ImageEndpoint::Generation, &json_fields(v), &gate(MockMode::Api), Vec::new())
    }

    fn code(r: Result<ImageJob, ApiError>) -> (Option<String>, Option<String>) {
        let (code, param, _) = r.unwrap_err().summary();
        (code, param)
    }

    #[test]
    fn per_model_parameters() {
        let j = gen(json!({"model": "dall-e-3", "prompt": "p", "response_format": "b64_json", "size": "1792x1024", "style": "natural"})).unwrap();
        assert_eq!((j.width, j.height, j.url_response, j.quality.as_str()), (1792, 1024, false, "standard"));
        assert!(gen(json!({"model": "dall-e-3", "prompt": "p"})).unwrap().url_response);
        assert_eq!(
            code(gen(json!({"model": "gpt-image-1", "prompt": "p", "response_format": "b64_json"}))),
            (Some("unknown_parameter".into()), Some("response_format".into()))
        );
        assert_eq!(
            code(gen(json!({"model": "gpt-image-1", "prompt": "p", "style": "vivid"}))).1.as_deref(),
            Some("style")
        );
        assert_eq!(
            code(gen(json!({"model": "dall-e-3", "prompt": "p", "output_format": "png"}))).1.as_deref(),
            Some("output_format")
        );
        assert_eq!(code(gen(json!({"model": "dall-e-3", "prompt": "p", "n": 2}))).1.as_deref(), Some("n"));
        assert_eq!(
            code(gen(json!({"model": "gpt-image-1", "prompt": "p", "n": 11}))).0.as_deref(),
            Some("integer_above_max_value")
        );
        assert_eq!(
            code(gen(json!({"model": "gpt-image-1", "prompt": "p", "quality": "hd"}))).0.as_deref(),
            Some("invalid_value")
        );
        assert_eq!(code(gen(json!({"model": "gpt-image-1", "prompt": "p", "extra": 1}))).1.as_deref(), Some("extra"));
        assert_eq!(code(gen(json!({"prompt": "p"}))).1.as_deref(), Some("model"));
        assert_eq!(code(gen(json!({"model": "dall-e-2", "prompt": "p"}))).0.as_deref(), Some("unsupported_by_mock"));
        assert_eq!(code(gen(json!({"model": "gpt-image-1", "prompt": ""}))).0.as_deref(), Some("empty_string"));
        assert_eq!(
            code(gen(json!({"model": "gpt-image-1", "prompt": "p", "n": "2"}))).0.as_deref(),
            Some("invalid_type")
        );
        assert!(gen(json!({"model": "gpt-image-1", "prompt": "p", "response_format": null})).is_err());
        assert!(gen(json!({"model": "gpt-image-1", "prompt": "p", "quality": null, "n": null})).is_ok());
        assert!(gen(json!({"model": "dall-e-3", "prompt": "p", "stream": false})).is_ok());
        let long = "x".repeat(4001);
        assert_eq!(
            code(gen(json!({"model": "dall-e-3", "prompt": long}))).0.as_deref(),
            Some("string_above_max_length")
        );
        assert!(gen(json!({"model": "gpt-image-1", "prompt": long})).is_ok());
    }

    #[test]
    fn sizes_per_model() {
        let s =
            |m: &str, size: &str| gen(json!({"model": m, "prompt": "p", "size": size})).map(|j| (j.width, j.height));
        assert_eq!(s("gpt-image-1", "auto").unwrap(), (1024, 1024));
        assert_eq!(s("gpt-image-1.5", "1536x1024").unwrap(), (1536, 1024));
        assert!(s("gpt-image-1", "1792x1024").is_err());
        assert!(s("dall-e-3", "auto").is_err());
        assert!(s("dall-e-3", "1536x1024").is_err());
        assert_eq!(s("gpt-image-2", "1536x864").unwrap(), (1536, 864));
        assert_eq!(s("gpt-image-2-2026-04-21", "3840x2160").unwrap(), (3840, 2160));
        assert!(s("gpt-image-2", "1000x1000").is_err());
        assert!(s("gpt-image-2", "3840x1024").is_err());
        assert!(s("gpt-image-2", "2176x2176").is_err());
        assert!(s("gpt-image-2", "big").is_err());
        assert_eq!(s("some-future-model", "1024x1536").unwrap(), (1024, 1536));
    }

    #[test]
    fn format_compression_background() {
        let j = gen(json!({"model": "gpt-image-1", "prompt": "p", "output_format": "jpeg", "output_compression": 40}))
            .unwrap();
        assert_eq!((j.output_format, j.compression), (OutFormat::Jpeg, 40));
        assert!(gen(json!({"model": "gpt-image-1", "prompt": "p", "output_compression": 40})).is_err());
        assert!(gen(
            json!({"model": "gpt-image-1", "prompt": "p", "output_format": "jpeg", "background": "transparent"})
        )
        .is_err());
        assert_eq!(
            gen(json!({"model": "gpt-image-1", "prompt": "p", "background": "transparent"})).unwrap().background,
            "transparent"
        );
    }

    #[test]
    fn multipart_text_values() {
        let f = Fields(vec![
            ("model".into(), Raw::Text("gpt-image-1".into())),
            ("prompt".into(), Raw::Text("p".into())),
            ("n".into(), Raw::Text("3".into())),
            ("stream".into(), Raw::Text("true".into())),
            ("input_fidelity".into(), Raw::Text("high".into())),
        ]);
        let j = image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new()).unwrap();
        assert_eq!((j.n, j.stream), (3, true));
        let f = Fields(vec![("model".into(), Raw::Text("dall-e-3".into())), ("prompt".into(), Raw::Text("p".into()))]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new()).is_err());
        let f = Fields(vec![
            ("model".into(), Raw::Text("gpt-image-1".into())),
            ("prompt".into(), Raw::Text("p".into())),
            ("moderation".into(), Raw::Text("low".into())),
        ]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new()).is_err());
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(ModelKind::of("dall-e-3"), ModelKind::DallE3);
        assert_eq!(ModelKind::of("gpt-image-1"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("gpt-image-1.5"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("chatgpt-image-latest"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("gpt-image-2"), ModelKind::GptImage2);
        assert_eq!(ModelKind::of("gpt-image-2-2026-04-21"), ModelKind::GptImage2);
        assert_eq!(ModelKind::of("gpt-image-2.5-flare"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-2.5-sunburst-2026-09-08"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-2.6-flare"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-3"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("some-future-model"), ModelKind::GptImage);
    }

    #[test]
    fn the_2_5_family_takes_its_tiers_and_free_sizes() {
        for model in ["gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08"] {
            for quality in ["xhigh", "max", "low", "auto"] {
                let j =
                    gen_api(json!({"model": model, "prompt": "p", "quality": quality, "size": "2560x1440"})).unwrap();
                assert_eq!((j.width, j.height), (2560, 1440));
                assert_eq!(j.quality, if quality == "auto" { "medium" } else { quality });
            }
            let j = gen_api(json!({"model": model, "prompt": "x".repeat(32000), "background": "transparent"})).unwrap();
            assert_eq!(j.background, "transparent");
            assert!(gen_api(json!({"model": model, "prompt": "x".repeat(32001)})).is_err());
            assert!(gen_api(json!({"model": model, "prompt": "p", "size": "3856x2160"})).is_err());
            assert!(gen_api(json!({"model": model, "prompt": "p", "quality": "ultra"})).is_err());
        }
        for model in ["gpt-image-2", "gpt-image-1"] {
            let e = gen(json!({"model": model, "prompt": "p", "quality": "max"})).unwrap_err();
            assert_eq!(
                e.summary(),
                (
                    Some("invalid_value".into()),
                    Some("quality".into()),
                    "Invalid value: 'max'. Supported values are: 'low', 'medium', 'high', and 'auto'.".into()
                )
            );
            assert_eq!(
                code(gen(json!({"model": model, "prompt": "p", "quality": "xhigh"}))).1.as_deref(),
                Some("quality")
            );
        }
    }

    #[test]
    fn the_api_refuses_what_it_no_longer_serves() {
        let e = gen_api(json!({"model": "gpt-image-1", "prompt": "p"})).unwrap_err();
        assert_eq!((e.status.as_u16(), e.summary().0.as_deref()), (404, Some("model_not_found")));
        assert!(e.summary().2.contains("has been deprecated"));
        assert_eq!(code(gen_api(json!({"model": "gpt-image-9", "prompt": "p"}))).0.as_deref(), Some("model_not_found"));
        assert_eq!(
            code(gen_api(json!({"model": "gpt-4o", "prompt": "p"}))),
            (Some("invalid_value".into()), Some("model".into()))
        );
        assert_eq!(code(gen_api(json!({"model": "dall-e-2", "prompt": "p"}))).0.as_deref(), Some("model_not_found"));
        // Parameter names are checked before the model, as before.
        assert_eq!(code(gen_api(json!({"model": "gpt-image-9", "prompt": "p", "x": 1}))).1.as_deref(), Some("x"));
        assert!(gen_api(json!({"model": "gpt-image-2", "prompt": "p", "size": "1536x864"})).is_ok());
        let f =
            Fields(vec![("model".into(), Raw::Text("gpt-image-2".into())), ("prompt".into(), Raw::Text("p".into()))]);
        let forced = image_job(ImageEndpoint::Edit, &f, &Gate::Deployment("gpt-image-1".into()), Vec::new()).unwrap();
        assert_eq!(forced.kind, ModelKind::GptImage, "an Azure deployment's model decides, retired or not");
    }
}
