//! The `visual-host` command line as acceptance checks use it: exact JSON
//! shapes, file naming, exit codes, and no key anywhere in what it prints.

use std::path::Path;

use crate::harness::{assert_no_key, json_stdout, out_dir, png_size, visual_host, KEY};

#[test]
fn generate_with_json_writes_the_image_and_prints_the_contract() {
    let dir = out_dir("generate-json");
    let out = dir.join("lighthouse.png");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.5-flare", "--format", "landscape"])
        .args(["--prompt", "a lighthouse at dusk", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["model"], "gpt-image-2.5-flare");
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 1);
    let image = &images[0];
    assert_eq!(image["path"], out.display().to_string());
    assert_eq!(image["mime_type"], "image/png");
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(1536), Some(1024)));
    assert_eq!(image["bytes"].as_u64(), Some(std::fs::metadata(&out).unwrap().len()));
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1536, 1024));
    assert!(v["revised_prompt"].is_null());
    assert!(v["usage"]["total_tokens"].as_u64().is_some());
    assert!(v["svg_usage"].is_null(), "only an SVG has an author");
    assert!(v["cost"]["usd"].as_f64().is_some_and(|usd| usd > 0.0), "a priced model: {v}");
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["cost", "images", "model", "revised_prompt", "svg_usage", "usage"]);
}

