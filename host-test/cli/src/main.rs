//! `visual-host`: load a `talemate:visual` backend component and drive it from
//! the command line (see `run` for the commands and exit codes).

mod args;
mod failure;
mod interrupt;
mod locate;
mod output;
mod report;
mod requests;
mod run;
mod serve;
mod settings;
mod text;

use clap::Parser;

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("visual-host: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(3);
        }
    };
    let code = runtime.block_on(run::run(cli));
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Rust ignores SIGPIPE, so `visual-host info | head` would panic on the
/// closed pipe; a command-line tool should end quietly instead.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
