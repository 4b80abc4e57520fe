//! Shared by the tests that run this crate's code in other interpreters:
//! where they keep what they install, their pinned Python venvs, and running
//! a command for its output.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../../bench/src/pyenv.rs"]
#[allow(dead_code)]
mod pyenv;

/// `target/`: next to cargo's own output, so `cargo clean` removes what the tests make.
pub fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// The Python of the venv `target/<name>` with the pins of `requirements`
/// (made again when they change). Without Python or PyPI the test fails,
/// saying how to skip `what` on purpose.
pub fn python_venv(name: &str, requirements: &Path, what: &str) -> PathBuf {
    pyenv::ensure_venv(&target_dir().join(name), requirements)
        .unwrap_or_else(|e| panic!("{e:#} (VISUAL_HOST_SKIP_PYTHON=1 skips {what})"))
}

/// Runs `command`, failing the test with its output when it fails; returns stdout.
pub fn output(command: &mut Command, what: &str) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed ({}):\n{stderr}\n{stdout}", out.status);
    stdout
}
