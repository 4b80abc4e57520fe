//! `Client`: a sandboxed instance with an open client (`visual_host::runtime::Session`).
//!
//! Calls on one client are serialized (an instance runs one call at a time);
//! use a client per concurrent worker (instances take microseconds). A call
//! that traps or is cancelled leaves its instance unusable: the next call
//! opens a fresh one with the same settings and sandbox, so the client stays
//! usable and the refused hosts it recorded are kept.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use visual_host::bindings::*;
use visual_host::runtime::Session;

use crate::args::{self, Bytes};
use crate::call::{block, twins, Call};
use crate::convert;
use crate::errors::Failure;
use crate::instance::{EditParts, Inner, Op, Out};
use crate::stream::GenerationStream;

/// Converts a call's result for Python.
fn to_python(py: Python<'_>, inner: &Arc<Inner>, out: Result<Out, Failure>) -> PyResult<Py<PyAny>> {
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
    /// The backend it was opened from (a `VisualBackend`).
    #[pyo3(get)]
    backend: Py<PyAny>,
}

impl Client {
    pub(crate) fn new(inner: Arc<Inner>, backend: Py<PyAny>) -> Self {
        Client { inner, backend }
    }

    /// One call of the contract on this client's instance.
    fn call(&self, op: Op) -> Call<Py<PyAny>> {
        let inner = self.inner.clone();
        Call::new(self.inner.clone().run(op), move |py, out| to_python(py, &inner, out))
    }

    /// What `close` runs, and leaving `with`.
    fn closing(&self) -> Call<()> {
        let inner = self.inner.clone();
        Call::new(async move { inner.close().await }, |_, ()| Ok(()))
    }
}

/// What a generation takes (an edit too).
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
    extra: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<GenerateRequest> {
    Ok(GenerateRequest {
        prompt,
        format: args::opt_enum(format, "ImageFormat")?.unwrap_or(ImageFormat::Square),
        model,
        size: args::size(size)?,
        n,
        quality,
        output_format: args::output_format(output_format)?,
        options: args::options(options, kwargs)?,
        extra: args::extra(extra)?,
    })
}

