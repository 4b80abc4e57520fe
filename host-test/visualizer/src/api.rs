//! The routes. Everything under `/api` needs the token (see `security`).
//!
//! | route | what |
//! |---|---|
//! | `GET /` `/app.js` `/app.css` `/favicon.svg` | the page (no token: it holds nothing secret) |
//! | `GET /images/{key}.{ext}` | an image (result, partial, input preview) by its random key: no token, see `security` |
//! | `GET /api/state` | plugins, choices (with a notice when the host changed one), settings (secrets masked), timeout, pills, the cost so far, the gallery's size |
//! | `GET /api/models?backend=&capability=` | the model list for a capability |
//! | `GET /api/status`, `POST /api/status/refresh` | the pills; check again |
//! | `PUT /api/selection` | `{capability, backend, model}` |
//! | `PUT /api/timeout` | `{seconds}`: the generation timeout |
//! | `PUT /api/settings/{backend}` | `{values, secrets, clear, remember}` |
//! | `POST /api/generate` | JSON `{prompt, format, model?, quality?, n?, partial_images?, size?, output_format?, options?}`, or the same as a form with image options as files `option:NAME` |
//! | `POST /api/edit` | multipart: `prompt`, `format`, `image` (1-16), `mask`?, `options` (a JSON object), `option:NAME` files, ... |
//! | `POST /api/analyze` | multipart: `prompt`, `image`, `max_tokens`?, `options`?, `detail`? |
//! | `GET /api/jobs`, `GET /api/jobs/{id}` | jobs, newest first |
//! | `DELETE /api/jobs` | forget the finished jobs |
//! | `GET /api/gallery`, `GET /api/gallery/{id}` | the images made since the start, newest first (capped); one with its whole prompt |
//! | `DELETE /api/gallery`, `DELETE /api/gallery/{id}` | clear the gallery; forget one image |
//! | `POST /api/jobs/{id}/cancel` | cancel a running job |
//! | `GET /api/jobs/{id}/images/{n}`, `.../partials/{n}` | image bytes, with their real type (`?download=1`) |
//! | `GET /api/events` | server-sent events: `job`, `jobs` (cleared), `gallery`, `pills`, `state` |
//!
//! A value out of range is refused with a message that says the range, never
//! changed quietly: partial images from 0 to 3, a prompt within the model's
//! longest, a declared option within its bounds, a size within the model's
//! size rule, a quality tier and an output format the model declares.
//!
//! The three job routes answer 202 with the job at once; with `?wait=1` they
//! answer when it ends, and a client that goes away cancels it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::extract::{FromRequest, Request};
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
    AnalyzeRequest, Capability, CapabilityInfo, EditRequest, GenerateRequest, ImageFormat, ModelInfo, Parameter,
    Setting, Size, ValueKind,
};

use crate::config::{capability_index, effective_of, parse_value, BackendValues, SecretSource};
use crate::error::{error_response, ApiError, ApiResult};
use crate::jobs::{self, InputImage, Meta, Work};
use crate::plugins::{contract_version, Loaded};
use crate::state::AppState;
use crate::stored::Stored;
use crate::upload::{self, FileRule, Upload};
use crate::{checks, json, models, pills, run, security};

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
        .route("/generate", post(post_generate).layer(DefaultBodyLimit::max(upload::ANALYZE_BODY_LIMIT)))
        .route("/edit", post(post_edit).layer(DefaultBodyLimit::max(upload::EDIT_BODY_LIMIT)))
        .route("/analyze", post(post_analyze).layer(DefaultBodyLimit::max(upload::ANALYZE_BODY_LIMIT)))
        .route("/jobs", get(list_jobs).delete(clear_jobs))
        .route("/gallery", get(get_gallery).delete(clear_gallery))
        .route("/gallery/{id}", get(get_gallery_item).delete(remove_gallery_item))
        .route("/jobs/{id}", get(get_job))
        .route("/jobs/{id}/cancel", post(cancel_job))
        .route("/jobs/{id}/images/{n}", get(get_image))
        .route("/jobs/{id}/partials/{n}", get(get_partial))
        .route("/events", get(events))
        .route_layer(from_fn_with_state(state.guard.clone(), security::token_check));
    Router::new()
        .route("/", get(|| async { page(INDEX, "text/html; charset=utf-8") }))
        .route("/app.js", get(|| async { page(SCRIPT, "text/javascript; charset=utf-8") }))
        .route("/app.css", get(|| async { page(STYLE, "text/css; charset=utf-8") }))
        .route("/favicon.svg", get(|| async { page(FAVICON, "image/svg+xml") }))
        .route("/images/{file}", get(get_keyed_image))
        .nest("/api", api)
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "not-found", "no such page or API route") })
        .layer(from_fn_with_state(state.guard.clone(), security::host_check))
        .with_state(state)
}

