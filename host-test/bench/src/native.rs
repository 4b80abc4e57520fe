//! The floor: a native Rust client doing exactly what the component does
//! for a call, with the same HTTP stack wasmtime-wasi-http uses (hyper over
//! a fresh loopback connection per request, as wasi-http opens one per
//! outgoing request), then the same decoding (serde_json, base64).

use std::net::SocketAddr;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpStream;

/// Where to send, and as whom.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// The path prefix of the API, e.g. `/v1`.
    pub prefix: String,
    pub api_key: String,
}

/// POSTs `body` to `{prefix}{path}` and returns the whole 2xx response body.
pub async fn post(target: &Target, path: &str, content_type: &str, body: Bytes) -> anyhow::Result<Bytes> {
    let stream = TcpStream::connect(target.addr).await.context("connecting to the mock")?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = http::Request::post(format!("{}{path}", target.prefix))
        .header(http::header::HOST, target.addr.to_string())
        .header(http::header::AUTHORIZATION, format!("Bearer {}", target.api_key))
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::ACCEPT, "application/json")
        .body(Full::new(body))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        bail!("the mock answered {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    }
    Ok(body)
}

#[derive(Deserialize)]
struct ImagesResponse {
    data: Vec<ImageData>,
}

#[derive(Deserialize)]
struct ImageData {
    b64_json: String,
}

/// The images of an `ImagesResponse`, decoded.
pub fn decode_images(body: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let response: ImagesResponse = serde_json::from_slice(body).context("parsing the images response")?;
    response.data.iter().map(|d| STANDARD.decode(&d.b64_json).context("decoding b64_json")).collect()
}

/// One generation: the request the component sent, then parse and decode.
pub async fn generate(target: &Target, json: Bytes) -> anyhow::Result<Vec<Vec<u8>>> {
    let body = post(target, "/images/generations", "application/json", json).await?;
    decode_images(&body)
}