/// An edit: what a generation takes, reference images and a mask.
fn edit_parts(
    request: GenerateRequest,
    images: &Bound<'_, PyAny>,
    mask: Option<&Bound<'_, PyAny>>,
) -> PyResult<EditParts> {
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
            extra: request.extra,
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
    extra: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Op> {
    let image = Bytes::extract(image, "image")?;
    let request = AnalyzeRequest {
        image: Vec::new(),
        prompt,
        model,
        max_output_tokens,
        options: args::options(options, kwargs)?,
        extra: args::extra(extra)?,
    };
    Ok(Op::Analyze(request, image))
}

fn check_op(capability: Option<&Bound<'_, PyAny>>, model: Option<String>) -> PyResult<Op> {
    Ok(Op::Check(args::opt_enum(capability, "Capability")?.unwrap_or(Capability::TextToImage), model))
}

twins! {
    impl Client {
        /// Drops the instance (and any stream it runs). Idempotent.
        close = closing;

        twins {
            /// Whether `capability` would work with `model` (default: the
            /// capability's default model): a `Status`; problems are in it.
            #[pyo3(signature = (capability=None, model=None))]
            fn check | acheck(&self, capability: Option<&Bound<'py, PyAny>>, model: Option<String>) -> Py<PyAny> {
                self.call(check_op(capability, model)?)
            }

            /// The models this key can use (`ModelEntry`s), as the service lists them
            /// now, then the known ones it does not list.
            #[pyo3(signature = (capability=None))]
            fn models | amodels(&self, capability: Option<&Bound<'py, PyAny>>) -> Py<PyAny> {
                self.call(Op::Models(args::opt_enum(capability, "Capability")?))
            }

            /// Text to image: a `Generation`. Other keyword arguments are the model's
            /// options (`background="transparent"`, `output_compression=80`,
            /// `frame_count=4`), typed by their Python type (`str` text, `int` or
            /// `float` a number, `bool` a flag, `bytes` an image, `dict` or `list`
            /// JSON); `extra` maps parameters sent to the service as given
            /// (`extra={"seed": 7}`). `output_format` is any format the model declares.
            #[pyo3(signature = (prompt, format=None, *, model=None, size=None, n=None, quality=None, output_format=None, options=None, extra=None, **kwargs))]
            fn generate | agenerate(
                &self,
                prompt: String,
                format: Option<&Bound<'py, PyAny>>,
                model: Option<String>,
                size: Option<&Bound<'py, PyAny>>,
                n: Option<u32>,
                quality: Option<String>,
                output_format: Option<&Bound<'py, PyAny>>,
                options: Option<&Bound<'py, PyAny>>,
                extra: Option<&Bound<'py, PyAny>>,
                kwargs: Option<&Bound<'py, PyDict>>
            ) -> Py<PyAny> {
                let request =
                    generate_request(prompt, format, model, size, n, quality, output_format, options, extra, kwargs)?;
                self.call(Op::Generate(request))
            }

            /// Reference image(s) (and a `mask`) to image; the first image is the
            /// base the mask applies to.
            #[pyo3(signature = (prompt, images, format=None, *, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, extra=None, **kwargs))]
            fn edit | aedit(
                &self,
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
                extra: Option<&Bound<'py, PyAny>>,
                kwargs: Option<&Bound<'py, PyDict>>
            ) -> Py<PyAny> {
                let request =
                    generate_request(prompt, format, model, size, n, quality, output_format, options, extra, kwargs)?;
                self.call(Op::Edit(edit_parts(request, images, mask)?))
            }

            /// A question about an image: an `Analysis`. Other keyword arguments are
            /// the model's options (`detail="low"`); `extra` as in `generate`.
            #[pyo3(signature = (image, prompt, *, model=None, max_output_tokens=None, options=None, extra=None, **kwargs))]
            fn analyze | aanalyze(
                &self,
                image: &Bound<'py, PyAny>,
                prompt: String,
                model: Option<String>,
                max_output_tokens: Option<u32>,
                options: Option<&Bound<'py, PyAny>>,
                extra: Option<&Bound<'py, PyAny>>,
                kwargs: Option<&Bound<'py, PyDict>>
            ) -> Py<PyAny> {
                self.call(analyze_op(image, prompt, model, max_output_tokens, options, extra, kwargs)?)
            }

            /// Like `generate`, streaming up to `partial_images` (0-3) previews first:
            /// a `GenerationStream` (iterate it, or `async for`; closing it cancels).
            #[pyo3(signature = (prompt, format=None, *, partial_images=1, model=None, size=None, n=None, quality=None, output_format=None, options=None, extra=None, **kwargs))]
            fn start_generate | astart_generate(
                &self,
                prompt: String,
                format: Option<&Bound<'py, PyAny>>,
                partial_images: u32,
                model: Option<String>,
                size: Option<&Bound<'py, PyAny>>,
                n: Option<u32>,
                quality: Option<String>,
                output_format: Option<&Bound<'py, PyAny>>,
                options: Option<&Bound<'py, PyAny>>,
                extra: Option<&Bound<'py, PyAny>>,
                kwargs: Option<&Bound<'py, PyDict>>
            ) -> Py<PyAny> {
                let request =
                    generate_request(prompt, format, model, size, n, quality, output_format, options, extra, kwargs)?;
                self.call(Op::StartGenerate(request, partial_images))
            }

            /// Like `edit`, streamed as `start_generate`.
            #[pyo3(signature = (prompt, images, format=None, *, partial_images=1, mask=None, model=None, size=None, n=None, quality=None, output_format=None, options=None, extra=None, **kwargs))]
            fn start_edit | astart_edit(
                &self,
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
                extra: Option<&Bound<'py, PyAny>>,
                kwargs: Option<&Bound<'py, PyDict>>
            ) -> Py<PyAny> {
                let request =
                    generate_request(prompt, format, model, size, n, quality, output_format, options, extra, kwargs)?;
                self.call(Op::StartEdit(edit_parts(request, images, mask)?, partial_images))
            }
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

        fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
            let source: String = self.backend.bind(py).getattr("source")?.extract()?;
            Ok(format!("Client({source:?}, allowed_hosts={:?})", self.inner.network.allowed()))
        }
    }
}
