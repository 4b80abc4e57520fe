"""The Python host itself: loading and refusing, the on-disk cache, the 0.3
shape of what it returns (and of 0.2 and 0.1 components), settings and arguments, the exceptions, the memory
cap, and the shipped type stubs."""

from __future__ import annotations

import ast
import dataclasses
import pickle
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import stub_twins
import talemate_visual
from helpers import png_size
from talemate_visual import (
    ERROR_CLASSES,
    BackendInfo,
    BackendTrapped,
    Capability,
    FieldSpec,
    InvalidInput,
    LoadError,
    ModelInfo,
    PartialImage,
    RateLimited,
    Size,
    Timeout,
    TimeoutPhase,
    VisualBackend,
    VisualBackendError,
    _native,
)

#: The smallest valid component: the preamble alone. It exports nothing.
EMPTY_COMPONENT = b"\x00asm\x0d\x00\x01\x00"

#: The cases of the contract's `error` variant, in WIT order (wit/since_v0.3.0/types.wit).
WIT_ERROR_CASES = [
    "invalid-input",
    "unsupported",
    "authentication",
    "permission-denied",
    "not-found",
    "content-policy",
    "rate-limited",
    "quota-exceeded",
    "timeout",
    "network",
    "upstream",
    "malformed-response",
    "cancelled",
]


def test_refuses_what_is_not_a_backend(tmp_path):
    with pytest.raises(LoadError, match="reading component"):
        VisualBackend.load(tmp_path / "missing.wasm")
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"\x00asm" + bytes(range(60)))
    with pytest.raises(LoadError):
        VisualBackend.load(junk, cache=False)
    with pytest.raises(LoadError, match="does not implement talemate:visual/visual-backend@0.3.x"):
        VisualBackend.from_bytes(EMPTY_COMPONENT, cache=False, source="empty.wasm")
    with pytest.raises(TypeError):
        VisualBackend.from_bytes("not bytes")


@pytest.mark.skipif(sys.platform == "win32", reason="the on-disk cache is used on Unix only (owners and modes)")
def test_a_second_load_comes_from_the_cache(placeholder_wasm, tmp_path):
    first = VisualBackend.load(placeholder_wasm, cache=tmp_path)
    second = VisualBackend.load(placeholder_wasm, cache=tmp_path)
    uncached = VisualBackend.load(placeholder_wasm, cache=False)
    assert (first.from_cache, second.from_cache, uncached.from_cache) == (False, True, False)
    assert any(p.is_file() for p in tmp_path.rglob("*")), "the compiled component was stored"
    assert second.load_time < first.load_time
    assert second.contract == "talemate:visual/visual-backend@0.3.0"
    # Entries are verified with the cache's key: another key does not trust them.
    other_key = VisualBackend.load(placeholder_wasm, cache=tmp_path, cache_key_file=tmp_path.parent / "other.key")
    assert not other_key.from_cache


def test_info_has_the_0_3_shape(placeholder):
    info = placeholder.info()
    assert isinstance(info, BackendInfo) and info.name == "placeholder"
    assert info.settings == ()  # the placeholder declares none
    assert [c.capability for c in info.capabilities] == list(Capability)
    model = info.capability("text-to-image").model()
    assert isinstance(model, ModelInfo)
    assert model.size_for("landscape") == Size(1536, 1024)
    assert model.sizes.free is not None and model.sizes.free.step == 1
    assert model.lifecycle is not None and model.lifecycle.state == "active"
    assert info.capability("image-edit").max_reference_images > 0
    # 0.3: output formats by name, no prices, no extra parameters.
    assert (model.output_formats, model.default_output_format, model.prices) == (("png",), "png", None)
    assert not info.capability("text-to-image").accepts_extra_parameters
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "other"
    assert placeholder.info() == info


def test_a_0_2_component_is_presented_in_the_0_3_shape(placeholder_v02_wasm):
    backend = VisualBackend.load(placeholder_v02_wasm, today="2026-12-02")
    assert backend.contract == "talemate:visual/visual-backend@0.2.0"
    info = backend.info()
    assert info.name == "placeholder" and info.settings == ()
    model = info.capability("text-to-image").model()
    assert "png" in model.output_formats and model.prices is None
    with backend.open() as client:
        assert client.check().ok
        generation = client.generate("a lighthouse", "landscape", output_format="png")
        (image,) = generation.images
        assert (image.mime_type, png_size(image.data)) == ("image/png", (1536, 1024))
        assert generation.cost is None and generation.svg_usage is None
        edited = client.edit("a lighthouse at night", [image.data], "square")
        assert png_size(edited.images[0].data) == (1024, 1024)
        # 0.2 had no extra parameters: asking for some is refused before the call.
        with pytest.raises(InvalidInput, match="contract 0.2 takes no extra parameters"):
            client.generate("a lighthouse", "square", extra={"seed": 7})


def test_a_0_1_component_is_presented_in_the_0_3_shape(placeholder_v01_wasm):
    backend = VisualBackend.load(placeholder_v01_wasm, today="2026-12-02")
    assert backend.contract == "talemate:visual/visual-backend@0.1.0"
    info = backend.info()
    # 0.1's fixed settings record becomes declared settings of the matching kinds.
    key = info.setting("api_key")
    assert isinstance(key, FieldSpec) and key.kind.name == "secret"
    assert info.setting("base-url").kind.name == "url"
    assert info.setting("generation-timeout").kind.name == "duration"
    with backend.open() as client:
        generation = client.generate("a lighthouse", "landscape")
        assert png_size(generation.images[0].data) == (1536, 1024)
        assert len(client.models()) >= 3  # from info(): 0.1 cannot ask the service


