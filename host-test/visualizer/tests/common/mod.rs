//! What the server tests share: a plugins folder holding the workspace's real
//! backend components, a mock answering like today's API, a server wired to
//! it on 127.0.0.1, and a small HTTP client that sends the token.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use openai_mock::{MockConfig, MockServer};
use serde_json::{json, Value};
use visual_host::cache::ComponentCache;
use visual_host::runtime::RuntimeOptions;
use visual_host::sandbox::{WallClock, DEFAULT_MEMORY_LIMIT};
use visualizer::{Endpoint, HostDefaults, ServeOptions, Server};

/// The day the tests live on, for the components and the mock alike.
pub const TODAY: &str = "2026-12-02";
/// The mock's key: long enough that its mask shows its last four characters.
pub const KEY: &str = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz";

pub const OPENAI: &str = guest_components::OPENAI_BACKEND;
pub const PLACEHOLDER: &str = guest_components::PLACEHOLDER_BACKEND;

/// A fresh folder under cargo's per-target tmp dir.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("visualizer-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replaces `target` with `source`'s bytes the way an installer does: a
/// hidden copy beside it, renamed over it.
pub fn replace(target: &Path, source: &Path) {
    let tmp = target.with_file_name(format!(".{}.tmp", target.file_name().unwrap().to_string_lossy()));
    std::fs::copy(source, &tmp).unwrap();
    std::fs::rename(&tmp, target).unwrap();
}

pub struct Setup {
    pub mock: MockConfig,
    /// `(file name in the folder, component)`.
    pub plugins: Vec<(&'static str, &'static str)>,
    /// Point the backends at the mock (as `--mock` does).
    pub endpoint: bool,
    pub env_key: Option<String>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            mock: MockConfig::default(),
            plugins: vec![("openai.wasm", OPENAI), ("placeholder.wasm", PLACEHOLDER)],
            endpoint: true,
            env_key: None,
        }
    }
}

pub struct Fixture {
    pub server: Server,
    pub mock: MockServer,
    pub dir: PathBuf,
    pub config_dir: PathBuf,
    pub base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// An HTTP answer.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "HTTP {}: {}", self.status, self.text());
        self.json()
    }
}

pub fn runtime_options() -> RuntimeOptions {
    // A cache (and key) of the tests' own, never the user's.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let cache = ComponentCache::with_key_file(tmp.join("component-cache"), tmp.join("component-cache.key"));
    RuntimeOptions {
        cache: Some(cache),
        memory_limit: DEFAULT_MEMORY_LIMIT,
        wall_clock: WallClock::at_date(TODAY).unwrap(),
    }
}

impl Fixture {
    pub async fn start() -> Fixture {
        Fixture::with(Setup::default()).await
    }

