//! What every measurement shares: the mock, the settings, the requests.

use std::time::{Duration, Instant};

use openai_mock::{ImageDetail, MockConfig, MockServer};
use visual_host::bindings::{self, GenerateRequest, ImageFormat, Setting};

use crate::native::Target;

pub const KEY: &str = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyz";
/// Today's default text-to-image model: the answer has its size either way.
pub const MODEL: &str = "gpt-image-2.5-flare";
pub const PROMPT: &str = "a lighthouse on a cliff at dusk, waves breaking below, oil painting";

pub fn settings(mock: &MockServer) -> Vec<Setting> {
    settings_at(&mock.base_url())
}

/// The key and a base URL: all the OpenAI backend needs.
pub fn settings_at(base_url: &str) -> Vec<Setting> {
    vec![Setting::text("api-key", KEY), Setting::text("base-url", base_url)]
}

pub async fn bench_mock() -> anyhow::Result<MockServer> {
    Ok(MockServer::start(MockConfig {
        api_key: KEY.into(),
        image_detail: ImageDetail::Photographic,
        // The upload comparison replays the component's exact body.
        record_body_limit: 64 << 20,
        ..MockConfig::default()
    })
    .await?)
}

pub fn target(mock: &MockServer) -> Target {
    Target { addr: mock.addr(), prefix: mock.config().path_prefix.clone(), api_key: KEY.into() }
}

pub fn generate_request() -> GenerateRequest {
    GenerateRequest { model: Some(MODEL.into()), ..GenerateRequest::new(PROMPT, ImageFormat::Landscape) }
}

pub async fn timed<T, F: std::future::Future<Output = anyhow::Result<T>>>(f: F) -> anyhow::Result<(Duration, T)> {
    let started = Instant::now();
    let value = f.await?;
    Ok((started.elapsed(), value))
}

/// A backend's typed failure as an error that ends the run, kind and message.
pub fn backend<T>(result: Result<T, bindings::Error>) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::anyhow!("the backend failed: {} ({})", e.message(), e.kind()))
}
