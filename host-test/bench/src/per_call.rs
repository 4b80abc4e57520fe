//! Per-call time of `generate` and the component's memory during it.

use std::path::Path;

use anyhow::{ensure, Context};
use visual_host::runtime::Plugin;

use crate::args::Args;
use crate::python_host::PyHost;
use crate::report::{verdict, Report};
use crate::setup::{backend, bench_mock, generate_request, settings, target, timed, MODEL};
use crate::stats::{mib, ms, ratio, Samples};
use crate::{native, python};

/// Per-call time of `generate`, each client in turn within every round so
/// drift on a shared machine hits them all alike.
pub async fn per_call(
    args: &Args,
    plugin: &Plugin,
    small: Option<&Plugin>,
    python: Option<&Path>,
    python_host: Option<PyHost<'_>>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mock = bench_mock().await?;
    let settings = settings(&mock);
    let network = plugin.network_policy(&settings).await?;
    let request = generate_request();

    // One call to learn the exact body the component sends; the others replay it.
    let mut session = backend(plugin.connect(&settings, network.clone()).await?)?;
    let after_open = session.peak_memory();
    let first = backend(session.generate(&request).await?)?;
    let peak = session.peak_memory();
    let image = &first.images[0];
    ensure!((image.width, image.height) == (1536, 1024), "expected 1536x1024, got {}x{}", image.width, image.height);
    let decoded = image.data.len();
    let sent = mock.requests().pop().context("the mock saw the call")?;
    ensure!(sent.verdict.is_ok(), "the mock refused the component's request: {:?}", sent.verdict);
    let json = sent.body.clone();
    let request_json: serde_json::Value = serde_json::from_slice(&json)?;
    let target = target(&mock);
    let response_bytes = native::post(&target, "/images/generations", "application/json", json.clone()).await?.len();

    let mut sessions = vec![session];
    if let Some(small) = small {
        sessions.push(backend(small.connect(&settings, network.clone()).await?)?);
    }
    // The Python host in its own process, timed in the same rounds.
    let mut py_session = match python_host {
        Some((host, wasm, cache)) => {
            crate::python_host::unless_unavailable(host.session(wasm, cache, &mock.base_url(), None).await)
        }
        None => None,
    };
    // And the Rust host the same way, for a like-for-like comparison.
    let mut rust_session = match python_host {
        Some((_, wasm, cache)) => Some(crate::own_process::session(wasm, cache, &mock.base_url(), None).await?),
        None => None,
    };
    let (mut py_times, mut rust_times) = (vec![], vec![]);
    let (mut transfer, mut floor, mut warm, mut fresh, mut small_warm) = (vec![], vec![], vec![], vec![], vec![]);
    for round in 0..args.warmup + args.calls {
        let keep = round >= args.warmup;
        let (t, body) = timed(native::post(&target, "/images/generations", "application/json", json.clone())).await?;
        ensure!(body.len() == response_bytes);
        if keep {
            transfer.push(t);
        }
        let (t, images) = timed(native::generate(&target, json.clone())).await?;
        ensure!(images[0].len() == decoded, "the native client decoded {} bytes", images[0].len());
        if keep {
            floor.push(t);
        }
        for (i, session) in sessions.iter_mut().enumerate() {
            let (t, generation) = timed(async { backend(session.generate(&request).await?) }).await?;
            ensure!(generation.images[0].data.len() == decoded);
            if keep {
                if i == 0 {
                    warm.push(t)
                } else {
                    small_warm.push(t)
                }
            }
        }
        let (t, generation) = timed(async {
            let mut session = backend(plugin.connect(&settings, network.clone()).await?)?;
            backend(session.generate(&request).await?)
        })
        .await?;
        ensure!(generation.images[0].data.len() == decoded);
        if keep {
            fresh.push(t);
        }
        // The two hosts in their own processes, in alternating order, so
        // neither always follows the same step.
        for which in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let (session, times) = match which {
                0 => (py_session.as_mut(), &mut py_times),
                _ => (rust_session.as_mut(), &mut rust_times),
            };
            if let Some(session) = session {
                let (t, bytes) = session.generate().await?;
                ensure!(bytes == decoded, "a host in its own process decoded {bytes} bytes, not {decoded}");
                if keep {
                    times.push(t);
                }
            }
        }
    }
    for session in [py_session, rust_session].into_iter().flatten() {
        session.close().await;
    }
    let py_host = (!py_times.is_empty()).then(|| Samples::new(py_times));
    let rust_apart = (!rust_times.is_empty()).then(|| Samples::new(rust_times));
    let sdk = match python {
        Some(python) => match python::generate(python, &target, &request_json, args.warmup, args.calls).await {
            Ok(run) => {
                ensure!(run.image_bytes == decoded, "the SDK decoded {} bytes, not {decoded}", run.image_bytes);
                Some(run)
            }
            Err(e) => {
                eprintln!("visual-bench: the Python SDK run failed: {e:#}");
                None
            }
        },
        None => None,
    };

    let floor = Samples::new(floor);
    let warm = Samples::new(warm);
    report.section(
        format!(
            "Per-call `generate` ({MODEL}, landscape: a 1536x1024 PNG of {} decoded, {} of JSON)",
            mib(decoded),
            mib(response_bytes)
        ),
        "| client | median | p90 | vs native |",
    );
    let line = |report: &mut Report, name: &str, s: &Samples| {
        report.row(&[name, &ms(s.median()), &ms(s.p90()), &ratio(s.median(), floor.median())]);
    };
    line(report, "HTTP exchange only (native, no decoding)", &Samples::new(transfer));
    line(report, "native Rust: hyper + serde_json + base64 (the floor)", &floor);
    line(report, "component in wasmtime, warm instance", &warm);
    line(report, "component, new instance + open for each call", &Samples::new(fresh));
    if !small_warm.is_empty() {
        line(report, "component built with release-small, warm instance", &Samples::new(small_warm));
    }
    if let Some(rust) = &rust_apart {
        line(report, "component in wasmtime, warm instance, Rust host in its own process", rust);
    }
    if let Some(py) = &py_host {
        line(report, "Python host (talemate_visual on the Rust host), warm client, own process", py);
    }
    if let Some(sdk) = &sdk {
        line(report, &format!("OpenAI Python SDK {} (httpx, keep-alive)", sdk.version), &sdk.calls);
    }
    let overhead = warm.median().as_secs_f64() / floor.median().as_secs_f64();
    report.note(format!(
        "Component overhead: {overhead:.2}x the native client, {} more per call (target at most 1.5x: {}).",
        ms(warm.median().saturating_sub(floor.median())),
        verdict(overhead, 1.5)
    ));
    match (&py_host, &rust_apart) {
        (Some(py), Some(rust)) => {
            let multiple = py.median().as_secs_f64() / rust.median().as_secs_f64();
            let in_process = py.median().as_secs_f64() / warm.median().as_secs_f64();
            report.note(format!(
                "Python host: {multiple:.2}x the Rust host, each in a process of its own, {} more per call \
                 (target at most 1.15x: {}); {in_process:.2}x the Rust host in this process, which shares \
                 one runtime with the mock.",
                ms(py.median().saturating_sub(rust.median())),
                verdict(multiple, 1.15)
            ));
        }
        _ => report.note("The Python host was left out of this run."),
    }
    match &sdk {
        Some(sdk) => {
            let speedup = sdk.calls.median().as_secs_f64() / warm.median().as_secs_f64();
            report.note(format!(
                "Against the Python SDK: the component is {speedup:.2}x faster per call (target at least 3x: {}).",
                if speedup >= 3.0 {
                    "met".to_string()
                } else {
                    format!("missed by {:.0}%", (3.0 / speedup - 1.0) * 100.0)
                }
            ));
        }
        None => report.note("The Python SDK was left out of this run."),
    }

    report.section("Memory inside the component during `generate`", "| measure | value |");
    let multiple = peak as f64 / decoded as f64;
    report.row(&["linear memory after `open`", &mib(after_open)]);
    report.row(&["peak linear memory over the call", &mib(peak)]);
    report.row(&["decoded image", &mib(decoded)]);
    report.row(&["peak / decoded image", &format!("{multiple:.2}x (target under 2x: {})", verdict(multiple, 2.0))]);
    drop(sessions);
    mock.shutdown().await;
    Ok(())
}
