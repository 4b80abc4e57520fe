//! The routes. Everything under `/api` needs the token (see `security`).
//!
//! | route | what |
//! |---|---|
//! | `GET /` `/app.js` `/app.css` `/favicon.svg` | the page (no token: it holds nothing secret) |
//! | `GET /api/state` | plugins, choices, settings (secrets masked), timeout, pills |
//! | `GET /api/models?backend=&capability=` | the model list for a capability |
//! | `GET /api/status`, `POST /api/status/refresh` | the pills; check again |
//! | `PUT /api/selection` | `{capability, backend, model}` |
//! | `PUT /api/timeout` | `{seconds}`: the generation timeout |
//! | `PUT /api/settings/{backend}` | `{values, secrets, clear, remember}` |
//! | `POST /api/generate` | JSON `{prompt, format, model?, quality?, n?, partial_images?}` |
//! | `POST /api/edit` | multipart: `prompt`, `format`, `image` (1-16), `mask`?, ... |
//! | `POST /api/analyze` | multipart: `prompt`, `image`, `max_tokens`?, `detail`? |
//! | `GET /api/jobs`, `GET /api/jobs/{id}` | jobs, newest first |
//! | `POST /api/jobs/{id}/cancel` | cancel a running job |
//! | `GET /api/jobs/{id}/images/{n}`, `.../partials/{n}` | image bytes, with their real type (`?download=1`) |
//! | `GET /api/events` | server-sent events: `job`, `pills`, `state` |
//!
//! The three job routes answer 202 with the job at once; with `?wait=1` they
//! answer when it ends, and a client that goes away cancels it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value as J};
use visual_host::bindings::{
    AnalyzeRequest, Capability, EditRequest, GenerateRequest, ImageFormat, Pair, Setting, ValueKind, WitEnum,
};

use crate::config::{capability_index, effective_of, parse_value, BackendValues, SecretSource};
use crate::jobs::{self, Meta, Work};
use crate::plugins::{contract_version, Loaded};
use crate::upload::{self, FileRule};
use crate::{json, models, pills, security, AppState};

const INDEX: &str = include_str!("../static/index.html");
const SCRIPT: &str = include_str!("../static/app.js");
const STYLE: &str = include_str!("../static/app.css");
const FAVICON: &str = include_str!("../static/favicon.svg");

pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/state", get(get_state))
        .route("/models", get(get_models))
        .route("/status", get(get_status))
        .route("/status/refresh", post(refresh_status))
        .route("/selection", put(put_selection))
        .route("/timeout", put(put_timeout))
        .route("/settings/{backend}", put(put_settings))
        .route("/generate", post(post_generate))
        .route("/edit", post(post_edit).layer(DefaultBodyLimit::max(upload::EDIT_BODY_LIMIT)))
        .route("/analyze", post(post_analyze).layer(DefaultBodyLimit::max(upload::ANALYZE_BODY_LIMIT)))
        .route("/jobs", get(list_jobs))
        .route("/jobs/{id}", get(get_job))
        .route("/jobs/{id}/cancel", post(cancel_job))
        .route("/jobs/{id}/images/{n}", get(get_image))
        .route("/jobs/{id}/partials/{n}", get(get_partial))
        .route("/events", get(events))
        .route_layer(from_fn_with_state(state.clone(), security::token_check));
    Router::new()
        .route("/", get(|| async { page(INDEX, "text/html; charset=utf-8") }))
        .route("/app.js", get(|| async { page(SCRIPT, "text/javascript; charset=utf-8") }))
        .route("/app.css", get(|| async { page(STYLE, "text/css; charset=utf-8") }))
        .route("/favicon.svg", get(|| async { page(FAVICON, "image/svg+xml") }))
        .nest("/api", api)
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "not-found", "no such page or API route") })
        .layer(from_fn_with_state(state.clone(), security::host_check))
        .with_state(state)
}

fn page(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

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

    fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, self.kind, &self.message)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// After the folder changed: settings for new backends, choices that still
