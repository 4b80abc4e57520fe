//! OpenAI-compatible endpoints and Azure OpenAI through the real component:
//! base URLs in the forms people paste, gateway prefixes, extra headers, and
//! Azure's deployments, `api-key` and `api-version`.

use openai_mock::{Fault, MockConfig, MockServer};
use visual_host::bindings::{AnalyzeRequest, EditRequest, Error, GenerateRequest, ImageFormat, Setting};

use crate::harness::{mock, mock_with, plugin, png, session_with, KEY};

const API_VERSION: &str = "2025-04-01-preview";

fn request() -> GenerateRequest {
    GenerateRequest {
        model: Some("gpt-image-2.5-flare".into()),
        ..GenerateRequest::new("a canal", ImageFormat::Square)
    }
}

fn key() -> Setting {
    Setting::text("api-key", KEY)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_base_url_form_reaches_the_same_endpoint() {
    let mock = mock().await;
    let origin = format!("http://{}", mock.addr());
    for base in [origin.clone(), format!("{origin}/"), format!("{origin}/v1"), format!("{origin}/v1/")] {
        mock.clear_requests();
        let settings = [key(), Setting::text("base-url", base.clone())];
        let mut session = session_with(&settings).await;
        session.generate(&request()).await.unwrap().unwrap_or_else(|e| panic!("{base}: {e:?}"));
        assert_eq!(mock.requests()[0].path, "/v1/images/generations", "{base}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_prefix_and_extra_headers_arrive() {
    let mock = mock_with(MockConfig { path_prefix: "/openai/v1".into(), ..MockConfig::default() }).await;
    let settings = [
        key(),
        Setting::text("base-url", format!("http://{}/openai/v1/", mock.addr())),
        Setting::pairs("extra-headers", [("X-Gateway-Token", "abc")]),
    ];
    let mut session = session_with(&settings).await;
    session.generate(&request()).await.unwrap().unwrap();
    let seen = &mock.requests()[0];
    assert_eq!(seen.path, "/openai/v1/images/generations");
    assert_eq!(seen.header("x-gateway-token"), Some("abc"));
    assert_eq!(seen.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
}

async fn azure_mock() -> MockServer {
    // Azure still serves the seed's models where a resource has them deployed.
    mock_with(MockConfig::azure(API_VERSION, &[("img", "gpt-image-1"), ("vision", "gpt-4.1-mini")])).await
}

fn azure_settings(mock: &MockServer) -> Vec<Setting> {
    vec![
        key(),
        Setting::text("azure-endpoint", mock.base_url()),
        Setting::text("azure-api-version", API_VERSION),
        Setting::text("azure-text-to-image-deployment", "img"),
        Setting::text("azure-image-edit-deployment", "img"),
        Setting::text("azure-image-analysis-deployment", "vision"),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_generate_edit_and_analyze_use_deployments_and_the_api_key_header() {
    let mock = azure_mock().await;
    let settings = azure_settings(&mock);
    // The allowlist is the effective value of each setting the backend
    // declares as a URL: the Azure endpoint, and the base URL's default.
    let network = plugin().network_policy(&settings).await.unwrap();
    assert_eq!(network.allowed(), ["api.openai.com:443".to_string(), mock.addr().to_string()]);
    let mut session = session_with(&settings).await;

    let generation = session.generate(&request()).await.unwrap().unwrap();
    assert_eq!((generation.images[0].width, generation.images[0].height), (1024, 1024));
    let edit = EditRequest {
        model: Some("gpt-image-1".into()),
        ..EditRequest::new("the same, at night", ImageFormat::Landscape, vec![png(256, 256)])
    };
    let edited = session.edit(&edit).await.unwrap().unwrap();
    assert_eq!((edited.images[0].width, edited.images[0].height), (1536, 1024));
    let analysis = session.analyze(&AnalyzeRequest::new(png(256, 256), "what is it?")).await.unwrap().unwrap();
    assert!(analysis.text.contains("256x256 PNG"), "{}", analysis.text);

    let seen = mock.requests();
    let paths: Vec<_> = seen.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/openai/deployments/img/images/generations",
            "/openai/deployments/img/images/edits",
            "/openai/deployments/vision/chat/completions"
        ]
    );
    for r in &seen {
        assert!(r.verdict.is_ok(), "{}: {:?}", r.path, r.verdict);
        assert_eq!(r.query.as_deref(), Some(format!("api-version={API_VERSION}").as_str()));
        assert_eq!(r.header("api-key"), Some(KEY));
        assert!(r.header("authorization").is_none(), "Azure gets api-key, not Bearer");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_azure_content_filter_is_content_policy() {
    let mock = azure_mock().await;
    mock.push_faults([Fault::AzureContentFilter]);
    let mut session = session_with(&azure_settings(&mock)).await;
    match session.generate(&request()).await.unwrap() {
        Err(Error::ContentPolicy(f)) => assert_eq!(f.status, Some(400)),
        other => panic!("expected content-policy, got {other:?}"),
    }
}
