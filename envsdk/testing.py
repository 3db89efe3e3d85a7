"""Pytest-free assertions for env authors' own test suites, built on the checker (``envsdk.check``).

Each function raises ``AssertionError`` with a message naming the property, what was expected,
what was found and the fix. ``assert_passes_check(factory, **config)`` runs every check;
``assert_conforms`` the quick ones; ``assert_deterministic``, ``assert_autoreset`` etc. run the
named checks (and those they need). ``assert_protocol`` and ``assert_writes_in_place`` take a
built env. ``rollout`` records a seeded trajectory for hand-written tests (the checker's own recorder,
``envsdk.checks.rollout``).
"""

from __future__ import annotations

import numpy as np

from envsdk import spaces
from envsdk.checks import Report, check
from envsdk.checks import Rollout as Rollout  # re-exported: one recorder, in envsdk.checks
from envsdk.checks import rollout as rollout
from envsdk.protocol import Env


def assert_protocol(env) -> None:
    """The object has every ``Env`` member, and its buffers fit its spaces and ``num_agents``."""
    assert isinstance(env, Env), (
        f"protocol: expected an object with the envsdk.Env members, found {type(env).__name__} missing "
        f"{[m for m in ('single_observation_space', 'single_action_space', 'num_agents', 'buffers', 'reset', 'step', 'close') if not hasattr(env, m)]}"  # noqa: E501
    )
    env.buffers.validate(env.single_observation_space, env.single_action_space, env.num_agents,
                         owner=f"{type(env).__name__}.buffers")


def assert_writes_in_place(env, steps: int = 8) -> None:
    """Returned arrays are the buffers; the buffers object and its arrays are never replaced."""
    b = env.buffers
    arrays = {k: getattr(b, k) for k in ("observations", "rewards", "terminals", "truncations", "actions")}
    obs, _ = env.reset(seed=0)
    assert obs is b.observations, "reset: expected to return buffers.observations itself, found another array"
    rng = np.random.default_rng(0)
    for _ in range(steps):
        b.actions[...] = spaces.sample(env.single_action_space, env.num_agents, rng=rng)
        out = env.step(b.actions)
        for name, got in zip(("observations", "rewards", "terminals", "truncations"), out[:4], strict=True):
            assert got is getattr(b, name), f"step: expected to return buffers.{name} itself, found another array"
        assert isinstance(out[4], list), f"step: expected infos to be a list, found {type(out[4]).__name__}"
    assert env.buffers is b, "buffers: expected env.buffers never to be replaced, found a new Buffers object"
    for name, arr in arrays.items():
        assert getattr(env.buffers, name) is arr, (
            f"buffers.{name}: expected the same array throughout, found it rebound"
        )


def assert_passes_check(factory, *, num_envs: int | None = None, seed: int = 0, steps: int | None = None,
                        quick: bool = False, only=None, **config) -> Report:
    """Run ``envsdk.check`` and raise ``AssertionError`` holding the formatted report if any check failed.

    Warnings do not fail. Returns the report (e.g. to assert on a warning).
    """
    report = check(factory, num_envs=num_envs, seed=seed, steps=steps, quick=quick, only=only, **config)
    if not report.ok:
        raise AssertionError("envsdk check failed:\n" + report.format())
    return report


def assert_external_buffers(factory, **config) -> None:
    """An env handed buffers (a row-slice view) keeps them and writes exactly into them."""
    assert_passes_check(factory, only=["external_buffers"], **config)


def assert_deterministic(factory, steps: int = 200, **config) -> None:
    """Same seed: bit-identical rollouts (a second env, a second reset); other seeds differ (else a warning)."""
    assert_passes_check(factory, steps=steps, only=["determinism", "seed_sensitivity"], **config)


def assert_vectorization_invariant(factory, num_envs: int = 4, steps: int = 200, **config) -> None:
    """One object with ``num_envs`` sub-envs behaves exactly like ``num_envs`` objects of one."""
    assert_passes_check(factory, num_envs=num_envs, steps=steps, only=["vectorization"], **config)


def assert_autoreset(factory, steps: int = 500, **config) -> None:
    """Episodes end and restart without ``reset``; flags are fresh and exclusive; infos agree with rewards."""
    assert_passes_check(factory, steps=steps, only=["write_coverage", "autoreset", "episode_stats"], **config)


def assert_conforms(factory, *, num_envs: int | None = 4, steps: int = 300, **config) -> None:
    """Run every quick check on ``factory`` (``num_envs`` is passed when the factory takes it)."""
    assert_passes_check(factory, num_envs=num_envs, steps=steps, quick=True, **config)
