//! The response body: a script of chunks, pauses and breakages.
//!
//! One body type covers plain JSON, event streams (chunks with pauses), and
//! the connection faults (a stall mid-body, an abrupt reset, a huge body that
//! is generated as it is sent rather than allocated). It also notices when
//! hyper drops it before the end, which is how a client going away
//! mid-response is counted.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One step of a body script.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Data(Bytes),
    Pause(Duration),
    /// `chunk` (or a prefix of it) over and over until `remaining` bytes are sent.
    Repeat {
        chunk: Bytes,
        remaining: u64,
    },
    /// Drop the connection with a TCP reset.
    Reset,
    /// End the body with an error; hyper closes the connection without finishing the message.
    Close,
}

/// What to send, in order; `declared_len` becomes `Content-Length` (else chunked).
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    pub steps: VecDeque<Step>,
    pub declared_len: Option<u64>,
}

impl Script {
    /// A complete body with a `Content-Length`.
    pub fn full(bytes: impl Into<Bytes>) -> Script {
        let bytes = bytes.into();
        let len = bytes.len() as u64;
        let steps = if bytes.is_empty() { VecDeque::new() } else { VecDeque::from([Step::Data(bytes)]) };
        Script { steps, declared_len: Some(len) }
    }

    /// A chunked body built step by step.
    pub fn chunked(steps: impl IntoIterator<Item = Step>) -> Script {
        Script { steps: steps.into_iter().collect(), declared_len: None }
    }

    /// All data bytes, concatenated (for scripts that are plain data).
    pub fn data(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.steps {
            if let Step::Data(b) = s {
                out.extend_from_slice(b);
            }
        }
        out
    }
}

/// Counts a client going away: armed until the body has produced its last byte.
pub(crate) struct DisconnectGuard {
    counter: Arc<AtomicUsize>,
    armed: bool,
    /// Counts the exchange as in flight until the body is dropped.
    flight: Option<Arc<InFlight>>,
}

impl DisconnectGuard {
    pub fn new(counter: Arc<AtomicUsize>) -> Self {
        DisconnectGuard { counter, armed: true, flight: None }
    }

    /// Also counts this exchange in `flight` until the guard is dropped.
    pub fn in_flight(mut self, flight: Arc<InFlight>) -> Self {
        let now = flight.current.fetch_add(1, Ordering::SeqCst) + 1;
        flight.peak.fetch_max(now, Ordering::SeqCst);
        self.flight = Some(flight);
        self
    }

    pub fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for DisconnectGuard {
    fn drop(&mut self) {
        if self.armed {
            self.counter.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(flight) = self.flight.take() {
            flight.current.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Exchanges between a request's arrival and the end (or abandonment) of its
/// response, and the most there have been at once.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    pub current: AtomicUsize,
    pub peak: AtomicUsize,
}

/// The hyper body that plays a [`Script`].
pub struct MockBody {
    steps: VecDeque<Step>,
    remaining_declared: Option<u64>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    guard: Option<DisconnectGuard>,
    /// Set to make the connection close with a reset (see `net::ConnIo`).
    reset: Arc<AtomicBool>,
}

impl MockBody {
    pub(crate) fn new(script: Script, guard: Option<DisconnectGuard>, reset: Arc<AtomicBool>) -> Self {
        let mut body =
            MockBody { steps: script.steps, remaining_declared: script.declared_len, sleep: None, guard, reset };
        if body.steps.is_empty() {
            body.finish();
        }
        body
    }

    fn finish(&mut self) {
        if let Some(g) = self.guard.as_mut() {
            g.disarm();
        }
    }

    fn data(&mut self, bytes: Bytes) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(r) = self.remaining_declared.as_mut() {
            *r = r.saturating_sub(bytes.len() as u64);
        }
        // hyper may never poll again once the last frame is out, so the end is noted here.
        if self.steps.is_empty() {
            self.finish();
        }
        Poll::Ready(Some(Ok(Frame::data(bytes))))
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        loop {
            let Some(step) = this.steps.front_mut() else {
                this.finish();
                return Poll::Ready(None);
            };
            match step {
                Step::Data(_) => {
                    let Some(Step::Data(bytes)) = this.steps.pop_front() else { unreachable!() };
                    return this.data(bytes);
                }
                Step::Pause(d) => {
                    let d = *d;
                    let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(d)));
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.sleep = None;
                    this.steps.pop_front();
                }
                Step::Repeat { chunk, remaining } => {
                    if *remaining == 0 {
                        this.steps.pop_front();
                        continue;
                    }
                    let n = (chunk.len() as u64).min(*remaining) as usize;
                    let out = chunk.slice(..n);
                    *remaining -= n as u64;
                    if *remaining == 0 {
                        this.steps.pop_front();
                    }
                    return this.data(out);
                }
                Step::Reset => {
                    this.steps.clear();
                    this.finish();
                    this.reset.store(true, Ordering::SeqCst);
                    return Poll::Ready(Some(Err("mock fault: connection reset mid-body".into())));
                }
                Step::Close => {
                    this.steps.clear();
                    this.finish();
                    return Poll::Ready(Some(Err("mock fault: connection closed mid-body".into())));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.steps.is_empty() && self.sleep.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining_declared {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

/// A whole answer: status, headers and body script.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: http::StatusCode,
    pub headers: Vec<(String, String)>,
    pub script: Script,
    /// Silence before anything is written (the no-first-byte fault).
    pub first_byte_delay: Duration,
    /// Sent by something in front of the service (a proxy page): no API headers.
    pub bare: bool,
}

impl Reply {
    pub fn new(status: http::StatusCode, content_type: &str, script: Script) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_string(), content_type.to_string())],
            script,
            first_byte_delay: Duration::ZERO,
            bare: false,
        }
    }

    pub fn json(status: http::StatusCode, value: &serde_json::Value) -> Reply {
        Reply::new(status, "application/json", Script::full(serde_json::to_vec(value).expect("JSON values serialize")))
    }

    pub fn error(e: &super::errors::ApiError) -> Reply {
        let mut r = Reply::json(e.status, &e.body);
        r.headers.extend(e.headers.iter().cloned());
        r
    }

    pub fn event_stream(script: Script) -> Reply {
        let mut r = Reply::new(http::StatusCode::OK, "text/event-stream; charset=utf-8", script);
        r.headers.push(("cache-control".to_string(), "no-cache".to_string()));
        r
    }
}
