//! URLs split by hand: the base URL or Azure endpoint from the settings, and
//! the percent-encoding of what goes into a path or query.
//!
//! Not the `url` crate: we need only scheme, authority and path, and want to
//! *refuse* what WHATWG parsing would silently repair (backslashes, embedded
//! tabs or newlines, IDN hosts), while the crate would add its IDNA tables to
//! every component build.

use std::fmt;

use crate::http::Scheme;

/// `scheme://authority/path`, path without a trailing slash (possibly empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub scheme: Scheme,
    /// `host[:port]`, lower-cased.
    pub authority: String,
    pub path: String,
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme.as_str(), self.authority, self.path)
    }
}

/// Splits and checks a pasted URL. Errors complete the sentence "base-url ...".
pub fn parse_base_url(input: &str) -> Result<BaseUrl, String> {
    let input = input.trim();
    let (scheme, rest) =
        input.split_once("://").ok_or_else(|| format!("{input:?} must start with https:// or http://"))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => return Err(format!("{input:?} must start with https:// or http://")),
    };
    if rest.contains(['?', '#']) {
        return Err(format!("{input:?} must not have a query (?) or fragment (#)"));
    }
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    if authority.contains('@') {
        return Err("must not contain a user name or password; the key goes in api-key".to_string());
    }
    let authority = check_authority(authority).map_err(|why| format!("{input:?}: {why}"))?;
    if let Some(bad) = path.chars().find(|&c| !is_path_char(c)) {
        return Err(format!("{input:?}: the path contains {bad:?}, which a URL path cannot hold unencoded"));
    }
    if path.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(format!("{input:?}: the path must not contain . or .. segments"));
    }
    Ok(BaseUrl { scheme, authority, path: path.trim_end_matches('/').to_string() })
}

/// `host[:port]` with a DNS name, IPv4 or bracketed IPv6 host; returned lower-cased.
fn check_authority(authority: &str) -> Result<String, String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or("the IPv6 address is missing its closing ]")?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err("the IPv6 address is not valid".into());
        }
        match after {
            "" => (authority, None),
            _ => (&authority[..addr.len() + 2], Some(after.strip_prefix(':').ok_or("junk after the IPv6 address")?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the host is missing".into());
    }
    if !host.starts_with('[') && !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_') {
        return Err("the host name has characters a host cannot (use the xn-- form for international names)".into());
    }
    if let Some(port) = port {
        let valid = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !valid || !port.parse::<u16>().is_ok_and(|p| p > 0) {
            return Err(format!("{port:?} is not a port number"));
        }
    }
    Ok(authority.to_ascii_lowercase())
}

/// RFC 3986 `pchar` plus `/`, and `%` for already-encoded octets.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c)
}

/// Percent-encodes all but RFC 3986 unreserved characters, for a path
/// segment or query value (model ids like `ft:gpt-4o:org::id` keep their meaning).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
