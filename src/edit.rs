//! Image edit: checks an [`EditRequest`] and builds the multipart body of
//! `POST /images/edits`, with the reference images borrowed, never copied.
//!
//! Images are identified from their bytes, so each part carries the type the
//! API will see (a JPEG sent as `image/png` is refused upstream). Quality and
//! options are checked against the model's declaration (`models.rs`).

use crate::bindings::{Capability, EditRequest, Error};
use crate::call::{Call, Endpoint};
use crate::fields::Typed;
use crate::imaging::{self, ImageKind, ImageMeta};
use crate::models::{self, ImageModel};
use crate::multipart::Multipart;
use crate::options;

/// The API takes input images under 50 MB each.
pub const MAX_IMAGE_BYTES: usize = 50 * 1024 * 1024;

/// ...and a mask under 4 MB (CreateImageEditRequest.mask); a larger one is
/// refused upstream with `file_too_large` after the whole upload.
pub const MAX_MASK_BYTES: usize = 4 * 1024 * 1024;

/// Checks `req` and builds its call. `boundary` is the multipart boundary
/// (random, from the caller); `partial_images` as for [`crate::generate::prepare`].
pub fn prepare<'a>(req: &'a EditRequest, boundary: String, partial_images: Option<u32>) -> Result<Call<'a>, Error> {
    let model = models::image_model(options::model_id(req.model.as_deref(), models::DEFAULT_EDIT));
    if model.max_reference_images == 0 {
        return Err(Error::Unsupported(format!(
            "{} cannot edit images; models that can: {}",
            model.id,
            models::edit_model_ids().join(", ")
        )));
    }
    let declared = model.edit_options();
    let options::Shared { quality, chosen, options: shared, checked, partial_images } =
        options::check_shared(&model, Capability::ImageEdit, declared, options::image_fields!(req), partial_images)?;
    let metas = check_images(&model, &req.images)?;
    if let Some(mask) = &req.mask {
        check_mask(mask, &metas[0])?;
    }
    let markup = chosen.image("markup");
    if let Some((_, meta)) = markup {
        check_markup(&meta, &metas[0], req.mask.is_some())?;
    }

    let mut form = Multipart::new(boundary);
    form.text("model", &model.id);
    form.text("prompt", &req.prompt);
    form.text("n", &checked.n.to_string());
    form.text("size", &checked.size.to_string());
    let number = |n: Option<u32>| n.map(|n| n.to_string());
    let (compression, frames, frame_ms, partial_count) = (
        shared.output_compression.map(|c| c.to_string()),
        number(shared.frame_count),
        number(shared.frame_duration_ms),
        number(partial_images),
    );
    let optional = [
        ("quality", quality),
        ("output_format", shared.output_format),
        ("output_compression", compression.as_deref()),
        ("background", shared.background),
        ("input_fidelity", chosen.text("input-fidelity")),
        ("user", chosen.text("user")),
        ("complexity", chosen.text("complexity")),
        ("frame_count", frames.as_deref()),
        ("frame_duration_ms", frame_ms.as_deref()),
        ("stream", partial_images.map(|_| "true")),
        ("partial_images", partial_count.as_deref()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            form.text(name, value);
        }
    }
    // What goes as given: text fields now, files after the images.
    for (name, value) in &chosen.passthrough {
        if let Some(text) = value.to_form_text() {
            form.text(name, &text);
        }
    }
    // The SDK's convention: `image` for one file, `image[]` for each of several.
    let several = req.images.len() > 1;
    for (i, (data, meta)) in req.images.iter().zip(&metas).enumerate() {
        let ext = meta.kind.extension();
        let (name, filename) =
            if several { ("image[]", format!("image_{}.{ext}", i + 1)) } else { ("image", format!("image.{ext}")) };
        form.file(name, &filename, meta.kind.mime_type(), data);
    }
    if let Some(mask) = &req.mask {
        form.file("mask", "mask.png", ImageKind::Png.mime_type(), mask);
    }
    if let Some((data, meta)) = markup {
        form.file("markup", "markup.png", meta.kind.mime_type(), data);
    }
    for (name, value) in &chosen.passthrough {
        if let Typed::Image(data, meta) = value {
            let filename = format!("{name}.{}", meta.kind.extension());
            form.file(name, &filename, meta.kind.mime_type(), data);
        }
    }
    let (content_type, body) = form.finish();
    Ok(Call {
        endpoint: Endpoint::ImageEdits,
        model: model.id,
        content_type: Some(content_type),
        body,
        streaming: partial_images.is_some(),
    })
}

