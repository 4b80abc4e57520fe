//! The WIT exports (contract 0.2) over the crate's plain logic. The world is
//! the contract's `backend`: it exports `visual-backend` and imports no
//! `wasi:http`, so this component cannot reach a network even if a host would
//! let it. (Rust's std still links a few `wasi:cli` and `wasi:io` imports for
//! its stdio plumbing.)

use std::cell::Cell;

use crate::{check_partial_images, check_references, describe, Encoding, Format, Job, Plan, Rejection};

wit_bindgen::generate!({
    world: "backend",
    path: "../../wit/since_v0.2.0",
});

use exports::talemate::visual::visual_backend as api;
use talemate::visual::types as wit;

struct Component;

export!(Component);

impl api::Guest for Component {
    type Client = Client;
    type GenerationStream = Stream;

    fn info() -> wit::BackendInfo {
        let capability = |capability| {
            let m = model_info(capability);
            wit::CapabilityInfo {
                capability,
                supported: true,
                max_reference_images: m.max_reference_images,
                models: vec![m],
                default_model: Some(crate::MODEL.into()),
                accepts_unknown_models: false,
            }
        };
        wit::BackendInfo {
            name: "placeholder".into(),
            label: "Placeholder (offline)".into(),
            description: "Draws a PNG of one colour chosen from the prompt and describes images from their \
                          headers, without a key or a network. For building and testing hosts."
                .into(),
            version: env!("CARGO_PKG_VERSION").into(),
            prompt_style: wit::PromptStyle::Descriptive,
            capabilities: CAPABILITIES.iter().map(|&c| capability(c)).collect(),
            // Nothing to configure: no service, no key.
            settings: Vec::new(),
        }
    }
}

const CAPABILITIES: [wit::Capability; 3] =
    [wit::Capability::TextToImage, wit::Capability::ImageEdit, wit::Capability::ImageAnalysis];

/// The one model, as each capability offers it.
fn model_info(capability: wit::Capability) -> wit::ModelInfo {
    let draws = capability != wit::Capability::ImageAnalysis;
    wit::ModelInfo {
        id: crate::MODEL.into(),
        label: "Placeholder".into(),
        note: Some("Draws one colour chosen from the prompt; needs no key or network.".into()),
        lifecycle: Some(wit::Lifecycle { state: wit::ModelState::Active, shutdown_date: None, replacement: None }),
        sizes: wit::SizeRule {
            formats: if draws {
                Format::ALL
                    .iter()
                    .map(|&f| {
                        let (width, height) = f.size();
                        wit::FormatSize { format: to_format(f), size: wit::Size { width, height } }
                    })
                    .collect()
            } else {
                Vec::new()
            },
            free: draws.then_some(wit::FreeSizes {
                step: 1,
                min_side: crate::MIN_SIDE,
                max_long_side: crate::MAX_SIDE,
                max_short_side: crate::MAX_SIDE,
                max_aspect_ratio: crate::MAX_ASPECT,
            }),
        },
        qualities: Vec::new(),
        default_quality: None,
        options: Vec::new(),
        max_reference_images: if capability == wit::Capability::ImageEdit { crate::MAX_REFERENCE_IMAGES } else { 0 },
        max_prompt_chars: crate::MAX_PROMPT_CHARS,
        max_images: if draws { crate::MAX_IMAGES } else { 0 },
        streams_partial_images: draws,
    }
}

/// There is no service to authenticate with, so no setting is declared, and a
/// setting given anyway is a host's mistake worth saying.
pub struct Client;

impl api::GuestClient for Client {
    fn open(settings: Vec<wit::Setting>) -> Result<api::Client, wit::Error> {
        if let Some(s) = settings.first() {
            return Err(wit::Error::InvalidInput(format!(
                "the placeholder backend takes no settings; got {:?}",
                s.name
            )));
        }
        Ok(api::Client::new(Client))
    }

    fn generate(&self, request: wit::GenerateRequest) -> Result<wit::Generation, wit::Error> {
        let plan = generate_plan(&request)?;
        generation(&plan)
    }

    fn edit(&self, request: wit::EditRequest) -> Result<wit::Generation, wit::Error> {
        let plan = edit_plan(&request)?;
        generation(&plan)
    }

    fn analyze(&self, request: wit::AnalyzeRequest) -> Result<wit::Analysis, wit::Error> {
        no_options(&request.options)?;
        let d = describe(&request.image, &request.prompt, request.model.as_deref(), request.max_output_tokens)
            .map_err(to_error)?;
        Ok(analysis(d))
    }

    fn check(&self, _capability: wit::Capability, model: Option<String>) -> Result<wit::Status, wit::Error> {
        Ok(status(model))
    }

    fn models(&self, capability: Option<wit::Capability>) -> Result<Vec<wit::ModelEntry>, wit::Error> {
        Ok(CAPABILITIES
            .iter()
            .filter(|&&c| capability.is_none_or(|wanted| wanted == c))
            .map(|&c| {
                let m = model_info(c);
                wit::ModelEntry {
                    id: m.id,
                    capability: c,
                    listed: true,
                    lifecycle: m.lifecycle,
                    label: m.label,
                    note: m.note,
                }
            })
            .collect())
    }

    fn start_generate(
        &self,
        request: wit::GenerateRequest,
        partial_images: u32,
    ) -> Result<api::GenerationStream, wit::Error> {
        let plan = generate_plan(&request)?;
        Stream::start(plan, partial_images)
    }

    fn start_edit(&self, request: wit::EditRequest, partial_images: u32) -> Result<api::GenerationStream, wit::Error> {
        let plan = edit_plan(&request)?;
        Stream::start(plan, partial_images)
    }
}

/// The model declares no quality tiers and no options: naming one is an
/// error, as it would be with any backend that validates its declarations.
fn no_options(options: &[wit::Pair]) -> Result<(), wit::Error> {
    match options.first() {
        Some(o) => Err(wit::Error::InvalidInput(format!("the placeholder model takes no options; got {:?}", o.name))),
        None => Ok(()),
    }
}

fn no_quality(quality: Option<&str>) -> Result<(), wit::Error> {
    match quality {
        Some(q) => Err(wit::Error::InvalidInput(format!("the placeholder model has no quality tiers; got {q:?}"))),
        None => Ok(()),
    }
}

fn generate_plan(r: &wit::GenerateRequest) -> Result<Plan, wit::Error> {
    no_quality(r.quality.as_deref())?;
    no_options(&r.options)?;
    Plan::new(&job(&r.prompt, r.format, r.model.as_deref(), r.size, r.n, r.output_format)).map_err(to_error)
}

fn edit_plan(r: &wit::EditRequest) -> Result<Plan, wit::Error> {
    no_quality(r.quality.as_deref())?;
    no_options(&r.options)?;
    let plan =
        Plan::new(&job(&r.prompt, r.format, r.model.as_deref(), r.size, r.n, r.output_format)).map_err(to_error)?;
    check_references(&r.images, r.mask.as_deref()).map_err(to_error)?;
    Ok(plan)
}

fn job<'a>(
    prompt: &'a str,
    format: wit::ImageFormat,
    model: Option<&'a str>,
    size: Option<wit::Size>,
    n: Option<u32>,
    output_format: Option<wit::OutputFormat>,
) -> Job<'a> {
    Job {
        prompt,
        format: from_format(format),
        model,
        size: size.map(|s| (s.width, s.height)),
        n,
        encoding: output_format.map(from_encoding),
        compression: None,
    }
}

crate::glue::shared_glue!();
