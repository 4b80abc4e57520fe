//! Declared fields: the settings a client takes and the options a model
//! takes, written once as static [`Spec`]s, turned into the contract's
//! [`FieldSpec`] for `info()`, and used to check what a host sends back:
//! setting values by their kind ([`check_value`]), option values by their
//! kind into what a request sends ([`Spec::check_option`]).
//!
//! Messages name the field and its kind, never the value: a value may be a
//! secret (the key, a gateway token in a header).

use crate::bindings::{FieldSpec, NumberRange, Value, ValueKind};
use crate::imaging::{self, ImageMeta};

/// What a field holds (the subset of `value-kind` this backend declares).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Secret,
    Url,
    /// `step`: values go up from `min` (or 0) in steps of this.
    Number {
        min: Option<f64>,
        max: Option<f64>,
        integer: bool,
        step: Option<f64>,
    },
    Duration,
    Choice(&'static [&'static str]),
    Pairs,
    /// An image of one of these media types (any image when empty).
    Image(&'static [&'static str]),
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

/// An option's value, checked against its kind (declared options) or taken
/// as it came (the options of a model the table does not know, and extra
/// parameters): what a request sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed<'v> {
    /// Trimmed for options, as given for extra parameters.
    Text(&'v str),
    Number(f64),
    Flag(bool),
    /// The bytes and what they are, read from them.
    Image(&'v [u8], ImageMeta),
    Json(serde_json::Value),
}

impl<'v> Typed<'v> {
    /// A value as the host sent it (text untouched), converted without a
    /// declaration to check it against. `Err` says why it cannot be sent (an
    /// image that is not one, JSON that does not parse, a kind no parameter
    /// takes).
    pub fn from_value(value: &'v Value) -> Result<Self, String> {
        match value {
            Value::Text(t) => Ok(Typed::Text(t)),
            Value::Number(n) if n.is_finite() => Ok(Typed::Number(*n)),
            Value::Number(_) => Err("is not a finite number".into()),
            Value::Flag(b) => Ok(Typed::Flag(*b)),
            Value::Image(bytes) => imaging::sniff_any(bytes)
                .map(|meta| Typed::Image(bytes, meta))
                .ok_or_else(|| "is not a PNG, JPEG, WebP, GIF or SVG image".into()),
            Value::Json(text) => serde_json::from_str(text)
                .map(Typed::Json)
                .map_err(|e| format!("is not valid JSON ({})", crate::api_error::clip(&e.to_string(), 80))),
            Value::Duration(_) | Value::TextList(_) | Value::Pairs(_) => {
                Err("is a duration, a text list or pairs, which a request parameter cannot carry".into())
            }
        }
    }

    /// The value as JSON, for a JSON endpoint: whole numbers without a
    /// fraction (`80`, not `80.0`). `None` for an image, which only a
    /// multipart endpoint can carry.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Typed::Text(t) => serde_json::Value::from(*t),
            Typed::Number(n) => number_json(*n),
            Typed::Flag(b) => serde_json::Value::from(*b),
            Typed::Json(v) => v.clone(),
            Typed::Image(..) => return None,
        })
    }

    /// The value as a multipart text field: numbers as JSON writes them,
    /// flags as `true`/`false`, JSON as its text. `None` for an image (a file part).
    pub fn to_form_text(&self) -> Option<String> {
        match self {
            Typed::Text(t) => Some(t.to_string()),
            Typed::Image(..) => None,
            other => other.to_json().map(|v| v.to_string()),
        }
    }

    /// The text of a text or choice option; `None` for other kinds and blank text.
    pub fn as_text(&self) -> Option<&'v str> {
        match self {
            Typed::Text(t) if !t.is_empty() => Some(t),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Typed::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A whole number as a JSON integer, anything else as a float.
fn number_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Value::from(n)
    }
}

