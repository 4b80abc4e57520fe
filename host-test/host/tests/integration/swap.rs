//! One runtime, two backends: the library loads the OpenAI backend and the
//! offline placeholder backend side by side, and refuses a component built
//! for a contract version it does not speak before instantiating it.

use std::path::Path;

use openai_mock::{MockConfig, MockServer};
use visual_host::bindings::{ImageFormat, Settings};
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::{NetworkPolicy, DEFAULT_MEMORY_LIMIT};

const BACKENDS: [(&str, &str); 2] =
    [(guest_components::OPENAI_BACKEND, "openai"), (guest_components::PLACEHOLDER_BACKEND, "placeholder")];

/// A component that exports the contract's interface at 0.2.0: what a backend
/// built against a future, incompatible contract looks like from outside.
const FUTURE_CONTRACT_WAT: &str = r#"
(component
  (instance $backend)
  (export "talemate:visual/visual-backend@0.2.0" (instance $backend))
)
"#;

/// Width and height from a PNG's IHDR, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn one_runtime_holds_both_backends_at_once() {
    let tokio = tokio::runtime::Runtime::new().unwrap();
    tokio.block_on(async {
        let mock = MockServer::start(MockConfig::default()).await.unwrap();
        let settings =
            Settings { base_url: Some(mock.base_url()), ..Settings::with_key(MockConfig::default().api_key) };
        let runtime = Runtime::new(RuntimeOptions { cache: None, memory_limit: DEFAULT_MEMORY_LIMIT }).unwrap();
        let plugins: Vec<_> = BACKENDS.iter().map(|(wasm, _)| runtime.load(Path::new(wasm)).unwrap()).collect();

        for (plugin, (_, name)) in plugins.iter().zip(BACKENDS) {
            let info = plugin.info().await.unwrap();
            assert_eq!(info.name, name);
            assert_eq!(plugin.contract, "talemate:visual/visual-backend@0.1.0");

            let network = NetworkPolicy::for_settings(&settings).unwrap();
            let mut session = plugin.connect(&settings, network).await.unwrap().unwrap();
            let mut request = visual_host::bindings::GenerateRequest::new("a red fox in snow", ImageFormat::Square);
            request.model = info
                .capabilities
                .iter()
                .find(|c| c.capability == visual_host::bindings::Capability::TextToImage)
                .and_then(|c| {
                    c.models.iter().find(|m| {
                        m.sizes.iter().any(|fs| {
                            fs.format == ImageFormat::Square && (fs.size.width, fs.size.height) == (1024, 1024)
                        })
                    })
                })
                .map(|m| m.id.clone());
            let generation = session.generate(&request).await.unwrap().unwrap_or_else(|e| {
                panic!("{name}: {}", visual_host::bindings::error_message(&e));
            });
            assert_eq!(png_size(&generation.images[0].data), (1024, 1024), "{name}");
            // The placeholder imports no wasi:http: it cannot have tried the network.
            assert!(session.denied().is_empty(), "{name}: {:?}", session.denied());
        }
    });
}

#[test]
fn a_future_contract_version_is_refused_by_the_library() {
    let runtime = Runtime::new(RuntimeOptions { cache: None, memory_limit: DEFAULT_MEMORY_LIMIT }).unwrap();
    let error = match runtime.load_bytes(FUTURE_CONTRACT_WAT.as_bytes()) {
        Ok(_) => panic!("a 0.2.0 component was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(error.contains("talemate:visual/visual-backend@0.2.0"), "{error}");
    assert!(error.contains("talemate:visual/visual-backend@0.1.x"), "{error}");
}