fn page(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// After the user changed a setting or a choice.
fn after_settings_changed(state: &Arc<AppState>, capabilities: &[Capability]) {
    state.config.inner.lock().unwrap().epoch += 1;
    for capability in capabilities {
        checks::refresh(state, *capability);
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
                v["info"] = l.info_json.clone();
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
                "notice": choice.notice,
                "backends": offered,
            })
        })
        .collect();
    let dir = state.plugins.dir().display().to_string();
    let empty_hint = slots.is_empty().then(|| {
        format!(
            "No backends yet. Copy a backend component (a .wasm file implementing talemate:visual) into {dir}: \
             it is picked up within a second, while the server runs. From a checkout of this project, \
             `cargo run -p visual-host-cli -- serve` fills the folder with the backends it builds."
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
        "cost_total": state.jobs.cost_total(),
        "gallery": state.gallery.summary(),
        "limits": {
            "partial_images": MAX_PARTIAL_IMAGES,
            "timeout_secs": [MIN_TIMEOUT_SECS, MAX_TIMEOUT_SECS],
            "prompt_chars": HOST_MAX_PROMPT_CHARS,
        },
    })
}

async fn get_state(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state_json(&state))
}

async fn get_status(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state.pills.json())
}

async fn refresh_status(State(state): State<Arc<AppState>>) -> Json<J> {
    checks::refresh_all(&state);
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
    Ok(Json(models::list(&state.config, &state.models, &loaded, capability).await))
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
            models::list(&state.config, &state.models, &loaded, capability).await;
            models::acceptable(&state.config, &state.models, &loaded, capability, model).map_err(ApiError::invalid)?;
            Some(model.to_string())
        }
        None if current.backend.as_deref() == Some(id.as_str()) => current.model.clone(),
        None => cap.default_model.clone(),
    };
    state.config.inner.lock().unwrap().choices[i] = crate::config::Choice { backend: Some(id), model, notice: None };
    after_settings_changed(&state, &[capability]);
    Ok(Json(state_json(&state)))
}

#[derive(Deserialize)]
struct TimeoutBody {
    seconds: f64,
}

