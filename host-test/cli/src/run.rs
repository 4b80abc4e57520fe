//! Runs a command: load the backend, resolve its settings, call it, print
//! the result.
//!
//! Exit codes: 0 success; 1 the backend returned an error (with `--json`,
//! `{"error": {"kind", "message", "status"}}` on stdout), or a readiness check
//! found an error; 2 bad usage or a missing required setting (no API key);
//! 3 the host itself failed (component missing, not a backend, trapped);
//! 130 cancelled with Ctrl-C.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use openai_mock::{MockConfig, MockMode, MockServer};
use serde_json::{json, Value};
use visual_host::bindings::{EditRequest, GenerateRequest, Generation, GenerationEvent, StatusLevel};
use visual_host::cache::ComponentCache;
use visual_host::runtime::{Plugin, Runtime, RuntimeOptions, Session};
use visual_host::sandbox::{WallClock, DEFAULT_MEMORY_LIMIT};

use crate::args::*;
use crate::failure::Failure;
use crate::{output, report, requests, settings, text};

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match execute(&cli).await {
        Ok(code) => code,
        Err(Failure::Backend(e)) => {
            if cli.json {
                println!("{}", report::error_json(&e));
            } else {
                eprintln!("error ({}): {}", e.kind(), e.message());
            }
            1
        }
        Err(Failure::Usage(message)) => {
            eprintln!("{message}");
            2
        }
        Err(Failure::Cancelled) => {
            if cli.json {
                println!(
                    "{}",
                    json!({"error": {"kind": "cancelled", "message": "cancelled by the user", "status": null}})
                );
            } else {
                eprintln!("cancelled: the request was abandoned and its connection closed");
            }
            130
        }
        Err(Failure::Host(e)) => {
            if cli.json {
                println!("{}", json!({"error": {"kind": "host", "message": format!("{e:#}"), "status": null}}));
            } else {
                eprintln!("visual-host: {e:#}");
            }
            3
        }
    }
}

async fn execute(cli: &Cli) -> Result<i32, Failure> {
    if let Command::MockServer(args) = &cli.command {
        return serve_mock(args).await.map_err(Failure::Host);
    }
    if let Command::Serve(args) = &cli.command {
        return crate::serve::serve(cli, args).await;
    }
    let plugin = load_plugin(cli)?;
    let info = plugin.info().await?;
    if let Command::Info = &cli.command {
        if cli.json {
            let mut v = report::info_json(&info);
            v["contract"] = json!(plugin.contract);
            println!("{v}");
        } else {
            text::print_info(&info, &plugin.contract);
        }
        return Ok(0);
    }

    // The mock, when there is one, serves until this function returns.
    let settings::Resolved { settings, mock: _mock } = settings::resolve(cli, &info).await?;
    let network = plugin.network_policy(&settings).await?;
    let allowed = network.allowed().to_vec();
    let mut session = plugin.connect(&settings, network).await??;

    match &cli.command {
        Command::Generate(args) => {
            let request = requests::generate(&args.image, &info)?;
            match args.image.partial_images {
                Some(n) => stream(cli, &mut session, &args.image, StreamKind::Generate(request), n).await,
                None => {
                    let generation = cancellable(session.generate(&request)).await???;
                    finish_generation(cli, &args.image.out, &generation)
                }
            }
        }
        Command::Edit(args) => {
            let request = requests::edit(args, &info)?;
            match args.image.partial_images {
                Some(n) => stream(cli, &mut session, &args.image, StreamKind::Edit(request), n).await,
                None => {
                    let generation = cancellable(session.edit(&request)).await???;
                    finish_generation(cli, &args.image.out, &generation)
                }
            }
        }
        Command::Analyze(args) => {
            let request = requests::analyze(args, &info)?;
            let analysis = cancellable(session.analyze(&request)).await???;
            if cli.json {
                println!("{}", report::analysis_json(&analysis));
            } else {
                println!("{}", analysis.text);
                if analysis.truncated {
                    eprintln!("(the answer was cut short by the token limit)");
                }
                // stdout is the answer alone, for a pipe; the cost goes beside it.
                if let Some(cost) = &analysis.cost {
                    eprintln!("{}", report::cost_line(cost));
                }
            }
            Ok(0)
        }
        Command::Check(args) => {
            let status = cancellable(session.check(args.capability, args.model.as_deref())).await???;
            if cli.json {
                let mut v = report::status_json(&status);
                v["allowed_hosts"] = json!(allowed);
                println!("{v}");
            } else {
                println!("{}: {} ({})", status.level.name(), status.message, status.model);
                eprintln!(
                    "the backend may reach: {}",
                    if allowed.is_empty() { "nothing".into() } else { allowed.join(", ") }
                );
            }
            Ok(if status.level == StatusLevel::Error { 1 } else { 0 })
        }
        Command::Models(args) => {
            let models = cancellable(session.models(args.capability)).await???;
            if cli.json {
                println!("{}", report::models_json(&models));
            } else {
                text::print_models(&models);
            }
            Ok(0)
        }
        Command::Info | Command::MockServer(_) | Command::Serve(_) => unreachable!("handled above"),
    }
}

fn load_plugin(cli: &Cli) -> Result<Plugin, Failure> {
    let path = crate::locate::component(cli.component.as_deref()).map_err(|e| Failure::Host(anyhow::anyhow!(e)))?;
    let wall_clock = match &cli.today {
        Some(date) => WallClock::at_date(date).map_err(|e| Failure::Usage(format!("--today: {e}")))?,
        None => WallClock::System,
    };
    let cache = if cli.no_cache { None } else { ComponentCache::default_dir().map(ComponentCache::new) };
    let runtime = Runtime::new(RuntimeOptions { cache, memory_limit: DEFAULT_MEMORY_LIMIT, wall_clock })?;
    Ok(runtime.load(&path)?)
}

