//! The models newer than the seed, over real TCP: GPT Image 2.6 (`complexity`,
//! animated GIF and SVG output, markup-guided edits), the vision models of
//! late 2026, and a model released after the build, added to the running
//! mock with parameters and a quality tier nobody declared before.
//!
//! Facts from `shared/openai/LIFECYCLE.md`, "Current image models" and
//! "Current small vision model".

mod common;

use common::*;
use openai_mock::test_images::gif_frames;
use openai_mock::{MockConfig, MockServer, ModelEntry, ModelFamily, ParamRule, Verdict};
use serde_json::{json, Value};

const FLARE26: &str = "gpt-image-2.6-flare";
const SUNBURST26: &str = "gpt-image-2.6-sunburst";

/// The frames of a base64 GIF: (count, width, height, delay of each in ms).
fn animation(b64: &Value) -> (usize, u32, u32, Vec<u32>) {
    let frames = gif_frames(&b64_bytes(b64));
    let (w, h) = frames[0].buffer().dimensions();
    let delays = frames
        .iter()
        .map(|f| {
            let (n, d) = f.delay().numer_denom_ms();
            n / d
        })
        .collect();
    (frames.len(), w, h, delays)
}

fn gen26(extra: Value) -> Value {
    merged(json!({"model": FLARE26, "prompt": "a paper boat on a pond"}), extra)
}

/// The API's answer to a parameter the model does not take.
fn unknown_parameter(name: &str) -> Value {
    json!({"error": {
        "message": format!("Unknown parameter: '{name}'."),
        "type": "invalid_request_error",
        "param": name,
        "code": "unknown_parameter"
    }})
}

fn assert_unknown(r: &Resp, name: &str) {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), unknown_parameter(name));
}

fn ok(r: &Resp) -> Value {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// A small well-formedness check of an XML document: every tag closed in
/// order, the root `<svg>`. Returns the root element's attributes.
fn svg_root(text: &str) -> Vec<(String, String)> {
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("a tag ends") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "closing tag in order");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name = tag.split_whitespace().next().unwrap().to_string();
        if root.is_none() {
            let attrs = tag[name.len()..]
                .split('"')
                .collect::<Vec<_>>()
                .chunks(2)
                .filter(|c| c.len() == 2)
                .map(|c| (c[0].trim().trim_end_matches('=').to_string(), c[1].to_string()))
                .collect::<Vec<_>>();
            root = Some((name.clone(), attrs));
        }
        if !self_closing {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(rest.trim().is_empty());
    let (name, attrs) = root.expect("a root element");
    assert_eq!(name, "svg");
    attrs
}

// ---------------------------------------------------------------- the catalog

#[tokio::test]
async fn the_catalog_lists_2_6_and_the_new_vision_models() {
    let server = start_on("2026-12-07").await;
    let list = listed(&get(&server, "/models").await);
    let date = |id: &str| list.iter().find(|(m, _)| m == id).map(|(_, d)| d.clone());
    for current in [FLARE26, SUNBURST26, "gpt-6-luna", "gpt-5.6-luna", "gpt-6.1-sol", "gpt-6.1-terra"] {
        assert_eq!(date(current), Some(Value::Null), "{current}");
    }
    for going in ["gpt-5", "gpt-5-mini", "gpt-5-nano"] {
        assert_eq!(date(going), Some(json!("2026-12-11")), "{going}");
    }
    let created = get(&server, "/models/gpt-image-2.6-sunburst").await.json()["created"].clone();
    assert_eq!(created, 1_793_750_400u64, "2026-11-04");
    for model in ["gpt-6.1-sol", "gpt-6.1-terra"] {
        let r = post_json(&server, "/chat/completions", &chat_body(model, json!({"reasoning_effort": "low"}))).await;
        let body = ok(&r);
        assert!(body["choices"][0]["message"]["content"].as_str().unwrap().starts_with("I see a 32x32 PNG image"));
    }
    // 2.6 is an image model: refused on chat, and the chat models on images.
    assert_eq!(post_json(&server, "/chat/completions", &chat_body(FLARE26, json!({}))).await.status, 404);
    let r = post_json(&server, "/images/generations", &json!({"model": "gpt-6.1-sol", "prompt": "p"})).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("model")));
    assert!(r.error()["message"].as_str().unwrap().contains("'gpt-image-2.6-sunburst'"));

    let later = start_on("2026-12-11").await;
    assert_retired(&post_json(&later, "/chat/completions", &chat_body("gpt-5-mini", json!({}))).await, "gpt-5-mini");
    assert_eq!(post_json(&later, "/chat/completions", &chat_body("gpt-6.1-terra", json!({}))).await.status, 200);
}

