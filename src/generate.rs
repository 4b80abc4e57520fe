//! Text to image: checks a [`GenerateRequest`] against the model table and
//! builds the JSON body of `POST /images/generations`. The checks it shares
//! with edit are in `options.rs`.

use serde::Serialize;

use crate::bindings::{Background, Error, GenerateRequest, OutputFormat, Quality};
use crate::call::{Call, Endpoint};
use crate::http::Body;
use crate::models::{self, Family};
use crate::options;

/// Checks `req` and builds its call. With `partial_images` set, a model that
/// streams gets `stream: true`; one that cannot (dall-e-3) gets a plain call.
pub fn prepare(req: &GenerateRequest, partial_images: Option<u32>) -> Result<Call<'static>, Error> {
    let model = models::image_model(options::model_id(req.model.as_deref(), models::DEFAULT_TEXT_TO_IMAGE));
    options::check_prompt(&model, &req.prompt)?;
    let partial_images = options::streaming(&model, partial_images)?;
    let checked = options::image_options!(req).check(&model)?;
    let dall_e = model.family == Family::DallE3;
    if dall_e && req.moderation.is_some() {
        return Err(options::gpt_only(&model, "moderation"));
    }
    if !dall_e && req.style.is_some() {
        return Err(Error::InvalidInput(format!("style is a dall-e-3 option; {} does not take it", model.id)));
    }
    let body = GenerationBody {
        model: &model.id,
        prompt: &req.prompt,
        n: checked.n,
        size: checked.size.to_string(),
        quality: req.quality.map(Quality::as_str),
        response_format: dall_e.then_some("b64_json"),
        style: req.style.map(|s| s.as_str()),
        output_format: req.output_format.map(OutputFormat::as_str),
        output_compression: req.output_compression,
        background: req.background.map(Background::as_str),
        moderation: req.moderation.map(|m| m.as_str()),
        user: options::user(req.user.as_deref()),
        stream: partial_images.map(|_| true),
        partial_images,
    };
    let json = serde_json::to_vec(&body).expect("a struct of strings and numbers serializes");
    Ok(Call {
        endpoint: Endpoint::ImageGenerations,
        model: model.id.clone(),
        content_type: Some("application/json".into()),
        body: Body::from_vec(json),
        streaming: partial_images.is_some(),
    })
}

