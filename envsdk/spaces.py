"""Minimal spaces: ``Box``, ``Discrete`` and ``MultiDiscrete``.

Every envsdk function that takes a space is duck-typed: it also accepts Gymnasium's spaces (or
anything with the same attributes) without importing gymnasium. The rules are
``nvec`` -> MultiDiscrete, ``n`` -> Discrete, ``low``/``high``/``shape``/``dtype`` -> Box.

Sampling is stateless and batched: ``space.sample(n, rng=seed_or_generator)`` returns ``n``
samples in one array, so seeding is explicit and never touches a process-global RNG.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from envsdk.errors import SpaceError

Rng = np.random.Generator | int | None


def _generator(rng: Rng) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _count(n: int | None) -> int:
    return 1 if n is None else int(n)


class Box:
    """A box in R^shape (or an integer lattice): ``low <= x <= high`` elementwise.

    ``low`` and ``high`` are scalars or arrays broadcastable to ``shape``; ``-inf``/``inf`` mean
    unbounded. Integer and bool dtypes are allowed (observations of any numeric dtype).
    """

    def __init__(self, low, high, shape: tuple[int, ...] | None = None, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        if not (np.issubdtype(self.dtype, np.number) or self.dtype == np.bool_):
            raise SpaceError(
                f"Box.dtype: expected a numeric or bool dtype, found {self.dtype}. "
                "Fix: pass dtype=np.float32 (or another numeric dtype)."
            )
        # Bounds are float64 for every dtype, so that +-inf (unbounded) stays representable.
        try:
            if shape is None:
                shape = np.broadcast_shapes(np.shape(low), np.shape(high))
            self.shape = tuple(int(s) for s in shape)
            self.low = np.broadcast_to(np.asarray(low, np.float64), self.shape).copy()
            self.high = np.broadcast_to(np.asarray(high, np.float64), self.shape).copy()
        except ValueError:
            raise SpaceError(
                f"Box bounds: expected low and high broadcastable to shape {shape}, found "
                f"shapes {np.shape(low)} and {np.shape(high)}. Fix: pass scalars or arrays of "
                "that shape."
            ) from None
        if self.dtype.kind in "iu":
            info = np.iinfo(self.dtype)
            finite = np.concatenate([self.low[np.isfinite(self.low)], self.high[np.isfinite(self.high)]])
            if finite.size and (finite.min() < info.min or finite.max() > info.max):
                raise SpaceError(
                    f"Box bounds: expected values representable in {self.dtype} "
                    f"[{info.min}, {info.max}], found [{finite.min()}, {finite.max()}]. Fix: widen "
                    "the dtype or narrow the bounds."
                )
        if np.any(self.low > self.high):
            raise SpaceError(
                f"Box bounds: expected low <= high everywhere, found low > high at "
                f"{np.argwhere(self.low > self.high)[:3].tolist()}. Fix: swap or correct them."
            )

    def contains(self, x) -> bool:
        """True when ``x`` has this shape, a castable dtype, and lies within the bounds."""
        x = np.asarray(x)
        if x.shape != self.shape or not np.can_cast(x.dtype, self.dtype, "same_kind"):
            return False
        with np.errstate(invalid="ignore"):
            return bool(np.all((x >= self.low) & (x <= self.high)))

    def sample(self, n: int | None = None, *, rng: Rng = None) -> np.ndarray:
        """Draw ``n`` samples as one ``[n, *shape]`` array (a single ``[*shape]`` when n is None).

        Bounded dimensions are uniform, half-bounded ones shifted exponential, unbounded ones
        standard normal; integer boxes are uniform over the integers in ``[low, high]``.
        """
        return _sample_box(self, _count(n), _generator(rng), single=n is None)

    def __repr__(self) -> str:
        lo, hi = _bound_repr(self.low), _bound_repr(self.high)
        return f"Box({lo}, {hi}, shape={self.shape}, dtype={self.dtype})"

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, Box)
            and self.shape == other.shape
            and self.dtype == other.dtype
            and np.array_equal(self.low, other.low)
            and np.array_equal(self.high, other.high)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable bounds: not hashable


class Discrete:
    """The integers ``start, start+1, ..., start+n-1``; one agent's action is a scalar."""

    def __init__(self, n: int, start: int = 0):
        if int(n) <= 0:
            raise SpaceError(f"Discrete.n: expected n >= 1, found {n}. Fix: pass n >= 1.")
        self.n = int(n)
        self.start = int(start)
        self.shape: tuple[int, ...] = ()
        self.dtype = np.dtype(np.int64)

    def contains(self, x) -> bool:
        """True when ``x`` is an integer scalar in ``[start, start+n)``."""
        x = np.asarray(x)
        return x.shape == () and x.dtype.kind in "iu" and self.start <= int(x) < self.start + self.n

    def sample(self, n: int | None = None, *, rng: Rng = None) -> np.ndarray:
        """Draw ``n`` actions as an ``[n]`` int32 array (one int32 scalar when n is None)."""
        return sample(self, n, rng=rng)

    def __repr__(self) -> str:
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Discrete) and (self.n, self.start) == (other.n, other.start)

    def __hash__(self) -> int:
        return hash((Discrete, self.n, self.start))


