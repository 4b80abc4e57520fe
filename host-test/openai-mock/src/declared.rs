//! Parameters a catalog entry declares beyond its family's: how a test makes
//! "a model released after the build" work on the day it ships.
//!
//! The mock knows each image family's parameters by heart ([`crate::kinds`]).
//! A model OpenAI releases tomorrow may take one more (say `shimmer`); a test
//! adds it to the running catalog with [`crate::ModelEntry::with_param`] and
//! a [`ParamRule`], and from the next request on the mock accepts that
//! parameter for that model (and its snapshots) only, checked by the rule.
//! Every other model still refuses it with the API's `unknown_parameter` 400.

use serde_json::Value;

use super::errors::{self, json_kind, ApiError};
use super::fields::{Fields, Raw};

/// How a declared parameter's value is checked. In a JSON body (generations)
/// the value keeps its JSON type; on `/images/edits` it arrives as a multipart
/// text field (parsed the way the API parses its own text fields), or as a
/// file part for [`ParamRule::Image`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamRule {
    /// Any value: any JSON value, any multipart text.
    Any,
    /// A string from this list (`invalid_value` otherwise, listing them).
    OneOf(Vec<String>),
    /// An integer in `min..=max` (multipart: its decimal text).
    IntRange { min: i64, max: i64 },
    /// A boolean (multipart: `true` or `false`).
    Bool,
    /// An image: on edits a file part (PNG, JPEG or WebP, checked like
    /// `image`); in a JSON body a string, an `http(s)://` or `data:image/` URL,
    /// as the API's JSON image inputs are given (the mock does not fetch it).
    Image,
}

impl ParamRule {
    /// [`ParamRule::OneOf`] from string slices: `ParamRule::one_of(["soft", "hard"])`.
    pub fn one_of<I, S>(values: I) -> ParamRule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ParamRule::OneOf(values.into_iter().map(Into::into).collect())
    }

    /// [`ParamRule::IntRange`]: an integer from `min` to `max`, both included.
    pub fn int_range(min: i64, max: i64) -> ParamRule {
        ParamRule::IntRange { min, max }
    }

    /// Whether the value comes as a file part on edits.
    pub(crate) fn is_file(&self) -> bool {
        matches!(self, ParamRule::Image)
    }

    /// What the value should be, for "expected ..., but got a file" answers.
    pub(crate) fn expected(&self) -> &'static str {
        match self {
            ParamRule::Any | ParamRule::OneOf(_) => "a string",
            ParamRule::IntRange { .. } => "an integer",
            ParamRule::Bool => "a boolean",
            ParamRule::Image => "a file",
        }
    }

    /// Checks the value of `name` in `fields`, if it was given.
    pub(crate) fn check(&self, name: &str, fields: &Fields) -> Result<(), ApiError> {
        match self {
            ParamRule::Any => Ok(()),
            ParamRule::OneOf(values) => {
                let allowed: Vec<&str> = values.iter().map(String::as_str).collect();
                fields.choice(name, &allowed).map(drop)
            }
            ParamRule::IntRange { min, max } => match fields.int(name)? {
                Some(v) if !(*min..=*max).contains(&v) => Err(errors::integer_out_of_range(name, v, *min, *max)),
                _ => Ok(()),
            },
            ParamRule::Bool => fields.bool(name).map(drop),
            ParamRule::Image => match fields.get(name) {
                None => Ok(()),
                // A text field where a file belongs: the API's "expected a file" answer.
                Some(Raw::Text(_)) => Err(errors::expected_file(name)),
                Some(Raw::Json(Value::String(url))) => {
                    let ok = ["http://", "https://", "data:image/"].iter().any(|p| url.starts_with(p));
                    if ok {
                        Ok(())
                    } else {
                        Err(errors::invalid_value_msg(
                            name,
                            format!("Invalid '{name}': expected an image URL (http, https or a data:image/ URL)."),
                        ))
                    }
                }
                Some(Raw::Json(v)) => Err(errors::invalid_type(name, "a string", json_kind(v))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(r: Result<(), ApiError>) -> Option<String> {
        r.unwrap_err().summary().0
    }

    #[test]
    fn each_rule_checks_json_and_multipart_values() {
        assert!(ParamRule::Any.check("x", &Fields::json(json!({"x": {"a": [1]}}))).is_ok());
        let one_of = ParamRule::one_of(["soft", "hard"]);
        assert!(one_of.check("x", &Fields::texts(&[("x", "soft")])).is_ok());
        let e = one_of.check("x", &Fields::json(json!({"x": "loud"}))).unwrap_err();
        assert_eq!(e.summary().2, "Invalid value: 'loud'. Supported values are: 'soft' and 'hard'.");
        let range = ParamRule::int_range(1, 5);
        assert!(range.check("x", &Fields::json(json!({"x": 3}))).is_ok());
        assert!(range.check("x", &Fields::texts(&[("x", "5")])).is_ok());
        assert_eq!(code(range.check("x", &Fields::json(json!({"x": 6})))).as_deref(), Some("integer_above_max_value"));
        assert_eq!(code(range.check("x", &Fields::json(json!({"x": "3"})))).as_deref(), Some("invalid_type"));
        assert!(ParamRule::Bool.check("x", &Fields::texts(&[("x", "true")])).is_ok());
        assert_eq!(code(ParamRule::Bool.check("x", &Fields::json(json!({"x": 1})))).as_deref(), Some("invalid_type"));
        assert!(ParamRule::Image.check("x", &Fields::json(json!({"x": "data:image/png;base64,AAAA"}))).is_ok());
        assert_eq!(code(ParamRule::Image.check("x", &Fields::texts(&[("x", "a")]))).as_deref(), Some("invalid_type"));
        assert!(ParamRule::Image.check("x", &Fields::json(json!({"x": "ftp://x"}))).is_err());
        assert!(ParamRule::Image.check("x", &Fields::default()).is_ok());
    }
}
