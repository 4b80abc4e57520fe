//! What `info` and `models` print for a person (without `--json`).

use visual_host::bindings::{
    BackendInfo, Capability, ImageFormat, Lifecycle, ModelEntry, ModelInfo, ModelState, PromptStyle, ValueKind, WitEnum,
};

use crate::report::model_state;

pub fn print_info(info: &BackendInfo) {
    println!("{} ({}) v{}", info.label, info.name, info.version);
    println!("{}", info.description);
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
    }
    if !info.settings.is_empty() {
        println!();
        println!("settings (--setting NAME=VALUE):");
        for s in &info.settings {
            let kind = match &s.kind {
                ValueKind::Choice(choices) => format!("one of {}", choices.join(", ")),
                other => other.name().to_string(),
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
    if !m.options.is_empty() {
        let names: Vec<&str> = m.options.iter().map(|o| o.name.as_str()).collect();
        println!("  {:<24} options: {}", "", names.join(", "));
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
