//! The contract's types as hosts use them: `wasmtime::component::bindgen!`
//! output for the `backend` world (any visual backend, whatever it imports),
//! generated from the same `wit/` the components are built from, so a contract
//! change breaks the build here rather than at run time. Helpers are methods
//! on the generated types; nothing mirrors them.
//!
//! The newest contract (0.2) is this module's own; [`v0_1`] is the one before,
//! which the runtime still loads and presents in the 0.2 shape (`legacy`).

mod v0_2 {
    wasmtime::component::bindgen!({
        world: "backend",
        path: "../../wit/since_v0.2.0",
        exports: { default: async },
    });
}

/// Contract 0.1, for components built before 0.2. Only the runtime uses it.
pub mod v0_1 {
    wasmtime::component::bindgen!({
        world: "backend",
        path: "../../wit/since_v0.1.0",
        exports: { default: async },
    });

    pub use talemate::visual::types::*;
}

pub use v0_2::talemate::visual::types::*;
pub(crate) use v0_2::{Backend, BackendPre};

/// The contract's package and interface, as components name their export.
pub const CONTRACT_PACKAGE: &str = "talemate:visual";
pub const CONTRACT_INTERFACE: &str = "visual-backend";
/// The contract this host speaks natively; `SUPPORTED_VERSIONS` lists every
/// one it loads. A component exporting any other major (or, before 1.0,
/// minor) version is refused before instantiation.
pub const CONTRACT_VERSION: &str = "0.2.0";
pub const SUPPORTED_VERSIONS: &[&str] = &["0.2.0", "0.1.0"];

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
wit_enum!(OutputFormat { Png = "png", Jpeg = "jpeg", Webp = "webp" });
wit_enum!(ModelState { Active = "active", Deprecated = "deprecated", Retired = "retired" });
wit_enum!(StatusLevel { Ok = "ok", Warning = "warning", Error = "error" });
wit_enum!(TimeoutPhase { Connect = "connect", FirstByte = "first-byte", BetweenBytes = "between-bytes" });

impl Error {
    /// The WIT case name (`invalid-input`, `rate-limited`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
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

    /// The human message.
    pub fn message(&self) -> &str {
        match self {
            Error::InvalidInput(m) | Error::Unsupported(m) | Error::Network(m) | Error::Cancelled(m) => m,
            Error::Timeout(t) => &t.message,
            other => other.failure().map(|f| f.message.as_str()).unwrap_or_default(),
        }
    }

    /// The service's account of the failure, for the cases that carry one.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
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

    /// The HTTP status behind the error, when there was a response.
    pub fn status(&self) -> Option<u16> {
        self.failure().and_then(|f| f.status)
    }
}

impl Setting {
    /// A text, secret, URL or choice setting.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Setting { name: name.into(), value: Value::Text(value.into()) }
    }

    /// A duration setting, in milliseconds as the contract carries it.
    pub fn duration(name: impl Into<String>, value: std::time::Duration) -> Self {
        let ms = u64::try_from(value.as_millis()).unwrap_or(u64::MAX);
        Setting { name: name.into(), value: Value::Duration(ms) }
    }

    pub fn number(name: impl Into<String>, value: f64) -> Self {
        Setting { name: name.into(), value: Value::Number(value) }
    }

    pub fn flag(name: impl Into<String>, value: bool) -> Self {
        Setting { name: name.into(), value: Value::Flag(value) }
    }

    /// Name and value pairs, such as extra HTTP headers.
    pub fn pairs<N: Into<String>, V: Into<String>>(
        name: impl Into<String>,
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let pairs = pairs.into_iter().map(|(name, value)| Pair { name: name.into(), value: value.into() }).collect();
        Setting { name: name.into(), value: Value::Pairs(pairs) }
    }
}

/// Never prints a value: settings hold keys, and the kind is enough to debug.
impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (a {} value)", self.name, self.value.kind_name())
    }
}

impl Value {
    /// The name of the value's case (`text`, `duration`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            Value::Number(_) => "number",
            Value::Duration(_) => "duration",
            Value::Flag(_) => "flag",
            Value::TextList(_) => "text-list",
            Value::Pairs(_) => "pairs",
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

impl ValueKind {
    /// The WIT case name (`secret`, `choice`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Secret => "secret",
            ValueKind::Url => "url",
            ValueKind::Number(_) => "number",
            ValueKind::Duration => "duration",
            ValueKind::Flag => "flag",
            ValueKind::Choice(_) => "choice",
            ValueKind::TextList => "text-list",
            ValueKind::Pairs => "pairs",
        }
    }
}

impl FieldSpec {
    /// The value that applies: the one given in `values`, else the default.
    pub fn effective<'a>(&'a self, values: &'a [Setting]) -> Option<&'a Value> {
        values.iter().find(|s| s.name == self.name).map(|s| &s.value).or(self.default.as_ref())
    }
}

impl BackendInfo {
    /// The declared setting called `name`.
    pub fn setting(&self, name: &str) -> Option<&FieldSpec> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// What the backend offers for `capability`.
    pub fn capability(&self, capability: Capability) -> Option<&CapabilityInfo> {
        self.capabilities.iter().find(|c| c.capability == capability)
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
            options: Vec::new(),
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
            options: Vec::new(),
        }
    }
}

impl AnalyzeRequest {
    /// A request with only the required fields set.
    pub fn new(image: Vec<u8>, prompt: impl Into<String>) -> Self {
        AnalyzeRequest { image, prompt: prompt.into(), model: None, max_output_tokens: None, options: Vec::new() }
    }
}

impl Pair {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Pair { name: name.into(), value: value.into() }
    }
}
