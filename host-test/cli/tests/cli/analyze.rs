//! `visual-host analyze`: the answer as the CLI's JSON.

use crate::harness::{json_stdout, out_dir, visual_host, webp};

#[test]
fn the_cli_prints_the_answer_as_json() {
    let dir = out_dir("analyze-cli");
    let webp = webp(64, 48);
    let path = dir.join("x.webp");
    std::fs::write(&path, &webp).unwrap();
    let output = visual_host()
        .args(["--mock", "--json", "analyze", "--prompt", "What is this?", "--image"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["model"], "gpt-6-luna");
    assert_eq!(v["finish_reason"], "stop");
    assert!(v["text"].as_str().unwrap().contains("WEBP image"));
    assert!(v["usage"]["total_tokens"].as_u64().is_some());
    let cost = &v["cost"];
    assert!(cost["usd"].as_f64().is_some_and(|usd| usd > 0.0), "gpt-6-luna is priced: {v}");
    assert!(cost["items"].as_array().is_some_and(|items| !items.is_empty()), "{v}");
    assert_eq!(cost["complete"], true, "{v}");

    // For a person: the answer alone on stdout, the cost on stderr.
    let output =
        visual_host().args(["--mock", "analyze", "--prompt", "What is this?", "--image"]).arg(&path).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("WEBP image"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.lines().any(|l| l.starts_with("cost: $") && l.ends_with(" (estimate)")), "{stderr}");
}
