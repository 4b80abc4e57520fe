//! `visual-host edit`: references and a mask from files, the result on disk.

use std::path::{Path, PathBuf};
use std::process::Output;

use image::{DynamicImage, ImageFormat as Codec, Rgba, RgbaImage};

use crate::harness::{assert_no_key, encode, jpeg, json_stdout, mask, out_dir, png, visual_host};

/// Writes the CLI's inputs: a PNG base image, a JPEG second reference and a
/// mask the base image's size.
fn cli_inputs(dir: &Path) -> [PathBuf; 3] {
    let paths = [dir.join("a.png"), dir.join("b.jpg"), dir.join("m.png")];
    std::fs::write(&paths[0], png(200, 150)).unwrap();
    std::fs::write(&paths[1], jpeg(120, 90)).unwrap();
    std::fs::write(&paths[2], mask(200, 150)).unwrap();
    paths
}

fn cli_edit(dir: &Path, model: &str) -> (Output, PathBuf) {
    let [a, b, m] = cli_inputs(dir);
    let out = dir.join("out.png");
    let output = visual_host()
        .args(["--mock", "--json", "edit", "--prompt", "put the fox in a boat", "--image"])
        .arg(&a)
        .arg("--image")
        .arg(&b)
        .arg("--mask")
        .arg(&m)
        .args(["--model", model, "--format", "portrait", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    (output, out)
}

#[test]
fn cli_edit_with_two_references_and_a_mask_prints_the_contract() {
    let dir = out_dir("edit-ok");
    let (output, out) = cli_edit(&dir, "gpt-image-2.5-sunburst");
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, ["cost", "images", "model", "revised_prompt", "svg_usage", "usage"]);
    assert_eq!(v["model"], "gpt-image-2.5-sunburst");
    assert!(v["revised_prompt"].is_null(), "GPT image models do not revise prompts");
    assert!(v["usage"]["total_tokens"].as_u64().is_some_and(|t| t > 0), "{}", v["usage"]);
    let image_tokens = v["usage"]["input_tokens_details"]["image_tokens"].as_u64();
    assert!(image_tokens.is_some_and(|t| t > 0), "the references count: {}", v["usage"]);

    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 1);
    let image = images[0].as_object().unwrap();
    let mut fields: Vec<&str> = image.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["bytes", "height", "mime_type", "path", "width"]);
    assert_eq!(image["path"], out.display().to_string());
    assert_eq!(image["mime_type"], "image/png");
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(1024), Some(1536)));

    let written = std::fs::read(&out).unwrap();
    assert_eq!(image["bytes"].as_u64(), Some(written.len() as u64));
    let decoded = image::load_from_memory_with_format(&written, Codec::Png).expect("a PNG on disk");
    assert_eq!((decoded.width(), decoded.height()), (1024, 1536));
    assert_no_key(&String::from_utf8_lossy(&output.stderr));
}

#[test]
fn cli_edit_with_dall_e_3_is_unsupported_and_exits_1() {
    let dir = out_dir("edit-dalle");
    let (output, out) = cli_edit(&dir, "dall-e-3");
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "unsupported");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("dall-e-3") && message.contains("gpt-image-2.5-sunburst"), "{message}");
    assert!(!out.exists(), "nothing is written for a refused edit");
}

/// A base image and a markup PNG the same size, written to `dir`.
fn markup_inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let (reference, markup) = (dir.join("ref.png"), dir.join("markup.png"));
    std::fs::write(&reference, png(200, 150)).unwrap();
    let strokes = RgbaImage::from_fn(200, 150, |x, y| Rgba([255, 0, 0, if x == y { 255 } else { 0 }]));
    std::fs::write(&markup, encode(DynamicImage::ImageRgba8(strokes), Codec::Png)).unwrap();
    (reference, markup)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_markup_option_is_sent_as_a_png_part() {
    let mock = crate::harness::mock().await;
    let dir = out_dir("edit-markup");
    let (reference, markup) = markup_inputs(&dir);
    let (reference, out) = (reference.display().to_string(), dir.join("out.png").display().to_string());
    let markup_arg = format!("markup=@{}", markup.display());
    let output = crate::harness::run_against(
        &mock,
        &["edit", "--model", "gpt-image-2.6-sunburst", "--image", &reference, "--option", &markup_arg]
            .into_iter()
            .chain(["--prompt", "make the circled boat red", "--out", &out])
            .collect::<Vec<_>>(),
    )
    .await;
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["model"], "gpt-image-2.6-sunburst");
    assert!(v["cost"]["usd"].as_f64().is_some_and(|usd| usd > 0.0), "{v}");
    let sent = crate::harness::requests_to(&mock, "/images/edits");
    assert_eq!(sent.len(), 1);
    let parts: Vec<_> = sent[0].parts_named("markup").collect();
    assert_eq!(parts.len(), 1, "{:?}", sent[0].parts);
    assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
    let info = parts[0].image.expect("the part is an image");
    assert_eq!((info.format, info.width, info.height), ("png", 200, 150));
    assert_eq!(parts[0].len, std::fs::metadata(&markup).unwrap().len());
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_with_a_mask_is_refused_before_sending() {
    let mock = crate::harness::mock().await;
    let dir = out_dir("edit-markup-mask");
    let (reference, markup) = markup_inputs(&dir);
    let mask_path = dir.join("mask.png");
    std::fs::write(&mask_path, mask(200, 150)).unwrap();
    let (reference, mask_path) = (reference.display().to_string(), mask_path.display().to_string());
    let markup_arg = format!("markup=@{}", markup.display());
    let output = crate::harness::run_against(
        &mock,
        &["edit", "--model", "gpt-image-2.6-sunburst", "--image", &reference, "--mask", &mask_path]
            .into_iter()
            .chain(["--option", &markup_arg, "--prompt", "x"])
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "invalid-input");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("markup") && message.contains("mask"), "{message}");
    assert!(crate::harness::requests_to(&mock, "/images/edits").is_empty(), "nothing was sent");
}

#[test]
fn an_image_option_given_as_text_says_to_use_at_path() {
    let dir = out_dir("edit-markup-text");
    let (reference, _) = markup_inputs(&dir);
    let output = visual_host()
        .args(["--mock", "--json", "edit", "--model", "gpt-image-2.6-sunburst", "--prompt", "x", "--image"])
        .arg(&reference)
        .args(["--option", "markup=markup.png"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("markup=@PATH"), "{stderr}");
}
