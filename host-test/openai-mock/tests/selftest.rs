//! Self-test of the embedded OpenAI mock, driven over real TCP with a tiny
//! raw HTTP/1.1 client (so the test checks the bytes on the wire and needs
//! no client library): every endpoint's success shape, authentication,
//! validation rejections, faults, streaming, the Azure form, and the model
//! catalog (today's models, retirement, gateway mode, changes at run time).
//!
//! Tests of the seed models' own rules (`dall-e-3`, `gpt-image-1`, ...) run in
//! gateway mode, where those models are still served; the rest use current
//! models against the default mode, which answers like the API today.

mod common;

use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use image::ImageEncoder;
use openai_mock::{Fault, MockConfig, MockServer, ModelEntry, ModelFamily, Verdict};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn generation_with_a_gpt_image_model() {
    let server = start().await;
    let r = post_json(
        &server,
        "/images/generations",
        &json!({
            "model": FLARE, "prompt": "a lighthouse at dusk", "size": "1536x1024", "quality": "low", "n": 2
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    let body = r.json();
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for item in data {
        assert_eq!(decoded(&item["b64_json"]), (image::ImageFormat::Png, 1536, 1024));
        assert!(item.get("revised_prompt").is_none());
    }
    assert_ne!(data[0]["b64_json"], data[1]["b64_json"], "each output is its own image");
    assert_eq!((body["size"].as_str(), body["quality"].as_str()), (Some("1536x1024"), Some("low")));
    assert_eq!((body["output_format"].as_str(), body["background"].as_str()), (Some("png"), Some("opaque")));
    let usage = &body["usage"];
    assert_eq!(usage["output_tokens"], 2 * 408);
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap()
    );
    assert!(usage["input_tokens_details"]["text_tokens"].as_u64().unwrap() > 0);

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].verdict, Verdict::Ok);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("POST", "/v1/images/generations"));
    assert_eq!(seen[0].model.as_deref(), Some(FLARE));
    assert_eq!(seen[0].json().unwrap()["prompt"], "a lighthouse at dusk");
    assert_eq!(seen[0].header("Authorization"), Some("Bearer sk-mock-key"));
}

