//! `visual-host`: load a backend component and drive it from the command line.
//!
//! Exit codes: 0 success; 1 the backend returned an error (with `--json`,
//! `{"error": {"kind", "message", "status"}}` on stdout); 2 bad usage or no
//! API key; 3 the host itself failed (component missing, not a backend,
//! trapped); 130 cancelled with Ctrl-C.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use openai_mock::{MockConfig, MockServer};
use visual_host::bindings::{
    AnalyzeRequest, AzureSettings, Capability, EditRequest, Error, GenerateRequest, Generation, GenerationEvent,
    Header, ImageFormat, Settings, Size, StatusLevel, WitEnum,
};
use visual_host::cache::ComponentCache;
use visual_host::runtime::{Plugin, Runtime, RuntimeOptions, Session};
use visual_host::sandbox::{NetworkPolicy, DEFAULT_MEMORY_LIMIT};

use crate::args::*;
use crate::{output, report};

/// The key the embedded mock accepts when none is given.
pub const MOCK_KEY: &str = "sk-mock-key";

/// Where the workspace build put the OpenAI backend (see `guest-components`).
/// Only the path is compiled in; the component is read from disk at run time.
pub const DEFAULT_COMPONENT: &str = guest_components::OPENAI_BACKEND;

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    match execute(&cli).await {
        Ok(code) => code,
        Err(Failure::Backend(e)) => {
            if cli.json {
                println!("{}", report::error_json(&e));
            } else {
                eprintln!(
                    "error ({}): {}",
                    visual_host::bindings::error_kind(&e),
                    visual_host::bindings::error_message(&e)
                );
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

enum Failure {
    Backend(Error),
    Usage(String),
    Cancelled,
    Host(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Host(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Backend(e)
    }
}

async fn execute(cli: &Cli) -> Result<i32, Failure> {
    if let Command::MockServer(args) = &cli.command {
        return serve_mock(args).await.map_err(Failure::Host);
    }
    let plugin = load_plugin(cli)?;
    if let Command::Info = &cli.command {
        let info = plugin.info().await?;
        if cli.json {
            println!("{}", report::info_json(&info));
        } else {
            print_info(&info);
        }
        return Ok(0);
    }

    let (settings, _mock) = settings(cli).await?;
    let network = NetworkPolicy::for_settings(&settings)?;
    let mut session = plugin.connect(&settings, network).await??;

    match &cli.command {
        Command::Generate(args) => {
            let request = generate_request(&args.image);
            match args.image.partial_images {
                Some(n) => stream(cli, &mut session, &args.image, StreamKind::Generate(request), n).await,
                None => {
                    let generation = cancellable(session.generate(&request)).await???;
                    finish_generation(cli, &args.image.out, &generation)
                }
            }
        }
        Command::Edit(args) => {
            let request = edit_request(args)?;
            match args.image.partial_images {
                Some(n) => stream(cli, &mut session, &args.image, StreamKind::Edit(request), n).await,
                None => {
                    let generation = cancellable(session.edit(&request)).await???;
                    finish_generation(cli, &args.image.out, &generation)
                }
            }
        }
        Command::Analyze(args) => {
            let image = read_file(&args.image)?;
            let request = AnalyzeRequest {
                image,
                prompt: args.prompt.clone(),
                model: args.model.clone(),
                detail: args.detail,
                max_output_tokens: args.max_tokens,
            };
            let analysis = cancellable(session.analyze(&request)).await???;
            if cli.json {
                println!("{}", report::analysis_json(&analysis));
            } else {
                println!("{}", analysis.text);
                if analysis.truncated {
                    eprintln!("(the answer was cut short by the token limit)");
                }
            }
            Ok(0)
        }
        Command::Check(args) => {
            let status = cancellable(session.check(args.capability, args.model.as_deref())).await???;
            if cli.json {
                println!("{}", report::status_json(&status));
            } else {
                println!("{}: {} ({})", status.level.name(), status.message, status.model);
            }
            Ok(if status.level == StatusLevel::Error { 1 } else { 0 })
        }
        Command::Info | Command::MockServer(_) => unreachable!("handled above"),
    }
}

fn load_plugin(cli: &Cli) -> Result<Plugin, Failure> {
    let path = cli.component.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_COMPONENT));
    if !path.is_file() {
        return Err(Failure::Host(anyhow::anyhow!(
            "no component at {}; build it with `cargo build --target wasm32-wasip2 --release` or pass --component",
            path.display()
        )));
    }
    let cache = if cli.no_cache { None } else { ComponentCache::default_dir().map(ComponentCache::new) };
    let runtime = Runtime::new(RuntimeOptions { cache, memory_limit: DEFAULT_MEMORY_LIMIT })?;
    Ok(runtime.load(&path)?)
}

/// Settings from the flags and the environment; starts the mock when asked
/// (the returned server must live as long as the call).
async fn settings(cli: &Cli) -> Result<(Settings, Option<MockServer>), Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let env_key = env("OPENAI_API_KEY");
    let mut mock = None;
    let (key, mut base_url) = if cli.mock {
        let key = env_key.unwrap_or_else(|| MOCK_KEY.to_string());
        let mut config = MockConfig { api_key: key.clone(), ..MockConfig::default() };
        if let Some(deployment) = &cli.azure_deployment {
            config.azure = Some(openai_mock::AzureMock {
                api_version: cli.azure_api_version.clone(),
                deployments: vec![(deployment.clone(), command_model(&cli.command).unwrap_or_default())],
            });
        }
        let server = MockServer::start(config).await.map_err(|e| Failure::Host(e.into()))?;
        let url = server.base_url();
        mock = Some(server);
        (key, Some(url))
    } else {
        let Some(key) = env_key else {
            return Err(Failure::Usage(
                "No API key. Set OPENAI_API_KEY to a key from https://platform.openai.com/api-keys \
                 (gpt-image models also need a verified organization), or add --mock to use the embedded mock."
                    .into(),
            ));
        };
        (key, cli.base_url.clone().or_else(|| env("OPENAI_BASE_URL")))
    };

    let azure = match (&cli.azure_endpoint, &cli.azure_deployment) {
        (Some(endpoint), Some(deployment)) => Some(AzureSettings {
            endpoint: endpoint.clone(),
            api_version: cli.azure_api_version.clone(),
            text_to_image_deployment: Some(deployment.clone()),
            image_edit_deployment: Some(deployment.clone()),
            image_analysis_deployment: Some(deployment.clone()),
        }),
        (None, Some(deployment)) if cli.mock => Some(AzureSettings {
            endpoint: base_url.take().unwrap_or_default(),
            api_version: cli.azure_api_version.clone(),
            text_to_image_deployment: Some(deployment.clone()),
            image_edit_deployment: Some(deployment.clone()),
            image_analysis_deployment: Some(deployment.clone()),
        }),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Failure::Usage("--azure-endpoint and --azure-deployment go together".into()))
        }
        (None, None) => None,
    };

    let mut extra_headers = Vec::new();
    for header in &cli.headers {
        let Some((name, value)) = header.split_once(':') else {
            return Err(Failure::Usage(format!("--header takes 'Name: value', not {header:?}")));
        };
        extra_headers.push(Header { name: name.trim().to_string(), value: value.trim().to_string() });
    }

    let timeout = match cli.timeout {
        Some(secs) if !(secs.is_finite() && secs > 0.0) => {
            return Err(Failure::Usage(format!("--timeout takes a positive number of seconds, not {secs}")))
        }
        Some(secs) => Some(Duration::from_secs_f64(secs)),
        None => None,
    };
    let settings = Settings {
        api_key: key,
        base_url,
        organization: env("OPENAI_ORG_ID"),
        project: env("OPENAI_PROJECT_ID"),
        extra_headers,
        azure,
        connect_timeout_ms: None,
        generation_timeout_ms: timeout.map(|t| t.as_millis() as u64),
        between_bytes_timeout_ms: timeout.map(|t| t.min(Duration::from_secs(60)).as_millis() as u64),
        max_retries: cli.max_retries,
        max_response_bytes: None,
    };
    Ok((settings, mock))
}

