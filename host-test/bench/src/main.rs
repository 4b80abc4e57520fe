//! `visual-bench`: how the OpenAI backend component performs next to a
//! native Rust client and the official OpenAI Python SDK, measured in one run
//! against the same loopback mock serving a photograph-sized 1536x1024 PNG.
//!
//! Figures, not pass/fail tests: it prints Markdown tables (`README.md`
//! beside this crate carries the latest) with each target and whether this run met it.
//! Run it with `cargo run --release -p visual-bench`;
//! `--quick` is a smoke run (a few calls, small upload, no Python SDK, no extra
//! build) that the test suite uses to keep this binary working.

mod args;
mod loading;
mod native;
mod own_process;
mod paths;
mod per_call;
mod pyenv;
mod python;
mod python_host;
mod report;
mod serve;
mod setup;
mod sizes;
mod stats;
mod upload;

use std::path::PathBuf;

use anyhow::{ensure, Context};
use clap::Parser;
use visual_host::cache::ComponentCache;
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::DEFAULT_MEMORY_LIMIT;

use args::Args;
use paths::{target_dir, workspace};
use report::Report;

fn main() -> anyhow::Result<()> {
    if own_process::is_child() {
        return own_process::child();
    }
    if serve::is_child() {
        return serve::child();
    }
    let mut args = Args::parse();
    if args.quick {
        args.calls = args.calls.min(3);
        args.warmup = args.warmup.min(1);
        args.skip_python = true;
        args.skip_size_build = true;
    }
    ensure!(args.calls > 0, "--calls must be at least 1");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let component = args.component.clone().unwrap_or_else(|| PathBuf::from(guest_components::OPENAI_BACKEND));
    let wasm = std::fs::read(&component).with_context(|| format!("reading {}", component.display()))?;
    let mut report = Report::default();
    let profile = if cfg!(debug_assertions) { "debug (numbers are not representative)" } else { "release" };
    eprintln!("visual-bench: host built {profile}; component {}", component.display());

    let cache_dir = target_dir().join("bench-component-cache");
    let _ = std::fs::remove_dir_all(&cache_dir);
    let host = Runtime::new(RuntimeOptions {
        cache: Some(ComponentCache::with_key_file(&cache_dir, cache_dir.with_extension("key"))),
        memory_limit: DEFAULT_MEMORY_LIMIT,
        ..RuntimeOptions::default()
    })?;
    let plugin = host.load_bytes(&wasm)?;

    let small = if args.skip_size_build {
        None
    } else {
        let path = sizes::build_small(&workspace())?;
        let bytes = std::fs::read(&path)?;
        Some((path, host.load_bytes(&bytes)?))
    };

    let python = if args.skip_python {
        None
    } else {
        match python::interpreter(&target_dir()) {
            Ok(python) => Some(python),
            Err(e) => {
                eprintln!("visual-bench: the Python SDK reference is unavailable: {e:#}");
                None
            }
        }
    };

    // The Python host runs in any Python 3.9+: the SDK's venv when there is
    // one, else `$PYTHON` or `python3` (the quick run has no venv).
    let interpreter = python.clone().unwrap_or_else(|| std::env::var("PYTHON").unwrap_or("python3".into()).into());
    let python_host = python_host::unless_unavailable(python_host::PythonHost::stage(interpreter, &target_dir()));
    let py_host = python_host.as_ref().map(|host| (host, component.as_path(), cache_dir.as_path()));

    per_call::per_call(&args, &plugin, small.as_ref().map(|(_, p)| p), python.as_deref(), py_host, &mut report).await?;
    loading::loading(&args, &wasm, python.as_deref(), py_host, &mut report).await?;
    upload::upload(&args, &plugin, py_host, &mut report).await?;
    serve::concurrency(&args, &component, &mut report).await?;
    sizes::report(&component, small.as_ref().map(|(p, _)| p.as_path()), &mut report)?;

    println!(
        "## visual-bench: {} timed calls after {} warm-up, host {profile}, {} cores\n",
        args.calls,
        args.warmup,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    report.print();
    Ok(())
}