// ---------------------------------------------------------------- complexity

#[tokio::test]
async fn complexity_is_for_2_6_only() {
    let server = start().await;
    let body =
        ok(&post_json(&server, "/images/generations", &gen26(json!({"complexity": "low", "quality": "max"}))).await);
    assert_eq!((body["quality"].as_str(), body["output_format"].as_str()), (Some("max"), Some("png")));
    assert_eq!(decoded(&body["data"][0]["b64_json"]), (image::ImageFormat::Png, 1024, 1024));
    let seen = server.requests().pop().unwrap();
    assert_eq!(seen.param("complexity"), Some(json!("low")), "kept as the JSON string sent");
    // Usage by class: text and image in, image out (no text output is priced or published).
    let usage = &body["usage"];
    let details = (&usage["input_tokens_details"], &usage["output_tokens_details"]);
    assert!(details.0["text_tokens"].as_u64().unwrap() > 0 && details.0["image_tokens"] == 0);
    let (out_image, out_text) =
        (details.1["image_tokens"].as_u64().unwrap(), details.1["text_tokens"].as_u64().unwrap());
    assert!(out_image > 0 && out_text == 0);
    assert_eq!(usage["output_tokens"].as_u64().unwrap(), out_image);

    let r = post_json(&server, "/images/generations", &gen26(json!({"complexity": "extreme"}))).await;
    assert_eq!(r.error()["message"], "Invalid value: 'extreme'. Supported values are: 'low', 'medium', and 'high'.");
    let r = post_form(&server, edit_form_sized(SUNBURST26, 64, 64).text("complexity", "medium")).await;
    ok(&r);
    assert_eq!(server.requests().pop().unwrap().param("complexity"), Some(json!("medium")));

    // Every other model: the API's unknown-parameter answer, on both endpoints.
    for model in [FLARE, SUNBURST, "gpt-image-2"] {
        let body = json!({"model": model, "prompt": "p", "complexity": "low"});
        assert_unknown(&post_json(&server, "/images/generations", &body).await, "complexity");
        assert_unknown(&post_form(&server, edit_form(model).text("complexity", "low")).await, "complexity");
    }
    assert_eq!(rejected(&server), (400, Some("unknown_parameter".into()), Some("complexity".into())));
}

// ---------------------------------------------------------------- GIF

