//! One request, start to finish: route, authenticate, read and validate the
//! body, produce the answer, record it, then let a fault bend the reply.

use std::convert::Infallible;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use sha2::{Digest, Sha256};

use super::body::{DisconnectGuard, MockBody, Reply, Script};
use super::digest::hex;
use super::errors::{self, ApiError};
use super::gate::Gate;
use super::outcome::{self, Answer, Outcome};
use super::output::{self, RenderedImages};
use super::record::{RecordedPart, RecordedRequest, Verdict};
use super::reqbody::{self, ReadError, Tap, TeeBody};
use super::route::{self, Op, Route};
use super::shared::Shared;
use super::{auth, azure, chat, edits, images, models};

/// Largest JSON body accepted (a chat request carries its image inline).
const MAX_JSON_BYTES: usize = 64 * 1024 * 1024;
const FILES_KEPT: usize = 256;

pub(crate) async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Response<MockBody>, Infallible> {
    // Armed now, so a client that leaves during the upload or the wait counts too.
    let guard = DisconnectGuard::new(shared.disconnects.clone()).in_flight(shared.in_flight.clone());
    let (parts, body) = req.into_parts();
    if parts.method == Method::GET && parts.uri.path().starts_with("/mock-files/") {
        return Ok(respond(serve_file(&shared, parts.uri.path()), "", guard, reset, false));
    }

    let seq = shared.recorder.next_seq();
    let request_id = request_id(&shared, seq);
    let fault = shared.faults.lock().unwrap().take();
    let created = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let tap = Arc::new(Mutex::new(Tap::new(shared.config.record_body_limit)));
    let body = TeeBody::new(body, tap.clone());

    let mut seen = Seen::default();
    let result = process(&shared, &parts, body, &request_id, created, &mut seen).await;

    let tap = std::mem::take(&mut *tap.lock().unwrap());
    shared.recorder.push(RecordedRequest {
        seq,
        request_id: request_id.clone(),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: seen.json_body.take().unwrap_or_else(|| tap.prefix.freeze()),
        body_len: tap.len,
        parts: std::mem::take(&mut seen.parts),
        model: seen.model.clone(),
        stream: seen.stream,
        verdict: match &result {
            Ok(_) => Verdict::Ok,
            Err(e) => Verdict::from_error(e),
        },
        fault: fault.clone(),
    });

    let outcome = Outcome {
        op: seen.op,
        result,
        model: seen.model,
        key: auth::presented_key(&parts.headers),
        azure: shared.config.azure.is_some(),
        request_id: request_id.clone(),
        created,
        stream_pause: shared.config.stream_pause,
    };
    let reply = outcome::respond(fault.as_ref(), &outcome);
    if !reply.first_byte_delay.is_zero() {
        tokio::time::sleep(reply.first_byte_delay).await;
    }
    Ok(respond(reply, &request_id, guard, reset, shared.config.azure.is_some()))
}

/// What was learned about the request along the way, valid or not.
#[derive(Default)]
struct Seen {
    op: Option<Op>,
    model: Option<String>,
    stream: bool,
    json_body: Option<Bytes>,
    parts: Vec<RecordedPart>,
}

