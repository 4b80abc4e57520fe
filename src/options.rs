//! What generate, edit and analyze share, checked against the model table:
//! the model a request names, the prompt, partial images, the quality tier,
//! the request's options (typed values, checked against the model's declared
//! [`Spec`]s) and its extra parameters, and the image options (size, `n`,
//! output format, compression, background, GIF frames).
//!
//! For a model the table knows, every rule the API would enforce with a 400
//! is checked here first, so a bad request costs nothing and the message
//! names the exact problem. For a model it does not know, the same facts are
//! hints: what the request names is sent as given, and the API decides.

use crate::bindings::{Capability, Error, ImageFormat, Parameter, Size};
use crate::fields::{Spec, Typed};
use crate::gif;
use crate::imaging::ImageMeta;
use crate::models::{self, Family, ImageModel};

/// The most partial images a streamed call may ask for (the spec's `PartialImages`).
pub const MAX_PARTIAL_IMAGES: u32 = 3;

/// The Images API fields a request sets itself, which an extra parameter may
/// not replace (`CreateImageRequest`, `CreateImageEditRequest`).
pub const IMAGE_FIELDS: &[&str] = &[
    "model",
    "prompt",
    "n",
    "size",
    "quality",
    "output_format",
    "stream",
    "partial_images",
    "response_format",
    "image",
    "image[]",
    "mask",
];

/// The chat completion fields an analysis sets itself.
pub const CHAT_FIELDS: &[&str] = &["model", "messages", "stream", "max_completion_tokens", "max_tokens"];

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

/// `Some(k)` when the call should stream `k` partial images: only for a
/// model that streams, and not for an animated GIF or an SVG, which have no
/// partial pictures to show (the result comes whole).
pub fn streaming(model: &ImageModel, partial_images: Option<u32>, format: Option<&str>) -> Result<Option<u32>, Error> {
    match partial_images {
        Some(k) if k > MAX_PARTIAL_IMAGES => {
            Err(invalid(format!("partial-images is {k}; it must be between 0 and {MAX_PARTIAL_IMAGES}")))
        }
        _ if matches!(format.map(str::trim), Some("gif" | "svg")) => Ok(None),
        Some(k) if model.streams_partial_images => Ok(Some(k)),
        _ => Ok(None),
    }
}

/// The quality tier to send: one of the model's tiers, sent as given (`auto`
/// too, as the component always has); blank is none. A model the table does
/// not know takes any tier and the API decides.
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

/// The name a parameter goes to the service under: the contract names
/// options in kebab case (`output-compression`), the API in snake case.
pub fn wire_name(option: &str) -> String {
    option.replace('-', "_")
}

/// A request's options and extra parameters, checked.
#[derive(Debug, Default)]
pub struct Chosen<'r> {
    /// Declared options whose values passed their declaration, by declared name.
    declared: Vec<(&'static str, Typed<'r>)>,
    /// What goes to the service as given, by wire name, in the request's
    /// order: options a model the table does not know was not declared to
    /// take (or whose values its hints would refuse), then extra parameters.
    pub passthrough: Vec<(String, Typed<'r>)>,
}

impl<'r> Chosen<'r> {
    fn declared(&self, name: &str) -> Option<&Typed<'r>> {
        self.declared.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A text or choice option's value (trimmed); a blank one counts as not given.
    pub fn text(&self, name: &str) -> Option<&'r str> {
        self.declared(name).and_then(Typed::as_text)
    }

    /// A number option's value.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.declared(name).and_then(Typed::as_number)
    }

    /// A whole-number option's value (declared as one, so the cast is exact).
    pub fn count(&self, name: &str) -> Option<u32> {
        self.number(name).map(|n| n as u32)
    }

    /// An image option's bytes and what they are.
    pub fn image(&self, name: &str) -> Option<(&'r [u8], ImageMeta)> {
        match self.declared(name) {
            Some(Typed::Image(bytes, meta)) => Some((bytes, *meta)),
            _ => None,
        }
    }

    /// Whether `wire` is already sent, by an option or an extra parameter.
    pub fn sends(&self, wire: &str) -> bool {
        self.declared.iter().any(|(n, _)| wire_name(n) == wire) || self.passthrough.iter().any(|(n, _)| n == wire)
    }

    /// Refuses an image among what goes as given, for a JSON endpoint.
    pub fn no_images(&self, endpoint: &str) -> Result<(), Error> {
        match self.passthrough.iter().find(|(_, v)| matches!(v, Typed::Image(..))) {
            Some((name, _)) => Err(invalid(format!(
                "`{name}` is an image, and {endpoint} takes JSON, which cannot carry a file; \
                 images go to endpoints that take files (edits)"
            ))),
            None => Ok(()),
        }
    }
}

