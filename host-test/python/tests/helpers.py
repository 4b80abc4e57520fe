"""Small helpers shared by the tests."""

from __future__ import annotations

import struct
import time
from typing import Callable, Tuple


def png_size(data: bytes) -> Tuple[int, int]:
    """Width and height from a PNG's IHDR, after checking the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"not a PNG: {data[:8]!r}"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def eventually(condition: Callable[[], bool], what: str, seconds: float = 3.0) -> None:
    """Polls ``condition`` until it holds, for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)
