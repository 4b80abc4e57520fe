//! Reliability and security through the real component: every way the
//! service (or what sits in front of it) fails arrives as its typed error,
//! within its time bound, retried exactly as the policy says, and never
//! carrying the API key. The mock's faults play the failures; the mock also
//! counts the attempts, so "retried once" is observed, not assumed.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use openai_mock::{Fault, MockServer};
use visual_host::bindings::{Capability, Error, Failure, GenerateRequest, ImageFormat, Setting, TimeoutPhase};
use visual_host::runtime::Session;
use visual_host::sandbox::NetworkPolicy;

use crate::harness::{assert_no_key, eventually, gateway, mock, plugin, session, session_with, settings, KEY};

/// Where users verify an organization (the component's `ORG_VERIFICATION_URL`).
const ORG_VERIFICATION_URL: &str = "https://platform.openai.com/settings/organization/general";

/// Headroom over an expected duration for the mock's image rendering, the
/// component's work and a loaded 2-core CI machine.
const SLACK: Duration = Duration::from_millis(1500);

fn request(model: &str) -> GenerateRequest {
    GenerateRequest {
        model: Some(model.into()),
        ..GenerateRequest::new("a lighthouse in a storm", ImageFormat::Square)
    }
}

/// Settings pointing at `mock` with `max_retries` retries.
fn with_retries(mock: &MockServer, max_retries: u32) -> Vec<Setting> {
    let mut settings = settings(mock);
    settings.push(Setting::number("max-retries", f64::from(max_retries)));
    settings
}

fn key() -> Setting {
    Setting::text("api-key", KEY)
}

/// Runs a generation that must fail; returns the error and how long it took,
/// having checked that the key appears nowhere in it.
async fn fails(session: &mut Session, request: &GenerateRequest) -> (Error, Duration) {
    let started = Instant::now();
    let result = session.generate(request).await.expect("the component must not trap");
    let elapsed = started.elapsed();
    match result {
        Ok(g) => panic!("expected an error, got {} image(s) from {}", g.images.len(), g.model),
        Err(e) => {
            assert_clean(&e);
            (e, elapsed)
        }
    }
}

/// The key is in neither the error's Debug form nor its message, and the
/// message is one readable line (no host backtrace, no page of HTML).
fn assert_clean(e: &Error) {
    assert_no_key(&format!("{e:?}"));
    let message = e.message();
    assert_no_key(message);
    assert!(
        !message.trim().is_empty() && !message.contains('\n') && message.chars().count() <= 1200,
        "not a one-line message: {message:?}"
    );
}

fn failure(e: &Error) -> &Failure {
    e.failure().unwrap_or_else(|| panic!("{} carries no failure record: {e:?}", e.kind()))
}

/// `(kind, status)`, the pair most assertions start from.
fn kind_status(e: &Error) -> (&'static str, Option<u16>) {
    (e.kind(), e.status())
}

/// Every request the component sent was one the real API would accept (the
/// fault bent only the answer), and there were exactly `n`.
fn assert_attempts(mock: &MockServer, n: usize) {
    let seen = mock.requests();
    assert_eq!(seen.len(), n, "attempts: {:?}", seen.iter().map(|r| &r.fault).collect::<Vec<_>>());
    for r in &seen {
        assert!(r.verdict.is_ok(), "the mock rejected attempt {}: {:?}", r.seq, r.verdict);
    }
}

/// The request id the mock answered the `i`th request with.
fn request_id(mock: &MockServer, i: usize) -> String {
    mock.requests()[i].request_id.clone()
}

