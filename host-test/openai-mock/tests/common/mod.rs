//! What the mock's integration tests share: a tiny raw HTTP/1.1 client (so
//! the tests check the bytes on the wire and need no client library), a
//! hand-built multipart form, real test images, and helpers for starting the
//! mock and reading its answers and records.

#![allow(dead_code)] // each test file uses its own subset

use std::io::Cursor;
use std::net::SocketAddr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openai_mock::{MockConfig, MockServer, Verdict};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const KEY: &str = "sk-mock-key";

// ---------------------------------------------------------------- client

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body arrived whole (full Content-Length, or the terminating chunk).
    pub complete: bool,
    /// The connection ended with a reset rather than a close.
    pub reset: bool,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn error(&self) -> Value {
        self.json()["error"].clone()
    }
}

pub fn request_bytes(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// Sends one request and reads until the server closes. A reset after some
/// bytes still yields what arrived (with `complete: false`).
pub async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&request_bytes(method, path, headers, body)).await.unwrap();
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut reset = false;
    loop {
        match s.read(&mut buf).await {
            Ok(0) => break,
            Err(e) => {
                reset = e.kind() == std::io::ErrorKind::ConnectionReset;
                break;
            }
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    Resp { reset, ..parse(&raw) }
}

pub fn parse(raw: &[u8]) -> Resp {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let (body, complete) = if find("transfer-encoding").as_deref() == Some("chunked") {
        dechunk(rest)
    } else {
        let len: usize = find("content-length").map(|v| v.parse().unwrap()).unwrap_or(rest.len());
        (rest.to_vec(), rest.len() == len)
    };
    Resp { status, headers, body, complete, reset: false }
}

pub fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (body, false);
        };
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16).unwrap();
        rest = &rest[eol + 2..];
        if size == 0 {
            return (body, true);
        }
        if rest.len() < size + 2 {
            body.extend_from_slice(&rest[..size.min(rest.len())]);
            return (body, false);
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

pub fn path_of(server: &MockServer, tail: &str) -> String {
    let root = format!("http://{}", server.addr());
    format!("{}{tail}", server.base_url().strip_prefix(&root).unwrap())
}

pub async fn post_json(server: &MockServer, tail: &str, body: &Value) -> Resp {
    let auth = format!("Bearer {KEY}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    send(server.addr(), "POST", &path_of(server, tail), &headers, body.to_string().as_bytes()).await
}

pub async fn get(server: &MockServer, tail: &str) -> Resp {
    let auth = format!("Bearer {KEY}");
    send(server.addr(), "GET", &path_of(server, tail), &[("authorization", auth.as_str())], b"").await
}

/// A multipart/form-data body built by hand, so tests control every header.
pub struct Form {
    boundary: &'static str,
    body: Vec<u8>,
}

impl Form {
    pub fn new() -> Self {
        Form { boundary: "mockselftest7d3f9a", body: Vec::new() }
    }

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.body.extend(
            format!("--{}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n", self.boundary)
                .bytes(),
        );
        self
    }

    pub fn file(mut self, name: &str, filename: &str, content_type: Option<&str>, bytes: &[u8]) -> Self {
        let mut head = format!(
            "--{}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n",
            self.boundary
        );
        if let Some(ct) = content_type {
            head.push_str(&format!("content-type: {ct}\r\n"));
        }
        head.push_str("\r\n");
        self.body.extend(head.bytes());
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// A PNG file part of `w`x`h` pixels ([`png`]), declared as `image/png`.
    pub fn png(self, name: &str, filename: &str, w: u32, h: u32) -> Self {
        self.file(name, filename, Some("image/png"), &png(w, h))
    }

    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body.extend(format!("--{}--\r\n", self.boundary).bytes());
        (format!("multipart/form-data; boundary={}", self.boundary), self.body)
    }
}

pub async fn post_form(server: &MockServer, form: Form) -> Resp {
    let (content_type, body) = form.finish();
    let auth = format!("Bearer {KEY}");
    let headers = [("authorization", auth.as_str()), ("content-type", content_type.as_str())];
    send(server.addr(), "POST", &path_of(server, "/images/edits"), &headers, &body).await
}

// ---------------------------------------------------------------- images

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::from_pixel(w, h, image::Rgba([10, 200, 30, 255]))
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

pub use openai_mock::test_images::jpeg;

/// The bytes of a `b64_json` value.
pub fn b64_bytes(b64: &Value) -> Vec<u8> {
    STANDARD.decode(b64.as_str().expect("b64_json is a string")).expect("valid base64")
}

/// Decodes a `b64_json` value and checks format and size from the bytes themselves.
pub fn decoded(b64: &Value) -> (image::ImageFormat, u32, u32) {
    let bytes = b64_bytes(b64);
    let format = image::guess_format(&bytes).expect("an image");
    let img = image::load_from_memory(&bytes).expect("decodes");
    (format, img.width(), img.height())
}

/// The default mode: the API as of today's date.
pub async fn start() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

/// The default mode on a fixed day (the tests use LIFECYCLE.md's 2026-12-07, or a later one).
pub async fn start_on(today: &str) -> MockServer {
    MockServer::start(MockConfig { today: Some(today.into()), ..MockConfig::default() }).await.unwrap()
}

/// A compatible gateway that still serves the seed models.
pub async fn start_gateway() -> MockServer {
    MockServer::start(MockConfig::gateway()).await.unwrap()
}

/// The current image models (LIFECYCLE.md): `FLARE` for generation, `SUNBURST` for editing.
pub const FLARE: &str = "gpt-image-2.5-flare";
pub const SUNBURST: &str = "gpt-image-2.5-sunburst";

pub fn rejected(server: &MockServer) -> (u16, Option<String>, Option<String>) {
    match &server.requests().last().expect("a recorded request").verdict {
        Verdict::Rejected { status, code, param, .. } => (*status, code.clone(), param.clone()),
        Verdict::Ok => panic!("expected a rejected request"),
    }
}

/// Splits an event stream into (event name, data JSON) pairs.
pub fn events(body: &[u8]) -> Vec<(String, Value)> {
    String::from_utf8_lossy(body)
        .split("\n\n")
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            let mut name = String::new();
            let mut data = Value::Null;
            for line in e.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(d).unwrap();
                }
            }
            (name, data)
        })
        .collect()
}

