//! The models the page offers for a capability: the backend's live `models`
//! list when its required settings (the key) are set, else what its `info()`
//! knows; each with its note and lifecycle. Cached until the settings or the
//! component change.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value as J};
use visual_host::bindings::{Capability, ModelEntry, ValueKind};

use crate::config::ConfigStore;
use crate::json;
use crate::plugins::Loaded;

/// How long the page waits for a live model list before showing `info()`'s.
const LIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// (backend revision, capability) -> (settings epoch, list)
type Lists = HashMap<(u64, &'static str), (u64, J)>;

#[derive(Default)]
pub struct ModelsCache {
    map: Mutex<Lists>,
}

impl ModelsCache {
    pub fn clear(&self) {
        self.map.lock().unwrap().clear();
    }

    /// A list already fetched for these settings, if any.
    pub fn cached(&self, loaded: &Loaded, capability: Capability, epoch: u64) -> Option<J> {
        let map = self.map.lock().unwrap();
        map.get(&(loaded.revision, capability.name())).filter(|(e, _)| *e == epoch).map(|(_, list)| list.clone())
    }
}

/// The page's model list for `capability` on backend `loaded`, with the
/// settings in `config`, kept in `cache`: these two rather than the server
/// state, which holds the cache.
pub async fn list(config: &ConfigStore, cache: &ModelsCache, loaded: &Loaded, capability: Capability) -> J {
    let epoch = config.inner.lock().unwrap().epoch;
    if let Some(list) = cache.cached(loaded, capability, epoch) {
        return list;
    }
    let info = &loaded.info;
    let Some(cap) = info.capability(capability).filter(|c| c.supported) else {
        return json!({ "backend": loaded.id, "capability": capability.name(), "supported": false, "models": [] });
    };
    let known = |id: &str| cap.models.iter().find(|m| m.id == id);
    let effective = config.effective(&loaded.id, info);
    let (source, note, models): (&str, Option<String>, Vec<J>) = match &effective.missing {
        Some(spec) => (
            "info",
            Some(format!(
                "{} is not set: these are the models {} knows, not the service's list",
                spec.label, info.label
            )),
            cap.models.iter().map(|m| json::model_choice(None, Some(m), &m.id)).collect(),
        ),
        None => match live(loaded, &effective.settings, capability).await {
            Ok(entries) => {
                let entries: Vec<&ModelEntry> = entries.iter().filter(|e| e.capability == capability).collect();
                let mut models: Vec<J> =
                    entries.iter().map(|e| json::model_choice(Some(e), known(&e.id), &e.id)).collect();
                // Known models the service did not mention at all still appear, marked by their lifecycle.
                for m in &cap.models {
                    if !entries.iter().any(|e| e.id == m.id) {
                        models.push(json::model_choice(None, Some(m), &m.id));
                    }
                }
                ("live", None, models)
            }
            Err(why) => (
                "info",
                Some(format!("the service's list is unavailable ({why}): these are the models {} knows", info.label)),
                cap.models.iter().map(|m| json::model_choice(None, Some(m), &m.id)).collect(),
            ),
        },
    };
    let list = json!({
        "backend": loaded.id,
        "capability": capability.name(),
        "supported": true,
        "source": source,
        "note": note,
        "default_model": cap.default_model,
        "accepts_unknown_models": cap.accepts_unknown_models,
        "accepts_extra_parameters": cap.accepts_extra_parameters,
        "max_reference_images": cap.max_reference_images,
        // Whether a service and a key stand behind the list (the placeholder has neither).
        "service": info.settings.iter().any(|s| matches!(s.kind, ValueKind::Url | ValueKind::Secret)),
        "backend_label": info.label,
        "models": models,
    });
    if source == "live" || effective.missing.is_some() {
        cache.map.lock().unwrap().insert((loaded.revision, capability.name()), (epoch, list.clone()));
    }
    list
}

async fn live(
    loaded: &Loaded,
    settings: &[visual_host::bindings::Setting],
    capability: Capability,
) -> Result<Vec<ModelEntry>, String> {
    let call = async {
        let policy = loaded.plugin.network_policy(settings).await.map_err(|e| format!("{e:#}"))?;
        let mut session = match loaded.plugin.connect(settings, policy).await.map_err(|e| format!("{e:#}"))? {
            Ok(session) => session,
            Err(e) => return Err(format!("{}: {}", e.kind(), e.message())),
        };
        match session.models(Some(capability)).await.map_err(|e| format!("{e:#}"))? {
            Ok(models) => Ok(models),
            Err(e) => Err(format!("{}: {}", e.kind(), e.message())),
        }
    };
    tokio::time::timeout(LIVE_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", LIVE_TIMEOUT.as_secs())))
}

/// Whether `model` may be chosen for `capability` on `loaded`: a model the
/// backend or the service named and that is not retired, or any id when the
/// backend passes unknown ids through. What the service named is the list
/// `cache` holds for the settings in `config`.
pub fn acceptable(
    config: &ConfigStore,
    cache: &ModelsCache,
    loaded: &Loaded,
    capability: Capability,
    model: &str,
) -> Result<(), String> {
    let Some(cap) = loaded.info.capability(capability).filter(|c| c.supported) else {
        return Err(format!("{} cannot do {}", loaded.info.label, capability.name()));
    };
    let epoch = config.inner.lock().unwrap().epoch;
    let listed = cache.cached(loaded, capability, epoch);
    let entry = listed
        .as_ref()
        .and_then(|l| l["models"].as_array().and_then(|ms| ms.iter().find(|m| m["id"] == model)).cloned())
        .or_else(|| cap.models.iter().find(|m| m.id == model).map(|m| json::model_choice(None, Some(m), &m.id)));
    match entry {
        Some(entry) if entry["selectable"] == false => {
            let date = entry["lifecycle"]["shutdown_date"].as_str().map(|d| format!(" on {d}")).unwrap_or_default();
            Err(format!("{model} was retired{date}; choose another model"))
        }
        Some(_) => Ok(()),
        None if cap.accepts_unknown_models => Ok(()),
        None => Err(format!("{} does not offer {model} for {}", loaded.info.label, capability.name())),
    }
}
