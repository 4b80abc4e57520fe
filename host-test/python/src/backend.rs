//! `VisualBackend`: a loaded component (`visual_host::runtime::Plugin`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use visual_host::bindings::{BackendInfo, Setting};
use visual_host::cache::{ComponentCache, Source};
use visual_host::runtime::{Plugin, Runtime, RuntimeOptions};
use visual_host::sandbox::{NetworkPolicy, WallClock, DEFAULT_MEMORY_LIMIT};
use wasmtime_wasi_http::RequestOptions;

use crate::call::{twins, Call};
use crate::client::Client;
use crate::errors::{load_error, Failure};
use crate::instance::{Inner, Scratch};
use crate::{args, convert};

/// Runtimes by their options: an engine, a linker and an epoch thread are
/// made once per combination and shared by every backend loaded with it.
fn runtime(options: RuntimeOptions) -> anyhow::Result<Arc<Runtime>> {
    type Key = (Option<(PathBuf, Option<PathBuf>)>, usize, WallClock);
    static RUNTIMES: Mutex<Vec<(Key, Arc<Runtime>)>> = Mutex::new(Vec::new());
    let cache = options.cache.as_ref().map(|c| (c.dir().to_path_buf(), c.key_file().map(PathBuf::from)));
    let key = (cache, options.memory_limit, options.wall_clock);
    let mut runtimes = RUNTIMES.lock().unwrap();
    if let Some((_, runtime)) = runtimes.iter().find(|(k, _)| *k == key) {
        return Ok(runtime.clone());
    }
    let runtime = Arc::new(Runtime::new(options)?);
    runtimes.push((key, runtime.clone()));
    Ok(runtime)
}

/// A component loaded by `load` on the runtime for `options`, with the GIL released.
fn load_on(
    py: Python<'_>,
    options: RuntimeOptions,
    load: impl FnOnce(&Runtime) -> anyhow::Result<Plugin> + Send,
) -> anyhow::Result<(Arc<Runtime>, Plugin)> {
    py.detach(|| {
        let runtime = runtime(options)?;
        let plugin = load(&runtime)?;
        Ok((runtime, plugin))
    })
}

fn runtime_options(
    memory_limit: Option<usize>,
    cache: Option<&Bound<'_, PyAny>>,
    cache_key_file: Option<PathBuf>,
    today: Option<&str>,
) -> PyResult<RuntimeOptions> {
    let dir = match cache {
        None => ComponentCache::default_dir(),
        Some(c) if c.is_none() => None,
        Some(c) => match c.extract::<bool>() {
            Ok(true) => ComponentCache::default_dir(),
            Ok(false) => None,
            Err(_) => Some(
                c.extract::<PathBuf>()
                    .map_err(|_| PyTypeError::new_err("cache must be True, False or the path of a cache directory"))?,
            ),
        },
    };
    let cache = dir.map(|dir| match cache_key_file {
        Some(key) => ComponentCache::with_key_file(dir, key),
        None => ComponentCache::new(dir),
    });
    let wall_clock = match today {
        Some(date) => WallClock::at_date(date).map_err(|e| PyValueError::new_err(format!("today: {e:#}")))?,
        None => WallClock::System,
    };
    Ok(RuntimeOptions { cache, memory_limit: memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT), wall_clock })
}

/// A backend component, compiled (or taken from the on-disk cache) and
/// checked against the contract. Share one per `.wasm`; open a client per
/// set of settings.
#[pyclass(module = "talemate_visual._native", frozen)]
pub struct VisualBackend {
    _runtime: Arc<Runtime>,
    pub(crate) plugin: Plugin,
    /// Buffers for its clients' uploads (see [`Scratch`]).
    scratch: Arc<Scratch>,
    /// Where the component came from (a path, or `<bytes>`).
    #[pyo3(get)]
    source: String,
    /// The exported contract, e.g. `talemate:visual/visual-backend@0.3.0`.
    #[pyo3(get)]
    contract: String,
}

