//! Generations, edits and analyses, each a job on an instance of its own.
//!
//! A job takes the component loaded when it starts (an `Arc`, so a hot swap
//! does not touch it), makes a fresh instance from its pre-instantiated form
//! (microseconds) and calls it. With partial images it streams them: each one
//! is kept and announced to the page as it arrives. Cancelling drops the
//! call's future: the host closes the call's connection at once, so the
//! service sees the client go, and the instance is thrown away. The page's
//! generation timeout bounds the whole job the same way.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde_json::{json, Value as J};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use visual_host::bindings::{
    Analysis, AnalyzeRequest, EditRequest, Error, GenerateRequest, Generation, GenerationEvent, Image, Setting,
};
use visual_host::runtime::Session;

use crate::json;
use crate::plugins::{contract_version, Loaded};
use crate::upload::describe;
use crate::AppState;

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

/// An image kept for the page, described from its own bytes.
#[derive(Clone)]
pub struct Stored {
    pub bytes: Bytes,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub image_index: u32,
    pub partial_index: Option<u32>,
}

impl Stored {
    fn new(image: Image, image_index: u32, partial_index: Option<u32>) -> Stored {
        let bytes = Bytes::from(image.data);
        // The host's own reading of the bytes; the backend's word only if the host cannot tell.
        let (mime, width, height) = match describe(&bytes) {
            Some(d) => (d.mime, d.width, d.height),
            None => ("application/octet-stream", image.width, image.height),
        };
        Stored { bytes, mime, width, height, image_index, partial_index }
    }

    pub fn extension(&self) -> &'static str {
        match self.mime {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/webp" => "webp",
            "image/gif" => "gif",
            _ => "bin",
        }
    }
}

/// Who asked what of whom.
pub struct Meta {
    pub prompt: String,
    pub model: Option<String>,
    pub format: Option<&'static str>,
    pub references: usize,
    pub mask: bool,
}

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
    result_model: Option<String>,
    revised_prompt: Option<String>,
    analysis: Option<J>,
    error: Option<J>,
    cancel: CancellationToken,
    finished: watch::Sender<bool>,
}

impl Job {
    pub fn json(&self) -> J {
        let image = |s: &Stored, url: String, n: usize| {
            let name = match s.partial_index {
                Some(p) => format!("{}-{}-partial-{}.{}", self.kind, self.id, p + 1, s.extension()),
                None => format!("{}-{}-{}.{}", self.kind, self.id, n + 1, s.extension()),
            };
            json!({
                "index": n,
                "image_index": s.image_index,
                "partial_index": s.partial_index,
                "mime_type": s.mime,
                "width": s.width,
                "height": s.height,
                "bytes": s.bytes.len(),
                "url": url,
                "file_name": name,
            })
        };
        json!({
            "id": self.id,
            "kind": self.kind,
            "state": self.state.name(),
            "backend": self.backend,
            "backend_label": self.backend_label,
            "backend_file": self.backend_file,
            "revision": self.revision,
            "contract": self.contract,
            "prompt": self.meta.prompt,
            "requested_model": self.meta.model,
            "model": self.result_model.clone().or(self.meta.model.clone()),
            "format": self.meta.format,
            "references": self.meta.references,
            "mask": self.meta.mask,
            "created_ms": self.created.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0),
            "elapsed_ms": self.elapsed.unwrap_or_else(|| self.started.elapsed()).as_millis() as u64,
            "partials": self.partials.iter().enumerate()
                .map(|(n, s)| image(s, format!("/api/jobs/{}/partials/{n}", self.id), n)).collect::<Vec<_>>(),
            "images": self.images.iter().enumerate()
                .map(|(n, s)| image(s, format!("/api/jobs/{}/images/{n}", self.id), n)).collect::<Vec<_>>(),
            "revised_prompt": self.revised_prompt,
            "analysis": self.analysis,
            "error": self.error,
        })
    }
}

#[derive(Default)]
pub struct Jobs {
    map: Mutex<BTreeMap<u64, Job>>,
    next: AtomicU64,
}

impl Jobs {
    pub fn with<T>(&self, id: u64, f: impl FnOnce(&Job) -> T) -> Option<T> {
        self.map.lock().unwrap().get(&id).map(f)
    }