class MultiDiscrete:
    """A vector of independent choices; component ``j`` lies in ``[0, nvec[j])``."""

    def __init__(self, nvec):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        if self.nvec.ndim != 1 or self.nvec.size == 0 or np.any(self.nvec <= 0):
            raise SpaceError(
                f"MultiDiscrete.nvec: expected a non-empty 1-d sequence of positive ints, found "
                f"{nvec!r}. Fix: pass e.g. MultiDiscrete([3, 3])."
            )
        self.shape = self.nvec.shape
        self.dtype = np.dtype(np.int64)

    def contains(self, x) -> bool:
        """True when ``x`` is an integer vector of length ``len(nvec)`` within range."""
        x = np.asarray(x)
        if x.shape != self.shape or x.dtype.kind not in "iu":
            return False
        return bool(np.all((x >= 0) & (x < self.nvec)))

    def sample(self, n: int | None = None, *, rng: Rng = None) -> np.ndarray:
        """Draw ``n`` actions as an ``[n, k]`` int32 array (a ``[k]`` array when n is None)."""
        return sample(self, n, rng=rng)

    def __repr__(self) -> str:
        return f"MultiDiscrete({self.nvec.tolist()})"

    def __eq__(self, other) -> bool:
        return isinstance(other, MultiDiscrete) and np.array_equal(self.nvec, other.nvec)

    def __hash__(self) -> int:
        return hash((MultiDiscrete, tuple(self.nvec.tolist())))


# --- duck-typed helpers: these accept envsdk's and Gymnasium's spaces alike -----------------

Kind = Literal["box", "discrete", "multidiscrete"]


def kind(space, role: str = "space") -> Kind:
    """Classify ``space`` by its attributes; raise ``SpaceError`` naming ``role`` if unsupported."""
    if hasattr(space, "nvec"):
        return "multidiscrete"
    if hasattr(space, "n") and not hasattr(space, "low"):
        return "discrete"
    if all(hasattr(space, a) for a in ("low", "high", "shape", "dtype")):
        return "box"
    raise SpaceError.of(
        role, None, "a Box, Discrete or MultiDiscrete space (envsdk.spaces or Gymnasium)",
        f"{type(space).__name__} {space!r}",
        "flatten Dict/Tuple spaces into a Box (envsdk.emulation does this for Gymnasium envs).",
    )


def observation_spec(space) -> tuple[tuple[int, ...], np.dtype]:
    """``(row_shape, dtype)`` of one agent's observation: the space must be a Box."""
    if kind(space, "single_observation_space") != "box":
        raise SpaceError.of(
            "single_observation_space", None, "a Box", repr(space),
            "encode discrete observations as Box(0, n-1, shape=(1,), dtype=np.int32) or one-hot.",
        )
    dtype = np.dtype(space.dtype)
    if not (np.issubdtype(dtype, np.number) or dtype == np.bool_):
        raise SpaceError.of(
            "single_observation_space", "dtype", "a numeric dtype", dtype,
            "use a numeric Box dtype such as float32, uint8 or int8.",
        )
    return tuple(int(s) for s in space.shape), dtype


