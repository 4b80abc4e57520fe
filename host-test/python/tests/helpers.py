"""Small helpers shared by the tests."""

from __future__ import annotations

import struct
import time
import zlib
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


def gif_frames(data: bytes) -> int:
    """How many frames (image descriptors) a GIF holds, walked block by block
    (GIF89a's structure; no imaging library needed)."""
    assert data[:6] in (b"GIF87a", b"GIF89a"), f"not a GIF: {data[:6]!r}"

    def color_table_size(flags: int) -> int:
        return 3 * (2 << (flags & 0x07)) if flags & 0x80 else 0

    def skip_sub_blocks(at: int) -> int:
        while data[at] != 0:
            at += data[at] + 1
        return at + 1

    at = 13 + color_table_size(data[10])  # header, logical screen descriptor, global table
    frames = 0
    while True:
        block = data[at]
        if block == 0x3B:  # trailer
            return frames
        if block == 0x21:  # extension: label, then data sub-blocks
            at = skip_sub_blocks(at + 2)
        elif block == 0x2C:  # image descriptor, local table, LZW code size, image data
            frames += 1
            at = skip_sub_blocks(at + 10 + color_table_size(data[at + 9]) + 1)
        else:
            raise AssertionError(f"not a GIF block at byte {at}: {block:#x}")


def gif_size(data: bytes) -> Tuple[int, int]:
    """Width and height from a GIF's logical screen descriptor."""
    assert data[:6] in (b"GIF87a", b"GIF89a"), f"not a GIF: {data[:6]!r}"
    return struct.unpack("<HH", data[6:10])


def solid_png(width: int, height: int, rgb=(200, 40, 40)) -> bytes:
    """A valid RGB PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")