#[tokio::test]
async fn an_animated_gif_has_the_frames_asked_for_within_the_budget() {
    let server = start().await;
    // Defaults: 9 frames of 200 ms, the largest square that fits the budget (960x960).
    let body = ok(&post_json(&server, "/images/generations", &gen26(json!({"output_format": "gif"}))).await);
    assert_eq!((body["output_format"].as_str(), body["size"].as_str()), (Some("gif"), Some("960x960")));
    assert_eq!(animation(&body["data"][0]["b64_json"]), (9, 960, 960, vec![200; 9]));

    let gif = json!({"output_format": "gif", "frame_count": 4, "frame_duration_ms": 120, "size": "1280x720"});
    let body = ok(&post_json(&server, "/images/generations", &gen26(gif)).await);
    assert_eq!(animation(&body["data"][0]["b64_json"]), (4, 1280, 720, vec![120; 4]));
    let seen = server.requests().pop().unwrap();
    assert_eq!((seen.param("frame_count"), seen.param("output_format")), (Some(json!(4)), Some(json!("gif"))));

    // Output image tokens grow with the frame count.
    let image_tokens = |b: &Value| b["usage"]["output_tokens_details"]["image_tokens"].as_u64().unwrap();
    let eight = json!({"output_format": "gif", "frame_count": 8, "size": "720x720"});
    let four = json!({"output_format": "gif", "frame_count": 4, "size": "720x720"});
    let eight = ok(&post_json(&server, "/images/generations", &gen26(eight)).await);
    let four = ok(&post_json(&server, "/images/generations", &gen26(four)).await);
    assert_eq!(image_tokens(&eight), 2 * image_tokens(&four));

    // The budget: 9 frames allow 1280x720, 720x1280 and 960x960; 16 frames 720x720 but not 1024x1024.
    for (frames, size) in [(9, "720x1280"), (9, "960x960"), (16, "720x720"), (2, "2880x1440")] {
        let body = gen26(json!({"output_format": "gif", "frame_count": frames, "size": size}));
        let r = post_json(&server, "/images/generations", &body).await;
        let (w, h) = size.split_once('x').unwrap();
        let frames_seen = animation(&ok(&r)["data"][0]["b64_json"]);
        assert_eq!((frames_seen.0, frames_seen.1, frames_seen.2), (frames, w.parse().unwrap(), h.parse().unwrap()));
    }
    let over = gen26(json!({"output_format": "gif", "frame_count": 16, "size": "1024x1024"}));
    let r = post_json(&server, "/images/generations", &over).await;
    let e = r.error();
    assert_eq!((r.status, e["param"].as_str(), e["code"].as_str()), (400, Some("size"), Some("invalid_value")));
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("16 frames") && message.contains("8,294,400"), "{message}");
    let r =
        post_json(&server, "/images/generations", &gen26(json!({"output_format": "gif", "size": "1024x1024"}))).await;
    assert!(r.error()["message"].as_str().unwrap().contains("9 frames"));
    let r = post_json(&server, "/images/generations", &gen26(json!({"output_format": "gif", "frame_count": 17}))).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (400, Some("integer_above_max_value")));

    // Edits make GIFs too (frame options as text fields).
    let form = edit_form_sized(SUNBURST26, 64, 48)
        .text("output_format", "gif")
        .text("frame_count", "3")
        .text("size", "512x512");
    let body = ok(&post_form(&server, form).await);
    assert_eq!(animation(&body["data"][0]["b64_json"]), (3, 512, 512, vec![200; 3]));
    assert_eq!(server.requests().pop().unwrap().param("frame_count"), Some(json!("3")), "multipart: as text");
}

#[tokio::test]
async fn frame_options_need_gif_output() {
    let server = start().await;
    for (name, value) in [("frame_count", json!(4)), ("frame_duration_ms", json!(100))] {
        let mut extra = json!({"output_format": "webp"});
        extra[name] = value.clone();
        let r = post_json(&server, "/images/generations", &gen26(extra)).await;
        assert_eq!(r.status, 400);
        assert_eq!(
            r.error()["message"],
            format!("Unsupported parameter: '{name}' is only supported with output_format 'gif'.")
        );
        assert_eq!(r.error()["param"], name);
        let mut extra = json!({});
        extra[name] = value;
        assert_eq!(post_json(&server, "/images/generations", &gen26(extra)).await.error()["param"], name);
        let r = post_form(&server, edit_form_sized(SUNBURST26, 32, 32).text(name, "40")).await;
        assert_eq!((r.status, r.error()["param"].as_str()), (400, Some(name)));
        // Not a parameter of any other family.
        assert_unknown(
            &post_json(&server, "/images/generations", &json!({"model": FLARE, "prompt": "p", name: 4})).await,
            name,
        );
    }
    let r = post_json(&server, "/images/generations", &gen26(json!({"output_format": "gif", "frame_duration_ms": 25})))
        .await;
    assert_eq!(r.error()["message"], "Invalid 'frame_duration_ms': 25 is not a multiple of 10.");
    let r = post_json(&server, "/images/generations", &json!({"model": FLARE, "prompt": "p", "output_format": "gif"}))
        .await;
    assert_eq!(r.error()["message"], "Invalid value: 'gif'. Supported values are: 'png', 'jpeg', and 'webp'.");
}

