//! `POST /images/generations`: a JSON CreateImageRequest into an [`ImageJob`].

use serde_json::Value;

use super::errors::{self, json_kind, ApiError};
use super::fields::Fields;
use super::gate::Gate;
use super::job::ImageJob;
use super::params;
use super::types::ImageEndpoint;

/// What the handler needs from a generation body, valid or not.
pub(crate) struct Parsed {
    pub model: Option<String>,
    pub stream: bool,
    pub job: Result<ImageJob, ApiError>,
}

pub(crate) fn parse(body: &[u8], gate: &Gate) -> Parsed {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Parsed { model: None, stream: false, job: Err(errors::invalid_json()) },
    };
    let Value::Object(map) = value else {
        let got = json_kind(&value);
        return Parsed { model: None, stream: false, job: Err(errors::invalid_type("body", "an object", got)) };
    };
    let fields = Fields::from_json(map);
    Parsed {
        model: gate.forced().map(str::to_string).or_else(|| fields.model_hint()),
        stream: fields.bool("stream").ok().flatten().unwrap_or(false),
        job: params::image_job(ImageEndpoint::Generation, &fields, gate, Vec::new(), &[]),
    }
}
