//! One status pill per capability, from the chosen backend's `check` of the
//! chosen model, mapped to a light by `visual_host::status`.
//!
//! Each check runs on an instance of its own, so it never waits behind a
//! generation; a newer refresh of the same capability wins over an older one
//! still running. Refreshed when the settings, the choice or the component
//! change, and when the page asks.
//!
//! A GPT image model's check can only say "organization verification can
//! only be confirmed by a real image call" (amber): the lookup it makes
//! succeeds either way. An image made with the same backend, key and base URL
//! is that confirmation, so from then on the pill says so (green, when
//! nothing else was wrong) until the key, the base URL or the component changes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value as J};
use visual_host::bindings::{BackendInfo, Capability, Setting, ValueKind};
use visual_host::status::{Light, Pill};

use crate::config::capability_index;
use crate::json;
use crate::AppState;

/// How long a status check may take before the pill says so.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
struct Entry {
    pill: Pill,
    checking: bool,
    backend: Option<String>,
    backend_label: Option<String>,
    model: Option<String>,
    /// Image Edit only: how many reference images the chosen model takes.
    references: Option<u32>,
    /// The component and the settings the check ran with.
    revision: u64,
    fingerprint: u64,
    /// An image made with them confirmed what the check could not.
    verified: bool,
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            pill: Pill::off("not checked yet"),
            checking: false,
            backend: None,
            backend_label: None,
            model: None,
            references: None,
            revision: 0,
            fingerprint: 0,
            verified: false,
        }
    }
}

#[derive(Default)]
pub struct Pills {
    inner: Mutex<([Entry; 3], [u64; 3])>,
    /// Backend id -> (revision, settings fingerprint) an image was made with.
    verified: Mutex<HashMap<String, (u64, u64)>>,
}

/// What a check says when it cannot see whether the organization is verified.
const UNVERIFIABLE: &str = "; organization verification can only be confirmed by a real image call";

/// Which key and service `settings` name: a hash of the secret and URL
/// settings (kept in memory only, to tell that they changed).
pub fn fingerprint(info: &BackendInfo, settings: &[Setting]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for spec in info.settings.iter().filter(|s| matches!(s.kind, ValueKind::Secret | ValueKind::Url)) {
        spec.name.hash(&mut hasher);
        if let Some(v) = spec.effective(settings) {
            crate::json::value(v).to_string().hash(&mut hasher);
        }
    }
    hasher.finish()
}

impl Pills {
    /// The pill `entry` shows, with what an image made since confirmed.
    fn vouched(&self, mut entry: Entry) -> Entry {
        let Some(backend) = entry.backend.as_deref() else { return entry };
        let confirmed = self.verified.lock().unwrap().get(backend) == Some(&(entry.revision, entry.fingerprint));
        if !confirmed || entry.pill.light != Light::Amber {
            return entry;
        }
        let Some(at) = entry.pill.message.find(UNVERIFIABLE) else { return entry };
        let rest = entry.pill.message[..at].to_string();
        let tail = &entry.pill.message[at + UNVERIFIABLE.len()..];
        if rest.ends_with("is available") && tail.is_empty() {
            entry.pill.light = Light::Green;
        }
        entry.pill.message = format!("{rest}{tail}; the organization is verified: an image was made with this key");
        entry.verified = true;
        entry
    }
}

impl Pills {
    pub fn json(&self) -> J {
        let inner = self.inner.lock().unwrap();
        let pills: Vec<J> = Capability::ALL
            .iter()
            .zip(inner.0.iter())
            .map(|(capability, e)| {
                let mut v = json::pill(&e.pill);
                v["capability"] = json!(capability.name());
                v["label"] = json!(json::capability_label(*capability));
                v["checking"] = json!(e.checking);
                v["backend"] = json!(e.backend);
                v["backend_label"] = json!(e.backend_label);
                v["model"] = json!(e.model.clone().or(e.pill.model.clone()));
                v["references"] = json!(e.references);
                v["verified"] = json!(e.verified);
                v
            })
            .collect();
        json!(pills)
    }
}

/// An image was made on `capability` with this backend and these settings:
/// the organization behind the key is verified.
pub fn image_made(state: &Arc<AppState>, capability: Capability, backend: &str, revision: u64, fingerprint: u64) {
    if !matches!(capability, Capability::TextToImage | Capability::ImageEdit) {
        return;
    }
    let previous = state.pills.verified.lock().unwrap().insert(backend.to_string(), (revision, fingerprint));
    if previous == Some((revision, fingerprint)) {
        return;
    }
    let changed = {
        let mut inner = state.pills.inner.lock().unwrap();
        let mut changed = false;
        for entry in inner.0.iter_mut() {
            let vouched = state.pills.vouched(entry.clone());
            changed |= vouched.verified != entry.verified || vouched.pill != entry.pill;
            *entry = vouched;
        }
        changed
    };
    if changed {
        state.emit("pills", state.pills.json());
    }
}

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
    let seq = {
        let mut inner = state.pills.inner.lock().unwrap();
        inner.1[i] += 1;
        inner.1[i]
    };
    let set = move |state: &AppState, entry: Entry| {
        let entry = state.pills.vouched(entry);
        let mut inner = state.pills.inner.lock().unwrap();
        if inner.1[i] == seq {
            inner.0[i] = entry;
            drop(inner);
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
    {
        // Keep the last result visible while checking.
        let mut inner = state.pills.inner.lock().unwrap();
        let previous = inner.0[i].pill.clone();
        let keep = state.pills.vouched(Entry { pill: previous, ..base.clone() });
        inner.0[i] = keep;
        drop(inner);
        state.emit("pills", state.pills.json());
    }
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
