//! JSON renderings of what a backend returns, for `visual-host --json` and
//! for tests. Field names are the CLI's contract (snake_case).

use serde_json::{json, Value};

use visual_host::bindings::{
    error_failure, error_kind, error_message, error_status, Analysis, BackendInfo, Error, Status, Usage, WitEnum,
};

/// `{"error": {"kind", "message", "status"}}`, plus what the case carries.
pub fn error_json(e: &Error) -> Value {
    let mut inner = json!({
        "kind": error_kind(e),
        "message": error_message(e),
        "status": error_status(e),
    });
    match e {
        Error::RateLimited(r) => inner["retry_after_ms"] = json!(r.retry_after_ms),
        Error::Timeout(t) => inner["phase"] = json!(t.phase.name()),
        _ => {}
    }
    let failure = error_failure(e);
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

pub fn usage_json(u: &Usage) -> Value {
    let mut v = json!({
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "total_tokens": u.total_tokens,
    });
    if u.input_text_tokens.is_some() || u.input_image_tokens.is_some() {
        v["input_tokens_details"] = json!({
            "text_tokens": u.input_text_tokens,
            "image_tokens": u.input_image_tokens,
        });
    }
    v
}

pub fn analysis_json(a: &Analysis) -> Value {
    json!({
        "model": a.model,
        "text": a.text,
        "finish_reason": a.finish_reason,
        "truncated": a.truncated,
        "usage": a.usage.as_ref().map(usage_json),
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
            "max_reference_images": c.max_reference_images,
            "models": c.models.iter().map(|m| json!({
                "id": m.id,
                "label": m.label,
                "note": m.note,
                "sizes": m.sizes.iter().map(|fs| (fs.format.name().to_string(),
                    json!(format!("{}x{}", fs.size.width, fs.size.height)))).collect::<serde_json::Map<_, _>>(),
                "max_reference_images": m.max_reference_images,
                "max_prompt_chars": m.max_prompt_chars,
                "max_images": m.max_images,
                "streams_partial_images": m.streams_partial_images,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
