//! Upload throughput of an edit with a large reference image.

use anyhow::{bail, ensure, Context};
use bytes::Bytes;
use openai_mock::noise_png;
use visual_host::bindings::{EditRequest, ImageFormat};
use visual_host::runtime::Plugin;

use crate::native;
use crate::report::Report;
use crate::setup::{backend, bench_mock, settings, target, timed, MODEL};
use crate::stats::{mib, ms, rate, ratio, Samples};
use crate::Args;

/// Upload throughput of an edit with a large reference: the component
/// against the native client sending the component's exact multipart body.
pub async fn upload(args: &Args, plugin: &Plugin, report: &mut Report) -> anyhow::Result<()> {
    let side = if args.quick { 900 } else { 3200 };
    let reference = noise_png(side, side);
    let mock = bench_mock().await?;
    let settings = settings(&mock);
    let network = plugin.network_policy(&settings).await?;
    let request = EditRequest {
        model: Some(MODEL.into()),
        ..EditRequest::new("the same lighthouse, now at night", ImageFormat::Landscape, vec![reference.clone()])
    };
    let reps = if args.quick { 1 } else { 5 };

    let (mut component, mut native_times, mut peak_multiple) = (Vec::new(), Vec::new(), 0f64);
    let mut replay: Option<(Bytes, String)> = None;
    let target = target(&mock);
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
        if round > 0 {
            component.push(t);
            native_times.push(tn);
        }
        mock.clear_requests();
    }
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
    report.note(format!("Peak linear memory during the edit: {peak_multiple:.2}x the reference image."));
    mock.shutdown().await;
    Ok(())
}
