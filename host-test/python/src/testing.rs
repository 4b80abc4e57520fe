//! `MockServer`: the workspace's strict OpenAI mock (`openai-mock`), in
//! process, for the Python suite. Only with the `test-mock` feature, which
//! `cargo test` turns on and no wheel has.

use std::sync::Mutex;
use std::time::Duration;

use openai_mock::{AzureMock, Fault, ImageDetail, MockConfig, MockMode, ModelEntry, ModelFamily, ParamRule};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::errors::Failure;
use crate::runtime::tokio;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MockServer>()?;
    m.add_function(wrap_pyfunction!(_error_for_kind, m)?)?;
    Ok(())
}

/// The exception the extension raises for a contract error of `kind`
/// (every case, `cancelled` included), for the mapping's own test.
#[pyfunction]
fn _error_for_kind(py: Python<'_>, kind: &str, message: &str) -> PyResult<PyErr> {
    use visual_host::bindings::{Error, Failure as F, RateLimit, TimeoutInfo, TimeoutPhase};
    let failure = || F {
        message: message.into(),
        status: Some(418),
        code: Some("code".into()),
        request_id: Some("req_1".into()),
    };
    let error = match kind {
        "invalid-input" => Error::InvalidInput(message.into()),
        "unsupported" => Error::Unsupported(message.into()),
        "authentication" => Error::Authentication(failure()),
        "permission-denied" => Error::PermissionDenied(failure()),
        "not-found" => Error::NotFound(failure()),
        "content-policy" => Error::ContentPolicy(failure()),
        "rate-limited" => Error::RateLimited(RateLimit { failure: failure(), retry_after_ms: Some(1500) }),
        "quota-exceeded" => Error::QuotaExceeded(failure()),
        "timeout" => Error::Timeout(TimeoutInfo { phase: TimeoutPhase::BetweenBytes, message: message.into() }),
        "network" => Error::Network(message.into()),
        "upstream" => Error::Upstream(failure()),
        "malformed-response" => Error::MalformedResponse(failure()),
        "cancelled" => Error::Cancelled(message.into()),
        other => return Err(PyValueError::new_err(format!("no error case {other:?}"))),
    };
    Ok(Failure::Backend(error).into_pyerr(py))
}

/// A running mock on `127.0.0.1`. `mode`: `"api"` (answers like OpenAI
/// today) or `"gateway"` (still serves the old models); `azure`:
/// `{"api_version": ..., "deployments": [(name, model), ...]}`.
#[pyclass(module = "talemate_visual._native", frozen)]
pub struct MockServer {
    server: Mutex<Option<openai_mock::MockServer>>,
    #[pyo3(get)]
    base_url: String,
    #[pyo3(get)]
    api_key: String,
}

impl MockServer {
    fn with<T>(&self, f: impl FnOnce(&openai_mock::MockServer) -> T) -> PyResult<T> {
        let guard = self.server.lock().unwrap();
        let server = guard.as_ref().ok_or_else(|| PyRuntimeError::new_err("the mock is closed"))?;
        Ok(f(server))
    }
}

fn fault(name: &str, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Fault> {
    let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        match kwargs {
            Some(k) => k.get_item(key),
            None => Ok(None),
        }
    };
    let seconds = |key: &str| -> PyResult<Duration> {
        let s: f64 =
            get(key)?.ok_or_else(|| PyValueError::new_err(format!("fault {name:?} needs {key}=")))?.extract()?;
        Ok(Duration::from_secs_f64(s))
    };
    Ok(match name {
        "unauthorized" => Fault::Unauthorized401,
        "org_not_verified" => Fault::OrgNotVerified403,
        "model_not_found" => Fault::ModelNotFound404,
        "content_policy" => Fault::ContentPolicyViolation,
        "moderation_blocked" => Fault::ModerationBlocked,
        "insufficient_quota" => Fault::InsufficientQuota429,
        "rate_limited" => Fault::RateLimited429 {
            retry_after_ms: get("retry_after_ms")?.map(|v| v.extract()).transpose()?,
            retry_after_secs: get("retry_after_secs")?.map(|v| v.extract()).transpose()?,
        },
        "server_error" => Fault::ServerError500,
        "overloaded" => Fault::Overloaded503,
        "html_bad_gateway" => Fault::HtmlBadGateway502,
        "truncated_json" => Fault::TruncatedJson,
        "empty_data" => Fault::EmptyData,
        "bad_base64" => Fault::BadBase64,
        "not_an_image" => Fault::NotAnImage,
        "reset_mid_body" => Fault::ResetMidBody,
        "no_first_byte" => Fault::NoFirstByte(seconds("seconds")?),
        "stall_mid_body" => Fault::StallMidBody(seconds("seconds")?),
        "huge_body" => Fault::HugeBody { bytes: get("bytes")?.map(|v| v.extract()).transpose()?.unwrap_or(1 << 30) },
        "echo_key" => Fault::EchoKey,
        "stream_break_before_completed" => Fault::StreamBreakBeforeCompleted,
        "stream_break_after_completed" => Fault::StreamBreakAfterCompleted,
        "stream_error_event" => Fault::StreamErrorEvent,
        "azure_content_filter" => Fault::AzureContentFilter,
        "status" => Fault::Status {
            status: get("status")?.map(|v| v.extract()).transpose()?.unwrap_or(500),
            body: get("body")?.map(|v| v.extract()).transpose()?.unwrap_or_default(),
            headers: get("headers")?.map(|v| v.extract()).transpose()?.unwrap_or_default(),
        },
        other => return Err(PyValueError::new_err(format!("no fault {other:?}"))),
    })
}

