//! The model table: every per-model fact (lifecycle, sizes, quality tiers,
//! options, limits) lives here, so request checks, `check`, `models` and
//! `info()` can never disagree.
//!
//! Ids the table does not know are resolved in three steps: a dated snapshot
//! (`<id>-YYYY-MM-DD`) shares its model's rules and lifecycle; a new member
//! of a known family (`gpt-image-2.5-*`, `gpt-image-2.6-*`) takes the
//! family's newest known member's facts as defaults and hints (its sizes per
//! format, its options' wire names and types), never as limits; any other id
//! gets the GPT image defaults. Neither is refused an option, a quality tier,
//! a size or an output format the table does not know of: OpenAI ships new
//! models and parameters every month, and a backend stricter than the API
//! about a model it has not heard of would block it on the day it ships. The
//! API has the last word, and its 400 reaches the user with its message.
//!
//! Lifecycle: what the table knows is a [`Schedule`] per model; whether a
//! date has passed is decided against today's date, which the caller takes
//! from the host's wall clock. Dates and replacements as of 2026-12-07, from
//! `shared/openai/LIFECYCLE.md` and its sources:
//!
//! - <https://developers.openai.com/api/docs/deprecations> (and its `.md` form):
//!   dall-e-3 2026-05-12; gpt-image-1 2026-10-23; gpt-image-1-mini,
//!   gpt-image-1.5, chatgpt-image-latest 2026-12-01; gpt-4o, gpt-4o-mini,
//!   gpt-4.1, gpt-4.1-mini 2027-01-14 with gpt-6-luna as the replacement;
//! - <https://developers.openai.com/api/docs/models/dall-e-3> (recommends GPT-Image-2.5 Sunburst);
//! - <https://dev.to/flarecanary/dalle-shuts-down-may-12-the-gpt-image-1-migration-isnt-the-drop-in-swap-it-looks-like-3p02>,
//!   <https://dev.to/importstatic/every-openai-model-shutdown-date-until-january-2027-and-what-replaces-it-1dfk>,
//!   <https://dev.to/max_bob/openai-api-deprecations-2026-2027-every-shutdown-date-and-recommended-replacement-gpt-4o-2ffm>
//!   (which checked the page's dates against `GET /v1/models` on 2026-10-27);
//!   the deprecations page now names `gpt-image-2.6-sunburst` and
//!   `gpt-image-2.6-flare` as the replacements for the models shut down on
//!   2026-12-01, and gpt-6.1-sol / gpt-6.1-terra for gpt-5, gpt-5-mini and
//!   gpt-5-nano (2026-12-11);
//! - <https://developers.openai.com/api/docs/models/gpt-image-2.6-sunburst>,
//!   <https://docs.apiyi.com/en/api-capabilities/gpt-image-2/gpt-image-2-6.md>,
//!   <https://apidog.com/blog/gpt-image-2-6-api/> (GPT Image 2.6, 2026-11-04:
//!   `complexity`, GIF and SVG output, markup-guided edits),
//!   <https://docs.apiyi.com/en/live/2026-12/gpt-image-2-6-markup-fixed.md>
//!   (`markup` not with `mask`), <https://docs.comfy.org/built-in-nodes/OpenAIGPTImageGIFNode.md>
//!   (GIF frame count and duration);
//! - <https://docs.apiyi.com/en/news/gpt-image-2-5-launch.md> (the 2.5 models,
//!   their `-2026-09-08` snapshots, the `xhigh` and `max` tiers; Flare for fast
//!   everyday generation, Sunburst for editing precision);
//! - <https://vercel.com/ai-gateway/models/openai/gpt-6-luna.md>,
//!   <https://docs.oxen.ai/inference-api/reference/models/gpt-6-luna.md>
//!   (gpt-6-luna: images in, a reasoning model with a configurable effort).
//!
//! The service's own list (`models`, `check`) wins over these dates at run time.

use crate::bindings::{
    BackendInfo, Capability, CapabilityInfo, FormatSize, FreeSizes, ImageFormat, ModelInfo, PromptStyle, Size, SizeRule,
};
use crate::date::Date;
use crate::fields::{Default, Kind, Spec};
use crate::gif;
use crate::lifecycle::Schedule;
use crate::prices::Prices;
use crate::settings;

/// Text to image: OpenAI's fast model for everyday generation. 2.6 since
/// OpenAI's deprecations page names it as the replacement for the models
/// shut down on 2026-12-01 (2.5 before that); same price per token as 2.5.
pub const DEFAULT_TEXT_TO_IMAGE: &str = "gpt-image-2.6-flare";
/// Image edit: OpenAI's model for editing precision (2.6, for the same
/// reason; it also takes markup-guided edits).
pub const DEFAULT_EDIT: &str = "gpt-image-2.6-sunburst";
/// Image analysis: the replacement OpenAI names for gpt-4o(-mini) and gpt-4.1(-mini).
pub const DEFAULT_ANALYSIS: &str = "gpt-6-luna";

/// The model used for `capability` when a request names none.
pub fn default_model(capability: Capability) -> &'static str {
    match capability {
        Capability::TextToImage => DEFAULT_TEXT_TO_IMAGE,
        Capability::ImageEdit => DEFAULT_EDIT,
        Capability::ImageAnalysis => DEFAULT_ANALYSIS,
    }
}

/// The two request dialects of the Images API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `response_format`, `style`, standard/hd quality, three fixed sizes, `n = 1`.
    DallE3,
    /// Always base64; `output_format`, `background`, `moderation`, streaming, edits.
    GptImage,
}

/// What a model takes beyond the Images API parameters GPT image models
/// share: GPT Image 2.6's additions (LIFECYCLE.md, "Current image models").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Additions {
    /// `complexity`: how much the model plans before rendering.
    pub complexity: bool,
    /// `output_format: gif`, with `frame_count` and `frame_duration_ms`,
    /// all frames within [`gif::PIXEL_BUDGET`].
    pub gif: bool,
    /// `output_format: svg`, generations of one image only.
    pub svg: bool,
    /// A `markup` PNG on edits, never with a mask.
    pub markup: bool,
}

impl Additions {
    pub const NONE: Additions = Additions { complexity: false, gif: false, svg: false, markup: false };
    pub const GPT_IMAGE_2_6: Additions = Additions { complexity: true, gif: true, svg: true, markup: true };
}

/// What one image model accepts. Built by [`image_model`] for any id.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageModel {
    /// The id as the host gave it; sent to the API unchanged.
    pub id: String,
    pub label: String,
    pub note: Option<&'static str>,
    pub family: Family,
    /// True for the table's models and their dated snapshots: what they take
    /// is known, so options, tiers, sizes and output formats are checked
    /// before anything is sent. False for any other id (a new member of a
    /// known family too), whose facts are hints: whatever a request names
    /// passes through and the API decides.
    pub known: bool,
    /// The table's lifecycle for it (`None`: the table does not know).
    pub schedule: Option<Schedule>,
    /// Reference images an edit takes; 0 means the model cannot edit.
    pub max_reference_images: u32,
    pub max_prompt_chars: u32,
    /// The largest `n`.
    pub max_images: u32,
    pub streams_partial_images: bool,
    /// The tiers a request may name, fastest first (`auto` last); empty for a
    /// pass-through id, which takes any tier.
    pub qualities: &'static [&'static str],
    /// Arbitrary `WxH` within these limits, besides the per-format sizes.
    pub free_sizes: Option<FreeSizes>,
    /// Whether the edit endpoint takes `input_fidelity` with this model.
    pub input_fidelity: bool,
    pub additions: Additions,
    /// What it costs, when the table knows (not for ids it does not know).
    pub prices: Option<Prices>,
}

