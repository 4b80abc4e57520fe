//! Settings checked once, at `open`, into what every request needs: where to
//! send it, how to authenticate, which headers to add, how long to wait; and
//! the defaults for what the settings leave out. `settings.rs` declares the
//! settings and checks names and kinds; this module checks what they mean.
//! `call.rs` turns a call into a request with them; `url.rs` parses the URLs.

use std::fmt;
use std::time::Duration;

use crate::bindings::{Capability, Error, Setting};
use crate::http::Timeouts;
use crate::settings::{self, Values};
use crate::url::{parse_base_url, BaseUrl};

pub use crate::settings::{DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, MAX_RETRIES_LIMIT};
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(settings::DEFAULT_CONNECT_TIMEOUT_MS);
pub const DEFAULT_GENERATION_TIMEOUT: Duration = Duration::from_millis(settings::DEFAULT_GENERATION_TIMEOUT_MS);
pub const DEFAULT_BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_millis(settings::DEFAULT_BETWEEN_BYTES_TIMEOUT_MS);

const USER_AGENT: &str = concat!("openai-visual-backend/", env!("CARGO_PKG_VERSION"));

/// Headers the backend sets itself; a second value would be ambiguous or unsafe.
const OWN_HEADERS: &[&str] = &["authorization", "api-key", "content-type", "content-length", "host", "accept"];
/// Hop-by-hop headers: wasi:http hosts (wasmtime's default list) refuse them.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "upgrade",
    "http2-settings",
];

/// The Azure deployment settings, by capability (in [`Capability::ALL`] order).
const DEPLOYMENT_SETTINGS: [&str; 3] =
    ["azure-text-to-image-deployment", "azure-image-edit-deployment", "azure-image-analysis-deployment"];

/// Validated settings. Built only by [`Config::from_settings`].
#[derive(Clone)]
pub struct Config {
    api_key: String,
    // What `Call::request` reads to build each request.
    pub(crate) service: Service,
    pub(crate) organization: Option<String>,
    pub(crate) project: Option<String>,
    pub(crate) user_agent: String,
    pub(crate) extra_headers: Vec<(String, String)>,
    timeouts: Timeouts,
    max_retries: u32,
    max_response_bytes: u64,
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Service {
    OpenAi { base: BaseUrl },
    Azure { endpoint: BaseUrl, api_version: String, deployments: [Option<String>; 3] },
}

impl Config {
    /// Checks the settings a host passed to `open` (their declarations in
    /// `settings.rs`, then their meaning) and applies the defaults.
    pub fn from_settings(settings: &[Setting]) -> Result<Config, Error> {
        Config::from_values(settings::parse(settings)?)
    }

    fn from_values(values: Values) -> Result<Config, Error> {
        let api_key = values.api_key.trim();
        if api_key.is_empty() {
            return Err(invalid("the API key is empty"));
        }
        if !api_key.bytes().all(|b| b.is_ascii_graphic()) {
            // Never quote the key, not even in part.
            return Err(invalid("the API key contains spaces, control or non-ASCII characters; paste it again"));
        }
        let organization = optional_value("organization", values.organization.as_deref())?;
        let project = optional_value("project", values.project.as_deref())?;
        let base_url = given(&values.base_url);
        let service = match given(&values.azure_endpoint) {
            None => {
                if let Some(i) = values.azure_deployments.iter().position(|d| given(d).is_some()) {
                    return Err(invalid(format!(
                        "{} is an Azure OpenAI setting; set azure-endpoint too",
                        DEPLOYMENT_SETTINGS[i]
                    )));
                }
                let base = match base_url {
                    None => default_base(),
                    Some(url) => parse_base_url(url).map_err(|why| invalid(format!("base-url {why}")))?,
                };
                Service::OpenAi { base: with_default_version(base) }
            }
            Some(endpoint) => {
                // A form that fills in every default sends the default base URL too.
                let default = with_default_version(default_base());
                if base_url
                    .is_some_and(|url| parse_base_url(url).map(with_default_version).ok() != Some(default.clone()))
                {
                    return Err(invalid("set either base-url or azure-endpoint, not both"));
                }
                if organization.is_some() || project.is_some() {
                    return Err(invalid(
                        "organization and project are OpenAI settings; Azure OpenAI does not use them",
                    ));
                }
                azure_service(endpoint, given(&values.azure_api_version), &values.azure_deployments)?
            }
        };
        let mut user_agent = USER_AGENT.to_string();
        let mut extra_headers = Vec::new();
        for header in &values.extra_headers {
            let name = header.name.trim();
            let value = header.value.trim();
            check_header(name, value)?;
            let lower = name.to_ascii_lowercase();
            if (lower == "openai-organization" && organization.is_some())
                || (lower == "openai-project" && project.is_some())
            {
                return Err(invalid(format!("header {name} is also set by the settings; set it in one place")));
            }
            if lower == "user-agent" {
                user_agent = value.to_string();
            } else {
                extra_headers.push((name.to_string(), value.to_string()));
            }
        }
        let ms = |given: Option<u64>, default: Duration| given.map_or(default, Duration::from_millis);
        let timeouts = Timeouts {
            connect: ms(values.connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT),
            first_byte: ms(values.generation_timeout_ms, DEFAULT_GENERATION_TIMEOUT),
            between_bytes: ms(values.between_bytes_timeout_ms, DEFAULT_BETWEEN_BYTES_TIMEOUT),
        };
        Ok(Config {
            api_key: api_key.to_string(),
            service,
            organization,
            project,
            user_agent,
            extra_headers,
            timeouts,
            max_retries: values.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            max_response_bytes: values.max_response_bytes.unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        })
    }

