//! `visual-host check`: the status as JSON, and the exit code by level.

use crate::harness::{json_stdout, visual_host};

#[test]
fn the_cli_prints_the_status_and_exits_by_level() {
    let check = |args: &[&str]| {
        visual_host().args(["--mock", "--today", "2026-12-02", "--json", "check"]).args(args).output().unwrap()
    };
    let ok = check(&["--capability", "image-analysis"]);
    assert_eq!(ok.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&ok.stderr));
    let v = json_stdout(&ok);
    assert_eq!((v["level"].as_str(), v["model"].as_str()), (Some("ok"), Some("gpt-6-luna")));
    // The host shows what the backend may reach: the mock, and nothing else.
    assert_eq!(v["allowed_hosts"].as_array().map(Vec::len), Some(1), "{v}");

    let going = check(&["--capability", "image-analysis", "--model", "gpt-4o-mini"]);
    assert_eq!(going.status.code(), Some(0), "a warning is not a failure");
    let v = json_stdout(&going);
    assert_eq!(v["level"], "warning");
    assert!(v["message"].as_str().unwrap().contains("2027-01-14"), "{v}");

    let retired = check(&["--model", "dall-e-3"]);
    assert_eq!(retired.status.code(), Some(1));
    assert_eq!(json_stdout(&retired)["level"], "error");

    let unknown = check(&["--model", "no-such-model"]);
    assert_eq!(unknown.status.code(), Some(1));
    let v = json_stdout(&unknown);
    assert_eq!(v["level"], "error");
    assert_eq!(v["problem"]["kind"], "not-found");
}