const DALL_E_3_QUALITIES: &[&str] = &["standard", "hd", "auto"];
const GPT_QUALITIES: &[&str] = &["low", "medium", "high", "auto"];
const GPT_2_5_QUALITIES: &[&str] = &["low", "medium", "high", "xhigh", "max", "auto"];
/// The tier the API applies when a request names none (the component then sends none).
const DEFAULT_QUALITY: &str = "auto";

/// The encodings GPT image models return (`output_format`).
const GPT_FORMATS: &[&str] = &["png", "jpeg", "webp"];
/// GPT Image 2.6's: GIF on generations and edits, SVG on generations.
const GPT_2_6_GENERATE_FORMATS: &[&str] = &["png", "jpeg", "webp", "gif", "svg"];
const GPT_2_6_EDIT_FORMATS: &[&str] = &["png", "jpeg", "webp", "gif"];
/// The encoding the API answers in when a request names none.
pub const DEFAULT_OUTPUT_FORMAT: &str = "png";

/// gpt-image-2's limits on explicit sizes (the CreateImageRequest spec: sides
/// divisible by 16, aspect 1:3 to 3:1, at most 3840x2160). The spec names no
/// smallest side (only "the model's current pixel and edge limits"), so the
/// smallest is one step; the API has the last word below that.
pub const GPT_IMAGE_2_FREE_SIZES: FreeSizes =
    FreeSizes { step: 16, min_side: 16, max_long_side: 3840, max_short_side: 2160, max_aspect_ratio: 3 };
/// No image API makes anything larger; beyond this a pass-through size is a mistake.
const SANE_MAX_SIDE: u32 = 16_384;

const VERIFIED_ORG: &str = "Requires a verified OpenAI organization.";

/// One row of the image table.
struct Known {
    id: &'static str,
    label: &'static str,
    note: &'static str,
    family: Family,
    qualities: &'static [&'static str],
    free_sizes: bool,
    input_fidelity: bool,
    additions: Additions,
    schedule: Schedule,
    prices: Option<Prices>,
}

/// GPT Image 2.6 (both models): OpenAI's model pages, as LIFECYCLE.md's price
/// table gives them ("Prices"); the same per-token prices as 2.5.
const GPT_IMAGE_2_6_SUNBURST_PRICES: Prices = Prices::image(
    5.00,
    Some(1.25),
    8.00,
    Some(2.00),
    30.00,
    "https://developers.openai.com/api/docs/models/gpt-image-2.6-sunburst",
);
const GPT_IMAGE_2_6_FLARE_PRICES: Prices = Prices::image(
    5.00,
    Some(1.25),
    8.00,
    Some(2.00),
    30.00,
    "https://developers.openai.com/api/docs/models/gpt-image-2.6-flare",
);
/// GPT Image 2.5 (both): LIFECYCLE.md's price table, from the 2.5 launch
/// notes; cached rates not published there.
const GPT_IMAGE_2_5_PRICES: Prices =
    Prices::image(5.00, None, 8.00, None, 30.00, "https://docs.apiyi.com/en/news/gpt-image-2-5-launch.md");
/// GPT Image 2: OpenAI's pricing page as reported on 2026-04-28 (its model
/// page links there rather than listing them).
const GPT_IMAGE_2_PRICES: Prices = Prices::image(
    5.00,
    Some(1.25),
    8.00,
    Some(2.00),
    30.00,
    "https://chatgptimages.app/guides/gpt-image-2-api-price (OpenAI's pricing page, 2026-04-28)",
);
/// Retired at OpenAI; priced for the gateways and Azure deployments that still serve them.
const GPT_IMAGE_1_PRICES: Prices = Prices::image(
    5.00,
    Some(1.25),
    10.00,
    Some(2.50),
    40.00,
    "https://developers.openai.com/api/docs/models/gpt-image-1",
);
const GPT_IMAGE_1_MINI_PRICES: Prices = Prices::image(
    2.00,
    Some(0.20),
    2.50,
    Some(0.25),
    8.00,
    "https://developers.openai.com/api/docs/models/gpt-image-1-mini",
);

const fn shutdown(year: i32, month: u8, day: u8, replacement: &'static str) -> Schedule {
    Schedule::Shutdown { date: Date::ymd(year, month, day), replacement }
}

/// The known image models, in the order `info()` lists them: today's first,
/// then the ones the product started with, which gateways and Azure still serve.
const KNOWN: &[Known] = &[
    Known {
        id: "gpt-image-2.6-flare",
        label: "GPT Image 2.6 Flare",
        note: "Requires a verified OpenAI organization. Fast, for everyday generation; animated GIF and SVG output, \
               complexity control; any size with sides in multiples of 16, up to 3840x2160 and 3:1.",
        family: Family::GptImage,
        qualities: GPT_2_5_QUALITIES,
        free_sizes: true,
        input_fidelity: true,
        additions: Additions::GPT_IMAGE_2_6,
        schedule: Schedule::Active,
        prices: Some(GPT_IMAGE_2_6_FLARE_PRICES),
    },
    Known {
        id: "gpt-image-2.6-sunburst",
        label: "GPT Image 2.6 Sunburst",
        note: "Requires a verified OpenAI organization. Precise, for editing and detail; markup-guided edits, \
               animated GIF and SVG output, complexity control; any size with sides in multiples of 16, up to \
               3840x2160 and 3:1.",
        family: Family::GptImage,
        qualities: GPT_2_5_QUALITIES,
        free_sizes: true,
        input_fidelity: true,
        additions: Additions::GPT_IMAGE_2_6,
        schedule: Schedule::Active,
        prices: Some(GPT_IMAGE_2_6_SUNBURST_PRICES),
    },
    Known {
        id: "gpt-image-2.5-flare",
        label: "GPT Image 2.5 Flare",
        note: "Requires a verified OpenAI organization. Fast, for everyday generation; any size with sides in \
               multiples of 16, up to 3840x2160 and 3:1.",
        family: Family::GptImage,
        qualities: GPT_2_5_QUALITIES,
        free_sizes: true,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: Schedule::Active,
        prices: Some(GPT_IMAGE_2_5_PRICES),
    },
    Known {
        id: "gpt-image-2.5-sunburst",
        label: "GPT Image 2.5 Sunburst",
        note: "Requires a verified OpenAI organization. Precise, for editing; slower than Flare; any size with \
               sides in multiples of 16, up to 3840x2160 and 3:1.",
        family: Family::GptImage,
        qualities: GPT_2_5_QUALITIES,
        free_sizes: true,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: Schedule::Active,
        prices: Some(GPT_IMAGE_2_5_PRICES),
    },
    Known {
        id: "gpt-image-2",
        label: "GPT Image 2",
        note: "Requires a verified OpenAI organization. Any size with sides in multiples of 16, up to 3840x2160 \
               and 3:1.",
        family: Family::GptImage,
        qualities: GPT_QUALITIES,
        free_sizes: true,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: Schedule::Active,
        prices: Some(GPT_IMAGE_2_PRICES),
    },
    Known {
        id: "dall-e-3",
        label: "DALL·E 3",
        note: "Rewrites prompts for detail; one image per request; cannot edit images.",
        family: Family::DallE3,
        qualities: DALL_E_3_QUALITIES,
        free_sizes: false,
        input_fidelity: false,
        additions: Additions::NONE,
        schedule: shutdown(2026, 5, 12, "gpt-image-2.5-sunburst"),
        prices: None,
    },
    Known {
        id: "gpt-image-1",
        label: "GPT Image 1",
        note: VERIFIED_ORG,
        family: Family::GptImage,
        qualities: GPT_QUALITIES,
        free_sizes: false,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: shutdown(2026, 10, 23, "gpt-image-2.5-sunburst"),
        prices: Some(GPT_IMAGE_1_PRICES),
    },
    Known {
        id: "gpt-image-1-mini",
        label: "GPT Image 1 mini",
        note: "Requires a verified OpenAI organization. Cheaper and faster; no input fidelity control.",
        family: Family::GptImage,
        qualities: GPT_QUALITIES,
        free_sizes: false,
        // The spec: input_fidelity is "unsupported for gpt-image-1-mini".
        input_fidelity: false,
        additions: Additions::NONE,
        schedule: shutdown(2026, 12, 1, "gpt-image-2.6-flare"),
        prices: Some(GPT_IMAGE_1_MINI_PRICES),
    },
    Known {
        id: "gpt-image-1.5",
        label: "GPT Image 1.5",
        note: VERIFIED_ORG,
        family: Family::GptImage,
        qualities: GPT_QUALITIES,
        free_sizes: false,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: shutdown(2026, 12, 1, "gpt-image-2.6-sunburst"),
        prices: None,
    },
    Known {
        id: "chatgpt-image-latest",
        label: "ChatGPT Image (latest)",
        note: "Requires a verified OpenAI organization. Follows the image model ChatGPT currently uses.",
        family: Family::GptImage,
        qualities: GPT_QUALITIES,
        free_sizes: false,
        input_fidelity: true,
        additions: Additions::NONE,
        schedule: shutdown(2026, 12, 1, "gpt-image-2.6-sunburst"),
        prices: None,
    },
];

