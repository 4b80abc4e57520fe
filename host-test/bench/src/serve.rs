//! Many generations at once through `visual-host serve`: 32 concurrent
//! requests to the Visualizer's API, each answered by the mock with the
//! landscape picture (a 1536x1024 PNG of about 3 MB) after a 2-second delay,
//! each run on an instance of its own. The server runs in a child process
//! (this binary again, see [`child`]) so its memory is its own: the row
//! reports its peak resident set during the burst, and how long the page's
//! state took to answer meanwhile.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use openai_mock::Fault;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;

use crate::args::Args;
use crate::report::{verdict, Report};
use crate::setup::{bench_mock, KEY, MODEL, PROMPT};
use crate::stats::{mib, ms};

/// Set in the child's environment: run the server instead of the benchmark.
const CHILD: &str = "VISUAL_BENCH_SERVE_CHILD";
const TARGET_WALL: Duration = Duration::from_secs(3);

/// True when this process is the benchmark's server child.
pub fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// The child: serves the Visualizer on 127.0.0.1 until its stdin closes, and
/// prints `URL TOKEN` once it listens.
pub fn child() -> anyhow::Result<()> {
    let var = |name: &str| std::env::var(name).with_context(|| format!("{name} is not set"));
    let (plugins, mock_url, cache) =
        (var("VISUAL_BENCH_PLUGINS")?, var("VISUAL_BENCH_MOCK_URL")?, var("VISUAL_BENCH_CACHE")?);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let options = visualizer::ServeOptions {
            runtime: visual_host::runtime::RuntimeOptions {
                cache: Some(visual_host::cache::ComponentCache::with_key_file(&cache, format!("{cache}.key"))),
                ..Default::default()
            },
            defaults: visualizer::HostDefaults {
                endpoint: Some(visualizer::Endpoint { base_url: mock_url, api_key: KEY.into() }),
                ..Default::default()
            },
            ..visualizer::ServeOptions::new(plugins)
        };
        let server = visualizer::Server::start(options).await?;
        println!("{} {}", server.addr(), server.token());
        let mut stdin = tokio::io::stdin();
        let _ = tokio::io::copy(&mut stdin, &mut tokio::io::sink()).await;
        server.shutdown().await;
        Ok(())
    })
}

/// A small client for the server's API: one connection per request, like the benchmark's other clients.
struct Api {
    addr: String,
    token: String,
}

impl Api {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> anyhow::Result<(u16, Bytes)> {
        let stream = TcpStream::connect(&self.addr).await?;
        stream.set_nodelay(true)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, &self.addr)
            .header(http::header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.map(|b| b.to_string()).unwrap_or_default())))?;
        let response = sender.send_request(request).await?;
        let status = response.status().as_u16();
        Ok((status, response.into_body().collect().await?.to_bytes()))
    }

    async fn json(&self, method: &str, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let (status, bytes) = self.send(method, path, body).await?;
        ensure!((200..300).contains(&status), "{path}: HTTP {status}: {}", String::from_utf8_lossy(&bytes));
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// One generation, waited for, and its image downloaded: the bytes' length.
    async fn generate(&self) -> anyhow::Result<usize> {
        let body = json!({ "prompt": PROMPT, "format": "landscape", "model": MODEL, "partial_images": 0 });
        let job = self.json("POST", "/api/generate?wait=1", Some(body)).await?;
        if job["state"] != "done" {
            bail!("the generation ended {}: {}", job["state"], job["error"]);
        }
        let image = &job["images"][0];
        let (status, bytes) = self.send("GET", image["url"].as_str().context("an image URL")?, None).await?;
        ensure!(status == 200 && bytes.len() as u64 == image["bytes"].as_u64().unwrap_or(0), "downloading the image");
        ensure!((image["width"].as_u64(), image["height"].as_u64()) == (Some(1536), Some(1024)), "a 1536x1024 image");
        Ok(bytes.len())
    }
}

