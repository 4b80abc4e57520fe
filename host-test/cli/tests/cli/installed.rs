//! `visual-host` away from the source tree, as the release archive installs
//! it: it finds the OpenAI backend beside itself, else in the user's plugins
//! folder; `--component` wins; with neither, it says where it looked. The
//! build puts the components beside the binary it makes, so `cargo run`
//! finds them the same way.

use std::path::{Path, PathBuf};

use crate::harness::{json_stdout, out_dir, visual_host_at};

const BACKEND: &str = "openai_visual_backend.wasm";

/// The binary, linked (or copied) into `dir/bin`, with nothing beside it.
fn install(dir: &Path) -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_visual-host"));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let installed = bin.join(exe.file_name().unwrap());
    if std::fs::hard_link(exe, &installed).is_err() {
        std::fs::copy(exe, &installed).unwrap();
    }
    installed
}

/// `installed ARGS --json info` with `home` as the whole user environment;
/// the backend's name, or the host error's message.
fn info(installed: &Path, home: &Path, args: &[&str]) -> Result<String, String> {
    let output = visual_host_at(installed)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .args(args)
        .args(["--json", "info"])
        .output()
        .unwrap();
    let v = json_stdout(&output);
    match output.status.code() {
        Some(0) => Ok(v["name"].as_str().unwrap().to_string()),
        Some(3) => Err(v["error"]["message"].as_str().unwrap().to_string()),
        other => panic!("exit {other:?}: {v}"),
    }
}

#[test]
fn the_build_puts_the_components_beside_the_binary() {
    let dir = Path::new(env!("CARGO_BIN_EXE_visual-host")).parent().unwrap();
    for (name, built) in [
        (BACKEND, guest_components::OPENAI_BACKEND),
        ("placeholder_backend.wasm", guest_components::PLACEHOLDER_BACKEND),
    ] {
        let beside = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()));
        assert!(beside == std::fs::read(built).unwrap(), "{name} beside the binary is not the one built");
    }
}

#[test]
fn an_installed_binary_looks_beside_itself_then_in_the_plugins_folder() {
    let dir = out_dir("installed");
    let (installed, home) = (install(&dir), dir.join("home"));
    let plugins = home.join(".local/share/visual-host/plugins");

    let missing = info(&installed, &home, &[]).unwrap_err();
    for place in [dir.join("bin").join(BACKEND), plugins.join(BACKEND)] {
        assert!(missing.contains(&place.display().to_string()), "{missing}");
    }
    assert!(missing.contains("--component"), "{missing}");

    // The plugins folder serves when nothing is beside the binary; the
    // placeholder, under the OpenAI backend's name, shows which one loaded.
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(guest_components::PLACEHOLDER_BACKEND, plugins.join(BACKEND)).unwrap();
    assert_eq!(info(&installed, &home, &[]).as_deref(), Ok("placeholder"));

    // Beside the binary comes first; --component wins over both.
    std::fs::copy(guest_components::OPENAI_BACKEND, dir.join("bin").join(BACKEND)).unwrap();
    assert_eq!(info(&installed, &home, &[]).as_deref(), Ok("openai"));
    let placeholder = ["--component", guest_components::PLACEHOLDER_BACKEND];
    assert_eq!(info(&installed, &home, &placeholder).as_deref(), Ok("placeholder"));
    let missing = info(&installed, &home, &["--component", "/nonexistent/b.wasm"]).unwrap_err();
    assert!(missing.contains("/nonexistent/b.wasm"), "{missing}");
}
