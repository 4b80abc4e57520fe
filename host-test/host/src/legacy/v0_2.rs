//! The step between contract 0.2 and 0.3: a 0.2 component's answers in the
//! 0.3 shape, and 0.3 requests in the 0.2 shape (for a 0.1 component, the
//! 0.1 step, `v0_1.rs`, takes them on from there).
//!
//! What 0.3 added that 0.2 cannot express is refused here, before any call,
//! with a message that says so: an image or JSON option, any extra parameter
//! (0.2 had none), an output format other than png, jpeg and webp (0.2's
//! closed enum). Going up, what 0.2 could not say is left empty: no prices,
//! no cost, no step on number ranges; its image models made png, jpeg and
//! webp, as its enum said.

use crate::bindings::{self as v3, v0_2 as v2};

/// Why a 0.3 value cannot be expressed in 0.2; nothing is sent.
fn invalid(message: String) -> v2::Error {
    v2::Error::InvalidInput(message)
}

/// The formats 0.2's `output-format` enum could name.
const OUTPUT_FORMATS: [(&str, v2::OutputFormat); 3] =
    [("png", v2::OutputFormat::Png), ("jpeg", v2::OutputFormat::Jpeg), ("webp", v2::OutputFormat::Webp)];

// ---- what kept its shape ------------------------------------------------------

kept_shape!(v2 => v3);

fn pair(p: v2::Pair) -> v3::Pair {
    v3::Pair { name: p.name, value: p.value }
}

fn pair_down(p: &v3::Pair) -> v2::Pair {
    v2::Pair { name: p.name.clone(), value: p.value.clone() }
}

// ---- settings ------------------------------------------------------------------

/// A value 0.2 has, or why not (0.2 had no image and no JSON values).
fn value_down(name: &str, what: &str, value: &v3::Value) -> Result<v2::Value, v2::Error> {
    Ok(match value {
        v3::Value::Text(t) => v2::Value::Text(t.clone()),
        v3::Value::Number(n) => v2::Value::Number(*n),
        v3::Value::Duration(ms) => v2::Value::Duration(*ms),
        v3::Value::Flag(b) => v2::Value::Flag(*b),
        v3::Value::TextList(list) => v2::Value::TextList(list.clone()),
        v3::Value::Pairs(pairs) => v2::Value::Pairs(pairs.iter().map(pair_down).collect()),
        v3::Value::Image(_) | v3::Value::Json(_) => {
            return Err(invalid(format!(
                "{what} {name:?} is {}, which a backend built for contract 0.2 cannot take",
                if matches!(value, v3::Value::Image(_)) { "an image" } else { "JSON" }
            )))
        }
    })
}

/// Settings in the 0.2 shape (they had the same form, without images and JSON).
pub fn settings(values: &[v3::Setting]) -> Result<Vec<v2::Setting>, v2::Error> {
    values
        .iter()
        .map(|s| Ok(v2::Setting { name: s.name.clone(), value: value_down(&s.name, "setting", &s.value)? }))
        .collect()
}

// ---- what the backend offers --------------------------------------------------------

fn value(v: v2::Value) -> v3::Value {
    match v {
        v2::Value::Text(t) => v3::Value::Text(t),
        v2::Value::Number(n) => v3::Value::Number(n),
        v2::Value::Duration(ms) => v3::Value::Duration(ms),
        v2::Value::Flag(b) => v3::Value::Flag(b),
        v2::Value::TextList(list) => v3::Value::TextList(list),
        v2::Value::Pairs(pairs) => v3::Value::Pairs(pairs.into_iter().map(pair).collect()),
    }
}

fn value_kind(k: v2::ValueKind) -> v3::ValueKind {
    match k {
        v2::ValueKind::Text => v3::ValueKind::Text,
        v2::ValueKind::Secret => v3::ValueKind::Secret,
        v2::ValueKind::Url => v3::ValueKind::Url,
        v2::ValueKind::Number(r) => {
            v3::ValueKind::Number(v3::NumberRange { min: r.min, max: r.max, integer: r.integer, step: None })
        }
        v2::ValueKind::Duration => v3::ValueKind::Duration,
        v2::ValueKind::Flag => v3::ValueKind::Flag,
        v2::ValueKind::Choice(values) => v3::ValueKind::Choice(values),
        v2::ValueKind::TextList => v3::ValueKind::TextList,
        v2::ValueKind::Pairs => v3::ValueKind::Pairs,
    }
}

fn field_spec(f: v2::FieldSpec) -> v3::FieldSpec {
    v3::FieldSpec {
        name: f.name,
        label: f.label,
        kind: value_kind(f.kind),
        default: f.default.map(value),
        help: f.help,
        required: f.required,
    }
}

