"""Small Gymnasium and PettingZoo envs for tests/test_emulation.py, importable by spawned workers
(tests/ is on sys.path)."""

from __future__ import annotations

from typing import ClassVar

import gymnasium
import numpy as np
from gymnasium import spaces as gs
from pettingzoo import ParallelEnv


class DictObsEnv(gymnasium.Env):
    """A random walk with a nested Dict observation holding every flattenable leaf kind.

    Keys are given out of order on purpose: Gymnasium sorts them, and so must the flat layout.
    Action ``Discrete(2)``; each episode ends (terminal) with probability 0.1 per step.
    """

    observation_space = gs.Dict({
        "pos": gs.Box(-1.0, 1.0, shape=(2, 3), dtype=np.float64),
        "kind": gs.Discrete(3, start=1),
        "flags": gs.MultiBinary(4),
        "nested": gs.Tuple((gs.Box(0, 255, shape=(2,), dtype=np.uint8), gs.MultiDiscrete([2, 3]))),
    })
    action_space = gs.Discrete(2)

    def _obs(self):
        r = self.np_random
        return {
            "pos": r.uniform(-1, 1, size=(2, 3)),
            "kind": int(r.integers(1, 4)),
            "flags": r.integers(0, 2, size=4).astype(np.int8),
            "nested": (r.integers(0, 256, size=2).astype(np.uint8), r.integers(0, [2, 3]).astype(np.int64)),
        }

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.last = self._obs()
        return self.last, {}

    def step(self, action):
        self.last = self._obs()
        return self.last, float(action), bool(self.np_random.random() < 0.1), False, {"ignored": 1}


class Dwindle(ParallelEnv):
    """Three agents that leave one by one: agent ``k`` is done after ``k + 1`` steps.

    ``a0`` terminates at step 1, ``a1`` is truncated at step 2, ``a2`` terminates at step 3, when the
    env has no agents left. Observations ``Box(0, 10, (2,))``: ``[agent index, steps taken]``;
    reward ``action + 1`` per present agent.
    """

    metadata: ClassVar[dict] = {"name": "dwindle_v0"}

    def __init__(self):
        self.possible_agents = ["a0", "a1", "a2"]
        self.agents = []
        self._obs_space = gs.Box(0.0, 10.0, shape=(2,), dtype=np.float32)
        self._act_space = gs.Discrete(2)

    def observation_space(self, agent):
        return self._obs_space

    def action_space(self, agent):
        return self._act_space

    def _observations(self):
        return {a: np.array([self.possible_agents.index(a), self.t], np.float32) for a in self.agents}

    def reset(self, seed=None, options=None):
        self.agents, self.t = list(self.possible_agents), 0
        return self._observations(), {a: {} for a in self.agents}

    def step(self, actions):
        self.t += 1
        rewards = {a: float(actions[a]) + 1.0 for a in self.agents}
        terms = {a: self.t == k + 1 and k != 1 for k, a in enumerate(self.possible_agents) if a in self.agents}
        truncs = {a: self.t == k + 1 and k == 1 for k, a in enumerate(self.possible_agents) if a in self.agents}
        obs = self._observations()
        self.agents = [a for a in self.agents if not (terms[a] or truncs[a])]
        return obs, rewards, terms, truncs, {a: {} for a in rewards}


def dwindle() -> Dwindle:
    return Dwindle()


class MixedSpaces(Dwindle):
    """Like Dwindle, but agent a2 sees a bigger observation (not supported without padding)."""

    def observation_space(self, agent):
        return gs.Box(0.0, 10.0, shape=(3,), dtype=np.float32) if agent == "a2" else self._obs_space


class DictDwindle(Dwindle):
    """Dwindle with a Dict observation ``{"t": Box (1,), "agent": Discrete(3)}``: steps taken and the
    agent's index. Flat rows (keys sorted, as Gymnasium does): ``[one-hot agent (3), t]``."""

    def __init__(self):
        super().__init__()
        self._obs_space = gs.Dict({"t": gs.Box(0.0, 10.0, shape=(1,), dtype=np.float32), "agent": gs.Discrete(3)})

    def _observations(self):
        return {a: {"t": np.array([self.t], np.float32), "agent": self.possible_agents.index(a)} for a in self.agents}


def dict_dwindle() -> DictDwindle:
    return DictDwindle()
