"""Flattening for the emulators: a Gymnasium observation space as one float32 row, and back.

The space is read ONCE into a tree (``_tree``: Dict and Tuple nodes, ``Leaf`` leaves with their
place in the flat row); ``_fold`` is the one walk over it, which the row writer and ``Unflatten``
both use. Also the helpers the Gymnasium and PettingZoo emulators share (layouts, env
resolution, the reset and close of every copy, episode infos).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from envsdk import spaces
from envsdk.errors import SpaceError, StateError, require
from envsdk.protocol import Infos
from envsdk.seeding import check_seed, sub_seed


@dataclass(frozen=True, eq=False)
class Leaf:
    """One non-composite part of an observation space and where it lies in the flat row.

    ``path`` is the keys/indices from the top space down to it; entries ``[offset, offset + size)``
    of the flat row hold it, viewed with ``shape`` (Box, MultiBinary: the space's shape; Discrete:
    ``(n,)``, one-hot; MultiDiscrete: ``(sum(nvec),)``, one one-hot per component, concatenated).
    ``space`` is the part's Gymnasium space; ``low`` and ``high`` its flat bounds (one-hots: 0, 1).
    """

    path: tuple
    kind: str  # "box", "discrete", "multidiscrete" or "multibinary"
    offset: int
    size: int
    shape: tuple[int, ...]
    space: Any
    low: np.ndarray
    high: np.ndarray


def _tree(space, path: tuple = (), offset: int = 0) -> tuple[tuple, int]:
    """``(node, next offset)``: ``space`` as ``("dict", [(key, node)])``, ``("tuple", [node])`` or
    ``("leaf", Leaf)``, its leaves in ``gymnasium.spaces.flatten``'s order from ``offset``."""
    gs = require("gymnasium.spaces", "gymnasium", "envsdk.emulation")
    if isinstance(space, (gs.Dict, gs.Tuple)):
        items = space.spaces.items() if isinstance(space, gs.Dict) else enumerate(space.spaces)
        children = []
        for key, sub in items:
            child, offset = _tree(sub, (*path, key), offset)
            children.append((key, child))
        return ("dict", children) if isinstance(space, gs.Dict) else ("tuple", [c for _, c in children]), offset
    if isinstance(space, gs.Box):
        shape = tuple(space.shape)
        kind, size = "box", int(np.prod(shape, dtype=int))
        low = np.broadcast_to(np.asarray(space.low, np.float64), shape).reshape(-1)
        high = np.broadcast_to(np.asarray(space.high, np.float64), shape).reshape(-1)
    elif isinstance(space, (gs.Discrete, gs.MultiDiscrete, gs.MultiBinary)):
        if isinstance(space, gs.MultiBinary):
            shape = tuple(space.shape)
            kind, size = "multibinary", int(np.prod(shape, dtype=int))
        else:
            kind = "discrete" if isinstance(space, gs.Discrete) else "multidiscrete"
            size = int(space.n) if kind == "discrete" else int(np.sum(space.nvec))
            shape = (size,)
        low, high = np.zeros(size), np.ones(size)
    else:
        where = "observation space" + "".join(f"[{p!r}]" for p in path)
        raise SpaceError(
            f"{where}: expected Box, Discrete, MultiDiscrete, MultiBinary, Dict or Tuple, found "
            f"{type(space).__name__} {space!r}. Fix: wrap the env with a Gymnasium ObservationWrapper "
            "that encodes it as one of those (variable-size spaces such as Text, Sequence and Graph have "
            "no fixed flat size)."
        )
    return ("leaf", Leaf(path, kind, offset, size, shape, space, low, high)), offset + size


def _fold(node: tuple, leaf: Callable, dict_: Callable, tuple_: Callable):
    """The one walk over a ``_tree``: ``leaf(Leaf)`` at the leaves, ``dict_([(key, folded)])`` and
    ``tuple_([folded])`` at the composite nodes, bottom-up."""
    kind, body = node
    if kind == "dict":
        return dict_([(key, _fold(child, leaf, dict_, tuple_)) for key, child in body])
    if kind == "tuple":
        return tuple_([_fold(child, leaf, dict_, tuple_) for child in body])
    return leaf(body)


def _leaf_writer(leaf: Leaf) -> Callable[[np.ndarray, Any], None]:
    """``write(row, obs)`` for one leaf: its part of the float32 row."""
    lo, hi = leaf.offset, leaf.offset + leaf.size
    if leaf.kind in ("box", "multibinary"):
        def write_flat(row, obs):
            row[lo:hi] = np.ravel(obs)
        return write_flat
    if leaf.kind == "discrete":
        start = int(leaf.space.start)

        def write_onehot(row, obs):
            seg = row[lo:hi]
            seg[:] = 0.0
            seg[int(obs) - start] = 1.0
        return write_onehot
    nvec = leaf.space.nvec
    starts = np.concatenate([[0], np.cumsum(np.ravel(nvec))[:-1]]) + lo
    base = np.ravel(getattr(leaf.space, "start", np.zeros_like(nvec)))

    def write_onehots(row, obs):
        row[lo:hi] = 0.0
        row[starts + np.ravel(obs) - base] = 1.0
    return write_onehots


