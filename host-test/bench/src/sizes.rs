//! The component's size as built by the release profile (what the host
//! loads) and by `release-small`, the size-optimised profile.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::report::{verdict, Report};

/// Builds the component with `--profile release-small` into
/// `target/guest-small` (its own directory: the guest build of the release
/// profile must not be disturbed) and returns the `.wasm`'s path.
pub fn build_small(workspace: &Path) -> anyhow::Result<PathBuf> {
    let target_dir = workspace.join("target").join("guest-small");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the component with the release-small profile ...");
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--profile", "release-small", "--target", "wasm32-wasip2", "--locked"])
        .args(["-p", "openai-visual-backend"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("building the release-small component failed ({status})");
    }
    let wasm = target_dir.join("wasm32-wasip2").join("release-small").join("openai_visual_backend.wasm");
    if !wasm.is_file() {
        bail!("the release-small build did not produce {}", wasm.display());
    }
    Ok(wasm)
}

/// Size of a file in bytes.
pub fn size(path: &Path) -> anyhow::Result<usize> {
    Ok(std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len() as usize)
}

/// The size table: release, and release-small when it was built.
pub fn report(component: &Path, small: Option<&Path>, report: &mut Report) -> anyhow::Result<()> {
    report.section("Component size", "| build | bytes | KiB | target under 400 KB |");
    let row = |report: &mut Report, name: &str, path: &Path| -> anyhow::Result<()> {
        let bytes = size(path)?;
        report.row(&[
            name,
            &bytes.to_string(),
            &format!("{:.0}", bytes as f64 / 1024.0),
            &verdict(bytes as f64, 400_000.0),
        ]);
        Ok(())
    };
    row(report, "release (what the host loads)", component)?;
    if let Some(small) = small {
        row(report, "release-small (opt-level \"z\")", small)?;
    }
    Ok(())
}