/// `CreateImageRequest`, field names exactly as the API spells them.
#[derive(Serialize)]
struct GenerationBody<'r> {
    model: &'r str,
    prompt: &'r str,
    n: u32,
    size: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    quality: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    style: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_compression: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    background: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moderation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_images: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{ImageFormat, Moderation, Size, Style};
    use crate::options::model_id;
    use serde_json::{json, Value};

    fn request(prompt: &str, format: ImageFormat, model: Option<&str>) -> GenerateRequest {
        GenerateRequest { model: model.map(Into::into), ..GenerateRequest::new(prompt, format) }
    }

    fn body(call: &Call<'_>) -> Value {
        serde_json::from_slice(&call.body.to_vec()).unwrap()
    }

    fn invalid_message(req: &GenerateRequest, partial: Option<u32>) -> String {
        match prepare(req, partial) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn default_model_is_dall_e_3_with_b64_json() {
        let call = prepare(&GenerateRequest::new("a lighthouse", ImageFormat::Landscape), None).unwrap();
        assert_eq!(call.endpoint, Endpoint::ImageGenerations);
        assert_eq!(call.model, "dall-e-3");
        assert_eq!(call.content_type.as_deref(), Some("application/json"));
        assert!(!call.streaming);
        assert_eq!(
            body(&call),
            json!({"model": "dall-e-3", "prompt": "a lighthouse", "size": "1792x1024", "n": 1, "response_format": "b64_json"})
        );
    }

    #[test]
    fn every_model_and_format_sends_its_size() {
        for id in
            ["dall-e-3", "gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "chatgpt-image-latest"]
        {
            let model = models::image_model(id);
            for format in ImageFormat::ALL {
                let call = prepare(&request("x", format, Some(id)), None).unwrap();
                assert_eq!(body(&call)["size"], json!(models::size_for(&model, format).to_string()), "{id} {format:?}");
            }
        }
    }

    #[test]
    fn dall_e_3_body_with_every_option() {
        let req = GenerateRequest {
            quality: Some(Quality::Hd),
            style: Some(Style::Natural),
            user: Some("user-42".into()),
            n: Some(1),
            ..request("a fox", ImageFormat::Portrait, Some("dall-e-3"))
        };
        assert_eq!(
            body(&prepare(&req, None).unwrap()),
            json!({
                "model": "dall-e-3", "prompt": "a fox", "size": "1024x1792", "n": 1,
                "response_format": "b64_json", "quality": "hd", "style": "natural", "user": "user-42"
            })
        );
    }

    #[test]
    fn gpt_body_with_every_option_and_no_dall_e_fields() {
        let req = GenerateRequest {
            n: Some(3),
            quality: Some(Quality::High),
            output_format: Some(OutputFormat::Webp),
            output_compression: Some(80),
            background: Some(Background::Transparent),
            moderation: Some(Moderation::Low),
            user: Some("u".into()),
            ..request("a fox", ImageFormat::Square, Some("gpt-image-1"))
        };
        assert_eq!(
            body(&prepare(&req, None).unwrap()),
            json!({
                "model": "gpt-image-1", "prompt": "a fox", "size": "1024x1024", "n": 3, "quality": "high",
                "output_format": "webp", "output_compression": 80, "background": "transparent",
                "moderation": "low", "user": "u"
            })
        );
        let minimal = body(&prepare(&request("a fox", ImageFormat::Landscape, Some("gpt-image-1.5")), None).unwrap());
        assert_eq!(minimal, json!({"model": "gpt-image-1.5", "prompt": "a fox", "size": "1536x1024", "n": 1}));
    }

    #[test]
    fn streaming_only_for_models_that_stream() {
        let gpt = prepare(&request("x", ImageFormat::Square, Some("gpt-image-1")), Some(2)).unwrap();
        assert!(gpt.streaming);
        assert_eq!(
            body(&gpt),
            json!({"model": "gpt-image-1", "prompt": "x", "size": "1024x1024", "n": 1, "stream": true, "partial_images": 2})
        );
        let zero = prepare(&request("x", ImageFormat::Square, Some("gpt-image-2")), Some(0)).unwrap();
        assert_eq!((body(&zero)["stream"].clone(), body(&zero)["partial_images"].clone()), (json!(true), json!(0)));
        let dalle = prepare(&request("x", ImageFormat::Square, None), Some(3)).unwrap();
        assert!(!dalle.streaming);
        assert_eq!(body(&dalle).get("stream"), None);
        assert_eq!(body(&dalle).get("partial_images"), None);
        for model in [None, Some("gpt-image-1")] {
            assert!(invalid_message(&request("x", ImageFormat::Square, model), Some(4)).contains("between 0 and 3"));
        }
    }

    #[test]
    fn prompt_checks_count_characters() {
        assert!(invalid_message(&request("", ImageFormat::Square, None), None).contains("empty"));
        assert!(invalid_message(&request(" \n\t", ImageFormat::Square, None), None).contains("empty"));
        // 4000 three-byte characters fit dall-e-3's 4000-character limit.
        assert!(prepare(&request(&"世".repeat(4000), ImageFormat::Square, None), None).is_ok());
        let message = invalid_message(&request(&"a".repeat(4001), ImageFormat::Square, None), None);
        assert!(message.contains("4001") && message.contains("4000"), "{message}");
        assert!(prepare(&request(&"a".repeat(32_000), ImageFormat::Square, Some("gpt-image-1")), None).is_ok());
        assert!(invalid_message(&request(&"a".repeat(32_001), ImageFormat::Square, Some("gpt-image-1")), None)
            .contains("32000"));
        // The prompt is sent exactly as given.
        let call = prepare(&request("  spaced  ", ImageFormat::Square, None), None).unwrap();
        assert_eq!(body(&call)["prompt"], json!("  spaced  "));
    }

    #[test]
    fn n_ranges() {
        let with_n = |model: &str, n| GenerateRequest { n: Some(n), ..request("x", ImageFormat::Square, Some(model)) };
        assert!(invalid_message(&with_n("dall-e-3", 2), None).contains("only 1"));
        assert!(invalid_message(&with_n("dall-e-3", 0), None).contains("n is 0"));
        assert!(invalid_message(&with_n("gpt-image-1", 11), None).contains("1 to 10"));
        assert!(invalid_message(&with_n("gpt-image-1", 0), None).contains("n is 0"));
        assert_eq!(body(&prepare(&with_n("gpt-image-1", 10), None).unwrap())["n"], json!(10));
    }

    #[test]
    fn explicit_sizes_are_checked_against_the_model() {
        let sized = |model: &str, w, h| GenerateRequest {
            size: Some(Size::new(w, h)),
            ..request("x", ImageFormat::Square, Some(model))
        };
        assert_eq!(body(&prepare(&sized("gpt-image-2", 1536, 864), None).unwrap())["size"], json!("1536x864"));
        assert_eq!(body(&prepare(&sized("dall-e-3", 1024, 1792), None).unwrap())["size"], json!("1024x1792"));
        assert!(invalid_message(&sized("dall-e-3", 1536, 1024), None).contains("1792x1024"));
        assert!(invalid_message(&sized("gpt-image-1", 1536, 864), None).contains("1536x1024"));
        assert!(invalid_message(&sized("gpt-image-2", 1000, 1000), None).contains("16"));
        // An unknown model is passed any sane size.
        assert_eq!(body(&prepare(&sized("new-model", 1000, 700), None).unwrap())["size"], json!("1000x700"));
    }

    #[test]
    fn quality_must_suit_the_model() {
        let q = |model: &str, quality| GenerateRequest {
            quality: Some(quality),
            ..request("x", ImageFormat::Square, Some(model))
        };
        for quality in [Quality::Auto, Quality::Standard, Quality::Hd] {
            assert!(prepare(&q("dall-e-3", quality), None).is_ok(), "{quality:?}");
        }
        for quality in [Quality::Low, Quality::Medium, Quality::High] {
            assert!(invalid_message(&q("dall-e-3", quality), None).contains("standard, hd"), "{quality:?}");
        }
        for quality in [Quality::Auto, Quality::Low, Quality::Medium, Quality::High] {
            assert!(prepare(&q("gpt-image-1", quality), None).is_ok(), "{quality:?}");
        }
        for quality in [Quality::Standard, Quality::Hd] {
            assert!(
                invalid_message(&q("gpt-image-1-mini", quality), None).contains("low, medium, high"),
                "{quality:?}"
            );
        }
        assert_eq!(body(&prepare(&q("someone-elses-model", Quality::Hd), None).unwrap())["quality"], json!("hd"));
    }

    #[test]
    fn options_that_do_not_fit_the_model_are_refused() {
        let dalle = || request("x", ImageFormat::Square, Some("dall-e-3"));
        let gpt = || request("x", ImageFormat::Square, Some("gpt-image-1"));
        let cases = [
            (GenerateRequest { output_format: Some(OutputFormat::Png), ..dalle() }, "output_format"),
            (GenerateRequest { output_compression: Some(50), ..dalle() }, "output_compression"),
            (GenerateRequest { background: Some(Background::Opaque), ..dalle() }, "background"),
            (GenerateRequest { moderation: Some(Moderation::Auto), ..dalle() }, "moderation"),
            (GenerateRequest { style: Some(Style::Vivid), ..gpt() }, "style"),
            (GenerateRequest { style: Some(Style::Vivid), ..request("x", ImageFormat::Square, Some("new")) }, "style"),
            (GenerateRequest { output_compression: Some(50), ..gpt() }, "jpeg or webp"),
            (
                GenerateRequest { output_format: Some(OutputFormat::Png), output_compression: Some(50), ..gpt() },
                "jpeg or webp",
            ),
            (
                GenerateRequest { output_format: Some(OutputFormat::Jpeg), output_compression: Some(101), ..gpt() },
                "0 to 100",
            ),
            (
                GenerateRequest {
                    output_format: Some(OutputFormat::Jpeg),
                    background: Some(Background::Transparent),
                    ..gpt()
                },
                "transparent",
            ),
        ];
        for (req, why) in cases {
            let message = invalid_message(&req, None);
            assert!(message.contains(why), "{why}: {message}");
        }
        let ok = GenerateRequest {
            output_format: Some(OutputFormat::Jpeg),
            output_compression: Some(0),
            background: Some(Background::Opaque),
            ..gpt()
        };
        assert_eq!(body(&prepare(&ok, None).unwrap())["output_compression"], json!(0));
        // Transparent with the default format (png) is fine.
        assert!(prepare(&GenerateRequest { background: Some(Background::Transparent), ..gpt() }, None).is_ok());
    }

    #[test]
    fn blank_model_and_user_are_absent() {
        let req = GenerateRequest { user: Some(" ".into()), ..request("x", ImageFormat::Square, Some("  ")) };
        let call = prepare(&req, None).unwrap();
        assert_eq!(call.model, "dall-e-3");
        assert_eq!(body(&call).get("user"), None);
        assert_eq!(model_id(Some(" gpt-image-1 "), "d"), "gpt-image-1");
    }
}
