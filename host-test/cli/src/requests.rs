//! Requests from the command line's arguments, in the contract's own types.
//! Options go to the backend as text; it checks them against the model's
//! declaration before anything is sent.

use std::path::Path;

use visual_host::bindings::{AnalyzeRequest, EditRequest, GenerateRequest, Pair, Size};

use crate::args::{AnalyzeArgs, EditArgs, ImageOptions};
use crate::failure::Failure;

pub fn generate(o: &ImageOptions) -> GenerateRequest {
    GenerateRequest {
        prompt: o.prompt.clone(),
        format: o.format,
        model: o.model.clone(),
        size: o.size.map(|(width, height)| Size { width, height }),
        n: o.n,
        quality: o.quality.clone(),
        output_format: o.output_format,
        options: image_options(o),
    }
}

pub fn edit(args: &EditArgs) -> Result<EditRequest, Failure> {
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
        quality: o.quality.clone(),
        output_format: o.output_format,
        options: image_options(o),
    })
}

pub fn analyze(args: &AnalyzeArgs) -> Result<AnalyzeRequest, Failure> {
    let mut options: Vec<Pair> = args.detail.iter().map(|d| Pair::new("detail", d.clone())).collect();
    options.extend(args.options.iter().map(|(name, value)| Pair::new(name.clone(), value.clone())));
    Ok(AnalyzeRequest {
        image: read_file(&args.image)?,
        prompt: args.prompt.clone(),
        model: args.model.clone(),
        max_output_tokens: args.max_tokens,
        options,
    })
}

/// The options flags are shortcuts for, then every `--option`.
fn image_options(o: &ImageOptions) -> Vec<Pair> {
    let mut options = Vec::new();
    if let Some(background) = &o.background {
        options.push(Pair::new("background", background.clone()));
    }
    if let Some(compression) = o.output_compression {
        options.push(Pair::new("output-compression", compression.to_string()));
    }
    options.extend(o.options.iter().map(|(name, value)| Pair::new(name.clone(), value.clone())));
    options
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}
