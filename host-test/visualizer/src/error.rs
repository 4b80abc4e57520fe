//! How the server says no: `{"error": {"kind", "message"}}` with a status.
//!
//! A leaf of its own because three layers refuse requests in that one shape:
//! the security checks (before any route runs), the upload reader (while a
//! form streams in) and the routes themselves. Each imports this module
//! instead of the routes, so none of them depends on another to say no.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `{"error": {"kind", "message"}}` with a status.
pub fn error_response(status: StatusCode, kind: &str, message: &str) -> Response {
    (status, Json(json!({ "error": { "kind": kind, "message": message } }))).into_response()
}

/// A refusal the page shows as it is.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, kind, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-input", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, self.kind, &self.message)
    }
}

/// What a route or a check returns: its answer, or a refusal.
pub type ApiResult<T> = Result<T, ApiError>;