/// make sense, fresh pills, and word to the page.
pub fn after_plugins_changed(state: &Arc<AppState>) {
    let loaded = state.plugins.loaded();
    for l in &loaded {
        state.config.seed(&l.id, &l.info);
    }
    {
        let mut config = state.config.inner.lock().unwrap();
        for (i, capability) in Capability::ALL.iter().enumerate() {
            let choice = &mut config.choices[i];
            let offers = |l: &Loaded| l.info.capability(*capability).is_some_and(|c| c.supported);
            let current = choice.backend.as_deref().and_then(|id| loaded.iter().find(|l| l.id == id));
            let backend = match current.filter(|l| offers(l)) {
                Some(l) => l.clone(),
                None => match loaded.iter().find(|l| offers(l)) {
                    Some(l) => l.clone(),
                    None => {
                        choice.backend = None;
                        choice.model = None;
                        continue;
                    }
                },
            };
            let cap = backend.info.capability(*capability).expect("offers it");
            let keeps_model = choice.backend.as_deref() == Some(backend.id.as_str())
                && choice
                    .model
                    .as_deref()
                    .is_some_and(|m| cap.accepts_unknown_models || cap.models.iter().any(|k| k.id == m));
            if !keeps_model {
                choice.model = cap.default_model.clone().or(cap.models.first().map(|m| m.id.clone()));
            }
            choice.backend = Some(backend.id.clone());
        }
        config.epoch += 1;
    }
    state.models.clear();
    pills::refresh_all(state);
    state.emit("state", json!({ "reason": "plugins" }));
}

/// After the user changed a setting or a choice.
fn after_settings_changed(state: &Arc<AppState>, capabilities: &[Capability]) {
    state.config.inner.lock().unwrap().epoch += 1;
    for capability in capabilities {
        pills::refresh(state, *capability);
    }
    state.emit("state", json!({ "reason": "settings" }));
}

fn state_json(state: &AppState) -> J {
    let slots = state.plugins.slots();
    let plugins: Vec<J> = slots
        .iter()
        .map(|(id, slot)| {
            let mut v =
                json!({ "id": id, "file_name": slot.file_name, "error": slot.error, "loaded": slot.loaded.is_some() });
            if let Some(l) = &slot.loaded {
                v["revision"] = json!(l.revision);
                v["contract"] = json!(contract_version(l));
                v["loaded_at_ms"] =
                    json!(l.loaded_at.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0));
                v["load_ms"] = json!(l.load_ms as u64);
                v["cached"] = json!(l.cached);
                v["info"] = json::info(&l.info);
            }
            v
        })
        .collect();

    let mut settings = serde_json::Map::new();
    for l in state.plugins.loaded() {
        let effective = state.config.effective(&l.id, &l.info);
        let values = state.config.inner.lock().unwrap().backends.get(&l.id).cloned().unwrap_or_default();
        let given: serde_json::Map<String, J> = values
            .values
            .iter()
            .filter(|s| l.info.setting(&s.name).is_some_and(|spec| !matches!(spec.kind, ValueKind::Secret)))
            .map(|s| (s.name.clone(), json::value(&s.value)))
            .collect();
        let secrets: serde_json::Map<String, J> = effective
            .secrets
            .iter()
            .map(|(name, filled)| {
                let v = match filled {
                    Some((source, masked)) => json!({ "set": true, "source": source.name(), "masked": masked,
                                                      "saved": *source == SecretSource::Saved }),
                    None => json!({ "set": false, "source": null, "masked": null, "saved": false }),
                };
                (name.clone(), v)
            })
            .collect();
        let allowed = visual_host::sandbox::NetworkPolicy::for_settings(&l.info.settings, &effective.settings)
            .map(|p| json!(p.allowed()))
            .unwrap_or(J::Null);
        settings.insert(
            l.id.clone(),
            json!({
                "values": given,
                "secrets": secrets,
                "missing": effective.missing.as_ref().map(|s| json!({ "name": s.name, "label": s.label })),
                "allowed_hosts": allowed,
            }),
        );
    }

    let config = state.config.inner.lock().unwrap();
    let capabilities: Vec<J> = Capability::ALL
        .iter()
        .map(|capability| {
            let choice = &config.choices[capability_index(*capability)];
            let offered: Vec<J> = state
                .plugins
                .loaded()
                .iter()
                .filter(|l| l.info.capability(*capability).is_some_and(|c| c.supported))
                .map(|l| json!({ "id": l.id, "label": l.info.label, "file_name": l.file_name }))
                .collect();
            json!({
                "capability": capability.name(),
                "label": json::capability_label(*capability),
                "backend": choice.backend,
                "model": choice.model,
                "backends": offered,
            })
        })
        .collect();
    let dir = state.plugins.dir().display().to_string();
    let empty_hint = slots.is_empty().then(|| {
        format!(
            "No backends yet. Copy a backend component (a .wasm file implementing talemate:visual) into {dir}: \
             it is picked up within a second, while the server runs. From a checkout of this project, \
             `cargo run -p visual-host -- serve` fills the folder with the backends it builds."
        )
    });
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "plugins_dir": dir,
        "empty_hint": empty_hint,
        "plugins": plugins,
        "capabilities": capabilities,
        "timeout_secs": config.timeout.as_secs_f64(),
        "settings": settings,
        "can_save_keys": state.config.can_save_keys(),
        "keys_path": state.config.keys_path().map(|p| p.display().to_string()),
        "mock": state.config.defaults.endpoint.as_ref().map(|e| e.base_url.clone()),
        "pills": state.pills.json(),
        "running_jobs": state.jobs.running(),
    })
}

