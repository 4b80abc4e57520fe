//! What every CLI test needs: the binary with a clean environment, a mock in
//! this process, scratch directories, and real images.

use std::path::PathBuf;

use openai_mock::{MockConfig, MockServer};

pub const KEY: &str = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz";

/// `visual-host` with none of the OpenAI variables from the test's own
/// environment, and the test binaries' shared component cache.
pub fn visual_host() -> std::process::Command {
    visual_host_at(env!("CARGO_BIN_EXE_visual-host").as_ref())
}

/// [`visual_host`], running the binary at `program` (a copy of it elsewhere).
pub fn visual_host_at(program: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("OPENAI_ORG_ID")
        .env_remove("OPENAI_PROJECT_ID")
        .env("VISUAL_HOST_CACHE_DIR", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache"))
        .env("VISUAL_HOST_KEY_FILE", PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache.key"));
    cmd
}

/// A mock accepting [`KEY`] that answers like today's API, served by the
/// calling test's runtime.
pub async fn mock() -> MockServer {
    MockServer::start(MockConfig { api_key: KEY.into(), ..MockConfig::default() }).await.expect("starting the mock")
}

/// A mock acting as a compatible gateway that still serves the seed's models.
pub async fn gateway() -> MockServer {
    MockServer::start(MockConfig { api_key: KEY.into(), ..MockConfig::gateway() }).await.expect("starting the mock")
}

/// `visual-host --base-url <mock> --json ARGS` with the test key, run while
/// the calling test's runtime serves `mock`.
pub async fn run_against(mock: &MockServer, args: &[&str]) -> std::process::Output {
    let mut cmd = tokio::process::Command::from(visual_host());
    cmd.env("OPENAI_API_KEY", KEY).args(["--base-url", &mock.base_url(), "--json"]).args(args).kill_on_drop(true);
    cmd.output().await.expect("running visual-host")
}

/// The requests `mock` received on a path ending in `suffix` (`/images/edits`).
pub fn requests_to(mock: &MockServer, suffix: &str) -> Vec<openai_mock::RecordedRequest> {
    mock.requests().into_iter().filter(|r| r.path.ends_with(suffix)).collect()
}

/// Asserts the key is nowhere in `text`.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the API key leaked into: {text}");
    assert!(!text.contains(&KEY[8..24]), "part of the API key leaked into: {text}");
}

/// A fresh, empty directory for one test's output files.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("out").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The one JSON object `--json` prints on stdout.
pub fn json_stdout(output: &std::process::Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines().filter(|l| !l.trim().is_empty());
    let first =
        lines.next().unwrap_or_else(|| panic!("no stdout; stderr: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(lines.next().is_none(), "stdout must be exactly one JSON object: {stdout}");
    serde_json::from_str(first).unwrap_or_else(|e| panic!("not JSON ({e}): {first}"))
}

pub use openai_mock::test_images::{encode, gif_frames, jpeg, mask, png, png_size, webp};