fn lifecycle(l: v2::Lifecycle) -> v3::Lifecycle {
    v3::Lifecycle {
        state: same_cases!(l.state, v2::ModelState => v3 { Active, Deprecated, Retired }),
        shutdown_date: l.shutdown_date,
        replacement: l.replacement,
    }
}

fn model_info(m: v2::ModelInfo, capability: v2::Capability) -> v3::ModelInfo {
    // 0.2's image models could be asked for any case of its enum.
    let draws = capability != v2::Capability::ImageAnalysis;
    v3::ModelInfo {
        id: m.id,
        label: m.label,
        note: m.note,
        lifecycle: m.lifecycle.map(lifecycle),
        sizes: v3::SizeRule {
            formats: format_sizes(m.sizes.formats),
            free: m.sizes.free.map(|f| v3::FreeSizes {
                step: f.step,
                min_side: f.min_side,
                max_long_side: f.max_long_side,
                max_short_side: f.max_short_side,
                max_aspect_ratio: f.max_aspect_ratio,
            }),
        },
        qualities: m.qualities,
        default_quality: m.default_quality,
        output_formats: if draws {
            OUTPUT_FORMATS.iter().map(|(name, _)| name.to_string()).collect()
        } else {
            Vec::new()
        },
        default_output_format: None,
        options: m.options.into_iter().map(field_spec).collect(),
        max_reference_images: m.max_reference_images,
        max_prompt_chars: m.max_prompt_chars,
        max_images: m.max_images,
        streams_partial_images: m.streams_partial_images,
        prices: None,
    }
}

pub fn backend_info(i: v2::BackendInfo) -> v3::BackendInfo {
    v3::BackendInfo {
        name: i.name,
        label: i.label,
        description: i.description,
        version: i.version,
        prompt_style: same_cases!(i.prompt_style, v2::PromptStyle => v3 { Descriptive, Keywords }),
        capabilities: i
            .capabilities
            .into_iter()
            .map(|c| v3::CapabilityInfo {
                capability: capability(c.capability),
                supported: c.supported,
                models: c.models.into_iter().map(|m| model_info(m, c.capability)).collect(),
                default_model: c.default_model,
                accepts_unknown_models: c.accepts_unknown_models,
                accepts_extra_parameters: false,
                max_reference_images: c.max_reference_images,
            })
            .collect(),
        settings: i.settings.into_iter().map(field_spec).collect(),
    }
}

pub fn model_entry(e: v2::ModelEntry) -> v3::ModelEntry {
    v3::ModelEntry {
        id: e.id,
        capability: capability(e.capability),
        listed: e.listed,
        lifecycle: e.lifecycle.map(lifecycle),
        label: e.label,
        note: e.note,
    }
}

// ---- requests ---------------------------------------------------------------------

/// 0.3's typed options as 0.2's text: numbers as JSON writes them (`80`, not
/// `80.0`), flags as `true`/`false`; images and JSON cannot be written.
fn options_down(options: &[v3::Parameter]) -> Result<Vec<v2::Pair>, v2::Error> {
    options
        .iter()
        .map(|o| {
            let text = match value_down(&o.name, "option", &o.value)? {
                v2::Value::Text(t) => t,
                v2::Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", n as i64),
                v2::Value::Number(n) => n.to_string(),
                v2::Value::Flag(b) => b.to_string(),
                _ => return Err(invalid(format!("option {:?} is not text, a number or a flag", o.name))),
            };
            Ok(v2::Pair { name: o.name.clone(), value: text })
        })
        .collect()
}

fn no_extra(extra: &[v3::Parameter]) -> Result<(), v2::Error> {
    match extra.first() {
        None => Ok(()),
        Some(p) => Err(invalid(format!(
            "extra parameter {:?}: a backend built for contract 0.2 takes no extra parameters",
            p.name
        ))),
    }
}

fn output_format_down(f: Option<&str>) -> Result<Option<v2::OutputFormat>, v2::Error> {
    let Some(f) = f.map(str::trim).filter(|f| !f.is_empty()) else { return Ok(None) };
    OUTPUT_FORMATS.iter().find(|(name, _)| *name == f).map(|(_, v)| Some(*v)).ok_or_else(|| {
        invalid(format!(
            "output format {f:?} cannot be asked of a backend built for contract 0.2; it takes png, jpeg, webp"
        ))
    })
}

pub fn generate_request(r: &v3::GenerateRequest) -> Result<v2::GenerateRequest, v2::Error> {
    no_extra(&r.extra)?;
    Ok(v2::GenerateRequest {
        prompt: r.prompt.clone(),
        format: format_down(r.format),
        model: r.model.clone(),
        size: r.size.map(size_down),
        n: r.n,
        quality: r.quality.clone(),
        output_format: output_format_down(r.output_format.as_deref())?,
        options: options_down(&r.options)?,
    })
}

