//! An image request's parameters as they arrived, and typed reads of them.
//!
//! Generations send their parameters as JSON, edits as multipart text
//! fields; both become [`Fields`], so every rule downstream
//! ([`crate::params`], [`crate::formats`], [`crate::declared`]) reads a value
//! once, the way the API parses it, whichever body it came in.

use serde_json::{Map, Value};

use super::errors::{self, json_kind, ApiError};

/// A parameter value as it arrived: typed JSON, or multipart text.
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    Json(Value),
    Text(String),
}

/// The request's parameters in arrival order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(pub Vec<(String, Raw)>);

impl Fields {
    /// The members of a JSON body, in its order.
    pub fn from_json(map: Map<String, Value>) -> Fields {
        Fields(map.into_iter().map(|(k, v)| (k, Raw::Json(v))).collect())
    }

    /// The value of `name`, unless absent or JSON `null`.
    pub fn get(&self, name: &str) -> Option<&Raw> {
        // `null` is what the spec's nullable fields mean by "not given".
        self.0.iter().find(|(n, _)| n == name).map(|(_, r)| r).filter(|r| !matches!(r, Raw::Json(Value::Null)))
    }

    /// Sent at all, even as `null`: a parameter the model does not take is
    /// refused by name, whatever its value.
    pub fn sent(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub fn str(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => Ok(Some(s.clone())),
            Some(Raw::Json(Value::String(s))) => Ok(Some(s.clone())),
            Some(Raw::Json(v)) => Err(errors::invalid_type(name, "a string", json_kind(v))),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => {
                s.trim().parse().map(Some).map_err(|_| errors::invalid_type(name, "an integer", "a string"))
            }
            Some(Raw::Json(v)) => {
                v.as_i64().map(Some).ok_or_else(|| errors::invalid_type(name, "an integer", json_kind(v)))
            }
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Raw::Text(s)) => match s.trim() {
                "true" | "True" => Ok(Some(true)),
                "false" | "False" => Ok(Some(false)),
                _ => Err(errors::invalid_type(name, "a boolean", "a string")),
            },
            Some(Raw::Json(Value::Bool(b))) => Ok(Some(*b)),
            Some(Raw::Json(v)) => Err(errors::invalid_type(name, "a boolean", json_kind(v))),
        }
    }

    /// A string that must be one of `allowed`.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.str(name)? {
            Some(v) if !allowed.contains(&v.as_str()) => Err(errors::invalid_value(name, &v, allowed)),
            v => Ok(v),
        }
    }

    /// The model as sent, if it is a string (for the record, even when invalid).
    pub fn model_hint(&self) -> Option<String> {
        self.str("model").ok().flatten()
    }
}

#[cfg(test)]
impl Fields {
    /// A JSON body's parameters, from an object literal.
    pub fn json(body: Value) -> Fields {
        Fields::from_json(body.as_object().expect("a JSON object").clone())
    }

    /// Multipart text fields, in this order.
    pub fn texts(pairs: &[(&str, &str)]) -> Fields {
        Fields(pairs.iter().map(|(n, v)| (n.to_string(), Raw::Text(v.to_string()))).collect())
    }
}
