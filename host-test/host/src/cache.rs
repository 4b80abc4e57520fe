//! Compiled components on disk, so a second process start skips Cranelift.
//!
//! The key is the SHA-256 of the `.wasm` plus wasmtime's own compatibility
//! hash of the engine (version, target, settings): a new component or a
//! different engine simply misses. Entries are written to a temporary file and
//! renamed, so a crash never leaves a torn entry behind.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

/// Where compiled components live.
#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: PathBuf,
}

/// How a component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Compiled now (and stored, when a cache is configured).
    Compiled,
    /// Deserialized from the cache.
    Cached,
}

impl ComponentCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ComponentCache { dir: dir.into() }
    }

    /// `$VISUAL_HOST_CACHE_DIR`, else `$XDG_CACHE_HOME/visual-host`, else `~/.cache/visual-host`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("VISUAL_HOST_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
            return Some(PathBuf::from(dir).join("visual-host"));
        }
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("visual-host"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The compiled form of `wasm`, from the cache when it has it.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<(Component, Source)> {
        let path = self.entry_path(engine, wasm);
        if path.is_file() {
            // SAFETY: the file was written by `Component::serialize` for an
            // engine with the same compatibility hash (it is in the name);
            // wasmtime additionally checks the header and refuses a mismatch.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, Source::Cached)),
                Err(_) => {
                    // A stale or damaged entry: compile afresh and replace it.
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Err(e) = self.store(&path, &component) {
            // A read-only cache directory costs speed, not correctness.
            eprintln!("visual-host: could not cache the compiled component: {e:#}");
        }
        Ok((component, Source::Compiled))
    }

    fn store(&self, path: &Path, component: &Component) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir).with_context(|| format!("creating {}", self.dir.display()))?;
        let bytes = component.serialize()?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
        Ok(())
    }

    fn entry_path(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        let digest = Sha256::digest(wasm);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}-{:016x}.cwasm", hasher.finish()))
    }
}
