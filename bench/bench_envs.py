"""SPS of every bundled C env, the bare C loop beside it, and PufferLib 3.0 when installed.

    python bench/bench_envs.py [--envs cartpole breakout] [--seconds 1.0] [--report-every N]

For each env at 1024 and 4096 agent rows (sub-envs = rows // agents per sub-env) it prints:
- SPS through the public API (``envsdk.make(name, num_envs=N)``, Serial backend), the median
  over about 1 ms rounds alternating with the C loop's below;
- SPS of the same step function run as a bare C loop (``<name>_step_n``: one C call, no Python);
  board games (legal moves replayed, see LEGAL_MASK_GAMES) call the C step once per step instead;
- the Python-side overhead: how much longer a step takes through Python than in the C loop, the
  median over pairs of adjacent rounds, with its quartiles
  (``--report-every N`` builds the envs with ``report_every=N``: the episode log is read on
  every N-th step instead of every step, as PufferLib's envs do every 128 by default);
- PufferLib 3.0's same-named ``pufferlib.ocean`` env timed in the same run, and our ratio to it,
  when pufferlib is importable (its sdist downloads raylib during its build, which fails on a
  machine without internet; then this column says so).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import envsdk
from envsdk import spaces
from envsdk.bench import format_sps
from envsdk.registry import ENVS

# Fixed actions that exercise each sim's full step. Breakout's "fire" keeps the ball in play
# (a sub-env whose fixed action is "left" would never serve and would time an idle field).
FIXED_ACTIONS = {"breakout": 1}


def sub_envs_for(name: str, agents: int) -> int:
    """Sub-envs that make about ``agents`` agent rows (snake has 256 agents per sub-env)."""
    probe = envsdk.registry.resolve(name)(num_envs=1)
    per = probe.num_agents
    probe.close()
    return max(1, agents // per)


def paired_rounds(python_round, c_round, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of each round of the two arms, run in alternating pairs for about ``seconds``.

    Rounds are short (about a millisecond) and paired: the two rounds of a pair see the same
    machine state (frequency, cache, a neighbour's load), so the ratio within each pair is far
    steadier than two separately timed figures whose difference is the few percent we look for.
    The order within a pair alternates, so neither arm always runs first.
    """
    py, c = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(py) < 9:
        if len(py) % 2:
            c.append(c_round())
            py.append(python_round())
        else:
            py.append(python_round())
            c.append(c_round())
    return np.array(py), np.array(c)


def fixed_rounds(env, seconds: float) -> tuple[int, np.ndarray, np.ndarray]:
    """``(steps per round, Python round seconds, C round seconds)`` on the env's fixed actions.

    The Python arm calls ``env.step`` ``k`` times; the C arm runs the same struct's
    ``<name>_step_n(k)``: one C call, no Python between steps.
    """
    sim = env.envs[0]._sim  # the bench reaches into the binding on purpose: it times C alone
    step, actions = env.step, env.buffers.actions
    k, t0 = 1, time.perf_counter()
    while time.perf_counter() - t0 < 1e-3:  # calibrate k batch steps to about 1 ms
        t0 = time.perf_counter()
        sim.step_n(k)
        k *= 2

    def python_round():
        start = time.perf_counter()
        for _ in range(k):
            step(actions)
        return time.perf_counter() - start

    def c_round():
        start = time.perf_counter()
        sim.step_n(k)
        return time.perf_counter() - start

    return k, *paired_rounds(python_round, c_round, seconds)


# Board games: a fixed action soon becomes illegal, which would time the illegal-move path. Their
# observations end with the legal-action mask (one entry per action); they are timed on random
# LEGAL moves, recorded from that mask and replayed from the same seed.
LEGAL_MASK_GAMES = ("connect4", "tictactoe", "tripletriad")
REPLAY_STEPS = 256


