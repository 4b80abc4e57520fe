//! Host bindings for the `backend` world: any visual backend, whatever it
//! imports. Generated from the same `wit/` the component is built from, so a
//! contract change breaks the build here rather than at run time.

wasmtime::component::bindgen!({
    world: "backend",
    path: "../../wit",
    exports: { default: async },
});

pub use exports::talemate::visual::visual_backend::{Guest as VisualBackend, GuestClient, GuestGenerationStream};
pub use talemate::visual::types::*;

/// The contract this host speaks. A component exporting another major (or,
/// before 1.0, minor) version is refused before instantiation.
pub const CONTRACT_PACKAGE: &str = "talemate:visual";
pub const CONTRACT_INTERFACE: &str = "visual-backend";
pub const CONTRACT_VERSION: &str = "0.1.0";

/// A WIT `enum`, by its case names: what a command line parses, a report
/// prints and a settings panel lists, without a mirror of the cases.
pub trait WitEnum: Copy + Sized + 'static {
    /// Every case, in WIT order.
    const ALL: &'static [Self];

    /// The WIT case name (`landscape`, `text-to-image`, ...).
    fn name(self) -> &'static str;

    /// The case with this WIT name.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|case| case.name() == name)
    }
}

/// Implements [`WitEnum`] from the WIT names, in WIT order.
macro_rules! wit_enum {
    ($ty:ident { $($case:ident = $name:literal),+ $(,)? }) => {
        impl WitEnum for $ty {
            const ALL: &'static [Self] = &[$($ty::$case),+];

            fn name(self) -> &'static str {
                match self {
                    $($ty::$case => $name),+
                }
            }
        }
    };
}

wit_enum!(Capability { TextToImage = "text-to-image", ImageEdit = "image-edit", ImageAnalysis = "image-analysis" });
wit_enum!(PromptStyle { Descriptive = "descriptive", Keywords = "keywords" });
wit_enum!(ImageFormat { Landscape = "landscape", Portrait = "portrait", Square = "square" });
wit_enum!(Quality { Auto = "auto", Low = "low", Medium = "medium", High = "high", Standard = "standard", Hd = "hd" });
wit_enum!(OutputFormat { Png = "png", Jpeg = "jpeg", Webp = "webp" });
wit_enum!(Background { Auto = "auto", Transparent = "transparent", Opaque = "opaque" });
wit_enum!(Detail { Auto = "auto", Low = "low", High = "high" });
wit_enum!(StatusLevel { Ok = "ok", Warning = "warning", Error = "error" });
wit_enum!(TimeoutPhase { Connect = "connect", FirstByte = "first-byte", BetweenBytes = "between-bytes" });

/// The WIT case name of an error (`invalid-input`, `rate-limited`, ...).
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::InvalidInput(_) => "invalid-input",
        Error::Unsupported(_) => "unsupported",
        Error::Authentication(_) => "authentication",
        Error::PermissionDenied(_) => "permission-denied",
        Error::NotFound(_) => "not-found",
        Error::ContentPolicy(_) => "content-policy",
        Error::RateLimited(_) => "rate-limited",
        Error::QuotaExceeded(_) => "quota-exceeded",
        Error::Timeout(_) => "timeout",
        Error::Network(_) => "network",
        Error::Upstream(_) => "upstream",
        Error::MalformedResponse(_) => "malformed-response",
        Error::Cancelled(_) => "cancelled",
    }
}

/// The human message of an error.
pub fn error_message(e: &Error) -> &str {
    match e {
        Error::InvalidInput(m) | Error::Unsupported(m) | Error::Network(m) | Error::Cancelled(m) => m,
        Error::Timeout(t) => &t.message,
        other => error_failure(other).map(|f| f.message.as_str()).unwrap_or_default(),
    }
}

/// The service's account of a failure, for the cases that carry one.
pub fn error_failure(e: &Error) -> Option<&Failure> {
    match e {
        Error::RateLimited(r) => Some(&r.failure),
        Error::Authentication(f)
        | Error::PermissionDenied(f)
        | Error::NotFound(f)
        | Error::ContentPolicy(f)
        | Error::QuotaExceeded(f)
        | Error::Upstream(f)
        | Error::MalformedResponse(f) => Some(f),
        _ => None,
    }
}

/// The HTTP status behind an error, when there was a response.
pub fn error_status(e: &Error) -> Option<u16> {
    error_failure(e).and_then(|f| f.status)
}

impl Settings {
    /// Settings with only the key set; every other field takes the backend's default.
    pub fn with_key(api_key: impl Into<String>) -> Self {
        Settings {
            api_key: api_key.into(),
            base_url: None,
            organization: None,
            project: None,
            extra_headers: Vec::new(),
            azure: None,
            connect_timeout_ms: None,
            generation_timeout_ms: None,
            between_bytes_timeout_ms: None,
            max_retries: None,
            max_response_bytes: None,
        }
    }
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

impl AnalyzeRequest {
    /// A request with only the required fields set.
    pub fn new(image: Vec<u8>, prompt: impl Into<String>) -> Self {
        AnalyzeRequest { image, prompt: prompt.into(), model: None, detail: None, max_output_tokens: None }
    }
}