def test_settings_are_converted_to_their_declared_kinds(openai, mock):
    base = {"api_key": mock.api_key, "base_url": mock.base_url}
    for timeout in (timedelta(seconds=30), 30_000, {"generation_timeout_ms": 30_000}):
        extra = timeout if isinstance(timeout, dict) else {"generation_timeout": timeout}
        with openai.open(base, max_retries=0, extra_headers={"X-Gateway-Tenant": "t-42"}, **extra) as client:
            client.generate("a fox", "square", model="gpt-image-2")
    sent = mock.requests()
    assert len(sent) == 3 and all(r["ok"] for r in sent), sent
    assert all(("x-gateway-tenant", "t-42") in r["headers"] for r in sent)
    # A value of the wrong kind is the caller's mistake, named before anything runs.
    with pytest.raises(TypeError, match="api-key"):
        openai.open(api_key=1234)
    with pytest.raises(TypeError, match="max-retries"):
        openai.open(base, max_retries="three")
    # A name the backend does not declare is the backend's to refuse.
    with pytest.raises(InvalidInput):
        openai.open(base, no_such_setting="x")


def test_python_side_mistakes_are_caught_before_the_call(placeholder):
    with placeholder.open() as client:
        with pytest.raises(ValueError, match="ImageFormat"):
            client.generate("a boat", "panorama")
        with pytest.raises(ValueError, match="Capability"):
            client.check("painting")
        with pytest.raises(TypeError, match="bytes"):
            client.analyze("not bytes", "what?")
        with pytest.raises(TypeError, match="images"):
            client.edit("x", "not bytes")
        with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
            client.generate("a boat", "square", size="big")
        # Sizes in any of the accepted spellings.
        for size in ((640, 480), Size(640, 480), "640x480"):
            assert png_size(client.generate("a boat", size=size).images[0].data) == (640, 480)
        assert client.check().ok


@pytest.mark.parametrize("kind", WIT_ERROR_CASES)
def test_one_exception_class_per_error_case(kind):
    error = _native._error_for_kind(kind, "what went wrong")
    assert type(error) is ERROR_CLASSES[kind]
    assert isinstance(error, VisualBackendError) and error.kind == kind
    assert error.message == str(error) == "what went wrong"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.__dict__ == error.__dict__
    if isinstance(error, RateLimited):
        assert error.retry_after_ms == 1500 and error.status == 418
    if isinstance(error, Timeout):
        assert error.phase is TimeoutPhase.BETWEEN_BYTES


def test_every_error_case_has_its_class():
    assert sorted(ERROR_CLASSES) == sorted(WIT_ERROR_CASES)


def test_memory_is_capped_and_a_trap_only_costs_the_instance(placeholder_wasm):
    backend = VisualBackend.load(placeholder_wasm, memory_limit=4 * 1024 * 1024)
    with backend.open() as client:
        stream = client.start_generate("a castle", "square", partial_images=2)
        assert isinstance(stream.next(), PartialImage)
        # 8 MiB cannot be copied into a 4 MiB instance: its memory may not grow, and it traps.
        with pytest.raises(BackendTrapped, match="analyze"):
            client.analyze(bytes(8 * 1024 * 1024), "what is this?")
        assert client.memory_refused is not None and client.memory_refused > 4 * 1024 * 1024
        # The stream lived in the instance that trapped, and says so.
        with pytest.raises(BackendTrapped, match="start a new generation"):
            stream.next()
        # The next call runs in a fresh instance with the same settings.
        assert client.check().ok
        assert client.generate("a castle", "square").images[0].size == Size(1024, 1024)
        assert client.memory_refused is None


def test_the_package_ships_type_stubs_that_match_the_extension():
    package = Path(talemate_visual.__file__).parent
    assert (package / "py.typed").is_file()
    stub = ast.parse((package / "_native.pyi").read_text())
    classes = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}
    for name in ("VisualBackend", "Client", "GenerationStream"):
        body = classes[name].body
        declared = {n.name for n in body if isinstance(n, ast.FunctionDef)}
        declared |= {n.target.id for n in body if isinstance(n, ast.AnnAssign)}
        runtime = set(dir(getattr(_native, name)))
        public = {n for n in runtime if not n.startswith("_")}
        assert public - declared == set(), f"{name}: not in the stub: {public - declared}"
        assert declared - runtime == set(), f"{name}: in the stub only: {declared - runtime}"


def test_the_stubs_async_methods_are_written_from_their_synchronous_twins():
    source = stub_twins.STUB.read_text()
    assert stub_twins.regenerated(source) == source, "the a* stubs differ: run python tests/stub_twins.py --write"
    # The installed stubs are those, and each twin takes what its method takes.
    assert (Path(talemate_visual.__file__).parent / "_native.pyi").read_text() == source
    pairs = {(cls, sync.name, twin.name) for cls, sync, twin in stub_twins.class_twins(ast.parse(source))}
    in_native = {
        (cls, name, stub_twins.twin_name(name))
        for cls in ("VisualBackend", "Client", "GenerationStream")
        for name in dir(getattr(_native, cls))
        if stub_twins.twin_name(name) in dir(getattr(_native, cls)) and name not in stub_twins.NOT_TWINS
    }
    assert pairs == in_native
    for cls, sync, twin in pairs:
        native = getattr(_native, cls)
        assert getattr(native, sync).__text_signature__ == getattr(native, twin).__text_signature__, (cls, twin)