// ---------------------------------------------------------------- the catalog

/// The body OpenAI sends for a shut-down model (`fixtures/model_retired_404.json`,
/// copied from `shared/openai/errors_observed`), for `model`.
pub fn retired_body(model: &str) -> Value {
    let text = include_str!("../../fixtures/model_retired_404.json").replace("`dall-e-3`", &format!("`{model}`"));
    serde_json::from_str(&text).unwrap()
}

pub fn assert_retired(r: &Resp, model: &str) {
    assert_eq!(r.status, 404, "{model}: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), retired_body(model), "{model}: exactly the observed body");
    assert!(r.error().get("param").is_none(), "the observed body has no param");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
}

/// `body` with the members of `extra` added (or replaced): a request body
/// and the parameters one test adds to it.
pub fn merged(mut body: Value, extra: Value) -> Value {
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

pub fn chat_body(model: &str, extra: Value) -> Value {
    let url = format!("data:image/png;base64,{}", STANDARD.encode(png(32, 32)));
    let body = json!({"model": model, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Describe it."},
        {"type": "image_url", "image_url": {"url": url}}
    ]}]});
    merged(body, extra)
}

/// An edit of one `w`x`h` PNG by `model`, prompt `p`.
pub fn edit_form_sized(model: &str, w: u32, h: u32) -> Form {
    Form::new().text("model", model).text("prompt", "p").png("image", "a.png", w, h)
}

pub fn edit_form(model: &str) -> Form {
    edit_form_sized(model, 16, 16)
}

pub fn listed(server_list: &Resp) -> Vec<(String, Value)> {
    server_list.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap().to_string(), m["shutdown_date"].clone()))
        .collect()
}