    fn update(&self, id: u64, f: impl FnOnce(&mut Job)) -> Option<J> {
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

    /// Forgets the oldest finished jobs beyond what the page keeps.
    fn trim(&self) {
        let mut map = self.map.lock().unwrap();
        let finished: Vec<u64> = map.values().filter(|j| j.state != JobState::Running).map(|j| j.id).collect();
        if finished.len() > KEEP_FINISHED {
            for id in &finished[..finished.len() - KEEP_FINISHED] {
                map.remove(id);
            }
        }
    }
}

/// Starts a job; returns its id and its token (which cancels it).
pub fn submit(
    state: &Arc<AppState>,
    loaded: Arc<Loaded>,
    settings: Vec<Setting>,
    timeout: Duration,
    work: Work,
    meta: Meta,
) -> (u64, CancellationToken) {
    let id = state.jobs.next.fetch_add(1, Ordering::Relaxed) + 1;
    let cancel = CancellationToken::new();
    let job = Job {
        id,
        kind: work.kind(),
        backend: loaded.id.clone(),
        backend_label: loaded.info.label.clone(),
        backend_file: loaded.file_name.clone(),
        revision: loaded.revision,
        contract: contract_version(&loaded).to_string(),
        meta,
        state: JobState::Running,
        created: SystemTime::now(),
        started: Instant::now(),
        elapsed: None,
        partials: Vec::new(),
        images: Vec::new(),
        result_model: None,
        revised_prompt: None,
        analysis: None,
        error: None,
        cancel: cancel.clone(),
        finished: watch::channel(false).0,
    };
    let created = job.json();
    state.jobs.map.lock().unwrap().insert(id, job);
    state.emit("job", created);

    let state = state.clone();
    let token = cancel.clone();
    tokio::spawn(async move {
        let outcome = tokio::select! {
            // Dropping `run` drops the call: its connection closes now.
            _ = token.cancelled() => Outcome::Cancelled,
            ran = tokio::time::timeout(timeout, run(&state, id, &loaded, &settings, work)) => match ran {
                Ok(outcome) => outcome,
                Err(_) => Outcome::TimedOut(timeout),
            },
        };
        finish(&state, id, outcome);
    });
    (id, cancel)
}

enum Outcome {
    Generated(Generation),
    Analyzed(Analysis),
    Failed(Error),
    Host(anyhow::Error),
    Cancelled,
    TimedOut(Duration),
}

async fn run(state: &AppState, id: u64, loaded: &Loaded, settings: &[Setting], work: Work) -> Outcome {
    match call(state, id, loaded, settings, work).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Host(e),
    }
}

async fn call(state: &AppState, id: u64, loaded: &Loaded, settings: &[Setting], work: Work) -> anyhow::Result<Outcome> {
    let policy = loaded.plugin.network_policy(settings).await?;
    let mut session = match loaded.plugin.connect(settings, policy).await? {
        Ok(session) => session,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    Ok(match work {
        Work::Generate(request, 0) => generated(session.generate(&request).await?),
        Work::Edit(request, 0) => generated(session.edit(&request).await?),
        Work::Generate(request, n) => match session.start_generate(&request, n).await? {
            Ok(stream) => follow(state, id, &mut session, stream).await?,
            Err(e) => Outcome::Failed(e),
        },
        Work::Edit(request, n) => match session.start_edit(&request, n).await? {
            Ok(stream) => follow(state, id, &mut session, stream).await?,
            Err(e) => Outcome::Failed(e),
        },
        Work::Analyze(request) => match session.analyze(&request).await? {
            Ok(analysis) => Outcome::Analyzed(analysis),
            Err(e) => Outcome::Failed(e),
        },
    })
}

fn generated(result: Result<Generation, Error>) -> Outcome {
    match result {
        Ok(generation) => Outcome::Generated(generation),
        Err(e) => Outcome::Failed(e),
    }
}

/// Reads a streamed generation to its end, keeping each partial image.
async fn follow(
    state: &AppState,
    id: u64,
    session: &mut Session,
    stream: visual_host::runtime::StreamHandle,
) -> anyhow::Result<Outcome> {
    loop {
        match session.next_event(&stream).await? {
            None => anyhow::bail!("the stream ended without a result"),
            Some(Err(e)) => return Ok(Outcome::Failed(e)),
            Some(Ok(GenerationEvent::Partial(p))) => {
                let stored = Stored::new(p.image, p.image_index, Some(p.partial_index));
                if let Some(job) = state.jobs.update(id, |job| job.partials.push(stored)) {
                    state.emit("job", job);
                }
            }
            Some(Ok(GenerationEvent::Completed(generation))) => {
                session.close_stream(stream).await?;
                return Ok(Outcome::Generated(generation));
            }
        }
    }
}

fn finish(state: &AppState, id: u64, outcome: Outcome) {
    let json = state.jobs.update(id, |job| {
        job.elapsed = Some(job.started.elapsed());
        match outcome {
            Outcome::Generated(generation) => {
                job.state = JobState::Done;
                job.result_model = Some(generation.model);
                job.revised_prompt = generation.revised_prompt;
                job.images = generation
                    .images
                    .into_iter()
                    .enumerate()
                    .map(|(n, image)| Stored::new(image, n as u32, None))
                    .collect();
            }
            Outcome::Analyzed(analysis) => {
                job.state = JobState::Done;
                job.result_model = Some(analysis.model.clone());
                job.analysis = Some(json!({
                    "text": analysis.text,
                    "model": analysis.model,
                    "finish_reason": analysis.finish_reason,
                    "truncated": analysis.truncated,
                }));
            }
            Outcome::Failed(e) => {
                job.state = JobState::Failed;
                job.error = Some(json::error(&e));
            }
            Outcome::Host(e) => {
                job.state = JobState::Failed;
                job.error = Some(json!({ "kind": "host", "message": format!("{e:#}") }));
            }
            Outcome::Cancelled => {
                job.state = JobState::Cancelled;
                job.error = Some(json!({
                    "kind": "cancelled",
                    "message": "cancelled: the call was dropped and its connection closed",
                }));
            }
            Outcome::TimedOut(after) => {
                job.state = JobState::Failed;
                job.error = Some(json!({
                    "kind": "timeout",
                    "message": format!("no result within {} s, the generation timeout; the call was dropped", after.as_secs()),
                }));
            }
        }
        job.finished.send_replace(true);
    });
    if let Some(json) = json {
        state.emit("job", json);
    }
    state.jobs.trim();
}
