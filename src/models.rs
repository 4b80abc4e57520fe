//! The model table: every per-model fact (sizes, limits, options) lives here,
//! so request checks and `info()` can never disagree.
//!
//! Ids the table does not know are passed through with the GPT image
//! defaults: OpenAI ships new image models often, and refusing an id the API
//! would accept is worse than letting the API have the last word.

use crate::bindings::{
    BackendInfo, Capability, CapabilityInfo, FormatSize, ImageFormat, ModelInfo, PromptStyle, Quality, Size,
};

pub const DEFAULT_TEXT_TO_IMAGE: &str = "dall-e-3";
pub const DEFAULT_EDIT: &str = "gpt-image-1";
pub const DEFAULT_ANALYSIS: &str = "gpt-4.1-mini";

/// The two request dialects of the Images API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `response_format`, `style`, standard/hd quality, three fixed sizes, `n = 1`.
    DallE3,
    /// Always base64; `output_format`, `background`, `moderation`, streaming, edits.
    GptImage,
}

/// What one image model accepts. Built by [`image_model`] for any id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageModel {
    /// The id as the host gave it; sent to the API unchanged.
    pub id: String,
    pub label: String,
    pub note: Option<&'static str>,
    pub family: Family,
    /// False for pass-through ids: their limits are defaults, so checks that
    /// could wrongly refuse a valid request (size, quality) are relaxed.
    pub known: bool,
    /// Reference images an edit takes; 0 means the model cannot edit.
    pub max_reference_images: u32,
    pub max_prompt_chars: u32,
    /// The largest `n`.
    pub max_images: u32,
    pub streams_partial_images: bool,
    pub qualities: &'static [Quality],
    /// Arbitrary `WxH` within gpt-image-2's rules, not just the three standard sizes.
    pub free_size: bool,
    /// Whether the edit endpoint takes `input_fidelity` with this model.
    pub input_fidelity: bool,
}

const DALL_E_3_QUALITIES: &[Quality] = &[Quality::Auto, Quality::Standard, Quality::Hd];
const GPT_QUALITIES: &[Quality] = &[Quality::Auto, Quality::Low, Quality::Medium, Quality::High];
const ALL_QUALITIES: &[Quality] =
    &[Quality::Auto, Quality::Low, Quality::Medium, Quality::High, Quality::Standard, Quality::Hd];

const VERIFIED_ORG: &str = "Requires a verified OpenAI organization.";

/// The known image models, in the order `info()` lists them.
struct Known {
    id: &'static str,
    label: &'static str,
    note: Option<&'static str>,
    family: Family,
    input_fidelity: bool,
}

const KNOWN: &[Known] = &[
    Known {
        id: "dall-e-3",
        label: "DALL·E 3",
        note: Some("Rewrites prompts for detail; one image per request; cannot edit images."),
        family: Family::DallE3,
        input_fidelity: false,
    },
    Known {
        id: "gpt-image-1",
        label: "GPT Image 1",
        note: Some(VERIFIED_ORG),
        family: Family::GptImage,
        input_fidelity: true,
    },
    Known {
        id: "gpt-image-1-mini",
        label: "GPT Image 1 mini",
        note: Some("Requires a verified OpenAI organization. Cheaper and faster; no input fidelity control."),
        family: Family::GptImage,
        // The spec: input_fidelity is "unsupported for gpt-image-1-mini".
        input_fidelity: false,
    },
    Known {
        id: "gpt-image-1.5",
        label: "GPT Image 1.5",
        note: Some(VERIFIED_ORG),
        family: Family::GptImage,
        input_fidelity: true,
    },
    Known {
        id: "gpt-image-2",
        label: "GPT Image 2",
        note: Some(
            "Requires a verified OpenAI organization. Any size with sides in multiples of 16, up to 3840x2160 and 3:1.",
        ),
        family: Family::GptImage,
        input_fidelity: true,
    },
    Known {
        id: "chatgpt-image-latest",
        label: "ChatGPT Image (latest)",
        note: Some("Requires a verified OpenAI organization. Follows the image model ChatGPT currently uses."),
        family: Family::GptImage,
        input_fidelity: true,
    },
];