/// A markup overlay shows where the edit applies on the first image, so it
/// is that image's size; it stands in for a mask, so never with one
/// (LIFECYCLE.md: "it cannot be combined with mask").
fn check_markup(markup: &ImageMeta, first: &ImageMeta, masked: bool) -> Result<(), Error> {
    if masked {
        return Err(invalid("markup cannot be combined with a mask: give one or the other"));
    }
    if (markup.width, markup.height) != (first.width, first.height) {
        return Err(invalid(format!(
            "the markup is {}x{} but image 1 is {}x{}; they must match",
            markup.width, markup.height, first.width, first.height
        )));
    }
    Ok(())
}

/// Each image's type and size, or the first problem, naming the image.
fn check_images(model: &ImageModel, images: &[Vec<u8>]) -> Result<Vec<ImageMeta>, Error> {
    let count = images.len();
    if count == 0 {
        return Err(invalid("an edit needs at least one image"));
    }
    if count > model.max_reference_images as usize {
        return Err(invalid(format!(
            "{count} images given; {} takes at most {}",
            model.id, model.max_reference_images
        )));
    }
    images
        .iter()
        .enumerate()
        .map(|(i, data)| {
            let which = format!("image {} of {count}", i + 1);
            check_size_limit(&which, data, MAX_IMAGE_BYTES)?;
            match imaging::sniff(data) {
                Some(meta) if meta.kind != ImageKind::Gif => Ok(meta),
                Some(_) => Err(invalid(format!("{which} is a GIF; edits take PNG, JPEG or WebP"))),
                None => Err(invalid(format!("{which} is not a PNG, JPEG or WebP image"))),
            }
        })
        .collect()
}

/// The mask marks what to edit with transparent pixels, so it must be a PNG
/// with transparency, the size of the first image.
fn check_mask(mask: &[u8], first: &ImageMeta) -> Result<(), Error> {
    check_size_limit("the mask", mask, MAX_MASK_BYTES)?;
    let meta = match imaging::sniff(mask) {
        Some(meta) if meta.kind == ImageKind::Png => meta,
        Some(meta) => return Err(invalid(format!("the mask must be a PNG, not {}", meta.kind.mime_type()))),
        None => return Err(invalid("the mask is not a PNG image")),
    };
    if (meta.width, meta.height) != (first.width, first.height) {
        return Err(invalid(format!(
            "the mask is {}x{} but image 1 is {}x{}; they must match",
            meta.width, meta.height, first.width, first.height
        )));
    }
    if !png_has_alpha(mask) {
        return Err(invalid("the mask has no alpha channel; its fully transparent pixels mark the area to edit"));
    }
    Ok(())
}

fn check_size_limit(which: &str, data: &[u8], limit: usize) -> Result<(), Error> {
    if data.is_empty() {
        return Err(invalid(format!("{which} is empty")));
    }
    if data.len() > limit {
        let mib = data.len() as f64 / (1024.0 * 1024.0);
        return Err(invalid(format!("{which} is {mib:.1} MB; the API takes at most {} MB", limit >> 20)));
    }
    Ok(())
}

