//! The client: the pure face of the component. Each public method checks a
//! request, sends it with retries over any [`Transport`], and maps the
//! response; `component.rs` only forwards the host's calls here.
//!
//! **The key is redacted here and nowhere else.** Everything the client hands
//! back, an error from [`Client::open`] or any method, a check's [`Status`],
//! the entries of [`Client::models`], each item of a [`Stream`], passes
//! through `scrubbed` on the way out, so a server or proxy that echoes the key
//! back, or a transport message that quotes it, cannot leak it to the host.
//!
//! Today's date, which decides whether a model's shutdown date has passed,
//! comes from the transport ([`Transport::today`]: the host's wall clock in
//! the component, a fixed date in tests).

use std::fmt;
use std::time::Duration;

use crate::analyze;
use crate::api_error::{self, annotate};
use crate::bindings::{
    Analysis, AnalyzeRequest, Capability, EditRequest, Error, GenerateRequest, Generation, GenerationEvent, ModelEntry,
    Setting, Status,
};
use crate::call::{Call, Endpoint};
use crate::check::{self, Plan};
use crate::config::Config;
use crate::edit;
use crate::error::redact;
use crate::generate;
use crate::http::{read_to_end, BodyReader, ResponseHead, Transport};
use crate::images_response;
use crate::lifecycle;
use crate::listing;
use crate::models;
use crate::multipart;
use crate::pricing;
use crate::retry::{Decision, RetryPolicy};
use crate::streaming::{GenerationStream, StreamSetup};

/// How much of a non-2xx body is read: error envelopes are a few hundred
/// bytes, and anything longer is only ever shown as an excerpt.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// A configured connection to the service.
pub struct Client<T: Transport> {
    config: Config,
    transport: T,
    policy: RetryPolicy,
}

/// A response whose status was 2xx, body not yet read.
struct Exchange {
    head: ResponseHead,
    body: Box<dyn BodyReader>,
    url: String,
}

impl<T: Transport> Client<T> {
    /// Checks `settings` against their declarations (names, kinds, bounds,
    /// the required key, URLs well formed); sends nothing.
    pub fn open(settings: &[Setting], transport: T) -> Result<Self, Error> {
        let key = crate::settings::api_key(settings).unwrap_or_default();
        let config = scrubbed(key, Config::from_settings(settings))?;
        Ok(Client::new(config, transport))
    }

