"""Small helpers the bundled envs use to render: numpy RGB frames and ANSI text.

Frames are ``uint8 [H, W, 3]`` arrays, ready for imageio/PIL to write as GIF or video.
"""

from __future__ import annotations

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
