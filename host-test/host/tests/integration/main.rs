//! Integration tests: the real `.wasm` in wasmtime, talking HTTP over
//! loopback to the embedded mock, which validates every request.

mod harness;

mod analyze;
mod azure;
mod check;
mod contract;
mod day_one;
mod edit;
mod errors;
mod generate;
mod loading;
mod models;
mod sandbox;
mod streaming;
mod swap;
