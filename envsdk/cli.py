"""The ``envsdk`` command line: ``envsdk --version``, ``list``, ``bench ENV``, ``check ENV``, ``play ENV``,
``serve [ENV]``, ``new NAME``."""

from __future__ import annotations

import argparse
import json
import os
import sys

_CHECK_SETTINGS = ("num_envs", "seed", "steps")  # `envsdk check` options also accepted as key=value


class _Usage(Exception):
    """A command line the user must fix: ``main`` prints it on one line and exits with code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (what is wrong, and where the help is)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message}. Fix: see {self.prog} --help.\n")


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


def _importable(target: str) -> None:
    """Let a ``module:Factory`` target import from the working directory, as ``python -m`` would.

    The directory goes LAST on ``sys.path``, and only for such targets: a stray module there
    (``hypothesis.py``, an envsdk checkout) never shadows an installed package, in this process
    or in the worker processes that inherit its ``sys.path``.
    """
    cwd = os.getcwd()
    if ":" in target and cwd not in sys.path:
        sys.path.append(cwd)


def _bench(args: argparse.Namespace) -> int:
    from envsdk.bench import default_sizes, format_sps, measure
    from envsdk.registry import make, resolve

    config = _config(args.pairs)
    _importable(args.env)
    factory = resolve(args.env)
    backend = {"backend": args.backend}
    if args.num_workers is not None:
        if args.backend == "serial":
            raise _Usage("--num-workers: expected --backend multiprocessing or ray, found serial (one process). "
                         "Fix: add --backend multiprocessing, or drop --num-workers.")
        backend["num_workers"] = args.num_workers
    sizes = args.num_envs or default_sizes(factory, config)
    for num_envs in sizes:
        env = make(factory, num_envs=num_envs, **backend, **config)
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


def _config(pairs: list[str], config: dict | None = None) -> dict:
    """``config`` updated with ``key=value`` pairs (values as in ``_config_value``)."""
    config = dict(config or {})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise _Usage(f"expected config as key=value, found {pair!r}. Fix: write e.g. max_steps=100.")
        config[key] = _config_value(value)
    return config


def _check(args: argparse.Namespace) -> int:
    from envsdk.checks import check

    config = {}
    if args.config is not None:
        try:
            config = json.loads(args.config)
        except ValueError as e:
            raise _Usage(f"--config: expected a JSON object, found invalid JSON ({e}). Fix: quote it, e.g. "
                         "--config '{\"max_steps\": 100}'.") from None
        if not isinstance(config, dict):
            raise _Usage(f"--config: expected a JSON object, found {type(config).__name__}. Fix: pass "
                         "'{\"key\": value}'.")
    config = _config(args.pairs, config)
    settings = {}
    for name in _CHECK_SETTINGS:  # num_envs=4 means --num-envs 4: settings of the check, not env config
        option, pair = getattr(args, name), config.pop(name, None)
        if option is not None and pair is not None and option != pair:
            flag = "--" + name.replace("_", "-")
            raise _Usage(f"{name}: expected one value, found {flag} {option} and {name}={pair}. Fix: give one.")
        settings[name] = pair if option is None else option
    settings["seed"] = 0 if settings["seed"] is None else settings["seed"]
    _importable(args.target)
    report = check(args.target, quick=args.quick, **settings, **config)
    print(report.to_json() if args.json else report.format())
    return 0 if report.ok else 1


def _play(args: argparse.Namespace) -> int:
    from envsdk.play import play

    config = _config(args.pairs)
    _importable(args.env)
    return play(args.env, config, checkpoint=args.checkpoint, versus=args.versus, episodes=args.episodes,
                seed=args.seed)


def _serve(args: argparse.Namespace) -> int:
    from envsdk.serve import serve

    if args.env is not None and "=" in args.env and ":" not in args.env:  # `envsdk serve first=agent`: no ENV
        raise _Usage(f"expected ENV before key=value config, found {args.env!r} first. Fix: name the env, e.g. "
                     f"envsdk serve tictactoe {args.env}.")
    config = _config(args.pairs)
    if args.env is not None:
        _importable(args.env)
    return serve(args.env, config, checkpoint=args.checkpoint, host=args.host, port=args.port,
                 max_sessions=args.max_sessions, idle_timeout=args.idle_timeout, seed=args.seed)


def _new(args: argparse.Namespace) -> int:
    from envsdk.scaffold import new

    project = new(args.name, args.kind, args.dir)
    print(f"wrote {project.root} ({project.kind} env):")
    for path in project.files:
        print(f"  {path.relative_to(project.root)}")
    print(f"next, from {project.root}: envsdk check {project.target}, python -m pytest; see README.md there")
    print(project.target)  # last, alone on its line: what to check (scripts read it)
    return 0


def _positive(kind):
    """An argparse type: a ``kind`` (int or float) above zero, else a one-line usage error."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, found {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, found {text}")
        return value

    return parse


