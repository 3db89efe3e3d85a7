"""Emulation: existing Gymnasium and PettingZoo envs run as envsdk envs (DESIGN §7).

``from_gymnasium(env, num_envs=N)`` wraps N copies of a Gymnasium ``Env``; ``from_pettingzoo(env,
num_envs=N)`` wraps N copies of a PettingZoo ``ParallelEnv`` into fixed agent rows. Both return a
plain object satisfying ``envsdk.Env``; a Python loop runs over the copies, so they are as fast as
the wrapped env and no faster. The classes behind them (``GymnasiumEnv``, ``PettingZooEnv``) take
keyword config and ``buffers=``, so backends build them like any env::

    envsdk.make(GymnasiumEnv, num_envs=8, env="CartPole-v1", backend="multiprocessing")
    Serial(PettingZooEnv, num_envs=4, env="pettingzoo.classic.rps_v2:parallel_env")

``env`` is a registered Gymnasium id, a callable returning the env, or ``"module:callable"``. For
spawned workers it must be picklable: an id string, a ``"module:callable"`` string or a
module-level function or class (not a lambda).

Seeding (DESIGN §1): ``reset(seed=s)`` resets copy ``i`` with ``seed=(s + i) % 2**64``. An episode that ends
inside ``step`` is reset there with ``reset()`` and no seed, so the copy's own RNG continues: copy
``i`` follows exactly the trajectory the Gymnasium env gives when driven by hand with
``reset(seed=s + i)``, ``step`` and ``reset()`` after each episode.

Observations: a ``Box`` observation space is kept as is (shape and dtype). Any other space (Dict,
Tuple, Discrete, MultiDiscrete, MultiBinary, nested) is flattened into one float32 ``Box`` in the
order ``gymnasium.spaces.flatten`` uses (Dict in its own key order, which Gymnasium sorts; Tuple
in order): Box parts raveled and cast to float32, Discrete and MultiDiscrete one-hot, MultiBinary
as 0.0/1.0. The flat row equals ``gymnasium.spaces.flatten(space, obs)`` cast to float32.
``env.unflatten(observations)`` (or ``Unflatten(space)`` in a policy that has no env) returns the
nested dict/tuple of parts as numpy (or torch) views of the batch: slices and reshapes, no copies.

Gymnasium's per-step ``info`` dicts are dropped (reading them would cost Python work every step);
episode statistics are computed from the rewards instead (see the classes).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from envsdk import spaces
from envsdk.buffers import allocate, copy_actions
from envsdk.config import positive_int
from envsdk.errors import ConfigError, SpaceError, StateError, require
from envsdk.protocol import Infos
from envsdk.seeding import check_seed, sub_seed

# --- flattening -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """One non-composite part of an observation space and where it lies in the flat row.

    ``path`` is the keys/indices from the top space down to it; entries ``[offset, offset + size)``
    of the flat row hold it, viewed with ``shape`` (Box, MultiBinary: the space's shape; Discrete:
    ``(n,)``, one-hot; MultiDiscrete: ``(sum(nvec),)``, one one-hot per component, concatenated).
    """

    path: tuple
    kind: str  # "box", "discrete", "multidiscrete" or "multibinary"
    offset: int
    size: int
    shape: tuple[int, ...]


def _leaves(space, path: tuple, offset: int, out: list, low: list, high: list) -> int:
    """Append the leaves of ``space`` (and their bounds) in flatten order; return the next offset."""
    gs = require("gymnasium.spaces", "gymnasium", "envsdk.emulation")
    if isinstance(space, gs.Dict):
        for key, sub in space.spaces.items():
            offset = _leaves(sub, (*path, key), offset, out, low, high)
        return offset
    if isinstance(space, gs.Tuple):
        for i, sub in enumerate(space.spaces):
            offset = _leaves(sub, (*path, i), offset, out, low, high)
        return offset
    if isinstance(space, gs.Box):
        shape, size = tuple(space.shape), int(np.prod(space.shape, dtype=int))
        kind = "box"
        low.append(np.broadcast_to(np.asarray(space.low, np.float64), shape).reshape(-1))
        high.append(np.broadcast_to(np.asarray(space.high, np.float64), shape).reshape(-1))
    elif isinstance(space, gs.Discrete):
        kind, size = "discrete", int(space.n)
        shape = (size,)
    elif isinstance(space, gs.MultiDiscrete):
        kind, size = "multidiscrete", int(np.sum(space.nvec))
        shape = (size,)
    elif isinstance(space, gs.MultiBinary):
        shape = tuple(space.shape)
        kind, size = "multibinary", int(np.prod(shape, dtype=int))
    else:
        where = "observation space" + "".join(f"[{p!r}]" for p in path)
        raise SpaceError(
            f"{where}: expected Box, Discrete, MultiDiscrete, MultiBinary, Dict or Tuple, found "
            f"{type(space).__name__} {space!r}. Fix: wrap the env with a Gymnasium ObservationWrapper "
            "that encodes it as one of those (variable-size spaces such as Text, Sequence and Graph have "
            "no fixed flat size)."
        )
    if kind != "box":
        low.append(np.zeros(size))
        high.append(np.ones(size))
    out.append(Leaf(path, kind, offset, size, shape))
    return offset + size


def _writer(space, leaves: list[Leaf]) -> Callable[[np.ndarray, Any], None]:
    """``write(row, obs)``: flatten one observation of ``space`` into the float32 ``row``."""
    by_path = {leaf.path: leaf for leaf in leaves}
    gs = importlib.import_module("gymnasium.spaces")

    def build(sub, path: tuple) -> Callable[[np.ndarray, Any], None]:
        if isinstance(sub, gs.Dict):
            parts = [(key, build(s, (*path, key))) for key, s in sub.spaces.items()]

            def write_dict(row, obs):
                for key, write in parts:
                    write(row, obs[key])
            return write_dict
        if isinstance(sub, gs.Tuple):
            parts = [(i, build(s, (*path, i))) for i, s in enumerate(sub.spaces)]

            def write_tuple(row, obs):
                for i, write in parts:
                    write(row, obs[i])
            return write_tuple
        leaf = by_path[path]
        lo, hi = leaf.offset, leaf.offset + leaf.size
        if leaf.kind in ("box", "multibinary"):
            def write_flat(row, obs):
                row[lo:hi] = np.ravel(obs)
            return write_flat
        if leaf.kind == "discrete":
            start = int(sub.start)

            def write_onehot(row, obs):
                seg = row[lo:hi]
                seg[:] = 0.0
                seg[int(obs) - start] = 1.0
            return write_onehot
        starts = np.concatenate([[0], np.cumsum(np.ravel(sub.nvec))[:-1]]) + lo
        base = np.ravel(getattr(sub, "start", np.zeros_like(sub.nvec)))

        def write_onehots(row, obs):
            row[lo:hi] = 0.0
            row[starts + np.ravel(obs) - base] = 1.0
        return write_onehots

    return build(space, ())


class Unflatten:
    """Split flat observations of ``space`` back into its nested parts, as views (no copies).

    ``Unflatten(space)(observations)`` takes an array (numpy or torch) of shape ``[..., flat_size]``,
    as ``env.buffers.observations`` or a batch of them, and returns the nested dict/tuple of
    ``space`` whose leaves are views ``observations[..., offset:offset + size].reshape(..., *shape)``
    (the leading batch dimensions kept). Box parts come back float32 with their shape (cast from
    their own dtype when flattened); Discrete, MultiDiscrete parts one-hot (``argmax(-1) + start``
    recovers the value); MultiBinary parts 0.0/1.0. A view is valid as long as the array it views;
    copy what you keep across steps. ``leaves`` lists every part and its place.

    Splitting the last axis of a row slice never needs a copy, so every leaf is a view.
    """

    def __init__(self, space):
        self.space = space
        self.leaves: list[Leaf] = []
        self._low: list = []
        self._high: list = []
        self.size = _leaves(space, (), 0, self.leaves, self._low, self._high)
        gs = importlib.import_module("gymnasium.spaces")

        def build(sub, path):
            if isinstance(sub, gs.Dict):
                return ("dict", [(k, build(s, (*path, k))) for k, s in sub.spaces.items()])
            if isinstance(sub, gs.Tuple):
                return ("tuple", [build(s, (*path, i)) for i, s in enumerate(sub.spaces)])
            return ("leaf", next(leaf for leaf in self.leaves if leaf.path == path))

        self._tree = build(space, ())

    def flat_space(self) -> spaces.Box:
        """The float32 envsdk ``Box`` of the flat rows (bounds from the parts; one-hots in [0, 1])."""
        low = np.concatenate(self._low) if self._low else np.zeros(0)
        high = np.concatenate(self._high) if self._high else np.zeros(0)
        return spaces.Box(low, high, shape=(self.size,), dtype=np.float32)

    def __call__(self, observations):
        if observations.shape[-1] != self.size:
            raise ValueError(
                f"Unflatten: expected observations of shape [..., {self.size}], found shape "
                f"{tuple(observations.shape)}. Fix: pass the env's flat observations (env.buffers.observations)."
            )
        batch = tuple(observations.shape[:-1])

        def build(node):
            kind, body = node
            if kind == "dict":
                return {k: build(child) for k, child in body}
            if kind == "tuple":
                return tuple(build(child) for child in body)
            return observations[..., body.offset:body.offset + body.size].reshape(*batch, *body.shape)

        return build(self._tree)

    def __repr__(self) -> str:
        return f"Unflatten({self.space!r})"


def _observation_layout(space, owner: str):
    """``(envsdk Box, writer or None, Unflatten or None)`` for an observation space.

    A Box stays as it is (writer None: rows are assigned directly); anything else is flattened.
    """
    gs = require("gymnasium.spaces", "gymnasium", owner)
    if isinstance(space, gs.Box):
        box = spaces.Box(space.low, space.high, shape=tuple(space.shape), dtype=space.dtype)
        return box, None, None
    unflatten = Unflatten(space)
    return unflatten.flat_space(), _writer(space, unflatten.leaves), unflatten


def _action_layout(space, owner: str):
    """``(envsdk space, convert)``: ``convert(actions_buffer)`` gives one action per row, as the env takes it."""
    gs = require("gymnasium.spaces", "gymnasium", owner)
    if isinstance(space, gs.Discrete):
        return spaces.Discrete(int(space.n), start=int(space.start)), lambda a: a.tolist()
    if isinstance(space, gs.MultiDiscrete) and np.ndim(space.nvec) == 1 and not np.any(space.start):
        dtype = space.dtype
        return spaces.MultiDiscrete(space.nvec), lambda a: a.astype(dtype)
    if isinstance(space, gs.Box) and np.issubdtype(space.dtype, np.floating):
        dtype = space.dtype
        return spaces.Box(space.low, space.high, shape=tuple(space.shape), dtype=np.float32), lambda a: a.astype(dtype)
    raise SpaceError(
        f"{owner}: expected an action space Discrete, 1-d MultiDiscrete (start 0) or float Box, found "
        f"{type(space).__name__} {space!r}. Fix: wrap the env with a Gymnasium ActionWrapper that maps one of "
        "those onto its actions (e.g. a Dict of Discretes as one MultiDiscrete)."
    )


def _resolve_env(env, owner: str) -> Callable[..., Any] | str:
    """A ``"module:callable"`` string becomes the callable; anything else is returned as is."""
    if isinstance(env, str) and ":" in env:
        from envsdk.registry import load

        return load(env)
    return env


def _episode_infos(returns: np.ndarray, lengths: np.ndarray, ended: list[int]) -> Infos:
    """Aggregate the ended rows' statistics into one infos dict and restart their counters."""
    idx = np.asarray(ended)
    info = {
        "episode_return": float(returns[idx].mean()),
        "episode_length": float(lengths[idx].mean()),
        "episode_count": len(ended),
    }
    returns[idx] = 0.0
    lengths[idx] = 0
    return [info]


