"""The recording context: one recorder of rollouts, shared by the checks and by ``envsdk.testing``.

``record(env, actions, seed)`` resets an env, steps it with given actions and returns a
``Rollout`` of copies of every output, checking on the way that reset and step return what the
protocol says (``Failed`` otherwise). ``rollout(env, steps)`` does the same with seeded random
actions (``envsdk.testing.rollout``). ``Context`` is what every check gets: how to build the env,
the run settings, and the rollouts several checks share.

Every check works on numpy buffers and on device buffers (torch tensors, ``envsdk/_arrays.py``)
alike: it writes through ``write``/``fill``/``raw`` and reads through ``host``, and a ``Rollout``
always holds numpy copies on the host, so the comparisons after recording are numpy's.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from envsdk import _arrays, spaces
from envsdk.buffers import Buffers
from envsdk.checks.report import fail
from envsdk.config import is_int

RESULTS = ("observations", "rewards", "terminals", "truncations")  # what step returns, in order
STAT_KEYS = ("episode_return", "episode_length", "episode_count")

# The checker's view of either kind of array (numpy, or torch tensors on a device).
write, fill, raw, host_copy, is_tensor = _arrays.write, _arrays.fill, _arrays.raw, _arrays.host_copy, _arrays.is_tensor


def host(x) -> np.ndarray:
    """``x`` as a numpy array on the host, to read: numpy arrays and CPU tensors without a copy,
    a device tensor copied to the host."""
    return x if isinstance(x, np.ndarray) else _arrays.host_view(x)


def same_kind(got, want) -> bool:
    """Whether ``got`` is an array of ``want``'s kind (numpy, or a tensor on the same device)."""
    if isinstance(want, np.ndarray):
        return isinstance(got, np.ndarray)
    return is_tensor(got) and _arrays.same_device(got.device, want.device)


def spec(arr) -> tuple[tuple[int, ...], np.dtype]:
    """An array's shape as a tuple and its dtype as numpy names it, for either kind."""
    return tuple(arr.shape), _arrays.dtype_of(arr)


@dataclass
class Rollout:
    """A recorded rollout: copies of what reset and step returned, stacked over steps.

    Index ``k`` of ``observations``/``masks`` is after step ``k`` (0: after reset); index ``k`` of
    ``rewards``/``terminals``/``truncations``/``infos`` is step ``k + 1``'s output.
    """

    observations: np.ndarray | None  # [T + 1, n, *obs_shape], None when not recorded
    actions: np.ndarray              # [T, n, *act_shape], the actions-buffer dtype
    rewards: np.ndarray              # [T, n]
    terminals: np.ndarray            # [T, n]
    truncations: np.ndarray          # [T, n]
    masks: np.ndarray                # [T + 1, n]
    infos: list = field(default_factory=list)  # [T] infos lists
    max_steps: int | None = None     # the env's time limit, when it has one we can read
    final_observations: np.ndarray | None = None  # [T, n, *obs_shape] after each step, when the buffers have them

    @property
    def steps(self) -> int:
        """Number of recorded steps ``T``."""
        return len(self.rewards)

    def equal(self, other: Rollout) -> bool:
        """True when every array is bit-identical (NaNs at the same places compare equal)."""
        names = ("observations", "actions", "rewards", "terminals", "truncations", "masks", "final_observations")
        return all(_bit_equal(getattr(self, k), getattr(other, k)) for k in names)


