//! Where the benchmark finds the workspace and keeps its files.

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn workspace() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().nth(2).expect("host-test/bench sits in the workspace").to_path_buf()
}

/// The workspace's target directory, where the benchmark keeps its scratch files and venvs.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace().join("target"))
}
