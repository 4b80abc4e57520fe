//! A validated API call, between request building and sending.
//!
//! `generate`, `edit` and `analyze` turn a host request into a [`Call`] (or an
//! `invalid-input` / `unsupported` error, before anything is sent);
//! `config::Config::request` turns a `Call` into an HTTP request for the
//! configured service (OpenAI, a compatible gateway, or Azure).

use crate::bindings::Capability;
use crate::http::Body;

/// Which API operation a call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /images/generations`
    ImageGenerations,
    /// `POST /images/edits`
    ImageEdits,
    /// `POST /chat/completions`
    ChatCompletions,
    /// `GET /models/{model}`
    RetrieveModel,
}

impl Endpoint {
    /// The capability whose Azure deployment serves this endpoint.
    pub fn capability(self) -> Option<Capability> {
        match self {
            Endpoint::ImageGenerations => Some(Capability::TextToImage),
            Endpoint::ImageEdits => Some(Capability::ImageEdit),
            Endpoint::ChatCompletions => Some(Capability::ImageAnalysis),
            Endpoint::RetrieveModel => None,
        }
    }
}

/// What to send. The body borrows large inputs from the host's request.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    pub endpoint: Endpoint,
    /// The model id as the host named it (or the default): used for the
    /// model table, for messages, and for `GET /models/{model}`.
    pub model: String,
    /// `application/json` or `multipart/form-data; boundary=...`; `None` for GET.
    pub content_type: Option<String>,
    pub body: Body<'a>,
    /// True when the body asked for `stream: true` (the response is SSE).
    pub streaming: bool,
}
