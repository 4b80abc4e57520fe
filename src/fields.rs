//! Declared fields: the settings a client takes and the options a model
//! takes, written once as static [`Spec`]s, turned into the contract's
//! [`FieldSpec`] for `info()`, and used to check what a host sends back:
//! setting values by their kind ([`check_value`]), option values (text) by
//! parsing them ([`Spec::parse_text`]).
//!
//! Messages name the field and its kind, never the value: a value may be a
//! secret (the key, a gateway token in a header).

use crate::bindings::{FieldSpec, NumberRange, Value, ValueKind};

/// What a field holds (the subset of `value-kind` this backend declares).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Secret,
    Url,
    Number { min: Option<f64>, max: Option<f64>, integer: bool },
    Duration,
    Choice(&'static [&'static str]),
    Pairs,
}

/// A default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Text(&'static str),
    Number(f64),
    Duration(u64),
}

/// One declared setting or option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub default: Option<Default>,
    pub help: &'static str,
    pub required: bool,
}

/// An option value parsed from its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parsed<'t> {
    Text(&'t str),
    Number(f64),
}

impl Spec {
    /// The contract's form, for `info()`.
    pub fn field_spec(&self) -> FieldSpec {
        let kind = match self.kind {
            Kind::Text => ValueKind::Text,
            Kind::Secret => ValueKind::Secret,
            Kind::Url => ValueKind::Url,
            Kind::Number { min, max, integer } => ValueKind::Number(NumberRange { min, max, integer }),
            Kind::Duration => ValueKind::Duration,
            Kind::Choice(values) => ValueKind::Choice(values.iter().map(|v| v.to_string()).collect()),
            Kind::Pairs => ValueKind::Pairs,
        };
        FieldSpec {
            name: self.name.to_string(),
            label: self.label.to_string(),
            kind,
            default: self.default.map(|d| match d {
                Default::Text(t) => Value::Text(t.to_string()),
                Default::Number(n) => Value::Number(n),
                Default::Duration(ms) => Value::Duration(ms),
            }),
            help: Some(self.help.to_string()),
            required: self.required,
        }
    }

    /// What this field's values are, for messages: "a number from 0 to 100", "one of auto, low".
    pub fn expects(&self) -> String {
        match self.kind {
            Kind::Text => "text".into(),
            Kind::Secret => "secret text".into(),
            Kind::Url => "a URL (text)".into(),
            Kind::Number { min, max, integer } => {
                let what = if integer { "a whole number" } else { "a number" };
                match (min, max) {
                    (Some(min), Some(max)) => format!("{what} from {min} to {max}"),
                    (Some(min), None) => format!("{what} of at least {min}"),
                    (None, Some(max)) => format!("{what} of at most {max}"),
                    (None, None) => what.into(),
                }
            }
            Kind::Duration => "a duration in milliseconds".into(),
            Kind::Choice(values) => format!("one of {}", values.join(", ")),
            Kind::Pairs => "name and value pairs".into(),
        }
    }

    /// An option's text, checked against the kind (surrounding whitespace
    /// ignored). `Err` says what the option takes.
    pub fn parse_text<'t>(&self, text: &'t str) -> Result<Parsed<'t>, String> {
        let text = text.trim();
        let refused = || Err(format!("option {} takes {}", self.name, self.expects()));
        match self.kind {
            Kind::Choice(values) if values.contains(&text) => Ok(Parsed::Text(text)),
            Kind::Choice(_) => refused(),
            Kind::Number { .. } => match text.parse::<f64>() {
                Ok(n) if in_range(self.kind, n) => Ok(Parsed::Number(n)),
                _ => refused(),
            },
            _ => Ok(Parsed::Text(text)),
        }
    }
}

/// Whether `n` is a finite number within `kind`'s bounds (and whole when it must be).
fn in_range(kind: Kind, n: f64) -> bool {
    let Kind::Number { min, max, integer } = kind else { return false };
    n.is_finite() && (!integer || n.fract() == 0.0) && min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)
}

