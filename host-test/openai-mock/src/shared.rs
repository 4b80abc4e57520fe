//! The state every connection of a running mock shares: its config and live
//! catalog, the request log, the fault queue, counters, and the image cache
//! and URL-served files. Its own module so the server, which builds it, and
//! the handler, which serves each request from it, both stand on it without
//! importing each other.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::body::InFlight;
use super::catalog::Catalog;
use super::config::MockConfig;
use super::faults::FaultQueue;
use super::record::Recorder;
use super::render::ImageCache;

/// State shared by every connection.
pub(crate) struct Shared {
    pub config: MockConfig,
    /// The live catalog, seeded from `config.catalog`.
    pub catalog: Catalog,
    pub addr: SocketAddr,
    pub recorder: Recorder,
    pub faults: Mutex<FaultQueue>,
    pub disconnects: Arc<AtomicUsize>,
    pub in_flight: Arc<InFlight>,
    pub images: Arc<ImageCache>,
    /// Images answered by URL (dall-e-3's default), served at `/mock-files/{name}`.
    pub files: Mutex<HashMap<String, (Bytes, &'static str)>>,
}
