//! A server-sent-events parser for streamed image generations.
//! STUB: signatures fixed; implementation pending.

/// One event: `event:` name (if any) and the joined `data:` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
    pub id: Option<String>,
}

/// Incremental parser: feed it bytes as they arrive, in any split.
#[derive(Debug, Default)]
pub struct SseParser {
    _buf: Vec<u8>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes and returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let _ = bytes;
        todo!("sse::push")
    }

    /// At the end of the stream: the last event if it was complete but for
    /// its closing blank line.
    pub fn finish(&mut self) -> Option<SseEvent> {
        todo!("sse::finish")
    }
}
