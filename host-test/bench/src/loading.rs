//! Loading: compile, cached load, instantiation, against `import openai`.

use std::path::Path;
use std::time::Instant;

use anyhow::ensure;
use visual_host::cache::{ComponentCache, Source};
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::{NetworkPolicy, DEFAULT_MEMORY_LIMIT};

use crate::args::Args;
use crate::paths::target_dir;
use crate::python;
use crate::python_host::PyHost;
use crate::report::{verdict, Report};
use crate::setup::backend;
use crate::stats::{ms, Samples};

/// Cold compile, cached load and instantiation, against `import openai`.
pub async fn loading(
    args: &Args,
    wasm: &[u8],
    python: Option<&Path>,
    python_host: Option<PyHost<'_>>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let reps = |full: usize, quick: usize| if args.quick { quick } else { full };

    let uncached =
        Runtime::new(RuntimeOptions { cache: None, memory_limit: DEFAULT_MEMORY_LIMIT, ..RuntimeOptions::default() })?;
    let mut cold = Vec::new();
    for _ in 0..reps(3, 1) {
        let started = Instant::now();
        let plugin = uncached.load_bytes(wasm)?;
        cold.push(started.elapsed());
        ensure!(plugin.source == Source::Compiled);
    }

    let dir = target_dir().join("bench-component-cache");
    let cached_host = Runtime::new(RuntimeOptions {
        cache: Some(ComponentCache::with_key_file(&dir, dir.with_extension("key"))),
        memory_limit: DEFAULT_MEMORY_LIMIT,
        ..RuntimeOptions::default()
    })?;
    cached_host.load_bytes(wasm)?; // fills the cache if an earlier step did not
    let mut cached = Vec::new();
    let mut plugin = None;
    for _ in 0..reps(20, 3) {
        let started = Instant::now();
        let loaded = cached_host.load_bytes(wasm)?;
        cached.push(started.elapsed());
        ensure!(loaded.source == Source::Cached, "the second load did not come from the cache");
        plugin = Some(loaded);
    }
    let plugin = plugin.expect("at least one cached load");

    let mut instantiate = Vec::new();
    for _ in 0..reps(200, 20) {
        let started = Instant::now();
        let instance = plugin.instantiate(NetworkPolicy::deny_all()).await?;
        instantiate.push(started.elapsed());
        drop(instance);
    }
    let settings = crate::setup::settings_at("http://127.0.0.1:9/v1");
    let network = plugin.network_policy(&settings).await?;
    let mut open = Vec::new();
    for _ in 0..reps(200, 20) {
        let started = Instant::now();
        let session = backend(plugin.connect(&settings, network.clone()).await?)?;
        open.push(started.elapsed());
        drop(session);
    }
    let (cold, cached, instantiate, open) =
        (Samples::new(cold), Samples::new(cached), Samples::new(instantiate), Samples::new(open));

    report.section("Loading", "| step | median | p90 | runs |");
    for (name, s) in [
        ("compile the component (cold, Cranelift)", &cold),
        ("load from the on-disk cache", &cached),
        ("instantiate (pre-instantiated handle)", &instantiate),
        ("instantiate + open a client", &open),
    ] {
        report.row(&[name, &ms(s.median()), &ms(s.p90()), &s.len().to_string()]);
    }
    let py_ready = match python_host {
        Some((host, component, cache)) => match host.load(component, cache, reps(20, 3)).await {
            Ok((load, open)) => {
                report.row(&[
                    "Python: load from the on-disk cache",
                    &ms(load.median()),
                    &ms(load.p90()),
                    &load.len().to_string(),
                ]);
                report.row(&[
                    "Python: open a client (instantiate + open)",
                    &ms(open.median()),
                    &ms(open.p90()),
                    &open.len().to_string(),
                ]);
                Some(load.median() + open.median())
            }
            Err(e) => {
                eprintln!("visual-bench: the Python host's loading run failed: {e:#}");
                None
            }
        },
        None => None,
    };
    if let Some(python) = python {
        match python::import_time(python, reps(5, 1)).await {
            Ok(s) => report.row(&[
                "Python: `import openai` (fresh interpreter)",
                &ms(s.median()),
                &ms(s.p90()),
                &s.len().to_string(),
            ]),
            Err(e) => eprintln!("visual-bench: timing `import openai` failed: {e:#}"),
        }
    }
    let ready = cached.median() + instantiate.median();
    report.note(format!(
        "Cached load + instantiation: {} (target under 2 ms: {}).",
        ms(ready),
        verdict(ready.as_secs_f64(), 0.002)
    ));
    if let Some(py_ready) = py_ready {
        report.note(format!(
            "Python host, cached load + open: {} (target under 5 ms: {}).",
            ms(py_ready),
            verdict(py_ready.as_secs_f64(), 0.005)
        ));
    }
    Ok(())
}
