//! The state machine behind the WIT `generation-stream` resource: a streamed
//! Images API response (server-sent events) read one event at a time.
//!
//! The API sends `image_generation.partial_image` / `image_edit.partial_image`
//! events (previews, `partial_image_index` 0..k) and then
//! `image_generation.completed` / `image_edit.completed` with the final image
//! and the usage. Choices the spec leaves open:
//!
//! - **Several images (`n > 1`).** A completed event carries one image and no
//!   index, so completed events are collected until `n` have arrived (or the
//!   stream ends) and the host gets one `completed` with every image, as the
//!   contract's "nothing follows it" requires. Usage is summed over them.
//!   A partial's `image-index` is the event's own index field when a service
//!   sends one, otherwise the number of images completed so far.
//! - **A finished image is never lost.** Once an image has completed, a later
//!   failure (a broken connection, the size cap, an error event, a corrupt
//!   second image) ends the stream with `completed` holding the images that
//!   did arrive: they were generated and billed.
//! - **Broken previews are skipped.** A partial image that does not decode is
//!   dropped rather than failing a generation whose final image may be fine.
//! - Unknown event types are ignored (the API adds events over time);
//!   `data: [DONE]` ends the stream like the end of the body.

use std::collections::VecDeque;
use std::fmt;

use serde::Deserialize;
use serde_json::Value;

use crate::api_error;
use crate::bindings::{Error, Failure, Generation, GenerationEvent, Image, PartialImage, Usage};
use crate::http::{BodyReader, TransportError};
use crate::images_response::{self, Base64Str};
use crate::sse::{SseEvent, SseParser};

/// What a stream needs to know about the call it belongs to.
#[derive(Debug, Clone)]
pub struct StreamSetup {
    /// The model id, reported in the result and named in messages.
    pub model: String,
    /// How many images were asked for (`n`); the stream completes when this
    /// many have arrived.
    pub images: u32,
    /// The response's HTTP status and `x-request-id`, for failures.
    pub status: u16,
    pub request_id: Option<String>,
    /// The request URL, for transport error messages.
    pub url: String,
    /// Cap on the bytes read from the whole stream.
    pub max_bytes: u64,
}

/// A generation in progress. [`next`](Self::next) blocks until the next
/// event; after `completed` or an error it returns `None`. Dropping it drops
/// the body reader, which closes the connection.
pub struct GenerationStream {
    body: Option<Box<dyn BodyReader>>,
    parser: SseParser,
    /// Events decoded but not yet handed out, in order.
    pending: VecDeque<Result<GenerationEvent, Error>>,
    /// A terminal item (completed or error) is queued: read nothing more.
    finished: bool,
    setup: StreamSetup,
    received: u64,
    images: Vec<Image>,
    /// Partials seen for the image in progress, when events do not number them.
    partials: u32,
    usage: Option<Usage>,
    revised_prompt: Option<String>,
}

impl GenerationStream {
    /// A stream over a 2xx `text/event-stream` body.
    pub fn from_sse(body: Box<dyn BodyReader>, setup: StreamSetup) -> Self {
        GenerationStream::build(Some(body), setup)
    }

    /// A stream that yields one finished generation: for models that cannot
    /// stream (dall-e-3), and services that answered a streaming request
    /// with a plain JSON response.
    pub fn completed(generation: Generation) -> Self {
        let setup = StreamSetup {
            model: generation.model.clone(),
            images: generation.images.len() as u32,
            status: 200,
            request_id: None,
            url: String::new(),
            max_bytes: 0,
        };
        let mut stream = GenerationStream::build(None, setup);
        stream.pending.push_back(Ok(GenerationEvent::Completed(generation)));
        stream.finished = true;
        stream
    }

    fn build(body: Option<Box<dyn BodyReader>>, setup: StreamSetup) -> Self {
        GenerationStream {
            body,
            parser: SseParser::new(),
            pending: VecDeque::new(),
            finished: false,
            setup,
            received: 0,
            images: Vec::new(),
            partials: 0,
            usage: None,
            revised_prompt: None,
        }
    }

