"""The user's C path against the installed build: same headers, same flags, same speed?

    python bench/bench_user_c.py [--num-agents 4096] [--seconds 2.0] [--rounds 9] [--envs squared pong]

Every bundled sim header (each ``csrc/*.h`` with a cdef region but ``handshake.h``, as
``csrc/build.py`` finds them) is compiled a second time through the compiled-on-first-use path a
user's sim takes, ``envsdk.cbuild.load(header)``, into a temporary cache folder (so it really
compiles), and timed against the same sim in the installed ``envsdk._sims``, in one process, in
interleaved rounds (``bench_envs.interleaved_rounds``) at about ``--num-agents`` agent rows, on
the actions ``bench/bench_envs.py`` uses (``bench_envs.env_rounds``). Two arms per build:

- ``C loop``: the bare C loop (``<name>_step_n``, one C call; board games call the C step once per
  replayed legal move);
- ``object``: the env object's own ``step``. The bundled env classes bind ``envsdk._sims``
  through their module's ``_sims`` attribute at construction (``CSim(_sims, ...)``); the user-path
  object is the same class built while that attribute points at the loaded module (``sims_module``
  below), so both objects run the same Python over different compiled code.

It prints one line per env and arm, ``NAME [arm]: installed X SPS, user path Y SPS, ratio R``
(SPS: the median over rounds, with the quartiles; R = user path / installed, the median over sets
of adjacent rounds, with its quartiles), then the worst ratio (the farthest from 1; the target is
0.97-1.03), the first-build time and the cached-load time (``load`` again in a fresh process, so
this process's module cache does not hide the cost) of ``squared.h``, and the one-sub-env port
``squared_one`` (``csrc/squared_one.h``, ``ENVSDK_SUB_ENV``) against the array-style ``squared``,
both installed, at the same rows (target >= 0.9).

Both paths compile with the same flags (``envsdk.cbuild.CFLAGS``). Those include
``-falign-functions=64``: without it a function's hot loop sits wherever the rest of its module
puts it, and the same machine code ran up to 5% apart between the two builds (pong's
``pong_step``, byte for byte the same in both, timed 1.05-1.07 run after run; aligned, 1.00).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_envs import env_rounds, interleaved_rounds

import envsdk
from envsdk import _sims, cbuild
from envsdk.bench import default_sizes, format_sps
from envsdk.registry import ENVS

CSRC = Path(__file__).resolve().parents[1] / "csrc"
ARMS = {"C": "C loop", "object": "object"}
# The one-sub-env port of squared: compiled into envsdk._sims, but not registered.
FACTORIES = {**ENVS, "squared_one": "envsdk.envs.squared:SquaredOne"}


def sim_headers() -> list[Path]:
    """The bundled sim headers, as ``csrc/build.py`` (the installed build) finds them."""
    spec = importlib.util.spec_from_file_location("_envsdk_csrc_build", CSRC / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build.sim_headers(CSRC)


def chosen_sims(parser, envs: list[str] | None) -> tuple[dict, list[str]]:
    """Every bundled sim header by name, and the names ``--envs`` chose (all by default); an unknown
    name is the parser's error."""
    headers = {h.stem: h for h in sim_headers()}
    names = envs or sorted(headers)
    unknown = [n for n in names if n not in headers]
    if unknown:
        parser.error(f"--envs: expected names among {', '.join(sorted(headers))}, found {', '.join(unknown)}")
    return headers, names


@contextlib.contextmanager
def sims_module(factory, module):
    """While inside, ``factory``'s env module binds ``module`` instead of ``envsdk._sims`` (its
    ``CSim(_sims, ...)`` reads the module attribute at construction; restored on exit)."""
    env_module = sys.modules[factory.__module__]
    saved = env_module._sims
    env_module._sims = module
    try:
        yield
    finally:
        env_module._sims = saved


def build_env(name: str, module, num_agents: int):
    """A Serial backend over one object of the env ``name`` bound to the sims ``module``, about
    ``num_agents`` agent rows (sub-envs = num_agents // agent rows per sub-env)."""
    factory = envsdk.registry.resolve(FACTORIES[name])
    (sub_envs,) = default_sizes(factory, {}, (num_agents,))
    with sims_module(factory, module):
        env = envsdk.backends.Serial(factory, num_envs=sub_envs)
    assert env.envs[0]._sim.lib is module.lib  # the bench really times the module it names
    return env


