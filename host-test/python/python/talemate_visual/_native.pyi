# Type stubs for the native extension (src/*.rs). tests/test_host.py checks
# that every public name here exists at run time and the other way round.
# The `a*` methods are written from their synchronous twins by
# tests/stub_twins.py: change the synchronous stub, then run
# `python tests/stub_twins.py --write` (test_host.py fails until they agree).

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Awaitable, Callable, Iterable, Mapping, Optional, Sequence, Tuple, Union

from .types import (
    Analysis,
    BackendInfo,
    Capability,
    Generation,
    ImageFormat,
    ModelEntry,
    OutputFormat,
    PartialImage,
    Size,
    Status,
    TimeoutLimits,
)

__version__: str
CONTRACT_VERSION: str
SUPPORTED_VERSIONS: list[str]
DEFAULT_MEMORY_LIMIT: int

BytesLike = Union[bytes, bytearray, memoryview]
#: A request option's or extra parameter's value: ``str`` text, ``bool`` a
#: flag, ``int``/``float`` a number, bytes an image, a ``dict`` or ``list`` JSON.
ParameterValue = Union[str, bool, int, float, bytes, bytearray, memoryview, Mapping[str, Any], Sequence[Any], None]
SizeArg = Union[Size, Tuple[int, int], str, None]
Event = Union[PartialImage, Generation]
SettingValue = Union[
    str, float, int, bool, timedelta, bytes, Sequence[str], Mapping[str, str], Sequence[Tuple[str, str]], None
]
Limits = Union[float, TimeoutLimits, Mapping[str, Optional[float]], None]

class VisualBackend:
    """A backend component, compiled (or taken from the on-disk cache) and
    checked against the contract."""

    source: str
    contract: str
    @staticmethod
    def load(
        path: Union[str, os.PathLike[str]],
        *,
        memory_limit: Optional[int] = None,
        cache: Union[bool, str, os.PathLike[str], None] = None,
        cache_key_file: Union[str, os.PathLike[str], None] = None,
        today: Optional[str] = None,
    ) -> VisualBackend: ...
    @staticmethod
    def from_bytes(
        wasm: BytesLike,
        *,
        memory_limit: Optional[int] = None,
        cache: Union[bool, str, os.PathLike[str], None] = None,
        cache_key_file: Union[str, os.PathLike[str], None] = None,
        today: Optional[str] = None,
        source: str = "<bytes>",
    ) -> VisualBackend: ...
    @property
    def from_cache(self) -> bool: ...
    @property
    def load_time(self) -> float: ...
    def info(self) -> BackendInfo: ...
    def ainfo(self) -> Awaitable[BackendInfo]: ...
    def allowed_hosts(self, settings: Optional[Mapping[str, SettingValue]] = None, **values: SettingValue) -> list[str]: ...
    def open(
        self,
        settings: Optional[Mapping[str, SettingValue]] = None,
        *,
        max_timeouts: Limits = None,
        allowed_hosts: Optional[Sequence[str]] = None,
        **values: SettingValue,
    ) -> Client: ...
    def aopen(
        self,
        settings: Optional[Mapping[str, SettingValue]] = None,
        *,
        max_timeouts: Limits = None,
        allowed_hosts: Optional[Sequence[str]] = None,
        **values: SettingValue,
    ) -> Awaitable[Client]: ...

