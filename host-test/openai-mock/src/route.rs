//! Which operation a method and path name, in the OpenAI or the Azure form.
//!
//! Paths are matched exactly (no trailing slash, no doubled slash), so a
//! client that joins its base URL wrongly gets the real API's "Invalid URL".

use http::Method;

/// The operations the mock serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Generations,
    Edits,
    Chat,
    ListModels,
    /// `GET /models/{id}`, id percent-decoded.
    Model(String),
    /// Azure `GET /openai/deployments/{deployment}`.
    Deployment,
}

/// A resolved route; `deployment` is set in the Azure form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    pub op: Op,
    pub deployment: Option<String>,
}

/// The OpenAI form: `{prefix}/images/generations` and friends.
pub(crate) fn openai(prefix: &str, method: &Method, path: &str) -> Option<Route> {
    let prefix = prefix.trim_matches('/');
    let rest = match prefix {
        "" => path,
        p => path.strip_prefix('/')?.strip_prefix(p)?,
    };
    let op = match (method, rest) {
        (&Method::POST, "/images/generations") => Op::Generations,
        (&Method::POST, "/images/edits") => Op::Edits,
        (&Method::POST, "/chat/completions") => Op::Chat,
        (&Method::GET, "/models") => Op::ListModels,
        (&Method::GET, r) => {
            let id = r.strip_prefix("/models/")?;
            if id.is_empty() || id.contains('/') {
                return None;
            }
            Op::Model(percent_decode(id)?)
        }
        _ => return None,
    };
    Some(Route { op, deployment: None })
}

/// The Azure form: `/openai/deployments/{deployment}/images/generations` and friends.
pub(crate) fn azure(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/openai/deployments/")?;
    let (deployment, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if deployment.is_empty() {
        return None;
    }
    let op = match (method, tail) {
        (&Method::POST, "/images/generations") => Op::Generations,
        (&Method::POST, "/images/edits") => Op::Edits,
        (&Method::POST, "/chat/completions") => Op::Chat,
        (&Method::GET, "") => Op::Deployment,
        _ => return None,
    };
    Some(Route { op, deployment: Some(percent_decode(deployment)?) })
}

/// The value of one query parameter (first occurrence, percent-decoded).
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(&v.replace('+', " "))).flatten()
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_paths_match_exactly() {
        let r = openai("/v1", &Method::POST, "/v1/images/generations").unwrap();
        assert_eq!(r.op, Op::Generations);
        assert!(openai("/v1", &Method::POST, "/v1/images/generations/").is_none());
        assert!(openai("/v1", &Method::POST, "/v1//images/generations").is_none());
        assert!(openai("/v1", &Method::GET, "/v1/images/generations").is_none());
        assert!(openai("/v1", &Method::POST, "/images/generations").is_none());
        assert_eq!(openai("", &Method::POST, "/chat/completions").unwrap().op, Op::Chat);
        assert_eq!(openai("v1/", &Method::POST, "/v1/chat/completions").unwrap().op, Op::Chat);
        assert_eq!(openai("/openai/v1", &Method::GET, "/openai/v1/models").unwrap().op, Op::ListModels);
        assert!(openai("/v1", &Method::GET, "/v10/models").is_none());
        assert_eq!(
            openai("/v1", &Method::GET, "/v1/models/ft%3Agpt-4o-mini%3Aacme%3A%3Aabc").unwrap().op,
            Op::Model("ft:gpt-4o-mini:acme::abc".into())
        );
    }

    #[test]
    fn azure_paths_and_query() {
        let r = azure(&Method::POST, "/openai/deployments/my-dalle/images/generations").unwrap();
        assert_eq!((r.op, r.deployment.as_deref()), (Op::Generations, Some("my-dalle")));
        assert_eq!(azure(&Method::GET, "/openai/deployments/d1").unwrap().op, Op::Deployment);
        assert!(azure(&Method::POST, "/openai/deployments//chat/completions").is_none());
        assert_eq!(
            query_param(Some("a=1&api-version=2025-04-01-preview"), "api-version").as_deref(),
            Some("2025-04-01-preview")
        );
        assert_eq!(query_param(Some("api-version"), "api-version").as_deref(), Some(""));
        assert_eq!(query_param(None, "api-version"), None);
    }
}
