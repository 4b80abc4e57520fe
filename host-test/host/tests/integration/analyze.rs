//! Image analysis through the real component: every image type with the
//! default, a named and an unknown model; the mock proves it saw the exact
//! image with its real media type.

use base64::Engine as _;
use openai_mock::MockServer;
use sha2::{Digest, Sha256};
use visual_host::bindings::{AnalyzeRequest, Error, Parameter};

use crate::harness::{gateway, gif, jpeg, mock, png, session, webp};

/// A small real image of each type the vision models take.
fn images() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("PNG", "image/png", png(64, 48)),
        ("JPEG", "image/jpeg", jpeg(64, 48)),
        ("WEBP", "image/webp", webp(64, 48)),
        ("GIF", "image/gif", gif(64, 48)),
    ]
}

fn sha_prefix(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_image_type_with_every_kind_of_model_arrives_intact() {
    // Today's default (a reasoning model), and the seed's models until they stop.
    let today = mock().await;
    assert_intact(
        &today,
        &[(None, "gpt-6-luna"), (Some("gpt-4o-mini"), "gpt-4o-mini"), (Some("gpt-4.1-mini"), "gpt-4.1-mini")],
    )
    .await;
    // Any other id is honoured as given, where the service serves it.
    let gateway = gateway().await;
    assert_intact(&gateway, &[(Some("my-vision-model"), "my-vision-model")]).await;
}

async fn assert_intact(mock: &MockServer, models: &[(Option<&str>, &str)]) {
    let mut session = session(mock).await;
    for &(model, expected_model) in models {
        for (kind, mime, bytes) in images() {
            mock.clear_requests();
            let request = AnalyzeRequest {
                model: model.map(str::to_string),
                ..AnalyzeRequest::new(bytes.clone(), "What colour is the sky?")
            };
            let analysis = session
                .analyze(&request)
                .await
                .expect("no trap")
                .unwrap_or_else(|e| panic!("{kind} with {model:?}: {}: {}", e.kind(), e.message()));
            assert_eq!(analysis.model, expected_model, "the model is honoured as given");
            assert_eq!(analysis.finish_reason, "stop");
            assert!(!analysis.truncated);
            assert!(analysis.usage.is_some());
            let proof = format!("a 64x48 {kind} image (sha256 prefix {})", sha_prefix(&bytes));
            assert!(analysis.text.contains(&proof), "{kind}: {} lacks {proof}", analysis.text);
            assert!(analysis.text.contains("What colour is the sky?"));

            let seen = &mock.requests()[0];
            assert!(seen.verdict.is_ok(), "{kind}: {:?}", seen.verdict);
            assert!(seen.path.ends_with("/chat/completions"));
            let body = seen.json().unwrap();
            assert_eq!(body["model"], expected_model);
            let messages = body["messages"].as_array().unwrap();
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0]["role"], "user");
            let parts = messages[0]["content"].as_array().unwrap();
            assert_eq!(parts.len(), 2);
            assert_eq!(parts[0], serde_json::json!({"type": "text", "text": "What colour is the sky?"}));
            assert_eq!(parts[1]["type"], "image_url");
            let url = parts[1]["image_url"]["url"].as_str().unwrap();
            let prefix = format!("data:{mime};base64,");
            assert!(url.starts_with(&prefix), "{kind}: the data URL names the real type: {}", &url[..40]);
            let sent = base64::engine::general_purpose::STANDARD.decode(&url[prefix.len()..]).unwrap();
            assert_eq!(sent, bytes, "{kind}: the image arrived byte for byte");
            assert!(parts[1]["image_url"].get("detail").is_none(), "detail only when asked for");
            // A reasoning model is asked for little reasoning, so a short answer
            // does not spend its budget; other models are never sent the field.
            let reasons = expected_model.starts_with("gpt-6");
            assert_eq!(
                body.get("reasoning_effort").and_then(|e| e.as_str()),
                reasons.then_some("low"),
                "{expected_model}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn detail_and_token_limits_are_sent_and_a_cut_answer_says_so() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let (_, _, png) = images().remove(0);
    let request = AnalyzeRequest {
        model: Some("gpt-4o-mini".into()),
        max_output_tokens: Some(3),
        options: vec![Parameter::text("detail", "low")],
        ..AnalyzeRequest::new(png, "Describe every pixel of this picture in detail.")
    };
    let analysis = session.analyze(&request).await.unwrap().unwrap();
    assert!(analysis.truncated, "finish_reason length is reported");
    assert_eq!(analysis.finish_reason, "length");
    assert!(!analysis.text.is_empty(), "the partial text is kept");
    let body = mock.requests()[0].json().unwrap();
    assert_eq!(body["messages"][0]["content"][1]["image_url"]["detail"], "low");
    assert_eq!(body["max_completion_tokens"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reasoning_model_that_spends_its_budget_is_an_empty_truncated_answer_not_a_refusal() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let (_, _, png) = images().remove(0);
    // Its reasoning tokens count against the limit: 8 are fewer than it reasons.
    let request = AnalyzeRequest { max_output_tokens: Some(8), ..AnalyzeRequest::new(png, "What is this?") };
    let analysis = session.analyze(&request).await.unwrap().unwrap_or_else(|e| panic!("{}: {}", e.kind(), e.message()));
    assert_eq!(analysis.model, "gpt-6-luna");
    assert!(analysis.truncated && analysis.finish_reason == "length", "{analysis:?}");
    assert!(analysis.text.is_empty());
    // Asking for more reasoning is an option the model declares.
    let (_, _, png) = images().remove(0);
    let request = AnalyzeRequest {
        options: vec![Parameter::text("reasoning-effort", "high")],
        ..AnalyzeRequest::new(png, "What is this?")
    };
    session.analyze(&request).await.unwrap().unwrap();
    assert_eq!(mock.requests()[1].json().unwrap()["reasoning_effort"], "high");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_is_a_content_policy_error() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let (_, _, png) = images().remove(0);
    let result = session.analyze(&AnalyzeRequest::new(png, "[[refuse]] who is this?")).await.unwrap();
    match result {
        Err(Error::ContentPolicy(f)) => assert!(f.message.contains("can't help"), "{}", f.message),
        other => panic!("expected content-policy, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_anything_is_sent() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let (_, _, png) = images().remove(0);
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0u8; 64]);
    let mut huge = png.clone();
    huge.resize(20 * 1024 * 1024 + 1, 0);
    let cases = [
        ("empty prompt", AnalyzeRequest::new(png.clone(), "")),
        ("blank prompt", AnalyzeRequest::new(png.clone(), "   ")),
        ("no bytes", AnalyzeRequest::new(Vec::new(), "what is it?")),
        ("BMP", AnalyzeRequest::new(bmp, "what is it?")),
        ("random bytes", AnalyzeRequest::new(vec![7u8; 500], "what is it?")),
        ("over 20 MB", AnalyzeRequest::new(huge, "what is it?")),
    ];
    for (what, request) in cases {
        match session.analyze(&request).await.expect("no trap") {
            Err(Error::InvalidInput(message)) => assert!(!message.is_empty(), "{what}"),
            other => panic!("{what}: expected invalid-input, got {other:?}"),
        }
    }
    assert!(mock.requests().is_empty(), "nothing was sent");
}
