//! Text to image through the real component: every model and format yields
//! the table's exact size, the mock saw a valid request, and bad input is
//! refused before anything is sent.

use visual_host::bindings::{Error, GenerateRequest, ImageFormat, Quality, Size, Style};

use crate::harness::{mock, session};

const FORMATS: [(ImageFormat, &str); 3] =
    [(ImageFormat::Landscape, "landscape"), (ImageFormat::Portrait, "portrait"), (ImageFormat::Square, "square")];

/// The product's size table: (model, landscape, portrait, square).
const TABLE: &[(&str, (u32, u32), (u32, u32), (u32, u32))] = &[
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
async fn every_model_and_format_yields_the_exact_size() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    for &(model, landscape, portrait, square) in TABLE {
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
            let generation =
                session.generate(&request).await.expect("no trap").unwrap_or_else(|e| panic!("{model} {name}: {e:?}"));
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
    let mock = mock().await;
    let mut session = session(&mock).await;
    let request = GenerateRequest {
        model: Some("gpt-image-1".into()),
        n: Some(3),
        quality: Some(Quality::Low),
        ..GenerateRequest::new("three moons", ImageFormat::Portrait)
    };
    let generation = session.generate(&request).await.unwrap().unwrap();
    assert_eq!(generation.images.len(), 3);
    assert!(generation.images.iter().all(|i| (i.width, i.height) == (1024, 1536)));
    let body = mock.requests()[0].json().unwrap();
    assert_eq!(body["n"], 3);
    assert_eq!(body["quality"], "low");

    let request = GenerateRequest {
        model: Some("dall-e-3".into()),
        quality: Some(Quality::Hd),
        style: Some(Style::Natural),
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
    assert_eq!(mock.requests().len(), 1, "no request was sent for a bad size");
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
        ("blank prompt", GenerateRequest { prompt: "  \n ".into(), ..base("gpt-image-1") }),
        ("prompt over 4000 for dall-e-3", GenerateRequest { prompt: "a".repeat(4001), ..base("dall-e-3") }),
        ("prompt over 32000", GenerateRequest { prompt: "a".repeat(32001), ..base("gpt-image-1") }),
        ("n = 2 for dall-e-3", GenerateRequest { n: Some(2), ..base("dall-e-3") }),
        ("n = 0", GenerateRequest { n: Some(0), ..base("gpt-image-1") }),
        ("n = 11", GenerateRequest { n: Some(11), ..base("gpt-image-1") }),
        ("hd for gpt-image-1", GenerateRequest { quality: Some(Quality::Hd), ..base("gpt-image-1") }),
        ("low for dall-e-3", GenerateRequest { quality: Some(Quality::Low), ..base("dall-e-3") }),
        ("style for gpt-image-1", GenerateRequest { style: Some(Style::Vivid), ..base("gpt-image-1") }),
    ];
    for (what, request) in cases {
        let result = session.generate(&request).await.expect("no trap");
        match result {
            Err(Error::InvalidInput(message)) => assert!(!message.is_empty(), "{what}: empty message"),
            other => panic!("{what}: expected invalid-input, got {other:?}"),
        }
    }
    assert!(mock.requests().is_empty(), "bad input must send nothing: {:?}", mock.requests().len());

    // A long prompt within the limit still goes through.
    let ok = GenerateRequest { prompt: "a".repeat(4000), ..base("dall-e-3") };
    session.generate(&ok).await.unwrap().unwrap();
}