fn command_model(command: &Command) -> Option<String> {
    match command {
        Command::Generate(a) => a.image.model.clone(),
        Command::Edit(a) => a.image.model.clone(),
        Command::Analyze(a) => a.model.clone(),
        Command::Check(a) => a.model.clone(),
        _ => None,
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

/// Runs a backend call with a spinner (when stderr is a terminal) and Ctrl-C.
async fn cancellable<T>(call: impl Future<Output = anyhow::Result<T>>) -> Result<Result<T, Failure>, Failure> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(ProgressStyle::with_template("{spinner} working... {elapsed}").unwrap());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = tokio::select! {
        result = call => Ok(result.map_err(Failure::Host)),
        _ = tokio::signal::ctrl_c() => Err(Failure::Cancelled),
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

fn generate_request(o: &ImageOptions) -> GenerateRequest {
    GenerateRequest {
        prompt: o.prompt.clone(),
        format: o.format,
        model: o.model.clone(),
        size: o.size.map(|(width, height)| Size { width, height }),
        n: o.n,
        quality: o.quality,
        output_format: o.output_format,
        output_compression: o.output_compression,
        background: o.background,
        moderation: None,
        style: None,
        user: None,
    }
}

fn edit_request(args: &EditArgs) -> Result<EditRequest, Failure> {
    let o = &args.image;
    let images = args.images.iter().map(|p| read_file(p)).collect::<Result<Vec<_>, _>>()?;
    let mask = args.mask.as_deref().map(read_file).transpose()?;
    Ok(EditRequest {
        prompt: o.prompt.clone(),
        format: o.format,
        model: o.model.clone(),
        images,
        mask,
        size: o.size.map(|(width, height)| Size { width, height }),
        n: o.n,
        quality: o.quality,
        output_format: o.output_format,
        output_compression: o.output_compression,
        background: o.background,
        input_fidelity: None,
        user: None,
    })
}

fn print_info(info: &visual_host::bindings::BackendInfo) {
    println!("{} ({}) v{}", info.label, info.name, info.version);
    println!("{}", info.description);
    println!(
        "prompt style: {}",
        match info.prompt_style {
            visual_host::bindings::PromptStyle::Descriptive => "descriptive (natural language)",
            visual_host::bindings::PromptStyle::Keywords => "keywords (comma-separated tags)",
        }
    );
    for c in &info.capabilities {
        println!();
        println!(
            "{}: {}{}",
            c.capability.name(),
            if c.supported { "supported" } else { "not supported" },
            c.default_model.as_deref().map(|m| format!(", default model {m}")).unwrap_or_default()
        );
        if c.capability == Capability::ImageEdit && c.supported {
            println!("  up to {} reference images", c.max_reference_images);
        }
        println!("  {:<24} {:<11} {:<11} {:<11} note", "model", "landscape", "portrait", "square");
        for m in &c.models {
            let size = |f: ImageFormat| {
                m.sizes
                    .iter()
                    .find(|fs| fs.format == f)
                    .map(|fs| format!("{}x{}", fs.size.width, fs.size.height))
                    .unwrap_or_else(|| "-".into())
            };
            println!(
                "  {:<24} {:<11} {:<11} {:<11} {}",
                m.id,
                size(ImageFormat::Landscape),
                size(ImageFormat::Portrait),
                size(ImageFormat::Square),
                m.note.as_deref().unwrap_or("")
            );
        }
        if c.accepts_unknown_models {
            println!("  (other model ids are passed through as given)");
        }
    }
}

/// `visual-host mock-server`: the embedded mock on its own, for other hosts'
/// tests (the Python host's among them). Prints `{"base_url": ..., "api_key": ...}`.
async fn serve_mock(args: &MockServerArgs) -> anyhow::Result<i32> {
    let key = args
        .key
        .clone()
        .or_else(|| std::env::var("OPENAI_API_KEY").ok().filter(|k| !k.is_empty()))
        .unwrap_or_else(|| MOCK_KEY.to_string());
    let mut config = MockConfig { api_key: key.clone(), ..MockConfig::default() };
    if !args.azure_deployments.is_empty() {
        let deployments = args
            .azure_deployments
            .iter()
            .map(|d| {
                let (name, model) = d.split_once('=').unwrap_or((d.as_str(), "gpt-image-1"));
                (name.to_string(), model.to_string())
            })
            .collect();
        config.azure = Some(openai_mock::AzureMock { api_version: "2025-04-01-preview".into(), deployments });
    }
    let server = MockServer::start(config).await?;
    println!("{}", json!({"base_url": server.base_url(), "api_key": key}));
    use std::io::Write;
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(0)
}