    pub fn new(config: Config, transport: T) -> Self {
        let policy = RetryPolicy::new(config.max_retries());
        Client { config, transport, policy }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    #[cfg(test)]
    pub(crate) fn transport(&self) -> &T {
        &self.transport
    }

    /// Text to image.
    pub fn generate(&mut self, request: &GenerateRequest) -> Result<Generation, Error> {
        let result = generate::prepare(request, None).and_then(|call| self.images(&call));
        scrubbed(self.config.api_key(), result)
    }

    /// Reference images (and an optional mask) to image.
    pub fn edit(&mut self, request: &EditRequest) -> Result<Generation, Error> {
        let boundary = self.boundary();
        let result = edit::prepare(request, boundary, None).and_then(|call| self.images(&call));
        scrubbed(self.config.api_key(), result)
    }

    /// A question about an image.
    pub fn analyze(&mut self, request: &AnalyzeRequest) -> Result<Analysis, Error> {
        let default_model =
            self.config.deployment_for(Capability::ImageAnalysis).unwrap_or(analyze::DEFAULT_MODEL).to_string();
        let result = analyze::prepare(request, &default_model).and_then(|call| {
            let (head, body) = self.execute(&call)?;
            let analysis = analyze::parse_response(&body).map_err(|e| annotate(e, &head))?;
            Ok(pricing::priced_analysis(analysis, &call.model))
        });
        scrubbed(self.config.api_key(), result)
    }

    /// Whether `capability` would work with `model` (default: the
    /// capability's default); see `check.rs`. What the check finds, failures
    /// included, is reported in the [`Status`]; `Err` only for arguments that
    /// cannot be checked at all.
    pub fn check(&mut self, capability: Capability, model: Option<&str>) -> Result<Status, Error> {
        let result = check::prepare(capability, model, &self.config).and_then(|plan| match plan {
            Plan::Answered(status) => Ok(status),
            Plan::Lookup(lookup) => {
                let outcome = self.execute(&lookup.call);
                let today = self.transport.today();
                lookup.status(outcome, today)
            }
        });
        let key = self.config.api_key();
        scrubbed(key, result.map(|status| status.redacted(key)))
    }

    /// The models this key can use for `capability` (every capability when
    /// `None`), as the service lists them now, then the known models it does
    /// not list; see `listing.rs`. On Azure, the configured deployments.
    pub fn models(&mut self, capability: Option<Capability>) -> Result<Vec<ModelEntry>, Error> {
        let result = match listing::prepare(capability, &self.config) {
            listing::Plan::Answered(entries) => Ok(entries),
            listing::Plan::List(call) => self.execute(&call).and_then(|(head, body)| {
                let today = self.transport.today();
                listing::entries(&body, capability, today).map_err(|e| annotate(e, &head))
            }),
        };
        let key = self.config.api_key();
        scrubbed(key, result.map(|entries| entries.into_iter().map(|e| redacted_entry(e, key)).collect()))
    }

    /// Like [`generate`](Self::generate), streaming up to `partial_images`
    /// previews first. A model that cannot stream makes a plain call and the
    /// stream yields its result once. Failures before the first event
    /// (invalid input, a non-2xx answer) are returned here, not in the stream.
    pub fn start_generate(&mut self, request: &GenerateRequest, partial_images: u32) -> Result<Stream, Error> {
        let images = request.n.unwrap_or(1);
        let result = generate::prepare(request, Some(partial_images)).and_then(|call| self.start(&call, images));
        scrubbed(self.config.api_key(), result)
    }

    /// Like [`edit`](Self::edit), streamed as [`start_generate`](Self::start_generate).
    pub fn start_edit(&mut self, request: &EditRequest, partial_images: u32) -> Result<Stream, Error> {
        let images = request.n.unwrap_or(1);
        let boundary = self.boundary();
        let result = edit::prepare(request, boundary, Some(partial_images)).and_then(|call| self.start(&call, images));
        scrubbed(self.config.api_key(), result)
    }

    /// A non-streaming image call: send, then parse the `ImagesResponse`.
    fn images(&mut self, call: &Call<'_>) -> Result<Generation, Error> {
        let (head, body) = self.execute(call)?;
        images_response::parse(body, &call.model).map(pricing::priced).map_err(|e| annotate(e, &head))
    }

    fn start(&mut self, call: &Call<'_>, images: u32) -> Result<Stream, Error> {
        let events = self.start_events(call, images)?;
        Ok(Stream { events, key: self.config.api_key().to_string() })
    }

    fn start_events(&mut self, call: &Call<'_>, images: u32) -> Result<GenerationStream, Error> {
        if !call.streaming {
            return self.images(call).map(GenerationStream::completed);
        }
        let exchange = self.send(call)?;
        let sse = exchange
            .head
            .header("content-type")
            .is_none_or(|t| !t.trim_start().to_ascii_lowercase().starts_with("application/json"));
        if !sse {
            // A gateway that ignored `stream: true` and answered in one piece.
            let (head, body) = self.read(exchange)?;
            return images_response::parse(body, &call.model)
                .map(pricing::priced)
                .map(GenerationStream::completed)
                .map_err(|e| annotate(e, &head));
        }
        let setup = StreamSetup {
            model: call.model.clone(),
            images: images.max(1),
            status: exchange.head.status,
            request_id: api_error::request_id(&exchange.head),
            url: exchange.url,
            max_bytes: self.config.max_response_bytes(),
        };
        Ok(GenerationStream::from_sse(exchange.body, setup))
    }

    /// Sends `call` (with retries) and reads the whole 2xx body.
    fn execute(&mut self, call: &Call<'_>) -> Result<(ResponseHead, Vec<u8>), Error> {
        let exchange = self.send(call)?;
        self.read(exchange)
    }

    fn read(&self, mut exchange: Exchange) -> Result<(ResponseHead, Vec<u8>), Error> {
        // The announced length sizes the buffer; `read_to_end` copes if it lies.
        let size_hint = exchange.head.header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        match read_to_end(exchange.body.as_mut(), self.config.max_response_bytes(), size_hint) {
            Ok(body) => Ok((exchange.head, body)),
            Err(e) => Err(annotate(e.into_error(&exchange.url), &exchange.head)),
        }
    }

    /// Sends `call` until it gets a 2xx or the retry policy gives up, at most
    /// `max_retries + 1` times. Non-2xx answers are read (up to
    /// [`ERROR_BODY_LIMIT`]) and mapped by `api_error`.
    fn send(&mut self, call: &Call<'_>) -> Result<Exchange, Error> {
        let request = call.request(&self.config)?;
        let url = request.url();
        let mut timeouts = self.config.timeouts();
        if matches!(call.endpoint, Endpoint::RetrieveModel | Endpoint::ListModels) {
            // A lookup answers at once; the generation timeout is for images.
            timeouts.first_byte = timeouts.first_byte.min(check::LOOKUP_FIRST_BYTE_TIMEOUT);
        }
        let mut attempt = 0u32;
        loop {
            let (decision, error) = match self.transport.send(&request, &timeouts) {
                Ok((head, body)) if (200..300).contains(&head.status) => return Ok(Exchange { head, body, url }),
                Ok((head, mut body)) => {
                    let limit = ERROR_BODY_LIMIT.min(self.config.max_response_bytes());
                    let bytes = read_capped(body.as_mut(), limit);
                    drop(body);
                    let error = api_error::from_response(&head, &bytes, &call.model);
                    let random = self.transport.random_u64();
                    (self.policy.after_response(attempt, &head, &error, random), error)
                }
                Err(e) => {
                    let random = self.transport.random_u64();
                    (self.policy.after_transport_error(attempt, &e, random), e.into_error(&url))
                }
            };
            match decision {
                Decision::Retry(wait) => {
                    self.sleep(wait);
                    attempt += 1;
                }
                Decision::GiveUp => return Err(self.explained(error, call)),
            }
        }
    }

    /// A not-found for a model that was retired, told as such (`lifecycle.rs`).
    /// Lookups are explained by `check`, which knows the capability; Azure
    /// deployments have names of the user's choosing and are left alone.
    fn explained(&mut self, error: Error, call: &Call<'_>) -> Error {
        let Some(capability) = call.endpoint.capability() else { return error };
        if !matches!(error, Error::NotFound(_)) || self.config.is_azure() {
            return error;
        }
        let today = self.transport.today();
        let schedule = models::schedule(&call.model, capability);
        lifecycle::explain_not_found(error, &call.model, schedule, Some(models::default_model(capability)), today)
    }

    fn sleep(&mut self, wait: Duration) {
        if !wait.is_zero() {
            self.transport.sleep(wait);
        }
    }

    /// A multipart boundary of 128 random bits.
    fn boundary(&mut self) -> String {
        let (high, low) = (self.transport.random_u64(), self.transport.random_u64());
        multipart::boundary_from_random(high, low)
    }
}

/// Reads at most `limit` bytes of an error body. A body that breaks off or
/// runs long is still worth its first bytes, so read errors end the read.
fn read_capped(body: &mut dyn BodyReader, limit: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = body.next_chunk() {
        let room = limit.saturating_sub(out.len() as u64) as usize;
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if out.len() as u64 >= limit {
            break;
        }
    }
    out
}

/// A generation in progress, as the host sees it: the events of a
/// [`GenerationStream`] with the key scrubbed. [`next`](Self::next) blocks
/// until the next event; after `completed` or an error it returns `None`.
/// Dropping it drops the response body, which closes the connection.
pub struct Stream {
    events: GenerationStream,
    key: String,
}

/// Never prints the key.
impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.events.fmt(f)
    }
}

