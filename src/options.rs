//! What generate and edit requests share, checked against the model table:
//! the model a request names, the prompt, partial images, the image options
//! (size, `n`, quality, output format, compression, background) and the user.
//!
//! Every rule the API would enforce with a 400 is checked here first, so a bad
//! request costs nothing and the message names the exact problem.

use crate::bindings::{Background, Error, ImageFormat, OutputFormat, Quality, Size};
use crate::models::{self, Family, ImageModel};

/// The most partial images a streamed call may ask for (the spec's `PartialImages`).
pub const MAX_PARTIAL_IMAGES: u32 = 3;

/// The model a request names, or `default` when it names none (blank counts as none).
pub fn model_id<'r>(requested: Option<&'r str>, default: &'r str) -> &'r str {
    requested.map(str::trim).filter(|id| !id.is_empty()).unwrap_or(default)
}

pub fn check_prompt(model: &ImageModel, prompt: &str) -> Result<(), Error> {
    if prompt.trim().is_empty() {
        return Err(invalid("the prompt is empty"));
    }
    // The API counts characters, not UTF-8 bytes.
    let chars = prompt.chars().count();
    if chars > model.max_prompt_chars as usize {
        return Err(invalid(format!(
            "the prompt is {chars} characters; {} takes at most {}",
            model.id, model.max_prompt_chars
        )));
    }
    Ok(())
}

/// `Some(k)` when the call should stream `k` partial images.
pub fn streaming(model: &ImageModel, partial_images: Option<u32>) -> Result<Option<u32>, Error> {
    match partial_images {
        Some(k) if k > MAX_PARTIAL_IMAGES => {
            Err(invalid(format!("partial-images is {k}; it must be between 0 and {MAX_PARTIAL_IMAGES}")))
        }
        Some(k) if model.streams_partial_images => Ok(Some(k)),
        _ => Ok(None),
    }
}

/// The image options generate and edit share, taken from a `GenerateRequest`
/// or an `EditRequest` (the fields have the same names in both).
macro_rules! image_options {
    ($request:expr) => {
        $crate::options::Options {
            format: $request.format,
            size: $request.size,
            n: $request.n,
            quality: $request.quality,
            output_format: $request.output_format,
            output_compression: $request.output_compression,
            background: $request.background,
        }
    };
}
pub(crate) use image_options;

/// The image options generate and edit share.
pub struct Options {
    pub format: ImageFormat,
    pub size: Option<Size>,
    pub n: Option<u32>,
    pub quality: Option<Quality>,
    pub output_format: Option<OutputFormat>,
    pub output_compression: Option<u8>,
    pub background: Option<Background>,
}

/// What the shared options resolve to; both are always sent.
pub struct Checked {
    pub size: Size,
    pub n: u32,
}

impl Options {
    pub fn check(&self, model: &ImageModel) -> Result<Checked, Error> {
        let n = self.n.unwrap_or(1);
        if n == 0 || n > model.max_images {
            let range = if model.max_images == 1 { "only 1".to_string() } else { format!("1 to {}", model.max_images) };
            return Err(invalid(format!("n is {n}; {} makes {range} per request", model.id)));
        }
        let size = resolve_size(model, self.size, self.format)?;
        if let Some(quality) = self.quality {
            if !model.qualities.contains(&quality) {
                let allowed: Vec<&str> = model.qualities.iter().map(|q| q.as_str()).collect();
                return Err(invalid(format!(
                    "quality {} is not one {} takes; it takes {}",
                    quality.as_str(),
                    model.id,
                    allowed.join(", ")
                )));
            }
        }
        if model.family == Family::DallE3 {
            let gpt_option = [
                (self.output_format.is_some(), "output_format"),
                (self.output_compression.is_some(), "output_compression"),
                (self.background.is_some(), "background"),
            ];
            if let Some((_, name)) = gpt_option.iter().find(|(given, _)| *given) {
                return Err(gpt_only(model, name));
            }
        }
        if let Some(compression) = self.output_compression {
            if compression > 100 {
                return Err(invalid(format!("output_compression is {compression}; it must be 0 to 100")));
            }
            if !matches!(self.output_format, Some(OutputFormat::Jpeg | OutputFormat::Webp)) {
                return Err(invalid("output_compression applies only with output_format jpeg or webp"));
            }
        }
        if self.background == Some(Background::Transparent) && self.output_format == Some(OutputFormat::Jpeg) {
            return Err(invalid("a transparent background needs output_format png or webp; jpeg has no transparency"));
        }
        Ok(Checked { size, n })
    }
}

/// The size a request resolves to: the explicit size, checked against the
/// model, or the size its format maps to.
pub fn resolve_size(model: &ImageModel, size: Option<Size>, format: ImageFormat) -> Result<Size, Error> {
    match size {
        None => Ok(models::size_for(model, format)),
        Some(size) => models::check_size(model, size).map(|()| size).map_err(Error::InvalidInput),
    }
}

/// A blank user id is no user id.
pub fn user(user: Option<&str>) -> Option<&str> {
    user.filter(|u| !u.trim().is_empty())
}

/// An option only GPT image models take, given for `model`.
pub fn gpt_only(model: &ImageModel, option: &str) -> Error {
    invalid(format!("{option} is a GPT image model option; {} does not take it", model.id))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_model_or_user_is_none() {
        assert_eq!(model_id(Some(" gpt-image-1 "), "d"), "gpt-image-1");
        assert_eq!(model_id(Some("  "), "d"), "d");
        assert_eq!(model_id(None, "d"), "d");
        assert_eq!(user(Some(" ")), None);
        assert_eq!(user(Some("u")), Some("u"));
    }
}