#[tokio::test]
async fn output_formats_are_really_encoded() {
    let server = start().await;
    for (format, expected) in [("jpeg", image::ImageFormat::Jpeg), ("webp", image::ImageFormat::WebP)] {
        let r = post_json(
            &server,
            "/images/generations",
            &json!({
                "model": FLARE, "prompt": "p", "output_format": format, "size": "1024x1536"
            }),
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(decoded(&r.json()["data"][0]["b64_json"]), (expected, 1024, 1536));
        assert_eq!(r.json()["output_format"], format);
    }
    let r =
        post_json(&server, "/images/generations", &json!({"model": "gpt-image-2", "prompt": "p", "size": "1536x864"}))
            .await;
    assert_eq!(decoded(&r.json()["data"][0]["b64_json"]).1, 1536);
}

#[tokio::test]
async fn dall_e_3_answers_with_a_revised_prompt_and_urls_by_default() {
    let server = start_gateway().await;
    let r = post_json(&server, "/images/generations", &json!({
        "model": "dall-e-3", "prompt": "a red fox", "size": "1792x1024", "response_format": "b64_json", "style": "natural"
    }))
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(decoded(&body["data"][0]["b64_json"]), (image::ImageFormat::Png, 1792, 1024));
    assert!(body["data"][0]["revised_prompt"].as_str().unwrap().contains("a red fox"));
    assert!(body.get("usage").is_none());

    let r = post_json(&server, "/images/generations", &json!({"model": "dall-e-3", "prompt": "a red fox"})).await;
    let url = r.json()["data"][0]["url"].as_str().unwrap().to_string();
    let path = url.strip_prefix(&format!("http://{}", server.addr())).unwrap();
    let file = send(server.addr(), "GET", path, &[], b"").await;
    assert_eq!((file.status, file.header("content-type")), (200, Some("image/png")));
    assert_eq!(image::load_from_memory(&file.body).unwrap().width(), 1024);
}

#[tokio::test]
async fn authentication_is_required_and_the_key_is_masked() {
    let server = start().await;
    let path = path_of(&server, "/images/generations");
    let body = json!({"model": FLARE, "prompt": "p"}).to_string();

    let r = send(server.addr(), "POST", &path, &[("content-type", "application/json")], body.as_bytes()).await;
    assert_eq!(r.status, 401);
    assert!(r.error()["message"].as_str().unwrap().starts_with("You didn't provide an API key."));

    let headers = [("authorization", "Bearer sk-wrong-key-123"), ("content-type", "application/json")];
    let r = send(server.addr(), "POST", &path, &headers, body.as_bytes()).await;
    assert_eq!(r.status, 401);
    let e = r.error();
    assert_eq!((e["code"].as_str(), e["type"].as_str()), (Some("invalid_api_key"), Some("invalid_request_error")));
    assert_eq!(
        e["message"],
        "Incorrect API key provided: sk-wr********123. You can find your API key at https://platform.openai.com/account/api-keys."
    );
    assert_eq!(rejected(&server), (401, Some("invalid_api_key".into()), None));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn generation_rejections_match_the_api() {
    let server = start_gateway().await;
    let cases = [
        (
            json!({"model": "gpt-image-1", "prompt": "p", "response_format": "b64_json"}),
            "unknown_parameter",
            "response_format",
        ),
        (json!({"model": "gpt-image-1", "prompt": "p", "size": "1792x1024"}), "invalid_value", "size"),
        (json!({"model": "dall-e-3", "prompt": "p", "output_format": "png"}), "unknown_parameter", "output_format"),
        (json!({"model": "dall-e-3", "prompt": "p", "n": 2}), "invalid_value", "n"),
        (json!({"model": "gpt-image-2", "prompt": "p", "size": "1000x1000"}), "invalid_value", "size"),
        (json!({"model": "gpt-image-1", "prompt": "p", "colour": "red"}), "unknown_parameter", "colour"),
        (json!({"model": "gpt-image-1", "prompt": ""}), "empty_string", "prompt"),
        (json!({"model": "gpt-image-1"}), "missing_required_parameter", "prompt"),
    ];
    for (body, code, param) in cases {
        let r = post_json(&server, "/images/generations", &body).await;
        assert_eq!(r.status, 400, "{body}");
        let e = r.error();
        assert_eq!(
            (e["code"].as_str(), e["param"].as_str(), e["type"].as_str()),
            (Some(code), Some(param), Some("invalid_request_error")),
            "{body}"
        );
        assert_eq!(rejected(&server), (400, Some(code.into()), Some(param.into())));
    }
    let r = post_json(
        &server,
        "/images/generations",
        &json!({"model": "gpt-image-1", "prompt": "p", "response_format": "url"}),
    )
    .await;
    assert_eq!(r.error()["message"], "Unknown parameter: 'response_format'.");

    let auth = format!("Bearer {KEY}");
    let path = path_of(&server, "/images/generations");
    let r = send(
        server.addr(),
        "POST",
        &path,
        &[("authorization", &auth), ("content-type", "application/json")],
        b"{not json",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.error()["message"].as_str().unwrap().starts_with("We could not parse the JSON body"));
    let r = send(server.addr(), "POST", &format!("{path}/"), &[("authorization", &auth)], b"").await;
    assert_eq!((r.status, r.error()["message"].as_str()), (404, Some("Invalid URL (POST /v1/images/generations/)")));
}

#[tokio::test]
async fn edit_with_several_images_and_a_mask() {
    let server = start().await;
    let form = Form::new()
        .text("model", SUNBURST)
        .text("prompt", "put them in a basket")
        .text("size", "1024x1536")
        .text("output_format", "webp")
        .png("image[]", "a.png", 64, 48)
        .file("image[]", "b.jpg", Some("image/jpeg"), &jpeg(32, 32))
        .png("mask", "mask.png", 64, 48);
    let r = post_form(&server, form).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(decoded(&body["data"][0]["b64_json"]), (image::ImageFormat::WebP, 1024, 1536));
    assert!(body["usage"]["input_tokens_details"]["image_tokens"].as_u64().unwrap() > 0);

    let seen = &server.requests()[0];
    assert_eq!(seen.verdict, Verdict::Ok);
    let images: Vec<_> = seen.parts_named("image[]").collect();
    assert_eq!(images.len(), 2);
    assert_eq!(images[1].image.map(|i| (i.format, i.width)), Some(("jpeg", 32)));
    assert_eq!(seen.parts_named("prompt").next().unwrap().text.as_deref(), Some("put them in a basket"));
}

#[tokio::test]
async fn edit_rejections_match_the_api() {
    let server = start().await;
    let base = || Form::new().text("model", SUNBURST).text("prompt", "p");

    let r = post_form(&server, base().file("image", "a.png", Some("application/octet-stream"), &png(8, 8))).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error()["message"],
        "Invalid file 'image': unsupported mimetype ('application/octet-stream'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'."
    );
    assert_eq!(r.error()["code"], "unsupported_file_mimetype");

    let r = post_form(&server, base().file("image", "a.png", None, &png(8, 8))).await;
    assert!(r.error()["message"].as_str().unwrap().contains("('application/octet-stream')"));

    let form = base().png("image", "a.png", 64, 48).png("mask", "m.png", 32, 32);
    let r = post_form(&server, form).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("mask")));

    let r = post_form(&server, base().file("image", "a.png", Some("image/png"), &jpeg(8, 8))).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (400, Some("invalid_image_file")));

    let r = post_form(&server, base().text("image[]", "not a file")).await;
    assert_eq!(r.error()["message"], "Invalid type for 'image[0]': expected a file, but got a string instead.");

    // dall-e-3 cannot edit: where it is still served (a gateway), the model is refused by name.
    let gateway = start_gateway().await;
    let form = Form::new().text("model", "dall-e-3").text("prompt", "p").png("image", "a.png", 8, 8);
    let r = post_form(&gateway, form).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("model")));
    assert_eq!(rejected(&gateway), (400, Some("invalid_value".into()), Some("model".into())));

    let form = base().png("image", "a.png", 8, 8).png("image[]", "b.png", 8, 8);
    assert_eq!(post_form(&server, form).await.status, 400);

    let mut form = base();
    for i in 0..17 {
        form = form.file("image[]", &format!("{i}.png"), Some("image/png"), &png(4, 4));
    }
    assert_eq!(post_form(&server, form).await.error()["code"], "array_above_max_length");

    assert!(server.requests().iter().all(|r| !r.verdict.is_ok()));
}