#[tokio::test]
async fn a_gif_streams_png_previews_then_the_gif() {
    let server =
        MockServer::start(MockConfig { stream_pause: std::time::Duration::from_millis(5), ..MockConfig::default() })
            .await
            .unwrap();
    let body = gen26(
        json!({"output_format": "gif", "frame_count": 3, "size": "256x256", "stream": true, "partial_images": 2}),
    );
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!(r.status, 200);
    let evs = events(&r.body);
    let names: Vec<&str> = evs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"]
    );
    for (_, partial) in &evs[..2] {
        assert_eq!(partial["output_format"], "png");
        assert_eq!(decoded(&partial["b64_json"]), (image::ImageFormat::Png, 256, 256));
    }
    let completed = &evs[2].1;
    assert_eq!(completed["output_format"], "gif");
    assert_eq!(animation(&completed["b64_json"]).0, 3);
    assert!(completed["usage"]["output_tokens_details"]["image_tokens"].as_u64().unwrap() > 0);
}

// ---------------------------------------------------------------- SVG

#[tokio::test]
async fn an_svg_answer_is_a_document_with_its_authors_usage() {
    let server = start().await;
    let body =
        ok(&post_json(&server, "/images/generations", &gen26(json!({"output_format": "svg", "size": "1536x864"})))
            .await);
    assert_eq!((body["output_format"].as_str(), body["size"].as_str()), (Some("svg"), Some("1536x864")));
    let text = String::from_utf8(b64_bytes(&body["data"][0]["b64_json"])).expect("UTF-8 text");
    let attrs = svg_root(&text);
    let attr = |name: &str| attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    assert_eq!((attr("width"), attr("height"), attr("viewBox")), (Some("1536"), Some("864"), Some("0 0 1536 864")));
    assert!(text.contains("<circle") && text.contains("<path"));

    // svg_usage: the authoring model's tokens, shaped like `usage` plus `model`.
    let svg_usage = &body["svg_usage"];
    let keys: Vec<&str> = svg_usage.as_object().unwrap().keys().map(String::as_str).collect();
    for key in
        ["model", "input_tokens", "output_tokens", "total_tokens", "input_tokens_details", "output_tokens_details"]
    {
        assert!(keys.contains(&key), "{key} in {svg_usage}");
    }
    assert_eq!(svg_usage["model"], "gpt-6-luna", "the mock's default author");
    let n = |v: &Value| v.as_u64().unwrap();
    let input = &svg_usage["input_tokens_details"];
    assert_eq!(n(&svg_usage["input_tokens"]), n(&input["text_tokens"]) + n(&input["image_tokens"]));
    assert_eq!(n(&svg_usage["total_tokens"]), n(&svg_usage["input_tokens"]) + n(&svg_usage["output_tokens"]));
    assert_eq!(svg_usage["output_tokens_details"], json!({"text_tokens": svg_usage["output_tokens"]}));
    assert!(n(&svg_usage["output_tokens"]) as usize >= text.len() / 4);
    assert!(body["usage"]["output_tokens_details"]["image_tokens"].as_u64().unwrap() > 0, "the image model's own");

    // The author named in `svg`, with its effort (more reasoning, more output tokens).
    let named = json!({"output_format": "svg", "size": "1536x864", "svg": {"model": "gpt-6.1-terra", "reasoning": {"effort": "high"}}});
    let body = ok(&post_json(&server, "/images/generations", &gen26(named)).await);
    assert_eq!(body["svg_usage"]["model"], "gpt-6.1-terra");
    assert!(n(&body["svg_usage"]["output_tokens"]) > n(&svg_usage["output_tokens"]));
    assert_eq!(server.requests().pop().unwrap().param("svg").unwrap()["reasoning"]["effort"], "high");
    // No svg_usage for other formats.
    assert!(ok(&post_json(&server, "/images/generations", &gen26(json!({}))).await).get("svg_usage").is_none());
}