async fn process(
    shared: &Arc<Shared>,
    parts: &Parts,
    mut body: TeeBody,
    request_id: &str,
    created: u64,
    seen: &mut Seen,
) -> Result<Answer, ApiError> {
    let (route, deployment_model) = match admit(shared, parts) {
        Ok(admitted) => admitted,
        Err(e) => {
            reqbody::discard(&mut body).await;
            return Err(e);
        }
    };
    seen.op = Some(route.op.clone());
    seen.model = deployment_model.clone();
    let gate = match deployment_model {
        Some(model) => Gate::Deployment(model),
        None => Gate::Catalog(shared.catalog.view()),
    };
    let content_type =
        parts.headers.get(http::header::CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    match &route.op {
        Op::Generations | Op::Chat => {
            let bytes = read_json(&mut body, content_type.as_deref()).await?;
            seen.json_body = Some(bytes.clone());
            if route.op == Op::Chat {
                let id = request_id.trim_start_matches("req_");
                let parsed = chat::parse(&bytes, &gate, created, id);
                seen.model = parsed.model;
                seen.stream = parsed.stream;
                return parsed.answer.map(Answer::Json);
            }
            let parsed = images::parse(&bytes, &gate);
            seen.model = parsed.model;
            seen.stream = parsed.stream;
            let rendered = output::render(&shared.images, parsed.job?, created, shared.config.image_detail).await;
            Ok(Answer::Images(Box::new(publish(shared, rendered, request_id))))
        }
        Op::Edits => {
            let parsed = edits::parse(content_type.as_deref(), body, &gate, request_id).await;
            seen.model = parsed.model;
            seen.stream = parsed.stream;
            seen.parts = parsed.parts;
            let rendered = output::render(&shared.images, parsed.job?, created, shared.config.image_detail).await;
            Ok(Answer::Images(Box::new(publish(shared, rendered, request_id))))
        }
        Op::ListModels => {
            reqbody::discard(&mut body).await;
            Ok(Answer::Json(models::list(&shared.catalog.view())))
        }
        Op::Model(id) => {
            reqbody::discard(&mut body).await;
            seen.model = Some(id.clone());
            models::model_object(&shared.catalog.view(), id)
                .map(Answer::Json)
                .ok_or_else(|| errors::model_not_found(id))
        }
        Op::Deployment => {
            reqbody::discard(&mut body).await;
            let deployment = route.deployment.as_deref().unwrap_or_default();
            Ok(Answer::Json(azure::deployment_object(deployment, gate.forced().unwrap_or_default())))
        }
    }
}

/// Route and credentials (and for Azure: api-version and deployment), before the body is read.
fn admit(shared: &Shared, parts: &Parts) -> Result<(Route, Option<String>), ApiError> {
    let config = &shared.config;
    let path = parts.uri.path();
    let Some(az) = &config.azure else {
        let route = route::openai(&config.path_prefix, &parts.method, path)
            .ok_or_else(|| errors::invalid_url(parts.method.as_str(), path))?;
        auth::check_openai(config, &parts.headers)?;
        return Ok((route, None));
    };
    let route = route::azure(&parts.method, path).ok_or_else(azure::resource_not_found)?;
    auth::check_azure(config, &parts.headers)?;
    match route::query_param(parts.uri.query(), "api-version") {
        None => return Err(azure::resource_not_found()),
        Some(v) if v != az.api_version => return Err(azure::api_version_not_supported()),
        Some(_) => {}
    }
    let model = route.deployment.as_deref().and_then(|d| az.model_of(d)).ok_or_else(azure::deployment_not_found)?;
    let model = model.to_string();
    Ok((route, Some(model)))
}

async fn read_json(body: &mut TeeBody, content_type: Option<&str>) -> Result<Bytes, ApiError> {
    let essence = content_type.and_then(|c| c.split(';').next()).map(|e| e.trim().to_ascii_lowercase());
    if essence.as_deref() != Some("application/json") {
        reqbody::discard(body).await;
        return Err(errors::unsupported_content_type(content_type, "'application/json'"));
    }
    match reqbody::collect(body, MAX_JSON_BYTES).await {
        Ok(bytes) => Ok(bytes),
        Err(ReadError::TooLarge(max)) => {
            reqbody::discard(body).await;
            Err(errors::body_too_large(max))
        }
        Err(ReadError::Io(why)) => Err(errors::body_unreadable(&why)),
    }
}

/// For URL answers, makes each final image fetchable from the mock.
fn publish(shared: &Shared, mut rendered: RenderedImages, request_id: &str) -> RenderedImages {
    if !rendered.job.url_response {
        return rendered;
    }
    let format = rendered.job.output_format;
    let mut files = shared.files.lock().unwrap();
    if files.len() >= FILES_KEPT {
        files.clear();
    }
    for (i, bytes) in rendered.finals.iter().enumerate() {
        let name = format!("{request_id}-{i}.{}", format.as_str());
        files.insert(name.clone(), (bytes.clone(), format.mime()));
        rendered.urls.push(format!("http://{}/mock-files/{name}", shared.addr));
    }
    rendered
}

fn serve_file(shared: &Shared, path: &str) -> Reply {
    let name = path.trim_start_matches("/mock-files/");
    match shared.files.lock().unwrap().get(name) {
        Some((bytes, mime)) => Reply::new(StatusCode::OK, mime, Script::full(bytes.clone())),
        None => Reply::new(StatusCode::NOT_FOUND, "text/plain", Script::full("BlobNotFound")),
    }
}

/// A request id unique across servers and runs: `req_` and 32 hex digits.
fn request_id(shared: &Shared, seq: u64) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let digest = Sha256::digest(format!("{}/{seq}/{nanos}", shared.addr));
    format!("req_{}", &hex(&digest)[..32])
}

fn respond(
    reply: Reply,
    request_id: &str,
    guard: DisconnectGuard,
    reset: Arc<AtomicBool>,
    azure: bool,
) -> Response<MockBody> {
    let mut response = Response::new(MockBody::new(reply.script, Some(guard), reset));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    if !reply.bare && !request_id.is_empty() {
        let id = HeaderValue::from_str(request_id).expect("request ids are ASCII");
        headers.insert(if azure { "apim-request-id" } else { "x-request-id" }, id);
        headers.insert("openai-version", HeaderValue::from_static("2020-10-01"));
        headers.insert("openai-processing-ms", HeaderValue::from_static("42"));
    }
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            headers.insert(n, v);
        }
    }
    response
}
