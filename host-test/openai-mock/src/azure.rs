//! Azure OpenAI's own answers: its error shapes (`{"error":{"code","message"}}`,
//! no `type`/`param`) and the deployment object.

use http::StatusCode;
use serde_json::{json, Value};

use super::errors::ApiError;

fn azure_error(status: StatusCode, code: &str, message: &str) -> ApiError {
    ApiError { status, body: json!({"error": {"code": code, "message": message}}), headers: Vec::new() }
}

pub(crate) fn access_denied() -> ApiError {
    azure_error(
        StatusCode::UNAUTHORIZED,
        "401",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an \
         active subscription and use a correct regional API endpoint for your resource.",
    )
}

pub(crate) fn bad_bearer_token() -> ApiError {
    azure_error(
        StatusCode::UNAUTHORIZED,
        "401",
        "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or \
         have expired.",
    )
}

pub(crate) fn resource_not_found() -> ApiError {
    azure_error(StatusCode::NOT_FOUND, "404", "Resource not found")
}

pub(crate) fn api_version_not_supported() -> ApiError {
    azure_error(StatusCode::BAD_REQUEST, "BadRequest", "API version not supported")
}

pub(crate) fn deployment_not_found() -> ApiError {
    azure_error(
        StatusCode::NOT_FOUND,
        "DeploymentNotFound",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, \
         please wait a moment and try again.",
    )
}

/// `GET /openai/deployments/{deployment}`, as the data-plane API answered it.
pub(crate) fn deployment_object(deployment: &str, model: &str) -> Value {
    json!({
        "id": deployment,
        "model": model,
        "owner": "organization-owner",
        "object": "deployment",
        "status": "succeeded",
        "created_at": 1_700_000_000u64,
        "updated_at": 1_700_000_000u64,
        "scale_settings": {"scale_type": "standard"},
    })
}
