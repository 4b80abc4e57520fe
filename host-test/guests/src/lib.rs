//! The backend components this workspace builds, as files on disk.
//!
//! `build.rs` builds them for `wasm32-wasip2` in release (the way wasmtime's
//! `test-programs-artifacts` crate builds its guests), so one `cargo test` or
//! `cargo run -p visual-host` from a fresh clone needs no other step. Hosts
//! never embed a component: they learn where it is from here and load it at
//! run time, like any other `.wasm`.

/// The OpenAI backend (the root crate, `openai-visual-backend`).
pub const OPENAI_BACKEND: &str = env!("OPENAI_BACKEND_WASM");

/// The offline placeholder backend (`host-test/placeholder-backend`).
pub const PLACEHOLDER_BACKEND: &str = env!("PLACEHOLDER_BACKEND_WASM");

/// The placeholder backend built for contract 0.1 (`--features contract-v0-1`):
/// how the workspace tests that hosts still load 0.1 backends.
pub const PLACEHOLDER_BACKEND_V0_1: &str = env!("PLACEHOLDER_BACKEND_V0_1_WASM");

/// The components the build copies beside the binaries it makes
/// (`target/debug/`, `target/release/`), by file name: the OpenAI backend and
/// the placeholder. An installed `visual-host` finds them in the same place,
/// beside itself, as the release archive puts them.
pub const BESIDE_THE_BINARY: [&str; 2] = ["openai_visual_backend.wasm", "placeholder_backend.wasm"];
