//! The WIT exports: wit-bindgen's generated traits implemented over the pure
//! [`Client`], with conversions between the generated types and the crate's
//! own. Nothing here decides behaviour; it only translates.

use std::cell::RefCell;

use crate::client::Client;
use crate::config::Config;
use crate::error::{Error, Failure, TimeoutPhase};
use crate::streaming;
use crate::transport::WasiTransport;
use crate::{models, types as t};

wit_bindgen::generate!({
    world: "openai-backend",
    path: "wit",
    with: {
        "wasi:http/types@0.2.12": wasi::http::types,
        "wasi:http/outgoing-handler@0.2.12": wasi::http::outgoing_handler,
        "wasi:io/error@0.2.12": wasi::io::error,
        "wasi:io/poll@0.2.12": wasi::io::poll,
        "wasi:io/streams@0.2.12": wasi::io::streams,
        "wasi:clocks/monotonic-clock@0.2.12": wasi::clocks::monotonic_clock,
        "wasi:random/random@0.2.12": wasi::random::random,
    },
});

use exports::talemate::visual::visual_backend as api;
use talemate::visual::types as wit;

struct Component;

export!(Component);

impl api::Guest for Component {
    type Client = ClientResource;
    type GenerationStream = StreamResource;

    fn info() -> wit::BackendInfo {
        backend_info(models::backend_info())
    }
}

/// One configured client; calls are sequential, so a `RefCell` suffices.
pub struct ClientResource {
    client: RefCell<Client<WasiTransport>>,
}

impl api::GuestClient for ClientResource {
    fn open(settings: wit::Settings) -> Result<api::Client, wit::Error> {
        let settings = from_settings(settings);
        let key = settings.api_key.clone();
        let config = Config::from_settings(&settings).map_err(|e| to_error(e.redacted(&key)))?;
        Ok(api::Client::new(ClientResource { client: RefCell::new(Client::new(config, WasiTransport)) }))
    }

    fn generate(&self, request: wit::GenerateRequest) -> Result<wit::Generation, wit::Error> {
        let request = from_generate(request);
        self.client.borrow_mut().generate(&request).map(generation).map_err(to_error)
    }

    fn edit(&self, request: wit::EditRequest) -> Result<wit::Generation, wit::Error> {
        let request = from_edit(request);
        self.client.borrow_mut().edit(&request).map(generation).map_err(to_error)
    }

    fn analyze(&self, request: wit::AnalyzeRequest) -> Result<wit::Analysis, wit::Error> {
        let request = t::AnalyzeRequest {
            image: request.image,
            prompt: request.prompt,
            model: request.model,
            detail: request.detail.map(|d| match d {
                wit::Detail::Auto => t::Detail::Auto,
                wit::Detail::Low => t::Detail::Low,
                wit::Detail::High => t::Detail::High,
            }),
            max_output_tokens: request.max_output_tokens,
        };
        self.client
            .borrow_mut()
            .analyze(&request)
            .map(|a| wit::Analysis {
                text: a.text,
                model: a.model,
                finish_reason: a.finish_reason,
                truncated: a.truncated,
                usage: a.usage.map(usage),
            })
            .map_err(to_error)
    }

    fn check(&self, capability: wit::Capability, model: Option<String>) -> Result<wit::Status, wit::Error> {
        self.client
            .borrow_mut()
            .check(from_capability(capability), model.as_deref())
            .map(|s| wit::Status {
                level: match s.level {
                    t::StatusLevel::Ok => wit::StatusLevel::Ok,
                    t::StatusLevel::Warning => wit::StatusLevel::Warning,
                    t::StatusLevel::Error => wit::StatusLevel::Error,
                },
                message: s.message,
                model: s.model,
                problem: s.problem.map(to_error),
            })
            .map_err(to_error)
    }

    fn start_generate(
        &self,
        request: wit::GenerateRequest,
        partial_images: u32,
    ) -> Result<api::GenerationStream, wit::Error> {
        let request = from_generate(request);
        let stream = self.client.borrow_mut().start_generate(&request, partial_images).map_err(to_error)?;
        Ok(api::GenerationStream::new(StreamResource { stream: RefCell::new(stream) }))
    }

    fn start_edit(&self, request: wit::EditRequest, partial_images: u32) -> Result<api::GenerationStream, wit::Error> {
        let request = from_edit(request);
        let stream = self.client.borrow_mut().start_edit(&request, partial_images).map_err(to_error)?;
        Ok(api::GenerationStream::new(StreamResource { stream: RefCell::new(stream) }))
    }
}

