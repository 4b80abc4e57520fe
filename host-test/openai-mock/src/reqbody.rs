//! Reading request bodies: whole (JSON), streamed (multipart) or drained.
//!
//! Multipart uploads can be tens of megabytes, so they are streamed through a
//! tap that keeps only a bounded prefix for the record and counts the rest.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

/// What the record keeps of a body: a bounded prefix and the full length.
#[derive(Debug, Default)]
pub(crate) struct Tap {
    pub prefix: BytesMut,
    pub len: u64,
    limit: usize,
}

impl Tap {
    pub fn new(limit: usize) -> Self {
        Tap { prefix: BytesMut::new(), len: 0, limit }
    }

    fn take(&mut self, chunk: &[u8]) {
        self.len += chunk.len() as u64;
        let room = self.limit.saturating_sub(self.prefix.len());
        self.prefix.extend_from_slice(&chunk[..room.min(chunk.len())]);
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    TooLarge(usize),
    Io(String),
}

/// Reads a whole body, refusing more than `max` bytes.
pub(crate) async fn collect<B>(body: &mut B, max: usize) -> Result<Bytes, ReadError>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ReadError::Io(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > max {
                return Err(ReadError::TooLarge(max));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// Reads and discards the rest of a body, so the client can finish sending
/// and read the answer instead of hitting a closed socket.
pub(crate) async fn discard<B: Body<Data = Bytes> + Unpin>(body: &mut B) {
    while let Some(Ok(_)) = body.frame().await {}
}

/// A body that feeds every chunk it passes on to a shared [`Tap`].
pub(crate) struct TeeBody {
    inner: Incoming,
    tap: Arc<Mutex<Tap>>,
}

impl TeeBody {
    pub fn new(inner: Incoming, tap: Arc<Mutex<Tap>>) -> Self {
        TeeBody { inner, tap }
    }
}

impl Body for TeeBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.tap.lock().unwrap().take(data);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