def _bit_equal(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def random_actions(space, n: int, steps: int, seed: int) -> np.ndarray:
    """``[steps, n, *act_shape]`` random valid actions in the actions-buffer dtype, seeded."""
    shape, dtype = spaces.action_spec(space)
    rng = np.random.default_rng(seed)
    out = np.empty((steps, n, *shape), dtype)
    for t in range(steps):
        out[t] = spaces.sample(space, n, rng=rng)
    return out


def record(env, actions: np.ndarray, seed: int | None, *, observations: bool = True,
           before_step: Callable[[Buffers], None] | None = None, watch: Buffers | None = None,
           max_steps: int | None = None, ctx: Context | None = None) -> Rollout:
    """Reset ``env`` with ``seed`` and step it with ``actions``; validate and copy every output.

    ``before_step(buffers)`` runs before each step; with ``watch``, the arrays of ``watch`` are
    recorded instead of the returned ones; ``observations=False`` records none (long runs). When
    the buffers have ``final_observations``, each step's are recorded too (with the observations).
    Raises ``Failed`` when reset or step returns something other than the protocol says; with
    ``ctx``, ``ctx.where`` names the call in progress, for an exception the env raises.
    """
    b = env.buffers
    steps = len(actions)
    if ctx is not None:
        ctx.where = f"reset(seed={seed})"
    obs, _ = checked_reset(env, seed)
    obs_shape, obs_dtype = spec(b.observations)
    obs_rec = np.empty((steps + 1, *obs_shape), obs_dtype) if observations else None
    rec = {k: np.empty((steps, b.num_agents), np.float32 if k == "rewards" else bool) for k in RESULTS[1:]}
    masks = np.empty((steps + 1, b.num_agents), bool)
    final = (b if watch is None else watch).final_observations if observations else None
    final_rec = None if final is None else np.empty((steps, *obs_shape), obs_dtype)
    if observations:
        obs_rec[0] = host(obs if watch is None else watch.observations)
    masks[0] = host(b.masks)
    infos = []
    step, actions_buffer = env.step, b.actions
    for t in range(steps):
        write(actions_buffer, actions[t])
        if before_step is not None:
            before_step(b)
        if ctx is not None:
            ctx.where = f"step {t + 1} after reset(seed={seed})"
        out = checked_step(step(actions_buffer), b, t + 1)
        if watch is not None:
            out = (watch.observations, watch.rewards, watch.terminals, watch.truncations, out[4])
        if observations:
            obs_rec[t + 1] = host(out[0])
        rec["rewards"][t], rec["terminals"][t], rec["truncations"][t] = host(out[1]), host(out[2]), host(out[3])
        masks[t + 1] = host(b.masks)
        if final_rec is not None:
            final_rec[t] = host(final)
        infos.append(out[4])
    if ctx is not None:
        ctx.where = ""
    return Rollout(obs_rec, actions.copy(), rec["rewards"], rec["terminals"], rec["truncations"], masks, infos,
                   max_steps, final_rec)


def rollout(env, steps: int, seed: int = 0, action_seed: int = 0) -> Rollout:
    """Reset ``env`` with ``seed`` and step it ``steps`` times with random valid actions drawn
    from ``np.random.default_rng(action_seed)``; return the ``Rollout``."""
    return record(env, random_actions(env.single_action_space, env.num_agents, steps, action_seed), seed)


class Context:
    """What every check gets: how to build the env, the run settings, and shared rollouts."""

    def __init__(self, factory: Callable, config: dict, num_envs: int | None, seed: int, steps: int, quick: bool):
        self.factory = factory
        self.name = factory_name(factory)
        self.config = config
        self.takes_num_envs = takes_num_envs(factory)
        self.num_envs = num_envs  # sub-envs per object; None for one-sub-env factories
        self.seed, self.steps, self.quick = seed, steps, quick
        self.where = ""  # the env call in progress, named when the env raises
        # Set by the final_observations check once the env writes them right; the later checks
        # that compare splits and backends then compare final observations too.
        self.final_observations = False
        self._cache: dict[str, Any] = {}

    def kwargs(self, **extra) -> dict:
        """Keyword arguments for the factory: num_envs (if it takes it), the config, ``extra``."""
        base = {"num_envs": self.num_envs} if self.takes_num_envs else {}
        return {**base, **self.config, **extra}

    def build(self, **extra):
        """An env built from the factory with ``kwargs(**extra)``; the caller closes it."""
        self.where = f"{self.name}(...)"
        return self.factory(**self.kwargs(**extra))

    @contextmanager
    def env(self, **extra) -> Iterator[Any]:
        """An env built from the factory, closed afterwards (close errors belong to the close check)."""
        env = self.build(**extra)
        try:
            yield env
        finally:
            with suppress(Exception):
                env.close()

    def device(self):
        """Where the env's buffers live: None for numpy, else their ``torch.device`` (read once,
        from an env the factory builds). Checks that allocate buffers for the env allocate there."""
        if "device" not in self._cache:
            with self.env() as env:
                self._cache["device"] = getattr(env.buffers, "device", None)
        return self._cache["device"]

    def serial(self, num_envs: int, **options):
        """A ``Serial`` of the factory with the run's config and ``options``, on the env's device
        (``final_observations`` as the run has established). For a device env, the config's own
        ``device`` (if any) gives way to Serial's, which Serial passes on to a factory that takes one."""
        from envsdk.backends.serial import Serial

        device = self.device()
        config = {k: v for k, v in self.config.items() if device is None or k != "device"}
        if device is not None:
            options["device"] = device
        return Serial(self.factory, num_envs=num_envs, final_observations=self.final_observations, **options,
                      **config)

    def actions(self, space, n: int, steps: int, seed: int | None = None) -> np.ndarray:
        """``random_actions`` seeded with ``seed``, by default the run's seed."""
        return random_actions(space, n, steps, self.seed if seed is None else seed)

    def record(self, env, actions: np.ndarray, seed: int, **options) -> Rollout:
        """``record(env, actions, seed, **options)``, naming the env call in progress in ``where``
        and the env's time limit in the rollout."""
        return record(env, actions, seed, max_steps=max_steps_of(self, env), ctx=self, **options)

    def trajectory(self) -> Rollout:
        """The main rollout: ``steps`` random steps from ``reset(seed)``, shared by many checks."""
        if "main" not in self._cache:
            with self.env() as env:
                acts = self.actions(env.single_action_space, env.num_agents, self.steps)
                self._cache["main"] = self.record(env, acts, self.seed)
        return self._cache["main"]

    def episodes(self) -> Rollout:
        """A rollout in which an episode ended: the main one, or a longer one without observations.

        Longer runs go up to 50x ``steps`` (at most 3 s of stepping), so autoreset is exercised
        even for long default episodes.
        """
        if "episodes" not in self._cache:
            main = self.trajectory()
            found = main
            if not (main.terminals | main.truncations).any():
                with self.env() as env:
                    limit, length = 50 * self.steps, self.steps
                    start = time.perf_counter()
                    while True:
                        length = min(2 * length, limit)
                        acts = self.actions(env.single_action_space, env.num_agents, length)
                        found = self.record(env, acts, self.seed, observations=False)
                        ended = (found.terminals | found.truncations).any()
                        if ended or length >= limit or time.perf_counter() - start > 3.0:
                            break
            self._cache["episodes"] = found
        return self._cache["episodes"]


def factory_name(factory) -> str:
    """A factory's name for reports: ``module:qualname`` (a string target as given)."""
    if isinstance(factory, str):
        return factory
    module = getattr(factory, "__module__", None)
    qual = getattr(factory, "__qualname__", None) or repr(factory)
    return f"{module}:{qual}" if module else qual


def signature(obj) -> inspect.Signature | None:
    """``inspect.signature(obj)``, or None for callables that have none."""
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):  # some C callables have none
        return None


