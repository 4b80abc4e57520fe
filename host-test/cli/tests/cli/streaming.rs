//! `visual-host generate --partial-images`, and Ctrl-C during a call.

use std::time::{Duration, Instant};

use openai_mock::Fault;

use crate::harness::{mock, KEY};

#[test]
fn the_cli_writes_each_partial_then_the_result() {
    let dir = crate::harness::out_dir("cli-partials");
    let output = crate::harness::visual_host()
        .args(["--mock", "--json", "generate", "--partial-images", "2", "--model", "gpt-image-2.5-flare"])
        .args(["--format", "portrait", "--prompt", "a lantern", "--out"])
        .arg(dir.join("p.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    for name in ["p-partial-0.png", "p-partial-1.png", "p.png"] {
        assert!(dir.join(name).is_file(), "{name} written");
    }
    let v = crate::harness::json_stdout(&output);
    assert_eq!(v["images"][0]["height"], 1536);
    assert_eq!(v["partial_images"].as_array().map(Vec::len), Some(2));
}

// Ctrl-C is sent as SIGINT. (On Windows the CLI listens for the console's
// Ctrl-C, which a test cannot send to one child alone.)
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_cli_cleanly() {
    let mock = mock().await;
    mock.push_faults([Fault::NoFirstByte(Duration::from_secs(20))]);
    let child = crate::harness::visual_host()
        .env("OPENAI_API_KEY", KEY)
        .args(["--base-url", &mock.base_url(), "generate", "--model", "gpt-image-2.5-flare", "--prompt", "slow"])
        .arg("--out")
        .arg(std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("never.png"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the request is in flight, then interrupt.
    let started = Instant::now();
    while mock.requests().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "the CLI never sent its request");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SAFETY: plain kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let interrupted = Instant::now();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    assert!(interrupted.elapsed() < Duration::from_secs(5), "Ctrl-C took {:?}", interrupted.elapsed());
    assert_eq!(output.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cancelled"), "{stderr}");
    crate::harness::assert_no_key(&stderr);
    while mock.disconnects() == 0 {
        assert!(interrupted.elapsed() < Duration::from_secs(5), "the mock never saw the client go away");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