impl Spec {
    /// The contract's form, for `info()`.
    pub fn field_spec(&self) -> FieldSpec {
        let kind = match self.kind {
            Kind::Text => ValueKind::Text,
            Kind::Secret => ValueKind::Secret,
            Kind::Url => ValueKind::Url,
            Kind::Number { min, max, integer, step } => ValueKind::Number(NumberRange { min, max, integer, step }),
            Kind::Duration => ValueKind::Duration,
            Kind::Choice(values) => ValueKind::Choice(strings(values)),
            Kind::Pairs => ValueKind::Pairs,
            Kind::Image(types) => ValueKind::Image(strings(types)),
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
            Kind::Number { min, max, integer, step } => {
                let what = if integer { "a whole number" } else { "a number" };
                let range = match (min, max) {
                    (Some(min), Some(max)) => format!("{what} from {min} to {max}"),
                    (Some(min), None) => format!("{what} of at least {min}"),
                    (None, Some(max)) => format!("{what} of at most {max}"),
                    (None, None) => what.into(),
                };
                match step {
                    Some(step) if step != 1.0 || !integer => format!("{range} in steps of {step}"),
                    _ => range,
                }
            }
            Kind::Duration => "a duration in milliseconds".into(),
            Kind::Choice(values) => format!("one of {}", values.join(", ")),
            Kind::Pairs => "name and value pairs".into(),
            Kind::Image([]) => "an image".into(),
            Kind::Image(types) => format!("an image ({})", types.join(" or ")),
        }
    }

