"""Fixtures: the strict OpenAI mock in process (the extension's ``MockServer``,
which only the test build has), and the backend components.

The components' paths come from the environment, as ``pytest_suite.rs`` sets
them: ``OPENAI_BACKEND_WASM``, ``PLACEHOLDER_BACKEND_WASM``,
``PLACEHOLDER_BACKEND_V0_2_WASM`` and ``PLACEHOLDER_BACKEND_V0_1_WASM``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from talemate_visual import Client, VisualBackend, _native

#: The day the tests live on, for the plugin's wall clock and the mock alike,
#: so what is retired does not depend on when they run.
TODAY = "2026-12-02"


def _path_from_env(name: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set; run these tests through `cargo test --workspace` (pytest_suite.rs) or set it")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{name}={value} does not exist; `cargo test --workspace` builds it")
    return path


def _mock_class():
    mock = getattr(_native, "MockServer", None)
    if mock is None:
        pytest.fail("this build of the extension has no MockServer: build it with the `test-mock` feature")
    return mock


@pytest.fixture
def mock() -> Iterator["_native.MockServer"]:
    """A mock answering like OpenAI's API today (on ``TODAY``)."""
    with _mock_class()("api", today=TODAY) as server:
        yield server


@pytest.fixture
def gateway() -> Iterator["_native.MockServer"]:
    """A compatible gateway that still serves the seed's models."""
    with _mock_class()("gateway", today=TODAY) as server:
        yield server


def _component(variable: str):
    """A session fixture, named as the attribute it is assigned to: the path
    of the component in ``variable``."""

    @pytest.fixture(scope="session")
    def component() -> Path:
        return _path_from_env(variable)

    return component


openai_wasm = _component("OPENAI_BACKEND_WASM")
placeholder_wasm = _component("PLACEHOLDER_BACKEND_WASM")
placeholder_v02_wasm = _component("PLACEHOLDER_BACKEND_V0_2_WASM")
placeholder_v01_wasm = _component("PLACEHOLDER_BACKEND_V0_1_WASM")


@pytest.fixture(scope="session")
def openai(openai_wasm: Path) -> VisualBackend:
    return VisualBackend.load(openai_wasm, today=TODAY)


@pytest.fixture(scope="session")
def placeholder(placeholder_wasm: Path) -> VisualBackend:
    return VisualBackend.load(placeholder_wasm, today=TODAY)


def settings_for(server) -> dict:
    """The key and the mock's URL: all the OpenAI backend needs (no retries, so
    a fault is seen once)."""
    return {"api-key": server.api_key, "base-url": server.base_url, "max-retries": 0}


@pytest.fixture
def settings(mock) -> dict:
    return settings_for(mock)


@pytest.fixture
def client(openai: VisualBackend, settings: dict) -> Iterator[Client]:
    with openai.open(settings) as c:
        yield c
