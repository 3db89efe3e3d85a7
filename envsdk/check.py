"""The conformance checker: ``envsdk.check(factory, **config)`` and ``envsdk check TARGET``.

The checker is the contract (``envsdk/protocol.py`` is its text). It is a list of small named
checks, each a function of one ``Context`` that returns a short note (pass), or raises ``Failed``,
``Warned`` or ``Skipped``. Every finding names the property, what was expected, what was found,
and the fix. An exception raised by the env inside a check fails that check with the env's
traceback; the remaining checks still run. A check whose prerequisite failed is skipped (it says
which) rather than failing again for the same cause. ``quick`` skips the slow checks (fuzzing,
resources, backends).

No pytest here: env authors call ``envsdk.check`` from scripts or their own test suites
(``envsdk.testing.assert_passes_check``), and the CLI prints the same ``Report``.
"""

from __future__ import annotations

import gc
import inspect
import json
import os
import pickle
import time
import traceback
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

import numpy as np

from envsdk import spaces
from envsdk.buffers import FIELDS, Buffers, allocate
from envsdk.errors import ConfigError, EnvsdkError

DEFAULT_NUM_ENVS = 8  # sub-envs per object for factories that take num_envs
DEFAULT_STEPS = 1000  # steps per recorded rollout
QUICK_STEPS = 200     # the same with quick=True
STATUSES = ("pass", "warn", "fail", "skip")

_MEMBERS = ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset", "step", "close")
_DATA_MEMBERS = _MEMBERS[:4]
_RESULTS = ("observations", "rewards", "terminals", "truncations")  # what step returns, in order
_STAT_KEYS = ("episode_return", "episode_length", "episode_count")


# --- results --------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """The outcome of one named check.

    ``status`` is one of ``STATUSES``; ``message`` says what was checked (pass, skip) or the
    problem (``"property: expected X, found Y."``); ``fix`` says what to change; ``details``
    holds the env's traceback or other evidence; ``seconds`` is the check's wall time.
    """

    name: str
    status: str
    message: str = ""
    fix: str = ""
    details: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    """Every check's result for one target; ``ok`` when none failed (warnings are allowed)."""

    target: str
    settings: dict[str, Any]
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not any(r.status == "fail" for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "warn"]

    def __getitem__(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"Report: expected a check named {name!r}, found none. Checks: {[r.name for r in self.results]}")

    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "ok": self.ok,
            "settings": self.settings,
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "results": [{**asdict(r), "seconds": round(r.seconds, 3)} for r in self.results],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=repr)

    def format(self) -> str:
        """The human report: one line per check, then the details (with fixes) of warnings and failures."""
        s = self.settings
        config = " ".join(f"{k}={v!r}" for k, v in s["config"].items())
        head = f"envsdk check {self.target}  num_envs={s['num_envs']} seed={s['seed']} steps={s['steps']}"
        lines = [head + (f" {config}" if config else "") + ("  (quick)" if s["quick"] else ""), ""]
        width = max((len(r.name) for r in self.results), default=0)
        for r in self.results:
            note = r.message.splitlines()[0] if r.message else ""
            if len(note) > 100:
                note = note[:99] + "…"
            lines.append(f"  {r.status.upper() if r.status == 'fail' else r.status:<4}  {r.name:<{width}}  "
                         f"{r.seconds:5.2f}s  {note}")
        problems = [r for r in self.results if r.status in ("fail", "warn")]
        if problems:
            lines += ["", "Details:"]
            for r in problems:
                lines.append(f"  {r.status.upper()} {r.name}: {r.message}")
                if r.fix:
                    lines.append(f"    Fix: {r.fix}")
                if r.details:
                    lines += ["    " + line for line in r.details.rstrip().splitlines()]
        c = self.counts()
        verdict = "OK" if self.ok else "FAILED"
        lines += ["", f"{verdict}: {c['pass']} passed, {c['warn']} warnings, {c['fail']} failed, "
                      f"{c['skip']} skipped in {self.seconds:.1f}s"]
        return "\n".join(lines)

    __str__ = format


class Outcome(Exception):
    """Raised by a check to end it with a status other than pass."""

    status = "fail"

    def __init__(self, message: str, fix: str = "", details: str = ""):
        super().__init__(message)
        self.message, self.fix, self.details = message, fix, details


class Failed(Outcome):
    status = "fail"


class Warned(Outcome):
    status = "warn"


class Skipped(Outcome):
    status = "skip"


def fail(prop: str, expected: str, found: str, fix: str, details: str = "") -> NoReturn:
    """End the check as failed: ``prop: expected X, found Y.`` plus the fix."""
    raise Failed(f"{prop}: expected {expected}, found {found}.", fix, details)


def warn(prop: str, expected: str, found: str, fix: str, details: str = "") -> NoReturn:
    """End the check with a warning (the run still passes)."""
    raise Warned(f"{prop}: expected {expected}, found {found}.", fix, details)


def _from_error(err: Exception, cls: type[Outcome] = Failed) -> Outcome:
    """An envsdk error (``... Fix: ...``) as an outcome, its fix split out."""
    text = str(err)
    message, sep, fix = text.partition(" Fix: ")
    return cls(message if sep else text, fix)


# --- the context every check shares ----------------------------------------------------------


@dataclass
class Trajectory:
    """A recorded rollout: copies of what reset and step returned, stacked over steps.

    Index ``k`` of ``observations``/``masks`` is after step ``k`` (0: after reset); index ``k`` of
    ``rewards``/``terminals``/``truncations``/``infos`` is step ``k + 1``'s output.
    """

    observations: np.ndarray | None  # [T + 1, n, *obs_shape], None when not recorded
    actions: np.ndarray              # [T, n, *act_shape]
    rewards: np.ndarray              # [T, n]
    terminals: np.ndarray            # [T, n]
    truncations: np.ndarray          # [T, n]
    masks: np.ndarray                # [T + 1, n]
    infos: list                      # [T] infos lists
    max_steps: int | None = None     # the env's time limit, when it has one we can read

    @property
    def steps(self) -> int:
        return len(self.rewards)


