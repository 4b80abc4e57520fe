//! Reasoning effort: which chat models reason, which `reasoning_effort`
//! values each takes, and what each effort costs in tokens. Chat completions
//! ([`crate::chat`]) judge `reasoning_effort` by it, and an SVG author's
//! `svg.reasoning.effort` ([`crate::formats`], [`crate::usage`]) is priced
//! by it, so it sits below both.

use serde_json::{Map, Value};

use super::dates;
use super::errors::{self, json_kind, ApiError};

/// The spec's `ReasoningEffort` values (openapi.yaml); which a model takes is its own.
pub(crate) const EFFORTS: &[&str] = &["none", "minimal", "low", "medium", "high", "xhigh", "max"];
/// gpt-5, -mini and -nano: OpenAI's GPT-5 documentation lists these four (`none` came
/// with GPT-5.1, `xhigh` later); the spec says "Not all reasoning models support every value".
const GPT5_EFFORTS: &[&str] = &["minimal", "low", "medium", "high"];
/// o1, o3, o4-mini and the like.
const O_SERIES_EFFORTS: &[&str] = &["low", "medium", "high"];
/// The spec's default effort, used when a reasoning model is sent none.
pub(crate) const DEFAULT_EFFORT: &str = "medium";

/// What a chat model takes beyond the common parameters, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rules {
    /// gpt-4o*, gpt-4.1* and other models that do not reason: no `reasoning_effort`.
    Plain,
    /// A reasoning model and the `reasoning_effort` values it takes.
    Reasoning(&'static [&'static str]),
}

impl Rules {
    /// Snapshots and fine-tunes (`ft:BASE:...`) follow their base model.
    pub fn of(model: &str) -> Rules {
        let name = model.strip_prefix("ft:").map_or(model, |rest| rest.split(':').next().unwrap_or_default());
        let is = |base: &str| {
            name == base || name.strip_prefix(base).and_then(|d| d.strip_prefix('-')).is_some_and(dates::is_date)
        };
        if ["gpt-5", "gpt-5-mini", "gpt-5-nano"].into_iter().any(is) {
            Rules::Reasoning(GPT5_EFFORTS)
        } else if name.starts_with("gpt-5-chat") {
            Rules::Plain
        } else if name.starts_with("gpt-5") || name.starts_with("gpt-6") {
            // gpt-6-luna: "reasoning_effort runs from none to max" (LIFECYCLE.md, from the model
            // pages it cites); gpt-5.6-luna and later: no narrower set is documented, so the spec's.
            Rules::Reasoning(EFFORTS)
        } else if name.strip_prefix('o').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
            Rules::Reasoning(O_SERIES_EFFORTS)
        } else {
            Rules::Plain
        }
    }
}

/// Reasoning tokens spent before answering, by effort: the mock's own fixed
/// figures (the real ones vary), small enough that tests can predict them.
pub(crate) fn reasoning_tokens(effort: &str) -> u64 {
    match effort {
        "none" => 0,
        "minimal" => 8,
        "low" => 16,
        "medium" => 64,
        "high" => 256,
        "xhigh" => 512,
        _ => 1024,
    }
}

/// `reasoning_effort`: refused by models that do not reason, else one of the values this model takes.
pub(crate) fn effort(request: &Map<String, Value>, rules: Rules) -> Result<Option<&str>, ApiError> {
    let effort = match request.get("reasoning_effort") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(e)) => e.as_str(),
        Some(v) => return Err(errors::invalid_type("reasoning_effort", "a string", json_kind(v))),
    };
    match rules {
        Rules::Plain => Err(errors::unsupported_parameter("reasoning_effort", None)),
        _ if !EFFORTS.contains(&effort) => Err(errors::invalid_value("reasoning_effort", effort, EFFORTS)),
        Rules::Reasoning(takes) if !takes.contains(&effort) => {
            Err(errors::unsupported_value("reasoning_effort", effort, takes))
        }
        Rules::Reasoning(_) => Ok(Some(effort)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasoning_models_by_name() {
        assert_eq!(Rules::of("gpt-6-luna"), Rules::Reasoning(EFFORTS));
        assert_eq!(Rules::of("gpt-5.6-luna"), Rules::Reasoning(EFFORTS));
        assert_eq!(Rules::of("gpt-6.1-sol"), Rules::Reasoning(EFFORTS));
        assert_eq!(Rules::of("gpt-6.1-terra"), Rules::Reasoning(EFFORTS));
        assert_eq!(Rules::of("gpt-5-mini"), Rules::Reasoning(GPT5_EFFORTS));
        assert_eq!(Rules::of("gpt-5-nano-2025-08-07"), Rules::Reasoning(GPT5_EFFORTS));
        assert_eq!(Rules::of("ft:gpt-5-mini:acme::x"), Rules::Reasoning(GPT5_EFFORTS));
        assert_eq!(Rules::of("o4-mini"), Rules::Reasoning(O_SERIES_EFFORTS));
        for plain in ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-5-chat-latest", "omni-moderation"] {
            assert_eq!(Rules::of(plain), Rules::Plain, "{plain}");
        }
    }
}
