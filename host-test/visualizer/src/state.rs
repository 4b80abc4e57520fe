//! What every handler shares ([`AppState`]), and the event the page hears
//! ([`Event`]).
//!
//! Apart from the crate root on purpose: the modules that act on the whole
//! server (the routes, the job runner, the pill checks, the folder's watcher)
//! import it from here, so none of them imports the root that declares and
//! starts them. It holds the stores, each of which knows nothing of it.

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::config::ConfigStore;
use crate::gallery::Gallery;
use crate::jobs::Jobs;
use crate::models::ModelsCache;
use crate::pills::Pills;
use crate::plugins::Plugins;
use crate::security::Guard;

/// What every handler shares.
pub struct AppState {
    /// The token and the allowed hosts, shared with the security middleware.
    pub guard: Arc<Guard>,
    pub plugins: Plugins,
    pub config: ConfigStore,
    pub jobs: Jobs,
    pub gallery: Gallery,
    pub pills: Pills,
    pub models: ModelsCache,
    pub events: broadcast::Sender<Event>,
    pub shutdown: CancellationToken,
    /// Where the jobs' calls run (see `WorkRuntime` in `lib.rs`).
    pub work: tokio::runtime::Handle,
}

/// One server-sent event for the page.
#[derive(Clone, Debug)]
pub struct Event {
    pub name: &'static str,
    pub data: serde_json::Value,
}

impl AppState {
    pub fn emit(&self, name: &'static str, data: serde_json::Value) {
        // No subscriber is fine: nobody has the page open.
        let _ = self.events.send(Event { name, data });
    }
}
