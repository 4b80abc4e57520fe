//! `visual-host check`: the status as JSON, and the exit code by level.

use crate::harness::{json_stdout, visual_host};

#[test]
fn the_cli_prints_the_status_and_exits_by_level() {
    let ok = visual_host()
        .args(["--mock", "--json", "check", "--capability", "text-to-image", "--model", "dall-e-3"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&ok.stderr));
    let v = json_stdout(&ok);
    assert_eq!((v["level"].as_str(), v["model"].as_str()), (Some("ok"), Some("dall-e-3")));

    let unknown = visual_host().args(["--mock", "--json", "check", "--model", "no-such-model"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    let v = json_stdout(&unknown);
    assert_eq!(v["level"], "error");
    assert_eq!(v["problem"]["kind"], "not-found");
}
