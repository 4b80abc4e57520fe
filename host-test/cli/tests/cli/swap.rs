//! One binary, two backends: the same `visual-host` loads the OpenAI backend
//! and the offline placeholder backend (built for contracts 0.3, 0.2 and
//! 0.1) from their `.wasm` files at run time, with nothing rebuilt in
//! between, and refuses a component built for a contract version it does
//! not speak.

use std::path::Path;
use std::process::{Command, Output};

use guest_components::{Guest, ALL as BACKENDS, FUTURE_CONTRACT_WAT};
use serde_json::Value;

use crate::harness::{json_stdout, out_dir, png_size};

const HOST: &str = env!("CARGO_BIN_EXE_visual-host");

fn host(args: &[&str], cache_dir: &Path) -> Output {
    Command::new(HOST)
        .args(args)
        .env("VISUAL_HOST_CACHE_DIR", cache_dir)
        .env("VISUAL_HOST_KEY_FILE", cache_dir.join("cache.key"))
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .output()
        .expect("running visual-host")
}

/// The first text-to-image model `info` says draws landscape at `size` and is
/// not retired: the host picks by what the backend declares, not by knowing it.
fn model_drawing_landscape_at(info: &Value, size: &str) -> String {
    let capability = info["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["capability"] == "text-to-image")
        .expect("a text-to-image capability");
    capability["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["sizes"]["landscape"] == size && m["lifecycle"]["state"] != "retired")
        .unwrap_or_else(|| panic!("no model draws landscape at {size}: {capability}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_same_binary_runs_either_backend() {
    let dir = out_dir("swap-cli");
    for Guest { path: wasm, name, contract: version } in BACKENDS {
        let output = host(&["--component", wasm, "--json", "info"], &dir);
        assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
        let info = json_stdout(&output);
        assert_eq!(info["name"], name, "{info}");
        assert_eq!(info["contract"], format!("talemate:visual/visual-backend@{version}"), "{info}");
        assert_eq!(info["prompt_style"], "descriptive");

        let model = model_drawing_landscape_at(&info, "1536x1024");
        let out = dir.join(format!("{name}-{version}.png"));
        let output = host(
            &[
                "--component",
                wasm,
                "--mock",
                "--json",
                "generate",
                "--prompt",
                "a lighthouse at dusk, oil painting",
                "--format",
                "landscape",
                "--model",
                &model,
                "--out",
                out.to_str().unwrap(),
            ],
            &dir,
        );
        assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
        let generated = json_stdout(&output);
        assert_eq!(generated["images"][0]["width"], 1536, "{generated}");
        assert_eq!(generated["images"][0]["height"], 1024, "{generated}");
        assert_eq!(generated["images"][0]["path"], out.to_str().unwrap());
        assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1536, 1024), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_future_contract_version_is_refused_by_the_cli() {
    let dir = out_dir("swap-future");
    let component = dir.join("future-backend.wat");
    std::fs::write(&component, FUTURE_CONTRACT_WAT).unwrap();
    let path = component.to_str().unwrap();

    let output = host(&["--no-cache", "--component", path, "info"], &dir);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("implements talemate:visual/visual-backend@0.4.0"), "{stderr}");
    for supported in ["0.3", "0.2", "0.1"] {
        assert!(stderr.contains(&format!("talemate:visual/visual-backend@{supported}.x")), "{stderr}");
    }

    let output = host(&["--no-cache", "--component", path, "--json", "info"], &dir);
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let reply: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reply["error"]["kind"], "host");
    assert!(reply["error"]["message"].as_str().unwrap().contains("@0.4.0"), "{reply}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What contract 0.2 cannot express is refused before the call, with a
/// message that names the contract: an output format outside 0.2's closed
/// list, and any extra parameter (0.2 had none).
#[test]
fn a_0_2_backend_refuses_what_its_contract_cannot_say() {
    let dir = out_dir("swap-v0-2");
    let wasm = guest_components::PLACEHOLDER_BACKEND_V0_2;
    let output = host(&["--component", wasm, "--json", "info"], &dir);
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let info = json_stdout(&output);
    let t2i = info["capabilities"].as_array().unwrap().iter().find(|c| c["capability"] == "text-to-image").unwrap();
    assert_eq!(t2i["accepts_extra_parameters"], false, "{t2i}");

    let out = dir.join("never.png");
    let out = out.to_str().unwrap();
    for asked in [&["--output-format", "gif"][..], &["--extra", "seed=7"][..]] {
        let output = host(
            &[&["--component", wasm, "--json", "generate", "--prompt", "a lighthouse", "--out", out][..], asked]
                .concat(),
            &dir,
        );
        assert_eq!(output.status.code(), Some(1), "{asked:?}: {output:?}");
        let reply: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(reply["error"]["kind"], "invalid-input", "{reply}");
        assert!(reply["error"]["message"].as_str().unwrap().contains("contract 0.2"), "{asked:?}: {reply}");
    }
    assert!(!Path::new(out).exists() && !dir.join("never.gif").exists(), "nothing is written");
    let _ = std::fs::remove_dir_all(&dir);
}
