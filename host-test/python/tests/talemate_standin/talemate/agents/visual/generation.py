"""Mirrors src/talemate/agents/visual/generation.py (a1d209a9): how the agent
starts a generation, and cancels it."""

from __future__ import annotations

import asyncio

from talemate.emit import emit

from .exceptions import ImageEditNotAvailableError, TextToImageNotAvailableError
from .schema import GEN_TYPE, BackendStatusType, GenerationRequest, GenerationResponse


class GenerationMixin:
    @property
    def can_edit_images(self) -> bool:
        """:44-49: only a backend whose status is OK (not WARNING)."""
        return self.backend_image_edit is not None and self.backend_image_edit.status.type == BackendStatusType.OK

    @property
    def can_generate_images(self) -> bool:
        """:51-56."""
        return self.backend is not None and self.backend.status.type == BackendStatusType.OK

    async def on_image_generation_error(self, error: Exception):
        """:103-109."""
        emit("image_generation_failed", websocket_passthrough=True, data={"error": str(error)})

    def _track_generation_task(self, task: asyncio.Task, backend: object):
        """:111-131."""
        if not hasattr(self, "_active_generation_tasks"):
            self._active_generation_tasks = set()
            self._generation_task_backends = {}
        self._active_generation_tasks.add(task)
        self._generation_task_backends[task] = backend

        def forget(_):
            self._active_generation_tasks.discard(task)
            self._generation_task_backends.pop(task, None)

        task.add_done_callback(forget)

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        """:133-176: returns at once; the image arrives through ``on_done``
        (``image_generated``, then ``request.callback(response=...)``)."""
        response = GenerationResponse(request=request, id=request.id)

        async def on_done(fut):
            result = fut.result()  # :151: generate() must return the response
            emit("image_generated", websocket_passthrough=True, data=result.model_dump())
            if request.callback:
                await request.callback(response=result)

        if request.gen_type == GEN_TYPE.IMAGE_EDIT:
            await self._start(request, response, on_done, edit=True)
        else:
            await self._start(request, response, on_done, edit=False)
        return response

    async def _start(self, request, response, on_done, edit: bool):
        """generate_text_to_image (:178-200) and generate_image_edit (:202-225):
        the gate, the ``{name}_prepare_generation`` hook, then the backend's
        ``generate`` in a task of its own."""
        if edit and not self.can_edit_images:
            raise ImageEditNotAvailableError("Image edit is not available")
        if not edit and not self.can_generate_images:
            raise TextToImageNotAvailableError("Text to image is not available")
        backend = self.backend_image_edit if edit else self.backend
        prepare = getattr(self, f"{backend.name}_prepare_generation", None)
        if prepare:
            backend = await prepare(request)
        response.backend_name = backend.name
        task = asyncio.create_task(backend.generate(request, response))
        task.add_done_callback(lambda fut: asyncio.create_task(on_done(fut)) if not fut.cancelled() else None)
        self._track_generation_task(task, backend)
        await self.set_background_processing(task, self.on_image_generation_error)

    async def cancel_generation(self):
        """:227-281: see :func:`cancel_tasks`."""
        tasks, backends = getattr(self, "_active_generation_tasks", ()), getattr(self, "_generation_task_backends", {})
        await cancel_tasks(tasks, backends)


async def cancel_tasks(tasks, backends):
    """Not a Talemate name: what cancel_generation (:227-281) and
    analyze.py's cancel_analysis (:128-181) each do. Every unfinished task is
    cancelled, then each distinct backend's ``cancel_request()`` (the task's,
    in ``backends``) is awaited (errors ignored)."""
    tasks = [t for t in tasks if not t.done()]
    distinct = {getattr(b, "name", id(b)): b for t in tasks if (b := backends.get(t))}
    for task in tasks:
        task.cancel()
    for backend in distinct.values():
        try:
            await backend.cancel_request()
        except Exception:
            pass
