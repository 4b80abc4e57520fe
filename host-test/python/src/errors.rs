//! Failures as the exceptions of `talemate_visual.errors`: one class per case
//! of the contract's `error` (chosen by its WIT name, `kind`), and the host's
//! own `LoadError` and `BackendTrapped`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use visual_host::bindings::Error;

/// Why a call did not return a value.
#[derive(Debug)]
pub enum Failure {
    /// The backend's typed error.
    Backend(Error),
    /// The component trapped (or a stream outlived its instance).
    Trapped(String),
    /// Not a backend this host can load.
    Load(String),
    /// The client was closed.
    Closed,
}

impl Failure {
    /// A host-side failure during a call: the instance trapped or is gone.
    pub fn trap(what: &str, e: anyhow::Error) -> Failure {
        Failure::Trapped(format!("the backend crashed during {what}: {e:#}"))
    }

    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self.raise(py) {
            Ok(err) | Err(err) => err,
        }
    }

    fn raise(self, py: Python<'_>) -> PyResult<PyErr> {
        let errors = module(py, &ERRORS, "talemate_visual.errors")?;
        let exception = match self {
            Failure::Backend(e) => error_object(py, &e)?,
            Failure::Trapped(message) => errors.getattr("BackendTrapped")?.call1((message,))?,
            Failure::Load(message) => errors.getattr("LoadError")?.call1((message,))?,
            Failure::Closed => return Ok(PyRuntimeError::new_err("this client is closed")),
        };
        Ok(PyErr::from_value(exception))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Backend(e)
    }
}

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// A module of the package, imported once.
pub fn module<'py>(py: Python<'py>, cell: &PyOnceLock<Py<PyModule>>, name: &str) -> PyResult<Bound<'py, PyModule>> {
    Ok(cell.get_or_try_init(py, || py.import(name).map(Bound::unbind))?.bind(py).clone())
}

/// The exception instance for a contract error (not raised: `Status.problem`
/// holds one too).
pub fn error_object<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let errors = module(py, &ERRORS, "talemate_visual.errors")?;
    let class = errors.getattr("ERROR_CLASSES")?.get_item(e.kind())?;
    let kwargs = PyDict::new(py);
    if let Some(failure) = e.failure() {
        kwargs.set_item("status", failure.status)?;
        kwargs.set_item("code", failure.code.as_deref())?;
        kwargs.set_item("request_id", failure.request_id.as_deref())?;
    }
    match e {
        Error::RateLimited(r) => kwargs.set_item("retry_after_ms", r.retry_after_ms)?,
        Error::Timeout(t) => kwargs.set_item("phase", t.phase.name())?,
        _ => {}
    }
    class.call((e.message(),), Some(&kwargs))
}

/// A load failure (missing file, not a component, another contract version).
pub fn load_error(py: Python<'_>, e: anyhow::Error) -> PyErr {
    Failure::Load(format!("{e:#}")).into_pyerr(py)
}