async fn get_state(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state_json(&state))
}

async fn get_status(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state.pills.json())
}

async fn refresh_status(State(state): State<Arc<AppState>>) -> Json<J> {
    pills::refresh_all(&state);
    Json(state.pills.json())
}

fn capability(name: &str) -> ApiResult<Capability> {
    Capability::from_name(name).ok_or_else(|| {
        ApiError::invalid(format!(
            "unknown capability {name:?}; one of {}",
            Capability::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
        ))
    })
}

fn backend(state: &AppState, id: &str) -> ApiResult<Arc<Loaded>> {
    state
        .plugins
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no backend {id:?} is loaded from the plugins folder")))
}

#[derive(Deserialize)]
struct ModelsQuery {
    backend: Option<String>,
    capability: String,
}

async fn get_models(State(state): State<Arc<AppState>>, Query(q): Query<ModelsQuery>) -> ApiResult<Json<J>> {
    let capability = capability(&q.capability)?;
    let id = match q.backend {
        Some(id) => id,
        None => state.config.inner.lock().unwrap().choices[capability_index(capability)]
            .backend
            .clone()
            .ok_or_else(|| ApiError::not_found("no backend is chosen for this capability"))?,
    };
    let loaded = backend(&state, &id)?;
    Ok(Json(models::list(&state, &loaded, capability).await))
}

#[derive(Deserialize)]
struct SelectionBody {
    capability: String,
    backend: Option<String>,
    model: Option<String>,
}

async fn put_selection(State(state): State<Arc<AppState>>, Json(body): Json<SelectionBody>) -> ApiResult<Json<J>> {
    let capability = capability(&body.capability)?;
    let i = capability_index(capability);
    let current = state.config.inner.lock().unwrap().choices[i].clone();
    let id = body.backend.clone().or(current.backend.clone()).ok_or_else(|| ApiError::invalid("choose a backend"))?;
    let loaded = backend(&state, &id)?;
    let cap = loaded.info.capability(capability).filter(|c| c.supported).ok_or_else(|| {
        ApiError::invalid(format!("{} cannot do {}", loaded.info.label, json::capability_label(capability)))
    })?;
    let model = match body.model.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(model) => {
            // Make sure the live list is known before judging a model by it.
            models::list(&state, &loaded, capability).await;
            models::acceptable(&state, &loaded, capability, model).map_err(ApiError::invalid)?;
            Some(model.to_string())
        }
        None if current.backend.as_deref() == Some(id.as_str()) => current.model.clone(),
        None => cap.default_model.clone(),
    };
    state.config.inner.lock().unwrap().choices[i] = crate::config::Choice { backend: Some(id), model };
    after_settings_changed(&state, &[capability]);
    Ok(Json(state_json(&state)))
}

#[derive(Deserialize)]
struct TimeoutBody {
    seconds: f64,
}

