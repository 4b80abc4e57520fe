//! Image edits through the real component: reference images of each type,
//! several at once, a mask, every model that can edit; the exact multipart
//! body the mock received (part names, filenames, types read from the bytes,
//! every image intact); bad input refused with nothing sent; a 40 MB upload
//! that costs the guest one copy of the image, not two; and the CLI.

use image::{DynamicImage, ImageFormat as Codec};
use openai_mock::{noise_png, MockServer, RecordedRequest};
use sha2::{Digest, Sha256};
use visual_host::bindings::{EditRequest, Error, ImageFormat, Size};

use crate::harness::{assert_no_key, encode, gateway, gif, jpeg, mask, mock, picture, png, png_size, session, webp};

// ---- inputs, encoded for real by the image crate ----

/// An RGB PNG: no alpha, so it cannot mark anything.
fn opaque_png(width: u32, height: u32) -> Vec<u8> {
    encode(DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(picture(width, height)).to_rgb8()), Codec::Png)
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

// ---- what the mock received ----

/// A file the request should have carried: (field name, filename, type, bytes).
type ExpectedFile<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// The boundary from the request's `Content-Type`, checked to be the 128
/// random bits as hex that httpx uses.
fn boundary(seen: &RecordedRequest) -> String {
    let content_type = seen.header("content-type").expect("a Content-Type header");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {content_type}"));
    assert!(
        boundary.len() == 32 && boundary.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "boundary {boundary:?}"
    );
    boundary.to_string()
}

