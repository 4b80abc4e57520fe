//! The jobs the page sees: what each went in with (the request's summary,
//! previews of its input images) and came out with (its images, its analysis,
//! its cost or its error), the newest finished ones, and the estimated cost
//! of everything done since the start.
//!
//! Only the records: starting a job's call, running it and telling the page
//! live in [`crate::run`], which needs the whole server state. Kept apart so
//! the state can hold this store without the store importing the state.
//!
//! A finished job's images ([`crate::stored`]) are handed over for the
//! gallery ([`crate::gallery`]), sharing their bytes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde_json::{json, Value as J};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use visual_host::bindings::{
    Analysis, AnalyzeRequest, Capability, Cost, EditRequest, Error, GenerateRequest, Generation,
};

use crate::gallery::Origin;
use crate::json;
use crate::plugins::{contract_version, Loaded};
use crate::stored::Stored;

/// Finished jobs kept for the page (with their images), newest first.
const KEEP_FINISHED: usize = 48;

/// What a job does.
pub enum Work {
    Generate(GenerateRequest, u32),
    Edit(EditRequest, u32),
    Analyze(AnalyzeRequest),
}

impl Work {
    fn kind(&self) -> &'static str {
        match self {
            Work::Generate(..) => "generate",
            Work::Edit(..) => "edit",
            Work::Analyze(..) => "analyze",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    fn name(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// An image that went into a job (a reference, the mask, an image option,
/// the image analyzed), kept as a small preview.
#[derive(Clone)]
pub struct Input {
    /// `reference`, `mask`, `image`, or the option's name (`markup`).
    pub role: String,
    pub described: crate::upload::Described,
    pub bytes: usize,
    /// The preview (the image itself when it is small), once made.
    pub preview: Option<Stored>,
}

/// An image going into a job, for its card: a copy of its bytes only to make
/// the preview from (none past the job's preview budget).
pub struct InputImage {
    pub role: String,
    pub described: crate::upload::Described,
    pub size: usize,
    pub bytes: Option<Vec<u8>>,
}

/// The most bytes of large inputs one job copies to make previews from: the
/// request holds the uploads themselves, and 16 references of 50 MB each
/// should not be held twice.
pub const PREVIEW_BUDGET: usize = 64 * 1024 * 1024;

impl InputImage {
    /// What the card shows of `upload`, copied while `budget` lasts.
    pub fn of(role: &str, upload: &crate::upload::Upload, budget: &mut usize) -> InputImage {
        let size = upload.bytes.len();
        let d = upload.described;
        let small = size <= PREVIEW_AS_IS_BYTES;
        let decodable = u64::from(d.width) * u64::from(d.height) <= PREVIEW_MAX_PIXELS;
        let copy = small || (decodable && size <= *budget);
        if copy && !small {
            *budget -= size;
        }
        InputImage { role: role.to_string(), described: d, size, bytes: copy.then(|| upload.bytes.clone()) }
    }
}

/// Who asked what of whom.
#[derive(Default)]
pub struct Meta {
    pub prompt: String,
    pub model: Option<String>,
    pub format: Option<&'static str>,
    pub references: usize,
    pub mask: bool,
    /// The tier asked for, or the model's default, said so.
    pub quality: Option<String>,
    /// `"1024x1536"`, when given explicitly.
    pub size: Option<String>,
    pub output_format: Option<String>,
    pub n: Option<u32>,
    /// `complexity: high`, `markup: PNG 64×48`, ...
    pub options: Vec<String>,
    /// The capability the job used (for the pills).
    pub capability: Option<Capability>,
    /// Which key and service the job's settings named (for the pills).
    pub fingerprint: u64,
}

/// How much of a prompt the job's JSON carries.
pub const PROMPT_SHOWN_CHARS: usize = 32_000;

pub struct Job {
    pub id: u64,
    kind: &'static str,
    backend: String,
    backend_label: String,
    backend_file: String,
    revision: u64,
    contract: String,
    meta: Meta,
    pub state: JobState,
    created: SystemTime,
    started: Instant,
    elapsed: Option<Duration>,
    pub partials: Vec<Stored>,
    pub images: Vec<Stored>,
    pub inputs: Vec<Input>,
    result_model: Option<String>,
    revised_prompt: Option<String>,
    analysis: Option<J>,
    cost: Option<J>,
    error: Option<J>,
    cancel: CancellationToken,
    finished: watch::Sender<bool>,
}

impl Job {
    fn file_name(&self, s: &Stored, n: usize) -> String {
        match s.partial_index {
            Some(p) => format!("{}-{}-partial-{}.{}", self.kind, self.id, p + 1, s.extension()),
            None => format!("{}-{}-{}.{}", self.kind, self.id, n + 1, s.extension()),
        }
    }

    pub fn json(&self) -> J {
        let image = |s: &Stored, api_url: String, n: usize| {
            json!({
                "index": n,
                "image_index": s.image_index,
                "partial_index": s.partial_index,
                "mime_type": s.mime,
                "width": s.width,
                "height": s.height,
                "bytes": s.bytes.len(),
                "url": s.url(),
                "api_url": api_url,
                "file_name": self.file_name(s, n),
            })
        };
        let prompt_chars = self.meta.prompt.chars().count();
        let prompt: String = if prompt_chars > PROMPT_SHOWN_CHARS {
            self.meta.prompt.chars().take(PROMPT_SHOWN_CHARS).collect()
        } else {
            self.meta.prompt.clone()
        };
        let inputs: Vec<J> = self
            .inputs
            .iter()
            .map(|i| {
                json!({
                    "role": i.role,
                    "mime_type": i.described.mime,
                    "width": i.described.width,
                    "height": i.described.height,
                    "bytes": i.bytes,
                    "preview": i.preview.as_ref().map(|p| p.url()),
                })
            })
            .collect();
        json!({
            "id": self.id,
            "kind": self.kind,
            "state": self.state.name(),
            "backend": self.backend,
            "backend_label": self.backend_label,
            "backend_file": self.backend_file,
            "revision": self.revision,
            "contract": self.contract,
            "prompt": prompt,
            "prompt_chars": prompt_chars,
            "prompt_truncated": prompt_chars > PROMPT_SHOWN_CHARS,
            "requested_model": self.meta.model,
            "model": self.result_model.clone().or(self.meta.model.clone()),
            "format": self.meta.format,
            "quality": self.meta.quality,
            "size": self.meta.size,
            "output_format": self.meta.output_format,
            "n": self.meta.n,
            "options": self.meta.options,
            "references": self.meta.references,
            "mask": self.meta.mask,
            "inputs": inputs,
            "created_ms": self.created.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
            "elapsed_ms": self.elapsed.unwrap_or_else(|| self.started.elapsed()).as_millis() as u64,
            "partials": self.partials.iter().enumerate()
                .map(|(n, s)| image(s, format!("/api/jobs/{}/partials/{n}", self.id), n)).collect::<Vec<_>>(),
            "images": self.images.iter().enumerate()
                .map(|(n, s)| image(s, format!("/api/jobs/{}/images/{n}", self.id), n)).collect::<Vec<_>>(),
            "revised_prompt": self.revised_prompt,
            "analysis": self.analysis,
            "cost": self.cost,
            "error": self.error,
        })
    }

    /// The file name an image of this job is offered under.
    pub fn image_file_name(&self, partial: bool, n: usize) -> Option<String> {
        let list = if partial { &self.partials } else { &self.images };
        list.get(n).map(|s| self.file_name(s, n))
    }
}

/// The estimated cost of everything done since the server started.
#[derive(Default, Clone, Copy)]
struct CostTotal {
    usd: f64,
    /// Results with a cost estimate.
    priced: u64,
    /// ... of which only a lower bound.
    incomplete: u64,
    /// Results with none (the model's prices are unknown).
    unpriced: u64,
}

#[derive(Default)]
pub struct Jobs {
    map: Mutex<BTreeMap<u64, Job>>,
    next: AtomicU64,
    totals: Mutex<CostTotal>,
}

impl Jobs {
    pub fn with<T>(&self, id: u64, f: impl FnOnce(&Job) -> T) -> Option<T> {
        self.map.lock().unwrap().get(&id).map(f)
    }

    pub(crate) fn update(&self, id: u64, f: impl FnOnce(&mut Job)) -> Option<J> {
        let mut map = self.map.lock().unwrap();
        let job = map.get_mut(&id)?;
        f(job);
        Some(job.json())
    }

    /// Every job, newest first.
    pub fn json(&self) -> J {
        J::Array(self.map.lock().unwrap().values().rev().map(Job::json).collect())
    }

    /// Cancels a running job; false when there is no such job or it already ended.
    pub fn cancel(&self, id: u64) -> Option<bool> {
        self.with(id, |job| {
            let running = job.state == JobState::Running;
            job.cancel.cancel();
            running
        })
    }

    pub fn cancel_all(&self) {
        for job in self.map.lock().unwrap().values() {
            job.cancel.cancel();
        }
    }

    /// Waits until job `id` ends.
    pub async fn wait(&self, id: u64) {
        let Some(mut finished) = self.with(id, |job| job.finished.subscribe()) else { return };
        let _ = finished.wait_for(|done| *done).await;
    }

    pub fn running(&self) -> usize {
        self.map.lock().unwrap().values().filter(|j| j.state == JobState::Running).count()
    }

    /// Forgets every finished job (the gallery keeps its images); returns their ids.
    pub fn clear_finished(&self) -> Vec<u64> {
        let mut map = self.map.lock().unwrap();
        let done: Vec<u64> = map.values().filter(|j| j.state != JobState::Running).map(|j| j.id).collect();
        for id in &done {
            map.remove(id);
        }
        done
    }

    /// The image (result, partial or input preview) whose URL carries `key`, and its file name.
    pub fn find_image(&self, key: &str) -> Option<(Stored, String)> {
        let map = self.map.lock().unwrap();
        map.values().rev().find_map(|job| {
            if let Some(s) = job.images.iter().chain(&job.partials).find(|s| s.key == key) {
                let n = s.image_index as usize;
                return Some((s.clone(), job.file_name(s, n)));
            }
            job.inputs.iter().enumerate().find_map(|(n, i)| {
                let preview = i.preview.as_ref().filter(|p| p.key == key)?;
                let name = format!("{}-{}-{}-{}.{}", job.kind, job.id, i.role, n + 1, preview.extension());
                Some((preview.clone(), name))
            })
        })
    }

    /// `{usd, priced, incomplete, unpriced, complete}` since the server started.
    pub fn cost_total(&self) -> J {
        let t = *self.totals.lock().unwrap();
        json!({
            "usd": t.usd,
            "priced": t.priced,
            "incomplete": t.incomplete,
            "unpriced": t.unpriced,
            "complete": t.incomplete == 0 && t.unpriced == 0,
        })
    }

    fn count_cost(&self, cost: Option<&Cost>) {
        let mut t = self.totals.lock().unwrap();
        match cost {
            Some(cost) => {
                t.usd += cost.usd;
                t.priced += 1;
                t.incomplete += u64::from(!cost.complete);
            }
            None => t.unpriced += 1,
        }
    }

    /// Forgets the oldest finished jobs beyond what the page keeps.
    pub fn trim(&self) {
        let mut map = self.map.lock().unwrap();
        let finished: Vec<u64> = map.values().filter(|j| j.state != JobState::Running).map(|j| j.id).collect();
        if finished.len() > KEEP_FINISHED {
            for id in &finished[..finished.len() - KEEP_FINISHED] {
                map.remove(id);
            }
        }
    }

    /// Records a job that starts now on `loaded`; returns its id, its token
    /// (which cancels it) and what the page is told of it.
    pub fn add(&self, loaded: &Loaded, work: &Work, meta: Meta, inputs: &[InputImage]) -> (u64, CancellationToken, J) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let cancel = CancellationToken::new();
        let job = Job {
            id,
            kind: work.kind(),
            backend: loaded.id.clone(),
            backend_label: loaded.info.label.clone(),
            backend_file: loaded.file_name.clone(),
            revision: loaded.revision,
            contract: contract_version(loaded).to_string(),
            meta,
            state: JobState::Running,
            created: SystemTime::now(),
            started: Instant::now(),
            elapsed: None,
            partials: Vec::new(),
            images: Vec::new(),
            inputs: inputs
                .iter()
                .map(|i| Input { role: i.role.clone(), described: i.described, bytes: i.size, preview: None })
                .collect(),
            result_model: None,
            revised_prompt: None,
            analysis: None,
            cost: None,
            error: None,
            cancel: cancel.clone(),
            finished: watch::channel(false).0,
        };
        let created = job.json();
        self.map.lock().unwrap().insert(id, job);
        (id, cancel, created)
    }

    /// Records how job `id` ended, counting its cost; says what follows from it.
    pub fn finish(&self, id: u64, outcome: Outcome) -> Ended {
        let mut gallery: Option<(Vec<Stored>, Origin)> = None;
        let mut succeeded: Option<(Option<Capability>, String, u64, u64)> = None;
        let json = self.update(id, |job| {
            job.elapsed = Some(job.started.elapsed());
            match outcome {
                Outcome::Generated(generation) => {
                    job.state = JobState::Done;
                    self.count_cost(generation.cost.as_ref());
                    job.cost = generation.cost.as_ref().map(json::cost);
                    job.result_model = Some(generation.model);
                    job.revised_prompt = generation.revised_prompt;
                    job.images = generation
                        .images
                        .into_iter()
                        .enumerate()
                        .map(|(n, image)| Stored::new(image, n as u32, None))
                        .collect();
                    gallery = Some((job.images.clone(), origin(job)));
                    succeeded = Some((job.meta.capability, job.backend.clone(), job.revision, job.meta.fingerprint));
                }
                Outcome::Analyzed(analysis) => {
                    job.state = JobState::Done;
                    self.count_cost(analysis.cost.as_ref());
                    job.cost = analysis.cost.as_ref().map(json::cost);
                    job.result_model = Some(analysis.model.clone());
                    job.analysis = Some(json!({
                        "text": analysis.text,
                        "model": analysis.model,
                        "finish_reason": analysis.finish_reason,
                        "truncated": analysis.truncated,
                    }));
                }
                Outcome::Failed(e) => {
                    job.state = if matches!(e, Error::Cancelled(_)) { JobState::Cancelled } else { JobState::Failed };
                    job.error = Some(json::error(&e));
                }
                Outcome::Host(e) => {
                    job.state = JobState::Failed;
                    job.error = Some(json::error_json("host", &format!("{e:#}")));
                }
                Outcome::Cancelled => {
                    job.state = JobState::Cancelled;
                    job.error = Some(json::error_json("cancelled", "the call was dropped and its connection closed"));
                }
                Outcome::TimedOut(after) => {
                    job.state = JobState::Failed;
                    job.error = Some(json::error_json(
                        "timeout",
                        &format!(
                            "no result within {}, the generation timeout; the call was dropped",
                            json::seconds(after)
                        ),
                    ));
                }
            }
            job.finished.send_replace(true);
        });
        Ended { json, gallery, succeeded }
    }
}

/// How a job's call ended.
pub enum Outcome {
    Generated(Generation),
    Analyzed(Analysis),
    Failed(Error),
    Host(anyhow::Error),
    Cancelled,
    TimedOut(Duration),
}

/// What follows from a job that ended: word to the page, images for the
/// gallery, and the pill an image confirms.
pub struct Ended {
    /// The job as the page sees it (none when it is no longer kept).
    pub json: Option<J>,
    /// The images made, and what the gallery says about them.
    pub gallery: Option<(Vec<Stored>, Origin)>,
    /// An image was made: its capability, and the backend, revision and
    /// settings fingerprint it was made with.
    pub succeeded: Option<(Option<Capability>, String, u64, u64)>,
}

/// Images up to this size are their own preview.
const PREVIEW_AS_IS_BYTES: usize = 512 * 1024;
/// The longer side of a preview.
const PREVIEW_SIDE: u32 = 256;
/// Larger images are not decoded for a preview (a 50 MB upload may hold far
/// more pixels than is worth the memory).
const PREVIEW_MAX_PIXELS: u64 = 40_000_000;

/// The preview of an input: the image itself when small, else a thumbnail;
/// none without a copy of its bytes or when it does not decode.
pub fn preview(input: InputImage) -> Option<Stored> {
    let d = input.described;
    let bytes = input.bytes?;
    if bytes.len() <= PREVIEW_AS_IS_BYTES {
        return Some(Stored::from_parts(Bytes::from(bytes), d.mime, d.width, d.height, 0, None));
    }
    let decoded = image::load_from_memory(&bytes).ok()?;
    let small = decoded.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE);
    let mut png = Vec::new();
    small.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).ok()?;
    Some(Stored::from_parts(Bytes::from(png), "image/png", small.width(), small.height(), 0, None))
}

/// What the gallery says about a job's images.
fn origin(job: &Job) -> Origin {
    Origin {
        job: job.id,
        kind: job.kind,
        prompt: job.meta.prompt.clone(),
        revised_prompt: job.revised_prompt.clone(),
        backend_label: job.backend_label.clone(),
        model: job.result_model.clone().or(job.meta.model.clone()),
        quality: job.meta.quality.clone(),
        format: job.meta.format,
        size: job.meta.size.clone(),
        output_format: job.meta.output_format.clone(),
        created_ms: job.created.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
        elapsed_ms: job.elapsed.unwrap_or_default().as_millis() as u64,
        cost: job.cost.clone(),
        images_in_call: job.images.len(),
    }
}