class Context:
    """What every check gets: how to build the env, the run settings, and shared rollouts."""

    def __init__(self, factory: Callable, config: dict, num_envs: int | None, seed: int, steps: int, quick: bool):
        self.factory = factory
        self.name = _name(factory)
        self.config = config
        self.takes_num_envs = _takes_num_envs(factory)
        self.num_envs = num_envs  # sub-envs per object; None for one-sub-env factories
        self.seed, self.steps, self.quick = seed, steps, quick
        self.where = ""  # the env call in progress, named when the env raises
        self._cache: dict[str, Any] = {}

    def kwargs(self, **extra) -> dict:
        """Keyword arguments for the factory: num_envs (if it takes it), the config, ``extra``."""
        base = {"num_envs": self.num_envs} if self.takes_num_envs else {}
        return {**base, **self.config, **extra}

    def build(self, **extra):
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

    def actions(self, space, n: int, steps: int, seed: int | None = None) -> np.ndarray:
        """``[steps, n, *act_shape]`` random valid actions in the actions-buffer dtype, seeded."""
        shape, dtype = spaces.action_spec(space)
        rng = np.random.default_rng(self.seed if seed is None else seed)
        out = np.empty((steps, n, *shape), dtype)
        for t in range(steps):
            out[t] = spaces.sample(space, n, rng=rng)
        return out

    def record(self, env, actions: np.ndarray, seed: int, *, observations: bool = True,
               before_step: Callable[[Buffers], None] | None = None, watch: Buffers | None = None) -> Trajectory:
        """Reset ``env`` with ``seed`` and step it with ``actions``; validate and copy every output.

        ``before_step(buffers)`` runs before each step; with ``watch``, the arrays of ``watch`` are
        recorded instead of the returned ones.
        """
        b = env.buffers
        steps = len(actions)
        self.where = f"reset(seed={seed})"
        obs, _ = _reset(env, seed)
        obs_rec = np.empty((steps + 1, *b.observations.shape), b.observations.dtype) if observations else None
        rec = {k: np.empty((steps, *b.rewards.shape), b.rewards.dtype if k == "rewards" else bool)
               for k in _RESULTS[1:]}
        masks = np.empty((steps + 1, *b.masks.shape), bool)
        if observations:
            obs_rec[0] = obs if watch is None else watch.observations
        masks[0] = b.masks
        infos = []
        step, actions_buffer = env.step, b.actions
        for t in range(steps):
            actions_buffer[...] = actions[t]
            if before_step is not None:
                before_step(b)
            self.where = f"step {t + 1} after reset(seed={seed})"
            out = _step_result(step(actions_buffer), b, t + 1)
            if watch is not None:
                out = (watch.observations, watch.rewards, watch.terminals, watch.truncations, out[4])
            if observations:
                obs_rec[t + 1] = out[0]
            rec["rewards"][t], rec["terminals"][t], rec["truncations"][t] = out[1], out[2], out[3]
            masks[t + 1] = b.masks
            infos.append(out[4])
        self.where = ""
        return Trajectory(obs_rec, actions.copy(), rec["rewards"], rec["terminals"], rec["truncations"], masks,
                          infos, _max_steps(self, env))

    def trajectory(self) -> Trajectory:
        """The main rollout: ``steps`` random steps from ``reset(seed)``, shared by many checks."""
        if "main" not in self._cache:
            with self.env() as env:
                acts = self.actions(env.single_action_space, env.num_agents, self.steps)
                self._cache["main"] = self.record(env, acts, self.seed)
        return self._cache["main"]

    def episodes(self) -> Trajectory:
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


def _name(factory) -> str:
    if isinstance(factory, str):
        return factory
    module = getattr(factory, "__module__", None)
    qual = getattr(factory, "__qualname__", None) or repr(factory)
    return f"{module}:{qual}" if module else qual


def _signature(obj) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):  # some C callables have none
        return None


