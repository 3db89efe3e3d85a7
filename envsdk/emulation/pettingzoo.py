"""``PettingZooEnv`` and ``from_pettingzoo``: PettingZoo parallel envs as envsdk envs (see ``envsdk.emulation``)."""

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
from envsdk.errors import ConfigError, SpaceError, StateError, require
from envsdk.protocol import Infos


class PettingZooEnv:
    """``num_envs`` copies of a PettingZoo ``ParallelEnv`` as one envsdk env, in fixed agent rows.

    ``env``: a callable returning a ``ParallelEnv`` (called as ``env(**env_kwargs)``; e.g.
    ``pettingzoo.classic.rps_v2.parallel_env``) or ``"module:callable"``.

    - Rows: the ``possible_agents`` of copy ``e`` (``A`` of them) are rows ``[e*A, (e+1)*A)``, in
      ``possible_agents`` order. Every agent must have the same observation and action space
      (flattened and checked as for ``GymnasiumEnv``); envs whose agents differ need padding
      wrappers (e.g. SuperSuit's ``pad_observations_v0``, ``pad_action_space_v0``) first.
    - Masks: ``masks[row]`` is True when the row carries data this step: its agent is present, or
      its agent's episode ended in this very step (its final reward and flag are live). Other rows
      (agents gone or not yet spawned) have a zero observation, reward 0 and no flags, and their
      actions are ignored; only present agents get an action.
    - Flags per agent as in ``GymnasiumEnv`` (terminal wins over truncation).
    - Autoreset: when a copy has no agents left, it is reset (no seed) in the same step; rows keep
      the ended episode's rewards and flags and get the next episode's first observations.
    - Seeds: ``reset(seed=s)`` resets copy ``e`` with ``(s + e) % 2**64``.
    - Final observations: when ``buffers.final_observations`` is not None (``envsdk.make(PettingZooEnv,
      ..., final_observations=True)``), the row of an agent whose episode ended in a step gets the
      observation the copy's ``step`` returned for it (zeros if it returned none), before anything is
      reset. Without it nothing is copied.
    - Infos: when agents' episodes ended, one dict averaging over those agent episodes:
      ``episode_return`` (the agent's rewards) and ``episode_length`` (the steps the agent was
      present for). PettingZoo's per-step info dicts are dropped.
    """

    def __init__(self, *, env: str | Callable[..., Any], num_envs: int = 1, env_kwargs: dict | None = None,
                 buffers=None):
        owner = "PettingZooEnv"
        pettingzoo = require("pettingzoo", "pettingzoo", owner)
        self.num_envs = positive_int(owner, "num_envs", num_envs)
        self.env, self.env_kwargs = env, dict(env_kwargs or {})
        self._closed, self._started = False, False
        self.envs: list = []
        make = resolve_env(env, owner)
        if isinstance(make, str):
            raise ConfigError(f"{owner}: expected env to be a callable or 'module:callable', found {env!r}. "
                              "Fix: pass e.g. env=pettingzoo.classic.rps_v2.parallel_env.")
        try:
            for _ in range(self.num_envs):
                self.envs.append(make(**self.env_kwargs))
            first = self.envs[0]
            if isinstance(first, pettingzoo.AECEnv) or not hasattr(first, "possible_agents"):
                raise ConfigError(
                    f"{owner}: expected env to build a PettingZoo ParallelEnv, found {type(first).__name__}. "
                    "Fix: pass the env's parallel_env factory, or convert an AEC env with "
                    "pettingzoo.utils.conversions.aec_to_parallel."
                )
            self.possible_agents = list(first.possible_agents)
            agents = self.possible_agents
            obs_space, act_space = first.observation_space(agents[0]), first.action_space(agents[0])
            for agent in agents[1:]:
                for what, mine, theirs in (("observation", first.observation_space(agent), obs_space),
                                           ("action", first.action_space(agent), act_space)):
                    if mine != theirs:
                        raise SpaceError(
                            f"{owner}: expected every agent to share one {what} space, found {agent!r} with "
                            f"{mine!r} and {agents[0]!r} with {theirs!r}. Fix: pad them to one space first "
                            f"(e.g. SuperSuit's pad_observations_v0 / pad_action_space_v0)."
                        )
            self.agents_per_env = len(agents)
            self.num_agents = self.num_envs * self.agents_per_env
            self.pettingzoo_observation_space, self.pettingzoo_action_space = obs_space, act_space
            self.single_observation_space, self._put, self.unflatten = observation_layout(obs_space, owner)
            self.single_action_space, self._convert = action_layout(act_space, f"{owner} action space")
            if buffers is None:
                buffers = allocate(self.single_observation_space, self.single_action_space, self.num_agents)
            self.buffers = buffers.validate(self.single_observation_space, self.single_action_space,
                                            self.num_agents, owner=f"{owner}.buffers")
        except BaseException:
            self.close()
            raise
        self._rows = {agent: k for k, agent in enumerate(agents)}
        self._returns = np.zeros(self.num_agents, np.float64)
        self._lengths = np.zeros(self.num_agents, np.int64)

    def _observe(self, e: int, observations: dict) -> None:
        """Write copy ``e``'s observations: present agents' rows, zeros elsewhere; set their masks."""
        b, a = self.buffers, self.agents_per_env
        obs_rows, masks = b.observations[e * a:(e + 1) * a], b.masks[e * a:(e + 1) * a]
        obs_rows[...] = 0
        masks[:] = False
        rows, put = self._rows, self._put
        for agent, obs in observations.items():
            k = rows[agent]
            masks[k] = True
            put(obs_rows, k, obs)

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset copy ``e`` with ``(seed + e) % 2**64`` (``envsdk.seeding``; all with None when ``seed`` is None)."""
        reset_copies(repr(self), self._closed, self.envs, self._observe, self.buffers, (self._returns, self._lengths),
                     seed)
        self._started = True
        return self.buffers.observations, []

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every copy with its present agents' actions; a copy with no agents left resets in this step.

        An agent whose episode ended has its last observation written to ``buffers.final_observations``
        (when the buffers have it) before anything is reset."""
        if not self._started:
            state = "closed" if self._closed else "not reset"
            raise StateError(f"{self!r}.step: expected reset() first, found the env {state}. "
                             "Fix: call reset(seed=...) once (and never after close()).")
        b, a, rows = self.buffers, self.agents_per_env, self._rows
        copy_actions(b.actions, actions, "PettingZooEnv.step")
        acts = self._convert(b.actions)
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        acted = np.zeros(self.num_agents, bool)
        ended: list[int] = []
        rewards, terminals, truncations = b.rewards, b.terminals, b.truncations
        put, final = self._put, b.final_observations
        for e, env in enumerate(self.envs):
            base = e * a
            obs, rew, term, trunc, _ = env.step({agent: acts[base + rows[agent]] for agent in env.agents})
            for agent, r in rew.items():
                row = base + rows[agent]
                acted[row] = True
                rewards[row] = r
                if term.get(agent, False):
                    terminals[row] = True
                elif trunc.get(agent, False):
                    truncations[row] = True
                else:
                    continue
                ended.append(row)
                if final is not None:
                    if agent in obs:
                        put(final, row, obs[agent])
                    else:  # the env gave no last observation for it: the zeros an absent agent reads
                        final[row] = 0
            if not env.agents:
                obs, _ = env.reset()
            elif any(agent not in env.agents for agent in obs):
                obs = {agent: o for agent, o in obs.items() if agent in env.agents}
            self._observe(e, obs)
        # A row whose agent's episode ended this step is live: its final reward and flag count.
        done = b.terminals | b.truncations
        b.observations[done & ~b.masks] = 0
        np.logical_or(b.masks, done, out=b.masks)
        self._returns += b.rewards
        self._lengths += acted
        infos = episode_infos(self._returns, self._lengths, ended) if ended else []
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        """Close every copy (all of them, even if one raises). Safe to call twice."""
        if self._closed:
            return
        self._closed, self._started = True, False
        close_copies(self.envs)

    def __repr__(self) -> str:
        return f"PettingZooEnv(env={self.env!r}, num_envs={self.num_envs})"


def from_pettingzoo(factory: str | Callable[..., Any], *, num_envs: int = 1, buffers=None,
                    **env_kwargs) -> PettingZooEnv:
    """Wrap ``num_envs`` copies of a PettingZoo ``ParallelEnv`` as one envsdk env: ``PettingZooEnv(env=factory, ...)``.

    ``**env_kwargs`` go to ``factory``. For backends, pass the class and the same keywords:
    ``Serial(PettingZooEnv, num_envs=4, env=rps_v2.parallel_env)``. Raises ``MissingExtraError``
    (an ``ImportError``) without PettingZoo.
    """
    return PettingZooEnv(env=factory, num_envs=num_envs, env_kwargs=env_kwargs, buffers=buffers)
