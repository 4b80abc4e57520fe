//! JSON renderings of what a backend returns, for `visual-host --json` and
//! for tests. Field names are the CLI's contract (snake_case).

use serde_json::{json, Value};

use visual_host::bindings::{
    Analysis, BackendInfo, Cost, Error, FieldSpec, HelperUsage, ModelEntry, ModelInfo, ModelState, Status, Usage,
    Value as Setting, ValueKind,
};
use visual_host::json;

/// `{"error": {"kind", "message", "status"}}`, plus what the case carries.
pub fn error_json(e: &Error) -> Value {
    let mut inner = json!({
        "kind": e.kind(),
        "message": e.message(),
        "status": e.status(),
    });
    match e {
        Error::RateLimited(r) => inner["retry_after_ms"] = json!(r.retry_after_ms),
        Error::Timeout(t) => inner["phase"] = json!(t.phase.name()),
        _ => {}
    }
    let failure = e.failure();
    if let Some(f) = failure {
        if let Some(code) = &f.code {
            inner["code"] = json!(code);
        }
        if let Some(id) = &f.request_id {
            inner["request_id"] = json!(id);
        }
    }
    json!({ "error": inner })
}

/// Usage as the OpenAI API words it: the details objects appear when the
/// service gave any of their counts.
pub fn usage_json(u: &Usage) -> Value {
    let mut v = json!({
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "total_tokens": u.total_tokens,
    });
    if u.input_text_tokens.is_some() || u.input_image_tokens.is_some() || u.input_cached_tokens.is_some() {
        v["input_tokens_details"] = json!({
            "text_tokens": u.input_text_tokens,
            "image_tokens": u.input_image_tokens,
            "cached_tokens": u.input_cached_tokens,
        });
    }
    if u.output_text_tokens.is_some() || u.output_image_tokens.is_some() {
        v["output_tokens_details"] = json!({
            "text_tokens": u.output_text_tokens,
            "image_tokens": u.output_image_tokens,
        });
    }
    v
}

/// `svg_usage`: the usage of the model that wrote an SVG, with its `model`
/// beside the counts, as the API reports it.
pub fn helper_usage_json(h: &HelperUsage) -> Value {
    let mut v = usage_json(&h.usage);
    v["model"] = json!(h.model);
    v
}

/// `cost: $0.0321 (estimate)`, `at least` when part of the usage had no price.
pub fn cost_line(c: &Cost) -> String {
    format!("cost: {}{} (estimate)", if c.complete { "" } else { "at least " }, usd(c.usd))
}

/// Dollars with four decimals, or six for less than a tenth of a cent.
pub fn usd(amount: f64) -> String {
    if amount != 0.0 && amount.abs() < 0.001 {
        format!("${amount:.6}")
    } else {
        format!("${amount:.4}")
    }
}

pub fn analysis_json(a: &Analysis) -> Value {
    json!({
        "model": a.model,
        "text": a.text,
        "finish_reason": a.finish_reason,
        "truncated": a.truncated,
        "usage": a.usage.as_ref().map(usage_json),
        "cost": a.cost.as_ref().map(json::cost),
    })
}

pub fn status_json(s: &Status) -> Value {
    json!({
        "level": s.level.name(),
        "message": s.message,
        "model": s.model,
        "problem": s.problem.as_ref().map(|p| error_json(p)["error"].clone()),
    })
}

