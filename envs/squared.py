"""squared: the minimal sanity env (C sim in csrc/squared.h). An agent walks to a target cell."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.render import colour, grid_to_ansi, grid_to_rgb

_PALETTE = np.array([[20, 20, 28], [80, 200, 255], [255, 90, 90]], np.uint8)  # empty, agent, target
_GLYPHS = {0: "·", 1: colour("A", 45), 2: colour("T", 203)}


class Squared:
    """``num_envs`` grids of ``size x size``; each agent walks from the centre to a target.

    Observation ``[size*size]`` uint8 (0 empty, 1 agent, 2 target). Action ``Discrete(5)``:
    stay, up, down, left, right; values outside 0..4 mean stay. Reward +1 on reaching the target
    (terminal). Truncated after ``max_steps`` steps. Infos: episode_return, episode_length,
    score (fraction of episodes that reached the target), episode_count.

    ``report_every=n`` (default 16) reports infos on every n-th step since reset, each covering
    the episodes that ended since the last report; ``report_every=1`` reports each episode on the
    step it ends (a report costs about 1 µs: a few percent of a batch step at 4096 sub-envs).
    """

    def __init__(self, *, num_envs: int = 1, size: int = 11, max_steps: int = 33, report_every: int = 16,
                 buffers=None, **unknown):
        reject_unknown(Squared, unknown)
        num_envs = check_int("Squared", "num_envs", num_envs, 1, 2**31 - 1)
        self.size = check_int("Squared", "size", size, 2, 255)
        self.max_steps = check_int("Squared", "max_steps", max_steps, 1, 2**31 - 1)
        self.single_observation_space = spaces.Box(0, 2, shape=(size * size,), dtype=np.uint8)
        self.single_action_space = spaces.Discrete(5)
        self.num_envs = self.num_agents = num_envs
        self._sim = CSim(
            _sims, "squared", self, buffers, num_envs=num_envs, size=size, max_steps=max_steps,
            report_every=report_every,
        )
        self.buffers = self._sim.buffers

    def reset(self, seed: int | None = None):
        return self._sim.reset(seed)

    def step(self, actions):
        return self._sim.step(actions)

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[size*8, size*8, 3]`` (``"rgb_array"``) or text (``"ansi"``)."""
        grid = self.buffers.observations[index].reshape(self.size, self.size)
        return grid_to_ansi(grid, _GLYPHS) if mode == "ansi" else grid_to_rgb(grid, _PALETTE)

    def close(self) -> None:
        self._sim.close()


CONTROLS = Controls(
    legend="press w a s d or the arrow keys to step up, left, down or right, space or Enter to stay",
    actions=("stay", "up", "down", "left", "right"),
    keys={"space": 0, "enter": 0, "w": 1, "up": 1, "s": 2, "down": 2, "a": 3, "left": 3, "d": 4, "right": 4},
    sides=("A: walk to the target T",),
    single_key=True, pace=0.2,
)
"""How a person plays squared (``envsdk play``); see ``envsdk.controls.Controls``."""
