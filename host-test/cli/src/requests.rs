//! Requests from the command line's arguments, in the contract's own types.
//!
//! `--option NAME=VALUE` is read by the kind the model declares for NAME
//! (`info` lists them), so `--option output-compression=80` is a number and
//! `--option complexity=low` a choice; the backend checks the value against
//! the declaration before anything is sent. An option the backend does not
//! declare (a model it does not know), and every `--extra`, is typed by how
//! it reads: a JSON number or boolean as that type, a JSON object or list as
//! JSON, a `"quoted"` JSON string as its text, anything else as text.
//! `NAME=@PATH` is an image, the file's bytes (its type is read from them),
//! as curl's `-F name=@file`.

use std::path::Path;

use visual_host::bindings::{
    AnalyzeRequest, BackendInfo, Capability, EditRequest, FieldSpec, GenerateRequest, Parameter, Size, Value, ValueKind,
};

use crate::args::{AnalyzeArgs, EditArgs, ImageOptions};
use crate::failure::Failure;

pub fn generate(o: &ImageOptions, info: &BackendInfo) -> Result<GenerateRequest, Failure> {
    let declared = declared_options(info, Capability::TextToImage, o.model.as_deref());
    Ok(GenerateRequest {
        prompt: o.prompt.clone(),
        format: o.format,
        model: o.model.clone(),
        size: o.size.map(|(width, height)| Size { width, height }),
        n: o.n,
        quality: o.quality.clone(),
        output_format: o.output_format.clone(),
        options: image_options(o, declared)?,
        extra: extra(&o.extra)?,
    })
}

pub fn edit(args: &EditArgs, info: &BackendInfo) -> Result<EditRequest, Failure> {
    let o = &args.image;
    let declared = declared_options(info, Capability::ImageEdit, o.model.as_deref());
    let images = args.images.iter().map(|p| read_file(p)).collect::<Result<Vec<_>, _>>()?;
    let mask = args.mask.as_deref().map(read_file).transpose()?;
    Ok(EditRequest {
        prompt: o.prompt.clone(),
        format: o.format,
        model: o.model.clone(),
        images,
        mask,
        size: o.size.map(|(width, height)| Size { width, height }),
        n: o.n,
        quality: o.quality.clone(),
        output_format: o.output_format.clone(),
        options: image_options(o, declared)?,
        extra: extra(&o.extra)?,
    })
}

pub fn analyze(args: &AnalyzeArgs, info: &BackendInfo) -> Result<AnalyzeRequest, Failure> {
    let declared = declared_options(info, Capability::ImageAnalysis, args.model.as_deref());
    let mut options: Vec<Parameter> = args.detail.iter().map(|d| Parameter::text("detail", d.clone())).collect();
    options.extend(typed("--option", &args.options, declared)?);
    Ok(AnalyzeRequest {
        image: read_file(&args.image)?,
        prompt: args.prompt.clone(),
        model: args.model.clone(),
        max_output_tokens: args.max_tokens,
        options,
        extra: extra(&args.extra)?,
    })
}

/// The options the model a request names (or the capability's default)
/// declares; none for a model the backend does not list.
fn declared_options<'i>(info: &'i BackendInfo, capability: Capability, model: Option<&str>) -> &'i [FieldSpec] {
    let Some(c) = info.capability(capability) else { return &[] };
    let Some(id) = model.map(str::trim).filter(|m| !m.is_empty()).or(c.default_model.as_deref()) else {
        return &[];
    };
    c.models.iter().find(|m| m.id == id).map(|m| m.options.as_slice()).unwrap_or_default()
}

/// The options flags are shortcuts for, then every `--option`.
fn image_options(o: &ImageOptions, declared: &[FieldSpec]) -> Result<Vec<Parameter>, Failure> {
    let mut options = Vec::new();
    if let Some(background) = &o.background {
        options.push(Parameter::text("background", background.clone()));
    }
    if let Some(compression) = o.output_compression {
        options.push(Parameter::number("output-compression", f64::from(compression)));
    }
    options.extend(typed("--option", &o.options, declared)?);
    Ok(options)
}

fn extra(given: &[(String, String)]) -> Result<Vec<Parameter>, Failure> {
    typed("--extra", given, &[])
}

/// `NAME=VALUE` pairs as typed parameters, each by its declaration in
/// `declared` when there is one.
fn typed(flag: &str, given: &[(String, String)], declared: &[FieldSpec]) -> Result<Vec<Parameter>, Failure> {
    given
        .iter()
        .map(|(name, text)| {
            let spec = declared.iter().find(|s| s.name == *name);
            Ok(Parameter::new(name.clone(), value(flag, name, text, spec)?))
        })
        .collect()
}

