//! The same failures through the `visual-host` binary, as a user meets them:
//! exit code 1, one JSON object naming the error, and no key on any stream.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use openai_mock::{Fault, MockServer};
use serde_json::Value;

use crate::harness::{assert_no_key, mock, KEY};

/// Headroom over an expected duration for the mock, the process start and a
/// loaded 2-core CI machine (the library tests use the same).
const SLACK: Duration = Duration::from_millis(1500);

/// Runs `visual-host --base-url <mock> --json <args> generate ...` with the
/// test key in the environment, while this test's runtime serves the mock.
async fn generate(mock: &MockServer, args: &[&str]) -> (Output, Value, Duration) {
    let mut cmd = tokio::process::Command::from(crate::harness::visual_host());
    cmd.env("OPENAI_API_KEY", KEY)
        .args(["--base-url", &mock.base_url(), "--json"])
        .args(args)
        .args(["generate", "--model", "gpt-image-2.5-flare", "--prompt", "a lighthouse in a storm", "--out"])
        .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("errors-cli-never-written.png"))
        .kill_on_drop(true);
    let started = Instant::now();
    let output = cmd.output().await.expect("running visual-host");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_no_key(&stdout);
    assert_no_key(&stderr);
    assert_eq!(output.status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    let json: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {stdout}"));
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty() && !message.contains('\n'), "not a one-line message: {message:?}");
    (output, json, elapsed)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_exits_1_with_the_kind_and_status() {
    let mock = mock().await;
    mock.set_fault_always(Some(Fault::Unauthorized401));
    let (_, json, _) = generate(&mock, &["--timeout", "1"]).await;
    let error = &json["error"];
    assert_eq!((error["kind"].as_str(), error["status"].as_u64()), (Some("authentication"), Some(401)), "{json}");
    assert_eq!(error["code"], "invalid_api_key");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_echoed_key_is_printed_nowhere() {
    let mock = mock().await;
    mock.set_fault_always(Some(Fault::EchoKey));
    let (_, json, _) = generate(&mock, &["--timeout", "1"]).await;
    assert_eq!(json["error"]["kind"], "authentication");
    assert!(json["error"]["message"].as_str().unwrap().contains("[redacted]"), "{json}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_with_no_retries_is_one_attempt() {
    let mock = mock().await;
    mock.set_fault_always(Some(Fault::Overloaded503));
    let (_, json, _) = generate(&mock, &["--timeout", "1", "--max-retries", "0"]).await;
    assert_eq!((json["error"]["kind"].as_str(), json["error"]["status"].as_u64()), (Some("upstream"), Some(503)));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_3_bounds_a_stalled_response_to_a_few_seconds() {
    let mock = mock().await;
    mock.set_fault_always(Some(Fault::NoFirstByte(Duration::from_secs(30))));
    let (_, json, elapsed) = generate(&mock, &["--timeout", "3"]).await;
    let error = &json["error"];
    assert_eq!((error["kind"].as_str(), error["phase"].as_str()), (Some("timeout"), Some("first-byte")), "{json}");
    assert!(error["status"].is_null());
    // Process start and loading the cached component, then the 3 s wait.
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3) + SLACK * 2, "a stalled response held the CLI for {elapsed:?}");
    assert_eq!(mock.requests().len(), 1, "a generation the server accepted is not sent twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_1_bounds_a_body_that_stops() {
    let mock = mock().await;
    mock.set_fault_always(Some(Fault::StallMidBody(Duration::from_secs(30))));
    let (_, json, elapsed) = generate(&mock, &["--timeout", "1"]).await;
    let error = &json["error"];
    assert_eq!((error["kind"].as_str(), error["phase"].as_str()), (Some("timeout"), Some("between-bytes")), "{json}");
    assert!(elapsed < Duration::from_secs(1) + SLACK * 2, "{elapsed:?}");
}
