//! What generate and edit requests share, checked against the model table:
//! the model a request names, the prompt, partial images, the quality tier,
//! the per-model options (`list<pair>`, checked against the model's declared
//! [`Spec`]s; analyze uses the same check), and the image options (size, `n`,
//! output format, compression, background).
//!
//! Every rule the API would enforce with a 400 is checked here first, so a bad
//! request costs nothing and the message names the exact problem.

use crate::bindings::{Error, ImageFormat, OutputFormat, Pair, Size};
use crate::fields::{Parsed, Spec};
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

/// The quality tier to send: one of the model's tiers, sent as given (`auto`
/// too, as the component always has); blank is none. A pass-through id takes
/// any tier and the API decides.
pub fn quality<'r>(model: &ImageModel, quality: Option<&'r str>) -> Result<Option<&'r str>, Error> {
    let Some(quality) = quality.map(str::trim).filter(|q| !q.is_empty()) else { return Ok(None) };
    if model.takes_quality(quality) {
        Ok(Some(quality))
    } else {
        Err(invalid(format!(
            "quality {} is not one {} takes; it takes {}",
            crate::api_error::shown(quality, 40),
            model.id,
            model.qualities.join(", ")
        )))
    }
}

/// A request's options, checked against what the model declares.
#[derive(Debug, Default)]
pub struct Chosen<'r> {
    values: Vec<(&'static str, Parsed<'r>)>,
}

impl<'r> Chosen<'r> {
    /// A text or choice option's value (trimmed); a blank one counts as not given.
    pub fn text(&self, name: &str) -> Option<&'r str> {
        self.values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| match v {
            Parsed::Text(t) if !t.is_empty() => Some(*t),
            _ => None,
        })
    }

    /// A number option's value.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| match v {
            Parsed::Number(n) => Some(*n),
            Parsed::Text(_) => None,
        })
    }
}

/// Checks every option `pairs` names against `declared` (what `model` takes):
/// a known name, given once, with a value of its kind. Messages list what the
/// model takes.
pub fn check_options<'r>(model: &str, pairs: &'r [Pair], declared: &'static [Spec]) -> Result<Chosen<'r>, Error> {
    let mut chosen = Chosen::default();
    for pair in pairs {
        let name = pair.name.trim();
        let Some(spec) = declared.iter().find(|s| s.name == name) else {
            let takes = if declared.is_empty() {
                "it takes none".to_string()
            } else {
                format!("its options are {}", declared.iter().map(|s| s.name).collect::<Vec<_>>().join(", "))
            };
            return Err(invalid(format!("{model} takes no option `{}`; {takes}", crate::api_error::shown(name, 64))));
        };
        if chosen.values.iter().any(|(n, _)| *n == spec.name) {
            return Err(invalid(format!("option {} is given twice", spec.name)));
        }
        let value = spec.parse_text(&pair.value).map_err(|why| invalid(format!("{why} (for {model})")))?;
        chosen.values.push((spec.name, value));
    }
    Ok(chosen)
}

/// The image options generate and edit share.
pub struct Options<'r> {
    pub format: ImageFormat,
    pub size: Option<Size>,
    pub n: Option<u32>,
    pub output_format: Option<OutputFormat>,
    /// From the `output-compression` option (checked: a whole number 0-100).
    pub output_compression: Option<u8>,
    /// From the `background` option.
    pub background: Option<&'r str>,
}

/// What the shared options resolve to; both are always sent.
pub struct Checked {
    pub size: Size,
    pub n: u32,
}

impl<'r> Options<'r> {
    /// The shared image options of a request: its fields and the options
    /// `chosen` from its pairs.
    pub fn new(
        format: ImageFormat,
        size: Option<Size>,
        n: Option<u32>,
        output_format: Option<OutputFormat>,
        chosen: &Chosen<'r>,
    ) -> Self {
        Options {
            format,
            size,
            n,
            output_format,
            // Declared as a whole number from 0 to 100, so the cast is exact.
            output_compression: chosen.number("output-compression").map(|c| c as u8),
            background: chosen.text("background"),
        }
    }