/// One `--option`/`--extra` value: `@PATH` an image from a file, a quoted
/// JSON string its text, else by the declared kind, else by how it reads.
pub fn value(flag: &str, name: &str, text: &str, spec: Option<&FieldSpec>) -> Result<Value, Failure> {
    if let Some(path) = text.strip_prefix('@') {
        if path.is_empty() {
            return Err(Failure::Usage(format!("{flag} {name}=@PATH: no path after @")));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("{flag} {name}=@{path}: cannot read {path}: {e}")))?;
        return Ok(Value::Image(bytes));
    }
    if let Some(Ok(serde_json::Value::String(s))) =
        text.trim_start().starts_with('"').then(|| serde_json::from_str(text.trim()))
    {
        return Ok(Value::Text(s));
    }
    let trimmed = text.trim();
    Ok(match spec.map(|s| &s.kind) {
        Some(ValueKind::Text | ValueKind::Secret | ValueKind::Url | ValueKind::Choice(_)) => Value::Text(text.into()),
        // A value that is not a number goes as text, for the backend to refuse
        // with what the option takes.
        Some(ValueKind::Number(_)) => match trimmed.parse::<f64>() {
            Ok(n) if n.is_finite() => Value::Number(n),
            _ => Value::Text(text.into()),
        },
        Some(ValueKind::Flag) => match trimmed {
            "true" | "yes" | "on" | "1" => Value::Flag(true),
            "false" | "no" | "off" | "0" => Value::Flag(false),
            _ => Value::Text(text.into()),
        },
        Some(ValueKind::Json) => Value::Json(trimmed.into()),
        Some(ValueKind::Image(types)) => {
            let takes = if types.is_empty() { "an image".to_string() } else { types.join(" or ") };
            return Err(Failure::Usage(format!(
                "{flag} {name} takes {takes}, read from a file: give it as {name}=@PATH"
            )));
        }
        Some(ValueKind::Duration | ValueKind::TextList | ValueKind::Pairs) | None => by_reading(text),
    })
}

/// A value typed by how it reads, for a parameter nothing declares.
fn by_reading(text: &str) -> Value {
    let trimmed = text.trim();
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(serde_json::Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Value::Number(f),
            _ => Value::Text(text.into()),
        },
        Ok(serde_json::Value::Bool(b)) => Value::Flag(b),
        Ok(serde_json::Value::Object(_) | serde_json::Value::Array(_)) => Value::Json(trimmed.into()),
        _ => Value::Text(text.into()),
    }
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use visual_host::bindings::NumberRange;

    fn spec(name: &str, kind: ValueKind) -> FieldSpec {
        FieldSpec { name: name.into(), label: name.into(), kind, default: None, help: None, required: false }
    }

    /// The generated types have no `PartialEq`; their `Debug` shows every field.
    #[track_caller]
    fn check(given: Result<Value, Failure>, expected: Value) {
        let Ok(given) = given else { panic!("refused; expected {expected:?}") };
        assert_eq!(format!("{given:?}"), format!("{expected:?}"));
    }

    #[track_caller]
    fn reads(text: &str, expected: Value) {
        check(value("--extra", "x", text, None), expected);
    }

    #[test]
    fn undeclared_values_go_as_they_read() {
        reads("3", Value::Number(3.0));
        reads("-0.5", Value::Number(-0.5));
        reads("true", Value::Flag(true));
        reads("false", Value::Flag(false));
        reads(r#"{"model": "gpt-6-luna"}"#, Value::Json(r#"{"model": "gpt-6-luna"}"#.into()));
        reads("[1, 2]", Value::Json("[1, 2]".into()));
        reads("low", Value::Text("low".into()));
        reads("{not json", Value::Text("{not json".into()));
        reads("007", Value::Text("007".into())); // not a JSON number
        reads("null", Value::Text("null".into()));
        reads(r#""7""#, Value::Text("7".into())); // a quoted string is text
        reads(r#""@home""#, Value::Text("@home".into()));
    }

    #[test]
    fn declared_kinds_decide() {
        let choice = spec("style", ValueKind::Choice(vec!["1".into(), "2".into()]));
        check(value("--option", "style", "1", Some(&choice)), Value::Text("1".into()));
        let range = NumberRange { min: Some(0.0), max: Some(100.0), integer: true, step: None };
        let number = spec("output-compression", ValueKind::Number(range));
        check(value("--option", "c", "80", Some(&number)), Value::Number(80.0));
        check(value("--option", "c", "lots", Some(&number)), Value::Text("lots".into()));
        let text = spec("user", ValueKind::Text);
        check(value("--option", "user", "42", Some(&text)), Value::Text("42".into()));
        let json = spec("svg", ValueKind::Json);
        check(value("--option", "svg", " {} ", Some(&json)), Value::Json("{}".into()));
        let image = spec("markup", ValueKind::Image(vec!["image/png".into()]));
        let Err(Failure::Usage(message)) = value("--option", "markup", "m.png", Some(&image)) else {
            panic!("an image option needs @PATH")
        };
        assert!(message.contains("markup=@PATH") && message.contains("image/png"), "{message}");
    }

    #[test]
    fn at_path_reads_the_file_and_a_missing_one_is_named() {
        let path = std::env::temp_dir().join(format!("visual-host-at-{}.bin", std::process::id()));
        std::fs::write(&path, b"\x89PNG bytes").unwrap();
        let given = format!("@{}", path.display());
        check(value("--option", "markup", &given, None), Value::Image(b"\x89PNG bytes".to_vec()));
        std::fs::remove_file(&path).unwrap();
        let Err(Failure::Usage(message)) = value("--option", "markup", &given, None) else { panic!("missing file") };
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}