#[tokio::test]
async fn svg_takes_one_image_on_generations_only() {
    let server = start().await;
    let refused = [
        (json!({"output_format": "svg", "n": 2}), "n", "You must provide n=1 for output_format 'svg'."),
        (json!({"output_format": "svg", "stream": true}), "stream", "Streaming is not supported with output_format 'svg'."),
        (
            json!({"svg": {"model": "gpt-6-luna"}}),
            "svg",
            "Unsupported parameter: 'svg' is only supported with output_format 'svg'.",
        ),
        (json!({"output_format": "svg", "svg": {"model": "gpt-6-luna", "colour": "red"}}), "svg.colour", "Unknown parameter: 'svg.colour'."),
        (
            json!({"output_format": "svg", "svg": {"reasoning": {"effort": "huge"}}}),
            "svg.reasoning.effort",
            "Invalid value: 'huge'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'.",
        ),
        (
            json!({"output_format": "svg", "svg": {"model": FLARE}}),
            "svg.model",
            "Invalid value: 'gpt-image-2.5-flare'. 'svg.model' must name a text model you can use, such as 'gpt-6-luna'.",
        ),
        (json!({"output_format": "svg", "svg": "gpt-6-luna"}), "svg", "Invalid type for 'svg': expected an object, but got a string instead."),
    ];
    for (extra, param, message) in refused {
        let r = post_json(&server, "/images/generations", &gen26(extra.clone())).await;
        assert_eq!(
            (r.status, r.error()["param"].as_str(), r.error()["message"].as_str()),
            (400, Some(param), Some(message)),
            "{extra}"
        );
    }
    let r = post_form(&server, edit_form_sized(SUNBURST26, 32, 32).text("output_format", "svg")).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("output_format")));
    assert_eq!(
        r.error()["message"],
        "Invalid value: 'svg'. SVG output is only supported by /v1/images/generations; edits support 'png', 'jpeg', \
         'webp', and 'gif'."
    );
    let r =
        post_json(&server, "/images/generations", &json!({"model": SUNBURST, "prompt": "p", "output_format": "svg"}))
            .await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("output_format")));
    assert_unknown(
        &post_json(&server, "/images/generations", &json!({"model": FLARE, "prompt": "p", "svg": {}})).await,
        "svg",
    );
}

// ---------------------------------------------------------------- markup

#[tokio::test]
async fn markup_guided_edits() {
    let server = start().await;
    let form = edit_form_sized(SUNBURST26, 64, 48).png("markup", "notes.png", 64, 48);
    let body = ok(&post_form(&server, form).await);
    assert!(body["usage"]["input_tokens_details"]["image_tokens"].as_u64().unwrap() > 0);
    let seen = server.requests().pop().unwrap();
    assert_eq!(seen.verdict, Verdict::Ok);
    let markup = seen.parts_named("markup").next().expect("the markup part is recorded");
    assert_eq!((markup.filename.as_deref(), markup.content_type.as_deref()), (Some("notes.png"), Some("image/png")));
    assert_eq!(markup.image.map(|i| (i.format, i.width, i.height)), Some(("png", 64, 48)));
    // The markup counts among the inputs: a different overlay, a different picture.
    let other =
        edit_form_sized(SUNBURST26, 64, 48).file("markup", "notes.png", Some("image/png"), &another_png(64, 48));
    let other = ok(&post_form(&server, other).await);
    assert_ne!(other["data"][0]["b64_json"], body["data"][0]["b64_json"]);

    // Never with a mask.
    let form = edit_form_sized(SUNBURST26, 64, 48).png("mask", "m.png", 64, 48).png("markup", "notes.png", 64, 48);
    let r = post_form(&server, form).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("markup")));
    assert_eq!(r.error()["message"], "Invalid 'markup': markup cannot be combined with mask; send one or the other.");

    // The size of the first reference image.
    let form = Form::new()
        .text("model", SUNBURST26)
        .text("prompt", "p")
        .png("image[]", "a.png", 64, 48)
        .png("image[]", "b.png", 32, 32)
        .png("markup", "notes.png", 32, 32);
    let r = post_form(&server, form).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("markup")));
    assert_eq!(
        r.error()["message"],
        "Invalid markup: the markup must have the same dimensions as the first image (64x48), but it is 32x32."
    );

    // A PNG, by its bytes and its declared type.
    let r = post_form(
        &server,
        edit_form_sized(SUNBURST26, 16, 16).file("markup", "n.png", Some("image/png"), &jpeg(16, 16)),
    )
    .await;
    assert_eq!(
        (r.status, r.error()["code"].as_str(), r.error()["param"].as_str()),
        (400, Some("invalid_image_file"), Some("markup"))
    );
    let r = post_form(
        &server,
        edit_form_sized(SUNBURST26, 16, 16).file("markup", "n.jpg", Some("image/jpeg"), &jpeg(16, 16)),
    )
    .await;
    assert_eq!(
        r.error()["message"],
        "Invalid file 'markup': unsupported mimetype ('image/jpeg'). Supported file formats are 'image/png'."
    );
    let r = post_form(&server, edit_form_sized(SUNBURST26, 16, 16).text("markup", "circle the boat")).await;
    assert_eq!(r.error()["message"], "Invalid type for 'markup': expected a file, but got a string instead.");

    // 2.6 only.
    for model in [SUNBURST, "gpt-image-2"] {
        let form = edit_form_sized(model, 16, 16).png("markup", "n.png", 16, 16);
        assert_unknown(&post_form(&server, form).await, "markup");
        let seen = server.requests().pop().unwrap();
        assert_eq!(seen.parts_named("markup").next().unwrap().image.map(|i| i.format), Some("png"), "recorded anyway");
    }
}