async fn put_timeout(State(state): State<Arc<AppState>>, Json(body): Json<TimeoutBody>) -> ApiResult<Json<J>> {
    if !(body.seconds.is_finite() && (1.0..=3600.0).contains(&body.seconds)) {
        return Err(ApiError::invalid("the generation timeout is from 1 to 3600 seconds"));
    }
    state.config.inner.lock().unwrap().timeout = Duration::from_secs_f64(body.seconds);
    after_settings_changed(&state, Capability::ALL);
    Ok(Json(state_json(&state)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsBody {
    /// Non-secret settings by name; null or "" returns one to its default.
    values: serde_json::Map<String, J>,
    /// Secrets by name (write-only).
    secrets: serde_json::Map<String, J>,
    /// Secrets to forget (and to delete from disk when saved).
    clear: Vec<String>,
    /// Save the API key to disk (true) or delete it from there (false).
    remember: Option<bool>,
}

async fn put_settings(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Json(body): Json<SettingsBody>,
) -> ApiResult<Json<J>> {
    let loaded = backend(&state, &id)?;
    let info = &loaded.info;
    let mut values: BackendValues = state.config.inner.lock().unwrap().backends.get(&id).cloned().unwrap_or_default();
    let spec = |name: &str| {
        info.setting(name).ok_or_else(|| ApiError::invalid(format!("{} has no setting {name:?}", info.label)))
    };
    for (name, given) in &body.values {
        let spec = spec(name)?;
        if matches!(spec.kind, ValueKind::Secret) {
            return Err(ApiError::invalid(format!("{} is a secret: send it under \"secrets\"", spec.label)));
        }
        if spec.name == "generation-timeout" {
            return Err(ApiError::invalid("the generation timeout is the page's own setting: PUT /api/timeout"));
        }
        let value = parse_value(spec, given).map_err(ApiError::invalid)?;
        values.values.retain(|s| s.name != *name);
        if let Some(value) = value {
            values.values.push(Setting { name: name.clone(), value });
        }
    }
    for (name, given) in &body.secrets {
        let spec = spec(name)?;
        if !matches!(spec.kind, ValueKind::Secret) {
            return Err(ApiError::invalid(format!("{} is not a secret: send it under \"values\"", spec.label)));
        }
        let text = given.as_str().map(str::trim).filter(|t| !t.is_empty());
        let text = text.ok_or_else(|| ApiError::invalid(format!("{}: expected text", spec.label)))?;
        if text.chars().any(char::is_control) {
            return Err(ApiError::invalid(format!("{} contains control characters", spec.label)));
        }
        values.secrets.insert(name.clone(), (text.to_string(), SecretSource::Typed));
    }
    let mut forget_saved = false;
    for name in &body.clear {
        spec(name)?;
        if let Some((_, source)) = values.secrets.remove(name) {
            forget_saved |= name == "api-key" && source == SecretSource::Saved;
        }
    }

    // Would the backend take these settings? Nothing changes unless it would.
    let timeout = state.config.inner.lock().unwrap().timeout;
    let effective = effective_of(info, &values, &state.config.defaults, timeout);
    let policy = visual_host::sandbox::NetworkPolicy::for_settings(&info.settings, &effective.settings)
        .map_err(|e| ApiError::invalid(format!("{e:#}")))?;
    if effective.missing.is_none() {
        match loaded.plugin.connect(&effective.settings, policy).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(ApiError::new(StatusCode::BAD_REQUEST, e.kind(), e.message().to_string())),
            Err(e) => return Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "host", format!("{e:#}"))),
        }
    }

    let mut candidate = values;
    match body.remember {
        Some(true) => {
            let Some((key, _)) = candidate.secrets.get("api-key").cloned() else {
                return Err(ApiError::invalid("type an API key to save it"));
            };
            state.config.remember_key(&info.name, Some(&key)).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "host", format!("saving the key: {e:#}"))
            })?;
            candidate.secrets.insert("api-key".into(), (key, SecretSource::Saved));
        }
        Some(false) | None if forget_saved || body.remember == Some(false) => {
            state.config.remember_key(&info.name, None).map_err(|e| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "host", format!("deleting the saved key: {e:#}"))
            })?;
            if let Some((_, source)) = candidate.secrets.get_mut("api-key") {
                *source = SecretSource::Typed;
            }
        }
        _ => {}
    }
    state.config.inner.lock().unwrap().backends.insert(id.clone(), candidate);
    let uses: Vec<Capability> = {
        let config = state.config.inner.lock().unwrap();
        Capability::ALL
            .iter()
            .copied()
            .filter(|c| config.choices[capability_index(*c)].backend.as_deref() == Some(id.as_str()))
            .collect()
    };
    after_settings_changed(&state, &uses);
    Ok(Json(state_json(&state)))
}

