//! The sandbox as a host relies on it, with the real component: its memory
//! is capped, a trap or a cancelled call poisons only its own session (the
//! host and every other session carry on), the host bounds its waits, and
//! configuration gets in through `Settings` and nothing else.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use openai_mock::{Fault, MockServer};
use visual_host::bindings::{Error, GenerateRequest, ImageFormat, Setting, TimeoutPhase};
use visual_host::runtime::{Plugin, Runtime, Session};
use visual_host::sandbox::NetworkPolicy;
use wasmtime_wasi_http::RequestOptions;

use crate::harness::{
    assert_no_key, cache, component_path, eventually, mock, plugin, runtime_with, session, session_with, settings, KEY,
    TODAY,
};

/// A cap far below what the default 64 MiB response limit lets the component
/// try to hold, and well above what a normal generation needs.
const SMALL_MEMORY: usize = 24 << 20;

/// The real component under a runtime that caps each instance at [`SMALL_MEMORY`].
fn small_plugin() -> &'static Plugin {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    static PLUGIN: OnceLock<Plugin> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let runtime = RUNTIME.get_or_init(|| runtime_with(cache(), SMALL_MEMORY, TODAY));
        runtime.load(&component_path()).expect("loading the component")
    })
}

async fn small_session(mock: &MockServer) -> Session {
    let settings = settings(mock);
    let network = small_plugin().network_policy(&settings).await.unwrap();
    small_plugin().connect(&settings, network).await.expect("instantiating").expect("opening the client")
}

fn request() -> GenerateRequest {
    GenerateRequest {
        model: Some("gpt-image-2.5-flare".into()),
        ..GenerateRequest::new("a paper boat", ImageFormat::Square)
    }
}

/// A generation that must succeed, with one image.
async fn generates(session: &mut Session) {
    let generation = session.generate(&request()).await.expect("no trap").expect("a generation");
    assert_eq!(generation.images.len(), 1);
}