#[tokio::test]
async fn a_40_mb_upload_is_streamed_through() {
    let server = start().await;
    // Noise barely compresses: a ~40 MB PNG.
    let (w, h) = (3300u32, 3100u32);
    let mut state = 0x2545f4914f6cdd1du64;
    let noise: Vec<u8> = (0..w * h * 4)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut big = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut big,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&noise, w, h, image::ExtendedColorType::Rgba8)
    .unwrap();
    assert!(big.len() > 38 * 1024 * 1024, "{}", big.len());
    let form =
        Form::new().text("model", SUNBURST).text("prompt", "p").file("image", "big.png", Some("image/png"), &big);
    let started = Instant::now();
    let r = post_form(&server, form).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(started.elapsed() < Duration::from_secs(20));
    let seen = &server.requests()[0];
    assert!(seen.body_len > big.len() as u64);
    assert!(seen.body.len() <= MockConfig::default().record_body_limit);
    let part = seen.parts_named("image").next().unwrap();
    assert_eq!((part.len, part.image.map(|i| (i.width, i.height))), (big.len() as u64, Some((w, h))));
}

#[tokio::test]
async fn chat_completion_proves_it_saw_the_image() {
    let server = start().await;
    let image = png(64, 48);
    let url = format!("data:image/png;base64,{}", STANDARD.encode(&image));
    let chat = |question: &str, extra: Value| {
        let body = json!({
            "model": "gpt-4.1-mini",
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": question},
                {"type": "image_url", "image_url": {"url": url, "detail": "low"}}
            ]}]
        });
        merged(body, extra)
    };
    let r = post_json(&server, "/chat/completions", &chat("What is this?", json!({}))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&image).iter().take(4).map(|b| format!("{b:02x}")).collect();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "gpt-4.1-mini");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        format!("I see a 64x48 PNG image (sha256 prefix {sha}). You asked: What is this?")
    );
    assert_eq!(body["choices"][0]["message"]["refusal"], Value::Null);
    assert!(body["usage"]["prompt_tokens"].as_u64().unwrap() >= 85);

    let r = post_json(&server, "/chat/completions", &chat("What is this?", json!({"max_completion_tokens": 3}))).await;
    let choice = &r.json()["choices"][0];
    assert_eq!(
        (choice["finish_reason"].as_str(), choice["message"]["content"].as_str()),
        (Some("length"), Some("I see a"))
    );
    assert_eq!(r.json()["usage"]["completion_tokens"], 3);

    let r = post_json(&server, "/chat/completions", &chat("[[refuse]] please", json!({}))).await;
    let message = &r.json()["choices"][0]["message"];
    assert_eq!(message["content"], Value::Null);
    assert!(message["refusal"].as_str().unwrap().contains("can't help"));
    assert!(server.requests().iter().all(|r| r.verdict.is_ok()));
}

#[tokio::test]
async fn chat_rejects_a_data_url_that_lies_about_its_type() {
    let server = start().await;
    let url = format!("data:image/png;base64,{}", STANDARD.encode(jpeg(16, 16)));
    let body = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "?"}, {"type": "image_url", "image_url": {"url": url}}
    ]}]});
    let r = post_json(&server, "/chat/completions", &body).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error()["code"], "invalid_image_format");
    assert!(r.error()["message"].as_str().unwrap().starts_with("You uploaded an unsupported image."));
    assert_eq!(rejected(&server).1.as_deref(), Some("invalid_image_format"));

    let r = post_json(&server, "/chat/completions", &json!({"model": "gpt-4o-mini", "messages": [], "foo": 1})).await;
    assert_eq!(r.error()["message"], "Unrecognized request argument supplied: foo");
}

#[tokio::test]
async fn models_are_retrieved_or_not_found() {
    let server = start().await;
    let r = get(&server, "/models/gpt-image-2").await;
    assert_eq!(r.status, 200);
    assert_eq!((r.json()["id"].as_str(), r.json()["object"].as_str()), (Some("gpt-image-2"), Some("model")));
    assert_eq!(get(&server, "/models/gpt-image-2-2026-04-21").await.json()["id"], "gpt-image-2-2026-04-21");
    assert_eq!(get(&server, "/models/ft:gpt-4o-mini:acme::x1").await.status, 200);
    let r = get(&server, "/models/gpt-9").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error()["code"], "model_not_found");
    assert_eq!(r.error()["message"], "The model 'gpt-9' does not exist or you do not have access to it.");
    assert!(get(&server, "/models").await.json()["data"].as_array().unwrap().len() >= 10);

    // A gateway still has the seed models.
    let gateway = start_gateway().await;
    let r = get(&gateway, "/models/gpt-image-1").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.json()["id"].as_str(), r.json()["shutdown_date"].as_str()),
        (Some("gpt-image-1"), Some("2026-10-23"))
    );
    assert_eq!(get(&gateway, "/models/gpt-9").await.status, 404);
}

#[tokio::test]
async fn queued_faults_are_consumed_one_per_request() {
    let server = start().await;
    server.push_faults([Fault::rate_limited_secs(2), Fault::rate_limited_ms(250), Fault::ServerError500]);
    let body = json!({"model": FLARE, "prompt": "p"});

    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
    assert_eq!(r.error()["code"], "rate_limit_exceeded");
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!((r.status, r.header("retry-after-ms")), (429, Some("250")));
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!((r.status, r.error()["type"].as_str()), (500, Some("server_error")));
    assert_eq!(post_json(&server, "/images/generations", &body).await.status, 200);

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|r| r.verdict.is_ok()), "faults do not change the verdict");
    assert_eq!(seen[2].fault, Some(Fault::ServerError500));
    assert_eq!(seen[3].fault, None);

    server.set_fault_always(Some(Fault::HtmlBadGateway502));
    for _ in 0..2 {
        let r = post_json(&server, "/images/generations", &body).await;
        assert_eq!((r.status, r.header("content-type")), (502, Some("text/html")));
        assert!(String::from_utf8_lossy(&r.body).contains("<center>nginx</center>"));
    }
    server.set_fault_always(None);
    assert_eq!(post_json(&server, "/images/generations", &body).await.status, 200);
}

