//! The models the mock knows, their shutdown dates, and which requests they
//! may serve: the part of the mock that makes it answer like the API of a
//! given day.
//!
//! Each [`ModelEntry`] names the endpoint family it serves and, when one is
//! announced, its `shutdown_date`. In [`MockMode::Api`] (the default) an
//! entry whose shutdown date is on or before "today" is retired, as the real
//! service retires it: `/models` leaves it out, `/models/{id}` is a 404, and
//! generations, edits and chat completions naming it get the 404 OpenAI sends
//! after a shutdown. An id the catalog does not know is a 404
//! `model_not_found` there too. In [`MockMode::Gateway`] nothing is retired
//! and any id passes, as through a compatible gateway that still serves the
//! old models. The running server's catalog is changed through
//! [`Catalog`] (see [`crate::MockServer::catalog`]).

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::errors::{self, ApiError};
use super::params::ModelKind;
use super::{MockConfig, MockMode};

/// The endpoints a model serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelFamily {
    /// `/images/generations` and (except `dall-e-3`) `/images/edits`.
    Image,
    /// `/chat/completions`, with image input.
    Chat,
    /// Listed by `/models`, but served by none of the endpoints the mock answers
    /// (an embedding model, say): refused on all of them.
    Other,
}

/// One model in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelEntry {
    /// The model id, e.g. `gpt-image-2`.
    pub id: String,
    /// `owned_by` in the Model object.
    pub owned_by: String,
    /// `created` in the Model object (Unix seconds).
    pub created: u64,
    /// The endpoints it serves.
    pub family: ModelFamily,
    /// `YYYY-MM-DD`; in [`MockMode::Api`] the model is retired from this day on.
    pub shutdown_date: Option<String>,
    /// Dates of the dated snapshots `/models` lists beside it, as `{id}-{date}`.
    /// Any `{id}-YYYY-MM-DD` is served as the entry itself, listed here or not.
    pub snapshots: Vec<String>,
}

impl ModelEntry {
    /// An entry owned by `system`, created 2025-01-01, with no shutdown date and no snapshots.
    pub fn new(id: impl Into<String>, family: ModelFamily) -> ModelEntry {
        ModelEntry {
            id: id.into(),
            owned_by: "system".to_string(),
            created: 1_735_689_600,
            family,
            shutdown_date: None,
            snapshots: Vec::new(),
        }
    }

    /// The same entry with this shutdown date (`YYYY-MM-DD`).
    pub fn with_shutdown_date(mut self, date: impl Into<String>) -> ModelEntry {
        self.shutdown_date = Some(date.into());
        self
    }

    /// The same entry with a dated snapshot (`YYYY-MM-DD`) listed beside it.
    pub fn with_snapshot(mut self, date: impl Into<String>) -> ModelEntry {
        self.snapshots.push(date.into());
        self
    }

    fn created_at(mut self, created: u64) -> ModelEntry {
        self.created = created;
        self
    }