def _default_num_envs(factory, config: dict) -> int:
    """``DEFAULT_NUM_ENVS`` sub-envs, fewer for multi-agent envs (about as many agent rows, never
    fewer than 2 sub-envs, so vectorization still compares something): 8 sub-envs of 256 snakes
    would take the default run past its time budget."""
    try:
        probe = factory(num_envs=1, **config)
        agents = int(probe.num_agents)
        probe.close()
    except Exception:  # the constructor check reports it, with the traceback
        return DEFAULT_NUM_ENVS
    return max(2, min(DEFAULT_NUM_ENVS, DEFAULT_NUM_ENVS // max(agents, 1)))


def _takes_num_envs(factory) -> bool:
    sig = _signature(factory)
    return sig is not None and "num_envs" in sig.parameters


def _max_steps(ctx: Context, env) -> int | None:
    """The env's time limit: config ``max_steps``, else an attribute, else the signature default."""
    value = ctx.config.get("max_steps", getattr(env, "max_steps", None))
    if value is None:
        sig = _signature(ctx.factory)
        param = sig.parameters.get("max_steps") if sig else None
        value = None if param is None or param.default is inspect.Parameter.empty else param.default
    return int(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else None


def _reset(env, seed: int | None):
    """``env.reset(seed=seed)``, checking it returns ``(observations, infos)``."""
    out = env.reset(seed=seed)
    if not (isinstance(out, tuple) and len(out) == 2):
        fail("reset return value", "a 2-tuple (observations, infos)", _describe(out),
             "return self.buffers.observations, [] (infos is a list of dicts)")
    _check_infos(out[1], "reset")
    return out


def _step_result(out, b, t: int):
    """Check ``step``'s return value: a 5-tuple of arrays shaped like the buffers and infos."""
    if not (isinstance(out, tuple) and len(out) == 5):
        fail("step return value", "a 5-tuple (observations, rewards, terminals, truncations, infos)",
             f"{_describe(out)} at step {t}",
             "return self.buffers.observations, self.buffers.rewards, self.buffers.terminals, "
             "self.buffers.truncations, infos")
    for name, got in zip(_RESULTS, out[:4], strict=True):
        expected = getattr(b, name)
        if not isinstance(got, np.ndarray) or got.shape != expected.shape:
            fail(f"step return value {name}", f"an array of shape {expected.shape} (buffers.{name})",
                 f"{_describe(got)} at step {t}", f"return self.buffers.{name} itself")
    _check_infos(out[4], f"step {t}")
    return out


def _check_infos(infos, where: str) -> None:
    if type(infos) is not list:
        fail("infos", "a list of dicts (usually empty)", f"{_describe(infos)} from {where}",
             "return [] when there is nothing to report, or [{'episode_return': ..., ...}]")
    for info in infos:
        if not isinstance(info, dict):
            fail("infos", "a list of dicts", f"an item {_describe(info)} from {where}", "put only dicts in infos")


def _describe(x) -> str:
    if isinstance(x, np.ndarray):
        return f"ndarray shape {x.shape} dtype {x.dtype}"
    if isinstance(x, (tuple, list)):
        return f"{type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__} {x!r}"[:120]


def _first(mask: np.ndarray) -> tuple[int, ...]:
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


def _first_difference(a: Trajectory, b: Trajectory, infos: str = "exact") -> str | None:
    """Where two trajectories first differ, as words; None when bit-identical.

    ``infos="exact"`` compares infos as written; ``"totals"`` compares the episodes and summed
    statistics per step (for runs that split sub-envs over different objects).
    """
    found = []
    for name in ("observations", "rewards", "terminals", "truncations", "masks"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None or x.tobytes() == y.tobytes():
            continue
        t, row = _first(_unequal(x, y))
        step = t if name in ("observations", "masks") else t + 1
        found.append((step, len(found), f"{name} of row {row} after step {step} ({_short(x[t, row])} vs "
                      f"{_short(y[t, row])})"))
    for t, (x, y) in enumerate(zip(a.infos, b.infos, strict=True)):
        if (repr(x) != repr(y)) if infos == "exact" else not _same_totals(x, y):
            found.append((t + 1, len(found), f"infos after step {t + 1} ({x!r} vs {y!r})"[:300]))
            break
    return min(found)[2] if found else None


def _fail_split(prop: str, expected: str, diff: str, runs: list[Trajectory]) -> NoReturn:
    """Fail a comparison of runs that split sub-envs differently, naming the likeliest cause.

    Such runs report the same episodes in differently split dicts, compared as totals (mean x
    ``episode_count``); a dict without ``episode_count`` counts as one episode, so the totals
    differ although the env is right, and the fix is the count, not the env's state.
    """
    uncounted = next((i for tr in runs for step in tr.infos for i in step
                      if "episode_count" not in i and any(k in i for k in _STAT_KEYS)), None)
    if diff.startswith("infos") and uncounted is not None:
        fail(f"{prop} infos episode_count", f"{expected}, with every episode dict carrying episode_count",
             f"a difference in {diff}, and infos without episode_count ({_short(uncounted)}), so the episodes "
             "each dict aggregates cannot be counted across splits",
             "report {'episode_return': mean, 'episode_length': mean, 'episode_count': k} for the k episodes "
             "that ended since the last report")
    fail(prop, expected, f"a difference in {diff}",
         "keep all state per sub-env: no module- or class-level variables, no process-global RNG (random, "
         "np.random, C rand()), nothing shared between rows")


def _short(x) -> str:
    text = np.array2string(np.asarray(x), precision=6, threshold=8, edgeitems=3)
    return text if len(text) < 80 else text[:77] + "..."


def _env_traceback(exc: BaseException) -> str:
    """The traceback from the first frame outside this module (the env's part of it)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


# --- the checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A named check: ``func(ctx)`` returns a note or raises an ``Outcome``."""

    name: str
    func: Callable[[Context], str | None]
    needs: tuple[str, ...] = ()  # checks that must not have failed or been skipped
    slow: bool = False           # skipped by quick=True


CHECKS: list[Check] = []


def _check(name: str, needs: tuple[str, ...] = (), slow: bool = False):
    def register(func):
        CHECKS.append(Check(name, func, needs, slow))
        return func
    return register


@_check("constructor")
def check_constructor(ctx: Context) -> str:
    """The factory takes keyword config and ``buffers=None`` (DESIGN §1)."""
    sig = _signature(ctx.factory)
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


@_check("members")
def check_members(ctx: Context) -> str:
    """The env has every ``envsdk.Env`` member, of the right kind."""
    with ctx.env() as env:
        kind = type(env).__name__
        missing = [m for m in _MEMBERS if not hasattr(env, m)]
        if missing:
            fail("members", f"the envsdk.Env members {', '.join(_MEMBERS)}", f"{kind} without {', '.join(missing)}",
                 "define them as plain attributes and methods (see envsdk/protocol.py); no base class is needed")
        not_callable = [m for m in ("reset", "step", "close") if not callable(getattr(env, m))]
        if not_callable:
            fail("members", "reset, step and close to be methods", f"{', '.join(not_callable)} not callable",
                 "define them with def (see envsdk/protocol.py)")
        n = env.num_agents
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            fail("num_agents", "a positive int (agent rows)", _describe(n), "set self.num_agents = num_envs * agents")
        if ctx.takes_num_envs and n % ctx.num_envs:
            fail("num_agents", f"a multiple of num_envs={ctx.num_envs}", f"{n}",
                 "give every sub-env the same number of agent rows; pad absent agents and mark them in masks")
        lacking = [f for f in FIELDS if not isinstance(getattr(env.buffers, f, None), np.ndarray)]
        if lacking:
            fail("buffers", f"an envsdk.Buffers with the arrays {', '.join(FIELDS)}",
                 f"{type(env.buffers).__name__} without arrays {', '.join(lacking)}",
                 "build them with envsdk.allocate(obs_space, act_space, num_agents) when buffers is None")
        computed = [m for m in _DATA_MEMBERS if isinstance(inspect.getattr_static(type(env), m, None), property)]
        if computed:
            warn("members", "plain attributes", f"properties {', '.join(computed)}",
                 "assign them once in __init__ (self.num_agents = ...); isinstance(env, envsdk.Env) evaluates "
                 "properties and each access costs a call")
    return f"{kind}: num_agents={n}"


@_check("signatures", needs=("members",))
def check_signatures(ctx: Context) -> str:
    """``reset(seed=None)``, ``step(actions)`` and ``close()`` can be called as the protocol calls them."""
    with ctx.env() as env:
        sig = _signature(env.reset)
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
            sig = _signature(getattr(env, method))
            if sig is None:
                continue
            try:
                sig.bind(*args)
            except TypeError:
                call = "step(actions): one positional argument" if args else "close() with no arguments"
                fail(f"{method} signature", call, f"{method}{sig}", f"define def {call.split(':')[0]}")
    return "reset(seed=None), step(actions), close()"


@_check("spaces", needs=("members",))
def check_spaces(ctx: Context) -> str:
    """The two spaces are valid: a numeric Box for observations; Discrete, MultiDiscrete or Box for actions."""
    with ctx.env() as env:
        obs_space, act_space = env.single_observation_space, env.single_action_space
    try:
        spaces.observation_spec(obs_space)
        spaces.action_spec(act_space)
    except EnvsdkError as e:
        raise _from_error(e) from None
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
                fail(f"{role} bounds", "low <= high", f"low > high at {_first(low > high)}", "swap or correct them")
        elif k == "discrete" and int(space.n) < 1:
            fail(f"{role}.n", "n >= 1", f"{space.n}", "a Discrete space needs at least one action")
    sample = spaces.sample(act_space, 16, rng=ctx.seed)
    if not spaces.batch_contains(act_space, sample).all():
        fail("single_action_space", "its samples to lie inside it", f"samples outside {act_space!r}",
             "fix the space's bounds or dtype")
    return f"observations {obs_space!r}; actions {act_space!r}"


@_check("buffers", needs=("spaces",))
def check_buffers(ctx: Context) -> str:
    """The env's buffers match its spaces and num_agents: dtype, shape, C-contiguity, writability."""
    with ctx.env() as env:
        owner = f"{type(env).__name__}.buffers"
        try:
            Buffers.validate(env.buffers, env.single_observation_space, env.single_action_space, env.num_agents,
                             owner=owner)
        except EnvsdkError as e:
            raise _from_error(e) from None
        b = env.buffers
        return (f"observations {b.observations.shape} {b.observations.dtype}, actions {b.actions.shape} "
                f"{b.actions.dtype}; rewards float32, flags and masks bool")


@_check("rollout", needs=("signatures", "buffers"))
def check_rollout(ctx: Context) -> str:
    """``reset`` and ``steps`` random steps run and return what the protocol says (tuples, infos lists)."""
    tr = ctx.trajectory()
    ended = int((tr.terminals | tr.truncations).sum())
    return f"reset + {tr.steps} steps x {tr.rewards.shape[1]} agent rows; {ended} episodes ended"


@_check("writes_in_place", needs=("rollout",))
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
            if got is buf or (isinstance(got, np.ndarray) and got.shape == buf.shape and np.shares_memory(got, buf)):
                return
            fail(f"{call} return value {name}", f"buffers.{name} itself (the same memory)",
                 f"{_describe(got)} in other memory (a copy)",
                 f"return self.buffers.{name}; never .copy(), .astype(), np.array(...) or build a new array")

        obs, _ = _reset(env, ctx.seed)
        unchanged("reset")
        returned("reset", "observations", obs)
        acts = ctx.actions(env.single_action_space, env.num_agents, 8)
        for t, a in enumerate(acts):
            ctx.where = f"step {t + 1} after reset(seed={ctx.seed})"
            if t % 2:
                b.actions[...] = a
                out = _step_result(env.step(b.actions), b, t + 1)
            else:  # a separate array: step must copy it into buffers.actions
                out = _step_result(env.step(a.copy()), b, t + 1)
                if b.actions.tobytes() != a.tobytes():
                    fail("step(actions)", "the actions copied into buffers.actions", "buffers.actions unchanged",
                         "copy them in first: envsdk.buffers.copy_actions(self.buffers.actions, actions)")
            unchanged(f"step {t + 1}")
            for name, got in zip(_RESULTS, out[:4], strict=True):
                returned("step", name, got)
    return "reset and step return the buffers themselves; no array rebound"


_STALE_BOOL = 2  # a bool buffer's canary byte: neither False (0) nor True (1), so any write replaces it


def _canary(dtype: np.dtype, which: int):
    """Canary ``which`` (0 or 1) for a non-bool buffer: a value a written entry does not keep in both runs."""
    if dtype.kind == "f":
        return np.nan if which == 0 else np.finfo(dtype).min
    info = np.iinfo(dtype)
    return info.max if which == 0 else info.min


def _fill_canaries(b: Buffers, which: int) -> None:
    """Put canary ``which`` into observations, rewards, terminals and truncations."""
    for name in _RESULTS:
        arr = getattr(b, name)
        if arr.dtype == np.bool_:
            arr.view(np.uint8)[...] = _STALE_BOOL
        else:
            arr[...] = _canary(arr.dtype, which)


def _stale(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Entries left unwritten, from two runs that started each call from canary 0 (``x``) and 1 (``y``).

    A written non-bool entry cannot hold canary 0 in one run and canary 1 in the other, whether
    or not the env is deterministic; a bool entry is unwritten when it still holds the canary byte.
    """
    if x.dtype == np.bool_:
        return (x.view(np.uint8) == _STALE_BOOL) | (y.view(np.uint8) == _STALE_BOOL)
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


@_check("external_buffers", needs=("constructor", "rollout"))
def check_external_buffers(ctx: Context) -> str:
    """An env handed ``buffers=`` (a row-slice view, as backends pass) keeps them and writes exactly those rows."""
    with ctx.env() as env:
        obs_space, act_space, n = env.single_observation_space, env.single_action_space, env.num_agents
    acts = ctx.trajectory().actions[:16]
    runs = []
    for which in (0, 1):
        block = allocate(obs_space, act_space, n + 2)
        given = block.rows(1, n + 1)  # rows 0 and n+1 are guards the env must not touch
        for f in FIELDS:
            getattr(block, f).view(np.uint8).reshape(n + 2, -1)[[0, n + 1]] = 0xA5
        guards = {f: getattr(block, f).view(np.uint8).reshape(n + 2, -1)[[0, n + 1]].copy() for f in FIELDS}
        with ctx.env(buffers=given) as env:
            for f in FIELDS:
                got = getattr(env.buffers, f, None)
                if not (got is getattr(given, f) or (isinstance(got, np.ndarray)
                                                     and np.shares_memory(got, getattr(given, f)))):
                    fail(f"buffers.{f}", "the array passed as buffers= (the same memory)", "a copy in other memory",
                         "keep the argument: self.buffers = buffers.validate(...); never .astype(), .copy() or "
                         "np.ascontiguousarray a given buffer")
            _fill_canaries(given, which)
            runs.append(ctx.record(env, acts, ctx.seed, before_step=lambda b, w=which: _fill_canaries(b, w),
                                   watch=given))
            for name in _RESULTS:
                if not np.shares_memory(getattr(given, name), getattr(env.buffers, name)):
                    fail(f"buffers.{name}", "the given array kept after reset and step", "other memory",
                         "never assign self.buffers after __init__")
        for f in FIELDS:
            now = getattr(block, f).view(np.uint8).reshape(n + 2, -1)[[0, n + 1]]
            if now.tobytes() != guards[f].tobytes():
                fail(f"buffers.{f}", f"writes only within the {n} rows given", "the row just before or after changed",
                     "index rows 0..num_agents-1 of the given arrays only (C: loop i < num_agents)")
    a, b = runs
    for name in ("observations", "rewards"):
        x, y = getattr(a, name), getattr(b, name)
        stale = _stale_rows(name, x, y, a.masks & b.masks if name == "observations" else None)
        if stale.any():
            t, row = _first(stale)
            step = t if name == "observations" else t + 1
            fail(f"buffers.{name}", "reset and step to write into the given buffers",
                 f"row {row} of the given {name} untouched by {'reset' if step == 0 else f'step {step}'}",
                 "bind the sim to the given arrays themselves (not to a copy made before validation)")
    return f"kept the given row-slice buffers and wrote only their {n} rows"


@_check("write_coverage", needs=("rollout",))
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
            _fill_canaries(env.buffers, which)
            ctx.where = f"reset(seed={ctx.seed})"
            _reset(env, ctx.seed)
            resets.append({name: getattr(env.buffers, name).copy() for name in _RESULTS})
            resets[-1]["masks"] = env.buffers.masks.copy()
            runs.append(ctx.record(env, ref.actions, ctx.seed, before_step=lambda b, w=which: _fill_canaries(b, w)))
    r0, r1 = resets
    stale = _stale_rows("observations", r0["observations"], r1["observations"], r0["masks"] & r1["masks"])
    if stale.any():
        fail("reset writes observations", "every live observation row written by reset",
             f"row {int(np.argmax(stale))} left as it was ({int(stale.sum())} of {stale.size} rows)",
             "write every row's first observation in reset")
    for name in _RESULTS[1:]:
        if np.any(r0[name].view(np.uint8) != 0):
            fail(f"reset writes {name}", f"{name} zeroed by reset", f"{_short(r0[name])} left over",
                 f"set buffers.{name}[:] = 0 (False) in reset")
    fixes = {
        "observations": "write every live row's observation on every step",
        "rewards": "write every row's reward on every step, zeros included (rewards[:] = ...)",
        "terminals": "assign the flag of every row on every step: terminals[:] = ended, not terminals[ended] = True",
        "truncations": "assign the flag of every row on every step: truncations[:] = cut, not truncations[cut] = True",
    }
    a, b = runs
    for name in _RESULTS:
        x, y = getattr(a, name), getattr(b, name)
        if name == "observations":
            stale = _stale_rows(name, x[1:], y[1:], a.masks[1:] & b.masks[1:])
        else:
            stale = _stale_rows(name, x, y)
        if stale.any():
            t, row = _first(stale)
            fail(f"step writes {name}", "every row written on every step (a value is never left over from an "
                 "earlier step)", f"row {row} not written by step {t + 1} ({int(stale.sum())} of {stale.size} "
                 "row-steps)", fixes[name])
    return f"reset and {a.steps} steps overwrote every observation, reward and flag"


def _observation_problem(space, obs: np.ndarray, live: np.ndarray) -> tuple[str, tuple, float] | None:
    """The first non-finite or out-of-bounds entry of live rows: (what, index, value), or None.

    ``obs`` is ``[..., n, *obs_shape]`` and ``live`` ``[..., n]``; the index is into ``[..., n, element]``.
    """
    flat = obs.reshape(*live.shape, -1)
    if flat.dtype.kind == "f":
        bad = ~np.isfinite(flat) & live[..., None]
        if bad.any():
            idx = _first(bad)
            return "finite", idx, float(flat[idx])
    low = np.broadcast_to(np.asarray(space.low, np.float64), tuple(space.shape)).reshape(-1)
    high = np.broadcast_to(np.asarray(space.high, np.float64), tuple(space.shape)).reshape(-1)
    with np.errstate(invalid="ignore"):
        bad = ((flat < low) | (flat > high)) & live[..., None]
    if bad.any():
        idx = _first(bad)
        return "bounds", idx, float(flat[idx])
    return None


@_check("observation_values", needs=("rollout",))
def check_observation_values(ctx: Context) -> str:
    """Observations of live rows are finite and inside the observation space's bounds."""
    tr = ctx.trajectory()
    with ctx.env() as env:
        space = env.single_observation_space
    problem = _observation_problem(space, tr.observations, tr.masks)
    if problem:
        what, (t, row, e), value = problem
        where = f"{value!r} at row {row}, element {e}, after {'reset' if t == 0 else f'step {t}'}"
        if what == "finite":
            fail("observations", "finite values", where,
                 "find where the sim divides by zero or overflows, and guard it (a NaN poisons training)")
        low = np.broadcast_to(np.asarray(space.low, np.float64), tuple(space.shape)).reshape(-1)[e]
        high = np.broadcast_to(np.asarray(space.high, np.float64), tuple(space.shape)).reshape(-1)[e]
        fail("observations", f"values within single_observation_space bounds [{low}, {high}] for element {e}",
             where, "clip the observation, or widen the Box bounds to what the sim produces")
    return f"{tr.steps + 1} observations of every live row finite and within {space!r}"


@_check("reward_values", needs=("rollout",))
def check_reward_values(ctx: Context) -> str:
    """Rewards are finite float32."""
    tr = ctx.trajectory()
    bad = ~np.isfinite(tr.rewards)
    if bad.any():
        t, row = _first(bad)
        fail("rewards", "finite values", f"{tr.rewards[t, row]!r} at row {row} after step {t + 1}",
             "find where the sim divides by zero or overflows, and guard it")
    return f"finite, in [{tr.rewards.min():g}, {tr.rewards.max():g}]"


@_check("flag_values", needs=("rollout",))
def check_flag_values(ctx: Context) -> str:
    """Terminals, truncations and masks are bool arrays holding only 0 and 1 bytes."""
    tr = ctx.trajectory()
    for name in ("terminals", "truncations", "masks"):
        raw = getattr(tr, name).view(np.uint8)
        if (raw > 1).any():
            t, row = _first(raw > 1)
            fail(name, "bool values (bytes 0 or 1)", f"byte {raw[t, row]} at row {row}",
                 "store a 0/1 result (C: flags[i] = (lives == 0);), never another number, in a bool buffer")
    return "terminals, truncations and masks hold only True/False"


@_check("determinism", needs=("rollout",))
def check_determinism(ctx: Context) -> str:
    """The same seed and actions give bit-identical outputs: in a second env, and after a second reset."""
    first = ctx.trajectory()
    with ctx.env() as env:
        second = ctx.record(env, first.actions, ctx.seed)
        third = ctx.record(env, first.actions, ctx.seed)
    for label, other in (("a second env", second), ("the same env reset again", third)):
        diff = _first_difference(first, other)
        if diff:
            fail("determinism", f"bit-identical outputs from reset(seed={ctx.seed}) and the same actions",
                 f"{label} differing first in {diff}",
                 "keep all randomness in per-sub-env RNG state seeded by reset (sub-env i gets seed + i); no "
                 "time, os.urandom, unseeded or global RNG, and no state carried over from before reset")
    return f"{first.steps} steps bit-identical in a second env and after a second reset"


@_check("seed_sensitivity", needs=("rollout",))
def check_seed_sensitivity(ctx: Context) -> str:
    """Different seeds give different trajectories (a warning if they do not)."""
    first = ctx.trajectory()
    other_seed = ctx.seed + 1_000_003
    with ctx.env() as env:
        other = ctx.record(env, first.actions, other_seed)
    if first.observations.tobytes() == other.observations.tobytes():
        warn("seeding", "different trajectories for different seeds",
             f"identical observations over {first.steps} steps for seeds {ctx.seed} and {other_seed}",
             "seed every sub-env's RNG from reset's seed (sub-env i gets seed + i); ignore this if the env has "
             "no randomness")
    return f"seeds {ctx.seed} and {other_seed} give different observations"


@_check("vectorization", needs=("determinism", "external_buffers"))
def check_vectorization(ctx: Context) -> str:
    """One object of N sub-envs behaves exactly like N objects of one sub-env each (no shared state)."""
    from envsdk.backends.serial import Serial

    if not ctx.takes_num_envs:
        raise Skipped("the factory takes no num_envs: every object is one sub-env")
    n = ctx.num_envs
    if n < 2:
        raise Skipped(f"num_envs={n}: nothing to compare; use num_envs >= 2")
    first = ctx.trajectory()
    runs = []
    for per in (n, 1):
        env = Serial(ctx.factory, num_envs=n, envs_per_object=per, **ctx.config)
        try:
            runs.append(ctx.record(env, first.actions, ctx.seed))
        finally:
            env.close()
    diff = _first_difference(*runs, infos="totals")
    if diff:
        _fail_split("vectorization", f"1 object of {n} sub-envs to match {n} objects of 1 sub-env (same seeds "
                    "and actions)", diff, runs)
    return f"1 object of {n} sub-envs == {n} objects of 1 over {first.steps} steps"


def _episode_ends(tr: Trajectory) -> list[tuple[int, int, int, str]]:
    """Every episode end as ``(step index, row, length, "terminal"/"truncation")``."""
    length = np.zeros(tr.rewards.shape[1], np.int64)
    ends = []
    for t in range(tr.steps):
        length += 1
        done = tr.terminals[t] | tr.truncations[t]
        for row in np.flatnonzero(done):
            ends.append((t, int(row), int(length[row]), "terminal" if tr.terminals[t, row] else "truncation"))
        length[done] = 0
    return ends


@_check("autoreset", needs=("rollout",))
def check_autoreset(ctx: Context) -> str:
    """Episodes end and continue without reset; flags are fresh each step; terminal and truncation stay apart."""
    tr = ctx.episodes()
    done = tr.terminals | tr.truncations
    if not done.any():
        warn("autoreset", f"an episode to end within {tr.steps} steps of random actions", "none ended",
             "check with config for shorter episodes (e.g. max_steps=...) or more steps, so autoreset is exercised")
    both = tr.terminals & tr.truncations
    if both.any():
        t, row = _first(both)
        fail("terminals and truncations", "at most one of them per row and step (terminal: the MDP ended; "
             "truncation: a time limit cut it short)", f"both set for row {row} at step {t + 1} "
             f"({int(both.sum())} times)", "set truncated = (time limit reached) and not terminal")
    repeated = tr.terminals[1:] & tr.terminals[:-1]
    if repeated.any():
        # One-step episodes repeat legitimately; replay with an unwritten-flag canary before each
        # step to tell them from a True left over from an earlier step.
        last = int(np.argwhere(repeated)[-1][0]) + 2

        def poison(b: Buffers) -> None:
            b.terminals.view(np.uint8)[...] = _STALE_BOOL

        with ctx.env() as env:
            replay = ctx.record(env, tr.actions[:last], ctx.seed, observations=False, before_step=poison)
        stale = replay.terminals.view(np.uint8) == _STALE_BOOL
        if stale.any():
            t, row = _first(stale)
            fail("terminals", "a flag set only on the step its row's episode ends",
                 f"rows terminal on consecutive steps {int(repeated.sum())} times; replayed, step {t + 1} leaves "
                 f"row {row}'s flag unwritten, so a True from an earlier step carries over",
                 "assign every row's flag on every step: terminals[:] = ended (not terminals[ended] = True)")
    ends = _episode_ends(tr)
    kinds = [e[3] for e in ends]
    if tr.max_steps is not None and "truncation" not in kinds:
        at_limit = [e for e in ends if e[2] == tr.max_steps]
        if len(at_limit) >= 2:
            fail("truncations", f"episodes cut by the time limit (max_steps={tr.max_steps}) reported in "
                 "truncations", f"{len(at_limit)} episodes of exactly {tr.max_steps} steps ended as terminal "
                 "and truncations never set", "report the time limit as truncated = t >= max_steps and not "
                 "terminal; terminals is for the MDP's own end (learners bootstrap differently)")
    return (f"{len(ends)} episodes ended ({kinds.count('terminal')} terminal, {kinds.count('truncation')} "
            "truncated) and continued without reset")


@_check("masks", needs=("rollout",))
def check_masks(ctx: Context) -> str:
    """Masks mark live rows: some row is live; rows that are not live get no reward and no flags."""
    tr = ctx.trajectory()
    m = tr.masks
    none = ~m.any(axis=1)
    if none.any():
        t = int(np.argmax(none))
        fail("masks", "at least one live row", f"no live row after {'reset' if t == 0 else f'step {t}'}",
             "set masks[i] = True for every row that holds an agent this step (fixed populations: leave all True)")
    dead = ~m[1:]
    bad = dead & ((tr.rewards != 0) | tr.terminals | tr.truncations)
    if bad.any():
        t, row = _first(bad)
        fail("masks", "rows that are not live (masks False) to get reward 0 and no terminal or truncation",
             f"row {row} after step {t + 1}: reward {tr.rewards[t, row]!r}, terminal {bool(tr.terminals[t, row])}, "
             f"truncation {bool(tr.truncations[t, row])}",
             "set masks[i] = False only for rows with no agent this step (padding, agents already gone) and zero "
             "their reward and flags; an agent's final (terminal) step is still live")
    if m.all():
        return "every row live throughout (fixed population)"
    return f"{(~m).mean():.0%} of row-steps not live; those get no reward or flags"


@_check("episode_stats", needs=("autoreset", "masks"))
def check_episode_stats(ctx: Context) -> str:
    """The episode_return, episode_length and episode_count in infos agree with the rewards and flags."""
    tr = ctx.episodes()
    done = tr.terminals | tr.truncations
    if not done.any():
        raise Skipped(f"no episode ended within {tr.steps} steps (see autoreset)")
    n = tr.rewards.shape[1]
    fixed_population = bool(tr.masks.all())
    ret, length = np.zeros(n, np.float64), np.zeros(n, np.int64)
    pending: list[tuple[float, int]] = []  # episodes that ended since the last report
    reports = reported = 0
    fix = ("accumulate each row's reward every step, reset the sums when its episode starts, and report the "
           "episodes that ended since the last report as {'episode_return': mean, 'episode_length': mean, "
           "'episode_count': k}")
    for t in range(tr.steps):
        ret += np.where(tr.masks[t + 1], tr.rewards[t], 0.0)
        length += 1
        for row in np.flatnonzero(done[t]):
            pending.append((ret[row], length[row]))
        ret[done[t]], length[done[t]] = 0.0, 0
        stats = [i for i in tr.infos[t] if any(k in i for k in _STAT_KEYS)]
        if not stats:
            continue
        for info in stats:
            missing = [k for k in _STAT_KEYS if k not in info]
            if missing:
                fail("infos", f"episode statistics with {', '.join(_STAT_KEYS)}",
                     f"a dict with {sorted(info)} after step {t + 1}", fix)
        count = sum(int(i["episode_count"]) for i in stats)
        if count != len(pending):
            fail("infos episode_count", f"{len(pending)} after step {t + 1} (episodes that ended since the last "
                 "report, counted from the flags)", f"{count}", fix)
        if count:
            exp_ret = float(np.mean([p[0] for p in pending]))
            exp_len = float(np.mean([p[1] for p in pending]))
            got_ret = sum(float(i["episode_return"]) * int(i["episode_count"]) for i in stats) / count
            got_len = sum(float(i["episode_length"]) * int(i["episode_count"]) for i in stats) / count
            if not np.isclose(got_ret, exp_ret, rtol=1e-4, atol=1e-4):
                fail("infos episode_return", f"mean {exp_ret:.6g} after step {t + 1} (rewards summed over "
                     f"{count} episodes)", f"{got_ret:.6g}", fix)
            # With a varying population the masks cannot tell when an absent agent came back (its
            # final step is live, and so is its row after a same-step reset), so lengths are only
            # checked when every row is live throughout.
            if fixed_population and not np.isclose(got_len, exp_len, rtol=1e-6, atol=1e-6):
                fail("infos episode_length", f"mean {exp_len:.6g} after step {t + 1} (steps of {count} "
                     "episodes)", f"{got_len:.6g}", fix)
        reports += 1
        reported += count
        pending.clear()
    if reported == 0:
        fail("infos", f"episode statistics ({', '.join(_STAT_KEYS)}) for the {int(done.sum())} episodes that "
             "ended", "none in infos", fix)
    lengths = "" if fixed_population else " (episode_length not checked: the population varies)"
    return f"{reports} reports covering {reported} episodes agree with the rewards and flags{lengths}"


def _edge_actions(space) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest valid action of one agent, in the actions-buffer dtype."""
    shape, dtype = spaces.action_spec(space)
    k = spaces.kind(space)
    if k == "discrete":
        start = int(getattr(space, "start", 0))
        low, high = start, start + int(space.n) - 1
    elif k == "multidiscrete":
        low, high = 0, np.asarray(space.nvec) - 1
    else:  # Box: finite bounds; unbounded dimensions get a large finite value
        low = np.where(np.isfinite(space.low), space.low, -1e6)
        high = np.where(np.isfinite(space.high), space.high, 1e6)
    return np.broadcast_to(np.asarray(low, dtype), shape), np.broadcast_to(np.asarray(high, dtype), shape)


_FUZZ_MODES = ("random", "low", "high", "edges")
_FUZZ_STEPS = 32
_FUZZ_EXAMPLES = 25


@_check("fuzz", needs=("rollout",), slow=True)
def check_fuzz(ctx: Context) -> str:
    """Random valid actions, edge values (min/max action) and random seeds keep outputs valid.

    Uses hypothesis when it is installed, else seeded numpy draws of the same kinds.
    """
    with ctx.env() as env:
        space, obs_space, n = env.single_action_space, env.single_observation_space, env.num_agents
        low, high = _edge_actions(space)
        shape, dtype = spaces.action_spec(space)
        example: dict[str, Any] = {}

        def run(seed: int, modes: list[str], action_seed: int) -> None:
            example.update(seed=seed, modes=modes, action_seed=action_seed)
            rng = np.random.default_rng(action_seed)
            ctx.where = f"reset(seed={seed})"
            _reset(env, seed)
            for t, mode in enumerate(modes):
                if mode == "random":
                    a = spaces.sample(space, n, rng=rng).astype(dtype)
                elif mode == "edges":
                    a = np.where(rng.random((n, *shape)) < 0.5, low, high).astype(dtype)
                else:
                    a = np.broadcast_to(low if mode == "low" else high, (n, *shape)).astype(dtype)
                ctx.where = f"step {t + 1} ({mode} actions) after reset(seed={seed})"
                obs, rew, term, trunc, _ = _step_result(env.step(a), env.buffers, t + 1)
                where = f"at step {t + 1} ({mode} actions) after reset(seed={seed})"
                problem = _observation_problem(obs_space, obs, env.buffers.masks)
                if problem:
                    what, (row, e), value = problem
                    fail("observations", "finite values inside the observation space's bounds",
                         f"{value!r} at row {row}, element {e}, {where}",
                         "guard the sim against these actions and seeds (clamp, or widen the bounds)")
                if not np.isfinite(rew).all():
                    fail("rewards", "finite values", f"{_short(rew)} {where}", "guard the reward computation")
                if (term & trunc).any():
                    fail("terminals and truncations", "at most one per row", f"both set {where}",
                         "set truncated = (time limit reached) and not terminal")

        try:
            import hypothesis
        except ImportError:
            hypothesis = None
        try:
            if hypothesis is not None:
                from hypothesis import HealthCheck, Phase, Verbosity, given, settings
                from hypothesis import strategies as st

                @hypothesis.seed(ctx.seed)
                @settings(max_examples=_FUZZ_EXAMPLES, deadline=None, database=None, verbosity=Verbosity.quiet,
                          phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                          suppress_health_check=list(HealthCheck))
                @given(seed=st.integers(0, 2**32 - 1) | st.sampled_from([0, 2**31 - 1, 2**32 - 1]),
                       modes=st.lists(st.sampled_from(_FUZZ_MODES), min_size=_FUZZ_STEPS, max_size=_FUZZ_STEPS),
                       action_seed=st.integers(0, 2**32 - 1))
                def fuzz(seed, modes, action_seed):
                    run(seed, modes, action_seed)

                fuzz()
                how = "hypothesis"
            else:
                rng = np.random.default_rng(ctx.seed)
                for _ in range(_FUZZ_EXAMPLES):
                    run(int(rng.integers(0, 2**32)), list(rng.choice(_FUZZ_MODES, _FUZZ_STEPS)),
                        int(rng.integers(0, 2**32)))
                how = "seeded numpy draws (hypothesis is not installed)"
        except Outcome as e:
            e.details = f"failing example: {example}"
            raise
    return f"{_FUZZ_EXAMPLES} examples x {_FUZZ_STEPS} steps of random and edge actions, random seeds ({how})"


def _rss() -> int | None:
    """Resident set size in bytes (Linux /proc), else None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def _shm() -> int | None:
    try:
        return len(os.listdir("/dev/shm"))
    except OSError:
        return None


_HEAP_LIMIT = 32 * 1024       # bytes of Python heap growth per window that counts as a leak
_RSS_LIMIT = 8 * 1024 * 1024  # bytes of RSS growth per window that counts as a leak


def _kib(x: float) -> str:
    return f"{x / 1024:+.1f} KiB"


@_check("memory", needs=("rollout",), slow=True)
def check_memory(ctx: Context) -> str:
    """No memory growth per step: the Python heap (tracemalloc) and RSS over two windows of steps."""
    window, warmup = 1000, 200
    with ctx.env() as env:
        acts = ctx.actions(env.single_action_space, env.num_agents, 64)
        b, step = env.buffers, env.step
        _reset(env, ctx.seed)
        started = not tracemalloc.is_tracing()
        if started:
            tracemalloc.start()
        try:
            heap, rss, snaps, t = [], [], [], 0
            for k, count in enumerate((warmup, window, window)):
                for _ in range(count):
                    b.actions[...] = acts[t % 64]
                    t += 1
                    ctx.where = f"step {t} after reset(seed={ctx.seed})"
                    step(b.actions)
                gc.collect()
                heap.append(tracemalloc.get_traced_memory()[0])
                rss.append(_rss())
                if k:
                    snaps.append(tracemalloc.take_snapshot())
        finally:
            if started:
                tracemalloc.stop()
    g1, g2 = heap[1] - heap[0], heap[2] - heap[1]
    if g1 > _HEAP_LIMIT and g2 > _HEAP_LIMIT:
        ours = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
        top = snaps[1].filter_traces(ours).compare_to(snaps[0].filter_traces(ours), "lineno")[:5]
        fail("memory per step", "no Python heap growth while stepping",
             f"{_kib(g1)} over steps {warmup}-{warmup + window} and {_kib(g2)} over the next {window} "
             f"(~{g2 / window:.0f} bytes per step)",
             "stop keeping per-step objects alive (growing lists, caches, history arrays)",
             "largest growth between the two windows:\n" + "\n".join(str(s) for s in top))
    note = f"Python heap {_kib(g1)}, {_kib(g2)} per {window} steps"
    if rss[0] is not None:
        r1, r2 = rss[1] - rss[0], rss[2] - rss[1]
        if r1 > _RSS_LIMIT and r2 > _RSS_LIMIT:
            fail("memory per step", "no RSS growth while stepping",
                 f"{_kib(r1)} and {_kib(r2)} over two windows of {window} steps",
                 "free what the sim allocates per step (C: malloc without free)")
        note += f"; RSS {_kib(r1)}, {_kib(r2)}"
    return note


@_check("close", needs=("members",))
def check_close(ctx: Context) -> str:
    """``close()`` works, and calling it twice is harmless (before and after stepping)."""
    for ran in (False, True):
        env = ctx.build()
        if ran:
            _reset(env, ctx.seed)
            ctx.where = "step 1"
            env.step(env.buffers.actions)
        for k in (1, 2):
            ctx.where = f"close() #{k}"
            try:
                env.close()
            except Exception as e:
                fail("close()", "a second close() to do nothing (DESIGN §1)" if k == 2 else "close() to succeed",
                     f"{type(e).__name__}: {e} from close() #{k}" + (" after stepping" if ran else ""),
                     "make close idempotent: if self._closed: return; then release and set self._closed = True",
                     _env_traceback(e))
    return "close() twice is harmless, with and without stepping"


@_check("create_close_cycles", needs=("close",), slow=True)
def check_create_close_cycles(ctx: Context) -> str:
    """Many create/reset/step/close cycles leak nothing: Python heap, RSS, file descriptors, /dev/shm."""
    window = 20

    def cycle() -> None:
        env = ctx.build()
        try:
            ctx.where = f"reset(seed={ctx.seed})"
            _reset(env, ctx.seed)
            ctx.where = "step 1"
            env.step(env.buffers.actions)
        finally:
            ctx.where = "close()"
            env.close()

    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        marks = []
        for count in (5, window, window):
            for _ in range(count):
                cycle()
            gc.collect()
            marks.append((tracemalloc.get_traced_memory()[0], _rss(), _fds(), _shm()))
    finally:
        if started:
            tracemalloc.stop()
    fixes = {
        "Python heap": "drop every reference to the env in close (module-level registries, caches, cycles "
                       "through __del__)",
        "RSS": "free everything init allocates in close (C: every malloc in <name>_init has its free in <name>_close)",
        "open file descriptors": "close every file, pipe and socket the env opens, in close()",
        "/dev/shm entries": "unlink shared memory the env creates, in close()",
    }
    limits = {"Python heap": _HEAP_LIMIT, "RSS": _RSS_LIMIT, "open file descriptors": window // 2,
              "/dev/shm entries": window // 2}
    notes = []
    for i, what in enumerate(fixes):
        if marks[0][i] is None:
            continue
        g1, g2 = marks[1][i] - marks[0][i], marks[2][i] - marks[1][i]
        shown = (lambda g: _kib(g)) if what in ("Python heap", "RSS") else (lambda g: f"{g:+d}")
        if g1 > limits[what] and g2 > limits[what]:
            fail(f"create/close cycles: {what}", "no growth over repeated create, reset, step, close",
                 f"{shown(g1)} and {shown(g2)} over two windows of {window} cycles", fixes[what])
        notes.append(f"{what} {shown(g2)}")
    return f"{5 + 2 * window} cycles; last {window}: " + ", ".join(notes)


def _spawn_problem(factory) -> str | None:
    """Why ``factory`` cannot be imported by a spawned worker, or None."""
    module = getattr(factory, "__module__", None)
    qual = getattr(factory, "__qualname__", "") or ""
    if module == "__main__":
        return f"{_name(factory)} is defined in __main__"
    if "<lambda>" in qual or "<locals>" in qual:
        return f"{_name(factory)} is a lambda or a local definition"
    try:
        pickle.dumps(factory)
    except Exception as e:
        return f"{_name(factory)} cannot be pickled ({type(e).__name__}: {e})"
    return None


@_check("backends", needs=("determinism", "external_buffers"), slow=True)
def check_backends(ctx: Context) -> str:
    """Serial and Multiprocessing (spawn, 2 workers) give bit-identical outputs."""
    from envsdk.backends.multiprocessing import Multiprocessing
    from envsdk.backends.serial import Serial
    from envsdk.errors import WorkerError

    fix_import = ("define the factory at module level in an importable module (not __main__, a lambda or a "
                  "closure) so spawned workers can import it")
    problem = _spawn_problem(ctx.factory)
    if problem:
        warn("backends", "a factory that spawned worker processes can import", problem, fix_import)
    try:
        pickle.dumps(ctx.config)
    except Exception as e:
        warn("backends", "picklable config", f"{type(e).__name__}: {e}", "pass plain values (numbers, strings)")
    n = ctx.num_envs if ctx.takes_num_envs else 4
    workers = 2 if n % 2 == 0 else 1
    first = ctx.trajectory()
    steps = min(100, first.steps)
    runs = []
    serial = Serial(ctx.factory, num_envs=n, **ctx.config)
    try:
        acts = ctx.actions(serial.single_action_space, serial.num_agents, steps)
        runs.append(ctx.record(serial, acts, ctx.seed))
    finally:
        serial.close()
    try:
        mp = Multiprocessing(ctx.factory, num_envs=n, num_workers=workers, start_method="spawn", **ctx.config)
    except RuntimeError as e:
        if "bootstrapping phase" in str(e):  # this is a spawned child re-running an unguarded script
            warn("backends", "the calling script's top-level code guarded by if __name__ == '__main__':",
                 "a spawned worker re-running it", "put the script's code under if __name__ == '__main__': "
                 "(spawned workers import the main module)")
        if not isinstance(e, WorkerError):
            raise
        if any(s in str(e) for s in ("ModuleNotFoundError", "Can't get attribute", "AttributeError: Can't")):
            warn("backends", "a factory that spawned worker processes can import", f"the workers could not: {e}",
                 fix_import)
        raise
    try:
        runs.append(ctx.record(mp, acts, ctx.seed))
    finally:
        mp.close()
    diff = _first_difference(runs[0], runs[1], infos="totals")
    if diff:
        _fail_split("backends", f"Multiprocessing(spawn, {workers} workers) to match Serial bit for bit", diff, runs)
    return f"Serial == Multiprocessing(spawn, {workers} workers) over {steps} steps of {n} sub-envs"


@_check("throughput", needs=("rollout",))
def check_throughput(ctx: Context) -> str:
    """Steps per second of one env object in this process (for information; never fails)."""
    from envsdk.bench import format_sps

    budget = 0.05 if ctx.quick else 0.25
    with ctx.env() as env:
        b = env.buffers
        _reset(env, ctx.seed)
        b.actions[...] = ctx.actions(env.single_action_space, env.num_agents, 1)[0]
        step, actions = env.step, b.actions
        ctx.where = "step"
        for _ in range(10):
            step(actions)
        steps, chunk, start = 0, 16, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < budget:
            for _ in range(chunk):
                step(actions)
            steps += chunk
    sps = steps * env.num_agents / elapsed
    return f"{format_sps(sps)} agent-steps/s, {1e6 * elapsed / steps:.2f} us per step of {env.num_agents} rows"


# --- running ------------------------------------------------------------------------------------

CHECK_NAMES = tuple(c.name for c in CHECKS)


def _with_needs(names) -> set[str]:
    by_name = {c.name: c for c in CHECKS}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise ConfigError(f"check(only=...): expected check names among {', '.join(CHECK_NAMES)}, found "
                          f"{', '.join(unknown)}. Fix: use names from that list.")
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(by_name[name].needs)
    return seen


def run_checks(ctx: Context, only=None) -> list[CheckResult]:
    """Run every check (or ``only`` those named, with what they need) in order."""
    selected = _with_needs(only) if only is not None else set(CHECK_NAMES)
    results: dict[str, CheckResult] = {}
    for c in CHECKS:
        if c.name not in selected:
            continue
        start = time.perf_counter()
        blocked = [d for d in c.needs if results[d].status in ("fail", "skip")]
        if blocked:
            d = blocked[0]
            how = "failed" if results[d].status == "fail" else "was skipped"
            result = CheckResult(c.name, "skip", f"needs {d}, which {how}")
        elif c.slow and ctx.quick:
            result = CheckResult(c.name, "skip", "skipped in quick mode")
        else:
            ctx.where = ""
            try:
                note = c.func(ctx)
                result = CheckResult(c.name, "pass", note or "")
            except Outcome as o:
                result = CheckResult(c.name, o.status, o.message, o.fix, o.details)
            except Exception as e:
                where = f" during {ctx.where}" if ctx.where else ""
                result = CheckResult(
                    c.name, "fail",
                    f"{c.name}: expected the env to run without raising, found {type(e).__name__}: {e}{where}.",
                    "fix the env at the last frame of the traceback below", _env_traceback(e))
        result.seconds = time.perf_counter() - start
        results[c.name] = result
    return list(results.values())


def _check_config(ctx: Context) -> None:
    """Raise ``ConfigError`` when the env rejects the config: an unknown key or a bad value is the
    caller's input, not a failure of the env, so no check runs on it.

    A key the constructor does not take is reported with the valid keys; one construction with
    the config lets the env's own validation speak (its ``ConfigError``). Any other exception is
    left to the checks, which report it with the env's traceback.
    """
    from envsdk.config import config_keys

    sig = _signature(ctx.factory)
    if sig is not None and not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        unknown = sorted(set(ctx.config) - set(sig.parameters))
        if unknown:
            raise ConfigError(
                f"{ctx.name}: expected config keys among {', '.join(config_keys(ctx.factory)) or '(none)'}, found "
                f"unknown {', '.join(map(repr, unknown))}. Fix: use one of the valid keys."
            )
    try:
        env = ctx.build()
    except ConfigError:
        raise
    except Exception:  # the constructor and members checks report it, with the traceback
        return
    with suppress(Exception):
        env.close()


def check(factory, *, num_envs: int | None = None, seed: int = 0, steps: int | None = None, quick: bool = False,
          only=None, **config) -> Report:
    """Run the conformance checks on ``factory`` and return a ``Report`` (``report.ok``, ``print(report)``).

    ``factory``: a class or callable taking keyword config and ``buffers=``, a registered name or
    ``"module:Factory"``. ``num_envs`` (default 8, or 2 for envs with several agent rows per
    sub-env) is passed when the factory takes it.
    ``seed`` seeds the env and the random actions; ``steps`` (default 1000, 200 with ``quick``)
    is the length of the recorded rollouts. ``quick`` skips the slow checks (fuzz, memory,
    create_close_cycles, backends). ``only``: names from ``CHECK_NAMES`` to run (with the checks
    they need). ``**config`` goes to the factory.

    Raises ``UnknownEnvError`` for an unknown name and ``ConfigError`` for bad settings or env
    config the env rejects (an unknown key, a value out of range: the caller's input, so no check
    runs); any other exception the env raises is reported in its check, never raised.
    """
    from envsdk.registry import resolve

    target = _name(factory)
    factory = resolve(factory)
    if num_envs is None and "num_envs" in config:
        num_envs = config.pop("num_envs")
    config.pop("num_envs", None)
    takes = _takes_num_envs(factory)
    if num_envs is None and takes:
        num_envs = _default_num_envs(factory, config)
    steps = (QUICK_STEPS if quick else DEFAULT_STEPS) if steps is None else steps
    for name, value, low in (("num_envs", num_envs, 1), ("seed", seed, 0), ("steps", steps, 1)):
        if value is None and name == "num_envs":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(f"check: expected {name} to be an int >= {low}, found {value!r}. Fix: pass e.g. "
                              f"{name}={max(low, 8 if name == 'num_envs' else low)}.")
    ctx = Context(factory, config, int(num_envs) if num_envs is not None else None, int(seed), int(steps), quick)
    _check_config(ctx)
    settings = {"num_envs": ctx.num_envs, "seed": ctx.seed, "steps": ctx.steps, "quick": quick, "config": config}
    start = time.perf_counter()
    results = run_checks(ctx, only)
    return Report(target, settings, results, time.perf_counter() - start)
