//! Which rules an image model's requests are judged by: its family, known by
//! name ([`ModelKind`]), plus whatever its catalog entry declares
//! ([`ModelRules`]).
//!
//! The family decides the parameters, quality tiers, sizes and output
//! formats; the catalog entry can add parameters and quality tiers (a model
//! released after the build, see [`crate::declared`]) or name another model
//! whose rules it follows ([`crate::ModelEntry::with_rules_of`]).

use super::declared::ParamRule;
use super::types::ImageEndpoint;

/// The rule families the real API applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelKind {
    DallE3,
    /// gpt-image-1, -1-mini, -1.5, chatgpt-image-latest, and ids named like no newer family.
    GptImage,
    /// gpt-image-2 and its snapshots: free sizes within limits (openapi.yaml, CreateImageRequest.size).
    GptImage2,
    /// gpt-image-2.5-flare / -sunburst, their snapshots, and later 2.x versions the mock has never
    /// heard of (gpt-image-2.7-*, as gateways may offer them): gpt-image-2's rules plus the quality
    /// tiers `xhigh` and `max` (LIFECYCLE.md, "Current image models", from the 2.5 launch notes it
    /// cites; the spec predates them).
    GptImage25,
    /// gpt-image-2.6-flare / -sunburst and their snapshots: everything 2.5 takes, plus `complexity`,
    /// `output_format: "gif"` (with `frame_count`, `frame_duration_ms`), `output_format: "svg"` (with
    /// `svg`, generations only) and a `markup` file on edits (LIFECYCLE.md, "Current image models",
    /// the `gpt-image-2.6-*` entry).
    GptImage26,
}

/// The 2.6 parameters beyond 2.5's, per endpoint (LIFECYCLE.md, "Current image models").
const GPT26_GENERATION_FIELDS: &[&str] = &["complexity", "frame_count", "frame_duration_ms", "svg"];
const GPT26_EDIT_FIELDS: &[&str] = &["complexity", "frame_count", "frame_duration_ms", "markup"];
/// The raster formats every GPT image model writes (openapi.yaml, CreateImageRequest.output_format).
const RASTER_FORMATS: &[&str] = &["png", "jpeg", "webp"];
/// 2.6: animated GIFs on both endpoints, SVG on generations only (LIFECYCLE.md).
const GPT26_GENERATION_FORMATS: &[&str] = &["png", "jpeg", "webp", "gif", "svg"];
const GPT26_EDIT_FORMATS: &[&str] = &["png", "jpeg", "webp", "gif"];

impl ModelKind {
    /// By name: `gpt-image-2[.Y]...` by its minor version; anything else (an
    /// unknown family included) gets the GPT image rules.
    pub fn of(model: &str) -> ModelKind {
        if model == "dall-e-3" {
            return ModelKind::DallE3;
        }
        let version = model.strip_prefix("gpt-image-").map(|rest| {
            let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
            let mut numbers = rest[..end].split('.').map(|n| n.parse::<u32>().unwrap_or(0));
            (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
        });
        match version {
            Some((2, 6)) => ModelKind::GptImage26,
            // 2.7 and later are unknown: 2.5's rules, unless their catalog entry says otherwise.
            Some((2, minor)) if minor >= 5 => ModelKind::GptImage25,
            Some((2, _)) => ModelKind::GptImage2,
            _ => ModelKind::GptImage,
        }
    }

    pub fn is_gpt(self) -> bool {
        self != ModelKind::DallE3
    }

    /// Free `WIDTHxHEIGHT` sizes rather than a fixed list.
    pub fn free_sizes(self) -> bool {
        matches!(self, ModelKind::GptImage2 | ModelKind::GptImage25 | ModelKind::GptImage26)
    }

    /// The `quality` values it takes: the spec's per family, and from 2.5 on
    /// also `xhigh` and `max` (LIFECYCLE.md: "`gpt-image-2` stops at `high`").
    pub fn qualities(self) -> &'static [&'static str] {
        match self {
            ModelKind::DallE3 => &["standard", "hd", "auto"],
            ModelKind::GptImage | ModelKind::GptImage2 => &["low", "medium", "high", "auto"],
            ModelKind::GptImage25 | ModelKind::GptImage26 => &["low", "medium", "high", "auto", "xhigh", "max"],
        }
    }