    /// A request option's value, checked against the kind: a choice among
    /// its values (trimmed), a number within its range and step (text that
    /// reads as one is taken too), an image of the types it takes, text for
    /// text. `Err` says what the option takes, never the value.
    pub fn check_option<'v>(&self, value: &'v Value) -> Result<Typed<'v>, String> {
        let refused = || Err(format!("option {} takes {}", self.name, self.expects()));
        match (self.kind, value) {
            (Kind::Choice(values), Value::Text(t)) if values.contains(&t.trim()) => Ok(Typed::Text(t.trim())),
            (kind @ Kind::Number { .. }, Value::Number(n)) if in_range(kind, *n) => Ok(Typed::Number(*n)),
            (kind @ Kind::Number { .. }, Value::Text(t)) => match t.trim().parse::<f64>() {
                Ok(n) if in_range(kind, n) => Ok(Typed::Number(n)),
                _ => refused(),
            },
            (Kind::Text | Kind::Secret | Kind::Url, Value::Text(t)) => Ok(Typed::Text(t.trim())),
            (Kind::Image(types), Value::Image(bytes)) => match imaging::sniff_any(bytes) {
                Some(meta) if types.is_empty() || types.contains(&meta.kind.mime_type()) => {
                    Ok(Typed::Image(bytes, meta))
                }
                Some(meta) => {
                    Err(format!("option {} takes {}, not {}", self.name, self.expects(), meta.kind.mime_type()))
                }
                None => Err(format!("option {} takes {}; this is not an image", self.name, self.expects())),
            },
            _ => refused(),
        }
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// Whether `n` is a finite number within `kind`'s bounds, whole when it must
/// be, and on its step.
fn in_range(kind: Kind, n: f64) -> bool {
    let Kind::Number { min, max, integer, step } = kind else { return false };
    let on_step = step.is_none_or(|step| {
        let steps = (n - min.unwrap_or(0.0)) / step;
        (steps - steps.round()).abs() < 1e-9
    });
    n.is_finite()
        && (!integer || n.fract() == 0.0)
        && min.is_none_or(|m| n >= m)
        && max.is_none_or(|m| n <= m)
        && on_step
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
        Value::Image(_) => "an image",
        Value::Json(_) => "JSON",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RETRIES: Spec = Spec {
        name: "max-retries",
        label: "Retries",
        kind: Kind::Number { min: Some(0.0), max: Some(10.0), integer: true, step: None },
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
        assert_eq!(
            spec.kind,
            ValueKind::Number(NumberRange { min: Some(0.0), max: Some(10.0), integer: true, step: None })
        );
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

    const FRAME_MS: Spec = Spec {
        name: "frame-duration-ms",
        label: "Frame duration",
        kind: Kind::Number { min: Some(20.0), max: Some(2000.0), integer: true, step: Some(10.0) },
        default: None,
        help: "h",
        required: false,
    };
    const MARKUP: Spec = Spec {
        name: "markup",
        label: "Markup",
        kind: Kind::Image(&["image/png"]),
        default: None,
        help: "h",
        required: false,
    };

    fn text(t: &str) -> Value {
        Value::Text(t.into())
    }

    #[test]
    fn options_are_checked_by_kind() {
        assert_eq!(RETRIES.check_option(&Value::Number(3.0)), Ok(Typed::Number(3.0)));
        assert_eq!(RETRIES.check_option(&text(" 3 ")), Ok(Typed::Number(3.0)));
        for bad in [text("3.5"), text("eleven"), text(""), Value::Number(11.0), Value::Flag(true)] {
            assert!(RETRIES.check_option(&bad).unwrap_err().contains("from 0 to 10"));
        }
        assert_eq!(BACKGROUND.check_option(&text("transparent")), Ok(Typed::Text("transparent")));
        assert!(BACKGROUND.check_option(&text("Transparent")).is_err());
        assert!(BACKGROUND.check_option(&Value::Number(1.0)).is_err());
        // A step counts from the minimum.
        assert_eq!(FRAME_MS.check_option(&Value::Number(250.0)), Ok(Typed::Number(250.0)));
        let message = FRAME_MS.check_option(&Value::Number(255.0)).unwrap_err();
        assert_eq!(message, "option frame-duration-ms takes a whole number from 20 to 2000 in steps of 10");
        assert_eq!(
            FRAME_MS.field_spec().kind,
            ValueKind::Number(NumberRange { min: Some(20.0), max: Some(2000.0), integer: true, step: Some(10.0) })
        );
    }

    #[test]
    fn image_options_take_the_declared_types() {
        let png = crate::edit::fixtures::png(64, 32);
        match MARKUP.check_option(&Value::Image(png.clone())) {
            Ok(Typed::Image(bytes, meta)) => assert_eq!((bytes.len(), meta.width, meta.height), (png.len(), 64, 32)),
            other => panic!("{other:?}"),
        }
        let jpeg = crate::edit::fixtures::jpeg(64, 32);
        assert_eq!(
            MARKUP.check_option(&Value::Image(jpeg)).unwrap_err(),
            "option markup takes an image (image/png), not image/jpeg"
        );
        assert!(MARKUP.check_option(&Value::Image(b"nope".to_vec())).unwrap_err().contains("not an image"));
        assert!(MARKUP.check_option(&text("markup.png")).is_err());
        assert_eq!(MARKUP.field_spec().kind, ValueKind::Image(vec!["image/png".into()]));
    }

    #[test]
    fn undeclared_values_keep_their_type() {
        assert_eq!(Typed::from_value(&Value::Number(80.0)).unwrap().to_json(), Some(serde_json::json!(80)));
        assert_eq!(Typed::from_value(&Value::Number(0.5)).unwrap().to_json(), Some(serde_json::json!(0.5)));
        assert_eq!(Typed::from_value(&Value::Flag(true)).unwrap().to_form_text().as_deref(), Some("true"));
        assert_eq!(Typed::from_value(&text(" low ")).unwrap(), Typed::Text(" low "));
        let json_value = Value::Json(r#"{"model": "m"}"#.into());
        let json = Typed::from_value(&json_value).unwrap();
        assert_eq!(json.to_form_text().as_deref(), Some(r#"{"model":"m"}"#));
        assert!(Typed::from_value(&Value::Json("{".into())).unwrap_err().contains("not valid JSON"));
        assert!(Typed::from_value(&Value::Number(f64::NAN)).is_err());
        assert!(Typed::from_value(&Value::Pairs(vec![])).is_err());
        let png_value = Value::Image(crate::edit::fixtures::png(2, 2));
        let png = Typed::from_value(&png_value).unwrap();
        assert_eq!((png.to_json(), png.to_form_text()), (None, None));
    }

    proptest! {
        #[test]
        fn numbers_in_range_parse_and_others_do_not(n in -50i64..50) {
            let ok = (0..=10).contains(&n);
            prop_assert_eq!(RETRIES.check_option(&Value::Text(n.to_string())).is_ok(), ok);
            prop_assert_eq!(RETRIES.check_option(&Value::Number(n as f64)).is_ok(), ok);
            prop_assert_eq!(check_value(&RETRIES, &Value::Number(n as f64)).is_ok(), ok);
        }
    }
}
