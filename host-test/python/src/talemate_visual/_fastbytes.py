"""A C-speed path for ``list<u8>`` in wasmtime-py's dynamic component API.

wasmtime-py 50 moves a ``list<u8>`` as one 32-byte tagged ``wasmtime_component_val_t``
per byte and converts each with a Python call: about a microsecond per byte,
so a 1 MB reference image costs a second each way. This module replaces the
per-byte loop with two strided slice copies (the tag column and the value
column) through a memoryview over the C array. Values and memory layout are
exactly what wasmtime-py itself would produce; other list types are untouched.

The patch is applied once, only when the ctypes layout is the one it was
written for; otherwise wasmtime-py's own (slow, correct) conversion is kept.
"""

from __future__ import annotations

import ctypes
from typing import Any

_MARK = "_talemate_visual_fast_bytes"
_SLOW = "_talemate_visual_slow_bytes"


def install() -> bool:
    """Installs the fast path; returns whether it is active."""
    try:
        from wasmtime import _ffi as ffi
        from wasmtime.component import _types
    except ImportError:  # pragma: no cover - a layout this module does not know
        return False
    list_type = _types.ListType
    if getattr(list_type, _MARK, False):
        return True
    try:
        val_t = ffi.wasmtime_component_val_t
        stride = ctypes.sizeof(val_t)
        kind_offset = val_t.kind.offset  # type: ignore[attr-defined]
        kind_size = val_t.kind.size  # type: ignore[attr-defined]
        value_offset = val_t.of.offset + ffi.wasmtime_component_valunion_t.u8.offset  # type: ignore[attr-defined]
        kind_u8 = ffi.WASMTIME_COMPONENT_U8.value
        kind_list = ffi.WASMTIME_COMPONENT_LIST
        new_uninit = ffi.wasmtime_component_vallist_new_uninit
        delete = ffi.wasmtime_component_vallist_delete
        vallist_t = ffi.wasmtime_component_vallist_t
    except AttributeError:  # pragma: no cover
        return False
    if kind_size != 1:  # pragma: no cover - the tag column is copied bytewise
        return False

    slow_to_c = list_type.convert_to_c
    slow_from_c = list_type.convert_from_c

    def columns(data_ptr: Any, n: int) -> memoryview:
        array = (ctypes.c_uint8 * (n * stride)).from_address(ctypes.addressof(data_ptr.contents))
        return memoryview(array).cast("B")

    def convert_to_c(self: Any, store: Any, val: Any, ptr: Any) -> None:
        if not (isinstance(val, bytes) and self._is_bytes()):
            return slow_to_c(self, store, val, ptr)
        n = len(val)
        raw = vallist_t()
        new_uninit(raw, n)
        if n:
            with columns(raw.data, n) as view:
                view[kind_offset::stride] = bytes([kind_u8]) * n
                view[value_offset::stride] = val
        ptr.contents.kind = kind_list
        ptr.contents.of.list = raw

    def convert_from_c(self: Any, c: Any) -> Any:
        if not self._is_bytes():
            return slow_from_c(self, c)
        assert c.kind == kind_list.value
        n = c.of.list.size
        if n:
            with columns(c.of.list.data, n) as view:
                if bytes(view[kind_offset::stride]).count(kind_u8) != n:
                    return slow_from_c(self, c)  # not plain u8 values: let wasmtime-py decide
                data = bytes(view[value_offset::stride])
        else:
            data = b""
        delete(ctypes.byref(c.of.list))
        return data

    setattr(list_type, _SLOW, (slow_to_c, slow_from_c))
    list_type.convert_to_c = convert_to_c  # type: ignore[method-assign]
    list_type.convert_from_c = convert_from_c  # type: ignore[method-assign]
    setattr(list_type, _MARK, True)
    return True


def slow_conversions() -> Any:
    """wasmtime-py's own ``(convert_to_c, convert_from_c)``, kept for tests."""
    from wasmtime.component import _types

    return getattr(_types.ListType, _SLOW, (_types.ListType.convert_to_c, _types.ListType.convert_from_c))
