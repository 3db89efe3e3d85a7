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
from envsdk._arrays import write
from envsdk.checks import Report, check
from envsdk.checks import Rollout as Rollout  # re-exported: one recorder, in envsdk.checks
from envsdk.checks import rollout as rollout
from envsdk.protocol import ENV_MEMBERS, Env


def assert_protocol(env) -> None:
    """The object has every ``Env`` member, and its buffers fit its spaces and ``num_agents``."""
    assert isinstance(env, Env), (
        f"protocol: expected an object with the envsdk.Env members, found {type(env).__name__} missing "
        f"{[m for m in ENV_MEMBERS if not hasattr(env, m)]}"
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
        write(b.actions, spaces.sample(env.single_action_space, env.num_agents, rng=rng))  # numpy or tensor
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


# ==================================================================================================
# Backend conformance: what every backend promises (``envsdk.Backend``), as pytest-free assertions.
#
# A backend's test module calls ``check_backend(make)``, or the ``assert_backend_*`` functions one by
# one (e.g. parametrized). ``make(factory, num_envs, **options)`` builds the backend under test;
# the options passed are ``num_workers`` (a divisor of ``num_envs``) and ``batch_size`` (sub-envs
# per ``recv``, a multiple of ``num_envs // num_workers``), plus the env's config. Wrap a backend
# whose constructor differs in a lambda. Each function builds its own backends and closes them;
# Serial is the reference every result is compared with, bit for bit. The async checks step with
# a deterministic action per agent row and per step of that row, so they hold whatever the order
# in which workers come back.
# ==================================================================================================


def check_backend(make, factory="cartpole", *, num_envs: int = 8, seed: int = 0, **config) -> None:
    """Run every ``assert_backend_*`` check on ``make`` over ``factory`` (a registered name, or an
    importable env class, as the backend's workers need); ``AssertionError`` on the first failure."""
    for workers in (1, 2):
        assert_backend_matches_serial(make, factory, num_envs=num_envs, num_workers=workers, seed=seed, **config)
    assert_backend_matches_serial(make, factory, num_envs=num_envs, num_workers=2, seed=seed,
                                  final_observations=True, **config)
    assert_backend_returns_its_buffers(make, factory, **config)
    for workers, batch in ((4, 2), (2, num_envs // 2)):
        assert_backend_async_follows_serial(make, factory, num_envs=num_envs, num_workers=workers,
                                            batch_size=batch, seed=seed, **config)
    assert_backend_async_follows_serial(make, factory, num_envs=num_envs, num_workers=4, batch_size=2, seed=seed,
                                        final_observations=True, **config)
    assert_backend_state_errors(make, factory, **config)
    assert_backend_close_is_final(make, factory, **config)
    assert_backend_resends_a_refused_send(make, factory, **config)


def assert_backend_matches_serial(make, factory, *, num_envs: int, num_workers: int, seed: int = 0, steps: int = 40,
                                  **config) -> None:
    """``reset``/``step`` give bit-identical results to ``Serial`` under the same seed and actions (with
    ``final_observations=True`` in ``config``, the final observations too)."""
    from envsdk.backends import Serial

    env = make(factory, num_envs, num_workers=num_workers, **config)
    try:
        want = rollout(Serial(factory, num_envs=num_envs, **config), steps, seed=seed)
        assert rollout(env, steps, seed=seed).equal(want), (
            f"matches Serial: expected {env!r} to give Serial's results bit for bit over {steps} steps "
            f"(seed={seed}), found them different. Fix: seed worker w's sub-envs with (seed + w*k) % 2**64 "
            "and step them on exactly their rows of actions."
        )
    finally:
        env.close()


def assert_backend_returns_its_buffers(make, factory, *, num_envs: int = 4, num_workers: int = 2, **config) -> None:
    """``reset`` and ``step`` return the backend's own ``buffers`` (writable), never copies."""
    from envsdk.backends import Serial

    env = make(factory, num_envs, num_workers=num_workers, **config)
    try:
        b = env.buffers
        obs, _ = env.reset(seed=0)
        assert obs is b.observations and obs.flags.writeable, (
            "returns its buffers: expected reset to return buffers.observations itself, found another array"
        )
        actions = Serial(factory, num_envs=num_envs, **config).buffers.actions.copy()
        out = env.step(actions)
        for name, got in zip(("observations", "rewards", "terminals", "truncations"), out[:4], strict=True):
            assert got is getattr(b, name), f"returns its buffers: expected step to return buffers.{name} itself"
    finally:
        env.close()


def assert_backend_async_follows_serial(make, factory, *, num_envs: int = 8, num_workers: int, batch_size: int,
                                        steps: int = 25, seed: int = 5, **config) -> None:
    """``async_reset``/``recv``/``send``: each batch has ``batch_size`` sub-envs, is a view of the
    buffers when its rows are contiguous (and equal to them otherwise), and every sub-env follows
    the trajectory ``Serial`` gives it under the same actions (with ``final_observations=True`` in
    ``config``, each batch carries its rows' final observations, and those of every ended episode
    are Serial's)."""
    from envsdk.backends import Serial

    env = make(factory, num_envs, num_workers=num_workers, batch_size=batch_size, **config)
    space, n = env.single_action_space, env.num_agents
    final = env.buffers.final_observations
    finals: dict[int, list] = {i: [] for i in range(n)}  # (step of the row, final observation) at each end
    trajectories: dict[int, list] = {i: [] for i in range(n)}
    counts = np.zeros(n, np.int64)
    try:
        env.async_reset(seed=seed)
        while counts.min() < steps:
            b = env.recv()
            shape = (len(b.agent_ids), *env.buffers.observations.shape[1:])
            assert len(np.unique(b.env_ids)) == batch_size and b.observations.shape == shape, (
                f"async batches: expected {batch_size} sub-envs per batch and observations of shape {shape}, "
                f"found env_ids {b.env_ids.tolist()} and shape {b.observations.shape}"
            )
            np.testing.assert_array_equal(b.observations, env.buffers.observations[b.agent_ids])
            if np.all(np.diff(b.agent_ids) == 1):
                assert np.shares_memory(b.observations, env.buffers.observations), (
                    "async batches: expected a batch of contiguous rows to be a view of the buffers, found a copy"
                )
            if final is not None:
                assert b.final_observations is not None, (
                    "async batches: expected final_observations in each batch of a backend built with "
                    "final_observations=True, found None. Fix: pass the rows of buffers.final_observations to Batch"
                )
                np.testing.assert_array_equal(b.final_observations, final[b.agent_ids])
                for row in np.flatnonzero(b.terminals | b.truncations):
                    i = b.agent_ids[row]
                    finals[i].append((len(trajectories[i]), b.final_observations[row].copy()))
            for row, i in enumerate(b.agent_ids):
                trajectories[i].append(b.observations[row].copy())
            actions = _row_actions(space, b.agent_ids, counts[b.agent_ids])
            counts[b.agent_ids] += 1
            env.send(actions)
        env.recv()
    finally:
        env.close()
    serial = Serial(factory, num_envs=num_envs, **config)
    obs, _ = serial.reset(seed=seed)
    expected = {i: [obs[i].copy()] for i in range(n)}
    expected_finals: dict[int, list] = {i: [] for i in range(n)}
    for t in range(steps):
        obs, _, term, trunc, _ = serial.step(_row_actions(space, np.arange(n), np.full(n, t)))
        for i in range(n):
            expected[i].append(obs[i].copy())
            if final is not None and (term[i] or trunc[i]):
                expected_finals[i].append((t + 1, serial.buffers.final_observations[i].copy()))
    serial.close()
    for i in range(n):
        k = min(len(trajectories[i]), steps + 1)
        np.testing.assert_array_equal(np.array(trajectories[i][:k]), np.array(expected[i][:k]),
                                      err_msg=f"async batches: agent row {i} left the trajectory Serial gives it")
        got = [(t, f) for t, f in finals[i] if t < k]
        want = [(t, f) for t, f in expected_finals[i] if t < k]
        assert [t for t, _ in got] == [t for t, _ in want], (
            f"async batches: expected agent row {i}'s episodes to end at steps {[t for t, _ in want]}, found "
            f"{[t for t, _ in got]}"
        )
        for (t, f), (_, g) in zip(got, want, strict=True):
            np.testing.assert_array_equal(f, g, err_msg=f"async batches: agent row {i}'s final observation at "
                                                        f"step {t} differs from Serial's")


def assert_backend_state_errors(make, factory, **config) -> None:
    """``step`` before ``reset``, ``recv`` before ``async_reset``, ``step`` inside the async cycle and
    two ``recv`` in a row raise ``StateError``."""
    from envsdk.errors import StateError

    env = make(factory, 2, num_workers=2, batch_size=1, **config)
    try:
        actions = np.zeros_like(env.buffers.actions)
        with _raises(StateError, "reset"):
            env.step(actions)
        with _raises(StateError, "async_reset"):
            env.recv()
        env.async_reset(seed=0)
        with _raises(StateError, "not both"):
            env.step(actions)
        env.recv()
        with _raises(StateError, "alternate"):
            env.recv()
    finally:
        env.close()


def assert_backend_close_is_final(make, factory, **config) -> None:
    """``close`` twice is harmless; afterwards ``reset``, ``step`` and ``recv`` raise ``StateError``."""
    from envsdk.errors import StateError

    env = make(factory, 2, num_workers=2, **config)
    actions = np.zeros_like(env.buffers.actions)
    env.close()
    env.close()
    for call in (lambda: env.reset(seed=0), lambda: env.step(actions), env.recv):
        with _raises(StateError, "closed"):
            call()


def assert_backend_resends_a_refused_send(make, factory, *, num_envs: int = 4, num_workers: int = 2,
                                          batch_size: int = 2, **config) -> None:
    """A ``send`` refused for its actions (``ActionError``) leaves its batch waiting for a corrected
    ``send``, and every sub-env keeps stepping afterwards."""
    from envsdk.errors import ActionError, StateError

    env = make(factory, num_envs, num_workers=num_workers, batch_size=batch_size, **config)
    try:
        env.async_reset(seed=0)
        b = env.recv()
        good = np.zeros((len(b.agent_ids), *env.buffers.actions.shape[1:]), env.buffers.actions.dtype)
        integer = good.dtype.kind in "iu"
        with _raises(ActionError, "dtype float64" if integer else "shape"):
            env.send(good.astype(np.float64) if integer else good[:-1])
        with _raises(StateError, "send"):  # the batch still waits for its actions
            _bounded(env.recv)
        env.send(good)
        seen = np.zeros(num_envs, np.int64)
        for _ in range(12):  # every sub-env keeps stepping
            b = _bounded(env.recv)
            seen[b.env_ids] += 1
            env.send(good)
        assert (seen > 0).all(), f"refused send: expected every sub-env to keep stepping, found counts {seen}"
    finally:
        env.close()


def _row_actions(space, agent_ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A deterministic action per agent row and per step of that row."""
    if spaces.kind(space) == "discrete":
        return ((agent_ids * 7 + counts * 3) % int(space.n) + int(getattr(space, "start", 0))).astype(np.int32)
    return np.stack([spaces.sample(space, 1, rng=np.random.default_rng([int(i), int(c)]))[0]
                     for i, c in zip(agent_ids, counts, strict=True)])


class _raises:
    """``with _raises(Error, pattern):`` passes only if the block raises ``Error`` whose message
    matches ``pattern`` (a regular expression); pytest-free."""

    def __init__(self, kind: type[BaseException], pattern: str):
        self.kind, self.pattern = kind, pattern

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        import re

        if kind is None:
            raise AssertionError(f"expected {self.kind.__name__} matching {self.pattern!r}, found no error")
        if not issubclass(kind, self.kind) or not re.search(self.pattern, str(error)):
            raise AssertionError(
                f"expected {self.kind.__name__} matching {self.pattern!r}, found {kind.__name__}: {error}"
            ) from error
        return True


def _bounded(call, seconds: float = 10.0):
    """``call()`` in a thread joined with a timeout: a hang fails the check instead of hanging it."""
    import threading

    result: dict = {}

    def run():
        try:
            result["value"] = call()
        except BaseException as e:  # handed to the calling thread
            result["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"expected {call} to return within {seconds} s, found it still waiting")
    if "error" in result:
        raise result["error"]
    return result.get("value")
