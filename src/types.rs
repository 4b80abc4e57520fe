//! The backend's own vocabulary, mirroring `wit/types.wit`.
//!
//! The pure logic works on these plain Rust types rather than on wit-bindgen's
//! output, so it compiles and is tested natively; `component.rs` converts at
//! the edge (the pattern of Zed's `extension_api`).

use std::fmt;

/// What a host can ask the backend to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    TextToImage,
    ImageEdit,
    ImageAnalysis,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::TextToImage, Capability::ImageEdit, Capability::ImageAnalysis];

    /// The WIT case name, used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Capability::TextToImage => "text-to-image",
            Capability::ImageEdit => "image-edit",
            Capability::ImageAnalysis => "image-analysis",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptStyle {
    Descriptive,
    Keywords,
}

/// The shape a host asks for; the model table turns it into pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Landscape,
    Portrait,
    Square,
}

impl ImageFormat {
    pub const ALL: [ImageFormat; 3] = [ImageFormat::Landscape, ImageFormat::Portrait, ImageFormat::Square];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const fn new(width: u32, height: u32) -> Self {
        Size { width, height }
    }
}

/// `WxH`, the API's spelling.
impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSize {
    pub format: ImageFormat,
    pub size: Size,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: String,
    pub label: String,
    pub note: Option<String>,
    pub sizes: Vec<FormatSize>,
    pub max_reference_images: u32,
    pub max_prompt_chars: u32,
    pub max_images: u32,
    pub streams_partial_images: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityInfo {
    pub capability: Capability,
    pub supported: bool,
    pub models: Vec<ModelInfo>,
    pub default_model: Option<String>,
    pub accepts_unknown_models: bool,
    pub max_reference_images: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendInfo {
    pub name: String,
    pub label: String,
    pub description: String,
    pub version: String,
    pub prompt_style: PromptStyle,
    pub capabilities: Vec<CapabilityInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AzureSettings {
    pub endpoint: String,
    pub api_version: String,
    pub text_to_image_deployment: Option<String>,
    pub image_edit_deployment: Option<String>,
    pub image_analysis_deployment: Option<String>,
}

/// Settings as the host gives them; `config::Config` validates and fills defaults.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub api_key: String,
    pub base_url: Option<String>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub extra_headers: Vec<Header>,
    pub azure: Option<AzureSettings>,
    pub connect_timeout_ms: Option<u64>,
    pub generation_timeout_ms: Option<u64>,
    pub between_bytes_timeout_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub max_response_bytes: Option<u64>,
}

/// Never prints the key.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("extra_headers", &self.extra_headers.iter().map(|h| &h.name).collect::<Vec<_>>())
            .field("azure", &self.azure)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("generation_timeout_ms", &self.generation_timeout_ms)
            .field("between_bytes_timeout_ms", &self.between_bytes_timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quality {
    Auto,
    Low,
    Medium,
    High,
    Standard,
    Hd,
}

impl Quality {
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Auto => "auto",
            Quality::Low => "low",
            Quality::Medium => "medium",
            Quality::High => "high",
            Quality::Standard => "standard",
            Quality::Hd => "hd",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Png,
    Jpeg,
    Webp,
}

impl OutputFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpeg",
            OutputFormat::Webp => "webp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Auto,
    Transparent,
    Opaque,
}

impl Background {
    pub fn as_str(self) -> &'static str {
        match self {
            Background::Auto => "auto",
            Background::Transparent => "transparent",
            Background::Opaque => "opaque",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Auto,
    Low,
}

impl Moderation {
    pub fn as_str(self) -> &'static str {
        match self {
            Moderation::Auto => "auto",
            Moderation::Low => "low",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Vivid,
    Natural,
}

impl Style {
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Vivid => "vivid",
            Style::Natural => "natural",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFidelity {
    Low,
    High,
}

impl InputFidelity {
    pub fn as_str(self) -> &'static str {
        match self {
            InputFidelity::Low => "low",
            InputFidelity::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    pub prompt: String,
    pub format: ImageFormat,
    pub model: Option<String>,
    pub size: Option<Size>,
    pub n: Option<u32>,
    pub quality: Option<Quality>,
    pub output_format: Option<OutputFormat>,
    pub output_compression: Option<u8>,
    pub background: Option<Background>,
    pub moderation: Option<Moderation>,
    pub style: Option<Style>,
    pub user: Option<String>,
}

impl GenerateRequest {
    /// A request with only the required fields set.
    pub fn new(prompt: impl Into<String>, format: ImageFormat) -> Self {
        GenerateRequest {
            prompt: prompt.into(),
            format,
            model: None,
            size: None,
            n: None,
            quality: None,
            output_format: None,
            output_compression: None,
            background: None,
            moderation: None,
            style: None,
            user: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    pub prompt: String,
    pub format: ImageFormat,
    pub model: Option<String>,
    pub images: Vec<Vec<u8>>,
    pub mask: Option<Vec<u8>>,
    pub size: Option<Size>,
    pub n: Option<u32>,
    pub quality: Option<Quality>,
    pub output_format: Option<OutputFormat>,
    pub output_compression: Option<u8>,
    pub background: Option<Background>,
    pub input_fidelity: Option<InputFidelity>,
    pub user: Option<String>,
}

impl EditRequest {
    /// A request with only the required fields set.
    pub fn new(prompt: impl Into<String>, format: ImageFormat, images: Vec<Vec<u8>>) -> Self {
        EditRequest {
            prompt: prompt.into(),
            format,
            model: None,
            images,
            mask: None,
            size: None,
            n: None,
            quality: None,
            output_format: None,
            output_compression: None,
            background: None,
            input_fidelity: None,
            user: None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub data: Vec<u8>,
    pub mime_type: String,
    pub width: u32,
    pub height: u32,
}

/// Leaves the bytes out: they are megabytes.
impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("bytes", &self.data.len())
            .field("mime_type", &self.mime_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
    pub input_text_tokens: Option<u64>,
    pub input_image_tokens: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    pub model: String,
    pub images: Vec<Image>,
    pub revised_prompt: Option<String>,
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Auto,
    Low,
    High,
}

impl Detail {
    pub fn as_str(self) -> &'static str {
        match self {
            Detail::Auto => "auto",
            Detail::Low => "low",
            Detail::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeRequest {
    pub image: Vec<u8>,
    pub prompt: String,
    pub model: Option<String>,
    pub detail: Option<Detail>,
    pub max_output_tokens: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub text: String,
    pub model: String,
    pub finish_reason: String,
    pub truncated: bool,
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialImage {
    pub image_index: u32,
    pub partial_index: u32,
    pub image: Image,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenerationEvent {
    Partial(PartialImage),
    Completed(Generation),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub level: StatusLevel,
    pub message: String,
    pub model: String,
    pub problem: Option<crate::error::Error>,
}