/// Checks the options `params` names against `declared`, what `model` takes.
/// For a model the table knows (`known`): a declared name, given once, with a
/// value of its kind; messages list what the model takes. For one it does not
/// know, the declarations are hints: a value they take is used as declared,
/// anything else goes through as its own type and the API decides.
pub fn check_options<'r>(
    model: &str,
    known: bool,
    params: &'r [Parameter],
    declared: &'static [Spec],
) -> Result<Chosen<'r>, Error> {
    let mut chosen = Chosen::default();
    for param in params {
        let name = param.name.trim();
        if name.is_empty() {
            return Err(invalid("an option has no name"));
        }
        if chosen.sends(&wire_name(name)) {
            return Err(invalid(format!("option {} is given twice", shown(name))));
        }
        let spec = declared.iter().find(|s| s.name == name);
        match spec.map(|spec| (spec, spec.check_option(&param.value))) {
            Some((spec, Ok(value))) => chosen.declared.push((spec.name, value)),
            Some((_, Err(why))) if known => return Err(invalid(format!("{why} (for {model})"))),
            None if known => {
                let takes = if declared.is_empty() {
                    "it takes none".to_string()
                } else {
                    format!("its options are {}", declared.iter().map(|s| s.name).collect::<Vec<_>>().join(", "))
                };
                return Err(invalid(format!("{model} takes no option `{}`; {takes}", shown(name))));
            }
            _ => {
                let value = match Typed::from_value(&param.value) {
                    Ok(Typed::Text(t)) => Typed::Text(t.trim()),
                    Ok(other) => other,
                    Err(why) => return Err(invalid(format!("option {} {why}", shown(name)))),
                };
                chosen.passthrough.push((wire_name(name), value));
            }
        }
    }
    Ok(chosen)
}

/// Adds a request's extra parameters, sent under their names as given, for
/// any model (as the official SDKs' `extra_body`), to what `chosen` sends.
/// None may replace one of the request's own `fields`, or be sent twice.
pub fn add_extra<'r>(chosen: &mut Chosen<'r>, extra: &'r [Parameter], fields: &[&str]) -> Result<(), Error> {
    for param in extra {
        let name = param.name.trim();
        if name.is_empty() {
            return Err(invalid("an extra parameter has no name"));
        }
        if fields.contains(&name) {
            return Err(invalid(format!(
                "extra parameter `{name}` would replace the request's own field; set it through the request"
            )));
        }
        if chosen.sends(name) {
            return Err(invalid(format!("`{}` is given twice (as an option or an extra parameter)", shown(name))));
        }
        let value =
            Typed::from_value(&param.value).map_err(|why| invalid(format!("extra parameter {} {why}", shown(name))))?;
        chosen.passthrough.push((name.to_string(), value));
    }
    Ok(())
}

/// The fields generate and edit requests share, borrowed from either.
pub struct ImageFields<'r> {
    pub prompt: &'r str,
    pub format: ImageFormat,
    pub size: Option<Size>,
    pub n: Option<u32>,
    pub quality: Option<&'r str>,
    pub output_format: Option<&'r str>,
    pub options: &'r [Parameter],
    pub extra: &'r [Parameter],
}

/// The [`ImageFields`] of a generate or an edit request (their fields share
/// names, so one expression serves both).
macro_rules! image_fields {
    ($req:expr) => {
        $crate::options::ImageFields {
            prompt: &$req.prompt,
            format: $req.format,
            size: $req.size,
            n: $req.n,
            quality: $req.quality.as_deref(),
            output_format: $req.output_format.as_deref(),
            options: &$req.options,
            extra: &$req.extra,
        }
    };
}
pub(crate) use image_fields;