    pub async fn with(setup: Setup) -> Fixture {
        let mock_config =
            MockConfig { api_key: KEY.into(), today: setup.mock.today.clone().or(Some(TODAY.into())), ..setup.mock };
        let mock = MockServer::start(mock_config).await.expect("starting the mock");
        let root = scratch("server");
        let dir = root.join("plugins");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, source) in &setup.plugins {
            std::fs::copy(source, dir.join(name)).unwrap();
        }
        let config_dir = root.join("config");
        let defaults = HostDefaults {
            endpoint: setup.endpoint.then(|| Endpoint { base_url: mock.base_url(), api_key: KEY.into() }),
            env_key: setup.env_key,
            env_base_url: None,
        };
        let options = ServeOptions {
            runtime: runtime_options(),
            defaults,
            config_dir: Some(config_dir.clone()),
            poll_interval: Duration::from_millis(100),
            ..ServeOptions::new(&dir)
        };
        Fixture::serve(options, mock, dir, config_dir).await
    }

    pub async fn serve(options: ServeOptions, mock: MockServer, dir: PathBuf, config_dir: PathBuf) -> Fixture {
        let server = Server::start(options).await.expect("starting the server");
        let base = format!("http://{}", server.addr());
        let client = Client::builder(TokioExecutor::new()).build_http();
        Fixture { server, mock, dir, config_dir, base, client }
    }

    pub fn token(&self) -> String {
        self.server.token().to_string()
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.server.token()))
    }

    pub async fn send(&self, request: Request<Full<Bytes>>) -> Reply {
        let response = tokio::time::timeout(Duration::from_secs(60), self.client.request(request))
            .await
            .expect("an answer within 60 s")
            .expect("the server answers");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("the whole body").to_bytes();
        Reply { status: parts.status, headers: parts.headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path).body(Full::default()).unwrap()).await
    }

    pub async fn json(&self, method: Method, path: &str, body: Value) -> Reply {
        let request = self
            .request(method, path)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        self.send(request).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.json(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.json(Method::PUT, path, body).await
    }

    pub async fn multipart(&self, path: &str, form: Multipart) -> Reply {
        let (content_type, body) = form.finish();
        let request = self
            .request(Method::POST, path)
            .header("content-type", content_type)
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        self.send(request).await
    }

    pub async fn state(&self) -> Value {
        self.get("/api/state").await.ok()
    }

    /// Starts a generation on the current choice; returns its id.
    pub async fn start_generate(&self, body: Value) -> u64 {
        let reply = self.post("/api/generate", body).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        reply.json()["id"].as_u64().unwrap()
    }

    /// Waits until job `id` ends; returns it.
    pub async fn wait_job(&self, id: u64) -> Value {
        let started = Instant::now();
        loop {
            let job = self.get(&format!("/api/jobs/{id}")).await.ok();
            if job["state"] != "running" {
                return job;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "job {id} still running: {job}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until the pills are all checked; returns them.
    pub async fn settled_pills(&self) -> Value {
        let started = Instant::now();
        loop {
            let pills = self.get("/api/status").await.ok();
            if pills.as_array().unwrap().iter().all(|p| p["checking"] == false && p["message"] != "not checked yet") {
                return pills;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "pills still checking: {pills}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until `ready` holds for the state.
    pub async fn state_until(&self, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let state = self.state().await;
            if ready(&state) {
                return state;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "timed out waiting for {what}: {state}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the mock has received `n` requests.
    pub async fn mock_saw(&self, n: usize) {
        wait_until("the mock to see the request", || self.mock.requests().len() >= n).await;
    }
}

pub async fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The pill of `capability`.
pub fn pill<'a>(pills: &'a Value, capability: &str) -> &'a Value {
    pills.as_array().unwrap().iter().find(|p| p["capability"] == capability).unwrap()
}

/// A `multipart/form-data` body.
#[derive(Default)]
pub struct Multipart {
    body: Vec<u8>,
}

const BOUNDARY: &str = "visualizer-test-boundary-7MA4YWxkTrZu0gW";

impl Multipart {
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
        self
    }

    pub fn file(mut self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    fn finish(mut self) -> (String, Vec<u8>) {
        self.body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={BOUNDARY}"), self.body)
    }
}

/// A PNG of this size whose pixels are all transparent: a mask that edits everything.
pub fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let pixels = vec![0u8; (width * height * 4) as usize];
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &pixels,
        width,
        height,
        image::ExtendedColorType::Rgba8,
    )
    .unwrap();
    out
}

/// A small, valid GIF.
pub const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

pub fn generate_body(prompt: &str) -> Value {
    json!({ "prompt": prompt, "format": "landscape" })
}

impl Fixture {
    /// A GET without the token, as a browser's `<img src>` or a new tab sends it.
    pub async fn get_without_token(&self, path: &str) -> Reply {
        let request = Request::builder().uri(format!("{}{path}", self.base)).body(Full::default()).unwrap();
        self.send(request).await
    }

    /// The page's model list for a capability, and the entry for `model` in it.
    pub async fn model(&self, capability: &str, model: &str) -> Value {
        let list = self.get(&format!("/api/models?capability={capability}")).await.ok();
        list["models"].as_array().unwrap().iter().find(|m| m["id"] == model).cloned().unwrap_or(Value::Null)
    }
}

/// Standard base64, for answers the tests craft.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An SVG that would act if anything ran it: its script and its `onload`
/// mark the document, set the title, and ask `marker` (a URL) for a file.
pub fn hostile_svg(marker: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480" onload="document.title='pwned-onload';fetch('{marker}?onload')">
<script>document.title='pwned';document.documentElement.setAttribute('data-pwned','script');fetch('{marker}?script');try{{parent.document.title='pwned-parent'}}catch(e){{}}</script>
<rect width="640" height="480" fill="#2563eb"/><circle cx="320" cy="240" r="120" fill="#fbbf24"/>
</svg>"##
    )
}

/// What the Images API answers for an SVG: the markup as base64 JSON.
pub fn svg_answer(svg: &str) -> openai_mock::Fault {
    let body = json!({
        "created": 1_796_000_000u64,
        "data": [{ "b64_json": base64(svg.as_bytes()) }],
        "output_format": "svg",
        "usage": { "input_tokens": 10, "output_tokens": 100, "total_tokens": 110,
                   "input_tokens_details": { "text_tokens": 10, "image_tokens": 0 },
                   "output_tokens_details": { "text_tokens": 0, "image_tokens": 100 } },
    });
    openai_mock::Fault::Status {
        status: 200,
        body: body.to_string(),
        headers: vec![("content-type".into(), "application/json".into())],
    }
}
