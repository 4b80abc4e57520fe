//! The command line, as clap sees it. This is a contract used by acceptance
//! checks: change it only by adding.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use visual_host::bindings::{Capability, ImageFormat, WitEnum};

#[derive(Debug, Parser)]
#[command(name = "visual-host", version, about = "Load a talemate:visual backend component and drive it")]
pub struct Cli {
    /// The backend component (.wasm). Default: openai_visual_backend.wasm beside
    /// this binary, else in the plugins folder `serve` uses.
    #[arg(long, global = true, value_name = "PATH")]
    pub component: Option<PathBuf>,

    /// The backend's `base-url` setting (also OPENAI_BASE_URL), with or without /v1.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Serve the API from an embedded mock on 127.0.0.1 instead of the real one.
    #[arg(long, global = true)]
    pub mock: bool,

    /// Print exactly one JSON object on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    /// Seconds to wait for the response to begin (the generation itself);
    /// the wait between body bytes is the smaller of this and 60 s.
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<f64>,

    /// Retries after a retryable failure (default 2).
    #[arg(long, global = true, value_name = "N")]
    pub max_retries: Option<u32>,

    /// An extra request header, `Name: value` (repeatable).
    #[arg(long = "header", global = true, value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Azure OpenAI endpoint, e.g. https://my-resource.openai.azure.com
    #[arg(long, global = true, value_name = "URL")]
    pub azure_endpoint: Option<String>,

    /// Azure deployment name (used for every capability).
    #[arg(long, global = true, value_name = "NAME")]
    pub azure_deployment: Option<String>,

    /// Azure api-version.
    #[arg(long, global = true, value_name = "VERSION", default_value = "2025-04-01-preview")]
    pub azure_api_version: String,

    /// Any setting the backend declares (`visual-host info` lists them), as
    /// NAME=VALUE: durations in seconds, flags true or false, lists
    /// comma-separated, pairs `Name: value` (repeat the setting for several).
    /// Repeatable; wins over the flags above.
    #[arg(long = "setting", global = true, value_name = "NAME=VALUE")]
    pub settings: Vec<String>,

    /// Run the backend as if today were this date (YYYY-MM-DD): what `check`
    /// and `models` will say of a model's shutdown then. With --mock, the
    /// mock retires models by the same date.
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,

    /// Compile the component every time instead of using the on-disk cache.
    #[arg(long, global = true)]
    pub no_cache: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// What the backend offers: capabilities, models with their lifecycle, sizes, settings.
    Info,
    /// Text to image.
    Generate(GenerateArgs),
    /// Reference image(s) plus a prompt to image.
    Edit(EditArgs),
    /// Ask a question about an image.
    Analyze(AnalyzeArgs),
    /// Check that a capability is ready (key valid, model available, not retiring).
    Check(CheckArgs),
    /// The models the service offers this key now, with their shutdown dates.
    Models(ModelsArgs),
    /// Run the embedded OpenAI mock until interrupted; prints its base URL.
    MockServer(MockServerArgs),
    /// Serve the Visualizer, a local web app, on 127.0.0.1 with every backend
    /// in the plugins folder; prints the URL to open (with its token).
    Serve(ServeArgs),
}

impl Command {
    /// The model the command names, if any (the mock's Azure deployment serves it).
    pub fn model(&self) -> Option<String> {
        match self {
            Command::Generate(a) => a.image.model.clone(),
            Command::Edit(a) => a.image.model.clone(),
            Command::Analyze(a) => a.model.clone(),
            Command::Check(a) => a.model.clone(),
            _ => None,
        }
    }
}

/// Parses a WIT enum argument by its case names (`--format landscape`), so
/// the command line takes the contract's own types and lists their cases in
/// `--help` without a mirror of them.
fn wit_enum<T: WitEnum + Clone + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::ALL.iter().map(|case| PossibleValue::new(case.name())))
        .map(|name| T::from_name(&name).expect("clap only passes listed names"))
}

