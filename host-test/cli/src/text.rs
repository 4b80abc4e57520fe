//! What `info` and `models` print for a person (without `--json`).

use visual_host::bindings::{
    BackendInfo, Capability, FieldSpec, ImageFormat, Lifecycle, ModelEntry, ModelInfo, ModelState, NumberRange, Prices,
    PromptStyle, ValueKind,
};

use crate::report::model_state;

/// `contract`: the interface the component exports (an older one is
/// presented in the newest shape by the host library).
pub fn print_info(info: &BackendInfo, contract: &str) {
    println!("{} ({}) v{}", info.label, info.name, info.version);
    println!("{}", info.description);
    println!("contract: {contract}");
    println!(
        "prompt style: {}",
        match info.prompt_style {
            PromptStyle::Descriptive => "descriptive (natural language)",
            PromptStyle::Keywords => "keywords (comma-separated tags)",
        }
    );
    for c in &info.capabilities {
        println!();
        println!(
            "{}: {}{}",
            c.capability.name(),
            if c.supported { "supported" } else { "not supported" },
            c.default_model.as_deref().map(|m| format!(", default model {m}")).unwrap_or_default()
        );
        if c.capability == Capability::ImageEdit && c.supported {
            println!("  up to {} reference images", c.max_reference_images);
        }
        println!(
            "  {:<24} {:<11} {:<11} {:<11} {:<28} qualities",
            "model", "landscape", "portrait", "square", "lifecycle"
        );
        for m in &c.models {
            print_model(m);
        }
        if c.accepts_unknown_models {
            println!("  (other model ids are passed through as given)");
        }
        if c.supported {
            println!(
                "  {}",
                if c.accepts_extra_parameters {
                    "extra parameters (--extra NAME=VALUE) are sent to the service as given"
                } else {
                    "takes no extra parameters (--extra)"
                }
            );
        }
    }
    if !info.settings.is_empty() {
        println!();
        println!("settings (--setting NAME=VALUE):");
        for s in &info.settings {
            let kind = match &s.kind {
                ValueKind::Choice(choices) => format!("one of {}", choices.join(", ")),
                other => kind(other),
            };
            println!(
                "  {:<34} {:<10} {}{}",
                s.name,
                kind,
                if s.required { "(required) " } else { "" },
                s.help.as_deref().unwrap_or(&s.label)
            );
        }
    }
}

fn print_model(m: &ModelInfo) {
    let size = |f: ImageFormat| {
        m.sizes
            .formats
            .iter()
            .find(|fs| fs.format == f)
            .map(|fs| format!("{}x{}", fs.size.width, fs.size.height))
            .unwrap_or_else(|| "-".into())
    };
    println!(
        "  {:<24} {:<11} {:<11} {:<11} {:<28} {}",
        m.id,
        size(ImageFormat::Landscape),
        size(ImageFormat::Portrait),
        size(ImageFormat::Square),
        m.lifecycle.as_ref().map(lifecycle).unwrap_or_else(|| "-".into()),
        if m.qualities.is_empty() { "-".into() } else { m.qualities.join(", ") },
    );
    if let Some(free) = &m.sizes.free {
        println!(
            "  {:<24} also any WxH in steps of {}, {}..{} by {}, up to {}:1",
            "", free.step, free.min_side, free.max_long_side, free.max_short_side, free.max_aspect_ratio
        );
    }
    if let Some(note) = &m.note {
        println!("  {:<24} {note}", "");
    }
    if !m.output_formats.is_empty() {
        let formats: Vec<String> = m
            .output_formats
            .iter()
            .map(|f| if m.default_output_format.as_ref() == Some(f) { format!("{f} (default)") } else { f.clone() })
            .collect();
        println!("  {:<24} output formats (--output-format): {}", "", formats.join(", "));
    }
    if !m.options.is_empty() {
        println!("  {:<24} options (--option NAME=VALUE):", "");
        for o in &m.options {
            println!("  {:<24}   {}", "", option(o));
        }
    }
    if let Some(prices) = &m.prices {
        println!("  {:<24} {}", "", prices_line(prices));
    }
}