/// A setting's value checked against its declaration: the variant its kind
/// takes, numbers within bounds, durations above zero. `Err` names the
/// setting and what it takes, never the value.
pub fn check_value(spec: &Spec, value: &Value) -> Result<(), String> {
    let fits = match (spec.kind, value) {
        (Kind::Text | Kind::Secret | Kind::Url, Value::Text(_)) => true,
        (Kind::Choice(values), Value::Text(t)) => values.contains(&t.trim()),
        (kind @ Kind::Number { .. }, Value::Number(n)) => in_range(kind, *n),
        (Kind::Duration, Value::Duration(ms)) => {
            if *ms == 0 {
                return Err(format!("{} must be greater than 0", spec.name));
            }
            true
        }
        (Kind::Pairs, Value::Pairs(_)) => true,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!("{} takes {}, not {}", spec.name, spec.expects(), value_kind_name(value, spec.kind)))
    }
}

/// What was given instead, without the value itself.
fn value_kind_name(value: &Value, expected: Kind) -> &'static str {
    match value {
        Value::Text(_) => "text",
        Value::Number(_) if matches!(expected, Kind::Number { .. }) => "a number outside that range",
        Value::Number(_) => "a number",
        Value::Duration(_) => "a duration",
        Value::Flag(_) => "a flag",
        Value::TextList(_) => "a list of texts",
        Value::Pairs(_) => "pairs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RETRIES: Spec = Spec {
        name: "max-retries",
        label: "Retries",
        kind: Kind::Number { min: Some(0.0), max: Some(10.0), integer: true },
        default: Some(Default::Number(2.0)),
        help: "h",
        required: false,
    };
    const BACKGROUND: Spec = Spec {
        name: "background",
        label: "Background",
        kind: Kind::Choice(&["auto", "transparent", "opaque"]),
        default: None,
        help: "h",
        required: false,
    };

    #[test]
    fn field_specs_carry_the_declaration() {
        let spec = RETRIES.field_spec();
        assert_eq!(spec.kind, ValueKind::Number(NumberRange { min: Some(0.0), max: Some(10.0), integer: true }));
        assert_eq!((spec.default, spec.required), (Some(Value::Number(2.0)), false));
        assert_eq!(
            BACKGROUND.field_spec().kind,
            ValueKind::Choice(vec!["auto".into(), "transparent".into(), "opaque".into()])
        );
    }

    #[test]
    fn values_must_be_of_the_kind() {
        assert_eq!(check_value(&RETRIES, &Value::Number(10.0)), Ok(()));
        for bad in [Value::Number(11.0), Value::Number(1.5), Value::Number(-1.0), Value::Number(f64::NAN)] {
            let message = check_value(&RETRIES, &bad).unwrap_err();
            assert!(message.contains("max-retries takes a whole number from 0 to 10"), "{message}");
        }
        let message = check_value(&RETRIES, &Value::Text("sk-secret".into())).unwrap_err();
        assert!(message.ends_with("not text") && !message.contains("sk-secret"), "{message}");
        assert_eq!(check_value(&BACKGROUND, &Value::Text(" opaque ".into())), Ok(()));
        assert!(check_value(&BACKGROUND, &Value::Text("clear".into())).unwrap_err().contains("one of auto"));
    }

    #[test]
    fn option_text_is_parsed_by_kind() {
        assert_eq!(RETRIES.parse_text(" 3 "), Ok(Parsed::Number(3.0)));
        assert_eq!(RETRIES.parse_text("3.0"), Ok(Parsed::Number(3.0)));
        for bad in ["3.5", "eleven", "", "11", "NaN", "inf"] {
            assert!(RETRIES.parse_text(bad).unwrap_err().contains("from 0 to 10"), "{bad}");
        }
        assert_eq!(BACKGROUND.parse_text("transparent"), Ok(Parsed::Text("transparent")));
        assert!(BACKGROUND.parse_text("Transparent").is_err());
    }

    proptest! {
        #[test]
        fn numbers_in_range_parse_and_others_do_not(n in -50i64..50) {
            let ok = (0..=10).contains(&n);
            prop_assert_eq!(RETRIES.parse_text(&n.to_string()).is_ok(), ok);
            prop_assert_eq!(check_value(&RETRIES, &Value::Number(n as f64)).is_ok(), ok);
        }
    }
}
