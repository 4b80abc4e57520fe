//! Why a command did not succeed; `run` turns each case into its exit code.

use visual_host::bindings::Error;

/// Why a command did not succeed, by exit code.
pub enum Failure {
    /// The backend returned a typed error (exit 1).
    Backend(Error),
    /// Bad usage or a missing required setting (exit 2).
    Usage(String),
    /// Ctrl-C (exit 130).
    Cancelled,
    /// The host itself failed: no component, not a backend, a trap (exit 3).
    Host(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Host(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Backend(e)
    }
}
