//! `GenerationStream`: a streamed generation inside a client's instance.
//! Iterable and async-iterable; closing it (or leaving `with`, or dropping
//! it) before the end cancels the generation: the component stops reading
//! and the host closes the connection.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use visual_host::bindings::GenerationEvent;
use visual_host::runtime::StreamHandle;

use crate::call::{twins, Call};
use crate::convert;
use crate::errors::Failure;
use crate::instance::Inner;
use crate::runtime::tokio;

#[derive(Default)]
struct State {
    /// The guest's stream, until it ends or is closed.
    handle: Option<StreamHandle>,
    /// The final `Generation`, once delivered.
    result: Option<Py<PyAny>>,
}

#[pyclass(module = "talemate_visual._native", frozen)]
pub struct GenerationStream {
    inner: Arc<Inner>,
    /// The instance the stream lives in (see `Slot::epoch`).
    epoch: u64,
    state: Arc<Mutex<State>>,
}

impl GenerationStream {
    pub(crate) fn new(inner: Arc<Inner>, handle: StreamHandle, epoch: u64) -> Self {
        let state = State { handle: Some(handle), result: None };
        GenerationStream { inner, epoch, state: Arc::new(Mutex::new(state)) }
    }

    /// What `next` and `__anext__` run.
    fn next_call(&self) -> Call<Option<Py<PyAny>>> {
        let state = self.state.clone();
        let next = next_event(self.inner.clone(), self.epoch, state.clone());
        Call::new(next, move |py, event| deliver(py, &state, event))
    }

    /// What `close` runs, and leaving `with`.
    fn closing(&self) -> Call<()> {
        Call::new(close(self.inner.clone(), self.epoch, self.state.clone()), |_, ()| Ok(()))
    }
}

/// The next event; `None` once the stream has ended (or was closed).
async fn next_event(
    inner: Arc<Inner>,
    epoch: u64,
    state: Arc<Mutex<State>>,
) -> Result<Option<GenerationEvent>, Failure> {
    let mut slot = inner.slot.lock().await;
    let Some(handle) = state.lock().unwrap().handle.take() else { return Ok(None) };
    let live = slot.epoch == epoch && slot.session.as_ref().is_some_and(|s| !s.is_interrupted());
    let Some(session) = slot.session.as_mut().filter(|_| live) else {
        return Err(Failure::Trapped(
            "the instance this stream ran in is gone (a call on its client trapped or was cancelled); \
             start a new generation"
                .into(),
        ));
    };
    // Dropping this future mid-call cancels the generation (the handle is
    // then gone with the interrupted instance).
    let event = session.next_event(&handle).await.map_err(|e| Failure::trap("generation-stream.next", e))?;
    match event {
        Some(Ok(GenerationEvent::Partial(p))) => {
            state.lock().unwrap().handle = Some(handle);
            Ok(Some(GenerationEvent::Partial(p)))
        }
        // The last event: release the guest's stream now.
        Some(Ok(completed)) => {
            let _ = session.close_stream(handle).await;
            Ok(Some(completed))
        }
        Some(Err(e)) => {
            let _ = session.close_stream(handle).await;
            Err(Failure::Backend(e))
        }
        None => {
            let _ = session.close_stream(handle).await;
            Ok(None)
        }
    }
}

/// Drops the guest's stream if it is still running.
async fn close(inner: Arc<Inner>, epoch: u64, state: Arc<Mutex<State>>) {
    let Some(handle) = state.lock().unwrap().handle.take() else { return };
    let mut slot = inner.slot.lock().await;
    if slot.epoch != epoch {
        return;
    }
    if let Some(session) = slot.session.as_mut().filter(|s| !s.is_interrupted()) {
        let _ = session.close_stream(handle).await;
    }
}

/// The event for Python, remembering the final result.
fn deliver(
    py: Python<'_>,
    state: &Mutex<State>,
    event: Result<Option<GenerationEvent>, Failure>,
) -> PyResult<Option<Py<PyAny>>> {
    match event.map_err(|e| e.into_pyerr(py))? {
        None => Ok(None),
        Some(event) => {
            let object = convert::event(py, &event)?.unbind();
            if matches!(event, GenerationEvent::Completed(_)) {
                state.lock().unwrap().result = Some(object.clone_ref(py));
            }
            Ok(Some(object))
        }
    }
}

twins! {
    impl GenerationStream {
        /// Ends the stream; if the generation is still running, it is cancelled.
        close = closing;

        twins {
            /// The next event (a `PartialImage`, then the `Generation`), or `None`
            /// after the result.
            fn next | anext(&self) -> Option<Py<PyAny>> {
                self.next_call()
            }
        }

        /// The final `Generation`, once the stream has delivered it.
        #[getter]
        fn result(&self, py: Python<'_>) -> Option<Py<PyAny>> {
            self.state.lock().unwrap().result.as_ref().map(|r| r.clone_ref(py))
        }

        /// Runs the stream to its end, handing each partial to `on_partial`;
        /// returns the `Generation`.
        #[pyo3(signature = (on_partial=None))]
        fn wait(&self, py: Python<'_>, on_partial: Option<Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
            while let Some(event) = self.next(py)? {
                if let Some(callback) = &on_partial {
                    if self.state.lock().unwrap().result.is_none() {
                        callback.call1((event,))?;
                    }
                }
            }
            self.result(py).ok_or_else(|| {
                Failure::Backend(visual_host::bindings::Error::MalformedResponse(visual_host::bindings::Failure {
                    message: "the stream ended without a result".into(),
                    status: None,
                    code: None,
                    request_id: None,
                }))
                .into_pyerr(py)
            })
        }

        fn __iter__(slf: Py<Self>) -> Py<Self> {
            slf
        }

        fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
            self.next(py)
        }

        fn __aiter__(slf: Py<Self>) -> Py<Self> {
            slf
        }

        fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            let next = self.next_call().then(|_, event| event.ok_or_else(|| PyStopAsyncIteration::new_err(())));
            next.awaitable(py)
        }
    }
}

/// A stream dropped while running is cancelled, as in the Rust host.
impl Drop for GenerationStream {
    fn drop(&mut self) {
        if self.state.lock().map(|s| s.handle.is_some()).unwrap_or(false) {
            let (inner, epoch, state) = (self.inner.clone(), self.epoch, self.state.clone());
            tokio().spawn(close(inner, epoch, state));
        }
    }
}
