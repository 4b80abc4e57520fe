//! Day-one models, through the real component against the mock: GPT Image 2.6
//! with its new kinds of parameters (an option, an animated GIF, an SVG, an
//! image-valued markup), a model released after the build working with a
//! parameter nobody declared and a tier its family lacks, extra parameters,
//! and what each call cost.

use openai_mock::{ModelEntry, ModelFamily, ParamRule, Verdict};
use serde_json::json;
use visual_host::bindings::{AnalyzeRequest, EditRequest, Error, GenerateRequest, ImageFormat, Parameter, Size};

use crate::harness::{gif_frames, mock, png, session};

fn request(model: &str) -> GenerateRequest {
    GenerateRequest {
        model: Some(model.into()),
        ..GenerateRequest::new("a lighthouse at dusk", ImageFormat::Landscape)
    }
}

fn failure(result: Result<visual_host::bindings::Generation, Error>) -> Error {
    match result {
        Ok(_) => panic!("the request succeeded"),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn gpt_image_2_6_generates_with_complexity() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let mut req = request("gpt-image-2.6-flare");
    req.options = vec![Parameter::text("complexity", "low")];
    let generation = session.generate(&req).await.unwrap().unwrap();
    assert_eq!(generation.images[0].mime_type, "image/png");
    let sent = &mock.requests()[0];
    assert_eq!(sent.verdict, Verdict::Ok);
    assert_eq!(sent.param("complexity"), Some(json!("low")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gif_has_its_frames_within_the_budget() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let mut req = request("gpt-image-2.6-flare");
    req.output_format = Some("gif".into());
    req.options = vec![Parameter::number("frame-count", 4.0), Parameter::number("frame-duration-ms", 120.0)];
    let generation = session.generate(&req).await.unwrap().unwrap();
    let image = &generation.images[0];
    assert_eq!(image.mime_type, "image/gif");
    let frames = gif_frames(&image.data);
    assert_eq!(frames.len(), 4);
    let (w, h) = (image.width, image.height);
    assert!(4 * u64::from(w) * u64::from(h) <= 8_294_400, "{w}x{h}");
    assert_eq!((frames[0].buffer().width(), frames[0].buffer().height()), (w, h));
    assert_eq!(mock.requests()[0].param("frame_count"), Some(json!(4)));

    // Nine frames by default, at the format's size for nine.
    req.options.clear();
    let generation = session.generate(&req).await.unwrap().unwrap();
    assert_eq!((generation.images[0].width, generation.images[0].height), (1280, 720));
    assert_eq!(gif_frames(&generation.images[0].data).len(), 9);

    // Over the budget is refused before anything is sent.
    mock.clear_requests();
    req.size = Some(Size { width: 1024, height: 1024 });
    req.options = vec![Parameter::number("frame-count", 16.0)];
    let refused = failure(session.generate(&req).await.unwrap());
    assert_eq!(refused.kind(), "invalid-input");
    assert!(refused.message().contains("8294400"), "{}", refused.message());
    assert!(mock.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_svg_is_an_image_of_its_own_type_and_its_author_is_priced() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let mut req = request("gpt-image-2.6-sunburst");
    req.output_format = Some("svg".into());
    // A host that asks for partial images gets the SVG whole.
    let stream = session.start_generate(&req, 2).await.unwrap().unwrap();
    let event = session.next_event(&stream).await.unwrap().unwrap().unwrap();
    let generation = match event {
        visual_host::bindings::GenerationEvent::Completed(g) => g,
        other => panic!("expected the result at once, got {other:?}"),
    };
    session.close_stream(stream).await.unwrap();
    let image = &generation.images[0];
    assert_eq!((image.mime_type.as_str(), image.width, image.height), ("image/svg+xml", 1536, 1024));
    assert!(std::str::from_utf8(&image.data).unwrap().contains("<svg"));
    let author = generation.svg_usage.expect("the SVG author's usage");
    assert!(author.model.is_some() && author.usage.total_tokens > 0);
    let cost = generation.cost.expect("a cost estimate");
    assert!(cost.complete, "gpt-6-luna, the mock's author, has known prices");
    assert!(cost.items.iter().any(|i| i.what.starts_with("SVG author")), "{:?}", cost.items);
    assert_eq!(mock.requests()[0].param("stream"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_markup_edit_sends_a_png_part_and_markup_with_a_mask_is_refused() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let mut edit = EditRequest::new("make the hat red", ImageFormat::Square, vec![png(64, 48)]);
    edit.model = Some("gpt-image-2.6-sunburst".into());
    edit.options = vec![Parameter::image("markup", png(64, 48))];
    session.edit(&edit).await.unwrap().unwrap();
    let sent = &mock.requests()[0];
    assert_eq!(sent.verdict, Verdict::Ok);
    let markup = sent.parts_named("markup").next().expect("a markup part");
    assert_eq!(markup.content_type.as_deref(), Some("image/png"));
    assert_eq!(markup.image.map(|i| (i.format, i.width, i.height)), Some(("png", 64, 48)));

    mock.clear_requests();
    edit.mask = Some(png(64, 48));
    let refused = failure(session.edit(&edit).await.unwrap());
    assert_eq!(refused.kind(), "invalid-input");
    assert!(refused.message().contains("markup cannot be combined with a mask"), "{}", refused.message());
    assert!(mock.requests().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_released_after_the_build_works_with_its_parameters() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    // The service learns a model the component has never heard of, with a
    // parameter nobody declared and a tier its family lacks.
    let nova = ModelEntry::new("gpt-image-2.7-nova", ModelFamily::Image)
        .with_param("shimmer", ParamRule::int_range(0, 10))
        .with_param("loop", ParamRule::Bool)
        .with_quality("ultra");
    mock.catalog().add(nova);
    let mut req = request("gpt-image-2.7-nova");
    req.quality = Some("ultra".into());
    req.options = vec![Parameter::number("shimmer", 3.0)];
    req.extra = vec![Parameter::flag("loop", true)];
    let generation = session.generate(&req).await.unwrap().unwrap_or_else(|e| panic!("{}", e.message()));
    assert_eq!(generation.model, "gpt-image-2.7-nova");
    assert!(generation.cost.is_none(), "its prices are unknown");
    let sent = &mock.requests()[0];
    assert_eq!(sent.verdict, Verdict::Ok);
    assert_eq!(
        (sent.param("shimmer"), sent.param("quality"), sent.param("loop")),
        (Some(json!(3)), Some(json!("ultra")), Some(json!(true)))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn extra_parameters_reach_the_service_and_its_400_reaches_the_user() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    // A parameter the service takes that the request has no field for.
    let mut req = request("gpt-image-2.6-flare");
    req.extra = vec![Parameter::text("moderation", "low")];
    session.generate(&req).await.unwrap().unwrap();
    assert_eq!(mock.requests()[0].param("moderation"), Some(json!("low")));
    // The service learns a parameter for a model the component knows: extra sends it today.
    mock.catalog().add(
        ModelEntry::new("gpt-image-2.6-flare", ModelFamily::Image).with_param("seed", ParamRule::int_range(0, 1 << 30)),
    );
    mock.clear_requests();
    req.extra = vec![Parameter::number("seed", 7.0)];
    session.generate(&req).await.unwrap().unwrap();
    assert_eq!(mock.requests()[0].param("seed"), Some(json!(7)));

    // A parameter the service does not know: its 400, with its message.
    let mut req = request("gpt-image-2.5-flare");
    req.extra = vec![Parameter::number("shimmer", 3.0)];
    let refused = failure(session.generate(&req).await.unwrap());
    assert_eq!((refused.kind(), refused.status()), ("upstream", Some(400)));
    assert!(refused.message().contains("Unknown parameter: 'shimmer'"), "{}", refused.message());

    // A misspelt option of a known model never leaves the component.
    mock.clear_requests();
    let mut req = request("gpt-image-2.6-flare");
    req.options = vec![Parameter::text("complexty", "low")];
    let refused = failure(session.generate(&req).await.unwrap());
    assert_eq!(refused.kind(), "invalid-input");
    assert!(refused.message().contains("takes no option `complexty`"), "{}", refused.message());
    assert!(refused.message().contains("complexity"), "it names what the model takes");
    assert!(mock.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generation_and_an_analysis_report_what_they_cost() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let generation = session.generate(&request("gpt-image-2.6-flare")).await.unwrap().unwrap();
    let usage = generation.usage.expect("usage");
    let cost = generation.cost.expect("a cost estimate");
    assert!(cost.usd > 0.0 && cost.complete);
    let image_out = cost.items.iter().find(|i| i.what == "image output").expect("image output billed");
    assert_eq!((image_out.tokens, image_out.usd_per_million), (usage.output_image_tokens.unwrap(), 30.0));
    let sum: f64 = cost.items.iter().map(|i| i.usd).sum();
    assert!((sum - cost.usd).abs() < 1e-12);

    let analysis = session.analyze(&AnalyzeRequest::new(png(32, 32), "what is this?")).await.unwrap().unwrap();
    let cost = analysis.cost.expect("gpt-6-luna is priced");
    assert!(cost.usd > 0.0 && cost.items.iter().all(|i| i.usd_per_million <= 0.5));
}