    /// OpenAI's image and vision models as of 2026-12-02, from
    /// `shared/openai/LIFECYCLE.md` (which cites OpenAI's deprecations page and
    /// model pages; its sources are listed there). `created` values are the
    /// models' release times where known; `gpt-5.6-luna`'s is not documented
    /// and is a placeholder.
    pub fn default_catalog() -> Vec<ModelEntry> {
        use ModelFamily::{Chat, Image};
        let image = |id: &str, created| ModelEntry::new(id, Image).created_at(created);
        let chat = |id: &str, created| ModelEntry::new(id, Chat).created_at(created);
        vec![
            // Shut down 2026-05-12 (LIFECYCLE.md, "Shut down").
            image("dall-e-2", 1_698_798_177).with_shutdown_date("2026-05-12"),
            image("dall-e-3", 1_698_785_189).with_shutdown_date("2026-05-12"),
            // Shut down 2026-10-23.
            image("gpt-image-1", 1_745_517_030).with_shutdown_date("2026-10-23"),
            // Shut down 2026-12-01 (with the snapshot gpt-image-1.5-2025-12-16).
            image("gpt-image-1-mini", 1_758_845_821).with_shutdown_date("2026-12-01"),
            image("gpt-image-1.5", 1_765_925_279).with_shutdown_date("2026-12-01").with_snapshot("2025-12-16"),
            image("chatgpt-image-latest", 1_765_925_279).with_shutdown_date("2026-12-01"),
            // Current (LIFECYCLE.md, "Current image models"; gpt-image-2 is also in openapi.yaml).
            image("gpt-image-2", 1_776_729_600).with_snapshot("2026-04-21"),
            image("gpt-image-2.5-flare", 1_788_825_600).with_snapshot("2026-09-08"),
            image("gpt-image-2.5-sunburst", 1_788_825_600).with_snapshot("2026-09-08"),
            // gpt-image-2.6-* is left out: LIFECYCLE.md says OpenAI's own reference does not confirm it.
            // Announced, still served on 2026-12-02 (LIFECYCLE.md, "Announced, still served").
            chat("gpt-4o", 1_715_367_049).with_shutdown_date("2027-01-14"),
            chat("gpt-4o-mini", 1_721_172_741).with_shutdown_date("2027-01-14"),
            chat("gpt-4.1", 1_744_316_542).with_shutdown_date("2027-01-14"),
            chat("gpt-4.1-mini", 1_744_318_173).with_shutdown_date("2027-01-14"),
            chat("gpt-5", 1_754_425_777).with_shutdown_date("2026-12-11"),
            chat("gpt-5-mini", 1_754_425_928).with_shutdown_date("2026-12-11"),
            chat("gpt-5-nano", 1_754_426_384).with_shutdown_date("2026-12-11"),
            // Current small vision models (LIFECYCLE.md, "Current small vision model").
            chat("gpt-6-luna", 1_790_035_200),
            chat("gpt-5.6-luna", 1_790_035_200),
        ]
    }
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
    /// The catalog a config starts with; an error names a malformed date.
    pub(crate) fn from_config(config: &MockConfig) -> Result<Catalog, String> {
        for date in config.today.iter().chain(config.catalog.iter().flat_map(entry_dates)) {
            if !is_date(date) {
                return Err(format!("not a YYYY-MM-DD date: {date:?}"));
            }
        }
        Ok(Catalog {
            mode: config.mode,
            state: Mutex::new(State { entries: config.catalog.clone(), today: config.today.clone() }),
        })
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

/// `YYYY-MM-DD` with a plausible month and day, so dates compare as strings.
pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    shape && matches!(s[5..7].parse::<u32>(), Ok(1..=12)) && matches!(s[8..10].parse::<u32>(), Ok(1..=31))
}

/// Today's date in UTC, from the system clock.
fn utc_today() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The endpoints a request can name a model on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Generation,
    Edit,
    Chat,
}

/// How one request's model is admitted.
#[derive(Debug, Clone)]
pub(crate) enum Gate {
    /// Azure: the deployment's model, whatever the body says; no catalog,
    /// nothing retired (the deployment decides).
    Deployment(String),
    /// The catalog as of the request.
    Catalog(View),
}

impl Gate {
    /// The model the route imposes (Azure), if any.
    pub fn forced(&self) -> Option<&str> {
        match self {
            Gate::Deployment(model) => Some(model),
            Gate::Catalog(_) => None,
        }
    }

    /// Whether the model may be used on this endpoint: unknown and retired
    /// models (in [`MockMode::Api`]) and models of another family are refused
    /// as the API refuses them.
    pub fn admit(&self, model: &str, endpoint: Endpoint) -> Result<(), ApiError> {
        let Gate::Catalog(view) = self else { return Ok(()) };
        let family = match view.find(model) {
            Some(found) if found.entry.is_some_and(|e| !view.serves(e)) => return Err(errors::model_retired(model)),
            Some(found) => found.family,
            None if view.mode == MockMode::Api => return Err(errors::model_not_found(model)),
            // A gateway passes any id; one named like an image model is one.
            None if is_image_name(model) => ModelFamily::Image,
            None if endpoint == Endpoint::Chat => ModelFamily::Chat,
            None => ModelFamily::Image,
        };
        match (endpoint, family) {
            (Endpoint::Chat, ModelFamily::Chat) => Ok(()),
            (Endpoint::Chat, _) => Err(errors::not_a_chat_model()),
            (_, ModelFamily::Image) => Ok(()),
            (_, _) => Err(errors::invalid_value("model", model, &self.image_models(endpoint))),
        }
    }

