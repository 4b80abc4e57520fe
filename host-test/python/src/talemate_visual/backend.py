"""Loading a visual backend component and calling it from Python.

:class:`VisualBackend` is a compiled component (share one per ``.wasm``);
:class:`Client` is one sandboxed instance with one configured client;
:class:`GenerationStream` is a streamed generation inside a client.

Threads: a wasmtime ``Store`` must not be entered from two threads at once, so
each client serializes its calls with a lock. Use one client per concurrent
worker (instances are cheap), or share one and let calls queue. The ``a*``
methods run the blocking call in a worker thread (``asyncio.to_thread``) so
the event loop stays responsive.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, AsyncIterator, Callable, Iterator, Optional, Sequence, Union

import wasmtime
from wasmtime import WasmtimeError
from wasmtime.component import Component, Linker

from . import _fastbytes, _wit, errors, types as t

#: The contract this host speaks; another major (before 1.0: minor) version is refused.
CONTRACT_PACKAGE = "talemate:visual"
CONTRACT_INTERFACE = "visual-backend"
CONTRACT_VERSION = "0.1.0"

#: Cap on each instance's linear memory, as the Rust host sets it.
DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024

_fastbytes.install()


def _compatible(found: str, supported: str) -> bool:
    """Semver: same major, and before 1.0 the same minor."""

    def parse(v: str) -> Optional[tuple]:
        parts = v.replace("-", ".").replace("+", ".").split(".")
        try:
            return int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            return None

    f, s = parse(found), parse(supported)
    return f is not None and s is not None and f[0] == s[0] and (s[0] > 0 or f[1] == s[1])


class VisualBackend:
    """A backend component, compiled and checked against the contract."""

    def __init__(self, engine: wasmtime.Engine, component: Component, *, source: str, memory_limit: int) -> None:
        self._engine = engine
        self._component = component
        self._memory_limit = memory_limit
        #: Where the component came from (a path, or ``<bytes>``).
        self.source = source
        #: The exported contract, e.g. ``talemate:visual/visual-backend@0.1.0``.
        self.contract = self._check_contract()
        self._linker = Linker(engine)
        # All of WASI 0.2 and wasi:http, so any backend links whatever it imports.
        self._linker.add_wasip2()
        self._linker.add_wasi_http()
        self._lock = threading.Lock()
        self._info: Optional[t.BackendInfo] = None

    @classmethod
    def load(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        cache: Union[bool, str] = False,
    ) -> "VisualBackend":
        """Compiles the component at ``path``.

        ``cache=True`` keeps compiled code in wasmtime's on-disk cache (or pass
        the path of a wasmtime cache config file), so a restart skips compiling.
        """
        try:
            with open(path, "rb") as f:
                wasm = f.read()
        except OSError as e:
            raise errors.LoadError(f"cannot read component {os.fspath(path)}: {e.strerror or e}") from e
        return cls.from_bytes(wasm, memory_limit=memory_limit, cache=cache, source=os.fspath(path))

    @classmethod
    def from_bytes(
        cls,
        wasm: bytes,
        *,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        cache: Union[bool, str] = False,
        source: str = "<bytes>",
    ) -> "VisualBackend":
        config = wasmtime.Config()
        if cache:
            config.cache = cache
        engine = wasmtime.Engine(config)
        try:
            component = Component(engine, wasm)
        except WasmtimeError as e:
            raise errors.LoadError(f"{source} is not a WebAssembly component this host can compile: {e}") from e
        return cls(engine, component, source=source, memory_limit=memory_limit)

    def _check_contract(self) -> str:
        prefix = f"{CONTRACT_PACKAGE}/{CONTRACT_INTERFACE}@"
        exported = list(self._component.type.exports(self._engine))
        found = next((name for name in exported if name.startswith(prefix)), None)
        if found is None:
            raise errors.LoadError(
                f"{self.source} does not implement {prefix}{CONTRACT_VERSION} "
                f"(it exports: {', '.join(exported) or 'nothing'})"
            )
        version = found[len(prefix):]
        if not _compatible(version, CONTRACT_VERSION):
            supported = ".".join(CONTRACT_VERSION.split(".")[:2])
            raise errors.LoadError(
                f"{self.source} implements {found}, but this host supports {prefix}{supported}.x; "
                "use a host built for that contract version or a backend built for this one"
            )
        return found

    def _instantiate(self) -> "_Instance":
        return _Instance(self)

    def info(self) -> t.BackendInfo:
        """What the backend offers. Needs no settings; computed once."""
        with self._lock:
            if self._info is None:
                instance = _Instance(self, locked=True)
                self._info = _wit.backend_info(instance.call("info"))
            return self._info

    def open(self, settings: Optional[t.Settings] = None, **fields: Any) -> "Client":
        """A client for ``settings`` (or a ``Settings`` built from keyword
        arguments). Raises the backend's error when the settings are wrong."""
        if settings is None:
            settings = t.Settings(**fields)
        elif fields:
            raise TypeError("pass either a Settings or keyword arguments, not both")
        return Client(self, settings)

    async def ainfo(self) -> t.BackendInfo:
        return await asyncio.to_thread(self.info)

    async def aopen(self, settings: Optional[t.Settings] = None, **fields: Any) -> "Client":
        return await asyncio.to_thread(self.open, settings, **fields)

    def __repr__(self) -> str:
        return f"VisualBackend({self.source!r}, contract={self.contract!r})"