#[tokio::test]
async fn payload_and_connection_faults() {
    let server = start().await;
    let body = json!({"model": FLARE, "prompt": "p"});
    let key = format!("Bearer {KEY}");

    server.push_faults([Fault::TruncatedJson]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(r.status == 200 && r.complete && serde_json::from_slice::<Value>(&r.body).is_err());

    server.push_faults([Fault::EmptyData]);
    assert_eq!(post_json(&server, "/images/generations", &body).await.json()["data"], json!([]));

    server.push_faults([Fault::BadBase64]);
    assert_eq!(post_json(&server, "/images/generations", &body).await.json()["data"][0]["b64_json"], "!!!notbase64");

    server.push_faults([Fault::NotAnImage]);
    let b64 = post_json(&server, "/images/generations", &body).await.json()["data"][0]["b64_json"].clone();
    assert!(image::guess_format(&STANDARD.decode(b64.as_str().unwrap()).unwrap()).is_err());

    server.push_faults([Fault::ResetMidBody]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(r.status == 200 && !r.complete && !r.body.is_empty());
    assert!(r.reset, "the connection is reset, not closed");

    server.push_faults([Fault::NoFirstByte(Duration::from_millis(400))]);
    let started = Instant::now();
    assert_eq!(post_json(&server, "/images/generations", &body).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));

    server.push_faults([Fault::StallMidBody(Duration::from_millis(400))]);
    let started = Instant::now();
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(r.complete && started.elapsed() >= Duration::from_millis(400));
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 1);

    server.push_faults([Fault::HugeBody { bytes: 100 * 1024 * 1024 }]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!(r.header("content-length"), Some("104857600"));
    assert!(r.complete && r.body.ends_with(b"\"}]}"));

    server.push_faults([Fault::EchoKey]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!(r.status, 401);
    assert!(r.error()["message"].as_str().unwrap().contains(KEY));

    server.push_faults([Fault::ModerationBlocked, Fault::OrgNotVerified403]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (400, Some("moderation_blocked")));
    assert!(r.error()["message"].as_str().unwrap().contains(r.header("x-request-id").unwrap()));
    let r = post_json(&server, "/images/generations", &body).await;
    assert_eq!(r.status, 403);
    assert!(r.error()["message"].as_str().unwrap().contains(&format!("`{FLARE}`")));

    let path = path_of(&server, "/models/gpt-image-2.5-flare");
    server.push_faults([Fault::Status {
        status: 418,
        body: "teapot".into(),
        headers: vec![("x-extra".into(), "1".into())],
    }]);
    let r = send(server.addr(), "GET", &path, &[("authorization", &key)], b"").await;
    assert_eq!((r.status, r.header("x-extra"), r.body.as_slice()), (418, Some("1"), &b"teapot"[..]));
    assert_eq!(server.pending_faults(), 0);
}

#[tokio::test]
async fn streaming_partial_images_in_order() {
    let server = MockServer::start(MockConfig { stream_pause: Duration::from_millis(20), ..MockConfig::default() })
        .await
        .unwrap();
    let r = post_json(
        &server,
        "/images/generations",
        &json!({
            "model": FLARE, "prompt": "p", "stream": true, "partial_images": 2, "size": "1024x1536", "quality": "high"
        }),
    )
    .await;
    assert_eq!((r.status, r.header("content-type")), (200, Some("text/event-stream; charset=utf-8")));
    assert!(r.complete);
    let evs = events(&r.body);
    let names: Vec<&str> = evs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["image_generation.partial_image", "image_generation.partial_image", "image_generation.completed"]
    );
    for (i, (name, data)) in evs.iter().enumerate() {
        assert_eq!(data["type"], name.as_str());
        assert_eq!(decoded(&data["b64_json"]), (image::ImageFormat::Png, 1024, 1536));
        for field in ["created_at", "size", "quality", "background", "output_format"] {
            assert!(data.get(field).is_some(), "{field} in {name}");
        }
        if i < 2 {
            assert_eq!(data["partial_image_index"], i);
        }
    }
    assert!(evs[2].1["usage"]["output_tokens"].as_u64().unwrap() > 6000);
    assert!(server.requests()[0].stream);

    let form = Form::new()
        .text("model", SUNBURST)
        .text("prompt", "p")
        .text("stream", "true")
        .text("partial_images", "1")
        .png("image", "a.png", 16, 16);
    let r = post_form(&server, form).await;
    let names: Vec<String> = events(&r.body).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["image_edit.partial_image", "image_edit.completed"]);
}

