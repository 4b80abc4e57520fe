//! The component's shape: what it exports, what it imports (so a new import
//! cannot slip in unnoticed), and what `info()` tells a host.

use visual_host::bindings::{Capability, CapabilityInfo, ImageFormat, ModelInfo, ModelState, PromptStyle, ValueKind};

use crate::harness::plugin;

/// The imports src/README.md's table lists: every backquoted `package:name/interface@version` in the rows of the
/// table under "What the component imports, and why".
fn readme_imports() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/README.md")).unwrap();
    let section = readme.split("## What the component imports, and why").nth(1).expect("the README's import section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut names = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = row.split(" | ").next().unwrap_or_default();
        for quoted in first_cell.split('`').skip(1).step_by(2) {
            assert!(quoted.contains(':') && quoted.contains('/') && quoted.contains('@'), "not an import: {quoted}");
            names.push(quoted.to_string());
        }
    }
    assert!(!names.is_empty(), "the README's import table is empty");
    names.sort();
    names
}

/// What must never be imported: no filesystem, no sockets.
#[test]
fn imports_no_filesystem_or_sockets() {
    for name in readme_imports() {
        assert!(!name.starts_with("wasi:filesystem") && !name.starts_with("wasi:sockets"), "{name}");
    }
}

#[test]
fn exports_the_versioned_contract() {
    let plugin = plugin();
    assert_eq!(plugin.contract, "talemate:visual/visual-backend@0.3.0");
}

#[test]
fn imports_only_what_the_readme_lists() {
    let plugin = plugin();
    let mut imports: Vec<String> = plugin
        .component()
        .component_type()
        .imports(plugin.component().engine())
        .map(|(name, _)| name.to_string())
        .collect();
    imports.sort();
    assert_eq!(imports, readme_imports(), "the component's imports changed; update src/README.md's import table");
}

