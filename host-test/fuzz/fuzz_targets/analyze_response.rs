//! Chat-completion bodies answering an image question: parsing never panics,
//! and a failure is a typed error whose message stays bounded however long
//! the body (or the model's refusal) is.

#![no_main]

use libfuzzer_sys::fuzz_target;
use openai_visual_backend::analyze;

fuzz_target!(|body: &[u8]| {
    match analyze::parse_response(body) {
        Ok(analysis) => {
            // `truncated` is the token limit speaking, nothing else.
            assert_eq!(analysis.truncated, analysis.finish_reason == "length", "{analysis:?}");
        }
        Err(e) => {
            let message = e.message();
            assert!(!message.trim().is_empty(), "{e:?}");
            assert!(message.chars().count() <= 2500, "unbounded message: {} chars", message.chars().count());
        }
    }
});
