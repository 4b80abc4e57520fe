//! `visual-host` as a user runs it: the binary, its flags, its `--json`
//! contract and exit codes, driving the real OpenAI component against the
//! embedded mock (in process, or the CLI's own `--mock`).

mod harness;

mod analyze;
mod azure;
mod check;
mod contract;
mod edit;
mod errors;
mod formats;
mod installed;
mod parameters;
mod streaming;
mod swap;
