//! `cargo xtask test`: what the suites need, installed where this machine may
//! install Debian packages (as root, or with passwordless sudo), else named
//! with the command that installs it, before any test runs; then
//! `cargo test --workspace` with the task's arguments.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::bail;

/// Something a suite needs from the machine.
struct Need {
    what: &'static str,
    /// Set (non-empty), the suite is skipped on purpose and this is not needed.
    skip: &'static str,
    present: fn() -> bool,
    /// Debian's packages that provide it.
    packages: &'static [&'static str],
}

const NEEDS: &[Need] = &[
    Need {
        what: "Chromium and ChromeDriver (chromium, chromedriver on PATH), for the Visualizer's browser test",
        skip: "VISUAL_HOST_SKIP_BROWSER",
        present: browser_present,
        packages: &["chromium", "chromium-driver"],
    },
    Need {
        what: "Python 3 with venv (python3, or $PYTHON), for the Python host's suites",
        skip: "VISUAL_HOST_SKIP_PYTHON",
        present: python_present,
        packages: &["python3", "python3-venv"],
    },
    Need {
        what: "Node.js with npm, for the jco conformance test",
        skip: "VISUAL_HOST_SKIP_NODE",
        present: node_present,
        packages: &["nodejs", "npm"],
    },
];

pub fn test(args: &[String]) -> anyhow::Result<ExitCode> {
    set_up()?;
    let status = crate::workspace::cargo().args(["test", "--workspace"]).args(args).status()?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

fn skipped(need: &Need) -> bool {
    std::env::var_os(need.skip).is_some_and(|v| !v.is_empty())
}

/// Installs what is missing, or fails saying how to, before any test runs.
fn set_up() -> anyhow::Result<()> {
    for need in NEEDS.iter().filter(|n| skipped(n)) {
        eprintln!("xtask: {} is set: not needed: {}", need.skip, need.what);
    }
    let missing: Vec<&Need> = NEEDS.iter().filter(|n| !skipped(n) && !(n.present)()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().flat_map(|n| n.packages.iter().copied()).collect();
    let Some(sudo) = installer() else {
        bail!("{}", cannot_install(&missing, &packages));
    };
    eprintln!("xtask: installing Debian's {} for the tests:", packages.join(" "));
    for need in &missing {
        eprintln!("  - {}", need.what);
    }
    let started = Instant::now();
    let script = format!("apt-get update && apt-get install -y {}", packages.join(" "));
    let mut cmd = Command::new(if sudo { "sudo" } else { "env" });
    if sudo {
        cmd.args(["-n", "env"]);
    }
    crate::workspace::run(
        cmd.args(["DEBIAN_FRONTEND=noninteractive", "sh", "-c", &script]),
        "installing the test tools",
    )?;
    eprintln!("xtask: installed them in {} s", started.elapsed().as_secs());
    let still: Vec<&str> = missing.iter().filter(|n| !(n.present)()).map(|n| n.what).collect();
    if !still.is_empty() {
        bail!("still missing after the install: {}", still.join("; "));
    }
    Ok(())
}

/// What to say when the machine lacks `missing` and this user cannot install it.
fn cannot_install(missing: &[&Need], packages: &[&str]) -> String {
    let mut text = String::from("the test suites need what this machine lacks:\n");
    for need in missing {
        text += &format!("  - {}\n", need.what);
    }
    text += &format!(
        "This user cannot install packages here (it takes apt-get, and root or passwordless sudo). Install them:\n\n    \
         sudo apt-get install {}\n\n(on other systems, their own packages), then run `cargo xtask test` again; or skip \
         those suites on purpose (they are then listed as ignored):\n\n    ",
        packages.join(" ")
    );
    text += &missing.iter().map(|n| format!("{}=1", n.skip)).collect::<Vec<_>>().join(" ");
    text += " cargo xtask test";
    text
}

/// `Some(false)` as root, `Some(true)` with passwordless sudo, `None` when
/// packages cannot be installed (or there is no apt-get).
fn installer() -> Option<bool> {
    crate::workspace::on_path("apt-get")?;
    let uid = Command::new("id").arg("-u").stderr(Stdio::null()).output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        return Some(false);
    }
    let sudo = Command::new("sudo").args(["-n", "true"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    sudo.is_ok_and(|s| s.success()).then_some(true)
}

/// A program named by `variable`, else `name` on PATH (as the browser test finds them).
fn program(variable: &str, name: &str) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
        None => crate::workspace::on_path(name),
    }
}

fn browser_present() -> bool {
    program("VISUAL_HOST_CHROMIUM", "chromium").is_some()
        && program("VISUAL_HOST_CHROMEDRIVER", "chromedriver").is_some()
}

fn python_present() -> bool {
    let python = std::env::var_os("PYTHON").filter(|p| !p.is_empty()).unwrap_or_else(|| "python3".into());
    // Debian's python3 lacks ensurepip, which venv needs, until python3-venv is installed.
    Command::new(python)
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn node_present() -> bool {
    crate::workspace::on_path("node").is_some() && crate::workspace::on_path("npm").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_gives_this_as_the_test_command_and_ci_runs_it_verbatim() {
        let command = "rustup target add wasm32-wasip2 && cargo xtask test";
        for file in ["README.md", ".ci/run"] {
            let text = std::fs::read_to_string(crate::workspace::root().join(file)).unwrap();
            assert!(text.lines().any(|line| line == command), "{file} does not run `{command}` as a line of its own");
        }
    }

    #[test]
    fn a_user_who_cannot_install_is_told_what_to_install_and_how_to_skip() {
        let missing = [&NEEDS[0], &NEEDS[2]];
        let text = cannot_install(&missing, &["chromium", "chromium-driver", "nodejs", "npm"]);
        assert!(text.contains("sudo apt-get install chromium chromium-driver nodejs npm"), "{text}");
        assert!(text.contains("VISUAL_HOST_SKIP_BROWSER=1 VISUAL_HOST_SKIP_NODE=1 cargo xtask test"), "{text}");
        assert!(text.contains("browser test") && text.contains("jco") && !text.contains("Python"), "{text}");
    }
}