# --- Gymnasium ----------------------------------------------------------------------------------


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
        make = _resolve_env(env, owner)
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
            self.single_observation_space, self._write, self.unflatten = _observation_layout(
                first.observation_space, owner)
            self.single_action_space, self._convert = _action_layout(first.action_space, f"{owner} action space")
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
        if self._closed:
            raise StateError(f"{self!r}.reset: expected an open env, found it closed. Fix: build a new one.")
        seed = check_seed(f"{self!r}.reset", seed)
        b = self.buffers
        for i, env in enumerate(self.envs):
            obs, _ = env.reset(seed=sub_seed(seed, i))
            self._observe(i, obs)
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._returns[:] = 0.0
        self._lengths[:] = 0
        self._started = True
        return b.observations, []

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every copy; a copy whose episode ended is reset (no seed) in the same step."""
        if not self._started:
            state = "closed" if self._closed else "not reset"
            raise StateError(f"{self!r}.step: expected reset() first, found the env {state}. "
                             "Fix: call reset(seed=...) once (and never after close()).")
        b = self.buffers
        copy_actions(b.actions, actions, "GymnasiumEnv.step")
        acts = self._convert(b.actions)
        rewards, terminals, truncations, ended = [], [], [], []
        observe = self._observe
        for i, env in enumerate(self.envs):
            obs, reward, terminated, truncated, _ = env.step(acts[i])
            rewards.append(reward)
            terminals.append(terminated)
            truncations.append(truncated and not terminated)
            if terminated or truncated:
                ended.append(i)
                obs, _ = env.reset()
            observe(i, obs)
        b.rewards[:] = rewards
        b.terminals[:] = terminals
        b.truncations[:] = truncations
        self._returns += b.rewards
        self._lengths += 1
        infos = _episode_infos(self._returns, self._lengths, ended) if ended else []
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def _observe(self, i: int, obs) -> None:
        if self._write is None:
            self.buffers.observations[i] = obs
        else:
            self._write(self.buffers.observations[i], obs)

    def close(self) -> None:
        """Close every copy (all of them, even if one raises). Safe to call twice."""
        if self._closed:
            return
        self._closed, self._started = True, False
        errors = []
        for env in self.envs:
            try:
                env.close()
            except Exception as e:
                errors.append(e)
        if errors:
            raise errors[0]

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


# --- PettingZoo ---------------------------------------------------------------------------------


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
        make = _resolve_env(env, owner)
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
            self.single_observation_space, self._write, self.unflatten = _observation_layout(obs_space, owner)
            self.single_action_space, self._convert = _action_layout(act_space, f"{owner} action space")
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
        rows, write = self._rows, self._write
        for agent, obs in observations.items():
            k = rows[agent]
            masks[k] = True
            if write is None:
                obs_rows[k] = obs
            else:
                write(obs_rows[k], obs)

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset copy ``e`` with ``(seed + e) % 2**64`` (``envsdk.seeding``; all with None when ``seed`` is None)."""
        if self._closed:
            raise StateError(f"{self!r}.reset: expected an open env, found it closed. Fix: build a new one.")
        seed = check_seed(f"{self!r}.reset", seed)
        b = self.buffers
        for e, env in enumerate(self.envs):
            obs, _ = env.reset(seed=sub_seed(seed, e))
            self._observe(e, obs)
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._returns[:] = 0.0
        self._lengths[:] = 0
        self._started = True
        return b.observations, []

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every copy with its present agents' actions; a copy with no agents left resets in this step."""
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
        for e, env in enumerate(self.envs):
            base = e * a
            obs, rew, term, trunc, _ = env.step({agent: acts[base + rows[agent]] for agent in env.agents})
            for agent, r in rew.items():
                row = base + rows[agent]
                acted[row] = True
                rewards[row] = r
                if term.get(agent, False):
                    terminals[row] = True
                    ended.append(row)
                elif trunc.get(agent, False):
                    truncations[row] = True
                    ended.append(row)
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
        infos = _episode_infos(self._returns, self._lengths, ended) if ended else []
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        """Close every copy (all of them, even if one raises). Safe to call twice."""
        if self._closed:
            return
        self._closed, self._started = True, False
        errors = []
        for env in self.envs:
            try:
                env.close()
            except Exception as e:
                errors.append(e)
        if errors:
            raise errors[0]

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