pub fn edit_request(r: &v3::EditRequest) -> Result<v2::EditRequest, v2::Error> {
    no_extra(&r.extra)?;
    Ok(v2::EditRequest {
        prompt: r.prompt.clone(),
        format: format_down(r.format),
        model: r.model.clone(),
        images: r.images.clone(),
        mask: r.mask.clone(),
        size: r.size.map(size_down),
        n: r.n,
        quality: r.quality.clone(),
        output_format: output_format_down(r.output_format.as_deref())?,
        options: options_down(&r.options)?,
    })
}

pub fn analyze_request(r: &v3::AnalyzeRequest) -> Result<v2::AnalyzeRequest, v2::Error> {
    no_extra(&r.extra)?;
    Ok(v2::AnalyzeRequest {
        image: r.image.clone(),
        prompt: r.prompt.clone(),
        model: r.model.clone(),
        max_output_tokens: r.max_output_tokens,
        options: options_down(&r.options)?,
    })
}

// ---- results ----------------------------------------------------------------------

fn usage(u: v2::Usage) -> v3::Usage {
    v3::Usage {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        total_tokens: u.total_tokens,
        input_text_tokens: u.input_text_tokens,
        input_image_tokens: u.input_image_tokens,
        input_cached_tokens: None,
        output_text_tokens: None,
        output_image_tokens: None,
    }
}

pub fn generation(g: v2::Generation) -> v3::Generation {
    v3::Generation {
        model: g.model,
        images: g.images.into_iter().map(image).collect(),
        revised_prompt: g.revised_prompt,
        usage: g.usage.map(usage),
        svg_usage: None,
        cost: None,
    }
}

pub fn analysis(a: v2::Analysis) -> v3::Analysis {
    v3::Analysis {
        text: a.text,
        model: a.model,
        finish_reason: a.finish_reason,
        truncated: a.truncated,
        usage: a.usage.map(usage),
        cost: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use v3::Parameter;

    fn message(e: v2::Error) -> String {
        error(e).message().to_string()
    }

    #[test]
    fn typed_options_become_text() {
        let mut r = v3::GenerateRequest::new("a fox", v3::ImageFormat::Square);
        r.output_format = Some("webp".into());
        r.options = vec![
            Parameter::number("output-compression", 80.0),
            Parameter::text("background", "opaque"),
            Parameter::flag("loop", true),
            Parameter::number("scale", 0.5),
        ];
        let old = generate_request(&r).unwrap();
        assert!(matches!(old.output_format, Some(v2::OutputFormat::Webp)));
        let texts: Vec<(&str, &str)> = old.options.iter().map(|p| (p.name.as_str(), p.value.as_str())).collect();
        assert_eq!(texts, [("output-compression", "80"), ("background", "opaque"), ("loop", "true"), ("scale", "0.5")]);
    }

    #[test]
    fn what_0_2_cannot_say_is_refused_before_any_call() {
        let mut r = v3::GenerateRequest::new("a fox", v3::ImageFormat::Square);
        r.output_format = Some("gif".into());
        assert!(message(generate_request(&r).unwrap_err())
            .contains("\"gif\" cannot be asked of a backend built for contract 0.2"));
        r.output_format = None;
        r.extra = vec![Parameter::number("seed", 1.0)];
        assert!(message(generate_request(&r).unwrap_err()).contains("takes no extra parameters"));
        let mut e = v3::EditRequest::new("x", v3::ImageFormat::Square, vec![vec![1]]);
        e.options = vec![Parameter::image("markup", vec![1, 2])];
        assert_eq!(
            message(edit_request(&e).unwrap_err()),
            "option \"markup\" is an image, which a backend built for contract 0.2 cannot take"
        );
        let bad = settings(&[Parameter::json("extra-headers", "{}")]).unwrap_err();
        assert!(message(bad).contains("setting \"extra-headers\" is JSON"));
    }

    #[test]
    fn a_0_2_generation_has_no_cost_to_report() {
        let g = generation(v2::Generation {
            model: "m".into(),
            images: vec![],
            revised_prompt: None,
            usage: Some(v2::Usage {
                input_tokens: 1,
                output_tokens: 2,
                total_tokens: 3,
                input_text_tokens: None,
                input_image_tokens: None,
            }),
        });
        assert!(g.cost.is_none() && g.svg_usage.is_none());
        assert_eq!(g.usage.map(|u| u.total_tokens), Some(3));
    }
}
