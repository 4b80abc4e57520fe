//! Server-sent-events framing and pacing.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use super::body::{Script, Step};

/// One event: `event: <name>` and a single-line JSON `data:`, blank-line terminated.
pub(crate) fn event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// How a stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The terminating chunk: a clean end of the response.
    Clean,
    /// The connection drops without the terminating chunk.
    Broken,
}

/// A chunked body that sends each event after `pause` (so headers come first
/// and every event is observably separate).
pub(crate) fn script(events: impl IntoIterator<Item = Bytes>, pause: Duration, ending: Ending) -> Script {
    let mut steps = Vec::new();
    for e in events {
        if !pause.is_zero() {
            steps.push(Step::Pause(pause));
        }
        steps.push(Step::Data(e));
    }
    if ending == Ending::Broken {
        // Let the last event reach the client before the connection goes.
        steps.push(Step::Pause(pause.max(Duration::from_millis(20))));
        steps.push(Step::Close);
    }
    Script::chunked(steps)
}
