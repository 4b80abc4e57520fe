//! `GET /models` and `GET /models/{model}`: which model ids exist.
//!
//! The component calls the retrieve endpoint as a readiness check, so the mock
//! knows the ids it uses, their dated snapshots and fine-tunes, and answers
//! anything else with the real `model_not_found` 404.

use serde_json::{json, Value};

/// `(id, owned_by, created)` for the models the component knows.
const KNOWN: &[(&str, &str, u64)] = &[
    ("dall-e-3", "system", 1698785189),
    ("gpt-image-1", "system", 1745517030),
    ("gpt-image-1-mini", "system", 1758845821),
    ("gpt-image-1.5", "system", 1765925279),
    ("gpt-image-2", "system", 1776729600),
    ("chatgpt-image-latest", "system", 1765925279),
    ("gpt-4.1", "system", 1744316542),
    ("gpt-4.1-mini", "system", 1744318173),
    ("gpt-4o", "system", 1715367049),
    ("gpt-4o-mini", "system", 1721172741),
];

/// Owner and creation time of an id that exists: a known id, a dated
/// snapshot of one (`gpt-4o-2024-08-06`), or a fine-tune (`ft:...`).
fn find(id: &str) -> Option<(&'static str, u64)> {
    if let Some(&(_, owner, created)) = KNOWN.iter().find(|(k, _, _)| *k == id) {
        return Some((owner, created));
    }
    if let Some(rest) = id.strip_prefix("ft:") {
        return (!rest.is_empty()).then_some(("user-mock", 1_700_000_000));
    }
    KNOWN.iter().find_map(|&(k, owner, created)| {
        let date = id.strip_prefix(k)?.strip_prefix('-')?;
        is_date(date).then_some((owner, created))
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// The Model object, for ids that exist.
pub(crate) fn model_object(id: &str) -> Option<Value> {
    let (owner, created) = find(id)?;
    Some(json!({"id": id, "object": "model", "created": created, "owned_by": owner}))
}

/// The ListModelsResponse.
pub(crate) fn list() -> Value {
    let data: Vec<Value> = KNOWN.iter().filter_map(|(id, _, _)| model_object(id)).collect();
    json!({"object": "list", "data": data})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exists(id: &str) -> bool {
        find(id).is_some()
    }

    #[test]
    fn known_snapshots_and_fine_tunes_exist() {
        assert!(exists("gpt-image-1"));
        assert!(exists("gpt-4o-2024-08-06"));
        assert!(exists("gpt-image-2-2026-04-21"));
        assert!(exists("ft:gpt-4o-mini:acme::abc123"));
        assert!(!exists("ft:"));
        assert!(!exists("gpt-5-imaginary"));
        assert!(!exists("gpt-4o-latest"));
        assert_eq!(model_object("dall-e-3").unwrap()["object"], "model");
    }
}
