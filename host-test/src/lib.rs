//! A wasmtime host for `talemate:visual` backends: loads a component from a
//! file at run time, sandboxes it, and calls it. Also carries the embedded
//! OpenAI mock the tests and `visual-host --mock` use.

pub mod bindings;
pub mod cache;
pub mod cli;
pub mod mock;
pub mod pyenv;
pub mod report;
pub mod runtime;
pub mod sandbox;
