"""The ``envsdk`` command line: ``envsdk --version``, ``list``, ``bench ENV``, ``check ENV``, ``play ENV``."""

from __future__ import annotations

import argparse
import json
import os
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
    from envsdk.registry import make, resolve

    sizes = args.num_envs
    if sizes is None:  # 1024 and 4096 agent rows, whatever the agents per sub-env (snake: 256)
        probe = resolve(args.env)(num_envs=1)
        per = probe.num_agents
        probe.close()
        sizes = [max(1, rows // per) for rows in (1024, 4096)]
    for num_envs in sizes:
        env = make(args.env, num_envs=num_envs, backend=args.backend)
        try:
            t = measure(env, args.env, seconds=args.seconds)
        finally:
            env.close()
        print(f"{args.env}  num_envs={num_envs:<6} agents={t.num_agents:<7} {format_sps(t.sps):>8} SPS  "
              f"{t.us_per_step:9.2f} us/step")
    return 0


def _config_value(text: str):
    """A ``key=value`` value: JSON when it parses (``3``, ``0.5``, ``true``, ``[1, 2]``), else the string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _check(args: argparse.Namespace) -> int:
    from envsdk.check import check
    from envsdk.errors import ConfigError, UnknownEnvError

    config = {}
    if args.config is not None:
        try:
            config = json.loads(args.config)
        except ValueError as e:
            print(f"envsdk check: --config: expected a JSON object, found invalid JSON ({e}). Fix: quote it, e.g. "
                  "--config '{\"max_steps\": 100}'.", file=sys.stderr)
            return 2
        if not isinstance(config, dict):
            print(f"envsdk check: --config: expected a JSON object, found {type(config).__name__}. Fix: pass "
                  "'{\"key\": value}'.", file=sys.stderr)
            return 2
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            print(f"envsdk check: expected config as key=value, found {pair!r}. Fix: write e.g. max_steps=100.",
                  file=sys.stderr)
            return 2
        config[key] = _config_value(value)
    # Like `python -m`, make modules in the current directory importable as module:Factory targets
    # (spawned workers inherit sys.path, so the backends check finds them too).
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        report = check(args.target, num_envs=args.num_envs, seed=args.seed, steps=args.steps, quick=args.quick,
                       **config)
    except (UnknownEnvError, ConfigError, ImportError) as e:
        print(f"envsdk check: {e}", file=sys.stderr)
        return 2
    print(report.to_json() if args.json else report.format())
    return 0 if report.ok else 1


def _play(args: argparse.Namespace) -> int:
    from envsdk.play import play

    config = {}
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            print(f"envsdk play: expected config as key=value, found {pair!r}. Fix: write e.g. opponent=perfect.",
                  file=sys.stderr)
            return 2
        config[key] = _config_value(value)
    return play(args.env, config, checkpoint=args.checkpoint, versus=args.versus, episodes=args.episodes,
                seed=args.seed)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand sets ``func``."""
    import envsdk

    parser = argparse.ArgumentParser(prog="envsdk", description="Fast vectorized RL environments.")
    parser.add_argument("--version", action="version", version=f"envsdk {envsdk.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list registered envs (bundled and from entry points)").set_defaults(func=_list)
    bench = sub.add_parser("bench", help="measure the steps per second of an env")
    bench.add_argument("env", help="registered name or module:Factory")
    bench.add_argument("--num-envs", type=int, nargs="+", default=None, metavar="N",
                       help="sub-envs per size (default: 1024 and 4096 agent rows)")
    bench.add_argument("--backend", default="serial")
    bench.add_argument("--seconds", type=float, default=1.0, help="timed seconds per size")
    bench.set_defaults(func=_bench)
    check = sub.add_parser(
        "check", help="run the conformance checks on an env (exit code 1 if any fails)",
        description="Run envsdk's conformance checks on an env. Exit code 0: no check failed (warnings "
                    "allowed); 1: a check failed; 2: usage error.")
    check.add_argument("target", help="registered name or module:Factory")
    check.add_argument("pairs", nargs="*", metavar="KEY=VALUE",
                       help="env config; values parse as JSON when they can (3, 0.5, true), else as strings")
    check.add_argument("--config", metavar="JSON", help="env config as a JSON object (KEY=VALUE pairs override it)")
    check.add_argument("--num-envs", type=int, metavar="N",
                       help="sub-envs per object, for factories that take num_envs (default 8)")
    check.add_argument("--seed", type=int, default=0, metavar="S", help="seed for the env and the actions")
    check.add_argument("--steps", type=int, metavar="K", help="steps per recorded rollout (default 1000; 200 quick)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--quick", action="store_true", help="skip the slow checks (fuzz, memory, cycles, backends)")
    check.set_defaults(func=_check)
    play = sub.add_parser(
        "play", help="play an env in the terminal, or watch a trained policy play it",
        description="Play one sub-env of ENV in the terminal against its built-in opponent, if it has one. "
                    "The position is drawn after every move, and each episode's final position and outcome "
                    "when it ends. Board games read one move per line (tictactoe: a cell 0..8 row-major; "
                    "connect4: a column 0..6); arcade games (breakout, snake, ...) read single keys without "
                    "Enter in a terminal. With --checkpoint (an agent.pt of the format in envsdk/policy.py, "
                    "as examples/ppo.py writes it; needs torch) the trained policy plays and you watch; add "
                    "--versus to play against it (the board games' two-player mode). opponent=none without a "
                    "checkpoint: two people take turns. Ctrl-C quits.")
    play.add_argument("env", help="registered name, e.g. tictactoe or connect4")
    play.add_argument("pairs", nargs="*", metavar="KEY=VALUE", help="env config, e.g. opponent=perfect")
    play.add_argument("--checkpoint", metavar="PATH", help="watch this trained policy play (loads plain data only)")
    play.add_argument("--versus", action="store_true",
                      help="play against the --checkpoint policy (two-player mode: opponent=none; first=agent "
                           "to move first, first=opponent to let the policy start)")
    play.add_argument("--episodes", type=int, default=1, metavar="N", help="episodes to play (default 1)")
    play.add_argument("--seed", type=int, default=None, metavar="S", help="seed of the env (default: fresh)")
    play.set_defaults(func=_play)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return args.func(args)
