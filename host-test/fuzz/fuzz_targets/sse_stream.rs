//! Server-sent events as the network delivers them, in arbitrary pieces: the
//! parser yields the same events however the bytes are split, and the
//! generation stream built on it ends (after at most one event per line),
//! never panics, and never lets the key or a multi-line message out.

#![no_main]

use std::collections::VecDeque;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use openai_visual_backend::bindings::GenerationEvent;
use openai_visual_backend::http::{BodyReader, TransportError};
use openai_visual_backend::sse::{SseEvent, SseParser};
use openai_visual_backend::streaming::{GenerationStream, StreamSetup};
use openai_visual_backend_fuzz::{assert_error_has_no_key, assert_tidy, plant_key, KEY};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// Where the network splits the body (offsets, taken modulo its length).
    cuts: Vec<u16>,
    /// How many images were asked for, less one.
    images: u8,
    /// The response cap, in KiB, less one.
    max_kib: u8,
    /// The connection breaks after the last piece instead of ending cleanly.
    breaks: bool,
    body: &'a [u8],
}

struct Pieces {
    pieces: VecDeque<Vec<u8>>,
    breaks: bool,
}

impl BodyReader for Pieces {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        match self.pieces.pop_front() {
            Some(piece) => Ok(Some(piece)),
            None if self.breaks => {
                self.breaks = false;
                Err(TransportError::Reset("connection reset".into()))
            }
            None => Ok(None),
        }
    }
}

fn split(body: &[u8], cuts: &[u16]) -> Vec<Vec<u8>> {
    let mut at: Vec<usize> = cuts.iter().map(|&c| usize::from(c) % (body.len() + 1)).collect();
    at.sort_unstable();
    let mut pieces = Vec::with_capacity(at.len() + 1);
    let mut start = 0;
    for cut in at {
        pieces.push(body[start..cut].to_vec());
        start = cut;
    }
    pieces.push(body[start..].to_vec());
    pieces
}

fn parse(pieces: &[Vec<u8>]) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events: Vec<SseEvent> = pieces.iter().flat_map(|p| parser.push(p)).collect();
    events.extend(parser.finish());
    events
}

fuzz_target!(|input: Input<'_>| {
    let body = plant_key(input.body);
    let pieces = split(&body, &input.cuts);
    assert_eq!(parse(&pieces), parse(std::slice::from_ref(&body)), "the split changed the events");

    let setup = StreamSetup {
        model: "gpt-image-1".into(),
        images: u32::from(input.images % 4) + 1,
        status: 200,
        request_id: Some("req_fuzz".into()),
        url: "https://api.openai.com/v1/images/generations".into(),
        max_bytes: (u64::from(input.max_kib) + 1) * 1024,
    };
    let lines = body.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
    let stream = GenerationStream::from_sse(Box::new(Pieces { pieces: pieces.into(), breaks: input.breaks }), setup);
    let mut yielded = 0;
    let mut completed = false;
    for event in stream {
        yielded += 1;
        assert!(yielded <= lines + 2, "more events than the body has lines");
        assert!(!completed, "an event after `completed`");
        match event {
            Ok(GenerationEvent::Completed(generation)) => {
                assert!(!generation.images.is_empty());
                completed = true;
            }
            Ok(GenerationEvent::Partial(partial)) => assert!(partial.image.width > 0 && partial.image.height > 0),
            Err(e) => {
                // The stream's errors leave the component through the client,
                // which scrubs the key from each (`client::scrubbed`).
                let e = e.redacted(KEY);
                assert_tidy(e.message(), 1500);
                assert_error_has_no_key(&e);
            }
        }
    }
});