pub fn info_json(info: &BackendInfo) -> Value {
    json!({
        "name": info.name,
        "label": info.label,
        "description": info.description,
        "version": info.version,
        "prompt_style": info.prompt_style.name(),
        "capabilities": info.capabilities.iter().map(|c| json!({
            "capability": c.capability.name(),
            "supported": c.supported,
            "default_model": c.default_model,
            "accepts_unknown_models": c.accepts_unknown_models,
            "accepts_extra_parameters": c.accepts_extra_parameters,
            "max_reference_images": c.max_reference_images,
            "models": c.models.iter().map(model_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "settings": info.settings.iter().map(field_json).collect::<Vec<_>>(),
    })
}

fn model_json(m: &ModelInfo) -> Value {
    json!({
        "id": m.id,
        "label": m.label,
        "note": m.note,
        "lifecycle": m.lifecycle.as_ref().map(json::lifecycle),
        "sizes": m.sizes.formats.iter().map(|fs| (fs.format.name().to_string(),
            json!(format!("{}x{}", fs.size.width, fs.size.height)))).collect::<serde_json::Map<_, _>>(),
        "free_sizes": m.sizes.free.as_ref().map(|f| json!({
            "step": f.step,
            "min_side": f.min_side,
            "max_long_side": f.max_long_side,
            "max_short_side": f.max_short_side,
            "max_aspect_ratio": f.max_aspect_ratio,
        })),
        "qualities": m.qualities,
        "default_quality": m.default_quality,
        "output_formats": m.output_formats,
        "default_output_format": m.default_output_format,
        "options": m.options.iter().map(field_json).collect::<Vec<_>>(),
        "max_reference_images": m.max_reference_images,
        "max_prompt_chars": m.max_prompt_chars,
        "max_images": m.max_images,
        "streams_partial_images": m.streams_partial_images,
        "prices": m.prices.as_ref().map(json::prices),
    })
}

/// A declared setting or option. A secret's default is never printed.
fn field_json(f: &FieldSpec) -> Value {
    let mut v = json!({
        "name": f.name,
        "label": f.label,
        "kind": f.kind.name(),
        "default": if matches!(f.kind, ValueKind::Secret) { Value::Null } else { f.default.as_ref().map(value_json).into() },
        "help": f.help,
        "required": f.required,
    });
    match &f.kind {
        ValueKind::Choice(choices) => v["choices"] = json!(choices),
        ValueKind::Number(range) => {
            v["range"] = json!({"min": range.min, "max": range.max, "integer": range.integer, "step": range.step})
        }
        ValueKind::Image(types) => v["media_types"] = json!(types),
        _ => {}
    }
    v
}

fn value_json(v: &Setting) -> Value {
    match v {
        Setting::Text(t) => json!(t),
        Setting::Number(n) => json!(n),
        Setting::Duration(ms) => json!({ "ms": ms }),
        Setting::Flag(b) => json!(b),
        Setting::TextList(l) => json!(l),
        Setting::Pairs(p) => json!(p.iter().map(|p| json!({"name": p.name, "value": p.value})).collect::<Vec<_>>()),
        // An image default is described, not inlined.
        Setting::Image(bytes) => json!({ "image_bytes": bytes.len() }),
        Setting::Json(text) => serde_json::from_str(text).unwrap_or_else(|_| json!(text)),
    }
}

/// A model's state for a user: what its lifecycle says, `unavailable` for a
/// model the service does not list that is not retired, and `active` for a
/// listed model nothing more is known of.
pub fn model_state(m: &ModelEntry) -> &'static str {
    match (&m.lifecycle, m.listed) {
        (Some(l), _) if l.state == ModelState::Retired => "retired",
        (_, false) => "unavailable",
        (Some(l), true) => l.state.name(),
        (None, true) => "active",
    }
}

/// `{"models": [{"id", "capability", "state", "shutdown_date", "replacement"}]}`.
pub fn models_json(models: &[ModelEntry]) -> Value {
    json!({ "models": models.iter().map(|m| json!({
        "id": m.id,
        "capability": m.capability.name(),
        "state": model_state(m),
        "shutdown_date": m.lifecycle.as_ref().and_then(|l| l.shutdown_date.clone()),
        "replacement": m.lifecycle.as_ref().and_then(|l| l.replacement.clone()),
        "label": m.label,
        "note": m.note,
    })).collect::<Vec<_>>() })
}