/// A streamed generation; dropping it drops the response body, which closes
/// the connection.
pub struct StreamResource {
    stream: RefCell<streaming::GenerationStream>,
}

impl api::GuestGenerationStream for StreamResource {
    fn next(&self) -> Option<Result<wit::GenerationEvent, wit::Error>> {
        self.stream.borrow_mut().next().map(|event| {
            event
                .map(|e| match e {
                    t::GenerationEvent::Partial(p) => wit::GenerationEvent::Partial(wit::PartialImage {
                        image_index: p.image_index,
                        partial_index: p.partial_index,
                        image: image(p.image),
                    }),
                    t::GenerationEvent::Completed(g) => wit::GenerationEvent::Completed(generation(g)),
                })
                .map_err(to_error)
        })
    }
}

// ---- host -> crate ----

fn from_settings(s: wit::Settings) -> t::Settings {
    t::Settings {
        api_key: s.api_key,
        base_url: s.base_url,
        organization: s.organization,
        project: s.project,
        extra_headers: s.extra_headers.into_iter().map(|h| t::Header { name: h.name, value: h.value }).collect(),
        azure: s.azure.map(|a| t::AzureSettings {
            endpoint: a.endpoint,
            api_version: a.api_version,
            text_to_image_deployment: a.text_to_image_deployment,
            image_edit_deployment: a.image_edit_deployment,
            image_analysis_deployment: a.image_analysis_deployment,
        }),
        connect_timeout_ms: s.connect_timeout_ms,
        generation_timeout_ms: s.generation_timeout_ms,
        between_bytes_timeout_ms: s.between_bytes_timeout_ms,
        max_retries: s.max_retries,
        max_response_bytes: s.max_response_bytes,
    }
}

fn from_capability(c: wit::Capability) -> t::Capability {
    match c {
        wit::Capability::TextToImage => t::Capability::TextToImage,
        wit::Capability::ImageEdit => t::Capability::ImageEdit,
        wit::Capability::ImageAnalysis => t::Capability::ImageAnalysis,
    }
}

fn from_format(f: wit::ImageFormat) -> t::ImageFormat {
    match f {
        wit::ImageFormat::Landscape => t::ImageFormat::Landscape,
        wit::ImageFormat::Portrait => t::ImageFormat::Portrait,
        wit::ImageFormat::Square => t::ImageFormat::Square,
    }
}

fn from_size(s: wit::Size) -> t::Size {
    t::Size::new(s.width, s.height)
}

fn from_quality(q: wit::Quality) -> t::Quality {
    match q {
        wit::Quality::Auto => t::Quality::Auto,
        wit::Quality::Low => t::Quality::Low,
        wit::Quality::Medium => t::Quality::Medium,
        wit::Quality::High => t::Quality::High,
        wit::Quality::Standard => t::Quality::Standard,
        wit::Quality::Hd => t::Quality::Hd,
    }
}

fn from_output_format(f: wit::OutputFormat) -> t::OutputFormat {
    match f {
        wit::OutputFormat::Png => t::OutputFormat::Png,
        wit::OutputFormat::Jpeg => t::OutputFormat::Jpeg,
        wit::OutputFormat::Webp => t::OutputFormat::Webp,
    }
}

fn from_background(b: wit::Background) -> t::Background {
    match b {
        wit::Background::Auto => t::Background::Auto,
        wit::Background::Transparent => t::Background::Transparent,
        wit::Background::Opaque => t::Background::Opaque,
    }
}

fn from_generate(r: wit::GenerateRequest) -> t::GenerateRequest {
    t::GenerateRequest {
        prompt: r.prompt,
        format: from_format(r.format),
        model: r.model,
        size: r.size.map(from_size),
        n: r.n,
        quality: r.quality.map(from_quality),
        output_format: r.output_format.map(from_output_format),
        output_compression: r.output_compression,
        background: r.background.map(from_background),
        moderation: r.moderation.map(|m| match m {
            wit::Moderation::Auto => t::Moderation::Auto,
            wit::Moderation::Low => t::Moderation::Low,
        }),
        style: r.style.map(|s| match s {
            wit::Style::Vivid => t::Style::Vivid,
            wit::Style::Natural => t::Style::Natural,
        }),
        user: r.user,
    }
}

