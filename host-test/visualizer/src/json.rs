//! The contract's types as the page reads them (snake_case JSON). Secrets'
//! defaults and values never appear here.

use serde_json::{json, Value as J};
use visual_host::bindings::{
    BackendInfo, Capability, CapabilityInfo, Error, FieldSpec, ModelEntry, ModelInfo, SizeRule, Value, ValueKind,
};
use visual_host::json as shared;
pub use visual_host::json::cost;
use visual_host::status::Pill;

/// The page's name for a capability, as Talemate's Visualizer labels it.
pub fn capability_label(capability: Capability) -> &'static str {
    match capability {
        Capability::TextToImage => "Text to Image",
        Capability::ImageEdit => "Image Edit",
        Capability::ImageAnalysis => "Image Analysis",
    }
}

/// What the page calls an error's kind (`invalid-input` is "Invalid input").
pub fn error_label(kind: &str) -> &'static str {
    match kind {
        "invalid-input" => "Invalid input",
        "unsupported" => "Not supported",
        "authentication" => "Authentication failed",
        "permission-denied" => "Permission denied",
        "not-found" => "Not found",
        "content-policy" => "Refused by the content policy",
        "rate-limited" => "Rate limited",
        "quota-exceeded" => "Quota exceeded",
        "timeout" => "Timed out",
        "network" => "Network error",
        "upstream" => "Service error",
        "malformed-response" => "Malformed response",
        "cancelled" => "Cancelled",
        "settings" => "Settings needed",
        "host" => "Host error",
        "forbidden" => "Forbidden",
        "unauthorized" => "Not authorized",
        _ => "Error",
    }
}

/// `{kind, label, message}`: an error the host itself reports.
pub fn error_json(kind: &str, message: &str) -> J {
    json!({ "kind": kind, "label": error_label(kind), "message": message })
}

/// A duration as the page says it: `1.5 s`, `301 s`.
pub fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{} s", (s * 1000.0).round() / 1000.0)
    }
}

pub fn error(e: &Error) -> J {
    let mut v =
        json!({ "kind": e.kind(), "label": error_label(e.kind()), "message": e.message(), "status": e.status() });
    if let Error::RateLimited(r) = e {
        v["retry_after_ms"] = json!(r.retry_after_ms);
    }
    if let Error::Timeout(t) = e {
        v["phase"] = json!(t.phase.name());
    }
    v
}

pub fn pill(p: &Pill) -> J {
    json!({ "light": p.light.name(), "message": p.message, "model": p.model, "problem": p.problem })
}

pub fn sizes(rule: &SizeRule) -> J {
    json!({
        "formats": rule.formats.iter()
            .map(|f| (f.format.name().to_string(), json!(format!("{}x{}", f.size.width, f.size.height))))
            .collect::<serde_json::Map<_, _>>(),
        "free": rule.free.as_ref().map(|f| json!({
            "step": f.step,
            "min_side": f.min_side,
            "max_long_side": f.max_long_side,
            "max_short_side": f.max_short_side,
            "max_aspect_ratio": f.max_aspect_ratio,
        })),
    })
}

/// What the page needs to render a job form for a model.
fn model_details(m: &ModelInfo, v: &mut J) {
    v["qualities"] = json!(m.qualities);
    v["default_quality"] = json!(m.default_quality);
    v["output_formats"] = json!(m.output_formats);
    v["default_output_format"] = json!(m.default_output_format);
    v["options"] = json!(m.options.iter().map(field).collect::<Vec<_>>());
    v["max_reference_images"] = json!(m.max_reference_images);
    v["max_prompt_chars"] = json!(m.max_prompt_chars);
    v["max_images"] = json!(m.max_images);
    v["streams_partial_images"] = json!(m.streams_partial_images);
    v["sizes"] = sizes(&m.sizes);
    v["prices"] = m.prices.as_ref().map(shared::prices).unwrap_or(J::Null);
}

pub fn capability_info(c: &CapabilityInfo) -> J {
    json!({
        "capability": c.capability.name(),
        "label": capability_label(c.capability),
        "supported": c.supported,
        "default_model": c.default_model,
        "accepts_unknown_models": c.accepts_unknown_models,
        "accepts_extra_parameters": c.accepts_extra_parameters,
        "max_reference_images": c.max_reference_images,
        // Each model's details (tiers, formats, options, sizes, prices) come from `GET /api/models`.
        "models": c.models.iter().map(|m| json!({
            "id": m.id, "label": m.label, "note": m.note, "lifecycle": m.lifecycle.as_ref().map(shared::lifecycle),
        })).collect::<Vec<_>>(),
    })
}

pub fn field(f: &FieldSpec) -> J {
    let secret = matches!(f.kind, ValueKind::Secret);
    let mut kind = json!({ "name": f.kind.name() });
    match &f.kind {
        ValueKind::Number(range) => {
            kind["min"] = json!(range.min);
            kind["max"] = json!(range.max);
            kind["integer"] = json!(range.integer);
            kind["step"] = json!(range.step);
        }
        ValueKind::Choice(choices) => kind["choices"] = json!(choices),
        ValueKind::Image(types) => kind["types"] = json!(types),
        _ => {}
    }
    json!({
        "name": f.name,
        "label": f.label,
        "kind": kind,
        "default": if secret { J::Null } else { f.default.as_ref().map(value).unwrap_or(J::Null) },
        "help": f.help,
        "required": f.required,
    })
}

/// A setting's value in the page's units: durations in milliseconds, pairs as `[name, value]`.
pub fn value(v: &Value) -> J {
    match v {
        Value::Text(t) => json!(t),
        Value::Number(n) => json!(n),
        Value::Duration(ms) => json!(ms),
        Value::Flag(b) => json!(b),
        Value::TextList(list) => json!(list),
        Value::Pairs(pairs) => json!(pairs.iter().map(|p| [p.name.as_str(), p.value.as_str()]).collect::<Vec<_>>()),
        // Never sent to the page whole: the size says what it is.
        Value::Image(bytes) => json!({ "image_bytes": bytes.len() }),
        Value::Json(text) => json!(text),
    }
}

pub fn info(i: &BackendInfo) -> J {
    json!({
        "name": i.name,
        "label": i.label,
        "description": i.description,
        "version": i.version,
        "prompt_style": i.prompt_style.name(),
        "capabilities": i.capabilities.iter().map(capability_info).collect::<Vec<_>>(),
        "settings": i.settings.iter().map(field).collect::<Vec<_>>(),
    })
}

/// A model for the page's list: what the service said (when asked) merged
/// with what the backend knows of it.
pub fn model_choice(entry: Option<&ModelEntry>, known: Option<&ModelInfo>, id: &str) -> J {
    let lifecycle = entry.and_then(|e| e.lifecycle.as_ref()).or(known.and_then(|k| k.lifecycle.as_ref()));
    let retired = lifecycle.is_some_and(|l| l.state.name() == "retired");
    let listed = entry.map(|e| e.listed).unwrap_or(true);
    let mut v = json!({
        "id": id,
        "label": entry.map(|e| e.label.as_str()).or(known.map(|k| k.label.as_str())).unwrap_or(id),
        "note": entry.and_then(|e| e.note.clone()).or(known.and_then(|k| k.note.clone())),
        "lifecycle": lifecycle.map(shared::lifecycle),
        "listed": listed,
        "selectable": !retired,
        "known": known.is_some(),
    });
    match known {
        Some(k) => model_details(k, &mut v),
        None => {
            v["qualities"] = json!([]);
            v["default_quality"] = J::Null;
        }
    }
    v
}
