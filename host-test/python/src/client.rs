//! `Client`: a sandboxed instance with an open client (`visual_host::runtime::Session`).
//!
//! Calls on one client are serialized (an instance runs one call at a time);
//! use a client per concurrent worker (instances take microseconds). A call
//! that traps or is cancelled leaves its instance unusable: the next call
//! opens a fresh one with the same settings and sandbox, so the client stays
//! usable and the refused hosts it recorded are kept.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use visual_host::bindings::*;
use visual_host::runtime::{Plugin, Session, StreamHandle};
use visual_host::sandbox::NetworkPolicy;

use crate::args::{self, Bytes};
use crate::backend::VisualBackend;
use crate::errors::Failure;
use crate::stream::GenerationStream;
use crate::{convert, tokio};

/// Runs `future` to completion on the shared runtime with the GIL released,
/// so other Python threads run meanwhile. Ctrl-C (a pending signal handler
/// that raises) drops the call, which closes its connection, and raises.
pub fn block<T: Send>(py: Python<'_>, future: impl Future<Output = T> + Send) -> PyResult<T> {
    py.detach(|| {
        tokio().block_on(async {
            let mut future = std::pin::pin!(future);
            loop {
                tokio::select! {
                    out = &mut future => return Ok(out),
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    })
}

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
    request: EditRequest,
    images: Vec<Bytes>,
    mask: Option<Bytes>,
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

    async fn close(&self) {
        let mut slot = self.slot.lock().await;
        slot.closed = true;
        slot.session = None;
    }
}

/// Converts a call's result for Python.
pub(crate) fn to_python(py: Python<'_>, inner: &Arc<Inner>, out: Result<Out, Failure>) -> PyResult<Py<PyAny>> {
    let out = out.map_err(|e| e.into_pyerr(py))?;
    Ok(match out {
        Out::Generation(g) => convert::generation(py, &g)?.unbind(),
        Out::Analysis(a) => convert::analysis(py, &a)?.unbind(),
        Out::Status(s) => convert::status(py, &s)?.unbind(),
        Out::Models(m) => convert::models(py, &m)?.unbind(),
        Out::Stream(handle, epoch) => {
            GenerationStream::new(inner.clone(), handle, epoch).into_pyobject(py)?.into_any().unbind()
        }
    })
}

/// A configured connection to the service, in its own sandboxed instance.
/// Methods: `check`, `models`, `generate`, `edit`, `analyze`, `start_generate`,
/// `start_edit`, each also as an `a*` coroutine; `close` (or `with`).
#[pyclass(module = "talemate_visual._native", frozen)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// The backend it was opened from.
    #[pyo3(get)]
    backend: Py<VisualBackend>,
}

impl Client {
    pub(crate) fn new(inner: Arc<Inner>, backend: Py<VisualBackend>) -> Self {
        Client { inner, backend }
    }

    fn call(&self, py: Python<'_>, op: Op) -> PyResult<Py<PyAny>> {
        let out = block(py, self.inner.clone().run(op))?;
        to_python(py, &self.inner, out)
    }

    fn acall<'py>(&self, py: Python<'py>, op: Op) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let out = inner.clone().run(op).await;
            Python::attach(|py| to_python(py, &inner, out))
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn generate_request(
    prompt: String,
    format: Option<&Bound<'_, PyAny>>,
    model: Option<String>,
    size: Option<&Bound<'_, PyAny>>,
    n: Option<u32>,
    quality: Option<String>,
    output_format: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyDict>>,
) -> PyResult<GenerateRequest> {
    Ok(GenerateRequest {
        prompt,
        format: args::opt_enum(format, "ImageFormat")?.unwrap_or(ImageFormat::Square),
        model,
        size: args::size(size)?,
        n,
        quality,
        output_format: args::opt_enum(output_format, "OutputFormat")?,
        options: args::options(options, extra)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn edit_parts(
    prompt: String,
    images: &Bound<'_, PyAny>,
    format: Option<&Bound<'_, PyAny>>,
    mask: Option<&Bound<'_, PyAny>>,
    model: Option<String>,
    size: Option<&Bound<'_, PyAny>>,
    n: Option<u32>,
    quality: Option<String>,
    output_format: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyDict>>,
) -> PyResult<EditParts> {
    let request = generate_request(prompt, format, model, size, n, quality, output_format, options, extra)?;
    Ok(EditParts {
        request: EditRequest {
            prompt: request.prompt,
            format: request.format,
            model: request.model,
            images: Vec::new(),
            mask: None,
            size: request.size,
            n: request.n,
            quality: request.quality,
            output_format: request.output_format,
            options: request.options,
        },
        images: args::images(images)?,
        mask: mask.filter(|m| !m.is_none()).map(|m| Bytes::extract(m, "mask")).transpose()?,
    })
}

fn analyze_op(
    image: &Bound<'_, PyAny>,
    prompt: String,
    model: Option<String>,
    max_output_tokens: Option<u32>,
    options: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyDict>>,
) -> PyResult<Op> {
    let image = Bytes::extract(image, "image")?;
    let request =
        AnalyzeRequest { image: Vec::new(), prompt, model, max_output_tokens, options: args::options(options, extra)? };
    Ok(Op::Analyze(request, image))
}

fn check_op(capability: Option<&Bound<'_, PyAny>>, model: Option<String>) -> PyResult<Op> {
    Ok(Op::Check(args::opt_enum(capability, "Capability")?.unwrap_or(Capability::TextToImage), model))
}

#[pymethods]
impl Client {
    /// Whether `capability` would work with `model` (default: the
    /// capability's default model): a `Status`; problems are in it.
    #[pyo3(signature = (capability=None, model=None))]
    fn check(
        &self,
        py: Python<'_>,
        capability: Option<&Bound<'_, PyAny>>,
        model: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, check_op(capability, model)?)
    }

    #[pyo3(signature = (capability=None, model=None))]
    fn acheck<'py>(
        &self,
        py: Python<'py>,
        capability: Option<&Bound<'py, PyAny>>,
        model: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.acall(py, check_op(capability, model)?)
    }

    /// The models this key can use (`ModelEntry`s), as the service lists them
    /// now, then the known ones it does not list.
    #[pyo3(signature = (capability=None))]
    fn models(&self, py: Python<'_>, capability: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        self.call(py, Op::Models(args::opt_enum(capability, "Capability")?))
    }

    #[pyo3(signature = (capability=None))]
    fn amodels<'py>(&self, py: Python<'py>, capability: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        self.acall(py, Op::Models(args::opt_enum(capability, "Capability")?))
    }

    /// Text to image: a `Generation`. Other keyword arguments are the model's
    /// options (`background="transparent"`, `output_compression=80`).
    #[pyo3(signature = (prompt, format=None, *, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &self,
        py: Python<'_>,
        prompt: String,
        format: Option<&Bound<'_, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'_, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let request = generate_request(prompt, format, model, size, n, quality, output_format, options, extra)?;
        self.call(py, Op::Generate(request))
    }

    #[pyo3(signature = (prompt, format=None, *, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn agenerate<'py>(
        &self,
        py: Python<'py>,
        prompt: String,
        format: Option<&Bound<'py, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'py, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = generate_request(prompt, format, model, size, n, quality, output_format, options, extra)?;
        self.acall(py, Op::Generate(request))
    }

    /// Reference image(s) (and a `mask`) to image; the first image is the
    /// base the mask applies to.
    #[pyo3(signature = (prompt, images, format=None, *, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn edit(
        &self,
        py: Python<'_>,
        prompt: String,
        images: &Bound<'_, PyAny>,
        format: Option<&Bound<'_, PyAny>>,
        mask: Option<&Bound<'_, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'_, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let parts = edit_parts(prompt, images, format, mask, model, size, n, quality, output_format, options, extra)?;
        self.call(py, Op::Edit(parts))
    }

    #[pyo3(signature = (prompt, images, format=None, *, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn aedit<'py>(
        &self,
        py: Python<'py>,
        prompt: String,
        images: &Bound<'py, PyAny>,
        format: Option<&Bound<'py, PyAny>>,
        mask: Option<&Bound<'py, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'py, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let parts = edit_parts(prompt, images, format, mask, model, size, n, quality, output_format, options, extra)?;
        self.acall(py, Op::Edit(parts))
    }

    /// A question about an image: an `Analysis`. Other keyword arguments are
    /// the model's options (`detail="low"`).
    #[pyo3(signature = (image, prompt, *, model=None, max_output_tokens=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn analyze(
        &self,
        py: Python<'_>,
        image: &Bound<'_, PyAny>,
        prompt: String,
        model: Option<String>,
        max_output_tokens: Option<u32>,
        options: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, analyze_op(image, prompt, model, max_output_tokens, options, extra)?)
    }

    #[pyo3(signature = (image, prompt, *, model=None, max_output_tokens=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn aanalyze<'py>(
        &self,
        py: Python<'py>,
        image: &Bound<'py, PyAny>,
        prompt: String,
        model: Option<String>,
        max_output_tokens: Option<u32>,
        options: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.acall(py, analyze_op(image, prompt, model, max_output_tokens, options, extra)?)
    }

    /// Like `generate`, streaming up to `partial_images` (0-3) previews first:
    /// a `GenerationStream` (iterate it, or `async for`; closing it cancels).
    #[pyo3(signature = (prompt, format=None, *, partial_images=1, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn start_generate(
        &self,
        py: Python<'_>,
        prompt: String,
        format: Option<&Bound<'_, PyAny>>,
        partial_images: u32,
        model: Option<String>,
        size: Option<&Bound<'_, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let request = generate_request(prompt, format, model, size, n, quality, output_format, options, extra)?;
        self.call(py, Op::StartGenerate(request, partial_images))
    }

    #[pyo3(signature = (prompt, format=None, *, partial_images=1, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn astart_generate<'py>(
        &self,
        py: Python<'py>,
        prompt: String,
        format: Option<&Bound<'py, PyAny>>,
        partial_images: u32,
        model: Option<String>,
        size: Option<&Bound<'py, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = generate_request(prompt, format, model, size, n, quality, output_format, options, extra)?;
        self.acall(py, Op::StartGenerate(request, partial_images))
    }

    /// Like `edit`, streamed as `start_generate`.
    #[pyo3(signature = (prompt, images, format=None, *, partial_images=1, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn start_edit(
        &self,
        py: Python<'_>,
        prompt: String,
        images: &Bound<'_, PyAny>,
        format: Option<&Bound<'_, PyAny>>,
        partial_images: u32,
        mask: Option<&Bound<'_, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'_, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let parts = edit_parts(prompt, images, format, mask, model, size, n, quality, output_format, options, extra)?;
        self.call(py, Op::StartEdit(parts, partial_images))
    }

    #[pyo3(signature = (prompt, images, format=None, *, partial_images=1, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, **extra))]
    #[allow(clippy::too_many_arguments)]
    fn astart_edit<'py>(
        &self,
        py: Python<'py>,
        prompt: String,
        images: &Bound<'py, PyAny>,
        format: Option<&Bound<'py, PyAny>>,
        partial_images: u32,
        mask: Option<&Bound<'py, PyAny>>,
        model: Option<String>,
        size: Option<&Bound<'py, PyAny>>,
        n: Option<u32>,
        quality: Option<String>,
        output_format: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        extra: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let parts = edit_parts(prompt, images, format, mask, model, size, n, quality, output_format, options, extra)?;
        self.acall(py, Op::StartEdit(parts, partial_images))
    }

    /// The hosts (`host:port`) this client's plugin may reach.
    #[getter]
    fn allowed_hosts(&self) -> Vec<String> {
        self.inner.network.allowed().to_vec()
    }

    /// Every host the plugin tried to reach and was refused, in order.
    #[getter]
    fn denied_hosts(&self) -> Vec<String> {
        self.inner.network.denied()
    }

    /// The largest linear memory the current instance has had, in bytes.
    #[getter]
    fn peak_memory(&self, py: Python<'_>) -> PyResult<usize> {
        let inner = self.inner.clone();
        block(py, async move { inner.slot.lock().await.session.as_ref().map(Session::peak_memory).unwrap_or(0) })
    }

    /// The largest memory growth the cap refused the current instance, if any.
    #[getter]
    fn memory_refused(&self, py: Python<'_>) -> PyResult<Option<usize>> {
        let inner = self.inner.clone();
        block(py, async move { inner.slot.lock().await.session.as_ref().and_then(Session::memory_refused) })
    }

    /// Drops the instance (and any stream it runs). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let inner = self.inner.clone();
        block(py, async move { inner.close().await })
    }

    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            inner.close().await;
            Ok(())
        })
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let client = slf.clone().unbind();
        pyo3_async_runtimes::tokio::future_into_py(slf.py(), async move { Ok(client) })
    }

    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(&self, py: Python<'py>, _exc: &Bound<'py, pyo3::types::PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            inner.close().await;
            Ok(false)
        })
    }

    fn __repr__(&self) -> String {
        format!("Client({:?}, allowed_hosts={:?})", self.backend.get().source_str(), self.inner.network.allowed())
    }
}
