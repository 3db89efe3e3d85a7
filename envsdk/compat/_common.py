"""What every adapter of ``envsdk.compat`` shares: the env check, space conversion, per-row episode stats."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from envsdk import spaces as _spaces
from envsdk.errors import ConfigError, ProtocolError
from envsdk.protocol import ENV_MEMBERS, Env


def check_env(env: Any, owner: str) -> None:
    if not isinstance(env, Env):
        missing = [m for m in ENV_MEMBERS if not hasattr(env, m)]
        raise ProtocolError(
            f"envsdk.compat.{owner}: expected an envsdk env (see envsdk/protocol.py), found "
            f"{type(env).__name__} missing {', '.join(missing)}. Fix: pass envsdk.make(...) or an env object."
        )


def final_rows(env: Any, owner: str, key: str, opt_out: str) -> np.ndarray:
    """``env.buffers.final_observations``, which the adapter ``owner`` reads to give ``key``;
    ``ConfigError`` with the fix when the env was built without them."""
    final = getattr(env.buffers, "final_observations", None)
    if final is None:
        raise ConfigError.of(
            f"envsdk.compat.{owner}", "env",
            f"an env built with final_observations=True (each ended row's last observation, given as {key})",
            "env.buffers.final_observations None",
            f"build it with final_observations=True (envsdk.make(name, ..., final_observations=True), or the same "
            f"keyword of a backend), or pass {opt_out}",
        )
    return final


def gym_space(space, gym_spaces):
    """The Gymnasium space equal to an envsdk (or Gymnasium) space."""
    k = _spaces.kind(space)
    if k == "discrete":
        return gym_spaces.Discrete(int(space.n), start=int(getattr(space, "start", 0)))
    if k == "multidiscrete":
        return gym_spaces.MultiDiscrete(np.asarray(space.nvec, np.int64))
    dtype = np.dtype(space.dtype)
    low, high = np.asarray(space.low, np.float64), np.asarray(space.high, np.float64)
    if dtype.kind in "iu":  # envsdk keeps bounds in float64 (inf = unbounded); Gymnasium wants dtype values
        info = np.iinfo(dtype)
        low, high = np.where(np.isfinite(low), low, info.min), np.where(np.isfinite(high), high, info.max)
    elif dtype == np.bool_:
        low, high = np.zeros(space.shape), np.ones(space.shape)
    return gym_spaces.Box(low.astype(dtype), high.astype(dtype), shape=tuple(space.shape), dtype=dtype)


class EpisodeStats:
    """Per-row return and length of the running episodes, from rewards and flags: O(rows) numpy per step.

    envsdk's infos report means over the episodes that ended; Gymnasium, SB3 and PettingZoo want
    each ended row's own return and length, so the adapters keep them here.
    """

    def __init__(self, n: int):
        self.returns = np.zeros(n, np.float64)
        self.lengths = np.zeros(n, np.int64)
        self.starts = np.full(n, time.perf_counter())

    def reset(self) -> None:
        self.returns[:] = 0
        self.lengths[:] = 0
        self.starts[:] = time.perf_counter()

    def update(self, rewards: np.ndarray) -> None:
        """Add one step to every row; the caller reads the ended rows, then calls ``restart``."""
        self.returns += rewards
        self.lengths += 1

    def restart(self, dones: np.ndarray, now: float) -> None:
        """Start new episodes on the ``dones`` rows (``now``: their start time, ``time.perf_counter()``)."""
        np.copyto(self.returns, 0.0, where=dones)  # copyto(where=): no index arrays, unlike returns[dones] = 0
        np.copyto(self.lengths, 0, where=dones)
        np.copyto(self.starts, now, where=dones)