impl Stream {
    /// The next event, `None` once the stream is over.
    #[allow(clippy::should_implement_trait)] // mirrors the WIT method; an Iterator impl is below
    pub fn next(&mut self) -> Option<Result<GenerationEvent, Error>> {
        self.events.next().map(|item| scrubbed(&self.key, item))
    }
}

impl Iterator for Stream {
    type Item = Result<GenerationEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        Stream::next(self)
    }
}

/// A model entry with `key` scrubbed from its texts (a service that echoes
/// the key as a model id cannot leak it either).
fn redacted_entry(entry: ModelEntry, key: &str) -> ModelEntry {
    ModelEntry {
        id: redact(&entry.id, key),
        label: redact(&entry.label, key),
        note: entry.note.map(|n| redact(&n, key)),
        ..entry
    }
}

/// The boundary: every error the client returns passes through here on its
/// way out, with `key` (or any 8-character run of it) scrubbed from its text.
fn scrubbed<R>(key: &str, result: Result<R, Error>) -> Result<R, Error> {
    result.map_err(|e| e.redacted(key))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::{
        ImageFormat, ModelState, Parameter, RateLimit, TimeoutInfo, TimeoutPhase, Value as SettingValue,
    };
    use crate::date::Date;
    use crate::edit::fixtures;
    use crate::http::{Method, Request, Timeouts, TransportError};
    use crate::images_response::tests::b64;
    use crate::settings::tests::{set, text};
    use crate::streaming::tests::{completed, partial, Chunks};
    use serde_json::{json, Value};
    use std::collections::VecDeque;

    pub(crate) const KEY: &str = "sk-proj-Zx8aQ2mN4bV6cX1zL9kJ3hG5fD7sA0pO";

    /// One scripted answer.
    pub(crate) enum Step {
        Respond { status: u16, headers: Vec<(String, String)>, chunks: Vec<Result<Vec<u8>, TransportError>> },
        Fail(TransportError),
    }

    pub(crate) fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Step {
        Step::Respond {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            chunks: vec![Ok(body.into())],
        }
    }

    pub(crate) fn json_response(status: u16, body: Value) -> Step {
        respond(
            status,
            &[("content-type", "application/json"), ("x-request-id", "req_1")],
            serde_json::to_vec(&body).unwrap(),
        )
    }

    #[derive(Debug, Clone)]
    pub(crate) struct Sent {
        pub method: Method,
        pub url: String,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
        pub timeouts: Timeouts,
    }

    impl Sent {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
        }

        pub fn json(&self) -> Value {
            serde_json::from_slice(&self.body).unwrap()
        }
    }

    /// The date tests run on unless they say otherwise: the day the
    /// lifecycle table was written (dall-e-3 and gpt-image-1 retired,
    /// gpt-4o-mini deprecated).
    pub(crate) const TODAY: Date = Date::ymd(2026, 12, 2);

    /// Records requests and sleeps, answers from a script, never sleeps; its
    /// wall clock says `today` (default [`TODAY`]).
    #[derive(Default)]
    pub(crate) struct Fake {
        script: VecDeque<Step>,
        pub sent: Vec<Sent>,
        pub sleeps: Vec<Duration>,
        randoms: u64,
        today: Option<Date>,
    }

    impl Transport for Fake {
        fn send(
            &mut self,
            request: &Request<'_>,
            timeouts: &Timeouts,
        ) -> Result<(ResponseHead, Box<dyn BodyReader>), TransportError> {
            self.sent.push(Sent {
                method: request.method,
                url: request.url(),
                headers: request.headers.clone(),
                body: request.body.to_vec(),
                timeouts: *timeouts,
            });
            match self.script.pop_front().expect("the script ran out: an unexpected request") {
                Step::Respond { status, headers, chunks } => {
                    Ok((ResponseHead { status, headers }, Box::new(Chunks::new(chunks))))
                }
                Step::Fail(e) => Err(e),
            }
        }

        fn sleep(&mut self, duration: Duration) {
            self.sleeps.push(duration);
        }

        /// A fixed sequence, so jitter and boundaries are reproducible.
        fn random_u64(&mut self) -> u64 {
            self.randoms += 1;
            self.randoms.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }

        fn today(&mut self) -> Date {
            self.today.unwrap_or(TODAY)
        }
    }

    pub(crate) fn settings() -> Vec<Setting> {
        vec![text("api-key", KEY), text("base-url", "https://api.test/v1")]
    }

    /// `settings()` plus one more.
    fn settings_and(extra: Setting) -> Vec<Setting> {
        let mut s = settings();
        s.push(extra);
        s
    }

    pub(crate) fn client_with(settings: Vec<Setting>, script: Vec<Step>) -> Client<Fake> {
        let config = Config::from_settings(&settings).unwrap();
        Client::new(config, Fake { script: script.into(), ..Fake::default() })
    }

    /// A client whose host clock says `today`.
    pub(crate) fn client_on(today: Date, script: Vec<Step>) -> Client<Fake> {
        let mut c = client(script);
        c.transport.today = Some(today);
        c
    }

    pub(crate) fn client(script: Vec<Step>) -> Client<Fake> {
        client_with(settings(), script)
    }

    fn images_body(images: &[Vec<u8>]) -> Value {
        json!({
            "created": 1713833628,
            "data": images.iter().map(|i| json!({"b64_json": b64(i)})).collect::<Vec<_>>(),
            "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50,
                      "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}}
        })
    }

    pub(crate) fn error_body(message: &str, kind: &str, code: Option<&str>) -> Value {
        json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
    }

    fn gpt(prompt: &str) -> GenerateRequest {
        let mut r = GenerateRequest::new(prompt, ImageFormat::Landscape);
        r.model = Some("gpt-image-1".into());
        r
    }

    #[test]
    fn generate_sends_one_request_and_describes_the_image() {
        let png = fixtures::png(1536, 1024);
        let mut c = client(vec![json_response(200, images_body(std::slice::from_ref(&png)))]);
        let g = c.generate(&GenerateRequest::new("an otter", ImageFormat::Landscape)).unwrap();
        assert_eq!((g.model.as_str(), g.images.len()), ("gpt-image-2.6-flare", 1));
        assert_eq!(g.images[0].data, png);
        assert_eq!((g.images[0].width, g.images[0].height, g.images[0].mime_type.as_str()), (1536, 1024, "image/png"));
        assert_eq!(g.usage.as_ref().unwrap().total_tokens, 100);
        // 10 text and 40 image tokens in at $5 and $8 per million, 50 image tokens out at $30.
        let cost = g.cost.unwrap();
        assert!((cost.usd - (10.0 * 5.0 + 40.0 * 8.0 + 50.0 * 30.0) / 1e6).abs() < 1e-12, "{}", cost.usd);
        assert!(cost.complete);
        let sent = &c.transport.sent;
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].method, sent[0].url.as_str()), (Method::Post, "https://api.test/v1/images/generations"));
        assert_eq!(sent[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
        assert_eq!(
            sent[0].json(),
            json!({"model": "gpt-image-2.6-flare", "prompt": "an otter", "n": 1, "size": "1536x1024"})
        );
        assert_eq!(sent[0].timeouts, c.config.timeouts());
        assert!(c.transport.sleeps.is_empty());
    }

    #[test]
    fn the_image_is_received_and_decoded_in_one_allocation_sized_by_content_length() {
        let png = fixtures::png(300, 200);
        let body = serde_json::to_vec(&images_body(std::slice::from_ref(&png))).unwrap();
        let len = body.len().to_string();
        let huge = u64::MAX.to_string();
        for (declared, exact) in
            [(Some(len.as_str()), true), (Some("10"), false), (Some(huge.as_str()), false), (None, false)]
        {
            let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
            headers.extend(declared.map(|v| ("content-length".to_string(), v.to_string())));
            let chunks = body.chunks(1000).map(|c| Ok(c.to_vec())).collect();
            let mut c = client(vec![Step::Respond { status: 200, headers, chunks }]);
            let g = c.generate(&gpt("x")).unwrap();
            assert_eq!(g.images[0].data, png, "{declared:?}");
            if exact {
                // Reserved once from the header; the image then reuses the body's buffer.
                assert_eq!(g.images[0].data.capacity(), body.len());
            }
        }
    }

    #[test]
    fn invalid_input_sends_nothing() {
        let mut c = client(vec![]);
        let e = c.generate(&GenerateRequest::new("  ", ImageFormat::Square)).unwrap_err();
        assert_eq!(e.kind(), "invalid-input");
        let mut dalle_edit = EditRequest::new("x", ImageFormat::Square, vec![fixtures::png(8, 8)]);
        dalle_edit.model = Some("dall-e-3".into());
        assert_eq!(c.edit(&dalle_edit).unwrap_err().kind(), "unsupported");
        assert_eq!(c.start_edit(&dalle_edit, 2).unwrap_err().kind(), "unsupported");
        assert!(c.transport.sent.is_empty());
    }

    #[test]
    fn a_429_then_success_retries_once_after_the_requested_wait() {
        let limited = error_body("Rate limit reached for gpt-image-1.", "requests", Some("rate_limit_exceeded"));
        let mut c = client(vec![
            respond(429, &[("retry-after-ms", "1200")], serde_json::to_vec(&limited).unwrap()),
            json_response(200, images_body(&[fixtures::png(8, 8)])),
        ]);
        c.generate(&gpt("x")).unwrap();
        assert_eq!(c.transport.sent.len(), 2);
        assert_eq!(c.transport.sleeps, vec![Duration::from_millis(1200)]);
        // The same request both times.
        assert_eq!(c.transport.sent[0].body, c.transport.sent[1].body);
    }

    #[test]
    fn a_persistent_503_makes_max_retries_plus_one_attempts() {
        let overloaded = || json_response(503, error_body("The engine is currently overloaded", "server_error", None));
        for retries in [0u32, 2, 4] {
            let s = settings_and(set("max-retries", SettingValue::Number(f64::from(retries))));
            let mut c = client_with(s, (0..=retries).map(|_| overloaded()).collect());
            let e = c.generate(&gpt("x")).unwrap_err();
            assert_eq!((e.kind(), e.status()), ("upstream", Some(503)));
            assert_eq!(e.failure().unwrap().request_id.as_deref(), Some("req_1"));
            assert_eq!(c.transport.sent.len() as u32, retries + 1);
            assert_eq!(c.transport.sleeps.len() as u32, retries);
            // Exponential backoff with at most 25 % jitter.
            for (i, slept) in c.transport.sleeps.iter().enumerate() {
                let full = Duration::from_millis(500 * (1 << i)).min(Duration::from_secs(8));
                assert!(*slept <= full && *slept >= full.mul_f64(0.75), "{i}: {slept:?}");
            }
        }
    }

    #[test]
    fn an_empty_account_is_never_retried() {
        let quota = error_body("You exceeded your current quota.", "insufficient_quota", Some("insufficient_quota"));
        let mut c = client(vec![respond(429, &[("retry-after", "1")], serde_json::to_vec(&quota).unwrap())]);
        assert_eq!(c.generate(&gpt("x")).unwrap_err().kind(), "quota-exceeded");
        assert_eq!(c.transport.sent.len(), 1);
        assert!(c.transport.sleeps.is_empty());
    }

    #[test]
    fn a_long_server_wait_is_returned_not_slept_through() {
        let limited = error_body("Rate limit reached.", "requests", Some("rate_limit_exceeded"));
        let mut c = client(vec![respond(429, &[("retry-after", "120")], serde_json::to_vec(&limited).unwrap())]);
        let e = c.generate(&gpt("x")).unwrap_err();
        assert!(matches!(e, Error::RateLimited(RateLimit { retry_after_ms: Some(120_000), .. })), "{e:?}");
        assert_eq!(c.transport.sent.len(), 1);
        assert!(c.transport.sleeps.is_empty());
    }

    #[test]
    fn timeouts_after_sending_are_not_retried() {
        for phase in [TimeoutPhase::FirstByte, TimeoutPhase::BetweenBytes] {
            let mut c = client(vec![Step::Fail(TransportError::Timeout(phase))]);
            let e = c.generate(&gpt("x")).unwrap_err();
            assert!(matches!(e, Error::Timeout(TimeoutInfo { phase: p, .. }) if p == phase), "{e:?}");
            assert_eq!(c.transport.sent.len(), 1);
        }
        let mut c = client(vec![Step::Fail(TransportError::Reset("connection reset by peer".into()))]);
        assert_eq!(c.generate(&gpt("x")).unwrap_err().kind(), "network");
        assert_eq!(c.transport.sent.len(), 1);
        // A body that stalls after a 200 is not retried either: the image was made.
        let mut c = client(vec![Step::Respond {
            status: 200,
            headers: vec![],
            chunks: vec![Ok(b"{\"data\":[".to_vec()), Err(TransportError::Timeout(TimeoutPhase::BetweenBytes))],
        }]);
        assert!(matches!(
            c.generate(&gpt("x")).unwrap_err(),
            Error::Timeout(TimeoutInfo { phase: TimeoutPhase::BetweenBytes, .. })
        ));
        assert_eq!(c.transport.sent.len(), 1);
    }

    #[test]
    fn connection_failures_are_retried() {
        let mut c = client(vec![
            Step::Fail(TransportError::Connect("connection refused".into())),
            Step::Fail(TransportError::Timeout(TimeoutPhase::Connect)),
            json_response(200, images_body(&[fixtures::png(8, 8)])),
        ]);
        c.generate(&gpt("x")).unwrap();
        assert_eq!(c.transport.sent.len(), 3);
        assert_eq!(c.transport.sleeps.len(), 2);
        let mut c = client((0..3).map(|_| Step::Fail(TransportError::Connect("refused".into()))).collect());
        let e = c.generate(&gpt("x")).unwrap_err();
        assert_eq!(e.kind(), "network");
        assert!(e.message().contains("https://api.test/v1/images/generations"), "{}", e.message());
    }

    #[test]
    fn the_key_never_leaves_in_an_error() {
        // EchoKey: a server that quotes the whole key back.
        let echo = error_body(
            &format!("Incorrect API key provided: {KEY}."),
            "invalid_request_error",
            Some("invalid_api_key"),
        );
        let mut c = client(vec![json_response(401, echo)]);
        let e = c.generate(&gpt("x")).unwrap_err();
        assert_eq!((e.kind(), e.status()), ("authentication", Some(401)));
        assert!(!format!("{e:?}").contains(&KEY[8..20]), "{e:?}");
        assert!(e.message().contains("[redacted]"));
        // In a proxy page, a transport message, a stream, a check.
        let mut c = client(vec![respond(403, &[], format!("<h1>forbidden for {KEY}</h1>"))]);
        assert!(!format!("{:?}", c.generate(&gpt("x")).unwrap_err()).contains(KEY));
        let mut c = client(vec![Step::Fail(TransportError::Other(format!("tls alert with {KEY}")))]);
        assert!(!format!("{:?}", c.generate(&gpt("x")).unwrap_err()).contains(KEY));
        let mut c = client(vec![json_response(401, error_body(&format!("bad key {KEY}"), "x", None))]);
        let status = c.check(Capability::TextToImage, Some("gpt-image-1")).unwrap();
        assert!(!format!("{status:?}").contains(KEY), "{status:?}");
        let event =
            format!("event: error\ndata: {}\n\n", json!({"type": "error", "code": "server_error", "message": KEY}));
        let mut c = client(vec![respond(200, &[("content-type", "text/event-stream")], event)]);
        let mut stream = c.start_generate(&gpt("x"), 1).unwrap();
        assert!(!format!("{:?}", stream.next()).contains(KEY));
    }

    /// No 8-character run of [`KEY`] anywhere in `what` (an error or status, formatted).
    fn assert_no_key(what: &str) {
        for window in KEY.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(!what.contains(window), "part of the key ({window}) leaked into {what}");
        }
    }

    #[test]
    fn no_error_from_any_path_carries_the_key() {
        // A server that echoes the key in every field it can: message, code, request id.
        let echo = || {
            let body = error_body(&format!("Incorrect API key provided: {KEY}."), "invalid_request_error", Some(KEY));
            respond(401, &[("x-request-id", KEY)], serde_json::to_vec(&body).unwrap())
        };
        // A transport that quotes it; a stream whose error event and broken connection quote it.
        let quoted = || Step::Fail(TransportError::Other(format!("tls alert with {KEY}")));
        let sse = |body: String| respond(200, &[("content-type", "text/event-stream")], body);
        let error_event = || {
            let event = json!({"type": "error", "code": KEY, "message": format!("bad key {KEY}")});
            sse(format!("event: error\ndata: {event}\n\n"))
        };
        let broken = || Step::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks: vec![Err(TransportError::Reset(format!("peer said {KEY}")))],
        };
        let edit = || {
            let mut request = EditRequest::new("x", ImageFormat::Square, vec![fixtures::png(8, 8)]);
            request.model = Some("gpt-image-1".into());
            request
        };
        let analyze = || AnalyzeRequest::new(fixtures::png(8, 8), "what is this?");
        let mut errors: Vec<Error> = Vec::new();

        // open: a setting that quotes the key back.
        let s = vec![text("api-key", KEY), text("base-url", &format!("ftp://{KEY}"))];
        errors.push(Client::open(&s, Fake::default()).map(|_| ()).unwrap_err());
        // open: a setting whose name is the key, pasted in the wrong field.
        let s = vec![text("api-key", KEY), text(KEY, "x")];
        errors.push(Client::open(&s, Fake::default()).map(|_| ()).unwrap_err());
        let steps: [&dyn Fn() -> Step; 2] = [&echo, &quoted];
        for step in steps {
            errors.push(client(vec![step()]).generate(&gpt("x")).unwrap_err());
            errors.push(client(vec![step()]).edit(&edit()).unwrap_err());
            errors.push(client(vec![step()]).analyze(&analyze()).unwrap_err());
            errors.push(client(vec![step()]).start_generate(&gpt("x"), 1).unwrap_err());
            errors.push(client(vec![step()]).start_edit(&edit(), 1).unwrap_err());
            errors.push(client(vec![step()]).models(None).unwrap_err());
            let status = client(vec![step()]).check(Capability::TextToImage, Some("gpt-image-1")).unwrap();
            assert_no_key(&format!("{:?}", (&status.message, &status.problem)));
            errors.extend(status.problem);
        }
        // A model id that is the key: named in the check's message.
        let not_found =
            json_response(404, error_body("no such model", "invalid_request_error", Some("model_not_found")));
        let status = client(vec![not_found]).check(Capability::TextToImage, Some(KEY)).unwrap();
        assert_no_key(&status.message);
        errors.extend(status.problem);
        let steps: [&dyn Fn() -> Step; 2] = [&error_event, &broken];
        for step in steps {
            let mut stream = client(vec![step()]).start_generate(&gpt("x"), 1).unwrap();
            errors.push(stream.next().unwrap().unwrap_err());
            let mut stream = client(vec![step()]).start_edit(&edit(), 1).unwrap();
            errors.push(stream.next().unwrap().unwrap_err());
        }
        assert_eq!(errors.len(), 2 + 2 * 7 + 1 + 2 * 2);
        for e in &errors {
            assert_no_key(&format!("{e:?}"));
        }
        // The failures are still the typed ones, only scrubbed.
        assert_eq!(errors[0].kind(), "invalid-input");
        assert!(errors[0].message().contains("[redacted]"), "{}", errors[0].message());
        assert_eq!(errors[1].kind(), "invalid-input");
        assert!(errors[1].message().starts_with("unknown setting `[redacted]`"), "{}", errors[1].message());
        assert_eq!(errors[2].failure().unwrap().code.as_deref(), Some("[redacted]"));
        assert_eq!(errors[2].failure().unwrap().request_id.as_deref(), Some("[redacted]"));
    }

    #[test]
    fn the_body_cap_is_enforced() {
        let s = settings_and(set("max-response-bytes", SettingValue::Number(1000.0)));
        let big = images_body(&[fixtures::png(8, 8), vec![0u8; 2000]]);
        let mut c = client_with(s, vec![json_response(200, big)]);
        let e = c.generate(&gpt("x")).unwrap_err();
        assert_eq!((e.kind(), e.status()), ("malformed-response", Some(200)));
        assert!(e.message().contains("1000-byte cap"), "{}", e.message());
    }

    #[test]
    fn error_bodies_are_read_only_up_to_a_limit() {
        let mut body = Vec::new();
        for _ in 0..1000 {
            body.extend_from_slice(&[b'x'; 1024]);
        }
        let s = settings_and(set("max-retries", SettingValue::Number(0.0)));
        let mut c = client_with(s, vec![respond(500, &[], body)]);
        let e = c.generate(&gpt("x")).unwrap_err();
        assert_eq!(e.kind(), "upstream");
        assert!(e.message().len() < 400);
    }

    #[test]
    fn bad_2xx_bodies_carry_status_and_request_id() {
        let mut c = client(vec![respond(200, &[("x-request-id", "req_bad")], "<html>oops</html>")]);
        let e = c.generate(&gpt("x")).unwrap_err();
        let f = e.failure().unwrap();
        assert_eq!((e.kind(), f.status, f.request_id.as_deref()), ("malformed-response", Some(200), Some("req_bad")));
    }

    #[test]
    fn edit_uses_a_random_boundary() {
        let mut c = client(vec![json_response(200, images_body(&[fixtures::png(1024, 1024)]))]);
        let mut request = EditRequest::new("add a hat", ImageFormat::Square, vec![fixtures::png(512, 512)]);
        request.model = Some("gpt-image-1".into());
        c.edit(&request).unwrap();
        let sent = &c.transport.sent[0];
        assert_eq!(sent.url, "https://api.test/v1/images/edits");
        let content_type = sent.header("content-type").unwrap();
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(boundary.len(), 32);
        assert!(boundary.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert!(sent.body.windows(boundary.len()).any(|w| w == boundary.as_bytes()));
    }

    #[test]
    fn analyze_asks_chat_completions() {
        let answer = json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini-2025-04-14",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "An otter.", "refusal": null},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}
        });
        let mut c = client(vec![json_response(200, answer)]);
        let request = AnalyzeRequest {
            options: vec![Parameter::text("detail", "low")],
            ..AnalyzeRequest::new(fixtures::png(64, 64), "what is this?")
        };
        let a = c.analyze(&request).unwrap();
        assert_eq!(a.text, "An otter.");
        assert_eq!(c.transport.sent[0].url, "https://api.test/v1/chat/completions");
        assert_eq!(c.transport.sent[0].json()["model"], analyze::DEFAULT_MODEL);
        assert_eq!(c.transport.sent[0].json()["reasoning_effort"], "low");
        let mut c = client(vec![json_response(
            404,
            error_body("The model 'nope' does not exist", "invalid_request_error", Some("model_not_found")),
        )]);
        let e = c.analyze(&AnalyzeRequest { model: Some("nope".into()), ..request }).unwrap_err();
        assert_eq!(e.kind(), "not-found");
    }

    #[test]
    fn an_unverified_organization_is_explained() {
        let body: Value = serde_json::from_str(crate::api_error::tests::observed::ORG_NOT_VERIFIED_403).unwrap();
        let mut c = client(vec![json_response(403, body)]);
        let mut request = gpt("x");
        request.model = Some("gpt-image-1.5".into());
        let e = c.generate(&request).unwrap_err();
        assert_eq!((e.kind(), e.status()), ("permission-denied", Some(403)));
        assert!(e.message().contains("https://platform.openai.com/settings/organization/general"));
        assert!(e.message().contains("`gpt-image-1.5`"));
        assert_eq!(c.transport.sent.len(), 1);
    }

    #[test]
    fn start_generate_streams_partials_then_the_result() {
        let stream_body = [
            partial("image_generation", 0, &fixtures::png(16, 16)),
            partial("image_generation", 1, &fixtures::png(32, 32)),
            completed("image_generation", &fixtures::png(1536, 1024)),
        ]
        .concat();
        let chunks = stream_body.as_bytes().chunks(777).map(|c| Ok(c.to_vec())).collect();
        let mut c = client(vec![Step::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream; charset=utf-8".into())],
            chunks,
        }]);
        let stream = c.start_generate(&gpt("x"), 2).unwrap();
        let sent = &c.transport.sent[0];
        assert_eq!((sent.json()["stream"].clone(), sent.json()["partial_images"].clone()), (json!(true), json!(2)));
        assert_eq!(sent.header("accept"), Some("text/event-stream"));
        let events: Vec<_> = stream.collect::<Result<_, _>>().unwrap();
        assert_eq!(events.len(), 3);
        assert!(matches!(&events[0], GenerationEvent::Partial(p) if p.partial_index == 0 && p.image.width == 16));
        assert!(matches!(&events[1], GenerationEvent::Partial(p) if p.partial_index == 1 && p.image.width == 32));
        assert!(
            matches!(&events[2], GenerationEvent::Completed(g) if g.images[0].width == 1536 && g.model == "gpt-image-1")
        );
    }

    #[test]
    fn start_generate_with_dall_e_3_yields_the_result_once() {
        let mut c = client(vec![json_response(200, images_body(&[fixtures::png(1792, 1024)]))]);
        let mut dalle = GenerateRequest::new("x", ImageFormat::Landscape);
        dalle.model = Some("dall-e-3".into());
        let mut stream = c.start_generate(&dalle, 3).unwrap();
        assert!(c.transport.sent[0].json().get("stream").is_none());
        assert!(matches!(stream.next(), Some(Ok(GenerationEvent::Completed(g))) if g.images[0].width == 1792));
        assert!(stream.next().is_none());
    }

    #[test]
    fn a_refused_stream_fails_before_it_starts() {
        let blocked = error_body(
            "Your request was rejected by the safety system. safety_violations=[violence].",
            "image_generation_user_error",
            Some("moderation_blocked"),
        );
        let mut c = client(vec![json_response(400, blocked)]);
        let e = c.start_generate(&gpt("x"), 1).unwrap_err();
        assert_eq!((e.kind(), e.status()), ("content-policy", Some(400)));
        let mut c = client(vec![
            json_response(503, error_body("overloaded", "server_error", None)),
            respond(200, &[("content-type", "text/event-stream")], completed("image_generation", &fixtures::png(8, 8))),
        ]);
        let mut stream = c.start_generate(&gpt("x"), 1).unwrap();
        assert!(matches!(stream.next(), Some(Ok(GenerationEvent::Completed(_)))));
        assert_eq!(c.transport.sleeps.len(), 1);
    }

    #[test]
    fn a_plain_json_answer_to_a_stream_request_is_one_result() {
        let mut c = client(vec![json_response(200, images_body(&[fixtures::png(8, 8), fixtures::png(9, 9)]))]);
        let mut request = gpt("x");
        request.n = Some(2);
        let mut stream = c.start_generate(&request, 1).unwrap();
        assert!(matches!(stream.next(), Some(Ok(GenerationEvent::Completed(g))) if g.images.len() == 2));
        assert!(stream.next().is_none());
    }

    #[test]
    fn start_edit_streams_edit_events() {
        let body =
            [partial("image_edit", 0, &fixtures::png(8, 8)), completed("image_edit", &fixtures::png(1024, 1024))]
                .concat();
        let mut c = client(vec![respond(200, &[("content-type", "text/event-stream")], body)]);
        let mut request = EditRequest::new("x", ImageFormat::Square, vec![fixtures::png(64, 64)]);
        request.model = Some("gpt-image-1.5".into());
        let events: Vec<_> = c.start_edit(&request, 1).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(c.transport.sent[0].url, "https://api.test/v1/images/edits");
    }

    const RETIRED_404: &str = r#"{"error": {"message": "The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations", "type": "invalid_request_error", "code": "model_not_found"}}"#;

    #[test]
    fn a_retired_model_fails_with_the_date_and_the_replacement() {
        let mut dalle = GenerateRequest::new("x", ImageFormat::Landscape);
        dalle.model = Some("dall-e-3".into());
        let mut c = client(vec![respond(404, &[("x-request-id", "req_r")], RETIRED_404)]);
        let e = c.generate(&dalle).unwrap_err();
        let f = e.failure().unwrap();
        assert_eq!(
            (e.kind(), f.status, f.code.as_deref(), f.request_id.as_deref()),
            ("not-found", Some(404), Some("model_not_found"), Some("req_r"))
        );
        assert_eq!(e.message(), "the model `dall-e-3` was retired on 2026-05-12; use gpt-image-2.5-sunburst instead");
        assert_eq!(c.transport.sent.len(), 1, "a 404 is never retried");
        // Editing with a retired model, and an unknown one the service says was deprecated.
        let mut edit = EditRequest::new("x", ImageFormat::Square, vec![fixtures::png(8, 8)]);
        edit.model = Some("gpt-image-1".into());
        let body = RETIRED_404.replace("dall-e-3", "gpt-image-1");
        let e = client(vec![respond(404, &[], body)]).edit(&edit).unwrap_err();
        assert_eq!(
            e.message(),
            "the model `gpt-image-1` was retired on 2026-10-23; use gpt-image-2.5-sunburst instead"
        );
        let mut old = GenerateRequest::new("x", ImageFormat::Square);
        old.model = Some("dall-e-2".into());
        let e =
            client(vec![respond(404, &[], RETIRED_404.replace("dall-e-3", "dall-e-2"))]).generate(&old).unwrap_err();
        assert_eq!(e.message(), "the model `dall-e-2` has been retired; use gpt-image-2.6-flare instead");
        let analyze =
            AnalyzeRequest { model: Some("gpt-4o-mini".into()), ..AnalyzeRequest::new(fixtures::png(8, 8), "?") };
        let gone = || {
            json_response(
                404,
                error_body("The model `gpt-4o-mini` does not exist", "invalid_request_error", Some("model_not_found")),
            )
        };
        let e = client_on(Date::ymd(2027, 1, 15), vec![gone()]).analyze(&analyze).unwrap_err();
        assert_eq!(e.message(), "the model `gpt-4o-mini` was retired on 2027-01-14; use gpt-6-luna instead");
        // The same answer a day before the shutdown is an ordinary not-found.
        let e = client_on(Date::ymd(2027, 1, 13), vec![gone()]).analyze(&analyze).unwrap_err();
        assert!(e.message().starts_with("the model `gpt-4o-mini` was not found"), "{}", e.message());
        // On Azure, deployments are the user's names: left alone.
        let azure = vec![
            text("api-key", KEY),
            text("azure-endpoint", "https://res.openai.azure.com"),
            text("azure-text-to-image-deployment", "dall-e-3"),
        ];
        let e = client_with(azure, vec![respond(404, &[], RETIRED_404)]).generate(&dalle).unwrap_err();
        assert!(e.message().starts_with("the model `dall-e-3` was not found"), "{}", e.message());
    }

    fn list_body(models: &[(&str, Option<&str>)]) -> Value {
        json!({"object": "list", "data": models.iter().map(|(id, shutdown)| json!({
            "id": id, "object": "model", "created": 1, "owned_by": "system", "shutdown_date": shutdown
        })).collect::<Vec<_>>()})
    }

    #[test]
    fn models_lists_what_the_service_lists_with_dates() {
        let body = list_body(&[
            ("gpt-image-2.5-flare", None),
            ("gpt-4o-mini", Some("2027-01-14")),
            ("gpt-6-luna", None),
            ("tts-1", None),
        ]);
        let mut c = client(vec![json_response(200, body.clone())]);
        let entries = c.models(Some(Capability::ImageAnalysis)).unwrap();
        let sent = &c.transport.sent[0];
        assert_eq!((sent.method, sent.url.as_str()), (Method::Get, "https://api.test/v1/models"));
        assert_eq!(sent.timeouts.first_byte, check::LOOKUP_FIRST_BYTE_TIMEOUT);
        let listed: Vec<(&str, Option<ModelState>)> = entries
            .iter()
            .filter(|e| e.listed)
            .map(|e| (e.id.as_str(), e.lifecycle.as_ref().map(|l| l.state)))
            .collect();
        assert_eq!(listed, [("gpt-4o-mini", Some(ModelState::Deprecated)), ("gpt-6-luna", Some(ModelState::Active))]);
        assert!(entries.iter().any(|e| e.id == "gpt-4.1-mini" && !e.listed));
        // What the service says changes the answer: a moved date, a model added.
        let moved = list_body(&[("gpt-4o-mini", Some("2027-04-01")), ("gpt-6-luna", None), ("gpt-6.1-luna", None)]);
        let entries = client(vec![json_response(200, moved)]).models(Some(Capability::ImageAnalysis)).unwrap();
        let mini = entries.iter().find(|e| e.id == "gpt-4o-mini").unwrap();
        assert_eq!(mini.lifecycle.as_ref().and_then(|l| l.shutdown_date.as_deref()), Some("2027-04-01"));
        assert!(entries.iter().any(|e| e.id == "gpt-6.1-luna" && e.listed));
        // Every capability at once.
        let all = client(vec![json_response(200, body)]).models(None).unwrap();
        assert!(Capability::ALL.iter().all(|c| all.iter().any(|e| e.capability == *c)));
        // Errors as for any call.
        let e = client(vec![json_response(
            401,
            error_body("Incorrect API key", "invalid_request_error", Some("invalid_api_key")),
        )])
        .models(None)
        .unwrap_err();
        assert_eq!((e.kind(), e.status()), ("authentication", Some(401)));
        let e =
            client(vec![respond(200, &[("x-request-id", "req_m")], "<html>portal</html>")]).models(None).unwrap_err();
        assert_eq!(
            (e.kind(), e.status(), e.failure().unwrap().request_id.as_deref()),
            ("malformed-response", Some(200), Some("req_m"))
        );
    }

    #[test]
    fn models_on_azure_are_the_configured_deployments() {
        let azure = vec![
            text("api-key", KEY),
            text("azure-endpoint", "https://res.openai.azure.com"),
            text("azure-text-to-image-deployment", "img"),
            text("azure-image-analysis-deployment", "vision"),
        ];
        let mut c = client_with(azure, vec![]);
        let entries = c.models(None).unwrap();
        let got: Vec<(&str, Capability, bool, bool)> =
            entries.iter().map(|e| (e.id.as_str(), e.capability, e.listed, e.lifecycle.is_none())).collect();
        assert_eq!(
            got,
            [("img", Capability::TextToImage, true, true), ("vision", Capability::ImageAnalysis, true, true)]
        );
        assert!(c.models(Some(Capability::ImageEdit)).unwrap().is_empty());
        assert!(c.transport.sent.is_empty(), "no request");
    }

    #[test]
    fn models_never_hand_back_the_key() {
        let body = list_body(&[(KEY, None), (&format!("gpt-image-{KEY}"), None)]);
        let entries = client(vec![json_response(200, body)]).models(None).unwrap();
        assert!(!entries.is_empty());
        for e in &entries {
            assert_no_key(&format!("{:?}", (&e.id, &e.label, &e.note)));
        }
        let echo = error_body(&format!("bad key {KEY}"), "invalid_request_error", Some(KEY));
        let e = client(vec![json_response(401, echo)]).models(None).unwrap_err();
        assert_no_key(&format!("{e:?}"));
    }

    #[test]
    fn read_capped_keeps_the_first_bytes() {
        let mut body =
            Chunks::new(vec![Ok(b"abc".to_vec()), Ok(b"defg".to_vec()), Err(TransportError::Reset("x".into()))]);
        assert_eq!(read_capped(&mut body, 5), b"abcde");
        let mut body = Chunks::new(vec![Ok(b"ab".to_vec()), Err(TransportError::Reset("x".into()))]);
        assert_eq!(read_capped(&mut body, 5), b"ab");
    }
}