async fn put_timeout(State(state): State<Arc<AppState>>, Json(body): Json<TimeoutBody>) -> ApiResult<Json<J>> {
    if !(body.seconds.is_finite() && (MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&body.seconds)) {
        return Err(ApiError::invalid(format!(
            "the generation timeout is from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS} seconds, not {}",
            body.seconds
        )));
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

/// The most partial images a request may ask for.
pub const MAX_PARTIAL_IMAGES: u32 = 3;
/// The generation timeout's bounds, in seconds.
pub const MIN_TIMEOUT_SECS: f64 = 1.0;
pub const MAX_TIMEOUT_SECS: f64 = 3600.0;
/// The longest prompt the host takes for a model that declares no limit.
pub const HOST_MAX_PROMPT_CHARS: usize = 100_000;

/// What a job asks for, from JSON or a form, before it is checked against the model.
#[derive(Default)]
struct Asked {
    prompt: String,
    format: Option<String>,
    backend: Option<String>,
    model: Option<String>,
    quality: Option<String>,
    n: Option<u32>,
    partial_images: Option<u32>,
    size: Option<String>,
    output_format: Option<String>,
    /// Declared options by name, as JSON values (typed by the model's declaration).
    options: serde_json::Map<String, J>,
    /// Image options: files sent as `option:NAME`.
    option_files: Vec<(String, Upload)>,
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
    /// `"1536x1024"` or `{"width": 1536, "height": 1024}`.
    #[serde(default)]
    size: Option<J>,
    #[serde(default)]
    output_format: Option<String>,
    #[serde(default)]
    options: serde_json::Map<String, J>,
}

impl From<GenerateBody> for Asked {
    fn from(b: GenerateBody) -> Asked {
        let size = match b.size {
            Some(J::String(s)) => Some(s),
            Some(J::Object(o)) => {
                Some(format!("{}x{}", o.get("width").unwrap_or(&J::Null), o.get("height").unwrap_or(&J::Null)))
            }
            Some(J::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        Asked {
            prompt: b.prompt,
            format: b.format,
            backend: b.backend,
            model: b.model,
            quality: b.quality,
            n: b.n,
            partial_images: b.partial_images,
            size,
            output_format: b.output_format,
            options: b.options,
            option_files: Vec::new(),
        }
    }
}

/// Image options arrive as files named `option:NAME`.
const OPTION_FILES: FileRule = FileRule {
    field: "option:*",
    what: "image option",
    max_bytes: upload::MAX_REFERENCE_BYTES,
    max_count: 1,
    types: &["image/png", "image/jpeg", "image/webp", "image/gif"],
};

/// The text fields of a job's form, and its image options.
fn asked_from_form(form: &mut upload::Form) -> ApiResult<Asked> {
    let number = |name: &str, what: &str| -> ApiResult<Option<u32>> {
        match form.text(name) {
            None => Ok(None),
            Some(n) => n
                .parse::<u32>()
                .map(Some)
                .map_err(|_| ApiError::invalid(format!("{what} must be a whole number, not {n:?}"))),
        }
    };
    let options = match form.text("options") {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str::<J>(text) {
            Ok(J::Object(o)) => o,
            _ => return Err(ApiError::invalid("options must be a JSON object of option names and values")),
        },
    };
    let mut asked = Asked {
        prompt: form.text("prompt").unwrap_or("").to_string(),
        format: form.text("format").map(str::to_string),
        backend: form.text("backend").map(str::to_string),
        model: form.text("model").map(str::to_string),
        quality: form.text("quality").map(str::to_string),
        n: number("n", "the number of images")?,
        partial_images: number("partial_images", "partial images")?,
        size: form.text("size").map(str::to_string),
        output_format: form.text("output_format").map(str::to_string),
        options,
        option_files: Vec::new(),
    };
    let names: Vec<String> = form.files.keys().filter(|k| k.starts_with("option:")).cloned().collect();
    for name in names {
        if let Some(upload) = form.files.remove(&name).and_then(|mut f| f.pop()) {
            asked.option_files.push((name["option:".len()..].to_string(), upload));
        }
    }
    Ok(asked)
}

/// The backend, model, settings and timeout a job for `capability` runs with now.
struct Prepared {
    loaded: Arc<Loaded>,
    model: Option<String>,
    settings: Vec<Setting>,
    timeout: Duration,
}

impl Prepared {
    fn capability(&self, capability: Capability) -> Option<&CapabilityInfo> {
        self.loaded.info.capability(capability)
    }

    /// The model the call will use: the one chosen, else the backend's default.
    fn model_id(&self, capability: Capability) -> Option<String> {
        self.model.clone().or(self.capability(capability).and_then(|c| c.default_model.clone()))
    }

    /// What the backend declares of that model, when it knows it.
    fn known(&self, capability: Capability) -> Option<&ModelInfo> {
        let id = self.model_id(capability)?;
        self.capability(capability)?.models.iter().find(|m| m.id == id)
    }
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

/// The prompt, trimmed, within the model's longest (the host's own limit for
/// a model that declares none).
fn prompt(text: &str, prepared: &Prepared, capability: Capability) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid("write a prompt first"));
    }
    let chars = text.chars().count();
    let declared = prepared.known(capability).map(|m| m.max_prompt_chars as usize).filter(|m| *m > 0);
    let (most, whose) = match declared {
        Some(most) => (most, prepared.model_id(capability).unwrap_or_default()),
        None => (HOST_MAX_PROMPT_CHARS, "this host".to_string()),
    };
    if chars > most {
        return Err(ApiError::invalid(format!(
            "the prompt is {chars} characters long; {whose} takes at most {most}: shorten it"
        )));
    }
    Ok(text.to_string())
}

/// `1536x1024` into a size.
fn parse_size(text: &str) -> ApiResult<Size> {
    let bad = || ApiError::invalid(format!("a size is WIDTHxHEIGHT in pixels, such as 1536x1024, not {text:?}"));
    let (w, h) = text.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let width = w.trim().parse::<u32>().map_err(|_| bad())?;
    let height = h.trim().parse::<u32>().map_err(|_| bad())?;
    if width == 0 || height == 0 {
        return Err(bad());
    }
    Ok(Size { width, height })
}

/// Whether the model makes `size`: one of its format sizes, or within its free sizes.
fn check_size(size: Size, model: &ModelInfo) -> ApiResult<()> {
    let Size { width, height } = size;
    if model.sizes.formats.iter().any(|f| f.size.width == width && f.size.height == height) {
        return Ok(());
    }
    let listed = || {
        model.sizes.formats.iter().map(|f| format!("{}x{}", f.size.width, f.size.height)).collect::<Vec<_>>().join(", ")
    };
    let Some(free) = &model.sizes.free else {
        return Err(ApiError::invalid(format!(
            "{} makes only the sizes of its formats ({}), not {width}x{height}",
            model.id,
            listed()
        )));
    };
    let (long, short) = (width.max(height), width.min(height));
    let fits = width % free.step == 0
        && height % free.step == 0
        && short >= free.min_side
        && long <= free.max_long_side
        && short <= free.max_short_side
        && u64::from(long) <= u64::from(free.max_aspect_ratio) * u64::from(short);
    if fits {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "{} does not make {width}x{height}: both sides must be multiples of {}, the shorter side from {} to {}, \
         the longer side at most {}, and the longer side at most {} times the shorter",
        model.id, free.step, free.min_side, free.max_short_side, free.max_long_side, free.max_aspect_ratio
    )))
}

