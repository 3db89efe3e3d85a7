"""Adapters out: use any envsdk env from existing training code.

    to_gymnasium(env)   -> gymnasium.vector.VectorEnv  (one Gymnasium sub-env per agent row)
    to_sb3(env)         -> stable_baselines3 VecEnv     (one SB3 sub-env per agent row)
    to_pettingzoo(env)  -> pettingzoo.ParallelEnv       (one PettingZoo agent per agent row)
    to_torch(env)       -> the env, returning torch tensors (views of the buffers on CPU)

``env`` is anything satisfying ``envsdk.Env`` (an env object or a backend such as
``envsdk.make(...)``). The adapters own it: closing the adapter closes the env.

Gymnasium, Stable-Baselines3, PettingZoo and torch are optional: each is imported only when its
adapter is built, and a missing one raises ``ExtraNotInstalledError`` (an ``ImportError``) that
names the ``pip install`` that fixes it. Importing this module imports none of them.

The final observation, for every adapter
    envsdk resets an ended episode inside the same ``step`` (protocol.py): the row then holds the
    NEXT episode's first observation, and the last observation of the ended episode is gone. The
    adapters never invent one:

    - Gymnasium: ``metadata["autoreset_mode"]`` is ``AutoresetMode.SAME_STEP`` (which is what
      envsdk does), but ``infos`` carry no ``"final_obs"``/``"final_info"``; Gymnasium's wrappers
      treat those keys as optional. Scripts that bootstrap truncated episodes from
      ``final_obs`` cannot do so (CleanRL's PPO does not).
    - SB3: ``terminal_observation`` is, by default, the observation the episode's LAST ACTION
      was chosen from (one step before the end), taken from the copy SB3 needs anyway (see
      ``to_sb3``). PPO/A2C then bootstrap a truncated episode with ``V(s_{T-1})`` instead of
      ``V(s_T)``; ``terminal_observation=None`` leaves the key out (no bootstrap at all).
"""

from __future__ import annotations

import functools
import importlib
import time
from typing import Any

import numpy as np

from envsdk import spaces as _spaces
from envsdk.errors import ConfigError, MissingExtraError, ProtocolError, install_hint
from envsdk.protocol import ENV_MEMBERS, Env

__all__ = ["ExtraNotInstalledError", "to_gymnasium", "to_pettingzoo", "to_sb3", "to_torch"]


ExtraNotInstalledError = MissingExtraError
"""What an adapter raises when the optional package it needs is not installed (envsdk's one
missing-extra error, under the name this module has always used)."""


# The extra of envsdk's pyproject.toml that brings each optional package an adapter needs.
_EXTRAS = {"gymnasium": "gymnasium", "stable_baselines3": "sb3", "pettingzoo": "pettingzoo", "torch": "train"}