/// A parameter rule from its Python spelling (see `MockServer.add_model`).
fn param_rule(rule: &Bound<'_, PyAny>) -> PyResult<ParamRule> {
    if let Ok(name) = rule.cast::<PyString>() {
        return match &*name.to_cow()? {
            "any" => Ok(ParamRule::Any),
            "bool" => Ok(ParamRule::Bool),
            "image" => Ok(ParamRule::Image),
            other => Err(PyValueError::new_err(format!("no parameter rule {other:?}"))),
        };
    }
    if rule.is_instance_of::<PyTuple>() {
        let (min, max): (i64, i64) = rule.extract()?;
        return Ok(ParamRule::int_range(min, max));
    }
    Ok(ParamRule::OneOf(rule.extract()?))
}

#[pymethods]
impl MockServer {
    #[new]
    #[pyo3(signature = (mode="api", *, today=Some("2026-12-02".to_string()), api_key="sk-test-0123456789abcdefghijklmnopqrstuvwxyz".to_string(), azure=None, stream_pause_ms=50, organization=None, project=None, photographic=false, path_prefix="/v1".to_string()))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        mode: &str,
        today: Option<String>,
        api_key: String,
        azure: Option<&Bound<'_, PyDict>>,
        stream_pause_ms: u64,
        organization: Option<String>,
        project: Option<String>,
        photographic: bool,
        path_prefix: String,
    ) -> PyResult<MockServer> {
        let mode = match mode {
            "api" => MockMode::Api,
            "gateway" => MockMode::Gateway,
            other => return Err(PyValueError::new_err(format!("mode must be \"api\" or \"gateway\", not {other:?}"))),
        };
        let azure = match azure {
            None => None,
            Some(a) => Some(AzureMock {
                api_version: a.get_item("api_version")?.map(|v| v.extract()).transpose()?.unwrap_or_default(),
                deployments: a.get_item("deployments")?.map(|v| v.extract()).transpose()?.unwrap_or_default(),
            }),
        };
        let config = MockConfig {
            mode,
            today,
            api_key: api_key.clone(),
            azure,
            stream_pause: Duration::from_millis(stream_pause_ms),
            organization,
            project,
            image_detail: if photographic { ImageDetail::Photographic } else { ImageDetail::Flat },
            path_prefix,
            ..MockConfig::default()
        };
        let server = py
            .detach(|| tokio().block_on(openai_mock::MockServer::start(config)))
            .map_err(|e| PyRuntimeError::new_err(format!("starting the mock: {e}")))?;
        let base_url = server.base_url();
        Ok(MockServer { server: Mutex::new(Some(server)), base_url, api_key })
    }

    /// Every request so far, in arrival order, as dicts.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let requests = self.with(|s| s.requests())?;
        let json = py.import("json")?.getattr("loads")?;
        let list = PyList::empty(py);
        for r in requests {
            let d = PyDict::new(py);
            d.set_item("method", &r.method)?;
            d.set_item("path", &r.path)?;
            d.set_item("query", &r.query)?;
            d.set_item("model", &r.model)?;
            d.set_item("stream", r.stream)?;
            d.set_item("body_len", r.body_len)?;
            d.set_item("headers", r.headers.to_vec())?;
            d.set_item("json", r.json().map(|v| v.to_string()))?;
            d.set_item(
                "parts",
                r.parts.iter().map(|p| (p.name.clone(), p.filename.clone(), p.len)).collect::<Vec<_>>(),
            )?;
            // Every parameter as sent (`RecordedRequest::param`): a JSON
            // body's with their JSON types, a multipart body's text fields as
            // strings.
            let params = PyDict::new(py);
            let names: Vec<String> = match r.json().as_ref().and_then(|body| body.as_object()) {
                Some(body) => body.keys().cloned().collect(),
                None => r.parts.iter().filter(|p| p.filename.is_none()).filter_map(|p| p.name.clone()).collect(),
            };
            for name in names {
                if let Some(value) = r.param(&name) {
                    params.set_item(&name, json.call1((value.to_string(),))?)?;
                }
            }
            d.set_item("params", params)?;
            // The file parts, with their content type and what their bytes are.
            let files = PyList::empty(py);
            for p in r.parts.iter().filter(|p| p.filename.is_some()) {
                let f = PyDict::new(py);
                f.set_item("name", &p.name)?;
                f.set_item("filename", &p.filename)?;
                f.set_item("content_type", &p.content_type)?;
                f.set_item("len", p.len)?;
                f.set_item("image", p.image.map(|i| (i.format, i.width, i.height)))?;
                files.append(f)?;
            }
            d.set_item("files", files)?;
            d.set_item("ok", r.verdict.is_ok())?;
            if let openai_mock::Verdict::Rejected { status, code, message, .. } = &r.verdict {
                d.set_item("status", status)?;
                d.set_item("code", code)?;
                d.set_item("message", message)?;
            }
            d.set_item("fault", r.fault.as_ref().map(|f| format!("{f:?}")))?;
            list.append(d)?;
        }
        Ok(list)
    }

    fn clear_requests(&self) -> PyResult<()> {
        self.with(|s| s.clear_requests())
    }

    /// How many times a client went away before a response was complete.
    fn disconnects(&self) -> PyResult<usize> {
        self.with(|s| s.disconnects())
    }

    /// Requests whose response has not ended yet.
    fn in_flight(&self) -> PyResult<usize> {
        self.with(|s| s.in_flight())
    }

    /// The most requests in flight at once (since the last reset).
    fn peak_in_flight(&self) -> PyResult<usize> {
        self.with(|s| s.peak_in_flight())
    }

    fn reset_peak_in_flight(&self) -> PyResult<()> {
        self.with(|s| s.reset_peak_in_flight())
    }

    /// Queues one fault for the next request (`"server_error"`,
    /// `"no_first_byte", seconds=5`, `"rate_limited", retry_after_ms=100`, ...).
    #[pyo3(signature = (name, **params))]
    fn push_fault(&self, name: &str, params: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
        let fault = fault(name, params)?;
        self.with(|s| s.push_faults([fault]))
    }

    /// A fault for every request, until set to `None`.
    #[pyo3(signature = (name, **params))]
    fn set_fault_always(&self, name: Option<&str>, params: Option<&Bound<'_, PyDict>>) -> PyResult<()> {
        let fault = name.map(|n| fault(n, params)).transpose()?;
        self.with(|s| s.set_fault_always(fault))
    }

    /// Adds a model to the live catalog (`family`: image, chat or other).
    /// An image model may take more `params` than its family's, by name:
    /// `"any"`, `"bool"`, `"image"`, a list of strings (one of them) or
    /// `(min, max)` (an integer from min to max); more `qualities`; and
    /// `rules_of` another model's family rules.
    #[pyo3(signature = (id, family="image", shutdown_date=None, *, params=None, qualities=Vec::new(), rules_of=None))]
    fn add_model(
        &self,
        id: &str,
        family: &str,
        shutdown_date: Option<&str>,
        params: Option<&Bound<'_, PyDict>>,
        qualities: Vec<String>,
        rules_of: Option<String>,
    ) -> PyResult<()> {
        let family = match family {
            "image" => ModelFamily::Image,
            "chat" => ModelFamily::Chat,
            "other" => ModelFamily::Other,
            other => return Err(PyValueError::new_err(format!("no model family {other:?}"))),
        };
        let mut entry = ModelEntry::new(id, family);
        entry.shutdown_date = shutdown_date.map(str::to_string);
        if let Some(params) = params {
            for (name, rule) in params.iter() {
                entry = entry.with_param(name.extract::<String>()?, param_rule(&rule)?);
            }
        }
        for tier in qualities {
            entry = entry.with_quality(tier);
        }
        if let Some(model) = rules_of {
            entry = entry.with_rules_of(model);
        }
        self.with(|s| s.catalog().add(entry))
    }

    fn remove_model(&self, id: &str) -> PyResult<bool> {
        self.with(|s| s.catalog().remove(id))
    }

    #[pyo3(signature = (id, date))]
    fn set_shutdown_date(&self, id: &str, date: Option<&str>) -> PyResult<bool> {
        self.with(|s| s.catalog().set_shutdown_date(id, date))
    }

    #[pyo3(signature = (today))]
    fn set_today(&self, today: Option<&str>) -> PyResult<()> {
        self.with(|s| s.catalog().set_today(today))
    }

    /// Stops the server and drops its connections.
    fn close(&self, py: Python<'_>) {
        let server = self.server.lock().unwrap().take();
        if let Some(server) = server {
            py.detach(|| tokio().block_on(server.shutdown()));
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.close(py);
        false
    }
}
