//! The Python host (`talemate_visual`, the PyO3 extension over the Rust host
//! library), measured from Python against the same mock as the Rust host.
//!
//! The extension is the one cargo built alongside this binary, in the same
//! profile (visual-bench depends on its crate, so `cargo run --release -p
//! visual-bench` builds it once with the rest, and no second wasmtime). It is
//! staged with the package's Python sources under `target/bench-python` and
//! run by any Python 3.9+ (no package from PyPI is needed for it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::json;

use crate::setup::{KEY, MODEL, PROMPT};
use crate::stats::Samples;

const SCRIPT: &str = include_str!("../python_host.py");

/// The Python host, the component's path and the cache directory it loads from.
pub type PyHost<'a> = (&'a PythonHost, &'a Path, &'a Path);

/// `result`'s value, or none when the Python host could not start (said on
/// stderr): its rows are then left out of the report instead of failing the run.
pub fn unless_unavailable<T>(result: anyhow::Result<T>) -> Option<T> {
    result.map_err(|e| eprintln!("visual-bench: the Python host is unavailable: {e:#}")).ok()
}

/// Where the extension and the package were staged, and which Python runs them.
pub struct PythonHost {
    python: PathBuf,
    staged: PathBuf,
}

#[derive(Deserialize, Default)]
struct Reported {
    #[serde(default)]
    load_s: Vec<f64>,
    #[serde(default)]
    open_s: Vec<f64>,
}

/// One timed call's answer.
#[derive(Deserialize)]
struct Timed {
    t: f64,
    #[serde(default)]
    bytes: usize,
    #[serde(default)]
    error: Option<String>,
}

fn samples(seconds: &[f64]) -> Samples {
    Samples::new(seconds.iter().map(|s| Duration::from_secs_f64(*s)).collect())
}

/// A host in a process of its own (the Python host, or the Rust host: see
/// `own_process.rs`) with the backend loaded and a warm client, answering one
/// command at a time, so its calls are timed in the same rounds as the
/// in-process ones (drift on a shared machine then hits all alike).
pub struct HostSession {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

impl HostSession {
    /// Starts `command` and waits for its "ready".
    pub async fn start(mut command: tokio::process::Command) -> anyhow::Result<HostSession> {
        use tokio::io::AsyncBufReadExt;
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the host process")?;
        let stdin = child.stdin.take().context("stdin")?;
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().context("stdout")?).lines();
        match stdout.next_line().await? {
            Some(line) if line == "ready" => Ok(HostSession { child, stdin, stdout }),
            other => bail!("the host process did not start: {other:?} ({})", child.wait().await?),
        }
    }

    async fn call(&mut self, command: &str) -> anyhow::Result<(Duration, usize)> {
        use tokio::io::AsyncWriteExt;
        self.stdin.write_all(format!("{command}\n").as_bytes()).await?;
        self.stdin.flush().await?;
        let line = self.stdout.next_line().await?.context("the host process ended")?;
        let reply: Timed = serde_json::from_str(&line).with_context(|| format!("reading {line:?}"))?;
        if let Some(e) = reply.error {
            bail!("the host process: {e}");
        }
        Ok((Duration::from_secs_f64(reply.t), reply.bytes))
    }

    /// One generate on the warm client: its time and the decoded image's size.
    pub async fn generate(&mut self) -> anyhow::Result<(Duration, usize)> {
        self.call("generate").await
    }

    /// One edit of the reference on a new client (only the call timed).
    pub async fn edit(&mut self) -> anyhow::Result<Duration> {
        Ok(self.call("edit").await?.0)
    }

    pub async fn close(mut self) {
        drop(self.stdin);
        let _ = self.child.wait().await;
    }
}

impl PythonHost {
    /// Stages the package with this build's extension; `python` runs it.
    pub fn stage(python: PathBuf, target_dir: &Path) -> anyhow::Result<PythonHost> {
        let exe = std::env::current_exe()?;
        let profile_dir = exe.parent().context("the binary's directory")?;
        let name = if cfg!(target_os = "macos") { "lib_native.dylib" } else { "lib_native.so" };
        let extension = profile_dir.join("deps").join(name);
        if !extension.is_file() {
            bail!("the Python extension was not built at {}", extension.display());
        }
        let staged = target_dir.join("bench-python");
        let package = staged.join("talemate_visual");
        let _ = std::fs::remove_dir_all(&package);
        std::fs::create_dir_all(&package)?;
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../python/python/talemate_visual");
        for entry in std::fs::read_dir(&sources).with_context(|| format!("reading {}", sources.display()))? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "py") {
                std::fs::copy(&path, package.join(path.file_name().unwrap()))?;
            }
        }
        std::fs::copy(&extension, package.join("_native.abi3.so")).context("staging the extension")?;
        Ok(PythonHost { python, staged })
    }

    fn command(&self, config: &serde_json::Value) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.python);
        command
            .arg("-c")
            .arg(SCRIPT)
            .arg(config.to_string())
            .env("PYTHONPATH", &self.staged)
            .env_remove("OPENAI_API_KEY")
            .kill_on_drop(true);
        command
    }

    async fn run(&self, config: serde_json::Value) -> anyhow::Result<Reported> {
        let output = self.command(&config).output().await.context("running the Python host")?;
        if !output.status.success() {
            bail!("the Python host run failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr));
        }
        serde_json::from_slice(&output.stdout)
            .with_context(|| format!("reading the Python host's report: {}", String::from_utf8_lossy(&output.stdout)))
    }

    fn config(mode: &str, wasm: &Path, cache_dir: &Path, base_url: &str) -> serde_json::Value {
        json!({
            "mode": mode,
            "wasm": wasm,
            "cache_dir": cache_dir,
            // The key the Rust host's rows use for this cache (see main.rs).
            "cache_key_file": cache_dir.with_extension("key"),
            "base_url": base_url,
            "api_key": KEY,
            "model": MODEL,
            "prompt": PROMPT,
        })
    }

    /// A Python process with the component loaded from `cache_dir`, a client
    /// open on `base_url`, and (for edits) the reference in `reference` read.
    pub async fn session(
        &self,
        wasm: &Path,
        cache_dir: &Path,
        base_url: &str,
        reference: Option<&Path>,
    ) -> anyhow::Result<HostSession> {
        let mut config = Self::config("serve", wasm, cache_dir, base_url);
        config["reference"] = json!(reference);
        HostSession::start(self.command(&config)).await
    }

    /// `runs` cached loads and client opens.
    pub async fn load(&self, wasm: &Path, cache_dir: &Path, runs: usize) -> anyhow::Result<(Samples, Samples)> {
        let mut config = Self::config("load", wasm, cache_dir, "http://127.0.0.1:9/v1");
        config["calls"] = runs.into();
        let r = self.run(config).await?;
        Ok((samples(&r.load_s), samples(&r.open_s)))
    }
}
