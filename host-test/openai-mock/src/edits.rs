//! `POST /images/edits`: a multipart CreateImageEditRequest into an [`ImageJob`].
//!
//! The body is streamed through `multer`; each file part is hashed as it
//! arrives and only a bounded prefix is kept, enough to identify the image
//! from its header. So a 40 MB upload costs one pass and a few megabytes, and
//! every part is still checked as the real API checks it: a file where a file
//! belongs, a declared type among PNG/JPEG/WebP that matches both the filename
//! and the bytes, the size limits, and a mask that fits the first image.
//!
//! File parts other than `image`, `image[]` and `mask` depend on the model,
//! which may be named after them: 2.6's `markup` (a PNG overlay the size of
//! the first image, never with a mask: LIFECYCLE.md, "Current image models")
//! or an image parameter a catalog entry declares. They are kept until the
//! whole body is read, checked by name with the other parameters, then by
//! content. Every file part is recorded with the format and size its bytes
//! really have.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

use super::digest::hex;
use super::errors::{self, ApiError, IMAGE_MIMETYPES};
use super::fields::{Fields, Raw};
use super::gate::Gate;
use super::job::{ImageJob, InputImage};
use super::kinds::ModelKind;
use super::params;
use super::record::RecordedPart;
use super::reqbody::{self, TeeBody};
use super::sniff::{self, ImageInfo};
use super::types::ImageEndpoint;

/// What the handler needs from an edit body, valid or not.
pub(crate) struct Parsed {
    pub model: Option<String>,
    pub stream: bool,
    pub parts: Vec<RecordedPart>,
    pub job: Result<ImageJob, ApiError>,
}

const MAX_IMAGE_BYTES: u64 = 50 * 1024 * 1024;
const MAX_MASK_BYTES: u64 = 4 * 1024 * 1024;
const MAX_TEXT_BYTES: u64 = 1024 * 1024;
const MAX_IMAGES: usize = 16;
/// Image headers (even JPEG's, behind EXIF/ICC segments) sit well within this.
const SNIFF_BYTES: usize = 4 * 1024 * 1024;

/// Parses and validates an edit request. Always consumes the whole body, so
/// the client gets to read the answer even when it is rejected early.
pub(crate) async fn parse(content_type: Option<&str>, mut body: TeeBody, gate: &Gate, request_id: &str) -> Parsed {
    let mut state = State { request_id: request_id.to_string(), ..State::default() };
    let essence = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let boundary = match essence.as_deref() {
        Some("multipart/form-data") => multer::parse_boundary(content_type.unwrap_or_default()).map_err(|_| {
            malformed("the Content-Type header has no boundary parameter")
        }),
        Some("application/json") => Err(errors::not_in_mock(
            None,
            "JSON image edits (images given by URL or file id) are not supported by this mock; send multipart/form-data.",
        )),
        _ => Err(errors::unsupported_content_type(content_type, "'multipart/form-data' and 'application/json'")),
    };
    let boundary = match boundary {
        Ok(b) => b,
        Err(e) => {
            reqbody::discard(&mut body).await;
            return state.finish(gate, Err(e));
        }
    };
    let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
    let read = state.read_parts(&mut multipart).await;
    if read.is_err() {
        drain(&mut multipart).await;
    }
    state.finish(gate, read)
}

/// Reads what is left of a rejected body.
async fn drain(multipart: &mut multer::Multipart<'_>) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

fn malformed(why: &str) -> ApiError {
    ApiError::invalid(http::StatusCode::BAD_REQUEST, format!("Could not parse multipart form: {why}."), None, None)
}

/// A file part the API refuses, in the envelope of its file errors.
fn file_error(param: &str, code: &str, message: String) -> ApiError {
    ApiError::invalid(http::StatusCode::BAD_REQUEST, message, Some(param), Some(code))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileField {
    Image,
    ImageArray,
    Mask,
}

/// A file part, identified.
struct FilePart {
    sha256: [u8; 32],
    info: ImageInfo,
}

/// A file part whose rules depend on the model (`markup`, a declared image
/// parameter, or a name no model takes), kept until the model is known.
struct ExtraFile {
    name: String,
    filename: String,
    declared: Option<String>,
    content: Content,
    image: Option<ImageInfo>,
}

/// What a kind of file part may be.
struct FileSpec<'a> {
    param: &'a str,
    /// The declared types accepted, and how the refusal lists them.
    allowed: &'static [&'static str],
    supported: &'static str,
    limit: u64,
}

