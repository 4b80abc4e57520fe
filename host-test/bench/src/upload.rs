//! Upload throughput of an edit with a large reference image.

use anyhow::{bail, ensure, Context};
use bytes::Bytes;
use openai_mock::noise_png;
use visual_host::bindings::{EditRequest, ImageFormat};
use visual_host::runtime::Plugin;

use crate::args::Args;
use crate::native;
use crate::python_host::PyHost;
use crate::report::Report;
use crate::setup::{backend, bench_mock, settings, target, timed, MODEL};
use crate::stats::{mib, ms, rate, ratio, Samples};

/// Upload throughput of an edit with a large reference: the component
/// against the native client sending the component's exact multipart body.
pub async fn upload(
    args: &Args,
    plugin: &Plugin,
    python_host: Option<PyHost<'_>>,
    report: &mut Report,
) -> anyhow::Result<()> {
    let side = if args.quick { 900 } else { 3200 };
    let reference = noise_png(side, side);
    let mock = bench_mock().await?;
    let settings = settings(&mock);
    let network = plugin.network_policy(&settings).await?;
    let request = EditRequest {
        model: Some(MODEL.into()),
        ..EditRequest::new("the same lighthouse, now at night", ImageFormat::Landscape, vec![reference.clone()])
    };
    let reps = if args.quick { 1 } else { 9 };

    let (mut component, mut native_times, mut peak_multiple) = (Vec::new(), Vec::new(), 0f64);
    let mut replay: Option<(Bytes, String)> = None;
    let target = target(&mock);
    // The Python host in its own process, timed in the same rounds.
    let reference_file = crate::paths::target_dir().join("bench-python").join("reference.png");
    let mut py_session = match python_host {
        Some((host, wasm, cache)) => {
            std::fs::write(&reference_file, &reference)?;
            let session = host.session(wasm, cache, &mock.base_url(), Some(&reference_file)).await;
            let _ = std::fs::remove_file(&reference_file);
            crate::python_host::unless_unavailable(session)
        }
        None => None,
    };
    // And the Rust host the same way, for a like-for-like comparison.
    let mut rust_session = match python_host {
        Some((_, wasm, cache)) => {
            std::fs::write(&reference_file, &reference)?;
            let session = crate::own_process::session(wasm, cache, &mock.base_url(), Some(&reference_file)).await;
            let _ = std::fs::remove_file(&reference_file);
            Some(session?)
        }
        None => None,
    };
    let (mut py_times, mut rust_times) = (Vec::new(), Vec::new());
    for round in 0..=reps {
        let mut session = backend(plugin.connect(&settings, network.clone()).await?)?;
        let (t, generation) = timed(async { backend(session.edit(&request).await?) }).await?;
        ensure!(generation.images.len() == 1);
        peak_multiple = peak_multiple.max(session.peak_memory() as f64 / reference.len() as f64);
        if replay.is_none() {
            let sent = mock.requests().pop().context("the mock saw the edit")?;
            ensure!(sent.verdict.is_ok(), "the mock refused the component's edit: {:?}", sent.verdict);
            if sent.body.len() as u64 != sent.body_len {
                bail!("the mock kept {} of {} body bytes", sent.body.len(), sent.body_len);
            }
            let content_type = sent.header("content-type").context("a content type")?.to_string();
            replay = Some((sent.body.clone(), content_type));
        }
        let (body, content_type) = replay.as_ref().expect("set above");
        let (tn, images) = timed(async {
            native::decode_images(&native::post(&target, "/images/edits", content_type, body.clone()).await?)
        })
        .await?;
        ensure!(images.len() == 1);
        // The two hosts in their own processes, in alternating order.
        let (mut tp, mut tr) = (None, None);
        for which in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            match which {
                0 => {
                    if let Some(py) = py_session.as_mut() {
                        tp = Some(py.edit().await?);
                    }
                }
                _ => {
                    if let Some(rust) = rust_session.as_mut() {
                        tr = Some(rust.edit().await?);
                    }
                }
            }
        }
        if round > 0 {
            component.push(t);
            native_times.push(tn);
            py_times.extend(tp);
            rust_times.extend(tr);
        }
        mock.clear_requests();
    }
    for session in [py_session, rust_session].into_iter().flatten() {
        session.close().await;
    }
    let py_host = (!py_times.is_empty()).then(|| Samples::new(py_times));
    let rust_apart = (!rust_times.is_empty()).then(|| Samples::new(rust_times));
    let body_len = replay.as_ref().map(|(b, _)| b.len()).unwrap_or(0);
    let (component, native_times) = (Samples::new(component), Samples::new(native_times));
    report.section(
        format!(
            "Edit upload: a {} PNG reference ({} multipart body), answer included",
            mib(reference.len()),
            mib(body_len)
        ),
        "| client | median | throughput | vs native |",
    );
    report.row(&[
        "native Rust, same multipart bytes",
        &ms(native_times.median()),
        &rate(body_len, native_times.median()),
        "1.00x",
    ]);
    report.row(&[
        "component in wasmtime (new instance per edit)",
        &ms(component.median()),
        &rate(body_len, component.median()),
        &ratio(component.median(), native_times.median()),
    ]);
    if let Some(rust) = &rust_apart {
        report.row(&[
            "component, Rust host in its own process (new instance per edit)",
            &ms(rust.median()),
            &rate(body_len, rust.median()),
            &ratio(rust.median(), native_times.median()),
        ]);
    }
    if let Some(py) = &py_host {
        report.row(&[
            "Python host (talemate_visual, new client per edit, own process)",
            &ms(py.median()),
            &rate(body_len, py.median()),
            &ratio(py.median(), native_times.median()),
        ]);
    }
    report.note(format!("Peak linear memory during the edit: {peak_multiple:.2}x the reference image."));
    if let (Some(py), Some(rust)) = (&py_host, &rust_apart) {
        let multiple = py.median().as_secs_f64() / rust.median().as_secs_f64();
        let in_process = py.median().as_secs_f64() / component.median().as_secs_f64();
        report.note(format!(
            "Python host: {multiple:.2}x the Rust host's upload, each in a process of its own (target at most \
             1.2x: {}); {in_process:.2}x the Rust host in this process.",
            crate::report::verdict(multiple, 1.2)
        ));
    }
    mock.shutdown().await;
    Ok(())
}