    /// The parameters only this family takes, beyond the endpoint's common ones.
    pub fn own_fields(self, endpoint: ImageEndpoint) -> &'static [&'static str] {
        match (self, endpoint) {
            (ModelKind::GptImage26, ImageEndpoint::Generation) => GPT26_GENERATION_FIELDS,
            (ModelKind::GptImage26, ImageEndpoint::Edit) => GPT26_EDIT_FIELDS,
            _ => &[],
        }
    }

    /// The `output_format` values it takes on this endpoint.
    pub fn output_formats(self, endpoint: ImageEndpoint) -> &'static [&'static str] {
        match (self, endpoint) {
            (ModelKind::GptImage26, ImageEndpoint::Generation) => GPT26_GENERATION_FORMATS,
            (ModelKind::GptImage26, ImageEndpoint::Edit) => GPT26_EDIT_FORMATS,
            _ => RASTER_FORMATS,
        }
    }
}

/// Everything one model's image requests are judged by.
#[derive(Debug, Clone)]
pub(crate) struct ModelRules {
    pub kind: ModelKind,
    /// Parameters its catalog entry declares, with their rules.
    pub declared: Vec<(String, ParamRule)>,
    /// Quality tiers its catalog entry adds to the family's.
    pub extra_qualities: Vec<String>,
}

impl ModelRules {
    /// The family's rules alone (no catalog entry, or an Azure deployment).
    pub fn of_kind(kind: ModelKind) -> ModelRules {
        ModelRules { kind, declared: Vec::new(), extra_qualities: Vec::new() }
    }

    /// Whether `name` is a parameter of this model beyond the endpoint's common ones.
    pub fn takes(&self, endpoint: ImageEndpoint, name: &str) -> bool {
        self.kind.own_fields(endpoint).contains(&name) || self.rule(name).is_some()
    }

    /// The declared rule for `name`, if the catalog entry declares it.
    pub fn rule(&self, name: &str) -> Option<&ParamRule> {
        self.declared.iter().find(|(n, _)| n == name).map(|(_, r)| r)
    }

    /// Whether `name` comes as a file part on edits: 2.6's `markup`, or a declared image.
    pub fn is_file(&self, name: &str) -> bool {
        (name == "markup" && self.kind == ModelKind::GptImage26) || self.rule(name).is_some_and(ParamRule::is_file)
    }

    /// The family's quality tiers and the entry's extra ones.
    pub fn qualities(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.kind.qualities().to_vec();
        all.extend(self.extra_qualities.iter().map(String::as_str).filter(|q| !self.kind.qualities().contains(q)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        assert_eq!(ModelKind::of("dall-e-3"), ModelKind::DallE3);
        assert_eq!(ModelKind::of("gpt-image-1"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("gpt-image-1.5"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("chatgpt-image-latest"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("gpt-image-2"), ModelKind::GptImage2);
        assert_eq!(ModelKind::of("gpt-image-2-2026-04-21"), ModelKind::GptImage2);
        assert_eq!(ModelKind::of("gpt-image-2.5-flare"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-2.5-sunburst-2026-09-08"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-2.6-flare"), ModelKind::GptImage26);
        assert_eq!(ModelKind::of("gpt-image-2.6-sunburst-2026-11-04"), ModelKind::GptImage26);
        assert_eq!(ModelKind::of("gpt-image-2.7-nova"), ModelKind::GptImage25, "unknown: 2.5's rules");
        assert_eq!(ModelKind::of("gpt-image-2.10-x"), ModelKind::GptImage25);
        assert_eq!(ModelKind::of("gpt-image-3"), ModelKind::GptImage);
        assert_eq!(ModelKind::of("some-future-model"), ModelKind::GptImage);
    }

    #[test]
    fn declared_parameters_and_tiers_add_to_the_family() {
        let rules = ModelRules {
            kind: ModelKind::GptImage25,
            declared: vec![("shimmer".into(), ParamRule::int_range(0, 5)), ("guide".into(), ParamRule::Image)],
            extra_qualities: vec!["ultra".into(), "max".into()],
        };
        assert!(rules.takes(ImageEndpoint::Generation, "shimmer"));
        assert!(!rules.takes(ImageEndpoint::Generation, "complexity"));
        assert!(rules.is_file("guide") && !rules.is_file("shimmer") && !rules.is_file("markup"));
        assert_eq!(rules.qualities(), ["low", "medium", "high", "auto", "xhigh", "max", "ultra"]);
        let v26 = ModelRules::of_kind(ModelKind::GptImage26);
        assert!(v26.takes(ImageEndpoint::Edit, "markup") && v26.is_file("markup"));
        assert!(!v26.takes(ImageEndpoint::Generation, "markup"));
        assert!(v26.takes(ImageEndpoint::Generation, "svg") && !v26.takes(ImageEndpoint::Edit, "svg"));
    }
}
