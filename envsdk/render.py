"""Small helpers the bundled envs use to render: numpy RGB frames and ANSI text.

Frames are ``uint8 [H, W, 3]`` arrays, ready for imageio/PIL to write as GIF or video, or for ``png``.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np


def grid_to_rgb(grid: np.ndarray, palette: np.ndarray, scale: int = 8) -> np.ndarray:
    """Colour an integer grid ``[H, W]`` with ``palette[value]`` and upscale each cell ``scale``x."""
    frame = np.asarray(palette, np.uint8)[np.asarray(grid)]
    return np.repeat(np.repeat(frame, scale, axis=0), scale, axis=1)


def grid_to_ansi(grid: np.ndarray, glyphs: dict[int, str]) -> str:
    """Draw an integer grid ``[H, W]`` as text lines, one glyph (which may carry ANSI colour) per cell."""
    return "\n".join("".join(glyphs[int(v)] for v in row) for row in np.asarray(grid))


def colour(text: str, code: int) -> str:
    """Wrap ``text`` in an ANSI 256-colour foreground escape."""
    return f"\x1b[38;5;{code}m{text}\x1b[0m"


def png(frame: np.ndarray, level: int = 1) -> bytes:
    """An RGB frame ``uint8 [H, W, 3]`` as PNG file bytes (8-bit truecolour, no filter, zlib ``level``).

    Written with the standard library alone, so serving frames (``envsdk serve``) needs no imaging
    package; level 1 keeps a 576x330 breakout frame at about 2 ms.
    """
    frame = np.ascontiguousarray(frame, np.uint8)
    height, width, _ = frame.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)  # each row: filter type 0 (none), then its pixels
    rows[:, 1:] = frame.reshape(height, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, no filter, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
            + chunk(b"IEND", b""))
