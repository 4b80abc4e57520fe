//! What a plugin instance may touch: one store's state, with no filesystem,
//! no environment, no sockets, outgoing HTTP only to the allowed
//! authorities, and a cap on linear memory.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;
use wasmtime::component::ResourceTable;
use wasmtime::ResourceLimiter;

use crate::bindings::{FieldSpec, Setting, ValueKind};
use wasmtime_wasi::{HostWallClock, WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView,
};

/// Default cap on a plugin's linear memory: room for several decoded
/// gpt-image-2 4K results plus their base64, and no more.
pub const DEFAULT_MEMORY_LIMIT: usize = 512 * 1024 * 1024;

/// Where the plugin may send requests, and how long it may wait.
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    /// `host:port` pairs (the port made explicit), compared case-insensitively.
    allowed: Vec<String>,
    /// Upper bounds on the timeouts the guest asks for.
    pub max_timeouts: Option<RequestOptions>,
    /// Every authority the plugin tried to reach and was refused.
    denied: Arc<Mutex<Vec<String>>>,
    /// Becomes true when the instance's call is abandoned (see [`Abandon`]).
    abandoned: Option<watch::Receiver<bool>>,
}

impl NetworkPolicy {
    /// Allows nothing.
    pub fn deny_all() -> Self {
        NetworkPolicy::default()
    }

    /// Allows the authority of each URL (`scheme://host[:port]/...`).
    pub fn allow_urls<'a>(urls: impl IntoIterator<Item = &'a str>) -> anyhow::Result<Self> {
        let mut policy = NetworkPolicy::default();
        for url in urls {
            policy.allowed.push(authority_of(url)?);
        }
        Ok(policy)
    }

    /// Allows exactly what the settings point at: the effective value (given,
    /// else the default) of every setting the backend declares as a URL. The
    /// host knows no service: the backend says which settings are URLs.
    pub fn for_settings(declared: &[FieldSpec], values: &[Setting]) -> anyhow::Result<Self> {
        let urls = declared
            .iter()
            .filter(|spec| matches!(spec.kind, ValueKind::Url))
            .filter_map(|spec| spec.effective(values).map(|value| (spec, value)));
        let mut policy = NetworkPolicy::default();
        for (spec, value) in urls {
            let Some(url) = value.as_text().filter(|url| !url.trim().is_empty()) else {
                continue;
            };
            let authority = authority_of(url).with_context(|| format!("setting {:?}", spec.name))?;
            if !policy.allowed.contains(&authority) {
                policy.allowed.push(authority);
            }
        }
        Ok(policy)
    }

    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// Authorities the plugin tried and was refused, for diagnostics and tests.
    pub fn denied(&self) -> Vec<String> {
        self.denied.lock().unwrap().clone()
    }

    fn permits(&self, uri: &http::Uri) -> Option<String> {
        let authority = uri.authority()?;
        let port =
            authority.port_u16().unwrap_or(if uri.scheme() == Some(&http::uri::Scheme::HTTPS) { 443 } else { 80 });
        let key = format!("{}:{port}", authority.host().to_ascii_lowercase());
        if self.allowed.contains(&key) {
            None
        } else {
            Some(key)
        }
    }
}

/// `host:port` of a URL, with the scheme's default port made explicit.
pub fn authority_of(url: &str) -> anyhow::Result<String> {
    let uri: http::Uri = url.trim().parse().map_err(|e| anyhow::anyhow!("invalid URL {url:?}: {e}"))?;
    let scheme = uri.scheme().ok_or_else(|| anyhow::anyhow!("URL {url:?} has no scheme"))?.clone();
    let authority = uri.authority().ok_or_else(|| anyhow::anyhow!("URL {url:?} has no host"))?;
    let port = authority.port_u16().unwrap_or(if scheme == http::uri::Scheme::HTTPS { 443 } else { 80 });
    Ok(format!("{}:{port}", authority.host().to_ascii_lowercase()))
}