#[tokio::test]
async fn stream_faults() {
    let server = MockServer::start(MockConfig { stream_pause: Duration::from_millis(10), ..MockConfig::default() })
        .await
        .unwrap();
    let body = json!({"model": FLARE, "prompt": "p", "stream": true, "partial_images": 1});

    server.push_faults([Fault::StreamBreakBeforeCompleted]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(!r.complete && !r.reset);
    assert_eq!(events(&r.body).iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["image_generation.partial_image"]);

    server.push_faults([Fault::StreamBreakAfterCompleted]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(!r.complete);
    assert_eq!(events(&r.body).last().unwrap().0, "image_generation.completed");

    server.push_faults([Fault::StreamErrorEvent]);
    let r = post_json(&server, "/images/generations", &body).await;
    assert!(r.complete);
    let evs = events(&r.body);
    assert_eq!(evs.last().unwrap().0, "error");
    assert_eq!(evs.last().unwrap().1["type"], "error");
    assert_eq!(evs.last().unwrap().1["error"]["code"], "moderation_blocked");
}

#[tokio::test]
async fn a_client_leaving_mid_stream_is_counted() {
    let server = MockServer::start(MockConfig { stream_pause: Duration::from_millis(300), ..MockConfig::default() })
        .await
        .unwrap();
    let body = json!({"model": FLARE, "prompt": "p", "stream": true, "partial_images": 3}).to_string();
    let auth = format!("Bearer {KEY}");
    let request = request_bytes(
        "POST",
        &path_of(&server, "/images/generations"),
        &[("authorization", &auth), ("content-type", "application/json")],
        body.as_bytes(),
    );
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(&request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while !String::from_utf8_lossy(&got).contains("partial_image_index") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.disconnects() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.disconnects(), 1);

    // Leaving while the mock holds back the first byte counts too.
    server.push_faults([Fault::NoFirstByte(Duration::from_secs(5))]);
    let mut s = TcpStream::connect(server.addr()).await.unwrap();
    s.write_all(&request).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(3);
    while server.disconnects() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.disconnects(), 2);

    // A complete exchange is not a disconnect.
    let r = post_json(&server, "/models/gpt-image-2", &json!({})).await;
    assert_eq!(r.status, 404, "POST to a GET route is an invalid URL");
    assert_eq!(r.error()["message"], "Invalid URL (POST /v1/models/gpt-image-2)");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.disconnects(), 2);
}

#[tokio::test]
async fn repeated_requests_are_served_from_the_image_cache() {
    let server = start().await;
    let body = json!({"model": FLARE, "prompt": "the same picture", "size": "1536x1024"});
    let first = post_json(&server, "/images/generations", &body).await.json()["data"][0]["b64_json"].clone();
    let started = Instant::now();
    for _ in 0..100 {
        let r = post_json(&server, "/images/generations", &body).await;
        assert_eq!(r.json()["data"][0]["b64_json"], first);
    }
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[tokio::test]
async fn azure_form() {
    let config = MockConfig::azure(
        "2025-04-01-preview",
        &[("img", "gpt-image-1"), ("dalle", "dall-e-3"), ("vision", "gpt-4o-mini")],
    );
    let server = MockServer::start(config).await.unwrap();
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    let addr = server.addr();
    let body = json!({"prompt": "a boat", "size": "1536x1024"}).to_string();
    let gen = |deployment: &str, version: &str| {
        format!("/openai/deployments/{deployment}/images/generations?api-version={version}")
    };
    let api_key = [("api-key", KEY), ("content-type", "application/json")];

    let r = send(addr, "POST", &gen("img", "2025-04-01-preview"), &api_key, body.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("apim-request-id").is_some());
    assert_eq!(decoded(&r.json()["data"][0]["b64_json"]).1, 1536);
    assert_eq!(server.requests()[0].model.as_deref(), Some("gpt-image-1"));

    let bearer = [("authorization", "Bearer sk-mock-key"), ("content-type", "application/json")];
    let r = send(addr, "POST", &gen("img", "2025-04-01-preview"), &bearer, body.as_bytes()).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (401, Some("401")));

    let r = send(addr, "POST", &gen("img", "2024-02-01"), &api_key, body.as_bytes()).await;
    assert_eq!((r.status, r.error()["message"].as_str()), (400, Some("API version not supported")));

    let r = send(addr, "POST", &gen("nope", "2025-04-01-preview"), &api_key, body.as_bytes()).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (404, Some("DeploymentNotFound")));

    // The deployment's model decides the rules: dall-e-3 takes no 1536x1024.
    let r = send(addr, "POST", &gen("dalle", "2025-04-01-preview"), &api_key, body.as_bytes()).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("size")));

    let r =
        send(addr, "GET", "/openai/deployments/vision?api-version=2025-04-01-preview", &[("api-key", KEY)], b"").await;
    assert_eq!((r.status, r.json()["model"].as_str()), (200, Some("gpt-4o-mini")));

    server.push_faults([Fault::AzureContentFilter]);
    let r = send(addr, "POST", &gen("img", "2025-04-01-preview"), &api_key, body.as_bytes()).await;
    assert_eq!(r.status, 400);
    let e = r.error();
    assert_eq!(
        (e["code"].as_str(), e["inner_error"]["code"].as_str()),
        (Some("content_policy_violation"), Some("ResponsibleAIPolicyViolation"))
    );
    assert_eq!(e["inner_error"]["content_filter_results"]["sexual"]["filtered"], true);

    let r = send(addr, "POST", "/v1/images/generations", &api_key, body.as_bytes()).await;
    assert_eq!(r.status, 404);
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err(), "shut down");
}

// ---------------------------------------------------------------- the catalog