/// The facts for `id`: the table's entry (dated snapshots such as
/// `gpt-image-1-2025-04-23` share their model's), or GPT image defaults for an
/// id the table does not know. Any id starting with `gpt-image-2` gets
/// gpt-image-2's free sizes.
pub fn image_model(id: &str) -> ImageModel {
    let (known, label) = match lookup(id) {
        Some((k, None)) => (Some(k), k.label.to_string()),
        Some((k, Some(date))) => (Some(k), format!("{} ({date})", k.label)),
        None => (None, id.to_string()),
    };
    let family = known.map_or(Family::GptImage, |k| k.family);
    let gpt = family == Family::GptImage;
    ImageModel {
        id: id.to_string(),
        label,
        note: known.and_then(|k| k.note),
        family,
        known: known.is_some(),
        max_reference_images: if gpt { 16 } else { 0 },
        max_prompt_chars: if gpt { 32_000 } else { 4_000 },
        max_images: if gpt { 10 } else { 1 },
        streams_partial_images: gpt,
        qualities: match (family, known.is_some()) {
            (Family::DallE3, _) => DALL_E_3_QUALITIES,
            (Family::GptImage, true) => GPT_QUALITIES,
            (Family::GptImage, false) => ALL_QUALITIES,
        },
        free_size: id.starts_with("gpt-image-2"),
        input_fidelity: known.is_none_or(|k| k.input_fidelity),
    }
}

/// The table entry for `id`, with the date when `id` is a dated snapshot.
fn lookup(id: &str) -> Option<(&'static Known, Option<&str>)> {
    if let Some(k) = KNOWN.iter().find(|k| k.id == id) {
        return Some((k, None));
    }
    KNOWN.iter().find_map(|k| {
        let date = id.strip_prefix(k.id)?.strip_prefix('-')?;
        is_date(date).then_some((k, Some(date)))
    })
}

/// `YYYY-MM-DD`, the snapshot suffix OpenAI uses.
fn is_date(s: &str) -> bool {
    s.len() == 10 && s.bytes().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() })
}

/// Every model in the table.
pub fn known_image_models() -> impl Iterator<Item = ImageModel> {
    KNOWN.iter().map(|k| image_model(k.id))
}

/// The ids of the known models that can edit, for messages.
pub fn edit_model_ids() -> Vec<&'static str> {
    KNOWN.iter().filter(|k| image_model(k.id).max_reference_images > 0).map(|k| k.id).collect()
}

/// The size a format maps to for `model`.
pub fn size_for(model: &ImageModel, format: ImageFormat) -> Size {
    match (model.family, format) {
        (Family::DallE3, ImageFormat::Landscape) => Size::new(1792, 1024),
        (Family::DallE3, ImageFormat::Portrait) => Size::new(1024, 1792),
        (Family::GptImage, ImageFormat::Landscape) => Size::new(1536, 1024),
        (Family::GptImage, ImageFormat::Portrait) => Size::new(1024, 1536),
        (_, ImageFormat::Square) => Size::new(1024, 1024),
    }
}

/// gpt-image-2's limits on explicit sizes (from the CreateImageRequest spec).
const FREE_SIZE_STEP: u32 = 16;
const FREE_SIZE_MAX_RATIO: u32 = 3;
const FREE_SIZE_MAX_LONG: u32 = 3840;
const FREE_SIZE_MAX_SHORT: u32 = 2160;
/// No image API makes anything larger; beyond this a pass-through size is a mistake.
const SANE_MAX_SIDE: u32 = 16_384;

/// Whether `model` makes images of `size`. The message names the rule broken.
pub fn check_size(model: &ImageModel, size: Size) -> Result<(), String> {
    let standard: Vec<Size> = ImageFormat::ALL.iter().map(|&f| size_for(model, f)).collect();
    if standard.contains(&size) {
        return Ok(());
    }
    let (w, h) = (size.width, size.height);
    let (long, short) = (w.max(h), w.min(h));
    if model.free_size {
        return if w % FREE_SIZE_STEP != 0 || h % FREE_SIZE_STEP != 0 {
            Err(format!("{size}: {} needs both sides to be multiples of {FREE_SIZE_STEP}", model.id))
        } else if short == 0 {
            Err(format!("{size}: both sides must be at least {FREE_SIZE_STEP} pixels"))
        } else if long > FREE_SIZE_MAX_RATIO * short {
            Err(format!("{size}: {} takes aspect ratios up to {FREE_SIZE_MAX_RATIO}:1", model.id))
        } else if long > FREE_SIZE_MAX_LONG || short > FREE_SIZE_MAX_SHORT {
            Err(format!(
                "{size}: {} makes at most {FREE_SIZE_MAX_LONG}x{FREE_SIZE_MAX_SHORT} (long edge {FREE_SIZE_MAX_LONG}, short edge {FREE_SIZE_MAX_SHORT})",
                model.id
            ))
        } else {
            Ok(())
        };
    }
    if !model.known {
        return if short == 0 || long > SANE_MAX_SIDE {
            Err(format!("{size} is not a usable image size"))
        } else {
            Ok(())
        };
    }
    let list: Vec<String> = standard.iter().map(Size::to_string).collect();
    Err(format!("{size} is not a size {} makes; it takes {}", model.id, list.join(", ")))
}

