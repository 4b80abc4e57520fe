//! `output_format` and the options that come with it: `output_compression`
//! for every format, and for the 2.6 family an animated GIF's
//! `frame_count` / `frame_duration_ms` and an SVG's `svg` author object
//! (LIFECYCLE.md, "Current image models", the `gpt-image-2.6-*` entry).
//!
//! Each option belongs to one format, so sending it with another is refused
//! by name rather than ignored: a client that thinks it asked for a GIF
//! learns that it did not.

use serde_json::{Map, Value};

use super::errors::{self, json_kind, ApiError};
use super::fields::{Fields, Raw};
use super::gate::{Endpoint, Gate};
use super::kinds::ModelKind;
use super::reasoning::EFFORTS;
use super::types::{Animation, ImageEndpoint, OutFormat, SvgAuthor};

/// The format and its options, validated.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub format: OutFormat,
    /// 0-100; used for JPEG quality.
    pub compression: u8,
    pub animation: Option<Animation>,
    pub svg: Option<SvgAuthor>,
}

/// GIF defaults and ranges: `frame_count` 2-16 (default 9) and
/// `frame_duration_ms` 20-2000 in steps of 10 (default 200), "as gateways
/// expose it" (LIFECYCLE.md, "Current image models").
const FRAMES: (i64, i64, i64) = (2, 16, 9);
const DURATION_MS: (i64, i64, i64) = (20, 2000, 200);

/// Who writes an SVG when `svg.model` is not given. OpenAI does not document
/// the default author (LIFECYCLE.md says only that `svg_usage` carries "the
/// authoring model's tokens"): `gpt-6-luna`, the current small text model, is
/// this mock's choice.
pub(crate) const DEFAULT_SVG_AUTHOR: &str = "gpt-6-luna";

/// Reads `output_format`, `output_compression` and the format's own options.
/// `n` is the validated image count (an SVG is one image only).
pub(crate) fn output(
    endpoint: ImageEndpoint,
    kind: ModelKind,
    fields: &Fields,
    gate: &Gate,
    n: i64,
) -> Result<Output, ApiError> {
    let format = format(endpoint, kind, fields)?;
    let compression = match fields.int("output_compression")? {
        None => 100,
        Some(c) if !(0..=100).contains(&c) => {
            return Err(errors::integer_out_of_range("output_compression", c, 0, 100))
        }
        // Only the lossy formats compress (as before: JPEG and WebP).
        Some(c) if c < 100 && !matches!(format, OutFormat::Jpeg | OutFormat::Webp) => {
            return Err(errors::invalid_value_msg(
                "output_compression",
                format!(
                    "Compression less than 100 is not supported for {} output format.",
                    format.as_str().to_ascii_uppercase()
                ),
            ))
        }
        Some(c) => c as u8,
    };
    // Only 2.6 takes the format options (the name check refuses them for any
    // other family; a catalog entry declaring such a name keeps its own rule).
    if kind != ModelKind::GptImage26 {
        return Ok(Output { format, compression, animation: None, svg: None });
    }
    let animation = animation(format, fields)?;
    let svg = match (format, fields.get("svg")) {
        (OutFormat::Svg, given) => {
            if n != 1 {
                return Err(errors::invalid_value_msg("n", "You must provide n=1 for output_format 'svg'."));
            }
            Some(svg_author(given, gate)?)
        }
        (_, Some(_)) => return Err(only_with("svg", "svg")),
        (_, None) => None,
    };
    Ok(Output { format, compression, animation, svg })
}

/// `output_format`: the raster formats for every GPT image model; 2.6 adds
/// `gif` (both endpoints) and `svg` (generations only).
fn format(endpoint: ImageEndpoint, kind: ModelKind, fields: &Fields) -> Result<OutFormat, ApiError> {
    let value = fields.str("output_format")?;
    if kind == ModelKind::GptImage26 && endpoint == ImageEndpoint::Edit && value.as_deref() == Some("svg") {
        return Err(errors::invalid_value_msg(
            "output_format",
            "Invalid value: 'svg'. SVG output is only supported by /v1/images/generations; edits support 'png', \
             'jpeg', 'webp', and 'gif'.",
        ));
    }
    let value = fields.choice("output_format", kind.output_formats(endpoint))?;
    Ok(match value.as_deref() {
        Some("jpeg") => OutFormat::Jpeg,
        Some("webp") => OutFormat::Webp,
        Some("gif") => OutFormat::Gif,
        Some("svg") => OutFormat::Svg,
        _ => OutFormat::Png,
    })
}

