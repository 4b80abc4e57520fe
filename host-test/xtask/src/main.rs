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
mod workspace;

use std::process::ExitCode;

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
