//! The plugins folder: every `*.wasm` in it is a backend, named by its file
//! (`openai_visual_backend.wasm` is the backend `openai_visual_backend`).
//!
//! The folder is looked at every few hundred milliseconds. A file that is
//! new or changed is loaded once it has stopped changing (same size and time
//! on two looks in a row, so a half-copied file is not compiled), and only if
//! its bytes differ from what is loaded. The loaded component is an
//! `Arc<Loaded>` that a call takes when it starts: replacing it changes what
//! new calls get, while calls in flight keep theirs until they finish. A file
//! that fails to load leaves the previous component in place (if there was
//! one) and is reported with the reason; a removed file removes the backend.
//!
//! This module only loads and reports ([`Plugins::scan`] says whether what is
//! served changed). Looking on a timer, and what the rest of the server does
//! after a change, live in [`crate::reload`]: nothing here calls a layer
//! above, so the loaded components stay a leaf that those layers share.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use visual_host::bindings::BackendInfo;
use visual_host::runtime::{Plugin, Runtime};

/// A loaded backend component.
pub struct Loaded {
    /// The file name without `.wasm`.
    pub id: String,
    pub file_name: String,
    pub plugin: Plugin,
    pub info: BackendInfo,
    /// Counts loads across the folder: a new component always has a higher one.
    pub revision: u64,
    pub loaded_at: SystemTime,
    /// Compiled now or taken from the on-disk cache, and how long that took.
    pub load_ms: u128,
    pub cached: bool,
    /// `info` as the page's state shows it, made once.
    pub info_json: serde_json::Value,
    digest: u64,
}

/// One file of the folder, as the page sees it.
#[derive(Clone)]
pub struct Slot {
    pub file_name: String,
    pub loaded: Option<Arc<Loaded>>,
    /// Why the file's current bytes could not be loaded.
    pub error: Option<String>,
}

/// Size and modification time: what tells a file changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

pub struct Plugins {
    dir: PathBuf,
    runtime: Arc<Runtime>,
    slots: RwLock<BTreeMap<String, Slot>>,
    /// One scan at a time; what each file looked like at the last look.
    scan: tokio::sync::Mutex<ScanState>,
    revisions: AtomicU64,
}

#[derive(Default)]
struct ScanState {
    /// The stamp of the bytes each slot holds (loaded or refused).
    settled: HashMap<String, Stamp>,
    /// Files seen changed once: loaded at the next look if unchanged.
    pending: HashMap<String, Stamp>,
}

impl Plugins {
    pub fn new(dir: PathBuf, runtime: Arc<Runtime>) -> Self {
        Plugins {
            dir,
            runtime,
            slots: RwLock::new(BTreeMap::new()),
            scan: tokio::sync::Mutex::new(ScanState::default()),
            revisions: AtomicU64::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The component loaded for backend `id` now.
    pub fn get(&self, id: &str) -> Option<Arc<Loaded>> {
        self.slots.read().unwrap().get(id).and_then(|slot| slot.loaded.clone())
    }

    /// Every file, in name order.
    pub fn slots(&self) -> Vec<(String, Slot)> {
        self.slots.read().unwrap().iter().map(|(id, slot)| (id.clone(), slot.clone())).collect()
    }

    /// The loaded backends, in name order.
    pub fn loaded(&self) -> Vec<Arc<Loaded>> {
        self.slots.read().unwrap().values().filter_map(|slot| slot.loaded.clone()).collect()
    }

    pub fn summary(&self) -> Vec<(String, Result<String, String>)> {
        self.slots()
            .into_iter()
            .map(|(_, slot)| {
                let described = match (&slot.loaded, &slot.error) {
                    (_, Some(error)) => Err(error.clone()),
                    (Some(l), None) => {
                        Ok(format!("{} {} (contract {})", l.info.label, l.info.version, contract_version(l)))
                    }
                    (None, None) => Err("not loaded".to_string()),
                };
                (slot.file_name, described)
            })
            .collect()
    }

    /// Looks at the folder once; true when what is served changed. The first
    /// look (`initial`) loads every file at once instead of waiting for it to
    /// settle.
    pub async fn scan(&self, initial: bool) -> bool {
        let mut scan = self.scan.lock().await;
        let files = match list_wasm(&self.dir) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("visual-host serve: cannot read {}: {e}", self.dir.display());
                return false;
            }
        };
        let mut changed = false;

        let gone: Vec<String> =
            self.slots.read().unwrap().keys().filter(|id| !files.contains_key(*id)).cloned().collect();
        for id in gone {
            self.slots.write().unwrap().remove(&id);
            scan.settled.remove(&id);
            changed = true;
        }
        scan.pending.retain(|id, _| files.contains_key(id));

        for (id, (path, stamp)) in files {
            if scan.settled.get(&id) == Some(&stamp) {
                scan.pending.remove(&id);
                continue;
            }
            if !initial && scan.pending.get(&id) != Some(&stamp) {
                // Changed since the last look: wait until it holds still.
                scan.pending.insert(id, stamp);
                continue;
            }
            scan.pending.remove(&id);
            scan.settled.insert(id.clone(), stamp);
            if self.load(&id, &path).await {
                changed = true;
            }
        }
        changed
    }

