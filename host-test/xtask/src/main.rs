//! `cargo xtask`: the project's tasks that are more than one cargo command
//! (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask test [ARGS...]`: installs what the test suites need and the
//!   machine lacks (Debian's `chromium` and `chromium-driver`, ...), or says
//!   what to install and stops; then `cargo test --workspace ARGS...`.
//! - `cargo xtask dist [--profile P] [--target T] [--no-wheel]`: the release
//!   folder, `target/dist/`.

mod dist;
mod setup;
mod versions;
mod wit;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context};

const USAGE: &str = "\
usage: cargo xtask <task>

  test [ARGS...]     install what the test suites need and this machine lacks
                     (Debian's chromium and chromium-driver, python3-venv, nodejs
                     and npm; as root or with passwordless sudo), else say what to
                     install and stop; then run `cargo test --workspace ARGS...`.
                     VISUAL_HOST_SKIP_BROWSER, _PYTHON and _NODE skip a suite on
                     purpose, and what it needs is then not installed.

  dist [--profile P] [--target T] [--no-wheel]
                     build a release into target/dist/: the components, the
                     contract as a binary WIT package, visual-host-VERSION-TARGET.tar.gz,
                     the Python wheel (manylinux_2_28 on Linux) and SHA256SUMS.
                     --profile: the cargo profile (default release; CI uses dev,
                     whose build the tests already made). --target: the Rust
                     target (default this machine's). --no-wheel: leave the wheel out.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => setup::test(&args[1..]),
        Some("dist") => dist::Options::parse(&args[1..]).and_then(|options| dist::dist(&options)),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprint!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("xtask: {e:#}");
        ExitCode::FAILURE
    })
}

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("host-test/xtask is two levels down").to_path_buf()
}

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// The cargo that runs this task (`cargo xtask` sets `CARGO`), in the root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd`; an error saying `what` failed unless it succeeds.
pub fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("{what}: cannot run {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// `name` on PATH (with Windows' executable extensions), if it is there.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        ["exe", "cmd", "bat"].iter().map(|ext| format!("{name}.{ext}")).collect()
    } else {
        vec![name.to_string()]
    };
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}
