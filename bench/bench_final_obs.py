"""What final observations cost: every bundled C sim's step with the buffer and without it.

    python bench/bench_final_obs.py [--num-agents 4096] [--seconds 2.0] [--rounds 9] [--envs squared pong]
                                    [--baseline DIR]

For each bundled sim (the registered envs and ``squared_one``, squared in the one-sub-env style)
at about ``--num-agents`` agent rows, on the actions ``bench/bench_envs.py`` uses
(``bench_envs.env_rounds``: fixed actions in the bare C loop, ``<name>_step_n``; recorded legal
moves for the board games, one C step call per move), it times the C step of two envs built from
the installed ``envsdk._sims`` in interleaved rounds (``bench_envs.interleaved_rounds``):

- ``without``: ``envsdk.backends.Serial(name, num_envs=N)`` (``final_observations`` NULL in C);
- ``with``: the same with ``final_observations=True``, which every ended row's step writes.

``with / without`` is the step time with the buffer over the step time without it: the median
over sets of adjacent rounds, with its quartiles (1.02 = 2% slower). Target: at most 1.02.

``--baseline DIR`` adds a second pass per sim: the sim headers of an older checkout (``DIR``
holds its ``csrc/*.h``, e.g. ``git archive 50dc5e0 csrc | tar -x -C /tmp/base`` then
``--baseline /tmp/base/csrc``) against this checkout's, both compiled the same way, through
``envsdk.cbuild.load`` into a temporary cache, and both without the buffer: ``this / baseline``
is this checkout's step time over the older one's (target: 1.00, the buffer costs nothing when
absent). Both compile against this checkout's ``envsdk.h`` (the cdef every build shares), so a
one-sub-env sim's baseline runs this ``ENVSDK_SUB_ENV`` batch loop over the older ``step_one``.

It prints one line per sim and pass, then a Markdown table of the medians and quartiles.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from bench_envs import env_rounds, interleaved_rounds
from bench_user_c import FACTORIES, chosen_sims, sims_module

import envsdk
from envsdk import _sims, cbuild
from envsdk.bench import default_sizes, format_sps


def build(name: str, module, final_observations: bool, num_agents: int):
    """A Serial backend over one object of the sim ``name`` bound to the sims ``module``, about
    ``num_agents`` agent rows, with or without final observations."""
    factory = envsdk.registry.resolve(FACTORIES[name])
    (sub_envs,) = default_sizes(factory, {}, (num_agents,))
    with sims_module(factory, module):
        env = envsdk.backends.Serial(factory, num_envs=sub_envs, final_observations=final_observations)
    assert env.envs[0]._sim.lib is module.lib  # the bench really times the module it names
    return env


def compare(name: str, a: tuple, b: tuple, args) -> tuple[np.ndarray, np.ndarray]:
    """The C step of arm ``b`` against arm ``a`` (each ``(sims module, final_observations)``):
    (b's step time / a's per interleaved set: median and quartiles; b's SPS: the same)."""
    env_a, env_b = build(name, *a, args.num_agents), build(name, *b, args.num_agents)
    try:
        (k_a, rounds_a), (k_b, rounds_b) = env_rounds(name, env_a), env_rounds(name, env_b)
        times = interleaved_rounds({"a": rounds_a["C"], "b": rounds_b["C"]}, args.seconds, args.rounds)
        ratio = (times["b"] / k_b) / (times["a"] / k_a)
        sps = env_b.num_agents * k_b / times["b"]
        return np.percentile(ratio, [50, 25, 75]), np.percentile(sps, [50, 25, 75])
    finally:
        env_a.close()
        env_b.close()


def ratio_text(q) -> str:
    return f"{q[0]:.3f} ({q[1]:.3f}..{q[2]:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-agents", type=int, default=4096, help="agent rows per env (default 4096)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds of interleaved rounds per sim and pass")
    parser.add_argument("--rounds", type=int, default=9, help="at least this many interleaved sets per sim and pass")
    parser.add_argument("--envs", nargs="+", default=None, help="sim names (default: every bundled sim)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="an older checkout's csrc folder: its sims against this checkout's, without the buffer")
    args = parser.parse_args()
    headers, names = chosen_sims(parser, args.envs)
    if args.baseline is not None:
        missing = [n for n in names if not (args.baseline / f"{n}.h").is_file()]
        if missing:
            parser.error(f"--baseline {args.baseline}: expected {', '.join(f'{n}.h' for n in missing)} there")

    rows = []
    with tempfile.TemporaryDirectory(prefix="envsdk-final-obs-") as cache:
        print(f"C step time, about {args.num_agents} agent rows: median (quartiles) over interleaved sets")
        for name in names:
            ratio, sps = compare(name, (_sims, False), (_sims, True), args)
            row = [name, format_sps(sps[0]), ratio_text(ratio)]
            print(f"{name}: with / without final_observations {ratio_text(ratio)}, with {format_sps(sps[0])} SPS",
                  flush=True)
            if args.baseline is not None:
                this, base = (cbuild.load(folder / f"{name}.h", cache=cache) for folder in (headers[name].parent,
                                                                                           args.baseline))
                ratio, _ = compare(name, (base, False), (this, False), args)
                row.append(ratio_text(ratio))
                print(f"{name}: without, this / baseline {ratio_text(ratio)}", flush=True)
            rows.append(row)
    print()
    columns = ["sim", "SPS with", "with / without"] + (["without: this / baseline"] if args.baseline else [])
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