/// A PNG of the given size whose pixels differ from [`png`]'s.
fn another_png(w: u32, h: u32) -> Vec<u8> {
    openai_mock::test_images::png(w, h)
}

// ---------------------------------------------------------------- a model released after the build

#[tokio::test]
async fn a_model_released_after_the_build_works_with_its_parameters_on_the_day_it_ships() {
    let server = start().await;
    let nova = "gpt-image-2.7-nova";
    let body = json!({"model": nova, "prompt": "p", "shimmer": 3, "sparkle": true, "mood": "calm", "quality": "ultra"});
    // Not released yet: unknown, and its parameter too (names are checked before the model).
    let plain = json!({"model": nova, "prompt": "p"});
    assert_eq!(post_json(&server, "/images/generations", &plain).await.error()["code"], "model_not_found");
    let shimmer = json!({"model": nova, "prompt": "p", "shimmer": 3});
    assert_unknown(&post_json(&server, "/images/generations", &shimmer).await, "shimmer");

    server.catalog().add(
        ModelEntry::new(nova, ModelFamily::Image)
            .with_param("shimmer", ParamRule::int_range(0, 5))
            .with_param("sparkle", ParamRule::Bool)
            .with_param("mood", ParamRule::one_of(["calm", "wild"]))
            .with_param("palette", ParamRule::Any)
            .with_param("guide", ParamRule::Image)
            .with_quality("ultra"),
    );
    let mut with_any = body.clone();
    with_any["palette"] = json!({"warm": ["#ff8800", "#cc4400"]});
    with_any["size"] = json!("1536x864");
    let answer = ok(&post_json(&server, "/images/generations", &with_any).await);
    assert_eq!((answer["quality"].as_str(), answer["size"].as_str()), (Some("ultra"), Some("1536x864")));
    let seen = server.requests().pop().unwrap();
    assert_eq!(seen.param("shimmer"), Some(json!(3)));
    assert!(seen.param("shimmer").unwrap().is_i64(), "a JSON number, as sent");
    assert_eq!(seen.param("sparkle"), Some(json!(true)));
    assert_eq!(seen.param("mood"), Some(json!("calm")));
    assert_eq!(seen.param("palette").unwrap()["warm"][1], "#cc4400");
    assert_eq!(seen.param("nothing"), None);

    // Its rules hold.
    let mut bad = body.clone();
    bad["shimmer"] = json!(6);
    let r = post_json(&server, "/images/generations", &bad).await;
    assert_eq!(
        r.error()["message"],
        "Invalid 'shimmer': integer above maximum value. Expected a value <= 5, but got 6 instead."
    );
    let mut bad = body.clone();
    bad["sparkle"] = json!("yes");
    assert_eq!(post_json(&server, "/images/generations", &bad).await.error()["code"], "invalid_type");
    // Its family's rules too: an unknown 2.7 follows 2.5 (no complexity).
    let mut bad = body.clone();
    bad["complexity"] = json!("low");
    assert_unknown(&post_json(&server, "/images/generations", &bad).await, "complexity");

    // Every other model still refuses what it declared.
    for model in [FLARE, FLARE26, "gpt-image-2"] {
        let r = post_json(&server, "/images/generations", &json!({"model": model, "prompt": "p", "shimmer": 3})).await;
        assert_unknown(&r, "shimmer");
        let r = post_json(&server, "/images/generations", &json!({"model": model, "prompt": "p", "quality": "ultra"}))
            .await;
        assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("quality")));
    }
    assert_unknown(&post_form(&server, edit_form(SUNBURST).text("shimmer", "3")).await, "shimmer");
    let form = edit_form(SUNBURST).png("guide", "g.png", 16, 16);
    assert_unknown(&post_form(&server, form).await, "guide");

    // On edits: text fields, and the image-valued parameter as a file part.
    let form = edit_form(nova)
        .text("shimmer", "4")
        .text("sparkle", "false")
        .text("quality", "ultra")
        .png("guide", "g.png", 24, 24);
    let answer = ok(&post_form(&server, form).await);
    assert_eq!(answer["quality"], "ultra");
    let seen = server.requests().pop().unwrap();
    assert_eq!(seen.param("shimmer"), Some(json!("4")), "multipart: the text as sent");
    assert_eq!(seen.parts_named("guide").next().unwrap().image.map(|i| (i.format, i.width)), Some(("png", 24)));
    let r = post_form(&server, edit_form(nova).file("guide", "g.gif", Some("image/gif"), b"GIF89a")).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (400, Some("unsupported_file_mimetype")));
    let r = post_form(&server, edit_form(nova).text("guide", "https://example.com/g.png")).await;
    assert_eq!(r.error()["message"], "Invalid type for 'guide': expected a file, but got a string instead.");
    let r = post_form(&server, edit_form(nova).png("shimmer", "s.png", 8, 8)).await;
    assert_eq!(r.error()["message"], "Invalid type for 'shimmer': expected an integer, but got a file instead.");

    // A new model can also take what a known model takes.
    server.catalog().add(ModelEntry::new("gpt-image-2.7-echo", ModelFamily::Image).with_rules_of(FLARE26));
    let echo = json!({"model": "gpt-image-2.7-echo", "prompt": "p", "complexity": "low", "output_format": "gif", "frame_count": 2});
    let answer = ok(&post_json(&server, "/images/generations", &echo).await);
    assert_eq!(animation(&answer["data"][0]["b64_json"]).0, 2);
}

