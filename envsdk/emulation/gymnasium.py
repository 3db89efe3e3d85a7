"""``GymnasiumEnv`` and ``from_gymnasium``: Gymnasium envs as envsdk envs (see ``envsdk.emulation``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from envsdk.buffers import allocate, copy_actions
from envsdk.config import positive_int
from envsdk.emulation._flatten import (
    action_layout,
    close_copies,
    episode_infos,
    observation_layout,
    reset_copies,
    resolve_env,
)
from envsdk.errors import ConfigError, StateError, require
from envsdk.protocol import Infos


class GymnasiumEnv:
    """``num_envs`` copies of a Gymnasium ``Env`` as one envsdk env (one agent row per copy).

    ``env``: a registered Gymnasium id (``"CartPole-v1"``, built with ``gymnasium.make(env,
    **env_kwargs)``), a callable returning a Gymnasium ``Env`` (called as ``env(**env_kwargs)``),
    or ``"module:callable"``.

    - Observations: see the module docstring (Box kept, anything else flattened to float32;
      ``self.unflatten`` splits it back, or is None when nothing was flattened).
    - Actions: Discrete (any ``start``), 1-d MultiDiscrete, float Box; anything else is a
      ``SpaceError``. Actions are passed on unchecked: out-of-range values get whatever the
      Gymnasium env does with them (CartPole raises).
    - Flags: ``terminated`` goes to ``terminals`` and ``truncated`` to ``truncations``; a step
      with both set counts as terminal only (the MDP ended; nothing to bootstrap).
    - Final observations: when ``buffers.final_observations`` is not None (``envsdk.make(GymnasiumEnv,
      ..., final_observations=True)``, or buffers from ``allocate(..., final_observations=True)``),
      the row of a copy whose episode ended gets the observation that copy's ``step`` returned
      (flattened as the observations are), before the copy is reset. Without it nothing is copied.
    - Infos: when episodes ended, one dict ``{"episode_return", "episode_length",
      "episode_count"}`` averaged over them; Gymnasium's own per-step info dicts are dropped.
    - ``max_steps``: the registered time limit (``spec.max_episode_steps``) or None.
    """

    def __init__(self, *, env: str | Callable[..., Any], num_envs: int = 1, env_kwargs: dict | None = None,
                 buffers=None):
        owner = "GymnasiumEnv"
        gym = require("gymnasium", "gymnasium", owner)
        self.num_envs = self.num_agents = positive_int(owner, "num_envs", num_envs)
        self.env, self.env_kwargs = env, dict(env_kwargs or {})
        self._closed, self._started = False, False
        self.envs: list = []
        make = resolve_env(env, owner)
        try:
            for _ in range(self.num_envs):
                kwargs = self.env_kwargs
                self.envs.append(gym.make(make, **kwargs) if isinstance(make, str) else make(**kwargs))
            first = self.envs[0]
            if not isinstance(first, gym.Env) or hasattr(first, "num_envs"):
                raise ConfigError(
                    f"{owner}: expected env to build a single gymnasium.Env, found {type(first).__name__}. "
                    "Fix: pass the id or factory of one env (not a gymnasium.vector env); num_envs makes the copies."
                )
            self.gymnasium_observation_space = first.observation_space
            self.gymnasium_action_space = first.action_space
            self.single_observation_space, self._put, self.unflatten = observation_layout(
                first.observation_space, owner)
            self.single_action_space, self._convert = action_layout(first.action_space, f"{owner} action space")
            if buffers is None:
                buffers = allocate(self.single_observation_space, self.single_action_space, self.num_agents)
            self.buffers = buffers.validate(self.single_observation_space, self.single_action_space,
                                            self.num_agents, owner=f"{owner}.buffers")
        except BaseException:
            self.close()
            raise
        spec = getattr(first, "spec", None)
        self.max_steps = getattr(spec, "max_episode_steps", None)
        self._returns = np.zeros(self.num_envs, np.float64)
        self._lengths = np.zeros(self.num_envs, np.int64)

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset copy ``i`` with ``(seed + i) % 2**64`` (``envsdk.seeding``). With ``seed=None`` each copy
        is reset with None: Gymnasium seeds it from fresh entropy the first time, and continues its RNG
        after that."""
        reset_copies(repr(self), self._closed, self.envs, self._observe, self.buffers, (self._returns, self._lengths),
                     seed)
        self._started = True
        return self.buffers.observations, []

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every copy; a copy whose episode ended is reset (no seed) in the same step, after its
        last observation went to ``buffers.final_observations`` (when the buffers have it)."""
        if not self._started:
            state = "closed" if self._closed else "not reset"
            raise StateError(f"{self!r}.step: expected reset() first, found the env {state}. "
                             "Fix: call reset(seed=...) once (and never after close()).")
        b = self.buffers
        copy_actions(b.actions, actions, "GymnasiumEnv.step")
        acts = self._convert(b.actions)
        rewards, terminals, truncations, ended = [], [], [], []
        put, observations, final = self._put, b.observations, b.final_observations
        for i, env in enumerate(self.envs):
            obs, reward, terminated, truncated, _ = env.step(acts[i])
            rewards.append(reward)
            terminals.append(terminated)
            truncations.append(truncated and not terminated)
            if terminated or truncated:
                ended.append(i)
                if final is not None:
                    put(final, i, obs)  # the wrapped env's own last observation, before reset replaces it
                obs, _ = env.reset()
            put(observations, i, obs)
        b.rewards[:] = rewards
        b.terminals[:] = terminals
        b.truncations[:] = truncations
        self._returns += b.rewards
        self._lengths += 1
        infos = episode_infos(self._returns, self._lengths, ended) if ended else []
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def _observe(self, i: int, obs) -> None:
        self._put(self.buffers.observations, i, obs)

    def close(self) -> None:
        """Close every copy (all of them, even if one raises). Safe to call twice."""
        if self._closed:
            return
        self._closed, self._started = True, False
        close_copies(self.envs)

    def __repr__(self) -> str:
        return f"GymnasiumEnv(env={self.env!r}, num_envs={self.num_envs})"


def from_gymnasium(factory_or_id: str | Callable[..., Any], *, num_envs: int = 1, buffers=None,
                   **env_kwargs) -> GymnasiumEnv:
    """Wrap ``num_envs`` copies of a Gymnasium env as one envsdk env: ``GymnasiumEnv(env=factory_or_id, ...)``.

    ``factory_or_id``: a registered id, a callable returning a ``gymnasium.Env``, or
    ``"module:callable"``; ``**env_kwargs`` go to ``gymnasium.make`` or the callable. For
    backends, pass the class and the same keywords: ``envsdk.make(GymnasiumEnv, num_envs=8,
    env="CartPole-v1")``. Raises ``MissingExtraError`` (an ``ImportError``) without Gymnasium.
    """
    return GymnasiumEnv(env=factory_or_id, num_envs=num_envs, env_kwargs=env_kwargs, buffers=buffers)
