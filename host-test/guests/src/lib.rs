//! The backend components this workspace builds, as files on disk.
//!
//! `build.rs` builds them for `wasm32-wasip2` in release (the way wasmtime's
//! `test-programs-artifacts` crate builds its guests), so one `cargo test` or
//! `cargo run -p visual-host-cli` from a fresh clone needs no other step. Hosts
//! never embed a component: they learn where it is from here and load it at
//! run time, like any other `.wasm`.

/// The OpenAI backend (the root crate, `openai-visual-backend`).
pub const OPENAI_BACKEND: &str = env!("OPENAI_BACKEND_WASM");

/// The offline placeholder backend (`host-test/placeholder-backend`).
pub const PLACEHOLDER_BACKEND: &str = env!("PLACEHOLDER_BACKEND_WASM");

/// The placeholder backend built for contract 0.2 (`--features contract-v0-2`):
/// how the workspace tests that hosts still load 0.2 backends.
pub const PLACEHOLDER_BACKEND_V0_2: &str = env!("PLACEHOLDER_BACKEND_V0_2_WASM");

/// The placeholder backend built for contract 0.1 (`--features contract-v0-1`):
/// how the workspace tests that hosts still load 0.1 backends.
pub const PLACEHOLDER_BACKEND_V0_1: &str = env!("PLACEHOLDER_BACKEND_V0_1_WASM");

/// A component this workspace builds, for tests that run every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    /// Where the `.wasm` is.
    pub path: &'static str,
    /// The backend's `info().name`.
    pub name: &'static str,
    /// The contract version it exports (`0.3.0`, ...).
    pub contract: &'static str,
}

/// Every backend component, newest contract first: the OpenAI backend, the
/// placeholder, and the placeholder built for each older contract (hosts
/// present those in the newest shape).
pub const ALL: [Guest; 4] = [
    Guest { path: OPENAI_BACKEND, name: "openai", contract: "0.3.0" },
    Guest { path: PLACEHOLDER_BACKEND, name: "placeholder", contract: "0.3.0" },
    Guest { path: PLACEHOLDER_BACKEND_V0_2, name: "placeholder", contract: "0.2.0" },
    Guest { path: PLACEHOLDER_BACKEND_V0_1, name: "placeholder", contract: "0.1.0" },
];

/// A component that exports the contract's interface at 0.4.0 (in the text
/// format): what a backend built against a future, incompatible contract
/// looks like from outside.
pub const FUTURE_CONTRACT_WAT: &str = r#"
(component
  (instance $backend)
  (export "talemate:visual/visual-backend@0.4.0" (instance $backend))
)
"#;

/// The components the build copies beside the binaries it makes
/// (`target/debug/`, `target/release/`), by file name: the OpenAI backend and
/// the placeholder. An installed `visual-host` finds them in the same place,
/// beside itself, as the release archive puts them.
pub const BESIDE_THE_BINARY: [&str; 2] = ["openai_visual_backend.wasm", "placeholder_backend.wasm"];