def takes_num_envs(factory) -> bool:
    """Whether the factory takes ``num_envs`` (else each object is one sub-env)."""
    sig = signature(factory)
    return sig is not None and "num_envs" in sig.parameters


def max_steps_of(ctx: Context, env) -> int | None:
    """The env's time limit: config ``max_steps``, else an attribute, else the signature default."""
    value = ctx.config.get("max_steps", getattr(env, "max_steps", None))
    if value is None:
        sig = signature(ctx.factory)
        param = sig.parameters.get("max_steps") if sig else None
        value = None if param is None or param.default is inspect.Parameter.empty else param.default
    return int(value) if is_int(value) else None


def checked_reset(env, seed: int | None):
    """``env.reset(seed=seed)``, checking it returns ``(observations, infos)``."""
    out = env.reset(seed=seed)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail("reset return value", "a 2-tuple (observations, infos)", describe(out),
             "return self.buffers.observations, [] (infos is a list of dicts)")
    _check_infos(out[1], "reset")
    return out


def checked_step(out, b, t: int):
    """Check ``step``'s return value: a 5-tuple of arrays shaped like the buffers and infos."""
    if not (isinstance(out, tuple) and len(out) == 5):
        fail("step return value", "a 5-tuple (observations, rewards, terminals, truncations, infos)",
             f"{describe(out)} at step {t}",
             "return self.buffers.observations, self.buffers.rewards, self.buffers.terminals, "
             "self.buffers.truncations, infos")
    for name, got in zip(RESULTS, out[:4], strict=True):
        expected = getattr(b, name)
        if not same_kind(got, expected) or tuple(got.shape) != tuple(expected.shape):
            what = "an array" if isinstance(expected, np.ndarray) else f"a tensor on {expected.device}"
            fail(f"step return value {name}", f"{what} of shape {tuple(expected.shape)} (buffers.{name})",
                 f"{describe(got)} at step {t}", f"return self.buffers.{name} itself")
    _check_infos(out[4], f"step {t}")
    return out


