//! Text to image through the real component: every model and format yields
//! the table's exact size (today's models against today's API, the seed's
//! against a gateway that still serves them), the mock saw a valid request,
//! and bad input is refused before anything is sent.

use openai_mock::MockServer;
use visual_host::bindings::{Error, GenerateRequest, ImageFormat, Parameter, Size};

use crate::harness::{gateway, mock, session};

const FORMATS: [(ImageFormat, &str); 3] =
    [(ImageFormat::Landscape, "landscape"), (ImageFormat::Portrait, "portrait"), (ImageFormat::Square, "square")];

type Row = (&'static str, (u32, u32), (u32, u32), (u32, u32));

/// The product's size table for today's models: (model, landscape, portrait, square).
const TODAY: &[Row] = &[
    ("gpt-image-2", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-2.5-flare", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-2.5-sunburst", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-2.5-flare-2026-09-08", (1536, 1024), (1024, 1536), (1024, 1024)),
];

/// The seed's models, which gateways and Azure deployments still serve.
const SEED: &[Row] = &[
    ("dall-e-3", (1792, 1024), (1024, 1792), (1024, 1024)),
    ("gpt-image-1", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-1-mini", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-1.5", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("gpt-image-2", (1536, 1024), (1024, 1536), (1024, 1024)),
    ("chatgpt-image-latest", (1536, 1024), (1024, 1536), (1024, 1024)),
    // An id the backend does not know passes through with GPT image defaults.
    ("my-gateway-image-model", (1536, 1024), (1024, 1536), (1024, 1024)),
];

#[tokio::test(flavor = "multi_thread")]
async fn todays_models_yield_the_exact_size_for_every_format() {
    assert_sizes(&mock().await, TODAY).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seeds_models_still_work_where_they_are_served() {
    assert_sizes(&gateway().await, SEED).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_model_named_the_default_is_a_current_model() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let generation = session.generate(&GenerateRequest::new("a lighthouse", ImageFormat::Landscape)).await.unwrap();
    let generation = generation.unwrap_or_else(|e| panic!("{}: {}", e.kind(), e.message()));
    assert_eq!(generation.model, "gpt-image-2.6-flare");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 1024));
    assert_eq!(mock.requests()[0].json().unwrap()["model"], "gpt-image-2.6-flare");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retired_model_is_not_found_and_the_message_says_what_to_use() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let request = GenerateRequest { model: Some("dall-e-3".into()), ..GenerateRequest::new("x", ImageFormat::Square) };
    match session.generate(&request).await.unwrap() {
        Err(Error::NotFound(f)) => {
            assert_eq!(f.status, Some(404));
            assert!(f.message.contains("retired") && f.message.contains("2026-05-12"), "{}", f.message);
            assert!(f.message.contains("gpt-image-2.5"), "names a current model: {}", f.message);
        }
        other => panic!("expected not-found, got {other:?}"),
    }
}

async fn assert_sizes(mock: &MockServer, table: &[Row]) {
    let mut session = session(mock).await;
    for &(model, landscape, portrait, square) in table {
        for (format, name) in FORMATS {
            let (w, h) = match format {
                ImageFormat::Landscape => landscape,
                ImageFormat::Portrait => portrait,
                ImageFormat::Square => square,
            };
            mock.clear_requests();
            let request = GenerateRequest {
                model: Some(model.into()),
                ..GenerateRequest::new(format!("a lighthouse at dusk, {name}"), format)
            };
            let generation = session
                .generate(&request)
                .await
                .expect("no trap")
                .unwrap_or_else(|e| panic!("{model} {name}: {}: {}", e.kind(), e.message()));
            assert_eq!(generation.images.len(), 1);
            let image = &generation.images[0];
            assert_eq!((image.width, image.height), (w, h), "{model} {name}");
            assert_eq!(image.mime_type, "image/png");
            assert_eq!(&image.data[1..4], b"PNG");
            assert_eq!(generation.model, model);

            let seen = mock.requests();
            assert_eq!(seen.len(), 1, "{model} {name}: exactly one request");
            let seen = &seen[0];
            assert!(seen.verdict.is_ok(), "{model} {name}: mock rejected {:?}", seen.verdict);
            assert_eq!(seen.method, "POST");
            assert!(seen.path.ends_with("/images/generations"));
            assert_eq!(seen.header("authorization"), Some(format!("Bearer {}", crate::harness::KEY).as_str()));
            let body = seen.json().expect("JSON body");
            assert_eq!(body["model"], model);
            assert_eq!(body["size"], format!("{w}x{h}"));
            if model == "dall-e-3" {
                assert_eq!(body["response_format"], "b64_json");
                assert!(generation.revised_prompt.is_some(), "dall-e-3 returns a revised prompt");
            } else {
                assert!(body.get("response_format").is_none(), "GPT image models never get response_format");
                assert!(body.get("style").is_none());
                assert!(generation.usage.is_some(), "GPT image models report usage");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn several_images_and_options_arrive() {
    let mock = gateway().await;
    let mut session = session(&mock).await;
    let request = GenerateRequest {
        model: Some("gpt-image-2.5-flare".into()),
        n: Some(3),
        quality: Some("low".into()),
        options: vec![Parameter::text("background", "opaque"), Parameter::text("moderation", "low")],
        ..GenerateRequest::new("three moons", ImageFormat::Portrait)
    };
    let generation = session.generate(&request).await.unwrap().unwrap();
    assert_eq!(generation.images.len(), 3);
    assert!(generation.images.iter().all(|i| (i.width, i.height) == (1024, 1536)));
    let body = mock.requests()[0].json().unwrap();
    assert_eq!(body["n"], 3);
    assert_eq!(body["quality"], "low");
    assert_eq!((body["background"].as_str(), body["moderation"].as_str()), (Some("opaque"), Some("low")));

    let request = GenerateRequest {
        model: Some("dall-e-3".into()),
        quality: Some("hd".into()),
        options: vec![Parameter::text("style", "natural")],
        ..GenerateRequest::new("a quiet harbour", ImageFormat::Landscape)
    };
    session.generate(&request).await.unwrap().unwrap();
    let body = mock.requests()[1].json().unwrap();
    assert_eq!((body["quality"].as_str(), body["style"].as_str()), (Some("hd"), Some("natural")));
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_sizes_are_checked_against_the_model() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let sized = |model: &str, width, height| GenerateRequest {
        model: Some(model.into()),
        size: Some(Size { width, height }),
        ..GenerateRequest::new("a wide valley", ImageFormat::Landscape)
    };
    let generation = session.generate(&sized("gpt-image-2", 1536, 864)).await.unwrap().unwrap();
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 864));
    assert_eq!(mock.requests().len(), 1);

    // The 2.5 family's free sizes and top tiers.
    let wide = GenerateRequest { quality: Some("xhigh".into()), ..sized("gpt-image-2.5-sunburst", 2560, 1440) };
    let generation = session.generate(&wide).await.unwrap().unwrap_or_else(|e| panic!("{}", e.message()));
    assert_eq!((generation.images[0].width, generation.images[0].height), (2560, 1440));
    let body = mock.requests()[1].json().unwrap();
    assert_eq!((body["size"].as_str(), body["quality"].as_str()), (Some("2560x1440"), Some("xhigh")));
    mock.clear_requests();

    for (model, w, h) in [
        ("gpt-image-2", 1000, 1000), // not multiples of 16
        ("gpt-image-2", 3840, 1024), // ratio over 3:1
        ("gpt-image-2", 4096, 2304), // over 3840x2160
        ("gpt-image-1", 1536, 864),  // not one of gpt-image-1's sizes
        ("dall-e-3", 1536, 1024),    // not one of dall-e-3's sizes
    ] {
        let result = session.generate(&sized(model, w, h)).await.unwrap();
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{model} {w}x{h}: {result:?}");
    }
    assert!(mock.requests().is_empty(), "no request was sent for a bad size");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_anything_is_sent() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let base = |model: &str| GenerateRequest {
        model: Some(model.into()),
        ..GenerateRequest::new("a red fox", ImageFormat::Square)
    };
    let cases: Vec<(&str, GenerateRequest)> = vec![
        ("empty prompt", GenerateRequest { prompt: String::new(), ..base("gpt-image-1") }),
        ("blank prompt", GenerateRequest { prompt: "  \n ".into(), ..base("gpt-image-2.5-flare") }),
        ("prompt over 4000 for dall-e-3", GenerateRequest { prompt: "a".repeat(4001), ..base("dall-e-3") }),
        ("prompt over 32000", GenerateRequest { prompt: "a".repeat(32001), ..base("gpt-image-2.5-flare") }),
        ("n = 2 for dall-e-3", GenerateRequest { n: Some(2), ..base("dall-e-3") }),
        ("n = 0", GenerateRequest { n: Some(0), ..base("gpt-image-1") }),
        ("n = 11", GenerateRequest { n: Some(11), ..base("gpt-image-2") }),
        ("hd for gpt-image-1", GenerateRequest { quality: Some("hd".into()), ..base("gpt-image-1") }),
        ("low for dall-e-3", GenerateRequest { quality: Some("low".into()), ..base("dall-e-3") }),
        ("max for gpt-image-2", GenerateRequest { quality: Some("max".into()), ..base("gpt-image-2") }),
        ("a tier nobody has", GenerateRequest { quality: Some("ultra".into()), ..base("gpt-image-2.5-sunburst") }),
        (
            "style for gpt-image-1",
            GenerateRequest { options: vec![Parameter::text("style", "vivid")], ..base("gpt-image-1") },
        ),
        (
            "an unknown option",
            GenerateRequest { options: vec![Parameter::text("sharpness", "9")], ..base("gpt-image-2") },
        ),
        (
            "a choice outside its values",
            GenerateRequest { options: vec![Parameter::text("background", "plaid")], ..base("gpt-image-2.5-flare") },
        ),
        (
            "a number that is not one",
            GenerateRequest { options: vec![Parameter::text("output-compression", "lots")], ..base("gpt-image-2") },
        ),
    ];
    for (what, request) in cases {
        let result = session.generate(&request).await.expect("no trap");
        match result {
            Err(Error::InvalidInput(message)) => assert!(!message.is_empty(), "{what}: empty message"),
            other => panic!("{what}: expected invalid-input, got {other:?}"),
        }
    }
    assert!(mock.requests().is_empty(), "bad input must send nothing: {:?}", mock.requests().len());

    // A long prompt within the limit still goes through (where dall-e-3 is served).
    let gateway = gateway().await;
    let mut session = crate::harness::session(&gateway).await;
    let ok = GenerateRequest { prompt: "a".repeat(4000), ..base("dall-e-3") };
    session.generate(&ok).await.unwrap().unwrap();
}