/// A session that trapped or was cancelled refuses calls, saying what to do.
async fn assert_refuses_calls(session: &mut Session) {
    assert!(session.is_interrupted());
    let refused = session.generate(&request()).await.expect_err("an interrupted session must refuse calls");
    let message = format!("{refused:#}");
    assert!(message.contains("interrupted") && message.contains("open a new one"), "{message}");
    assert!(session.check(visual_host::bindings::Capability::TextToImage, None).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_memory_cap_stops_the_plugin_not_the_host() {
    let mock = mock().await;
    let mut session = small_session(&mock).await;
    // 48 MiB is under the default 64 MiB response cap, so the component tries
    // to hold it all, and its memory cannot grow that far.
    mock.push_faults([Fault::HugeBody { bytes: 48 << 20 }]);
    let started = Instant::now();
    let outcome = session.generate(&request()).await;
    let elapsed = started.elapsed();
    // The cap itself stopped it: the limiter refused a growth past it (a
    // failure for any other reason would leave this empty).
    let refused = session.memory_refused();
    assert!(refused.is_some_and(|bytes| bytes > SMALL_MEMORY), "the cap refused no growth: {outcome:?}");
    match &outcome {
        Err(trap) => {
            // The allocation failed and the guest aborted: a trap, caught by the host.
            let trap = format!("{trap:?}");
            assert!(trap.contains("wasm trap") || trap.contains("unreachable"), "{trap}");
            assert_refuses_calls(&mut session).await;
        }
        Ok(Err(e)) => {
            let message = e.message();
            assert!(message.contains("memory"), "an error that is not the memory cap: {e:?}");
            assert_no_key(&format!("{e:?}"));
        }
        Ok(Ok(_)) => panic!("a 48 MiB body fitted in a {SMALL_MEMORY}-byte memory"),
    }
    assert!(elapsed < Duration::from_secs(10), "failing took {elapsed:?}");
    let peak = session.peak_memory();
    assert!(peak <= SMALL_MEMORY, "linear memory reached {peak} bytes, over the {SMALL_MEMORY}-byte cap");

    // The host carries on: the plugin still loads, and a fresh session works
    // within the same cap.
    assert_eq!(small_plugin().info().await.unwrap().name, "openai");
    let mut fresh = small_session(&mock).await;
    generates(&mut fresh).await;
    assert!(fresh.peak_memory() <= SMALL_MEMORY);
    assert!(!fresh.is_interrupted());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trap_poisons_only_its_own_session() {
    let (flooding, healthy) = (mock().await, mock().await);
    flooding.set_fault_always(Some(Fault::HugeBody { bytes: 48 << 20 }));
    let mut doomed = small_session(&flooding).await;
    let mut bystander = small_session(&healthy).await;

    // Both calls in flight at once, in two instances of the same plugin.
    let request = request();
    let (trapped, survived) = tokio::join!(doomed.generate(&request), bystander.generate(&request));
    let trap = trapped.expect_err("running out of memory traps the guest");
    assert!(format!("{trap:?}").contains("wasm trap"), "{trap:?}");
    assert_eq!(survived.expect("no trap").expect("a generation").images.len(), 1);

    assert_refuses_calls(&mut doomed).await;
    // The other session keeps working after the trap, too.
    assert!(!bystander.is_interrupted());
    generates(&mut bystander).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_call_cancels_it_and_closes_its_connection() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    mock.set_fault_always(Some(Fault::NoFirstByte(Duration::from_secs(10))));

    let started = Instant::now();
    let call = tokio::time::timeout(Duration::from_millis(500), session.generate(&request())).await;
    assert!(call.is_err(), "the call should still have been waiting");
    assert!(started.elapsed() < Duration::from_millis(1500), "cancelling took {:?}", started.elapsed());
    assert_eq!(mock.requests().len(), 1, "the request was in flight when the call was dropped");

    // The connection closed with the call, not with the session (still
    // alive here): the server sees the client go long before its 10 s.
    eventually(|| mock.disconnects() > 0, "the mock sees the client leave").await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_refuses_calls(&mut session).await;

    // The plugin is fine: a new session generates.
    mock.set_fault_always(None);
    let mut fresh = session_with(&settings(&mock)).await;
    generates(&mut fresh).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_host_bounds_the_plugins_waits() {
    let mock = mock().await;
    // The plugin asks for its default five-minute wait; the host allows 1 s.
    let mut settings = settings(&mock);
    settings.push(Setting::number("max-retries", 2.0));
    let mut network = plugin().network_policy(&settings).await.unwrap();
    network.max_timeouts = Some(RequestOptions {
        connect_timeout: None,
        first_byte_timeout: Some(Duration::from_secs(1)),
        between_bytes_timeout: None,
    });
    let mut session = plugin().connect(&settings, network).await.unwrap().expect("open");
    mock.set_fault_always(Some(Fault::NoFirstByte(Duration::from_secs(10))));
    let started = Instant::now();
    let e = session.generate(&request()).await.unwrap().expect_err("a timeout");
    let elapsed = started.elapsed();
    let Error::Timeout(t) = &e else { panic!("expected timeout, got {e:?}") };
    assert_eq!(t.phase, TimeoutPhase::FirstByte);
    assert!(elapsed >= Duration::from_secs(1) && elapsed < Duration::from_millis(2500), "{elapsed:?}");
    assert_eq!(mock.requests().len(), 1);
}

/// The component gets nothing from the host's environment: a key or base URL
/// there is not seen. (It imports `wasi:cli/environment` only because Rust's
/// std does; the host gives it an empty one. `contract.rs` pins the imports,
/// which include no filesystem and no sockets.)
#[tokio::test(flavor = "multi_thread")]
async fn configuration_comes_only_from_settings() {
    let mock = mock().await;
    // The names the OpenAI SDKs read, set to values that would work.
    std::env::set_var("OPENAI_API_KEY", KEY);
    std::env::set_var("OPENAI_BASE_URL", mock.base_url());
    let restore = scopeguard(|| {
        std::env::remove_var("OPENAI_API_KEY");
        std::env::remove_var("OPENAI_BASE_URL");
    });

    let empty: [Setting; 0] = [];
    let opened = plugin().connect(&empty, plugin().network_policy(&empty).await.unwrap()).await.unwrap();
    match opened {
        Err(Error::InvalidInput(message)) => {
            assert!(message.contains("api-key") || message.contains("API key"), "names the missing key: {message}")
        }
        Err(other) => panic!("expected invalid-input, got {} {}", other.kind(), other.message()),
        Ok(_) => panic!("a client opened without a key: the host's OPENAI_API_KEY reached the component"),
    }

    // Without a base URL the component goes to api.openai.com, whatever
    // OPENAI_BASE_URL says; the host allows only the mock, so it is refused.
    let keyed = [Setting::text("api-key", KEY)];
    let network = NetworkPolicy::allow_urls([mock.base_url().as_str()]).unwrap();
    let mut session = plugin().connect(&keyed, network).await.unwrap().expect("open");
    let e = session.generate(&request()).await.unwrap().expect_err("refused");
    assert_eq!(e.kind(), "network", "{e:?}");
    assert_eq!(session.denied(), vec!["api.openai.com:443".to_string()]);
    assert!(mock.requests().is_empty());
    drop(restore);
}

/// Runs `f` when dropped, so the environment is restored even if an assertion fails.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}
