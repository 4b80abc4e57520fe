"""The README's "Use it in Talemate" section, run as written: its Python lines
go where it says, into a stand-in Talemate checkout (``tests/talemate_standin``),
which then starts as Talemate does; the OpenAI backend comes from the package
(bundled), a second backend from its .wasm dropped into the folder."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest

from conftest import TODAY
from helpers import png_size
from talemate_standin.harness import (
    AGENT_METHODS,
    PANELS,
    generated,
    openai_panels,
    save_mixed_settings,
    save_settings,
    settle,
    stand_in,
    start,
)

README = Path(__file__).resolve().parents[1] / "README.md"
CI = Path(__file__).resolve().parents[3] / ".ci" / "run"


def section() -> str:
    text = README.read_text()
    start_at = text.index("\n## Use it in Talemate\n")
    end = text.find("\n## ", start_at + 1)
    return text[start_at : end if end != -1 else len(text)]


def blocks(language: str):
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    with stand_in(tmp_path, monkeypatch, TODAY) as tree:
        tree.root = tmp_path
        yield tree


def test_the_drop_in_folder_as_the_readme_writes_it(tree, mock, placeholder_wasm):
    drop_in = next(b for b in blocks("python") if b.startswith("# src/talemate/agents/custom/"))
    path = tree.root / drop_in.splitlines()[0].removeprefix("# ")
    path.parent.mkdir(parents=True)
    path.write_text(drop_in)
    # "To add another backend, copy its .wasm into that folder": no code changes.
    shutil.copy(placeholder_wasm, path.parent)
    save_mixed_settings(mock)

    async def main():
        from talemate.agents.visual.backends import BACKENDS
        from talemate.agents.visual.schema import GenerationRequest

        agent = await start()
        assert list(BACKENDS) == ["openai", "wasm_openai", "wasm_placeholder"]
        assert BACKENDS["wasm_openai"].label == "OpenAI (component)"
        for name in ("wasm_openai", "wasm_placeholder"):
            for method in AGENT_METHODS:
                assert hasattr(agent, f"{name}_{method}")
            for tab in PANELS:
                assert f"{name}_{tab}" in agent.actions
        await settle(agent)
        assert agent.backend.status.type.name == "OK"
        assert agent.backend_image_edit.status.type.name == "WARNING"
        assert "organization verification" in agent.backend_image_edit.status.message
        assert agent.backend_image_analyzation.status.type.name == "OK"
        assert agent.agent_details["max_references"]["value"] == "References 16"

        response = await generated(agent, GenerationRequest(prompt="a lighthouse"), seconds=20)
        assert png_size(response.generated) == (1536, 1024)

    asyncio.run(main())


def test_the_one_line_alternative(tree, mock):
    (line,) = [b for b in blocks("python") if "agent_class=VisualAgent" in b]
    agent_py = tree.src / "talemate" / "agents" / "visual" / "agent.py"
    agent_py.write_text(agent_py.read_text() + "\n" + line)
    save_settings(key=mock.api_key, backend="wasm_openai", **openai_panels(mock))

    async def main():
        from talemate.agents.visual.backends import BACKENDS

        agent = await start()
        assert list(BACKENDS) == ["openai", "wasm_openai"]
        await settle(agent)
        assert agent.backend.status.type.name == "WARNING"

    asyncio.run(main())


def test_ci_builds_the_wheel_with_the_readmes_command():
    (build, install) = blocks("sh")[:2]
    command = build.strip().split("&& ")[-1]
    assert command == "cargo xtask dist"
    assert "cargo xtask dist" in CI.read_text()
    assert install.strip().startswith("uv pip install ")
    assert "manylinux_2_28" in install
