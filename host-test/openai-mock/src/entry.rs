//! One model of the catalog ([`ModelEntry`]) and the endpoints it serves
//! ([`ModelFamily`]), plus the catalog the mock starts with
//! ([`ModelEntry::default_catalog`], OpenAI's models as of 2026-12-07).
//!
//! An entry names the endpoint family it serves and, when one is announced,
//! its `shutdown_date`; [`crate::catalog`] decides from it what is served on
//! a given day. An entry can also carry what a model released after the
//! build takes beyond its family's rules: extra parameters
//! ([`ModelEntry::with_param`]), extra quality tiers
//! ([`ModelEntry::with_quality`]), or another model's rules
//! ([`ModelEntry::with_rules_of`]), so a test can show such a model working
//! with its parameters on the day it ships. Plain data, below everything
//! that reads it.

use super::declared::ParamRule;

/// The endpoints a model serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelFamily {
    /// `/images/generations` and (except `dall-e-3`) `/images/edits`.
    Image,
    /// `/chat/completions`, with image input.
    Chat,
    /// Listed by `/models`, but served by none of the endpoints the mock answers
    /// (an embedding model, say): refused on all of them.
    Other,
}

/// One model in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// The model id, e.g. `gpt-image-2`.
    pub id: String,
    /// `owned_by` in the Model object.
    pub owned_by: String,
    /// `created` in the Model object (Unix seconds).
    pub created: u64,
    /// The endpoints it serves.
    pub family: ModelFamily,
    /// `YYYY-MM-DD`; in [`crate::MockMode::Api`] the model is retired from this day on.
    pub shutdown_date: Option<String>,
    /// Dates of the dated snapshots `/models` lists beside it, as `{id}-{date}`.
    /// Any `{id}-YYYY-MM-DD` is served as the entry itself, listed here or not.
    pub snapshots: Vec<String>,
    /// Image models: parameters it takes beyond its family's, each checked by
    /// its rule ([`ModelEntry::with_param`]). Other models refuse them.
    pub params: Vec<(String, ParamRule)>,
    /// Image models: `quality` tiers it takes beyond its family's ([`ModelEntry::with_quality`]).
    pub qualities: Vec<String>,
    /// Image models: judge its requests by this model id's family instead of
    /// its own id's ([`ModelEntry::with_rules_of`]).
    pub rules_of: Option<String>,
}

impl ModelEntry {
    /// An entry owned by `system`, created 2025-01-01, with no shutdown date and no snapshots.
    pub fn new(id: impl Into<String>, family: ModelFamily) -> ModelEntry {
        ModelEntry {
            id: id.into(),
            owned_by: "system".to_string(),
            created: 1_735_689_600,
            family,
            shutdown_date: None,
            snapshots: Vec::new(),
            params: Vec::new(),
            qualities: Vec::new(),
            rules_of: None,
        }
    }

    /// The same entry with this shutdown date (`YYYY-MM-DD`).
    pub fn with_shutdown_date(mut self, date: impl Into<String>) -> ModelEntry {
        self.shutdown_date = Some(date.into());
        self
    }

    /// The same entry with a dated snapshot (`YYYY-MM-DD`) listed beside it.
    pub fn with_snapshot(mut self, date: impl Into<String>) -> ModelEntry {
        self.snapshots.push(date.into());
        self
    }

    /// The same entry taking one more parameter on `/images/generations` and
    /// `/images/edits`, checked by `rule` (a second call with the same name
    /// replaces the rule). This is how a test serves a model released after
    /// the build with a parameter the mock has never heard of, say
    /// `ModelEntry::new("gpt-image-2.7-nova", ModelFamily::Image).with_param("shimmer", ParamRule::int_range(0, 5))`:
    /// requests naming that model (or its snapshots) may send `shimmer`, every
    /// other model still answers `Unknown parameter: 'shimmer'.` A parameter
    /// the family already takes keeps its family rule, and the declared rule
    /// must hold too.
    pub fn with_param(mut self, name: impl Into<String>, rule: ParamRule) -> ModelEntry {
        let name = name.into();
        self.params.retain(|(n, _)| *n != name);
        self.params.push((name, rule));
        self
    }

