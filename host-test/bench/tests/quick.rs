//! `visual-bench --quick`: the benchmark binary still builds, runs every
//! section against the real component and reports each figure. It asserts
//! what was measured, never how fast: timings belong in the README, not in
//! pass/fail tests.

#[test]
fn the_benchmark_runs_every_section_and_reports_its_figures() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_visual-bench"))
        .arg("--quick")
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("running visual-bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "visual-bench failed: {stderr}\n{stdout}");
    for expected in [
        "### Per-call `generate` (gpt-image-2.5-flare, landscape: a 1536x1024 PNG",
        "| native Rust: hyper + serde_json + base64 (the floor) |",
        "| component in wasmtime, warm instance |",
        "Component overhead: ",
        "### Memory inside the component during `generate`",
        "| peak / decoded image |",
        "### Loading",
        "| load from the on-disk cache |",
        "Cached load + instantiation: ",
        "### Edit upload: ",
        "| component in wasmtime (new instance per edit) |",
        "### Component size",
        "| release (what the host loads) |",
        "### Concurrency through `visual-host serve`",
        "| server peak resident memory during the burst |",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // The Python host's rows need only a Python interpreter (no PyPI), so the
    // quick run has them unless Python is skipped on purpose.
    if std::env::var_os("VISUAL_HOST_SKIP_PYTHON").is_none_or(|v| v.is_empty()) {
        for expected in [
            "| Python host (talemate_visual on the Rust host), warm client, own process |",
            "| component in wasmtime, warm instance, Rust host in its own process |",
            "Python host: ",
            "| Python: load from the on-disk cache |",
            "Python host, cached load + open: ",
            "| Python host (talemate_visual, new client per edit, own process) |",
            "| component, Rust host in its own process (new instance per edit) |",
        ] {
            assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}\n{stderr}");
        }
    }
    // A photograph-sized answer, not the tests' tiny gradients.
    let decoded = stdout
        .split("PNG of ")
        .nth(1)
        .and_then(|rest| rest.split(" MiB").next())
        .and_then(|n| n.parse::<f64>().ok())
        .expect("the decoded size is reported");
    assert!((2.0..5.0).contains(&decoded), "decoded image of {decoded} MiB");
    // visual-bench's own mock key (see its KEY) never reaches the output.
    for text in [&stdout, &stderr] {
        assert!(!text.contains("0123456789abcdefghij"), "the API key leaked: {text}");
    }
}
