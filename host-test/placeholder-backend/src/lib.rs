//! An offline `talemate:visual` backend. It draws a PNG of one colour chosen
//! from the prompt and describes an image from its header, so a host can be
//! built and tested without a key or a network, through exactly the contract
//! a real backend implements: same validation, same typed errors, streaming.
//!
//! Everything but `component` (the WIT exports, wasm only) is plain Rust,
//! tested natively. Built with `--features contract-v0-2` or `contract-v0-1`,
//! the same logic is exported under that older contract instead (0.2 in
//! `component`, 0.1 in `component_v0_1`), which is how the workspace tests
//! that hosts still load older backends.

pub mod draw;
pub mod sniff;

#[cfg(all(target_arch = "wasm32", not(feature = "contract-v0-1")))]
mod component;
#[cfg(all(target_arch = "wasm32", feature = "contract-v0-1"))]
mod component_v0_1;
#[cfg(target_arch = "wasm32")]
mod glue;

use sniff::{sniff, Kind};

/// The only model, for every capability.
pub const MODEL: &str = "placeholder";
/// What every contract version's `info()` says of the backend.
pub const LABEL: &str = "Placeholder (offline)";
pub const DESCRIPTION: &str = "Draws a PNG of one colour chosen from the prompt and describes images from their \
                               headers, without a key or a network. For building and testing hosts.";
/// What each capability's one model says of itself.
pub const MODEL_NOTE: &str = "Draws one colour chosen from the prompt; needs no key or network.";
pub const MAX_PROMPT_CHARS: u32 = 32_000;
/// The most images one call returns.
pub const MAX_IMAGES: u32 = 4;
pub const MAX_REFERENCE_IMAGES: u32 = 16;
pub const MAX_PARTIAL_IMAGES: u32 = 3;
/// Explicit sizes: each side in this range, the long side at most
/// `MAX_ASPECT` times the short one.
pub const MIN_SIDE: u32 = 64;
pub const MAX_SIDE: u32 = 4096;
pub const MAX_ASPECT: u32 = 3;
/// The long side of a streamed partial image.
pub const PREVIEW_SIDE: u32 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Landscape,
    Portrait,
    Square,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Landscape, Format::Portrait, Format::Square];

    /// The same sizes as OpenAI's GPT image models, so layouts built against
    /// this backend hold with the real one.
    pub fn size(self) -> (u32, u32) {
        match self {
            Format::Landscape => (1536, 1024),
            Format::Portrait => (1024, 1536),
            Format::Square => (1024, 1024),
        }
    }
}

/// Encodings a host may ask for. Only PNG is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Png,
    Jpeg,
    Webp,
}

/// Why a request was refused; nothing was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The request is wrong.
    InvalidInput(String),
    /// This backend cannot do that.
    Unsupported(String),
    /// The model id is not one this backend has.
    UnknownModel(String),
}

impl Rejection {
    pub fn message(&self) -> &str {
        match self {
            Rejection::InvalidInput(m) | Rejection::Unsupported(m) | Rejection::UnknownModel(m) => m,
        }
    }
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection::InvalidInput(message.into())
}

/// The model to use: the default, or `placeholder` named explicitly.
pub fn check_model(model: Option<&str>) -> Result<&'static str, Rejection> {
    match model {
        None => Ok(MODEL),
        Some(m) if m == MODEL => Ok(MODEL),
        Some(m) => Err(Rejection::UnknownModel(format!(
            "the placeholder backend has no model {m:?}; its only model is {MODEL:?}"
        ))),
    }
}

pub fn check_prompt(prompt: &str) -> Result<(), Rejection> {
    if prompt.trim().is_empty() {
        return Err(invalid("the prompt is empty"));
    }
    let chars = prompt.chars().count();
    if chars > MAX_PROMPT_CHARS as usize {
        return Err(invalid(format!("the prompt has {chars} characters; the most is {MAX_PROMPT_CHARS}")));
    }
    Ok(())
}

