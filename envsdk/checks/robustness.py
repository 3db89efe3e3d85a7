"""The robustness checks: random and edge-case inputs (fuzz), memory and resources over many
steps and many create/close cycles, ``close`` twice, Serial against Multiprocessing, and the
throughput figure."""

from __future__ import annotations

import gc
import os
import pickle
import tracemalloc
from typing import Any

import numpy as np

from envsdk import spaces
from envsdk.bench import format_sps, measure
from envsdk.checks.record import (
    Context,
    Rollout,
    checked_reset,
    checked_step,
    factory_name,
    first_difference,
    host,
    short,
    write,
)
from envsdk.checks.report import Outcome, env_traceback, fail, warn
from envsdk.checks.values import fail_split, observation_problem

_HERE = os.path.dirname(os.path.abspath(__file__))  # the checker's files, left out of leak reports


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
            checked_reset(env, seed)
            for t, mode in enumerate(modes):
                if mode == "random":
                    a = spaces.sample(space, n, rng=rng).astype(dtype)
                elif mode == "edges":
                    a = np.where(rng.random((n, *shape)) < 0.5, low, high).astype(dtype)
                else:
                    a = np.broadcast_to(low if mode == "low" else high, (n, *shape)).astype(dtype)
                ctx.where = f"step {t + 1} ({mode} actions) after reset(seed={seed})"
                obs, rew, term, trunc, _ = checked_step(env.step(a), env.buffers, t + 1)
                where = f"at step {t + 1} ({mode} actions) after reset(seed={seed})"
                obs, rew, term, trunc = host(obs), host(rew), host(term), host(trunc)
                problem = observation_problem(obs_space, obs, host(env.buffers.masks))
                if problem:
                    what, (row, e), value = problem
                    fail("observations", "finite values inside the observation space's bounds",
                         f"{value!r} at row {row}, element {e}, {where}",
                         "guard the sim against these actions and seeds (clamp, or widen the bounds)")
                if not np.isfinite(rew).all():
                    fail("rewards", "finite values", f"{short(rew)} {where}", "guard the reward computation")
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


def check_memory(ctx: Context) -> str:
    """No memory growth per step: the Python heap (tracemalloc) and RSS over two windows of steps."""
    window, warmup = 1000, 200
    with ctx.env() as env:
        acts = ctx.actions(env.single_action_space, env.num_agents, 64)
        b, step = env.buffers, env.step
        checked_reset(env, ctx.seed)
        started = not tracemalloc.is_tracing()
        if started:
            tracemalloc.start()
        try:
            heap, rss, snaps, t = [], [], [], 0
            for k, count in enumerate((warmup, window, window)):
                for _ in range(count):
                    write(b.actions, acts[t % 64])
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
        ours = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, os.path.join(_HERE, "*"))]
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


def check_close(ctx: Context) -> str:
    """``close()`` works, and calling it twice is harmless (before and after stepping)."""
    for ran in (False, True):
        env = ctx.build()
        if ran:
            checked_reset(env, ctx.seed)
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
                     env_traceback(e))
    return "close() twice is harmless, with and without stepping"


def check_create_close_cycles(ctx: Context) -> str:
    """Many create/reset/step/close cycles leak nothing: Python heap, RSS, file descriptors, /dev/shm."""
    window = 20

    def cycle() -> None:
        env = ctx.build()
        try:
            ctx.where = f"reset(seed={ctx.seed})"
            checked_reset(env, ctx.seed)
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
        return f"{factory_name(factory)} is defined in __main__"
    if "<lambda>" in qual or "<locals>" in qual:
        return f"{factory_name(factory)} is a lambda or a local definition"
    try:
        pickle.dumps(factory)
    except Exception as e:
        return f"{factory_name(factory)} cannot be pickled ({type(e).__name__}: {e})"
    return None


def check_backends(ctx: Context) -> str:
    """Serial and Multiprocessing (spawn, 2 workers) give bit-identical outputs.

    An env with device buffers runs in-process only (Multiprocessing and Ray share numpy host
    memory and refuse it), so for it ``Serial(device=...)``, which allocates the tensors and hands
    the env its rows, is compared with the env alone.
    """
    from envsdk.backends.multiprocessing import Multiprocessing
    from envsdk.backends.serial import Serial
    from envsdk.errors import WorkerError

    if ctx.device() is not None:
        return _check_device_serial(ctx)

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
    serial = Serial(ctx.factory, num_envs=n, final_observations=ctx.final_observations, **ctx.config)
    try:
        acts = ctx.actions(serial.single_action_space, serial.num_agents, steps)
        runs.append(ctx.record(serial, acts, ctx.seed))
    finally:
        serial.close()
    try:
        mp = Multiprocessing(ctx.factory, num_envs=n, num_workers=workers, start_method="spawn",
                             final_observations=ctx.final_observations, **ctx.config)
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
    diff = first_difference(runs[0], runs[1], infos="totals")
    if diff:
        fail_split("backends", f"Multiprocessing(spawn, {workers} workers) to match Serial bit for bit", diff, runs)
    return f"Serial == Multiprocessing(spawn, {workers} workers) over {steps} steps of {n} sub-envs"


def _check_device_serial(ctx: Context) -> str:
    """``check_backends`` for an env whose buffers are tensors on a device."""
    first = ctx.trajectory()
    steps = min(100, first.steps)
    alone = first
    n = ctx.num_envs if ctx.takes_num_envs else 1
    env = ctx.serial(n)
    try:
        runs = [alone, ctx.record(env, first.actions[:steps], ctx.seed)]
    finally:
        env.close()
    cut = Rollout(alone.observations[:steps + 1], alone.actions[:steps], alone.rewards[:steps],
                  alone.terminals[:steps], alone.truncations[:steps], alone.masks[:steps + 1], alone.infos[:steps])
    diff = first_difference(cut, runs[1], infos="totals")
    if diff:
        fail_split("backends", f"Serial(device={ctx.device()}) to match the env alone bit for bit", diff,
                   [cut, runs[1]])
    return (f"Serial(device={ctx.device()}) == the env alone over {steps} steps of {n} sub-envs (Multiprocessing "
            "and Ray run numpy envs only: a device env runs in-process)")


def check_throughput(ctx: Context) -> str:
    """Steps per second of one env object in this process, timed by ``envsdk.bench.measure``
    (for information; never fails)."""
    budget = 0.05 if ctx.quick else 0.25  # seconds: a fifth calibrates the batch, the rest is timed
    with ctx.env() as env:
        ctx.where = "step"
        t = measure(env, ctx.name, seconds=0.8 * budget, seed=ctx.seed, calibration=0.2 * budget)
    return f"{format_sps(t.sps)} agent-steps/s, {t.us_per_step:.2f} us per step of {t.num_agents} rows"
