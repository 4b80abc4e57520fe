//! The one module that touches `wasi:http`: [`WasiTransport`] carries the
//! pure logic's requests through the host's outgoing handler, and gives it
//! the host's clocks (`wasi:clocks/monotonic-clock` to wait,
//! `wasi:clocks/wall-clock` for today's date) and randomness.
//!
//! Order matters to wasi-http: the request is handed to `handle` first and
//! its body written afterwards, in pieces no larger than `check-write`
//! allows, so a 40 MB upload neither traps nor deadlocks on a full buffer.

use std::time::Duration;

use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, FutureIncomingResponse, IncomingBody, IncomingResponse, Method, OutgoingBody, OutgoingRequest,
    RequestOptions, Scheme,
};
use wasi::io::streams::{InputStream, OutputStream, StreamError};

use crate::bindings::TimeoutPhase;
use crate::date::Date;
use crate::http::{self, BodyReader, Request, ResponseHead, Timeouts, Transport, TransportError};

/// Largest read asked of the response stream at once.
const READ_CHUNK: u64 = 256 * 1024;

/// Outgoing HTTP through the host's `wasi:http/outgoing-handler`.
pub struct WasiTransport;

impl Transport for WasiTransport {
    fn send(
        &mut self,
        request: &Request<'_>,
        timeouts: &Timeouts,
    ) -> Result<(ResponseHead, Box<dyn BodyReader>), TransportError> {
        let outgoing = build_request(request)?;
        let body = outgoing.body().map_err(|()| TransportError::Other("the request body was already taken".into()))?;
        let future = outgoing_handler::handle(outgoing, Some(request_options(timeouts)))
            .map_err(|code| map_error_code(code, TimeoutPhase::FirstByte))?;

        // A write can fail although the server answered (it read what it needed
        // and closed): always finish, then prefer the response over the write error.
        let written = write_body(&body, &request.body);
        let finished = OutgoingBody::finish(body, None);
        match (wait_for_response(&future), written, finished) {
            (Ok(response), _, _) => Ok(into_parts(response)?),
            (Err(e), Err(write_error), _) if is_generic(&e) => Err(write_error),
            (Err(e), _, _) => Err(e),
        }
    }

    fn sleep(&mut self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        wasi::clocks::monotonic_clock::subscribe_duration(nanos).block();
    }

    fn random_u64(&mut self) -> u64 {
        wasi::random::random::get_random_u64()
    }

    fn today(&mut self) -> Date {
        today()
    }
}

/// Today's date (UTC) on the host's wall clock. A host can fix the clock in tests.
pub fn today() -> Date {
    let now = wasi::clocks::wall_clock::now();
    Date::from_unix_seconds(i64::try_from(now.seconds).unwrap_or(i64::MAX))
}

fn build_request(request: &Request<'_>) -> Result<OutgoingRequest, TransportError> {
    let headers = wasi::http::types::Fields::new();
    let invalid = |name: &str| TransportError::Other(format!("the host refused the header {name:?}"));
    for (name, value) in &request.headers {
        headers.append(name, value.as_bytes()).map_err(|_| invalid(name))?;
    }
    if request.method == http::Method::Post {
        headers
            .append("content-length", request.body.len().to_string().as_bytes())
            .map_err(|_| invalid("content-length"))?;
    }
    let outgoing = OutgoingRequest::new(headers);
    let method = match request.method {
        http::Method::Get => Method::Get,
        http::Method::Post => Method::Post,
    };
    let scheme = match request.scheme {
        http::Scheme::Http => Scheme::Http,
        http::Scheme::Https => Scheme::Https,
    };
    let refused = |what: &str| TransportError::Other(format!("the host refused the request {what}"));
    outgoing.set_method(&method).map_err(|()| refused("method"))?;
    outgoing.set_scheme(Some(&scheme)).map_err(|()| refused("scheme"))?;
    outgoing.set_authority(Some(&request.authority)).map_err(|()| refused("authority"))?;
    outgoing.set_path_with_query(Some(&request.path_with_query)).map_err(|()| refused("path"))?;
    Ok(outgoing)
}

fn request_options(timeouts: &Timeouts) -> RequestOptions {
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let options = RequestOptions::new();
    // A host may refuse to let the guest set a timeout; its own then applies.
    let _ = options.set_connect_timeout(Some(nanos(timeouts.connect)));
    let _ = options.set_first_byte_timeout(Some(nanos(timeouts.first_byte)));
    let _ = options.set_between_bytes_timeout(Some(nanos(timeouts.between_bytes)));
    options
}

/// Streams every segment through `check-write`-sized writes, then flushes.
fn write_body(body: &OutgoingBody, content: &http::Body<'_>) -> Result<(), TransportError> {
    if content.is_empty() {
        return Ok(());
    }
    let stream =
        body.write().map_err(|()| TransportError::Other("the request body stream was already taken".into()))?;
    let result = (|| {
        for segment in &content.segments {
            let mut rest: &[u8] = segment;
            while !rest.is_empty() {
                let allowed = ready_to_write(&stream)?;
                let n = rest.len().min(usize::try_from(allowed).unwrap_or(usize::MAX));
                stream.write(&rest[..n]).map_err(write_error)?;
                rest = &rest[n..];
            }
        }
        stream.flush().map_err(write_error)?;
        ready_to_write(&stream).map(|_| ())
    })();
    drop(stream);
    result
}

/// Blocks until the stream accepts bytes; returns how many.
fn ready_to_write(stream: &OutputStream) -> Result<u64, TransportError> {
    loop {
        match stream.check_write() {
            Ok(0) => stream.subscribe().block(),
            Ok(n) => return Ok(n),
            Err(e) => return Err(write_error(e)),
        }
    }
}

