"""squared: the minimal sanity env (C sim in csrc/squared.h). An agent walks to a target cell.

``SquaredOne`` is the same game written in C's one-sub-env style (csrc/squared_one.h), bit-identical
to ``Squared``; it shows and measures that style and is not registered.
"""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.render import colour, grid_to_ansi, grid_to_rgb

_PALETTE = np.array([[20, 20, 28], [80, 200, 255], [255, 90, 90]], np.uint8)  # empty, agent, target
_GLYPHS = {0: "·", 1: colour("A", 45), 2: colour("T", 203)}


def _bind(env, sim: str, buffers, unknown: dict, *, num_envs, size, max_steps, report_every) -> None:
    """Validate the config, set ``env``'s spaces and bind it to the C sim ``sim`` (both classes' constructor)."""
    owner = type(env).__name__
    reject_unknown(type(env), unknown)
    num_envs = check_int(owner, "num_envs", num_envs, 1, 2**31 - 1)
    env.size = check_int(owner, "size", size, 2, 255)
    env.max_steps = check_int(owner, "max_steps", max_steps, 1, 2**31 - 1)
    env.single_observation_space = spaces.Box(0, 2, shape=(size * size,), dtype=np.uint8)
    env.single_action_space = spaces.Discrete(5)
    env.num_envs = env.num_agents = num_envs
    env._sim = CSim(_sims, sim, env, buffers, num_envs=num_envs, size=size, max_steps=max_steps,
                    report_every=report_every)
    env.buffers = env._sim.buffers
    # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
    env.reset, env.step, env.close = env._sim.reset, env._sim.step, env._sim.close


class Squared:
    """``num_envs`` grids of ``size x size``; each agent walks from the centre to a target.

    These are the rules; ``csrc/squared.h`` and ``csrc/squared_one.h`` implement them (their
    comments say only how).

    Observation ``[size*size]`` uint8 (0 empty, 1 agent, 2 target). Action ``Discrete(5)``:
    stay, up, down, left, right; values outside 0..4 mean stay, and a move into a wall stays put.
    Each episode starts with the agent in the centre cell (row and column ``size // 2``) and the
    target on a uniformly random other cell. Reward +1 on reaching the target (terminal), else 0.
    Truncated after ``max_steps`` steps. Infos: episode_return, episode_length, score (fraction of
    episodes that reached the target), episode_count.

    Final observation (in ``final_observations``, when the buffers have it): the grid after the
    last move, the agent covering the target for a terminal.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(self, *, num_envs: int = 1, size: int = 11, max_steps: int = 33, report_every: int = 16,
                 buffers=None, **unknown):
        _bind(self, "squared", buffers, unknown, num_envs=num_envs, size=size, max_steps=max_steps,
              report_every=report_every)

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[size*8, size*8, 3]`` (``"rgb_array"``) or text (``"ansi"``)."""
        grid = self.buffers.observations[index].reshape(self.size, self.size)
        return grid_to_ansi(grid, _GLYPHS) if mode == "ansi" else grid_to_rgb(grid, _PALETTE)


class SquaredOne:
    """``Squared`` with its C sim written one sub-env at a time (csrc/squared_one.h, ``ENVSDK_SUB_ENV``).

    Same config, spaces, outputs and render as ``Squared``, bit for bit from the same seed and
    actions; it exists to show that style and to measure its cost (``bench/bench_user_c.py``).
    """

    def __init__(self, *, num_envs: int = 1, size: int = 11, max_steps: int = 33, report_every: int = 16,
                 buffers=None, **unknown):
        _bind(self, "squared_one", buffers, unknown, num_envs=num_envs, size=size, max_steps=max_steps,
              report_every=report_every)

    # The same render as Squared's (a plain function shared, not inherited).
    render = Squared.render


CONTROLS = Controls(
    legend="press w a s d or the arrow keys to step up, left, down or right, space or Enter to stay",
    actions=("stay", "up", "down", "left", "right"),
    keys={"space": 0, "enter": 0, "w": 1, "up": 1, "s": 2, "down": 2, "a": 3, "left": 3, "d": 4, "right": 4},
    sides=("A: walk to the target T",),
    single_key=True, pace=0.2,
)
"""How a person plays squared (``envsdk play``); see ``envsdk.controls.Controls``."""
