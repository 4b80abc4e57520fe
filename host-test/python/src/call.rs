//! How the binding runs a call, in either of its forms: the synchronous
//! method blocks with the GIL released, its `a*` twin returns an awaitable
//! driven by the shared runtime. A call is described once, as a [`Call`];
//! [`twins!`] turns one definition into both Python methods.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use pyo3::prelude::*;

use crate::runtime::tokio;

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

/// An awaitable of `value`, ready at once (`__aenter__`).
pub fn ready<T>(py: Python<'_>, value: T) -> PyResult<Bound<'_, PyAny>>
where
    T: for<'py> IntoPyObject<'py> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move { Ok(value) })
}

/// What is left of a call once its future is done: turning the output into
/// the Python result, which needs the GIL.
type Finish<R> = Box<dyn FnOnce(Python<'_>) -> PyResult<R> + Send>;

/// One call, its arguments already taken from Python: a future that runs
/// without the GIL, then the conversion of what it returns.
pub struct Call<R> {
    future: Pin<Box<dyn Future<Output = Finish<R>> + Send>>,
}

impl<R: 'static> Call<R> {
    pub fn new<T: Send + 'static>(
        future: impl Future<Output = T> + Send + 'static,
        finish: impl FnOnce(Python<'_>, T) -> PyResult<R> + Send + 'static,
    ) -> Self {
        let future = async move {
            let out = future.await;
            Box::new(move |py: Python<'_>| finish(py, out)) as Finish<R>
        };
        Call { future: Box::pin(future) }
    }

    /// The same call, its result converted further.
    pub fn then<S: 'static>(self, then: impl FnOnce(Python<'_>, R) -> PyResult<S> + Send + 'static) -> Call<S> {
        Call::new(self.future, move |py, finish| then(py, finish(py)?))
    }

    /// The synchronous form: blocks until the result (see [`block`]).
    pub fn run(self, py: Python<'_>) -> PyResult<R> {
        let finish = block(py, self.future)?;
        finish(py)
    }

    /// The `a*` form: an awaitable of the result. Cancelling the awaiting
    /// task drops the future, which makes the library close the call's
    /// connections at once.
    pub fn awaitable(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>>
    where
        R: for<'py> IntoPyObject<'py> + Send,
    {
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let finish = self.future.await;
            Python::attach(finish)
        })
    }
}

/// A class's `#[pymethods]` block whose first methods are twins: each
/// definition in `twins { }` is both the synchronous method and its `a*`
/// coroutine. The body is written once: it takes the arguments from Python
/// (its `?` raises before anything runs) and evaluates to a [`Call`], which
/// the synchronous method runs blocking and the twin returns as an
/// awaitable. Both take the parameters as written (`'py` is the methods'
/// lifetime; no trailing comma: `py` is added after them) and the
/// `#[pyo3(...)]` attribute; the docs are the synchronous method's, the
/// twin's say it is that method as an awaitable. What follows the `twins { }`
/// group is the rest of the block, as written.
///
/// A class that closes starts with `close = <method>;` (after the docs of
/// `close`), `<method>` returning the `Call<()>` that closes it: that gives
/// it `close` and `aclose`, and makes it a context manager, `with` and
/// `async with`, closed on the way out.
macro_rules! twins {
    (
        impl $class:ident {
            $(#[doc = $close_doc:literal])*
            close = $closing:ident;
            twins { $($twins:tt)* }
            $($rest:tt)*
        }
    ) => {
        $crate::call::twins! {
            impl $class {
                twins {
                    $(#[doc = $close_doc])*
                    fn close | aclose(&self) -> () {
                        self.$closing()
                    }

                    #[pyo3(signature = (*_exc))]
                    fn __exit__ | __aexit__(&self, _exc: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>) -> bool {
                        self.$closing().then(|_, ()| Ok(false))
                    }

                    $($twins)*
                }

                fn __enter__(slf: ::pyo3::Py<Self>) -> ::pyo3::Py<Self> {
                    slf
                }

                fn __aenter__<'py>(
                    slf: ::pyo3::Bound<'py, Self>,
                ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                    $crate::call::ready(slf.py(), slf.unbind())
                }

                $($rest)*
            }
        }
    };
    (
        impl $class:ident {
            twins {
                $(
                    $(#[doc = $doc:literal])*
                    $(#[pyo3($($pyo3:tt)*)])?
                    fn $sync:ident | $twin:ident($($params:tt)*) -> $out:ty $body:block
                )*
            }
            $($rest:tt)*
        }
    ) => {
        #[::pyo3::pymethods]
        impl $class {
            $(
                $(#[doc = $doc])*
                $(#[pyo3($($pyo3)*)])?
                #[allow(clippy::too_many_arguments)]
                fn $sync<'py>($($params)*, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<$out> {
                    $crate::call::Call::run($body, py)
                }

                #[doc = concat!("`", stringify!($sync), "` as an awaitable.")]
                $(#[pyo3($($pyo3)*)])?
                #[allow(clippy::too_many_arguments)]
                fn $twin<'py>(
                    $($params)*,
                    py: ::pyo3::Python<'py>,
                ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {
                    $crate::call::Call::awaitable($body, py)
                }
            )*

            $($rest)*
        }
    };
}

pub(crate) use twins;
