//! One status pill per capability, from the chosen backend's `check` of the
//! chosen model, mapped to a light by `visual_host::status`.
//!
//! The pills as they stand: a newer check of the same capability wins over an
//! older one still running. Running the checks, which needs the whole server
//! state, is [`crate::checks`]'s; this store imports no state, so the state
//! can hold it.
//!
//! A GPT image model's check can only say "organization verification can
//! only be confirmed by a real image call" (amber): the lookup it makes
//! succeeds either way. An image made with the same backend, key and base URL
//! is that confirmation, so from then on the pill says so (green, when
//! nothing else was wrong) until the key, the base URL or the component changes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use serde_json::{json, Value as J};
use visual_host::bindings::{BackendInfo, Capability, Setting, ValueKind};
use visual_host::status::{Light, Pill};

use crate::json;

/// What one capability's pill shows, and what its check ran with.
#[derive(Clone)]
pub struct Entry {
    pub pill: Pill,
    pub checking: bool,
    pub backend: Option<String>,
    pub backend_label: Option<String>,
    pub model: Option<String>,
    /// Image Edit only: how many reference images the chosen model takes.
    pub references: Option<u32>,
    /// The component and the settings the check ran with.
    pub revision: u64,
    pub fingerprint: u64,
    /// An image made with them confirmed what the check could not.
    pub verified: bool,
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

impl Pills {
    /// A new check of capability `i` begins: its number, newer than any
    /// check still running, which then no longer counts.
    pub fn begin(&self, i: usize) -> u64 {
        let mut inner = self.inner.lock().unwrap();
        inner.1[i] += 1;
        inner.1[i]
    }

    /// Shows what check `seq` of capability `i` found, unless a newer check
    /// began since; true when it did show it.
    pub fn settle(&self, i: usize, seq: u64, entry: Entry) -> bool {
        let entry = self.vouched(entry);
        let mut inner = self.inner.lock().unwrap();
        if inner.1[i] == seq {
            inner.0[i] = entry;
            true
        } else {
            false
        }
    }

    /// Shows capability `i` as `checking` with `base`, keeping the last
    /// result's pill visible meanwhile.
    pub fn checking(&self, i: usize, base: Entry) {
        let mut inner = self.inner.lock().unwrap();
        let previous = inner.0[i].pill.clone();
        let keep = self.vouched(Entry { pill: previous, ..base });
        inner.0[i] = keep;
    }

    /// An image was made on `capability` with this backend and these settings:
    /// the organization behind the key is verified. True when a pill changed.
    pub fn image_made(&self, capability: Capability, backend: &str, revision: u64, fingerprint: u64) -> bool {
        if !matches!(capability, Capability::TextToImage | Capability::ImageEdit) {
            return false;
        }
        let previous = self.verified.lock().unwrap().insert(backend.to_string(), (revision, fingerprint));
        if previous == Some((revision, fingerprint)) {
            return false;
        }
        let mut inner = self.inner.lock().unwrap();
        let mut changed = false;
        for entry in inner.0.iter_mut() {
            let vouched = self.vouched(entry.clone());
            changed |= vouched.verified != entry.verified || vouched.pill != entry.pill;
            *entry = vouched;
        }
        changed
    }
}
