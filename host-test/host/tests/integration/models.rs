//! `models`: what the service lists for this key now, with shutdown dates,
//! followed by the models the backend knows that the service does not list;
//! and it follows the service when the list changes.

use openai_mock::{ModelEntry, ModelFamily};
use visual_host::bindings::{Capability, ModelEntry as Listed, ModelState};

use crate::harness::{mock, session};

fn find<'a>(models: &'a [Listed], id: &str, capability: Capability) -> Option<&'a Listed> {
    models.iter().find(|m| m.id == id && m.capability == capability)
}

#[tokio::test(flavor = "multi_thread")]
async fn models_lists_what_the_service_lists_with_shutdown_dates() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let models = session.models(None).await.unwrap().unwrap();
    assert_eq!(mock.requests().len(), 1, "one request");
    assert_eq!(mock.requests()[0].path, "/v1/models");

    // Today's image models, listed, for both image capabilities.
    for id in ["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst"] {
        for capability in [Capability::TextToImage, Capability::ImageEdit] {
            let m = find(&models, id, capability).unwrap_or_else(|| panic!("{id} for {capability:?}"));
            assert!(m.listed, "{id}");
        }
    }
    // A vision model the service says is going, with the service's date.
    let mini = find(&models, "gpt-4o-mini", Capability::ImageAnalysis).expect("gpt-4o-mini");
    let lifecycle = mini.lifecycle.as_ref().expect("a lifecycle");
    assert!(mini.listed);
    assert_eq!((lifecycle.state, lifecycle.shutdown_date.as_deref()), (ModelState::Deprecated, Some("2027-01-14")));
    assert_eq!(lifecycle.replacement.as_deref(), Some("gpt-6-luna"));
    // Known models the service no longer lists: retired, with their dates.
    let dalle = find(&models, "dall-e-3", Capability::TextToImage).expect("dall-e-3 is reported");
    assert!(!dalle.listed);
    assert_eq!(dalle.lifecycle.as_ref().map(|l| l.state), Some(ModelState::Retired));
    assert!(find(&models, "dall-e-3", Capability::ImageEdit).is_none(), "dall-e-3 never edited");
    // Nothing that is not an image or vision model.
    assert!(models.iter().all(|m| !m.id.contains("embedding") && !m.id.contains("tts")));

    let only_analysis = session.models(Some(Capability::ImageAnalysis)).await.unwrap().unwrap();
    assert!(!only_analysis.is_empty() && only_analysis.iter().all(|m| m.capability == Capability::ImageAnalysis));
}

#[tokio::test(flavor = "multi_thread")]
async fn models_follows_the_service_when_its_list_changes() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let before = session.models(Some(Capability::TextToImage)).await.unwrap().unwrap();
    assert!(find(&before, "gpt-image-3-preview", Capability::TextToImage).is_none());

    mock.catalog().add(ModelEntry::new("gpt-image-3-preview", ModelFamily::Image));
    mock.catalog().set_shutdown_date("gpt-image-2", Some("2027-02-01"));
    mock.catalog().remove("gpt-image-2.5-flare");
    let after = session.models(Some(Capability::TextToImage)).await.unwrap().unwrap();

    let new = find(&after, "gpt-image-3-preview", Capability::TextToImage).expect("a model added while it runs");
    assert!(new.listed);
    let two = find(&after, "gpt-image-2", Capability::TextToImage).unwrap();
    let lifecycle = two.lifecycle.as_ref().unwrap();
    assert_eq!((lifecycle.state, lifecycle.shutdown_date.as_deref()), (ModelState::Deprecated, Some("2027-02-01")));
    let flare = find(&after, "gpt-image-2.5-flare", Capability::TextToImage).expect("a known model is still reported");
    assert!(!flare.listed, "no longer listed for this key");
    assert_ne!(flare.lifecycle.as_ref().map(|l| l.state), Some(ModelState::Retired), "hidden, not retired");
}
