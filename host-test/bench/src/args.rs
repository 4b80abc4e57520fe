//! The benchmark's command line.

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "visual-bench", about = "Benchmarks the OpenAI backend component against native and Python clients")]
pub struct Args {
    /// Timed generate calls per client, after the warm-up.
    #[arg(long, default_value_t = 30)]
    pub calls: usize,
    /// Untimed calls per client first (connection set-up, caches, JIT-free warm state).
    #[arg(long, default_value_t = 3)]
    pub warmup: usize,
    /// A smoke run: few calls, a 3 MB upload, no Python SDK, no release-small build.
    #[arg(long)]
    pub quick: bool,
    /// Leave out the Python SDK (no venv, no PyPI).
    #[arg(long)]
    pub skip_python: bool,
    /// Leave out the release-small build and its measurements.
    #[arg(long)]
    pub skip_size_build: bool,
    /// The component to measure; default: the one built alongside this tool.
    #[arg(long)]
    pub component: Option<PathBuf>,
}
