//! Successful image answers: the ImagesResponse JSON, or the event stream of
//! partial images and completed events, exactly as the spec's schemas list
//! them. Payload faults (bad base64, not an image, broken streams) are applied
//! here because they change only what is written, not what was validated.
//!
//! Every format comes back base64 in `b64_json`, 2.6's animated GIF and SVG
//! included (LIFECYCLE.md, "Current image models"); an SVG answer adds
//! `svg_usage`. A streamed GIF's partial images are PNG previews (they say
//! `output_format: "png"`), and its completed event carries the GIF; an SVG
//! is not streamed (refused in [`crate::params`]).

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::body::Script;
use super::job::ImageJob;
use super::kinds::ModelKind;
use super::look::{colour, towards_grey, ImageDetail, Look};
use super::render::ImageCache;
use super::sse::{self, Ending};
use super::types::OutFormat;
use super::usage;

/// A validated job with its images encoded.
#[derive(Debug, Clone)]
pub(crate) struct RenderedImages {
    pub job: ImageJob,
    pub created: u64,
    /// The final image of each of the `n` outputs.
    pub finals: Vec<Bytes>,
    /// `partial_images` previews for each output (streaming only).
    pub partials: Vec<Vec<Bytes>>,
    /// For dall-e-3 URL answers: where each final image is served.
    pub urls: Vec<String>,
}

/// What a payload fault does to the `b64_json` values.
#[derive(Debug, Clone)]
pub(crate) enum Tamper {
    BadBase64,
    /// Valid base64 of bytes that are no image.
    NotAnImage(Bytes),
}

/// How a stream fault changes the event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamMod {
    BreakBeforeCompleted,
    BreakAfterCompleted,
    ErrorEvent,
}

/// Encodes the job's images; each output gets its own colour from the prompt,
/// its index and the input images, and partials fade in from grey.
pub(crate) async fn render(
    cache: &Arc<ImageCache>,
    job: ImageJob,
    created: u64,
    detail: ImageDetail,
) -> RenderedImages {
    let mut finals = Vec::new();
    let mut partials = Vec::new();
    let inputs: Vec<&[u8]> = job.inputs.iter().chain(job.markup.iter()).map(|i| i.sha256.as_slice()).collect();
    for index in 0..job.n {
        let index_bytes = index.to_le_bytes();
        let mut seed: Vec<&[u8]> = vec![job.prompt.as_bytes(), &index_bytes];
        seed.extend(&inputs);
        let rgb = colour(&seed);
        let look = Look {
            width: job.width,
            height: job.height,
            format: job.output_format,
            animation: job.animation,
            rgb,
            transparent: job.background == "transparent",
            jpeg_quality: job.compression,
            detail,
        };
        finals.push(cache.get(look).await);
        let mut previews = Vec::new();
        if job.stream {
            let count = job.partial_images;
            for p in 0..count {
                let t = 1.0 - (p + 1) as f32 / (count + 1) as f32;
                let format = preview_format(job.output_format);
                let preview = Look { rgb: towards_grey(rgb, t), format, animation: None, ..look };
                previews.push(cache.get(preview).await);
            }
        }
        partials.push(previews);
    }
    RenderedImages { job, created, finals, partials, urls: Vec::new() }
}

/// The format of a partial image: a GIF's previews are still PNGs.
fn preview_format(format: OutFormat) -> OutFormat {
    match format {
        OutFormat::Gif => OutFormat::Png,
        other => other,
    }
}

fn b64(bytes: &Bytes, tamper: Option<&Tamper>) -> String {
    match tamper {
        None => STANDARD.encode(bytes),
        Some(Tamper::BadBase64) => "!!!notbase64".to_string(),
        Some(Tamper::NotAnImage(junk)) => STANDARD.encode(junk),
    }
}

/// What the real service would rewrite a dall-e-3 prompt into.
fn revised_prompt(prompt: &str) -> String {
    format!("A detailed, high-quality rendering of the following scene: {prompt}")
}

/// The ImagesResponse body.
pub(crate) fn images_response(r: &RenderedImages, tamper: Option<&Tamper>) -> Value {
    let job = &r.job;
    let data: Vec<Value> = r
        .finals
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let mut item = Map::new();
            match r.urls.get(i) {
                Some(url) if job.url_response => item.insert("url".into(), json!(url)),
                _ => item.insert("b64_json".into(), json!(b64(bytes, tamper))),
            };
            if job.kind == ModelKind::DallE3 {
                item.insert("revised_prompt".into(), json!(revised_prompt(&job.prompt)));
            }
            Value::Object(item)
        })
        .collect();
    let mut body = json!({"created": r.created, "data": data});
    if job.kind.is_gpt() {
        body["background"] = json!(job.background);
        body["output_format"] = json!(job.output_format.as_str());
        body["quality"] = json!(job.quality);
        body["size"] = json!(job.size_label());
        body["usage"] = usage::image_usage(job, None, true);
    }
    if let (Some(author), Some(document)) = (&job.svg, r.finals.first()) {
        body["svg_usage"] = usage::svg_usage(job, author, document.len());
    }
    body
}

/// The event stream: for each output, its partial images then its completed event.
pub(crate) fn event_stream(
    r: &RenderedImages,
    tamper: Option<&Tamper>,
    modification: Option<StreamMod>,
    pause: Duration,
    error_body: impl FnOnce() -> Value,
) -> Script {
    let job = &r.job;
    let prefix = job.endpoint.event_prefix();
    let common = |kind: &str, bytes: &Bytes, format: OutFormat| {
        json!({
            "type": format!("{prefix}.{kind}"),
            "b64_json": b64(bytes, tamper),
            "created_at": r.created,
            "size": job.size_label(),
            "quality": job.quality,
            "background": job.background,
            "output_format": format.as_str(),
        })
    };
    // `output_tokens_details` "on newer models" (LIFECYCLE.md, "Prices"): gpt-image-2 and later.
    let output_details = matches!(job.kind, ModelKind::GptImage2 | ModelKind::GptImage25 | ModelKind::GptImage26);
    let mut events = Vec::new();
    let mut ending = Ending::Clean;
    for (i, final_bytes) in r.finals.iter().enumerate() {
        for (p, partial) in r.partials[i].iter().enumerate() {
            let mut e = common("partial_image", partial, preview_format(job.output_format));
            e["partial_image_index"] = json!(p);
            events.push(sse::event(&format!("{prefix}.partial_image"), &e));
        }
        match modification {
            Some(StreamMod::BreakBeforeCompleted) => {
                ending = Ending::Broken;
                break;
            }
            Some(StreamMod::ErrorEvent) => {
                events.push(sse::event("error", &json!({"type": "error", "error": error_body()})));
                break;
            }
            _ => {}
        }
        let mut e = common("completed", final_bytes, job.output_format);
        e["usage"] = usage::image_usage(job, Some(i as u32), output_details);
        events.push(sse::event(&format!("{prefix}.completed"), &e));
    }
    if modification == Some(StreamMod::BreakAfterCompleted) {
        ending = Ending::Broken;
    }
    sse::script(events, pause, ending)
}
