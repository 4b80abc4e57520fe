//! Credentials: `Authorization: Bearer` for OpenAI, `api-key` for Azure.

use http::HeaderMap;

use super::azure;
use super::config::MockConfig;
use super::errors::{self, mask_key, ApiError};

/// The key the client presented, however it presented it (for the echo fault
/// and for masking in messages).
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get("api-key") {
        return Some(String::from_utf8_lossy(v.as_bytes()).into_owned());
    }
    let auth = headers.get(http::header::AUTHORIZATION)?;
    let auth = String::from_utf8_lossy(auth.as_bytes());
    let (scheme, rest) = auth.split_once(' ').unwrap_or((&auth, ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim().to_string())
}

/// Checks OpenAI-style credentials (and the organization/project headers when configured).
pub(crate) fn check_openai(config: &MockConfig, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(auth) = headers.get(http::header::AUTHORIZATION) else {
        return Err(errors::missing_api_key());
    };
    let auth = String::from_utf8_lossy(auth.as_bytes());
    let key = match auth.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => key.trim(),
        _ => return Err(errors::missing_api_key()),
    };
    if key.is_empty() {
        return Err(errors::missing_api_key());
    }
    if key != config.api_key {
        return Err(errors::invalid_api_key(&mask_key(key)));
    }
    let header_matches = |name: &str, expected: &Option<String>| match (expected, headers.get(name)) {
        (Some(want), Some(got)) => got.as_bytes() == want.as_bytes(),
        _ => true,
    };
    if !header_matches("openai-organization", &config.organization) {
        return Err(errors::mismatched_header("OpenAI-Organization", "mismatched_organization"));
    }
    if !header_matches("openai-project", &config.project) {
        return Err(errors::mismatched_header("OpenAI-Project", "mismatched_project"));
    }
    Ok(())
}

/// Checks Azure credentials: the `api-key` header, never a Bearer API key.
pub(crate) fn check_azure(config: &MockConfig, headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get("api-key") {
        Some(k) if k.as_bytes() == config.api_key.as_bytes() => Ok(()),
        Some(_) => Err(azure::access_denied()),
        None if headers.contains_key(http::header::AUTHORIZATION) => Err(azure::bad_bearer_token()),
        None => Err(azure::access_denied()),
    }
}
