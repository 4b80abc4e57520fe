//! HTTP as the pure logic sees it: requests it builds, responses it reads, and
//! the [`Transport`] that carries them.
//!
//! The component's transport (`transport.rs`) implements [`Transport`] over
//! `wasi:http`; unit tests implement it with scripted responses. Everything
//! above this trait (retries, error mapping, parsing) is therefore tested
//! natively, without a WebAssembly runtime.

use std::borrow::Cow;
use std::time::Duration;

use crate::bindings::{Error, Failure, TimeoutInfo, TimeoutPhase};
use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A request body as a sequence of pieces, so large inputs (reference images)
/// are borrowed from the caller and written straight to the wire instead of
/// being copied into one buffer first.
#[derive(Debug, Clone, Default)]
pub struct Body<'a> {
    pub segments: Vec<Cow<'a, [u8]>>,
}

impl<'a> Body<'a> {
    pub fn empty() -> Self {
        Body { segments: Vec::new() }
    }

    pub fn from_vec(bytes: Vec<u8>) -> Self {
        Body { segments: vec![Cow::Owned(bytes)] }
    }

    pub fn push_owned(&mut self, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.segments.push(Cow::Owned(bytes));
        }
    }

    pub fn push_borrowed(&mut self, bytes: &'a [u8]) {
        if !bytes.is_empty() {
            self.segments.push(Cow::Borrowed(bytes));
        }
    }

    /// Total length in bytes, for `Content-Length`.
    pub fn len(&self) -> u64 {
        self.segments.iter().map(|s| s.len() as u64).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body in one buffer. For tests and small bodies only.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() as usize);
        for s in &self.segments {
            out.extend_from_slice(s);
        }
        out
    }
}

/// A request ready to send. `headers` never includes `Content-Length` or
/// `Host`: the transport derives those.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: Method,
    pub scheme: Scheme,
    /// `host[:port]`
    pub authority: String,
    /// Path and query, starting with `/`.
    pub path_with_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Body<'a>,
}

impl Request<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The URL, for messages. Never contains the key (it travels in a header).
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme.as_str(), self.authority, self.path_with_query)
    }
}

/// How long each phase of an exchange may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

/// Why an exchange failed below HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The host refused to let the request out (not on its allowlist).
    Denied(String),
    /// Name resolution, refused or unreachable: the request never reached a server.
    Connect(String),
    /// The connection broke after the request may have been received.
    Reset(String),
    Timeout(TimeoutPhase),
    /// The response body is larger than the configured cap.
    TooLarge {
        limit: u64,
    },
    /// The host dropped the call.
    Cancelled,
    Other(String),
}

impl TransportError {
    /// The request certainly never reached the server, so sending it again
    /// cannot double-bill.
    pub fn never_sent(&self) -> bool {
        matches!(self, TransportError::Connect(_) | TransportError::Timeout(TimeoutPhase::Connect))
    }

    pub fn into_error(self, url: &str) -> Error {
        match self {
            TransportError::Denied(why) => {
                Error::Network(format!("the host does not allow this plugin to reach {url}: {why}"))
            }
            TransportError::Connect(why) => Error::Network(format!("could not connect to {url}: {why}")),
            TransportError::Reset(why) => Error::Network(format!("the connection to {url} broke: {why}")),
            TransportError::Timeout(phase) => {
                Error::Timeout(TimeoutInfo { phase, message: format!("timed out {} ({url})", phase.describe()) })
            }
            TransportError::TooLarge { limit } => Error::MalformedResponse(Failure::new(format!(
                "the response from {url} is larger than the {limit}-byte cap"
            ))),
            TransportError::Cancelled => Error::Cancelled("the call was cancelled".into()),
            TransportError::Other(why) => Error::Network(format!("request to {url} failed: {why}")),
        }
    }
}

/// The response head; the body is read through [`BodyReader`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// A response body being received.
pub trait BodyReader {
    /// The next chunk, or `None` at the end. Blocks until data arrives, the
    /// between-bytes timeout passes, or the connection breaks.
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError>;
}