twins! {
    impl VisualBackend {
        twins {
            /// What the backend offers and the settings it takes (`BackendInfo`).
            /// Needs no settings and reaches nothing; asked once.
            fn info | ainfo(&self) -> Py<PyAny> {
                self.info_call().then(|py, info| Ok(convert::backend_info(py, &info)?.unbind()))
            }

            /// A client configured with `settings` (a mapping of declared setting
            /// names to values) and/or keyword arguments (`api_key=...`,
            /// `base_url=...`, `generation_timeout=timedelta(...)` or milliseconds).
            /// It may reach only what its URL settings point at (or, with
            /// `allowed_hosts`, only those URLs' hosts, whatever the settings say);
            /// `max_timeouts` (seconds, or a `TimeoutLimits`) caps the waits the
            /// plugin asks for.
            /// Raises the backend's error (`InvalidInput`) when the settings are wrong.
            #[pyo3(signature = (settings=None, *, max_timeouts=None, allowed_hosts=None, **values))]
            fn open | aopen(
                slf: &Bound<'py, Self>,
                settings: Option<&Bound<'py, PyAny>>,
                max_timeouts: Option<&Bound<'py, PyAny>>,
                allowed_hosts: Option<Vec<String>>,
                values: Option<&Bound<'py, PyDict>>
            ) -> Client {
                let backend = slf.get();
                let (settings, network) = backend.prepare(slf.py(), settings, values, max_timeouts, allowed_hosts)?;
                let open = Inner::open(backend.plugin.clone(), settings, network, backend.scratch.clone());
                let backend = slf.clone().into_any().unbind();
                Call::new(open, move |py, inner| match inner {
                    Ok(inner) => Ok(Client::new(inner, backend)),
                    Err(e) => Err(e.into_pyerr(py)),
                })
            }
        }

        /// Loads the component at `path`. `cache`: `True` (the default: the Rust
        /// host's on-disk cache, `$VISUAL_HOST_CACHE_DIR` or `~/.cache/visual-host`),
        /// `False`, or a directory; its entries are verified with the key in
        /// `cache_key_file` (default: the Rust host's, `$VISUAL_HOST_KEY_FILE` or
        /// `~/.config/visual-host/cache.key`). `memory_limit` caps each
        /// instance's linear memory; `today` (`YYYY-MM-DD`) fixes the plugin's
        /// wall clock.
        #[staticmethod]
        #[pyo3(signature = (path, *, memory_limit=None, cache=None, cache_key_file=None, today=None))]
        fn load(
            py: Python<'_>,
            path: PathBuf,
            memory_limit: Option<usize>,
            cache: Option<&Bound<'_, PyAny>>,
            cache_key_file: Option<PathBuf>,
            today: Option<&str>,
        ) -> PyResult<VisualBackend> {
            let options = runtime_options(memory_limit, cache, cache_key_file, today)?;
            let source = path.display().to_string();
            let (runtime, plugin) =
                load_on(py, options, |runtime| runtime.load(&path)).map_err(|e| load_error(py, e))?;
            Ok(VisualBackend::new(runtime, plugin, source))
        }

        /// Loads a component from its `.wasm` bytes; the options are `load`'s.
        #[staticmethod]
        #[pyo3(signature = (wasm, *, memory_limit=None, cache=None, cache_key_file=None, today=None, source="<bytes>".to_string()))]
        #[allow(clippy::too_many_arguments)]
        fn from_bytes(
            py: Python<'_>,
            wasm: &Bound<'_, PyAny>,
            memory_limit: Option<usize>,
            cache: Option<&Bound<'_, PyAny>>,
            cache_key_file: Option<PathBuf>,
            today: Option<&str>,
            source: String,
        ) -> PyResult<VisualBackend> {
            let options = runtime_options(memory_limit, cache, cache_key_file, today)?;
            let wasm = args::Bytes::extract(wasm, "wasm")?;
            let (runtime, plugin) = load_on(py, options, |runtime| runtime.load_bytes(wasm.as_slice()))
                .map_err(|e| load_error(py, anyhow::anyhow!("{source}: {e:#}")))?;
            Ok(VisualBackend::new(runtime, plugin, source))
        }

        /// True when the compiled component came from the on-disk cache.
        #[getter]
        #[allow(clippy::wrong_self_convention)] // a property, named for what it says
        fn from_cache(&self) -> bool {
            self.plugin.source == Source::Cached
        }

        /// Seconds it took to read, compile (or deserialize) and pre-instantiate it.
        #[getter]
        fn load_time(&self) -> f64 {
            self.plugin.load_time.as_secs_f64()
        }

        /// The hosts a client opened with these settings may reach
        /// (`host:port`): the effective values of the settings the backend
        /// declares as URLs. Everything else is refused.
        #[pyo3(signature = (settings=None, **values))]
        fn allowed_hosts(
            slf: &Bound<'_, Self>,
            settings: Option<&Bound<'_, PyAny>>,
            values: Option<&Bound<'_, PyDict>>,
        ) -> PyResult<Vec<String>> {
            let (_, network) = slf.get().prepare(slf.py(), settings, values, None, None)?;
            Ok(network.allowed().to_vec())
        }

        fn __repr__(&self) -> String {
            format!("VisualBackend({:?}, contract={:?})", self.source, self.contract)
        }
    }
}

