"""The ``envsdk`` command line: ``envsdk --version``, ``envsdk list``, ``envsdk bench ENV``."""

from __future__ import annotations

import argparse
import sys


def _list(args: argparse.Namespace) -> int:
    from envsdk.registry import ENVS, registered

    envs = registered()
    if not envs:
        print("no envs registered")
        return 0
    width = max(map(len, envs))
    for name, target in sorted(envs.items()):
        origin = "bundled" if name in ENVS else "entry point"
        print(f"{name:<{width}}  {target}  ({origin})")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from envsdk.bench import format_sps, measure
    from envsdk.registry import make

    for num_envs in args.num_envs:
        env = make(args.env, num_envs=num_envs, backend=args.backend)
        try:
            t = measure(env, args.env, seconds=args.seconds)
        finally:
            env.close()
        print(f"{args.env}  num_envs={num_envs:<6} {format_sps(t.sps):>8} SPS  {t.us_per_step:9.2f} us/step")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand sets ``func``."""
    import envsdk

    parser = argparse.ArgumentParser(prog="envsdk", description="Fast vectorized RL environments.")
    parser.add_argument("--version", action="version", version=f"envsdk {envsdk.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list registered envs (bundled and from entry points)").set_defaults(func=_list)
    bench = sub.add_parser("bench", help="measure the steps per second of an env")
    bench.add_argument("env", help="registered name or module:Factory")
    bench.add_argument("--num-envs", type=int, nargs="+", default=[1024, 4096], metavar="N")
    bench.add_argument("--backend", default="serial")
    bench.add_argument("--seconds", type=float, default=1.0, help="timed seconds per size")
    bench.set_defaults(func=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)