#[derive(Deserialize)]
struct WaitQuery {
    #[serde(default)]
    wait: Option<String>,
}

impl WaitQuery {
    fn wait(&self) -> bool {
        self.wait.as_deref().is_some_and(|w| w != "0" && w != "false")
    }
}

#[derive(Deserialize)]
struct GenerateBody {
    prompt: String,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    backend: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    quality: Option<String>,
    #[serde(default)]
    n: Option<u32>,
    #[serde(default)]
    partial_images: Option<u32>,
}

/// The backend, model, settings and timeout a job for `capability` runs with now.
struct Prepared {
    loaded: Arc<Loaded>,
    model: Option<String>,
    settings: Vec<Setting>,
    timeout: Duration,
}

fn prepare(
    state: &AppState,
    capability: Capability,
    backend_id: Option<&str>,
    model: Option<&str>,
) -> ApiResult<Prepared> {
    let (choice, timeout) = {
        let config = state.config.inner.lock().unwrap();
        (config.choices[capability_index(capability)].clone(), config.timeout)
    };
    let label = json::capability_label(capability);
    let id = backend_id
        .map(str::to_string)
        .or(choice.backend.clone())
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "settings", format!("no backend is chosen for {label}")))?;
    let loaded = backend(state, &id)?;
    if !loaded.info.capability(capability).is_some_and(|c| c.supported) {
        return Err(ApiError::invalid(format!("{} cannot do {label}", loaded.info.label)));
    }
    let model = model.map(str::trim).filter(|m| !m.is_empty()).map(str::to_string);
    let model = model.or(if choice.backend.as_deref() == Some(id.as_str()) { choice.model } else { None });
    let effective = state.config.effective(&id, &loaded.info);
    if let Some(spec) = effective.missing {
        let message = if spec.name == "api-key" {
            format!(
                "{} needs an API key: type one in the settings, or set OPENAI_API_KEY before starting",
                loaded.info.label
            )
        } else {
            format!("{} needs the setting {}: set it in the settings", loaded.info.label, spec.label)
        };
        return Err(ApiError::new(StatusCode::CONFLICT, "settings", message));
    }
    Ok(Prepared { loaded, model, settings: effective.settings, timeout })
}

fn format(name: Option<&str>) -> ApiResult<ImageFormat> {
    match name.map(str::trim).filter(|f| !f.is_empty()) {
        None => Ok(ImageFormat::Landscape),
        Some(name) => ImageFormat::from_name(name)
            .ok_or_else(|| ApiError::invalid(format!("unknown format {name:?}; landscape, portrait or square"))),
    }
}

fn prompt(text: &str) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid("write a prompt first"));
    }
    Ok(text.to_string())
}

/// Partial images to ask for: at most 3, none from a model that cannot stream.
fn partials(prepared: &Prepared, capability: Capability, asked: Option<u32>) -> u32 {
    let asked = asked.unwrap_or(0).min(3);
    let cap = prepared.loaded.info.capability(capability);
    let model = prepared.model.clone().or(cap.and_then(|c| c.default_model.clone()));
    let streams = cap
        .and_then(|c| c.models.iter().find(|m| Some(&m.id) == model.as_ref()))
        .map(|m| m.streams_partial_images)
        .unwrap_or(true);
    if streams {
        asked
    } else {
        0
    }
}

async fn start(state: Arc<AppState>, prepared: Prepared, work: Work, meta: Meta, wait: bool) -> ApiResult<Response> {
    let (id, cancel) = jobs::submit(&state, prepared.loaded, prepared.settings, prepared.timeout, work, meta);
    if !wait {
        let job = state.jobs.with(id, |j| j.json()).unwrap_or(J::Null);
        return Ok((StatusCode::ACCEPTED, Json(job)).into_response());
    }
    // If the client goes away while waiting, this future is dropped and so is the job.
    let guard = cancel.drop_guard();
    state.jobs.wait(id).await;
    guard.disarm();
    Ok(Json(state.jobs.with(id, |j| j.json()).unwrap_or(J::Null)).into_response())
}