class Client:
    """A configured connection to the service, in its own sandboxed instance."""

    backend: VisualBackend
    @property
    def allowed_hosts(self) -> list[str]: ...
    @property
    def denied_hosts(self) -> list[str]: ...
    @property
    def peak_memory(self) -> int: ...
    @property
    def memory_refused(self) -> Optional[int]: ...
    def check(self, capability: Union[Capability, str, None] = None, model: Optional[str] = None) -> Status: ...
    def acheck(self, capability: Union[Capability, str, None] = None, model: Optional[str] = None) -> Awaitable[Status]: ...
    def models(self, capability: Union[Capability, str, None] = None) -> Tuple[ModelEntry, ...]: ...
    def amodels(self, capability: Union[Capability, str, None] = None) -> Awaitable[Tuple[ModelEntry, ...]]: ...
    def generate(
        self,
        prompt: str,
        format: Union[ImageFormat, str, None] = None,
        *,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Generation: ...
    def agenerate(
        self,
        prompt: str,
        format: Union[ImageFormat, str, None] = None,
        *,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Awaitable[Generation]: ...
    def edit(
        self,
        prompt: str,
        images: Union[BytesLike, Iterable[BytesLike]],
        format: Union[ImageFormat, str, None] = None,
        *,
        mask: Optional[BytesLike] = None,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Generation: ...
    def aedit(
        self,
        prompt: str,
        images: Union[BytesLike, Iterable[BytesLike]],
        format: Union[ImageFormat, str, None] = None,
        *,
        mask: Optional[BytesLike] = None,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Awaitable[Generation]: ...
    def analyze(
        self,
        image: BytesLike,
        prompt: str,
        *,
        model: Optional[str] = None,
        max_output_tokens: Optional[int] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Analysis: ...
    def aanalyze(
        self,
        image: BytesLike,
        prompt: str,
        *,
        model: Optional[str] = None,
        max_output_tokens: Optional[int] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Awaitable[Analysis]: ...
    def start_generate(
        self,
        prompt: str,
        format: Union[ImageFormat, str, None] = None,
        *,
        partial_images: int = 1,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> GenerationStream: ...
    def astart_generate(
        self,
        prompt: str,
        format: Union[ImageFormat, str, None] = None,
        *,
        partial_images: int = 1,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Awaitable[GenerationStream]: ...
    def start_edit(
        self,
        prompt: str,
        images: Union[BytesLike, Iterable[BytesLike]],
        format: Union[ImageFormat, str, None] = None,
        *,
        partial_images: int = 1,
        mask: Optional[BytesLike] = None,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> GenerationStream: ...
    def astart_edit(
        self,
        prompt: str,
        images: Union[BytesLike, Iterable[BytesLike]],
        format: Union[ImageFormat, str, None] = None,
        *,
        partial_images: int = 1,
        mask: Optional[BytesLike] = None,
        model: Optional[str] = None,
        size: SizeArg = None,
        n: Optional[int] = None,
        quality: Optional[str] = None,
        output_format: Union[OutputFormat, str, None] = None,
        options: Optional[Mapping[str, ParameterValue]] = None,
        extra: Optional[Mapping[str, ParameterValue]] = None,
        **option_values: ParameterValue,
    ) -> Awaitable[GenerationStream]: ...
    def close(self) -> None: ...
    def aclose(self) -> Awaitable[None]: ...
    def __enter__(self) -> Client: ...
    def __exit__(self, *exc: object) -> bool: ...
    def __aenter__(self) -> Awaitable[Client]: ...
    def __aexit__(self, *exc: object) -> Awaitable[bool]: ...

class GenerationStream:
    """A generation in progress: iterate it (or ``async for``) for
    ``PartialImage`` events and, last, the ``Generation``. Closing it before
    the end cancels the generation."""

    @property
    def result(self) -> Optional[Generation]: ...
    def next(self) -> Optional[Event]: ...
    def anext(self) -> Awaitable[Optional[Event]]: ...
    def wait(self, on_partial: Optional[Callable[[PartialImage], Any]] = None) -> Generation: ...
    def close(self) -> None: ...
    def aclose(self) -> Awaitable[None]: ...
    def __iter__(self) -> GenerationStream: ...
    def __next__(self) -> Event: ...
    def __aiter__(self) -> GenerationStream: ...
    def __anext__(self) -> Awaitable[Event]: ...
    def __enter__(self) -> GenerationStream: ...
    def __exit__(self, *exc: object) -> bool: ...
    def __aenter__(self) -> Awaitable[GenerationStream]: ...
    def __aexit__(self, *exc: object) -> Awaitable[bool]: ...