class _Instance:
    """One store and one instance: no preopened files, no environment, no
    stdio, memory capped."""

    def __init__(self, backend: VisualBackend, *, locked: bool = False) -> None:
        store = wasmtime.Store(backend._engine)
        store.set_wasi(wasmtime.WasiConfig())
        store.set_wasi_http()
        store.set_limits(memory_size=backend._memory_limit)
        self.store = store
        try:
            if locked:  # the caller holds the backend's lock already
                instance = backend._linker.instantiate(store, backend._component)
            else:
                with backend._lock:
                    instance = backend._linker.instantiate(store, backend._component)
        except WasmtimeError as e:
            raise errors.LoadError(f"cannot instantiate {backend.source}: {e}") from e
        self._instance = instance
        self._interface = instance.get_export_index(store, backend.contract)
        self._funcs: dict = {}

    def call(self, name: str, *args: Any) -> Any:
        func = self._funcs.get(name)
        if func is None:
            index = self._instance.get_export_index(self.store, name, self._interface)
            func = None if index is None else self._instance.get_func(self.store, index)
            if func is None:
                raise errors.LoadError(f"the component exports no function {name!r}")
            self._funcs[name] = func
        return func(self.store, *args)


class Client:
    """A configured connection to the service, in its own sandboxed instance.

    Calls are serialized by a lock. If the component traps, the call raises
    :class:`~talemate_visual.errors.BackendTrapped`, the instance is thrown
    away, and the next call opens a fresh one with the same settings.
    """

    def __init__(self, backend: VisualBackend, settings: t.Settings) -> None:
        self.backend = backend
        self._settings = settings
        self._lock = threading.RLock()
        self._instance: Optional[_Instance] = None
        self._handle: Any = None
        self._generation = 0  # bumps with every new instance; streams of an old one are dead
        self._closed = False
        self._connect()

    def _connect(self) -> None:
        instance = self.backend._instantiate()
        try:
            opened = instance.call("[static]client.open", _wit.settings(self._settings))
        except WasmtimeError as e:
            raise errors.BackendTrapped(f"the backend crashed while opening a client: {e}") from e
        self._handle = _wit.unwrap(opened)
        self._instance = instance
        self._generation += 1

    def _call(
        self, function: str, *args: Any, on_client: bool = True, stream_generation: Optional[int] = None
    ) -> Any:
        """Calls ``function`` under the lock; ``on_client`` passes the client
        handle first, read after any reconnect."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this client is closed")
            if stream_generation is not None and stream_generation != self._generation:
                raise errors.BackendTrapped("the instance this stream ran in crashed; start a new generation")
            if self._instance is None:
                self._connect()
            assert self._instance is not None
            if on_client:
                args = (self._handle, *args)
            try:
                return self._instance.call(function, *args)
            except WasmtimeError as e:
                # The instance is unusable; so are the streams it holds.
                self._instance, self._handle = None, None
                self._generation += 1
                raise errors.BackendTrapped(f"the backend crashed during {function}: {e}") from e

    def _method(self, name: str, *args: Any) -> Any:
        return self._call(f"[method]client.{name}", *args)

    # ---- the contract's calls ----

    def check(
        self,
        capability: Union[t.Capability, str] = t.Capability.TEXT_TO_IMAGE,
        model: Optional[str] = None,
    ) -> t.Status:
        """Whether ``capability`` would work with ``model``; problems are in the status."""
        capability = _wit.required_enum(t.Capability, capability)
        return _wit.status(_wit.unwrap(self._method("check", capability, model)))

    def generate(
        self,
        prompt: str,
        format: Union[t.ImageFormat, str] = t.ImageFormat.SQUARE,
        **options: Any,
    ) -> t.Generation:
        """Text to image. ``options``: model, size, n, quality, output_format,
        output_compression, background, moderation, style, user."""
        request = _wit.generate_request(prompt, format, **options)
        return _wit.generation(_wit.unwrap(self._method("generate", request)))

    def edit(
        self,
        prompt: str,
        images: Union[bytes, Sequence[bytes]],
        format: Union[t.ImageFormat, str] = t.ImageFormat.SQUARE,
        **options: Any,
    ) -> t.Generation:
        """Reference image(s) to image; the first is the base the ``mask`` applies to.
        ``options``: mask, model, size, n, quality, output_format,
        output_compression, background, input_fidelity, user."""
        request = _wit.edit_request(prompt, images, format, **options)
        return _wit.generation(_wit.unwrap(self._method("edit", request)))

    def analyze(self, image: bytes, prompt: str, **options: Any) -> t.Analysis:
        """A question about an image. ``options``: model, detail, max_output_tokens."""
        request = _wit.analyze_request(image, prompt, **options)
        return _wit.analysis(_wit.unwrap(self._method("analyze", request)))

    def start_generate(
        self,
        prompt: str,
        format: Union[t.ImageFormat, str] = t.ImageFormat.SQUARE,
        *,
        partial_images: int = 1,
        **options: Any,
    ) -> "GenerationStream":
        """Like :meth:`generate`, streaming up to ``partial_images`` previews first."""
        request = _wit.generate_request(prompt, format, **options)
        return self._stream("start-generate", request, partial_images)

    def start_edit(
        self,
        prompt: str,
        images: Union[bytes, Sequence[bytes]],
        format: Union[t.ImageFormat, str] = t.ImageFormat.SQUARE,
        *,
        partial_images: int = 1,
        **options: Any,
    ) -> "GenerationStream":
        """Like :meth:`edit`, streamed as :meth:`start_generate`."""
        request = _wit.edit_request(prompt, images, format, **options)
        return self._stream("start-edit", request, partial_images)

    def _stream(self, method: str, request: Any, partial_images: int) -> "GenerationStream":
        with self._lock:  # the stream belongs to the instance that started it
            handle = _wit.unwrap(self._method(method, request, int(partial_images)))
            return GenerationStream(self, handle, self._generation)

    # ---- async ----

    async def acheck(self, *args: Any, **kwargs: Any) -> t.Status:
        return await asyncio.to_thread(self.check, *args, **kwargs)

    async def agenerate(self, *args: Any, **kwargs: Any) -> t.Generation:
        return await asyncio.to_thread(self.generate, *args, **kwargs)

    async def aedit(self, *args: Any, **kwargs: Any) -> t.Generation:
        return await asyncio.to_thread(self.edit, *args, **kwargs)

    async def aanalyze(self, *args: Any, **kwargs: Any) -> t.Analysis:
        return await asyncio.to_thread(self.analyze, *args, **kwargs)

    async def astart_generate(self, *args: Any, **kwargs: Any) -> "GenerationStream":
        return await asyncio.to_thread(self.start_generate, *args, **kwargs)

    async def astart_edit(self, *args: Any, **kwargs: Any) -> "GenerationStream":
        return await asyncio.to_thread(self.start_edit, *args, **kwargs)

    # ---- lifetime ----

    def _drop(self, handle: Any, generation: int) -> None:
        with self._lock:
            if self._instance is not None and generation == self._generation and not self._closed:
                try:
                    handle.drop(self._instance.store)
                except WasmtimeError:
                    self._instance, self._handle = None, None
                    self._generation += 1

    def close(self) -> None:
        """Drops the client and its instance. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._instance is not None and self._handle is not None:
                try:
                    self._handle.drop(self._instance.store)
                except WasmtimeError:
                    pass  # the instance is going away regardless
            self._instance, self._handle = None, None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.backend.source!r}, {self._settings!r})"