    /// The next event, `None` once the stream is over.
    #[allow(clippy::should_implement_trait)] // mirrors the WIT method; an Iterator impl is below
    pub fn next(&mut self) -> Option<Result<GenerationEvent, Error>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if !matches!(item, Ok(GenerationEvent::Partial(_))) {
                    self.close();
                }
                return Some(item);
            }
            if self.finished || self.body.is_none() {
                self.close();
                return None;
            }
            self.read_more();
        }
    }

    /// Stops reading and frees the connection and buffers.
    fn close(&mut self) {
        self.finished = true;
        self.body = None;
        self.pending.clear();
        self.parser = SseParser::new();
    }

    fn read_more(&mut self) {
        let Some(body) = self.body.as_mut() else {
            self.finished = true;
            return;
        };
        match body.next_chunk() {
            Ok(Some(chunk)) => {
                self.received = self.received.saturating_add(chunk.len() as u64);
                if self.received > self.setup.max_bytes {
                    let limit = self.setup.max_bytes;
                    let error = self.transport_error(TransportError::TooLarge { limit });
                    return self.fail(error);
                }
                for event in self.parser.push(&chunk) {
                    if self.finished {
                        break;
                    }
                    self.handle(event);
                }
            }
            Ok(None) => {
                if let Some(event) = self.parser.finish() {
                    self.handle(event);
                }
                self.end_of_stream();
            }
            Err(e) => {
                // An event whose last line arrived whole is usable even though
                // its closing blank line did not: the JSON and base64 checks
                // catch anything cut short.
                if let Some(event) = self.parser.finish() {
                    self.handle(event);
                }
                let error = self.transport_error(e);
                self.fail(error);
            }
        }
    }

    fn handle(&mut self, event: SseEvent) {
        let data = event.data.trim();
        if data.is_empty() {
            return;
        }
        if data == "[DONE]" {
            return self.end_of_stream();
        }
        let wire: Wire<'_> = match serde_json::from_str(data) {
            Ok(wire) => wire,
            Err(_) => {
                let what = images_response::quoted(data.as_bytes());
                return self
                    .fail(self.malformed(format!("the stream sent an event that is not a JSON object: {what}")));
            }
        };
        let kind = wire.kind.as_deref().or(event.event.as_deref()).unwrap_or_default();
        if kind == "error" || kind.ends_with(".failed") || wire.error.as_ref().is_some_and(|e| !e.is_null()) {
            let value: Value = serde_json::from_str(data).unwrap_or(Value::Null);
            let error = api_error::from_stream_error(&value, &self.setup.model, self.setup.request_id.as_deref());
            return self.fail(error);
        }
        if kind.ends_with(".partial_image") {
            self.partial(wire);
        } else if kind.ends_with(".completed") {
            self.completed_image(wire);
        }
    }

    fn partial(&mut self, wire: Wire<'_>) {
        let Some(b64) = wire.b64_json else { return };
        let Ok(image) = images_response::decode_image(&b64.0) else { return };
        let image_index = index(wire.image_index.as_ref()).unwrap_or(self.images.len() as u32);
        let partial_index = index(wire.partial_image_index.as_ref()).unwrap_or(self.partials);
        self.partials = partial_index.saturating_add(1);
        self.pending.push_back(Ok(GenerationEvent::Partial(PartialImage { image_index, partial_index, image })));
    }

    fn completed_image(&mut self, wire: Wire<'_>) {
        let which = if self.setup.images > 1 {
            format!("image {} of {}", self.images.len() + 1, self.setup.images)
        } else {
            "the image".to_string()
        };
        let Some(b64) = wire.b64_json else {
            return self.fail(self.malformed(format!("the completed event for {which} has no `b64_json` data")));
        };
        match images_response::decode_image(&b64.0) {
            Ok(image) => {
                self.images.push(image);
                self.partials = 0;
            }
            Err(why) => return self.fail(self.malformed(format!("{which} {why}"))),
        }
        if let Some(usage) = wire.usage.as_ref().and_then(images_response::usage) {
            self.usage = Some(match self.usage {
                None => usage,
                Some(sum) => add_usage(sum, usage),
            });
        }
        if self.revised_prompt.is_none() {
            self.revised_prompt = wire.revised_prompt.filter(|p| !p.trim().is_empty());
        }
        if self.images.len() as u64 >= u64::from(self.setup.images.max(1)) {
            self.complete();
        }
    }

    /// Queues the result with every image received.
    fn complete(&mut self) {
        let generation = Generation {
            model: self.setup.model.clone(),
            images: std::mem::take(&mut self.images),
            revised_prompt: self.revised_prompt.take(),
            usage: self.usage.take(),
            // SVGs are never streamed (`options::streaming`), so no `svg_usage` here.
            svg_usage: None,
            cost: None,
        };
        self.pending.push_back(Ok(GenerationEvent::Completed(crate::pricing::priced(generation))));
        self.finished = true;
    }

    /// Ends the stream with `error`, unless images already arrived.
    fn fail(&mut self, error: Error) {
        if self.finished {
            return;
        }
        if self.images.is_empty() {
            self.pending.push_back(Err(error));
            self.finished = true;
        } else {
            self.complete();
        }
    }

    fn end_of_stream(&mut self) {
        if self.finished {
            return;
        }
        if self.images.is_empty() {
            let error = self.malformed("the stream ended before the image was completed".into());
            self.fail(error);
        } else {
            self.complete();
        }
    }

    fn malformed(&self, message: String) -> Error {
        Error::MalformedResponse(Failure {
            message,
            status: Some(self.setup.status),
            code: None,
            request_id: self.setup.request_id.clone(),
        })
    }

    fn transport_error(&self, error: TransportError) -> Error {
        match error.into_error(&self.setup.url) {
            Error::MalformedResponse(mut f) => {
                f.status = Some(self.setup.status);
                f.request_id = self.setup.request_id.clone();
                Error::MalformedResponse(f)
            }
            other => other,
        }
    }
}

