//! The `usage` objects of image answers: the image model's tokens by class
//! (input text and image tokens, output image and text tokens), so a client
//! can price a call the way OpenAI's model pages price it, per class
//! (LIFECYCLE.md, "Prices": "`usage` gives `input_tokens_details` (`text_tokens`,
//! `image_tokens`) and, on newer models, `output_tokens_details`"), and for an
//! SVG answer `svg_usage`, the tokens of the model that wrote the SVG.
//!
//! The counts are the mock's deterministic estimates ([`crate::tokens`]):
//! they grow with the prompt, the input images, the output size and quality,
//! a GIF's frame count and an SVG's length, so they are plausible and
//! checkable, not OpenAI's.

use serde_json::{json, Value};

use super::job::ImageJob;
use super::reasoning;
use super::tokens;
use super::types::SvgAuthor;

/// Usage of output `index` (`None`: the whole request). Input tokens are
/// counted once, on the first output. `output_tokens_details` splits the
/// output into image tokens (the picture, every frame of a GIF) and text
/// tokens, none for an image model: OpenAI's image model pages price no text
/// output, and what `complexity` does to the count is not published, so the
/// mock leaves it out rather than invent it.
pub(crate) fn image_usage(job: &ImageJob, index: Option<u32>, with_output_details: bool) -> Value {
    let text = tokens::text_tokens(&job.prompt);
    let image: u64 = job
        .inputs
        .iter()
        .chain(job.markup.iter())
        .map(|i| tokens::vision_tokens(i.info.width, i.info.height, "high"))
        .sum();
    let frames = job.animation.map_or(1, |a| u64::from(a.frames));
    let per_image = tokens::image_output_tokens(job.width, job.height, &job.quality) * frames
        + if job.stream { 100 * u64::from(job.partial_images) } else { 0 };
    let per_text = 0;
    let outputs = match index {
        None => u64::from(job.n),
        Some(_) => 1,
    };
    let (text, image) = match index {
        None | Some(0) => (text, image),
        Some(_) => (0, 0),
    };
    let (out_image, out_text) = (per_image * outputs, per_text * outputs);
    let output = out_image + out_text;
    let mut u = json!({
        "input_tokens": text + image,
        "output_tokens": output,
        "total_tokens": text + image + output,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
    });
    if with_output_details {
        u["output_tokens_details"] = json!({"image_tokens": out_image, "text_tokens": out_text});
    }
    u
}

/// Instructions the author model is given beside the prompt: the mock's
/// stand-in figure, so `svg_usage.input_tokens_details.text_tokens` exceeds
/// the prompt's own.
const SVG_INSTRUCTION_TOKENS: u64 = 120;

/// `svg_usage`: the author model's tokens for an SVG document of
/// `document_len` bytes. The mock's picture of the pipeline (OpenAI documents
/// only that the object carries "the authoring model's tokens"): the author
/// reads the prompt and the image model's render (image tokens at high
/// detail), reasons at its effort, and writes the document (about four bytes
/// a token); all of its output is text, reasoning included.
pub(crate) fn svg_usage(job: &ImageJob, author: &SvgAuthor, document_len: usize) -> Value {
    let text = tokens::text_tokens(&job.prompt) + SVG_INSTRUCTION_TOKENS;
    let image = tokens::vision_tokens(job.width, job.height, "high");
    let effort = author.effort.as_deref().unwrap_or(reasoning::DEFAULT_EFFORT);
    let output = (document_len as u64).div_ceil(4) + reasoning::reasoning_tokens(effort);
    json!({
        "model": author.model,
        "input_tokens": text + image,
        "output_tokens": output,
        "total_tokens": text + image + output,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
        "output_tokens_details": {"text_tokens": output},
    })
}