    /// The image models served on an image endpoint, for "Supported values"
    /// lists (Azure: the default catalog's).
    pub fn image_models(&self, endpoint: Endpoint) -> Vec<&str> {
        static DEFAULT: std::sync::OnceLock<Vec<ModelEntry>> = std::sync::OnceLock::new();
        let entries: Vec<&ModelEntry> = match self {
            Gate::Catalog(view) => view.entries.iter().filter(|e| view.serves(e)).collect(),
            Gate::Deployment(_) => DEFAULT.get_or_init(ModelEntry::default_catalog).iter().collect(),
        };
        entries
            .into_iter()
            .filter(|e| e.family == ModelFamily::Image)
            .filter(|e| endpoint != Endpoint::Edit || ModelKind::of(&e.id) != ModelKind::DallE3)
            .map(|e| e.id.as_str())
            .collect()
    }
}

fn is_image_name(id: &str) -> bool {
    ["gpt-image-", "dall-e-", "chatgpt-image-"].iter().any(|p| id.starts_with(p))
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

    /// The default catalog on 2026-12-02 (LIFECYCLE.md's date), in `mode`.
    pub(crate) fn gate(mode: MockMode) -> Gate {
        Gate::Catalog(View { mode, entries: ModelEntry::default_catalog(), today: "2026-12-02".into() })
    }

    pub(crate) fn view(mode: MockMode) -> View {
        match gate(mode) {
            Gate::Catalog(v) => v,
            Gate::Deployment(_) => unreachable!(),
        }
    }

    fn refusal(r: Result<(), ApiError>) -> (u16, Option<String>, Option<String>, String) {
        let e = r.unwrap_err();
        let (code, param, message) = e.summary();
        (e.status.as_u16(), code, param, message)
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_789), (2026, 12, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_date(&utc_today()));
        assert!(is_date("2027-01-14"));
        assert!(!is_date("2027-1-14") && !is_date("2027-13-01") && !is_date("2027-01-00") && !is_date("yesterday"));
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
        assert!(v.find("gpt-image-2.6-flare").is_none());
        assert!(v.find("gpt-4o-2024-13-06").is_none());
    }

    #[test]
    fn admission_per_mode_and_endpoint() {
        let api = gate(MockMode::Api);
        let retired = refusal(api.admit("dall-e-3", Endpoint::Generation));
        assert_eq!(
            retired,
            (
                404,
                Some("model_not_found".into()),
                None,
                "The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations"
                    .into()
            )
        );
        assert_eq!(refusal(api.admit("gpt-image-9", Endpoint::Edit)).0, 404);
        assert_eq!(refusal(api.admit("gpt-image-9", Endpoint::Edit)).1.as_deref(), Some("model_not_found"));
        let (status, code, param, message) = refusal(api.admit("gpt-image-2", Endpoint::Chat));
        assert_eq!((status, code, param.as_deref()), (404, None, Some("model")));
        assert!(message.starts_with("This is not a chat model"));
        let (status, code, param, message) = refusal(api.admit("gpt-4o-mini", Endpoint::Generation));
        assert_eq!((status, code.as_deref(), param.as_deref()), (400, Some("invalid_value"), Some("model")));
        assert_eq!(
            message,
            "Invalid value: 'gpt-4o-mini'. Supported values are: 'gpt-image-2', 'gpt-image-2.5-flare', and \
             'gpt-image-2.5-sunburst'."
        );
        assert!(api.admit("gpt-image-2.5-sunburst-2026-09-08", Endpoint::Edit).is_ok());
        assert!(api.admit("gpt-4.1-mini", Endpoint::Chat).is_ok());
        assert!(api.admit("ft:gpt-4o-mini:acme::x", Endpoint::Chat).is_ok());

        let gateway = gate(MockMode::Gateway);
        assert!(gateway.admit("dall-e-3", Endpoint::Generation).is_ok());
        assert!(gateway.admit("gpt-image-9", Endpoint::Edit).is_ok());
        assert!(gateway.admit("some-future-model", Endpoint::Generation).is_ok());
        assert!(gateway.admit("some-future-model", Endpoint::Chat).is_ok());
        assert_eq!(refusal(gateway.admit("gpt-image-1", Endpoint::Chat)).0, 404);
        assert_eq!(refusal(gateway.admit("gpt-image-2.6-flare", Endpoint::Chat)).0, 404);
        assert_eq!(refusal(gateway.admit("gpt-4o", Endpoint::Edit)).0, 400);
        assert!(gateway.image_models(Endpoint::Edit).contains(&"dall-e-2"));
        assert!(!gateway.image_models(Endpoint::Edit).contains(&"dall-e-3"));

        assert!(Gate::Deployment("gpt-4o".into()).admit("anything", Endpoint::Generation).is_ok());
    }
}
