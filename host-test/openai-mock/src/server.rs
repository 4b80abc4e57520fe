//! The server's lifecycle: bind, accept, serve each connection with hyper,
//! and the handle tests use to inspect and steer it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::body::InFlight;
use super::catalog::Catalog;
use super::config::MockConfig;
use super::faults::{Fault, FaultQueue};
use super::handler;
use super::net::ConnIo;
use super::record::{RecordedRequest, Recorder};
use super::render::ImageCache;
use super::shared::Shared;

/// A running mock. Dropping it stops it too; [`MockServer::shutdown`] also waits.
pub struct MockServer {
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Binds `127.0.0.1` on a free port and serves on the current tokio runtime.
    /// A date in the config that is not `YYYY-MM-DD` is an `InvalidInput` error.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        let catalog = Catalog::new(config.mode, config.catalog.clone(), config.today.clone())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            catalog,
            addr,
            recorder: Recorder::default(),
            faults: Mutex::new(FaultQueue::default()),
            disconnects: Arc::new(AtomicUsize::new(0)),
            in_flight: Arc::new(InFlight::default()),
            images: Arc::new(ImageCache::default()),
            files: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(MockServer { shared, stop: Some(stop), task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `http://127.0.0.1:PORT/v1` (with the configured prefix), or for Azure the
    /// resource endpoint `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        let root = format!("http://{}", self.shared.addr);
        match self.shared.config.azure {
            Some(_) => root,
            None => match self.shared.config.path_prefix.trim_matches('/') {
                "" => root,
                prefix => format!("{root}/{prefix}"),
            },
        }
    }

    /// The configuration it started with (the catalog as it was then: see [`MockServer::catalog`]).
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The live model catalog and "today": add or remove a model, move a
    /// shutdown date, or change the date, and the next request sees it.
    ///
    /// ```no_run
    /// # async fn demo() -> std::io::Result<()> {
    /// use openai_mock::{MockConfig, MockServer, ModelEntry, ModelFamily};
    /// let server = MockServer::start(MockConfig::default()).await?;
    /// server.catalog().add(ModelEntry::new("gpt-image-2.6-flare", ModelFamily::Image));
    /// server.catalog().set_shutdown_date("gpt-image-2", Some("2026-11-30")); // retired from now on
    /// server.catalog().remove("gpt-5-nano");
    /// server.catalog().set_today(Some("2027-01-14")); // gpt-4o-mini and gpt-4.1-mini are gone too
    /// # Ok(())
    /// # }
    /// ```
    pub fn catalog(&self) -> &Catalog {
        &self.shared.catalog
    }

    /// Every request received so far, in arrival order, valid or not.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared.recorder.clear();
    }

    /// Queues faults: each next request consumes one, then normal behaviour resumes.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.faults.lock().unwrap().queue.extend(faults);
    }

    /// A fault for every request (after any queued ones), until set to `None`.
    pub fn set_fault_always(&self, fault: Option<Fault>) {
        self.shared.faults.lock().unwrap().always = fault;
    }

    /// Faults still queued.
    pub fn pending_faults(&self) -> usize {
        self.shared.faults.lock().unwrap().queue.len()
    }

    /// How many times a client went away before a response was complete.
    pub fn disconnects(&self) -> usize {
        self.shared.disconnects.load(Ordering::Relaxed)
    }

    /// Requests received whose response has not yet ended (or been abandoned).
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.current.load(Ordering::SeqCst)
    }

    /// The most requests that have been in flight at once since the start
    /// (or the last [`MockServer::reset_peak_in_flight`]).
    pub fn peak_in_flight(&self) -> usize {
        self.shared.in_flight.peak.load(Ordering::SeqCst)
    }

    /// Starts counting [`MockServer::peak_in_flight`] afresh from the requests in flight now.
    pub fn reset_peak_in_flight(&self) {
        let now = self.shared.in_flight.current.load(Ordering::SeqCst);
        self.shared.in_flight.peak.store(now, Ordering::SeqCst);
    }

    /// Stops accepting, drops open connections, and waits for that to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts until told to stop; the connection tasks live in a `JoinSet`, so
/// ending this task ends them all.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                connections.spawn(serve(stream, shared.clone()));
                while connections.try_join_next().is_some() {}
            }
        }
    }
    connections.shutdown().await;
}

async fn serve(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let (io, reset) = ConnIo::new(stream);
    let service = service_fn(move |req| handler::handle(shared.clone(), reset.clone(), req));
    // Errors here are the client going away or a fault ending the connection.
    let _ = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(io), service).await;
}