#[tokio::test]
async fn retired_models_get_the_observed_404_on_every_endpoint() {
    let server = start_on("2026-12-07").await;
    for model in ["dall-e-3", "dall-e-2", "gpt-image-1", "gpt-image-1.5", "gpt-image-1.5-2025-12-16"] {
        assert_retired(
            &post_json(&server, "/images/generations", &json!({"model": model, "prompt": "p"})).await,
            model,
        );
    }
    for model in ["gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest"] {
        assert_retired(&post_form(&server, edit_form(model)).await, model);
    }
    assert_eq!(rejected(&server), (404, Some("model_not_found".into()), None));
    // Still served on 2026-12-07, retired on their shutdown date.
    assert_eq!(post_json(&server, "/chat/completions", &chat_body("gpt-4o-mini", json!({}))).await.status, 200);
    let later = start_on("2027-01-14").await;
    for model in ["gpt-4o-mini", "gpt-4.1-mini", "gpt-5-nano"] {
        assert_retired(&post_json(&later, "/chat/completions", &chat_body(model, json!({}))).await, model);
    }
    assert_eq!(post_json(&later, "/chat/completions", &chat_body("gpt-6-luna", json!({}))).await.status, 200);
    assert!(server.requests().iter().chain(later.requests().iter()).all(|r| r.fault.is_none()));
}

#[tokio::test]
async fn the_model_list_carries_shutdown_dates_and_leaves_out_retired_models() {
    let server = start_on("2026-12-07").await;
    let r = get(&server, "/models").await;
    assert_eq!((r.status, r.json()["object"].as_str()), (200, Some("list")));
    for model in r.json()["data"].as_array().unwrap() {
        let keys: Vec<&str> = model.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{model}");
        for key in ["id", "object", "created", "owned_by", "shutdown_date"] {
            assert!(keys.contains(&key), "{key} in {model}");
        }
    }
    let list = listed(&r);
    let date = |id: &str| list.iter().find(|(m, _)| m == id).map(|(_, d)| d.clone());
    assert_eq!(date("gpt-4o-mini"), Some(json!("2027-01-14")));
    assert_eq!(date("gpt-5"), Some(json!("2026-12-11")));
    for current in ["gpt-image-2", "gpt-image-2-2026-04-21", FLARE, SUNBURST, "gpt-6-luna", "gpt-5.6-luna"] {
        assert_eq!(date(current), Some(Value::Null), "{current}");
    }
    for gone in ["dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"] {
        assert_eq!(date(gone), None, "{gone} is not listed");
        let r = get(&server, &format!("/models/{gone}")).await;
        assert_eq!((r.status, r.error()["code"].as_str()), (404, Some("model_not_found")));
    }
    // Released 2026-11-04 and 2026-09-29 / 2026-10-26 (LIFECYCLE.md): listed, no shutdown announced.
    for current in ["gpt-image-2.6-flare", "gpt-image-2.6-sunburst", "gpt-6.1-sol", "gpt-6.1-terra"] {
        assert_eq!(date(current), Some(Value::Null), "{current}");
    }
    for going in ["gpt-5", "gpt-5-mini", "gpt-5-nano"] {
        assert_eq!(date(going), Some(json!("2026-12-11")), "{going}");
    }
    let r = get(&server, "/models/gpt-4.1-mini").await;
    assert_eq!((r.status, r.json()["shutdown_date"].as_str()), (200, Some("2027-01-14")));

    // A gateway lists everything, with the dates as reported.
    let gateway = start_gateway().await;
    let list = listed(&get(&gateway, "/models").await);
    assert!(list.contains(&("dall-e-3".to_string(), json!("2026-05-12"))));
    assert!(list.contains(&("gpt-image-1".to_string(), json!("2026-10-23"))));
}

#[tokio::test]
async fn unknown_models_are_404_for_the_api_and_pass_through_a_gateway() {
    let api = start().await;
    let body = json!({"model": "gpt-image-2.7-flare", "prompt": "p", "quality": "max", "size": "2560x1440"});
    let r = post_json(&api, "/images/generations", &body).await;
    assert_eq!(r.status, 404);
    let e = r.error();
    assert_eq!(
        (e["message"].as_str(), e["type"].as_str(), e["code"].as_str()),
        (
            Some("The model 'gpt-image-2.7-flare' does not exist or you do not have access to it."),
            Some("invalid_request_error"),
            Some("model_not_found")
        )
    );
    assert_eq!(post_form(&api, edit_form("acme-image-xl")).await.error()["code"], "model_not_found");
    let r = post_json(&api, "/chat/completions", &chat_body("gpt-9-vision", json!({}))).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (404, Some("model_not_found")));

    let gateway = start_gateway().await;
    // An unknown 2.x id (2.7 and later) takes 2.5's rules: its tiers and free sizes.
    let r = post_json(&gateway, "/images/generations", &body).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(decoded(&r.json()["data"][0]["b64_json"]), (image::ImageFormat::Png, 2560, 1440));
    // Any other unknown id gets the GPT image rules: the three fixed sizes.
    let r = post_json(
        &gateway,
        "/images/generations",
        &json!({"model": "acme-image-xl", "prompt": "p", "size": "1536x1024"}),
    )
    .await;
    assert_eq!(decoded(&r.json()["data"][0]["b64_json"]).1, 1536);
    let r = post_json(
        &gateway,
        "/images/generations",
        &json!({"model": "acme-image-xl", "prompt": "p", "size": "1536x864"}),
    )
    .await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("size")));
    assert_eq!(post_form(&gateway, edit_form("acme-image-xl")).await.status, 200);
    assert_eq!(post_json(&gateway, "/chat/completions", &chat_body("gpt-9-vision", json!({}))).await.status, 200);
    // ... and serves the retired seed models.
    assert_eq!(post_form(&gateway, edit_form("gpt-image-1")).await.status, 200);
    assert_eq!(post_json(&gateway, "/chat/completions", &chat_body("gpt-4o-mini", json!({}))).await.status, 200);
}

