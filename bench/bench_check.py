"""How long ``envsdk check`` takes on every bundled env (the full run, its default settings).

    python bench/bench_check.py [--repeats 3] [--envs breakout snake]

For each registered env, runs ``envsdk.check(name)`` ``--repeats`` times in this process and prints
the wall seconds of each run (the report's own ``seconds``) and their range, then a Markdown
table. Target: every full run under 10 s on a 2-core machine, so that checking an env is something
a user runs after every change. A run that fails the check is reported as such (the time of a
failing run says nothing about the target).
"""

from __future__ import annotations

import argparse
import os

import envsdk
from envsdk.registry import ENVS

TARGET_SECONDS = 10.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="full runs per env (default 3)")
    parser.add_argument("--envs", nargs="*", default=sorted(ENVS), help="registered names (default: all)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}", flush=True)
    rows = []
    for name in args.envs:
        seconds, ok = [], True
        for _ in range(args.repeats):
            report = envsdk.check(name)
            ok = ok and report.ok
            seconds.append(report.seconds)
        print(f"{name}: {'passed' if ok else 'FAILED'}, {', '.join(f'{s:.2f}' for s in seconds)} s", flush=True)
        rows.append((name, ok, min(seconds), max(seconds)))
    print(f"\n| env | check | seconds (min-max of {args.repeats}) | under {TARGET_SECONDS:g} s |")
    print("|---|---|---|---|")
    for name, ok, low, high in rows:
        within = "yes" if high < TARGET_SECONDS else "NO"
        print(f"| {name} | {'pass' if ok else 'FAIL'} | {low:.2f}-{high:.2f} | {within} |")


if __name__ == "__main__":
    main()
