"""Catcher: the thin Python side of the C sim catcher.h (spaces, config, one CSim)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from envsdk import spaces
from envsdk.config import check_int, reject_unknown
from envsdk.csim import CSim

try:  # built by `pip install --no-build-isolation .` (build_sim.py): nothing compiles at import
    import catcher._catcher as sims
except ModuleNotFoundError:  # a checkout: compiled on first use, then cached while the header is unchanged
    from envsdk.cbuild import load

    sims = load(Path(__file__).with_name("catcher.h"))


class Catcher:
    """``num_envs`` grids of ``rows x cols`` cells; a paddle on the bottom row catches a falling ball.

    Observation ``[rows, cols]`` uint8: 0 empty, 1 ball, 2 paddle. Action ``Discrete(3)``: 0 left,
    1 stay, 2 right; any other value stays. The ball falls one row per step from a random column of
    the top row; when it reaches the bottom row the episode ends (terminal) with reward +1 if the
    paddle is under it, else -1. Infos: episode_return, episode_length, caught (the fraction of
    balls caught), episode_count.
    """

    def __init__(self, *, num_envs: int = 1, rows: int = 10, cols: int = 5, buffers=None, **unknown):
        reject_unknown(Catcher, unknown)
        num_envs = check_int("Catcher", "num_envs", num_envs, 1, 2**31 - 1)
        self.rows = check_int("Catcher", "rows", rows, 2, 1024)
        self.cols = check_int("Catcher", "cols", cols, 1, 1024)
        self.single_observation_space = spaces.Box(0, 2, shape=(self.rows, self.cols), dtype=np.uint8)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents = num_envs
        # Binds the buffers (allocated when None) to the struct's pointers, sets its config fields
        # (num_envs included: an array-style struct holds every sub-env) and calls catcher_init.
        self._sim = CSim(sims, "catcher", self, buffers, num_envs=num_envs, rows=self.rows, cols=self.cols)
        self.buffers = self._sim.buffers

    def reset(self, seed: int | None = None):
        """Seed sub-env ``i`` with ``seed + i`` and start every episode; returns ``(observations, infos)``."""
        return self._sim.reset(seed)

    def step(self, actions):
        """Advance every sub-env one step in one C call; returns the protocol's five results."""
        return self._sim.step(actions)

    def close(self) -> None:
        """Free the C state; calling it twice is harmless."""
        self._sim.close()