// ---------------------------------------------------------------- gateway and Azure

#[tokio::test]
async fn a_gateway_and_azure_judge_2_6_by_its_family() {
    let gateway = start_gateway().await;
    // Any id passes with its family's rules: a 2.6 id the catalog does not list takes 2.6's parameters.
    for model in [FLARE26, "gpt-image-2.6-preview"] {
        let body =
            json!({"model": model, "prompt": "p", "complexity": "medium", "output_format": "gif", "frame_count": 2});
        assert_eq!(
            animation(&ok(&post_json(&gateway, "/images/generations", &body).await)["data"][0]["b64_json"]).0,
            2
        );
    }
    let r = post_json(
        &gateway,
        "/images/generations",
        &json!({"model": "gpt-image-2.7-x", "prompt": "p", "complexity": "low"}),
    )
    .await;
    assert_unknown(&r, "complexity");

    let azure =
        MockServer::start(MockConfig::azure("2025-04-01-preview", &[("art", FLARE26), ("old", FLARE)])).await.unwrap();
    let headers = [("api-key", KEY), ("content-type", "application/json")];
    let path = |d: &str| format!("/openai/deployments/{d}/images/generations?api-version=2025-04-01-preview");
    let body = json!({"prompt": "p", "complexity": "low", "output_format": "svg"}).to_string();
    let r = send(azure.addr(), "POST", &path("art"), &headers, body.as_bytes()).await;
    assert_eq!(ok(&r)["svg_usage"]["model"], "gpt-6-luna");
    let r = send(azure.addr(), "POST", &path("old"), &headers, body.as_bytes()).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("complexity")));
}