Event = Union[t.PartialImage, t.Generation]


class GenerationStream:
    """A generation in progress: iterate it for :class:`PartialImage` events
    and, last, the :class:`Generation`. Closing it (or leaving a ``with``
    block) before the end cancels the generation."""

    def __init__(self, client: Client, handle: Any, generation: int) -> None:
        self._client = client
        self._handle = handle
        self._generation = generation
        self._done = False
        #: The final result, once the stream has delivered it.
        self.result: Optional[t.Generation] = None

    def next(self) -> Optional[Event]:
        """The next event, or ``None`` after the result (or after an error)."""
        if self._done:
            return None
        try:
            raw = self._client._call(
                "[method]generation-stream.next",
                self._handle,
                on_client=False,
                stream_generation=self._generation,
            )
        except BaseException:
            self._done = True
            raise
        if raw is None:
            self._finish()
            return None
        try:
            event = _wit.event(_wit.unwrap(raw))
        except errors.VisualBackendError:
            self._finish()
            raise
        if isinstance(event, t.Generation):
            self.result = event
            self._finish()
        return event

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self.next()
            if event is None:
                return
            yield event

    async def anext(self) -> Optional[Event]:
        return await asyncio.to_thread(self.next)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.anext()
            if event is None:
                return
            yield event

    def wait(self, on_partial: Optional[Callable[[t.PartialImage], None]] = None) -> t.Generation:
        """Runs the stream to its end, handing each partial to ``on_partial``."""
        for event in self:
            if isinstance(event, t.PartialImage) and on_partial is not None:
                on_partial(event)
        if self.result is None:
            raise errors.MalformedResponse("the stream ended without a result")
        return self.result

    def _finish(self) -> None:
        self._done = True
        self.close()

    def close(self) -> None:
        """Drops the stream; if it is still running, the generation is cancelled."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            self._done = True
            self._client._drop(handle, self._generation)

    def __enter__(self) -> "GenerationStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
