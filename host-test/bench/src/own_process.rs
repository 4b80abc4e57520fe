//! The Rust host in a process of its own, driven exactly as the Python host
//! is (the same line protocol as `python_host.py`'s "serve"), so the two are
//! compared under the same conditions: a client in one process, the mock in
//! this one. (In-process, the client and the mock share one tokio runtime;
//! across processes, two runtimes share the cores, which costs each call a
//! little whichever language the client is in.)

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde::Deserialize;
use serde_json::json;
use visual_host::bindings::{EditRequest, ImageFormat};
use visual_host::cache::ComponentCache;
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::DEFAULT_MEMORY_LIMIT;

use crate::python_host::HostSession;
use crate::setup::{backend, generate_request, settings_at, MODEL};

/// Set in the child's environment (to its configuration): be the Rust host.
const CHILD: &str = "VISUAL_BENCH_RUST_HOST_CHILD";

#[derive(Deserialize)]
struct Config {
    wasm: PathBuf,
    cache_dir: PathBuf,
    base_url: String,
    reference: Option<PathBuf>,
}

/// True when this process is the benchmark's Rust-host child.
pub fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// A child process with the component loaded and a warm client on `base_url`.
pub async fn session(
    wasm: &Path,
    cache_dir: &Path,
    base_url: &str,
    reference: Option<&Path>,
) -> anyhow::Result<HostSession> {
    let config = json!({"wasm": wasm, "cache_dir": cache_dir, "base_url": base_url, "reference": reference});
    let mut command = tokio::process::Command::new(std::env::current_exe()?);
    command.env(CHILD, config.to_string()).env_remove("OPENAI_API_KEY");
    HostSession::start(command).await
}

/// The child: answers "generate" (warm client) and "edit" (a new client, only
/// the call timed) with `{"t", "bytes"}`, one line each, until stdin closes.
pub fn child() -> anyhow::Result<()> {
    let config: Config = serde_json::from_str(&std::env::var(CHILD)?).context("the child's configuration")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let cache = ComponentCache::with_key_file(&config.cache_dir, config.cache_dir.with_extension("key"));
        let host = Runtime::new(RuntimeOptions {
            cache: Some(cache),
            memory_limit: DEFAULT_MEMORY_LIMIT,
            ..RuntimeOptions::default()
        })?;
        let plugin = host.load(&config.wasm)?;
        let settings = settings_at(&config.base_url);
        let network = plugin.network_policy(&settings).await?;
        let mut session = backend(plugin.connect(&settings, network.clone()).await?)?;
        let generate = generate_request();
        let edit = match &config.reference {
            Some(file) => Some(EditRequest {
                model: Some(MODEL.into()),
                ..EditRequest::new(
                    "the same lighthouse, now at night",
                    ImageFormat::Landscape,
                    vec![std::fs::read(file)?],
                )
            }),
            None => None,
        };
        println!("ready");
        for line in std::io::stdin().lock().lines() {
            let reply = match line?.trim() {
                "generate" => {
                    let started = Instant::now();
                    let generation = backend(session.generate(&generate).await?)?;
                    json!({"t": started.elapsed().as_secs_f64(), "bytes": generation.images[0].data.len()})
                }
                "edit" => {
                    let request = edit.as_ref().context("no reference to edit")?;
                    let mut fresh = backend(plugin.connect(&settings, network.clone()).await?)?;
                    let started = Instant::now();
                    let generation = backend(fresh.edit(request).await?)?;
                    json!({"t": started.elapsed().as_secs_f64(), "images": generation.images.len()})
                }
                other => json!({"error": format!("unknown command {other:?}")}),
            };
            println!("{reply}");
        }
        Ok(())
    })
}