def _dict_writer(parts: list) -> Callable[[np.ndarray, Any], None]:
    def write_dict(row, obs):
        for key, write in parts:
            write(row, obs[key])
    return write_dict


def _tuple_writer(parts: list) -> Callable[[np.ndarray, Any], None]:
    def write_tuple(row, obs):
        for i, write in enumerate(parts):
            write(row, obs[i])
    return write_tuple


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
        self._tree, self.size = _tree(space)
        self.leaves: list[Leaf] = []
        _fold(self._tree, self.leaves.append, lambda parts: None, lambda parts: None)

    def flat_space(self) -> spaces.Box:
        """The float32 envsdk ``Box`` of the flat rows (bounds from the parts; one-hots in [0, 1])."""
        low = np.concatenate([leaf.low for leaf in self.leaves]) if self.leaves else np.zeros(0)
        high = np.concatenate([leaf.high for leaf in self.leaves]) if self.leaves else np.zeros(0)
        return spaces.Box(low, high, shape=(self.size,), dtype=np.float32)

    def writer(self) -> Callable[[np.ndarray, Any], None]:
        """``write(row, obs)``: flatten one observation of the space into the float32 ``row``."""
        return _fold(self._tree, _leaf_writer, _dict_writer, _tuple_writer)

    def __call__(self, observations):
        if observations.shape[-1] != self.size:
            raise ValueError(
                f"Unflatten: expected observations of shape [..., {self.size}], found shape "
                f"{tuple(observations.shape)}. Fix: pass the env's flat observations (env.buffers.observations)."
            )
        batch = tuple(observations.shape[:-1])

        def view(leaf: Leaf):
            return observations[..., leaf.offset:leaf.offset + leaf.size].reshape(*batch, *leaf.shape)

        return _fold(self._tree, view, dict, tuple)

    def __repr__(self) -> str:
        return f"Unflatten({self.space!r})"


def observation_layout(space, owner: str):
    """``(envsdk Box, put, Unflatten or None)`` for an observation space.

    ``put(rows, i, obs)`` writes one observation of the space into ``rows[i]`` (the observations
    buffer, or final_observations): a Box stays as it is (assigned as is), anything else is flattened.
    """
    gs = require("gymnasium.spaces", "gymnasium", owner)
    if isinstance(space, gs.Box):
        box = spaces.Box(space.low, space.high, shape=tuple(space.shape), dtype=space.dtype)
        return box, _put_as_is, None
    unflatten = Unflatten(space)
    write = unflatten.writer()

    def put_flat(rows: np.ndarray, i: int, obs) -> None:
        write(rows[i], obs)
    return unflatten.flat_space(), put_flat, unflatten


def _put_as_is(rows: np.ndarray, i: int, obs) -> None:
    rows[i] = obs  # rows[i] = ..., not a view's [...]: a Box of shape () has scalar rows


def action_layout(space, owner: str):
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


def resolve_env(env, owner: str) -> Callable[..., Any] | str:
    """A ``"module:callable"`` string becomes the callable; anything else is returned as is."""
    if isinstance(env, str) and ":" in env:
        from envsdk.registry import load

        return load(env)
    return env


def episode_infos(returns: np.ndarray, lengths: np.ndarray, ended: list[int]) -> Infos:
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


def reset_copies(owner: str, closed: bool, envs: list, observe: Callable[[int, Any], None], buffers,
                 counters: tuple[np.ndarray, ...], seed) -> None:
    """The reset both emulators share: copy ``i`` reset with ``(seed + i) % 2**64`` (each with None when
    ``seed`` is None) and observed by ``observe(i, obs)``; every row's reward and flags zeroed; the
    episode ``counters`` (returns, lengths) restarted. ``StateError`` when ``closed``."""
    if closed:
        raise StateError(f"{owner}.reset: expected an open env, found it closed. Fix: build a new one.")
    seed = check_seed(f"{owner}.reset", seed)
    for i, env in enumerate(envs):
        obs, _ = env.reset(seed=sub_seed(seed, i))
        observe(i, obs)
    buffers.rewards[:] = 0.0
    buffers.terminals[:] = False
    buffers.truncations[:] = False
    for counter in counters:
        counter[:] = 0


def close_copies(envs: list) -> None:
    """Close every copy, even if one raises; then raise the first error, if any."""
    errors = []
    for env in envs:
        try:
            env.close()
        except Exception as e:
            errors.append(e)
    if errors:
        raise errors[0]
