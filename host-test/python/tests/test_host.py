"""The Python host itself: what it refuses to load, and the list<u8> fast path."""

from __future__ import annotations

import ctypes
import os

import pytest
import wasmtime
from wasmtime import _ffi as ffi
from wasmtime.component import _types

from talemate_visual import BackendTrapped, LoadError, PartialImage, Settings, Size, VisualBackend
from talemate_visual import _fastbytes

# A component exporting the contract's interface at a version this host does not speak.
FUTURE_CONTRACT = """
(component
  (instance $backend)
  (export "talemate:visual/visual-backend@0.2.0" (instance $backend))
)
"""


def test_refuses_an_unsupported_contract_version():
    with pytest.raises(LoadError) as caught:
        VisualBackend.from_bytes(wasmtime.wat2wasm(FUTURE_CONTRACT), source="future.wasm")
    message = str(caught.value)
    assert "talemate:visual/visual-backend@0.2.0" in message
    assert "talemate:visual/visual-backend@0.1.x" in message


def test_refuses_what_is_not_a_backend(tmp_path):
    with pytest.raises(LoadError, match="cannot read component"):
        VisualBackend.load(tmp_path / "missing.wasm")
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(os.urandom(64))
    with pytest.raises(LoadError, match="not a WebAssembly component"):
        VisualBackend.load(junk)
    with pytest.raises(LoadError, match="does not implement talemate:visual/visual-backend@0.1.0"):
        VisualBackend.from_bytes(wasmtime.wat2wasm("(component)"))


def test_settings_repr_hides_the_key():
    assert "sk-secret" not in repr(Settings(api_key="sk-secret", base_url="http://x"))


def test_backend_info_is_the_same_from_every_thread(placeholder):
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        infos = list(pool.map(lambda _: placeholder.info(), range(8)))
    assert all(i == infos[0] for i in infos) and infos[0].name == "placeholder"


@pytest.mark.parametrize("data", [b"", b"\x00", bytes(range(256)) * 17, os.urandom(100_003)])
def test_fast_list_u8_matches_wasmtime_py_exactly(placeholder, data):
    """Lower with one implementation and lift with the other, both ways."""
    assert _fastbytes.install()
    list_u8 = _list_u8_type(placeholder)
    fast_to, fast_from = _types.ListType.convert_to_c, _types.ListType.convert_from_c
    slow_to, slow_from = _fastbytes.slow_conversions()

    for lower, lift in ((fast_to, slow_from), (slow_to, fast_from), (fast_to, fast_from)):
        val = ffi.wasmtime_component_val_t()
        lower(list_u8, None, data, ctypes.pointer(val))
        assert val.kind == ffi.WASMTIME_COMPONENT_LIST.value
        assert lift(list_u8, val) == data


def _list_u8_type(backend: VisualBackend):
    """The `image: list<u8>` field of analyze-request, as wasmtime-py describes it."""
    from talemate_visual.backend import _Instance

    instance = _Instance(backend)
    func = instance._instance.get_func(
        instance.store,
        instance._instance.get_export_index(instance.store, "[method]client.analyze", instance._interface),
    )
    (_, request), = [p for p in func.type(instance.store).params if p[0] == "request"]
    (list_u8,) = [ty for name, ty in request.fields if name == "image"]
    assert isinstance(list_u8, _types.ListType) and list_u8._is_bytes()
    return list_u8


def test_memory_is_capped_and_a_trap_only_costs_the_instance(placeholder_wasm):
    backend = VisualBackend.load(placeholder_wasm, memory_limit=4 * 1024 * 1024)
    with backend.open() as client:
        stream = client.start_generate("a castle", "square", partial_images=2)
        assert isinstance(stream.next(), PartialImage)
        # 8 MiB cannot be copied into a 4 MiB instance: the guest's allocator fails and it traps.
        with pytest.raises(BackendTrapped, match="client.analyze"):
            client.analyze(bytes(8 * 1024 * 1024), "what is this?")
        # The stream lived in the instance that trapped, and says so.
        with pytest.raises(BackendTrapped, match="start a new generation"):
            stream.next()
        # The next call runs in a fresh instance with the same settings.
        assert client.check().ok
        assert client.generate("a castle", "square").images[0].size == Size(1024, 1024)
