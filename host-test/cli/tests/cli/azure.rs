//! Azure OpenAI and gateway flags of `visual-host`.

use crate::harness::{json_stdout, mock, out_dir, visual_host, KEY};

#[test]
fn the_cli_speaks_azure_and_sends_extra_headers() {
    let dir = out_dir("azure-cli");
    let output = visual_host()
        .args(["--mock", "--azure-deployment", "dep", "--json", "generate", "--model", "gpt-image-2.5-flare"])
        .args(["--format", "portrait", "--prompt", "a gate", "--out"])
        .arg(dir.join("a.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["images"][0]["height"], 1536);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_header_flag_reaches_the_server() {
    let mock = mock().await;
    let dir = out_dir("header-cli");
    let mut cmd = tokio::process::Command::from(visual_host());
    cmd.env("OPENAI_API_KEY", KEY)
        .args(["--base-url", &mock.base_url(), "--header", "X-Test: 1", "--json", "generate"])
        .args(["--model", "gpt-image-2.5-flare", "--prompt", "a gate", "--out"])
        .arg(dir.join("h.png"));
    let output = cmd.output().await.unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(mock.requests()[0].header("x-test"), Some("1"));
}
