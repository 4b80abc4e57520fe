//! Loading a visual backend from a `.wasm` at run time and calling it.
//!
//! [`Runtime`] owns the engine and the linker (all of WASI 0.2 and wasi-http,
//! so any backend links, whatever it imports); [`Plugin`] is a loaded,
//! pre-instantiated component; [`Session`] is one instance with one
//! configured client. Instances are cheap (microseconds), so a host makes a
//! fresh one whenever the previous one trapped or was cancelled mid-call.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};

use crate::bindings::{self, Backend, BackendPre};
use crate::bindings::{
    Analysis, AnalyzeRequest, BackendInfo, Capability, EditRequest, Error, GenerateRequest, Generation,
    GenerationEvent, Settings, Status,
};
use crate::cache::{ComponentCache, Source};
use crate::sandbox::{Abandon, NetworkPolicy, State, DEFAULT_MEMORY_LIMIT};

/// How the runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled components are kept; `None` compiles every time.
    pub cache: Option<ComponentCache>,
    /// Cap on each instance's linear memory, in bytes.
    pub memory_limit: usize,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            cache: ComponentCache::default_dir().map(ComponentCache::new),
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// The engine, the linker and the epoch ticker that keeps guests preemptible.
pub struct Runtime {
    engine: Engine,
    linker: Linker<State>,
    options: RuntimeOptions,
    ticker_stop: Arc<AtomicBool>,
}

/// How often a running guest yields to the host's executor, so a call can be
/// dropped (cancelled) even while the guest computes.
const EPOCH_TICK: Duration = Duration::from_millis(10);

impl Runtime {
    pub fn new(options: RuntimeOptions) -> anyhow::Result<Self> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        // `perf` can name the component's functions when this is set.
        if std::env::var_os("VISUAL_HOST_PERF_MAP").is_some_and(|v| !v.is_empty()) {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;

        let ticker_stop = Arc::new(AtomicBool::new(false));
        let (weak_engine, stop) = (engine.weak(), ticker_stop.clone());
        std::thread::Builder::new().name("visual-host-epoch".into()).spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                match weak_engine.upgrade() {
                    Some(engine) => engine.increment_epoch(),
                    None => break,
                }
            }
        })?;
        Ok(Runtime { engine, linker, options, ticker_stop })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads a backend from a file, compiling it or taking it from the cache.
    pub fn load(&self, path: &Path) -> anyhow::Result<Plugin> {
        let wasm = std::fs::read(path).with_context(|| format!("reading component {}", path.display()))?;
        self.load_bytes(&wasm).with_context(|| format!("loading component {}", path.display()))
    }

    /// Loads a backend from its `.wasm` bytes.
    pub fn load_bytes(&self, wasm: &[u8]) -> anyhow::Result<Plugin> {
        let started = Instant::now();
        let (component, source) = match &self.options.cache {
            Some(cache) => cache.load(&self.engine, wasm)?,
            None => (Component::new(&self.engine, wasm)?, Source::Compiled),
        };
        let contract = check_contract(&self.engine, &component)?;
        let pre = self.linker.instantiate_pre(&component)?;
        let pre = BackendPre::new(pre)?;
        Ok(Plugin {
            pre,
            component,
            memory_limit: self.options.memory_limit,
            source,
            load_time: started.elapsed(),
            contract,
        })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// Finds the contract the component exports and refuses a version this host
/// does not speak, before anything is instantiated.
fn check_contract(engine: &Engine, component: &Component) -> anyhow::Result<String> {
    let prefix = format!("{}/{}@", bindings::CONTRACT_PACKAGE, bindings::CONTRACT_INTERFACE);
    let exported: Vec<String> = component.component_type().exports(engine).map(|(name, _)| name.to_string()).collect();
    let Some(found) = exported.iter().find(|name| name.starts_with(&prefix)) else {
        bail!(
            "this component does not implement {prefix}{} (it exports: {})",
            bindings::CONTRACT_VERSION,
            if exported.is_empty() { "nothing".to_string() } else { exported.join(", ") }
        );
    };
    let version = &found[prefix.len()..];
    if !compatible(version, bindings::CONTRACT_VERSION) {
        bail!(
            "this component implements {found}, but this host supports {prefix}{}.x; \
             use a host built for that contract version or a backend built for this one",
            major_minor(bindings::CONTRACT_VERSION)
        );
    }
    Ok(found.clone())
}

/// Semver compatibility: same major, and before 1.0 the same minor.
fn compatible(found: &str, supported: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split(['.', '-', '+']);
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(found), parse(supported)) {
        (Some((fmaj, fmin)), Some((smaj, smin))) => fmaj == smaj && (smaj > 0 || fmin == smin),
        _ => false,
    }
}

fn major_minor(version: &str) -> String {
    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// A loaded backend, ready to instantiate.
#[derive(Clone)]
pub struct Plugin {
    pre: BackendPre<State>,
    component: Component,
    memory_limit: usize,
    /// Whether it was compiled or taken from the cache.
    pub source: Source,
    /// Time to read, compile (or deserialize) and pre-instantiate it.
    pub load_time: Duration,
    /// The exported contract, e.g. `talemate:visual/visual-backend@0.1.0`.
    pub contract: String,
}

impl Plugin {
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// A fresh instance in its own store, allowed to reach what `network` allows.
    pub async fn instantiate(&self, network: NetworkPolicy) -> anyhow::Result<Instance> {
        let state = State::new(network, self.memory_limit);
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| &mut state.limiter);
        store.epoch_deadline_async_yield_and_update(1);
        let backend = self.pre.instantiate_async(&mut store).await?;
        Ok(Instance { store, backend })
    }

    /// What the backend offers; needs no settings and reaches nothing.
    pub async fn info(&self) -> anyhow::Result<BackendInfo> {
        let mut instance = self.instantiate(NetworkPolicy::deny_all()).await?;
        instance.info().await
    }

    /// An instance with a client opened from `settings`. The network policy
    /// is the caller's: usually [`NetworkPolicy::allow_urls`] of the base URL.
    pub async fn connect(&self, settings: &Settings, network: NetworkPolicy) -> anyhow::Result<Result<Session, Error>> {
        let mut instance = self.instantiate(network).await?;
        let opened =
            instance.backend.talemate_visual_visual_backend().client().call_open(&mut instance.store, settings).await?;
        Ok(opened.map(|client| Session { instance, client, interrupted: false }))
    }
}

