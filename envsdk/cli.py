"""The ``envsdk`` command line: ``envsdk --version``, ``envsdk list``."""

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand sets ``func``."""
    import envsdk

    parser = argparse.ArgumentParser(prog="envsdk", description="Fast vectorized RL environments.")
    parser.add_argument("--version", action="version", version=f"envsdk {envsdk.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list registered envs (bundled and from entry points)").set_defaults(func=_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)