/// What generate and edit share, checked: the quality tier to send, the
/// options and extra parameters chosen, the image options and what they
/// resolve to, and whether to stream.
pub struct Shared<'r> {
    pub quality: Option<&'r str>,
    pub chosen: Chosen<'r>,
    pub options: Options<'r>,
    pub checked: Checked,
    pub partial_images: Option<u32>,
}

/// Checks what a generate or edit request for `capability` shares, against
/// `model`: prompt, partial images, quality, options (those `declared` for
/// this endpoint), extra parameters, size, `n` and output format.
pub fn check_shared<'r>(
    model: &ImageModel,
    capability: Capability,
    declared: &'static [Spec],
    fields: ImageFields<'r>,
    partial_images: Option<u32>,
) -> Result<Shared<'r>, Error> {
    check_prompt(model, fields.prompt)?;
    let partial_images = streaming(model, partial_images, fields.output_format)?;
    let quality = quality(model, fields.quality)?;
    let mut chosen = check_options(&model.id, model.known, fields.options, declared)?;
    add_extra(&mut chosen, fields.extra, IMAGE_FIELDS)?;
    let options = Options::new(capability, fields.format, fields.size, fields.n, fields.output_format, &chosen);
    let checked = options.check(model)?;
    Ok(Shared { quality, chosen, options, checked, partial_images })
}

/// The image options generate and edit share.
pub struct Options<'r> {
    pub capability: Capability,
    pub format: ImageFormat,
    pub size: Option<Size>,
    pub n: Option<u32>,
    /// Trimmed; blank is none.
    pub output_format: Option<&'r str>,
    /// From the `output-compression` option (checked: a whole number 0-100).
    pub output_compression: Option<u8>,
    /// From the `background` option.
    pub background: Option<&'r str>,
    /// From the `frame-count` and `frame-duration-ms` options.
    pub frame_count: Option<u32>,
    pub frame_duration_ms: Option<u32>,
}

/// What the shared options resolve to; both are always sent.
pub struct Checked {
    pub size: Size,
    pub n: u32,
}

impl<'r> Options<'r> {
    /// The shared image options of a request: its fields and the options
    /// `chosen` from its parameters.
    pub fn new(
        capability: Capability,
        format: ImageFormat,
        size: Option<Size>,
        n: Option<u32>,
        output_format: Option<&'r str>,
        chosen: &Chosen<'r>,
    ) -> Self {
        Options {
            capability,
            format,
            size,
            n,
            output_format: output_format.map(str::trim).filter(|f| !f.is_empty()),
            // Declared as a whole number from 0 to 100, so the cast is exact.
            output_compression: chosen.number("output-compression").map(|c| c as u8),
            background: chosen.text("background"),
            frame_count: chosen.count("frame-count"),
            frame_duration_ms: chosen.count("frame-duration-ms"),
        }
    }

    pub fn check(&self, model: &ImageModel) -> Result<Checked, Error> {
        let n = self.n.unwrap_or(1);
        if n == 0 || (model.known && n > model.max_images) {
            let range = if model.max_images == 1 { "only 1".to_string() } else { format!("1 to {}", model.max_images) };
            return Err(invalid(format!("n is {n}; {} makes {range} per request", model.id)));
        }
        if model.known {
            self.check_known(model, n)?;
        }
        let gif = self.output_format == Some("gif") && model.additions.gif;
        let frames = self.frame_count.unwrap_or(gif::DEFAULT_FRAMES);
        let size = match self.size {
            Some(size) => models::check_size(model, size).map(|()| size).map_err(Error::InvalidInput)?,
            // The frames share a pixel budget: the format's size for as many as asked.
            None if gif => gif::frame_size(self.format, frames),
            None => models::size_for(model, self.format),
        };
        if gif && model.known {
            gif::check_budget(&model.id, size, frames).map_err(Error::InvalidInput)?;
        }
        Ok(Checked { size, n })
    }