/// `VmRSS` and `VmHWM` of a process, in bytes (Linux).
fn memory(pid: u32) -> Option<(usize, usize)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<usize> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<usize>().ok()? * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

pub async fn concurrency(args: &Args, component: &Path, report: &mut Report) -> anyhow::Result<()> {
    let (calls, delay) = if args.quick { (4, Duration::from_millis(300)) } else { (32, Duration::from_secs(2)) };
    let mock = bench_mock().await?;
    let scratch = crate::paths::target_dir().join("bench-serve");
    let plugins = scratch.join("plugins");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&plugins)?;
    std::fs::copy(component, plugins.join("openai.wasm"))?;

    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .env(CHILD, "1")
        .env("VISUAL_BENCH_PLUGINS", &plugins)
        .env("VISUAL_BENCH_MOCK_URL", mock.base_url())
        .env("VISUAL_BENCH_CACHE", scratch.join("component-cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("the server's pid")?;
    let mut lines = BufReader::new(child.stdout.take().context("its stdout")?).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .context("the server did not start within 60 s")??
        .context("the server exited before listening")?;
    let (addr, token) = line.split_once(' ').context("`ADDR TOKEN`")?;
    let api = Api { addr: addr.to_string(), token: token.to_string() };

    // Warm: the mock has the picture encoded, the component is compiled and instantiable.
    api.generate().await?;
    let (rss_before, _) = memory(pid).unwrap_or_default();
    // Count the peak from here (Linux: 5 resets VmHWM to the current RSS).
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");

    mock.set_fault_always(Some(Fault::NoFirstByte(delay)));
    let started = Instant::now();
    let burst: Vec<_> = (0..calls)
        .map(|_| {
            let api = Api { addr: api.addr.clone(), token: api.token.clone() };
            tokio::spawn(async move { api.generate().await })
        })
        .collect();
    // Meanwhile, the page asks for its state every 100 ms.
    let mut state_times = Vec::new();
    while burst.iter().any(|task| !task.is_finished()) {
        let asked = Instant::now();
        api.json("GET", "/api/state", None).await?;
        state_times.push(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut bytes = 0;
    for task in burst {
        bytes += task.await??;
    }
    let wall = started.elapsed();
    let (_, peak) = memory(pid).unwrap_or_default();
    // The server's gallery holds every image of the burst (and the warm-up's), listed by URL.
    let gallery = api.json("GET", "/api/gallery", None).await?;
    let held = gallery["count"].as_u64().unwrap_or(0) as usize;
    ensure!(held > calls, "the gallery holds {held} images after {} generations", calls + 1);
    mock.set_fault_always(None);
    drop(child.stdin.take());
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;

    let slowest_state = state_times.iter().max().copied().unwrap_or_default();
    report.section(
        format!(
            "Concurrency through `visual-host serve`: {calls} generations at once, each answered after {:.1} s \
             with the landscape picture ({} PNG)",
            delay.as_secs_f64(),
            mib(bytes / calls)
        ),
        "| measure | value | target |",
    );
    report.row(&[
        &format!("wall time, first request to last image downloaded ({calls} concurrent)"),
        &format!("{:.2} s", wall.as_secs_f64()),
        &if args.quick {
            "n/a (--quick)".to_string()
        } else {
            format!("under 3 s: {}", verdict(wall.as_secs_f64(), TARGET_WALL.as_secs_f64()))
        },
    ]);
    report.row(&[
        "server peak resident memory during the burst",
        &mib(peak),
        &format!("{} before it", mib(rss_before)),
    ]);
    report.row(&[
        "images the server's gallery holds afterwards (the burst's and the warm-up's)",
        &held.to_string(),
        &format!("{} made", calls + 1),
    ]);
    report.row(&[
        "slowest `GET /api/state` during the burst (the page stays responsive)",
        &ms(slowest_state),
        &format!("{} asked", state_times.len()),
    ]);
    Ok(())
}