async fn post_generate(
    State(state): State<Arc<AppState>>,
    Query(q): Query<WaitQuery>,
    Json(body): Json<GenerateBody>,
) -> ApiResult<Response> {
    let capability = Capability::TextToImage;
    let text = prompt(&body.prompt)?;
    let format = format(body.format.as_deref())?;
    let prepared = prepare(&state, capability, body.backend.as_deref(), body.model.as_deref())?;
    let partial_images = partials(&prepared, capability, body.partial_images);
    let request = GenerateRequest {
        model: prepared.model.clone(),
        quality: body.quality.filter(|q| !q.trim().is_empty()),
        n: body.n,
        ..GenerateRequest::new(text.clone(), format)
    };
    let meta =
        Meta { prompt: text, model: prepared.model.clone(), format: Some(format.name()), references: 0, mask: false };
    start(state, prepared, Work::Generate(request, partial_images), meta, q.wait()).await
}

const REFERENCE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp"];

async fn post_edit(
    State(state): State<Arc<AppState>>,
    Query(q): Query<WaitQuery>,
    multipart: Multipart,
) -> ApiResult<Response> {
    let capability = Capability::ImageEdit;
    let rules = [
        FileRule {
            field: "image",
            what: "reference image",
            max_bytes: upload::MAX_REFERENCE_BYTES,
            max_count: upload::MAX_REFERENCES,
            types: REFERENCE_TYPES,
        },
        FileRule {
            field: "mask",
            what: "mask",
            max_bytes: upload::MAX_MASK_BYTES,
            max_count: 1,
            types: &["image/png"],
        },
    ];
    let mut form = upload::read(multipart, &rules).await?;
    let text = prompt(form.text("prompt").unwrap_or(""))?;
    let format = format(form.text("format"))?;
    let prepared = prepare(&state, capability, form.text("backend"), form.text("model"))?;
    let images = form.files.remove("image").unwrap_or_default();
    if images.is_empty() {
        return Err(ApiError::invalid("add at least one reference image (PNG, JPEG or WebP)"));
    }
    let cap = prepared.loaded.info.capability(capability);
    let model_id = prepared.model.clone().or(cap.and_then(|c| c.default_model.clone()));
    let most =
        cap.and_then(|c| c.models.iter().find(|m| Some(&m.id) == model_id.as_ref())).map(|m| m.max_reference_images);
    if let Some(most) = most.filter(|most| images.len() > *most as usize) {
        return Err(ApiError::invalid(format!(
            "{} takes at most {most} reference image{}; {} were given",
            model_id.as_deref().unwrap_or("this model"),
            if most == 1 { "" } else { "s" },
            images.len()
        )));
    }
    let mask = form.files.remove("mask").and_then(|mut m| m.pop());
    if let Some(mask) = &mask {
        let first = &images[0].described;
        if (mask.described.width, mask.described.height) != (first.width, first.height) {
            return Err(ApiError::invalid(format!(
                "the mask is {}x{} but the first reference image is {}x{}: a mask must be the size of the first image",
                mask.described.width, mask.described.height, first.width, first.height
            )));
        }
    }
    let asked = form.text("partial_images").and_then(|n| n.parse().ok());
    let partial_images = partials(&prepared, capability, asked);
    let meta = Meta {
        prompt: text.clone(),
        model: prepared.model.clone(),
        format: Some(format.name()),
        references: images.len(),
        mask: mask.is_some(),
    };
    let request = EditRequest {
        model: prepared.model.clone(),
        mask: mask.map(|m| m.bytes),
        quality: form.text("quality").map(str::to_string),
        ..EditRequest::new(text, format, images.into_iter().map(|u| u.bytes).collect())
    };
    start(state, prepared, Work::Edit(request, partial_images), meta, q.wait()).await
}

