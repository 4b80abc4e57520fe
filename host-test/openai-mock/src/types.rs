//! Small value types that validation and rendering both speak: which image
//! endpoint a request came to, the output format it asked for, a GIF's
//! animation and an SVG's author.
//!
//! They live in this leaf, below both sides, so that the modules which check
//! a request ([`crate::params`], [`crate::formats`], [`crate::kinds`]) and
//! the ones which draw and write the answer ([`crate::look`],
//! [`crate::render`], [`crate::output`]) need not import each other.

/// The two image endpoints; their parameters and event names differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageEndpoint {
    Generation,
    Edit,
}

impl ImageEndpoint {
    /// The stream event type prefix: `image_generation` / `image_edit`.
    pub fn event_prefix(self) -> &'static str {
        match self {
            ImageEndpoint::Generation => "image_generation",
            ImageEndpoint::Edit => "image_edit",
        }
    }
}

/// What `output_format` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OutFormat {
    Png,
    Jpeg,
    Webp,
    /// An animated GIF (2.6).
    Gif,
    /// An SVG document (2.6, generations).
    Svg,
}

impl OutFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            OutFormat::Png => "png",
            OutFormat::Jpeg => "jpeg",
            OutFormat::Webp => "webp",
            OutFormat::Gif => "gif",
            OutFormat::Svg => "svg",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            OutFormat::Png => "image/png",
            OutFormat::Jpeg => "image/jpeg",
            OutFormat::Webp => "image/webp",
            OutFormat::Gif => "image/gif",
            OutFormat::Svg => "image/svg+xml",
        }
    }
}

/// An animated GIF's frames: how many, and how long each shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Animation {
    pub frames: u32,
    /// A multiple of 10 (GIF delays are centiseconds).
    pub delay_ms: u32,
}

/// Who writes an SVG answer, as `svg_usage` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SvgAuthor {
    pub model: String,
    /// `svg.reasoning.effort`, when given.
    pub effort: Option<String>,
}
