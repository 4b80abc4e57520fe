//! A server-sent-events parser for streamed image generations, following the
//! WHATWG HTML "event stream interpretation" rules.
//!
//! Partial images arrive as one `data:` line of 1-3 MB of base64, in whatever
//! chunks the network delivers. Each byte is therefore examined once: a chunk
//! is scanned only for line ends, an unfinished line is kept and extended, and
//! nothing already seen is searched again.

/// One event: `event:` name (if any) and the joined `data:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `None` when the stream gave no (or an empty) `event:` field; the spec
    /// calls such events `message`.
    pub event: Option<String>,
    pub data: String,
    /// The stream's last event ID as of this event: per the spec it carries
    /// over to later events until another `id:` field changes it.
    pub id: Option<String>,
}

/// Incremental parser: feed it bytes as they arrive, in any split.
#[derive(Debug, Default)]
pub struct SseParser {
    /// The current line, when a chunk ended before its line did.
    line: Vec<u8>,
    /// The last byte seen was a CR: a LF starting the next chunk belongs to
    /// the same line end.
    after_cr: bool,
    /// The first bytes of the stream, held until we know whether they are a BOM.
    start: Vec<u8>,
    started: bool,
    data: String,
    event: String,
    last_id: String,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes and returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if self.started {
            self.feed(bytes, &mut events);
            return events;
        }
        // The UTF-8 decode strips one leading BOM; it may arrive split.
        self.start.extend_from_slice(bytes);
        let held = self.start.len().min(BOM.len());
        if self.start[..held] != BOM[..held] {
            self.started = true;
            let start = std::mem::take(&mut self.start);
            self.feed(&start, &mut events);
        } else if self.start.len() >= BOM.len() {
            self.started = true;
            let start = std::mem::take(&mut self.start);
            self.feed(&start[BOM.len()..], &mut events);
        }
        events
    }

    /// At the end of the stream: the last event if it was complete but for
    /// its closing blank line.
    ///
    /// The spec discards such an event; servers (and proxies) that drop the
    /// final blank line are common enough that a whole last event is kept. An
    /// unterminated last line is still dropped: it may be cut short. The
    /// parser is reset, ready for another stream.
    pub fn finish(&mut self) -> Option<SseEvent> {
        // Lines are handled as soon as they end (a final CR included), so
        // what remains in `line` is the unterminated tail.
        let event = self.dispatch();
        *self = SseParser::default();
        event
    }

    fn feed(&mut self, mut bytes: &[u8], events: &mut Vec<SseEvent>) {
        if self.after_cr {
            self.after_cr = false;
            if let [b'\n', rest @ ..] = bytes {
                bytes = rest;
            }
        }
        while let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            if self.line.is_empty() {
                self.line_ended(&bytes[..end], events);
            } else {
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&bytes[..end]);
                self.line_ended(&line, events);
                // Keep the allocation for the next long line.
                line.clear();
                self.line = line;
            }
            let cr = bytes[end] == b'\r';
            bytes = &bytes[end + 1..];
            if cr {
                match bytes.first() {
                    Some(b'\n') => bytes = &bytes[1..],
                    Some(_) => {}
                    None => self.after_cr = true,
                }
            }
        }
        self.line.extend_from_slice(bytes);
    }

    fn line_ended(&mut self, line: &[u8], events: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if let Some(event) = self.dispatch() {
                events.push(event);
            }
            return;
        }
        if line[0] == b':' {
            return; // a comment
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => self.event = String::from_utf8_lossy(value).into_owned(),
            b"id" if !value.contains(&0) => self.last_id = String::from_utf8_lossy(value).into_owned(),
            // `retry` sets the reconnection time, which we do not use; other
            // fields are ignored by the spec.
            _ => {}
        }
    }

    /// The blank-line step: an event only if some `data` field was given.
    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the '\n' after the last data line
        Some(SseEvent {
            event: (!event.is_empty()).then_some(event),
            data,
            id: (!self.last_id.is_empty()).then(|| self.last_id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ev(event: Option<&str>, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent { event: event.map(Into::into), data: data.into(), id: id.map(Into::into) }
    }

    /// Everything a stream yields: events as they complete, then `finish`.
    fn all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut parser = SseParser::new();
        let mut out: Vec<SseEvent> = chunks.iter().flat_map(|c| parser.push(c)).collect();
        out.extend(parser.finish());
        out
    }

    fn whole(stream: &[u8]) -> Vec<SseEvent> {
        all(&[stream])
    }

    #[test]
    fn the_openai_image_stream_shape() {
        let stream = b"event: image_generation.partial_image\n\
            data: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"QUJD\",\"partial_image_index\":0}\n\n\
            event: image_generation.completed\n\
            data: {\"type\":\"image_generation.completed\",\"b64_json\":\"REVG\"}\n\n";
        assert_eq!(
            whole(stream),
            vec![
                ev(
                    Some("image_generation.partial_image"),
                    "{\"type\":\"image_generation.partial_image\",\"b64_json\":\"QUJD\",\"partial_image_index\":0}",
                    None
                ),
                ev(
                    Some("image_generation.completed"),
                    "{\"type\":\"image_generation.completed\",\"b64_json\":\"REVG\"}",
                    None
                ),
            ]
        );
    }

    #[test]
    fn events_are_returned_as_soon_as_their_blank_line_arrives() {
        let mut parser = SseParser::new();
        assert_eq!(parser.push(b"data: a\n"), vec![]);
        assert_eq!(
            parser.push(b"\ndata: b\n\ndata: c\n\ndata: d"),
            vec![ev(None, "a", None), ev(None, "b", None), ev(None, "c", None)]
        );
        assert_eq!(parser.push(b"\n"), vec![]);
        assert_eq!(parser.push(b"\r\n"), vec![ev(None, "d", None)]);
        assert_eq!(parser.finish(), None);
    }

    #[test]
    fn field_parsing_rules() {
        // Multi-line data joined with LF; one leading space stripped, not two;
        // a field with no colon has an empty value; unknown fields and retry ignored.
        let stream = b"data:  two spaces\ndata:none\ndata\nretry: 10\nfoo: bar\ndata: x:y\n\n";
        assert_eq!(whole(stream), vec![ev(None, " two spaces\nnone\n\nx:y", None)]);
        // Comments are ignored, even between data lines.
        assert_eq!(whole(b": keep-alive\ndata: a\n:\ndata: b\n\n"), vec![ev(None, "a\nb", None)]);
        // The field name is case-sensitive.
        assert_eq!(whole(b"Data: a\nDATA: b\n\n"), vec![]);
        // `event:` applies to one event; an empty name means `message`.
        assert_eq!(
            whole(b"event: one\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n"),
            vec![ev(Some("one"), "1", None), ev(None, "2", None), ev(None, "3", None)]
        );
    }

    #[test]
    fn empty_events_and_data() {
        // No data field: nothing dispatched, and the event name is discarded too.
        assert_eq!(whole(b"event: ping\n\n: comment\n\n\n\ndata: after\n\n"), vec![ev(None, "after", None)]);
        // A data field with an empty value is an event with empty data.
        assert_eq!(whole(b"data\n\ndata:\n\n"), vec![ev(None, "", None), ev(None, "", None)]);
        assert_eq!(whole(b"data\ndata\n\n"), vec![ev(None, "\n", None)]);
    }

    #[test]
    fn ids_carry_over_until_changed() {
        let stream = b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: x\0y\ndata: d\n\nid: 7\n\ndata: e\n\n";
        assert_eq!(
            whole(stream),
            vec![
                ev(None, "a", Some("1")),
                ev(None, "b", Some("1")),
                ev(None, "c", None),
                ev(None, "d", None),
                ev(None, "e", Some("7"))
            ]
        );
    }

    #[test]
    fn every_line_ending() {
        let expected = vec![ev(Some("e"), "a\nb", None), ev(None, "c", None)];
        assert_eq!(whole(b"event: e\rdata: a\rdata: b\r\rdata: c\r\r"), expected);
        assert_eq!(whole(b"event: e\r\ndata: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), expected);
        assert_eq!(whole(b"event: e\ndata: a\r\ndata: b\r\rdata: c\n\r\n"), expected);
        // CR LF split across pushes is one line end, not two (which would dispatch early).
        assert_eq!(all(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]), vec![ev(None, "a\nb", None)]);
        // LF CR is two line ends.
        assert_eq!(whole(b"data: a\n\rdata: b\n\n"), vec![ev(None, "a", None), ev(None, "b", None)]);
    }

    #[test]
    fn byte_order_mark() {
        let expected = vec![ev(None, "x", None)];
        assert_eq!(whole(b"\xEF\xBB\xBFdata: x\n\n"), expected);
        assert_eq!(all(&[b"\xEF", b"\xBB", b"\xBF", b"data: x\n\n"]), expected);
        assert_eq!(all(&[b"\xEF\xBB", b"\xBFdata: x\n", b"\n"]), expected);
        // Only one, and only at the start: a second one is part of the field name.
        assert_eq!(whole(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n"), vec![]);
        // Bytes that start like a BOM but are not one are kept.
        assert_eq!(all(&[b"\xEF", b"data: y\n\n"]), vec![]);
        assert_eq!(all(&[b"\xEFdata: y\n\n"]), vec![]);
        assert_eq!(all(&[b"d", b"ata: y\n\n"]), vec![ev(None, "y", None)]);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(whole(b"data: a\xFFb\xE2\x82\n\n"), vec![ev(None, "a\u{FFFD}b\u{FFFD}", None)]);
        assert_eq!(whole("data: é ✓ 😀\n\n".as_bytes()), vec![ev(None, "é ✓ 😀", None)]);
    }

    #[test]
    fn end_of_stream() {
        // Complete but for the closing blank line: kept.
        assert_eq!(whole(b"data: a\n\ndata: b\n"), vec![ev(None, "a", None), ev(None, "b", None)]);
        assert_eq!(whole(b"data: b\r"), vec![ev(None, "b", None)]);
        // The last line never ended: it may be cut short, so it is dropped.
        assert_eq!(whole(b"data: a\ndata: {\"b64_json\": \"QU"), vec![ev(None, "a", None)]);
        assert_eq!(whole(b"data: {\"b64_json\": \"QU"), vec![]);
        assert_eq!(whole(b""), vec![]);
        // `finish` resets: the parser can read another stream.
        let mut parser = SseParser::new();
        parser.push(b"\xEF\xBB\xBFevent: x\ndata: 1\n");
        assert_eq!(parser.finish(), Some(ev(Some("x"), "1", None)));
        assert_eq!(parser.push(b"\xEF\xBB\xBFdata: 2\n\n"), vec![ev(None, "2", None)]);
    }

    /// A 3 MB data line fed a few bytes at a time: quadratic rescanning would
    /// take minutes here; linear parsing takes a moment.
    #[test]
    fn long_lines_in_small_chunks_stay_linear() {
        let payload = "A".repeat(3 * 1024 * 1024);
        let stream = format!("event: image_generation.partial_image\ndata: {payload}\n\n");
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for chunk in stream.as_bytes().chunks(7) {
            events.extend(parser.push(chunk));
        }
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data.len(), payload.len());
        assert!(events[0].data == payload);
    }

    /// An independent, whole-input reading of the spec, for comparison.
    fn reference(stream: &[u8]) -> Vec<SseEvent> {
        let text = String::from_utf8_lossy(stream);
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        let mut terminated_last = true;
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    lines.push(std::mem::take(&mut current));
                    terminated_last = true;
                }
                '\n' => {
                    lines.push(std::mem::take(&mut current));
                    terminated_last = true;
                }
                c => {
                    current.push(c);
                    terminated_last = false;
                }
            }
        }
        let _ = terminated_last; // an unterminated last line is dropped
        lines.push(String::new()); // end of stream: dispatch what is complete

        let (mut data, mut event, mut id) = (String::new(), String::new(), String::new());
        let mut out = Vec::new();
        for line in lines {
            if line.is_empty() {
                if !data.is_empty() {
                    data.pop();
                    out.push(SseEvent {
                        event: (!event.is_empty()).then(|| event.clone()),
                        data: std::mem::take(&mut data),
                        id: (!id.is_empty()).then(|| id.clone()),
                    });
                }
                event.clear();
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_str(), ""),
            };
            match field {
                "data" => {
                    data.push_str(value);
                    data.push('\n');
                }
                "event" => event = value.to_string(),
                "id" if !value.contains('\0') => id = value.to_string(),
                _ => {}
            }
        }
        out
    }

    /// Streams built from the pieces that matter: field names, colons,
    /// spaces, every line ending, comments, BOMs, NULs, non-ASCII bytes.
    fn stream() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(&b"data"[..]),
            Just(&b"event"[..]),
            Just(&b"id"[..]),
            Just(&b"retry"[..]),
            Just(&b":"[..]),
            Just(&b" "[..]),
            Just(&b"\n"[..]),
            Just(&b"\r"[..]),
            Just(&b"\r\n"[..]),
            Just(&b"\n\n"[..]),
            Just(&b"\xEF\xBB\xBF"[..]),
            Just(&b"\0"[..]),
            Just(&b"\xC3\xA9"[..]),
            Just(&b"\xFF"[..]),
            Just(&b"x"[..]),
            Just(&b"{\"b64_json\":\"QUJD\"}"[..]),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_events(
            stream in stream(),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let expected = whole(&stream);
            prop_assert_eq!(&expected, &reference(&stream));
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut from = 0;
            for cut in cuts {
                chunks.push(&stream[from..cut]);
                from = cut;
            }
            chunks.push(&stream[from..]);
            prop_assert_eq!(all(&chunks), expected);
        }

        #[test]
        fn byte_at_a_time_gives_the_same_events(stream in stream()) {
            let chunks: Vec<&[u8]> = stream.chunks(1).collect();
            prop_assert_eq!(all(&chunks), whole(&stream));
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), cut in any::<prop::sample::Index>()) {
            let at = cut.index(bytes.len() + 1);
            let _ = all(&[&bytes[..at], &bytes[at..]]);
        }
    }
}