/// A format option sent without its format.
fn only_with(name: &str, format: &str) -> ApiError {
    ApiError::invalid(
        http::StatusCode::BAD_REQUEST,
        format!("Unsupported parameter: '{name}' is only supported with output_format '{format}'."),
        Some(name),
        Some("unsupported_parameter"),
    )
}

/// `frame_count` and `frame_duration_ms`: for a GIF, within their ranges
/// (defaults filled in); for any other format, refused when given.
fn animation(format: OutFormat, fields: &Fields) -> Result<Option<Animation>, ApiError> {
    let frames = fields.int("frame_count")?;
    let duration = fields.int("frame_duration_ms")?;
    if format != OutFormat::Gif {
        return match (frames, duration) {
            (Some(_), _) => Err(only_with("frame_count", "gif")),
            (_, Some(_)) => Err(only_with("frame_duration_ms", "gif")),
            (None, None) => Ok(None),
        };
    }
    let (min, max, default) = FRAMES;
    let frames = frames.unwrap_or(default);
    if !(min..=max).contains(&frames) {
        return Err(errors::integer_out_of_range("frame_count", frames, min, max));
    }
    let (min, max, default) = DURATION_MS;
    let duration = duration.unwrap_or(default);
    if !(min..=max).contains(&duration) {
        return Err(errors::integer_out_of_range("frame_duration_ms", duration, min, max));
    }
    if duration % 10 != 0 {
        return Err(errors::invalid_value_msg(
            "frame_duration_ms",
            format!("Invalid 'frame_duration_ms': {duration} is not a multiple of 10."),
        ));
    }
    Ok(Some(Animation { frames: frames as u32, delay_ms: duration as u32 }))
}

/// The `svg` object: `{"model": "<author id>", "reasoning": {"effort": "..."}}`,
/// both optional; any other key or type is refused. The author must be a
/// model the chat endpoint would serve.
fn svg_author(given: Option<&Raw>, gate: &Gate) -> Result<SvgAuthor, ApiError> {
    let map = match given {
        None => return Ok(SvgAuthor { model: DEFAULT_SVG_AUTHOR.to_string(), effort: None }),
        Some(Raw::Json(Value::Object(map))) => map,
        Some(Raw::Json(v)) => return Err(errors::invalid_type("svg", "an object", json_kind(v))),
        Some(Raw::Text(_)) => return Err(errors::invalid_type("svg", "an object", "a string")),
    };
    if let Some(key) = map.keys().find(|k| !["model", "reasoning"].contains(&k.as_str())) {
        return Err(errors::unknown_parameter(&format!("svg.{key}")));
    }
    let model = match map.get("model") {
        None | Some(Value::Null) => DEFAULT_SVG_AUTHOR.to_string(),
        Some(Value::String(m)) if m.is_empty() => return Err(errors::empty_string("svg.model")),
        Some(Value::String(m)) => m.clone(),
        Some(v) => return Err(errors::invalid_type("svg.model", "a string", json_kind(v))),
    };
    if gate.admit(&model, Endpoint::Chat).is_err() {
        return Err(errors::invalid_value_msg(
            "svg.model",
            format!("Invalid value: '{model}'. 'svg.model' must name a text model you can use, such as '{DEFAULT_SVG_AUTHOR}'."),
        ));
    }
    let effort = match map.get("reasoning") {
        None | Some(Value::Null) => None,
        Some(Value::Object(reasoning)) => effort(reasoning)?,
        Some(v) => return Err(errors::invalid_type("svg.reasoning", "an object", json_kind(v))),
    };
    Ok(SvgAuthor { model, effort })
}

