"""Seeds: the one check every backend and bundled env applies to ``reset(seed=...)``.

A seed is ``None`` (fresh entropy) or an integer in ``[0, 2**64)``: a Python ``int`` or a numpy
integer, never a bool, float or string. Sub-env ``i`` gets ``(seed + i) % 2**64``, so the seeds
of every sub-env are unsigned 64-bit integers, as the C sims' RNG state is, and the same seed
gives the same episodes under Serial, Multiprocessing, Ray, a C sim alone and the emulation
adapters (``protocol.py``, "Seeding").
"""

from __future__ import annotations

import operator
import os

import numpy as np

from envsdk.errors import ConfigError

SEED_LIMIT = 2**64  # seeds are in [0, SEED_LIMIT); sub-env seeds wrap modulo SEED_LIMIT


def check_seed(owner: str, seed) -> int | None:
    """``seed`` as a Python int in ``[0, 2**64)``, or None; ``ConfigError`` naming ``owner`` otherwise."""
    if seed is None:
        return None
    fix = "pass seed=None or an int in [0, 2**64), e.g. seed=0"
    if isinstance(seed, (bool, np.bool_)):  # an int to Python, but never meant as a seed
        raise ConfigError.of(owner, "seed", "None or an int in [0, 2**64)", f"bool {seed!r}", fix)
    try:
        value = operator.index(seed)  # int and numpy integers; not float, str or arrays of size > 1
    except TypeError:
        found = f"{type(seed).__name__} {seed!r}"[:80]
        raise ConfigError.of(owner, "seed", "None or an int in [0, 2**64)", found, fix) from None
    if not 0 <= value < SEED_LIMIT:
        raise ConfigError.of(owner, "seed", "an int in [0, 2**64)", value, fix)
    return value


def sub_seed(seed: int | None, i: int) -> int | None:
    """The seed of sub-env ``i`` under ``seed`` (already checked): ``(seed + i) % 2**64``, None stays None."""
    return None if seed is None else (seed + i) % SEED_LIMIT


def random_seed() -> int:
    """A fresh seed in ``[0, 2**64)`` from the OS, for an env reset with ``seed=None``."""
    return int.from_bytes(os.urandom(8), "little")
