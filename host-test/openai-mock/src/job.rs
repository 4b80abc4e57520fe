//! A validated image request ([`ImageJob`]): what [`crate::params`] hands on
//! once every rule has passed, and all that [`crate::output`] and
//! [`crate::usage`] need to answer it. Its own module, so the answering side
//! depends on the result of validation, never on the rules themselves.

use super::kinds::ModelKind;
use super::sniff::ImageInfo;
use super::types::{Animation, ImageEndpoint, OutFormat, SvgAuthor};

/// An input image of an edit, as identified from its bytes.
#[derive(Debug, Clone)]
pub(crate) struct InputImage {
    pub sha256: [u8; 32],
    pub info: ImageInfo,
}

/// A validated image request: everything needed to answer it.
#[derive(Debug, Clone)]
pub(crate) struct ImageJob {
    pub endpoint: ImageEndpoint,
    pub kind: ModelKind,
    pub prompt: String,
    pub n: u32,
    pub width: u32,
    pub height: u32,
    /// Resolved (`auto` replaced by what the model would pick).
    pub quality: String,
    /// 2.6's `complexity`, resolved (`high` when omitted); `None` for the other
    /// families. Validated and kept for the tests: nothing published says what
    /// it changes in an answer, so the mock's answers do not depend on it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub complexity: Option<String>,
    pub output_format: OutFormat,
    /// Set for GIF output.
    pub animation: Option<Animation>,
    /// Set for SVG output.
    pub svg: Option<SvgAuthor>,
    /// 0-100; used for JPEG quality.
    pub compression: u8,
    /// Resolved: `transparent` or `opaque`.
    pub background: String,
    /// dall-e-3 without `response_format: b64_json` answers with URLs.
    pub url_response: bool,
    pub stream: bool,
    pub partial_images: u32,
    pub inputs: Vec<InputImage>,
    /// A 2.6 edit's `markup` overlay, once the edit parser has checked it.
    pub markup: Option<InputImage>,
}

impl ImageJob {
    pub fn size_label(&self) -> String {
        format!("{}x{}", self.width, self.height)
    }
}