#[tokio::test]
async fn each_endpoint_refuses_the_other_family() {
    for server in [start().await, start_gateway().await] {
        for model in ["gpt-image-2", FLARE] {
            let r = post_json(&server, "/chat/completions", &chat_body(model, json!({}))).await;
            assert_eq!(r.status, 404);
            assert_eq!(
                r.json(),
                json!({"error": {
                    "message": "This is not a chat model and thus not supported in the v1/chat/completions endpoint. \
                                Did you mean to use v1/completions?",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": null
                }})
            );
        }
        let r = post_json(&server, "/images/generations", &json!({"model": "gpt-6-luna", "prompt": "p"})).await;
        let e = r.error();
        assert_eq!((r.status, e["code"].as_str(), e["param"].as_str()), (400, Some("invalid_value"), Some("model")));
        assert!(e["message"].as_str().unwrap().starts_with("Invalid value: 'gpt-6-luna'. Supported values are: "));
        let r = post_form(&server, edit_form("gpt-4o-mini")).await;
        assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("model")));
    }
}

#[tokio::test]
async fn the_2_5_family_takes_its_quality_tiers_and_sizes() {
    let server = start().await;
    for (model, quality) in [(SUNBURST, "xhigh"), (FLARE, "max"), ("gpt-image-2.5-flare-2026-09-08", "xhigh")] {
        let body = json!({"model": model, "prompt": "p", "quality": quality, "size": "2560x1440"});
        let r = post_json(&server, "/images/generations", &body).await;
        assert_eq!(r.status, 200, "{model}: {}", String::from_utf8_lossy(&r.body));
        assert_eq!(decoded(&r.json()["data"][0]["b64_json"]), (image::ImageFormat::Png, 2560, 1440));
        assert_eq!((r.json()["quality"].as_str(), r.json()["size"].as_str()), (Some(quality), Some("2560x1440")));
    }
    let form = edit_form(SUNBURST).text("quality", "max").text("size", "1536x864").text("background", "transparent");
    let r = post_form(&server, form).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(decoded(&r.json()["data"][0]["b64_json"]), (image::ImageFormat::Png, 1536, 864));
    assert_eq!((r.json()["quality"].as_str(), r.json()["background"].as_str()), (Some("max"), Some("transparent")));

    for quality in ["max", "xhigh"] {
        let r = post_json(
            &server,
            "/images/generations",
            &json!({"model": "gpt-image-2", "prompt": "p", "quality": quality}),
        )
        .await;
        let e = r.error();
        assert_eq!((r.status, e["code"].as_str(), e["param"].as_str()), (400, Some("invalid_value"), Some("quality")));
        assert_eq!(
            e["message"],
            format!("Invalid value: '{quality}'. Supported values are: 'low', 'medium', 'high', and 'auto'.")
        );
    }
    let r = post_form(&server, edit_form("gpt-image-2").text("quality", "max")).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("quality")));
}

#[tokio::test]
async fn reasoning_effort_is_for_reasoning_models() {
    let server = start().await;
    let r = post_json(&server, "/chat/completions", &chat_body("gpt-6-luna", json!({"reasoning_effort": "low"}))).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(body["model"], "gpt-6-luna");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
    assert!(body["choices"][0]["message"]["content"].as_str().unwrap().starts_with("I see a 32x32 PNG image"));
    assert_eq!(body["usage"]["completion_tokens_details"]["reasoning_tokens"], 16);

    // Reasoning counts against max_completion_tokens: a small budget ends empty, not refused.
    let r =
        post_json(&server, "/chat/completions", &chat_body("gpt-6-luna", json!({"max_completion_tokens": 20}))).await;
    let choice = &r.json()["choices"][0];
    assert_eq!((choice["finish_reason"].as_str(), choice["message"]["content"].as_str()), (Some("length"), Some("")));
    assert_eq!(choice["message"]["refusal"], Value::Null);
    assert_eq!(r.json()["usage"]["completion_tokens"], 20);

    let r =
        post_json(&server, "/chat/completions", &chat_body("gpt-4o-mini", json!({"reasoning_effort": "low"}))).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        json!({"error": {
            "message": "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
            "type": "invalid_request_error",
            "param": "reasoning_effort",
            "code": "unsupported_parameter"
        }})
    );
    assert_eq!(rejected(&server), (400, Some("unsupported_parameter".into()), Some("reasoning_effort".into())));
    let r = post_json(&server, "/chat/completions", &chat_body("gpt-6-luna", json!({"max_tokens": 300}))).await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("max_tokens")));
}

