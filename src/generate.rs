//! Text to image: checks a [`GenerateRequest`] against the model table and
//! builds the JSON body of `POST /images/generations`. The checks it shares
//! with edit are in `options.rs`.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::bindings::{Capability, Error, GenerateRequest};
use crate::call::{Call, Endpoint};
use crate::fields::Typed;
use crate::http::Body;
use crate::models::{self, Family};
use crate::options;

/// Checks `req` and builds its call. With `partial_images` set, a model that
/// streams gets `stream: true`; one that cannot (dall-e-3), or an animated
/// GIF or an SVG, gets a plain call. Quality and options are checked against
/// the model's declaration (see `models.rs`) before anything is sent; for a
/// model the table does not know they go as given.
pub fn prepare(req: &GenerateRequest, partial_images: Option<u32>) -> Result<Call<'static>, Error> {
    let model = models::image_model(options::model_id(req.model.as_deref(), models::DEFAULT_TEXT_TO_IMAGE));
    let declared = model.generate_options();
    let options::Shared { quality, chosen, options: shared, checked, partial_images } =
        options::check_shared(&model, Capability::TextToImage, declared, options::image_fields!(req), partial_images)?;
    chosen.no_images("/images/generations")?;
    let body = GenerationBody {
        model: &model.id,
        prompt: &req.prompt,
        n: checked.n,
        size: checked.size.to_string(),
        quality,
        response_format: (model.family == Family::DallE3).then_some("b64_json"),
        style: chosen.text("style"),
        output_format: shared.output_format,
        output_compression: shared.output_compression,
        background: shared.background,
        moderation: chosen.text("moderation"),
        user: chosen.text("user"),
        complexity: chosen.text("complexity"),
        frame_count: shared.frame_count,
        frame_duration_ms: shared.frame_duration_ms,
        stream: partial_images.map(|_| true),
        partial_images,
        passthrough: AsGiven(&chosen.passthrough),
    };
    let json = serde_json::to_vec(&body).expect("a struct of strings, numbers and JSON values serializes");
    Ok(Call {
        endpoint: Endpoint::ImageGenerations,
        model: model.id.clone(),
        content_type: Some("application/json".into()),
        body: Body::from_vec(json),
        streaming: partial_images.is_some(),
    })
}

/// `CreateImageRequest`, field names exactly as the API spells them, then
/// whatever the request sends as given.
#[derive(serde::Serialize)]
struct GenerationBody<'r, 'c> {
    model: &'r str,
    prompt: &'r str,
    n: u32,
    size: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    quality: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    style: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_format: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_compression: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    background: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moderation: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    complexity: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame_duration_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_images: Option<u32>,
    #[serde(flatten)]
    passthrough: AsGiven<'c, 'r>,
}

/// Parameters sent as given, as JSON fields in their order (images were
/// refused before: a JSON body cannot carry them).
pub(crate) struct AsGiven<'c, 'r>(pub &'c [(String, Typed<'r>)]);

impl Serialize for AsGiven<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            if let Some(json) = value.to_json() {
                map.serialize_entry(name, &json)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{ImageFormat, Parameter, Size};
    use crate::options::model_id;
    use serde_json::{json, Value};

    fn request(prompt: &str, format: ImageFormat, model: Option<&str>) -> GenerateRequest {
        GenerateRequest { model: model.map(Into::into), ..GenerateRequest::new(prompt, format) }
    }

    fn dalle(prompt: &str) -> GenerateRequest {
        request(prompt, ImageFormat::Square, Some("dall-e-3"))
    }

    fn opts(pairs: &[(&str, &str)]) -> Vec<Parameter> {
        pairs.iter().map(|(n, v)| Parameter::text(*n, *v)).collect()
    }

    fn body(call: &Call<'_>) -> Value {
        serde_json::from_slice(&call.body.to_vec()).unwrap()
    }

    fn body_text(call: &Call<'_>) -> String {
        String::from_utf8(call.body.to_vec()).unwrap()
    }