const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp"];
const PNG_ONLY: &[&str] = &["image/png"];

#[derive(Default)]
struct State {
    request_id: String,
    parts: Vec<RecordedPart>,
    fields: Fields,
    single: Vec<FilePart>,
    array: Vec<FilePart>,
    mask: Option<FilePart>,
    extra: Vec<ExtraFile>,
}

/// A part's content: hashed whole, kept only up to a limit.
struct Content {
    kept: Bytes,
    len: u64,
    sha256: [u8; 32],
}

impl State {
    async fn read_parts(&mut self, multipart: &mut multer::Multipart<'_>) -> Result<(), ApiError> {
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(()),
                Err(e) => return Err(malformed(&e.to_string())),
            };
            self.read_part(field).await?;
        }
    }

    async fn read_part(&mut self, mut field: multer::Field<'_>) -> Result<(), ApiError> {
        let header = |name: http::header::HeaderName| {
            field.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let disposition = header(http::header::CONTENT_DISPOSITION);
        let declared = header(http::header::CONTENT_TYPE);
        let name = field.name().map(str::to_string);
        let filename = field.file_name().map(str::to_string);
        let file_field = match name.as_deref() {
            Some("image") => Some(FileField::Image),
            Some("image[]") => Some(FileField::ImageArray),
            Some("mask") => Some(FileField::Mask),
            _ => None,
        };
        // A file under a name no spec parameter has: its rules depend on the model.
        let extra = file_field.is_none()
            && filename.is_some()
            && name.as_deref().is_some_and(|n| !params::is_common_field(ImageEndpoint::Edit, n));
        let keep = if file_field.is_some() || extra { SNIFF_BYTES } else { MAX_TEXT_BYTES as usize };
        let content = read_content(&mut field, keep).await?;
        let is_form_data = disposition
            .as_deref()
            .and_then(|d| d.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("form-data"));

        let mut part = RecordedPart {
            name: name.clone(),
            filename: filename.clone(),
            content_type: declared.clone(),
            len: content.len,
            sha256: hex(&content.sha256),
            text: None,
            image: None,
        };
        if filename.is_none() && content.len <= MAX_TEXT_BYTES {
            part.text = std::str::from_utf8(&content.kept).ok().map(str::to_string);
        }
        if file_field.is_some() || extra {
            part.image = sniff::sniff(&content.kept);
        }
        let text = part.text.clone();
        let image = part.image;
        self.parts.push(part);

        if !is_form_data {
            return Err(malformed("every part needs a 'Content-Disposition: form-data' header"));
        }
        let Some(name) = name else {
            return Err(malformed("a part's Content-Disposition has no name"));
        };
        match (file_field, filename) {
            (Some(kind), filename) => self.file_part(kind, filename, declared, content, image),
            (None, Some(filename)) if extra => {
                if self.extra.iter().any(|f| f.name == name) {
                    return Err(errors::invalid_value_msg(
                        &name,
                        format!("Duplicate parameter: '{name}' was given more than once."),
                    ));
                }
                self.extra.push(ExtraFile { name, filename, declared, content, image });
                Ok(())
            }
            (None, filename) => {
                if filename.is_some() {
                    return Err(errors::invalid_type(&name, "a string", "a file"));
                }
                if content.len > MAX_TEXT_BYTES {
                    return Err(errors::string_too_long(&name, MAX_TEXT_BYTES as usize, content.len as usize));
                }
                let text = text.ok_or_else(|| errors::invalid_type(&name, "a string", "binary data"))?;
                if self.fields.0.iter().any(|(n, _)| *n == name) {
                    return Err(errors::invalid_value_msg(
                        &name,
                        format!("Duplicate parameter: '{name}' was given more than once."),
                    ));
                }
                self.fields.0.push((name, Raw::Text(text)));
                Ok(())
            }
        }
    }

    fn file_part(
        &mut self,
        kind: FileField,
        filename: Option<String>,
        declared: Option<String>,
        content: Content,
        image: Option<ImageInfo>,
    ) -> Result<(), ApiError> {
        let param = match kind {
            FileField::Image => "image".to_string(),
            FileField::ImageArray => format!("image[{}]", self.array.len()),
            FileField::Mask => "mask".to_string(),
        };
        if kind == FileField::Image && !self.single.is_empty() {
            return Err(errors::invalid_value_msg(
                "image",
                "Duplicate parameter: 'image' was given more than once; use 'image[]' for several images.",
            ));
        }
        if kind == FileField::Mask && self.mask.is_some() {
            return Err(errors::invalid_value_msg("mask", "Duplicate parameter: 'mask' was given more than once."));
        }
        let spec = match kind {
            FileField::Mask => {
                FileSpec { param: &param, allowed: PNG_ONLY, supported: "'image/png'", limit: MAX_MASK_BYTES }
            }
            _ => FileSpec { param: &param, allowed: IMAGE_TYPES, supported: IMAGE_MIMETYPES, limit: MAX_IMAGE_BYTES },
        };
        let Some(filename) = filename else {
            return Err(errors::expected_file(&param));
        };
        let matches = check_file(&spec, &filename, declared.as_deref(), &content, image)?;
        let part = match (kind, matches) {
            (_, Some(info)) => FilePart { sha256: content.sha256, info },
            (FileField::Mask, None) => {
                return Err(file_error(
                    "mask",
                    "invalid_image_file",
                    "Invalid file 'mask': the mask must be a valid PNG image.".to_string(),
                ))
            }
            (_, None) => {
                let index = self.single.len() + self.array.len() + 1;
                return Err(errors::invalid_image_file(index, &self.request_id));
            }
        };
        match kind {
            FileField::Image => self.single.push(part),
            FileField::ImageArray => self.array.push(part),
            FileField::Mask => {
                let mode = sniff::png_mode(&content.kept).unwrap_or("RGB");
                if mode == "RGB" {
                    return Err(errors::invalid_value_msg(
                        "mask",
                        format!("Invalid input image - format must be in ['RGBA', 'LA', 'L'], got {mode}."),
                    ));
                }
                self.mask = Some(part);
            }
        }
        Ok(())
    }

    /// The cross-part checks, then the shared parameter rules.
    fn finish(self, gate: &Gate, read: Result<(), ApiError>) -> Parsed {
        let model = gate.forced().map(str::to_string).or_else(|| self.fields.model_hint());
        let stream = self.fields.bool("stream").ok().flatten().unwrap_or(false);
        let job = read.and_then(|()| self.validate(gate));
        Parsed { model, stream, parts: self.parts, job }
    }

    fn validate(&self, gate: &Gate) -> Result<ImageJob, ApiError> {
        let (mut job, first) = self.validate_images(gate)?;
        for file in &self.extra {
            // image_job has accepted each name as a file parameter of this model.
            if file.name == "markup" && job.kind == ModelKind::GptImage26 {
                job.markup = Some(self.markup(file, first)?);
            } else {
                let spec = FileSpec {
                    param: &file.name,
                    allowed: IMAGE_TYPES,
                    supported: IMAGE_MIMETYPES,
                    limit: MAX_IMAGE_BYTES,
                };
                if check_file(&spec, &file.filename, file.declared.as_deref(), &file.content, file.image)?.is_none() {
                    return Err(file_error(
                        &file.name,
                        "invalid_image_file",
                        format!("Invalid file '{}': the file is not a valid PNG, JPEG or WebP image.", file.name),
                    ));
                }
            }
        }
        Ok(job)
    }

    /// 2.6's markup overlay: never with a mask, a real PNG, the size of the first image.
    fn markup(&self, file: &ExtraFile, first: ImageInfo) -> Result<InputImage, ApiError> {
        if self.mask.is_some() {
            return Err(errors::invalid_value_msg(
                "markup",
                "Invalid 'markup': markup cannot be combined with mask; send one or the other.",
            ));
        }
        let spec = FileSpec { param: "markup", allowed: PNG_ONLY, supported: "'image/png'", limit: MAX_IMAGE_BYTES };
        let Some(info) = check_file(&spec, &file.filename, file.declared.as_deref(), &file.content, file.image)? else {
            return Err(file_error(
                "markup",
                "invalid_image_file",
                "Invalid file 'markup': the markup must be a valid PNG image.".to_string(),
            ));
        };
        if (info.width, info.height) != (first.width, first.height) {
            return Err(errors::invalid_value_msg(
                "markup",
                format!(
                    "Invalid markup: the markup must have the same dimensions as the first image ({}x{}), but it is {}x{}.",
                    first.width, first.height, info.width, info.height
                ),
            ));
        }
        Ok(InputImage { sha256: file.content.sha256, info })
    }

    /// The images and mask, then the shared parameter rules; also the first image's facts.
    fn validate_images(&self, gate: &Gate) -> Result<(ImageJob, ImageInfo), ApiError> {
        let images = match (self.single.is_empty(), self.array.is_empty()) {
            (false, false) => {
                return Err(errors::invalid_value_msg("image", "Provide either 'image' or 'image[]', not both."))
            }
            (true, true) => return Err(errors::missing_required("image")),
            (false, true) => &self.single,
            (true, false) => &self.array,
        };
        if images.len() > MAX_IMAGES {
            return Err(errors::array_too_long("image", MAX_IMAGES, images.len()));
        }
        if let Some(mask) = &self.mask {
            let first = images[0].info;
            if (mask.info.width, mask.info.height) != (first.width, first.height) {
                return Err(errors::invalid_value_msg(
                    "mask",
                    format!(
                        "Invalid mask: the mask must have the same dimensions as the image ({}x{}), but it is {}x{}.",
                        first.width, first.height, mask.info.width, mask.info.height
                    ),
                ));
            }
        }
        let inputs = images.iter().map(|p| InputImage { sha256: p.sha256, info: p.info }).collect();
        let files: Vec<&str> = self.extra.iter().map(|f| f.name.as_str()).collect();
        let job = params::image_job(ImageEndpoint::Edit, &self.fields, gate, inputs, &files)?;
        Ok((job, images[0].info))
    }
}