/// Families whose unknown members take their newest known member's facts as
/// hints (sizes per format, options, tiers to offer), with no lifecycle, no
/// prices and no limits: the table does not know them.
const FAMILIES: &[(&str, &str)] =
    &[("gpt-image-2.5-", "gpt-image-2.5-sunburst"), ("gpt-image-2.6-", "gpt-image-2.6-sunburst")];

/// The facts for `id`: the table's entry, a dated snapshot's (label with its
/// date), or, for an id the table does not know, its family's newest
/// member's as hints or else GPT image defaults. Any other id starting with
/// `gpt-image-2` gets gpt-image-2's free sizes as a hint.
pub fn image_model(id: &str) -> ImageModel {
    let (row, label, schedule) = match lookup(KNOWN, id, |k| k.id) {
        Some((k, None)) => (Some(k), k.label.to_string(), Some(k.schedule)),
        Some((k, Some(date))) => (Some(k), format!("{} ({date})", k.label), Some(k.schedule)),
        None => {
            let family = FAMILIES.iter().find(|(prefix, _)| id.starts_with(prefix));
            let newest = family.and_then(|(_, newest)| KNOWN.iter().find(|k| k.id == *newest));
            (newest, id.to_string(), None)
        }
    };
    let known = schedule.is_some();
    let family = row.map_or(Family::GptImage, |k| k.family);
    let gpt = family == Family::GptImage;
    ImageModel {
        id: id.to_string(),
        label,
        note: row.map(|k| if known { k.note } else { VERIFIED_ORG }),
        family,
        known,
        schedule,
        max_reference_images: if gpt { 16 } else { 0 },
        max_prompt_chars: if gpt { 32_000 } else { 4_000 },
        max_images: if gpt { 10 } else { 1 },
        streams_partial_images: gpt,
        qualities: row.map_or(&[], |k| k.qualities),
        free_sizes: match row {
            Some(k) => k.free_sizes.then_some(GPT_IMAGE_2_FREE_SIZES),
            None => id.starts_with("gpt-image-2").then_some(GPT_IMAGE_2_FREE_SIZES),
        },
        input_fidelity: row.is_none_or(|k| k.input_fidelity),
        additions: row.map_or(Additions::NONE, |k| k.additions),
        prices: row.filter(|_| known).and_then(|k| k.prices),
    }
}

/// The table entry for `id`, with the date when `id` is a dated snapshot of one.
fn lookup<'t, 'i, K>(table: &'t [K], id: &'i str, key: impl Fn(&K) -> &str) -> Option<(&'t K, Option<&'i str>)> {
    if let Some(k) = table.iter().find(|k| key(k) == id) {
        return Some((k, None));
    }
    table.iter().find_map(|k| {
        let date = id.strip_prefix(key(k))?.strip_prefix('-')?;
        Date::parse(date).map(|_| (k, Some(date)))
    })
}

impl ImageModel {
    /// Whether `quality` names one of its tiers (a pass-through id takes any).
    pub fn takes_quality(&self, quality: &str) -> bool {
        !self.known || self.qualities.contains(&quality)
    }

    /// The options a generate request may carry for it.
    pub fn generate_options(&self) -> &'static [Spec] {
        match (self.family, self.additions == Additions::GPT_IMAGE_2_6) {
            (Family::DallE3, _) => &[STYLE, USER],
            (Family::GptImage, false) => &[BACKGROUND, MODERATION, OUTPUT_COMPRESSION, USER],
            (Family::GptImage, true) => {
                &[BACKGROUND, MODERATION, OUTPUT_COMPRESSION, USER, COMPLEXITY, FRAME_COUNT, FRAME_DURATION_MS]
            }
        }
    }

    /// The options an edit request may carry for it (none: it cannot edit).
    pub fn edit_options(&self) -> &'static [Spec] {
        match (self.max_reference_images, self.input_fidelity, self.additions == Additions::GPT_IMAGE_2_6) {
            (0, _, _) => &[],
            (_, true, true) => &[
                BACKGROUND,
                OUTPUT_COMPRESSION,
                INPUT_FIDELITY,
                USER,
                COMPLEXITY,
                FRAME_COUNT,
                FRAME_DURATION_MS,
                MARKUP,
            ],
            (_, true, false) => &[BACKGROUND, OUTPUT_COMPRESSION, INPUT_FIDELITY, USER],
            (_, false, _) => &[BACKGROUND, OUTPUT_COMPRESSION, USER],
        }
    }

    /// The encodings a request for `capability` may name (empty: the model
    /// answers in its own and takes no choice).
    pub fn output_formats(&self, capability: Capability) -> &'static [&'static str] {
        match (self.family, self.additions.gif, capability) {
            (Family::DallE3, _, _) => &[],
            (Family::GptImage, false, _) => GPT_FORMATS,
            (Family::GptImage, true, Capability::ImageEdit) => GPT_2_6_EDIT_FORMATS,
            (Family::GptImage, true, _) => GPT_2_6_GENERATE_FORMATS,
        }
    }

    /// The size rule `info()` lists for it.
    pub fn size_rule(&self) -> SizeRule {
        SizeRule {
            formats: ImageFormat::ALL
                .iter()
                .map(|&format| FormatSize { format, size: size_for(self, format) })
                .collect(),
            free: self.free_sizes,
        }
    }
}

/// Every model in the table.
pub fn known_image_models() -> impl Iterator<Item = ImageModel> {
    KNOWN.iter().map(|k| image_model(k.id))
}

/// The ids of the known models that can edit, for messages.
pub fn edit_model_ids() -> Vec<&'static str> {
    KNOWN.iter().filter(|k| image_model(k.id).max_reference_images > 0).map(|k| k.id).collect()
}

/// The size a format maps to for `model` (a still image; an animated GIF's
/// frames share a budget: [`gif::frame_size`]).
pub fn size_for(model: &ImageModel, format: ImageFormat) -> Size {
    match (model.family, format) {
        (Family::DallE3, ImageFormat::Landscape) => Size::new(1792, 1024),
        (Family::DallE3, ImageFormat::Portrait) => Size::new(1024, 1792),
        (Family::GptImage, ImageFormat::Landscape) => Size::new(1536, 1024),
        (Family::GptImage, ImageFormat::Portrait) => Size::new(1024, 1536),
        (_, ImageFormat::Square) => Size::new(1024, 1024),
    }
}

