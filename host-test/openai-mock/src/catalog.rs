//! The models the mock serves on a given day: the part of the mock that
//! makes it answer like the API of that day.
//!
//! In [`MockMode::Api`] (the default) an entry ([`ModelEntry`]) whose
//! shutdown date is on or before "today" is retired, as the real service
//! retires it: `/models` leaves it out, `/models/{id}` is a 404, and
//! generations, edits and chat completions naming it get the 404 OpenAI sends
//! after a shutdown. An id the catalog does not know is a 404
//! `model_not_found` there too. In [`MockMode::Gateway`] nothing is retired
//! and any id passes, as through a compatible gateway that still serves the
//! old models. The running server's catalog is changed through
//! [`Catalog`] (see [`crate::MockServer::catalog`]); each request is judged
//! by a [`View`] of it, taken when the request arrives. Whether a model may
//! be used on an endpoint is [`crate::gate`]'s.

use std::sync::Mutex;

use super::dates::{is_date, utc_today};
use super::entry::{ModelEntry, ModelFamily};

/// Which models the mock serves (outside the Azure form, where the deployment decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MockMode {
    /// Like OpenAI's API: only catalog models (with their dated snapshots and
    /// fine-tunes), and not once their shutdown date has come. Unknown and
    /// retired models are 404s; a model of another family is refused.
    #[default]
    Api,
    /// Like a compatible gateway or an Azure-style deployment that still serves
    /// the old models: nothing is retired (`/models` still shows shutdown
    /// dates), and any id passes on every endpoint with the rules of its
    /// family: a catalog model's own, an unknown image id the GPT image rules.
    /// A catalog model is still refused on another family's endpoint.
    Gateway,
}

/// The live catalog of a running mock: shared by every connection, and each
/// change takes effect on the next request. Get it from
/// [`crate::MockServer::catalog`].
///
/// Dates are `YYYY-MM-DD` strings; the methods that take one panic on
/// anything else, as a test's typo should fail loudly.
#[derive(Debug)]
pub struct Catalog {
    mode: MockMode,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    entries: Vec<ModelEntry>,
    /// `None`: the real current UTC date.
    today: Option<String>,
}

impl Catalog {
    /// The catalog a server starts with (a config's `mode`, `catalog` and
    /// `today`); an error names a malformed date.
    pub(crate) fn new(mode: MockMode, entries: Vec<ModelEntry>, today: Option<String>) -> Result<Catalog, String> {
        for date in today.iter().chain(entries.iter().flat_map(entry_dates)) {
            if !is_date(date) {
                return Err(format!("not a YYYY-MM-DD date: {date:?}"));
            }
        }
        Ok(Catalog { mode, state: Mutex::new(State { entries, today }) })
    }

    /// Adds an entry, or replaces the entry with the same id.
    ///
    /// # Panics
    /// If its shutdown date or a snapshot date is not `YYYY-MM-DD`.
    pub fn add(&self, entry: ModelEntry) {
        entry_dates(&entry).for_each(|d| assert_date(d));
        let mut state = self.state.lock().unwrap();
        match state.entries.iter_mut().find(|e| e.id == entry.id) {
            Some(existing) => *existing = entry,
            None => state.entries.push(entry),
        }
    }

    /// Removes the entry with this id (and so its snapshots); false if there was none.
    pub fn remove(&self, id: &str) -> bool {
        let mut state = self.state.lock().unwrap();
        let before = state.entries.len();
        state.entries.retain(|e| e.id != id);
        state.entries.len() != before
    }

    /// Sets (`Some`) or clears (`None`) an entry's shutdown date; false if there is no such entry.
    ///
    /// # Panics
    /// If the date is not `YYYY-MM-DD`.
    pub fn set_shutdown_date(&self, id: &str, date: Option<&str>) -> bool {
        date.inspect(|d| assert_date(d));
        let mut state = self.state.lock().unwrap();
        match state.entries.iter_mut().find(|e| e.id == id) {
            Some(entry) => {
                entry.shutdown_date = date.map(str::to_string);
                true
            }
            None => false,
        }
    }

