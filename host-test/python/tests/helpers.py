"""Small helpers shared by the tests."""

from __future__ import annotations

import struct
from typing import Tuple


def png_size(data: bytes) -> Tuple[int, int]:
    """Width and height from a PNG's IHDR, after checking the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"not a PNG: {data[:8]!r}"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])
