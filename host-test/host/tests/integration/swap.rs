//! One runtime, four backends: the library loads the OpenAI backend, the
//! offline placeholder and the placeholder built for contracts 0.2 and 0.1
//! side by side, presents all of them in the 0.3 shape, and refuses a
//! component built for a contract version it does not speak before
//! instantiating it.

use std::path::Path;

use visual_host::bindings::{
    Capability, Error, GenerateRequest, GenerationEvent, ImageFormat, Parameter, Setting, ValueKind,
};
use visual_host::runtime::{Runtime, RuntimeOptions};
use visual_host::sandbox::NetworkPolicy;

use crate::harness::{mock, png_size, settings};

use guest_components::{Guest, ALL as BACKENDS, FUTURE_CONTRACT_WAT};

fn runtime() -> Runtime {
    Runtime::new(RuntimeOptions { cache: None, ..RuntimeOptions::default() }).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_runtime_holds_every_backend_at_once() {
    let mock = mock().await;
    let runtime = runtime();
    let plugins: Vec<_> = BACKENDS.iter().map(|g| runtime.load(Path::new(g.path)).unwrap()).collect();

    for (plugin, Guest { name, contract: version, .. }) in plugins.iter().zip(BACKENDS) {
        let info = plugin.info().await.unwrap();
        assert_eq!(info.name, name);
        assert_eq!(plugin.contract, format!("talemate:visual/visual-backend@{version}"));

        // Each gets the settings it declares, and nothing else.
        let wanted: Vec<Setting> = settings(&mock).into_iter().filter(|s| info.setting(&s.name).is_some()).collect();
        let network = plugin.network_policy(&wanted).await.unwrap();
        let mut session = plugin.connect(&wanted, network).await.unwrap().unwrap();
        let mut request = GenerateRequest::new("a red fox in snow", ImageFormat::Square);
        // The host picks a model by what the backend declares, not by knowing it.
        request.model = info.capability(Capability::TextToImage).and_then(|c| {
            c.models
                .iter()
                .filter(|m| m.lifecycle.as_ref().is_none_or(|l| l.state != visual_host::bindings::ModelState::Retired))
                .find(|m| {
                    m.sizes
                        .formats
                        .iter()
                        .any(|fs| fs.format == ImageFormat::Square && (fs.size.width, fs.size.height) == (1024, 1024))
                })
                .map(|m| m.id.clone())
        });
        let generation = session.generate(&request).await.unwrap().unwrap_or_else(|e| {
            panic!("{name} {version}: {}", e.message());
        });
        assert_eq!(png_size(&generation.images[0].data), (1024, 1024), "{name} {version}");
        // The placeholders import no wasi:http: they cannot have tried the network.
        assert!(session.denied().is_empty(), "{name}: {:?}", session.denied());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_0_2_backend_is_presented_in_the_0_3_shape() {
    let plugin = runtime().load(Path::new(guest_components::PLACEHOLDER_BACKEND_V0_2)).unwrap();
    assert_eq!(plugin.contract, "talemate:visual/visual-backend@0.2.0");
    let info = plugin.info().await.unwrap();
    let t2i = info.capability(Capability::TextToImage).unwrap();
    // What 0.2 could not say is left empty; its image models made png, jpeg and webp.
    assert!(!t2i.accepts_extra_parameters);
    assert_eq!(t2i.models[0].output_formats, ["png", "jpeg", "webp"]);
    assert!(t2i.models[0].default_output_format.is_none() && t2i.models[0].prices.is_none());
    let free = info.capability(Capability::ImageAnalysis).unwrap();
    assert!(free.models[0].output_formats.is_empty());

    let mut session = plugin.connect(&[], NetworkPolicy::deny_all()).await.unwrap().unwrap();
    let mut request = GenerateRequest::new("a fox", ImageFormat::Square);
    let generation = session.generate(&request).await.unwrap().unwrap();
    assert_eq!(png_size(&generation.images[0].data), (1024, 1024));
    assert!(generation.cost.is_none(), "nothing to price");
    // Streams come through the 0.2 step too.
    let stream = session.start_generate(&request, 1).await.unwrap().unwrap();
    let mut events = 0;
    while let Some(event) = session.next_event(&stream).await.unwrap() {
        event.unwrap();
        events += 1;
    }
    assert_eq!(events, 2);
    session.close_stream(stream).await.unwrap();
    let status = session.check(Capability::TextToImage, None).await.unwrap().unwrap();
    assert_eq!(status.level, visual_host::bindings::StatusLevel::Ok);
    assert_eq!(session.models(None).await.unwrap().unwrap().len(), 3);

    // What 0.3 added and 0.2 cannot express is refused before the call, saying so.
    request.output_format = Some("gif".into());
    let refused = session.generate(&request).await.unwrap().unwrap_err();
    assert!(refused.message().contains("contract 0.2"), "{}", refused.message());
    request.output_format = None;
    request.extra = vec![Parameter::number("seed", 7.0)];
    let refused = session.generate(&request).await.unwrap().unwrap_err();
    assert!(refused.message().contains("takes no extra parameters"), "{}", refused.message());
    let mut edit = visual_host::bindings::EditRequest::new("x", ImageFormat::Square, vec![vec![0x89]]);
    edit.options = vec![Parameter::image("markup", vec![1, 2, 3])];
    let refused = session.edit(&edit).await.unwrap().unwrap_err();
    assert_eq!(refused.message(), "option \"markup\" is an image, which a backend built for contract 0.2 cannot take");
    // Typed options reach it as the text 0.2 carried, and its own checks answer.
    let mut typed = GenerateRequest::new("a fox", ImageFormat::Square);
    typed.options = vec![Parameter::number("sharpness", 9.0)];
    let refused = session.generate(&typed).await.unwrap().unwrap_err();
    assert!(refused.message().contains("\"sharpness\""), "{}", refused.message());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_0_1_backend_is_presented_in_the_0_3_shape() {
    let plugin = runtime().load(Path::new(guest_components::PLACEHOLDER_BACKEND_V0_1)).unwrap();
    let info = plugin.info().await.unwrap();
    // Its fixed settings record becomes declared settings of the matching kinds.
    assert!(matches!(info.setting("api-key").unwrap().kind, ValueKind::Secret));
    assert!(matches!(info.setting("base-url").unwrap().kind, ValueKind::Url));
    assert!(matches!(info.setting("generation-timeout").unwrap().kind, ValueKind::Duration));
    assert!(matches!(info.setting("extra-headers").unwrap().kind, ValueKind::Pairs));
    // Its models carry no lifecycle; its request fields become a quality list and options.
    let t2i = info.capability(Capability::TextToImage).unwrap();
    let model = &t2i.models[0];
    assert!(model.lifecycle.is_none());
    assert!(model.qualities.iter().any(|q| q == "hd"));
    assert!(model.options.iter().any(|o| o.name == "background"));

    let settings = [Setting::duration("generation-timeout", std::time::Duration::from_secs(5))];
    let network = plugin.network_policy(&settings).await.unwrap();
    // 0.1's documented default base URL is what it may reach, and only that.
    assert_eq!(network.allowed(), ["api.openai.com:443"]);
    let mut session = plugin.connect(&settings, network).await.unwrap().unwrap();

    // What 0.1 cannot express is refused before the call, as a 0.2 backend would.
    let mut request = GenerateRequest::new("a fox", ImageFormat::Portrait);
    request.quality = Some("xhigh".into());
    assert!(matches!(session.generate(&request).await.unwrap(), Err(Error::InvalidInput(_))));
    request.quality = Some("high".into());
    request.options = vec![Parameter::text("sharpness", "9")];
    assert!(matches!(session.generate(&request).await.unwrap(), Err(Error::InvalidInput(_))));

    // What it can is converted both ways: a streamed generation, and `models` from `info()`.
    request.options = vec![Parameter::text("background", "opaque")];
    let stream = session.start_generate(&request, 2).await.unwrap().unwrap();
    let mut partials = 0;
    loop {
        match session.next_event(&stream).await.unwrap().expect("an event").unwrap() {
            GenerationEvent::Partial(_) => partials += 1,
            GenerationEvent::Completed(g) => {
                assert_eq!(png_size(&g.images[0].data), (1024, 1536));
                break;
            }
        }
    }
    assert_eq!(partials, 2);
    session.close_stream(stream).await.unwrap();
    let models = session.models(Some(Capability::ImageEdit)).await.unwrap().unwrap();
    assert_eq!(models.len(), 1);
    assert!(models[0].listed && models[0].lifecycle.is_none());

    // A setting it does not know is refused by name.
    let unknown = [Setting::text("api_key", "sk-typo")];
    let refused = plugin.connect(&unknown, NetworkPolicy::deny_all()).await.unwrap();
    match refused {
        Err(e) => assert!(e.message().contains("\"api_key\""), "{}", e.message()),
        Ok(_) => panic!("an unknown setting was accepted"),
    }
}

#[test]
fn a_future_contract_version_is_refused_by_the_library() {
    let error = match runtime().load_bytes(FUTURE_CONTRACT_WAT.as_bytes()) {
        Ok(_) => panic!("a 0.4.0 component was accepted"),
        Err(e) => format!("{e:#}"),
    };
    assert!(error.contains("talemate:visual/visual-backend@0.4.0"), "{error}");
    assert!(error.contains("talemate:visual/visual-backend@0.3.x"), "{error}");
    assert!(error.contains("talemate:visual/visual-backend@0.2.x"), "{error}");
    assert!(error.contains("talemate:visual/visual-backend@0.1.x"), "{error}");
}
