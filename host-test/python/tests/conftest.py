"""Fixtures: the embedded OpenAI mock (run by the Rust host's CLI) and the
two backend components.

The paths come from the environment, as ``host-test/tests/python_host.rs``
sets them: ``VISUAL_HOST_BIN`` (the ``visual-host`` binary),
``OPENAI_BACKEND_WASM`` and ``PLACEHOLDER_BACKEND_WASM``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from talemate_visual import Client, Settings, VisualBackend


def _path_from_env(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set; run these tests through `cargo test --workspace` (python_host.rs) or set it")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{name}={value} does not exist; build it first (cargo build -p visual-host does)")
    return path


@pytest.fixture(scope="session")
def mock() -> Iterator[dict]:
    """``visual-host mock-server``: prints ``{"base_url", "api_key"}``, serves until interrupted."""
    binary = _path_from_env("VISUAL_HOST_BIN")
    process = subprocess.Popen(
        [str(binary), "mock-server"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"},
    )
    try:
        line = _readline_with_timeout(process, 60)
        if not line:
            stderr = process.stderr.read() if process.poll() is not None else ""
            pytest.fail(f"the mock server printed nothing (exit {process.poll()}): {stderr}")
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _readline_with_timeout(process: subprocess.Popen, seconds: float) -> str:
    result: list = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return result[0].strip() if result else ""


@pytest.fixture(scope="session")
def openai_wasm() -> Path:
    return _path_from_env("OPENAI_BACKEND_WASM")


@pytest.fixture(scope="session")
def placeholder_wasm() -> Path:
    return _path_from_env("PLACEHOLDER_BACKEND_WASM")


@pytest.fixture(scope="session")
def openai(openai_wasm: Path) -> VisualBackend:
    return VisualBackend.load(openai_wasm)


@pytest.fixture(scope="session")
def placeholder(placeholder_wasm: Path) -> VisualBackend:
    return VisualBackend.load(placeholder_wasm)


@pytest.fixture(scope="session")
def settings(mock: dict) -> Settings:
    return Settings(api_key=mock["api_key"], base_url=mock["base_url"], max_retries=0)


@pytest.fixture
def client(openai: VisualBackend, settings: Settings) -> Iterator[Client]:
    with openai.open(settings) as c:
        yield c
