"""Mirrors the part of src/talemate/agents/base.py (a1d209a9) the Visualizer's
backends use: the settings-panel models and the agent base."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Literal

import pydantic


class Note(pydantic.BaseModel):
    """src/talemate/ux/schema.py:17-23."""

    text: str
    title: str | None = None
    color: str | None = None
    icon: str | None = None


class AgentActionConditional(pydantic.BaseModel):
    """base.py:52-54."""

    attribute: str
    value: int | float | str | bool | list[int | float | str | bool] | None = None


class AgentActionNote(Note):
    """base.py:57-58."""


class AgentActionConfig(pydantic.BaseModel):
    """base.py:61-133: one field of a panel. ``type`` is one of the kinds the
    frontend renders (talemate_frontend/src/components/AgentModal.vue)."""

    type: Literal[
        "autocomplete", "blob", "bool", "flags", "number", "text", "vector2", "wstemplate", "password", "unified_api_key"
    ]
    label: str
    description: str = ""
    value: int | float | str | bool | list | None = None
    default_value: int | float | str | bool | None = None
    max: int | float | None = None
    min: int | float | None = None
    step: int | float | None = None
    scope: str = "global"
    choices: list[dict[str, str | int | float | bool | list[int | float | bool]]] | None = None
    note: AgentActionNote | None = None
    condition: AgentActionConditional | None = None
    title: str | None = None
    note_on_value: dict[str | int | float | bool, AgentActionNote] = pydantic.Field(default_factory=dict)
    save_on_change: bool = False

    # Stricter than Talemate (which ignores unknown fields): a field the
    # adapter sets must be one Talemate has.
    model_config = pydantic.ConfigDict(extra="forbid")

    @pydantic.field_validator("note", mode="before")
    @classmethod
    def _note_from_text(cls, v):  # base.py:114-119: a plain string becomes a note
        return AgentActionNote(text=v) if isinstance(v, str) else v


class AgentAction(pydantic.BaseModel):
    """base.py:136-149: a panel (``container=True``: its own tab)."""

    enabled: bool = True
    label: str
    description: str = ""
    warning: str = ""
    config: dict[str, AgentActionConfig] | None = None
    condition: AgentActionConditional | None = None
    container: bool = False
    icon: str | None = None
    can_be_disabled: bool = False
    quick_toggle: bool = False
    experimental: bool = False
    subtitle: str | None = None

    model_config = pydantic.ConfigDict(extra="forbid")


class AgentDetail(pydantic.BaseModel):
    """base.py:173-178: one line of an agent's details."""

    value: str | None = None
    description: str | None = None
    icon: str | None = None
    color: str = "grey"
    hidden: bool = False


class Agent:
    """The agent base (base.py), only what the Visualizer's flows call."""

    agent_type = "agent"
    verbose_name = None
    actions: dict[str, AgentAction]

    @classmethod
    def init_actions(cls, actions: dict[str, AgentAction] | None = None) -> dict[str, AgentAction]:
        """base.py:321-328."""
        return {} if actions is None else actions

    @property
    def enabled(self) -> bool:
        return True

    async def apply_config(self, *args, **kwargs):
        """base.py:578-608: saved values are copied into the actions that
        exist; keys not in ``self.actions`` are ignored."""
        saved = kwargs.get("actions") or {}
        for action_key, action in self.actions.items():
            if not saved:
                continue
            action.enabled = saved.get(action_key, {}).get("enabled", False)
            for config_key, config in (action.config or {}).items():
                config.value = saved.get(action_key, {}).get("config", {}).get(config_key, {}).get("value", config.value)

    async def ready_check(self, task: asyncio.Task | None = None):
        """base.py:569-576 with _handle_ready_check (:546-564): the result
        goes to ``on_ready_check_success`` when the task is done."""
        if task:

            async def handle(fut):
                if not fut.cancelled() and not fut.exception():
                    callback = getattr(self, "on_ready_check_success", None)
                    if callback:
                        await callback(fut.result())

            task.add_done_callback(lambda fut: asyncio.create_task(handle(fut)))
            return
        return True

    async def emit_status(self, processing: bool | None = None):
        """base.py:690-729: sends ``agent_status`` (details, meta, actions)."""
        from talemate.emit import emit

        emit("agent_status", message=self.verbose_name or "", id=self.agent_type, details=self.agent_details)

    async def _handle_background_processing(self, fut: asyncio.Future, error_handler: Callable | None = None):
        """base.py:731-759: a cancelled task reports nothing; an error goes to
        ``error_handler``."""
        if fut.cancelled():
            return
        if fut.exception() and error_handler:
            await error_handler(fut.exception())

    async def set_background_processing(self, task: asyncio.Task, error_handler: Callable | None = None):
        """base.py:761-773."""
        task.add_done_callback(lambda fut: asyncio.create_task(self._handle_background_processing(fut, error_handler)))

    @property
    def agent_details(self) -> Any:
        return None