/// What was asked, checked against what the model declares (anything goes
/// for a model the backend does not know and passes through), as the
/// request's fields and the job card's words.
struct Checked {
    prompt: String,
    format: ImageFormat,
    quality: Option<String>,
    n: Option<u32>,
    partial_images: u32,
    size: Option<Size>,
    output_format: Option<String>,
    options: Vec<Parameter>,
    meta: Meta,
    /// The image options, for the job card's previews.
    option_inputs: Vec<InputImage>,
}

fn check(prepared: &Prepared, capability: Capability, asked: Asked, budget: &mut usize) -> ApiResult<Checked> {
    let known = prepared.known(capability);
    let model_id = prepared.model_id(capability).unwrap_or_else(|| "this model".to_string());
    let prompt = prompt(&asked.prompt, prepared, capability)?;
    let format = format(asked.format.as_deref())?;
    let nonempty = |t: Option<String>| t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());

    let quality = nonempty(asked.quality);
    if let (Some(q), Some(m)) = (&quality, known) {
        if !m.qualities.is_empty() && !m.qualities.contains(q) {
            return Err(ApiError::invalid(format!(
                "{model_id} has no quality {q:?}; it takes {}",
                m.qualities.join(", ")
            )));
        }
    }
    let n = asked.n;
    if let Some(n) = n {
        let most = known.map(|m| m.max_images).filter(|m| *m > 0);
        if n == 0 || most.is_some_and(|most| n > most) {
            let range = most.map(|m| format!("from 1 to {m}")).unwrap_or_else(|| "at least 1".into());
            return Err(ApiError::invalid(format!("the number of images for {model_id} is {range}, not {n}")));
        }
    }
    let partial_images = asked.partial_images.unwrap_or(0);
    if partial_images > MAX_PARTIAL_IMAGES {
        return Err(ApiError::invalid(format!(
            "partial images are from 0 to {MAX_PARTIAL_IMAGES}, not {partial_images}"
        )));
    }
    if partial_images > 0 && known.is_some_and(|m| !m.streams_partial_images) {
        return Err(ApiError::invalid(format!("{model_id} does not stream partial images: ask for none")));
    }
    let size = match nonempty(asked.size) {
        None => None,
        Some(text) => {
            let size = parse_size(&text)?;
            if let Some(m) = known {
                check_size(size, m)?;
            }
            Some(size)
        }
    };
    let output_format = nonempty(asked.output_format).map(|f| f.to_ascii_lowercase());
    if let (Some(f), Some(m)) = (&output_format, known) {
        if !m.output_formats.is_empty() && !m.output_formats.contains(f) {
            return Err(ApiError::invalid(format!(
                "{model_id} does not answer in {f:?}; it takes {}",
                m.output_formats.join(", ")
            )));
        }
    }

    // Options: typed by the declaration; a model the backend does not know takes any, typed as sent.
    let mut options = Vec::new();
    let mut said = Vec::new();
    let declared = |name: &str| known.and_then(|m| m.options.iter().find(|o| o.name == name));
    let names = || known.map(|m| m.options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", "));
    for (name, value) in &asked.options {
        let value = match (known, declared(name)) {
            (Some(_), None) => {
                let names = names().filter(|n| !n.is_empty()).unwrap_or_else(|| "none".into());
                return Err(ApiError::invalid(format!("{model_id} has no option {name:?}; its options: {names}")));
            }
            (_, Some(spec)) if matches!(spec.kind, ValueKind::Image(_)) => {
                return Err(ApiError::invalid(format!(
                    "{} is an image: send it as the file option:{name}",
                    spec.label
                )));
            }
            (_, Some(spec)) => match parse_value(spec, value).map_err(ApiError::invalid)? {
                Some(value) => value,
                None => continue,
            },
            (None, None) => match value {
                J::Null => continue,
                J::String(t) if t.trim().is_empty() => continue,
                J::String(t) => visual_host::bindings::Value::Text(t.clone()),
                J::Bool(b) => visual_host::bindings::Value::Flag(*b),
                J::Number(n) => visual_host::bindings::Value::Number(n.as_f64().unwrap_or_default()),
                other => visual_host::bindings::Value::Json(other.to_string()),
            },
        };
        said.push(format!("{name}: {}", json::value(&value).to_string().trim_matches('"')));
        options.push(Parameter::new(name.clone(), value));
    }
    let mut option_inputs = Vec::new();
    for (name, upload) in asked.option_files {
        match (known, declared(&name)) {
            (Some(_), None) => {
                let names = names().filter(|n| !n.is_empty()).unwrap_or_else(|| "none".into());
                return Err(ApiError::invalid(format!("{model_id} has no option {name:?}; its options: {names}")));
            }
            (_, Some(spec)) => match &spec.kind {
                ValueKind::Image(types) => {
                    if !types.is_empty() && !types.iter().any(|t| t == upload.described.mime) {
                        return Err(ApiError::invalid(format!(
                            "{} takes {}, not {}",
                            spec.label,
                            types.join(" or "),
                            upload.described.mime
                        )));
                    }
                }
                _ => return Err(ApiError::invalid(format!("{} is not an image option", spec.label))),
            },
            (None, None) => {}
        }
        let d = upload.described;
        said.push(format!("{name}: {} {}×{}", upload::type_name(d.mime), d.width, d.height));
        option_inputs.push(InputImage::of(&name, &upload, budget));
        options.push(Parameter::image(name, upload.bytes));
    }
    if let Some(m) = known {
        for spec in m.options.iter().filter(|o| o.required) {
            if !options.iter().any(|o| o.name == spec.name) {
                return Err(ApiError::invalid(format!("{model_id} needs the option {}", spec.label)));
            }
        }
    }

    let default = |d: Option<&String>| d.map(|d| format!("{d} (model default)"));
    let meta = Meta {
        prompt: prompt.clone(),
        model: prepared.model.clone(),
        format: Some(format.name()),
        quality: quality.clone().or_else(|| default(known.and_then(|m| m.default_quality.as_ref()))),
        size: size.map(|s| format!("{}x{}", s.width, s.height)),
        output_format: output_format.clone().or_else(|| default(known.and_then(|m| m.default_output_format.as_ref()))),
        n,
        options: said,
        capability: Some(capability),
        fingerprint: pills::fingerprint(&prepared.loaded.info, &prepared.settings),
        ..Meta::default()
    };
    Ok(Checked { prompt, format, quality, n, partial_images, size, output_format, options, meta, option_inputs })
}