    /// The rules a model the table knows is known to enforce.
    fn check_known(&self, model: &ImageModel, n: u32) -> Result<(), Error> {
        let formats = model.output_formats(self.capability);
        match self.output_format {
            Some(_) if model.family == Family::DallE3 => return Err(gpt_only(model, "output_format")),
            Some(format) if !formats.contains(&format) => {
                let edits = if self.capability == Capability::ImageEdit { " for edits" } else { "" };
                return Err(invalid(format!(
                    "output format {} is not one {} makes{edits}; it makes {}",
                    shown(format),
                    model.id,
                    formats.join(", ")
                )));
            }
            _ => {}
        }
        if self.output_format == Some("svg") && n > 1 {
            return Err(invalid(format!("n is {n}; {} makes one SVG per request", model.id)));
        }
        if self.output_format != Some("gif") {
            let frame_options = [("frame-count", self.frame_count), ("frame-duration-ms", self.frame_duration_ms)];
            if let Some((name, _)) = frame_options.iter().find(|(_, value)| value.is_some()) {
                return Err(invalid(format!("option {name} applies only to output format gif")));
            }
        }
        if let Some(compression) = self.output_compression {
            if compression > 100 {
                return Err(invalid(format!("output-compression is {compression}; it must be 0 to 100")));
            }
            if !matches!(self.output_format, Some("jpeg" | "webp")) {
                return Err(invalid("output-compression applies only with output_format jpeg or webp"));
            }
        }
        if self.background == Some("transparent") && self.output_format == Some("jpeg") {
            return Err(invalid("a transparent background needs output_format png or webp; jpeg has no transparency"));
        }
        Ok(())
    }
}

/// A request field only GPT image models take, given for `model`.
pub fn gpt_only(model: &ImageModel, field: &str) -> Error {
    invalid(format!("{field} is a GPT image model option; {} does not take it", model.id))
}

