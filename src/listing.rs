//! `models`: what this key can use now, per capability. One `GET /models`,
//! read into [`ModelEntry`]s: the service's image and vision models, each
//! with the lifecycle merged from its `shutdown_date` (the service wins on the
//! date, the table names the replacement), followed by the known models the
//! service does not list (`listed: false`: retired, or hidden from this key or
//! project). On Azure, the deployments the settings name, without a request.

use serde_json::Value;

use crate::bindings::{Capability, Error, ModelEntry};
use crate::call::{Call, Endpoint};
use crate::config::Config;
use crate::date::Date;
use crate::http::Body;
use crate::images_response::{malformed, quoted};
use crate::lifecycle::{self, Announced};
use crate::models;

/// What `models` needs to do.
pub enum Plan {
    /// Known without asking (Azure: the configured deployments).
    Answered(Vec<ModelEntry>),
    /// `GET /models`, then [`entries`].
    List(Call<'static>),
}

/// The capabilities asked about: one, or all.
fn scope(capability: Option<Capability>) -> Vec<Capability> {
    capability.map_or_else(|| Capability::ALL.to_vec(), |c| vec![c])
}

pub fn prepare(capability: Option<Capability>, config: &Config) -> Plan {
    if config.is_azure() {
        let entries = scope(capability)
            .into_iter()
            .filter_map(|c| {
                let deployment = config.deployment_for(c)?;
                Some(ModelEntry {
                    id: deployment.to_string(),
                    capability: c,
                    listed: true,
                    lifecycle: None,
                    label: deployment.to_string(),
                    note: Some("Azure OpenAI deployment".into()),
                })
            })
            .collect();
        return Plan::Answered(entries);
    }
    Plan::List(Call {
        endpoint: Endpoint::ListModels,
        model: String::new(),
        content_type: None,
        body: Body::empty(),
        streaming: false,
    })
}

/// Words in a chat model's id that mean it does not answer questions about
/// images in chat completions.
const NOT_VISION: &[&str] = &["audio", "realtime", "transcribe", "tts", "search", "embedding", "image", "moderation"];
const VISION_PREFIXES: &[&str] = &["gpt-4o", "gpt-4.1", "gpt-5", "gpt-6", "o3", "o4"];
const IMAGE_PREFIXES: &[&str] = &["dall-e-", "gpt-image-", "chatgpt-image-"];

/// Whether the service's model `id` serves `capability`.
pub fn serves(id: &str, capability: Capability) -> bool {
    let id = id.to_ascii_lowercase();
    let image = IMAGE_PREFIXES.iter().any(|p| id.starts_with(p));
    match capability {
        Capability::TextToImage => image,
        Capability::ImageEdit => image && models::image_model(&id).max_reference_images > 0,
        Capability::ImageAnalysis => {
            VISION_PREFIXES.iter().any(|p| id.starts_with(p)) && !NOT_VISION.iter().any(|w| id.contains(w))
        }
    }
}

/// The label and note the table gives `id` for `capability` (the id itself for one it does not know).
fn describe(id: &str, capability: Capability) -> (String, Option<String>) {
    if capability == Capability::ImageAnalysis {
        let m = models::vision_model(id);
        (m.label, m.note.map(str::to_string))
    } else {
        let m = models::image_model(id);
        (m.label, m.note.map(str::to_string))
    }
}

/// Reads a `GET /models` answer into entries for `capability` (all when
/// `None`, grouped by capability), with lifecycles as of `today`.
pub fn entries(body: &[u8], capability: Option<Capability>, today: Date) -> Result<Vec<ModelEntry>, Error> {
    let json: Value =
        serde_json::from_slice(body).map_err(|_| malformed(format!("the model list is not JSON: {}", quoted(body))))?;
    let Some(data) = json.get("data").and_then(Value::as_array) else {
        return Err(malformed(format!("the model list has no `data` list: {}", quoted(body))));
    };
    // Each id once, in the service's order; entries without an id are skipped.
    let mut listed: Vec<(&str, &Value)> = Vec::with_capacity(data.len());
    for model in data {
        if let Some(id) = model.get("id").and_then(Value::as_str).filter(|id| !id.trim().is_empty()) {
            if !listed.iter().any(|(seen, _)| *seen == id) {
                listed.push((id, model));
            }
        }
    }
    let mut out = Vec::new();
    for c in scope(capability) {
        for &(id, model) in listed.iter().filter(|(id, _)| serves(id, c)) {
            let (label, note) = describe(id, c);
            let lifecycle = lifecycle::merge(models::schedule(id, c), Announced::of(model), today);
            out.push(ModelEntry { id: id.to_string(), capability: c, listed: true, lifecycle, label, note });
        }
        for id in models::known_ids(c) {
            if listed.iter().any(|(seen, _)| *seen == id) {
                continue;
            }
            let (label, note) = describe(id, c);
            let lifecycle = models::schedule(id, c).map(|s| s.at(today));
            out.push(ModelEntry { id: id.to_string(), capability: c, listed: false, lifecycle, label, note });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{Lifecycle, ModelState};
    use proptest::prelude::*;
    use serde_json::json;

    const TODAY: Date = Date::ymd(2026, 12, 2);

    /// What the API lists today for a key with access to everything current.
    fn todays_list() -> Vec<u8> {
        serde_json::to_vec(&json!({"object": "list", "data": [
            {"id": "gpt-image-2.6-flare", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-image-2.6-sunburst", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-image-2.5-flare", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-image-2.5-sunburst", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-image-2.5-sunburst-2026-09-08", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-image-2", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-6-luna", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-4o-mini", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": "2027-01-14"},
            {"id": "gpt-4o-mini-tts", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-4o-realtime-preview", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "gpt-5", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": "2026-12-11"},
            {"id": "gpt-5.1", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": "2027-02-01"},
            {"id": "text-embedding-3-small", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": null},
            {"id": "whisper-1", "object": "model", "created": 1, "owned_by": "system"},
            {"id": "gpt-4o-mini", "object": "model", "created": 1, "owned_by": "system", "shutdown_date": "2027-01-14"},
            {"object": "model"},
        ]}))
        .unwrap()
    }

    fn ids(entries: &[ModelEntry], listed: bool) -> Vec<&str> {
        entries.iter().filter(|e| e.listed == listed).map(|e| e.id.as_str()).collect()
    }

    fn state(entry: &ModelEntry) -> Option<(ModelState, Option<&str>, Option<&str>)> {
        entry.lifecycle.as_ref().map(|l| (l.state, l.shutdown_date.as_deref(), l.replacement.as_deref()))
    }

    #[test]
    fn what_the_service_lists_then_what_it_does_not() {
        let t2i = entries(&todays_list(), Some(Capability::TextToImage), TODAY).unwrap();
        assert_eq!(
            ids(&t2i, true),
            [
                "gpt-image-2.6-flare",
                "gpt-image-2.6-sunburst",
                "gpt-image-2.5-flare",
                "gpt-image-2.5-sunburst",
                "gpt-image-2.5-sunburst-2026-09-08",
                "gpt-image-2"
            ]
        );
        assert_eq!(
            ids(&t2i, false),
            ["dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"]
        );
        assert!(t2i.iter().all(|e| e.capability == Capability::TextToImage));
        let flare = &t2i[0];
        assert_eq!(
            (flare.label.as_str(), state(flare)),
            ("GPT Image 2.6 Flare", Some((ModelState::Active, None, None)))
        );
        assert_eq!(t2i[4].label, "GPT Image 2.5 Sunburst (2026-09-08)");
        // Retired models show as retired, with date and replacement.
        let dalle = t2i.iter().find(|e| e.id == "dall-e-3").unwrap();
        assert_eq!(state(dalle), Some((ModelState::Retired, Some("2026-05-12"), Some("gpt-image-2.5-sunburst"))));
        assert_eq!(dalle.label, "DALL·E 3");

        let edit = entries(&todays_list(), Some(Capability::ImageEdit), TODAY).unwrap();
        assert_eq!(ids(&edit, true), ids(&t2i, true));
        assert!(!ids(&edit, false).contains(&"dall-e-3"));

        let analysis = entries(&todays_list(), Some(Capability::ImageAnalysis), TODAY).unwrap();
        assert_eq!(ids(&analysis, true), ["gpt-6-luna", "gpt-4o-mini", "gpt-5", "gpt-5.1"]);
        assert_eq!(
            ids(&analysis, false),
            [
                "gpt-5.6-luna",
                "gpt-6.1-sol",
                "gpt-6.1-terra",
                "gpt-4.1-mini",
                "gpt-4.1",
                "gpt-4o",
                "gpt-5-mini",
                "gpt-5-nano"
            ]
        );
        let mini = &analysis[1];
        assert_eq!(state(mini), Some((ModelState::Deprecated, Some("2027-01-14"), Some("gpt-6-luna"))));
        assert_eq!(state(&analysis[2]), Some((ModelState::Deprecated, Some("2026-12-11"), Some("gpt-6.1-sol"))));
        assert_eq!(analysis[2].label, "GPT-5");
        // An unknown model with a date: deprecated, no replacement to name.
        assert_eq!(state(&analysis[3]), Some((ModelState::Deprecated, Some("2027-02-01"), None)));
        assert_eq!(analysis[3].label, "gpt-5.1");
        // Not listed and not retired: hidden from this key (its table lifecycle still shown).
        let luna56 = analysis.iter().find(|e| e.id == "gpt-5.6-luna").unwrap();
        assert_eq!((luna56.listed, state(luna56)), (false, Some((ModelState::Active, None, None))));

        let all = entries(&todays_list(), None, TODAY).unwrap();
        assert_eq!(all.len(), t2i.len() + edit.len() + analysis.len());
        assert_eq!(all[..t2i.len()], t2i[..]);
    }

    #[test]
    fn the_service_wins_on_dates_and_today_decides_the_state() {
        let list = |shutdown: Value| {
            serde_json::to_vec(&json!({"data": [{"id": "gpt-4o-mini", "shutdown_date": shutdown}, {"id": "dall-e-3"}]}))
                .unwrap()
        };
        let one = |body: &[u8], today: Date, id: &str| {
            entries(body, Some(Capability::ImageAnalysis), today)
                .unwrap()
                .into_iter()
                .chain(entries(body, Some(Capability::TextToImage), today).unwrap())
                .find(|e| e.id == id)
                .unwrap()
        };
        // A moved date.
        let moved = one(&list("2027-06-30".into()), TODAY, "gpt-4o-mini");
        assert_eq!(state(&moved), Some((ModelState::Deprecated, Some("2027-06-30"), Some("gpt-6-luna"))));
        // The same model on the day after its (service's) date.
        let later = one(&list("2027-01-14".into()), Date::ymd(2027, 1, 15), "gpt-4o-mini");
        assert_eq!(state(&later), Some((ModelState::Retired, Some("2027-01-14"), Some("gpt-6-luna"))));
        // None announced: active.
        assert_eq!(state(&one(&list(Value::Null), TODAY, "gpt-4o-mini")), Some((ModelState::Active, None, None)));
        // A gateway that says nothing: the table alone (dall-e-3 still served there, but retired at OpenAI).
        let dalle = one(&list(Value::Null), TODAY, "dall-e-3");
        assert!(dalle.listed);
        assert_eq!(state(&dalle), Some((ModelState::Retired, Some("2026-05-12"), Some("gpt-image-2.5-sunburst"))));
    }

    #[test]
    fn which_ids_serve_which_capability() {
        for id in ["dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-2.6-flare", "chatgpt-image-latest"] {
            assert!(serves(id, Capability::TextToImage), "{id}");
            assert!(!serves(id, Capability::ImageAnalysis), "{id}");
        }
        assert!(!serves("dall-e-3", Capability::ImageEdit) && !serves("dall-e-3-2023-11-01", Capability::ImageEdit));
        assert!(serves("dall-e-2", Capability::ImageEdit) && serves("gpt-image-2", Capability::ImageEdit));
        for id in ["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano", "gpt-5.6-luna", "gpt-6-luna", "o3", "o4-mini"] {
            assert!(serves(id, Capability::ImageAnalysis), "{id}");
            assert!(!serves(id, Capability::TextToImage), "{id}");
        }
        for id in [
            "gpt-4o-audio-preview",
            "gpt-4o-realtime-preview",
            "gpt-4o-transcribe",
            "gpt-4o-mini-tts",
            "gpt-4o-search-preview",
            "gpt-5-search-api",
            "text-embedding-3-large",
            "omni-moderation-latest",
            "gpt-4o-image",
            "whisper-1",
            "o1",
            "babbage-002",
        ] {
            assert!(Capability::ALL.iter().all(|&c| !serves(id, c)), "{id}");
        }
    }

    #[test]
    fn bodies_that_are_not_a_model_list() {
        for body in [&b"<html>hi</html>"[..], b"", b"[]", br#"{"object":"list"}"#, br#"{"data":{}}"#] {
            let e = entries(body, None, TODAY).unwrap_err();
            assert_eq!(e.kind(), "malformed-response", "{body:?}");
            assert!(e.message().starts_with("the model list"), "{}", e.message());
        }
        // An empty list: every known model, unlisted.
        let empty = entries(br#"{"data":[]}"#, Some(Capability::ImageAnalysis), TODAY).unwrap();
        assert!(empty.iter().all(|e| !e.listed) && empty.len() == models::ANALYSIS_MODELS.len());
        assert_eq!(
            empty[0].lifecycle,
            Some(Lifecycle { state: ModelState::Active, shutdown_date: None, replacement: None })
        );
    }

    proptest! {
        #[test]
        fn any_body_is_read_or_refused(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Err(e) = entries(&body, None, TODAY) {
                prop_assert_eq!(e.kind(), "malformed-response");
                prop_assert!(!e.message().contains('\n'));
            }
        }

        #[test]
        fn every_listed_id_appears_once_per_capability(ids in proptest::collection::vec("(gpt-image-|gpt-4o|dall-e-|o3|x)[a-z0-9.-]{0,8}", 0..12)) {
            let data: Vec<Value> = ids.iter().map(|id| json!({"id": id, "shutdown_date": "2027-01-14"})).collect();
            let body = serde_json::to_vec(&json!({"data": data})).unwrap();
            let all = entries(&body, None, TODAY).unwrap();
            for &c in Capability::ALL {
                let of: Vec<&ModelEntry> = all.iter().filter(|e| e.capability == c).collect();
                let mut seen: Vec<&str> = of.iter().map(|e| e.id.as_str()).collect();
                let total = seen.len();
                seen.sort();
                seen.dedup();
                prop_assert_eq!(seen.len(), total);
                prop_assert!(of.iter().filter(|e| e.listed).all(|e| serves(&e.id, c) && e.lifecycle.as_ref().is_some_and(|l| l.shutdown_date.as_deref() == Some("2027-01-14"))));
            }
        }
    }
}