    /// The same entry taking one more `quality` tier beyond its family's
    /// (`with_quality("ultra")`); the answer echoes it as `quality`.
    pub fn with_quality(mut self, tier: impl Into<String>) -> ModelEntry {
        let tier = tier.into();
        if !self.qualities.contains(&tier) {
            self.qualities.push(tier);
        }
        self
    }

    /// The same entry judged by the family of `model` instead of its own id's:
    /// for a new id that takes what a known model takes, e.g.
    /// `ModelEntry::new("gpt-image-2.7-nova", ModelFamily::Image).with_rules_of("gpt-image-2.6-flare")`
    /// (by its id alone, an unknown `gpt-image-2.7-*` follows 2.5's rules).
    pub fn with_rules_of(mut self, model: impl Into<String>) -> ModelEntry {
        self.rules_of = Some(model.into());
        self
    }

    fn created_at(mut self, created: u64) -> ModelEntry {
        self.created = created;
        self
    }

    /// OpenAI's image and vision models as of 2026-12-07, from
    /// `shared/openai/LIFECYCLE.md` (which cites OpenAI's deprecations page and
    /// model pages; its sources are listed there). `created` values are the
    /// models' release times where known (the newer ones: their release day,
    /// midnight UTC); `gpt-5.6-luna`'s is not documented and is a placeholder.
    pub fn default_catalog() -> Vec<ModelEntry> {
        use ModelFamily::{Chat, Image};
        let image = |id: &str, created| ModelEntry::new(id, Image).created_at(created);
        let chat = |id: &str, created| ModelEntry::new(id, Chat).created_at(created);
        vec![
            // Shut down 2026-05-12 (LIFECYCLE.md, "Shut down").
            image("dall-e-2", 1_698_798_177).with_shutdown_date("2026-05-12"),
            image("dall-e-3", 1_698_785_189).with_shutdown_date("2026-05-12"),
            // Shut down 2026-10-23.
            image("gpt-image-1", 1_745_517_030).with_shutdown_date("2026-10-23"),
            // Shut down 2026-12-01 (with the snapshot gpt-image-1.5-2025-12-16).
            image("gpt-image-1-mini", 1_758_845_821).with_shutdown_date("2026-12-01"),
            image("gpt-image-1.5", 1_765_925_279).with_shutdown_date("2026-12-01").with_snapshot("2025-12-16"),
            image("chatgpt-image-latest", 1_765_925_279).with_shutdown_date("2026-12-01"),
            // Current (LIFECYCLE.md, "Current image models"; gpt-image-2 is also in openapi.yaml).
            image("gpt-image-2", 1_776_729_600).with_snapshot("2026-04-21"),
            image("gpt-image-2.5-flare", 1_788_825_600).with_snapshot("2026-09-08"),
            image("gpt-image-2.5-sunburst", 1_788_825_600).with_snapshot("2026-09-08"),
            // Released 2026-11-04 (LIFECYCLE.md, "Current image models"); no snapshot date is documented.
            image("gpt-image-2.6-flare", 1_793_750_400),
            image("gpt-image-2.6-sunburst", 1_793_750_400),
            // Announced, still served on 2026-12-07 (LIFECYCLE.md, "Announced, still served").
            chat("gpt-4o", 1_715_367_049).with_shutdown_date("2027-01-14"),
            chat("gpt-4o-mini", 1_721_172_741).with_shutdown_date("2027-01-14"),
            chat("gpt-4.1", 1_744_316_542).with_shutdown_date("2027-01-14"),
            chat("gpt-4.1-mini", 1_744_318_173).with_shutdown_date("2027-01-14"),
            chat("gpt-5", 1_754_425_777).with_shutdown_date("2026-12-11"),
            chat("gpt-5-mini", 1_754_425_928).with_shutdown_date("2026-12-11"),
            chat("gpt-5-nano", 1_754_426_384).with_shutdown_date("2026-12-11"),
            // Current vision models (LIFECYCLE.md, "Current small vision model"), all with image input
            // and reasoning_effort: gpt-6-luna released 2026-09-22, gpt-6.1-sol 2026-09-29, gpt-6.1-terra
            // 2026-10-26.
            chat("gpt-6-luna", 1_790_035_200),
            chat("gpt-5.6-luna", 1_790_035_200),
            chat("gpt-6.1-sol", 1_790_640_000),
            chat("gpt-6.1-terra", 1_792_972_800),
        ]
    }
}