#[test]
fn several_images_are_numbered_before_the_extension() {
    let dir = out_dir("generate-n");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2", "--format", "portrait", "--n", "3"])
        .args(["--prompt", "three keys", "--out"])
        .arg(dir.join("keys.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    for i in 1..=3 {
        let path = dir.join(format!("keys-{i}.png"));
        assert_eq!(png_size(&std::fs::read(&path).unwrap()), (1024, 1536));
        assert_eq!(v["images"][i - 1]["path"], path.display().to_string());
    }
    assert!(!dir.join("keys.png").exists());
}

#[test]
fn the_extension_follows_the_real_image_type() {
    let dir = out_dir("generate-jpeg");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.5-flare", "--output-format", "jpeg"])
        .args(["--prompt", "a jpeg, please", "--out"])
        .arg(dir.join("photo.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["images"][0]["mime_type"], "image/jpeg");
    let path = dir.join("photo.jpg");
    assert_eq!(v["images"][0]["path"], path.display().to_string());
    assert_eq!(&std::fs::read(&path).unwrap()[..3], b"\xff\xd8\xff");
}

#[tokio::test(flavor = "multi_thread")]
async fn dall_e_3_returns_its_revised_prompt_where_it_is_still_served() {
    let gateway = crate::harness::gateway().await;
    let dir = out_dir("generate-dalle");
    let mut cmd = tokio::process::Command::from(visual_host());
    cmd.env("OPENAI_API_KEY", KEY)
        .args(["--base-url", &gateway.base_url(), "--json", "generate", "--model", "dall-e-3", "--format", "portrait"])
        .args(["--prompt", "a tall tower", "--out"])
        .arg(dir.join("tower.png"));
    let output = cmd.output().await.unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert!(v["revised_prompt"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(v["usage"].is_null());
    assert_eq!(png_size(&std::fs::read(dir.join("tower.png")).unwrap()), (1024, 1792));
}

#[test]
fn a_retired_model_says_since_when_and_what_to_use() {
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "dall-e-3", "--prompt", "a tall tower", "--out"])
        .arg(out_dir("generate-retired").join("never.png"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!((v["error"]["kind"].as_str(), v["error"]["status"].as_u64()), (Some("not-found"), Some(404)));
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("retired") && message.contains("2026-05-12"), "{message}");
    assert!(message.contains("gpt-image-2.5"), "names a current model: {message}");
}

#[test]
fn any_tier_the_model_declares_is_taken_and_others_are_refused_before_sending() {
    let dir = out_dir("generate-tiers");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.5-sunburst", "--quality", "xhigh"])
        .args(["--size", "2560x1440", "--prompt", "a wide valley", "--out"])
        .arg(dir.join("wide.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(png_size(&std::fs::read(dir.join("wide.png")).unwrap()), (2560, 1440));

    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2", "--quality", "max", "--prompt", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "invalid-input");
    assert!(v["error"]["message"].as_str().unwrap().contains("max"), "{v}");
}

#[test]
fn models_prints_what_the_service_offers_with_shutdown_dates() {
    let output = visual_host()
        .args(["--mock", "--today", "2026-12-02", "--json", "models", "--capability", "image-analysis"])
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let models = v["models"].as_array().unwrap();
    assert!(models.iter().all(|m| m["capability"] == "image-analysis"));
    let mini = models.iter().find(|m| m["id"] == "gpt-4o-mini").expect("gpt-4o-mini listed");
    assert_eq!(
        (mini["state"].as_str(), mini["shutdown_date"].as_str(), mini["replacement"].as_str()),
        (Some("deprecated"), Some("2027-01-14"), Some("gpt-6-luna"))
    );
    let luna = models.iter().find(|m| m["id"] == "gpt-6-luna").expect("gpt-6-luna listed");
    assert_eq!((luna["state"].as_str(), luna["shutdown_date"].as_str()), (Some("active"), None));
    for m in models {
        for field in ["id", "capability", "state", "shutdown_date", "replacement"] {
            assert!(m.get(field).is_some(), "{field} in {m}");
        }
    }

    // The day after the shutdown, the same model is retired, for the backend and the service alike.
    let later = visual_host()
        .args(["--mock", "--today", "2027-01-15", "--json", "models", "--capability", "image-analysis"])
        .output()
        .unwrap();
    let v = json_stdout(&later);
    let mini = v["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-4o-mini").cloned().unwrap();
    assert_eq!(mini["state"], "retired", "{mini}");
}

#[test]
fn a_backend_error_is_one_json_object_and_exit_1() {
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "dall-e-3", "--n", "2", "--prompt", "two"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "invalid-input");
    assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(v["error"]["status"].is_null());
}

#[test]
fn without_a_key_or_mock_it_says_how_to_get_one_and_exits_2() {
    let output = visual_host().args(["generate", "--prompt", "x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("OPENAI_API_KEY") && stderr.contains("--mock"), "{stderr}");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["generate"],                                                 // no prompt
        vec!["--mock", "generate", "--prompt", "x", "--format", "round"], // no such format
        vec!["--mock", "generate", "--prompt", "x", "--size", "big"],     // not WxH
        vec!["frobnicate"],
    ] {
        let output = visual_host().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn info_json_lists_capabilities_and_sizes() {
    let output = visual_host().args(["--json", "info"]).output().unwrap();
    assert!(output.status.success());
    let v = json_stdout(&output);
    assert_eq!(v["name"], "openai");
    assert_eq!(v["prompt_style"], "descriptive");
    let t2i = v["capabilities"].as_array().unwrap().iter().find(|c| c["capability"] == "text-to-image").unwrap();
    let dalle = t2i["models"].as_array().unwrap().iter().find(|m| m["id"] == "dall-e-3").unwrap();
    assert_eq!(dalle["sizes"]["landscape"], "1792x1024");
    assert_eq!(dalle["lifecycle"]["state"], "retired");
    assert_eq!(dalle["lifecycle"]["shutdown_date"], "2026-05-12");
    assert_eq!(t2i["default_model"], "gpt-image-2.6-flare");
    assert_eq!(t2i["accepts_extra_parameters"], true);
    let sunburst = t2i["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-image-2.5-sunburst").unwrap();
    assert!(sunburst["qualities"].as_array().unwrap().iter().any(|q| q == "xhigh"), "{sunburst}");
    assert!(sunburst["free_sizes"]["max_long_side"].as_u64() == Some(3840), "{sunburst}");
    // Each model's output formats and default, its prices with their source,
    // and its options' kinds, number steps and image types.
    let flare = t2i["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-image-2.6-flare").unwrap();
    let formats: Vec<&str> = flare["output_formats"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(formats.contains(&"gif") && formats.contains(&"svg"), "{flare}");
    assert_eq!(flare["default_output_format"], "png");
    assert!(flare["prices"]["image_output"].as_f64().is_some_and(|p| p > 0.0), "{flare}");
    assert!(flare["prices"]["source"].as_str().is_some_and(|s| s.starts_with("https://")), "{flare}");
    let option = |name: &str| flare["options"].as_array().unwrap().iter().find(|o| o["name"] == name).cloned();
    let duration = option("frame-duration-ms").expect("frame-duration-ms");
    assert_eq!((duration["kind"].as_str(), duration["range"]["step"].as_f64()), (Some("number"), Some(10.0)));
    assert_eq!(option("complexity").unwrap()["choices"], serde_json::json!(["low", "medium", "high"]));
    let edits = v["capabilities"].as_array().unwrap().iter().find(|c| c["capability"] == "image-edit").unwrap();
    assert_eq!(edits["default_model"], "gpt-image-2.6-sunburst");
    let edit_sunburst =
        edits["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-image-2.6-sunburst").unwrap();
    let markup = edit_sunburst["options"].as_array().unwrap().iter().find(|o| o["name"] == "markup").unwrap();
    assert_eq!((markup["kind"].as_str(), &markup["media_types"]), (Some("image"), &serde_json::json!(["image/png"])));
    assert!(v["contract"].as_str().unwrap().ends_with("@0.3.0"), "{}", v["contract"]);
    // The settings a host renders; a secret's value is never printed.
    let settings = v["settings"].as_array().unwrap();
    let key = settings.iter().find(|s| s["name"] == "api-key").unwrap();
    assert_eq!((key["kind"].as_str(), key["required"].as_bool()), (Some("secret"), Some(true)));

    let table = visual_host().arg("info").output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("gpt-image-1") && text.contains("1536x1024") && text.contains("descriptive"), "{text}");
    assert!(text.contains("retired 2026-05-12") && text.contains("shuts down 2027-01-14"), "lifecycle: {text}");
    assert!(text.contains("png (default), jpeg, webp, gif, svg"), "output formats: {text}");
    assert!(text.contains("in steps of 10") && text.contains("markup: an image, image/png"), "options: {text}");
    assert!(text.contains("prices per 1M tokens") && text.contains("source: https://"), "prices: {text}");
}

#[test]
fn a_real_key_is_never_printed() {
    // The mock accepts KEY; a generation and a failure both keep it out of every stream.
    let output = visual_host()
        .env("OPENAI_API_KEY", KEY)
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.5-flare", "--prompt", "x", "--out"])
        .arg(out_dir("key").join("k.png"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_no_key(&String::from_utf8_lossy(&output.stdout));
    assert_no_key(&String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_missing_component_is_a_host_error_exit_3() {
    let output = visual_host().args(["--component", "/nonexistent/backend.wasm", "--json", "info"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "host");
}

/// The README's run command, argument for argument, through this binary;
/// and `cargo run -p visual-host-cli` must pick it: the package has no other
/// binary (the benchmark is a package of its own).
#[test]
fn the_readme_run_command_works_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    let prefix = "rustup target add wasm32-wasip2 && cargo run -p visual-host-cli -- ";
    let line = readme.lines().find(|l| l.starts_with(prefix)).expect("the README gives the run command");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let binaries = manifest.matches("[[bin]]").count() + usize::from(root.join("src/bin").exists());
    assert!(
        binaries == 1 || manifest.contains("default-run = \"visual-host\""),
        "`cargo run -p visual-host-cli` must find one binary, or a default-run"
    );

    // Split like a shell would: words, and double-quoted phrases.
    let mut args = Vec::new();
    for (i, part) in line[prefix.len()..].split('"').enumerate() {
        if i % 2 == 1 {
            args.push(part.to_string());
        } else {
            args.extend(part.split_whitespace().map(str::to_string));
        }
    }
    let at = args.iter().position(|a| a == "--out").expect("the command names its output");
    assert_eq!(args[at + 1], "lighthouse.png");
    let out = out_dir("readme-run").join("lighthouse.png");
    args[at + 1] = out.display().to_string();

    let output = visual_host().args(&args).output().unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1536, 1024));
}
