//! `visual-host serve`: a Talemate-like host as a local web app.
//!
//! It loads every backend component (`*.wasm`) in a plugins folder and picks
//! up files that are added, replaced or removed while it runs ([`plugins`]):
//! calls in flight finish on the component they started on, new calls use the
//! new one. For each capability the page chooses a backend and a model, fills
//! in the backend's declared settings, and shows a status pill from `check`
//! ([`visual_host::status`]); it generates (with partial images as they
//! stream), edits and analyzes, each call on its own instance of the
//! pre-instantiated component ([`run`]), and cancels a call by dropping it,
//! which closes its connection.
//!
//! Safe by default ([`security`]): it listens on 127.0.0.1 only, every API
//! call needs the random token printed at start, requests whose `Host` is not
//! the local address are refused (DNS rebinding), uploads are capped, the API
//! key never leaves the server, and the page builds every text with
//! `textContent`. The images made since the start stay in a capped gallery
//! ([`gallery`]), each at a URL of its own that shows it and nothing else. One static page, its script and its style are embedded in
//! the binary: there is no frontend build step.
//!
//! The modules stand in layers, each importing only modules below it, so no
//! two import each other and none imports this root: at the bottom `error`
//! (the one shape of a refusal), `json` and `config`, which import no other
//! module; on them `plugins`, `upload`, `security` (with its own small state,
//! the token and the allowed hosts) and `pills` (the pills as they stand);
//! then `stored` (a kept image) and `models` (the model lists, given the
//! settings and the cache rather than the server state); then `gallery`, then
//! `jobs` (the job records). Above these stores, `state` holds them in the
//! state every handler shares ([`state::AppState`]) with the page's event
//! stream. On it stand the modules that act on the whole server: `run`
//! (starting, running and finishing a job), `checks` (the checks behind the
//! pills), then `reload` (the folder's watcher, and what follows a change)
//! and `api`, the routes, on top. Nothing calls up: a lower module refuses
//! through `error`, `plugins` reports a change rather than acting on it, and
//! a store answers what changed rather than telling the page. This root
//! declares them and wires them together at start.

mod api;
mod checks;
mod config;
mod error;
mod gallery;
mod jobs;
mod json;
mod models;
mod pills;
mod plugins;
mod reload;
mod run;
mod security;
mod state;
mod stored;
mod upload;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use visual_host::runtime::{Runtime, RuntimeOptions};

use state::AppState;

pub use config::{Endpoint, HostDefaults, DEFAULT_GENERATION_TIMEOUT};
pub use plugins::{default_plugins_dir, fill_plugins_dir};

/// How to run the server.
pub struct ServeOptions {
    /// The folder of backend components; watched while the server runs.
    pub plugins_dir: PathBuf,
    /// The port on 127.0.0.1; 0 lets the system choose.
    pub port: u16,
    /// The wasmtime runtime's options (component cache, memory cap, clock).
    pub runtime: RuntimeOptions,
    /// Settings the host fills in for the backends: a mock's endpoint, the
    /// key from the environment.
    pub defaults: HostDefaults,
    /// Where a key is saved when the user asks for it (`keys.json`, mode
    /// 0600); `None` offers no saving.
    pub config_dir: Option<PathBuf>,
    /// How often the plugins folder is looked at.
    pub poll_interval: Duration,
    /// The API token; `None` makes a random one (tests fix it).
    pub token: Option<String>,
}

impl ServeOptions {
    pub fn new(plugins_dir: impl Into<PathBuf>) -> Self {
        ServeOptions {
            plugins_dir: plugins_dir.into(),
            port: 0,
            runtime: RuntimeOptions::default(),
            defaults: HostDefaults::default(),
            config_dir: None,
            poll_interval: Duration::from_millis(400),
            token: None,
        }
    }
}

/// The threads the backends' generations, edits and analyses run on, apart
/// from the server's own: a burst of calls (WebAssembly decoding megabytes of
/// base64 each, yielding only every few milliseconds) then never queues ahead
/// of the page's requests, which the system schedules on the server's threads
/// at once.
struct WorkRuntime(Option<tokio::runtime::Runtime>);

impl WorkRuntime {
    fn new() -> anyhow::Result<WorkRuntime> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("visual-host-jobs")
            .enable_all()
            .build()
            .context("starting the jobs' threads")?;
        Ok(WorkRuntime(Some(runtime)))
    }

    fn handle(&self) -> tokio::runtime::Handle {
        self.0.as_ref().expect("running until dropped").handle().clone()
    }
}

impl Drop for WorkRuntime {
    fn drop(&mut self) {
        // Drops the calls still running (closing their connections) without
        // waiting, which is allowed from inside another runtime.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    state: Arc<AppState>,
    task: tokio::task::JoinHandle<()>,
    _work: WorkRuntime,
}

impl Server {
    /// Loads the plugins folder, binds 127.0.0.1 and serves until [`Server::shutdown`].
    pub async fn start(options: ServeOptions) -> anyhow::Result<Server> {
        std::fs::create_dir_all(&options.plugins_dir)
            .with_context(|| format!("creating the plugins folder {}", options.plugins_dir.display()))?;
        let listener = bind(options.port).await?;
        let addr = listener.local_addr()?;
        let runtime = Arc::new(Runtime::new(options.runtime)?);
        let token = options.token.unwrap_or_else(security::random_token);
        let (events, _) = broadcast::channel(256);
        let work = WorkRuntime::new()?;
        let state = Arc::new(AppState {
            guard: Arc::new(security::Guard::new(token, addr.port())),
            plugins: plugins::Plugins::new(options.plugins_dir, runtime),
            config: config::ConfigStore::new(options.defaults, options.config_dir),
            jobs: jobs::Jobs::default(),
            gallery: gallery::Gallery::default(),
            pills: pills::Pills::default(),
            models: models::ModelsCache::default(),
            events,
            shutdown: CancellationToken::new(),
            work: work.handle(),
        });
        state.plugins.scan(true).await;
        reload::after_plugins_changed(&state);
        reload::watch(state.clone(), options.poll_interval);

        let app = api::router(state.clone());
        let shutdown = state.shutdown.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await;
            if let Err(e) = served {
                eprintln!("visual-host serve: {e}");
            }
        });
        Ok(Server { addr, state, task, _work: work })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The URL to open: the page, with the token it needs for the API.
    pub fn url_with_token(&self) -> String {
        format!("http://{}/?token={}", self.addr, self.state.guard.token)
    }

    pub fn token(&self) -> &str {
        &self.state.guard.token
    }

    /// The plugins loaded now: `(file name, label and version)`, and the
    /// files that failed to load, with why.
    pub fn plugin_summary(&self) -> Vec<(String, Result<String, String>)> {
        self.state.plugins.summary()
    }

    pub fn plugins_dir(&self) -> PathBuf {
        self.state.plugins.dir().to_path_buf()
    }

    /// Stops accepting, ends the event streams and waits for the server task.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        self.state.jobs.cancel_all();
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        self.state.jobs.cancel_all();
    }
}

async fn bind(port: u16) -> anyhow::Result<tokio::net::TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))
}

/// The user's configuration folder for `visual-host`: `$XDG_CONFIG_HOME/visual-host`,
/// else `~/.config/visual-host`.
pub fn default_config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("visual-host"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config").join("visual-host"))
}