/// `complexity: one of low, medium, high (default medium)`, `markup: an image (image/png)`.
fn option(o: &FieldSpec) -> String {
    let kind = match &o.kind {
        ValueKind::Choice(choices) => format!("one of {}", choices.join(", ")),
        other => kind(other),
    };
    let default = match &o.default {
        Some(visual_host::bindings::Value::Text(t)) => format!(" (default {t})"),
        Some(visual_host::bindings::Value::Number(n)) => format!(" (default {n})"),
        Some(visual_host::bindings::Value::Flag(b)) => format!(" (default {b})"),
        _ => String::new(),
    };
    format!("{}: {kind}{default}{}", o.name, if o.required { ", required" } else { "" })
}

/// A kind as a person reads it: `a whole number 2..16`, `a number 20..2000 in steps of 10`,
/// `an image (image/png)`, `json`.
fn kind(k: &ValueKind) -> String {
    match k {
        ValueKind::Number(range) => number(range),
        ValueKind::Image(types) if types.is_empty() => "an image (@PATH)".into(),
        ValueKind::Image(types) => format!("an image, {} (@PATH)", types.join(" or ")),
        ValueKind::Json => "JSON".into(),
        other => other.name().to_string(),
    }
}

fn number(r: &NumberRange) -> String {
    let mut s = if r.integer { "a whole number".to_string() } else { "a number".to_string() };
    match (r.min, r.max) {
        (Some(min), Some(max)) => s += &format!(" {min}..{max}"),
        (Some(min), None) => s += &format!(" from {min}"),
        (None, Some(max)) => s += &format!(" up to {max}"),
        (None, None) => {}
    }
    if let Some(step) = r.step {
        s += &format!(" in steps of {step}");
    }
    s
}

/// `prices per 1M tokens: text in $5.0000 (cached $1.2500), ... (source URL)`.
fn prices_line(p: &Prices) -> String {
    let price = |label: &str, value: Option<f64>, cached: Option<f64>| {
        value.map(|v| {
            let cached = cached.map(|c| format!(" (cached {})", money(c))).unwrap_or_default();
            format!("{label} {}{cached}", money(v))
        })
    };
    let parts: Vec<String> = [
        price("text in", p.text_input, p.text_input_cached),
        price("image in", p.image_input, p.image_input_cached),
        price("text out", p.text_output, None),
        price("image out", p.image_output, None),
    ]
    .into_iter()
    .flatten()
    .collect();
    let parts = if parts.is_empty() { "none published".to_string() } else { parts.join(", ") };
    format!("prices per 1M tokens: {parts} (source: {})", p.source)
}

/// A price per million tokens: `$5`, `$1.25`, `$0.125`.
fn money(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.contains('.') && s.split('.').nth(1).is_some_and(|d| d.len() == 1) {
        format!("${s}0")
    } else {
        format!("${s}")
    }
}

/// `active`, `deprecated: shuts down 2027-01-14, use gpt-6-luna`, ...
fn lifecycle(l: &Lifecycle) -> String {
    let date = l.shutdown_date.as_deref().unwrap_or("?");
    let instead = l.replacement.as_deref().map(|r| format!(", use {r}")).unwrap_or_default();
    match l.state {
        ModelState::Active => "active".into(),
        ModelState::Deprecated => format!("shuts down {date}{instead}"),
        ModelState::Retired => format!("retired {date}{instead}"),
    }
}

pub fn print_models(models: &[ModelEntry]) {
    println!("{:<30} {:<15} {:<12} {:<11} replacement", "model", "capability", "state", "shutdown");
    for m in models {
        let l = m.lifecycle.as_ref();
        println!(
            "{:<30} {:<15} {:<12} {:<11} {}",
            m.id,
            m.capability.name(),
            model_state(m),
            l.and_then(|l| l.shutdown_date.as_deref()).unwrap_or("-"),
            l.and_then(|l| l.replacement.as_deref()).unwrap_or("-"),
        );
    }
}