/// Whether `model` makes images of `size`. The message names the rule broken.
pub fn check_size(model: &ImageModel, size: Size) -> Result<(), String> {
    let standard: Vec<Size> = ImageFormat::ALL.iter().map(|&f| size_for(model, f)).collect();
    if standard.contains(&size) {
        return Ok(());
    }
    let (w, h) = (size.width, size.height);
    let (long, short) = (w.max(h), w.min(h));
    // A model the table does not know may make sizes its family's rules do
    // not allow: only nonsense is refused.
    if !model.known {
        return if short == 0 || long > SANE_MAX_SIDE {
            Err(format!("{size} is not a usable image size"))
        } else {
            Ok(())
        };
    }
    if let Some(free) = model.free_sizes {
        let FreeSizes { step, min_side, max_long_side, max_short_side, max_aspect_ratio } = free;
        return if w % step != 0 || h % step != 0 {
            Err(format!("{size}: {} needs both sides to be multiples of {step}", model.id))
        } else if short < min_side {
            Err(format!("{size}: both sides must be at least {min_side} pixels"))
        } else if u64::from(long) > u64::from(max_aspect_ratio) * u64::from(short) {
            Err(format!("{size}: {} takes aspect ratios up to {max_aspect_ratio}:1", model.id))
        } else if long > max_long_side || short > max_short_side {
            Err(format!(
                "{size}: {} makes at most {max_long_side}x{max_short_side} (long edge {max_long_side}, short edge {max_short_side})",
                model.id
            ))
        } else {
            Ok(())
        };
    }
    let list: Vec<String> = standard.iter().map(Size::to_string).collect();
    Err(format!("{size} is not a size {} makes; it takes {}", model.id, list.join(", ")))
}

/// A vision model of the table.
pub struct AnalysisModel {
    pub id: &'static str,
    pub label: &'static str,
    pub note: Option<&'static str>,
    /// A generous prompt bound in characters, well inside the context window
    /// (over 1M tokens for GPT-6 Luna and GPT-4.1, 128k for GPT-4o) once the
    /// image is counted.
    pub max_prompt_chars: u32,
    /// Thinks before it answers and takes `reasoning_effort`.
    pub reasoning: bool,
    pub schedule: Schedule,
    pub prices: Option<Prices>,
}

const GPT_6_LUNA: Schedule = shutdown(2027, 1, 14, "gpt-6-luna");
/// The deprecations page names both GPT-6.1 models for the GPT-5 family
/// (2026-12-11): the larger for gpt-5, the smaller for its mini and nano.
const GPT_6_1_SOL: Schedule = shutdown(2026, 12, 11, "gpt-6.1-sol");
const GPT_6_1_TERRA: Schedule = shutdown(2026, 12, 11, "gpt-6.1-terra");

/// A vision model's prices (input, cached input, output per million tokens)
/// from the page `source`.
const fn page(input: f64, cached: f64, output: f64, source: &'static str) -> Option<Prices> {
    Some(Prices::chat(input, cached, output, source))
}

/// Vision models for image analysis, in the order `info()` lists them. Any id is honoured.
pub const ANALYSIS_MODELS: &[AnalysisModel] = &[
    AnalysisModel {
        id: "gpt-6-luna",
        label: "GPT-6 Luna",
        note: Some("Fast and inexpensive; reasons before it answers (low effort by default)."),
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: Schedule::Active,
        prices: page(0.10, 0.01, 0.50, "https://developers.openai.com/api/docs/models/gpt-6-luna"),
    },
    AnalysisModel {
        id: "gpt-5.6-luna",
        label: "GPT-5.6 Luna",
        note: Some("Fast and low-cost; reasons before it answers (low effort by default)."),
        max_prompt_chars: 400_000,
        reasoning: true,
        schedule: Schedule::Active,
        // After the price cut of 2026-07-30.
        prices: page(0.20, 0.02, 1.20, "https://developers.openai.com/api/docs/models/gpt-5.6-luna"),
    },
    AnalysisModel {
        id: "gpt-6.1-sol",
        label: "GPT-6.1 Sol",
        note: Some("Larger and more careful; costs more."),
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: Schedule::Active,
        // The model page's prices as release notes quote them (checked there on 2026-10-01).
        prices: page(2.00, 0.10, 10.00, "https://developers.openai.com/api/docs/models/gpt-6.1-sol"),
    },
    AnalysisModel {
        id: "gpt-6.1-terra",
        label: "GPT-6.1 Terra",
        note: Some("Between Luna and Sol in cost and care."),
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: Schedule::Active,
        prices: page(1.00, 0.05, 5.00, "https://developers.openai.com/api/docs/models/gpt-6.1-terra"),
    },
    AnalysisModel {
        id: "gpt-4.1-mini",
        label: "GPT-4.1 mini",
        note: Some("Fast and inexpensive."),
        max_prompt_chars: 1_000_000,
        reasoning: false,
        schedule: GPT_6_LUNA,
        // OpenAI's pricing page no longer lists the GPT-4.x family: as a gateway that serves it quotes them.
        prices: page(0.40, 0.10, 1.60, "https://vercel.com/ai-gateway/models/gpt-4.1-mini/providers"),
    },
    AnalysisModel {
        id: "gpt-4o-mini",
        label: "GPT-4o mini",
        note: None,
        max_prompt_chars: 100_000,
        reasoning: false,
        schedule: GPT_6_LUNA,
        prices: page(0.15, 0.075, 0.60, "https://docs.rs/crate/openai-models/0.1.1 (OpenAI's last published prices)"),
    },
    AnalysisModel {
        id: "gpt-4.1",
        label: "GPT-4.1",
        note: Some("More careful; costs more."),
        max_prompt_chars: 1_000_000,
        reasoning: false,
        schedule: GPT_6_LUNA,
        prices: page(
            2.00,
            0.50,
            8.00,
            "https://raw.githubusercontent.com/github/docs/main/data/tables/copilot/models-and-pricing.yml",
        ),
    },
    AnalysisModel {
        id: "gpt-4o",
        label: "GPT-4o",
        note: None,
        max_prompt_chars: 100_000,
        reasoning: false,
        schedule: GPT_6_LUNA,
        prices: page(2.50, 1.25, 10.00, "https://docs.sim.ai/models/openai/gpt-4o.md (catalog of 2026-09-04)"),
    },
    AnalysisModel {
        id: "gpt-5",
        label: "GPT-5",
        note: None,
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: GPT_6_1_SOL,
        // Input as OpenAI's model pages compare it; cached input and output as last published.
        prices: page(1.25, 0.125, 10.00, "https://developers.openai.com/api/docs/models/gpt-5.1 (comparison)"),
    },
    AnalysisModel {
        id: "gpt-5-mini",
        label: "GPT-5 mini",
        note: None,
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: GPT_6_1_TERRA,
        prices: page(0.25, 0.025, 2.00, "https://developers.openai.com/api/docs/models/gpt-5-mini"),
    },
    AnalysisModel {
        id: "gpt-5-nano",
        label: "GPT-5 nano",
        note: None,
        max_prompt_chars: 1_000_000,
        reasoning: true,
        schedule: GPT_6_1_TERRA,
        prices: page(0.05, 0.005, 0.40, "https://developers.openai.com/api/docs/models/gpt-5-nano"),
    },
];

/// The table's entry for `id` (exact ids only).
pub fn analysis_model(id: &str) -> Option<&'static AnalysisModel> {
    ANALYSIS_MODELS.iter().find(|m| m.id == id)
}

