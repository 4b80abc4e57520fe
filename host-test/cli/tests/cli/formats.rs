//! Contract 0.3 through the command line: any output format a model
//! declares (an animated GIF, an SVG) saved under its real extension, typed
//! `--option` values, and the estimated cost in `--json` and for a person.

use std::path::Path;

use serde_json::json;

use crate::harness::{gif_frames, json_stdout, mock, out_dir, requests_to, run_against, visual_host};

/// GPT Image 2.6's shared pixel budget for all the frames of a GIF.
const GIF_PIXEL_BUDGET: u64 = 8_294_400;

/// The `width` and `height` attributes of an SVG's root element.
fn svg_size(path: &Path) -> (u32, u32) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text.find("<svg").expect("an <svg> element");
    let root = &text[start..start + text[start..].find('>').expect("the root tag ends")];
    let attribute = |name: &str| -> u32 {
        let at = root.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {root}")) + name.len() + 3;
        root[at..at + root[at..].find('"').unwrap()].parse().unwrap_or_else(|e| panic!("{name} in {root}: {e}"))
    };
    (attribute("width"), attribute("height"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_choice_option_reaches_the_service_as_a_string() {
    let mock = mock().await;
    let out = out_dir("option-complexity").join("c.png");
    let out = out.to_str().unwrap();
    let args = ["generate", "--model", "gpt-image-2.6-flare", "--option", "complexity=low", "--prompt", "a kite"];
    let output = run_against(&mock, &[&args[..], &["--out", out]].concat()).await;
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let sent = requests_to(&mock, "/images/generations");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].param("complexity"), Some(json!("low")));
}

#[test]
fn a_gif_of_four_frames_is_saved_as_gif_within_the_budget() {
    let dir = out_dir("gif-four");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.6-flare", "--output-format", "gif"])
        .args(["--option", "frame-count=4", "--format", "landscape", "--prompt", "a waving flag", "--out"])
        .arg(dir.join("flag.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let image = &v["images"][0];
    assert_eq!(image["mime_type"], "image/gif", "{v}");
    let path = dir.join("flag.gif");
    assert_eq!(image["path"], path.display().to_string(), "the extension follows the real type");
    assert!(!dir.join("flag.png").exists());
    let frames = gif_frames(&std::fs::read(&path).unwrap());
    let (width, height) = frames[0].buffer().dimensions();
    assert_eq!(frames.len(), 4);
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(width.into()), Some(height.into())));
    assert!(width > height, "landscape: {width}x{height}");
    let pixels = 4 * u64::from(width) * u64::from(height);
    assert!(pixels <= GIF_PIXEL_BUDGET, "4 frames of {width}x{height} are {pixels} pixels");
    assert_eq!(image["bytes"].as_u64(), Some(std::fs::metadata(&path).unwrap().len()));
}

#[test]
fn a_gif_has_nine_frames_of_1280x720_by_default_in_landscape() {
    let dir = out_dir("gif-default");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--output-format", "gif", "--format", "landscape"])
        .args(["--prompt", "a turning windmill", "--out"])
        .arg(dir.join("mill.gif"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["model"], "gpt-image-2.6-flare", "the default text-to-image model");
    assert_eq!((v["images"][0]["width"].as_u64(), v["images"][0]["height"].as_u64()), (Some(1280), Some(720)));
    let frames = gif_frames(&std::fs::read(dir.join("mill.gif")).unwrap());
    assert_eq!((frames.len(), frames[0].buffer().dimensions()), (9, (1280, 720)));
}

#[test]
fn an_svg_is_saved_as_svg_with_its_size_and_its_authors_usage() {
    let dir = out_dir("svg");
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.6-flare", "--output-format", "svg"])
        .args(["--format", "landscape", "--prompt", "a flat icon of a boat", "--out"])
        .arg(dir.join("boat.png"))
        .output()
        .unwrap();
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let image = &v["images"][0];
    assert_eq!(image["mime_type"], "image/svg+xml", "{v}");
    let path = dir.join("boat.svg");
    assert_eq!(image["path"], path.display().to_string());
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(1536), Some(1024)), "{v}");
    assert_eq!(svg_size(&path), (1536, 1024));
    assert_eq!(v["svg_usage"]["model"], "gpt-6-luna", "{v}");
    assert!(v["svg_usage"]["total_tokens"].as_u64().is_some_and(|t| t > 0), "{v}");
    let items = v["cost"]["items"].as_array().expect("a cost");
    assert!(items.iter().any(|i| i["what"].as_str().unwrap().contains("gpt-6-luna")), "the author is priced: {v}");
}

#[test]
fn generate_json_carries_the_cost_and_the_text_says_it_on_one_line() {
    let dir = out_dir("cost-generate");
    let run = |json: bool| {
        let mut cmd = visual_host();
        cmd.arg("--mock");
        if json {
            cmd.arg("--json");
        }
        cmd.args(["generate", "--model", "gpt-image-2.6-flare", "--prompt", "a red barn", "--out"])
            .arg(dir.join(if json { "j.png" } else { "t.png" }))
            .output()
            .unwrap()
    };
    let output = run(true);
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let cost = &v["cost"];
    assert!(cost["usd"].as_f64().is_some_and(|usd| usd > 0.0), "{v}");
    let items = cost["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        for field in ["what", "tokens", "usd_per_million", "usd"] {
            assert!(!item[field].is_null(), "{field} in {item}");
        }
    }
    let sum: f64 = items.iter().map(|i| i["usd"].as_f64().unwrap()).sum();
    assert!((sum - cost["usd"].as_f64().unwrap()).abs() < 1e-9, "the items add up: {cost}");
    let complete = cost["complete"].as_bool().expect("complete is a flag");
    assert!(v["svg_usage"].is_null());
    assert!(v["usage"]["output_tokens_details"]["image_tokens"].as_u64().is_some_and(|t| t > 0), "{v}");

    let text = run(false);
    assert!(text.status.success(), "stderr: {}", String::from_utf8_lossy(&text.stderr));
    let stdout = String::from_utf8_lossy(&text.stdout);
    let line = stdout.lines().find(|l| l.starts_with("cost: ")).unwrap_or_else(|| panic!("a cost line: {stdout}"));
    assert!(line.ends_with(" (estimate)") && line.contains('$'), "{line}");
    assert_eq!(line.contains("at least"), !complete, "{line} / {cost}");
}

#[test]
fn output_formats_are_any_string_and_the_backend_says_which_it_takes() {
    let output = visual_host()
        .args(["--mock", "--json", "generate", "--model", "gpt-image-2.5-flare", "--output-format", "gif"])
        .args(["--prompt", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "not a usage error: the model decides");
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "invalid-input");
    assert!(v["error"]["message"].as_str().unwrap().contains("gif"), "{v}");
}
