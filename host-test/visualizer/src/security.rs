//! Who may talk to the server.
//!
//! - It listens on 127.0.0.1 only.
//! - Every request (the page included) must carry a `Host` that is this
//!   server's own local address, `127.0.0.1:PORT`, `localhost:PORT` or
//!   `[::1]:PORT`: a page on another site that rebinds its DNS name to
//!   127.0.0.1 still sends its own name, and is refused. A request that
//!   carries an `Origin` must come from one of those origins.
//! - Every API call must carry the token printed at start, as
//!   `Authorization: Bearer <token>`, compared in constant time. The page
//!   takes it from its URL once, keeps it in `sessionStorage` and removes it
//!   from the address bar; it never goes into another URL (images are fetched
//!   with the header too), so it is in no log and no `Referer`.
//! - Images are the one exception to the token: each is served at
//!   `/images/{key}.{ext}`, where the key is 128 random bits made for that
//!   image alone, so an `<img src>` (and opening an image in a tab of its
//!   own) works without putting the token in a URL. Knowing one image's URL
//!   gives that image and nothing else; the `Host` and `Origin` checks and
//!   `Cross-Origin-Resource-Policy: same-origin` still apply.
//! - Every response forbids framing and sniffing, sends no referrer, and the
//!   page runs under a strict Content Security Policy: its own script and
//!   style only, nothing inline. An image is served under a policy of its
//!   own, [`IMAGE_CSP`]: a sandbox with nothing allowed, so an SVG a model
//!   wrote, opened on its own, runs no script and loads nothing. The page
//!   shows SVGs only through `<img>`, never inlined into its markup.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::error_response;

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 16 random bytes, hex: the key in an image's URL.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Host` values a browser sends for this server.
pub fn allowed_hosts(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"].iter().map(|h| format!("{h}:{port}")).collect()
}

/// What the two checks below compare a request with, and nothing more: the
/// middleware gets this rather than the whole server state, so who may talk
/// to the server does not depend on what the server does.
pub struct Guard {
    /// The API token printed at start.
    pub token: String,
    /// The `Host` values this server answers ([`allowed_hosts`]).
    pub allowed_hosts: Vec<String>,
}

impl Guard {
    /// The guard of a server on 127.0.0.1:`port` whose API needs `token`.
    pub fn new(token: String, port: u16) -> Guard {
        Guard { token, allowed_hosts: allowed_hosts(port) }
    }
}

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; \
                       connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy an image is served under: no script (a sandbox without
/// `allow-scripts`, which also gives the document an opaque origin), nothing
/// loaded, only the SVG's own inline styles.
pub const IMAGE_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// Refuses a request for another host or from another origin; adds the
/// security headers to every response.
pub async fn host_check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let mut response = if !guard.allowed_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) {
        error_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this server answers only requests for its own local address (127.0.0.1, localhost or [::1] with its port)",
        )
    } else if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let ok = guard.allowed_hosts.iter().any(|allowed| origin.eq_ignore_ascii_case(&format!("http://{allowed}")));
        if ok {
            next.run(request).await
        } else {
            error_response(StatusCode::FORBIDDEN, "forbidden", "requests from other web pages are refused")
        }
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    // An image keeps its own, stricter policy.
    headers.entry("content-security-policy").or_insert(HeaderValue::from_static(CSP));
    response
}

/// Requires the token on every API call.
pub async fn token_check(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.trim().as_bytes(), guard.token.as_bytes()) {
        let mut response = next.run(request).await;
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    } else {
        let mut response = error_response(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this API needs the token printed when the server started: open the URL it printed",
        )
        .into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }
}

/// Equal bytes, in a time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[test]
    fn hosts_name_the_port() {
        assert_eq!(allowed_hosts(8080), ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"]);
    }
}
