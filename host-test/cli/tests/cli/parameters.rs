//! `--option` and `--extra` through the command line: what the service
//! receives, by type, for a model the backend knows and for one the service
//! gained after the build; what is refused before anything is sent; and the
//! service's own refusal reaching the user.

use serde_json::json;

use crate::harness::{assert_no_key, json_stdout, mock, out_dir, requests_to, run_against, visual_host};
use openai_mock::{MockServer, ModelEntry, ModelFamily, ParamRule};

/// A mock that serves, besides today's models, `gpt-image-2.7-nova`: a model
/// released after this build, taking a parameter (`shimmer`) and a quality
/// tier (`ultra`) the backend has never heard of, added while the mock runs.
async fn mock_with_nova() -> MockServer {
    let mock = mock().await;
    mock.catalog().add(
        ModelEntry::new("gpt-image-2.7-nova", ModelFamily::Image)
            .with_param("shimmer", ParamRule::int_range(0, 10))
            .with_quality("ultra"),
    );
    mock
}

/// `generate ARGS --prompt ... --out <scratch>` against `mock`.
async fn generate(mock: &MockServer, name: &str, args: &[&str]) -> std::process::Output {
    let out = out_dir(name).join("out.png");
    let out = out.to_str().unwrap();
    let output =
        run_against(mock, &[&["generate"], args, &["--prompt", "a glass harbour", "--out", out]].concat()).await;
    assert_no_key(&String::from_utf8_lossy(&output.stdout));
    assert_no_key(&String::from_utf8_lossy(&output.stderr));
    output
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_models_option_and_tier_reach_the_service_typed() {
    let mock = mock_with_nova().await;
    let args = ["--model", "gpt-image-2.7-nova", "--option", "shimmer=3", "--quality", "ultra"];
    let output = generate(&mock, "nova-option", &args).await;
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(json_stdout(&output)["model"], "gpt-image-2.7-nova");
    let sent = requests_to(&mock, "/images/generations");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].verdict.is_ok(), "{:?}", sent[0].verdict);
    let shimmer = sent[0].param("shimmer").expect("shimmer sent");
    assert!(shimmer.is_number() && shimmer.as_f64() == Some(3.0), "a JSON number: {shimmer}");
    assert_eq!(sent[0].param("quality"), Some(json!("ultra")));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_parameter_reaches_the_service_for_a_new_model() {
    let mock = mock_with_nova().await;
    let output = generate(&mock, "nova-extra", &["--model", "gpt-image-2.7-nova", "--extra", "shimmer=3"]).await;
    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let sent = requests_to(&mock, "/images/generations");
    assert_eq!(sent.len(), 1);
    let shimmer = sent[0].param("shimmer").expect("shimmer sent");
    assert!(shimmer.is_number() && shimmer.as_f64() == Some(3.0), "a JSON number: {shimmer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_services_refusal_of_an_unknown_parameter_reaches_the_user() {
    let mock = mock().await;
    let output = generate(&mock, "extra-seed", &["--model", "gpt-image-2.6-flare", "--extra", "seed=7"]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    let error = &v["error"];
    assert_eq!((error["kind"].as_str(), error["status"].as_u64()), (Some("upstream"), Some(400)), "{v}");
    assert!(error["message"].as_str().unwrap().contains("Unknown parameter: 'seed'"), "{v}");
    // The backend sent it, as a number: the service decided.
    let sent = requests_to(&mock, "/images/generations");
    assert_eq!(sent.len(), 1, "a 400 is not retried");
    assert_eq!(sent[0].param("seed").and_then(|s| s.as_f64()), Some(7.0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_option_of_a_known_model_is_refused_before_sending() {
    let mock = mock().await;
    let output = generate(&mock, "misspelt", &["--model", "gpt-image-2.6-flare", "--option", "complexty=low"]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let v = json_stdout(&output);
    assert_eq!(v["error"]["kind"], "invalid-input");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("complexty"), "names what was given: {message}");
    for option in ["complexity", "frame-count", "frame-duration-ms", "background"] {
        assert!(message.contains(option), "names the options it takes ({option}): {message}");
    }
    assert!(requests_to(&mock, "/images/generations").is_empty(), "nothing was sent");
}

#[test]
fn an_unreadable_at_path_is_a_usage_error_naming_it() {
    let missing = out_dir("at-missing").join("no-such-markup.png");
    for flag in ["--option", "--extra"] {
        let output = visual_host()
            .args(["--mock", "--json", "generate", "--prompt", "x", flag])
            .arg(format!("reference=@{}", missing.display()))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&missing.display().to_string()), "{flag}: {stderr}");
    }
}