/// `svg.reasoning`: only `effort`, one of the spec's `ReasoningEffort` values.
fn effort(reasoning: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    if let Some(key) = reasoning.keys().find(|k| *k != "effort") {
        return Err(errors::unknown_parameter(&format!("svg.reasoning.{key}")));
    }
    match reasoning.get("effort") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(e)) if EFFORTS.contains(&e.as_str()) => Ok(Some(e.clone())),
        Some(Value::String(e)) => Err(errors::invalid_value("svg.reasoning.effort", e, EFFORTS)),
        Some(v) => Err(errors::invalid_type("svg.reasoning.effort", "a string", json_kind(v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MockMode;
    use crate::gate::tests::gate;
    use serde_json::json;

    fn gen26(v: Value, n: i64) -> Result<Output, ApiError> {
        output(ImageEndpoint::Generation, ModelKind::GptImage26, &Fields::json(v), &gate(MockMode::Api), n)
    }

    fn message(r: Result<Output, ApiError>) -> (Option<String>, String) {
        let (_, param, message) = r.unwrap_err().summary();
        (param, message)
    }

    #[test]
    fn gif_options_default_and_range() {
        let o = gen26(json!({"output_format": "gif"}), 1).unwrap();
        assert_eq!((o.format, o.animation), (OutFormat::Gif, Some(Animation { frames: 9, delay_ms: 200 })));
        let o = gen26(json!({"output_format": "gif", "frame_count": 16, "frame_duration_ms": 20}), 1).unwrap();
        assert_eq!(o.animation, Some(Animation { frames: 16, delay_ms: 20 }));
        assert!(gen26(json!({"output_format": "gif", "frame_count": 1}), 1).is_err());
        assert!(gen26(json!({"output_format": "gif", "frame_count": 17}), 1).is_err());
        assert!(gen26(json!({"output_format": "gif", "frame_duration_ms": 2010}), 1).is_err());
        assert_eq!(
            message(gen26(json!({"output_format": "gif", "frame_duration_ms": 25}), 1)),
            (Some("frame_duration_ms".into()), "Invalid 'frame_duration_ms': 25 is not a multiple of 10.".into())
        );
        assert_eq!(
            message(gen26(json!({"frame_count": 4}), 1)),
            (
                Some("frame_count".into()),
                "Unsupported parameter: 'frame_count' is only supported with output_format 'gif'.".into()
            )
        );
        assert_eq!(
            message(gen26(json!({"output_format": "png", "frame_duration_ms": 50}), 1)).0.as_deref(),
            Some("frame_duration_ms")
        );
        assert!(gen26(json!({"output_format": "gif", "output_compression": 50}), 1).is_err());
    }

    #[test]
    fn svg_author_and_its_limits() {
        let o = gen26(json!({"output_format": "svg"}), 1).unwrap();
        assert_eq!(o.svg, Some(SvgAuthor { model: DEFAULT_SVG_AUTHOR.into(), effort: None }));
        let o =
            gen26(json!({"output_format": "svg", "svg": {"model": "gpt-6.1-sol", "reasoning": {"effort": "low"}}}), 1)
                .unwrap();
        assert_eq!(o.svg, Some(SvgAuthor { model: "gpt-6.1-sol".into(), effort: Some("low".into()) }));
        assert_eq!(message(gen26(json!({"output_format": "svg"}), 2)).0.as_deref(), Some("n"));
        assert_eq!(message(gen26(json!({"svg": {}}), 1)).0.as_deref(), Some("svg"));
        assert_eq!(
            message(gen26(json!({"output_format": "svg", "svg": {"colour": 1}}), 1)).0.as_deref(),
            Some("svg.colour")
        );
        assert_eq!(message(gen26(json!({"output_format": "svg", "svg": "luna"}), 1)).0.as_deref(), Some("svg"));
        assert_eq!(
            message(gen26(json!({"output_format": "svg", "svg": {"model": "gpt-image-2"}}), 1)).0.as_deref(),
            Some("svg.model")
        );
        assert_eq!(
            message(gen26(json!({"output_format": "svg", "svg": {"reasoning": {"effort": "huge"}}}), 1)).0.as_deref(),
            Some("svg.reasoning.effort")
        );
        let edit = output(
            ImageEndpoint::Edit,
            ModelKind::GptImage26,
            &Fields::json(json!({"output_format": "svg"})),
            &gate(MockMode::Api),
            1,
        );
        assert!(message(edit).1.contains("only supported by /v1/images/generations"));
    }

    #[test]
    fn other_families_keep_the_raster_formats() {
        let f = Fields::json(json!({"output_format": "gif"}));
        let e = output(ImageEndpoint::Generation, ModelKind::GptImage25, &f, &gate(MockMode::Api), 1).unwrap_err();
        assert_eq!(e.summary().2, "Invalid value: 'gif'. Supported values are: 'png', 'jpeg', and 'webp'.");
        let f = Fields::json(json!({"output_format": "webp", "output_compression": 40}));
        let o = output(ImageEndpoint::Edit, ModelKind::GptImage2, &f, &gate(MockMode::Api), 3).unwrap();
        assert_eq!((o.format, o.compression), (OutFormat::Webp, 40));
    }
}