    fn invalid_message(req: &GenerateRequest, partial: Option<u32>) -> String {
        match prepare(req, partial) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn default_model_is_gpt_image_2_6_flare() {
        let call = prepare(&GenerateRequest::new("a lighthouse", ImageFormat::Landscape), None).unwrap();
        assert_eq!(call.endpoint, Endpoint::ImageGenerations);
        assert_eq!(call.model, "gpt-image-2.6-flare");
        assert_eq!(call.content_type.as_deref(), Some("application/json"));
        assert!(!call.streaming);
        assert_eq!(
            body_text(&call),
            r#"{"model":"gpt-image-2.6-flare","prompt":"a lighthouse","n":1,"size":"1536x1024"}"#
        );
    }

    #[test]
    fn dall_e_3_gets_b64_json() {
        let call = prepare(&request("a lighthouse", ImageFormat::Landscape, Some("dall-e-3")), None).unwrap();
        assert_eq!(call.model, "dall-e-3");
        assert_eq!(
            body(&call),
            json!({"model": "dall-e-3", "prompt": "a lighthouse", "size": "1792x1024", "n": 1, "response_format": "b64_json"})
        );
    }

    /// The seed's models get, byte for byte, the bodies the 0.1 component sent
    /// for the same request (recorded from it): only the inputs' shape changed.
    #[test]
    fn seed_model_bodies_are_byte_for_byte_as_before() {
        let dalle = GenerateRequest {
            quality: Some("hd".into()),
            options: opts(&[("style", "natural"), ("user", "user-42")]),
            n: Some(1),
            ..request("a fox", ImageFormat::Portrait, Some("dall-e-3"))
        };
        assert_eq!(
            body_text(&prepare(&dalle, None).unwrap()),
            r#"{"model":"dall-e-3","prompt":"a fox","n":1,"size":"1024x1792","quality":"hd","response_format":"b64_json","style":"natural","user":"user-42"}"#
        );
        let gpt = GenerateRequest {
            n: Some(3),
            quality: Some("high".into()),
            output_format: Some("webp".into()),
            options: opts(&[
                ("user", "u"),
                ("moderation", "low"),
                ("background", "transparent"),
                ("output-compression", "80"),
            ]),
            ..request("a fox", ImageFormat::Square, Some("gpt-image-1"))
        };
        assert_eq!(
            body_text(&prepare(&gpt, Some(2)).unwrap()),
            r#"{"model":"gpt-image-1","prompt":"a fox","n":3,"size":"1024x1024","quality":"high","output_format":"webp","output_compression":80,"background":"transparent","moderation":"low","user":"u","stream":true,"partial_images":2}"#
        );
        let auto =
            GenerateRequest { quality: Some("auto".into()), ..request("x", ImageFormat::Landscape, Some("dall-e-3")) };
        assert_eq!(
            body_text(&prepare(&auto, None).unwrap()),
            r#"{"model":"dall-e-3","prompt":"x","n":1,"size":"1792x1024","quality":"auto","response_format":"b64_json"}"#
        );
    }

    #[test]
    fn every_model_and_format_sends_its_size() {
        for id in [
            "dall-e-3",
            "gpt-image-1",
            "gpt-image-1-mini",
            "gpt-image-1.5",
            "gpt-image-2",
            "chatgpt-image-latest",
            "gpt-image-2.5-flare",
            "gpt-image-2.5-sunburst",
        ] {
            let model = models::image_model(id);
            for &format in ImageFormat::ALL {
                let call = prepare(&request("x", format, Some(id)), None).unwrap();
                assert_eq!(body(&call)["size"], json!(models::size_for(&model, format).to_string()), "{id} {format:?}");
            }
        }
    }

    #[test]
    fn dall_e_3_body_with_every_option() {
        let req = GenerateRequest {
            quality: Some("hd".into()),
            options: opts(&[("style", "natural"), ("user", "user-42")]),
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
            quality: Some("high".into()),
            output_format: Some("webp".into()),
            options: opts(&[
                ("output-compression", "80"),
                ("background", "transparent"),
                ("moderation", "low"),
                ("user", "u"),
            ]),
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
    fn the_2_5_family_takes_its_tiers_and_free_sizes() {
        let req = GenerateRequest {
            quality: Some("xhigh".into()),
            size: Some(Size::new(2560, 1440)),
            ..request("a harbour", ImageFormat::Landscape, Some("gpt-image-2.5-sunburst"))
        };
        assert_eq!(
            body_text(&prepare(&req, None).unwrap()),
            r#"{"model":"gpt-image-2.5-sunburst","prompt":"a harbour","n":1,"size":"2560x1440","quality":"xhigh"}"#
        );
        for (model, tier) in [
            ("gpt-image-2.5-flare", "max"),
            ("gpt-image-2.6-flare", "max"),
            ("gpt-image-2.5-sunburst-2026-09-08", "xhigh"),
        ] {
            let req = GenerateRequest { quality: Some(tier.into()), ..request("x", ImageFormat::Square, Some(model)) };
            assert_eq!(body(&prepare(&req, None).unwrap())["quality"], json!(tier), "{model}");
        }
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
        assert!(prepare(&request("x", ImageFormat::Square, None), Some(1)).unwrap().streaming);
        let dalle = prepare(&dalle("x"), Some(3)).unwrap();
        assert!(!dalle.streaming);
        assert_eq!(body(&dalle).get("stream"), None);
        assert_eq!(body(&dalle).get("partial_images"), None);
        for model in [Some("dall-e-3"), Some("gpt-image-1"), None] {
            assert!(invalid_message(&request("x", ImageFormat::Square, model), Some(4)).contains("between 0 and 3"));
        }
    }

    #[test]
    fn prompt_checks_count_characters() {
        assert!(invalid_message(&request("", ImageFormat::Square, None), None).contains("empty"));
        assert!(invalid_message(&request(" \n\t", ImageFormat::Square, None), None).contains("empty"));
        // 4000 three-byte characters fit dall-e-3's 4000-character limit.
        assert!(prepare(&dalle(&"世".repeat(4000)), None).is_ok());
        let message = invalid_message(&dalle(&"a".repeat(4001)), None);
        assert!(message.contains("4001") && message.contains("4000"), "{message}");
        assert!(prepare(&request(&"a".repeat(32_000), ImageFormat::Square, Some("gpt-image-1")), None).is_ok());
        assert!(invalid_message(&request(&"a".repeat(32_001), ImageFormat::Square, Some("gpt-image-1")), None)
            .contains("32000"));
        assert!(invalid_message(&request(&"a".repeat(32_001), ImageFormat::Square, None), None).contains("32000"));
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
        assert!(invalid_message(&sized("gpt-image-2.5-flare", 3856, 2160), None).contains("3840x2160"));
        // An unknown model is passed any sane size.
        assert_eq!(body(&prepare(&sized("new-model", 1000, 700), None).unwrap())["size"], json!("1000x700"));
    }

    #[test]
    fn quality_must_suit_the_model() {
        let q = |model: &str, quality: &str| GenerateRequest {
            quality: Some(quality.into()),
            ..request("x", ImageFormat::Square, Some(model))
        };
        for quality in ["auto", "standard", "hd"] {
            assert!(prepare(&q("dall-e-3", quality), None).is_ok(), "{quality}");
        }
        for quality in ["low", "medium", "high", "max"] {
            assert!(invalid_message(&q("dall-e-3", quality), None).contains("standard, hd"), "{quality}");
        }
        for quality in ["auto", "low", "medium", "high"] {
            assert!(prepare(&q("gpt-image-1", quality), None).is_ok(), "{quality}");
        }
        for quality in ["standard", "hd", "xhigh"] {
            assert!(invalid_message(&q("gpt-image-1-mini", quality), None).contains("low, medium, high"), "{quality}");
        }
        // gpt-image-2 stops at high; the message names the tiers it takes.
        assert_eq!(
            invalid_message(&q("gpt-image-2", "max"), None),
            "quality max is not one gpt-image-2 takes; it takes low, medium, high, auto"
        );
        for quality in ["low", "medium", "high", "xhigh", "max", "auto"] {
            assert_eq!(body(&prepare(&q("gpt-image-2.5-flare", quality), None).unwrap())["quality"], json!(quality));
        }
        assert!(invalid_message(&q("gpt-image-2.5-flare", "hd"), None).contains("xhigh, max, auto"));
        // Any tier for a model the table does not know: the API decides.
        assert_eq!(body(&prepare(&q("someone-elses-model", "hd"), None).unwrap())["quality"], json!("hd"));
        assert_eq!(body(&prepare(&q("someone-elses-model", "ultra"), None).unwrap())["quality"], json!("ultra"));
        // Blank is none.
        assert_eq!(body(&prepare(&q("gpt-image-2", " "), None).unwrap()).get("quality"), None);
    }

    #[test]
    fn options_that_do_not_fit_the_model_are_refused() {
        let gpt = || request("x", ImageFormat::Square, Some("gpt-image-1"));
        let with = |req: GenerateRequest, pairs: &[(&str, &str)]| GenerateRequest { options: opts(pairs), ..req };
        let cases = [
            (GenerateRequest { output_format: Some("png".into()), ..dalle("x") }, "output_format"),
            (with(dalle("x"), &[("output-compression", "50")]), "output-compression"),
            (with(dalle("x"), &[("background", "opaque")]), "background"),
            (with(dalle("x"), &[("moderation", "auto")]), "moderation"),
            (with(gpt(), &[("style", "vivid")]), "style"),
            (with(gpt(), &[("output-compression", "50")]), "jpeg or webp"),
            (
                with(GenerateRequest { output_format: Some("png".into()), ..gpt() }, &[("output-compression", "50")]),
                "jpeg or webp",
            ),
            (
                with(GenerateRequest { output_format: Some("jpeg".into()), ..gpt() }, &[("output-compression", "101")]),
                "0 to 100",
            ),
            (
                with(GenerateRequest { output_format: Some("jpeg".into()), ..gpt() }, &[("background", "transparent")]),
                "transparent",
            ),
            (with(gpt(), &[("background", "clear")]), "auto, transparent, opaque"),
            (with(gpt(), &[("moderation", "strict")]), "auto, low"),
            (with(dalle("x"), &[("style", "painterly")]), "vivid, natural"),
            (with(gpt(), &[("user", "a"), ("user", "b")]), "twice"),
        ];
        for (req, why) in cases {
            let message = invalid_message(&req, None);
            assert!(message.contains(why), "{why}: {message}");
        }
        // An unknown option lists what the model takes.
        assert_eq!(
            invalid_message(&with(gpt(), &[("quality", "high")]), None),
            "gpt-image-1 takes no option `quality`; its options are background, moderation, output-compression, user"
        );
        assert!(invalid_message(&with(dalle("x"), &[("background", "opaque")]), None).ends_with("style, user"));
        let ok = GenerateRequest {
            output_format: Some("jpeg".into()),
            options: opts(&[("output-compression", "0"), ("background", "opaque")]),
            ..gpt()
        };
        assert_eq!(body(&prepare(&ok, None).unwrap())["output_compression"], json!(0));
        // Transparent with the default format (png) is fine.
        assert!(prepare(&with(gpt(), &[("background", "transparent")]), None).is_ok());
    }

    #[test]
    fn blank_model_and_user_are_absent() {
        let req = GenerateRequest { options: opts(&[("user", " ")]), ..request("x", ImageFormat::Square, Some("  ")) };
        let call = prepare(&req, None).unwrap();
        assert_eq!(call.model, models::DEFAULT_TEXT_TO_IMAGE);
        assert_eq!(body(&call).get("user"), None);
        assert_eq!(model_id(Some(" gpt-image-1 "), "d"), "gpt-image-1");
    }

    fn with_options(model: &str, format: Option<&str>, options: Vec<Parameter>) -> GenerateRequest {
        GenerateRequest {
            output_format: format.map(Into::into),
            options,
            ..request("x", ImageFormat::Landscape, Some(model))
        }
    }

    #[test]
    fn gpt_image_2_6_sends_complexity_and_gif_frames() {
        let req = with_options(
            "gpt-image-2.6-flare",
            Some("gif"),
            vec![
                Parameter::text("complexity", "low"),
                Parameter::number("frame-count", 4.0),
                Parameter::number("frame-duration-ms", 120.0),
            ],
        );
        let call = prepare(&req, Some(2)).unwrap();
        // A GIF comes whole: no stream, whatever the host asked.
        assert!(!call.streaming);
        // Four frames share the budget: the largest 16:9 frame that fits.
        assert_eq!(
            body_text(&call),
            r#"{"model":"gpt-image-2.6-flare","prompt":"x","n":1,"size":"1904x1072","output_format":"gif","complexity":"low","frame_count":4,"frame_duration_ms":120}"#
        );
        // The default frame count gets the default size for it.
        let nine = prepare(&with_options("gpt-image-2.6-flare", Some("gif"), vec![]), None).unwrap();
        assert_eq!(body(&nine)["size"], json!("1280x720"));
    }

    #[test]
    fn gif_and_svg_rules_of_a_known_model_are_checked_before_sending() {
        let sized = |w, h, frames: f64| GenerateRequest {
            size: Some(Size::new(w, h)),
            ..with_options("gpt-image-2.6-flare", Some("gif"), vec![Parameter::number("frame-count", frames)])
        };
        assert!(invalid_message(&sized(1024, 1024, 16.0), None).contains("8294400"));
        assert!(prepare(&sized(720, 720, 16.0), None).is_ok());
        let frames_without_gif =
            with_options("gpt-image-2.6-flare", Some("png"), vec![Parameter::number("frame-count", 4.0)]);
        assert_eq!(invalid_message(&frames_without_gif, None), "option frame-count applies only to output format gif");
        let two_svgs = GenerateRequest { n: Some(2), ..with_options("gpt-image-2.6-sunburst", Some("svg"), vec![]) };
        assert_eq!(invalid_message(&two_svgs, None), "n is 2; gpt-image-2.6-sunburst makes one SVG per request");
        let svg = prepare(&with_options("gpt-image-2.6-sunburst", Some("svg"), vec![]), Some(3)).unwrap();
        assert!(!svg.streaming);
        assert_eq!(body(&svg)["output_format"], json!("svg"));
        // 2.5 makes neither, and takes no complexity.
        assert_eq!(
            invalid_message(&with_options("gpt-image-2.5-flare", Some("gif"), vec![]), None),
            "output format gif is not one gpt-image-2.5-flare makes; it makes png, jpeg, webp"
        );
        assert!(invalid_message(
            &with_options("gpt-image-2.5-flare", None, vec![Parameter::text("complexity", "low")]),
            None
        )
        .starts_with("gpt-image-2.5-flare takes no option `complexity`"));
        assert!(invalid_message(
            &with_options("gpt-image-2.6-flare", None, vec![Parameter::text("complexity", "extreme")]),
            None
        )
        .contains("one of low, medium, high"));
    }

    #[test]
    fn a_model_the_table_does_not_know_gets_what_the_request_names() {
        let req = GenerateRequest {
            quality: Some("ultra".into()),
            size: Some(Size::new(1000, 700)),
            n: Some(12),
            options: vec![
                Parameter::text("complexity", "low"),
                Parameter::number("shimmer", 3.0),
                Parameter::flag("loop", true),
                Parameter::text("background", "opaque"),
            ],
            ..with_options("gpt-image-2.7-nova", Some("avif"), vec![])
        };
        assert_eq!(
            body_text(&prepare(&req, None).unwrap()),
            r#"{"model":"gpt-image-2.7-nova","prompt":"x","n":12,"size":"1000x700","quality":"ultra","output_format":"avif","background":"opaque","complexity":"low","shimmer":3,"loop":true}"#
        );
        // An unknown member of a known family too: its family's GIF size is a default, not a limit.
        let gif = with_options("gpt-image-2.6-ember", Some("gif"), vec![Parameter::number("frame-count", 16.0)]);
        let sized = GenerateRequest { size: Some(Size::new(1024, 1024)), ..gif.clone() };
        assert_eq!(body(&prepare(&gif, None).unwrap())["size"], json!("928x528"));
        assert_eq!(body(&prepare(&sized, None).unwrap())["frame_count"], json!(16));
    }

    #[test]
    fn extra_parameters_reach_the_body_as_their_type() {
        let req = GenerateRequest {
            extra: vec![
                Parameter::number("seed", 42.0),
                Parameter::new("svg", crate::bindings::Value::Json(r#"{"model": "gpt-6-luna"}"#.into())),
                Parameter::text("user_tier", "pro"),
            ],
            ..with_options("gpt-image-2.6-sunburst", Some("svg"), vec![])
        };
        assert_eq!(
            body_text(&prepare(&req, None).unwrap()),
            r#"{"model":"gpt-image-2.6-sunburst","prompt":"x","n":1,"size":"1536x1024","output_format":"svg","seed":42,"svg":{"model":"gpt-6-luna"},"user_tier":"pro"}"#
        );
        let replace = GenerateRequest {
            extra: vec![Parameter::text("size", "64x64")],
            ..request("x", ImageFormat::Square, None)
        };
        assert!(invalid_message(&replace, None).contains("would replace the request's own field"));
        let image = GenerateRequest {
            extra: vec![Parameter::image("reference", crate::edit::fixtures::png(8, 8))],
            ..request("x", ImageFormat::Square, None)
        };
        assert!(invalid_message(&image, None).contains("takes JSON, which cannot carry a file"));
    }
}
