"""Mirrors src/talemate/agents/visual/agent.py (a1d209a9): the Visualizer
agent, as far as its backends are concerned."""

from __future__ import annotations

import asyncio
from typing import Literal

from talemate.agents.base import Agent, AgentAction, AgentActionConfig, AgentDetail
from talemate.agents.registry import register

from .analyze import AnalysisMixin
from .backends import BACKENDS, NONE_BACKEND, Backend
from .backends.openai_image import OpenAIMixin
from .generation import GenerationMixin
from .schema import BackendStatusType, ReadyCheckResult


def _selection(flag: str, label: str) -> AgentActionConfig:
    """agent.py:85-123: a backend selection lists the backends registered
    when ``init_actions`` runs that have ``flag``, then "- None -"."""
    return AgentActionConfig(
        type="text",
        choices=[cls.as_choice() for cls in BACKENDS.values() if getattr(cls, flag)] + [NONE_BACKEND],
        value="",
        label=label,
        save_on_change=True,
    )


@register()  # agent.py:53
class VisualAgent(GenerationMixin, AnalysisMixin, OpenAIMixin, Agent):  # agent.py:54-67
    agent_type = "visual"
    verbose_name = "Visualizer"

    @classmethod
    def init_actions(cls) -> dict[str, AgentAction]:
        """agent.py:77-210: the ``_config`` action, then each built-in
        backend's ``add_actions`` (:200-208)."""
        actions = {
            "_config": AgentAction(
                enabled=True,
                label="Configure",
                config={
                    "backend": _selection("image_create", "Backend (text to image)"),
                    "backend_image_edit": _selection("image_edit", "Backend (image editing)"),
                    "backend_image_analyzation": _selection("image_analyzation", "Backend (image analysis)"),
                    # agent.py:124-132
                    "timeout": AgentActionConfig(type="number", value=300, label="Image generation timeout", min=1, max=900, step=10),
                },
            ),
        }
        OpenAIMixin.add_actions(actions)
        return actions

    def __init__(self, client=None, **kwargs):
        """agent.py:212-221: the panels are built here, by the class."""
        self.client = client
        self.backend = None
        self.backend_image_edit = None
        self.backend_image_analyzation = None
        self.ready_check_result = ReadyCheckResult()
        self.actions = VisualAgent.init_actions()

    @property
    def generate_timeout(self) -> int:
        """agent.py:304-306."""
        return self.actions["_config"].config["timeout"].value

    @property
    def backend_name(self) -> str:  # agent.py:385-395
        return self.actions["_config"].config["backend"].value

    @property
    def backend_image_edit_name(self) -> str:
        return self.actions["_config"].config["backend_image_edit"].value

    @property
    def backend_image_analyzation_name(self) -> str:
        return self.actions["_config"].config["backend_image_analyzation"].value

    @property
    def ready(self) -> bool:
        """agent.py:241-267: every configured backend is OK."""
        return all(b is None or b.status.type == BackendStatusType.OK for b in (self.backend, self.backend_image_edit, self.backend_image_analyzation))

    async def apply_config(self, actions: dict | None = None, enabled: bool | None = None, **kwargs):
        """agent.py:424-468: the saved values, then each selection evaluated;
        ``force`` when the selected name changed."""
        old = {key: AgentAction(**action.model_dump()) for key, action in self.actions.items()}
        names = (self.backend_name, self.backend_image_edit_name, self.backend_image_analyzation_name)
        await super().apply_config(actions=actions, enabled=enabled, **kwargs)
        for attribute, before in zip(("backend", "backend_image_edit", "backend_image_analyzation"), names):
            now = self.actions["_config"].config[attribute].value
            await self.evaluate_backend(attribute, now, force=now != before, old_config=old)

    async def evaluate_backend(
        self,
        backend_type: Literal["backend", "backend_image_edit", "backend_image_analyzation"],
        backend_name: str | None,
        force: bool = False,
        old_config: dict | None = None,
    ) -> Backend | None:
        """agent.py:470-500: needs ``BACKENDS[name]`` and the agent method
        ``{name}_{backend_type}``."""
        if not backend_name:
            setattr(self, backend_type, None)
            return None
        if backend_name not in BACKENDS:
            raise ValueError(f"Backend {backend_name} not found")
        fn = getattr(self, f"{backend_name}_{backend_type}", None)
        if not fn:
            raise ValueError(f"Backend {backend_name} does not support {backend_type}")
        backend = await fn(old_config=old_config, force=force)
        setattr(self, backend_type, backend)
        return backend

    async def check_backends(self, result: ReadyCheckResult) -> ReadyCheckResult:
        """agent.py:504-526: ``ready()`` of each configured backend, in turn."""
        if self.backend:
            result.backend = await self.backend.ready()
        if self.backend_image_edit:
            result.backend_image_edit = await self.backend_image_edit.ready()
        if self.backend_image_analyzation:
            result.backend_image_analyzation = await self.backend_image_analyzation.ready()
        return result

    async def ready_check(self) -> ReadyCheckResult:
        """agent.py:528-536."""
        result = ReadyCheckResult()
        task = asyncio.create_task(self.check_backends(result))
        await super().ready_check(task)
        return result

    async def on_ready_check_success(self, result: ReadyCheckResult):
        """agent.py:538-541."""
        if result != self.ready_check_result:
            await self.emit_status()
            self.ready_check_result = result

    @property
    def meta(self) -> dict:
        """agent.py:269-294 (the backend part)."""
        meta: dict = {}
        if self.backend:
            meta["image_create"] = {"status": str(self.backend.status.type)}
        if self.backend_image_edit:
            meta["image_edit"] = {
                "status": str(self.backend_image_edit.status.type),
                "max_references": self.backend_image_edit.max_references,
            }
        if self.backend_image_analyzation:
            meta["image_analyzation"] = {"status": str(self.backend_image_analyzation.status.type)}
        return meta

    @property
    def agent_details(self) -> dict:
        """agent.py:308-358: one line per configured backend (label, pill
        colour, tooltip), and "References N" beside image editing."""
        details = {}
        if self.backend:
            details["backend"] = AgentDetail(
                icon="mdi-image", value=self.backend.label, color=self.backend.status_color, description=self.backend.status_description
            ).model_dump()
        if self.backend_image_edit:
            edit = self.backend_image_edit
            details["backend_image_edit"] = AgentDetail(
                icon="mdi-pencil", value=edit.label, color=edit.status_color, description=f"Image Editing: {edit.status_description}"
            ).model_dump()
            if edit.max_references > 0:
                details["max_references"] = AgentDetail(icon="mdi-image-multiple", value=f"References {edit.max_references}").model_dump()
        if self.backend_image_analyzation:
            analysis = self.backend_image_analyzation
            details["backend_image_analyzation"] = AgentDetail(
                icon="mdi-image-search", value=analysis.label, color=analysis.status_color, description=f"Image Analysis: {analysis.status_description}"
            ).model_dump()
        return details

    async def emit_status(self, processing: bool | None = None):
        """agent.py:550-573: ``{name}_emit_status`` once per distinct selected
        backend name, then the base's emit."""
        seen = set()
        for name in (self.backend_name, self.backend_image_edit_name, self.backend_image_analyzation_name):
            if name and name not in seen:
                seen.add(name)
                fn = getattr(self, f"{name}_emit_status", None)
                if fn:
                    await fn(processing)
        await super().emit_status(processing)