    /// Fixes "today" (`Some`), or goes back to the real current UTC date (`None`).
    ///
    /// # Panics
    /// If the date is not `YYYY-MM-DD`.
    pub fn set_today(&self, today: Option<&str>) {
        today.inspect(|d| assert_date(d));
        self.state.lock().unwrap().today = today.map(str::to_string);
    }

    /// The date the mock is answering for, `YYYY-MM-DD`.
    pub fn today(&self) -> String {
        self.state.lock().unwrap().today.clone().unwrap_or_else(utc_today)
    }

    /// The entries, in catalog order, retired ones included.
    pub fn entries(&self) -> Vec<ModelEntry> {
        self.state.lock().unwrap().entries.clone()
    }

    /// The catalog as one request sees it.
    pub(crate) fn view(&self) -> View {
        let state = self.state.lock().unwrap();
        View { mode: self.mode, entries: state.entries.clone(), today: state.today.clone().unwrap_or_else(utc_today) }
    }
}

fn entry_dates(entry: &ModelEntry) -> impl Iterator<Item = &String> {
    entry.shutdown_date.iter().chain(entry.snapshots.iter())
}

fn assert_date(date: &str) {
    assert!(is_date(date), "not a YYYY-MM-DD date: {date:?}");
}

/// The catalog, mode and date one request is judged by.
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub mode: MockMode,
    pub entries: Vec<ModelEntry>,
    pub today: String,
}

/// A model id the catalog resolves: its family, and its entry (`None` for a fine-tune).
pub(crate) struct Found<'a> {
    pub family: ModelFamily,
    pub entry: Option<&'a ModelEntry>,
}

impl View {
    /// An entry by id, a dated snapshot of one (`gpt-4o-2024-08-06`), or a
    /// fine-tune (`ft:BASE:...`, of its base's family; never retired).
    pub fn find(&self, id: &str) -> Option<Found<'_>> {
        let entry = |id: &str| self.entries.iter().find(|e| e.id == id);
        if let Some(e) = entry(id) {
            return Some(Found { family: e.family, entry: Some(e) });
        }
        if let Some(rest) = id.strip_prefix("ft:") {
            let base = rest.split(':').next().unwrap_or_default();
            let family = self.find(base).map_or(ModelFamily::Chat, |f| f.family);
            return (!rest.is_empty()).then_some(Found { family, entry: None });
        }
        let split = id.len().checked_sub(11).filter(|&i| id.is_char_boundary(i))?;
        let (base, date) = id.split_at(split);
        let e = entry(base).filter(|_| date.starts_with('-') && is_date(&date[1..]))?;
        Some(Found { family: e.family, entry: Some(e) })
    }

    /// Retired entries are served only by a gateway.
    pub fn serves(&self, entry: &ModelEntry) -> bool {
        self.mode == MockMode::Gateway || entry.shutdown_date.as_deref().is_none_or(|d| d > self.today.as_str())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The default catalog on 2026-12-07 (LIFECYCLE.md's date), in `mode`.
    pub(crate) fn view(mode: MockMode) -> View {
        View { mode, entries: ModelEntry::default_catalog(), today: "2026-12-07".into() }
    }

    #[test]
    fn snapshots_and_fine_tunes_resolve_to_their_base() {
        let v = view(MockMode::Api);
        assert_eq!(v.find("gpt-image-2-2026-04-21").unwrap().entry.unwrap().id, "gpt-image-2");
        assert_eq!(v.find("gpt-4o-2024-08-06").unwrap().entry.unwrap().id, "gpt-4o");
        let ft = v.find("ft:gpt-4o-mini:acme::abc123").unwrap();
        assert!(ft.entry.is_none() && ft.family == ModelFamily::Chat);
        assert!(v.find("ft:").is_none());
        assert!(v.find("gpt-5-imaginary").is_none());
        assert!(v.find("gpt-4o-latest").is_none());
        assert_eq!(v.find("gpt-image-2.6-flare-2026-11-04").unwrap().entry.unwrap().id, "gpt-image-2.6-flare");
        assert!(v.find("gpt-image-2.7-flare").is_none());
        assert!(v.find("gpt-4o-2024-13-06").is_none());
    }
}