def action_spec(space) -> tuple[tuple[int, ...], np.dtype]:
    """``(row_shape, dtype)`` of one agent's action in the actions buffer (DESIGN §2).

    Discrete -> ``((), int32)``, MultiDiscrete -> ``((k,), int32)``, Box -> ``(shape, float32)``.
    """
    k = kind(space, "single_action_space")
    if k == "discrete":
        return (), np.dtype(np.int32)
    if k == "multidiscrete":
        return tuple(int(s) for s in np.shape(space.nvec)), np.dtype(np.int32)
    return tuple(int(s) for s in space.shape), np.dtype(np.float32)


def sample(space, n: int | None = None, *, rng: Rng = None) -> np.ndarray:
    """Draw ``n`` samples of any supported space, in the actions-buffer dtype for actions.

    Discrete and MultiDiscrete draw int32 values; Box draws its own dtype. With ``n=None`` one
    unbatched sample is returned.
    """
    gen, count = _generator(rng), _count(n)
    k = kind(space)
    if k == "discrete":
        start = int(getattr(space, "start", 0))
        out = gen.integers(start, start + int(space.n), size=count, dtype=np.int32)
    elif k == "multidiscrete":
        nvec = np.asarray(space.nvec, dtype=np.int64)
        out = gen.integers(0, nvec, size=(count, *nvec.shape), dtype=np.int64).astype(np.int32)
    else:
        return _sample_box(space, count, gen, single=n is None)
    return out[0] if n is None else out


def batch_contains(space, batch) -> np.ndarray:
    """Per-row membership of ``batch`` (shape ``[n, *row_shape]``) in ``space``, vectorized.

    Returns a bool array of shape ``[n]``. Rows of the wrong shape make every entry False.
    """
    batch = np.asarray(batch)
    k = kind(space)
    n = batch.shape[0] if batch.ndim else 0
    if k == "discrete":
        start = int(getattr(space, "start", 0))
        if batch.ndim != 1 or batch.dtype.kind not in "iu":
            return np.zeros(n, bool)
        return (batch >= start) & (batch < start + int(space.n))
    if k == "multidiscrete":
        nvec = np.asarray(space.nvec)
        if batch.shape[1:] != nvec.shape or batch.dtype.kind not in "iu":
            return np.zeros(n, bool)
        inside = (batch >= 0) & (batch < nvec)
    else:
        if batch.shape[1:] != tuple(space.shape):
            return np.zeros(n, bool)
        with np.errstate(invalid="ignore"):
            inside = (batch >= np.asarray(space.low)) & (batch <= np.asarray(space.high))
    return inside.reshape(n, -1).all(axis=1)


def _sample_box(space, count: int, gen: np.random.Generator, single: bool) -> np.ndarray:
    shape = tuple(space.shape)
    dtype = np.dtype(space.dtype)
    low = np.broadcast_to(np.asarray(space.low, np.float64), shape)
    high = np.broadcast_to(np.asarray(space.high, np.float64), shape)
    size = (count, *shape)
    if dtype == np.bool_:
        out = gen.integers(0, 2, size=size).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo = np.where(np.isfinite(low), low, info.min).astype(np.int64)
        hi = np.where(np.isfinite(high), high, info.max).astype(np.int64)
        out = gen.integers(lo, hi, size=size, endpoint=True).astype(dtype)
    else:
        bounded_lo, bounded_hi = np.isfinite(low), np.isfinite(high)
        out = gen.standard_normal(size)
        exp = gen.exponential(size=size)
        uni = gen.uniform(np.where(bounded_lo, low, 0), np.where(bounded_hi, high, 1), size=size)
        out = np.where(bounded_lo & bounded_hi, uni, out)
        out = np.where(bounded_lo & ~bounded_hi, low + exp, out)
        out = np.where(~bounded_lo & bounded_hi, high - exp, out)
        out = out.astype(dtype)
        # float32 rounding can step just outside a bound; clamp back onto it.
        out = np.clip(out, low.astype(dtype), high.astype(dtype))
    return out[0] if single else out


def _bound_repr(a: np.ndarray) -> str:
    return repr(float(a.flat[0])) if a.size and np.all(a == a.flat[0]) else repr(a.tolist())
