//! The reference most users know: the official OpenAI Python SDK (what the
//! existing Python host uses), run in a pinned venv against the same mock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::json;

use crate::native::Target;
use crate::stats::Samples;

const SCRIPT: &str = include_str!("../sdk_generate.py");

/// What the SDK measured.
pub struct SdkRun {
    pub version: String,
    pub calls: Samples,
    pub image_bytes: usize,
}

#[derive(Deserialize)]
struct Reported {
    version: String,
    times_s: Vec<f64>,
    image_bytes: usize,
}

/// `target/bench-venv`, built from the pinned requirements when stale.
pub fn interpreter(target_dir: &Path) -> anyhow::Result<PathBuf> {
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("requirements.txt");
    crate::pyenv::ensure_venv(&target_dir.join("bench-venv"), &requirements)
}

/// `calls` timed `images.generate` calls (after `warmup`) with the exact JSON body `request`.
pub async fn generate(
    python: &Path,
    target: &Target,
    request: &serde_json::Value,
    warmup: usize,
    calls: usize,
) -> anyhow::Result<SdkRun> {
    let config = json!({
        "base_url": format!("http://{}{}", target.addr, target.prefix),
        "api_key": target.api_key,
        "request": request,
        "warmup": warmup,
        "calls": calls,
    });
    // tokio's Command, so the mock keeps serving on this runtime meanwhile.
    let output = tokio::process::Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(config.to_string())
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .output()
        .await
        .context("running the Python SDK")?;
    if !output.status.success() {
        bail!("the Python SDK run failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    let reported: Reported = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading the SDK's report: {}", String::from_utf8_lossy(&output.stdout)))?;
    Ok(SdkRun {
        version: reported.version,
        calls: Samples::new(reported.times_s.into_iter().map(Duration::from_secs_f64).collect()),
        image_bytes: reported.image_bytes,
    })
}

/// Time to `import openai` in a fresh interpreter (interpreter start-up excluded), `runs` times.
pub async fn import_time(python: &Path, runs: usize) -> anyhow::Result<Samples> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let output = tokio::process::Command::new(python)
            .args(["-c", "import time; t = time.perf_counter(); import openai; print(time.perf_counter() - t)"])
            .output()
            .await
            .context("timing `import openai`")?;
        if !output.status.success() {
            bail!("`import openai` failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let seconds: f64 = String::from_utf8_lossy(&output.stdout).trim().parse().context("reading the import time")?;
        times.push(Duration::from_secs_f64(seconds));
    }
    Ok(Samples::new(times))
}