impl Iterator for GenerationStream {
    type Item = Result<GenerationEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        GenerationStream::next(self)
    }
}

impl fmt::Debug for GenerationStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenerationStream")
            .field("model", &self.setup.model)
            .field("reading", &self.body.is_some())
            .field("pending", &self.pending.len())
            .field("finished", &self.finished)
            .field("images", &self.images.len())
            .field("received", &self.received)
            .finish()
    }
}

/// The fields of the partial, completed and error events we read.
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default, borrow)]
    b64_json: Option<Base64Str<'a>>,
    #[serde(default)]
    partial_image_index: Option<Value>,
    /// Not in the spec; honoured if a service numbers the images.
    #[serde(default, alias = "output_index")]
    image_index: Option<Value>,
    #[serde(default)]
    usage: Option<Value>,
    #[serde(default)]
    revised_prompt: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

fn index(value: Option<&Value>) -> Option<u32> {
    value.and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok())
}

fn add_usage(a: Usage, b: Usage) -> Usage {
    let opt = |x: Option<u64>, y: Option<u64>| match (x, y) {
        (None, None) => None,
        (x, y) => Some(x.unwrap_or(0).saturating_add(y.unwrap_or(0))),
    };
    Usage {
        input_tokens: a.input_tokens.saturating_add(b.input_tokens),
        output_tokens: a.output_tokens.saturating_add(b.output_tokens),
        total_tokens: a.total_tokens.saturating_add(b.total_tokens),
        input_text_tokens: opt(a.input_text_tokens, b.input_text_tokens),
        input_image_tokens: opt(a.input_image_tokens, b.input_image_tokens),
        input_cached_tokens: opt(a.input_cached_tokens, b.input_cached_tokens),
        output_text_tokens: opt(a.output_text_tokens, b.output_text_tokens),
        output_image_tokens: opt(a.output_image_tokens, b.output_image_tokens),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bindings::{TimeoutInfo, TimeoutPhase};
    use crate::edit::fixtures;
    use crate::images_response::tests::b64;
    use proptest::prelude::*;
    use serde_json::json;

    /// A body that hands out scripted chunks, then a scripted ending.
    pub(crate) struct Chunks {
        pub chunks: VecDeque<Result<Vec<u8>, TransportError>>,
    }

    impl Chunks {
        pub fn new(chunks: Vec<Result<Vec<u8>, TransportError>>) -> Self {
            Chunks { chunks: chunks.into() }
        }
    }

    impl BodyReader for Chunks {
        fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
            self.chunks.pop_front().transpose()
        }
    }

    fn setup(images: u32) -> StreamSetup {
        StreamSetup {
            model: "gpt-image-1".into(),
            images,
            status: 200,
            request_id: Some("req_stream".into()),
            url: "https://api.test/v1/images/generations".into(),
            max_bytes: 64 * 1024 * 1024,
        }
    }

    pub(crate) fn sse(event: &str, data: &Value) -> String {
        format!("event: {event}\ndata: {data}\n\n")
    }

    pub(crate) fn partial(kind: &str, index: u32, bytes: &[u8]) -> String {
        let event = format!("{kind}.partial_image");
        sse(
            &event,
            &json!({"type": event, "b64_json": b64(bytes), "created_at": 1620000000, "size": "1024x1024",
                    "quality": "high", "background": "opaque", "output_format": "png", "partial_image_index": index}),
        )
    }

    pub(crate) fn completed(kind: &str, bytes: &[u8]) -> String {
        let event = format!("{kind}.completed");
        sse(
            &event,
            &json!({"type": event, "b64_json": b64(bytes), "created_at": 1620000000, "size": "1024x1024",
                    "quality": "high", "background": "opaque", "output_format": "png",
                    "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50,
                              "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}}}),
        )
    }

    fn stream_of(chunks: Vec<Result<Vec<u8>, TransportError>>, images: u32) -> GenerationStream {
        GenerationStream::from_sse(Box::new(Chunks::new(chunks)), setup(images))
    }

    fn whole(text: &str) -> Vec<Result<Vec<u8>, TransportError>> {
        vec![Ok(text.as_bytes().to_vec())]
    }

    fn collect(mut stream: GenerationStream) -> Vec<Result<GenerationEvent, Error>> {
        let mut out = Vec::new();
        while let Some(item) = stream.next() {
            out.push(item);
            assert!(out.len() < 100, "the stream does not end");
        }
        // Stays over.
        assert!(stream.next().is_none());
        out
    }

    fn partial_indexes(items: &[Result<GenerationEvent, Error>]) -> Vec<(u32, u32, u32)> {
        items
            .iter()
            .filter_map(|i| match i {
                Ok(GenerationEvent::Partial(p)) => Some((p.image_index, p.partial_index, p.image.width)),
                _ => None,
            })
            .collect()
    }

    fn generation(item: &Result<GenerationEvent, Error>) -> &Generation {
        match item {
            Ok(GenerationEvent::Completed(g)) => g,
            other => panic!("expected completed, got {other:?}"),
        }
    }

    fn script(kind: &str) -> String {
        [
            partial(kind, 0, &fixtures::png(16, 16)),
            partial(kind, 1, &fixtures::png(32, 32)),
            partial(kind, 2, &fixtures::png(64, 64)),
            completed(kind, &fixtures::png(1024, 1024)),
        ]
        .concat()
    }

    #[test]
    fn partials_in_order_then_the_result() {
        for kind in ["image_generation", "image_edit"] {
            let items = collect(stream_of(whole(&script(kind)), 1));
            assert_eq!(items.len(), 4);
            assert_eq!(partial_indexes(&items), vec![(0, 0, 16), (0, 1, 32), (0, 2, 64)]);
            let g = generation(&items[3]);
            assert_eq!((g.model.as_str(), g.images.len(), g.images[0].width), ("gpt-image-1", 1, 1024));
            assert_eq!(g.images[0].mime_type, "image/png");
            assert_eq!(g.usage.unwrap().input_image_tokens, Some(40));
        }
    }

    #[test]
    fn the_event_name_is_enough_when_data_has_no_type() {
        let png = fixtures::png(8, 8);
        let text = format!(
            "event: image_generation.partial_image\ndata: {}\n\nevent: image_generation.completed\ndata: {}\n\n",
            json!({"b64_json": b64(&png), "partial_image_index": 0}),
            json!({"b64_json": b64(&png)})
        );
        let items = collect(stream_of(whole(&text), 1));
        assert_eq!(partial_indexes(&items), vec![(0, 0, 8)]);
        assert_eq!(generation(&items[1]).usage, None);
    }

    #[test]
    fn several_images_are_collected_into_one_result() {
        let text = [
            partial("image_generation", 0, &fixtures::png(8, 8)),
            completed("image_generation", &fixtures::png(100, 50)),
            partial("image_generation", 0, &fixtures::png(9, 9)),
            completed("image_generation", &fixtures::jpeg(50, 100)),
        ]
        .concat();
        let items = collect(stream_of(whole(&text), 2));
        assert_eq!(partial_indexes(&items), vec![(0, 0, 8), (1, 0, 9)]);
        let g = generation(items.last().unwrap());
        assert_eq!(
            g.images.iter().map(|i| (i.width, i.mime_type.as_str())).collect::<Vec<_>>(),
            vec![(100, "image/png"), (50, "image/jpeg")]
        );
        assert_eq!(g.usage.unwrap().total_tokens, 200);
        // Fewer than asked for, then the end: what arrived is returned.
        let short = [completed("image_generation", &fixtures::png(7, 7))].concat();
        let items = collect(stream_of(whole(&short), 3));
        assert_eq!(generation(&items[0]).images.len(), 1);
    }

    #[test]
    fn stops_reading_once_complete() {
        // Anything after the last image (here a broken connection) is never read.
        let chunks = vec![Ok(script("image_generation").into_bytes()), Err(TransportError::Reset("late".into()))];
        let mut stream = stream_of(chunks, 1);
        let items: Vec<_> = std::iter::from_fn(|| stream.next()).collect();
        assert!(items.iter().all(Result::is_ok));
        assert_eq!(items.len(), 4);
    }

    #[test]
    fn error_events_are_typed() {
        let moderation = json!({"type": "error", "error": {
            "message": "Your request was rejected by the safety system.",
            "type": "image_generation_user_error", "param": null, "code": "moderation_blocked"}});
        let text = [partial("image_generation", 0, &fixtures::png(8, 8)), sse("error", &moderation)].concat();
        let items = collect(stream_of(whole(&text), 1));
        assert_eq!(items.len(), 2);
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.kind(), "content-policy");
        assert_eq!(e.failure().unwrap().request_id.as_deref(), Some("req_stream"));

        // The Responses API's flat shape, and an `error` field under any event name.
        let flat = sse(
            "error",
            &json!({"type": "error", "code": "server_error", "message": "boom", "param": null, "sequence_number": 3}),
        );
        let e = collect(stream_of(whole(&flat), 1)).remove(0).unwrap_err();
        assert_eq!((e.kind(), e.failure().unwrap().code.as_deref()), ("upstream", Some("server_error")));
        let unnamed = format!("data: {}\n\n", json!({"error": {"message": "quota", "code": "insufficient_quota"}}));
        assert_eq!(collect(stream_of(whole(&unnamed), 1)).remove(0).unwrap_err().kind(), "quota-exceeded");
    }

    #[test]
    fn a_stream_that_ends_early_is_an_error() {
        let text = partial("image_generation", 0, &fixtures::png(8, 8));
        let items = collect(stream_of(whole(&text), 1));
        assert_eq!(items.len(), 2);
        let e = items[1].as_ref().unwrap_err();
        assert_eq!((e.kind(), e.status()), ("malformed-response", Some(200)));
        assert!(e.message().contains("ended before the image was completed"));

        assert_eq!(collect(stream_of(vec![], 1)).remove(0).unwrap_err().kind(), "malformed-response");
        // [DONE] is the end too.
        let done = format!("{text}data: [DONE]\n\n");
        assert!(collect(stream_of(whole(&done), 1))[1].as_ref().unwrap_err().message().contains("ended before"));
    }

    #[test]
    fn a_broken_connection_before_the_result_is_a_transport_error() {
        let text = partial("image_generation", 0, &fixtures::png(8, 8));
        let items = collect(stream_of(
            vec![Ok(text.into_bytes()), Err(TransportError::Timeout(TimeoutPhase::BetweenBytes))],
            1,
        ));
        assert!(items[0].is_ok());
        assert!(
            matches!(items[1], Err(Error::Timeout(TimeoutInfo { phase: TimeoutPhase::BetweenBytes, .. }))),
            "{:?}",
            items[1]
        );
        let items = collect(stream_of(vec![Err(TransportError::Reset("peer said goodbye".into()))], 1));
        let e = items[0].as_ref().unwrap_err();
        assert_eq!(e.kind(), "network");
    }

    #[test]
    fn a_finished_image_survives_a_later_failure() {
        // The completed event's data line arrived whole, its blank line did not.
        let mut text = script("image_generation");
        text.pop();
        let items =
            collect(stream_of(vec![Ok(text.clone().into_bytes()), Err(TransportError::Reset("gone".into()))], 1));
        assert_eq!(generation(items.last().unwrap()).images[0].width, 1024);
        // Cut inside the data line: the image is lost, and that is an error.
        text.truncate(text.len() - 10);
        let items = collect(stream_of(vec![Ok(text.into_bytes()), Err(TransportError::Reset("gone".into()))], 1));
        assert_eq!(items.last().unwrap().as_ref().unwrap_err().kind(), "network");

        // With n=2, the first image survives a reset, an error event or a corrupt second image.
        let first = completed("image_generation", &fixtures::png(10, 10));
        for ending in [
            vec![Err(TransportError::Reset("gone".into()))],
            vec![Ok(sse("error", &json!({"type": "error", "code": "server_error", "message": "x"})).into_bytes())],
            vec![Ok(sse(
                "image_generation.completed",
                &json!({"type": "image_generation.completed", "b64_json": "!!"}),
            )
            .into_bytes())],
            vec![Ok(b"data: not json\n\n".to_vec())],
        ] {
            let mut chunks = vec![Ok(first.clone().into_bytes())];
            chunks.extend(ending);
            let items = collect(stream_of(chunks, 2));
            assert_eq!(items.len(), 1);
            assert_eq!(generation(&items[0]).images[0].width, 10);
        }
    }

    #[test]
    fn the_size_cap_covers_the_whole_stream() {
        let text = script("image_generation");
        let mut s = setup(1);
        s.max_bytes = text.len() as u64 / 2;
        let chunks: Vec<_> = text.as_bytes().chunks(100).map(|c| Ok(c.to_vec())).collect();
        let items = collect(GenerationStream::from_sse(Box::new(Chunks::new(chunks)), s));
        let e = items.last().unwrap().as_ref().unwrap_err();
        assert_eq!((e.kind(), e.status()), ("malformed-response", Some(200)));
        assert!(e.message().contains("cap"), "{}", e.message());
    }

    #[test]
    fn bad_previews_are_skipped_and_unknown_events_ignored() {
        let text = [
            sse("image_generation.partial_image", &json!({"type": "image_generation.partial_image", "b64_json": "???", "partial_image_index": 0})),
            sse("image_generation.partial_image", &json!({"type": "image_generation.partial_image", "b64_json": b64(b"not an image"), "partial_image_index": 1})),
            sse("image_generation.progress", &json!({"type": "image_generation.progress", "percent": 50})),
            ": keep-alive\n\n".to_string(),
            completed("image_generation", &fixtures::png(5, 5)),
        ]
        .concat();
        let items = collect(stream_of(whole(&text), 1));
        assert_eq!(items.len(), 1);
        assert_eq!(generation(&items[0]).images[0].width, 5);
    }

    #[test]
    fn a_completed_event_without_an_image_is_malformed() {
        let text = sse("image_generation.completed", &json!({"type": "image_generation.completed"}));
        let e = collect(stream_of(whole(&text), 1)).remove(0).unwrap_err();
        assert!(e.message().contains("b64_json"), "{}", e.message());
        let text = "data: {\"type\": \"image_generation.completed\", \"b64_json\": \n\n";
        let e = collect(stream_of(whole(text), 1)).remove(0).unwrap_err();
        assert!(e.message().contains("not a JSON object"));
    }

    #[test]
    fn a_ready_result_streams_once() {
        let g = Generation {
            model: "dall-e-3".into(),
            images: vec![],
            revised_prompt: Some("r".into()),
            usage: None,
            svg_usage: None,
            cost: None,
        };
        let items = collect(GenerationStream::completed(g.clone()));
        assert_eq!(items, vec![Ok(GenerationEvent::Completed(g))]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_split_gives_the_same_events(cuts in proptest::collection::vec(0usize..10_000, 0..12), crlf in any::<bool>()) {
            let mut text = script("image_generation");
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let bytes = text.into_bytes();
            let mut points: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for p in points.into_iter().chain([bytes.len()]) {
                chunks.push(Ok(bytes[at..p].to_vec()));
                at = p;
            }
            let items = collect(stream_of(chunks, 1));
            prop_assert_eq!(items.len(), 4);
            prop_assert_eq!(partial_indexes(&items), vec![(0, 0, 16), (0, 1, 32), (0, 2, 64)]);
            prop_assert_eq!(generation(&items[3]).images[0].width, 1024);
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_always_end(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..8), n in 0u32..4) {
            let items = collect(stream_of(chunks.into_iter().map(Ok).collect(), n));
            prop_assert!(!items.is_empty());
            prop_assert!(items.last().map(|i| !matches!(i, Ok(GenerationEvent::Partial(_)))).unwrap());
        }

        #[test]
        fn arbitrary_event_data_never_panics(data in ".{0,400}", event in proptest::option::of("[a-z_.]{0,30}")) {
            let text = match event {
                Some(e) => format!("event: {e}\ndata: {data}\n\n"),
                None => format!("data: {data}\n\n"),
            };
            let _ = collect(stream_of(whole(&text), 1));
        }
    }
}