def _env_arguments(parser: argparse.ArgumentParser, name: str, example: str = "max_steps=100") -> None:
    """The env a command acts on and its config, as every command takes them."""
    parser.add_argument(name, help="registered name (envsdk list) or module:Factory, imported from the current "
                                   "directory")
    parser.add_argument("pairs", nargs="*", default=[], metavar="KEY=VALUE",
                        help=f"env config, e.g. {example}; values parse as JSON when they can (3, 0.5, true), "
                             "else as strings; they may follow the options")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand sets ``func``."""
    import envsdk
    from envsdk.registry import BACKENDS

    parser = _Parser(prog="envsdk", description="Fast vectorized RL environments.")
    parser.add_argument("--version", action="version", version=f"envsdk {envsdk.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list registered envs (bundled and from entry points)").set_defaults(func=_list)
    bench = sub.add_parser(
        "bench", help="measure the steps per second of an env",
        description="Time ENV's step on fixed random actions, through envsdk.make, at each size. Exit code 0: "
                    "measured; 2: usage error.")
    _env_arguments(bench, "env")
    bench.add_argument("--num-envs", type=_positive(int), nargs="+", default=None, metavar="N",
                       help="sub-envs per size (default: about 1024 and 4096 agent rows)")
    bench.add_argument("--backend", default="serial", choices=sorted(BACKENDS), help="backend (default serial)")
    bench.add_argument("--num-workers", type=_positive(int), default=None, metavar="W",
                       help="worker processes or actors (multiprocessing, ray; default: one per core)")
    bench.add_argument("--seconds", type=_positive(float), default=1.0, metavar="S",
                       help="timed seconds per size (default 1)")
    bench.set_defaults(func=_bench)
    check = sub.add_parser(
        "check", help="run the conformance checks on an env (exit code 1 if any fails)",
        description="Run envsdk's conformance checks on an env. Exit code 0: no check failed (warnings "
                    "allowed); 1: a check failed; 2: usage error.")
    _env_arguments(check, "target")
    check.add_argument("--config", metavar="JSON", help="env config as a JSON object (KEY=VALUE pairs override it)")
    check.add_argument("--num-envs", type=int, metavar="N",
                       help="sub-envs per object, for factories that take num_envs (default 8); or num_envs=N")
    check.add_argument("--seed", type=int, default=None, metavar="S",
                       help="seed for the env and the actions (default 0); or seed=S")
    check.add_argument("--steps", type=int, metavar="K",
                       help="steps per recorded rollout (default 1000; 200 quick); or steps=K")
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
    _env_arguments(play, "env", example="opponent=perfect")
    play.add_argument("--checkpoint", metavar="PATH", help="watch this trained policy play (loads plain data only)")
    play.add_argument("--versus", action="store_true",
                      help="play against the --checkpoint policy (two-player mode: opponent=none; first=agent "
                           "to move first, first=opponent to let the policy start)")
    play.add_argument("--episodes", type=int, default=1, metavar="N", help="episodes to play (default 1)")
    play.add_argument("--seed", type=int, default=None, metavar="S", help="seed of the env (default: fresh)")
    play.set_defaults(func=_play)
    serve = sub.add_parser(
        "serve", help="play the envs in a browser: a local web server (needs aiohttp: the serve extra)",
        description="Serve every registered env on a local web page: open the printed address, pick a game, and "
                    "play it against its built-in opponent (board games by clicks on the board, arcade games by "
                    "keys on a tick you can pause, slow down or speed up), with two people at one page (the "
                    "board games' two-player mode), or, with --checkpoint, watch the trained policy play (pause "
                    "and step) or play against it. Each browser tab gets its own env. ENV is listed first and "
                    "played with the KEY=VALUE config; the checkpoint is loaded once, at start. Ctrl-C stops. "
                    "Exit code 0: stopped; 2: usage error, a bad config or checkpoint, or the port is in use.")
    serve.add_argument("env", nargs="?", default=None, metavar="ENV",
                       help="registered name (envsdk list) or module:Factory to list first (default: none; with "
                            "--checkpoint, its env)")
    serve.add_argument("pairs", nargs="*", default=[], metavar="KEY=VALUE",
                       help="config of ENV, e.g. opponent=perfect; values parse as JSON when they can")
    serve.add_argument("--checkpoint", metavar="FILE",
                       help="a trained policy (envsdk/policy.py's format; needs torch) to watch or play against")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the "
                            "network)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    serve.add_argument("--max-sessions", type=_positive(int), default=8, metavar="N",
                       help="open tabs at most, each with its own env (default 8)")
    serve.add_argument("--idle-timeout", type=_positive(float), default=300.0, metavar="S",
                       help="seconds a tab may send no input before its env is freed (default 300)")
    serve.add_argument("--seed", type=int, default=None, metavar="S", help="seed of each tab's env (default: fresh)")
    serve.set_defaults(func=_serve)
    new = sub.add_parser(
        "new", help="write a small working env project (C, numpy or Python) to start from",
        description="Write DIR/NAME/: a package NAME/ with a working env (for --kind c, a C sim NAME/NAME.h in "
                    "the one-sub-env style and its thin class), tests/test_NAME.py, a pyproject.toml that "
                    "registers the env under the envsdk.envs entry point, and a README.md. The last line printed "
                    "is the module:Class target; from DIR/NAME, `envsdk check TARGET` and `python -m pytest` pass "
                    "as written. Exit code 0: written; 2: a bad NAME or kind, or DIR/NAME exists and is not empty "
                    "(nothing is overwritten).")
    new.add_argument("name", metavar="NAME", help="lowercase Python identifier: the package, the C sim and the "
                                                  "entry-point name (the class is its CamelCase: my_game -> MyGame)")
    new.add_argument("--kind", required=True, metavar="{c,numpy,python}",
                     help="c: a C sim compiled with cffi; numpy: vectorized numpy; python: plain Python")
    new.add_argument("--dir", default=".", metavar="DIR", help="folder to write NAME/ into (default: here)")
    new.set_defaults(func=_new)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 for a usage or config error, printed on one line)."""
    from envsdk.errors import ConfigError, ProtocolError, SourceTreeError, UnknownEnvError

    parser = build_parser()
    # KEY=VALUE pairs may follow options (`check mygame:G --quick width=5`): argparse leaves those
    # unrecognized, so they are handed back to the command's pairs here.
    args, rest = parser.parse_known_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    takes_pairs = hasattr(args, "pairs")
    unknown = [r for r in rest if not (takes_pairs and "=" in r and not r.startswith("-"))]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if rest:
        args.pairs = [*args.pairs, *rest]
    try:
        return args.func(args)
    except (_Usage, UnknownEnvError, ConfigError, ProtocolError, SourceTreeError, ImportError) as e:
        # The user's input (a name, a key, a value, a module path), or a factory that is no env at
        # all: one line that says what to fix, not a traceback.
        print(f"envsdk {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`envsdk check ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 1
