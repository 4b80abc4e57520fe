//! The server's HTTP API, through real sockets, with the workspace's real
//! backend components in a plugins folder and the OpenAI mock behind them.

mod common;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::*;
use http_body_util::{BodyExt, Full};
use openai_mock::{noise_png, Fault, MockConfig};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_call_needs_the_token_and_the_local_host() {
    let f = Fixture::start().await;
    assert!(f.server.addr().ip().is_loopback(), "bound to {}", f.server.addr());
    let port = f.server.addr().port();
    let raw = |path: &str, headers: &[(&str, String)]| {
        let mut request = axum::http::Request::builder().uri(format!("{}{path}", f.base));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.body(Full::default()).unwrap()
    };

    // The page itself holds nothing secret; its policy allows only its own files.
    let page = f.send(raw("/", &[])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("<script src=\"/app.js\""));
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    assert_eq!(f.send(raw("/app.js", &[])).await.header("content-type"), "text/javascript; charset=utf-8");

    // The API needs the token, in the header.
    let bearer = |token: &str| ("authorization", format!("Bearer {token}"));
    assert_eq!(f.send(raw("/api/state", &[])).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.send(raw("/api/state", &[bearer("wrong")])).await.status, StatusCode::UNAUTHORIZED);
    let token = f.token();
    let last = if token.ends_with('0') { '1' } else { '0' };
    let almost = format!("{}{last}", &token[..token.len() - 1]);
    assert_eq!(f.send(raw("/api/state", &[bearer(&almost)])).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.send(raw(&format!("/api/state?token={}", f.token()), &[])).await.status, StatusCode::UNAUTHORIZED);
    for path in ["/api/jobs", "/api/events", "/api/status", "/api/jobs/1/images/0"] {
        let reply = f.send(raw(path, &[])).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(reply.json()["error"]["kind"], "unauthorized");
    }
    let post = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("{}/api/generate", f.base))
        .header("content-type", "application/json")
        .body(Full::new(generate_body("x").to_string().into()))
        .unwrap();
    assert_eq!(f.send(post).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.send(raw("/api/state", &[bearer(&f.token())])).await.status, StatusCode::OK);

    // Another name for this address (DNS rebinding) or another port: refused, page included.
    for host in
        ["evil.example".to_string(), format!("evil.example:{port}"), format!("127.0.0.1:{}", port + 1), String::new()]
    {
        for path in ["/", "/api/state"] {
            let reply = f.send(raw(path, &[("host", host.clone()), bearer(&f.token())])).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "Host {host:?} {path}");
        }
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}"), format!("127.0.0.1:{port}")] {
        assert_eq!(
            f.send(raw("/api/state", &[("host", host.clone()), bearer(&f.token())])).await.status,
            StatusCode::OK,
            "{host}"
        );
    }
    // Another web page in the same browser, even with the token: refused.
    let from = |origin: &str| f.send(raw("/api/state", &[("origin", origin.to_string()), bearer(&f.token())]));
    assert_eq!(from("https://evil.example").await.status, StatusCode::FORBIDDEN);
    assert_eq!(from(&format!("http://localhost:{}", port + 1)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(from(&format!("http://127.0.0.1:{port}")).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_shows_backends_choices_and_settings_but_never_the_key() {
    let f = Fixture::start().await;
    let state = f.state().await;
    let plugins = state["plugins"].as_array().unwrap();
    let files: Vec<_> = plugins.iter().map(|p| p["file_name"].as_str().unwrap()).collect();
    assert_eq!(files, ["openai.wasm", "placeholder.wasm"]);
    for p in plugins {
        assert_eq!(p["contract"], "0.2.0", "{p}");
        assert!(p["error"].is_null(), "{p}");
    }
    assert_eq!(plugins[0]["info"]["name"], "openai");
    assert_eq!(state["timeout_secs"], 301.0);
    let choices: Vec<(String, String)> = state["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["backend"].as_str().unwrap().to_string(), c["model"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        choices,
        [
            ("openai".to_string(), "gpt-image-2.5-flare".to_string()),
            ("openai".to_string(), "gpt-image-2.5-sunburst".to_string()),
            ("openai".to_string(), "gpt-6-luna".to_string())
        ]
    );
    let settings = &state["settings"]["openai"];
    assert_eq!(settings["values"]["base-url"], f.mock.base_url());
    assert_eq!(
        settings["secrets"]["api-key"],
        json!({"set": true, "source": "mock", "masked": "sk-…wxyz", "saved": false})
    );
    assert_eq!(settings["allowed_hosts"], json!([f.mock.addr().to_string()]));
    // The declared settings come with their kinds; a secret's default never does.
    let declared = plugins[0]["info"]["settings"].as_array().unwrap();
    let key = declared.iter().find(|s| s["name"] == "api-key").unwrap();
    assert_eq!((key["kind"]["name"].as_str(), key["default"].is_null()), (Some("secret"), true));

    // A typed key replaces it, and is never sent back either.
    let typed = "sk-typed-ABCDEFGHIJKLMNOPQRSTUVWXYZ-9876";
    let state = f.put("/api/settings/openai", json!({ "secrets": { "api-key": typed } })).await.ok();
    assert_eq!(state["settings"]["openai"]["secrets"]["api-key"]["source"], "typed");
    assert_eq!(state["settings"]["openai"]["secrets"]["api-key"]["masked"], "sk-…9876");
    for path in ["/api/state", "/api/status", "/api/jobs", "/api/models?capability=text-to-image"] {
        let body = f.get(path).await.text();
        assert!(!body.contains(typed) && !body.contains(KEY), "{path} leaks a key: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pills_follow_the_checks_and_the_settings() {
    let f = Fixture::start().await;
    let pills = f.settled_pills().await;
    for p in pills.as_array().unwrap() {
        assert!(["green", "amber"].contains(&p["light"].as_str().unwrap()), "{p}");
    }
    // Image generation models: amber, organization verification may be needed.
    assert_eq!(pill(&pills, "text-to-image")["light"], "amber");
    assert!(pill(&pills, "text-to-image")["message"].as_str().unwrap().contains("verification"));
    assert_eq!(pill(&pills, "image-edit")["references"], 16);
    assert!(pill(&pills, "text-to-image")["references"].is_null());
    assert_eq!(pill(&pills, "image-analysis")["light"], "green");

    // A wrong key: red, authentication, on every capability using that backend.
    f.put("/api/settings/openai", json!({ "secrets": { "api-key": "sk-wrong-000000000000000000000000" } })).await.ok();
    let pills = f.settled_pills().await;
    for p in pills.as_array().unwrap() {
        assert_eq!((p["light"].as_str(), p["problem"].as_str()), (Some("red"), Some("authentication")), "{p}");
    }
    // A deprecated model: amber with its shutdown date.
    f.put("/api/settings/openai", json!({ "clear": ["api-key"] })).await.ok();
    f.put("/api/selection", json!({ "capability": "image-analysis", "model": "gpt-4o-mini" })).await.ok();
    let pills = f.settled_pills().await;
    let analysis = pill(&pills, "image-analysis");
    assert_eq!(analysis["light"], "amber", "{analysis}");
    assert!(analysis["message"].as_str().unwrap().contains("2027-01-14"), "{analysis}");
    // The placeholder needs nothing: green.
    f.put("/api/selection", json!({ "capability": "image-edit", "backend": "placeholder" })).await.ok();
    let pills = f.settled_pills().await;
    assert_eq!(pill(&pills, "image-edit")["light"], "green");
    assert_eq!(pill(&pills, "image-edit")["model"], "placeholder");

    // A retired model cannot be chosen.
    let refused = f.put("/api/selection", json!({ "capability": "text-to-image", "model": "dall-e-3" })).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text());
    assert!(refused.json()["error"]["message"].as_str().unwrap().contains("retired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_key_the_pills_say_where_to_set_it() {
    let f = Fixture::with(Setup { endpoint: false, ..Setup::default() }).await;
    let pills = f.settled_pills().await;
    for p in pills.as_array().unwrap() {
        assert_eq!(p["light"], "grey", "{p}");
        assert!(p["message"].as_str().unwrap().contains("OPENAI_API_KEY"), "{p}");
    }
    let models = f.get("/api/models?capability=text-to-image").await.ok();
    assert_eq!(models["source"], "info", "{models}");
    let refused = f.post("/api/generate", generate_body("a lighthouse")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json()["error"]["kind"], "settings");
    assert!(f.get("/api/jobs").await.ok().as_array().unwrap().is_empty());
    assert!(f.mock.requests().is_empty());

    // OPENAI_API_KEY goes to api.openai.com, not to a server the user typed in.
    let f = Fixture::with(Setup { endpoint: false, env_key: Some(KEY.into()), ..Setup::default() }).await;
    let state = f.state().await;
    assert_eq!(state["settings"]["openai"]["secrets"]["api-key"]["source"], "environment");
    assert_eq!(state["settings"]["openai"]["allowed_hosts"], json!(["api.openai.com:443"]));
    let state = f.put("/api/settings/openai", json!({ "values": { "base-url": f.mock.base_url() } })).await.ok();
    assert_eq!(state["settings"]["openai"]["secrets"]["api-key"]["set"], false);
    assert_eq!(state["settings"]["openai"]["missing"]["name"], "api-key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_come_from_the_service_with_their_lifecycle() {
    let f = Fixture::start().await;
    let list = f.get("/api/models?backend=openai&capability=image-analysis").await.ok();
    assert_eq!((list["source"].as_str(), list["default_model"].as_str()), (Some("live"), Some("gpt-6-luna")));
    let model = |id: &str| list["models"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned();
    let mini = model("gpt-4o-mini").expect("gpt-4o-mini listed");
    assert_eq!(mini["lifecycle"]["state"], "deprecated");
    assert_eq!(mini["lifecycle"]["shutdown_date"], "2027-01-14");
    assert_eq!(mini["selectable"], true);
    let images = f.get("/api/models?backend=openai&capability=text-to-image").await.ok();
    let dalle = images["models"].as_array().unwrap().iter().find(|m| m["id"] == "dall-e-3").expect("known");
    assert_eq!((dalle["listed"].as_bool(), dalle["selectable"].as_bool()), (Some(false), Some(false)), "{dalle}");
    let flare = images["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-image-2.5-flare").unwrap();
    assert!(flare["note"].as_str().unwrap().contains("verif"), "{flare}");
    assert!(flare["qualities"].as_array().unwrap().iter().any(|q| q == "xhigh"), "{flare}");

    // A model the service starts offering appears after the next settings change.
    f.mock.catalog().add(openai_mock::ModelEntry::new("gpt-image-2.6-flare", openai_mock::ModelFamily::Image));
    f.put("/api/timeout", json!({ "seconds": 300 })).await.ok();
    let images = f.get("/api/models?backend=openai&capability=text-to-image").await.ok();
    assert!(images["models"].as_array().unwrap().iter().any(|m| m["id"] == "gpt-image-2.6-flare"), "{images}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generation_streams_partial_images_and_serves_the_image_as_it_is() {
    let f = Fixture::with(Setup {
        mock: MockConfig { stream_pause: Duration::from_millis(150), ..MockConfig::default() },
        ..Setup::default()
    })
    .await;
    // Follow the page's event stream while the job runs.
    let events = f.client_stream("/api/events").await;
    let job = f
        .post(
            "/api/generate?wait=1",
            json!({"prompt": "a lighthouse at dusk", "format": "landscape", "partial_images": 2}),
        )
        .await
        .ok();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        (job["model"].as_str(), job["backend"].as_str(), job["kind"].as_str()),
        (Some("gpt-image-2.5-flare"), Some("openai"), Some("generate"))
    );
    assert_eq!(job["partials"].as_array().unwrap().len(), 2, "{job}");
    let image = &job["images"][0];
    assert_eq!(
        (image["mime_type"].as_str(), image["width"].as_u64(), image["height"].as_u64()),
        (Some("image/png"), Some(1536), Some(1024))
    );

    let bytes = f.get(image["url"].as_str().unwrap()).await;
    assert_eq!(bytes.status, StatusCode::OK);
    assert_eq!(bytes.header("content-type"), "image/png");
    assert_eq!(bytes.header("content-length"), image["bytes"].to_string());
    assert_eq!(bytes.header("x-content-type-options"), "nosniff");
    assert_eq!(png_size(&bytes.body), (1536, 1024));
    assert_eq!(bytes.body.len() as u64, image["bytes"].as_u64().unwrap());
    let download = f.get(&format!("{}?download=1", image["url"].as_str().unwrap())).await;
    assert_eq!(
        download.header("content-disposition"),
        format!("attachment; filename=\"{}\"", image["file_name"].as_str().unwrap())
    );
    let partial = f.get(job["partials"][0]["url"].as_str().unwrap()).await;
    assert_eq!((partial.header("content-type"), png_size(&partial.body)), ("image/png", (1536, 1024)));
    assert_eq!(f.get(&format!("/api/jobs/{}/images/5", job["id"])).await.status, StatusCode::NOT_FOUND);

    // The stream told of each partial image while the job was still running, then of the result.
    let seen =
        events.collect_until(Duration::from_secs(5), |name, data| name == "job" && data["state"] == "done").await;
    let jobs: Vec<&Value> = seen.iter().filter(|(name, _)| name == "job").map(|(_, d)| d).collect();
    let running_partials: Vec<u64> = jobs
        .iter()
        .filter(|j| j["state"] == "running")
        .map(|j| j["partials"].as_array().unwrap().len() as u64)
        .collect();
    assert!(running_partials.contains(&1) && running_partials.contains(&2), "{running_partials:?}");
    assert_eq!(jobs.last().unwrap()["state"], "done");
    assert_eq!(seen[0].0, "hello");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_takes_references_and_a_mask_and_an_analysis_answers() {
    let f = Fixture::start().await;
    let reference = noise_png(64, 48);
    let form = Multipart::default()
        .text("prompt", "the same scene at night")
        .text("format", "square")
        .text("partial_images", "1")
        .file("image", "first.png", "image/png", &reference)
        .file("image", "second.png", "application/octet-stream", &noise_png(32, 32))
        .file("mask", "mask.png", "image/png", &transparent_png(64, 48));
    let job = f.multipart("/api/edit?wait=1", form).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(
        (job["references"].as_u64(), job["mask"].as_bool(), job["model"].as_str()),
        (Some(2), Some(true), Some("gpt-image-2.5-sunburst"))
    );
    assert_eq!((job["images"][0]["width"].as_u64(), job["images"][0]["height"].as_u64()), (Some(1024), Some(1024)));
    let sent =
        f.mock.requests().into_iter().find(|r| r.path.ends_with("/images/edits")).expect("the edit reached the mock");
    assert!(sent.verdict.is_ok(), "{:?}", sent.verdict);

    let form = Multipart::default().text("prompt", "What is in this picture?").file(
        "image",
        "photo.png",
        "image/png",
        &reference,
    );
    let job = f.multipart("/api/analyze?wait=1", form).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["kind"], "analyze");
    assert!(!job["analysis"]["text"].as_str().unwrap().is_empty(), "{job}");
    assert_eq!(job["model"], "gpt-6-luna");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_get_a_clear_error_and_change_nothing() {
    let f = Fixture::start().await;
    let png = noise_png(64, 48);
    let edit = |files: Vec<(&'static str, &'static str, Vec<u8>)>| {
        let mut form = Multipart::default().text("prompt", "night").text("format", "square");
        for (field, name, bytes) in files {
            form = form.file(field, name, "image/png", &bytes);
        }
        form
    };
    let cases: Vec<(&str, Multipart, StatusCode, &str)> = vec![
        ("a GIF reference", edit(vec![("image", "anim.gif", GIF.to_vec())]), StatusCode::BAD_REQUEST, "image/gif"),
        (
            "a text file",
            edit(vec![("image", "notes.png", b"just some text".to_vec())]),
            StatusCode::BAD_REQUEST,
            "is not an image",
        ),
        ("no reference", edit(vec![]), StatusCode::BAD_REQUEST, "at least one reference"),
        ("an empty file", edit(vec![("image", "empty.png", vec![])]), StatusCode::BAD_REQUEST, "is empty"),
        (
            "a JPEG mask",
            edit(vec![("image", "a.png", png.clone()), ("mask", "mask.jpg", jpeg())]),
            StatusCode::BAD_REQUEST,
            "PNG only",
        ),
        (
            "a mask of another size",
            edit(vec![("image", "a.png", png.clone()), ("mask", "mask.png", transparent_png(10, 10))]),
            StatusCode::BAD_REQUEST,
            "the size of the first image",
        ),
        (
            "a reference over 50 MB",
            edit(vec![("image", "huge.png", over(50))]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "larger than 50 MB",
        ),
        (
            "17 references",
            edit((0..17).map(|_| ("image", "a.png", png.clone())).collect()),
            StatusCode::BAD_REQUEST,
            "at most 16",
        ),
        (
            "no prompt",
            Multipart::default().file("image", "a.png", "image/png", &png),
            StatusCode::BAD_REQUEST,
            "prompt",
        ),
    ];
    for (what, form, status, says) in cases {
        let reply = f.multipart("/api/edit", form).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text());
        let error = &reply.json()["error"];
        assert_eq!(error["kind"], "invalid-input", "{what}");
        assert!(error["message"].as_str().unwrap().contains(says), "{what}: {error}");
    }
    let analyze =
        |bytes: Vec<u8>| Multipart::default().text("prompt", "what?").file("image", "big.png", "image/png", &bytes);
    let reply = f.multipart("/api/analyze", analyze(over(20))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.text());
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("larger than 20 MB"));
    let reply = f.multipart("/api/analyze", analyze(b"<svg/>".to_vec())).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = f.multipart("/api/analyze", Multipart::default().text("prompt", "what?")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let garbled = f
        .send(
            f.request(Method::POST, "/api/edit")
                .header("content-type", "multipart/form-data; boundary=nope")
                .body(Full::new("--other\r\n\r\nbroken".into()))
                .unwrap(),
        )
        .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST, "{}", garbled.text());

    // Nothing started, nothing sent.
    assert!(f.get("/api/jobs").await.ok().as_array().unwrap().is_empty());
    assert!(!f.mock.requests().iter().any(|r| r.path.contains("/images/") || r.path.contains("/chat/")));
}

/// A PNG-signed file just over `mib` MiB.
fn over(mib: usize) -> Vec<u8> {
    let mut bytes = noise_png(16, 16);
    bytes.resize(mib * 1024 * 1024 + 1, 0);
    bytes
}

fn jpeg() -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out)
        .encode(&[0u8; 64 * 48 * 3], 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_closes_the_connection_and_the_service_sees_the_client_go() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    let before = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(30))]);
    let id = f.start_generate(generate_body("a slow one")).await;
    f.mock_saw(before + 1).await;
    let started = Instant::now();
    let answer = f.post(&format!("/api/jobs/{id}/cancel"), json!({})).await.ok();
    assert_eq!(answer["cancelled"], true);
    assert_eq!(answer["job"]["state"], "cancelled");
    assert_eq!(answer["job"]["error"]["kind"], "cancelled");
    wait_until("the mock to see the client go", || f.mock.disconnects() >= 1).await;
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    // Cancelling again: nothing to do.
    assert_eq!(f.post(&format!("/api/jobs/{id}/cancel"), json!({})).await.ok()["cancelled"], false);
    assert_eq!(f.post("/api/jobs/999/cancel", json!({})).await.status, StatusCode::NOT_FOUND);

    // A client waiting on ?wait=1 that goes away takes its job with it.
    let seen = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(30))]);
    let waiting = {
        let request = f
            .request(Method::POST, "/api/generate?wait=1")
            .header("content-type", "application/json")
            .body(Full::new(axum::body::Bytes::from(generate_body("another slow one").to_string())))
            .unwrap();
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        tokio::spawn(async move { client.request(request).await.map(|r| r.status()) })
    };
    f.mock_saw(seen + 1).await;
    waiting.abort();
    wait_until("the second disconnect", || f.mock.disconnects() >= 2).await;
    let jobs = f.get("/api/jobs").await.ok();
    assert_eq!(jobs[0]["state"], "cancelled", "{jobs}");

    // The backend keeps working: the next call gets a fresh instance.
    let job = f.post("/api/generate?wait=1", generate_body("after the cancel")).await.ok();
    assert_eq!(job["state"], "done", "{job}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_check_never_waits_behind_a_generation() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    let before = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(20))]);
    let id = f.start_generate(generate_body("slow")).await;
    f.mock_saw(before + 1).await;
    let started = Instant::now();
    // A settings change re-checks every capability of that backend.
    f.put("/api/settings/openai", json!({ "values": { "max-retries": 1 } })).await.ok();
    let pills = f.settled_pills().await;
    assert!(started.elapsed() < Duration::from_secs(3), "the checks took {:?}", started.elapsed());
    assert_eq!(pill(&pills, "text-to-image")["light"], "amber");
    assert_eq!(f.get(&format!("/api/jobs/{id}")).await.ok()["state"], "running");
    f.post(&format!("/api/jobs/{id}/cancel"), json!({})).await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_keep_their_kind_and_the_timeout_bounds_a_generation() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    f.mock.push_faults([Fault::OrgNotVerified403]);
    let job = f.post("/api/generate?wait=1", generate_body("needs verification")).await.ok();
    assert_eq!(
        (job["state"].as_str(), job["error"]["kind"].as_str()),
        (Some("failed"), Some("permission-denied")),
        "{job}"
    );
    assert!(job["error"]["message"].as_str().unwrap().contains("verif"), "{job}");
    assert_eq!(job["error"]["status"], 403);

    f.mock.push_faults([Fault::ModerationBlocked]);
    let job = f.post("/api/generate?wait=1", generate_body("<img src=x onerror=alert(1)>")).await.ok();
    assert_eq!(job["error"]["kind"], "content-policy", "{job}");
    assert_eq!(job["prompt"], "<img src=x onerror=alert(1)>", "kept as text, for the page to show as text");

    let refused = f.put("/api/timeout", json!({ "seconds": 0 })).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    f.put("/api/timeout", json!({ "seconds": 1 })).await.ok();
    f.settled_pills().await; // the change re-checked every capability
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(20))]);
    let started = Instant::now();
    let job = f.post("/api/generate?wait=1", generate_body("too slow")).await.ok();
    assert_eq!((job["state"].as_str(), job["error"]["kind"].as_str()), (Some("failed"), Some("timeout")), "{job}");
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
    wait_until("the timed-out call's connection to close", || f.mock.disconnects() >= 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_concurrently_each_on_its_own_instance() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    f.mock.set_fault_always(Some(Fault::NoFirstByte(Duration::from_millis(1500))));
    f.mock.reset_peak_in_flight();
    let started = Instant::now();
    let ids: Vec<u64> = {
        let mut ids = Vec::new();
        for n in 0..8 {
            ids.push(f.start_generate(generate_body(&format!("picture {n}"))).await);
        }
        ids
    };
    for id in &ids {
        let job = f.wait_job(*id).await;
        assert_eq!(job["state"], "done", "{job}");
    }
    let elapsed = started.elapsed();
    assert_eq!(f.mock.peak_in_flight(), 8, "all eight were in flight at once");
    assert!(elapsed < Duration::from_millis(1500 * 3), "8 calls of 1.5 s took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_component_serves_new_calls_while_calls_in_flight_finish_on_the_old_one() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    let before = f.state().await;
    let old_revision = before["plugins"][0]["revision"].as_u64().unwrap();
    let seen = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(2))]);
    let slow = f.start_generate(generate_body("started on the OpenAI component")).await;
    f.mock_saw(seen + 1).await;

    // Replace openai.wasm by the placeholder while the call runs.
    replace(&f.dir.join("openai.wasm"), std::path::Path::new(PLACEHOLDER));
    let state = f.state_until("the swap", |s| s["plugins"][0]["info"]["name"] == "placeholder").await;
    let new_revision = state["plugins"][0]["revision"].as_u64().unwrap();
    assert!(new_revision > old_revision);
    // Choices follow what the new component offers.
    assert_eq!(state["capabilities"][0]["model"], "placeholder", "{}", state["capabilities"]);
    assert_eq!(f.get(&format!("/api/jobs/{slow}")).await.ok()["state"], "running", "the old call is still going");

    let old = f.wait_job(slow).await;
    assert_eq!((old["state"].as_str(), old["model"].as_str()), (Some("done"), Some("gpt-image-2.5-flare")), "{old}");
    assert_eq!(old["revision"].as_u64(), Some(old_revision));
    let new = f.post("/api/generate?wait=1", generate_body("after the swap")).await.ok();
    assert_eq!((new["state"].as_str(), new["model"].as_str()), (Some("done"), Some("placeholder")), "{new}");
    assert_eq!(new["revision"].as_u64(), Some(new_revision));
    let pills = f.settled_pills().await;
    assert_eq!(pill(&pills, "text-to-image")["light"], "green");

    // A broken file: reported, and the previous component stays.
    std::fs::write(f.dir.join(".broken.tmp"), b"not a component").unwrap();
    std::fs::rename(f.dir.join(".broken.tmp"), f.dir.join("openai.wasm")).unwrap();
    let state = f.state_until("the refusal", |s| !s["plugins"][0]["error"].is_null()).await;
    assert_eq!(state["plugins"][0]["info"]["name"], "placeholder");
    let still = f.post("/api/generate?wait=1", generate_body("still served")).await.ok();
    assert_eq!(still["state"], "done");

    // A new file appears; a removed one disappears.
    std::fs::copy(OPENAI, f.dir.join("another.wasm")).unwrap();
    f.state_until("the new file", |s| {
        s["plugins"].as_array().unwrap().iter().any(|p| p["file_name"] == "another.wasm" && p["loaded"] == true)
    })
    .await;
    std::fs::remove_file(f.dir.join("openai.wasm")).unwrap();
    let state = f.state_until("the removal", |s| s["plugins"].as_array().unwrap().len() == 2).await;
    assert_eq!(state["capabilities"][0]["backend"], "another", "{}", state["capabilities"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_checked_by_kind_and_a_bad_one_changes_nothing() {
    let f = Fixture::start().await;
    let before = f.state().await["settings"]["openai"].clone();
    for (body, says) in [
        (json!({ "values": { "base-url": "ftp://example.com" } }), "http(s) URL"),
        (json!({ "values": { "base-url": "https://ok.example/v1", "max-retries": 99 } }), "from 0 to 10"),
        (json!({ "values": { "no-such-setting": "x" } }), "no setting"),
        (json!({ "values": { "api-key": "sk-in-the-wrong-place" } }), "secret"),
        (json!({ "values": { "generation-timeout": 5000 } }), "/api/timeout"),
        (json!({ "secrets": { "base-url": "https://x.example" } }), "not a secret"),
        (json!({ "secrets": { "api-key": "" } }), "expected text"),
    ] {
        let reply = f.put("/api/settings/openai", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.text());
        let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.to_lowercase().contains(&says.to_lowercase()), "{body}: {message}");
        assert_eq!(f.state().await["settings"]["openai"], before, "{body} changed something");
    }
    assert_eq!(f.put("/api/settings/nobody", json!({})).await.status, StatusCode::NOT_FOUND);

    // A good change: the allowlist follows it.
    let state = f
        .put("/api/settings/openai", json!({ "values": { "base-url": "https://gateway.example/openai/v1" } }))
        .await
        .ok();
    assert_eq!(state["settings"]["openai"]["allowed_hosts"], json!(["gateway.example:443"]));
    let state = f.put("/api/settings/openai", json!({ "values": { "base-url": null } })).await.ok();
    assert_eq!(state["settings"]["openai"]["allowed_hosts"], json!(["api.openai.com:443"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_written_to_disk_only_when_asked_and_then_for_the_user_alone() {
    let f = Fixture::start().await;
    let keys = f.config_dir.join("keys.json");
    let typed = "sk-typed-ABCDEFGHIJKLMNOPQRSTUVWXYZ-1234";
    f.put("/api/settings/openai", json!({ "secrets": { "api-key": typed } })).await.ok();
    assert!(!keys.exists(), "written without being asked");
    let state = f.put("/api/settings/openai", json!({ "secrets": { "api-key": typed }, "remember": true })).await.ok();
    assert_eq!(state["settings"]["openai"]["secrets"]["api-key"]["saved"], true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(std::fs::read_to_string(&keys).unwrap().contains(typed));

    // Another server with the same configuration folder starts with it.
    let mut options = visualizer::ServeOptions::new(&f.dir);
    options.runtime = runtime_options();
    options.config_dir = Some(f.config_dir.clone());
    let mock = openai_mock::MockServer::start(MockConfig::default()).await.unwrap();
    let again = Fixture::serve(options, mock, f.dir.clone(), f.config_dir.clone()).await;
    let secret = &again.state().await["settings"]["openai"]["secrets"]["api-key"];
    assert_eq!((secret["source"].as_str(), secret["masked"].as_str()), (Some("saved"), Some("sk-…1234")));

    // Forgetting deletes it from disk.
    f.put("/api/settings/openai", json!({ "clear": ["api-key"] })).await.ok();
    assert!(!std::fs::read_to_string(&keys).unwrap().contains(typed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_folder_says_how_to_add_a_backend_and_picks_one_up() {
    let f = Fixture::with(Setup { plugins: vec![], ..Setup::default() }).await;
    let state = f.state().await;
    let hint = state["empty_hint"].as_str().expect("a hint");
    assert!(hint.contains(&f.dir.display().to_string()) && hint.contains(".wasm"), "{hint}");
    let pills = f.settled_pills().await;
    assert!(pills.as_array().unwrap().iter().all(|p| p["light"] == "grey"), "{pills}");
    let refused = f.post("/api/generate", generate_body("x")).await;
    assert_eq!((refused.status, refused.json()["error"]["kind"].as_str()), (StatusCode::CONFLICT, Some("settings")));

    std::fs::copy(PLACEHOLDER, f.dir.join("offline.wasm")).unwrap();
    let state = f.state_until("the new backend", |s| s["capabilities"][0]["backend"] == "offline").await;
    assert!(state["empty_hint"].is_null());
    let job = f.post("/api/generate?wait=1", json!({"prompt": "a square", "format": "square"})).await.ok();
    assert_eq!((job["images"][0]["width"].as_u64(), job["images"][0]["height"].as_u64()), (Some(1024), Some(1024)));
}

/// A server-sent event stream, read as it arrives.
struct Events {
    body: http_body_util::combinators::UnsyncBoxBody<axum::body::Bytes, String>,
    buffer: String,
}

impl Events {
    /// Events `(name, data)` until `last` matches one (or `within` passes).
    async fn collect_until(mut self, within: Duration, last: impl Fn(&str, &Value) -> bool) -> Vec<(String, Value)> {
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                let data: Value = serde_json::from_str(&data).unwrap();
                let done = last(&name, &data);
                seen.push((name, data));
                if done {
                    return seen;
                }
            }
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffer.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => panic!("the event stream ended or stalled; saw {seen:?}"),
            }
        }
    }
}

impl Fixture {
    async fn client_stream(&self, path: &str) -> Events {
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        let request = self.request(Method::GET, path).body(Full::<axum::body::Bytes>::default()).unwrap();
        let response = client.request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events { body: response.into_body().map_err(|e| e.to_string()).boxed_unsync(), buffer: String::new() }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutting_down_ends_the_open_event_streams_at_once() {
    let f = Fixture::start().await;
    let mut events = f.client_stream("/api/events").await;
    let hello = events.body.frame().await.expect("a first event").expect("readable");
    assert!(String::from_utf8_lossy(&hello.into_data().unwrap()).contains("event: hello"));
    let Fixture { server, .. } = f;
    let started = Instant::now();
    server.shutdown().await;
    // The stream ends (rather than keeping the server alive for its keep-alives).
    loop {
        match tokio::time::timeout(Duration::from_secs(2), events.body.frame()).await {
            Ok(None) | Ok(Some(Err(_))) => break,
            Ok(Some(Ok(_))) => continue,
            Err(_) => panic!("the event stream was still open 2 s after shutdown"),
        }
    }
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}