/// Vision models for image analysis. Any id is honoured; these are listed.
pub struct AnalysisModel {
    pub id: &'static str,
    pub label: &'static str,
    pub note: Option<&'static str>,
    /// A generous prompt bound in characters, well inside the context window
    /// (1M tokens for GPT-4.1, 128k for GPT-4o) once the image is counted.
    pub max_prompt_chars: u32,
}

pub const ANALYSIS_MODELS: &[AnalysisModel] = &[
    AnalysisModel {
        id: "gpt-4.1-mini",
        label: "GPT-4.1 mini",
        note: Some("Fast and inexpensive."),
        max_prompt_chars: 1_000_000,
    },
    AnalysisModel { id: "gpt-4o-mini", label: "GPT-4o mini", note: None, max_prompt_chars: 100_000 },
    AnalysisModel {
        id: "gpt-4.1",
        label: "GPT-4.1",
        note: Some("More careful; costs more."),
        max_prompt_chars: 1_000_000,
    },
    AnalysisModel { id: "gpt-4o", label: "GPT-4o", note: None, max_prompt_chars: 100_000 },
];

pub fn analysis_model(id: &str) -> Option<&'static AnalysisModel> {
    ANALYSIS_MODELS.iter().find(|m| m.id == id)
}

fn image_model_info(model: &ImageModel) -> ModelInfo {
    ModelInfo {
        id: model.id.clone(),
        label: model.label.clone(),
        note: model.note.map(str::to_string),
        sizes: ImageFormat::ALL.iter().map(|&format| FormatSize { format, size: size_for(model, format) }).collect(),
        max_reference_images: model.max_reference_images,
        max_prompt_chars: model.max_prompt_chars,
        max_images: model.max_images,
        streams_partial_images: model.streams_partial_images,
    }
}

fn analysis_model_info(model: &AnalysisModel) -> ModelInfo {
    ModelInfo {
        id: model.id.to_string(),
        label: model.label.to_string(),
        note: model.note.map(str::to_string),
        sizes: Vec::new(),
        max_reference_images: 0,
        max_prompt_chars: model.max_prompt_chars,
        max_images: 0,
        streams_partial_images: false,
    }
}