impl VisualBackend {
    /// `info` of the contract: asked once, needs no settings.
    fn info_call(&self) -> Call<BackendInfo> {
        let plugin = self.plugin.clone();
        Call::new(async move { plugin.info().await }, |py, info| {
            info.map_err(|e| Failure::trap("info", e).into_pyerr(py))
        })
    }

    fn new(runtime: Arc<Runtime>, plugin: Plugin, source: String) -> Self {
        let contract = plugin.contract.clone();
        VisualBackend { _runtime: runtime, plugin, scratch: Arc::default(), source, contract }
    }

    /// The settings as the contract carries them, and the sandbox they imply.
    fn prepare(
        &self,
        py: Python<'_>,
        settings: Option<&Bound<'_, PyAny>>,
        values: Option<&Bound<'_, PyDict>>,
        max_timeouts: Option<&Bound<'_, PyAny>>,
        allowed_hosts: Option<Vec<String>>,
    ) -> PyResult<(Vec<Setting>, NetworkPolicy)> {
        let info = self.info_call().run(py)?;
        let settings = args::settings(&info.settings, settings, values)?;
        let network = match &allowed_hosts {
            None => NetworkPolicy::for_settings(&info.settings, &settings),
            Some(urls) => NetworkPolicy::allow_urls(urls.iter().map(String::as_str)),
        };
        let mut network = network.map_err(|e| {
            Failure::Backend(visual_host::bindings::Error::InvalidInput(format!("{e:#}"))).into_pyerr(py)
        })?;
        network.max_timeouts = timeout_limits(max_timeouts)?;
        Ok((settings, network))
    }
}

/// `None`, seconds (every wait), or an object with `connect`, `first_byte`
/// and `between_bytes` in seconds (a `TimeoutLimits`, or a mapping).
fn timeout_limits(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<RequestOptions>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    let seconds = |v: Bound<'_, PyAny>| -> PyResult<Option<Duration>> {
        if v.is_none() {
            return Ok(None);
        }
        let s: f64 = v.extract()?;
        if !(s > 0.0 && s.is_finite()) {
            return Err(PyValueError::new_err("a timeout limit must be a positive number of seconds"));
        }
        Ok(Some(Duration::from_secs_f64(s)))
    };
    if let Ok(all) = value.extract::<f64>() {
        let all = seconds(all.into_pyobject(value.py())?.into_any())?;
        return Ok(Some(RequestOptions { connect_timeout: all, first_byte_timeout: all, between_bytes_timeout: all }));
    }
    let field = |name: &str| -> PyResult<Option<Duration>> {
        let v = match value.cast::<PyDict>() {
            Ok(d) => d.get_item(name)?,
            Err(_) => value.getattr(name).ok(),
        };
        v.map(seconds).transpose().map(Option::flatten)
    };
    Ok(Some(RequestOptions {
        connect_timeout: field("connect")?,
        first_byte_timeout: field("first_byte")?,
        between_bytes_timeout: field("between_bytes")?,
    }))
}