def _require(module: str, owner: str):
    """Import ``module`` or raise ``ExtraNotInstalledError`` naming the pip install that fixes it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ExtraNotInstalledError(
            f"envsdk.compat.{owner}: expected the optional package {module!r}, found it not importable "
            f"({e}). Fix: {install_hint(_EXTRAS[module], 'torch' if module == 'torch' else None)}"
        ) from e


def _check_env(env: Any, owner: str) -> None:
    if not isinstance(env, Env):
        missing = [m for m in ENV_MEMBERS if not hasattr(env, m)]
        raise ProtocolError(
            f"envsdk.compat.{owner}: expected an envsdk env (see envsdk/protocol.py), found "
            f"{type(env).__name__} missing {', '.join(missing)}. Fix: pass envsdk.make(...) or an env object."
        )


def _gym_space(space, gym_spaces):
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


class _EpisodeStats:
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


# --- Gymnasium -----------------------------------------------------------------------------------


def to_gymnasium(env, *, copy: bool = True, stats_key: str | None = None):
    """A ``gymnasium.vector.VectorEnv`` over ``env``: one Gymnasium sub-env per agent row.

    - ``num_envs`` is ``env.num_agents``; spaces are Gymnasium spaces equal to the env's, batched
      with ``gymnasium.vector.utils.batch_space`` (Discrete actions batch to MultiDiscrete).
    - ``metadata["autoreset_mode"]`` is ``AutoresetMode.SAME_STEP``: the observation of a row that
      ended is the next episode's first. No ``"final_obs"`` is given (envsdk does not keep it; see
      the module docstring).
    - ``reset(seed=s)`` seeds row ``i`` with ``s + i`` (Gymnasium's rule and envsdk's); a list of
      seeds must be ``[s, s+1, ...]``. ``options`` (``reset_mask`` partial resets) are not
      supported.
    - ``copy=True`` (the default, as Gymnasium's vector envs): ``reset`` and ``step`` return fresh
      arrays, so code may keep them or edit them in place (``obs -= mean``) without touching the
      next step's. ``copy=False`` is the zero-copy path: they return the env's buffers themselves
      (observations, float32 rewards, bool flags), overwritten by the next step and, since an env
      may rewrite only part of a row per step (breakout's bricks), corrupted for every later step
      by an in-place edit. Gymnasium's ``copy=False`` still copies rewards and flags; this one
      copies nothing.
    - ``infos`` is ``{}`` by default, so Gymnasium's wrappers add their keys as on any vector env:
      ``gymnasium.wrappers.vector.RecordEpisodeStatistics(to_gymnasium(env))`` reports each ended
      row's return and length, the same episodes as envsdk's own statistics. ``stats_key="episode"``
      asks the adapter itself for those statistics in that wrapper's layout, without the
      wrapper: on a step where rows ended, ``infos[stats_key] = {"r": returns, "l": lengths, "t":
      seconds}`` (0 where no episode ended) and ``infos["_" + stats_key]`` marks the ended rows,
      computed from rewards and flags (numpy, O(rows) per step; the wrapper then needs another
      key). envsdk's aggregate infos (and env keys such as ``score``) are not forwarded:
      Gymnasium infos are per sub-env.
    """
    gym = _require("gymnasium", "to_gymnasium")
    _check_env(env, "to_gymnasium")
    return _gymnasium_class(gym)(env, copy=copy, stats_key=stats_key)


@functools.cache
def _gymnasium_class(gym):
    from gymnasium.vector import AutoresetMode, VectorEnv
    from gymnasium.vector.utils import batch_space

    class GymnasiumVectorEnv(VectorEnv):
        """An envsdk env as a Gymnasium ``VectorEnv`` (built by ``envsdk.compat.to_gymnasium``)."""

        metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}  # noqa: RUF012 (Gymnasium's class attribute)

        def __init__(self, env, *, copy: bool, stats_key: str | None):
            self.env = env
            self.num_envs = env.num_agents
            self.single_observation_space = _gym_space(env.single_observation_space, gym.spaces)
            self.single_action_space = _gym_space(env.single_action_space, gym.spaces)
            self.observation_space = batch_space(self.single_observation_space, self.num_envs)
            self.action_space = batch_space(self.single_action_space, self.num_envs)
            self.metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}
            self.render_mode = None
            self.copy = copy
            self._stats_key, self._mask_key = stats_key, f"_{stats_key}"
            self._stats = None if stats_key is None else _EpisodeStats(self.num_envs)

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

    return GymnasiumVectorEnv


# --- Stable-Baselines3 ---------------------------------------------------------------------------

_TERMINAL_CHOICES = ("previous", None)


def to_sb3(env, *, terminal_observation: str | None = "previous"):
    """A Stable-Baselines3 ``VecEnv`` over ``env``: one SB3 sub-env per agent row.

    - ``step_wait`` returns ``(observations, rewards, dones, infos)`` with ``dones = terminals |
      truncations``. ``observations`` is a fresh copy every step, as SB3's own ``DummyVecEnv``
      returns: off-policy algorithms keep the previous step's array as the transition's start.
    - ``infos`` is one dict per row. A row that ended carries ``"TimeLimit.truncated"`` (its
      truncation flag), ``"episode": {"r", "l", "t"}`` like SB3's ``Monitor`` (``t``: seconds since
      the adapter was built) and ``"terminal_observation"``: with the default ``"previous"``, the
      observation the ended episode's last action was chosen from (the true last one is not kept
      by envsdk: see the module docstring); with ``None`` the key is left out.
    - ``seed(s)`` (inherited) makes the next ``reset`` seed row ``i`` with ``s + i``.
    - ``get_attr``/``set_attr``/``env_method`` act on the one env object behind every row: each
      reads, writes or calls it ONCE and returns that result for every requested index.
      ``env_is_wrapped`` is False for every row (no Gymnasium wrappers are involved).
    """
    _require("stable_baselines3", "to_sb3")
    _check_env(env, "to_sb3")
    if terminal_observation not in _TERMINAL_CHOICES:
        raise ConfigError(
            f"to_sb3.terminal_observation: expected one of {_TERMINAL_CHOICES}, found {terminal_observation!r}. "
            "Fix: 'previous' (the observation before the last step) or None (leave the key out)."
        )
    return _sb3_class()(env, terminal_observation=terminal_observation)


@functools.cache
def _sb3_class():
    import gymnasium as gym
    from stable_baselines3.common.vec_env import VecEnv

    class SB3VecEnv(VecEnv):
        """An envsdk env as an SB3 ``VecEnv`` (built by ``envsdk.compat.to_sb3``)."""

        def __init__(self, env, *, terminal_observation: str | None):
            self.env = env
            self.render_mode = None
            self._keep_previous = terminal_observation == "previous"
            self._stats = _EpisodeStats(env.num_agents)
            self._t0 = time.time()
            self._actions: np.ndarray | None = None
            self._previous: np.ndarray | None = None
            super().__init__(
                env.num_agents,
                _gym_space(env.single_observation_space, gym.spaces),
                _gym_space(env.single_action_space, gym.spaces),
            )

        def reset(self):
            seed = self._seeds[0]  # seed(s) set [s, s+1, ...]; envsdk seeds row i with s + i itself
            observations, _ = self.env.reset(seed=seed)
            self._reset_seeds()
            self._stats.reset()
            self._previous = observations.copy()
            return self._previous

        def step_async(self, actions: np.ndarray) -> None:
            self._actions = actions

        def step_wait(self):
            observations, rewards, terminals, truncations, _ = self.env.step(self._actions)
            dones = terminals | truncations
            stats = self._stats
            stats.update(rewards)
            infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
            ended = np.flatnonzero(dones)
            if ended.size:
                elapsed = round(time.time() - self._t0, 6)
                for i in ended.tolist():
                    info = infos[i]
                    info["TimeLimit.truncated"] = bool(truncations[i])
                    info["episode"] = {"r": float(stats.returns[i]), "l": int(stats.lengths[i]), "t": elapsed}
                    if self._keep_previous:
                        info["terminal_observation"] = self._previous[i]
                stats.restart(dones, 0.0)
            self._previous = observations.copy()
            return self._previous, rewards.copy(), dones, infos

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

    return SB3VecEnv


# --- PettingZoo ----------------------------------------------------------------------------------


def to_pettingzoo(env, *, idle_action=None):
    """A ``pettingzoo.ParallelEnv`` over ``env``: agent ``"agent_{i}"`` is agent row ``i``.

    Every row of every sub-env is an agent (rows of different sub-envs are in separate games).
    PettingZoo's episode is not envsdk's: a PettingZoo agent that terminates or truncates leaves
    ``agents`` until the next ``reset()``, while envsdk has already restarted its row. Until then
    that row is stepped with ``idle_action`` (default: all zeros) and its results are dropped;
    in shared-world envs (snake) the restarted row stays in the world. A row whose ``masks`` entry
    is False is not an agent; one that goes from live to masked is reported truncated, and a
    masked row that becomes live joins ``agents`` (unless it already finished). The PettingZoo
    episode ends when ``agents`` is empty.

    Observations are rows of one copy per step (the buffers are overwritten by the next step).
    ``infos[agent]`` holds ``episode_return``/``episode_length`` for an agent that just finished.
    ``reset(seed=s)`` seeds sub-env ``i`` with ``s + i``; reset ``options`` are accepted and ignored.
    """
    _require("pettingzoo", "to_pettingzoo")
    _check_env(env, "to_pettingzoo")
    return _pettingzoo_class()(env, idle_action=idle_action)


@functools.cache
def _pettingzoo_class():
    import gymnasium as gym
    from pettingzoo import ParallelEnv

    class PettingZooParallelEnv(ParallelEnv):
        """An envsdk env as a PettingZoo ``ParallelEnv`` (built by ``envsdk.compat.to_pettingzoo``)."""

        metadata = {"name": "envsdk", "is_parallelizable": True}  # noqa: RUF012 (PettingZoo's class attribute)

        def __init__(self, env, *, idle_action):
            self.env = env
            n = env.num_agents
            self.possible_agents = [f"agent_{i}" for i in range(n)]
            self._row = {name: i for i, name in enumerate(self.possible_agents)}
            self._obs_space = _gym_space(env.single_observation_space, gym.spaces)
            self._act_space = _gym_space(env.single_action_space, gym.spaces)
            self._actions = env.buffers.actions  # written here, row by row, then stepped without a copy
            self._idle = np.zeros_like(self._actions)
            if idle_action is not None:
                self._idle[...] = idle_action
            self._stats = _EpisodeStats(n)
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
            self._live[:] = self.env.buffers.masks
            live = np.flatnonzero(self._live).tolist()
            self.agents = [self.possible_agents[i] for i in live]
            observations = observations.copy()
            return {self.possible_agents[i]: observations[i] for i in live}, {a: {} for a in self.agents}

        def step(self, actions: dict):
            acts = self._actions
            acts[...] = self._idle
            row = self._row
            for name, action in actions.items():
                acts[row[name]] = action
            observations, rewards, terminals, truncations, _ = self.env.step(acts)
            masks = self.env.buffers.masks
            stats = self._stats
            stats.update(rewards)
            was_live = self._live
            ended = was_live & (terminals | truncations | ~masks)
            cut = was_live & ~masks & ~terminals  # left the population: truncated
            names = self.possible_agents
            reported = np.flatnonzero(was_live).tolist()
            observations = observations.copy()
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

    return PettingZooParallelEnv


# --- torch ---------------------------------------------------------------------------------------


def to_torch(env, device=None):
    """``env`` returning torch tensors: ``TorchEnv`` (same members as the env, tensors out).

    - ``device=None`` or CPU: the tensors are ``torch.from_numpy`` views of the buffers, built
      once (zero copy: same memory, overwritten by every step, like the buffers themselves).
    - A CUDA device: each step copies the buffers into pinned host staging tensors, then into
      device tensors with ``non_blocking=True`` on the current stream (one host memcpy and one
      asynchronous host-to-device copy per array); the device tensors are reused every step.
    - ``step(actions)`` takes a tensor (any device; copied into the actions buffer with a dtype
      cast), a numpy array, or the actions buffer itself (no copy).
    """
    torch = _require("torch", "to_torch")
    _check_env(env, "to_torch")
    return TorchEnv(env, torch, device)


class TorchEnv:
    """An envsdk env whose ``reset``/``step`` return torch tensors (built by ``to_torch``)."""

    def __init__(self, env, torch, device=None):
        self.env = env
        self.single_observation_space = env.single_observation_space
        self.single_action_space = env.single_action_space
        self.num_agents = env.num_agents
        self.buffers = b = env.buffers
        self.device = torch.device("cpu") if device is None else torch.device(device)
        self._torch = torch
        host = tuple(torch.from_numpy(a) for a in (b.observations, b.rewards, b.terminals, b.truncations, b.masks))
        self._actions = torch.from_numpy(b.actions)
        if self.device.type == "cpu":
            self._host, self._staging, self._out = host, None, host
            self._copied = None
        else:
            self._host = host
            self._staging = tuple(torch.empty_like(t).pin_memory() for t in host)
            self._out = tuple(torch.empty(t.shape, dtype=t.dtype, device=self.device) for t in host)
            self._copied = None  # CUDA event: the last async copy out of the staging tensors
        self.observations, self.rewards, self.terminals, self.truncations, self.masks = self._out

    def _publish(self) -> None:
        """Move the host buffers to ``self.device`` (nothing to do on CPU: the tensors are views)."""
        if self._staging is None:
            return
        if self._copied is not None:  # the previous async copy must be done reading the staging tensors
            self._copied.synchronize()
        for src, stage, dst in zip(self._host, self._staging, self._out, strict=True):
            stage.copy_(src)
            dst.copy_(stage, non_blocking=True)
        self._copied = self._torch.cuda.Event()
        self._copied.record()

    def reset(self, seed: int | None = None):
        _, infos = self.env.reset(seed=seed)
        self._publish()
        return self.observations, infos

    def step(self, actions):
        if isinstance(actions, self._torch.Tensor):
            if actions.data_ptr() == self._actions.data_ptr() and actions.shape == self._actions.shape:
                actions = self.buffers.actions  # the buffer itself: no copy
            else:  # the env's step copies it in with numpy's checks (shape, dtype kind, int32 range)
                actions = actions.detach().cpu().numpy()
        _, _, _, _, infos = self.env.step(actions)
        self._publish()
        return self.observations, self.rewards, self.terminals, self.truncations, infos

    def close(self) -> None:
        self.env.close()

    def __repr__(self) -> str:
        return f"TorchEnv({self.env!r}, device={self.device})"