impl WasiHttpHooks for NetworkPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), HttpError>> + Send>),
                    HttpError,
                >,
            > + Send,
    > {
        if let Some(refused) = self.permits(request.uri()) {
            self.denied.lock().unwrap().push(refused);
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let options = clamp(options, self.max_timeouts);
        let _ = fut;
        let abandoned = self.abandoned.clone();
        Box::new(async move {
            use http_body_util::BodyExt;
            let send = wasmtime_wasi_http::default_send_request(request, options);
            let (response, io) = until_abandoned(abandoned.clone(), send).await?;
            // `io` drives the connection while the body is read: ending it closes the socket.
            let io = until_abandoned(abandoned, io);
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            ))
        })
    }
}

/// Runs `work` unless the call is abandoned first, in which case `work` (and
/// the connection it owns) is dropped at once.
async fn until_abandoned<T>(
    abandoned: Option<watch::Receiver<bool>>,
    work: impl Future<Output = Result<T, HttpError>>,
) -> Result<T, HttpError> {
    let Some(mut abandoned) = abandoned else { return work.await };
    let signal = async move {
        // An error means the store is gone, and with it everything waiting on
        // this request: nothing to do.
        if abandoned.wait_for(|a| *a).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = work => result,
        () = signal => Err(HttpError::ConnectionTerminated),
    }
}

/// Ends the HTTP requests of an instance whose call was abandoned.
///
/// Dropping a call's future stops the guest where it was, but the requests it
/// started live in the store's resource table until the store is dropped, so
/// without this a cancelled five-minute generation would keep its connection
/// (and the server's work) going until the host dropped the session.
#[derive(Debug, Clone)]
pub struct Abandon(watch::Sender<bool>);

impl Abandon {
    /// Closes every connection the instance has open or opens later.
    pub fn abandon(&self) {
        self.0.send_replace(true);
    }
}

/// The guest's timeouts, each bounded by the host's (when the host set one).
fn clamp(asked: Option<RequestOptions>, max: Option<RequestOptions>) -> Option<RequestOptions> {
    let Some(max) = max else { return asked };
    let asked = asked.unwrap_or_default();
    let pick = |a: Option<Duration>, m: Option<Duration>| match (a, m) {
        (Some(a), Some(m)) => Some(a.min(m)),
        (a, m) => a.or(m),
    };
    Some(RequestOptions {
        connect_timeout: pick(asked.connect_timeout, max.connect_timeout),
        first_byte_timeout: pick(asked.first_byte_timeout, max.first_byte_timeout),
        between_bytes_timeout: pick(asked.between_bytes_timeout, max.between_bytes_timeout),
    })
}

/// Caps linear memory and remembers the largest size the plugin reached, and
/// the largest it asked for and was refused (so a failure can be traced to
/// the cap rather than guessed at).
#[derive(Debug, Clone)]
pub struct MemoryLimiter {
    limit: usize,
    peak: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl MemoryLimiter {
    pub fn new(limit: usize) -> Self {
        MemoryLimiter { limit, peak: Arc::new(AtomicUsize::new(0)), refused: Arc::new(AtomicUsize::new(0)) }
    }

    /// A handle that reads the peak after the store is gone.
    pub fn peak_handle(&self) -> Arc<AtomicUsize> {
        self.peak.clone()
    }

    /// The largest size a refused growth asked for, if the cap ever refused one.
    pub fn refused(&self) -> Option<usize> {
        Some(self.refused.load(Ordering::Relaxed)).filter(|&bytes| bytes > 0)
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused.fetch_max(desired, Ordering::Relaxed);
            return Ok(false);
        }
        self.peak.fetch_max(desired, Ordering::Relaxed);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Everything one plugin instance owns.
pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    pub(crate) network: NetworkPolicy,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) abandon: Abandon,
}

impl State {
    /// A context that grants nothing but clocks and randomness: no preopened
    /// directories, no environment, no arguments, no stdio, no sockets.
    pub fn new(mut network: NetworkPolicy, memory_limit: usize, clock: WallClock) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
        if let WallClock::Fixed(at) = clock {
            wasi.wall_clock(FixedClock(at));
        }
        let (abandon, abandoned) = watch::channel(false);
        network.abandoned = Some(abandoned);
        State {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            network,
            limiter: MemoryLimiter::new(memory_limit),
            abandon: Abandon(abandon),
        }
    }
}

