//! `multipart/form-data` encoding for the image-edit endpoint, as the
//! official SDK writes it.
//! STUB: signatures fixed; implementation pending.

use crate::http::Body;

/// A form being built. File contents are borrowed, not copied: the encoded
/// body is a list of segments whose large pieces point at the caller's bytes.
pub struct Multipart<'a> {
    boundary: String,
    body: Body<'a>,
}

impl<'a> Multipart<'a> {
    /// `boundary` must be 1-70 characters of `[0-9A-Za-z'()+_,-./:=?]` and not
    /// occur in any part; callers make it from random bytes.
    pub fn new(boundary: String) -> Self {
        Multipart { boundary, body: Body::empty() }
    }

    /// A text field.
    pub fn text(&mut self, name: &str, value: &str) {
        let _ = (name, value, &self.boundary, &mut self.body);
        todo!("multipart::text")
    }

    /// A file field with its filename and `Content-Type`.
    pub fn file(&mut self, name: &str, filename: &str, content_type: &str, data: &'a [u8]) {
        let _ = (name, filename, content_type, data);
        todo!("multipart::file")
    }

    /// Closes the form. Returns the `Content-Type` header value
    /// (`multipart/form-data; boundary=...`) and the body.
    pub fn finish(self) -> (String, Body<'a>) {
        todo!("multipart::finish")
    }
}
