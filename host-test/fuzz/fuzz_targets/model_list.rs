//! `GET /models` bodies as a service, a gateway or a proxy might send them,
//! read on any day: reading never panics; every entry is of the capability
//! asked about and, when the service listed it, of a capability it serves;
//! a lifecycle's state agrees with its date and today; per capability the
//! listed models come first and no id appears twice; a failure is a
//! `malformed-response` with a one-line, bounded message.

#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use openai_visual_backend::bindings::{Capability, ModelState};
use openai_visual_backend::date::Date;
use openai_visual_backend::listing;
use openai_visual_backend_fuzz::assert_tidy;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// Days after 2026-01-01.
    days: u16,
    /// None, or one of the three capabilities.
    capability: u8,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let today = Date::ymd(2026, 1, 1).plus_days(i64::from(input.days));
    let capability = match input.capability % 4 {
        0 => None,
        i => Some(Capability::ALL[usize::from(i) - 1]),
    };
    match listing::entries(input.body, capability, today) {
        Ok(entries) => {
            for c in Capability::ALL {
                let of: Vec<_> = entries.iter().filter(|e| e.capability == c).collect();
                assert!(capability.is_none_or(|asked| asked == c) || of.is_empty(), "{c:?} was not asked for");
                // Listed first, then the known models the service did not list.
                let first_unlisted = of.iter().position(|e| !e.listed).unwrap_or(of.len());
                assert!(of[first_unlisted..].iter().all(|e| !e.listed), "listed after unlisted");
                let mut ids: Vec<&str> = of.iter().map(|e| e.id.as_str()).collect();
                ids.sort_unstable();
                let before = ids.len();
                ids.dedup();
                assert_eq!(ids.len(), before, "an id twice for {c:?}");
                for e in of {
                    if e.listed {
                        assert!(listing::serves(&e.id, c), "{} listed for {c:?}", e.id);
                    }
                    let Some(l) = &e.lifecycle else { continue };
                    match l.shutdown_date.as_deref() {
                        None => assert_eq!(l.state, ModelState::Active),
                        Some(date) => {
                            let date = Date::parse(date).expect("a lifecycle date is a date");
                            let state = if today < date { ModelState::Deprecated } else { ModelState::Retired };
                            assert_eq!(l.state, state, "{} on {today}", e.id);
                        }
                    }
                }
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), "malformed-response");
            assert_tidy(e.message(), 300);
        }
    }
});