def record_legal_moves(env, steps: int, seed: int = 0) -> np.ndarray:
    """``[steps, num_agents]`` random legal actions of one play-through from ``reset(seed)``."""
    rng = np.random.default_rng(seed)
    n = env.single_action_space.n
    env.reset(seed=seed)
    moves = np.empty((steps, env.num_agents), np.int32)
    for t in range(steps):
        keys = rng.random((env.num_agents, n))
        keys[env.buffers.observations[:, -n:] <= 0] = -1.0  # illegal actions never win the argmax
        moves[t] = keys.argmax(axis=1)
        env.step(moves[t])
    return moves


def replay_rounds(env, moves: np.ndarray, seconds: float) -> tuple[int, np.ndarray, np.ndarray]:
    """Like ``fixed_rounds``, a round replaying the recorded legal moves from ``reset(seed=0)``
    (the reset not timed): the Python step, and the C step called directly (one cffi call per
    step); both copy each step's actions into the buffer the same way."""
    sim = env.envs[0]._sim
    c_step, c = sim.step, sim.c
    acts, step = env.buffers.actions, env.step

    def round_(timed_c: bool) -> float:
        env.reset(seed=0)
        start = time.perf_counter()
        for t in range(len(moves)):
            acts[...] = moves[t]
            if timed_c:
                c_step(c)
            else:
                step(acts)
        return time.perf_counter() - start

    return len(moves), *paired_rounds(lambda: round_(False), lambda: round_(True), seconds)


def puffer_sps(name: str, num_envs: int, seconds: float) -> str:
    """PufferLib 3.0's env of the same name, timed here, or why it could not be."""
    try:
        import importlib

        module = importlib.import_module(f"pufferlib.ocean.{name}.{name}")
    except ImportError as e:
        return f"n/a ({e.name or 'pufferlib'} not importable)"
    cls = next(v for k, v in vars(module).items() if k.lower() == name.lower() and isinstance(v, type))
    env = cls(num_envs=num_envs)
    env.reset(seed=0)
    actions = env.action_space.sample()
    env.step(actions)
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        env.step(actions)
        steps += 1
    env.close()
    return f"{env.num_agents * steps / elapsed:.4g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", nargs="+", default=sorted(ENVS))
    parser.add_argument("--agents", type=int, nargs="+", default=[1024, 4096],
                        help="agent rows per size (sub-envs = agents // agents per sub-env)")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--report-every", type=int, default=1,
                        help="the envs' report_every: read episode stats on every N-th step")
    args = parser.parse_args()

    columns = f"{'env':<12} {'agents':>8} {'SPS (Python)':>13} {'SPS (C loop)':>13} {'overhead (quartiles)':>20}"
    header = f"{columns}  PufferLib 3.0 SPS / ratio"
    print(header)
    print("-" * len(header))
    for name in args.envs:
        for agents in args.agents:
            sub_envs = sub_envs_for(name, agents)
            env = envsdk.make(name, num_envs=sub_envs, report_every=args.report_every)
            n = env.num_agents
            if name in LEGAL_MASK_GAMES:
                k, py, c = replay_rounds(env, record_legal_moves(env, REPLAY_STEPS), args.seconds)
            else:
                env.reset(seed=0)
                fixed = FIXED_ACTIONS.get(name)
                env.buffers.actions[...] = spaces.sample(env.single_action_space, n, rng=0) if fixed is None else fixed
                k, py, c = fixed_rounds(env, args.seconds)
            env.close()
            py_sps, c_sps = n * k / np.median(py), n * k / np.median(c)
            # The overhead of each pair, then the median and quartiles over pairs.
            low, mid, high = (np.percentile(py / c, [25, 50, 75]) - 1) * 100
            overhead = f"{mid:.1f}% ({low:.1f}..{high:.1f})"
            puffer = puffer_sps(name, sub_envs, args.seconds)
            ratio = f" / {py_sps / float(puffer):.2f}x" if puffer[0].isdigit() else ""
            print(f"{name:<12} {n:>8} {format_sps(py_sps):>13} {format_sps(c_sps):>13} {overhead:>20}  {puffer}{ratio}")


if __name__ == "__main__":
    main()
