"""Shared by the Talemate tests: a fresh copy of the Talemate stand-in per
test (``tests/talemate_standin``, imported as ``talemate``), the saved
settings Talemate would read from ``config.yaml``, Talemate's start-up, and
a generation awaited as Talemate delivers it."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, Optional

#: The stand-in package, ``talemate/``, lives beside this file.
STANDIN = Path(__file__).resolve().parent

#: The Visualizer agent's methods a registered backend adds, ``{name}_{method}``.
AGENT_METHODS = ("backend", "backend_image_edit", "backend_image_analyzation", "prepare_generation", "prepare_analysis", "emit_status")
#: A backend's settings panels, one per capability: the actions ``{name}_{panel}``.
PANELS = ("image_create", "image_edit", "image_analyzation")


def purge_modules() -> None:
    """Forgets the stand-in and the adapter, so the next import starts from
    nothing (Talemate's registries are module globals)."""
    for name in list(sys.modules):
        if name == "talemate" or name.startswith("talemate.") or name.startswith("talemate_visual.talemate"):
            del sys.modules[name]


def checkout(tmp_path: Path) -> SimpleNamespace:
    """A Talemate "checkout" of the stand-in under ``tmp_path``, first on
    ``sys.path``; ``custom`` is its ``talemate/agents/custom/`` folder."""
    src = tmp_path / "src"
    shutil.copytree(STANDIN / "talemate", src / "talemate", ignore=shutil.ignore_patterns("__pycache__"))
    return SimpleNamespace(src=src, custom=src / "talemate" / "agents" / "custom")


@contextlib.contextmanager
def stand_in(tmp_path: Path, monkeypatch, today: str) -> Iterator[SimpleNamespace]:
    """A fresh :func:`checkout`, importable as ``talemate``, and the adapter
    (``adapter``) loading components with ``today`` as the plugins' date;
    both forgotten afterwards."""
    purge_modules()
    tree = checkout(tmp_path)
    monkeypatch.syspath_prepend(str(tree.src))
    import talemate_visual.talemate as adapter

    monkeypatch.setitem(adapter.LOAD_OPTIONS, "today", today)
    tree.adapter = adapter
    try:
        yield tree
    finally:
        purge_modules()


def panel(**values: Any) -> Dict[str, Any]:
    """One saved action as ``config.yaml`` holds it."""
    return {"enabled": True, "config": {k: {"value": v} for k, v in values.items()}}


def save_settings(
    *,
    key: Optional[str] = None,
    backend: str = "",
    edit: str = "",
    analysis: str = "",
    timeout: Optional[float] = None,
    **panels: Dict[str, Any],
) -> None:
    """What Talemate would load from ``config.yaml``: the OpenAI key in its
    settings, the three selections, and the backends' panels by action key."""
    from talemate.config import AgentConfig, get_config

    config = get_config()
    config.openai.api_key = key
    selections = {"backend": backend, "backend_image_edit": edit, "backend_image_analyzation": analysis}
    if timeout is not None:
        selections["timeout"] = timeout
    config.agents["visual"] = AgentConfig(actions={"_config": panel(**selections), **panels})


def save_mixed_settings(server) -> None:
    """Saved settings that use both components: the placeholder draws, the
    OpenAI backend (pointed at ``server``, with its key) edits and analyzes."""
    panels = openai_panels(server)
    save_settings(key=server.api_key, backend="wasm_placeholder", edit="wasm_openai", analysis="wasm_openai", **panels)


def openai_panels(server, **extra: Any) -> Dict[str, Dict[str, Any]]:
    """The OpenAI backend's three panels pointed at the mock (no retries, so
    a fault is seen once)."""
    values = {"base_url": server.base_url, "max_retries": 0, **extra}
    return {f"wasm_openai_{suffix}": panel(**values) for suffix in PANELS}


async def start():
    """Talemate's start-up order (server/run.py): the custom agents, then the
    agents built from the saved settings. Returns the Visualizer agent."""
    import talemate.server.run

    return await talemate.server.run.start()


async def settle(agent, rounds: int = 2) -> None:
    """Runs Talemate's ready checks until each backend's probe has answered
    (a probe waits 0.2-0.5 s, then reports through a done-callback)."""
    import talemate.instance

    for _ in range(rounds):
        await talemate.instance.agent_ready_checks()
        for backend in (agent.backend, agent.backend_image_edit, agent.backend_image_analyzation):
            task = getattr(backend, "_test_conn_task", None) if backend is not None else None
            if task is not None:
                await asyncio.wait([task], timeout=10)
        await asyncio.sleep(0.05)


def clear_status_cache() -> None:
    """Talemate reuses a probe's result for a second; tests that change what
    the mock answers start from nothing."""
    from talemate.agents.visual.backends import Backend

    Backend._test_conn_cache.clear()


def events(typ: str):
    from talemate.emit import EMITTED

    return [e for e in EMITTED if e["typ"] == typ]


async def generated(agent, request, seconds: float = 30):
    """Starts a generation as Talemate does and waits for its image."""
    done = asyncio.get_running_loop().create_future()

    async def callback(response):
        done.set_result(response)

    request.callback = callback
    await agent.generate(request)
    return await asyncio.wait_for(done, seconds)
