//! The contract's records that every host shows the same way, as JSON in the
//! OpenAI API's words (snake_case): a model's prices, a call's cost, a
//! model's lifecycle.
//!
//! Here, beside the generated types, so that the command line's `--json` and
//! the Visualizer's API print them from one description. What each host
//! words its own way (errors with the page's labels, settings in the page's
//! units) stays with that host.

use serde_json::{json, Value};

use crate::bindings::{Cost, Lifecycle, Prices};

/// US dollars per million tokens, by class, with where they were published.
pub fn prices(p: &Prices) -> Value {
    json!({
        "text_input": p.text_input,
        "text_input_cached": p.text_input_cached,
        "image_input": p.image_input,
        "image_input_cached": p.image_input_cached,
        "text_output": p.text_output,
        "image_output": p.image_output,
        "source": p.source,
    })
}

/// `{"usd", "items": [{"what", "tokens", "usd_per_million", "usd"}], "complete"}`.
pub fn cost(c: &Cost) -> Value {
    json!({
        "usd": c.usd,
        "items": c.items.iter().map(|i| json!({
            "what": i.what,
            "tokens": i.tokens,
            "usd_per_million": i.usd_per_million,
            "usd": i.usd,
        })).collect::<Vec<_>>(),
        "complete": c.complete,
    })
}

/// `{"state", "shutdown_date", "replacement"}`.
pub fn lifecycle(l: &Lifecycle) -> Value {
    json!({ "state": l.state.name(), "shutdown_date": l.shutdown_date, "replacement": l.replacement })
}