def _check_infos(infos, where: str) -> None:
    if type(infos) is not list:
        fail("infos", "a list of dicts (usually empty)", f"{describe(infos)} from {where}",
             "return [] when there is nothing to report, or [{'episode_return': ..., ...}]")
    for info in infos:
        if not isinstance(info, dict):
            fail("infos", "a list of dicts", f"an item {describe(info)} from {where}", "put only dicts in infos")


def describe(x) -> str:
    """A short description of a value for a finding: an array's shape and dtype, a sequence's length."""
    if isinstance(x, np.ndarray):
        return f"ndarray shape {x.shape} dtype {x.dtype}"
    if is_tensor(x):
        return f"tensor shape {tuple(x.shape)} dtype {x.dtype} on {x.device}"
    if isinstance(x, (tuple, list)):
        return f"{type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__} {x!r}"[:120]


def first_index(mask: np.ndarray) -> tuple[int, ...]:
    """The index of the first True entry of ``mask`` (which has one)."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _unequal(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per ``[step, row]``: whether ``x`` and ``y`` differ bit for bit (NaNs at the same place are equal)."""
    steps, rows = x.shape[:2]
    xb = np.ascontiguousarray(x).view(np.uint8).reshape(steps, rows, -1)
    yb = np.ascontiguousarray(y).view(np.uint8).reshape(steps, rows, -1)
    return (xb != yb).any(axis=2)


def _infos_totals(infos: list) -> tuple[int, dict[str, float]]:
    """Episodes reported in one step's infos and each numeric statistic summed over them.

    Backends and objects split the same episodes over different dicts; these totals do not depend
    on the split.
    """
    count, sums = 0, {}
    for info in infos:
        k = info.get("episode_count", 1)
        count += int(k)
        for key, value in info.items():
            if key != "episode_count" and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                sums[key] = sums.get(key, 0.0) + float(value) * k
    return count, sums


def _same_totals(x: list, y: list) -> bool:
    (cx, sx), (cy, sy) = _infos_totals(x), _infos_totals(y)
    return cx == cy and sx.keys() == sy.keys() and all(np.isclose(sx[k], sy[k], rtol=1e-5, atol=1e-6) for k in sx)


def first_difference(a: Rollout, b: Rollout, infos: str = "exact") -> str | None:
    """Where two trajectories first differ, as words; None when bit-identical.

    ``infos="exact"`` compares infos as written; ``"totals"`` compares the episodes and summed
    statistics per step (for runs that split sub-envs over different objects).
    """
    found = []
    for name in ("observations", "rewards", "terminals", "truncations", "masks", "final_observations"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None or x.tobytes() == y.tobytes():
            continue
        t, row = first_index(_unequal(x, y))
        step = t if name in ("observations", "masks") else t + 1
        found.append((step, len(found), f"{name} of row {row} after step {step} ({short(x[t, row])} vs "
                      f"{short(y[t, row])})"))
    for t, (x, y) in enumerate(zip(a.infos, b.infos, strict=True)):
        if (repr(x) != repr(y)) if infos == "exact" else not _same_totals(x, y):
            found.append((t + 1, len(found), f"infos after step {t + 1} ({x!r} vs {y!r})"[:300]))
            break
    return min(found)[2] if found else None


def short(x) -> str:
    """An array (or value) printed in under 80 characters."""
    text = np.array2string(np.asarray(host(x) if is_tensor(x) else x), precision=6, threshold=8, edgeitems=3)
    return text if len(text) < 80 else text[:77] + "..."

