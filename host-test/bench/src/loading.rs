//! Loading: compile, cached load, instantiation, against `import openai`.

use std::path::Path;
use std::time::Instant;

use anyhow::ensure;
use visual_host::cache::{ComponentCache, Source};
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::{NetworkPolicy, DEFAULT_MEMORY_LIMIT};

use crate::report::{verdict, Report};
use crate::setup::backend;
use crate::stats::{ms, Samples};
use crate::{python, target_dir, Args};

/// Cold compile, cached load and instantiation, against `import openai`.
pub async fn loading(args: &Args, wasm: &[u8], python: Option<&Path>, report: &mut Report) -> anyhow::Result<()> {
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
        cache: Some(ComponentCache::new(&dir)),
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
        "Cached load + instantiation: {} (target under 20 ms: {}).",
        ms(ready),
        verdict(ready.as_secs_f64(), 0.020)
    ));
    Ok(())
}