/// Whether a PNG can hold transparency: an alpha colour type (4, 6) or a
/// `tRNS` chunk before the image data.
fn png_has_alpha(png: &[u8]) -> bool {
    // Signature (8), then IHDR: length (4), type (4), width (4), height (4), depth (1), colour type.
    const COLOUR_TYPE: usize = 25;
    if matches!(png.get(COLOUR_TYPE), Some(4 | 6)) {
        return true;
    }
    let mut at = 8usize;
    while let Some(head) = png.get(at..at + 8) {
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        match &head[4..8] {
            b"tRNS" => return true,
            b"IDAT" | b"IEND" => return false,
            _ => {}
        }
        // Length, type, data, CRC.
        let Some(next) = at.checked_add(12).and_then(|n| n.checked_add(len)) else { return false };
        at = next;
    }
    false
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Minimal image headers: enough for a sniffer, far smaller than real files.

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// A PNG header; `colour_type` 6 is RGBA, 2 is RGB. `trns` adds a tRNS chunk.
    pub fn png_with(width: u32, height: u32, colour_type: u8, trns: bool) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, colour_type, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        if trns {
            chunk(&mut out, b"tRNS", &[0, 0, 0, 0, 0, 0]);
        }
        chunk(&mut out, b"IDAT", &[0x78, 0x01]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        png_with(width, height, 6, false)
    }

    pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        out.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        out.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
        out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        out.extend_from_slice(&height.to_be_bytes());
        out.extend_from_slice(&width.to_be_bytes());
        out.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
        out.extend_from_slice(&[0xFF, 0xD9]);
        out
    }

    /// An extended-format (VP8X) WebP header.
    pub fn webp(width: u32, height: u32) -> Vec<u8> {
        let mut vp8x = vec![0u8; 4];
        vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(4 + 8 + vp8x.len() as u32).to_le_bytes());
        out.extend_from_slice(b"WEBPVP8X");
        out.extend_from_slice(&(vp8x.len() as u32).to_le_bytes());
        out.extend_from_slice(&vp8x);
        out
    }

    pub fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut out = b"GIF89a".to_vec();
        out.extend_from_slice(&width.to_le_bytes());
        out.extend_from_slice(&height.to_le_bytes());
        out.extend_from_slice(&[0x00, 0x00, 0x00, 0x3B]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::bindings::{ImageFormat, Parameter, Size};
    use std::borrow::Cow;

    const BOUNDARY: &str = "test-boundary-0123456789";

    fn edit(images: Vec<Vec<u8>>) -> EditRequest {
        EditRequest::new("put a hat on it", ImageFormat::Square, images)
    }

    fn opts(pairs: &[(&str, &str)]) -> Vec<Parameter> {
        pairs.iter().map(|(n, v)| Parameter::text(*n, *v)).collect()
    }

    fn invalid_message(req: &EditRequest) -> String {
        match prepare(req, BOUNDARY.into(), None) {
            Err(Error::InvalidInput(m)) => m,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    /// The parts of an encoded form: (headers, content), split on the boundary.
    fn parts(body: &[u8]) -> Vec<(String, Vec<u8>)> {
        let delimiter = format!("--{BOUNDARY}");
        let text = body.to_vec();
        let mut out = Vec::new();
        let mut rest = &text[..];
        let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
        let first = find(rest, delimiter.as_bytes()).expect("opening delimiter");
        rest = &rest[first + delimiter.len()..];
        while rest.starts_with(b"\r\n") {
            rest = &rest[2..];
            let head_end = find(rest, b"\r\n\r\n").expect("part headers end");
            let head = String::from_utf8(rest[..head_end].to_vec()).unwrap();
            rest = &rest[head_end + 4..];
            let next = find(rest, format!("\r\n{delimiter}").as_bytes()).expect("next delimiter");
            out.push((head, rest[..next].to_vec()));
            rest = &rest[next + 2 + delimiter.len()..];
        }
        assert!(rest.starts_with(b"--"), "closing delimiter");
        out
    }

    #[test]
    fn dall_e_3_cannot_edit() {
        let req = EditRequest { model: Some("dall-e-3".into()), ..edit(vec![png(1024, 1024)]) };
        match prepare(&req, BOUNDARY.into(), None) {
            Err(Error::Unsupported(m)) => assert!(m.contains("dall-e-3") && m.contains("gpt-image-1, "), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn image_count_and_type_checks() {
        assert!(invalid_message(&edit(vec![])).contains("at least one image"));
        assert!(invalid_message(&edit(vec![png(8, 8); 17])).contains("at most 16"));
        let gif_second = invalid_message(&edit(vec![png(8, 8), gif(8, 8), png(8, 8)]));
        assert!(gif_second.contains("image 2 of 3") && gif_second.contains("GIF"), "{gif_second}");
        let junk = invalid_message(&edit(vec![png(8, 8), b"not an image at all".to_vec()]));
        assert!(junk.contains("image 2 of 2") && junk.contains("not a PNG, JPEG or WebP"), "{junk}");
        assert!(invalid_message(&edit(vec![Vec::new()])).contains("image 1 of 1 is empty"));
        let mut huge = png(8, 8);
        huge.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(invalid_message(&edit(vec![huge])).contains("50 MB"));
    }

    #[test]
    fn mask_checks() {
        let with_mask = |mask: Vec<u8>| EditRequest { mask: Some(mask), ..edit(vec![jpeg(640, 480), png(10, 10)]) };
        assert!(prepare(&with_mask(png(640, 480)), BOUNDARY.into(), None).is_ok());
        assert!(prepare(&with_mask(png_with(640, 480, 2, true)), BOUNDARY.into(), None).is_ok());
        assert!(invalid_message(&with_mask(png(480, 640))).contains("480x640 but image 1 is 640x480"));
        assert!(invalid_message(&with_mask(webp(640, 480))).contains("must be a PNG"));
        assert!(invalid_message(&with_mask(b"garbage".to_vec())).contains("not a PNG"));
        assert!(invalid_message(&with_mask(png_with(640, 480, 2, false))).contains("alpha"));
        assert!(invalid_message(&with_mask(Vec::new())).contains("mask is empty"));
        let mut big = png(640, 480);
        big.resize(MAX_MASK_BYTES, 0);
        assert!(prepare(&with_mask(big.clone()), BOUNDARY.into(), None).is_ok());
        big.push(0);
        assert!(invalid_message(&with_mask(big)).contains("the mask is 4.0 MB; the API takes at most 4 MB"));
    }

    #[test]
    fn png_alpha_detection() {
        assert!(png_has_alpha(&png_with(4, 4, 6, false)));
        assert!(png_has_alpha(&png_with(4, 4, 4, false)));
        assert!(png_has_alpha(&png_with(4, 4, 3, true)));
        assert!(!png_has_alpha(&png_with(4, 4, 2, false)));
        assert!(!png_has_alpha(&png_with(4, 4, 0, false)[..30]));
        // A chunk length pointing past the end stops the walk.
        let mut odd = png_with(4, 4, 2, false);
        odd[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(!png_has_alpha(&odd));
    }

    #[test]
    fn options_are_checked_as_for_generate() {
        let base = || edit(vec![png(1024, 1024)]);
        let cases = [
            (EditRequest { prompt: " ".into(), ..base() }, "empty"),
            (EditRequest { prompt: "a".repeat(32_001), ..base() }, "32000"),
            (EditRequest { n: Some(11), ..base() }, "1 to 10"),
            (
                EditRequest { model: Some("gpt-image-1".into()), size: Some(Size::new(1792, 1024)), ..base() },
                "1536x1024",
            ),
            (EditRequest { size: Some(Size::new(1000, 1000)), ..base() }, "multiples of 16"),
            (EditRequest { quality: Some("hd".into()), ..base() }, "quality hd"),
            (
                EditRequest { model: Some("gpt-image-2".into()), quality: Some("max".into()), ..base() },
                "low, medium, high, auto",
            ),
            (EditRequest { options: opts(&[("output-compression", "10")]), ..base() }, "jpeg or webp"),
            (
                EditRequest {
                    options: opts(&[("background", "transparent")]),
                    output_format: Some("jpeg".into()),
                    ..base()
                },
                "transparent",
            ),
            (
                EditRequest {
                    model: Some("gpt-image-1-mini".into()),
                    options: opts(&[("input-fidelity", "high")]),
                    ..base()
                },
                "input-fidelity",
            ),
            (
                EditRequest { options: opts(&[("moderation", "low")]), ..base() },
                "its options are background, output-compression, input-fidelity, user",
            ),
            (EditRequest { options: opts(&[("input-fidelity", "medium")]), ..base() }, "low, high"),
        ];
        for (req, why) in cases {
            let message = invalid_message(&req);
            assert!(message.contains(why), "{why}: {message}");
        }
        assert!(matches!(prepare(&base(), BOUNDARY.into(), Some(4)), Err(Error::InvalidInput(_))));
    }

    #[test]
    fn single_image_form() {
        let image = png(1024, 1024);
        let req = edit(vec![image.clone()]);
        let call = prepare(&req, BOUNDARY.into(), None).unwrap();
        assert_eq!(call.endpoint, Endpoint::ImageEdits);
        assert_eq!(call.model, "gpt-image-2.6-sunburst");
        assert!(!call.streaming);
        assert_eq!(call.content_type.as_deref(), Some(format!("multipart/form-data; boundary={BOUNDARY}").as_str()));
        // The image bytes are borrowed from the request, not copied.
        let borrowed =
            call.body.segments.iter().any(|s| matches!(s, Cow::Borrowed(b) if b.as_ptr() == req.images[0].as_ptr()));
        assert!(borrowed, "the image is not borrowed from the request");
        let parts = parts(&call.body.to_vec());
        let texts: Vec<(String, String)> = parts
            .iter()
            .filter(|(head, _)| !head.contains("filename"))
            .map(|(head, value)| (head.clone(), String::from_utf8(value.clone()).unwrap()))
            .collect();
        let field = |name: &str| format!("Content-Disposition: form-data; name=\"{name}\"");
        assert_eq!(
            texts,
            vec![
                (field("model"), "gpt-image-2.6-sunburst".to_string()),
                (field("prompt"), "put a hat on it".to_string()),
                (field("n"), "1".to_string()),
                (field("size"), "1024x1024".to_string()),
            ]
        );
        let files: Vec<&(String, Vec<u8>)> = parts.iter().filter(|(head, _)| head.contains("filename")).collect();
        assert_eq!(files.len(), 1);
        assert_eq!(
            files[0].0,
            "Content-Disposition: form-data; name=\"image\"; filename=\"image.png\"\r\nContent-Type: image/png"
        );
        assert_eq!(files[0].1, image);
    }

    #[test]
    fn single_image_form_byte_for_byte() {
        let image = png(1536, 1024);
        let req = EditRequest {
            model: Some("gpt-image-1.5".into()),
            quality: Some("low".into()),
            ..EditRequest::new("line 1\r\nline 2", ImageFormat::Landscape, vec![image.clone()])
        };
        let call = prepare(&req, BOUNDARY.into(), Some(1)).unwrap();
        let mut expected = Vec::new();
        for (name, value) in [
            ("model", "gpt-image-1.5"),
            ("prompt", "line 1\r\nline 2"),
            ("n", "1"),
            ("size", "1536x1024"),
            ("quality", "low"),
            ("stream", "true"),
            ("partial_images", "1"),
        ] {
            let part = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            expected.extend_from_slice(part.as_bytes());
        }
        expected.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image.png\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        expected.extend_from_slice(&image);
        expected.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        assert_eq!(String::from_utf8_lossy(&call.body.to_vec()), String::from_utf8_lossy(&expected));
        assert_eq!(call.body.len(), expected.len() as u64);
    }

    /// The seed's models get, byte for byte, the form the 0.1 component sent
    /// for the same request (recorded from it): only the inputs' shape changed.
    #[test]
    fn every_option_form_byte_for_byte_as_before() {
        let image = png(2, 2);
        let req = EditRequest {
            model: Some("gpt-image-1.5".into()),
            quality: Some("high".into()),
            output_format: Some("webp".into()),
            options: opts(&[
                ("user", "user-7"),
                ("input-fidelity", "high"),
                ("background", "transparent"),
                ("output-compression", "70"),
            ]),
            ..EditRequest::new("combine", ImageFormat::Landscape, vec![image.clone(), image.clone()])
        };
        let call = prepare(&req, "BOUNDARY".into(), Some(2)).unwrap();
        let mut expected = Vec::new();
        for (name, value) in [
            ("model", "gpt-image-1.5"),
            ("prompt", "combine"),
            ("n", "1"),
            ("size", "1536x1024"),
            ("quality", "high"),
            ("output_format", "webp"),
            ("output_compression", "70"),
            ("background", "transparent"),
            ("input_fidelity", "high"),
            ("user", "user-7"),
            ("stream", "true"),
            ("partial_images", "2"),
        ] {
            expected.extend_from_slice(
                format!("--BOUNDARY\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        for i in 1..=2 {
            expected.extend_from_slice(
                format!(
                    "--BOUNDARY\r\nContent-Disposition: form-data; name=\"image[]\"; filename=\"image_{i}.png\"\r\n\
                     Content-Type: image/png\r\n\r\n"
                )
                .as_bytes(),
            );
            expected.extend_from_slice(&image);
            expected.extend_from_slice(b"\r\n");
        }
        expected.extend_from_slice(b"--BOUNDARY--\r\n");
        assert_eq!(String::from_utf8_lossy(&call.body.to_vec()), String::from_utf8_lossy(&expected));
        assert_eq!(call.body.to_vec(), expected);
    }

    #[test]
    fn the_2_5_family_edits_at_its_tiers_and_sizes() {
        let req = EditRequest {
            model: Some("gpt-image-2.5-sunburst".into()),
            quality: Some("xhigh".into()),
            size: Some(Size::new(2560, 1440)),
            ..edit(vec![png(64, 64)])
        };
        let call = prepare(&req, BOUNDARY.into(), None).unwrap();
        let parts = parts(&call.body.to_vec());
        let value = |name: &str| {
            parts
                .iter()
                .find(|(h, _)| h.ends_with(&format!("name=\"{name}\"")))
                .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
        };
        assert_eq!(value("model").as_deref(), Some("gpt-image-2.5-sunburst"));
        assert_eq!(value("size").as_deref(), Some("2560x1440"));
        assert_eq!(value("quality").as_deref(), Some("xhigh"));
        let max =
            EditRequest { model: Some("gpt-image-2".into()), quality: Some("max".into()), ..edit(vec![png(8, 8)]) };
        assert_eq!(invalid_message(&max), "quality max is not one gpt-image-2 takes; it takes low, medium, high, auto");
    }

    #[test]
    fn several_images_with_mask_and_every_option_in_sdk_order() {
        let images = vec![png(1024, 1536), jpeg(300, 200), webp(64, 64)];
        let mask = png(1024, 1536);
        let req = EditRequest {
            model: Some("gpt-image-1.5".into()),
            mask: Some(mask.clone()),
            size: Some(Size::new(1024, 1536)),
            n: Some(2),
            quality: Some("high".into()),
            output_format: Some("webp".into()),
            options: opts(&[
                ("user", "user-7"),
                ("input-fidelity", "high"),
                ("background", "transparent"),
                ("output-compression", "70"),
            ]),
            ..EditRequest::new("combine them", ImageFormat::Landscape, images.clone())
        };
        let call = prepare(&req, BOUNDARY.into(), Some(2)).unwrap();
        assert!(call.streaming);
        let parts = parts(&call.body.to_vec());
        let names: Vec<String> = parts.iter().map(|(head, _)| head.split('"').nth(1).unwrap().to_string()).collect();
        assert_eq!(
            names,
            [
                "model",
                "prompt",
                "n",
                "size",
                "quality",
                "output_format",
                "output_compression",
                "background",
                "input_fidelity",
                "user",
                "stream",
                "partial_images",
                "image[]",
                "image[]",
                "image[]",
                "mask"
            ]
        );
        let values: Vec<String> = parts[..12].iter().map(|(_, v)| String::from_utf8(v.clone()).unwrap()).collect();
        assert_eq!(
            values,
            [
                "gpt-image-1.5",
                "combine them",
                "2",
                "1024x1536",
                "high",
                "webp",
                "70",
                "transparent",
                "high",
                "user-7",
                "true",
                "2"
            ]
        );
        let files: Vec<(&str, &[u8])> = parts[12..].iter().map(|(h, v)| (h.as_str(), v.as_slice())).collect();
        assert_eq!(
            files,
            [
                (
                    "Content-Disposition: form-data; name=\"image[]\"; filename=\"image_1.png\"\r\nContent-Type: image/png",
                    images[0].as_slice()
                ),
                (
                    "Content-Disposition: form-data; name=\"image[]\"; filename=\"image_2.jpg\"\r\nContent-Type: image/jpeg",
                    images[1].as_slice()
                ),
                (
                    "Content-Disposition: form-data; name=\"image[]\"; filename=\"image_3.webp\"\r\nContent-Type: image/webp",
                    images[2].as_slice()
                ),
                (
                    "Content-Disposition: form-data; name=\"mask\"; filename=\"mask.png\"\r\nContent-Type: image/png",
                    mask.as_slice()
                ),
            ]
        );
    }

    #[test]
    fn default_size_follows_the_format_and_model() {
        let req = EditRequest { model: Some("gpt-image-2".into()), ..edit(vec![png(8, 8)]) };
        let req = EditRequest { format: ImageFormat::Portrait, ..req };
        let call = prepare(&req, BOUNDARY.into(), None).unwrap();
        let parts = parts(&call.body.to_vec());
        let size = parts.iter().find(|(h, _)| h.ends_with("name=\"size\"")).unwrap();
        assert_eq!(size.1, b"1024x1536");
        let free = EditRequest { size: Some(Size::new(1536, 864)), ..req };
        assert!(prepare(&free, BOUNDARY.into(), None).is_ok());
    }

    /// The headers of the part named `name`.
    fn head_of(parts: &[(String, Vec<u8>)], name: &str) -> Option<String> {
        parts.iter().find(|(h, _)| h.contains(&format!("name=\"{name}\""))).map(|(h, _)| h.clone())
    }

    #[test]
    fn a_markup_edit_sends_the_markup_as_a_png_part() {
        let (image, markup) = (png(64, 48), png(64, 48));
        let req = EditRequest {
            model: Some("gpt-image-2.6-sunburst".into()),
            options: vec![Parameter::image("markup", markup.clone()), Parameter::text("complexity", "medium")],
            ..edit(vec![image])
        };
        let call = prepare(&req, BOUNDARY.into(), None).unwrap();
        let parts = parts(&call.body.to_vec());
        let head = head_of(&parts, "markup").expect("a markup part");
        assert!(head.contains("filename=\"markup.png\"") && head.contains("Content-Type: image/png"), "{head}");
        assert_eq!(parts.iter().find(|(h, _)| h == &head).unwrap().1, markup);
        assert!(head_of(&parts, "complexity").is_some());
    }

    #[test]
    fn markup_is_checked_before_anything_is_sent() {
        let sunburst = |options: Vec<Parameter>, mask: Option<Vec<u8>>| EditRequest {
            model: Some("gpt-image-2.6-sunburst".into()),
            options,
            mask,
            ..edit(vec![png(64, 48)])
        };
        let markup = || vec![Parameter::image("markup", png(64, 48))];
        assert_eq!(
            invalid_message(&sunburst(markup(), Some(png(64, 48)))),
            "markup cannot be combined with a mask: give one or the other"
        );
        assert_eq!(
            invalid_message(&sunburst(vec![Parameter::image("markup", png(32, 32))], None)),
            "the markup is 32x32 but image 1 is 64x48; they must match"
        );
        assert!(invalid_message(&sunburst(vec![Parameter::image("markup", jpeg(64, 48))], None))
            .contains("option markup takes an image (image/png), not image/jpeg"));
        // 2.5 takes no markup, and says what it takes.
        let older = EditRequest { model: Some("gpt-image-2.5-sunburst".into()), ..sunburst(markup(), None) };
        assert!(invalid_message(&older).starts_with("gpt-image-2.5-sunburst takes no option `markup`"));
        // An SVG is no edit output.
        let svg = EditRequest { output_format: Some("svg".into()), ..sunburst(vec![], None) };
        assert!(invalid_message(&svg).contains("makes for edits; it makes png, jpeg, webp, gif"));
    }

    #[test]
    fn options_and_extras_of_a_model_the_table_does_not_know_go_as_given() {
        let req = EditRequest {
            model: Some("gpt-image-2.7-nova".into()),
            options: vec![Parameter::number("shimmer", 3.0), Parameter::image("style-reference", jpeg(16, 16))],
            extra: vec![Parameter::flag("loop", false)],
            ..edit(vec![png(64, 48)])
        };
        let call = prepare(&req, BOUNDARY.into(), None).unwrap();
        let parts = parts(&call.body.to_vec());
        let value =
            |name: &str| parts.iter().find(|(h, _)| h.ends_with(&format!("name=\"{name}\""))).map(|(_, v)| v.clone());
        assert_eq!(value("shimmer").as_deref(), Some(&b"3"[..]));
        assert_eq!(value("loop").as_deref(), Some(&b"false"[..]));
        // An image option goes as a file, with its real type.
        let head = head_of(&parts, "style_reference").unwrap();
        assert!(
            head.contains("filename=\"style_reference.jpg\"") && head.contains("Content-Type: image/jpeg"),
            "{head}"
        );
    }
}
