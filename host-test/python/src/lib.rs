//! `talemate_visual._native`: the Python host for `talemate:visual` backends,
//! as a thin PyO3 layer over the Rust host library `visual_host`.
//!
//! Everything a host does (loading and the on-disk cache, the sandbox with its
//! allowlist, memory cap and timeout clamps, older contracts presented as 0.3, the
//! calls and their cancellation) is the library's; this crate converts
//! arguments and results and runs calls:
//!
//! - synchronous methods release the GIL and block on the shared tokio runtime,
//!   so threads on separate clients run in parallel;
//! - the `a*` methods return awaitables driven by that runtime
//!   (`pyo3-async-runtimes`): cancelling the awaiting task drops the call's
//!   future, which makes the library close the call's connections at once;
//! - results are the frozen dataclasses of `talemate_visual.types`, images as
//!   `bytes` (one copy out of the component's memory, no per-byte work), and
//!   failures the exceptions of `talemate_visual.errors`.
//!
//! With the `test-mock` feature (tests only, never in a wheel) it also exposes
//! the embedded OpenAI mock as `MockServer`.

use pyo3::prelude::*;

mod args;
mod backend;
mod call;
mod client;
mod convert;
mod errors;
mod instance;
mod runtime;
mod stream;
#[cfg(feature = "test-mock")]
mod testing;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CONTRACT_VERSION", visual_host::bindings::CONTRACT_VERSION)?;
    m.add("SUPPORTED_VERSIONS", visual_host::bindings::SUPPORTED_VERSIONS.to_vec())?;
    m.add("DEFAULT_MEMORY_LIMIT", visual_host::sandbox::DEFAULT_MEMORY_LIMIT)?;
    m.add_class::<backend::VisualBackend>()?;
    m.add_class::<client::Client>()?;
    m.add_class::<stream::GenerationStream>()?;
    #[cfg(feature = "test-mock")]
    testing::register(m)?;
    Ok(())
}
