//! Loading a visual backend from a `.wasm` at run time and calling it.
//!
//! [`Runtime`] owns the engine and the linker (all of WASI 0.2 and wasi-http,
//! so any backend links, whatever it imports); [`Plugin`] is a loaded,
//! pre-instantiated component; [`Session`] is one instance with one
//! configured client. Instances are cheap (microseconds), so a host makes a
//! fresh one whenever the previous one trapped or was cancelled mid-call.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{Config, Engine, Store};

use crate::bindings::{self, v0_1, v0_2, Backend, BackendPre};
use crate::bindings::{
    Analysis, AnalyzeRequest, BackendInfo, Capability, EditRequest, Error, GenerateRequest, Generation,
    GenerationEvent, ModelEntry, Setting, Status,
};
use crate::cache::{ComponentCache, Source};
use crate::legacy::{to_v0_1, to_v0_2};
use crate::sandbox::{Abandon, NetworkPolicy, State, WallClock, DEFAULT_MEMORY_LIMIT};

/// How the runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Where compiled components are kept; `None` compiles every time.
    pub cache: Option<ComponentCache>,
    /// Cap on each instance's linear memory, in bytes.
    pub memory_limit: usize,
    /// What plugins read from `wasi:clocks/wall-clock`.
    pub wall_clock: WallClock,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            cache: ComponentCache::default_dir().map(ComponentCache::new),
            memory_limit: DEFAULT_MEMORY_LIMIT,
            wall_clock: WallClock::System,
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

    /// Loads a backend from its `.wasm` bytes (or, for tests, the
    /// WebAssembly text format).
    pub fn load_bytes(&self, wasm: &[u8]) -> anyhow::Result<Plugin> {
        let started = Instant::now();
        check_kind(wasm).map_err(|what| anyhow::anyhow!("this is {what}"))?;
        let (component, source) = match &self.options.cache {
            Some(cache) => cache.load(&self.engine, wasm)?,
            None => (Component::new(&self.engine, wasm)?, Source::Compiled),
        };
        let (contract, version) = check_contract(&self.engine, &component)?;
        let pre = self.linker.instantiate_pre(&component)?;
        let pre = match version {
            Version::V0_3 => Pre::V0_3(BackendPre::new(pre)?),
            Version::V0_2 => Pre::V0_2(v0_2::BackendPre::new(pre)?),
            Version::V0_1 => Pre::V0_1(v0_1::BackendPre::new(pre)?),
        };
        Ok(Plugin {
            pre,
            component,
            memory_limit: self.options.memory_limit,
            wall_clock: self.options.wall_clock,
            info: Arc::new(OnceLock::new()),
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

/// What `wasm` is, when it is not something a host can load as a component:
/// said plainly, before the compiler's parser gets to it (a stray file in a
/// plugins folder would otherwise be reported as a syntax error in the text
/// format, and a core module as a version mismatch). `Err` completes the
/// sentence "this is ..." (`not a WebAssembly component (...)`). Text that
/// looks like the WebAssembly text format (it starts with `(`) is left to
/// the parser.
pub fn check_kind(wasm: &[u8]) -> Result<(), String> {
    const MAGIC: &[u8] = b"\0asm";
    /// The component binary's version and layer (a core module has 1, 0, 0, 0).
    const COMPONENT: [u8; 4] = [0x0d, 0x00, 0x01, 0x00];
    if let Some(header) = wasm.strip_prefix(MAGIC) {
        return match header.get(..4) {
            Some(h) if h == COMPONENT => Ok(()),
            Some([1, 0, 0, 0]) => Err("a core WebAssembly module, not a WebAssembly component; build it as a \
                                       component (for Rust, `cargo build --target wasm32-wasip2`)"
                .into()),
            _ => Err("not a WebAssembly component this host can read (an unknown binary version)".into()),
        };
    }
    if wasm.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'(') {
        return Ok(());
    }
    Err("not a WebAssembly component (it does not start with the WebAssembly magic number)".into())
}

/// The contract versions this host loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V0_3,
    V0_2,
    V0_1,
}

/// Finds the contract the component exports and refuses a version this host
/// does not speak, before anything is instantiated.
fn check_contract(engine: &Engine, component: &Component) -> anyhow::Result<(String, Version)> {
    let prefix = format!("{}/{}@", bindings::CONTRACT_PACKAGE, bindings::CONTRACT_INTERFACE);
    let supported =
        || bindings::SUPPORTED_VERSIONS.iter().map(|v| format!("{prefix}{}.x", major_minor(v))).collect::<Vec<_>>();
    let exported: Vec<String> = component.component_type().exports(engine).map(|(name, _)| name.to_string()).collect();
    let Some(found) = exported.iter().find(|name| name.starts_with(&prefix)) else {
        bail!(
            "this component does not implement {} (it exports: {})",
            supported().join(" or "),
            if exported.is_empty() { "nothing".to_string() } else { exported.join(", ") }
        );
    };
    let version = &found[prefix.len()..];
    let matched = [Version::V0_3, Version::V0_2, Version::V0_1]
        .into_iter()
        .zip(bindings::SUPPORTED_VERSIONS)
        .find(|(_, supported)| compatible(version, supported));
    match matched {
        Some((v, _)) => Ok((found.clone(), v)),
        None => bail!(
            "this component implements {found}, but this host supports {}; \
             use a host built for that contract version or a backend built for one of these",
            supported().join(" and ")
        ),
    }
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

/// A pre-instantiated component of one of the contract versions.
#[derive(Clone)]
enum Pre {
    V0_3(BackendPre<State>),
    V0_2(v0_2::BackendPre<State>),
    V0_1(v0_1::BackendPre<State>),
}

/// A loaded backend, ready to instantiate.
#[derive(Clone)]
pub struct Plugin {
    pre: Pre,
    component: Component,
    memory_limit: usize,
    wall_clock: WallClock,
    /// `info()`, asked once: it is the same for every instance.
    info: Arc<OnceLock<BackendInfo>>,
    /// Whether it was compiled or taken from the cache.
    pub source: Source,
    /// Time to read, compile (or deserialize) and pre-instantiate it.
    pub load_time: Duration,
    /// The exported contract, e.g. `talemate:visual/visual-backend@0.2.0`.
    pub contract: String,
}

impl Plugin {
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// A fresh instance in its own store, allowed to reach what `network` allows.
    pub async fn instantiate(&self, network: NetworkPolicy) -> anyhow::Result<Instance> {
        let state = State::new(network, self.memory_limit, self.wall_clock);
        let mut store = Store::new(self.component.engine(), state);
        store.limiter(|state| &mut state.limiter);
        store.epoch_deadline_async_yield_and_update(1);
        let backend = match &self.pre {
            Pre::V0_3(pre) => Guest::V0_3(pre.instantiate_async(&mut store).await?),
            Pre::V0_2(pre) => Guest::V0_2(pre.instantiate_async(&mut store).await?),
            Pre::V0_1(pre) => Guest::V0_1(pre.instantiate_async(&mut store).await?),
        };
        Ok(Instance { store, backend })
    }

    /// What the backend offers and which settings it takes, in the 0.3 shape
    /// whatever contract it exports. Needs no settings and reaches nothing.
    pub async fn info(&self) -> anyhow::Result<BackendInfo> {
        if let Some(info) = self.info.get() {
            return Ok(info.clone());
        }
        let mut instance = self.instantiate(NetworkPolicy::deny_all()).await?;
        let info = instance.info().await?;
        Ok(self.info.get_or_init(|| info).clone())
    }

    /// What these settings let the plugin reach: the effective values of the
    /// settings it declares as URLs.
    pub async fn network_policy(&self, settings: &[Setting]) -> anyhow::Result<NetworkPolicy> {
        NetworkPolicy::for_settings(&self.info().await?.settings, settings)
    }

    /// An instance with a client opened from `settings`. The network policy
    /// is the caller's: usually [`Plugin::network_policy`] of the same settings.
    pub async fn connect(
        &self,
        settings: &[Setting],
        network: NetworkPolicy,
    ) -> anyhow::Result<Result<Session, Error>> {
        let mut instance = self.instantiate(network).await?;
        let store = &mut instance.store;
        let opened = match &instance.backend {
            Guest::V0_3(b) => b.talemate_visual_visual_backend().client().call_open(&mut *store, settings).await?,
            Guest::V0_2(b) => match to_v0_2::settings(settings) {
                Ok(s) => b
                    .talemate_visual_visual_backend()
                    .client()
                    .call_open(&mut *store, &s)
                    .await?
                    .map_err(to_v0_2::error),
                Err(e) => Err(e),
            },
            Guest::V0_1(b) => match to_v0_1::settings(settings) {
                Ok(s) => b
                    .talemate_visual_visual_backend()
                    .client()
                    .call_open(&mut *store, &s)
                    .await?
                    .map_err(to_v0_1::error),
                Err(e) => Err(e),
            },
        };
        Ok(opened.map(|client| Session { instance, client, interrupted: false }))
    }
}

/// An instance's exports, by contract version.
enum Guest {
    V0_3(Backend),
    V0_2(v0_2::Backend),
    V0_1(v0_1::Backend),
}

/// One instance of a backend.
pub struct Instance {
    store: Store<State>,
    backend: Guest,
}

impl Instance {
    pub async fn info(&mut self) -> anyhow::Result<BackendInfo> {
        Ok(match &self.backend {
            Guest::V0_3(b) => b.talemate_visual_visual_backend().call_info(&mut self.store).await?,
            Guest::V0_2(b) => {
                to_v0_2::backend_info(b.talemate_visual_visual_backend().call_info(&mut self.store).await?)
            }
            Guest::V0_1(b) => {
                to_v0_1::backend_info(b.talemate_visual_visual_backend().call_info(&mut self.store).await?)
            }
        })
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
/// Calls the one-argument client method `$method`: directly on a 0.3
/// component; on an older one, after `$step::$to` converted the argument
/// (refusing what that contract cannot express, before any call), converting
/// the answer back with `$step::$from`.
macro_rules! call {
    ($self:ident, $method:ident, $arg:expr, $to:ident, $from:ident) => {{
        let client = $self.client;
        match &$self.instance.backend {
            Guest::V0_3(b) => {
                let api = b.talemate_visual_visual_backend().client();
                guarded!($self, api.$method(&mut $self.instance.store, client, $arg))
            }
            Guest::V0_2(b) => call!(@older $self, b, client, $method, $arg, to_v0_2, $to, $from),
            Guest::V0_1(b) => call!(@older $self, b, client, $method, $arg, to_v0_1, $to, $from),
        }
    }};
    (@older $self:ident, $b:ident, $client:ident, $method:ident, $arg:expr, $step:ident, $to:ident, $from:ident) => {{
        let api = $b.talemate_visual_visual_backend().client();
        match $step::$to($arg) {
            Err(e) => Ok(Err(e)),
            Ok(arg) => {
                let result = guarded!($self, api.$method(&mut $self.instance.store, $client, &arg))?;
                Ok(result.map($step::$from).map_err($step::error))
            }
        }
    }};
}

/// Like [`call!`] for the streaming starts, which also take a count and
/// return a stream handle.
macro_rules! start {
    ($self:ident, $method:ident, $request:expr, $partials:expr, $to:ident) => {{
        let client = $self.client;
        let started = match &$self.instance.backend {
            Guest::V0_3(b) => {
                let api = b.talemate_visual_visual_backend().client();
                guarded!($self, api.$method(&mut $self.instance.store, client, $request, $partials))?
            }
            Guest::V0_2(b) => start!(@older $self, b, client, $method, $request, $partials, to_v0_2, $to),
            Guest::V0_1(b) => start!(@older $self, b, client, $method, $request, $partials, to_v0_1, $to),
        };
        Ok(started.map(StreamHandle))
    }};
    (@older $self:ident, $b:ident, $client:ident, $method:ident, $request:expr, $partials:expr, $step:ident, $to:ident) => {{
        let api = $b.talemate_visual_visual_backend().client();
        match $step::$to($request) {
            Err(e) => Err(e),
            Ok(request) => guarded!($self, api.$method(&mut $self.instance.store, $client, &request, $partials))?
                .map_err($step::error),
        }
    }};
}

impl Session {
    pub async fn generate(&mut self, request: &GenerateRequest) -> anyhow::Result<Result<Generation, Error>> {
        call!(self, call_generate, request, generate_request, generation)
    }

    pub async fn edit(&mut self, request: &EditRequest) -> anyhow::Result<Result<Generation, Error>> {
        call!(self, call_edit, request, edit_request, generation)
    }

    pub async fn analyze(&mut self, request: &AnalyzeRequest) -> anyhow::Result<Result<Analysis, Error>> {
        call!(self, call_analyze, request, analyze_request, analysis)
    }

    pub async fn check(
        &mut self,
        capability: Capability,
        model: Option<&str>,
    ) -> anyhow::Result<Result<Status, Error>> {
        let client = self.client;
        match &self.instance.backend {
            Guest::V0_3(b) => {
                let api = b.talemate_visual_visual_backend().client();
                guarded!(self, api.call_check(&mut self.instance.store, client, capability, model))
            }
            Guest::V0_2(b) => {
                let api = b.talemate_visual_visual_backend().client();
                let capability = to_v0_2::capability(capability);
                let status = guarded!(self, api.call_check(&mut self.instance.store, client, capability, model))?;
                Ok(status.map(to_v0_2::status).map_err(to_v0_2::error))
            }
            Guest::V0_1(b) => {
                let api = b.talemate_visual_visual_backend().client();
                let capability = to_v0_1::capability(capability);
                let status = guarded!(self, api.call_check(&mut self.instance.store, client, capability, model))?;
                Ok(status.map(to_v0_1::status).map_err(to_v0_1::error))
            }
        }
    }

    /// The models the service offers for `capability` (every capability when
    /// `None`). A 0.1 component cannot say: its `info()` list stands in.
    pub async fn models(&mut self, capability: Option<Capability>) -> anyhow::Result<Result<Vec<ModelEntry>, Error>> {
        let client = self.client;
        match &self.instance.backend {
            Guest::V0_3(b) => {
                let api = b.talemate_visual_visual_backend().client();
                guarded!(self, api.call_models(&mut self.instance.store, client, capability))
            }
            Guest::V0_2(b) => {
                let api = b.talemate_visual_visual_backend().client();
                let wanted = capability.map(to_v0_2::capability);
                let entries = guarded!(self, api.call_models(&mut self.instance.store, client, wanted))?;
                Ok(entries.map(|e| e.into_iter().map(to_v0_2::model_entry).collect()).map_err(to_v0_2::error))
            }
            Guest::V0_1(b) => {
                let api = b.talemate_visual_visual_backend();
                let info = guarded!(self, api.call_info(&mut self.instance.store))?;
                Ok(Ok(to_v0_1::models(info, capability)))
            }
        }
    }

    pub async fn start_generate(
        &mut self,
        request: &GenerateRequest,
        partial_images: u32,
    ) -> anyhow::Result<Result<StreamHandle, Error>> {
        start!(self, call_start_generate, request, partial_images, generate_request)
    }

    pub async fn start_edit(
        &mut self,
        request: &EditRequest,
        partial_images: u32,
    ) -> anyhow::Result<Result<StreamHandle, Error>> {
        start!(self, call_start_edit, request, partial_images, edit_request)
    }

    /// The next event of a streamed generation; `None` after the last.
    pub async fn next_event(
        &mut self,
        stream: &StreamHandle,
    ) -> anyhow::Result<Option<Result<GenerationEvent, Error>>> {
        match &self.instance.backend {
            Guest::V0_3(b) => {
                let api = b.talemate_visual_visual_backend().generation_stream();
                guarded!(self, api.call_next(&mut self.instance.store, stream.0))
            }
            Guest::V0_2(b) => {
                let api = b.talemate_visual_visual_backend().generation_stream();
                let event = guarded!(self, api.call_next(&mut self.instance.store, stream.0))?;
                Ok(event.map(|e| e.map(to_v0_2::event).map_err(to_v0_2::error)))
            }
            Guest::V0_1(b) => {
                let api = b.talemate_visual_visual_backend().generation_stream();
                let event = guarded!(self, api.call_next(&mut self.instance.store, stream.0))?;
                Ok(event.map(|e| e.map(to_v0_1::event).map_err(to_v0_1::error)))
            }
        }
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
    use super::{check_kind, compatible};

    #[test]
    fn what_is_not_a_component_is_said_plainly() {
        let message = |bytes: &[u8]| check_kind(bytes).unwrap_err();
        assert!(message(b"PK\x03\x04 a zip").contains("not a WebAssembly component (it does not start"));
        assert!(message(b"").contains("not a WebAssembly component"));
        assert!(message(b"\0asm\x01\0\0\0").contains("core WebAssembly module"));
        assert!(check_kind(b"\0asm\x0d\0\x01\0rest").is_ok());
        assert!(check_kind(b"  (component)").is_ok());
    }

    #[test]
    fn contract_versions_follow_semver() {
        assert!(compatible("0.1.0", "0.1.0"));
        assert!(compatible("0.1.7", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(compatible("0.2.3", "0.2.0"));
        assert!(!compatible("1.0.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.0"));
        assert!(!compatible("garbage", "0.1.0"));
    }
}
