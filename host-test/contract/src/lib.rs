//! `visual-contract`: the helpers every Rust side of `talemate:visual` puts on
//! its generated types, written once.
//!
//! The component's types come from wit-bindgen and the hosts' from wasmtime's
//! `bindgen!`, so they are different Rust types; but both generators name
//! types, fields and cases the same way from the same WIT, so one macro body
//! serves both. Each side expands [`helpers!`] inside its bindings module,
//! where the generated names are in scope, and the methods become inherent
//! methods of its own types: nothing here mirrors a type, and a WIT change
//! that breaks a helper breaks the build of both sides.
//!
//! Only the newest contract's types get them (older versions have other
//! shapes; their conversions live in the host's `legacy` module).

/// Expands the helpers on the contract's types in scope: case names of the
/// enums (`ALL`, `name`, `from_name`), the error's kind, message and failure,
/// constructors for requests and parameters, and small accessors.
#[macro_export]
macro_rules! helpers {
    () => {
        $crate::enum_names!(Capability {
            TextToImage = "text-to-image",
            ImageEdit = "image-edit",
            ImageAnalysis = "image-analysis",
        });
        $crate::enum_names!(PromptStyle { Descriptive = "descriptive", Keywords = "keywords" });
        $crate::enum_names!(ImageFormat { Landscape = "landscape", Portrait = "portrait", Square = "square" });
        $crate::enum_names!(ModelState { Active = "active", Deprecated = "deprecated", Retired = "retired" });
        $crate::enum_names!(StatusLevel { Ok = "ok", Warning = "warning", Error = "error" });
        $crate::enum_names!(TimeoutPhase { Connect = "connect", FirstByte = "first-byte", BetweenBytes = "between-bytes" });

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

            /// The human message, whichever case carries it.
            pub fn message(&self) -> &str {
                match self {
                    Error::InvalidInput(m) | Error::Unsupported(m) | Error::Network(m) | Error::Cancelled(m) => m,
                    Error::Timeout(t) => &t.message,
                    other => other.failure().map(|f| f.message.as_str()).unwrap_or_default(),
                }
            }

            /// The service's account of the failure, for the cases that carry one.
            pub fn failure(&self) -> Option<&Failure> {
                $crate::failure_of!(self)
            }

            /// The failure a case carries, to fill in what a response adds.
            pub fn failure_mut(&mut self) -> Option<&mut Failure> {
                $crate::failure_of!(self)
            }

            /// The HTTP status behind the error, when there was a response.
            pub fn status(&self) -> Option<u16> {
                self.failure().and_then(|f| f.status)
            }
        }

        impl Size {
            pub const fn new(width: u32, height: u32) -> Self {
                Size { width, height }
            }
        }

        /// `WxH`, the API's spelling.
        impl ::std::fmt::Display for Size {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}x{}", self.width, self.height)
            }
        }

        impl Pair {
            pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
                Pair { name: name.into(), value: value.into() }
            }
        }

        /// A setting, a request option or an extra parameter ([`Setting`] is this type).
        impl Parameter {
            pub fn new(name: impl Into<String>, value: Value) -> Self {
                Parameter { name: name.into(), value }
            }

            /// A text, secret, URL or choice value.
            pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
                Parameter::new(name, Value::Text(value.into()))
            }

            /// A duration, in milliseconds as the contract carries it.
            pub fn duration(name: impl Into<String>, value: ::std::time::Duration) -> Self {
                let ms = u64::try_from(value.as_millis()).unwrap_or(u64::MAX);
                Parameter::new(name, Value::Duration(ms))
            }

            pub fn number(name: impl Into<String>, value: f64) -> Self {
                Parameter::new(name, Value::Number(value))
            }

            pub fn flag(name: impl Into<String>, value: bool) -> Self {
                Parameter::new(name, Value::Flag(value))
            }

            /// An image, as its bytes (its type is read from them).
            pub fn image(name: impl Into<String>, bytes: Vec<u8>) -> Self {
                Parameter::new(name, Value::Image(bytes))
            }

            /// A JSON document (an object or a list), as its text.
            pub fn json(name: impl Into<String>, text: impl Into<String>) -> Self {
                Parameter::new(name, Value::Json(text.into()))
            }

            /// Name and value pairs, such as extra HTTP headers.
            pub fn pairs<N: Into<String>, V: Into<String>>(
                name: impl Into<String>,
                pairs: impl IntoIterator<Item = (N, V)>,
            ) -> Self {
                let pairs = pairs.into_iter().map(|(name, value)| Pair::new(name, value)).collect();
                Parameter::new(name, Value::Pairs(pairs))
            }
        }

        impl Value {
            /// The name of the value's case (`text`, `duration`, ...): what a
            /// message may say of a value that could be a secret.
            pub fn kind_name(&self) -> &'static str {
                match self {
                    Value::Text(_) => "text",
                    Value::Number(_) => "number",
                    Value::Duration(_) => "duration",
                    Value::Flag(_) => "flag",
                    Value::TextList(_) => "text-list",
                    Value::Pairs(_) => "pairs",
                    Value::Image(_) => "image",
                    Value::Json(_) => "json",
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
                    ValueKind::Image(_) => "image",
                    ValueKind::Json => "json",
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
                    options: Vec::new(),
                    extra: Vec::new(),
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
                    extra: Vec::new(),
                }
            }
        }

        impl AnalyzeRequest {
            /// A request with only the required fields set.
            pub fn new(image: Vec<u8>, prompt: impl Into<String>) -> Self {
                AnalyzeRequest {
                    image,
                    prompt: prompt.into(),
                    model: None,
                    max_output_tokens: None,
                    options: Vec::new(),
                    extra: Vec::new(),
                }
            }
        }
    };
}

/// Case names of a WIT `enum`, as inherent items of its generated type:
/// `ALL` (every case, in WIT order), `name` (the WIT case name) and
/// `from_name`, so a command line parses, a report prints and a panel lists
/// the cases without a mirror of them.
#[macro_export]
macro_rules! enum_names {
    ($ty:ident { $($case:ident = $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every case, in WIT order.
            pub const ALL: &'static [$ty] = &[$($ty::$case),+];

            /// The WIT case name.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$case => $name),+
                }
            }

            /// The case with this WIT name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|case| case.name() == name)
            }
        }
    };
}

/// The failure an `error` case carries, by reference or mutable reference
/// (the one match both of `failure` and `failure_mut` are).
#[doc(hidden)]
#[macro_export]
macro_rules! failure_of {
    ($error:expr) => {
        // Binding by pattern (not `&r.failure`), so a shared reference gives
        // `&Failure` and a mutable one `&mut Failure`.
        match $error {
            Error::RateLimited(RateLimit { failure, .. }) => Some(failure),
            Error::Authentication(f)
            | Error::PermissionDenied(f)
            | Error::NotFound(f)
            | Error::ContentPolicy(f)
            | Error::QuotaExceeded(f)
            | Error::Upstream(f)
            | Error::MalformedResponse(f) => Some(f),
            _ => None,
        }
    };
}
