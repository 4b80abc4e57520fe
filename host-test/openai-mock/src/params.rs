//! Which image parameters a request may send, and their values, checked per
//! model: the rules generations and edits share.
//!
//! Generations send them as JSON, edits as multipart text fields; both are
//! turned into [`Fields`] and validated here once, with the real API's rules:
//! which parameters each model takes (the spec's, by [`PARAMS`]; its family's,
//! see [`crate::kinds`]; and what its catalog entry declares) and their
//! ranges. The sizes it can render are [`crate::sizes`]', the output format
//! and its options [`crate::formats`]'.

use super::errors::{self, ApiError};
use super::fields::Fields;
use super::formats::{self, Output};
use super::gate::{Endpoint, Gate};
use super::job::{ImageJob, InputImage};
use super::kinds::{ModelKind, ModelRules};
use super::sizes;
use super::types::{ImageEndpoint, OutFormat};

/// Which image endpoints take a spec parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Both,
    Generations,
    Edits,
}

/// Which families take it: a parameter of the other family is refused by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    All,
    Gpt,
    DallE,
}

/// The spec's image parameters (openapi.yaml, CreateImageRequest and
/// CreateImageEditRequest): where each is taken, and by which family. A
/// request naming several parameters its family does not take hears of the
/// first in this order.
const PARAMS: &[(&str, On, Family)] = &[
    ("prompt", On::Both, Family::All),
    ("model", On::Both, Family::All),
    ("n", On::Both, Family::All),
    ("quality", On::Both, Family::All),
    ("response_format", On::Both, Family::DallE),
    ("style", On::Generations, Family::DallE),
    ("output_format", On::Both, Family::Gpt),
    ("output_compression", On::Both, Family::Gpt),
    ("background", On::Both, Family::Gpt),
    ("moderation", On::Generations, Family::Gpt),
    ("stream", On::Both, Family::Gpt),
    ("partial_images", On::Both, Family::Gpt),
    ("input_fidelity", On::Edits, Family::Gpt),
    ("size", On::Both, Family::All),
    ("user", On::Both, Family::All),
];

/// What 2.6's `complexity` takes; `high` is the default (LIFECYCLE.md, "Current image models").
const COMPLEXITIES: &[&str] = &["low", "medium", "high"];

/// Whether every image model takes `name` on this endpoint (the spec's
/// parameters; a family may still refuse some of them).
pub(crate) fn is_common_field(endpoint: ImageEndpoint, name: &str) -> bool {
    PARAMS.iter().any(|&(n, on, _)| {
        n == name
            && match on {
                On::Both => true,
                On::Generations => endpoint == ImageEndpoint::Generation,
                On::Edits => endpoint == ImageEndpoint::Edit,
            }
    })
}

/// The first spec parameter sent that `kind`'s family does not take.
/// `stream: false` is the default everywhere, so only a real request to stream counts.
fn foreign_sent(kind: ModelKind, fields: &Fields) -> Option<&'static str> {
    let streams = matches!(fields.bool("stream"), Ok(Some(true)));
    let foreign = |family: Family| match family {
        Family::All => false,
        Family::Gpt => !kind.is_gpt(),
        Family::DallE => kind.is_gpt(),
    };
    PARAMS
        .iter()
        .filter(|&&(_, _, family)| foreign(family))
        .map(|&(name, _, _)| name)
        .find(|&name| fields.sent(name) && (name != "stream" || streams))
}