/// The number of partial images a stream yields per image.
pub fn check_partial_images(n: u32) -> Result<u32, Rejection> {
    if n > MAX_PARTIAL_IMAGES {
        return Err(invalid(format!("partial-images is {n}; it must be 0 to {MAX_PARTIAL_IMAGES}")));
    }
    Ok(n)
}

/// Reference images (and mask) for an edit: PNG, JPEG or WebP, and a PNG mask
/// the size of the first image.
pub fn check_references(images: &[Vec<u8>], mask: Option<&[u8]>) -> Result<(), Rejection> {
    if images.is_empty() {
        return Err(invalid("an edit needs at least one reference image"));
    }
    if images.len() > MAX_REFERENCE_IMAGES as usize {
        return Err(invalid(format!("{} reference images given; the most is {MAX_REFERENCE_IMAGES}", images.len())));
    }
    let mut first = None;
    for (i, image) in images.iter().enumerate() {
        match sniff(image) {
            Some(s) if s.kind != Kind::Gif => first = first.or(Some(s)),
            Some(s) => {
                return Err(invalid(format!(
                    "reference image {} is a {}; edits take PNG, JPEG or WebP",
                    i + 1,
                    s.kind.name()
                )))
            }
            None => return Err(invalid(format!("reference image {} is not a PNG, JPEG or WebP image", i + 1))),
        }
    }
    if let (Some(mask), Some(first)) = (mask, first) {
        match sniff(mask) {
            Some(m) if m.kind == Kind::Png => {
                if (m.width, m.height) != (first.width, first.height) {
                    return Err(invalid(format!(
                        "the mask is {}x{} but the first image is {}x{}; they must be the same size",
                        m.width, m.height, first.width, first.height
                    )));
                }
            }
            _ => return Err(invalid("the mask must be a PNG")),
        }
    }
    Ok(())
}

/// What a generate or edit asks for, apart from its images.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub prompt: &'a str,
    pub format: Format,
    pub model: Option<&'a str>,
    pub size: Option<(u32, u32)>,
    pub n: Option<u32>,
    pub encoding: Option<Encoding>,
    pub compression: Option<u8>,
}

/// A checked job: what to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub width: u32,
    pub height: u32,
    pub count: u32,
    seed: u64,
}

/// One drawn picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Plan {
    /// Checks a job the way a real backend would, before any work.
    pub fn new(job: &Job) -> Result<Plan, Rejection> {
        check_model(job.model)?;
        check_prompt(job.prompt)?;
        let count = job.n.unwrap_or(1);
        if !(1..=MAX_IMAGES).contains(&count) {
            return Err(invalid(format!("n is {count}; it must be 1 to {MAX_IMAGES}")));
        }
        match job.encoding {
            None | Some(Encoding::Png) => {}
            Some(other) => {
                return Err(Rejection::Unsupported(format!(
                    "the placeholder backend draws PNG only, not {}",
                    if other == Encoding::Jpeg { "JPEG" } else { "WebP" }
                )))
            }
        }
        if let Some(c) = job.compression {
            return Err(invalid(if c > 100 {
                format!("output-compression is {c}; it must be 0 to 100")
            } else {
                "output-compression applies only to jpeg or webp output".to_string()
            }));
        }
        let (width, height) = match job.size {
            None => job.format.size(),
            Some((w, h)) => {
                if !(MIN_SIDE..=MAX_SIDE).contains(&w) || !(MIN_SIDE..=MAX_SIDE).contains(&h) {
                    return Err(invalid(format!("size {w}x{h}: each side must be {MIN_SIDE} to {MAX_SIDE} pixels")));
                }
                if w.max(h) > MAX_ASPECT * w.min(h) {
                    return Err(invalid(format!(
                        "size {w}x{h}: the long side may be at most {MAX_ASPECT} times the short side"
                    )));
                }
                (w, h)
            }
        };
        Ok(Plan { width, height, count, seed: draw::fnv1a(job.prompt.as_bytes()) })
    }

    /// The finished image `index` (0-based).
    pub fn picture(&self, index: u32) -> Result<Picture, png::EncodingError> {
        let png = draw::solid_png(self.width, self.height, draw::colour(self.seed, index))?;
        Ok(Picture { png, width: self.width, height: self.height })
    }

    /// Partial `step` of `steps` of image `index`: a small preview whose colour
    /// moves from grey toward the final one.
    pub fn preview(&self, index: u32, step: u32, steps: u32) -> Result<Picture, png::EncodingError> {
        let long = self.width.max(self.height);
        let scale = |side: u32| if long <= PREVIEW_SIDE { side } else { (side * PREVIEW_SIDE / long).max(1) };
        let (width, height) = (scale(self.width), scale(self.height));
        let rgb = draw::toward(draw::colour(self.seed, index), step + 1, steps + 1);
        Ok(Picture { png: draw::solid_png(width, height, rgb)?, width, height })
    }
}