fn from_edit(r: wit::EditRequest) -> t::EditRequest {
    t::EditRequest {
        prompt: r.prompt,
        format: from_format(r.format),
        model: r.model,
        images: r.images,
        mask: r.mask,
        size: r.size.map(from_size),
        n: r.n,
        quality: r.quality.map(from_quality),
        output_format: r.output_format.map(from_output_format),
        output_compression: r.output_compression,
        background: r.background.map(from_background),
        input_fidelity: r.input_fidelity.map(|f| match f {
            wit::InputFidelity::Low => t::InputFidelity::Low,
            wit::InputFidelity::High => t::InputFidelity::High,
        }),
        user: r.user,
    }
}

// ---- crate -> host ----

fn backend_info(i: t::BackendInfo) -> wit::BackendInfo {
    wit::BackendInfo {
        name: i.name,
        label: i.label,
        description: i.description,
        version: i.version,
        prompt_style: match i.prompt_style {
            t::PromptStyle::Descriptive => wit::PromptStyle::Descriptive,
            t::PromptStyle::Keywords => wit::PromptStyle::Keywords,
        },
        capabilities: i.capabilities.into_iter().map(capability_info).collect(),
    }
}

fn capability_info(c: t::CapabilityInfo) -> wit::CapabilityInfo {
    wit::CapabilityInfo {
        capability: match c.capability {
            t::Capability::TextToImage => wit::Capability::TextToImage,
            t::Capability::ImageEdit => wit::Capability::ImageEdit,
            t::Capability::ImageAnalysis => wit::Capability::ImageAnalysis,
        },
        supported: c.supported,
        models: c
            .models
            .into_iter()
            .map(|m| wit::ModelInfo {
                id: m.id,
                label: m.label,
                note: m.note,
                sizes: m
                    .sizes
                    .into_iter()
                    .map(|fs| wit::FormatSize {
                        format: match fs.format {
                            t::ImageFormat::Landscape => wit::ImageFormat::Landscape,
                            t::ImageFormat::Portrait => wit::ImageFormat::Portrait,
                            t::ImageFormat::Square => wit::ImageFormat::Square,
                        },
                        size: wit::Size { width: fs.size.width, height: fs.size.height },
                    })
                    .collect(),
                max_reference_images: m.max_reference_images,
                max_prompt_chars: m.max_prompt_chars,
                max_images: m.max_images,
                streams_partial_images: m.streams_partial_images,
            })
            .collect(),
        default_model: c.default_model,
        accepts_unknown_models: c.accepts_unknown_models,
        max_reference_images: c.max_reference_images,
    }
}

fn image(i: t::Image) -> wit::Image {
    wit::Image { data: i.data, mime_type: i.mime_type, width: i.width, height: i.height }
}

fn usage(u: t::Usage) -> wit::Usage {
    wit::Usage {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        total_tokens: u.total_tokens,
        input_text_tokens: u.input_text_tokens,
        input_image_tokens: u.input_image_tokens,
    }
}

fn generation(g: t::Generation) -> wit::Generation {
    wit::Generation {
        model: g.model,
        images: g.images.into_iter().map(image).collect(),
        revised_prompt: g.revised_prompt,
        usage: g.usage.map(usage),
    }
}

fn failure(f: Failure) -> wit::Failure {
    wit::Failure { message: f.message, status: f.status, code: f.code, request_id: f.request_id }
}

fn to_error(e: Error) -> wit::Error {
    match e {
        Error::InvalidInput(m) => wit::Error::InvalidInput(m),
        Error::Unsupported(m) => wit::Error::Unsupported(m),
        Error::Authentication(f) => wit::Error::Authentication(failure(f)),
        Error::PermissionDenied(f) => wit::Error::PermissionDenied(failure(f)),
        Error::NotFound(f) => wit::Error::NotFound(failure(f)),
        Error::ContentPolicy(f) => wit::Error::ContentPolicy(failure(f)),
        Error::RateLimited { failure: f, retry_after_ms } => {
            wit::Error::RateLimited(wit::RateLimit { failure: failure(f), retry_after_ms })
        }
        Error::QuotaExceeded(f) => wit::Error::QuotaExceeded(failure(f)),
        Error::Timeout { phase, message } => wit::Error::Timeout(wit::TimeoutInfo {
            phase: match phase {
                TimeoutPhase::Connect => wit::TimeoutPhase::Connect,
                TimeoutPhase::FirstByte => wit::TimeoutPhase::FirstByte,
                TimeoutPhase::BetweenBytes => wit::TimeoutPhase::BetweenBytes,
            },
            message,
        }),
        Error::Network(m) => wit::Error::Network(m),
        Error::Upstream(f) => wit::Error::Upstream(failure(f)),
        Error::MalformedResponse(f) => wit::Error::MalformedResponse(failure(f)),
        Error::Cancelled(m) => wit::Error::Cancelled(m),
    }
}