/// The whole body, byte for byte, as the OpenAI Python SDK (httpx) writes it
/// for these fields and files.
fn expected_body(boundary: &str, fields: &[(&str, &str)], files: &[ExpectedFile<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    for (name, filename, content_type, data) in files {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Checks one edit request as received: valid in the mock's judgement, the
/// right endpoint and headers, the text fields in order, and each file part
/// with its name, filename, declared type, length, what its bytes really are
/// and their SHA-256. `whole_body` also compares the raw body byte for byte
/// (only for bodies the mock kept whole).
fn assert_received(seen: &RecordedRequest, fields: &[(&str, &str)], files: &[ExpectedFile<'_>], whole_body: bool) {
    assert!(seen.verdict.is_ok(), "the mock rejected the edit: {:?}", seen.verdict);
    assert_eq!((seen.method.as_str(), seen.path.as_str()), ("POST", "/v1/images/edits"));
    assert_eq!(seen.header("authorization"), Some(format!("Bearer {}", crate::harness::KEY).as_str()));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(seen.header("content-length"), Some(seen.body_len.to_string().as_str()));
    let boundary = boundary(seen);

    assert_eq!(seen.parts.len(), fields.len() + files.len(), "parts: {:#?}", seen.parts);
    for (part, (name, value)) in seen.parts.iter().zip(fields) {
        assert_eq!(part.name.as_deref(), Some(*name));
        assert_eq!(part.filename, None, "{name} is a text field");
        assert_eq!(part.content_type, None, "{name} is a text field");
        assert_eq!(part.text.as_deref(), Some(*value), "{name}");
    }
    for (part, (name, filename, content_type, data)) in seen.parts[fields.len()..].iter().zip(files) {
        assert_eq!(part.name.as_deref(), Some(*name), "{filename}");
        assert_eq!(part.filename.as_deref(), Some(*filename));
        assert_eq!(part.content_type.as_deref(), Some(*content_type), "{filename}");
        assert_eq!(part.len, data.len() as u64, "{filename} arrived whole");
        assert_eq!(part.sha256, sha256(data), "{filename} arrived intact");
        let info = part.image.unwrap_or_else(|| panic!("{filename}: the mock saw no image"));
        assert_eq!(format!("image/{}", info.format), *content_type, "{filename}: the declared type is the real one");
    }

    let expected = expected_body(&boundary, fields, files);
    assert_eq!(seen.body_len, expected.len() as u64, "body length");
    if whole_body {
        assert_eq!(seen.body.len() as u64, seen.body_len, "the mock kept the whole body");
        assert!(
            seen.body[..] == expected[..],
            "the body differs from httpx's form:\n got: {:?}\nwant: {:?}",
            String::from_utf8_lossy(&seen.body),
            String::from_utf8_lossy(&expected)
        );
    }
}

fn edit(model: &str, format: ImageFormat, images: Vec<Vec<u8>>) -> EditRequest {
    EditRequest { model: Some(model.into()), ..EditRequest::new("give the fox a red scarf", format, images) }
}

/// The default fields of an edit, in the order they are sent.
fn fields<'a>(model: &'a str, prompt: &'a str, size: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("model", model), ("prompt", prompt), ("n", "1"), ("size", size)]
}

// ---- through the component ----

#[tokio::test(flavor = "multi_thread")]
async fn a_single_png_jpeg_or_webp_reference_arrives_as_image() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let cases = [
        (png(96, 64), "image.png", "image/png"),
        (jpeg(96, 64), "image.jpg", "image/jpeg"),
        (webp(96, 64), "image.webp", "image/webp"),
    ];
    let mut boundaries = Vec::new();
    for (data, filename, content_type) in cases {
        mock.clear_requests();
        let request = edit("gpt-image-2.5-sunburst", ImageFormat::Square, vec![data.clone()]);
        let generation = session.edit(&request).await.expect("no trap").unwrap_or_else(|e| panic!("{filename}: {e:?}"));
        assert_eq!(generation.model, "gpt-image-2.5-sunburst");
        assert_eq!(generation.images.len(), 1);
        let image = &generation.images[0];
        assert_eq!((image.width, image.height), (1024, 1024));
        assert_eq!(image.mime_type, "image/png");
        assert_eq!(png_size(&image.data), (1024, 1024));
        assert!(
            generation.usage.as_ref().is_some_and(|u| u.input_image_tokens.unwrap_or(0) > 0),
            "{:?}",
            generation.usage
        );

        let seen = mock.requests();
        assert_eq!(seen.len(), 1, "{filename}: exactly one request");
        assert_received(
            &seen[0],
            &fields("gpt-image-2.5-sunburst", &request.prompt, "1024x1024"),
            &[("image", filename, content_type, &data)],
            true,
        );
        boundaries.push(boundary(&seen[0]));
    }
    boundaries.dedup();
    assert_eq!(boundaries.len(), 3, "each form gets a fresh random boundary");
}

#[tokio::test(flavor = "multi_thread")]
async fn several_references_and_a_mask_arrive_as_image_array_and_mask() {
    // gpt-image-1.5, where a gateway still serves it.
    let mock = gateway().await;
    let mut session = session(&mock).await;
    let (first, second, third, the_mask) = (png(120, 80), jpeg(64, 64), webp(80, 120), mask(120, 80));
    let request = EditRequest {
        mask: Some(the_mask.clone()),
        ..edit("gpt-image-1.5", ImageFormat::Landscape, vec![first.clone(), second.clone(), third.clone()])
    };
    let generation = session.edit(&request).await.expect("no trap").expect("the edit succeeds");
    assert_eq!(generation.model, "gpt-image-1.5");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 1024));
    assert_eq!(png_size(&generation.images[0].data), (1536, 1024));

    let seen = mock.requests();
    assert_eq!(seen.len(), 1);
    assert_received(
        &seen[0],
        &fields("gpt-image-1.5", &request.prompt, "1536x1024"),
        &[
            ("image[]", "image_1.png", "image/png", &first),
            ("image[]", "image_2.jpg", "image/jpeg", &second),
            ("image[]", "image_3.webp", "image/webp", &third),
            ("mask", "mask.png", "image/png", &the_mask),
        ],
        true,
    );
    let info = seen[0].parts_named("mask").next().unwrap().image.unwrap();
    assert_eq!((info.width, info.height), (120, 80), "the mask is the first image's size");

    // Sixteen, the most the API takes, also go through, each in its own part.
    mock.clear_requests();
    let sixteen: Vec<Vec<u8>> = (0..16).map(|i| png(16 + i, 16)).collect();
    let request = edit("gpt-image-2.5-sunburst", ImageFormat::Portrait, sixteen.clone());
    session.edit(&request).await.expect("no trap").expect("16 references are allowed");
    let seen = &mock.requests()[0];
    assert!(seen.verdict.is_ok(), "{:?}", seen.verdict);
    let parts: Vec<_> = seen.parts_named("image[]").collect();
    assert_eq!(parts.len(), 16);
    for (i, (part, data)) in parts.iter().zip(&sixteen).enumerate() {
        assert_eq!(part.filename.as_deref(), Some(format!("image_{}.png", i + 1).as_str()));
        assert_eq!(part.sha256, sha256(data), "image {} arrived intact", i + 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_model_that_can_edit_follows_the_format_table() {
    // Today's models against today's API, the seed's against a gateway.
    let today = mock().await;
    assert_edit_sizes(&today, &["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst"]).await;
    let gateway = gateway().await;
    assert_edit_sizes(
        &gateway,
        &["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "chatgpt-image-latest", "my-gateway-editor"],
    )
    .await;
    let mock = today;
    let mut session = session(&mock).await;
    let reference = jpeg(128, 96);

    // gpt-image-2 and the 2.5 family take free sizes; the older models do not.
    mock.clear_requests();
    let free = EditRequest {
        size: Some(Size { width: 1536, height: 864 }),
        ..edit("gpt-image-2", ImageFormat::Landscape, vec![reference.clone()])
    };
    let generation = session.edit(&free).await.unwrap().unwrap();
    assert_eq!((generation.images[0].width, generation.images[0].height), (1536, 864));
    let free_for_1 = EditRequest { model: Some("gpt-image-1".into()), ..free };
    assert!(matches!(session.edit(&free_for_1).await.unwrap(), Err(Error::InvalidInput(_))));
    assert_eq!(mock.requests().len(), 1);
}

async fn assert_edit_sizes(mock: &MockServer, models: &[&str]) {
    const FORMATS: [(ImageFormat, (u32, u32)); 3] = [
        (ImageFormat::Landscape, (1536, 1024)),
        (ImageFormat::Portrait, (1024, 1536)),
        (ImageFormat::Square, (1024, 1024)),
    ];
    let mut session = session(mock).await;
    let reference = jpeg(128, 96);
    for &model in models {
        for (format, (w, h)) in FORMATS {
            mock.clear_requests();
            let generation = session
                .edit(&edit(model, format, vec![reference.clone()]))
                .await
                .expect("no trap")
                .unwrap_or_else(|e| panic!("{model} {format:?}: {}: {}", e.kind(), e.message()));
            assert_eq!(generation.model, model);
            let image = &generation.images[0];
            assert_eq!((image.width, image.height), (w, h), "{model} {format:?}");
            assert_eq!(png_size(&image.data), (w, h), "{model} {format:?}: the bytes agree");

            let seen = mock.requests();
            assert_eq!(seen.len(), 1);
            assert!(seen[0].verdict.is_ok(), "{model} {format:?}: {:?}", seen[0].verdict);
            assert_eq!(seen[0].model.as_deref(), Some(model));
            let size = seen[0].parts_named("size").next().and_then(|p| p.text.clone());
            assert_eq!(size, Some(format!("{w}x{h}")), "{model} {format:?}");
            let names: Vec<_> = seen[0].parts.iter().filter_map(|p| p.name.as_deref()).collect();
            assert_eq!(names, ["model", "prompt", "n", "size", "image"], "{model}: nothing a GPT model refuses");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dall_e_3_cannot_edit_and_nothing_is_sent() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let result = session.edit(&edit("dall-e-3", ImageFormat::Square, vec![png(64, 64)])).await.expect("no trap");
    let Err(Error::Unsupported(message)) = result else { panic!("expected unsupported, got {result:?}") };
    assert!(message.contains("dall-e-3"), "{message}");
    for model in ["gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst"] {
        assert!(message.contains(model), "the message names today's {model}: {message}");
    }
    assert_no_key(&message);
    assert!(mock.requests().is_empty(), "nothing may be sent for dall-e-3");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_anything_is_sent() {
    let mock = mock().await;
    let mut session = session(&mock).await;
    let base = |images: Vec<Vec<u8>>| edit("gpt-image-2.5-sunburst", ImageFormat::Square, images);
    let with_mask = |the_mask: Vec<u8>| EditRequest { mask: Some(the_mask), ..base(vec![png(64, 48), png(32, 32)]) };
    // Over the API's 50 MB: a real PNG header, then padding. The component
    // must refuse it from its length, before reading any further.
    let mut huge = png(64, 48);
    huge.resize(50 * 1024 * 1024 + 1, 0);
    // Over the 4 MB the API allows a mask, built the same way.
    let mut huge_mask = mask(64, 48);
    huge_mask.resize(4 * 1024 * 1024 + 1, 0);

    let cases: Vec<(&str, EditRequest, &[&str])> = vec![
        ("a GIF reference", base(vec![png(32, 32), gif(32, 32), jpeg(32, 32)]), &["image 2 of 3", "GIF"]),
        (
            "a non-image",
            base(vec![b"not an image, just some text".to_vec()]),
            &["image 1 of 1", "not a PNG, JPEG or WebP"],
        ),
        ("no images", base(Vec::new()), &["at least one image"]),
        ("an empty image", base(vec![png(8, 8), Vec::new()]), &["image 2 of 2", "empty"]),
        ("17 images", base((0..17).map(|_| png(8, 8)).collect()), &["17", "16"]),
        ("an image over 50 MB", base(vec![huge]), &["image 1 of 1", "50 MB"]),
        ("a JPEG mask", with_mask(jpeg(64, 48)), &["mask", "PNG"]),
        ("a WebP mask", with_mask(webp(64, 48)), &["mask", "PNG"]),
        ("a mask that is no image", with_mask(b"GIF89a? no".to_vec()), &["mask", "PNG"]),
        ("a mask of the wrong size", with_mask(mask(48, 64)), &["48x64", "64x48"]),
        ("a mask without alpha", with_mask(opaque_png(64, 48)), &["mask", "alpha"]),
        ("a mask over 4 MB", with_mask(huge_mask), &["mask", "4 MB"]),
        ("an empty prompt", EditRequest { prompt: String::new(), ..base(vec![png(8, 8)]) }, &["prompt"]),
        ("a blank prompt", EditRequest { prompt: " \n\t".into(), ..base(vec![png(8, 8)]) }, &["prompt"]),
        ("a prompt over 32000", EditRequest { prompt: "a".repeat(32_001), ..base(vec![png(8, 8)]) }, &["32000"]),
        ("n = 11", EditRequest { n: Some(11), ..base(vec![png(8, 8)]) }, &["n"]),
    ];
    for (what, request, words) in cases {
        let result = session.edit(&request).await.expect("no trap");
        match result {
            Err(Error::InvalidInput(message)) => {
                for word in words {
                    assert!(message.contains(word), "{what}: the message should mention {word:?}: {message}");
                }
                assert_no_key(&message);
            }
            other => panic!("{what}: expected invalid-input, got {other:?}"),
        }
        assert!(mock.requests().is_empty(), "{what}: nothing may be sent, but the mock got {:?}", mock.requests());
    }

    // The same session still works, and a mask just under the limit is sent.
    let mut big_mask = mask(64, 48);
    big_mask.resize(4 * 1024 * 1024, 0);
    let ok = EditRequest { mask: Some(big_mask), ..base(vec![png(64, 48)]) };
    session.edit(&ok).await.expect("no trap").expect("a 4 MB mask is allowed");
    assert!(mock.requests()[0].verdict.is_ok(), "{:?}", mock.requests()[0].verdict);
}

/// A reference image of about 40 MB goes through whole, and the guest holds
/// it once: the multipart body borrows it rather than copying it.
#[tokio::test(flavor = "multi_thread")]
async fn a_40_mb_reference_goes_through_with_one_copy_in_memory() {
    let big = noise_png(3200, 3200);
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    assert!((38 << 20..50 << 20).contains(&big.len()), "about 40 MB, under the limit: {:.1} MiB", mib(big.len()));
    let decoded = image::load_from_memory(&big).expect("a real PNG");
    assert_eq!((decoded.width(), decoded.height()), (3200, 3200));
    drop(decoded);

    let mock = mock().await;
    let mut session = session(&mock).await;
    let opened = session.peak_memory();
    let request = edit("gpt-image-2.5-sunburst", ImageFormat::Portrait, vec![big.clone()]);
    let generation = session.edit(&request).await.expect("no trap").expect("a 40 MB reference is allowed");
    assert_eq!((generation.images[0].width, generation.images[0].height), (1024, 1536));

    let seen = mock.requests();
    assert_eq!(seen.len(), 1);
    assert_received(
        &seen[0],
        &fields("gpt-image-2.5-sunburst", &request.prompt, "1024x1536"),
        &[("image", "image.png", "image/png", &big)],
        false,
    );
    let info = seen[0].parts[4].image.unwrap();
    assert_eq!((info.width, info.height), (3200, 3200));
    // The part of the body the mock kept is exactly the start of the form.
    let boundary = boundary(&seen[0]);
    let expected = expected_body(
        &boundary,
        &fields("gpt-image-2.5-sunburst", &request.prompt, "1024x1536"),
        &[("image", "image.png", "image/png", &big)],
    );
    assert!(seen[0].body[..] == expected[..seen[0].body.len()], "the start of the body differs from httpx's form");

    let peak = session.peak_memory();
    let ratio = peak as f64 / big.len() as f64;
    println!(
        "40 MB edit: upload {:.1} MiB, guest memory {:.1} MiB after open, peak {:.1} MiB ({ratio:.2}x the upload)",
        mib(big.len()),
        mib(opened),
        mib(peak)
    );
    let slack = 8 << 20;
    assert!(
        peak < big.len() * 5 / 2 + slack,
        "the guest peaked at {:.1} MiB for a {:.1} MiB upload ({ratio:.2}x): the body was copied",
        mib(peak),
        mib(big.len())
    );
    // Tighter than the bound above: one copy of the image, plus the instance's
    // own memory and the small answer, and nothing near a second copy.
    assert!(
        peak < big.len() + opened + slack,
        "the guest peaked at {:.1} MiB for a {:.1} MiB upload ({ratio:.2}x)",
        mib(peak),
        mib(big.len())
    );
}
