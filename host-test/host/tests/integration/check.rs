//! The readiness check: a cheap authenticated model lookup that says
//! something true (ok, warning, or error with the typed problem).

use std::time::{Duration, Instant};

use visual_host::bindings::{Capability, Error, Settings, StatusLevel};

use crate::harness::{mock, session, session_with, KEY};

#[tokio::test(flavor = "multi_thread")]
async fn known_models_are_ok_and_gpt_image_models_warn_about_verification() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let status = session.check(Capability::TextToImage, Some("dall-e-3")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Ok, "{}", status.message);
    assert_eq!(status.model, "dall-e-3");

    let status = session.check(Capability::ImageAnalysis, None).await.unwrap().unwrap();
    assert_eq!((status.level, status.model.as_str()), (StatusLevel::Ok, "gpt-4.1-mini"));

    let status = session.check(Capability::TextToImage, Some("gpt-image-1")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Warning, "verification cannot be seen from a model lookup");
    assert!(status.message.contains("verification"), "{}", status.message);

    let seen = mock.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v1/models/dall-e-3"));
    assert_eq!(seen[1].path, "/v1/models/gpt-4.1-mini");
    assert_eq!(seen[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_reported_in_the_status_with_their_typed_problem() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let status = session.check(Capability::TextToImage, Some("no-such-model")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error);
    assert!(matches!(status.problem, Some(Error::NotFound(_))), "{:?}", status.problem);

    let status = session.check(Capability::ImageEdit, Some("dall-e-3")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error);
    assert!(matches!(status.problem, Some(Error::Unsupported(_))), "{:?}", status.problem);

    let wrong_key = Settings { base_url: Some(mock.base_url()), ..Settings::with_key("sk-wrong-0123456789") };
    let mut session = session_with(&wrong_key).await;
    let status = session.check(Capability::TextToImage, None).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error);
    assert!(matches!(status.problem, Some(Error::Authentication(_))), "{:?}", status.problem);
    assert!(!status.message.contains("sk-wrong-0123456789"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_api_is_a_network_problem_quickly() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let settings = Settings {
        base_url: Some(format!("http://127.0.0.1:{port}/v1")),
        max_retries: Some(0),
        ..Settings::with_key(KEY)
    };
    let mut session = session_with(&settings).await;
    let started = Instant::now();
    let status = session.check(Capability::TextToImage, None).await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(status.level, StatusLevel::Error);
    assert!(matches!(status.problem, Some(Error::Network(_))), "{:?}", status.problem);
}