#[tokio::test]
async fn the_catalog_can_change_while_the_mock_runs() {
    let server = start_on("2026-12-07").await;
    let ids = |r: &Resp| listed(r).into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    let gen = |model: &str| json!({"model": model, "prompt": "p", "size": "1536x864"});

    // A model added: listed, retrievable, served with its family's rules.
    assert_eq!(post_json(&server, "/images/generations", &gen("gpt-image-2.7-flare")).await.status, 404);
    server.catalog().add(ModelEntry::new("gpt-image-2.7-flare", ModelFamily::Image).with_snapshot("2026-12-20"));
    let list = get(&server, "/models").await;
    assert!(ids(&list).contains(&"gpt-image-2.7-flare".to_string()));
    assert!(ids(&list).contains(&"gpt-image-2.7-flare-2026-12-20".to_string()));
    assert_eq!(get(&server, "/models/gpt-image-2.7-flare").await.json()["shutdown_date"], Value::Null);
    assert_eq!(post_json(&server, "/images/generations", &gen("gpt-image-2.7-flare")).await.status, 200);

    // A shutdown date announced, then passed, then withdrawn.
    assert!(server.catalog().set_shutdown_date("gpt-image-2", Some("2027-03-01")));
    assert_eq!(get(&server, "/models/gpt-image-2").await.json()["shutdown_date"], "2027-03-01");
    assert_eq!(post_json(&server, "/images/generations", &gen("gpt-image-2")).await.status, 200);
    assert!(server.catalog().set_shutdown_date("gpt-image-2", Some("2026-11-30")));
    assert!(!ids(&get(&server, "/models").await).contains(&"gpt-image-2".to_string()));
    assert_eq!(get(&server, "/models/gpt-image-2").await.status, 404);
    assert_retired(&post_json(&server, "/images/generations", &gen("gpt-image-2")).await, "gpt-image-2");
    assert_retired(
        &post_json(&server, "/images/generations", &gen("gpt-image-2-2026-04-21")).await,
        "gpt-image-2-2026-04-21",
    );
    assert_retired(&post_form(&server, edit_form("gpt-image-2")).await, "gpt-image-2");
    assert!(server.catalog().set_shutdown_date("gpt-image-2", None));
    assert_eq!(post_json(&server, "/images/generations", &gen("gpt-image-2")).await.status, 200);
    assert!(!server.catalog().set_shutdown_date("gpt-image-9", None), "no such entry");

    // A model removed: gone from the list, and unknown everywhere.
    assert!(server.catalog().remove("gpt-6-luna"));
    assert!(!ids(&get(&server, "/models").await).contains(&"gpt-6-luna".to_string()));
    let r = post_json(&server, "/chat/completions", &chat_body("gpt-6-luna", json!({}))).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (404, Some("model_not_found")));
    assert!(r.error()["message"].as_str().unwrap().contains("does not exist"));

    // Time passes.
    assert_eq!(server.catalog().today(), "2026-12-07");
    server.catalog().set_today(Some("2027-01-14"));
    assert!(!ids(&get(&server, "/models").await).contains(&"gpt-4o-mini".to_string()));
    assert_retired(&post_json(&server, "/chat/completions", &chat_body("gpt-4o-mini", json!({}))).await, "gpt-4o-mini");
    server.catalog().set_today(None);
    let real_today = server.catalog().today();
    assert_eq!(real_today.len(), 10);
    assert!(server.catalog().entries().iter().any(|e| e.id == "gpt-image-2.7-flare"));
}

#[tokio::test]
async fn a_gateway_serves_every_seed_model_with_its_own_rules() {
    let server =
        MockServer::start(MockConfig { today: Some("2027-06-01".into()), ..MockConfig::gateway() }).await.unwrap();
    for (model, size) in [
        ("dall-e-3", "1792x1024"),
        ("gpt-image-1", "1536x1024"),
        ("gpt-image-1-mini", "1024x1536"),
        ("gpt-image-1.5", "1536x1024"),
        ("chatgpt-image-latest", "1024x1024"),
        ("gpt-image-2", "1536x864"),
    ] {
        let mut body = json!({"model": model, "prompt": "p", "size": size});
        if model == "dall-e-3" {
            body["response_format"] = json!("b64_json");
        }
        let r = post_json(&server, "/images/generations", &body).await;
        assert_eq!(r.status, 200, "{model}: {}", String::from_utf8_lossy(&r.body));
        let (w, h) = size.split_once('x').unwrap();
        let decoded = decoded(&r.json()["data"][0]["b64_json"]);
        assert_eq!((decoded.1, decoded.2), (w.parse().unwrap(), h.parse().unwrap()), "{model}");
    }
    for model in ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"] {
        assert_eq!(post_form(&server, edit_form(model)).await.status, 200, "{model}");
    }
    for model in ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5-mini"] {
        assert_eq!(post_json(&server, "/chat/completions", &chat_body(model, json!({}))).await.status, 200, "{model}");
    }
    // The seed models' own limits still hold.
    let r =
        post_json(&server, "/images/generations", &json!({"model": "gpt-image-1", "prompt": "p", "size": "1536x864"}))
            .await;
    assert_eq!((r.status, r.error()["param"].as_str()), (400, Some("size")));
    let r = post_json(&server, "/images/generations", &json!({"model": "dall-e-2", "prompt": "p"})).await;
    assert_eq!((r.status, r.error()["code"].as_str()), (400, Some("unsupported_by_mock")));
}

#[tokio::test]
async fn a_malformed_date_is_refused_at_start() {
    let config = MockConfig { today: Some("02/12/2026".into()), ..MockConfig::default() };
    let err = MockServer::start(config).await.err().expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let mut catalog = ModelEntry::default_catalog();
    catalog[0].shutdown_date = Some("soon".into());
    assert!(MockServer::start(MockConfig { catalog, ..MockConfig::default() }).await.is_err());
}