    pub fn check(&self, model: &ImageModel) -> Result<Checked, Error> {
        let n = self.n.unwrap_or(1);
        if n == 0 || n > model.max_images {
            let range = if model.max_images == 1 { "only 1".to_string() } else { format!("1 to {}", model.max_images) };
            return Err(invalid(format!("n is {n}; {} makes {range} per request", model.id)));
        }
        let size = resolve_size(model, self.size, self.format)?;
        if model.family == Family::DallE3 && self.output_format.is_some() {
            return Err(gpt_only(model, "output_format"));
        }
        if let Some(compression) = self.output_compression {
            if compression > 100 {
                return Err(invalid(format!("output-compression is {compression}; it must be 0 to 100")));
            }
            if !matches!(self.output_format, Some(OutputFormat::Jpeg | OutputFormat::Webp)) {
                return Err(invalid("output-compression applies only with output_format jpeg or webp"));
            }
        }
        if self.background == Some("transparent") && self.output_format == Some(OutputFormat::Jpeg) {
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

/// A request field only GPT image models take, given for `model`.
pub fn gpt_only(model: &ImageModel, field: &str) -> Error {
    invalid(format!("{field} is a GPT image model option; {} does not take it", model.id))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{image_model, BACKGROUND, OUTPUT_COMPRESSION, USER};
    use proptest::prelude::*;

    #[test]
    fn a_blank_model_is_none() {
        assert_eq!(model_id(Some(" gpt-image-1 "), "d"), "gpt-image-1");
        assert_eq!(model_id(Some("  "), "d"), "d");
        assert_eq!(model_id(None, "d"), "d");
    }

    #[test]
    fn options_are_checked_against_the_declaration() {
        let declared: &'static [Spec] = &[BACKGROUND, OUTPUT_COMPRESSION, USER];
        let pairs =
            [Pair::new("background", " transparent "), Pair::new("output-compression", "80"), Pair::new("user", " ")];
        let chosen = check_options("m", &pairs, declared).unwrap();
        assert_eq!(chosen.text("background"), Some("transparent"));
        assert_eq!(chosen.number("output-compression"), Some(80.0));
        assert_eq!((chosen.text("user"), chosen.text("moderation")), (None, None));
        let message = |pairs: &[Pair]| match check_options("gpt-image-2", pairs, declared) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            message(&[Pair::new("stlye", "vivid")]),
            "gpt-image-2 takes no option `stlye`; its options are background, output-compression, user"
        );
        assert!(message(&[Pair::new("x", "1")]).contains("its options are"));
        assert!(
            matches!(check_options("dall-e-3", &[Pair::new("background", "auto")], &[]), Err(Error::InvalidInput(m)) if m.ends_with("it takes none"))
        );
        assert_eq!(
            message(&[Pair::new("background", "clear")]),
            "option background takes one of auto, transparent, opaque (for gpt-image-2)"
        );
        assert!(message(&[Pair::new("output-compression", "80.5")]).contains("a whole number from 0 to 100"));
        assert!(message(&[Pair::new("output-compression", "high")]).contains("a whole number from 0 to 100"));
        assert!(message(&[Pair::new("user", "a"), Pair::new("user", "b")]).contains("given twice"));
    }

    #[test]
    fn quality_tiers_are_checked_for_known_models_only() {
        let two = image_model("gpt-image-2");
        assert_eq!(quality(&two, Some("high")), Ok(Some("high")));
        assert_eq!(quality(&two, Some(" auto ")), Ok(Some("auto")));
        assert_eq!(quality(&two, Some("  ")), Ok(None));
        assert_eq!(quality(&two, None), Ok(None));
        assert_eq!(
            quality(&two, Some("max")),
            Err(Error::InvalidInput(
                "quality max is not one gpt-image-2 takes; it takes low, medium, high, auto".into()
            ))
        );
        assert_eq!(quality(&image_model("gpt-image-2.5-flare"), Some("max")), Ok(Some("max")));
        assert_eq!(quality(&image_model("somebody/new-model"), Some("ultra")), Ok(Some("ultra")));
    }

    proptest! {
        /// Whatever the pairs, the check either refuses with a message naming
        /// what the model takes, or every chosen value is of its kind.
        #[test]
        fn any_pairs(pairs in proptest::collection::vec(("(background|user|output-compression|[a-z-]{1,12})", ".{0,12}"), 0..5)) {
            let pairs: Vec<Pair> = pairs.into_iter().map(|(n, v)| Pair::new(n, v)).collect();
            let declared: &'static [Spec] = &[BACKGROUND, OUTPUT_COMPRESSION, USER];
            match check_options("m", &pairs, declared) {
                Ok(chosen) => {
                    if let Some(b) = chosen.text("background") {
                        prop_assert!(["auto", "transparent", "opaque"].contains(&b));
                    }
                    if let Some(c) = chosen.number("output-compression") {
                        prop_assert!((0.0..=100.0).contains(&c) && c.fract() == 0.0);
                    }
                }
                Err(Error::InvalidInput(m)) => prop_assert!(!m.contains('\n') && !m.contains('\r')),
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
