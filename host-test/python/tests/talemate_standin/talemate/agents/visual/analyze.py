"""Mirrors src/talemate/agents/visual/analyze.py (a1d209a9): image analysis."""

from __future__ import annotations

import asyncio

from talemate.emit import emit

from .exceptions import ImageAnalysisNotAvailableError
from .generation import cancel_tasks
from .schema import AnalysisRequest, AnalysisResponse, BackendStatusType


class AnalysisMixin:
    @property
    def can_analyze_images(self) -> bool:
        """:23-28."""
        return (
            self.backend_image_analyzation is not None
            and self.backend_image_analyzation.status.type == BackendStatusType.OK
        )

    async def on_image_analysis_error(self, error: Exception):
        """:32-38."""
        emit("image_analysis_failed", websocket_passthrough=True, data={"error": str(error)})

    async def analyze(self, request: AnalysisRequest) -> AnalysisResponse:
        """:40-77 with analyze_image (:101-126): the gate, the
        ``{name}_prepare_analysis`` hook, the backend's ``analyze`` in a task;
        ``image_analyzed`` carries the response when it is done."""
        response = AnalysisResponse(request=request, id=request.id)
        if not self.can_analyze_images:
            raise ImageAnalysisNotAvailableError("Image analysis is not available")
        backend = self.backend_image_analyzation
        prepare = getattr(self, f"{backend.name}_prepare_analysis", None)
        if prepare:
            backend = await prepare(request)
        response.backend_name = backend.name

        async def on_done(fut):
            emit("image_analyzed", websocket_passthrough=True, data=fut.result().model_dump())

        task = asyncio.create_task(backend.analyze(request, response))
        task.add_done_callback(lambda fut: asyncio.create_task(on_done(fut)) if not fut.cancelled() and not fut.exception() else None)
        if not hasattr(self, "_active_analysis_tasks"):
            self._active_analysis_tasks, self._analysis_task_backends = set(), {}
        self._active_analysis_tasks.add(task)
        self._analysis_task_backends[task] = backend
        task.add_done_callback(lambda _: self._active_analysis_tasks.discard(task))
        await self.set_background_processing(task, self.on_image_analysis_error)
        return response

    async def cancel_analysis(self):
        """:128-181: as cancel_generation (see generation.cancel_tasks)."""
        tasks, backends = getattr(self, "_active_analysis_tasks", ()), getattr(self, "_analysis_task_backends", {})
        await cancel_tasks(tasks, backends)