async fn post_analyze(
    State(state): State<Arc<AppState>>,
    Query(q): Query<WaitQuery>,
    multipart: Multipart,
) -> ApiResult<Response> {
    let capability = Capability::ImageAnalysis;
    let rules = [FileRule {
        field: "image",
        what: "image",
        max_bytes: upload::MAX_ANALYZE_BYTES,
        max_count: 1,
        types: &["image/png", "image/jpeg", "image/webp", "image/gif"],
    }];
    let mut form = upload::read(multipart, &rules).await?;
    let text = prompt(form.text("prompt").unwrap_or(""))?;
    let image = form
        .files
        .remove("image")
        .and_then(|mut i| i.pop())
        .ok_or_else(|| ApiError::invalid("add the image to analyze (PNG, JPEG, WebP or GIF)"))?;
    let prepared = prepare(&state, capability, form.text("backend"), form.text("model"))?;
    let max_tokens = match form.text("max_tokens") {
        None => None,
        Some(n) => {
            Some(n.parse::<u32>().map_err(|_| ApiError::invalid(format!("max_tokens must be a number, not {n:?}")))?)
        }
    };
    let mut options = Vec::new();
    if let Some(detail) = form.text("detail") {
        options.push(Pair::new("detail", detail));
    }
    let meta = Meta { prompt: text.clone(), model: prepared.model.clone(), format: None, references: 1, mask: false };
    let request = AnalyzeRequest {
        model: prepared.model.clone(),
        max_output_tokens: max_tokens,
        options,
        ..AnalyzeRequest::new(image.bytes, text)
    };
    start(state, prepared, Work::Analyze(request), meta, q.wait()).await
}

async fn list_jobs(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state.jobs.json())
}

async fn get_job(State(state): State<Arc<AppState>>, Path(id): Path<u64>) -> ApiResult<Json<J>> {
    state.jobs.with(id, |j| Json(j.json())).ok_or_else(|| ApiError::not_found(format!("no job {id}")))
}

async fn cancel_job(State(state): State<Arc<AppState>>, Path(id): Path<u64>) -> ApiResult<Json<J>> {
    let was_running = state.jobs.cancel(id).ok_or_else(|| ApiError::not_found(format!("no job {id}")))?;
    if was_running {
        state.jobs.wait(id).await;
    }
    let job = state.jobs.with(id, |j| j.json()).unwrap_or(J::Null);
    Ok(Json(json!({ "cancelled": was_running, "job": job })))
}

#[derive(Deserialize)]
struct DownloadQuery {
    #[serde(default)]
    download: Option<String>,
}

async fn get_image(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(u64, usize)>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    image(&state, id, n, false, q.download.is_some())
}

async fn get_partial(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(u64, usize)>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    image(&state, id, n, true, q.download.is_some())
}

fn image(state: &AppState, id: u64, n: usize, partial: bool, download: bool) -> ApiResult<Response> {
    let found = state.jobs.with(id, |job| {
        let list = if partial { &job.partials } else { &job.images };
        list.get(n).cloned().map(|s| (s, job.json()))
    });
    let (stored, job) = found.flatten().ok_or_else(|| ApiError::not_found(format!("job {id} has no image {n}")))?;
    let file_name =
        job[if partial { "partials" } else { "images" }][n]["file_name"].as_str().unwrap_or("image").to_string();
    let disposition = format!("{}; filename=\"{file_name}\"", if download { "attachment" } else { "inline" });
    let mut response = Response::new(Body::from(stored.bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(stored.mime));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(stored.bytes.len()));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// One stream per page: every job's progress, the pills, and word that the state changed.
async fn events(State(state): State<Arc<AppState>>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = state.events.subscribe();
    let hello = SseEvent::default().event("hello").data(json!({ "version": env!("CARGO_PKG_VERSION") }).to_string());
    let updates = stream::unfold(receiver, |mut receiver| async move {
        let sse = match receiver.recv().await {
            Ok(event) => SseEvent::default().event(event.name).data(event.data.to_string()),
            // Too slow to keep up: tell the page to read everything afresh.
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                SseEvent::default().event("state").data(r#"{"reason":"lagged"}"#)
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        };
        Some((sse, receiver))
    });
    let stream =
        stream::once(async move { hello }).chain(updates).map(Ok).take_until(state.shutdown.clone().cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
