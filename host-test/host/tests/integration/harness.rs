//! Shared set-up: one compiled copy of the real component for the whole test
//! binary (a debug host compiles it slowly; the on-disk cache also serves the
//! other test binaries), a fresh mock per test, and sessions wired to it.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use openai_mock::{MockConfig, MockServer};
use visual_host::bindings::Setting;
use visual_host::cache::ComponentCache;
use visual_host::runtime::{Plugin, Runtime, RuntimeOptions, Session};
use visual_host::sandbox::{WallClock, DEFAULT_MEMORY_LIMIT};

pub const KEY: &str = "sk-test-0123456789abcdefghijklmnopqrstuvwxyz";

/// The day the tests live on, for the component (its wall clock) and the mock
/// alike, so what is retired does not depend on when they run.
pub const TODAY: &str = "2026-12-02";

pub fn component_path() -> PathBuf {
    PathBuf::from(guest_components::OPENAI_BACKEND)
}

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| runtime_with(cache(), DEFAULT_MEMORY_LIMIT, TODAY))
}

/// A runtime with this cache and memory cap, whose plugins live on `today`.
pub fn runtime_with(cache: ComponentCache, memory_limit: usize, today: &str) -> Runtime {
    let wall_clock = WallClock::at_date(today).expect("a date");
    Runtime::new(RuntimeOptions { cache: Some(cache), memory_limit, wall_clock }).expect("runtime")
}

/// The shared on-disk cache of this test binary, with a key of its own (never
/// the user's).
pub fn cache() -> ComponentCache {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    ComponentCache::with_key_file(tmp.join("component-cache"), tmp.join("component-cache.key"))
}

/// The real OpenAI backend component, loaded once.
pub fn plugin() -> &'static Plugin {
    static PLUGIN: OnceLock<Plugin> = OnceLock::new();
    PLUGIN.get_or_init(|| runtime().load(&component_path()).expect("loading the component"))
}

/// A mock answering like today's API (on [`TODAY`]).
pub async fn mock() -> MockServer {
    mock_with(MockConfig::default()).await
}

/// A mock acting as a compatible gateway: it still serves the seed's models.
pub async fn gateway() -> MockServer {
    mock_with(MockConfig::gateway()).await
}

/// `config` with the tests' key, and [`TODAY`] unless it names another day.
pub async fn mock_with(config: MockConfig) -> MockServer {
    let config = MockConfig { api_key: KEY.into(), today: config.today.or(Some(TODAY.into())), ..config };
    MockServer::start(config).await.expect("starting the mock")
}

/// The key and the mock's URL: all the backend needs.
pub fn settings(mock: &MockServer) -> Vec<Setting> {
    vec![Setting::text("api-key", KEY), Setting::text("base-url", mock.base_url())]
}

/// A session allowed to reach exactly what the settings point at.
pub async fn session_with(settings: &[Setting]) -> Session {
    let network = plugin().network_policy(settings).await.expect("network policy");
    plugin().connect(settings, network).await.expect("instantiating").expect("opening the client")
}

pub async fn session(mock: &MockServer) -> Session {
    session_with(&settings(mock)).await
}

/// Asserts the key is nowhere in `text`.
pub fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the API key leaked into: {text}");
    assert!(!text.contains(&KEY[8..24]), "part of the API key leaked into: {text}");
}

/// Polls `condition` for up to 3 s.
pub async fn eventually(condition: impl Fn() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub use openai_mock::test_images::{encode, gif, gif_frames, jpeg, mask, picture, png, png_size, webp};