/// Validates the parameters. The gate admits the model (the catalog, or the
/// Azure deployment's model, which decides the rules whatever the body says).
/// `files` names the file parts of an edit beyond `image` and `mask` (2.6's
/// `markup`, a declared image parameter, or names no model takes): checked
/// here by name, by the edit parser for their content.
pub(crate) fn image_job(
    endpoint: ImageEndpoint,
    fields: &Fields,
    gate: &Gate,
    inputs: Vec<InputImage>,
    files: &[&str],
) -> Result<ImageJob, ApiError> {
    // Parameter names first, as before the model is admitted: the model's own
    // names (2.6's, a catalog entry's) count only for the model the body names.
    let named = gate.forced().map(str::to_string).or_else(|| fields.model_hint()).unwrap_or_default();
    let rules = gate.rules(&named);
    check_names(endpoint, fields, files, &rules)?;

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
    let kind = rules.kind;
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

    if let Some(name) = foreign_sent(kind, fields) {
        return Err(errors::unknown_parameter(name));
    }

    let n = fields.int("n")?.unwrap_or(1);
    if !(1..=10).contains(&n) {
        return Err(errors::integer_out_of_range("n", n, 1, 10));
    }
    if kind == ModelKind::DallE3 && n != 1 {
        return Err(errors::invalid_value_msg("n", "You must provide n=1 for this model."));
    }

    let Output { format: output_format, compression, animation, svg } =
        formats::output(endpoint, kind, fields, gate, n)?;
    let (width, height) = sizes::size(kind, fields.str("size")?.as_deref(), animation)?;

    let quality = fields.choice("quality", &rules.qualities())?;
    let quality = match (kind, quality.as_deref()) {
        (ModelKind::DallE3, None | Some("auto")) => "standard".to_string(),
        (_, None | Some("auto")) => "medium".to_string(),
        (_, Some(q)) => q.to_string(),
    };
    let complexity = match kind {
        ModelKind::GptImage26 => Some(fields.choice("complexity", COMPLEXITIES)?.unwrap_or_else(|| "high".into())),
        _ => None,
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
    // An SVG is written whole by its author model: no partial images to stream
    // (the mock's choice; a GIF streams PNG previews, then the GIF).
    if stream && output_format == OutFormat::Svg {
        return Err(errors::invalid_value_msg("stream", "Streaming is not supported with output_format 'svg'."));
    }
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
    for (name, rule) in &rules.declared {
        rule.check(name, fields)?;
    }

    Ok(ImageJob {
        endpoint,
        kind,
        prompt,
        n: n as u32,
        width,
        height,
        quality,
        complexity,
        output_format,
        animation,
        svg,
        compression,
        background,
        url_response,
        stream,
        partial_images,
        inputs,
        markup: None,
    })
}

/// Every parameter (and extra file part) must be one the endpoint takes, or
/// one this model takes: the API's `Unknown parameter` otherwise. A file
/// parameter sent as text, or a text parameter sent as a file, is the wrong type.
fn check_names(endpoint: ImageEndpoint, fields: &Fields, files: &[&str], rules: &ModelRules) -> Result<(), ApiError> {
    let known = |name: &str| is_common_field(endpoint, name) || rules.takes(endpoint, name);
    for (name, _) in &fields.0 {
        if !known(name) {
            return Err(errors::unknown_parameter(name));
        }
        if endpoint == ImageEndpoint::Edit && rules.is_file(name) {
            return Err(errors::expected_file(name));
        }
    }
    for name in files {
        if !known(name) {
            return Err(errors::unknown_parameter(name));
        }
        if !rules.is_file(name) {
            let expected = rules.rule(name).map_or("a string", |r| r.expected());
            return Err(errors::invalid_type(name, expected, "a file"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MockMode;
    use crate::gate::tests::gate;
    use serde_json::{json, Value};

    /// Through a gateway: the seed models' own rules, whatever their shutdown dates.
    fn gen(v: Value) -> Result<ImageJob, ApiError> {
        image_job(ImageEndpoint::Generation, &Fields::json(v), &gate(MockMode::Gateway), Vec::new(), &[])
    }

    /// As the API answers on 2026-12-07.
    fn gen_api(v: Value) -> Result<ImageJob, ApiError> {
        image_job(ImageEndpoint::Generation, &Fields::json(v), &gate(MockMode::Api), Vec::new(), &[])
    }

    fn code(r: Result<ImageJob, ApiError>) -> (Option<String>, Option<String>) {
        let (code, param, _) = r.unwrap_err().summary();
        (code, param)
    }

    /// An error summary with this code, param and message.
    fn refused(code: &str, param: &str, message: &str) -> (Option<String>, Option<String>, String) {
        (Some(code.into()), Some(param.into()), message.into())
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
        let f = Fields::texts(&[
            ("model", "gpt-image-1"),
            ("prompt", "p"),
            ("n", "3"),
            ("stream", "true"),
            ("input_fidelity", "high"),
        ]);
        let j = image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new(), &[]).unwrap();
        assert_eq!((j.n, j.stream), (3, true));
        let f = Fields::texts(&[("model", "dall-e-3"), ("prompt", "p")]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new(), &[]).is_err());
        let f = Fields::texts(&[("model", "gpt-image-1"), ("prompt", "p"), ("moderation", "low")]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Gateway), Vec::new(), &[]).is_err());
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
                refused(
                    "invalid_value",
                    "quality",
                    "Invalid value: 'max'. Supported values are: 'low', 'medium', 'high', and 'auto'."
                )
            );
            assert_eq!(
                code(gen(json!({"model": model, "prompt": "p", "quality": "xhigh"}))).1.as_deref(),
                Some("quality")
            );
        }
    }

    const V26: &str = "gpt-image-2.6-flare";

    #[test]
    fn gif_sizes_fit_the_budget() {
        let gif = |extra: Value| {
            let mut body = json!({"model": V26, "prompt": "p", "output_format": "gif"});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            gen_api(body).map(|j| (j.width, j.height, j.animation.map(|a| (a.frames, a.delay_ms))))
        };
        assert_eq!(gif(json!({})).unwrap(), (960, 960, Some((9, 200))));
        assert_eq!(gif(json!({"size": "auto", "frame_count": 16})).unwrap(), (720, 720, Some((16, 200))));
        assert_eq!(gif(json!({"frame_count": 4})).unwrap(), (1024, 1024, Some((4, 200))));
        assert_eq!(gif(json!({"size": "1280x720", "frame_duration_ms": 50})).unwrap(), (1280, 720, Some((9, 50))));
        assert_eq!(gif(json!({"size": "720x720", "frame_count": 16})).unwrap(), (720, 720, Some((16, 200))));
        let e = gif(json!({"size": "1024x1024", "frame_count": 16})).unwrap_err();
        assert_eq!(
            e.summary(),
            refused(
                "invalid_value",
                "size",
                "Invalid value: '1024x1024'. The frames of an animated GIF share a budget of 8,294,400 pixels: 16 \
                 frames of 1024x1024 are 16,777,216 pixels. With 16 frames, a square frame can be at most 720x720."
            )
        );
        assert!(gif(json!({"size": "1000x1000", "frame_count": 2}))
            .unwrap_err()
            .summary()
            .2
            .contains("divisible by 16"));
        // A still image of the same size is fine.
        assert!(gen_api(json!({"model": V26, "prompt": "p", "size": "1024x1024"})).is_ok());
    }

    #[test]
    fn the_2_6_family_takes_complexity_and_the_new_formats() {
        let j = gen_api(json!({"model": V26, "prompt": "p", "quality": "max"})).unwrap();
        assert_eq!((j.kind, j.complexity.as_deref(), j.quality.as_str()), (ModelKind::GptImage26, Some("high"), "max"));
        let j =
            gen_api(json!({"model": "gpt-image-2.6-sunburst-2026-11-04", "prompt": "p", "complexity": "low"})).unwrap();
        assert_eq!(j.complexity.as_deref(), Some("low"));
        assert_eq!(
            code(gen_api(json!({"model": V26, "prompt": "p", "complexity": "extreme"}))).1.as_deref(),
            Some("complexity")
        );
        for model in ["gpt-image-2.5-flare", "gpt-image-2", "gpt-image-2.7-nova"] {
            let e = gen(json!({"model": model, "prompt": "p", "complexity": "low"})).unwrap_err();
            assert_eq!(
                e.summary(),
                refused("unknown_parameter", "complexity", "Unknown parameter: 'complexity'."),
                "{model}"
            );
            assert_eq!(
                code(gen(json!({"model": model, "prompt": "p", "output_format": "gif"}))).1.as_deref(),
                Some("output_format")
            );
            assert_eq!(
                code(gen(json!({"model": model, "prompt": "p", "frame_count": 3}))).0.as_deref(),
                Some("unknown_parameter")
            );
        }
        let j = gen_api(json!({"model": V26, "prompt": "p", "output_format": "svg", "size": "1536x864"})).unwrap();
        assert_eq!((j.output_format, j.svg.as_ref().map(|a| a.model.as_str())), (OutFormat::Svg, Some("gpt-6-luna")));
        assert_eq!(
            code(gen_api(json!({"model": V26, "prompt": "p", "output_format": "svg", "n": 2}))).1.as_deref(),
            Some("n")
        );
        assert_eq!(
            code(gen_api(json!({"model": V26, "prompt": "p", "output_format": "svg", "stream": true}))).1.as_deref(),
            Some("stream")
        );
        let j =
            gen_api(json!({"model": V26, "prompt": "p", "output_format": "gif", "stream": true, "partial_images": 2}))
                .unwrap();
        assert!(j.stream && j.partial_images == 2);
        // markup is an edit's file: as a generation parameter it is unknown, as an edit's text field the wrong type.
        assert_eq!(
            code(gen_api(json!({"model": V26, "prompt": "p", "markup": "x"}))).0.as_deref(),
            Some("unknown_parameter")
        );
        let f = Fields::texts(&[("model", V26), ("prompt", "p"), ("markup", "x")]);
        let e = image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Api), Vec::new(), &[]).unwrap_err();
        assert_eq!(e.summary().2, "Invalid type for 'markup': expected a file, but got a string instead.");
        let f = Fields::texts(&[("model", V26), ("prompt", "p")]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Api), Vec::new(), &["markup"]).is_ok());
        let f = Fields::texts(&[("model", FLARE), ("prompt", "p")]);
        let e = image_job(ImageEndpoint::Edit, &f, &gate(MockMode::Api), Vec::new(), &["markup"]).unwrap_err();
        assert_eq!(e.summary().2, "Unknown parameter: 'markup'.");
    }

    const FLARE: &str = "gpt-image-2.5-flare";

    #[test]
    fn a_catalog_entry_declares_parameters_and_tiers() {
        use crate::catalog::View;
        use crate::declared::ParamRule;
        use crate::entry::{ModelEntry, ModelFamily};
        let mut entries = ModelEntry::default_catalog();
        entries.push(
            ModelEntry::new("gpt-image-2.7-nova", ModelFamily::Image)
                .with_param("shimmer", ParamRule::int_range(0, 5))
                .with_param("mood", ParamRule::one_of(["calm", "wild"]))
                .with_param("sparkle", ParamRule::Bool)
                .with_param("guide", ParamRule::Image)
                .with_quality("ultra"),
        );
        entries.push(ModelEntry::new("gpt-image-2.7-echo", ModelFamily::Image).with_rules_of(V26));
        let gate = Gate::Catalog(View { mode: MockMode::Api, entries, today: "2026-12-07".into() });
        let gen = |v: Value| image_job(ImageEndpoint::Generation, &Fields::json(v), &gate, Vec::new(), &[]);
        let nova = "gpt-image-2.7-nova";
        let j = gen(
            json!({"model": nova, "prompt": "p", "shimmer": 3, "mood": "calm", "sparkle": true, "quality": "ultra",
                           "size": "1536x864", "guide": "https://example.com/a.png"}),
        )
        .unwrap();
        assert_eq!((j.kind, j.quality.as_str(), j.width), (ModelKind::GptImage25, "ultra", 1536));
        assert!(
            gen(json!({"model": "gpt-image-2.7-nova-2026-12-20", "prompt": "p", "shimmer": 0})).is_ok(),
            "snapshots too"
        );
        assert_eq!(
            code(gen(json!({"model": nova, "prompt": "p", "shimmer": 9}))).0.as_deref(),
            Some("integer_above_max_value")
        );
        assert_eq!(code(gen(json!({"model": nova, "prompt": "p", "mood": "sad"}))).1.as_deref(), Some("mood"));
        assert_eq!(
            code(gen(json!({"model": nova, "prompt": "p", "sparkle": "yes"}))).0.as_deref(),
            Some("invalid_type")
        );
        assert_eq!(
            code(gen(json!({"model": nova, "prompt": "p", "complexity": "low"}))).1.as_deref(),
            Some("complexity")
        );
        let e = gen(json!({"model": nova, "prompt": "p", "quality": "mega"})).unwrap_err();
        assert_eq!(
            e.summary().2,
            "Invalid value: 'mega'. Supported values are: 'low', 'medium', 'high', 'auto', 'xhigh', 'max', and 'ultra'."
        );
        // Other models refuse what nova declares.
        for model in [FLARE, V26] {
            assert_eq!(
                gen(json!({"model": model, "prompt": "p", "shimmer": 3})).unwrap_err().summary().2,
                "Unknown parameter: 'shimmer'."
            );
            assert_eq!(
                code(gen(json!({"model": model, "prompt": "p", "quality": "ultra"}))).1.as_deref(),
                Some("quality")
            );
        }
        // Multipart: values are text; the declared image is a file part.
        let f = Fields::texts(&[("model", nova), ("prompt", "p"), ("shimmer", "4"), ("sparkle", "false")]);
        assert!(image_job(ImageEndpoint::Edit, &f, &gate, Vec::new(), &["guide"]).is_ok());
        let e = image_job(ImageEndpoint::Edit, &f, &gate, Vec::new(), &["shimmer"]).unwrap_err();
        assert_eq!(e.summary().2, "Invalid type for 'shimmer': expected an integer, but got a file instead.");
        // An entry may follow a known model's rules instead of its own id's.
        let j =
            gen(json!({"model": "gpt-image-2.7-echo", "prompt": "p", "complexity": "medium", "output_format": "gif"}))
                .unwrap();
        assert_eq!(
            (j.kind, j.complexity.as_deref(), j.output_format),
            (ModelKind::GptImage26, Some("medium"), OutFormat::Gif)
        );
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
        let f = Fields::texts(&[("model", "gpt-image-2"), ("prompt", "p")]);
        let forced =
            image_job(ImageEndpoint::Edit, &f, &Gate::Deployment("gpt-image-1".into()), Vec::new(), &[]).unwrap();
        assert_eq!(forced.kind, ModelKind::GptImage, "an Azure deployment's model decides, retired or not");
    }
}
