"""Running the checks: the ordered list ``CHECKS``, ``run_checks`` and ``check(factory, **config)``."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from envsdk.checks import contract, robustness, values
from envsdk.checks.record import Context, factory_name, signature, takes_num_envs
from envsdk.checks.report import CheckResult, Outcome, Report, env_traceback
from envsdk.config import is_int
from envsdk.errors import ConfigError

DEFAULT_NUM_ENVS = 8  # sub-envs per object for factories that take num_envs
DEFAULT_STEPS = 1000  # steps per recorded rollout
QUICK_STEPS = 200     # the same with quick=True


@dataclass(frozen=True)
class Check:
    """A named check: ``func(ctx)`` returns a note or raises an ``Outcome``."""

    name: str
    func: Callable[[Context], str | None]
    needs: tuple[str, ...] = ()  # checks that must not have failed or been skipped
    slow: bool = False           # skipped by quick=True


# Every check, in the order they run and are reported. A check runs after those it needs.
CHECKS: tuple[Check, ...] = (
    Check("constructor", contract.check_constructor),
    Check("members", contract.check_members),
    Check("signatures", contract.check_signatures, needs=("members",)),
    Check("spaces", contract.check_spaces, needs=("members",)),
    Check("buffers", contract.check_buffers, needs=("spaces",)),
    Check("rollout", contract.check_rollout, needs=("signatures", "buffers")),
    Check("writes_in_place", contract.check_writes_in_place, needs=("rollout",)),
    Check("external_buffers", contract.check_external_buffers, needs=("constructor", "rollout")),
    Check("write_coverage", contract.check_write_coverage, needs=("rollout",)),
    Check("observation_values", values.check_observation_values, needs=("rollout",)),
    Check("reward_values", values.check_reward_values, needs=("rollout",)),
    Check("flag_values", values.check_flag_values, needs=("rollout",)),
    Check("determinism", values.check_determinism, needs=("rollout",)),
    Check("seed_sensitivity", values.check_seed_sensitivity, needs=("rollout",)),
    # Final observations copy observations at flagged rows: checked once flags and values are right.
    Check("final_observations", values.check_final_observations,
          needs=("determinism", "external_buffers", "write_coverage", "observation_values")),
    Check("vectorization", values.check_vectorization, needs=("determinism", "external_buffers")),
    Check("autoreset", values.check_autoreset, needs=("rollout",)),
    Check("masks", values.check_masks, needs=("rollout",)),
    Check("episode_stats", values.check_episode_stats, needs=("autoreset", "masks")),
    Check("fuzz", robustness.check_fuzz, needs=("rollout",), slow=True),
    Check("memory", robustness.check_memory, needs=("rollout",), slow=True),
    Check("close", robustness.check_close, needs=("members",)),
    Check("create_close_cycles", robustness.check_create_close_cycles, needs=("close",), slow=True),
    Check("backends", robustness.check_backends, needs=("determinism", "external_buffers"), slow=True),
    Check("throughput", robustness.check_throughput, needs=("rollout",)),
)
CHECK_NAMES = tuple(c.name for c in CHECKS)



def _with_needs(names) -> set[str]:
    by_name = {c.name: c for c in CHECKS}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise ConfigError(f"check(only=...): expected check names among {', '.join(CHECK_NAMES)}, found "
                          f"{', '.join(unknown)}. Fix: use names from that list.")
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(by_name[name].needs)
    return seen


def run_checks(ctx: Context, only=None) -> list[CheckResult]:
    """Run every check (or ``only`` those named, with what they need) in order."""
    selected = _with_needs(only) if only is not None else set(CHECK_NAMES)
    results: dict[str, CheckResult] = {}
    for c in CHECKS:
        if c.name not in selected:
            continue
        start = time.perf_counter()
        blocked = [d for d in c.needs if results[d].status in ("fail", "skip")]
        if blocked:
            d = blocked[0]
            how = "failed" if results[d].status == "fail" else "was skipped"
            result = CheckResult(c.name, "skip", f"needs {d}, which {how}")
        elif c.slow and ctx.quick:
            result = CheckResult(c.name, "skip", "skipped in quick mode")
        else:
            ctx.where = ""
            try:
                note = c.func(ctx)
                result = CheckResult(c.name, "pass", note or "")
            except Outcome as o:
                result = CheckResult(c.name, o.status, o.message, o.fix, o.details)
            except Exception as e:
                where = f" during {ctx.where}" if ctx.where else ""
                result = CheckResult(
                    c.name, "fail",
                    f"{c.name}: expected the env to run without raising, found {type(e).__name__}: {e}{where}.",
                    "fix the env at the last frame of the traceback below", env_traceback(e))
        result.seconds = time.perf_counter() - start
        results[c.name] = result
    return list(results.values())


def _check_config(ctx: Context) -> None:
    """Raise ``ConfigError`` when the env rejects the config: an unknown key or a bad value is the
    caller's input, not a failure of the env, so no check runs on it.

    A key the constructor does not take is reported with the valid keys; one construction with
    the config lets the env's own validation speak (its ``ConfigError``). Any other exception is
    left to the checks, which report it with the env's traceback.
    """
    from envsdk.config import config_keys

    sig = signature(ctx.factory)
    if sig is not None and not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        unknown = sorted(set(ctx.config) - set(sig.parameters))
        if unknown:
            raise ConfigError(
                f"{ctx.name}: expected config keys among {', '.join(config_keys(ctx.factory)) or '(none)'}, found "
                f"unknown {', '.join(map(repr, unknown))}. Fix: use one of the valid keys."
            )
    try:
        env = ctx.build()
    except ConfigError:
        raise
    except Exception:  # the constructor and members checks report it, with the traceback
        return
    with suppress(Exception):
        env.close()


def _default_num_envs(factory, config: dict) -> int:
    """``DEFAULT_NUM_ENVS`` sub-envs, fewer for multi-agent envs (about as many agent rows, never
    fewer than 2 sub-envs, so vectorization still compares something): 8 sub-envs of 256 snakes
    would take the default run past its time budget."""
    try:
        probe = factory(num_envs=1, **config)
        agents = int(probe.num_agents)
        probe.close()
    except Exception:  # the constructor check reports it, with the traceback
        return DEFAULT_NUM_ENVS
    return max(2, min(DEFAULT_NUM_ENVS, DEFAULT_NUM_ENVS // max(agents, 1)))


def check(factory, *, num_envs: int | None = None, seed: int = 0, steps: int | None = None, quick: bool = False,
          only=None, **config) -> Report:
    """Run the conformance checks on ``factory`` and return a ``Report`` (``report.ok``, ``print(report)``).

    ``factory``: a class or callable taking keyword config and ``buffers=``, a registered name or
    ``"module:Factory"``. ``num_envs`` (default 8, or 2 for envs with several agent rows per
    sub-env) is passed when the factory takes it.
    ``seed`` seeds the env and the random actions; ``steps`` (default 1000, 200 with ``quick``)
    is the length of the recorded rollouts. ``quick`` skips the slow checks (fuzz, memory,
    create_close_cycles, backends). ``only``: names from ``CHECK_NAMES`` to run (with the checks
    they need). ``**config`` goes to the factory.

    Raises ``UnknownEnvError`` for an unknown name and ``ConfigError`` for bad settings or env
    config the env rejects (an unknown key, a value out of range: the caller's input, so no check
    runs); any other exception the env raises is reported in its check, never raised.
    """
    from envsdk.registry import resolve

    target = factory_name(factory)
    factory = resolve(factory)
    if num_envs is None and "num_envs" in config:
        num_envs = config.pop("num_envs")
    config.pop("num_envs", None)
    takes = takes_num_envs(factory)
    if num_envs is None and takes:
        num_envs = _default_num_envs(factory, config)
    steps = (QUICK_STEPS if quick else DEFAULT_STEPS) if steps is None else steps
    for name, value, low in (("num_envs", num_envs, 1), ("seed", seed, 0), ("steps", steps, 1)):
        if value is None and name == "num_envs":
            continue
        if not is_int(value) or value < low:
            raise ConfigError(f"check: expected {name} to be an int >= {low}, found {value!r}. Fix: pass e.g. "
                              f"{name}={max(low, 8 if name == 'num_envs' else low)}.")
    ctx = Context(factory, config, int(num_envs) if num_envs is not None else None, int(seed), int(steps), quick)
    _check_config(ctx)
    settings = {"num_envs": ctx.num_envs, "seed": ctx.seed, "steps": ctx.steps, "quick": quick, "config": config}
    start = time.perf_counter()
    results = run_checks(ctx, only)
    return Report(target, settings, results, time.perf_counter() - start)
