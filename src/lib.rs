//! OpenAI image backend for the `talemate:visual` plugin contract.
//!
//! Everything but `component` and `transport` is pure Rust with no `wasi`
//! dependency, so it builds and is unit-tested natively:
//!
//! - [`types`], [`error`]: the contract's vocabulary as plain Rust.
//! - [`models`]: the model table (sizes, limits, capabilities) and `info()`.
//! - [`config`]: settings validated into endpoints, headers and timeouts.
//! - [`generate`], [`edit`], [`analyze`]: request checks and request bodies.
//! - [`images_response`], [`api_error`]: what comes back, success or failure.
//! - [`imaging`], [`multipart`], [`sse`]: the small formats the API uses.
//! - [`retry`], [`client`]: the call itself, over any [`http::Transport`].
//! - `component` (wasm only): the WIT exports; `transport` (wasm only): `wasi:http`.

pub mod analyze;
pub mod api_error;
pub mod call;
pub mod client;
pub mod config;
pub mod edit;
pub mod error;
pub mod generate;
pub mod http;
pub mod images_response;
pub mod imaging;
pub mod models;
pub mod multipart;
pub mod retry;
pub mod sse;
pub mod streaming;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod transport;