    /// The key, for redacting it from errors. Never log it.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    pub fn is_azure(&self) -> bool {
        matches!(self.service, Service::Azure { .. })
    }

    /// The Azure deployment serving `capability`; `None` when not on Azure or not configured.
    pub fn deployment_for(&self, capability: Capability) -> Option<&str> {
        match &self.service {
            Service::OpenAi { .. } => None,
            Service::Azure { deployments, .. } => deployments[capability_index(capability)].as_deref(),
        }
    }

    /// `host[:port]` of the service: what a host must allow this plugin to reach.
    pub fn base_authority(&self) -> String {
        self.base().authority.clone()
    }

    /// The base URL (OpenAI) or endpoint (Azure), for messages.
    pub fn base_url(&self) -> String {
        self.base().to_string()
    }

    pub(crate) fn base(&self) -> &BaseUrl {
        match &self.service {
            Service::OpenAi { base } => base,
            Service::Azure { endpoint, .. } => endpoint,
        }
    }

    /// The Azure deployment serving `capability`, or why there is none.
    pub(crate) fn azure_deployment(&self, capability: Capability) -> Result<&str, Error> {
        self.deployment_for(capability).ok_or_else(|| {
            Error::Unsupported(format!(
                "no Azure OpenAI deployment is set for {}: set {}",
                capability.name(),
                DEPLOYMENT_SETTINGS[capability_index(capability)]
            ))
        })
    }
}

/// Never prints the key or header values (gateway tokens travel there).
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &"<redacted>")
            .field("service", &self.service)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("user_agent", &self.user_agent)
            .field("extra_headers", &self.extra_headers.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("timeouts", &self.timeouts)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

fn capability_index(capability: Capability) -> usize {
    match capability {
        Capability::TextToImage => 0,
        Capability::ImageEdit => 1,
        Capability::ImageAnalysis => 2,
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

fn azure_service(
    endpoint: &str,
    api_version: Option<&str>,
    deployments: &[Option<String>; 3],
) -> Result<Service, Error> {
    let endpoint = parse_base_url(endpoint).map_err(|why| invalid(format!("azure-endpoint {why}")))?;
    let api_version = api_version.unwrap_or(settings::DEFAULT_AZURE_API_VERSION);
    if !api_version.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
        return Err(invalid(format!(
            "azure-api-version {api_version:?} is not an API version (e.g. {})",
            settings::DEFAULT_AZURE_API_VERSION
        )));
    }
    // A blank deployment is how a form says "none"; it turns the capability off.
    let deployment = |d: &Option<String>| given(d).map(str::to_string);
    Ok(Service::Azure {
        endpoint,
        api_version: api_version.to_string(),
        deployments: [deployment(&deployments[0]), deployment(&deployments[1]), deployment(&deployments[2])],
    })
}

/// A text setting's value, trimmed; blank is how a form says "not set".
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn default_base() -> BaseUrl {
    parse_base_url(DEFAULT_BASE_URL).expect("the default base URL is valid")
}

/// People paste the bare host (`https://api.openai.com`) as often as the API
/// root; a URL with no path means the standard `/v1`. Any other path is kept,
/// since gateways mount the API wherever they like.
fn with_default_version(mut base: BaseUrl) -> BaseUrl {
    if base.path.is_empty() {
        base.path = "/v1".to_string();
    }
    base
}

/// An optional header-valued setting; blank means unset.
fn optional_value(what: &str, value: Option<&str>) -> Result<Option<String>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if is_header_value(v) => Ok(Some(v.to_string())),
        Some(_) => Err(invalid(format!("{what} contains control characters"))),
    }
}

