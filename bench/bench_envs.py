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
  every N-th step; the envs' default is 16);
- PufferLib 3.0's same-named ``pufferlib.ocean`` env, timed in a second pass of rounds that
  alternate with ``make``'s, and our ``make`` SPS as a ratio to it (the median over pairs of
  adjacent rounds), when pufferlib is importable: from
  the environment, or from the offline build of ``bench/build_pufferlib.sh`` (``--pufferlib DIR``,
  by default ``bench/out/pufferlib``, is put on ``sys.path`` when it exists). Its envs gather
  their episode logs every ``report_every`` steps, like ours.
"""

from __future__ import annotations

import argparse
import inspect
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pufferlib_peer

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


def interleaved_rounds(rounds: dict, seconds: float, min_sets: int = 9) -> dict[str, np.ndarray]:
    """Seconds of each round of every arm in ``rounds`` (``{arm: round function returning its
    seconds}``), run in interleaved sets for about ``seconds`` and at least ``min_sets`` sets.

    Rounds are short (about a millisecond) and each set runs every arm once: the rounds of a set
    see the same machine state (frequency, cache, a neighbour's load), so the ratio within a set
    is far steadier than separately timed figures whose difference is the few percent we look for.
    The order rotates from set to set, so no arm always runs first.
    """
    arms = list(rounds)
    times: dict[str, list[float]] = {arm: [] for arm in arms}
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds or n < min_sets:
        for arm in arms[n % len(arms):] + arms[:n % len(arms)]:
            times[arm].append(rounds[arm]())
        n += 1
    return {arm: np.array(t) for arm, t in times.items()}


def calibrate(run, target: float = 1e-3) -> int:
    """The power of two ``k`` for which ``run(k)`` takes about ``target`` seconds."""
    k = 1
    while True:
        start = time.perf_counter()
        run(k)
        if time.perf_counter() - start >= target:
            return k
        k *= 2


def fixed_rounds(env) -> tuple[int, dict]:
    """``(steps per round, {arm: round function})`` on the env's fixed actions, the arms
    ``make`` (Serial's step), ``object`` (the env object's own step) and ``C``.

    The Python arms call ``step`` ``k`` times (``env``'s, then its one object's); the C arm runs
    the same struct's ``<name>_step_n(k)``: one C call, no Python between steps.
    """
    sim = env.envs[0]._sim  # the bench reaches into the binding on purpose: it times C alone
    actions = env.buffers.actions
    k = calibrate(sim.step_n)

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

    return k, {"make": python_round(env.step), "object": python_round(env.envs[0].step), "C": c_round}


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


def replay_rounds(env, moves: np.ndarray) -> tuple[int, dict]:
    """Like ``fixed_rounds``, a round replaying the recorded legal moves from ``reset(seed=0)``
    (the reset not timed): the two Python steps, and the C step called directly (one cffi call
    per step); each copies the step's actions into the buffer the same way."""
    sim = env.envs[0]._sim
    c_step, c = getattr(sim.lib, f"{sim.name}_step"), sim.c  # the C step itself, not CSim.step
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

    return len(moves), {"make": replay(env.step), "object": replay(env.envs[0].step), "C": replay(lambda _: c_step(c))}


def env_rounds(name: str, env) -> tuple[int, dict]:
    """``(steps per round, {arm: round function})`` of the bundled env ``name`` built as ``env`` (a
    Serial backend): ``replay_rounds`` on recorded legal moves for a board game, else
    ``fixed_rounds`` on its fixed actions (random ones drawn with seed 0 unless FIXED_ACTIONS has one)."""
    if name in LEGAL_MASK_GAMES:
        return replay_rounds(env, record_legal_moves(env, REPLAY_STEPS))
    env.reset(seed=0)
    fixed = FIXED_ACTIONS.get(name)
    env.buffers.actions[...] = spaces.sample(env.single_action_space, env.num_agents, rng=0) if fixed is None else fixed
    return fixed_rounds(env)


def puffer_rounds(name: str, num_envs: int, report_every: int) -> tuple[int, Callable, Callable] | str:
    """``(agent rows per round, round function, close)`` for PufferLib 3.0's env of the same
    name, or a string saying why it cannot be timed.

    It is built with ``num_envs`` sub-envs, its episode logs gathered every ``report_every``
    steps like ours (its ``log_interval`` or ``report_interval``), and stepped on fixed random
    actions drawn from its own action space.
    """
    cls = pufferlib_peer.env_class(name)
    if isinstance(cls, str):
        return cls
    env = cls(num_envs=num_envs, **pufferlib_peer.log_every(cls, report_every))
    env.reset(seed=0)
    env.action_space.seed(0)  # the same fixed actions in every run
    actions = env.action_space.sample()

    def run(k: int) -> None:
        for _ in range(k):
            env.step(actions)

    k = calibrate(run)

    def round_() -> float:
        start = time.perf_counter()
        run(k)
        return time.perf_counter() - start

    return env.num_agents * k, round_, env.close


def c_envs() -> list[str]:
    """The registered envs that are C sims (a header in csrc/): the torch-native envs have no C loop to set
    beside them (``bench/bench_gpu.py`` measures those)."""
    csrc = Path(__file__).resolve().parents[1] / "csrc"
    return sorted(name for name in ENVS if (csrc / f"{name}.h").exists())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envs", nargs="+", default=c_envs())
    parser.add_argument("--agents", type=int, nargs="+", default=[1024, 4096],
                        help="agent rows per size (sub-envs = agents // agents per sub-env)")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--report-every", type=int, default=None,
                        help="the envs' report_every: episode stats on every N-th step (default: the envs' own, 16)")
    parser.add_argument("--config", type=json.loads, default={},
                        help='env config as a JSON object for every env in --envs, e.g. \'{"opponent": "perfect"}\'')
    parser.add_argument("--pufferlib", type=Path, default=pufferlib_peer.BUILD,
                        help="where bench/build_pufferlib.sh built PufferLib 3.0 (used when it exists)")
    args = parser.parse_args()
    pufferlib_peer.use_build(args.pufferlib)

    columns = (f"{'env':<12} {'agents':>7} {'SPS (make)':>11} {'SPS (C loop)':>13} "
               f"{'overhead: object':>22} {'make (quartiles)':>22}")
    header = f"{columns}  PufferLib 3.0 SPS / ratio"
    print(header)
    print("-" * len(header))
    for name in args.envs:
        defaults = inspect.signature(envsdk.registry.resolve(name)).parameters
        report_every = args.report_every or defaults["report_every"].default
        for agents in args.agents:
            sub_envs = sub_envs_for(name, agents)
            env = envsdk.make(name, num_envs=sub_envs, **{**args.config, "report_every": report_every})
            n = env.num_agents
            k, rounds = env_rounds(name, env)
            times = interleaved_rounds(rounds, args.seconds)
            overheads = []
            for arm in ("object", "make"):  # the overhead within each set, its median and quartiles over sets
                low, mid, high = (np.percentile(times[arm] / times["C"], [25, 50, 75]) - 1) * 100
                overheads.append(f"{mid:.1f}% ({low:.1f}..{high:.1f})")
            make_sps, c_sps = n * k / np.median(times["make"]), n * k / np.median(times["C"])
            # PufferLib in rounds of its own against make's: a fourth arm in the rounds above
            # would evict the others' data from the caches and inflate the overheads.
            puffer = puffer_rounds(name, sub_envs, report_every)
            if not isinstance(puffer, str):
                puffer_rows, puffer_round, close_puffer = puffer
                versus = interleaved_rounds({"make": rounds["make"], "puffer": puffer_round}, args.seconds)
                close_puffer()
                ratio = (n * k / versus["make"]) / (puffer_rows / versus["puffer"])  # per pair of rounds
                puffer = f"{format_sps(puffer_rows / np.median(versus['puffer']))} / {np.median(ratio):.2f}x"
            env.close()
            print(f"{name:<12} {n:>7} {format_sps(make_sps):>11} {format_sps(c_sps):>13} {overheads[0]:>22} "
                  f"{overheads[1]:>22}  {puffer}")


if __name__ == "__main__":
    main()
