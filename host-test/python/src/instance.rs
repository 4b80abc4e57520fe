//! A client's instance: the sandboxed instance with its open client
//! (`visual_host::runtime::Session`), reopened after a call that trapped or
//! was cancelled, and the calls of the contract run in it. Shared by the
//! `Client` and the `GenerationStream`s it starts.

use std::sync::Arc;

use visual_host::bindings::*;
use visual_host::runtime::{Plugin, Session, StreamHandle};
use visual_host::sandbox::NetworkPolicy;

use crate::args::Bytes;
use crate::errors::Failure;

/// Spare buffers for the images a backend's clients upload, so a large
/// reference is copied into memory that is already mapped: a fresh 40 MB
/// buffer costs ten thousand page faults, more than the copy itself. Buffers
/// come back after each call; the largest are kept, at most
/// [`Scratch::KEEP_BYTES`] in all, until the backend is dropped.
#[derive(Default)]
pub(crate) struct Scratch(std::sync::Mutex<Vec<Vec<u8>>>);

impl Scratch {
    const KEEP_BYTES: usize = 64 << 20;
    /// Smaller buffers are cheap to make afresh.
    const MIN_BYTES: usize = 1 << 20;

    /// `data` in a buffer of the pool (the smallest that fits) or a new one.
    fn copy(&self, data: &[u8]) -> Vec<u8> {
        if data.len() < Self::MIN_BYTES {
            return data.to_vec();
        }
        let mut spares = self.0.lock().unwrap();
        let fits = spares.iter().enumerate().filter(|(_, b)| b.capacity() >= data.len());
        let pick = fits.min_by_key(|(_, b)| b.capacity()).map(|(i, _)| i);
        let mut buffer = pick.map(|i| spares.swap_remove(i)).unwrap_or_default();
        drop(spares);
        buffer.clear();
        buffer.extend_from_slice(data);
        buffer
    }

    /// Takes buffers back after a call.
    fn keep(&self, buffers: impl IntoIterator<Item = Vec<u8>>) {
        let mut spares = self.0.lock().unwrap();
        spares.extend(buffers.into_iter().filter(|b| b.capacity() >= Self::MIN_BYTES));
        spares.sort_by_key(|b| std::cmp::Reverse(b.capacity()));
        let mut total = 0;
        spares.retain(|b| {
            total += b.capacity();
            total <= Self::KEEP_BYTES
        });
    }
}

/// What the client holds between calls.
pub(crate) struct Slot {
    pub session: Option<Session>,
    /// Bumps with every new instance; a stream belongs to the instance of its epoch.
    pub epoch: u64,
    pub closed: bool,
}

pub(crate) struct Inner {
    plugin: Plugin,
    scratch: Arc<Scratch>,
    settings: Vec<Setting>,
    /// Cloned for every instance; the clones share the record of refused hosts.
    pub network: NetworkPolicy,
    pub slot: tokio::sync::Mutex<Slot>,
}

/// One call of the contract.
pub(crate) enum Op {
    Generate(GenerateRequest),
    Edit(EditParts),
    Analyze(AnalyzeRequest, Bytes),
    Check(Capability, Option<String>),
    Models(Option<Capability>),
    StartGenerate(GenerateRequest, u32),
    StartEdit(EditParts, u32),
}

/// An edit whose images are still Python's: they are copied into the request
/// inside the call, without the GIL.
pub(crate) struct EditParts {
    pub request: EditRequest,
    pub images: Vec<Bytes>,
    pub mask: Option<Bytes>,
}

impl EditParts {
    fn request(self, scratch: &Scratch) -> EditRequest {
        EditRequest {
            images: self.images.iter().map(|i| scratch.copy(i.as_slice())).collect(),
            mask: self.mask.as_ref().map(|m| scratch.copy(m.as_slice())),
            ..self.request
        }
    }
}

/// The request's image buffers, for [`Scratch::keep`].
fn edit_buffers(request: EditRequest) -> impl Iterator<Item = Vec<u8>> {
    request.images.into_iter().chain(request.mask)
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Generate(_) => "generate",
            Op::Edit(_) => "edit",
            Op::Analyze(..) => "analyze",
            Op::Check(..) => "check",
            Op::Models(_) => "models",
            Op::StartGenerate(..) => "start-generate",
            Op::StartEdit(..) => "start-edit",
        }
    }
}

pub(crate) enum Out {
    Generation(Generation),
    Analysis(Analysis),
    Status(Status),
    Models(Vec<ModelEntry>),
    Stream(StreamHandle, u64),
}

impl Inner {
    /// Instantiates the plugin and opens a client: the backend's error when
    /// the settings are wrong.
    pub async fn open(
        plugin: Plugin,
        settings: Vec<Setting>,
        network: NetworkPolicy,
        scratch: Arc<Scratch>,
    ) -> Result<Arc<Inner>, Failure> {
        let session = plugin.connect(&settings, network.clone()).await.map_err(|e| Failure::trap("open", e))??;
        let slot = Slot { session: Some(session), epoch: 1, closed: false };
        Ok(Arc::new(Inner { plugin, scratch, settings, network, slot: tokio::sync::Mutex::new(slot) }))
    }

    /// Runs one call, on a fresh instance if the last one was interrupted.
    /// Dropping the returned future cancels the call: the library closes its
    /// connections at once.
    pub async fn run(self: Arc<Self>, op: Op) -> Result<Out, Failure> {
        let mut slot = self.slot.lock().await;
        if slot.closed {
            return Err(Failure::Closed);
        }
        if slot.session.as_ref().is_none_or(Session::is_interrupted) {
            slot.session = None;
            let session = self
                .plugin
                .connect(&self.settings, self.network.clone())
                .await
                .map_err(|e| Failure::trap("open", e))??;
            slot.session = Some(session);
            slot.epoch += 1;
        }
        let epoch = slot.epoch;
        let session = slot.session.as_mut().expect("connected above");
        let what = op.name();
        let out = match op {
            Op::Generate(r) => session.generate(&r).await.map(|r| r.map(Out::Generation)),
            Op::Edit(parts) => {
                let request = parts.request(&self.scratch);
                let out = session.edit(&request).await.map(|r| r.map(Out::Generation));
                self.scratch.keep(edit_buffers(request));
                out
            }
            Op::Analyze(r, image) => {
                let request = AnalyzeRequest { image: self.scratch.copy(image.as_slice()), ..r };
                let out = session.analyze(&request).await.map(|r| r.map(Out::Analysis));
                self.scratch.keep([request.image]);
                out
            }
            Op::Check(capability, model) => {
                session.check(capability, model.as_deref()).await.map(|r| r.map(Out::Status))
            }
            Op::Models(capability) => session.models(capability).await.map(|r| r.map(Out::Models)),
            Op::StartGenerate(r, n) => session.start_generate(&r, n).await.map(|r| r.map(|h| Out::Stream(h, epoch))),
            Op::StartEdit(parts, n) => {
                let request = parts.request(&self.scratch);
                let out = session.start_edit(&request, n).await.map(|r| r.map(|h| Out::Stream(h, epoch)));
                self.scratch.keep(edit_buffers(request));
                out
            }
        };
        match out {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => Err(Failure::Backend(e)),
            Err(e) => Err(Failure::trap(what, e)),
        }
    }

    pub async fn close(&self) {
        let mut slot = self.slot.lock().await;
        slot.closed = true;
        slot.session = None;
    }
}
