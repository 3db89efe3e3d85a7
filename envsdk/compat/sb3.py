"""``SB3VecEnv``: an envsdk env as a Stable-Baselines3 ``VecEnv`` (built by ``envsdk.compat.to_sb3``).

Importing this module imports Stable-Baselines3 (``MissingExtraError`` with the fix when it is absent).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from envsdk._arrays import host_view
from envsdk.compat._common import EpisodeStats, final_rows, gym_space
from envsdk.errors import require

require("stable_baselines3", "sb3", "envsdk.compat.to_sb3")
import gymnasium as gym  # noqa: E402 (after the check: SB3 depends on Gymnasium)
from stable_baselines3.common.vec_env import VecEnv  # noqa: E402


class SB3VecEnv(VecEnv):
    """An envsdk env as an SB3 ``VecEnv``; ``envsdk.compat.to_sb3`` builds it and documents it."""

    def __init__(self, env, *, terminal_observation: str | None):
        self.env = env
        self.render_mode = None
        self._final = None if terminal_observation is None else final_rows(
            env, "to_sb3", 'infos[i]["terminal_observation"]', "terminal_observation=None (the key left out: SB3 "
            "then bootstraps no truncated episode)")
        self._stats = EpisodeStats(env.num_agents)
        # Device buffers (torch tensors) reach SB3 as numpy arrays on the host: host_view each step.
        self._device = getattr(env.buffers, "device", None) is not None
        self._t0 = time.time()
        self._actions: np.ndarray | None = None
        super().__init__(
            env.num_agents,
            gym_space(env.single_observation_space, gym.spaces),
            gym_space(env.single_action_space, gym.spaces),
        )

    def reset(self):
        seed = self._seeds[0]  # seed(s) set [s, s+1, ...]; envsdk seeds row i with s + i itself
        observations, _ = self.env.reset(seed=seed)
        self._reset_seeds()
        self._stats.reset()
        return (host_view(observations) if self._device else observations).copy()

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        observations, rewards, terminals, truncations, _ = self.env.step(self._actions)
        final = self._final
        if self._device:  # a view for CPU tensors, a host copy for device ones
            observations, rewards, terminals, truncations = (host_view(x) for x in (observations, rewards, terminals,
                                                                                    truncations))
            final = None if final is None else host_view(final)
        dones = terminals | truncations
        stats = self._stats
        stats.update(rewards)
        # DummyVecEnv's infos over Monitor-wrapped envs: every row says whether it was truncated;
        # an ended row's dict has Monitor's "episode" first and its last observation.
        infos: list[dict[str, Any]] = [{"TimeLimit.truncated": False} for _ in range(self.num_envs)]
        ended = np.flatnonzero(dones)
        if ended.size:
            elapsed = round(time.time() - self._t0, 6)
            finals = None if final is None else final[ended]  # a copy: the buffer row is reused
            for k, i in enumerate(ended.tolist()):
                info = infos[i] = {
                    "episode": {"r": round(float(stats.returns[i]), 6), "l": int(stats.lengths[i]), "t": elapsed},
                    "TimeLimit.truncated": bool(truncations[i]),
                }
                if finals is not None:
                    info["terminal_observation"] = finals[k]
            stats.restart(dones, 0.0)
        return observations.copy(), rewards.copy(), dones, infos

    def close(self) -> None:
        self.env.close()

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        if attr_name == "render_mode" and not hasattr(self.env, attr_name):
            value = None  # envsdk envs render on request (env.render(mode)); SB3 asks at construction
        else:
            value = getattr(self.env, attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        setattr(self.env, attr_name, value)

    def env_method(self, method_name: str, *method_args, indices=None, **method_kwargs) -> list[Any]:
        result = getattr(self.env, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]

    def get_images(self):
        raise NotImplementedError("SB3VecEnv: rendering is not forwarded; call the env's own render().")

    def __repr__(self) -> str:
        return f"SB3VecEnv({self.env!r}, num_envs={self.num_envs})"
