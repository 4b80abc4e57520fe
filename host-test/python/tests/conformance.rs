//! Keeps the component honest in hosts we did not write: the OpenAI backend's
//! `.wasm` is loaded by plain wasmtime-py (Python) and by jco (Node, with
//! `@bytecodealliance/preview2-shim` as its WASI), with no code of this
//! project in between, and each calls `info` and makes one `generate`
//! against the strict mock, which must find the request valid. The request is
//! built by hand in the shape of the component's contract (for 0.3: options
//! as `parameter` records with `value` variants, an `extra` list, the output
//! format as a string), so a change of that shape is seen here first.
//!
//! Pinned versions are installed at test time: wasmtime-py from
//! `tests/conformance/requirements.txt` into `target/conformance-venv`, jco and
//! the shim from `tests/conformance/package.json` into `target/conformance-node`
//! (both reused while their pins are unchanged). A missing Python, Node, PyPI
//! or npm registry fails the test; `VISUAL_HOST_SKIP_PYTHON=1` or
//! `VISUAL_HOST_SKIP_NODE=1` at build time skips the matching one on purpose,
//! and `cargo test` lists it as ignored, with why.

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{output, python_venv, target_dir};
use openai_mock::{MockConfig, MockServer};
use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;

/// Served today and known to every version of the backend.
const MODEL: &str = "gpt-image-2";
const KEY: &str = "sk-conformance-0123456789abcdefghijklmnop";

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("conformance")
}

/// A mock on its own runtime thread, for hosts in other processes. Today is
/// the real date, as it is for those hosts' wall clocks.
fn mock() -> (tokio::runtime::Runtime, MockServer) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let config = MockConfig { api_key: KEY.into(), ..MockConfig::default() };
    let server = runtime.block_on(MockServer::start(config)).expect("starting the mock");
    (runtime, server)
}

/// What both hosts must have seen and sent.
fn check_report(host: &str, report: &str, mock: &MockServer) {
    let line = report.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{host}: no JSON report ({e}): {report}"));
    assert_eq!(v["name"], "openai", "{host}: {v}");
    let contract = v["contract"].as_str().unwrap_or_default();
    assert!(contract.starts_with("talemate:visual/visual-backend@0."), "{host}: {v}");
    if !contract.ends_with("@0.1.0") {
        // Declared settings (0.1 had a fixed record).
        let settings: Vec<&str> = v["settings"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(settings.contains(&"api-key") && settings.contains(&"base-url"), "{host}: {v}");
    }
    assert!(v["default_model"].as_str().is_some_and(|m| !m.is_empty()), "{host}: {v}");
    assert!(v["model"].as_str().is_some_and(|m| m.starts_with(MODEL)), "{host}: {v}");
    let image = &v["image"];
    assert_eq!((image["mime_type"].as_str(), image["png"].as_bool()), (Some("image/png"), Some(true)), "{host}: {v}");
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(1536), Some(1024)), "{host}: {v}");
    let requests = mock.requests();
    let generation = requests.iter().find(|r| r.path.ends_with("/images/generations")).expect("a generation request");
    assert!(generation.verdict.is_ok(), "{host}: the mock refused the request: {:?}", generation.verdict);
    assert_eq!(generation.model.as_deref(), Some(MODEL));
    // The typed option and the output format the host passed reached the service.
    assert_eq!(generation.param("background"), Some(Value::from("opaque")), "{host}");
    assert_eq!(generation.param("output_format"), Some(Value::from("png")), "{host}");
    if contract.ends_with("@0.3.0") {
        // 0.3's result carries an estimate of its cost (the model's prices are known).
        assert!(v["cost_usd"].as_f64().is_some_and(|usd| usd > 0.0), "{host}: no cost: {v}");
    }
}

#[test]
#[cfg_attr(skip_python, ignore = "VISUAL_HOST_SKIP_PYTHON is set: the component was not run in wasmtime-py")]
fn the_component_runs_in_plain_wasmtime_py() {
    let dir = conformance_dir();
    let python = python_venv("conformance-venv", &dir.join("requirements.txt"), "this test");
    let (_runtime, mock) = mock();
    let config = serde_json::json!({
        "wasm": guest_components::OPENAI_BACKEND,
        "base_url": mock.base_url(),
        "api_key": KEY,
        "model": MODEL,
    });
    let report = output(
        Command::new(&python).arg(dir.join("wasmtime_py.py")).arg(config.to_string()).env_remove("PYTHONPATH"),
        "the component in wasmtime-py",
    );
    check_report("wasmtime-py", &report, &mock);
}

/// `target/conformance-node` with the pinned jco and shim, installed when the
/// pins change (a digest of package.json is stamped beside them).
fn node_prefix() -> PathBuf {
    let prefix = target_dir().join("conformance-node");
    let manifest = std::fs::read(conformance_dir().join("package.json")).expect("reading package.json");
    let digest: String = Sha256::digest(&manifest).iter().map(|b| format!("{b:02x}")).collect();
    let stamp = prefix.join("package.sha256");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(digest.as_str())
        && prefix.join("node_modules/.bin/jco").exists()
    {
        return prefix;
    }
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix).unwrap();
    std::fs::write(prefix.join("package.json"), &manifest).unwrap();
    output(
        Command::new("npm").args(["install", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&prefix),
        "installing jco from npm (is Node with npm installed? VISUAL_HOST_SKIP_NODE=1 skips this test)",
    );
    std::fs::write(&stamp, digest).unwrap();
    prefix
}

#[test]
#[cfg_attr(skip_node, ignore = "VISUAL_HOST_SKIP_NODE is set: the component was not run in jco")]
fn the_component_runs_in_jco_on_node() {
    let prefix = node_prefix();
    // Transpiled anew each run: the component may have changed.
    let out = prefix.join("out");
    let _ = std::fs::remove_dir_all(&out);
    output(
        Command::new(prefix.join("node_modules/.bin/jco"))
            .args(["transpile", guest_components::OPENAI_BACKEND, "--name", "backend", "--quiet", "-o"])
            .arg(&out),
        "jco transpile",
    );
    // jco writes ES modules; the folder says so.
    std::fs::write(out.join("package.json"), r#"{"type": "module"}"#).unwrap();

    let (_runtime, mock) = mock();
    let config = serde_json::json!({"base_url": mock.base_url(), "api_key": KEY, "model": MODEL});
    let report = output(
        Command::new("node").arg(conformance_dir().join("jco.mjs")).arg(out.join("backend.js")).arg(config.to_string()),
        "the component in jco (node)",
    );
    check_report("jco", &report, &mock);
}
