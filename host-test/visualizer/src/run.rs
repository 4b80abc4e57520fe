//! Generations, edits and analyses, each a job on an instance of its own.
//!
//! A job takes the component loaded when it starts (an `Arc`, so a hot swap
//! does not touch it), makes a fresh instance from its pre-instantiated form
//! (microseconds) and calls it. With partial images it streams them: each one
//! is kept and announced to the page as it arrives. Cancelling drops the
//! call's future: the host closes the call's connection at once, so the
//! service sees the client go, and the instance is thrown away. The page's
//! generation timeout bounds the whole job the same way. Jobs run on threads
//! of their own (`WorkRuntime` in `lib.rs`), never ahead of the page's requests.
//!
//! The records (what went in, what came out, the cost since the start) are
//! [`crate::jobs`]'s; this module acts on them and on the rest of the server:
//! it tells the page, previews what went into an edit or an analysis, gives a
//! finished job's images to the gallery and lets an image confirm a pill.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use visual_host::bindings::{Error, Generation, GenerationEvent, Setting};
use visual_host::runtime::Session;

use crate::jobs::{self, InputImage, Meta, Outcome, Work};
use crate::plugins::Loaded;
use crate::state::AppState;
use crate::stored::Stored;

/// Starts a job; returns its id and its token (which cancels it). `inputs`
/// are the images that went in, previewed in the background.
pub fn submit(
    state: &Arc<AppState>,
    loaded: Arc<Loaded>,
    settings: Vec<Setting>,
    timeout: Duration,
    work: Work,
    meta: Meta,
    inputs: Vec<InputImage>,
) -> (u64, CancellationToken) {
    let (id, cancel, created) = state.jobs.add(&loaded, &work, meta, &inputs);
    state.emit("job", created);
    if !inputs.is_empty() {
        previews(state.clone(), id, inputs);
    }

    let threads = state.work.clone();
    let state = state.clone();
    let token = cancel.clone();
    threads.spawn(async move {
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

/// Makes the previews of a job's inputs off the async threads, then tells the page.
fn previews(state: Arc<AppState>, id: u64, inputs: Vec<InputImage>) {
    tokio::spawn(async move {
        let made = tokio::task::spawn_blocking(move || inputs.into_iter().map(jobs::preview).collect::<Vec<_>>())
            .await
            .unwrap_or_default();
        let json = state.jobs.update(id, |job| {
            for (input, preview) in job.inputs.iter_mut().zip(made) {
                input.preview = preview;
            }
        });
        if let Some(json) = json {
            state.emit("job", json);
        }
    });
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

/// Records how the job ended, then what follows: word to the page, its
/// images in the gallery, and a pill an image confirms.
fn finish(state: &AppState, id: u64, outcome: Outcome) {
    let ended = state.jobs.finish(id, outcome);
    if let Some(json) = ended.json {
        state.emit("job", json);
    }
    if let Some((images, origin)) = ended.gallery.filter(|(images, _)| !images.is_empty()) {
        let added = state.gallery.add(&images, origin);
        state.emit("gallery", json!({ "added": added, "summary": state.gallery.summary() }));
    }
    if let Some((Some(capability), backend, revision, fingerprint)) = ended.succeeded {
        if state.pills.image_made(capability, &backend, revision, fingerprint) {
            state.emit("pills", state.pills.json());
        }
    }
    state.jobs.trim();
}
