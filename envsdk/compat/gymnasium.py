"""``GymnasiumVectorEnv``: an envsdk env as a Gymnasium ``VectorEnv`` (built by ``envsdk.compat.to_gymnasium``).

Importing this module imports Gymnasium (``MissingExtraError`` with the fix when it is absent).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from envsdk.compat._common import EpisodeStats, gym_space
from envsdk.errors import ConfigError, require

gym = require("gymnasium", "gymnasium", "envsdk.compat.to_gymnasium")
from gymnasium.vector import AutoresetMode, VectorEnv  # noqa: E402 (after the check that Gymnasium is there)
from gymnasium.vector.utils import batch_space  # noqa: E402


class GymnasiumVectorEnv(VectorEnv):
    """An envsdk env as a Gymnasium ``VectorEnv``; ``envsdk.compat.to_gymnasium`` builds it and documents it."""

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}  # noqa: RUF012 (Gymnasium's class attribute)

    def __init__(self, env, *, copy: bool, stats_key: str | None):
        self.env = env
        self.num_envs = env.num_agents
        self.single_observation_space = gym_space(env.single_observation_space, gym.spaces)
        self.single_action_space = gym_space(env.single_action_space, gym.spaces)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}
        self.render_mode = None
        self.copy = copy
        self._stats_key, self._mask_key = stats_key, f"_{stats_key}"
        self._stats = None if stats_key is None else EpisodeStats(self.num_envs)

    def reset(self, *, seed: int | list[int] | None = None, options: dict | None = None):
        if options:
            raise ConfigError(
                f"GymnasiumVectorEnv.reset: expected no options, found {sorted(options)}. Fix: envsdk envs "
                "reset every row together and take no reset options; drop them (partial resets happen "
                "by themselves, inside step)."
            )
        if isinstance(seed, (list, tuple)):
            if list(seed) != list(range(seed[0], seed[0] + len(seed))) or len(seed) != self.num_envs:
                raise ConfigError(
                    f"GymnasiumVectorEnv.reset: expected seed=s or the {self.num_envs} seeds [s, s+1, ...], "
                    f"found {seed[:4]}{'...' if len(seed) > 4 else ''}. Fix: pass seed=s (row i gets s + i)."
                )
            seed = seed[0]
        super().reset(seed=seed)
        observations, _ = self.env.reset(seed=seed)
        if self._stats is not None:
            self._stats.reset()
        return (observations.copy() if self.copy else observations), {}

    def step(self, actions):
        observations, rewards, terminals, truncations, _ = self.env.step(actions)
        infos: dict[str, Any] = {}
        stats = self._stats
        if stats is not None:
            stats.update(rewards)
            dones = terminals | truncations
            if dones.any():
                now = time.perf_counter()
                infos[self._stats_key] = {
                    "r": np.where(dones, stats.returns, 0.0),
                    "l": np.where(dones, stats.lengths, 0),
                    "t": np.where(dones, now - stats.starts, 0.0),  # seconds; Gymnasium rounds to 1 us
                }
                infos[self._mask_key] = dones
                stats.restart(dones, now)
        if self.copy:
            return observations.copy(), rewards.copy(), terminals.copy(), truncations.copy(), infos
        return observations, rewards, terminals, truncations, infos

    def close_extras(self, **kwargs):
        self.env.close()

    def __repr__(self) -> str:
        return f"GymnasiumVectorEnv({self.env!r}, num_envs={self.num_envs})"