    /// Loads `path` into slot `id`; true when the slot changed.
    async fn load(&self, id: &str, path: &Path) -> bool {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return self.refuse(id, &file_name, format!("cannot read {file_name}: {e}")),
        };
        let digest = digest(&bytes);
        let previous = self.get(id);
        if previous.as_ref().is_some_and(|p| p.digest == digest) {
            // Touched, same bytes: nothing to do, but clear an earlier refusal.
            let mut slots = self.slots.write().unwrap();
            let slot = slots.get_mut(id).expect("it had a component");
            return slot.error.take().is_some();
        }
        // Said before compiling, with the file's name.
        if let Err(what) = visual_host::runtime::check_kind(&bytes) {
            return self.refuse(id, &file_name, format!("{file_name} is {what}"));
        }
        let runtime = self.runtime.clone();
        let started = std::time::Instant::now();
        let loaded = tokio::task::spawn_blocking(move || runtime.load_bytes(&bytes)).await;
        let plugin = match loaded {
            Ok(Ok(plugin)) => plugin,
            Ok(Err(e)) => return self.refuse(id, &file_name, format!("{e:#}")),
            Err(e) => return self.refuse(id, &file_name, format!("loading panicked: {e}")),
        };
        let info = match plugin.info().await {
            Ok(info) => info,
            Err(e) => return self.refuse(id, &file_name, format!("its info() failed: {e:#}")),
        };
        let cached = plugin.source == visual_host::cache::Source::Cached;
        let info_json = crate::json::info(&info);
        let loaded = Arc::new(Loaded {
            id: id.to_string(),
            file_name: file_name.clone(),
            plugin,
            info,
            revision: self.revisions.fetch_add(1, Ordering::Relaxed) + 1,
            loaded_at: SystemTime::now(),
            load_ms: started.elapsed().as_millis(),
            cached,
            info_json,
            digest,
        });
        eprintln!(
            "visual-host serve: loaded {file_name}: {} {} (contract {}{})",
            loaded.info.label,
            loaded.info.version,
            contract_version(&loaded),
            if previous.is_some() { ", replacing the previous component; calls in flight finish on it" } else { "" }
        );
        self.slots.write().unwrap().insert(id.to_string(), Slot { file_name, loaded: Some(loaded), error: None });
        true
    }

    /// Records why `file_name` was not loaded, keeping what was loaded before.
    fn refuse(&self, id: &str, file_name: &str, error: String) -> bool {
        eprintln!("visual-host serve: could not load {file_name}: {error}");
        let mut slots = self.slots.write().unwrap();
        let slot = slots.entry(id.to_string()).or_insert_with(|| Slot {
            file_name: file_name.into(),
            loaded: None,
            error: None,
        });
        slot.error = Some(error);
        true
    }
}

