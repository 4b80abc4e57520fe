//! The WIT exports (contract 0.3, or 0.2 with the `contract-v0-2` feature)
//! over the crate's plain logic. The world is the contract's `backend`: it
//! exports `visual-backend` and imports no `wasi:http`, so this component
//! cannot reach a network even if a host would let it. (Rust's std still links
//! a few `wasi:cli` and `wasi:io` imports for its stdio plumbing.)
//!
//! 0.2 and 0.3 differ here only where 0.3 added something (declared output
//! formats and prices, extra parameters, typed options, the cost of a call):
//! those seams are the `v0_3` and `v0_2` modules at the end, one of which is
//! built.

use std::cell::Cell;

use crate::glue::job;
use crate::{check_partial_images, check_references, describe, Format, Plan, Rejection};

#[cfg(not(feature = "contract-v0-2"))]
wit_bindgen::generate!({
    world: "backend",
    path: "../../wit/since_v0.3.0",
});
#[cfg(feature = "contract-v0-2")]
wit_bindgen::generate!({
    world: "backend",
    path: "../../wit/since_v0.2.0",
});

#[cfg(feature = "contract-v0-2")]
use v0_2 as version;
#[cfg(not(feature = "contract-v0-2"))]
use v0_3 as version;

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
                // Nothing to send them to.
                #[cfg(not(feature = "contract-v0-2"))]
                accepts_extra_parameters: false,
            }
        };
        wit::BackendInfo {
            name: "placeholder".into(),
            label: crate::LABEL.into(),
            description: crate::DESCRIPTION.into(),
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
        note: Some(crate::MODEL_NOTE.into()),
        lifecycle: Some(wit::Lifecycle { state: wit::ModelState::Active, shutdown_date: None, replacement: None }),
        sizes: wit::SizeRule {
            formats: if draws { format_sizes() } else { Vec::new() },
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
        // It draws PNG, and costs nothing: no prices to declare.
        #[cfg(not(feature = "contract-v0-2"))]
        output_formats: if draws { vec!["png".into()] } else { Vec::new() },
        #[cfg(not(feature = "contract-v0-2"))]
        default_output_format: draws.then(|| "png".into()),
        #[cfg(not(feature = "contract-v0-2"))]
        prices: None,
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
        no_options(request.options.first().map(|o| o.name.as_str()))?;
        version::no_extra(&request)?;
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

/// The model declares no quality tiers and no options: naming one (`first`)
/// is an error, as it would be with any backend that validates its declarations.
fn no_options(first: Option<&str>) -> Result<(), wit::Error> {
    match first {
        Some(name) => Err(wit::Error::InvalidInput(format!("the placeholder model takes no options; got {name:?}"))),
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
    no_options(r.options.first().map(|o| o.name.as_str()))?;
    version::no_extra(r)?;
    Plan::new(&job!(r, version::encoding(&r.output_format)?, None)).map_err(to_error)
}

fn edit_plan(r: &wit::EditRequest) -> Result<Plan, wit::Error> {
    no_quality(r.quality.as_deref())?;
    no_options(r.options.first().map(|o| o.name.as_str()))?;
    version::no_extra(r)?;
    let plan = Plan::new(&job!(r, version::encoding(&r.output_format)?, None)).map_err(to_error)?;
    check_references(&r.images, r.mask.as_deref()).map_err(to_error)?;
    Ok(plan)
}

crate::glue::shared_glue!();

/// What contract 0.3 added that the placeholder checks: extra parameters
/// (it has nowhere to send them) and output formats as names.
#[cfg(not(feature = "contract-v0-2"))]
mod v0_3 {
    use super::wit;
    use crate::Encoding;

    /// Requests that can carry extra parameters.
    pub trait Extra {
        fn first_extra(&self) -> Option<&str>;
    }

    macro_rules! extra {
        ($($request:ty),+) => {
            $(impl Extra for $request {
                fn first_extra(&self) -> Option<&str> {
                    self.extra.first().map(|p| p.name.as_str())
                }
            })+
        };
    }
    extra!(wit::GenerateRequest, wit::EditRequest, wit::AnalyzeRequest);

    pub fn no_extra(r: &impl Extra) -> Result<(), wit::Error> {
        match r.first_extra() {
            Some(name) => Err(wit::Error::InvalidInput(format!(
                "the placeholder backend takes no extra parameters (it sends nothing anywhere); got {name:?}"
            ))),
            None => Ok(()),
        }
    }

    /// The encoding named; one it does not know is refused.
    pub fn encoding(f: &Option<String>) -> Result<Option<Encoding>, wit::Error> {
        match f.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("png") => Ok(Some(Encoding::Png)),
            Some("jpeg") => Ok(Some(Encoding::Jpeg)),
            Some("webp") => Ok(Some(Encoding::Webp)),
            Some(other) => Err(wit::Error::Unsupported(format!(
                "the placeholder backend draws PNG only; output format {other:?} is not one it makes"
            ))),
        }
    }
}

/// Contract 0.2's shape: no extra parameters, output formats as an enum.
#[cfg(feature = "contract-v0-2")]
mod v0_2 {
    use super::wit;
    use crate::Encoding;

    pub fn no_extra<T>(_: &T) -> Result<(), wit::Error> {
        Ok(())
    }

    pub fn encoding(f: &Option<wit::OutputFormat>) -> Result<Option<Encoding>, wit::Error> {
        Ok(f.map(|f| match f {
            wit::OutputFormat::Png => Encoding::Png,
            wit::OutputFormat::Jpeg => Encoding::Jpeg,
            wit::OutputFormat::Webp => Encoding::Webp,
        }))
    }
}