/// What one vision model takes. Built by [`vision_model`] for any id.
#[derive(Debug, Clone, PartialEq)]
pub struct VisionModel {
    /// The id as the host gave it; sent to the API unchanged.
    pub id: String,
    pub label: String,
    pub note: Option<&'static str>,
    /// The table's entry or a dated snapshot of one.
    pub known: bool,
    /// Gets `reasoning_effort` (by default, [`DEFAULT_REASONING_EFFORT`]).
    pub reasoning: bool,
    pub schedule: Option<Schedule>,
    pub max_prompt_chars: u32,
    pub prices: Option<Prices>,
}

/// What a reasoning model is asked for when the request names no effort: a
/// short description should not spend its whole token budget thinking.
pub const DEFAULT_REASONING_EFFORT: &str = "low";

/// The facts for a vision model id: the table's entry, a dated snapshot's, or
/// a pass-through id sent as given (never sent `reasoning_effort` unasked).
pub fn vision_model(id: &str) -> VisionModel {
    match lookup(ANALYSIS_MODELS, id, |m| m.id) {
        Some((m, date)) => VisionModel {
            id: id.to_string(),
            label: date.map_or_else(|| m.label.to_string(), |d| format!("{} ({d})", m.label)),
            note: m.note,
            known: true,
            reasoning: m.reasoning,
            schedule: Some(m.schedule),
            max_prompt_chars: m.max_prompt_chars,
            prices: m.prices,
        },
        None => VisionModel {
            id: id.to_string(),
            label: id.to_string(),
            note: None,
            known: false,
            reasoning: false,
            schedule: None,
            max_prompt_chars: 100_000,
            prices: None,
        },
    }
}

impl VisionModel {
    /// The options an analyze request may carry for it. A pass-through id
    /// takes both (`reasoning-effort` is then sent only when asked for); a
    /// known model that does not reason takes `detail` only.
    pub fn options(&self) -> &'static [Spec] {
        if self.reasoning || !self.known {
            &[DETAIL, REASONING_EFFORT]
        } else {
            &[DETAIL]
        }
    }
}

/// The table's lifecycle for `id` used for `capability`.
pub fn schedule(id: &str, capability: Capability) -> Option<Schedule> {
    match capability {
        Capability::ImageAnalysis => vision_model(id).schedule,
        _ => image_model(id).schedule,
    }
}

/// The known model ids of `capability`, in `info()` order.
pub fn known_ids(capability: Capability) -> Vec<&'static str> {
    match capability {
        Capability::TextToImage => KNOWN.iter().map(|k| k.id).collect(),
        Capability::ImageEdit => edit_model_ids(),
        Capability::ImageAnalysis => ANALYSIS_MODELS.iter().map(|m| m.id).collect(),
    }
}

const fn choice(
    name: &'static str,
    label: &'static str,
    values: &'static [&'static str],
    default: Option<&'static str>,
    help: &'static str,
) -> Spec {
    let default = match default {
        Some(text) => Some(Default::Text(text)),
        None => None,
    };
    Spec { name, label, kind: Kind::Choice(values), default, help, required: false }
}

pub const BACKGROUND: Spec = choice(
    "background",
    "Background",
    &["auto", "transparent", "opaque"],
    Some("auto"),
    "Transparent needs output format png or webp.",
);
pub const MODERATION: Spec = choice(
    "moderation",
    "Moderation",
    &["auto", "low"],
    Some("auto"),
    "How strictly the service filters what it makes; low filters less.",
);
pub const OUTPUT_COMPRESSION: Spec = Spec {
    name: "output-compression",
    label: "Compression",
    kind: Kind::Number { min: Some(0.0), max: Some(100.0), integer: true, step: None },
    default: None,
    help: "JPEG or WebP compression from 0 to 100 (needs output format jpeg or webp).",
    required: false,
};
pub const USER: Spec = Spec {
    name: "user",
    label: "End-user ID",
    kind: Kind::Text,
    default: None,
    help: "An id for your end user, which helps OpenAI detect abuse.",
    required: false,
};
pub const INPUT_FIDELITY: Spec = choice(
    "input-fidelity",
    "Input fidelity",
    &["low", "high"],
    Some("low"),
    "How closely the result keeps the reference images' details, such as faces and logos.",
);
pub const COMPLEXITY: Spec = choice(
    "complexity",
    "Complexity",
    &["low", "medium", "high"],
    Some("high"),
    "How much the model plans before it renders, apart from quality: high for dense text and busy layouts, \
     low for simple pictures.",
);
pub const FRAME_COUNT: Spec = Spec {
    name: "frame-count",
    label: "GIF frames",
    kind: Kind::Number {
        min: Some(gif::MIN_FRAMES as f64),
        max: Some(gif::MAX_FRAMES as f64),
        integer: true,
        step: None,
    },
    default: Some(Default::Number(gif::DEFAULT_FRAMES as f64)),
    help: "Frames of an animated GIF (output format gif). All frames share one pixel budget, so more frames \
           mean smaller ones.",
    required: false,
};
pub const FRAME_DURATION_MS: Spec = Spec {
    name: "frame-duration-ms",
    label: "GIF frame duration (ms)",
    kind: Kind::Number { min: Some(20.0), max: Some(2000.0), integer: true, step: Some(10.0) },
    default: Some(Default::Number(200.0)),
    help: "How long each frame of an animated GIF shows, in milliseconds (output format gif).",
    required: false,
};
pub const MARKUP: Spec = Spec {
    name: "markup",
    label: "Markup",
    kind: Kind::Image(&["image/png"]),
    default: None,
    help: "A transparent PNG the size of the first reference image, with arrows, circles or notes showing \
           where the edit applies. Not with a mask.",
    required: false,
};
pub const STYLE: Spec = choice(
    "style",
    "Style",
    &["vivid", "natural"],
    Some("vivid"),
    "Vivid leans to dramatic, hyper-real images; natural to less so.",
);
pub const DETAIL: Spec = choice(
    "detail",
    "Image detail",
    &["auto", "low", "high"],
    Some("auto"),
    "How closely the model looks at the image; low is faster and cheaper.",
);
pub const REASONING_EFFORT: Spec = choice(
    "reasoning-effort",
    "Reasoning effort",
    &["none", "minimal", "low", "medium", "high", "xhigh", "max"],
    Some(DEFAULT_REASONING_EFFORT),
    "How long the model thinks before it answers; its thinking counts against the answer's token limit.",
);

fn image_model_info(model: &ImageModel, capability: Capability, today: Date) -> ModelInfo {
    let options = match capability {
        Capability::ImageEdit => model.edit_options(),
        _ => model.generate_options(),
    };
    ModelInfo {
        id: model.id.clone(),
        label: model.label.clone(),
        note: model.note.map(str::to_string),
        lifecycle: model.schedule.map(|s| s.at(today)),
        sizes: model.size_rule(),
        qualities: model.qualities.iter().map(|q| q.to_string()).collect(),
        default_quality: model.known.then(|| DEFAULT_QUALITY.to_string()),
        output_formats: model.output_formats(capability).iter().map(|f| f.to_string()).collect(),
        default_output_format: (model.family == Family::GptImage).then(|| DEFAULT_OUTPUT_FORMAT.to_string()),
        options: options.iter().map(Spec::field_spec).collect(),
        max_reference_images: model.max_reference_images,
        max_prompt_chars: model.max_prompt_chars,
        max_images: model.max_images,
        streams_partial_images: model.streams_partial_images,
        prices: model.prices.map(Prices::to_wit),
    }
}