/// The answer to an analyze request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub text: String,
    /// True when `max_output_tokens` cut the text short.
    pub truncated: bool,
}

/// Says what the header shows: type, size, orientation. A word counts as a
/// token for `max_output_tokens`.
pub fn describe(
    image: &[u8],
    prompt: &str,
    model: Option<&str>,
    max_output_tokens: Option<u32>,
) -> Result<Description, Rejection> {
    check_model(model)?;
    check_prompt(prompt)?;
    if max_output_tokens == Some(0) {
        return Err(invalid("max-output-tokens must be at least 1"));
    }
    if image.is_empty() {
        return Err(invalid("the image is empty"));
    }
    let s = sniff(image).ok_or_else(|| invalid("the image is not a PNG, JPEG, WebP or GIF image"))?;
    let orientation = match s.width.cmp(&s.height) {
        std::cmp::Ordering::Greater => "landscape",
        std::cmp::Ordering::Less => "portrait",
        std::cmp::Ordering::Equal => "square",
    };
    let text = format!(
        "A {} image, {}x{} pixels ({orientation}, aspect {}). The placeholder backend reads only the \
         image header, so it cannot say what the picture shows.",
        s.kind.name(),
        s.width,
        s.height,
        aspect(s.width, s.height)
    );
    let words: Vec<&str> = text.split_whitespace().collect();
    Ok(match max_output_tokens {
        Some(max) if words.len() > max as usize => {
            Description { text: words[..max as usize].join(" "), truncated: true }
        }
        _ => Description { text, truncated: false },
    })
}