#[tokio::test(flavor = "multi_thread")]
async fn info_describes_models_lifecycle_sizes_and_prompt_style() {
    let info = plugin().info().await.unwrap();
    assert_eq!(info.name, "openai");
    assert_eq!(info.label, "OpenAI");
    assert_eq!(info.prompt_style, PromptStyle::Descriptive);
    let cap = |c: Capability| info.capability(c).expect("capability listed");
    let state =
        |m: &ModelInfo| m.lifecycle.as_ref().map(|l| (l.state, l.shutdown_date.clone(), l.replacement.is_some()));

    let t2i = cap(Capability::TextToImage);
    assert!(t2i.supported);
    assert_eq!(t2i.default_model.as_deref(), Some("gpt-image-2.6-flare"));
    assert!(t2i.accepts_unknown_models && t2i.accepts_extra_parameters);
    for id in ["dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"]
        .into_iter()
        .chain(["gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "gpt-image-2.6-flare", "gpt-image-2.6-sunburst"])
    {
        let model = t2i.models.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} listed"));
        let landscape = model.sizes.formats.iter().find(|s| s.format == ImageFormat::Landscape).unwrap();
        let expected = if id == "dall-e-3" { (1792, 1024) } else { (1536, 1024) };
        assert_eq!((landscape.size.width, landscape.size.height), expected, "{id}");
        if id.starts_with("gpt-image") {
            assert!(model.note.as_deref().unwrap_or("").contains("verif"), "{id} notes organization verification");
        }
    }
    // The seed's models keep their rows, with the day they stopped and what replaced them.
    let model = |c: &CapabilityInfo, id: &str| c.models.iter().find(|m| m.id == id).cloned().unwrap();
    assert_eq!(state(&model(t2i, "dall-e-3")), Some((ModelState::Retired, Some("2026-05-12".into()), true)));
    assert_eq!(state(&model(t2i, "gpt-image-1")), Some((ModelState::Retired, Some("2026-10-23".into()), true)));
    assert_eq!(state(&model(t2i, "gpt-image-1-mini")), Some((ModelState::Retired, Some("2026-12-01".into()), true)));
    assert_eq!(state(&model(t2i, "gpt-image-2.5-flare")), Some((ModelState::Active, None, false)));
    // What varies from model to model is data: tiers, free sizes, options.
    let sunburst = model(t2i, "gpt-image-2.5-sunburst");
    assert!(["xhigh", "max"].iter().all(|q| sunburst.qualities.iter().any(|t| t == q)), "{:?}", sunburst.qualities);
    assert!(!model(t2i, "gpt-image-2").qualities.iter().any(|t| t == "max"));
    let free = sunburst.sizes.free.as_ref().expect("free sizes");
    assert_eq!((free.step, free.max_long_side, free.max_short_side, free.max_aspect_ratio), (16, 3840, 2160, 3));
    assert!(model(t2i, "gpt-image-1").sizes.free.is_none());
    assert!(sunburst.options.iter().any(|o| o.name == "background"));
    assert!(model(t2i, "dall-e-3").options.iter().any(|o| o.name == "style"));
    // 2.6's additions are data too: options of new kinds, output formats, prices.
    let flare = model(t2i, "gpt-image-2.6-flare");
    assert_eq!(flare.output_formats, ["png", "jpeg", "webp", "gif", "svg"]);
    assert_eq!(flare.default_output_format.as_deref(), Some("png"));
    let option = |m: &ModelInfo, name: &str| m.options.iter().find(|o| o.name == name).cloned().unwrap();
    assert!(matches!(option(&flare, "complexity").kind, ValueKind::Choice(ref c) if c == &["low", "medium", "high"]));
    match option(&flare, "frame-duration-ms").kind {
        ValueKind::Number(range) => {
            assert_eq!((range.min, range.max, range.step), (Some(20.0), Some(2000.0), Some(10.0)))
        }
        other => panic!("{other:?}"),
    }
    let prices = flare.prices.expect("2.6 carries its prices");
    assert_eq!((prices.text_input, prices.image_input, prices.image_output), (Some(5.0), Some(8.0), Some(30.0)));
    assert!(prices.source.starts_with("https://"), "{}", prices.source);
    assert!(model(t2i, "dall-e-3").output_formats.is_empty());

    let edit = cap(Capability::ImageEdit);
    assert!(edit.supported);
    assert_eq!(edit.default_model.as_deref(), Some("gpt-image-2.6-sunburst"));
    let sunburst26 = model(edit, "gpt-image-2.6-sunburst");
    assert!(matches!(option(&sunburst26, "markup").kind, ValueKind::Image(ref t) if t == &["image/png"]));
    assert_eq!(sunburst26.output_formats, ["png", "jpeg", "webp", "gif"]);
    assert_eq!(edit.max_reference_images, 16);
    assert!(edit.models.iter().all(|m| m.id != "dall-e-3"), "dall-e-3 cannot edit");

    let analysis = cap(Capability::ImageAnalysis);
    assert!(analysis.supported);
    assert_eq!(analysis.default_model.as_deref(), Some("gpt-6-luna"));
    let mini = model(analysis, "gpt-4o-mini");
    assert_eq!(state(&mini), Some((ModelState::Deprecated, Some("2027-01-14".into()), true)));
    assert!(analysis.models.iter().any(|m| m.id == "gpt-4.1-mini"));
    assert_eq!(state(&model(analysis, "gpt-5")), Some((ModelState::Deprecated, Some("2026-12-11".into()), true)));
    for id in ["gpt-6-luna", "gpt-6.1-sol", "gpt-6.1-terra"] {
        let m = model(analysis, id);
        assert_eq!(state(&m), Some((ModelState::Active, None, false)), "{id}");
        assert!(m.prices.as_ref().and_then(|p| p.text_output).is_some(), "{id} carries its prices");
    }

    // The settings a host renders, with the names hosts rely on.
    let api_key = info.setting("api-key").expect("api-key declared");
    assert!(matches!(api_key.kind, ValueKind::Secret) && api_key.required);
    let base_url = info.setting("base-url").expect("base-url declared");
    assert!(matches!(base_url.kind, ValueKind::Url));
    assert_eq!(base_url.default.as_ref().and_then(|v| v.as_text()), Some("https://api.openai.com/v1"));
    let timeout = info.setting("generation-timeout").expect("generation-timeout declared");
    assert!(matches!(timeout.kind, ValueKind::Duration));
    assert!(matches!(timeout.default, Some(visual_host::bindings::Value::Duration(301_000))));
    for name in ["organization", "project", "extra-headers", "azure-endpoint", "max-retries"] {
        assert!(info.setting(name).is_some(), "{name} declared");
    }
}