fn write_error(e: StreamError) -> TransportError {
    match e {
        StreamError::Closed => {
            TransportError::Reset("the server closed the connection while the request was sent".into())
        }
        StreamError::LastOperationFailed(err) => match wasi::http::types::http_error_code(&err) {
            Some(code) => map_error_code(code, TimeoutPhase::FirstByte),
            None => TransportError::Reset(describe(&err)),
        },
    }
}

fn wait_for_response(future: &FutureIncomingResponse) -> Result<IncomingResponse, TransportError> {
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => Ok(response),
        Some(Ok(Err(code))) => Err(map_error_code(code, TimeoutPhase::FirstByte)),
        Some(Err(())) => Err(TransportError::Other("the response was already taken".into())),
        None => Err(TransportError::Other("the response was not ready after waiting for it".into())),
    }
}

/// A failure that says less than a body-write error would.
fn is_generic(e: &TransportError) -> bool {
    matches!(e, TransportError::Other(_) | TransportError::Reset(_))
}

fn into_parts(response: IncomingResponse) -> Result<(ResponseHead, Box<dyn BodyReader>), TransportError> {
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), String::from_utf8_lossy(&value).into_owned()))
        .collect();
    let body = response.consume().map_err(|()| TransportError::Other("the response body was already taken".into()))?;
    let stream =
        body.stream().map_err(|()| TransportError::Other("the response body stream was already taken".into()))?;
    let reader = WasiBody { stream: Some(stream), body: Some(body), _response: response };
    Ok((ResponseHead { status, headers }, Box::new(reader)))
}

/// A response body being read. Field order is drop order: the stream must go
/// before the body, and the body before the response. Dropping it mid-way
/// closes the connection, which is how a host's cancel reaches the server.
struct WasiBody {
    stream: Option<InputStream>,
    body: Option<IncomingBody>,
    _response: IncomingResponse,
}

impl BodyReader for WasiBody {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let Some(stream) = &self.stream else { return Ok(None) };
        match stream.blocking_read(READ_CHUNK) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(StreamError::Closed) => {
                self.stream = None;
                self.finish_trailers()?;
                Ok(None)
            }
            Err(StreamError::LastOperationFailed(err)) => {
                self.stream = None;
                Err(match wasi::http::types::http_error_code(&err) {
                    Some(code) => map_error_code(code, TimeoutPhase::BetweenBytes),
                    None => unclassified_read_error(&err),
                })
            }
        }
    }
}

impl WasiBody {
    /// The end of the stream is only clean if the trailers future says so: a
    /// connection that broke mid-body can also look like `Closed`.
    fn finish_trailers(&mut self) -> Result<(), TransportError> {
        let Some(body) = self.body.take() else { return Ok(()) };
        let trailers = IncomingBody::finish(body);
        trailers.subscribe().block();
        match trailers.get() {
            Some(Ok(Err(code))) => Err(map_error_code(code, TimeoutPhase::BetweenBytes)),
            _ => Ok(()),
        }
    }
}

/// `ConnectionReadTimeout` means "first byte" while waiting for the head and
/// "between bytes" while reading the body; the caller says which it was.
fn map_error_code(code: ErrorCode, read_phase: TimeoutPhase) -> TransportError {
    match code {
        ErrorCode::HttpRequestDenied => TransportError::Denied("request denied".into()),
        ErrorCode::DestinationIpProhibited => TransportError::Denied("destination address prohibited".into()),
        ErrorCode::DnsTimeout => TransportError::Timeout(TimeoutPhase::Connect),
        ErrorCode::ConnectionTimeout => TransportError::Timeout(TimeoutPhase::Connect),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => TransportError::Timeout(read_phase),
        ErrorCode::DnsError(payload) => TransportError::Connect(format!(
            "name resolution failed{}",
            payload.rcode.map(|r| format!(" ({r})")).unwrap_or_default()
        )),
        ErrorCode::DestinationNotFound => TransportError::Connect("destination not found".into()),
        ErrorCode::DestinationUnavailable | ErrorCode::DestinationIpUnroutable => {
            TransportError::Connect("destination unavailable".into())
        }
        ErrorCode::ConnectionRefused => TransportError::Connect("connection refused".into()),
        ErrorCode::ConnectionTerminated | ErrorCode::HttpResponseIncomplete => {
            TransportError::Reset("connection closed before the response was complete".into())
        }
        ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError | ErrorCode::TlsAlertReceived(_) => {
            TransportError::Connect("TLS handshake failed".into())
        }
        other => TransportError::Other(crate::api_error::clip(&format!("{other:?}"), MAX_HOST_TEXT)),
    }
}

/// Longest piece of a host's error text quoted in a message, in characters.
const MAX_HOST_TEXT: usize = 200;

/// A host's I/O error as message text: its first non-empty line only (a host
/// built with `RUST_BACKTRACE` set appends a backtrace of its own internals),
/// at most [`MAX_HOST_TEXT`] characters.
fn describe(err: &wasi::io::error::Error) -> String {
    let text = err.to_debug_string();
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("unknown I/O error");
    crate::api_error::clip(line, MAX_HOST_TEXT)
}

/// A body read failed and `http-error-code` did not say why. wasmtime 48
/// does this for every body error (it stores its own error type, which the
/// downcast behind `http-error-code` does not recognise), including the
/// between-bytes timeout it enforces, so the text is all there is to go on.
fn unclassified_read_error(err: &wasi::io::error::Error) -> TransportError {
    let what = describe(err);
    let lower = what.to_ascii_lowercase();
    if lower.contains("timeout") || lower.contains("timed out") {
        TransportError::Timeout(TimeoutPhase::BetweenBytes)
    } else {
        TransportError::Reset(what)
    }
}