/// The checks every file part gets, whatever it is for: a declared type
/// among those allowed, a filename extension that says the same, the size
/// limit. Returns what the bytes are when they match the declared type
/// (`None`: not that kind of image, for the caller to refuse in its words).
fn check_file(
    spec: &FileSpec<'_>,
    filename: &str,
    declared: Option<&str>,
    content: &Content,
    image: Option<ImageInfo>,
) -> Result<Option<ImageInfo>, ApiError> {
    let (param, supported) = (spec.param, spec.supported);
    let declared = declared
        .map(|d| d.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_else(|| "application/octet-stream".to_string());
    if !spec.allowed.contains(&declared.as_str()) {
        return Err(errors::unsupported_mimetype(param, &declared, supported));
    }
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).filter(|e| !e.is_empty());
    let Some(extension) = extension else {
        return Err(file_error(
            param,
            "unsupported_file_mimetype",
            format!("Invalid file '{param}': the filename '{filename}' has no extension. Supported file formats are {supported}."),
        ));
    };
    let by_extension = match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "",
    };
    if by_extension != declared {
        return Err(file_error(
            param,
            "unsupported_file_mimetype",
            format!(
                "Invalid file '{param}': the extension of '{filename}' does not match its mimetype ('{declared}')."
            ),
        ));
    }
    if content.len > spec.limit {
        return Err(file_error(
            param,
            "file_too_large",
            format!(
                "Invalid file '{param}': the file is {} bytes; it must be smaller than {} MB.",
                content.len,
                spec.limit >> 20
            ),
        ));
    }
    Ok(image.filter(|i| sniff::format_of_mime(&declared) == Some(i.format)))
}

async fn read_content(field: &mut multer::Field<'_>, keep: usize) -> Result<Content, ApiError> {
    let mut hasher = Sha256::new();
    let mut kept = BytesMut::new();
    let mut len = 0u64;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                hasher.update(&chunk);
                len += chunk.len() as u64;
                let room = keep.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..room.min(chunk.len())]);
            }
            Ok(None) => break,
            Err(e) => return Err(malformed(&e.to_string())),
        }
    }
    Ok(Content { kept: kept.freeze(), len, sha256: hasher.finalize().into() })
}