fn assert_within(elapsed: Duration, bound: Duration, what: &str) {
    assert!(elapsed < bound, "{what} took {elapsed:?}, more than {bound:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_is_authentication_and_not_retried() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    mock.set_fault_always(Some(Fault::Unauthorized401));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("authentication", Some(401)));
    let f = failure(&e);
    assert_eq!(f.code.as_deref(), Some("invalid_api_key"));
    assert!(f.message.contains("Incorrect API key provided"), "{}", f.message);
    assert_eq!(f.request_id.as_deref(), Some(request_id(&mock, 0).as_str()));
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a 401");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unverified_organization_is_told_how_to_verify() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    mock.push_faults([Fault::OrgNotVerified403]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("permission-denied", Some(403)));
    let message = e.message();
    for needle in
        [ORG_VERIFICATION_URL, "verified", "`gpt-image-2.5-flare`", "GPT image models need this", "dall-e-3 does not"]
    {
        assert!(message.contains(needle), "{needle:?} missing from: {message}");
    }
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a 403");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_model_is_not_found_and_named() {
    // A gateway, which passes any id on (today's API refuses it before the fault).
    let mock = gateway().await;
    let mut session = session(&mock).await;
    mock.push_faults([Fault::ModelNotFound404]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-9")).await;
    assert_eq!(kind_status(&e), ("not-found", Some(404)));
    assert_eq!(failure(&e).code.as_deref(), Some("model_not_found"));
    assert!(e.message().contains("`gpt-image-9`"), "{}", e.message());
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a 404");
}

#[tokio::test(flavor = "multi_thread")]
async fn safety_refusals_are_content_policy_with_the_apis_reason() {
    // dall-e-3 where it is still served.
    let mock = gateway().await;
    let mut session = session(&mock).await;

    mock.push_faults([Fault::ContentPolicyViolation]);
    let (e, elapsed) = fails(&mut session, &request("dall-e-3")).await;
    assert_eq!(kind_status(&e), ("content-policy", Some(400)));
    assert_eq!(failure(&e).code.as_deref(), Some("content_policy_violation"));
    assert!(e.message().contains("rejected as a result of our safety system"), "{}", e.message());
    assert_within(elapsed, SLACK, "content_policy_violation");

    mock.push_faults([Fault::ModerationBlocked]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("content-policy", Some(400)));
    assert_eq!(failure(&e).code.as_deref(), Some("moderation_blocked"));
    assert!(e.message().contains("safety_violations=["), "{}", e.message());
    assert_within(elapsed, SLACK, "moderation_blocked");

    // A refusal is final: neither was sent twice.
    assert_attempts(&mock, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_account_is_quota_exceeded_after_exactly_one_request() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    mock.set_fault_always(Some(Fault::InsufficientQuota429));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("quota-exceeded", Some(429)));
    assert_eq!(failure(&e).code.as_deref(), Some("insufficient_quota"));
    assert!(e.message().contains("quota"), "{}", e.message());
    assert_attempts(&mock, 1);
    // No backoff was slept either.
    assert_within(elapsed, Duration::from_millis(1000), "insufficient_quota");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_is_retried_once_after_the_wait_the_server_asked_for() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    for (fault, asked) in [
        (Fault::rate_limited_ms(700), Duration::from_millis(700)),
        (Fault::rate_limited_secs(1), Duration::from_secs(1)),
    ] {
        mock.clear_requests();
        mock.push_faults([fault.clone()]);
        let started = Instant::now();
        let generation = session.generate(&request("gpt-image-2.5-flare")).await.unwrap().expect("the retry succeeds");
        let elapsed = started.elapsed();
        assert_eq!(generation.images.len(), 1);
        assert_attempts(&mock, 2);
        let seen = mock.requests();
        assert_eq!((seen[0].fault.as_ref(), seen[1].fault.as_ref()), (Some(&fault), None));
        assert!(elapsed >= asked, "{fault:?}: retried after {elapsed:?}, before the {asked:?} the server asked for");
        assert_within(elapsed, asked + SLACK, &format!("{fault:?} then success"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wait_beyond_the_cap_is_returned_at_once_with_the_wait() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    mock.push_faults([Fault::rate_limited_secs(120)]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::RateLimited(r) = &e else { panic!("{e:?}") };
    assert_eq!((r.failure.status, r.retry_after_ms), (Some(429), Some(120_000)));
    assert_eq!(r.failure.code.as_deref(), Some("rate_limit_exceeded"));
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a 429 asking for two minutes");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_that_persists_ends_as_rate_limited_with_the_wait() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 1)).await;
    mock.set_fault_always(Some(Fault::rate_limited_ms(300)));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::RateLimited(r) = &e else { panic!("{e:?}") };
    assert_eq!((r.failure.status, r.retry_after_ms), (Some(429), Some(300)));
    assert_attempts(&mock, 2);
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert_within(elapsed, Duration::from_millis(300) + SLACK, "429, wait, 429");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_then_success_succeeds_after_a_backoff() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    mock.push_faults([Fault::ServerError500]);
    let started = Instant::now();
    let generation = session.generate(&request("gpt-image-2.5-flare")).await.unwrap().expect("the retry succeeds");
    let elapsed = started.elapsed();
    assert_eq!(generation.images.len(), 1);
    assert_attempts(&mock, 2);
    // The first backoff is 500 ms less up to 25 % jitter.
    assert!(elapsed >= Duration::from_millis(375), "retried after only {elapsed:?}");
    assert_within(elapsed, Duration::from_millis(500) + SLACK, "500 then success");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_is_tried_exactly_max_retries_plus_one_times() {
    for (retries, min) in [(2u32, Duration::from_millis(375 + 750)), (0, Duration::ZERO)] {
        let mock = mock().await;
        let mut session = session_with(&with_retries(&mock, retries)).await;
        mock.set_fault_always(Some(Fault::Overloaded503));
        let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
        assert_eq!(kind_status(&e), ("upstream", Some(503)), "max_retries {retries}");
        assert!(e.message().contains("overloaded"), "{}", e.message());
        assert_eq!(failure(&e).request_id.as_deref(), Some(request_id(&mock, retries as usize).as_str()));
        assert_attempts(&mock, retries as usize + 1);
        assert!(elapsed >= min, "max_retries {retries}: gave up after {elapsed:?}, before its backoffs ({min:?})");
        // 500 ms + 1 s of backoff at most.
        assert_within(elapsed, min.max(Duration::from_millis(1500)) + SLACK, "503 every time");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxys_html_page_is_upstream_with_a_short_safe_excerpt() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 0)).await;
    mock.set_fault_always(Some(Fault::HtmlBadGateway502));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("upstream", Some(502)));
    let message = e.message();
    assert!(
        message.contains("HTTP 502") && message.contains("502 Bad Gateway") && message.contains("nginx"),
        "{message}"
    );
    assert!(
        !message.contains('<') && !message.contains('\n') && message.len() < 300,
        "not a safe excerpt: {message:?}"
    );
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "an HTML 502");
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_success_bodies_are_malformed_responses_and_not_retried() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    for (fault, needle) in [
        (Fault::TruncatedJson, "cut short"),
        (Fault::EmptyData, "no images"),
        (Fault::BadBase64, "base64"),
        (Fault::NotAnImage, "image"),
    ] {
        mock.clear_requests();
        mock.push_faults([fault.clone()]);
        let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
        assert_eq!(kind_status(&e), ("malformed-response", Some(200)), "{fault:?}: {e:?}");
        let f = failure(&e);
        assert!(f.message.contains(needle), "{fault:?}: {needle:?} missing from {}", f.message);
        assert!(f.message.len() < 600 && !f.message.contains('\n'), "{fault:?}: {}", f.message);
        assert_eq!(f.request_id.as_deref(), Some(request_id(&mock, 0).as_str()), "{fault:?}");
        assert_attempts(&mock, 1);
        assert_within(elapsed, SLACK, &format!("{fault:?}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_reset_mid_body_is_a_prompt_network_error() {
    let mock = mock().await;
    let mut session = session_with(&with_retries(&mock, 2)).await;
    mock.push_faults([Fault::ResetMidBody]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Network(message) = &e else { panic!("expected network, got {e:?}") };
    assert!(message.contains("broke") && message.contains(&mock.base_url()), "{message}");
    // The request was received, so it is not sent again (it may be billed).
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a reset mid-body");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_first_byte_is_a_first_byte_timeout_and_not_retried() {
    let mock = mock().await;
    let settings =
        [with_retries(&mock, 2), vec![Setting::duration("generation-timeout", Duration::from_secs(1))]].concat();
    let mut session = session_with(&settings).await;
    mock.set_fault_always(Some(Fault::NoFirstByte(Duration::from_secs(10))));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Timeout(t) = &e else { panic!("expected timeout, got {e:?}") };
    assert_eq!(t.phase, TimeoutPhase::FirstByte, "{}", t.message);
    assert!(t.message.contains("waiting for the response to begin"), "{}", t.message);
    assert!(elapsed >= Duration::from_millis(1000), "timed out after {elapsed:?}, before the 1 s asked");
    assert_within(elapsed, Duration::from_millis(1000) + SLACK, "a 1 s first-byte timeout");
    // The server accepted the generation and may be billing it: no second one.
    assert_attempts(&mock, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_stops_is_a_between_bytes_timeout() {
    let mock = mock().await;
    let settings =
        [with_retries(&mock, 2), vec![Setting::duration("between-bytes-timeout", Duration::from_secs(1))]].concat();
    let mut session = session_with(&settings).await;
    mock.set_fault_always(Some(Fault::StallMidBody(Duration::from_secs(10))));
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Timeout(t) = &e else { panic!("expected timeout, got {e:?}") };
    assert_eq!(t.phase, TimeoutPhase::BetweenBytes, "{}", t.message);
    assert!(t.message.contains("waiting for more of the response body"), "{}", t.message);
    assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
    assert_within(elapsed, Duration::from_millis(1000) + SLACK, "a 1 s between-bytes timeout");
    assert_attempts(&mock, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_far_over_the_cap_is_refused_without_holding_it() {
    const CAP: u64 = 1024 * 1024;
    let mock = mock().await;
    let settings = [with_retries(&mock, 2), vec![Setting::number("max-response-bytes", CAP as f64)]].concat();
    let mut session = session_with(&settings).await;
    // 4 GiB: the mock generates it as it sends, so only the reader could hold it.
    mock.push_faults([Fault::HugeBody { bytes: 4 << 30 }]);
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("malformed-response", Some(200)));
    assert!(e.message().contains(&format!("{CAP}-byte cap")), "{}", e.message());
    assert_attempts(&mock, 1);
    assert_within(elapsed, SLACK, "a 4 GiB body");
    // The reader stopped at the cap: the instance's memory stayed near its
    // resting size, and the connection was closed rather than drained.
    let peak = session.peak_memory();
    assert!(peak < 16 << 20, "peak linear memory {peak} bytes");
    eventually(|| mock.disconnects() > 0, "the mock sees the client leave").await;

    // The session is still usable.
    let generation = session.generate(&request("gpt-image-2")).await.unwrap();
    assert!(generation.is_ok(), "{:?}", generation.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_not_on_the_allowlist_is_refused_by_the_host() {
    let mock = mock().await;
    let settings = with_retries(&mock, 2);
    // The host allows some other service, not the one the settings name.
    let network = NetworkPolicy::allow_urls(["https://api.openai.com/v1"]).unwrap();
    let mut session = plugin().connect(&settings, network).await.unwrap().expect("open");
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Network(message) = &e else { panic!("expected network, got {e:?}") };
    assert!(message.contains("host does not allow") && message.contains(&mock.base_url()), "{message}");
    // Refused once (a refusal is not retried), and nothing reached the mock.
    assert_eq!(session.denied(), vec![format!("127.0.0.1:{}", mock.addr().port())]);
    assert_attempts(&mock, 0);
    assert_within(elapsed, SLACK, "a denied request");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_echoes_the_key_never_gets_it_out() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    mock.push_faults([Fault::EchoKey]);
    let (e, _) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    assert_eq!(kind_status(&e), ("authentication", Some(401)));
    assert!(e.message().contains("[redacted]"), "the echo was scrubbed, not lost: {}", e.message());

    // The readiness check reports the same failure inside a status.
    mock.push_faults([Fault::EchoKey]);
    let status = session.check(Capability::TextToImage, None).await.unwrap().expect("a status");
    assert_no_key(&format!("{status:?}"));
    let problem = status.problem.expect("the refusal is reported");
    assert_eq!(kind_status(&problem), ("authentication", Some(401)));
    assert_clean(&problem);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_is_retried_then_a_network_error() {
    // A port nobody listens on: the request never left, so retrying is safe.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base_url = format!("http://127.0.0.1:{port}/v1");
    let settings = [key(), Setting::text("base-url", base_url.clone()), Setting::number("max-retries", 1.0)];
    let mut session = session_with(&settings).await;
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Network(message) = &e else { panic!("expected network, got {e:?}") };
    assert!(message.contains("could not connect") && message.contains("refused"), "{message}");
    assert!(elapsed >= Duration::from_millis(375), "not retried after a backoff: {elapsed:?}");
    assert_within(elapsed, Duration::from_millis(500) + SLACK, "a refused connection");
}

// A connection that hangs in the handshake comes from a full accept queue
// made with Unix socket calls (`FullListener`).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_connect_timeout_is_honoured_and_retried() {
    let Some(listener) = FullListener::new() else {
        eprintln!("skipped: this kernel completes connections to a full accept queue");
        return;
    };
    let base_url = format!("http://127.0.0.1:{}/v1", listener.port);
    let settings = [
        key(),
        Setting::text("base-url", base_url),
        Setting::duration("connect-timeout", Duration::from_millis(500)),
        Setting::number("max-retries", 1.0),
    ];
    let mut session = session_with(&settings).await;
    let (e, elapsed) = fails(&mut session, &request("gpt-image-2.5-flare")).await;
    let Error::Timeout(t) = &e else { panic!("expected timeout, got {e:?}") };
    assert_eq!(t.phase, TimeoutPhase::Connect, "{}", t.message);
    assert!(t.message.contains("connecting"), "{}", t.message);
    // Two attempts of 500 ms around one backoff (375-500 ms): nothing was
    // sent, so the retry is safe.
    assert!(elapsed >= Duration::from_millis(500 + 375 + 500), "{elapsed:?}");
    assert_within(elapsed, Duration::from_millis(1500) + SLACK, "two 500 ms connect timeouts");
}

/// A listening socket whose accept queue is full, so a new connection hangs
/// in the handshake: what a client sees of a host that drops packets.
#[cfg(unix)]
struct FullListener {
    fd: libc::c_int,
    port: u16,
    _queued: Vec<std::net::TcpStream>,
}

#[cfg(unix)]
impl FullListener {
    fn new() -> Option<FullListener> {
        // SAFETY: plain socket calls on a descriptor this function owns; the
        // address structures are fully initialised before use.
        let (fd, port) = unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            assert!(fd >= 0, "socket");
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
            let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            assert_eq!(libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len), 0, "bind");
            assert_eq!(libc::listen(fd, 0), 0, "listen");
            let mut bound: libc::sockaddr_in = std::mem::zeroed();
            let mut bound_len = len;
            assert_eq!(libc::getsockname(fd, &mut bound as *mut _ as *mut libc::sockaddr, &mut bound_len), 0);
            (fd, u16::from_be(bound.sin_port))
        };
        let mut listener = FullListener { fd, port, _queued: Vec::new() };
        // Fill the queue until a connection hangs; that one proves the next will.
        let target = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        for _ in 0..4 {
            match std::net::TcpStream::connect_timeout(&target, Duration::from_millis(200)) {
                Ok(s) => listener._queued.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Some(listener),
                Err(e) => panic!("filling the accept queue: {e}"),
            }
        }
        // Every connection completed: this kernel does not hold them back.
        None
    }
}

#[cfg(unix)]
impl Drop for FullListener {
    fn drop(&mut self) {
        // SAFETY: the descriptor was opened by `new` and is closed once.
        unsafe {
            libc::close(self.fd);
        }
    }
}