async fn start(
    state: Arc<AppState>,
    prepared: Prepared,
    work: Work,
    meta: Meta,
    inputs: Vec<InputImage>,
    wait: bool,
) -> ApiResult<Response> {
    let (id, cancel) = run::submit(&state, prepared.loaded, prepared.settings, prepared.timeout, work, meta, inputs);
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

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

async fn post_generate(
    State(state): State<Arc<AppState>>,
    Query(q): Query<WaitQuery>,
    request: Request,
) -> ApiResult<Response> {
    let capability = Capability::TextToImage;
    let asked: Asked = if is_multipart(&request) {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::invalid(format!("the form could not be read: {}", e.body_text())))?;
        let mut form = upload::read(multipart, &[OPTION_FILES]).await?;
        asked_from_form(&mut form)?
    } else {
        let Json(body) = Json::<GenerateBody>::from_request(request, &state)
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid-input", e.body_text()))?;
        body.into()
    };
    let prepared = prepare(&state, capability, asked.backend.as_deref(), asked.model.as_deref())?;
    let mut budget = jobs::PREVIEW_BUDGET;
    let checked = check(&prepared, capability, asked, &mut budget)?;
    let request = GenerateRequest {
        model: prepared.model.clone(),
        quality: checked.quality,
        n: checked.n,
        size: checked.size,
        output_format: checked.output_format,
        options: checked.options,
        ..GenerateRequest::new(checked.prompt, checked.format)
    };
    let inputs = checked.option_inputs;
    start(state, prepared, Work::Generate(request, checked.partial_images), checked.meta, inputs, q.wait()).await
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
        OPTION_FILES,
    ];
    let mut form = upload::read(multipart, &rules).await?;
    if form.text("prompt").is_none() {
        return Err(ApiError::invalid("write a prompt first"));
    }
    let images = form.files.remove("image").unwrap_or_default();
    if images.is_empty() {
        return Err(ApiError::invalid("add at least one reference image (PNG, JPEG or WebP)"));
    }
    let mask = form.files.remove("mask").and_then(|mut m| m.pop());
    let asked = asked_from_form(&mut form)?;
    let prepared = prepare(&state, capability, asked.backend.as_deref(), asked.model.as_deref())?;
    let model_id = prepared.model_id(capability);
    let most = prepared.known(capability).map(|m| m.max_reference_images);
    if let Some(most) = most.filter(|most| images.len() > *most as usize) {
        return Err(ApiError::invalid(format!(
            "{} takes at most {most} reference image{}; {} were given",
            model_id.as_deref().unwrap_or("this model"),
            if most == 1 { "" } else { "s" },
            images.len()
        )));
    }
    if let Some(mask) = &mask {
        let first = &images[0].described;
        if (mask.described.width, mask.described.height) != (first.width, first.height) {
            return Err(ApiError::invalid(format!(
                "the mask is {}x{} but the first reference image is {}x{}: a mask must be the size of the first image",
                mask.described.width, mask.described.height, first.width, first.height
            )));
        }
    }
    let mut budget = jobs::PREVIEW_BUDGET;
    let mut checked = check(&prepared, capability, asked, &mut budget)?;
    checked.meta.references = images.len();
    checked.meta.mask = mask.is_some();
    let mut inputs: Vec<InputImage> = images.iter().map(|u| InputImage::of("reference", u, &mut budget)).collect();
    if let Some(mask) = &mask {
        inputs.push(InputImage::of("mask", mask, &mut budget));
    }
    inputs.extend(checked.option_inputs);
    let request = EditRequest {
        model: prepared.model.clone(),
        mask: mask.map(|m| m.bytes),
        quality: checked.quality,
        n: checked.n,
        size: checked.size,
        output_format: checked.output_format,
        options: checked.options,
        ..EditRequest::new(checked.prompt, checked.format, images.into_iter().map(|u| u.bytes).collect())
    };
    start(state, prepared, Work::Edit(request, checked.partial_images), checked.meta, inputs, q.wait()).await
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
    if form.text("prompt").is_none() {
        return Err(ApiError::invalid("write a prompt first"));
    }
    let image = form
        .files
        .remove("image")
        .and_then(|mut i| i.pop())
        .ok_or_else(|| ApiError::invalid("add the image to analyze (PNG, JPEG, WebP or GIF)"))?;
    let max_tokens =
        match form.text("max_tokens") {
            None => None,
            Some(n) => Some(n.parse::<u32>().map_err(|_| {
                ApiError::invalid(format!("the answer's token limit must be a whole number, not {n:?}"))
            })?),
        };
    let detail = form.text("detail").map(str::to_string);
    let mut asked = asked_from_form(&mut form)?;
    if let Some(detail) = detail {
        asked.options.entry("detail").or_insert(J::String(detail));
    }
    let prepared = prepare(&state, capability, asked.backend.as_deref(), asked.model.as_deref())?;
    let mut budget = jobs::PREVIEW_BUDGET;
    let checked = check(&prepared, capability, asked, &mut budget)?;
    let meta = Meta { references: 1, format: None, ..checked.meta };
    let mut inputs = checked.option_inputs;
    inputs.insert(0, InputImage::of("image", &image, &mut budget));
    let request = AnalyzeRequest {
        model: prepared.model.clone(),
        max_output_tokens: max_tokens,
        options: checked.options,
        ..AnalyzeRequest::new(image.bytes, checked.prompt)
    };
    start(state, prepared, Work::Analyze(request), meta, inputs, q.wait()).await
}

