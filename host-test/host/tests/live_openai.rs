//! The defaults against the real OpenAI API: generate, edit and analyze with
//! no model named, through the real component, and say which models answered.
//!
//! Opt-in: it runs only when `VISUAL_HOST_LIVE_OPENAI_KEY` holds a key (with a
//! verified organization, which the GPT image models need) at build and run
//! time, and costs a few cents. Without it `cargo test` lists it as ignored,
//! with this reason. There is no network on CI machines; people who hold keys
//! run it: `VISUAL_HOST_LIVE_OPENAI_KEY=sk-... cargo test -p visual-host --test live_openai -- --nocapture`.

use std::time::Duration;

use visual_host::bindings::{AnalyzeRequest, EditRequest, GenerateRequest, ImageFormat, Setting};
use visual_host::runtime::{Runtime, RuntimeOptions};

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(live_openai), ignore = "set VISUAL_HOST_LIVE_OPENAI_KEY to run against the real OpenAI API")]
async fn the_defaults_work_against_the_real_api() {
    let key = std::env::var("VISUAL_HOST_LIVE_OPENAI_KEY").expect("VISUAL_HOST_LIVE_OPENAI_KEY at run time too");
    let runtime = Runtime::new(RuntimeOptions { cache: None, ..RuntimeOptions::default() }).unwrap();
    let plugin = runtime.load(guest_components::OPENAI_BACKEND.as_ref()).unwrap();
    // Everything but the key at its default: api.openai.com, and only it.
    let settings = [Setting::text("api-key", key), Setting::duration("generation-timeout", Duration::from_secs(300))];
    let network = plugin.network_policy(&settings).await.unwrap();
    assert_eq!(network.allowed(), ["api.openai.com:443"]);
    let mut session = plugin.connect(&settings, network).await.unwrap().expect("opening the client");
    let say = |what: &str, e: visual_host::bindings::Error| -> ! { panic!("{what}: {} ({})", e.message(), e.kind()) };

    let generation = session
        .generate(&GenerateRequest::new("a lighthouse at dusk, oil painting", ImageFormat::Landscape))
        .await
        .unwrap()
        .unwrap_or_else(|e| say("generate", e));
    let image = &generation.images[0];
    assert_eq!((image.width, image.height), (1536, 1024));
    println!("generate: {} made a {} {}x{}", generation.model, image.mime_type, image.width, image.height);

    let edit = EditRequest::new("the same lighthouse at night", ImageFormat::Landscape, vec![image.data.clone()]);
    let edited = session.edit(&edit).await.unwrap().unwrap_or_else(|e| say("edit", e));
    println!("edit: {} made {} image(s)", edited.model, edited.images.len());

    let question = AnalyzeRequest::new(image.data.clone(), "What is in this picture? One sentence.");
    let analysis = session.analyze(&question).await.unwrap().unwrap_or_else(|e| say("analyze", e));
    assert!(!analysis.text.trim().is_empty() || analysis.truncated, "an answer");
    println!("analyze: {} said {:?}", analysis.model, analysis.text);
}
