//! Python virtual environments built from pinned requirements, for the
//! Python host's tests and the benchmark's official-SDK reference.
//!
//! A venv is rebuilt only when its requirements file changes (a digest of
//! the file is stamped inside it), so repeated runs cost nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// Records which requirements the venv was built from.
const STAMP: &str = "requirements.sha256";

/// The interpreter inside `venv`.
pub fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// A venv at `venv` with exactly the pinned `requirements`, built with
/// `$PYTHON` (default `python3`) when missing or stale. Returns its interpreter.
pub fn ensure_venv(venv: &Path, requirements: &Path) -> anyhow::Result<PathBuf> {
    let pinned = std::fs::read(requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let digest: String = Sha256::digest(&pinned).iter().map(|b| format!("{b:02x}")).collect();
    let python = venv_python(venv);
    if python.is_file() && std::fs::read_to_string(venv.join(STAMP)).ok().as_deref() == Some(digest.as_str()) {
        return Ok(python);
    }

    let _ = std::fs::remove_dir_all(venv);
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    eprintln!("creating {} with {interpreter}", venv.display());
    run(
        Command::new(&interpreter).arg("-m").arg("venv").arg(venv),
        "creating the Python venv (is python3 with the venv module installed? set PYTHON to another interpreter)",
    )?;
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r"])
            .arg(requirements),
        "installing the pinned requirements from PyPI",
    )?;
    // Written last: an interrupted install is redone next time.
    std::fs::write(venv.join(STAMP), &digest).context("writing the venv stamp")?;
    Ok(python)
}

fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("{what}: cannot start {command:?}"))?;
    if !status.success() {
        bail!("{what} failed ({status}): {command:?}");
    }
    Ok(())
}