/// `3:2` for 1536x1024; a decimal ratio when the reduced terms are unwieldy.
fn aspect(width: u32, height: u32) -> String {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let g = gcd(width, height);
    let (w, h) = (width / g, height / g);
    if w <= 32 && h <= 32 {
        format!("{w}:{h}")
    } else {
        format!("{:.2}:1", width as f64 / height as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(prompt: &str) -> Job<'_> {
        Job { prompt, format: Format::Landscape, model: None, size: None, n: None, encoding: None, compression: None }
    }

    #[test]
    fn plans_follow_the_format_table_and_explicit_sizes() {
        for format in Format::ALL {
            let plan = Plan::new(&Job { format, ..job("a lighthouse") }).unwrap();
            assert_eq!((plan.width, plan.height), format.size());
            let picture = plan.picture(0).unwrap();
            let s = sniff(&picture.png).unwrap();
            assert_eq!((s.kind, s.width, s.height), (Kind::Png, plan.width, plan.height));
        }
        let plan = Plan::new(&Job { size: Some((640, 480)), n: Some(4), ..job("x") }).unwrap();
        assert_eq!((plan.width, plan.height, plan.count), (640, 480, 4));
        // The same prompt draws the same picture; another prompt another colour.
        assert_eq!(
            plan.picture(0).unwrap(),
            Plan::new(&Job { size: Some((640, 480)), ..job("x") }).unwrap().picture(0).unwrap()
        );
        assert_ne!(
            plan.picture(0).unwrap(),
            Plan::new(&Job { size: Some((640, 480)), ..job("y") }).unwrap().picture(0).unwrap()
        );

        let preview = Plan::new(&job("x")).unwrap().preview(0, 0, 1).unwrap();
        assert_eq!((preview.width, preview.height), (256, 170));
        assert_eq!(sniff(&preview.png).map(|s| (s.width, s.height)), Some((256, 170)));
    }

    #[test]
    fn bad_requests_are_refused_with_the_right_kind() {
        let long = "a".repeat(32_001);
        let cases: Vec<(Job, &str)> = vec![
            (job("   "), "prompt is empty"),
            (job(&long), "32001 characters"),
            (Job { n: Some(0), ..job("x") }, "n is 0"),
            (Job { n: Some(5), ..job("x") }, "1 to 4"),
            (Job { size: Some((32, 1024)), ..job("x") }, "64 to 4096"),
            (Job { size: Some((5000, 2000)), ..job("x") }, "64 to 4096"),
            (Job { size: Some((3072, 1000)), ..job("x") }, "3 times"),
            (Job { compression: Some(50), ..job("x") }, "jpeg or webp"),
            (Job { compression: Some(101), ..job("x") }, "0 to 100"),
        ];
        for (j, needle) in cases {
            match Plan::new(&j) {
                Err(Rejection::InvalidInput(m)) => assert!(m.contains(needle), "{m:?} lacks {needle:?}"),
                other => panic!("{j:?}: {other:?}"),
            }
        }
        assert!(
            matches!(Plan::new(&Job { encoding: Some(Encoding::Jpeg), ..job("x") }), Err(Rejection::Unsupported(m)) if m.contains("PNG only"))
        );
        assert!(
            matches!(Plan::new(&Job { model: Some("dall-e-3"), ..job("x") }), Err(Rejection::UnknownModel(m)) if m.contains("dall-e-3"))
        );
        assert!(Plan::new(&Job { model: Some(MODEL), size: Some((3072, 1024)), ..job("x") }).is_ok());
        assert!(check_partial_images(3).is_ok() && check_partial_images(4).is_err());
    }

    #[test]
    fn references_must_be_images_and_the_mask_must_fit() {
        let png = |w, h| draw::solid_png(w, h, [9, 9, 9]).unwrap();
        assert!(check_references(&[png(100, 80), png(10, 10)], Some(&png(100, 80))).is_ok());
        let refused = |images: &[Vec<u8>], mask: Option<&[u8]>| match check_references(images, mask) {
            Err(Rejection::InvalidInput(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(refused(&[], None).contains("at least one"));
        assert!(refused(&vec![png(8, 8); 17], None).contains("the most is 16"));
        assert!(refused(&[png(8, 8), b"text".to_vec()], None).contains("reference image 2"));
        assert!(refused(&[b"GIF89a\x08\0\x08\0".to_vec()], None).contains("GIF"));
        assert!(refused(&[png(100, 80)], Some(&png(80, 100))).contains("same size"));
        assert!(refused(&[png(100, 80)], Some(b"GIF89a\x64\0\x50\0")).contains("mask must be a PNG"));
    }

    #[test]
    fn describes_the_real_type_and_size() {
        let png = Plan::new(&job("x")).unwrap().picture(0).unwrap().png;
        let d = describe(&png, "What is this?", None, None).unwrap();
        assert!(d.text.starts_with("A PNG image, 1536x1024 pixels (landscape, aspect 3:2)."), "{}", d.text);
        assert!(!d.truncated);
        let short = describe(&png, "What is this?", Some(MODEL), Some(3)).unwrap();
        assert_eq!(short, Description { text: "A PNG image,".into(), truncated: true });
        assert!(describe(b"GIF89a\x01\x01\x01\x01", "?", None, None)
            .unwrap()
            .text
            .contains("257x257 pixels (square, aspect 1:1)"));
        assert!(matches!(describe(b"nope", "?", None, None), Err(Rejection::InvalidInput(_))));
        assert!(matches!(describe(&png, "", None, None), Err(Rejection::InvalidInput(_))));
        assert!(matches!(describe(&png, "?", Some("gpt-4o"), None), Err(Rejection::UnknownModel(_))));
        assert_eq!(aspect(1000, 999), "1.00:1");
    }
}