/// A name from the request, cut short and on one line, for a message.
fn shown(name: &str) -> String {
    crate::api_error::shown(name, 64)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::Value;
    use crate::models::{image_model, BACKGROUND, OUTPUT_COMPRESSION, USER};
    use proptest::prelude::*;

    fn text(name: &str, value: &str) -> Parameter {
        Parameter::text(name, value)
    }

    fn message<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
        match result {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn a_blank_model_is_none() {
        assert_eq!(model_id(Some(" gpt-image-1 "), "d"), "gpt-image-1");
        assert_eq!(model_id(Some("  "), "d"), "d");
        assert_eq!(model_id(None, "d"), "d");
    }

    #[test]
    fn options_of_a_known_model_are_checked_against_the_declaration() {
        let declared: &'static [Spec] = &[BACKGROUND, OUTPUT_COMPRESSION, USER];
        let params =
            [text("background", " transparent "), Parameter::number("output-compression", 80.0), text("user", " ")];
        let chosen = check_options("m", true, &params, declared).unwrap();
        assert_eq!(chosen.text("background"), Some("transparent"));
        assert_eq!(chosen.number("output-compression"), Some(80.0));
        assert_eq!((chosen.text("user"), chosen.text("moderation")), (None, None));
        assert!(chosen.passthrough.is_empty());
        let check = |params: &[Parameter]| message(check_options("gpt-image-2", true, params, declared));
        assert_eq!(
            check(&[text("stlye", "vivid")]),
            "gpt-image-2 takes no option `stlye`; its options are background, output-compression, user"
        );
        assert!(message(check_options("dall-e-3", true, &[text("background", "auto")], &[])).ends_with("it takes none"));
        assert_eq!(
            check(&[text("background", "clear")]),
            "option background takes one of auto, transparent, opaque (for gpt-image-2)"
        );
        assert!(check(&[Parameter::number("output-compression", 80.5)]).contains("a whole number from 0 to 100"));
        assert!(check(&[text("output-compression", "high")]).contains("a whole number from 0 to 100"));
        assert!(check(&[text("user", "a"), text("user", "b")]).contains("given twice"));
        assert!(check(&[Parameter::flag("background", true)]).contains("one of auto"));
    }

    #[test]
    fn options_of_an_unknown_model_pass_through_as_their_type() {
        let declared: &'static [Spec] = &[BACKGROUND, OUTPUT_COMPRESSION, USER];
        let params = [
            text("background", "opaque"),
            text("complexity", "low"),
            Parameter::number("shimmer-level", 3.0),
            Parameter::flag("loop", true),
            text("background-blur", "x"),
            Parameter::number("output-compression", 150.0),
        ];
        let chosen = check_options("gpt-image-2.7-nova", false, &params, declared).unwrap();
        // A value the family's declaration takes is used as declared...
        assert_eq!(chosen.text("background"), Some("opaque"));
        // ...anything else goes as given, under its wire name, and the API decides.
        let sent: Vec<(&str, &Typed)> = chosen.passthrough.iter().map(|(n, v)| (n.as_str(), v)).collect();
        assert_eq!(
            sent,
            [
                ("complexity", &Typed::Text("low")),
                ("shimmer_level", &Typed::Number(3.0)),
                ("loop", &Typed::Flag(true)),
                ("background_blur", &Typed::Text("x")),
                ("output_compression", &Typed::Number(150.0)),
            ]
        );
        assert!(message(check_options("new", false, &[Parameter::new("x", Value::Json("{".into()))], declared))
            .contains("not valid JSON"));
    }

    #[test]
    fn extra_parameters_go_as_given_but_never_replace_the_requests_fields() {
        let params = [text("background", "opaque")];
        let mut chosen = check_options("gpt-image-2", true, &params, &[BACKGROUND]).unwrap();
        let extra =
            [Parameter::number("seed_value", 7.0), Parameter::new("svg", Value::Json(r#"{"model":"m"}"#.into()))];
        add_extra(&mut chosen, &extra, IMAGE_FIELDS).unwrap();
        let names: Vec<&str> = chosen.passthrough.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["seed_value", "svg"]);
        for field in ["model", "prompt", "n", "size", "quality", "output_format", "stream", "partial_images", "mask"] {
            let mut chosen = Chosen::default();
            let m = message(add_extra(&mut chosen, &[text(field, "x")], IMAGE_FIELDS).map(|_| ()));
            assert!(m.contains("would replace the request's own field"), "{m}");
        }
        let (twice, unnamed) = ([text("background", "auto")], [text(" ", "x")]);
        let mut chosen = check_options("gpt-image-2", true, &params, &[BACKGROUND]).unwrap();
        assert!(message(add_extra(&mut chosen, &twice, IMAGE_FIELDS)).contains("given twice"));
        assert!(message(add_extra(&mut chosen, &unnamed, IMAGE_FIELDS)).contains("no name"));
    }

    #[test]
    fn images_cannot_go_to_a_json_endpoint() {
        let png = crate::edit::fixtures::png(4, 4);
        let extra = [Parameter::new("reference", Value::Image(png))];
        let mut chosen = Chosen::default();
        add_extra(&mut chosen, &extra, IMAGE_FIELDS).unwrap();
        let m = message(chosen.no_images("/images/generations"));
        assert!(m.starts_with("`reference` is an image, and /images/generations takes JSON"), "{m}");
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
        // An unknown member of a known family is not held to the family's tiers.
        assert_eq!(quality(&image_model("gpt-image-2.6-ember"), Some("ultra")), Ok(Some("ultra")));
    }

    proptest! {
        /// Whatever the parameters, a known model's check either refuses with
        /// a one-line message, or every chosen value is of its kind.
        #[test]
        fn any_parameters(params in proptest::collection::vec(("(background|user|output-compression|[a-z-]{1,12})", ".{0,12}"), 0..5)) {
            let params: Vec<Parameter> = params.into_iter().map(|(n, v)| Parameter::text(n, v)).collect();
            let declared: &'static [Spec] = &[BACKGROUND, OUTPUT_COMPRESSION, USER];
            match check_options("m", true, &params, declared) {
                Ok(chosen) => {
                    if let Some(b) = chosen.text("background") {
                        prop_assert!(["auto", "transparent", "opaque"].contains(&b));
                    }
                    if let Some(c) = chosen.number("output-compression") {
                        prop_assert!((0.0..=100.0).contains(&c) && c.fract() == 0.0);
                    }
                    prop_assert!(chosen.passthrough.is_empty());
                }
                Err(Error::InvalidInput(m)) => prop_assert!(!m.contains('\n') && !m.contains('\r')),
                Err(other) => prop_assert!(false, "{:?}", other),
            }
        }
    }
}
