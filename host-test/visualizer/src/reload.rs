//! What the server does when its plugins folder changes: it looks at the
//! folder every few hundred milliseconds ([`watch`]) and, after a change (and
//! once at start), brings the settings, the chosen backends and models, the
//! model lists and the pills in line with what is loaded
//! ([`after_plugins_changed`]).
//!
//! Apart from [`crate::plugins`] on purpose: that module only loads files and
//! says whether what is served changed; reacting to it touches the
//! configuration, the model lists, the pills and the page's event stream,
//! none of which loading needs. With the reaction here, above the plugins
//! folder and beside the routes rather than in them, `plugins` calls nothing
//! above it and the routes are not called from below.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use visual_host::bindings::Capability;

use crate::plugins::Loaded;
use crate::state::AppState;
use crate::{checks, json};

/// Looks at the folder every `interval` until the server shuts down.
pub fn watch(state: Arc<AppState>, interval: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = state.shutdown.cancelled() => return,
                _ = tokio::time::sleep(interval) => {}
            }
            if state.plugins.scan(false).await {
                after_plugins_changed(&state);
            }
        }
    });
}

/// After the folder changed: settings for new backends, choices that still
/// make sense, fresh pills, and word to the page. A choice the host changes
/// itself (its backend's file was removed, the new component does not offer
/// the model) carries a notice saying so, where the choice is shown.
pub fn after_plugins_changed(state: &Arc<AppState>) {
    let loaded = state.plugins.loaded();
    for l in &loaded {
        state.config.seed(&l.id, &l.info);
    }
    {
        let mut config = state.config.inner.lock().unwrap();
        for (i, capability) in Capability::ALL.iter().enumerate() {
            let label = json::capability_label(*capability);
            let choice = &mut config.choices[i];
            let offers = |l: &Loaded| l.info.capability(*capability).is_some_and(|c| c.supported);
            let current = choice.backend.as_deref().and_then(|id| loaded.iter().find(|l| l.id == id));
            let gone = choice.backend.clone().filter(|_| current.is_none());
            let backend = match current.filter(|l| offers(l)) {
                Some(l) => l.clone(),
                None => match loaded.iter().find(|l| offers(l)) {
                    Some(l) => {
                        choice.notice = Some(match (&gone, current) {
                            (Some(id), _) => format!(
                                "The backend {id} ({id}.wasm) is no longer in the plugins folder: {label} now uses {}.",
                                l.info.label
                            ),
                            (None, Some(old)) => format!(
                                "The new {} no longer offers {label}: it now uses {}.",
                                old.file_name, l.info.label
                            ),
                            (None, None) => String::new(),
                        })
                        .filter(|n| !n.is_empty());
                        l.clone()
                    }
                    None => {
                        if let Some(id) = &gone {
                            choice.notice = Some(format!(
                                "The backend {id} ({id}.wasm) is no longer in the plugins folder, and no other backend offers {label}."
                            ));
                        }
                        choice.backend = None;
                        choice.model = None;
                        continue;
                    }
                },
            };
            let cap = backend.info.capability(*capability).expect("offers it");
            let same_backend = choice.backend.as_deref() == Some(backend.id.as_str());
            let keeps_model = same_backend
                && choice
                    .model
                    .as_deref()
                    .is_some_and(|m| cap.accepts_unknown_models || cap.models.iter().any(|k| k.id == m));
            if !keeps_model {
                let model = cap.default_model.clone().or(cap.models.first().map(|m| m.id.clone()));
                if let (true, Some(old)) = (same_backend, &choice.model) {
                    choice.notice = Some(format!(
                        "The new {} does not offer {old}: {label} now uses {}.",
                        backend.file_name,
                        model.as_deref().unwrap_or("its default model")
                    ));
                }
                choice.model = model;
            }
            choice.backend = Some(backend.id.clone());
        }
        config.epoch += 1;
    }
    state.models.clear();
    checks::refresh_all(state);
    state.emit("state", json!({ "reason": "plugins" }));
}
