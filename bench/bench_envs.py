"""SPS of every bundled C env, the bare C loop beside it, and PufferLib 3.0 when installed.

    python bench/bench_envs.py [--envs cartpole breakout] [--seconds 1.0] [--report-every N] [--config JSON]

For each env at 1024 and 4096 agent rows (sub-envs = rows // agents per sub-env) it prints:
- SPS through the public API (``envsdk.make(name, num_envs=N)``, Serial backend), the median
  over about 1 ms rounds interleaved with the other arms' below;
- SPS of the same step function run as a bare C loop (``<name>_step_n``: one C call, no Python);
  board games (legal moves replayed, see LEGAL_MASK_GAMES) call the C step once per step instead;
- the Python-side overhead: how much longer a step takes through Python than in the C loop, the
  median over sets of adjacent rounds, with its quartiles: through the env object itself (the
  binding: its ``step``, one C call, the episode stats when reported) and through ``make``
  (Serial's step on top of it)
  (``--report-every N`` builds the envs with ``report_every=N``: episode stats reach Python on
  every N-th step; the envs' default is 16, PufferLib's envs log every 128 steps by default);
- PufferLib 3.0's same-named ``pufferlib.ocean`` env timed in the same run, and our ratio to it,
  when pufferlib is importable (its sdist downloads raylib during its build, which fails on a
  machine without internet; then this column says so).
"""

from __future__ import annotations

import argparse
import json
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


ARMS = ("make", "object", "C")  # envsdk.make's step (Serial), the env object's own step, the C step


def interleaved_rounds(rounds: dict, seconds: float) -> dict[str, np.ndarray]:
    """Seconds of each round of every arm (``ARMS``), run in interleaved sets for about ``seconds``.

    Rounds are short (about a millisecond) and each set runs every arm once: the rounds of a set
    see the same machine state (frequency, cache, a neighbour's load), so the ratio within a set
    is far steadier than separately timed figures whose difference is the few percent we look for.
    The order rotates from set to set, so no arm always runs first.
    """
    times: dict[str, list[float]] = {arm: [] for arm in ARMS}
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds or n < 9:
        for arm in ARMS[n % 3:] + ARMS[:n % 3]:
            times[arm].append(rounds[arm]())
        n += 1
    return {arm: np.array(t) for arm, t in times.items()}


def fixed_rounds(env, seconds: float) -> tuple[int, dict[str, np.ndarray]]:
    """``(steps per round, {arm: round seconds})`` on the env's fixed actions.

    The Python arms call ``step`` ``k`` times (``env``'s, then its one object's); the C arm runs
    the same struct's ``<name>_step_n(k)``: one C call, no Python between steps.
    """
    sim = env.envs[0]._sim  # the bench reaches into the binding on purpose: it times C alone
    actions = env.buffers.actions
    k, t0 = 1, time.perf_counter()
    while time.perf_counter() - t0 < 1e-3:  # calibrate k batch steps to about 1 ms
        t0 = time.perf_counter()
        sim.step_n(k)
        k *= 2

    def python_round(step):
        def round_():
            start = time.perf_counter()
            for _ in range(k):
                step(actions)
            return time.perf_counter() - start
        return round_

    def c_round():
        start = time.perf_counter()
        sim.step_n(k)
        return time.perf_counter() - start

    rounds = {"make": python_round(env.step), "object": python_round(env.envs[0].step), "C": c_round}
    return k, interleaved_rounds(rounds, seconds)


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


def replay_rounds(env, moves: np.ndarray, seconds: float) -> tuple[int, dict[str, np.ndarray]]:
    """Like ``fixed_rounds``, a round replaying the recorded legal moves from ``reset(seed=0)``
    (the reset not timed): the two Python steps, and the C step called directly (one cffi call
    per step); each copies the step's actions into the buffer the same way."""
    sim = env.envs[0]._sim
    c_step, c = sim.step, sim.c
    acts = env.buffers.actions

    def replay(step):
        def round_():
            env.reset(seed=0)
            start = time.perf_counter()
            for t in range(len(moves)):
                acts[...] = moves[t]
                step(acts)
            return time.perf_counter() - start
        return round_

    rounds = {"make": replay(env.step), "object": replay(env.envs[0].step), "C": replay(lambda _: c_step(c))}
    return len(moves), interleaved_rounds(rounds, seconds)


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
    parser.add_argument("--report-every", type=int, default=None,
                        help="the envs' report_every: episode stats on every N-th step (default: the envs' own, 16)")
    parser.add_argument("--config", type=json.loads, default={},
                        help='env config as a JSON object for every env in --envs, e.g. \'{"opponent": "perfect"}\'')
    args = parser.parse_args()

    columns = (f"{'env':<12} {'agents':>7} {'SPS (make)':>11} {'SPS (C loop)':>13} "
               f"{'overhead: object':>22} {'make (quartiles)':>22}")
    header = f"{columns}  PufferLib 3.0 SPS / ratio"
    print(header)
    print("-" * len(header))
    for name in args.envs:
        for agents in args.agents:
            sub_envs = sub_envs_for(name, agents)
            config = args.config if args.report_every is None else {**args.config, "report_every": args.report_every}
            env = envsdk.make(name, num_envs=sub_envs, **config)
            n = env.num_agents
            if name in LEGAL_MASK_GAMES:
                k, times = replay_rounds(env, record_legal_moves(env, REPLAY_STEPS), args.seconds)
            else:
                env.reset(seed=0)
                fixed = FIXED_ACTIONS.get(name)
                env.buffers.actions[...] = spaces.sample(env.single_action_space, n, rng=0) if fixed is None else fixed
                k, times = fixed_rounds(env, args.seconds)
            env.close()
            make_sps, c_sps = n * k / np.median(times["make"]), n * k / np.median(times["C"])
            overheads = []
            for arm in ("object", "make"):  # the overhead within each set, its median and quartiles over sets
                low, mid, high = (np.percentile(times[arm] / times["C"], [25, 50, 75]) - 1) * 100
                overheads.append(f"{mid:.1f}% ({low:.1f}..{high:.1f})")
            puffer = puffer_sps(name, sub_envs, args.seconds)
            ratio = f" / {make_sps / float(puffer):.2f}x" if puffer[0].isdigit() else ""
            print(f"{name:<12} {n:>7} {format_sps(make_sps):>11} {format_sps(c_sps):>13} {overheads[0]:>22} "
                  f"{overheads[1]:>22}  {puffer}{ratio}")


if __name__ == "__main__":
    main()
