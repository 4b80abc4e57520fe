//! A strict loopback mock of the OpenAI APIs the backend uses: Images
//! (generations and edits), Chat Completions with image input, and Models,
//! plus the Azure OpenAI deployment form. It is for tests and `visual-host --mock`.
//!
//! It speaks HTTP/1.1 on `127.0.0.1` and validates every request the way the
//! real API does (same error envelopes, statuses and wording where known), so
//! a test that passes against the mock exercises the component's real wire
//! format, not a lenient stand-in. Every request is recorded with its verdict,
//! and [`Fault`]s make it misbehave like the real service does on a bad day
//! (rate limits, outages, broken connections, corrupt payloads).
//!
//! **Which models it serves.** By default ([`MockMode::Api`]) it answers like
//! OpenAI's API today: a [`ModelEntry`] catalog (by default
//! [`ModelEntry::default_catalog`], OpenAI as of 2026-12-07) says which ids
//! exist, which endpoint family each serves, and when each shuts down. A model
//! whose shutdown date has come is retired (unlisted, and a 404 with the body
//! OpenAI sends after a shutdown); an unknown id is a 404 `model_not_found`; an
//! image model sent to chat, or a chat model sent to images, is refused.
//! "Today" is the real UTC date unless [`MockConfig::today`] fixes it.
//! [`MockMode::Gateway`] ([`MockConfig::gateway`]) is a compatible gateway that
//! still serves the old models: nothing is retired and any id passes, with its
//! family's rules. With [`MockConfig::azure`] the deployment decides the model.
//! The catalog can be changed while the mock runs: [`MockServer::catalog`],
//! down to a model released after the build, with parameters and quality
//! tiers the mock has never heard of ([`ModelEntry::with_param`],
//! [`ParamRule`], [`ModelEntry::with_quality`]).
//!
//! The image models' rules are their families' (`gpt-image-2` stops at
//! `high`; 2.5 adds `xhigh` and `max`; 2.6 adds `complexity`, animated GIF
//! and SVG output and markup-guided edits: see the `kinds` and `formats`
//! modules), with LIFECYCLE.md's facts cited where they are encoded.
//!
//! Where the real API is lenient in a way the component must never rely on,
//! the mock is deliberately stricter: `model` is required, `dall-e-2` is not
//! served, edits must be multipart, and chat streaming is refused. Those
//! rejections say "this mock" in their message so they are not mistaken for
//! the real API's.
//!
//! **How the modules stand.** Each module imports only modules on floors
//! below its own, so the import graph has no circle: what two modules both
//! need lives in a module under both (the shared image types in `types`,
//! the validated request in `job`, a look in `look`, the connection state in
//! `shared`). From the ground up:
//!
//! 1. Leaves, importing no other module: `errors` (the error envelopes and
//!    their wording), `types` (image endpoint, output format, animation, SVG
//!    author), `dates`, `digest`, `sniff` (what image bytes are:
//!    [`ImageInfo`]), `faults` (the [`Fault`] data and queue), `tokens`,
//!    `route`, `reqbody`, `net`, `test_images`.
//! 2. `fields` (an image request's parameters as they arrived), `look` (what
//!    an image looks like, [`ImageDetail`]), `reasoning` (reasoning effort),
//!    `record` (the request log), `body`, `azure`.
//! 3. `declared` ([`ParamRule`]), `animated`, `vector`, `sse`.
//! 4. `entry` ([`ModelEntry`]), `kinds` (the image families' rules),
//!    `render` (encoding and the image cache).
//! 5. `catalog` ([`Catalog`], [`MockMode`]: what is served on a given day),
//!    `job` (a validated image request), `sizes`.
//! 6. `gate` (may this request use this model, by which rules), `config`
//!    ([`MockConfig`]), `models`, `usage`.
//! 7. `formats`, `chat`, `auth`, `output` (image answers), `shared` (the
//!    state every connection shares).
//! 8. `params` (the image parameter rules), `outcome` (the reply, bent by a
//!    fault).
//! 9. `images`, `edits`.
//! 10. `handler` (one request, start to finish).
//! 11. `server` ([`MockServer`]).
//! 12. `lib.rs`: only declares the modules and re-exports the public types.

mod animated;
mod auth;
mod azure;
mod body;
mod catalog;
mod chat;
mod config;
mod dates;
mod declared;
mod digest;
mod edits;
mod entry;
mod errors;
mod faults;
mod fields;
mod formats;
mod gate;
mod handler;
mod images;
mod job;
mod kinds;
mod look;
mod models;
mod net;
mod outcome;
mod output;
mod params;
mod reasoning;
mod record;
mod render;
mod reqbody;
mod route;
mod server;
mod shared;
mod sizes;
mod sniff;
mod sse;
pub mod test_images;
mod tokens;
mod types;
mod usage;
mod vector;

pub use catalog::{Catalog, MockMode};
pub use config::{AzureMock, MockConfig};
pub use declared::ParamRule;
pub use entry::{ModelEntry, ModelFamily};
pub use faults::Fault;
pub use look::ImageDetail;
pub use record::{RecordedPart, RecordedRequest, Verdict};
pub use render::noise_png;
pub use server::MockServer;
pub use sniff::ImageInfo;
