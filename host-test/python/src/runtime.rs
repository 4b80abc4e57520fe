//! The one tokio runtime every call runs on, shared with the awaitables
//! (`pyo3-async-runtimes` owns it): synchronous methods block on it with the
//! GIL released, the `a*` methods hand it their futures.

/// The runtime every call runs on.
pub(crate) fn tokio() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}
