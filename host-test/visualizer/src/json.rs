//! The contract's types as the page reads them (snake_case JSON). Secrets'
//! defaults and values never appear here.

use serde_json::{json, Value as J};
use visual_host::bindings::{
    BackendInfo, Capability, CapabilityInfo, Error, FieldSpec, Lifecycle, ModelEntry, ModelInfo, Value, ValueKind,
    WitEnum,
};
use visual_host::status::Pill;

/// The page's name for a capability, as Talemate's Visualizer labels it.
pub fn capability_label(capability: Capability) -> &'static str {
    match capability {
        Capability::TextToImage => "Text to Image",
        Capability::ImageEdit => "Image Edit",
        Capability::ImageAnalysis => "Image Analysis",
    }
}

pub fn error(e: &Error) -> J {
    let mut v = json!({ "kind": e.kind(), "message": e.message(), "status": e.status() });
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

pub fn lifecycle(l: &Lifecycle) -> J {
    json!({ "state": l.state.name(), "shutdown_date": l.shutdown_date, "replacement": l.replacement })
}

pub fn model_info(m: &ModelInfo) -> J {
    json!({
        "id": m.id,
        "label": m.label,
        "note": m.note,
        "lifecycle": m.lifecycle.as_ref().map(lifecycle),
        "qualities": m.qualities,
        "default_quality": m.default_quality,
        "max_reference_images": m.max_reference_images,
        "max_images": m.max_images,
        "streams_partial_images": m.streams_partial_images,
        "sizes": m.sizes.formats.iter()
            .map(|f| (f.format.name().to_string(), json!(format!("{}x{}", f.size.width, f.size.height))))
            .collect::<serde_json::Map<_, _>>(),
    })
}

pub fn capability_info(c: &CapabilityInfo) -> J {
    json!({
        "capability": c.capability.name(),
        "label": capability_label(c.capability),
        "supported": c.supported,
        "default_model": c.default_model,
        "accepts_unknown_models": c.accepts_unknown_models,
        "max_reference_images": c.max_reference_images,
        "models": c.models.iter().map(model_info).collect::<Vec<_>>(),
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
        }
        ValueKind::Choice(choices) => kind["choices"] = json!(choices),
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
    json!({
        "id": id,
        "label": entry.map(|e| e.label.as_str()).or(known.map(|k| k.label.as_str())).unwrap_or(id),
        "note": entry.and_then(|e| e.note.clone()).or(known.and_then(|k| k.note.clone())),
        "lifecycle": lifecycle.map(self::lifecycle),
        "listed": listed,
        "selectable": !retired,
        "max_reference_images": known.map(|k| k.max_reference_images),
        "qualities": known.map(|k| k.qualities.clone()).unwrap_or_default(),
        "default_quality": known.and_then(|k| k.default_quality.clone()),
        "streams_partial_images": known.map(|k| k.streams_partial_images),
    })
}
