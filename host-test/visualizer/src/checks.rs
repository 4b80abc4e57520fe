//! The checks behind the pills: the chosen backend's `check` of the chosen
//! model, for one capability or all of them, refreshed when the settings,
//! the choice or the component change, and when the page asks.
//!
//! Each check runs on an instance of its own, so it never waits behind a
//! generation. It reads the choice and the settings and tells the page, so it
//! needs the whole server state; the pills it lights are [`crate::pills`]'s.

use std::sync::Arc;
use std::time::Duration;

use visual_host::bindings::Capability;
use visual_host::status::Pill;

use crate::config::capability_index;
use crate::json;
use crate::pills::{fingerprint, Entry};
use crate::state::AppState;

/// How long a status check may take before the pill says so.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// Checks every capability again.
pub fn refresh_all(state: &Arc<AppState>) {
    for capability in Capability::ALL {
        refresh(state, *capability);
    }
}

/// Checks `capability` again, in the background.
pub fn refresh(state: &Arc<AppState>, capability: Capability) {
    let i = capability_index(capability);
    let choice = state.config.inner.lock().unwrap().choices[i].clone();
    let loaded = choice.backend.as_deref().and_then(|id| state.plugins.get(id));
    let seq = state.pills.begin(i);
    let set = move |state: &AppState, entry: Entry| {
        if state.pills.settle(i, seq, entry) {
            state.emit("pills", state.pills.json());
        }
    };
    let Some(loaded) = loaded else {
        let message = match &choice.backend {
            Some(id) => format!("the backend {id} is no longer in the plugins folder"),
            None => format!("no backend in the plugins folder offers {}", json::capability_label(capability)),
        };
        set(state, Entry { pill: Pill::off(message), ..Entry::default() });
        return;
    };
    let cap = loaded.info.capability(capability);
    let references = (capability == Capability::ImageEdit).then(|| {
        let model = cap.and_then(|c| choice.model.as_deref().and_then(|m| c.models.iter().find(|k| k.id == m)));
        model.map(|m| m.max_reference_images).or(cap.map(|c| c.max_reference_images)).unwrap_or(0)
    });
    let effective = state.config.effective(&loaded.id, &loaded.info);
    let base = Entry {
        pill: Pill::off("checking"),
        checking: true,
        backend: Some(loaded.id.clone()),
        backend_label: Some(loaded.info.label.clone()),
        model: choice.model.clone(),
        references,
        revision: loaded.revision,
        fingerprint: fingerprint(&loaded.info, &effective.settings),
        verified: false,
    };
    if let Some(spec) = &effective.missing {
        let message = if spec.name == "api-key" {
            "No API key: type one in the settings, or set OPENAI_API_KEY before starting the server".to_string()
        } else {
            format!("{} is required: set it in the settings", spec.label)
        };
        set(state, Entry { pill: Pill::off(message), checking: false, ..base });
        return;
    }
    state.pills.checking(i, base.clone());
    state.emit("pills", state.pills.json());
    let state = state.clone();
    tokio::spawn(async move {
        let settings = effective.settings;
        let model = choice.model.clone();
        let check = async {
            let policy = loaded.plugin.network_policy(&settings).await?;
            Ok::<Pill, anyhow::Error>(match loaded.plugin.connect(&settings, policy).await? {
                Err(e) => Pill::from_error(&e),
                Ok(mut session) => match session.check(capability, model.as_deref()).await? {
                    Ok(status) => Pill::from_status(&status),
                    Err(e) => Pill::from_error(&e),
                },
            })
        };
        let pill = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
            Ok(Ok(pill)) => pill,
            Ok(Err(e)) => Pill::host_failure(format!("the backend failed: {e:#}")),
            Err(_) => Pill::host_failure(format!("no answer from the check within {} s", CHECK_TIMEOUT.as_secs())),
        };
        set(&state, Entry { pill, checking: false, ..base });
    });
}
