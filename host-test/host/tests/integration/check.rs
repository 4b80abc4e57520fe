//! The readiness check: a cheap authenticated model lookup that says
//! something true (ok, warning, or error with the typed problem), and that
//! follows what the service says of a model's life.

use std::time::{Duration, Instant};

use openai_mock::{MockConfig, ModelEntry, ModelFamily};
use visual_host::bindings::{Capability, Error, Setting, StatusLevel};
use visual_host::sandbox::DEFAULT_MEMORY_LIMIT;

use crate::harness::{
    cache, component_path, gateway, mock, mock_with, runtime_with, session, session_with, settings, KEY,
};

#[tokio::test(flavor = "multi_thread")]
async fn current_models_are_ok_and_gpt_image_models_warn_about_verification() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let status = session.check(Capability::ImageAnalysis, None).await.unwrap().unwrap();
    assert_eq!((status.level, status.model.as_str()), (StatusLevel::Ok, "gpt-6-luna"), "{}", status.message);

    let status = session.check(Capability::TextToImage, None).await.unwrap().unwrap();
    assert_eq!(status.model, "gpt-image-2.6-flare");
    assert_eq!(status.level, StatusLevel::Warning, "verification cannot be seen from a model lookup");
    assert!(status.message.contains("verification"), "{}", status.message);

    let seen = mock.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].method.as_str(), seen[0].path.as_str()), ("GET", "/v1/models/gpt-6-luna"));
    assert_eq!(seen[1].path, "/v1/models/gpt-image-2.6-flare");
    assert_eq!(seen[0].header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deprecated_model_warns_with_its_date_and_a_retired_one_is_an_error() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let status = session.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Warning, "{}", status.message);
    assert!(status.message.contains("2027-01-14") && status.message.contains("gpt-6-luna"), "{}", status.message);

    let status = session.check(Capability::TextToImage, Some("dall-e-3")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error, "{}", status.message);
    assert!(status.message.contains("retired") && status.message.contains("2026-05-12"), "{}", status.message);
    assert!(matches!(status.problem, Some(Error::NotFound(_))), "{:?}", status.problem);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_shutdown_date_the_same_model_is_retired() {
    // The component reads the date from the host's wall clock: a host that
    // lives on 2027-01-15 sees gpt-4o-mini gone, as does the service.
    let runtime = runtime_with(cache(), DEFAULT_MEMORY_LIMIT, "2027-01-15");
    let plugin = runtime.load(&component_path()).unwrap();
    let mock = mock_with(MockConfig { today: Some("2027-01-15".into()), ..MockConfig::default() }).await;
    let settings = settings(&mock);
    let mut session =
        plugin.connect(&settings, plugin.network_policy(&settings).await.unwrap()).await.unwrap().unwrap();
    let status = session.check(Capability::ImageAnalysis, Some("gpt-4o-mini")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error, "{}", status.message);
    assert!(status.message.contains("2027-01-14"), "{}", status.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_check_follows_the_service_as_its_list_changes() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let status = session.check(Capability::ImageAnalysis, Some("gpt-6-luna")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Ok, "{}", status.message);

    // The service announces a shutdown: the next check says so, with the service's date.
    assert!(mock.catalog().set_shutdown_date("gpt-6-luna", Some("2027-03-01")));
    let status = session.check(Capability::ImageAnalysis, Some("gpt-6-luna")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Warning, "{}", status.message);
    assert!(status.message.contains("2027-03-01"), "{}", status.message);

    // A model the table does not know appears: it is checked like any other.
    mock.catalog().add(ModelEntry::new("gpt-image-3-preview", ModelFamily::Image));
    let status = session.check(Capability::TextToImage, Some("gpt-image-3-preview")).await.unwrap().unwrap();
    assert_ne!(status.level, StatusLevel::Error, "{}", status.message);

    // And gone: not found.
    assert!(mock.catalog().remove("gpt-6-luna"));
    let status = session.check(Capability::ImageAnalysis, Some("gpt-6-luna")).await.unwrap().unwrap();
    assert_eq!(status.level, StatusLevel::Error, "{}", status.message);
    assert!(matches!(status.problem, Some(Error::NotFound(_))), "{:?}", status.problem);
}

#[tokio::test(flavor = "multi_thread")]
async fn where_the_seeds_models_are_still_served_they_check_as_served() {
    let gateway = gateway().await;
    let mut session = session(&gateway).await;
    let status = session.check(Capability::TextToImage, Some("dall-e-3")).await.unwrap().unwrap();
    assert_ne!(status.level, StatusLevel::Error, "the gateway serves it: {}", status.message);
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

    let wrong_key = [Setting::text("api-key", "sk-wrong-0123456789"), Setting::text("base-url", mock.base_url())];
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
    let settings = [
        Setting::text("api-key", KEY),
        Setting::text("base-url", format!("http://127.0.0.1:{port}/v1")),
        Setting::number("max-retries", 0.0),
    ];
    let mut session = session_with(&settings).await;
    let started = Instant::now();
    let status = session.check(Capability::TextToImage, None).await.unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(status.level, StatusLevel::Error);
    assert!(matches!(status.problem, Some(Error::Network(_))), "{:?}", status.problem);
}