fn analysis_model_info(model: &AnalysisModel, today: Date) -> ModelInfo {
    let vision = vision_model(model.id);
    ModelInfo {
        id: model.id.to_string(),
        label: model.label.to_string(),
        note: model.note.map(str::to_string),
        lifecycle: Some(model.schedule.at(today)),
        sizes: SizeRule { formats: Vec::new(), free: None },
        qualities: Vec::new(),
        default_quality: None,
        output_formats: Vec::new(),
        default_output_format: None,
        options: vision.options().iter().map(Spec::field_spec).collect(),
        max_reference_images: 0,
        max_prompt_chars: model.max_prompt_chars,
        max_images: 0,
        streams_partial_images: false,
        prices: model.prices.map(Prices::to_wit),
    }
}

/// What `info()` reports, with each model's lifecycle as of `today`.
pub fn backend_info(today: Date) -> BackendInfo {
    let image_infos = |capability| -> Vec<ModelInfo> {
        known_image_models()
            .filter(|m| capability != Capability::ImageEdit || m.max_reference_images > 0)
            .map(|m| image_model_info(&m, capability, today))
            .collect()
    };
    let text_to_image = image_infos(Capability::TextToImage);
    let edit = image_infos(Capability::ImageEdit);
    let max_reference_images = edit.iter().map(|m| m.max_reference_images).max().unwrap_or(0);
    let capability = |capability, models, max_reference_images| CapabilityInfo {
        capability,
        supported: true,
        models,
        default_model: Some(default_model(capability).to_string()),
        accepts_unknown_models: true,
        accepts_extra_parameters: true,
        max_reference_images,
    };
    BackendInfo {
        name: "openai".into(),
        label: "OpenAI".into(),
        description: "Images from OpenAI's GPT image models (GPT Image 2.6 and 2.5 Flare and Sunburst, GPT Image \
                      2, and the earlier models where a service still serves them), generated and edited, as \
                      PNG, JPEG, WebP, animated GIF or SVG, and image questions answered by OpenAI's vision \
                      models; works with api.openai.com, compatible gateways and Azure OpenAI. Models released \
                      after this build work too, with their parameters: the service decides what they take."
            .into(),
        version: env!("CARGO_PKG_VERSION").into(),
        prompt_style: PromptStyle::Descriptive,
        capabilities: vec![
            capability(Capability::TextToImage, text_to_image, 0),
            capability(Capability::ImageEdit, edit, max_reference_images),
            capability(
                Capability::ImageAnalysis,
                ANALYSIS_MODELS.iter().map(|m| analysis_model_info(m, today)).collect(),
                0,
            ),
        ],
        settings: settings::SETTINGS.iter().map(Spec::field_spec).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{ModelState, Value, ValueKind};
    use ImageFormat::*;

    const TODAY: Date = Date::ymd(2026, 12, 2);

    /// A model id and its (format, (width, height)) for each format.
    type SizeRow = (&'static str, [(ImageFormat, (u32, u32)); 3]);

    const GPT_SIZES: [(ImageFormat, (u32, u32)); 3] =
        [(Landscape, (1536, 1024)), (Portrait, (1024, 1536)), (Square, (1024, 1024))];

    #[test]
    fn every_model_and_format_maps_to_its_exact_size() {
        let table: &[SizeRow] = &[
            ("dall-e-3", [(Landscape, (1792, 1024)), (Portrait, (1024, 1792)), (Square, (1024, 1024))]),
            ("gpt-image-1", GPT_SIZES),
            ("gpt-image-1-mini", GPT_SIZES),
            ("gpt-image-1.5", GPT_SIZES),
            ("gpt-image-2", GPT_SIZES),
            ("chatgpt-image-latest", GPT_SIZES),
            ("gpt-image-2.5-flare", GPT_SIZES),
            ("gpt-image-2.5-sunburst", GPT_SIZES),
            ("gpt-image-2.6-flare", GPT_SIZES),
            ("some-future-model", GPT_SIZES),
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
        assert!(!d.streams_partial_images && d.known && d.free_sizes.is_none());
        assert_eq!(d.qualities, &["standard", "hd", "auto"]);
        let gpt = [
            "gpt-image-1",
            "gpt-image-1-mini",
            "gpt-image-1.5",
            "gpt-image-2",
            "chatgpt-image-latest",
            "gpt-image-2.5-flare",
            "gpt-image-2.5-sunburst",
        ];
        for id in gpt {
            let m = image_model(id);
            assert_eq!(
                (m.family, m.max_reference_images, m.max_prompt_chars, m.max_images),
                (Family::GptImage, 16, 32000, 10),
                "{id}"
            );
            assert!(m.streams_partial_images && m.known, "{id}");
            let tiers: &[&str] = if id.starts_with("gpt-image-2.5") { GPT_2_5_QUALITIES } else { GPT_QUALITIES };
            assert_eq!(m.qualities, tiers, "{id}");
            assert_eq!(m.note.map(|n| n.contains("verified")), Some(true), "{id}");
            assert_eq!(m.free_sizes.is_some(), id.starts_with("gpt-image-2"), "{id}");
            assert_eq!(m.input_fidelity, id != "gpt-image-1-mini", "{id}");
        }
        assert_eq!(image_model("gpt-image-2.5-sunburst").qualities, &["low", "medium", "high", "xhigh", "max", "auto"]);
        assert_eq!(image_model("gpt-image-2").qualities, &["low", "medium", "high", "auto"]);
    }

    #[test]
    fn the_seed_models_keep_their_dates_and_the_new_ones_are_active() {
        let schedule = |id: &str| match image_model(id).schedule {
            Some(Schedule::Shutdown { date, replacement }) => Some((date.to_string(), replacement)),
            Some(Schedule::Active) => None,
            None => panic!("{id} is not in the table"),
        };
        // The replacements OpenAI named at each shutdown: 2.5 Sunburst then, 2.6 for the latest ones.
        let sunburst = "gpt-image-2.5-sunburst";
        assert_eq!(schedule("dall-e-3"), Some(("2026-05-12".into(), sunburst)));
        assert_eq!(schedule("gpt-image-1"), Some(("2026-10-23".into(), sunburst)));
        assert_eq!(schedule("gpt-image-1-mini"), Some(("2026-12-01".into(), "gpt-image-2.6-flare")));
        assert_eq!(schedule("gpt-image-1.5"), Some(("2026-12-01".into(), "gpt-image-2.6-sunburst")));
        assert_eq!(schedule("chatgpt-image-latest"), Some(("2026-12-01".into(), "gpt-image-2.6-sunburst")));
        for id in [
            "gpt-image-2",
            "gpt-image-2.5-flare",
            "gpt-image-2.5-sunburst",
            "gpt-image-2.6-flare",
            "gpt-image-2.6-sunburst",
        ] {
            assert_eq!(schedule(id), None, "{id}");
        }
        for id in ["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1", "gpt-4o"] {
            let m = vision_model(id);
            assert_eq!(m.schedule, Some(shutdown(2027, 1, 14, "gpt-6-luna")), "{id}");
            assert!(!m.reasoning, "{id}");
        }
        for id in ["gpt-6-luna", "gpt-5.6-luna", "gpt-6.1-sol", "gpt-6.1-terra"] {
            let m = vision_model(id);
            assert_eq!((m.schedule, m.reasoning), (Some(Schedule::Active), true), "{id}");
        }
        // The GPT-5 family stops on 2026-12-11, replaced by GPT-6.1.
        assert_eq!(vision_model("gpt-5").schedule, Some(shutdown(2026, 12, 11, "gpt-6.1-sol")));
        for id in ["gpt-5-mini", "gpt-5-nano"] {
            assert_eq!(vision_model(id).schedule, Some(shutdown(2026, 12, 11, "gpt-6.1-terra")), "{id}");
        }
        // No default is retired, today or at the next shutdowns.
        for &capability in Capability::ALL {
            for day in [TODAY, Date::ymd(2027, 1, 15)] {
                let state = schedule_state(default_model(capability), capability, day);
                assert_eq!(state, ModelState::Active, "{capability:?} on {day}");
            }
        }
    }

    fn schedule_state(id: &str, capability: Capability, today: Date) -> ModelState {
        schedule(id, capability).unwrap().at(today).state
    }

    #[test]
    fn unknown_ids_pass_through_with_gpt_defaults() {
        let m = image_model("my-gateway/flux");
        assert_eq!(m.id, "my-gateway/flux");
        assert_eq!(m.label, "my-gateway/flux");
        assert_eq!((m.family, m.known, m.max_reference_images, m.max_images), (Family::GptImage, false, 16, 10));
        assert_eq!((m.note, m.schedule), (None, None));
        assert!(m.qualities.is_empty(), "the API decides quality for models we do not know");
        assert!(m.takes_quality("ultra") && m.takes_quality("hd"));
        // Ids that only look like snapshots are not snapshots.
        for id in ["gpt-image-1-2025-4-23", "gpt-image-1-preview", "dall-e-3-hd", "gpt-image-1-2025-02-30"] {
            assert!(!image_model(id).known, "{id}");
        }
        assert_eq!(image_model("dall-e-3-hd").family, Family::GptImage);
        assert!(!image_model("gpt-image-2.7-flare").known);
    }

    #[test]
    fn dated_snapshots_share_their_models_facts() {
        let snap = image_model("gpt-image-2-2026-04-21");
        assert_eq!((snap.id.as_str(), snap.label.as_str()), ("gpt-image-2-2026-04-21", "GPT Image 2 (2026-04-21)"));
        assert!(snap.free_sizes.is_some() && snap.known);
        assert_eq!(check_size(&snap, Size::new(1536, 864)), Ok(()));
        let one = image_model("gpt-image-1-2025-04-23");
        assert!(one.known && one.free_sizes.is_none());
        assert_eq!(one.qualities, image_model("gpt-image-1").qualities);
        assert_eq!(one.schedule, image_model("gpt-image-1").schedule);
        assert!(check_size(&one, Size::new(1536, 864)).is_err());
        assert!(!image_model("gpt-image-1-mini-2025-10-06").input_fidelity);
        assert_eq!(image_model("dall-e-3-2023-11-01").family, Family::DallE3);
        assert_eq!(image_model("gpt-image-1.5-2025-12-16").schedule, image_model("gpt-image-1.5").schedule);
        let flare = image_model("gpt-image-2.5-flare-2026-09-08");
        assert_eq!((flare.label.as_str(), flare.qualities), ("GPT Image 2.5 Flare (2026-09-08)", GPT_2_5_QUALITIES));
        assert_eq!(flare.schedule, Some(Schedule::Active));
        // Any other id in gpt-image-2's line still gets its free sizes.
        assert!(image_model("gpt-image-2-preview").free_sizes.is_some());
        let luna = vision_model("gpt-6-luna-2026-09-22");
        assert_eq!((luna.label.as_str(), luna.reasoning, luna.known), ("GPT-6 Luna (2026-09-22)", true, true));
    }

    #[test]
    fn new_members_of_a_known_family_take_its_newest_member_as_hints() {
        for (id, newest) in
            [("gpt-image-2.5-ember", "gpt-image-2.5-sunburst"), ("gpt-image-2.6-ember", "gpt-image-2.6-sunburst")]
        {
            let m = image_model(id);
            let hint = image_model(newest);
            assert!(!m.known, "{id}: the table does not know it, so nothing about it is a limit");
            // Its family's facts stand as defaults and hints...
            assert_eq!(m.qualities, GPT_2_5_QUALITIES, "{id}");
            assert_eq!(m.free_sizes, Some(GPT_IMAGE_2_FREE_SIZES), "{id}");
            assert_eq!(m.generate_options(), hint.generate_options(), "{id}");
            assert_eq!(m.output_formats(Capability::TextToImage), hint.output_formats(Capability::TextToImage));
            assert_eq!((m.label.as_str(), m.schedule, m.note, m.prices), (id, None, Some(VERIFIED_ORG), None), "{id}");
            // ...never as limits.
            assert!(m.takes_quality("max") && m.takes_quality("ultra"), "{id}");
            assert_eq!(check_size(&m, Size::new(1000, 700)), Ok(()), "{id}");
        }
        // A dated snapshot is the model itself, limits and all.
        let snapshot = image_model("gpt-image-2.6-flare-2026-11-20");
        assert!(snapshot.known && !snapshot.takes_quality("ultra"));
        assert_eq!(snapshot.prices, image_model("gpt-image-2.6-flare").prices);
    }

    #[test]
    fn gpt_image_2_6_adds_complexity_gif_svg_and_markup() {
        for id in ["gpt-image-2.6-flare", "gpt-image-2.6-sunburst"] {
            let m = image_model(id);
            assert_eq!((m.known, m.additions, m.qualities), (true, Additions::GPT_IMAGE_2_6, GPT_2_5_QUALITIES));
            let names = |specs: &[Spec]| specs.iter().map(|s| s.name).collect::<Vec<_>>();
            assert_eq!(
                names(m.generate_options()),
                [
                    "background",
                    "moderation",
                    "output-compression",
                    "user",
                    "complexity",
                    "frame-count",
                    "frame-duration-ms"
                ]
            );
            assert!(names(m.edit_options()).ends_with(&["complexity", "frame-count", "frame-duration-ms", "markup"]));
            assert_eq!(m.output_formats(Capability::TextToImage), ["png", "jpeg", "webp", "gif", "svg"]);
            assert_eq!(m.output_formats(Capability::ImageEdit), ["png", "jpeg", "webp", "gif"]);
            let prices = m.prices.unwrap();
            assert_eq!(
                (prices.text_input, prices.text_input_cached, prices.image_input, prices.image_output),
                (Some(5.0), Some(1.25), Some(8.0), Some(30.0))
            );
        }
        // 2.5 has none of it.
        let flare = image_model("gpt-image-2.5-flare");
        assert_eq!(flare.additions, Additions::NONE);
        assert_eq!(flare.output_formats(Capability::TextToImage), ["png", "jpeg", "webp"]);
        assert!(image_model("dall-e-3").output_formats(Capability::TextToImage).is_empty());
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
    fn free_sizes_for_gpt_image_2_and_the_2_5_family() {
        for id in ["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst"] {
            let m = image_model(id);
            for ok in [
                (1536, 864),
                (2560, 1440),
                (3840, 2160),
                (2160, 3840),
                (3840, 1280),
                (1280, 3840),
                (16, 16),
                (2160, 2160),
                (48, 16),
            ] {
                assert_eq!(check_size(&m, Size::new(ok.0, ok.1)), Ok(()), "{id} {ok:?}");
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
                assert!(err.contains(why), "{id} {w}x{h}: {err}");
            }
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
    fn backend_info_lists_capabilities_models_and_settings() {
        let info = backend_info(TODAY);
        assert_eq!((info.name.as_str(), info.label.as_str()), ("openai", "OpenAI"));
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.prompt_style, PromptStyle::Descriptive);
        let caps: Vec<Capability> = info.capabilities.iter().map(|c| c.capability).collect();
        assert_eq!(caps, Capability::ALL.to_vec());
        let ids = |c: &CapabilityInfo| c.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        let t2i = &info.capabilities[0];
        assert_eq!(t2i.default_model.as_deref(), Some("gpt-image-2.6-flare"));
        assert_eq!(
            ids(t2i),
            [
                "gpt-image-2.6-flare",
                "gpt-image-2.6-sunburst",
                "gpt-image-2.5-flare",
                "gpt-image-2.5-sunburst",
                "gpt-image-2",
                "dall-e-3",
                "gpt-image-1",
                "gpt-image-1-mini",
                "gpt-image-1.5",
                "chatgpt-image-latest"
            ]
        );
        assert_eq!(t2i.max_reference_images, 0);
        let model = |c: &CapabilityInfo, id: &str| c.models.iter().find(|m| m.id == id).unwrap().clone();
        let dalle = model(t2i, "dall-e-3");
        assert_eq!(
            dalle.sizes,
            SizeRule {
                formats: vec![
                    FormatSize { format: Landscape, size: Size::new(1792, 1024) },
                    FormatSize { format: Portrait, size: Size::new(1024, 1792) },
                    FormatSize { format: Square, size: Size::new(1024, 1024) },
                ],
                free: None
            }
        );
        assert_eq!((dalle.max_prompt_chars, dalle.max_images, dalle.streams_partial_images), (4000, 1, false));
        assert_eq!(dalle.qualities, ["standard", "hd", "auto"]);
        assert_eq!(dalle.default_quality.as_deref(), Some("auto"));
        let lifecycle = dalle.lifecycle.clone().unwrap();
        assert_eq!(
            (lifecycle.state, lifecycle.shutdown_date.as_deref(), lifecycle.replacement.as_deref()),
            (ModelState::Retired, Some("2026-05-12"), Some("gpt-image-2.5-sunburst"))
        );
        let names = |m: &ModelInfo| m.options.iter().map(|o| o.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&dalle), ["style", "user"]);
        assert_eq!(dalle.options[0].kind, ValueKind::Choice(vec!["vivid".into(), "natural".into()]));

        let flare = model(t2i, "gpt-image-2.5-flare");
        assert_eq!(flare.sizes.free, Some(GPT_IMAGE_2_FREE_SIZES));
        assert_eq!(flare.sizes.formats[0], FormatSize { format: Landscape, size: Size::new(1536, 1024) });
        assert_eq!(flare.qualities, ["low", "medium", "high", "xhigh", "max", "auto"]);
        assert_eq!(flare.lifecycle.as_ref().map(|l| l.state), Some(ModelState::Active));
        assert_eq!(names(&flare), ["background", "moderation", "output-compression", "user"]);
        let compression = &flare.options[2];
        assert_eq!(
            compression.kind,
            ValueKind::Number(crate::bindings::NumberRange {
                min: Some(0.0),
                max: Some(100.0),
                integer: true,
                step: None
            })
        );
        assert_eq!(flare.options[0].default, Some(Value::Text("auto".into())));
        assert_eq!(model(t2i, "gpt-image-2").qualities, ["low", "medium", "high", "auto"]);
        assert_eq!(model(t2i, "gpt-image-1.5").lifecycle.map(|l| l.state), Some(ModelState::Retired));

        let edit = &info.capabilities[1];
        assert_eq!(edit.default_model.as_deref(), Some("gpt-image-2.6-sunburst"));
        assert_eq!(
            ids(edit),
            [
                "gpt-image-2.6-flare",
                "gpt-image-2.6-sunburst",
                "gpt-image-2.5-flare",
                "gpt-image-2.5-sunburst",
                "gpt-image-2",
                "gpt-image-1",
                "gpt-image-1-mini",
                "gpt-image-1.5",
                "chatgpt-image-latest"
            ]
        );
        assert_eq!(edit.max_reference_images, 16);
        assert_eq!(edit.models[0].sizes.formats[0], FormatSize { format: Landscape, size: Size::new(1536, 1024) });
        assert_eq!(
            names(&model(edit, "gpt-image-2.5-sunburst")),
            ["background", "output-compression", "input-fidelity", "user"]
        );
        assert_eq!(names(&model(edit, "gpt-image-1-mini")), ["background", "output-compression", "user"]);

        let analysis = &info.capabilities[2];
        assert_eq!(analysis.default_model.as_deref(), Some("gpt-6-luna"));
        assert_eq!(
            ids(analysis),
            [
                "gpt-6-luna",
                "gpt-5.6-luna",
                "gpt-6.1-sol",
                "gpt-6.1-terra",
                "gpt-4.1-mini",
                "gpt-4o-mini",
                "gpt-4.1",
                "gpt-4o",
                "gpt-5",
                "gpt-5-mini",
                "gpt-5-nano"
            ]
        );
        assert!(analysis
            .models
            .iter()
            .all(|m| m.sizes.formats.is_empty() && m.sizes.free.is_none() && m.max_images == 0));
        assert!(analysis.models.iter().all(|m| m.qualities.is_empty() && m.default_quality.is_none()));
        let luna = model(analysis, "gpt-6-luna");
        assert_eq!(names(&luna), ["detail", "reasoning-effort"]);
        assert_eq!(luna.options[1].default, Some(Value::Text("low".into())));
        assert_eq!(
            luna.options[1].kind,
            ValueKind::Choice(["none", "minimal", "low", "medium", "high", "xhigh", "max"].map(String::from).to_vec())
        );
        let mini = model(analysis, "gpt-4o-mini");
        assert_eq!(names(&mini), ["detail"]);
        let l = mini.lifecycle.unwrap();
        assert_eq!(
            (l.state, l.shutdown_date.as_deref(), l.replacement.as_deref()),
            (ModelState::Deprecated, Some("2027-01-14"), Some("gpt-6-luna"))
        );
        // The same model, a day after its shutdown date, on the host's clock.
        let later = backend_info(Date::ymd(2027, 1, 15));
        let mini_later = later.capabilities[2].models.iter().find(|m| m.id == "gpt-4o-mini").unwrap();
        assert_eq!(mini_later.lifecycle.as_ref().map(|l| l.state), Some(ModelState::Retired));

        assert!(info.capabilities.iter().all(|c| c.supported && c.accepts_unknown_models));
        // Every listed default is itself listed, and active.
        for c in &info.capabilities {
            assert!(ids(c).contains(c.default_model.as_ref().unwrap()), "{:?}", c.capability);
            let default = model(c, c.default_model.as_deref().unwrap());
            assert_eq!(default.lifecycle.map(|l| l.state), Some(ModelState::Active));
        }
        // Every known model carries its lifecycle.
        assert!(info.capabilities.iter().flat_map(|c| &c.models).all(|m| m.lifecycle.is_some()));
        assert_eq!(info.settings.len(), settings::SETTINGS.len());
        assert_eq!(info.settings[0].name, "api-key");
    }

    #[test]
    fn edit_model_ids_exclude_dall_e_3() {
        assert_eq!(
            edit_model_ids(),
            [
                "gpt-image-2.6-flare",
                "gpt-image-2.6-sunburst",
                "gpt-image-2.5-flare",
                "gpt-image-2.5-sunburst",
                "gpt-image-2",
                "gpt-image-1",
                "gpt-image-1-mini",
                "gpt-image-1.5",
                "chatgpt-image-latest"
            ]
        );
        assert!(analysis_model("gpt-4o-mini").is_some() && analysis_model("dall-e-3").is_none());
        assert_eq!(known_ids(Capability::TextToImage).len(), 10);
    }

    #[test]
    fn options_per_model() {
        let unknown = vision_model("o3");
        assert_eq!((unknown.known, unknown.reasoning), (false, false));
        assert_eq!(unknown.options(), &[DETAIL, REASONING_EFFORT]);
        assert_eq!(vision_model("gpt-4.1").options(), &[DETAIL]);
        assert_eq!(image_model("dall-e-3").edit_options(), &[]);
        assert_eq!(image_model("new-model").edit_options(), &[BACKGROUND, OUTPUT_COMPRESSION, INPUT_FIDELITY, USER]);
        assert_eq!(image_model("new-model").generate_options(), &[BACKGROUND, MODERATION, OUTPUT_COMPRESSION, USER]);
    }
}
