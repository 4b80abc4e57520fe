//! `visual_host`: a wasmtime host for `talemate:visual` backends.
//!
//! It loads a backend component from a file at run time ([`runtime`]), keeps
//! its compiled form on disk ([`cache`]), and runs each instance in a sandbox
//! ([`sandbox`]: outgoing HTTP only to allowed authorities, a memory cap,
//! bounded waits, nothing else). [`bindings`] holds the contract's types as
//! `wasmtime::component::bindgen!` generates them, with the helpers hosts need,
//! and [`json`] the records every host prints alike.
//! Components built for contract 0.1 load too, presented in the 0.2 shape.
//!
//! It knows the contract, not any one service: the OpenAI backend is one
//! component among others to it. The `visual-host` command line, the
//! benchmark and the Python package are built on it.

pub mod bindings;
pub mod cache;
pub mod json;
mod legacy;
pub mod runtime;
pub mod sandbox;
pub mod status;