/// `0.2.0` from `talemate:visual/visual-backend@0.2.0`.
pub fn contract_version(loaded: &Loaded) -> &str {
    loaded.plugin.contract.rsplit_once('@').map(|(_, v)| v).unwrap_or(&loaded.plugin.contract)
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The `*.wasm` files of `dir` (not hidden ones: a copy in progress is often
/// a dot-file), by id.
fn list_wasm(dir: &Path) -> std::io::Result<BTreeMap<String, (PathBuf, Stamp)>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".wasm") else { continue };
        if id.is_empty() || name.starts_with('.') {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_file() {
            continue;
        }
        files.insert(id.to_string(), (path, Stamp { len: meta.len(), modified: meta.modified().ok() }));
    }
    Ok(files)
}

/// Where backends live by default: `$XDG_DATA_HOME/visual-host/plugins`, else
/// `~/.local/share/visual-host/plugins`.
pub fn default_plugins_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("visual-host").join("plugins"));
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local").join("share").join("visual-host").join("plugins"))
}

/// Copies each existing file of `sources` into `dir` under its own name when
/// the folder has no such file, or an older one (a component rebuilt since);
/// a file the user put there since is newer and stays. Sources that do not
/// exist are skipped: an installed binary serves what is in the folder.
/// Returns the names copied.
pub fn fill_plugins_dir(dir: &Path, sources: &[&Path]) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut copied = Vec::new();
    for source in sources {
        let Ok(meta) = std::fs::metadata(source) else { continue };
        let Some(name) = source.file_name() else { continue };
        if !meta.is_file() {
            continue;
        }
        let target = dir.join(name);
        let stale = match std::fs::metadata(&target) {
            Err(_) => true,
            Ok(existing) => match (existing.modified(), meta.modified()) {
                (Ok(theirs), Ok(ours)) => ours > theirs,
                _ => false,
            },
        };
        if !stale {
            continue;
        }
        // Copy beside it under a hidden name, then rename: the watcher never sees half a file.
        let tmp = dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()));
        std::fs::copy(source, &tmp)?;
        std::fs::rename(&tmp, &target)?;
        copied.push(name.to_string_lossy().into_owned());
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("visualizer-plugins-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn filling_copies_missing_and_rebuilt_files_and_keeps_newer_ones() {
        let dir = scratch("fill");
        let src = dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        let (a, b) = (src.join("a.wasm"), src.join("b.wasm"));
        std::fs::write(&a, b"first a").unwrap();
        std::fs::write(&b, b"first b").unwrap();
        let plugins = dir.join("plugins");
        let missing = src.join("not-built.wasm");
        let copied = fill_plugins_dir(&plugins, &[&a, &b, &missing]).unwrap();
        assert_eq!(copied, ["a.wasm", "b.wasm"]);
        assert_eq!(std::fs::read(plugins.join("a.wasm")).unwrap(), b"first a");
        assert!(fill_plugins_dir(&plugins, &[&a, &b]).unwrap().is_empty(), "nothing changed");

        // The user replaced b in the folder; a was rebuilt after.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(plugins.join("b.wasm"), b"the user's b").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&a, b"rebuilt a").unwrap();
        assert_eq!(fill_plugins_dir(&plugins, &[&a, &b]).unwrap(), ["a.wasm"]);
        assert_eq!(std::fs::read(plugins.join("a.wasm")).unwrap(), b"rebuilt a");
        assert_eq!(std::fs::read(plugins.join("b.wasm")).unwrap(), b"the user's b");
        let leftovers: Vec<_> = std::fs::read_dir(&plugins)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn only_visible_wasm_files_are_backends() {
        let dir = scratch("list");
        for name in ["one.wasm", ".two.wasm.tmp1", ".hidden.wasm", "notes.txt", ".wasm"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        std::fs::create_dir_all(dir.join("dir.wasm")).unwrap();
        let files = list_wasm(&dir).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["one"]);
    }
}
