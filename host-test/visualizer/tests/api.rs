//! The server's HTTP API, through real sockets, with the workspace's real
//! backend components in a plugins folder and the OpenAI mock behind them.

mod common;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::*;
use http_body_util::{BodyExt, Full};
use openai_mock::test_images::{jpeg, png_size};
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
        assert_eq!(p["contract"], "0.3.0", "{p}");
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
            ("openai".to_string(), "gpt-image-2.6-flare".to_string()),
            ("openai".to_string(), "gpt-image-2.6-sunburst".to_string()),
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

    // What the page renders a job form from: tiers, output formats, options, sizes, the longest prompt.
    let flare = f.model("text-to-image", "gpt-image-2.6-flare").await;
    assert_eq!(flare["known"], true);
    assert_eq!(flare["output_formats"], json!(["png", "jpeg", "webp", "gif", "svg"]), "{flare}");
    assert_eq!(flare["default_output_format"], "png");
    assert_eq!(flare["sizes"]["free"]["step"], 16, "{flare}");
    assert!(flare["max_prompt_chars"].as_u64().unwrap() > 1000, "{flare}");
    let options: Vec<&str> = flare["options"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    for name in ["background", "complexity", "frame-count", "frame-duration-ms"] {
        assert!(options.contains(&name), "{name}: {options:?}");
    }
    let sunburst = f.model("image-edit", "gpt-image-2.6-sunburst").await;
    let markup = sunburst["options"].as_array().unwrap().iter().find(|o| o["name"] == "markup").expect("markup");
    assert_eq!(markup["kind"], json!({"name": "image", "types": ["image/png"]}));
    let duration = flare["options"].as_array().unwrap().iter().find(|o| o["name"] == "frame-duration-ms").unwrap();
    let step = duration["kind"]["step"].as_f64();
    assert_eq!(step, Some(10.0), "{flare}");

    // A model the service starts offering appears after the next settings change, unknown to the backend.
    f.mock.catalog().add(openai_mock::ModelEntry::new("gpt-image-2.6-ember", openai_mock::ModelFamily::Image));
    f.put("/api/timeout", json!({ "seconds": 300 })).await.ok();
    let images = f.get("/api/models?backend=openai&capability=text-to-image").await.ok();
    let ember = images["models"].as_array().unwrap().iter().find(|m| m["id"] == "gpt-image-2.6-ember");
    assert_eq!(ember.map(|m| m["known"].clone()), Some(json!(false)), "{images}");
    assert_eq!((images["accepts_unknown_models"].as_bool(), images["service"].as_bool()), (Some(true), Some(true)));
    // The placeholder has no service and no key behind its list.
    let offline = f.get("/api/models?backend=placeholder&capability=text-to-image").await.ok();
    assert_eq!(offline["service"], false, "{offline}");
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
        (Some("gpt-image-2.6-flare"), Some("openai"), Some("generate"))
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
        (Some(2), Some(true), Some("gpt-image-2.6-sunburst"))
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
            edit(vec![("image", "a.png", png.clone()), ("mask", "mask.jpg", jpeg(64, 48))]),
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
    assert_eq!((old["state"].as_str(), old["model"].as_str()), (Some("done"), Some("gpt-image-2.6-flare")), "{old}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn svgs_and_gifs_are_images_served_so_that_nothing_in_them_runs() {
    let f = Fixture::start().await;
    f.settled_pills().await;

    // The mock's SVG: an image, at a URL of its own that needs no token.
    let job =
        f.post("/api/generate?wait=1", json!({"prompt": "a lighthouse as a logo", "output_format": "svg"})).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    let image = &job["images"][0];
    assert_eq!(image["mime_type"], "image/svg+xml", "{job}");
    assert!(image["file_name"].as_str().unwrap().ends_with(".svg"), "{image}");
    let url = image["url"].as_str().unwrap();
    assert!(url.starts_with("/images/") && url.ends_with(".svg"), "{url}");
    let svg = f.get_without_token(url).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert_eq!(svg.header("x-content-type-options"), "nosniff");
    let csp = svg.header("content-security-policy");
    assert!(csp.split(';').any(|d| d.trim() == "sandbox"), "{csp}");
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    assert!(svg.text().contains("<svg"), "{}", svg.text());
    // The same bytes through the API (with the token), under the same policy.
    let through_api = f.get(image["api_url"].as_str().unwrap()).await;
    assert_eq!(through_api.body, svg.body);
    assert!(through_api.header("content-security-policy").contains("sandbox"));
    assert_eq!(f.get_without_token(image["api_url"].as_str().unwrap()).await.status, StatusCode::UNAUTHORIZED);
    // Only the key opens it: another key, or no key, is nothing.
    for path in ["/images/00000000000000000000000000000000.svg", "/images/nothing.svg", "/images/.svg"] {
        assert_eq!(f.get_without_token(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A foreign Host is refused here too (DNS rebinding).
    let foreign = axum::http::Request::builder()
        .uri(format!("{}{url}", f.base))
        .header("host", "evil.example")
        .body(Full::default())
        .unwrap();
    assert_eq!(f.send(foreign).await.status, StatusCode::FORBIDDEN);

    // An SVG with a script (as a hostile or broken service might send): kept as it is, served in a sandbox.
    let hostile = hostile_svg("http://127.0.0.1:9/pwned");
    f.mock.push_faults([svg_answer(&hostile)]);
    let job = f.post("/api/generate?wait=1", json!({"prompt": "anything", "output_format": "svg"})).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    let image = &job["images"][0];
    assert_eq!((image["mime_type"].as_str(), image["width"].as_u64()), (Some("image/svg+xml"), Some(640)), "{job}");
    let served = f.get_without_token(image["url"].as_str().unwrap()).await;
    assert_eq!(served.text(), hostile);
    assert!(
        served.header("content-security-policy").starts_with("sandbox"),
        "{}",
        served.header("content-security-policy")
    );

    // A GIF: an animated image, its frames as asked.
    let job = f
        .post(
            "/api/generate?wait=1",
            json!({"prompt": "a blinking star", "format": "square", "output_format": "gif", "options": {"frame-count": 4}}),
        )
        .await
        .ok();
    assert_eq!(
        (job["state"].as_str(), job["images"][0]["mime_type"].as_str()),
        (Some("done"), Some("image/gif")),
        "{job}"
    );
    let gif = f.get_without_token(job["images"][0]["url"].as_str().unwrap()).await;
    assert_eq!(gif.header("content-type"), "image/gif");
    assert!(gif.body.starts_with(b"GIF8"));
    let sent = f.mock.requests().into_iter().rev().find(|r| r.path.ends_with("/images/generations")).unwrap();
    assert_eq!(sent.param("frame_count"), Some(json!(4)), "a number, as declared");
    assert_eq!(sent.param("output_format"), Some(json!("gif")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_options_are_typed_and_an_image_option_goes_as_a_file() {
    let f = Fixture::start().await;
    f.settled_pills().await;

    // An edit with a markup image and typed options, as the page sends it (a form).
    let reference = noise_png(64, 48);
    let markup = transparent_png(64, 48);
    let form = Multipart::default()
        .text("prompt", "circle the lighthouse")
        .text("format", "landscape")
        .text("output_format", "webp")
        .text("quality", "high")
        .text("options", r#"{"complexity": "low"}"#)
        .file("image", "photo.png", "image/png", &reference)
        .file("option:markup", "markup.png", "image/png", &markup);
    let job = f.multipart("/api/edit?wait=1", form).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["images"][0]["mime_type"], "image/webp", "{job}");
    assert_eq!(job["quality"], "high");
    assert_eq!(job["output_format"], "webp");
    assert_eq!(job["options"], json!(["complexity: low", "markup: PNG 64×48"]), "{job}");
    let sent = f.mock.requests().into_iter().find(|r| r.path.ends_with("/images/edits")).expect("the edit");
    assert!(sent.verdict.is_ok(), "{:?}", sent.verdict);
    let part = sent.parts_named("markup").next().expect("markup sent as a file part");
    assert_eq!(part.content_type.as_deref(), Some("image/png"));
    assert_eq!(part.image.as_ref().map(|i| (i.width, i.height)), Some((64, 48)));
    assert_eq!(sent.param("complexity"), Some(json!("low")));

    // What went in is kept as previews: the reference and the markup.
    let job = f.get(&format!("/api/jobs/{}", job["id"])).await.ok();
    let roles: Vec<&str> = job["inputs"].as_array().unwrap().iter().map(|i| i["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["reference", "markup"], "{job}");
    let preview = f.get_without_token(job["inputs"][0]["preview"].as_str().expect("a preview")).await;
    assert_eq!((preview.status, png_size(&preview.body)), (StatusCode::OK, (64, 48)));

    // Refused before anything is sent, each saying what the model takes.
    let before = f.mock.requests().len();
    for (body, says) in [
        (json!({"options": {"frame-duration-ms": 125}}), "in steps of 10"),
        (json!({"options": {"frame-count": 99}}), "from 2 to 16"),
        (json!({"options": {"complexity": "extreme"}}), "one of low, medium, high"),
        (json!({"options": {"colour": "red"}}), "has no option \"colour\""),
        (json!({"output_format": "bmp"}), "png, jpeg, webp, gif, svg"),
        (json!({"quality": "ultra"}), "has no quality \"ultra\""),
    ] {
        let mut request = json!({"prompt": "a lighthouse"});
        request.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
        let reply = f.post("/api/generate", request).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.text());
        let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(says), "{body}: {message}");
    }
    let jpeg_markup = Multipart::default()
        .text("prompt", "x")
        .file("image", "photo.png", "image/png", &reference)
        .file("option:markup", "markup.jpg", "image/jpeg", &jpeg(64, 48));
    let reply = f.multipart("/api/edit", jpeg_markup).await;
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("takes image/png"), "{}", reply.text());
    let as_text = Multipart::default().text("prompt", "x").text("options", r#"{"markup": "a circle"}"#).file(
        "image",
        "photo.png",
        "image/png",
        &reference,
    );
    let reply = f.multipart("/api/edit", as_text).await;
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("option:markup"), "{}", reply.text());
    assert_eq!(f.mock.requests().len(), before, "nothing was sent");

    // A model the backend does not know takes any option, sent as its type: the service decides.
    f.mock.catalog().add(
        openai_mock::ModelEntry::new("gpt-image-2.7-nova", openai_mock::ModelFamily::Image)
            .with_rules_of("gpt-image-2.6-flare")
            .with_param("sharpen", openai_mock::ParamRule::Bool),
    );
    let state =
        f.put("/api/selection", json!({"capability": "text-to-image", "model": "gpt-image-2.7-nova"})).await.ok();
    assert_eq!(state["capabilities"][0]["model"], "gpt-image-2.7-nova");
    let job = f
        .post(
            "/api/generate?wait=1",
            json!({"prompt": "a lighthouse", "options": {"frame-count": 3, "sharpen": true, "complexity": "low"},
                   "output_format": "gif"}),
        )
        .await
        .ok();
    assert_eq!(
        (job["state"].as_str(), job["images"][0]["mime_type"].as_str()),
        (Some("done"), Some("image/gif")),
        "{job}"
    );
    let sent = f.mock.requests().into_iter().rev().find(|r| r.path.ends_with("/images/generations")).unwrap();
    assert_eq!(sent.param("model"), Some(json!("gpt-image-2.7-nova")));
    assert_eq!(sent.param("frame_count"), Some(json!(3)), "a number");
    assert_eq!(sent.param("sharpen"), Some(json!(true)), "a flag");
    assert_eq!(sent.param("complexity"), Some(json!("low")), "a text");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_sizes_are_checked_against_the_model_s_size_rule() {
    let f = Fixture::start().await;
    let job = f.post("/api/generate?wait=1", json!({"prompt": "a wide sea", "size": "1280x720"})).await.ok();
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["size"], "1280x720");
    assert_eq!((job["images"][0]["width"].as_u64(), job["images"][0]["height"].as_u64()), (Some(1280), Some(720)));
    let sent = f.mock.requests().into_iter().rev().find(|r| r.path.ends_with("/images/generations")).unwrap();
    assert_eq!(sent.param("size"), Some(json!("1280x720")));
    let job =
        f.post("/api/generate?wait=1", json!({"prompt": "tall", "size": {"width": 720, "height": 1280}})).await.ok();
    assert_eq!(job["size"], "720x1280", "{job}");

    for (size, says) in [
        ("1000x1000", "multiples of 16"),
        ("3840x1024", "at most 3 times the shorter"),
        ("4096x2048", "the longer side at most 3840"),
        ("1536 by 1024", "WIDTHxHEIGHT"),
    ] {
        let reply = f.post("/api/generate", json!({"prompt": "x", "size": size})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{size}");
        let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(says), "{size}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_job_shows_its_cost_and_the_state_sums_them_since_the_start() {
    let f = Fixture::start().await;
    let state = f.state().await;
    assert_eq!(state["cost_total"], json!({"usd": 0.0, "priced": 0, "incomplete": 0, "unpriced": 0, "complete": true}));

    let job = f.post("/api/generate?wait=1", generate_body("a priced picture")).await.ok();
    let cost = &job["cost"];
    let usd = cost["usd"].as_f64().unwrap();
    assert!(usd > 0.0 && cost["complete"] == true, "{job}");
    let items = cost["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["what"] == "image output"), "{cost}");
    let sum: f64 = items.iter().map(|i| i["usd"].as_f64().unwrap()).sum();
    assert!((sum - usd).abs() < 1e-9, "{cost}");

    // An analysis is priced too; the placeholder has no prices: its results have no cost.
    let form =
        Multipart::default().text("prompt", "what is it?").file("image", "a.png", "image/png", &noise_png(32, 32));
    let analysis = f.multipart("/api/analyze?wait=1", form).await.ok();
    let analysis_usd = analysis["cost"]["usd"].as_f64().expect("an analysis cost");
    f.put("/api/selection", json!({"capability": "text-to-image", "backend": "placeholder"})).await.ok();
    let offline = f.post("/api/generate?wait=1", generate_body("free")).await.ok();
    assert!(offline["cost"].is_null(), "{offline}");

    let total = &f.state().await["cost_total"];
    assert!((total["usd"].as_f64().unwrap() - (usd + analysis_usd)).abs() < 1e-9, "{total}");
    assert_eq!((total["priced"].as_u64(), total["unpriced"].as_u64()), (Some(2), Some(1)), "{total}");
    assert_eq!(total["complete"], false, "one result had no price: the sum is a lower bound");
    // Clearing the results does not change what was spent.
    f.json(Method::DELETE, "/api/jobs", json!({})).await.ok();
    assert_eq!(&f.state().await["cost_total"], total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gallery_keeps_the_images_made_newest_first_and_can_be_cleared() {
    let f = Fixture::start().await;
    let state = f.state().await;
    assert_eq!(state["gallery"], json!({"cap": {"images": 200, "bytes": 536870912}, "count": 0, "bytes": 0}));

    let long = format!("a lighthouse {}", "and the sea ".repeat(100));
    let first = f.post("/api/generate?wait=1", json!({"prompt": long, "n": 2, "quality": "low"})).await.ok();
    assert_eq!(first["images"].as_array().unwrap().len(), 2, "{first}");
    let second = f.post("/api/generate?wait=1", json!({"prompt": "a boat", "format": "square"})).await.ok();
    let edit = f
        .multipart(
            "/api/edit?wait=1",
            Multipart::default().text("prompt", "at night").file("image", "a.png", "image/png", &noise_png(40, 40)),
        )
        .await
        .ok();
    assert_eq!(edit["state"], "done");

    let gallery = f.get("/api/gallery").await.ok();
    assert_eq!(gallery["count"], 4, "{gallery}");
    let items = gallery["items"].as_array().unwrap();
    let jobs: Vec<u64> = items.iter().map(|i| i["job"].as_u64().unwrap()).collect();
    let (a, b, c) = (first["id"].as_u64().unwrap(), second["id"].as_u64().unwrap(), edit["id"].as_u64().unwrap());
    assert_eq!(jobs, [c, b, a, a], "newest first");
    assert_eq!(items[0]["kind"], "edit");
    let boat = &items[1];
    assert_eq!(boat["prompt"], "a boat");
    assert_eq!(boat["model"], "gpt-image-2.6-flare");
    assert_eq!(boat["quality"], "auto (model default)");
    assert_eq!((boat["format"].as_str(), boat["width"].as_u64()), (Some("square"), Some(1024)));
    assert!(boat["cost"]["usd"].as_f64().unwrap() > 0.0 && boat["created_ms"].as_u64().unwrap() > 0, "{boat}");
    // Two images of one call share its cost; the list carries an excerpt of a long prompt.
    let pair = &items[2];
    assert_eq!(pair["images_in_call"], 2);
    assert!((pair["cost"]["usd"].as_f64().unwrap() * 2.0 - first["cost"]["usd"].as_f64().unwrap()).abs() < 1e-9);
    assert_eq!(pair["quality"], "low");
    assert!(pair["prompt"].as_str().unwrap().chars().count() < 300, "{pair}");
    let whole = f.get(&format!("/api/gallery/{}", pair["id"])).await.ok();
    assert_eq!(whole["prompt"], long.trim());
    // Small: the list names images, it does not carry them.
    assert!(f.get("/api/gallery").await.body.len() < 8 * 1024);
    for item in items {
        let image = f.get_without_token(item["url"].as_str().unwrap()).await;
        assert_eq!((image.status, image.body.len() as u64), (StatusCode::OK, item["bytes"].as_u64().unwrap()));
        assert!(image.header("cache-control").contains("immutable"));
    }

    // Forget one, then all; a page open elsewhere hears of it.
    let events = f.client_stream("/api/events").await;
    let removed = f.json(Method::DELETE, &format!("/api/gallery/{}", items[0]["id"]), json!({})).await.ok();
    assert_eq!(removed["summary"]["count"], 3);
    assert_eq!(f.json(Method::DELETE, "/api/gallery/999", json!({})).await.status, StatusCode::NOT_FOUND);
    let cleared = f.json(Method::DELETE, "/api/gallery", json!({})).await.ok();
    assert_eq!((cleared["cleared"].as_u64(), cleared["summary"]["count"].as_u64()), (Some(3), Some(0)));
    let seen =
        events.collect_until(Duration::from_secs(5), |name, data| name == "gallery" && data["cleared"] == true).await;
    assert!(
        seen.iter().any(|(name, data)| name == "gallery" && data["removed"] == json!([items[0]["id"]])),
        "{seen:?}"
    );
    // The jobs still show their images until they are cleared too; then the URLs are gone.
    let url = items[1]["url"].as_str().unwrap();
    assert_eq!(f.get_without_token(url).await.status, StatusCode::OK);
    let cleared = f.json(Method::DELETE, "/api/jobs", json!({})).await.ok();
    assert_eq!(cleared["cleared"].as_array().unwrap().len(), 3);
    assert!(f.get("/api/jobs").await.ok().as_array().unwrap().is_empty());
    assert_eq!(f.get_without_token(url).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_out_of_range_are_refused_with_their_range_never_changed() {
    let f = Fixture::start().await;
    let flare = f.model("text-to-image", "gpt-image-2.6-flare").await;
    let most_chars = flare["max_prompt_chars"].as_u64().unwrap() as usize;
    let most_images = flare["max_images"].as_u64().unwrap();
    for (body, says) in [
        (json!({"prompt": "x", "partial_images": 99}), "partial images are from 0 to 3, not 99".to_string()),
        (json!({"prompt": "x", "n": 0}), format!("from 1 to {most_images}, not 0")),
        (json!({"prompt": "x", "n": most_images + 1}), format!("from 1 to {most_images}, not {}", most_images + 1)),
        (
            json!({"prompt": "y".repeat(200_000)}),
            format!("the prompt is 200000 characters long; gpt-image-2.6-flare takes at most {most_chars}"),
        ),
    ] {
        let reply = f.post("/api/generate", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
        let error = reply.json()["error"].clone();
        assert_eq!(error["kind"], "invalid-input");
        assert!(error["message"].as_str().unwrap().contains(&says), "{error} lacks {says}");
    }
    assert!(f.get("/api/jobs").await.ok().as_array().unwrap().is_empty(), "no job was made");

    // A model that does not stream refuses partial images rather than dropping them quietly.
    f.put("/api/selection", json!({"capability": "text-to-image", "model": "gpt-image-2"})).await.ok();
    if f.model("text-to-image", "gpt-image-2").await["streams_partial_images"] == false {
        let reply = f.post("/api/generate", json!({"prompt": "x", "partial_images": 2})).await;
        assert!(reply.text().contains("does not stream partial images"), "{}", reply.text());
    }

    // The timeout takes what it is given, within its range, and says it as given.
    let state = f.put("/api/timeout", json!({ "seconds": 1.5 })).await.ok();
    assert_eq!(state["timeout_secs"], 1.5);
    assert_eq!(state["limits"]["timeout_secs"], json!([1.0, 3600.0]));
    for seconds in [0.5, 3601.0] {
        let reply = f.put("/api/timeout", json!({ "seconds": seconds })).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.text().contains("from 1 to 3600 seconds"), "{}", reply.text());
    }
    assert_eq!(f.state().await["timeout_secs"], 1.5);
    f.put("/api/selection", json!({"capability": "text-to-image", "model": "gpt-image-2.6-flare"})).await.ok();
    f.settled_pills().await;
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(10))]);
    let job = f.post("/api/generate?wait=1", generate_body("too slow")).await.ok();
    assert_eq!(job["error"]["kind"], "timeout", "{job}");
    assert!(job["error"]["message"].as_str().unwrap().contains("within 1.5 s"), "{job}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_or_replaced_backend_is_named_where_its_selection_was() {
    let f = Fixture::start().await;
    let state = f.put("/api/selection", json!({"capability": "image-edit", "backend": "placeholder"})).await.ok();
    assert!(state["capabilities"][1]["notice"].is_null());
    std::fs::remove_file(f.dir.join("placeholder.wasm")).unwrap();
    let state = f.state_until("the removal", |s| s["plugins"].as_array().unwrap().len() == 1).await;
    let edit = &state["capabilities"][1];
    assert_eq!(edit["backend"], "openai", "{edit}");
    let notice = edit["notice"].as_str().expect("a notice where the choice is");
    assert!(notice.contains("placeholder") && notice.contains("no longer in the plugins folder"), "{notice}");
    assert!(notice.contains("now uses OpenAI"), "{notice}");
    assert!(state["capabilities"][0]["notice"].is_null(), "Text to Image did not change");
    // Choosing again clears it.
    let state = f.put("/api/selection", json!({"capability": "image-edit", "backend": "openai"})).await.ok();
    assert!(state["capabilities"][1]["notice"].is_null());

    // A replaced component that does not offer the chosen model: said too.
    replace(&f.dir.join("openai.wasm"), std::path::Path::new(PLACEHOLDER));
    let state = f.state_until("the swap", |s| s["plugins"][0]["info"]["name"] == "placeholder").await;
    let notice = state["capabilities"][0]["notice"].as_str().expect("a notice");
    assert!(notice.contains("gpt-image-2.6-flare") && notice.contains("openai.wasm"), "{notice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_made_confirms_the_organization_until_the_base_url_changes() {
    let f = Fixture::start().await;
    let pills = f.settled_pills().await;
    let amber = pill(&pills, "text-to-image");
    assert_eq!((amber["light"].as_str(), amber["verified"].as_bool()), (Some("amber"), Some(false)), "{amber}");
    assert!(amber["message"].as_str().unwrap().contains("can only be confirmed by a real image call"), "{amber}");

    let events = f.client_stream("/api/events").await;
    f.post("/api/generate?wait=1", generate_body("proof")).await.ok();
    let seen = events
        .collect_until(Duration::from_secs(5), |name, data| {
            name == "pills" && pill(data, "text-to-image")["light"] == "green"
        })
        .await;
    let pills = &seen.last().unwrap().1;
    for capability in ["text-to-image", "image-edit"] {
        let p = pill(pills, capability);
        assert_eq!((p["light"].as_str(), p["verified"].as_bool()), (Some("green"), Some(true)), "{p}");
        assert!(p["message"].as_str().unwrap().contains("the organization is verified"), "{p}");
    }
    // A check again keeps it.
    f.post("/api/status/refresh", json!({})).await.ok();
    assert_eq!(pill(&f.settled_pills().await, "text-to-image")["light"], "green");

    // Another base URL (or key) is another question.
    let other = format!("{}/", f.mock.base_url());
    f.put("/api/settings/openai", json!({ "values": { "base-url": other } })).await.ok();
    let pills = f.settled_pills().await;
    assert_eq!(pill(&pills, "text-to-image")["light"], "amber", "{pills}");
    assert_eq!(pill(&pills, "text-to-image")["verified"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_webassembly_says_so() {
    let f = Fixture::start().await;
    std::fs::write(f.dir.join("notes.wasm"), b"These are my notes, not a component.\n").unwrap();
    let state = f
        .state_until("the refusal", |s| s["plugins"].as_array().unwrap().iter().any(|p| p["file_name"] == "notes.wasm"))
        .await;
    let notes = state["plugins"].as_array().unwrap().iter().find(|p| p["file_name"] == "notes.wasm").unwrap();
    assert_eq!(
        notes["error"],
        "notes.wasm is not a WebAssembly component (it does not start with the WebAssembly magic number)"
    );
    assert_eq!(notes["loaded"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_model_id_can_be_chosen_where_the_backend_passes_unknown_ids_on() {
    let f = Fixture::start().await;
    f.mock.catalog().add(
        openai_mock::ModelEntry::new("gpt-image-2.7-nova", openai_mock::ModelFamily::Image)
            .with_rules_of("gpt-image-2.6-flare"),
    );
    let list = f.get("/api/models?capability=text-to-image").await.ok();
    assert_eq!(list["accepts_unknown_models"], true);
    let state =
        f.put("/api/selection", json!({"capability": "text-to-image", "model": "gpt-image-2.7-nova"})).await.ok();
    assert_eq!(state["capabilities"][0]["model"], "gpt-image-2.7-nova");
    let job =
        f.post("/api/generate?wait=1", json!({"prompt": "a new model's first image", "size": "1008x496"})).await.ok();
    assert_eq!((job["state"].as_str(), job["model"].as_str()), (Some("done"), Some("gpt-image-2.7-nova")), "{job}");
    assert_eq!(job["size"], "1008x496");
    assert!(job["quality"].is_null(), "no default is known for it: {job}");
    // The placeholder passes no unknown ids on.
    let refused =
        f.put("/api/selection", json!({"capability": "image-edit", "backend": "placeholder", "model": "nova"})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_a_human_label_and_a_cancel_says_so_once() {
    let f = Fixture::start().await;
    f.settled_pills().await;
    f.mock.push_faults([Fault::OrgNotVerified403]);
    let job = f.post("/api/generate?wait=1", generate_body("x")).await.ok();
    assert_eq!(
        (job["error"]["kind"].as_str(), job["error"]["label"].as_str()),
        (Some("permission-denied"), Some("Permission denied"))
    );
    let before = f.mock.requests().len();
    f.mock.push_faults([Fault::NoFirstByte(Duration::from_secs(30))]);
    let id = f.start_generate(generate_body("a slow one")).await;
    f.mock_saw(before + 1).await;
    let answer = f.post(&format!("/api/jobs/{id}/cancel"), json!({})).await.ok();
    let error = &answer["job"]["error"];
    assert_eq!((error["kind"].as_str(), error["label"].as_str()), (Some("cancelled"), Some("Cancelled")));
    let message = error["message"].as_str().unwrap();
    assert!(!message.to_lowercase().contains("cancel"), "the label says it; the message says what happened: {message}");
}
