//! The component's shape: what it exports, what it imports (so a new import
//! cannot slip in unnoticed), and what `info()` tells a host.

use visual_host::bindings::{Capability, ImageFormat, PromptStyle};

use crate::harness::plugin;

/// Exactly what the component may import; README.md lists and justifies each.
const ALLOWED_IMPORTS: &[&str] = &[
    // The contract's shared types (a type-only instance: nothing to link).
    "talemate:visual/types@0.1.0",
    // Outgoing HTTP, which the host filters; what the plugin is for.
    "wasi:http/outgoing-handler@0.2.12",
    "wasi:http/types@0.2.12",
    "wasi:io/error@0.2.12",
    "wasi:io/poll@0.2.12",
    "wasi:io/streams@0.2.12",
    // Waiting between retries; retry jitter and multipart boundaries.
    "wasi:clocks/monotonic-clock@0.2.12",
    "wasi:random/random@0.2.12",
    // Pulled in by Rust's std for wasm32-wasip2 (start-up, exit, panic output).
    // The host grants an empty environment and no arguments, and stdio is a sink.
    "wasi:cli/environment@0.2.12",
    "wasi:cli/exit@0.2.12",
    "wasi:cli/stderr@0.2.12",
    "wasi:cli/stdin@0.2.12",
    "wasi:cli/stdout@0.2.12",
    "wasi:cli/terminal-input@0.2.12",
    "wasi:cli/terminal-output@0.2.12",
    "wasi:cli/terminal-stderr@0.2.12",
    "wasi:cli/terminal-stdin@0.2.12",
    "wasi:cli/terminal-stdout@0.2.12",
];

/// What must never be imported: no filesystem, no sockets.
#[test]
fn imports_no_filesystem_or_sockets() {
    for name in ALLOWED_IMPORTS {
        assert!(!name.starts_with("wasi:filesystem") && !name.starts_with("wasi:sockets"), "{name}");
    }
}

#[test]
fn exports_the_versioned_contract() {
    let plugin = plugin();
    assert_eq!(plugin.contract, "talemate:visual/visual-backend@0.1.0");
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
    let mut allowed: Vec<String> = ALLOWED_IMPORTS.iter().map(|s| s.to_string()).collect();
    allowed.sort();
    assert_eq!(imports, allowed, "the component's imports changed; update README.md and this list together");
}

#[tokio::test(flavor = "multi_thread")]
async fn info_describes_models_sizes_and_prompt_style() {
    let info = plugin().info().await.unwrap();
    assert_eq!(info.name, "openai");
    assert_eq!(info.label, "OpenAI");
    assert_eq!(info.prompt_style, PromptStyle::Descriptive);
    let cap = |c: Capability| info.capabilities.iter().find(|i| i.capability == c).expect("capability listed");

    let t2i = cap(Capability::TextToImage);
    assert!(t2i.supported);
    assert_eq!(t2i.default_model.as_deref(), Some("dall-e-3"));
    assert!(t2i.accepts_unknown_models);
    for id in ["dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"] {
        let model = t2i.models.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} listed"));
        let landscape = model.sizes.iter().find(|s| s.format == ImageFormat::Landscape).unwrap();
        let expected = if id == "dall-e-3" { (1792, 1024) } else { (1536, 1024) };
        assert_eq!((landscape.size.width, landscape.size.height), expected, "{id}");
        if id.starts_with("gpt-image") {
            assert!(model.note.as_deref().unwrap_or("").contains("verif"), "{id} notes organization verification");
        }
    }

    let edit = cap(Capability::ImageEdit);
    assert!(edit.supported);
    assert_eq!(edit.default_model.as_deref(), Some("gpt-image-1"));
    assert_eq!(edit.max_reference_images, 16);
    assert!(edit.models.iter().all(|m| m.id != "dall-e-3"), "dall-e-3 cannot edit");

    let analysis = cap(Capability::ImageAnalysis);
    assert!(analysis.supported);
    assert_eq!(analysis.default_model.as_deref(), Some("gpt-4.1-mini"));
    assert!(analysis.models.iter().any(|m| m.id == "gpt-4o-mini"));
}