/// What `info()` reports.
pub fn backend_info() -> BackendInfo {
    let text_to_image: Vec<ModelInfo> = known_image_models().map(|m| image_model_info(&m)).collect();
    let edit: Vec<ModelInfo> = text_to_image.iter().filter(|m| m.max_reference_images > 0).cloned().collect();
    let max_reference_images = edit.iter().map(|m| m.max_reference_images).max().unwrap_or(0);
    let capability = |capability, models, default: &str, max_reference_images| CapabilityInfo {
        capability,
        supported: true,
        models,
        default_model: Some(default.to_string()),
        accepts_unknown_models: true,
        max_reference_images,
    };
    BackendInfo {
        name: "openai".into(),
        label: "OpenAI".into(),
        description: "Images from OpenAI's DALL·E 3 and GPT image models (generate and edit), and image \
                      questions answered by OpenAI's vision models; works with api.openai.com, compatible \
                      gateways and Azure OpenAI."
            .into(),
        version: env!("CARGO_PKG_VERSION").into(),
        prompt_style: PromptStyle::Descriptive,
        capabilities: vec![
            capability(Capability::TextToImage, text_to_image, DEFAULT_TEXT_TO_IMAGE, 0),
            capability(Capability::ImageEdit, edit, DEFAULT_EDIT, max_reference_images),
            capability(
                Capability::ImageAnalysis,
                ANALYSIS_MODELS.iter().map(analysis_model_info).collect(),
                DEFAULT_ANALYSIS,
                0,
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImageFormat::*;

    /// A model id and its (format, (width, height)) for each format.
    type SizeRow = (&'static str, [(ImageFormat, (u32, u32)); 3]);

    #[test]
    fn every_model_and_format_maps_to_its_exact_size() {
        let table: &[SizeRow] = &[
            ("dall-e-3", [(Landscape, (1792, 1024)), (Portrait, (1024, 1792)), (Square, (1024, 1024))]),
            ("gpt-image-1", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
            ("gpt-image-1-mini", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
            ("gpt-image-1.5", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
            ("gpt-image-2", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
            ("chatgpt-image-latest", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
            ("some-future-model", [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))]),
        ];
        for (id, formats) in table {
            let model = image_model(id);
            for &(format, (w, h)) in formats {
                assert_eq!(size_for(&model, format), Size::new(w, h), "{id} {format:?}");
                assert_eq!(check_size(&model, Size::new(w, h)), Ok(()), "{id} {format:?}");
            }
        }
    }

    #[test]
    fn per_model_limits() {
        let d = image_model("dall-e-3");
        assert_eq!((d.family, d.max_reference_images, d.max_prompt_chars, d.max_images), (Family::DallE3, 0, 4000, 1));
        assert!(!d.streams_partial_images && d.known && !d.free_size);
        assert_eq!(d.qualities, &[Quality::Auto, Quality::Standard, Quality::Hd]);
        for id in ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"] {
            let m = image_model(id);
            assert_eq!(
                (m.family, m.max_reference_images, m.max_prompt_chars, m.max_images),
                (Family::GptImage, 16, 32000, 10),
                "{id}"
            );
            assert!(m.streams_partial_images && m.known, "{id}");
            assert_eq!(m.qualities, &[Quality::Auto, Quality::Low, Quality::Medium, Quality::High], "{id}");
            assert_eq!(m.note.map(|n| n.contains("verified")), Some(true), "{id}");
            assert_eq!(m.free_size, id == "gpt-image-2", "{id}");
            assert_eq!(m.input_fidelity, id != "gpt-image-1-mini", "{id}");
        }
    }

    #[test]
    fn unknown_ids_pass_through_with_gpt_defaults() {
        let m = image_model("my-gateway/flux");
        assert_eq!(m.id, "my-gateway/flux");
        assert_eq!(m.label, "my-gateway/flux");
        assert_eq!((m.family, m.known, m.max_reference_images, m.max_images), (Family::GptImage, false, 16, 10));
        assert_eq!(m.note, None);
        assert_eq!(m.qualities.len(), 6, "the API decides quality for models we do not know");
        // Ids that only look like snapshots are not snapshots.
        for id in ["gpt-image-1-2025-4-23", "gpt-image-1-preview", "dall-e-3-hd"] {
            assert!(!image_model(id).known, "{id}");
        }
        assert_eq!(image_model("dall-e-3-hd").family, Family::GptImage);
    }

    #[test]
    fn dated_snapshots_share_their_models_facts() {
        let snap = image_model("gpt-image-2-2026-04-21");
        assert_eq!((snap.id.as_str(), snap.label.as_str()), ("gpt-image-2-2026-04-21", "GPT Image 2 (2026-04-21)"));
        assert!(snap.free_size && snap.known);
        assert_eq!(check_size(&snap, Size::new(1536, 864)), Ok(()));
        let one = image_model("gpt-image-1-2025-04-23");
        assert!(one.known && !one.free_size);
        assert_eq!(one.qualities, image_model("gpt-image-1").qualities);
        assert!(check_size(&one, Size::new(1536, 864)).is_err());
        assert!(!image_model("gpt-image-1-mini-2025-10-06").input_fidelity);
        assert_eq!(image_model("dall-e-3-2023-11-01").family, Family::DallE3);
        // Any other id in gpt-image-2's line still gets its free sizes.
        assert!(image_model("gpt-image-2-preview").free_size);
    }

    #[test]
    fn dall_e_3_takes_only_its_three_sizes() {
        let m = image_model("dall-e-3");
        for bad in [(1536, 1024), (1024, 1536), (512, 512), (1792, 1792)] {
            let err = check_size(&m, Size::new(bad.0, bad.1)).unwrap_err();
            assert!(err.contains("1792x1024") && err.contains("dall-e-3"), "{err}");
        }
    }

    #[test]
    fn fixed_size_gpt_models_take_only_the_standard_sizes() {
        for id in ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest"] {
            let m = image_model(id);
            for bad in [(1792, 1024), (1536, 864), (2048, 2048), (512, 512)] {
                assert!(check_size(&m, Size::new(bad.0, bad.1)).is_err(), "{id} {bad:?}");
            }
        }
    }

    #[test]
    fn gpt_image_2_free_sizes() {
        let m = image_model("gpt-image-2");
        for ok in
            [(1536, 864), (3840, 2160), (2160, 3840), (3840, 1280), (1280, 3840), (16, 16), (2160, 2160), (48, 16)]
        {
            assert_eq!(check_size(&m, Size::new(ok.0, ok.1)), Ok(()), "{ok:?}");
        }
        let cases = [
            ((1000, 1000), "multiples of 16"),
            ((1024, 1000), "multiples of 16"),
            ((0, 1024), "at least 16"),
            ((3840, 1264), "3:1"),
            ((64, 16), "3:1"),
            ((3856, 2160), "3840x2160"),
            ((2176, 2176), "3840x2160"),
            ((2176, 3840), "3840x2160"),
        ];
        for ((w, h), why) in cases {
            let err = check_size(&m, Size::new(w, h)).unwrap_err();
            assert!(err.contains(why), "{w}x{h}: {err}");
        }
    }

    #[test]
    fn unknown_models_take_any_sane_size() {
        let m = image_model("future-image-model");
        assert_eq!(check_size(&m, Size::new(1000, 700)), Ok(()));
        assert_eq!(check_size(&m, Size::new(1792, 1024)), Ok(()));
        assert!(check_size(&m, Size::new(0, 1024)).is_err());
        assert!(check_size(&m, Size::new(1024, 100_000)).is_err());
    }

    #[test]
    fn backend_info_lists_capabilities_and_models() {
        let info = backend_info();
        assert_eq!((info.name.as_str(), info.label.as_str()), ("openai", "OpenAI"));
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.prompt_style, PromptStyle::Descriptive);
        let caps: Vec<Capability> = info.capabilities.iter().map(|c| c.capability).collect();
        assert_eq!(caps, Capability::ALL.to_vec());
        let ids = |c: &CapabilityInfo| c.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        let t2i = &info.capabilities[0];
        assert_eq!(t2i.default_model.as_deref(), Some("dall-e-3"));
        assert_eq!(
            ids(t2i),
            ["dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"]
        );
        assert_eq!(t2i.max_reference_images, 0);
        let dalle = &t2i.models[0];
        assert_eq!(
            dalle.sizes,
            vec![
                FormatSize { format: Landscape, size: Size::new(1792, 1024) },
                FormatSize { format: Portrait, size: Size::new(1024, 1792) },
                FormatSize { format: Square, size: Size::new(1024, 1024) },
            ]
        );
        assert_eq!((dalle.max_prompt_chars, dalle.max_images, dalle.streams_partial_images), (4000, 1, false));
        let edit = &info.capabilities[1];
        assert_eq!(edit.default_model.as_deref(), Some("gpt-image-1"));
        assert_eq!(
            ids(edit),
            ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"]
        );
        assert_eq!(edit.max_reference_images, 16);
        assert_eq!(edit.models[0].sizes[0], FormatSize { format: Landscape, size: Size::new(1536, 1024) });
        let analysis = &info.capabilities[2];
        assert_eq!(analysis.default_model.as_deref(), Some("gpt-4.1-mini"));
        assert_eq!(ids(analysis), ["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1", "gpt-4o"]);
        assert!(analysis.models.iter().all(|m| m.sizes.is_empty() && m.max_images == 0));
        assert!(info.capabilities.iter().all(|c| c.supported && c.accepts_unknown_models));
        // Every listed default is itself listed.
        for c in &info.capabilities {
            assert!(ids(c).contains(c.default_model.as_ref().unwrap()), "{:?}", c.capability);
        }
    }

    #[test]
    fn edit_model_ids_exclude_dall_e_3() {
        assert_eq!(
            edit_model_ids(),
            ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"]
        );
        assert!(analysis_model("gpt-4o-mini").is_some() && analysis_model("dall-e-3").is_none());
    }
}
