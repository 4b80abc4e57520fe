//! `visual-host serve`: the Visualizer web app (crate `visualizer`) on
//! 127.0.0.1, with every backend in the plugins folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use openai_mock::{MockConfig, MockServer};
use visual_host::cache::ComponentCache;
use visual_host::runtime::RuntimeOptions;
use visual_host::sandbox::{WallClock, DEFAULT_MEMORY_LIMIT};
use visualizer::{Endpoint, HostDefaults, ServeOptions, Server};

use crate::args::{Cli, ServeArgs};
use crate::failure::Failure;
use crate::settings::MOCK_KEY;

/// The port tried first when none is given.
const DEFAULT_PORT: u16 = 7878;

pub async fn serve(cli: &Cli, args: &ServeArgs) -> Result<i32, Failure> {
    // Listening for Ctrl-C before the URL is printed: whoever acts on the URL
    // may press it at once, and it must stop the server, not kill the process.
    let interrupted = crate::interrupt::ctrl_c_from_now().map_err(|e| Failure::Host(e.into()))?;
    let plugins_dir = match &args.plugins {
        Some(dir) => dir.clone(),
        None => {
            let dir = visualizer::default_plugins_dir()
                .ok_or_else(|| Failure::Usage("no home folder to keep plugins in: pass --plugins DIR".into()))?;
            // The backends beside the binary (the release archive's, or the
            // build's in target/debug/) join the folder; a binary without
            // them serves what the folder holds.
            let beside = crate::locate::beside_the_binary();
            let beside: Vec<&Path> = beside.iter().map(PathBuf::as_path).collect();
            match visualizer::fill_plugins_dir(&dir, &beside) {
                Ok(copied) if !copied.is_empty() => eprintln!(
                    "visual-host serve: copied the {} beside visual-host into {}",
                    copied.join(" and "),
                    dir.display()
                ),
                Ok(_) => {}
                Err(e) => eprintln!(
                    "visual-host serve: could not copy the backends beside visual-host into {}: {e}",
                    dir.display()
                ),
            }
            dir
        }
    };
    if cli.component.is_some() {
        eprintln!("visual-host serve: --component is not used here; put components in {}", plugins_dir.display());
    }
    let single_call_flags = [
        (cli.base_url.is_some(), "--base-url"),
        (cli.timeout.is_some(), "--timeout"),
        (cli.max_retries.is_some(), "--max-retries"),
        (!cli.headers.is_empty(), "--header"),
        (!cli.settings.is_empty(), "--setting"),
        (cli.azure_endpoint.is_some() || cli.azure_deployment.is_some(), "--azure-*"),
    ];
    for (given, flag) in single_call_flags {
        if given {
            eprintln!("visual-host serve: {flag} applies to single commands; set it on the page (OPENAI_BASE_URL is honoured)");
        }
    }

    let mut defaults = HostDefaults::from_env();
    let mock = if cli.mock {
        let config = MockConfig {
            api_key: MOCK_KEY.into(),
            today: cli.today.clone(),
            // Slow enough that a person sees the partial images arrive.
            stream_pause: Duration::from_millis(400),
            ..MockConfig::default()
        };
        let server = MockServer::start(config).await.map_err(|e| Failure::Host(e.into()))?;
        defaults.endpoint = Some(Endpoint { base_url: server.base_url(), api_key: MOCK_KEY.into() });
        Some(server)
    } else {
        None
    };
    let wall_clock = match &cli.today {
        Some(date) => WallClock::at_date(date).map_err(|e| Failure::Usage(format!("--today: {e}")))?,
        None => WallClock::System,
    };
    let cache = if cli.no_cache { None } else { ComponentCache::default_dir().map(ComponentCache::new) };
    let options = |port| ServeOptions {
        port,
        runtime: RuntimeOptions { cache: cache.clone(), memory_limit: DEFAULT_MEMORY_LIMIT, wall_clock },
        defaults: defaults.clone(),
        config_dir: visualizer::default_config_dir(),
        ..ServeOptions::new(plugins_dir.clone())
    };
    let server = match args.port {
        Some(port) => Server::start(options(port)).await?,
        None => match Server::start(options(DEFAULT_PORT)).await {
            Ok(server) => server,
            Err(_) => Server::start(options(0)).await?,
        },
    };

    print_banner(&server, &plugins_dir, mock.as_ref());
    interrupted.await;
    eprintln!("visual-host serve: stopping");
    server.shutdown().await;
    if let Some(mock) = mock {
        mock.shutdown().await;
    }
    Ok(0)
}

fn print_banner(server: &Server, dir: &Path, mock: Option<&MockServer>) {
    let plugins = server.plugin_summary();
    if plugins.is_empty() {
        eprintln!(
            "visual-host serve: no backends in {} yet. Copy a backend component (.wasm) there; it is picked up \
             while the server runs. Without --plugins, the backends beside visual-host (the release \
             archive's, or a checkout's build) are copied into the default folder.",
            dir.display()
        );
    } else {
        eprintln!("visual-host serve: backends in {} (watched for changes):", dir.display());
        for (file, described) in plugins {
            match described {
                Ok(what) => eprintln!("  {file}: {what}"),
                Err(why) => eprintln!("  {file}: NOT LOADED: {why}"),
            }
        }
    }
    if let Some(mock) = mock {
        eprintln!(
            "visual-host serve: backends that take a base URL and a key use the embedded mock at {}",
            mock.base_url()
        );
    }
    eprintln!(
        "visual-host serve: Ctrl-C stops the server. Open this URL (it carries the access token; keep it private):"
    );
    println!("{}", server.url_with_token());
    use std::io::Write;
    let _ = std::io::stdout().flush();
}
