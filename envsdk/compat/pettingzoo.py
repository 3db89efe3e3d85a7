"""``PettingZooParallelEnv``: an envsdk env as a PettingZoo ``ParallelEnv`` (built by ``envsdk.compat.to_pettingzoo``).

Importing this module imports PettingZoo (``MissingExtraError`` with the fix when it is absent).
"""

from __future__ import annotations

import time

import numpy as np

from envsdk._arrays import dtype_of, host_copy, host_view
from envsdk.compat._common import EpisodeStats, gym_space
from envsdk.errors import require

require("pettingzoo", "pettingzoo", "envsdk.compat.to_pettingzoo")
import gymnasium as gym  # noqa: E402 (after the check: PettingZoo depends on Gymnasium)
from pettingzoo import ParallelEnv  # noqa: E402


class PettingZooParallelEnv(ParallelEnv):
    """An envsdk env as a PettingZoo ``ParallelEnv``; ``envsdk.compat.to_pettingzoo`` builds it and documents it."""

    metadata = {"name": "envsdk", "is_parallelizable": True}  # noqa: RUF012 (PettingZoo's class attribute)

    def __init__(self, env, *, idle_action):
        self.env = env
        n = env.num_agents
        self.possible_agents = [f"agent_{i}" for i in range(n)]
        self._row = {name: i for i, name in enumerate(self.possible_agents)}
        self._obs_space = gym_space(env.single_observation_space, gym.spaces)
        self._act_space = gym_space(env.single_action_space, gym.spaces)
        b = env.buffers
        # Device buffers (torch tensors): rows are written into host actions that step copies in,
        # and the results are read as numpy arrays on the host (host_view).
        self._device = getattr(b, "device", None) is not None
        # Written here, row by row, then stepped without a copy (numpy buffers).
        self._actions = np.zeros(tuple(b.actions.shape), dtype_of(b.actions)) if self._device else b.actions
        self._idle = np.zeros_like(self._actions)
        if idle_action is not None:
            self._idle[...] = idle_action
        self._stats = EpisodeStats(n)
        self._live = np.zeros(n, bool)      # rows that are PettingZoo agents now
        self._finished = np.zeros(n, bool)  # rows whose PettingZoo episode ended (no revival)
        self.agents: list[str] = []
        self.render_mode = None

    def observation_space(self, agent):
        return self._obs_space

    def action_space(self, agent):
        return self._act_space

    def reset(self, seed: int | None = None, options: dict | None = None):
        observations, _ = self.env.reset(seed=seed)
        self._stats.reset()
        self._finished[:] = False
        self._live[:] = host_view(self.env.buffers.masks)
        live = np.flatnonzero(self._live).tolist()
        self.agents = [self.possible_agents[i] for i in live]
        observations = host_copy(observations)
        return {self.possible_agents[i]: observations[i] for i in live}, {a: {} for a in self.agents}

    def step(self, actions: dict):
        acts = self._actions
        acts[...] = self._idle
        row = self._row
        for name, action in actions.items():
            acts[row[name]] = action
        observations, rewards, terminals, truncations, _ = self.env.step(acts)
        masks = self.env.buffers.masks
        if self._device:
            rewards, terminals, truncations, masks = (host_view(x) for x in (rewards, terminals, truncations, masks))
        stats = self._stats
        stats.update(rewards)
        was_live = self._live
        ended = was_live & (terminals | truncations | ~masks)
        cut = was_live & ~masks & ~terminals  # left the population: truncated
        names = self.possible_agents
        reported = np.flatnonzero(was_live).tolist()
        observations = host_copy(observations)
        obs, rew, term, trunc, infos = {}, {}, {}, {}, {}
        for i in reported:
            name = names[i]
            obs[name] = observations[i]
            rew[name] = float(rewards[i])
            term[name] = bool(terminals[i])
            trunc[name] = bool(truncations[i] or cut[i])
            infos[name] = (
                {"episode_return": float(stats.returns[i]), "episode_length": int(stats.lengths[i])}
                if ended[i] else {}
            )
        stats.restart(terminals | truncations, time.perf_counter())
        self._finished |= ended
        self._live = masks & ~self._finished
        self.agents = [names[i] for i in np.flatnonzero(self._live).tolist()]
        return obs, rew, term, trunc, infos

    def close(self):
        self.env.close()

    def __repr__(self) -> str:
        return f"PettingZooParallelEnv({self.env!r}, agents={len(self.possible_agents)})"
