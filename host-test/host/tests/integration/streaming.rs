//! Partial images while the model works, and cancelling a generation, through
//! the real component and the mock's server-sent events.

use std::time::{Duration, Instant};

use openai_mock::{Fault, MockConfig, MockServer};
use visual_host::bindings::{
    EditRequest, Error, GenerateRequest, Generation, GenerationEvent, ImageFormat, PartialImage,
};
use visual_host::runtime::Session;

use crate::harness::{mock, mock_with, png, session};

fn gpt_request(prompt: &str) -> GenerateRequest {
    GenerateRequest {
        model: Some("gpt-image-2.5-flare".into()),
        ..GenerateRequest::new(prompt, ImageFormat::Landscape)
    }
}

/// Drains a stream: the partials in arrival order, then the final result or error.
async fn drain(
    session: &mut Session,
    started: Result<visual_host::runtime::StreamHandle, Error>,
) -> (Vec<PartialImage>, Result<Generation, Error>) {
    let handle = started.expect("the stream starts");
    let mut partials = Vec::new();
    loop {
        match session.next_event(&handle).await.expect("no trap") {
            Some(Ok(GenerationEvent::Partial(p))) => partials.push(p),
            Some(Ok(GenerationEvent::Completed(g))) => {
                assert!(session.next_event(&handle).await.unwrap().is_none(), "nothing follows completed");
                session.close_stream(handle).await.unwrap();
                return (partials, Ok(g));
            }
            Some(Err(e)) => {
                assert!(session.next_event(&handle).await.unwrap().is_none(), "nothing follows an error");
                session.close_stream(handle).await.unwrap();
                return (partials, Err(e));
            }
            None => panic!("the stream ended with neither a result nor an error"),
        }
    }
}

fn assert_real_image(p: &PartialImage) {
    assert_eq!(p.image.mime_type, "image/png");
    assert_eq!(&p.image.data[1..4], b"PNG");
    assert!(p.image.width > 0 && p.image.height > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn partial_images_arrive_in_order_before_the_result() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let started = session.start_generate(&gpt_request("a castle at dawn"), 2).await.unwrap();
    let (partials, result) = drain(&mut session, started).await;
    let generation = result.expect("completed");
    assert_eq!(partials.iter().map(|p| p.partial_index).collect::<Vec<_>>(), vec![0, 1]);
    partials.iter().for_each(assert_real_image);
    assert_eq!(generation.images.len(), 1);
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 1024));
    assert!(generation.usage.is_some(), "the completed event's usage is kept");

    let seen = &mock.requests()[0];
    assert!(seen.verdict.is_ok(), "{:?}", seen.verdict);
    let body = seen.json().unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["partial_images"], 2);
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_stream_too() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let reference = png(512, 512);
    let request = EditRequest {
        model: Some("gpt-image-2.5-sunburst".into()),
        ..EditRequest::new("the same room at night", ImageFormat::Square, vec![reference])
    };
    let started = session.start_edit(&request, 1).await.unwrap();
    let (partials, result) = drain(&mut session, started).await;
    assert_eq!(partials.len(), 1);
    assert_real_image(&partials[0]);
    let generation = result.expect("completed");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1024, 1024));
    let seen = &mock.requests()[0];
    assert!(seen.verdict.is_ok(), "{:?}", seen.verdict);
    assert!(seen.path.ends_with("/images/edits"));
    assert!(seen.stream, "the multipart form asked for a stream");
}

#[tokio::test(flavor = "multi_thread")]
async fn dall_e_3_streaming_form_yields_only_the_result() {
    // dall-e-3, where a gateway still serves it.
    let mock = crate::harness::gateway().await;
    let mut session = session(&mock).await;
    let request =
        GenerateRequest { model: Some("dall-e-3".into()), ..GenerateRequest::new("a harbour", ImageFormat::Portrait) };
    let started = session.start_generate(&request, 3).await.unwrap();
    let (partials, result) = drain(&mut session, started).await;
    assert!(partials.is_empty());
    let generation = result.expect("completed");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1024, 1792));
    let body = mock.requests()[0].json().unwrap();
    assert!(body.get("stream").is_none() && body.get("partial_images").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_broken_before_completed_is_an_error() {
    let mock = mock().await;
    mock.push_faults([Fault::StreamBreakBeforeCompleted]);
    let mut session = session(&mock).await;
    let started = session.start_generate(&gpt_request("a bridge"), 2).await.unwrap();
    let (partials, result) = drain(&mut session, started).await;
    assert_eq!(partials.len(), 2, "the partials before the break still arrive");
    let error = result.expect_err("no result without completed");
    assert!(matches!(error, Error::Network(_) | Error::MalformedResponse(_)), "{error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_broken_after_completed_still_gives_the_result() {
    let mock = mock().await;
    mock.push_faults([Fault::StreamBreakAfterCompleted]);
    let mut session = session(&mock).await;
    let started = session.start_generate(&gpt_request("a mill"), 1).await.unwrap();
    let (_, result) = drain(&mut session, started).await;
    let generation = result.expect("a finished result is never lost");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 1024));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_event_in_the_stream_is_typed() {
    let mock = mock().await;
    mock.push_faults([Fault::StreamErrorEvent]);
    let mut session = session(&mock).await;
    let started = session.start_generate(&gpt_request("a ship"), 2).await.unwrap();
    let (_, result) = drain(&mut session, started).await;
    let error = result.expect_err("an error event ends the stream");
    assert!(!matches!(error, Error::Network(_) | Error::MalformedResponse(_)), "typed from the event: {error:?}");
    crate::harness::assert_no_key(&format!("{error:?}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_stream_closes_the_connection_and_the_host_stays_usable() {
    let mock = slow_mock().await;
    let mut session = session(&mock).await;
    let handle = session.start_generate(&gpt_request("a long one"), 3).await.unwrap().unwrap();
    // Take the first partial, then walk away.
    match session.next_event(&handle).await.unwrap() {
        Some(Ok(GenerationEvent::Partial(p))) => assert_eq!(p.partial_index, 0),
        other => panic!("expected the first partial, got {other:?}"),
    }
    let dropped = Instant::now();
    session.close_stream(handle).await.unwrap();
    while mock.disconnects() == 0 {
        assert!(dropped.elapsed() < Duration::from_secs(3), "the mock never saw the client go away");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The same session goes on working.
    let generation = session.generate(&gpt_request("next one")).await.unwrap().unwrap();
    assert_eq!(generation.images.len(), 1);
}
/// A mock that pauses between events, so a test can leave mid-stream.
async fn slow_mock() -> MockServer {
    mock_with(MockConfig { stream_pause: Duration::from_millis(300), ..MockConfig::default() }).await
}
