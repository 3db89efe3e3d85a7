"""The contract checks: the env has the protocol's members and signatures, valid spaces and
buffers, returns its buffers themselves, and writes every output on every call (DESIGN §1-2)."""

from __future__ import annotations

import inspect

import numpy as np

from envsdk import _arrays, spaces
from envsdk.buffers import FIELDS, Buffers, allocate
from envsdk.checks.record import (
    RESULTS,
    Context,
    checked_reset,
    checked_step,
    describe,
    fill,
    first_index,
    host,
    host_copy,
    raw,
    same_kind,
    short,
    signature,
    write,
)
from envsdk.checks.report import fail, from_error, warn
from envsdk.config import is_int
from envsdk.errors import EnvsdkError
from envsdk.protocol import ENV_DATA_MEMBERS, ENV_MEMBERS, OPTIONAL_ENV_MEMBERS

MEMBERS, DATA_MEMBERS = ENV_MEMBERS, ENV_DATA_MEMBERS  # the protocol's vocabulary (protocol.py)


def check_constructor(ctx: Context) -> str:
    """The factory takes keyword config and ``buffers=None`` (DESIGN §1)."""
    sig = signature(ctx.factory)
    if sig is None:
        warn("constructor", "an inspectable signature", f"none for {ctx.name}",
             "wrap a C callable in a Python class whose __init__ lists the config keywords and buffers=None")
    params = sig.parameters
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    if "buffers" not in params and not var_kw:
        fail("constructor buffers=", "a `buffers=None` keyword parameter", f"parameters ({', '.join(params)})",
             "add `*, buffers=None`: allocate with envsdk.allocate(...) when it is None, else validate the "
             "given buffers and keep them as self.buffers")
    kwargs = ctx.kwargs(buffers=None)
    try:
        sig.bind(**kwargs)
    except TypeError as e:
        fail("constructor config", f"to accept {sorted(kwargs)} as keywords", f"TypeError: {e}",
             "take config as keyword-only parameters with defaults; pass only keys the env defines")
    positional = [p.name for p in params.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    if positional:
        warn("constructor config", "keyword-only parameters", f"{positional} also accepted positionally",
             "put `*,` before the config: def __init__(self, *, num_envs=1, ..., buffers=None)")
    return ("takes num_envs, keyword config and buffers=" if ctx.takes_num_envs
            else "takes keyword config and buffers=; one sub-env per object (no num_envs)")


def check_members(ctx: Context) -> str:
    """The env has every ``envsdk.Env`` member, of the right kind."""
    with ctx.env() as env:
        kind = type(env).__name__
        missing = [m for m in MEMBERS if not hasattr(env, m)]
        if missing:
            fail("members", f"the envsdk.Env members {', '.join(MEMBERS)}", f"{kind} without {', '.join(missing)}",
                 "define them as plain attributes and methods (see envsdk/protocol.py); no base class is needed")
        not_callable = [m for m in ("reset", "step", "close") if not callable(getattr(env, m))]
        if not_callable:
            fail("members", "reset, step and close to be methods", f"{', '.join(not_callable)} not callable",
                 "define them with def (see envsdk/protocol.py)")
        n = env.num_agents
        if not is_int(n) or n < 1:
            fail("num_agents", "a positive int (agent rows)", describe(n), "set self.num_agents = num_envs * agents")
        if ctx.takes_num_envs and n % ctx.num_envs:
            fail("num_agents", f"a multiple of num_envs={ctx.num_envs}", f"{n}",
                 "give every sub-env the same number of agent rows; pad absent agents and mark them in masks")
        lacking = [f for f in FIELDS if _arrays.kind(getattr(env.buffers, f, None)) not in ("numpy", "torch")]
        if lacking:
            fail("buffers", f"an envsdk.Buffers with the arrays {', '.join(FIELDS)}",
                 f"{type(env.buffers).__name__} without arrays {', '.join(lacking)}",
                 "build them with envsdk.allocate(obs_space, act_space, num_agents) when buffers is None")
        computed = [m for m in DATA_MEMBERS + OPTIONAL_ENV_MEMBERS
                    if isinstance(inspect.getattr_static(type(env), m, None), property)]
        if computed:
            warn("members", "plain attributes", f"properties {', '.join(computed)}",
                 "assign them once in __init__ (self.num_agents = ...); isinstance(env, envsdk.Env) evaluates "
                 "properties and each access costs a call")
    return f"{kind}: num_agents={n}"


def check_signatures(ctx: Context) -> str:
    """``reset(seed=None)``, ``step(actions)`` and ``close()`` can be called as the protocol calls them."""
    with ctx.env() as env:
        sig = signature(env.reset)
        if sig is not None:
            seed = sig.parameters.get("seed")
            var_kw = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
            if (seed is None and not var_kw) or (seed is not None and seed.kind is seed.POSITIONAL_ONLY):
                fail("reset signature", "reset(seed=None), seed passable by keyword", f"reset{sig}",
                     "define def reset(self, seed=None)")
            if seed is not None and seed.default is not None:
                warn("reset signature", "seed to default to None (fresh entropy)",
                     f"reset{sig}", "define def reset(self, seed=None)")
        for method, args in (("step", (np.zeros(0),)), ("close", ())):
            sig = signature(getattr(env, method))
            if sig is None:
                continue
            try:
                sig.bind(*args)
            except TypeError:
                call = "step(actions): one positional argument" if args else "close() with no arguments"
                fail(f"{method} signature", call, f"{method}{sig}", f"define def {call.split(':')[0]}")
    return "reset(seed=None), step(actions), close()"


def check_spaces(ctx: Context) -> str:
    """The two spaces are valid: a numeric Box for observations; Discrete, MultiDiscrete or Box for actions."""
    with ctx.env() as env:
        obs_space, act_space = env.single_observation_space, env.single_action_space
    try:
        spaces.observation_spec(obs_space)
        spaces.action_spec(act_space)
    except EnvsdkError as e:
        raise from_error(e) from None
    for role, space in (("single_observation_space", obs_space), ("single_action_space", act_space)):
        k = spaces.kind(space)
        if k == "box":
            shape = tuple(space.shape)
            try:
                low = np.broadcast_to(np.asarray(space.low, np.float64), shape)
                high = np.broadcast_to(np.asarray(space.high, np.float64), shape)
            except ValueError:
                fail(f"{role} bounds", f"low and high broadcastable to shape {shape}",
                     f"shapes {np.shape(space.low)} and {np.shape(space.high)}", "pass bounds of the Box's shape")
            if np.isnan(low).any() or np.isnan(high).any():
                fail(f"{role} bounds", "no NaN bounds", "NaN", "use -inf/inf for unbounded dimensions")
            if (low > high).any():
                fail(f"{role} bounds", "low <= high", f"low > high at {first_index(low > high)}",
                     "swap or correct them")
        elif k == "discrete" and int(space.n) < 1:
            fail(f"{role}.n", "n >= 1", f"{space.n}", "a Discrete space needs at least one action")
    sample = spaces.sample(act_space, 16, rng=ctx.seed)
    if not spaces.batch_contains(act_space, sample).all():
        fail("single_action_space", "its samples to lie inside it", f"samples outside {act_space!r}",
             "fix the space's bounds or dtype")
    return f"observations {obs_space!r}; actions {act_space!r}"


def check_buffers(ctx: Context) -> str:
    """The env's buffers match its spaces and num_agents: dtype, shape, C-contiguity, writability;
    device buffers are tensors on one device, the one the env declares as ``device``."""
    with ctx.env() as env:
        owner = f"{type(env).__name__}.buffers"
        try:
            Buffers.validate(env.buffers, env.single_observation_space, env.single_action_space, env.num_agents,
                             owner=owner)
        except EnvsdkError as e:
            raise from_error(e) from None
        b = env.buffers
        where = _check_device(type(env).__name__, getattr(env, "device", None), b.device)
        return (f"observations {tuple(b.observations.shape)} {_arrays.dtype_of(b.observations)}, actions "
                f"{tuple(b.actions.shape)} {_arrays.dtype_of(b.actions)}; rewards float32, flags and masks bool"
                f"{where}")


def _check_device(kind: str, declared, actual) -> str:
    """Fail unless the env's ``device`` member (None when absent) names where its buffers live
    (``actual``: None for numpy); a note for the report."""
    if declared is None and actual is None:
        return ""
    if declared is None:
        fail(f"{kind}.device", f"the device its tensor buffers live on ({actual})", "no device (absent or None)",
             "declare it: self.device = self.buffers.device in __init__ (protocol.py, Devices)")
    if actual is None:
        fail(f"{kind}.device", "None or absent (its buffers are numpy arrays on the host)", f"{declared!r}",
             "drop the device member, or allocate tensor buffers: envsdk.allocate(..., device=self.device)")
    try:
        same = _arrays.same_device(declared, actual)
    except (TypeError, RuntimeError) as e:
        same, declared = False, f"{declared!r} ({type(e).__name__}: {e})"
    if not same:
        fail(f"{kind}.device", f"buffers.device ({actual})", f"{declared}",
             "read the device from the buffers: self.device = self.buffers.device (a backend passes buffers= only)")
    return f"; torch tensors on {actual}"


def check_rollout(ctx: Context) -> str:
    """``reset`` and ``steps`` random steps run and return what the protocol says (tuples, infos lists)."""
    tr = ctx.trajectory()
    ended = int((tr.terminals | tr.truncations).sum())
    return f"reset + {tr.steps} steps x {tr.rewards.shape[1]} agent rows; {ended} episodes ended"


def check_writes_in_place(ctx: Context) -> str:
    """Reset and step write into the buffers and return them: no rebinding, no copies."""
    with ctx.env() as env:
        b = env.buffers
        arrays = {f: getattr(b, f) for f in FIELDS}

        def unchanged(call: str) -> None:
            if env.buffers is not b:
                fail("buffers", "env.buffers to stay the Buffers it was built with",
                     f"a different object after {call}",
                     "assign self.buffers once in __init__; afterwards write through the arrays (buffers.x[...] = ...)")
            for name, arr in arrays.items():
                if getattr(b, name) is not arr:
                    fail(f"buffers.{name}", "the same array throughout", f"it rebound after {call}",
                         "write in place (arr[...] = ...); never assign a new array")

        def returned(call: str, name: str, got) -> None:
            buf = arrays[name]
            if got is buf or (same_kind(got, buf) and tuple(got.shape) == tuple(buf.shape)
                              and _arrays.shares_memory(got, buf)):
                return
            fail(f"{call} return value {name}", f"buffers.{name} itself (the same memory)",
                 f"{describe(got)} in other memory (a copy)",
                 f"return self.buffers.{name}; never .copy(), .astype(), np.array(...) or build a new array")

        obs, _ = checked_reset(env, ctx.seed)
        unchanged("reset")
        returned("reset", "observations", obs)
        acts = ctx.actions(env.single_action_space, env.num_agents, 8)
        for t, a in enumerate(acts):
            ctx.where = f"step {t + 1} after reset(seed={ctx.seed})"
            if t % 2:
                write(b.actions, a)
                out = checked_step(env.step(b.actions), b, t + 1)
            else:  # a separate array (for device buffers, every other time a tensor on their device)
                given = a.copy()
                if b.device is not None and t % 4 == 2:
                    given = b.actions.clone()
                    write(given, a)
                out = checked_step(env.step(given), b, t + 1)
                if host(b.actions).tobytes() != a.tobytes():
                    fail("step(actions)", f"the actions ({describe(given)}) copied into buffers.actions",
                         "buffers.actions unchanged",
                         "copy them in first: envsdk.buffers.copy_actions(self.buffers.actions, actions)")
            unchanged(f"step {t + 1}")
            for name, got in zip(RESULTS, out[:4], strict=True):
                returned("step", name, got)
    return "reset and step return the buffers themselves; no array rebound"


STALE_BOOL = 2  # a bool buffer's canary byte: neither False (0) nor True (1), so any write replaces it


def _canary(dtype: np.dtype, which: int):
    """Canary ``which`` (0 or 1) for a non-bool buffer: a value a written entry does not keep in both runs."""
    if dtype.kind == "f":
        return np.nan if which == 0 else np.finfo(dtype).min
    info = np.iinfo(dtype)
    return info.max if which == 0 else info.min


def fill_canaries(b: Buffers, which: int) -> None:
    """Put canary ``which`` into observations, rewards, terminals and truncations."""
    for name in RESULTS:
        arr = getattr(b, name)
        dtype = _arrays.dtype_of(arr)
        if dtype == np.bool_:
            fill(raw(arr), STALE_BOOL)
        else:
            fill(arr, _canary(dtype, which))


def _stale(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Entries left unwritten, from two runs that started each call from canary 0 (``x``) and 1 (``y``).

    A written non-bool entry cannot hold canary 0 in one run and canary 1 in the other, whether
    or not the env is deterministic; a bool entry is unwritten when it still holds the canary byte.
    """
    if x.dtype == np.bool_:
        return (x.view(np.uint8) == STALE_BOOL) | (y.view(np.uint8) == STALE_BOOL)
    if x.dtype.kind == "f":
        return np.isnan(x) & (y == _canary(y.dtype, 1))
    return (x == _canary(x.dtype, 0)) & (y == _canary(y.dtype, 1))


def _stale_rows(name: str, x: np.ndarray, y: np.ndarray, live: np.ndarray | None = None) -> np.ndarray:
    """Per ``[..., row]``: whether ``name`` was left unwritten (see ``_stale``).

    An observation row counts as written when any of its entries is (a sim may rewrite only what
    changed, such as Breakout's bricks), and only ``live`` rows must be written.
    """
    stale = _stale(x, y)
    if name == "observations":
        stale = stale.reshape(*live.shape, -1).all(axis=-1) & live
    return stale


def check_external_buffers(ctx: Context) -> str:
    """An env handed ``buffers=`` (a row-slice view, as backends pass) keeps them and writes exactly those rows."""
    with ctx.env() as env:
        obs_space, act_space, n = env.single_observation_space, env.single_action_space, env.num_agents
    acts = ctx.trajectory().actions[:16]
    runs = []
    for which in (0, 1):
        block = allocate(obs_space, act_space, n + 2, device=ctx.device())
        given = block.rows(1, n + 1)  # rows 0 and n+1 are guards the env must not touch
        for f in FIELDS:
            raw(getattr(block, f)).reshape(n + 2, -1)[[0, n + 1]] = 0xA5
        guards = {f: host_copy(raw(getattr(block, f)).reshape(n + 2, -1)[[0, n + 1]]) for f in FIELDS}
        with ctx.env(buffers=given) as env:
            for f in FIELDS:
                got = getattr(env.buffers, f, None)
                if not (got is getattr(given, f) or (same_kind(got, getattr(given, f))
                                                     and _arrays.shares_memory(got, getattr(given, f)))):
                    fail(f"buffers.{f}", "the array passed as buffers= (the same memory)", "a copy in other memory",
                         "keep the argument: self.buffers = buffers.validate(...); never .astype(), .copy() or "
                         "np.ascontiguousarray a given buffer")
            fill_canaries(given, which)
            runs.append(ctx.record(env, acts, ctx.seed, before_step=lambda b, w=which: fill_canaries(b, w),
                                   watch=given))
            for name in RESULTS:
                if not _arrays.shares_memory(getattr(given, name), getattr(env.buffers, name)):
                    fail(f"buffers.{name}", "the given array kept after reset and step", "other memory",
                         "never assign self.buffers after __init__")
        for f in FIELDS:
            now = host_copy(raw(getattr(block, f)).reshape(n + 2, -1)[[0, n + 1]])
            if now.tobytes() != guards[f].tobytes():
                fail(f"buffers.{f}", f"writes only within the {n} rows given", "the row just before or after changed",
                     "index rows 0..num_agents-1 of the given arrays only (C: loop i < num_agents)")
    a, b = runs
    for name in ("observations", "rewards"):
        x, y = getattr(a, name), getattr(b, name)
        stale = _stale_rows(name, x, y, a.masks & b.masks if name == "observations" else None)
        if stale.any():
            t, row = first_index(stale)
            step = t if name == "observations" else t + 1
            fail(f"buffers.{name}", "reset and step to write into the given buffers",
                 f"row {row} of the given {name} untouched by {'reset' if step == 0 else f'step {step}'}",
                 "bind the sim to the given arrays themselves (not to a copy made before validation)")
    return f"kept the given row-slice buffers and wrote only their {n} rows"


def check_write_coverage(ctx: Context) -> str:
    """Canaries in observations, rewards and flags are overwritten by every reset and step (no stale values).

    Two runs with the same seed and actions start each call from different canaries (see
    ``_stale``). An observation row counts as written when any of its entries is; rewards and
    flags must be written for every row on every step, and reset zeroes them.
    """
    ref = ctx.trajectory()
    runs, resets = [], []
    for which in (0, 1):
        with ctx.env() as env:
            fill_canaries(env.buffers, which)
            ctx.where = f"reset(seed={ctx.seed})"
            checked_reset(env, ctx.seed)
            resets.append({name: host_copy(getattr(env.buffers, name)) for name in RESULTS})
            resets[-1]["masks"] = host_copy(env.buffers.masks)
            runs.append(ctx.record(env, ref.actions, ctx.seed, before_step=lambda b, w=which: fill_canaries(b, w)))
    r0, r1 = resets
    stale = _stale_rows("observations", r0["observations"], r1["observations"], r0["masks"] & r1["masks"])
    if stale.any():
        fail("reset writes observations", "every live observation row written by reset",
             f"row {int(np.argmax(stale))} left as it was ({int(stale.sum())} of {stale.size} rows)",
             "write every row's first observation in reset")
    for name in RESULTS[1:]:
        if np.any(r0[name].view(np.uint8) != 0):
            fail(f"reset writes {name}", f"{name} zeroed by reset", f"{short(r0[name])} left over",
                 f"set buffers.{name}[:] = 0 (False) in reset")
    fixes = {
        "observations": "write every live row's observation on every step",
        "rewards": "write every row's reward on every step, zeros included (rewards[:] = ...)",
        "terminals": "assign the flag of every row on every step: terminals[:] = ended, not terminals[ended] = True",
        "truncations": "assign the flag of every row on every step: truncations[:] = cut, not truncations[cut] = True",
    }
    a, b = runs
    for name in RESULTS:
        x, y = getattr(a, name), getattr(b, name)
        if name == "observations":
            stale = _stale_rows(name, x[1:], y[1:], a.masks[1:] & b.masks[1:])
        else:
            stale = _stale_rows(name, x, y)
        if stale.any():
            t, row = first_index(stale)
            fail(f"step writes {name}", "every row written on every step (a value is never left over from an "
                 "earlier step)", f"row {row} not written by step {t + 1} ({int(stale.sum())} of {stale.size} "
                 "row-steps)", fixes[name])
    return f"reset and {a.steps} steps overwrote every observation, reward and flag"

