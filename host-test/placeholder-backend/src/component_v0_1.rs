//! The same backend for the 0.1 contract (`--features contract-v0-1`): the
//! component the workspace keeps to test that hosts still load and present
//! 0.1 backends. The logic is shared with the 0.3 and 0.2 exports in `component.rs`.

use std::cell::Cell;

use crate::glue::job;
use crate::{check_partial_images, check_references, describe, Encoding, Format, Job, Plan, Rejection};

wit_bindgen::generate!({
    world: "backend",
    path: "../../wit/since_v0.1.0",
});

use exports::talemate::visual::visual_backend as api;
use talemate::visual::types as wit;

struct Component;

export!(Component);

impl api::Guest for Component {
    type Client = Client;
    type GenerationStream = Stream;

    fn info() -> wit::BackendInfo {
        let model = |sizes: bool, references: u32, images: u32, streams: bool| wit::ModelInfo {
            id: crate::MODEL.into(),
            label: "Placeholder".into(),
            note: Some(crate::MODEL_NOTE.into()),
            sizes: if sizes { format_sizes() } else { Vec::new() },
            max_reference_images: references,
            max_prompt_chars: crate::MAX_PROMPT_CHARS,
            max_images: images,
            streams_partial_images: streams,
        };
        let capability = |capability, m: wit::ModelInfo| wit::CapabilityInfo {
            capability,
            supported: true,
            max_reference_images: m.max_reference_images,
            models: vec![m],
            default_model: Some(crate::MODEL.into()),
            accepts_unknown_models: false,
        };
        wit::BackendInfo {
            name: "placeholder".into(),
            label: crate::LABEL.into(),
            description: crate::DESCRIPTION.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            prompt_style: wit::PromptStyle::Descriptive,
            capabilities: vec![
                capability(wit::Capability::TextToImage, model(true, 0, crate::MAX_IMAGES, true)),
                capability(
                    wit::Capability::ImageEdit,
                    model(true, crate::MAX_REFERENCE_IMAGES, crate::MAX_IMAGES, true),
                ),
                capability(wit::Capability::ImageAnalysis, model(false, 0, 0, false)),
            ],
        }
    }
}

/// Settings are accepted as given: there is no service to authenticate with.
pub struct Client;

impl api::GuestClient for Client {
    fn open(_settings: wit::Settings) -> Result<api::Client, wit::Error> {
        Ok(api::Client::new(Client))
    }

    fn generate(&self, request: wit::GenerateRequest) -> Result<wit::Generation, wit::Error> {
        let plan = Plan::new(&generate_job(&request)).map_err(to_error)?;
        generation(&plan)
    }

    fn edit(&self, request: wit::EditRequest) -> Result<wit::Generation, wit::Error> {
        let plan = edit_plan(&request)?;
        generation(&plan)
    }

    fn analyze(&self, request: wit::AnalyzeRequest) -> Result<wit::Analysis, wit::Error> {
        let d = describe(&request.image, &request.prompt, request.model.as_deref(), request.max_output_tokens)
            .map_err(to_error)?;
        Ok(analysis(d))
    }

    fn check(&self, _capability: wit::Capability, model: Option<String>) -> Result<wit::Status, wit::Error> {
        Ok(status(model))
    }

    fn start_generate(
        &self,
        request: wit::GenerateRequest,
        partial_images: u32,
    ) -> Result<api::GenerationStream, wit::Error> {
        let plan = Plan::new(&generate_job(&request)).map_err(to_error)?;
        Stream::start(plan, partial_images)
    }

    fn start_edit(&self, request: wit::EditRequest, partial_images: u32) -> Result<api::GenerationStream, wit::Error> {
        let plan = edit_plan(&request)?;
        Stream::start(plan, partial_images)
    }
}

fn generate_job(r: &wit::GenerateRequest) -> Job<'_> {
    job!(r, r.output_format.map(from_encoding), r.output_compression)
}

fn edit_plan(r: &wit::EditRequest) -> Result<Plan, wit::Error> {
    let plan = Plan::new(&job!(r, r.output_format.map(from_encoding), r.output_compression)).map_err(to_error)?;
    check_references(&r.images, r.mask.as_deref()).map_err(to_error)?;
    Ok(plan)
}

crate::glue::shared_glue!();

fn from_encoding(f: wit::OutputFormat) -> Encoding {
    match f {
        wit::OutputFormat::Png => Encoding::Png,
        wit::OutputFormat::Jpeg => Encoding::Jpeg,
        wit::OutputFormat::Webp => Encoding::Webp,
    }
}