def compare(name_a: str, module_a, name_b: str, module_b, args) -> dict:
    """Per arm: SPS of build a and build b (median and quartiles over rounds) and the ratio b / a
    (median and quartiles over interleaved sets), at about ``args.num_agents`` agent rows."""
    env_a, env_b = build_env(name_a, module_a, args.num_agents), build_env(name_b, module_b, args.num_agents)
    k_a, rounds_a = env_rounds(name_a, env_a)
    k_b, rounds_b = env_rounds(name_b, env_b)
    result = {}
    for arm in ARMS:  # one pass per arm: two arms per set keep the rounds' data in cache as alone
        times = interleaved_rounds({"a": rounds_a[arm], "b": rounds_b[arm]}, args.seconds, args.rounds)
        sps_a, sps_b = env_a.num_agents * k_a / times["a"], env_b.num_agents * k_b / times["b"]
        result[arm] = tuple(np.percentile(x, [50, 25, 75]) for x in (sps_a, sps_b, sps_b / sps_a))
    env_a.close()
    env_b.close()
    return result


def sps_text(q) -> str:
    return f"{format_sps(q[0])} SPS ({format_sps(q[1])}..{format_sps(q[2])})"


def ratio_text(q) -> str:
    return f"{q[0]:.3f} ({q[1]:.3f}..{q[2]:.3f})"


# A cached load timed in a fresh interpreter: this process's sys.modules would make it free here.
_CACHED_LOAD = """
import sys, time
from envsdk import cbuild
start = time.perf_counter()
cbuild.load(sys.argv[1], cache=sys.argv[2])
print(time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-agents", type=int, default=4096, help="agent rows per env (default 4096)")
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="seconds of interleaved rounds per env and arm (a board game replays a long round)")
    parser.add_argument("--rounds", type=int, default=9, help="at least this many interleaved sets per env and arm")
    parser.add_argument("--envs", nargs="+", default=None, help="sim names (default: every bundled sim header)")
    args = parser.parse_args()
    headers, names = chosen_sims(parser, args.envs)

    with tempfile.TemporaryDirectory(prefix="envsdk-user-c-") as cache:
        # --- compile every header through the user's path --------------------------------------
        loaded, build_seconds = {}, {}
        for name in sorted({*names, "squared"}):
            start = time.perf_counter()
            loaded[name] = cbuild.load(headers[name], cache=cache)
            build_seconds[name] = time.perf_counter() - start
        cached = subprocess.run([sys.executable, "-c", _CACHED_LOAD, str(headers["squared"]), cache],
                                capture_output=True, text=True, timeout=120, check=True)
        cached_seconds = float(cached.stdout.strip().splitlines()[-1])

        # --- installed vs user path, per env ------------------------------------------------------
        print(f"installed envsdk._sims vs envsdk.cbuild.load, about {args.num_agents} agent rows; "
              "SPS median (quartiles over rounds), ratio = user path / installed, median (quartiles over sets)")
        worst = None
        for name in names:
            result = compare(name, _sims, name, loaded[name], args)
            for arm, label in ARMS.items():
                sps_i, sps_u, ratio = result[arm]
                print(f"{name} [{label}]: installed {sps_text(sps_i)}, user path {sps_text(sps_u)}, "
                      f"ratio {ratio_text(ratio)}", flush=True)
                if worst is None or abs(np.log(ratio[0])) > abs(np.log(worst[0])):
                    worst = (ratio[0], name, label)
        print(f"worst ratio: {worst[0]:.3f} ({worst[1]} [{worst[2]}]); target 0.97-1.03")
    print(f"build of squared.h through envsdk.cbuild.load: first {build_seconds['squared']:.2f} s "
          f"(compiled into an empty cache), cached {cached_seconds * 1e3:.1f} ms (in a fresh process)")

    # --- the one-sub-env style against the array style, both installed ------------------------------
    result = compare("squared", _sims, "squared_one", _sims, args)
    for arm, label in ARMS.items():
        sps_a, sps_o, ratio = result[arm]
        print(f"squared_one vs squared [{label}]: squared {sps_text(sps_a)}, squared_one {sps_text(sps_o)}, "
              f"ratio {ratio_text(ratio)}; target >= 0.9")


if __name__ == "__main__":
    main()