/// Runs a backend call with a spinner (when stderr is a terminal) and Ctrl-C.
async fn cancellable<T>(call: impl Future<Output = anyhow::Result<T>>) -> Result<Result<T, Failure>, Failure> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(ProgressStyle::with_template("{spinner} working... {elapsed}").unwrap());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let interrupted = crate::interrupt::ctrl_c_from_now().map_err(|e| Failure::Host(e.into()))?;
    let result = tokio::select! {
        result = call => Ok(result.map_err(Failure::Host)),
        () = interrupted => Err(Failure::Cancelled),
    };
    spinner.finish_and_clear();
    result
}

fn finish_generation(cli: &Cli, out: &Path, generation: &Generation) -> Result<i32, Failure> {
    let rows = output::write_generation(out, generation).map_err(|e| Failure::Host(e.into()))?;
    if cli.json {
        println!("{}", output::generation_json(generation, rows));
    } else {
        for row in &rows {
            println!(
                "wrote {} ({}, {}x{}, {} bytes)",
                row["path"].as_str().unwrap_or_default(),
                row["mime_type"].as_str().unwrap_or_default(),
                row["width"],
                row["height"],
                row["bytes"]
            );
        }
        if let Some(revised) = &generation.revised_prompt {
            println!("revised prompt: {revised}");
        }
        println!("model: {}", generation.model);
        if let Some(svg) = &generation.svg_usage {
            println!(
                "SVG written by {} ({} tokens)",
                svg.model.as_deref().unwrap_or("a helper model"),
                svg.usage.total_tokens
            );
        }
        if let Some(cost) = &generation.cost {
            println!("{}", report::cost_line(cost));
        }
    }
    Ok(0)
}

enum StreamKind {
    Generate(GenerateRequest),
    Edit(EditRequest),
}

/// A streamed generation: each partial image is written as it arrives.
async fn stream(
    cli: &Cli,
    session: &mut Session,
    options: &ImageOptions,
    kind: StreamKind,
    partial_images: u32,
) -> Result<i32, Failure> {
    let started = match &kind {
        StreamKind::Generate(r) => session.start_generate(r, partial_images).await?,
        StreamKind::Edit(r) => session.start_edit(r, partial_images).await?,
    };
    let handle = started?;
    let mut partial_rows: Vec<Value> = Vec::new();
    loop {
        let event = match cancellable(session.next_event(&handle)).await {
            Ok(event) => event?,
            Err(Failure::Cancelled) => {
                // Dropping the stream closes the connection; the call is abandoned.
                let _ = session.close_stream(handle).await;
                return Err(Failure::Cancelled);
            }
            Err(other) => return Err(other),
        };
        match event {
            None => return Err(Failure::Host(anyhow::anyhow!("the stream ended without a result"))),
            Some(Err(e)) => return Err(Failure::Backend(e)),
            Some(Ok(GenerationEvent::Partial(p))) => {
                let suffix = format!("-partial-{}", p.partial_index);
                let suffix =
                    if options.n.unwrap_or(1) > 1 { format!("-{}{suffix}", p.image_index + 1) } else { suffix };
                let path =
                    output::write_image(&output::image_path(&options.out, &suffix, &p.image.mime_type), &p.image)
                        .map_err(|e| Failure::Host(e.into()))?;
                if !cli.json {
                    eprintln!("partial image {} -> {}", p.partial_index, path.display());
                }
                partial_rows.push(json!({"path": path.display().to_string(), "partial_index": p.partial_index,
                    "image_index": p.image_index}));
            }
            Some(Ok(GenerationEvent::Completed(generation))) => {
                let _ = session.close_stream(handle).await;
                if cli.json {
                    let rows =
                        output::write_generation(&options.out, &generation).map_err(|e| Failure::Host(e.into()))?;
                    let mut v = output::generation_json(&generation, rows);
                    v["partial_images"] = json!(partial_rows);
                    println!("{v}");
                    return Ok(0);
                }
                return finish_generation(cli, &options.out, &generation);
            }
        }
    }
}

/// `visual-host mock-server`: the embedded mock on its own, for other hosts'
/// tests (the Python host's among them). Prints `{"base_url": ..., "api_key": ...}`.
async fn serve_mock(args: &MockServerArgs) -> anyhow::Result<i32> {
    // Before the address is printed: a caller may stop it the moment it reads it.
    let interrupted = crate::interrupt::ctrl_c_from_now()?;
    let key = args
        .key
        .clone()
        .or_else(|| std::env::var("OPENAI_API_KEY").ok().filter(|k| !k.is_empty()))
        .unwrap_or_else(|| settings::MOCK_KEY.to_string());
    let mode = if args.gateway { MockMode::Gateway } else { MockMode::Api };
    let mut config = MockConfig { api_key: key.clone(), mode, ..MockConfig::default() };
    if !args.azure_deployments.is_empty() {
        let deployments = args
            .azure_deployments
            .iter()
            .map(|d| {
                let (name, model) = d.split_once('=').unwrap_or((d.as_str(), "gpt-image-2.6-flare"));
                (name.to_string(), model.to_string())
            })
            .collect();
        config.azure = Some(openai_mock::AzureMock { api_version: "2025-04-01-preview".into(), deployments });
    }
    let server = MockServer::start(config).await?;
    println!("{}", json!({"base_url": server.base_url(), "api_key": key}));
    use std::io::Write;
    std::io::stdout().flush()?;
    interrupted.await;
    server.shutdown().await;
    Ok(0)
}