fn check_header(name: &str, value: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(invalid("an extra header has an empty name"));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) {
        return Err(invalid(format!("extra header name {name:?} is not a valid HTTP header name")));
    }
    let lower = name.to_ascii_lowercase();
    if OWN_HEADERS.contains(&lower.as_str()) {
        return Err(invalid(format!("extra header {name} is set by the backend itself and cannot be overridden")));
    }
    if HOP_BY_HOP.contains(&lower.as_str()) {
        return Err(invalid(format!("extra header {name} is a connection header, which hosts do not let plugins set")));
    }
    if !is_header_value(value) {
        // The value may be a gateway secret: name the header only.
        return Err(invalid(format!("the value of extra header {name} contains control characters or line breaks")));
    }
    Ok(())
}

/// RFC 9110 field-value: visible characters, spaces and tabs (non-ASCII allowed as obs-text).
fn is_header_value(value: &str) -> bool {
    value.chars().all(|c| c == '\t' || !c.is_control())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::{Pair, Value};
    use crate::call::tests::call;
    use crate::call::Endpoint;
    use crate::http::Scheme;
    use crate::settings::tests::{set, text};

    pub(crate) const KEY: &str = "sk-test-0123456789abcdef";

    pub(crate) fn settings() -> Vec<Setting> {
        vec![text("api-key", KEY)]
    }

    /// `settings()` plus `more`.
    pub(crate) fn with(more: Vec<Setting>) -> Vec<Setting> {
        let mut s = settings();
        s.extend(more);
        s
    }

    fn with_base(url: &str) -> Vec<Setting> {
        with(vec![text("base-url", url)])
    }

    pub(crate) fn azure(edit: Option<&str>) -> Vec<Setting> {
        let mut s = with(vec![
            text("azure-endpoint", "https://my-resource.openai.azure.com/"),
            text("azure-api-version", "2025-04-01-preview"),
            text("azure-text-to-image-deployment", "dalle3-prod"),
            text("azure-image-analysis-deployment", "vision 4.1"),
        ]);
        s.extend(edit.map(|e| text("azure-image-edit-deployment", e)));
        s
    }

    /// `s` with the setting `name` replaced (or added).
    pub(crate) fn replaced(mut s: Vec<Setting>, name: &str, value: &str) -> Vec<Setting> {
        s.retain(|x| x.name != name);
        s.push(text(name, value));
        s
    }

    pub(crate) fn config(s: Vec<Setting>) -> Config {
        Config::from_settings(&s).unwrap()
    }

    fn invalid_message(s: Vec<Setting>) -> String {
        match Config::from_settings(&s) {
            Err(Error::InvalidInput(m)) => m,
            Err(other) => panic!("expected invalid-input, got {}", other.kind()),
            Ok(_) => panic!("expected invalid-input, got a config"),
        }
    }

    #[test]
    fn defaults() {
        let c = config(settings());
        assert_eq!(c.base_url(), "https://api.openai.com/v1");
        assert_eq!(c.base_authority(), "api.openai.com");
        assert_eq!(
            c.timeouts(),
            Timeouts {
                connect: Duration::from_secs(10),
                first_byte: Duration::from_secs(301),
                between_bytes: Duration::from_secs(60)
            }
        );
        assert_eq!((c.max_retries(), c.max_response_bytes()), (2, 64 * 1024 * 1024));
        assert!(!c.is_azure());
        assert_eq!(c.deployment_for(Capability::TextToImage), None);
        assert_eq!(c.api_key(), KEY);
        // Every default a form might send back explicitly is accepted as such.
        let explicit: Vec<Setting> = crate::settings::SETTINGS
            .iter()
            .filter_map(|s| s.field_spec().default.map(|value| set(s.name, value)))
            .collect();
        let c = config(with(explicit));
        assert_eq!((c.base_url(), c.is_azure(), c.max_retries()), ("https://api.openai.com/v1".into(), false, 2));
        assert_eq!(c.timeouts(), config(settings()).timeouts());
    }

    #[test]
    fn base_url_forms_people_paste() {
        let cases = [
            ("https://api.openai.com", "https://api.openai.com/v1"),
            ("https://api.openai.com/", "https://api.openai.com/v1"),
            ("https://api.openai.com/v1", "https://api.openai.com/v1"),
            ("https://api.openai.com/v1/", "https://api.openai.com/v1"),
            ("http://localhost:8080/v1", "http://localhost:8080/v1"),
            ("https://gateway.example/openai/v1/", "https://gateway.example/openai/v1"),
            ("  HTTPS://API.OpenAI.com/v1\n", "https://api.openai.com/v1"),
            ("http://[::1]:9000", "http://[::1]:9000/v1"),
            ("http://127.0.0.1:8080/proxy/v1", "http://127.0.0.1:8080/proxy/v1"),
            ("", "https://api.openai.com/v1"),
        ];
        for (input, expected) in cases {
            let c = config(with_base(input));
            assert_eq!(c.base_url(), expected, "{input:?}");
            let request = call(Endpoint::ImageGenerations).request(&c).unwrap();
            assert_eq!(request.url(), format!("{expected}/images/generations"), "{input:?}");
        }
        assert_eq!(config(with_base("http://localhost:8080/v1")).base_authority(), "localhost:8080");
        let local = call(Endpoint::ImageEdits).request(&config(with_base("http://localhost:8080/v1"))).unwrap();
        assert_eq!(
            (local.scheme, local.authority.as_str(), local.path_with_query.as_str()),
            (Scheme::Http, "localhost:8080", "/v1/images/edits")
        );
    }

    #[test]
    fn bad_base_urls_are_refused_with_the_reason() {
        let cases = [
            ("api.openai.com/v1", "must start with"),
            ("ftp://api.openai.com", "must start with"),
            ("https://user:pass@api.openai.com/v1", "user name or password"),
            ("https://api.openai.com/v1?x=1", "query"),
            ("https://api.openai.com/v1#frag", "fragment"),
            ("https:///v1", "host is missing"),
            ("https://api.openai.com:0/v1", "port"),
            ("https://api.openai.com:99999/v1", "port"),
            ("https://api.openai.com:/v1", "port"),
            ("https://api.openai.com:8a/v1", "port"),
            ("https://exämple.com/v1", "xn--"),
            ("https://api.openai.com/v 1", "path"),
            ("https://api.openai.com\\v1", "host"),
            ("https://api.openai.com/v1/../x", ".."),
            ("https://[::1/v1", "]"),
            ("https://[::1]x/v1", "junk"),
        ];
        for (input, why) in cases {
            let message = invalid_message(with_base(input));
            assert!(message.starts_with("base-url") && message.contains(why), "{input:?}: {message}");
        }
    }

    #[test]
    fn azure_mode_follows_the_endpoint() {
        let c = config(azure(Some("edit")));
        assert!(c.is_azure());
        assert_eq!(c.deployment_for(Capability::ImageEdit), Some("edit"));
        // A blank endpoint is no endpoint.
        assert!(!config(replaced(settings(), "azure-endpoint", " ")).is_azure());
        // The API version defaults; blank is the default too.
        let Service::Azure { api_version, .. } = config(replaced(azure(None), "azure-api-version", "")).service else {
            panic!("not azure")
        };
        assert_eq!(api_version, "2025-04-01-preview");
        // The default base URL, sent back by a form, is no conflict.
        assert!(config(replaced(azure(None), "base-url", "https://api.openai.com")).is_azure());
        // The API version alone, without an endpoint, is harmless.
        assert!(!config(replaced(settings(), "azure-api-version", "2024-10-21")).is_azure());
    }

    #[test]
    fn bad_azure_settings() {
        let edit = |name: &str, value: &str| invalid_message(replaced(azure(None), name, value));
        assert!(edit("azure-endpoint", "my-resource.openai.azure.com").contains("https://"));
        assert!(edit("azure-endpoint", "https://x.openai.azure.com/?a=b").contains("query"));
        assert!(edit("azure-endpoint", "ftp://x").starts_with("azure-endpoint"));
        assert!(edit("azure-api-version", "2025&x=1").contains("not an API version"));
        assert!(edit("base-url", "https://gateway.example/v1").contains("not both"));
        assert!(edit("organization", "org-1").contains("Azure"));
        let lonely = invalid_message(replaced(settings(), "azure-image-edit-deployment", "edit"));
        assert_eq!(lonely, "azure-image-edit-deployment is an Azure OpenAI setting; set azure-endpoint too");
    }

    #[test]
    fn api_key_checks_never_echo_the_key() {
        assert!(invalid_message(vec![text("api-key", "  ")]).contains("empty"));
        for key in ["sk-abc def", "sk-abc\ndef", "sk-abc\u{201d}"] {
            let message = invalid_message(vec![text("api-key", key)]);
            assert!(!message.contains("sk-abc"), "{message}");
        }
        // A pasted trailing newline is forgiven.
        assert_eq!(config(vec![text("api-key", &format!("{KEY}\n"))]).api_key(), KEY);
        let debug = format!("{:?}", config(settings()));
        assert!(!debug.contains(KEY) && debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn extra_header_validation() {
        let with_header =
            |name: &str, value: &str| with(vec![set("extra-headers", Value::Pairs(vec![Pair::new(name, value)]))]);
        for name in ["Authorization", "api-key", "Content-Type", "content-length", "Host", "Accept"] {
            assert!(invalid_message(with_header(name, "x")).contains("set by the backend"), "{name}");
        }
        for name in ["Connection", "Transfer-Encoding", "Proxy-Authorization", "Upgrade"] {
            assert!(invalid_message(with_header(name, "x")).contains("connection header"), "{name}");
        }
        for name in ["", "X Bad", "X:Bad", "Ünï", "X\r\nInjected"] {
            assert!(Config::from_settings(&with_header(name, "x")).is_err(), "{name:?}");
        }
        let message = invalid_message(with_header("X-Gateway-Key", "secret\r\nX-Evil: 1"));
        assert!(message.contains("X-Gateway-Key") && !message.contains("secret"), "{message}");
        assert!(Config::from_settings(&with_header("X-Nul", "a\0b")).is_err());
        // Tabs and non-ASCII values are legal field content.
        let ok = config(with_header("X-Note", "a\tb é"));
        let debug = format!("{ok:?}");
        assert!(debug.contains("X-Note") && !debug.contains("a\\tb"), "{debug}");
        // User-Agent replaces ours rather than adding a second one.
        let ua = call(Endpoint::ImageGenerations).request(&config(with_header("user-agent", "my-app/2"))).unwrap();
        assert_eq!(ua.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("user-agent")).count(), 1);
        assert_eq!(ua.header("User-Agent"), Some("my-app/2"));
        // OpenAI-Organization may come from either place, not both.
        let org =
            call(Endpoint::ImageGenerations).request(&config(with_header("OpenAI-Organization", "org-9"))).unwrap();
        assert_eq!(org.header("openai-organization"), Some("org-9"));
        let both = replaced(with_header("OpenAI-Organization", "org-9"), "organization", "org-1");
        assert!(invalid_message(both).contains("one place"));
        assert!(invalid_message(replaced(settings(), "project", "p\n1")).contains("project"));
    }

    #[test]
    fn limits_and_timeouts() {
        for (name, s) in [
            ("connect-timeout", set("connect-timeout", Value::Duration(0))),
            ("generation-timeout", set("generation-timeout", Value::Duration(0))),
            ("between-bytes-timeout", set("between-bytes-timeout", Value::Duration(0))),
            ("max-response-bytes", set("max-response-bytes", Value::Number(0.0))),
            ("max-retries", set("max-retries", Value::Number(11.0))),
        ] {
            assert!(invalid_message(with(vec![s])).contains(name), "{name}");
        }
        let c = config(with(vec![
            set("connect-timeout", Value::Duration(1500)),
            set("generation-timeout", Value::Duration(600_000)),
            set("between-bytes-timeout", Value::Duration(5)),
            set("max-retries", Value::Number(0.0)),
            set("max-response-bytes", Value::Number(1.0)),
        ]));
        assert_eq!(
            c.timeouts(),
            Timeouts {
                connect: Duration::from_millis(1500),
                first_byte: Duration::from_secs(600),
                between_bytes: Duration::from_millis(5)
            }
        );
        assert_eq!((c.max_retries(), c.max_response_bytes()), (0, 1));
    }
}
