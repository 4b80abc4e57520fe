//! Runs the Python host's pytest suite (`host-test/python/tests`) as part of
//! `cargo test --workspace`, so the Python host is tested on a fresh machine
//! with no extra step.
//!
//! It needs `python3` (3.9 or newer; `PYTHON` names another interpreter) and
//! PyPI: the test builds a venv under `target/python-venv` from the pinned
//! `host-test/python/requirements-test.txt` and reuses it while that file is
//! unchanged. Without them the test fails; `VISUAL_HOST_SKIP_PYTHON=1` at build
//! time skips it on purpose, and `cargo test` then lists it as ignored, with why.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../bench/src/pyenv.rs"]
mod pyenv;

use pyenv::ensure_venv;

fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host-test").join("python")
}

/// `target/python-venv`: next to cargo's own output, so `cargo clean` removes it.
fn venv_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("python-venv")
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    assert!(status.success(), "{what} failed ({status}): {command:?}");
}

#[test]
#[cfg_attr(skip_python, ignore = "VISUAL_HOST_SKIP_PYTHON is set: the Python host was not tested")]
fn python_host_passes_its_tests() {
    let dir = python_dir();
    let python = ensure_venv(&venv_dir(), &dir.join("requirements-test.txt"))
        .unwrap_or_else(|e| panic!("{e:#} (VISUAL_HOST_SKIP_PYTHON=1 skips the Python host's tests)"));

    // The tests find everything through these; output streams straight through.
    run(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"])
            .current_dir(&dir)
            .env("VISUAL_HOST_BIN", env!("CARGO_BIN_EXE_visual-host"))
            .env("OPENAI_BACKEND_WASM", guest_components::OPENAI_BACKEND)
            .env("PLACEHOLDER_BACKEND_WASM", guest_components::PLACEHOLDER_BACKEND)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env_remove("OPENAI_API_KEY")
            .env_remove("PYTHONPATH"),
        "the Python host's pytest suite (host-test/python/tests)",
    );
}