async fn list_jobs(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state.jobs.json())
}

async fn clear_jobs(State(state): State<Arc<AppState>>) -> Json<J> {
    let cleared = state.jobs.clear_finished();
    state.emit("jobs", json!({ "cleared": cleared }));
    Json(json!({ "cleared": cleared }))
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

async fn get_gallery(State(state): State<Arc<AppState>>) -> Json<J> {
    Json(state.gallery.json())
}

async fn get_gallery_item(State(state): State<Arc<AppState>>, Path(id): Path<u64>) -> ApiResult<Json<J>> {
    state.gallery.item(id).map(Json).ok_or_else(|| ApiError::not_found(format!("no image {id} in the gallery")))
}

async fn clear_gallery(State(state): State<Arc<AppState>>) -> Json<J> {
    let cleared = state.gallery.clear();
    let summary = state.gallery.summary();
    state.emit("gallery", json!({ "cleared": true, "summary": summary }));
    Json(json!({ "cleared": cleared, "summary": summary }))
}

async fn remove_gallery_item(State(state): State<Arc<AppState>>, Path(id): Path<u64>) -> ApiResult<Json<J>> {
    if !state.gallery.remove(id) {
        return Err(ApiError::not_found(format!("no image {id} in the gallery")));
    }
    let summary = state.gallery.summary();
    state.emit("gallery", json!({ "removed": [id], "summary": summary }));
    Ok(Json(json!({ "removed": id, "summary": summary })))
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
    job_image(&state, id, n, false, q.download.is_some())
}

async fn get_partial(
    State(state): State<Arc<AppState>>,
    Path((id, n)): Path<(u64, usize)>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    job_image(&state, id, n, true, q.download.is_some())
}

fn job_image(state: &AppState, id: u64, n: usize, partial: bool, download: bool) -> ApiResult<Response> {
    let found = state.jobs.with(id, |job| {
        let list = if partial { &job.partials } else { &job.images };
        Some((list.get(n)?.clone(), job.image_file_name(partial, n)?))
    });
    let (stored, file_name) =
        found.flatten().ok_or_else(|| ApiError::not_found(format!("job {id} has no image {n}")))?;
    Ok(serve_image(&stored, &file_name, download))
}

/// `/images/{key}.{ext}`: the image with that key, wherever it is kept.
async fn get_keyed_image(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<Response> {
    let key = file.split('.').next().unwrap_or_default();
    let valid = key.len() == 32 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let (stored, file_name) =
        valid
            .then(|| state.gallery.find(key).or_else(|| state.jobs.find_image(key)))
            .flatten()
            .ok_or_else(|| ApiError::not_found("no such image: it was never made, or it was cleared"))?;
    let mut response = serve_image(&stored, &file_name, q.download.is_some());
    // The key names these bytes for good.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
    Ok(response)
}

/// An image's bytes with their real type, under a policy that lets nothing in
/// them run (an SVG is markup a model wrote).
fn serve_image(stored: &Stored, file_name: &str, download: bool) -> Response {
    let disposition = format!("{}; filename=\"{file_name}\"", if download { "attachment" } else { "inline" });
    let mut response = Response::new(Body::from(stored.bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(stored.mime));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(stored.bytes.len()));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(security::IMAGE_CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
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