/// One instance of a backend.
pub struct Instance {
    store: Store<State>,
    backend: Backend,
}

impl Instance {
    pub async fn info(&mut self) -> anyhow::Result<BackendInfo> {
        Ok(self.backend.talemate_visual_visual_backend().call_info(&mut self.store).await?)
    }

    /// The largest linear memory the instance has had, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.store.data().limiter.peak_handle().load(Ordering::Relaxed)
    }
}

/// A streamed generation inside a session.
#[derive(Debug)]
pub struct StreamHandle(ResourceAny);

/// An instance with an open client. If a call traps, or its future is dropped
/// before it finishes, the session refuses further calls: make a new one.
pub struct Session {
    instance: Instance,
    client: ResourceAny,
    interrupted: bool,
}

macro_rules! guarded {
    ($self:ident, $call:expr) => {{
        if $self.interrupted {
            bail!("this session was interrupted (a call trapped or was cancelled); open a new one");
        }
        $self.interrupted = true;
        // If this future is dropped before the call returns, the guard closes
        // the call's connections, so the cancel reaches the server now rather
        // than when the session is dropped.
        let guard = AbandonOnDrop(Some($self.instance.store.data().abandon.clone()));
        let result = $call.await.map_err(anyhow::Error::from);
        guard.disarm();
        // Only a call that returned normally clears the flag: a trap leaves the
        // instance unusable, and a dropped future never gets here.
        $self.interrupted = result.is_err();
        result
    }};
}

/// Abandons the instance's requests when dropped armed (see [`Abandon`]).
struct AbandonOnDrop(Option<Abandon>);

impl AbandonOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        if let Some(abandon) = self.0.take() {
            abandon.abandon();
        }
    }
}

impl Session {
    pub async fn generate(&mut self, request: &GenerateRequest) -> anyhow::Result<Result<Generation, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        guarded!(self, api.call_generate(&mut self.instance.store, client, request))
    }

    pub async fn edit(&mut self, request: &EditRequest) -> anyhow::Result<Result<Generation, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        guarded!(self, api.call_edit(&mut self.instance.store, client, request))
    }

    pub async fn analyze(&mut self, request: &AnalyzeRequest) -> anyhow::Result<Result<Analysis, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        guarded!(self, api.call_analyze(&mut self.instance.store, client, request))
    }

    pub async fn check(
        &mut self,
        capability: Capability,
        model: Option<&str>,
    ) -> anyhow::Result<Result<Status, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        let model = model.map(str::to_string);
        guarded!(self, api.call_check(&mut self.instance.store, client, capability, model.as_deref()))
    }

    pub async fn start_generate(
        &mut self,
        request: &GenerateRequest,
        partial_images: u32,
    ) -> anyhow::Result<Result<StreamHandle, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        let started =
            guarded!(self, api.call_start_generate(&mut self.instance.store, client, request, partial_images))?;
        Ok(started.map(StreamHandle))
    }

    pub async fn start_edit(
        &mut self,
        request: &EditRequest,
        partial_images: u32,
    ) -> anyhow::Result<Result<StreamHandle, Error>> {
        let (api, client) = (self.instance.backend.talemate_visual_visual_backend().client(), self.client);
        let started = guarded!(self, api.call_start_edit(&mut self.instance.store, client, request, partial_images))?;
        Ok(started.map(StreamHandle))
    }

    /// The next event of a streamed generation; `None` after the last.
    pub async fn next_event(
        &mut self,
        stream: &StreamHandle,
    ) -> anyhow::Result<Option<Result<GenerationEvent, Error>>> {
        let api = self.instance.backend.talemate_visual_visual_backend().generation_stream();
        guarded!(self, api.call_next(&mut self.instance.store, stream.0))
    }

    /// Ends a streamed generation; if it is still running, the component
    /// stops reading and the connection is closed.
    pub async fn close_stream(&mut self, stream: StreamHandle) -> anyhow::Result<()> {
        guarded!(self, stream.0.resource_drop_async(&mut self.instance.store))
    }

    /// The largest linear memory this session's instance has had, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.instance.peak_memory()
    }

    /// The largest growth the memory cap refused this instance, if any.
    pub fn memory_refused(&self) -> Option<usize> {
        self.instance.store.data().limiter.refused()
    }

    /// Authorities the plugin tried to reach and was refused.
    pub fn denied(&self) -> Vec<String> {
        self.instance.store.data().network.denied()
    }

    /// True after a trap or a cancelled call: the session must be replaced.
    pub fn is_interrupted(&self) -> bool {
        self.interrupted
    }
}

#[cfg(test)]
mod tests {
    use super::compatible;

    #[test]
    fn contract_versions_follow_semver() {
        assert!(compatible("0.1.0", "0.1.0"));
        assert!(compatible("0.1.7", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(!compatible("1.0.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.0"));
        assert!(!compatible("garbage", "0.1.0"));
    }
}