/// Options shared by generate and edit.
#[derive(Debug, Args)]
pub struct ImageOptions {
    /// What to draw, in natural language.
    #[arg(long)]
    pub prompt: String,
    /// Model id (default: the backend's default for the capability).
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long, value_parser = wit_enum::<ImageFormat>(), default_value = "square")]
    pub format: ImageFormat,
    /// Explicit size `WxH`, overriding the format's size.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Number of images.
    #[arg(long)]
    pub n: Option<u32>,
    /// A quality tier the model declares (`info` lists them: low, high, xhigh, ...).
    #[arg(long)]
    pub quality: Option<String>,
    /// An encoding the model declares: png, jpeg, webp, gif (animated), svg,
    /// ... (`info` lists each model's, and its default).
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// 0-100, with jpeg or webp output (the `output-compression` option).
    #[arg(long)]
    pub output_compression: Option<u8>,
    /// auto, transparent or opaque (the `background` option).
    #[arg(long)]
    pub background: Option<String>,
    /// An option the model declares, NAME=VALUE (repeatable; `info` lists
    /// them). VALUE is read by the option's declared kind; for an option the
    /// backend does not declare, a JSON number or boolean goes as that type,
    /// a JSON object or list as JSON, `"quoted"` as text, anything else as
    /// text. NAME=@PATH sends the file as an image (`--option markup=@m.png`).
    #[arg(long = "option", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub options: Vec<(String, String)>,
    /// A parameter sent to the service as given, for any model (as the
    /// official SDKs' `extra_body`), NAME=VALUE typed like an undeclared
    /// `--option`; NAME=@PATH is an image (repeatable).
    #[arg(long = "extra", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub extra: Vec<(String, String)>,
    /// Where to write the image; with n > 1, `-1`, `-2`, ... go before the
    /// extension, and the extension follows the real image type.
    #[arg(long, value_name = "PATH", default_value = "image.png")]
    pub out: PathBuf,
    /// Stream up to N (1-3) partial images while the model works, writing each.
    #[arg(long, value_name = "N")]
    pub partial_images: Option<u32>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub image: ImageOptions,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    pub image: ImageOptions,
    /// A reference image (PNG, JPEG or WebP); repeat for several. The first is the base image.
    #[arg(long = "image", value_name = "PATH", required = true)]
    pub images: Vec<PathBuf>,
    /// A PNG mask the size of the first image; transparent pixels mark what to change.
    #[arg(long, value_name = "PATH")]
    pub mask: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The question.
    #[arg(long)]
    pub prompt: String,
    /// The image (PNG, JPEG, WebP or GIF).
    #[arg(long, value_name = "PATH")]
    pub image: PathBuf,
    /// Vision model id (default: the backend's).
    #[arg(long)]
    pub model: Option<String>,
    /// auto, low or high (the `detail` option).
    #[arg(long)]
    pub detail: Option<String>,
    /// Cap on the answer's length, in tokens.
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// An option the model declares, NAME=VALUE (repeatable; typed as for generate).
    #[arg(long = "option", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub options: Vec<(String, String)>,
    /// A parameter sent to the service as given, NAME=VALUE (repeatable; typed as for generate).
    #[arg(long = "extra", value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub extra: Vec<(String, String)>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, value_parser = wit_enum::<Capability>(), default_value = "text-to-image")]
    pub capability: Capability,
    #[arg(long)]
    pub model: Option<String>,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Only this capability's models.
    #[arg(long, value_parser = wit_enum::<Capability>())]
    pub capability: Option<Capability>,
}

#[derive(Debug, Args)]
pub struct MockServerArgs {
    /// The key the mock accepts (default: OPENAI_API_KEY, else sk-mock-key).
    #[arg(long)]
    pub key: Option<String>,
    /// Serve Azure-style paths for this deployment (repeatable `deployment=model`).
    #[arg(long = "azure-deployment-map", value_name = "DEPLOYMENT=MODEL")]
    pub azure_deployments: Vec<String>,
    /// Act as a compatible gateway that still serves retired models and passes any model id.
    #[arg(long)]
    pub gateway: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The folder of backend components (*.wasm), watched while serving.
    /// Default: `plugins` in the user's data folder, filled with the
    /// backends beside this binary when they are there.
    #[arg(long, value_name = "DIR")]
    pub plugins: Option<PathBuf>,
    /// The port on 127.0.0.1 (default 7878, or a free one when that is taken).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("size must look like 1536x1024, not {s:?}"))?;
    let parse = |v: &str| v.trim().parse::<u32>().map_err(|_| format!("size must look like 1536x1024, not {s:?}"));
    Ok((parse(w)?, parse(h)?))
}

/// `NAME=VALUE`, split at the first `=`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, not {s:?}"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("expected NAME=VALUE, not {s:?}"));
    }
    Ok((name.to_string(), value.to_string()))
}
