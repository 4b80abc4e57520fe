//! `GET /models` and `GET /models/{model}`: which model ids exist today.
//!
//! The component calls the retrieve endpoint as a readiness check and the
//! list to learn what a key can use, so both answer from the catalog as of
//! the request ([`crate::catalog`]): each Model object carries its
//! `shutdown_date` (or `null`), as the spec's `Model` and
//! `models_retrieve__response.json` show. A retired model is not listed and
//! its retrieve is the real `model_not_found` 404, like any id that does not
//! exist. Dated snapshots follow their base entry; fine-tunes (`ft:...`)
//! exist, with no shutdown date.

use serde_json::{json, Value};

use super::catalog::View;
use super::entry::ModelEntry;

/// The Model object, for ids that exist and are served.
pub(crate) fn model_object(view: &View, id: &str) -> Option<Value> {
    match view.find(id)?.entry {
        Some(e) if view.serves(e) => Some(object(id, e)),
        Some(_) => None,
        None => Some(json!({
            "id": id, "object": "model", "created": 1_700_000_000u64, "owned_by": "user-mock", "shutdown_date": null
        })),
    }
}

/// The ListModelsResponse: every served entry, each followed by its listed snapshots.
pub(crate) fn list(view: &View) -> Value {
    let data: Vec<Value> = view
        .entries
        .iter()
        .filter(|e| view.serves(e))
        .flat_map(|e| {
            let snapshots = e.snapshots.iter().map(move |d| object(&format!("{}-{d}", e.id), e));
            std::iter::once(object(&e.id, e)).chain(snapshots)
        })
        .collect();
    json!({"object": "list", "data": data})
}

fn object(id: &str, e: &ModelEntry) -> Value {
    json!({"id": id, "object": "model", "created": e.created, "owned_by": e.owned_by, "shutdown_date": e.shutdown_date})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::view;
    use crate::catalog::MockMode;

    fn ids(list: &Value) -> Vec<&str> {
        list["data"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn the_list_leaves_out_what_is_retired() {
        let v = view(MockMode::Api);
        assert_eq!(
            ids(&list(&v)),
            [
                "gpt-image-2",
                "gpt-image-2-2026-04-21",
                "gpt-image-2.5-flare",
                "gpt-image-2.5-flare-2026-09-08",
                "gpt-image-2.5-sunburst",
                "gpt-image-2.5-sunburst-2026-09-08",
                "gpt-image-2.6-flare",
                "gpt-image-2.6-sunburst",
                "gpt-4o",
                "gpt-4o-mini",
                "gpt-4.1",
                "gpt-4.1-mini",
                "gpt-5",
                "gpt-5-mini",
                "gpt-5-nano",
                "gpt-6-luna",
                "gpt-5.6-luna",
                "gpt-6.1-sol",
                "gpt-6.1-terra",
            ]
        );
        for m in list(&v)["data"].as_array().unwrap() {
            assert_eq!(m.as_object().unwrap().len(), 5, "{m}");
            assert!(m["shutdown_date"].is_null() || m["shutdown_date"].is_string());
        }
        let gateway = list(&view(MockMode::Gateway));
        assert_eq!(ids(&gateway).len(), ModelEntry::default_catalog().len() + 4);
        assert!(ids(&gateway).contains(&"dall-e-3") && ids(&gateway).contains(&"gpt-image-1.5-2025-12-16"));
    }

    #[test]
    fn retrieve_follows_today() {
        let v = view(MockMode::Api);
        assert_eq!(model_object(&v, "gpt-4o-mini").unwrap()["shutdown_date"], "2027-01-14");
        assert_eq!(model_object(&v, "gpt-6-luna").unwrap()["shutdown_date"], Value::Null);
        assert_eq!(model_object(&v, "gpt-4o-2024-08-06").unwrap()["id"], "gpt-4o-2024-08-06");
        assert_eq!(model_object(&v, "ft:gpt-4o-mini:acme::abc123").unwrap()["owned_by"], "user-mock");
        assert!(model_object(&v, "dall-e-3").is_none());
        assert!(model_object(&v, "gpt-image-1.5-2025-12-16").is_none(), "a snapshot retires with its base");
        assert!(model_object(&v, "gpt-5-imaginary").is_none());
        let day_after = View { today: "2027-01-14".into(), ..v };
        assert!(model_object(&day_after, "gpt-4o-mini").is_none(), "retired on its shutdown date");
        assert_eq!(model_object(&view(MockMode::Gateway), "dall-e-3").unwrap()["shutdown_date"], "2026-05-12");
    }
}
