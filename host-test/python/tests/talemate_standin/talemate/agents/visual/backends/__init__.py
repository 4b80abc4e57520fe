"""Mirrors src/talemate/agents/visual/backends/__init__.py (a1d209a9): the
backend base class and the registry."""

from __future__ import annotations

import asyncio
import random
import time
from typing import ClassVar

import pydantic

from talemate.agents.visual.schema import (
    AnalysisRequest,
    AnalysisResponse,
    BackendBase,
    BackendStatus,
    BackendStatusType,
    GenerationRequest,
    GenerationResponse,
)

# backends/__init__.py:29: name -> backend class
BACKENDS: dict = {}

# :31-34: the last entry of every backend selection
NONE_BACKEND = {"value": "", "label": "- None -"}


class Backend(BackendBase):
    """:37-188."""

    _test_conn_task: asyncio.Task | None = pydantic.PrivateAttr(default=None)
    _test_conn_lock: asyncio.Lock = pydantic.PrivateAttr(default_factory=asyncio.Lock)
    # :40-41: one status cache for every backend class, by status_cache_key
    _test_conn_cache: ClassVar[dict[str, BackendStatus]] = {}
    _test_conn_cache_maxage: ClassVar[int] = 1

    @property
    def instance_label(self) -> str:  # :44-46
        return self.label

    @property
    def generator_label(self) -> str | None:  # :48-50
        return None

    @property
    def status_color(self) -> str:
        """:52-61: the colour of the status pill."""
        return {
            BackendStatusType.ERROR: "error",
            BackendStatusType.DISCONNECTED: "muted",
            BackendStatusType.WARNING: "warning",
        }.get(self.status.type, "success")

    @property
    def max_references(self) -> int:  # :63-65
        return 0

    @property
    def status_description(self) -> str:
        """:67-76: the pill's tooltip."""
        kind = self.status.type
        if kind == BackendStatusType.ERROR:
            return self.status.message
        if kind == BackendStatusType.DISCONNECTED:
            return "Disconnected"
        if kind == BackendStatusType.WARNING:
            return f"Connected to {self.instance_label} - {self.status.message}"
        return f"Connected to {self.instance_label}"

    @classmethod
    def as_choice(cls) -> dict[str, str]:  # :78-83
        return {"value": cls.name, "label": cls.label}

    @property
    def status_cache_key(self) -> str:  # :85-87
        return f"{self.name}-{self.instance_label}"

    async def on_status_change(self):
        """:89-96: the agent re-emits its status."""
        from talemate.instance import get_agent

        await get_agent("visual").emit_status()

    def _update_status_from_future(self, fut: asyncio.Future):
        """:98-112: the probe's result (ERROR with the text if it raised)
        becomes ``status`` and is cached."""
        before = self.status
        try:
            self.status = fut.result()
        except Exception as e:
            self.status = BackendStatus(type=BackendStatusType.ERROR, message=str(e))
        self._test_conn_cache[self.status_cache_key] = self.status
        if before and before != self.status:
            asyncio.create_task(self.on_status_change())

    async def ensure_test_connection_task(self) -> asyncio.Task:
        """:114-124: starts one probe at a time; does not wait for it."""
        async with self._test_conn_lock:
            if not self._test_conn_task or self._test_conn_task.done():
                task = asyncio.create_task(self._test_connection())
                task.add_done_callback(self._update_status_from_future)
                self._test_conn_task = task
            return self._test_conn_task

    async def ready(self) -> BackendStatus:  # :126-127
        raise NotImplementedError("ready not implemented")

    async def _test_connection(self) -> BackendStatus:
        """:145-167: after 0.2-0.5 s, a cached status younger than the max
        age, else ``test_connection()`` with no arguments (so 2 s)."""
        await asyncio.sleep(random.uniform(0.2, 0.5))
        cached = self._test_conn_cache.get(self.status_cache_key)
        if cached and time.time() - cached.timestamp < self._test_conn_cache_maxage:
            return cached
        return await self.test_connection()

    async def test_connection(self, timeout: int = 2) -> BackendStatus:  # :169-170
        raise NotImplementedError("test_connection not implemented")

    async def generate(self, request: GenerationRequest, response: GenerationResponse) -> GenerationResponse:
        raise NotImplementedError("generate not implemented")  # :172-175

    async def analyze(self, request: AnalysisRequest, response: AnalysisResponse) -> AnalysisResponse:
        raise NotImplementedError("analyze not implemented")  # :177-180

    async def cancel_request(self):  # :182-188: does nothing by default
        pass


def register(backend: type[Backend]) -> type[Backend]:
    """:191-195: a taken name raises ValueError."""
    if backend.name in BACKENDS:
        raise ValueError(f"Backend {backend.name} already registered")
    BACKENDS[backend.name] = backend
    return backend