/// What the plugin's `wasi:clocks/wall-clock` says. A backend decides from it
/// whether a model's shutdown date has passed, so a test (or a host checking
/// what happens next month) can fix it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WallClock {
    /// The system's clock.
    #[default]
    System,
    /// Always this instant.
    Fixed(std::time::SystemTime),
}

impl WallClock {
    /// Midnight UTC at the start of `YYYY-MM-DD`.
    pub fn at_date(date: &str) -> anyhow::Result<Self> {
        let parts: Vec<i64> = date.split('-').map(str::parse).collect::<Result<_, _>>()?;
        let &[y, m, d] = parts.as_slice() else { anyhow::bail!("not a YYYY-MM-DD date: {date:?}") };
        anyhow::ensure!((1..=12).contains(&m) && (1..=31).contains(&d), "not a YYYY-MM-DD date: {date:?}");
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = u64::try_from(era * 146_097 + doe - 719_468)?;
        Ok(WallClock::Fixed(std::time::UNIX_EPOCH + Duration::from_secs(days * 86_400)))
    }
}

struct FixedClock(std::time::SystemTime);

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        self.0.duration_since(std::time::UNIX_EPOCH).unwrap_or_default()
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.network }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_matches_authority_with_default_ports() {
        let p = NetworkPolicy::allow_urls(["https://api.openai.com/v1", "http://127.0.0.1:8080/v1"]).unwrap();
        assert_eq!(p.permits(&"https://API.openai.com:443/v1/images".parse().unwrap()), None);
        assert_eq!(p.permits(&"http://127.0.0.1:8080/x".parse().unwrap()), None);
        assert_eq!(p.permits(&"http://api.openai.com/v1".parse().unwrap()), Some("api.openai.com:80".to_string()));
        assert_eq!(p.permits(&"https://evil.example/".parse().unwrap()), Some("evil.example:443".to_string()));
    }

    #[test]
    fn the_allowlist_is_the_effective_value_of_each_declared_url() {
        let url = |name: &str, default: Option<&str>| FieldSpec {
            name: name.into(),
            label: name.into(),
            kind: ValueKind::Url,
            default: default.map(|d| crate::bindings::Value::Text(d.into())),
            help: None,
            required: false,
        };
        let text = FieldSpec { kind: ValueKind::Text, ..url("note", Some("https://not-a-destination.example")) };
        let declared = [url("base-url", Some("https://api.example.com/v1")), url("mirror", None), text];
        let defaults = NetworkPolicy::for_settings(&declared, &[]).unwrap();
        assert_eq!(defaults.allowed(), ["api.example.com:443"]);
        let given =
            [Setting::text("base-url", "http://127.0.0.1:8080/v1"), Setting::text("mirror", "https://m.example")];
        let policy = NetworkPolicy::for_settings(&declared, &given).unwrap();
        assert_eq!(policy.allowed(), ["127.0.0.1:8080", "m.example:443"]);
        let bad = NetworkPolicy::for_settings(&declared, &[Setting::text("mirror", "not a url")]).unwrap_err();
        assert!(format!("{bad:#}").contains("\"mirror\""), "{bad:#}");
    }

    #[test]
    fn a_date_is_midnight_utc() {
        let at = |d: &str| match WallClock::at_date(d).unwrap() {
            WallClock::Fixed(t) => t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
            WallClock::System => unreachable!(),
        };
        assert_eq!(at("1970-01-01"), 0);
        assert_eq!(at("2026-12-02"), 1_796_169_600);
        assert_eq!(at("2027-01-15"), 1_799_971_200);
        assert!(WallClock::at_date("2026-13-01").is_err() && WallClock::at_date("tomorrow").is_err());
    }

    #[test]
    fn clamp_takes_the_smaller_timeout() {
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(10)),
            first_byte_timeout: Some(Duration::from_secs(301)),
            between_bytes_timeout: None,
        };
        let max = RequestOptions {
            connect_timeout: None,
            first_byte_timeout: Some(Duration::from_secs(3)),
            between_bytes_timeout: Some(Duration::from_secs(3)),
        };
        let out = clamp(Some(asked), Some(max)).unwrap();
        assert_eq!(out.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(out.first_byte_timeout, Some(Duration::from_secs(3)));
        assert_eq!(out.between_bytes_timeout, Some(Duration::from_secs(3)));
    }
}