/// Reads a whole body, refusing to hold more than `limit` bytes.
///
/// `size_hint` is the length the response announced (`Content-Length`), if
/// any. Room for `min(size_hint, limit)` bytes is reserved up front, so a
/// body of megabytes is received into one allocation instead of a doubling
/// buffer that briefly holds its old and new copies. The hint is only a
/// hint: a body that runs longer still grows (up to `limit`), and one that
/// ends shorter is simply shorter.
pub fn read_to_end(body: &mut dyn BodyReader, limit: u64, size_hint: Option<u64>) -> Result<Vec<u8>, TransportError> {
    let reserve = size_hint.map_or(0, |hint| hint.min(limit));
    let mut out = Vec::with_capacity(usize::try_from(reserve).unwrap_or(0));
    while let Some(chunk) = body.next_chunk()? {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(TransportError::TooLarge { limit });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Carries requests to the service and gives the pure logic time, chance and
/// the date.
pub trait Transport {
    /// Sends `request` and waits for the response head.
    fn send(
        &mut self,
        request: &Request<'_>,
        timeouts: &Timeouts,
    ) -> Result<(ResponseHead, Box<dyn BodyReader>), TransportError>;

    /// Waits before a retry.
    fn sleep(&mut self, duration: Duration);

    /// A random number, for retry jitter.
    fn random_u64(&mut self) -> u64;

    /// Today's date (UTC) on the host's wall clock, to tell whether a model's
    /// shutdown date has passed. Tests fix it.
    fn today(&mut self) -> Date;
}

fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Chunks(Vec<Vec<u8>>);

    impl BodyReader for Chunks {
        fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
            Ok(if self.0.is_empty() { None } else { Some(self.0.remove(0)) })
        }
    }

    #[test]
    fn read_to_end_joins_chunks_and_enforces_the_cap() {
        for hint in [None, Some(0), Some(2), Some(4), Some(5), Some(1 << 40)] {
            let mut body = Chunks(vec![b"ab".to_vec(), b"cd".to_vec()]);
            assert_eq!(read_to_end(&mut body, 4, hint).unwrap(), b"abcd", "hint {hint:?}");
            let mut body = Chunks(vec![b"ab".to_vec(), b"cde".to_vec()]);
            assert_eq!(read_to_end(&mut body, 4, hint), Err(TransportError::TooLarge { limit: 4 }), "hint {hint:?}");
        }
    }

    #[test]
    fn read_to_end_reserves_the_hint_up_to_the_cap() {
        // An honest hint: one allocation, exactly the body's size.
        let mut body = Chunks(vec![vec![1; 3000], vec![2; 3000], vec![3; 1000]]);
        let out = read_to_end(&mut body, 10_000, Some(7000)).unwrap();
        assert_eq!((out.len(), out.capacity()), (7000, 7000));
        // A hint above the cap reserves only the cap.
        let mut body = Chunks(vec![vec![1; 10]]);
        let out = read_to_end(&mut body, 100, Some(u64::MAX)).unwrap();
        assert_eq!(out.len(), 10);
        assert!(out.capacity() >= 100 && out.capacity() < 1000, "{}", out.capacity());
        // A hint that lies short: the body still arrives whole.
        let mut body = Chunks(vec![vec![1; 500], vec![2; 500]]);
        let out = read_to_end(&mut body, 10_000, Some(10)).unwrap();
        assert_eq!(out.len(), 1000);
        assert_eq!((out[499], out[500]), (1, 2));
        // Nothing arrives: still fine.
        assert_eq!(read_to_end(&mut Chunks(Vec::new()), 100, Some(50)).unwrap(), b"");
    }

    #[test]
    fn body_borrows_and_measures_segments() {
        let image = vec![7u8; 10];
        let mut body = Body::empty();
        body.push_owned(b"head".to_vec());
        body.push_borrowed(&image);
        body.push_owned(Vec::new());
        assert_eq!(body.segments.len(), 2);
        assert_eq!(body.len(), 14);
        assert!(matches!(body.segments[1], Cow::Borrowed(_)));
    }
}
