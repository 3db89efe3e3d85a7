"""Ray: bit-identical to Serial, async batches, errors never hang, Ray shut down only if we started it."""

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip(
    "ray", reason="Ray is not installed (pip install 'envsdk[ray]'); it has no wheel for this platform/Python"
)

from faulty_envs import DiesOnStep, RaisesAwayFromHome, RaisesOnStep  # noqa: E402
from vectorized_env import GridReach  # noqa: E402

import envsdk  # noqa: E402
from envsdk.backends import Ray, Serial  # noqa: E402
from envsdk.errors import ConfigError, StateError, WorkerError  # noqa: E402
from envsdk.testing import rollout  # noqa: E402

TESTS = Path(__file__).resolve().parent
# Actors are separate processes: they import the test envs from these folders.
INIT = {
    "num_cpus": 2,
    "include_dashboard": False,
    "log_to_driver": False,
    "runtime_env": {"env_vars": {"PYTHONPATH": f"{TESTS}:{TESTS.parent / 'examples'}"}},
}
HALF = {"num_cpus": 0.5}  # four actors on the 2-CPU test cluster


def test_ray_started_by_the_backend_is_shut_down_by_close():
    if ray.is_initialized():
        ray.shutdown()
    env = Ray(GridReach, num_envs=4, num_workers=2, ray_init=INIT)
    try:
        assert ray.is_initialized()
        assert rollout(env, 20, seed=3).equal(rollout(Serial(GridReach, num_envs=4), 20, seed=3))
    finally:
        env.close()
    assert not ray.is_initialized()
    env.close()  # idempotent


@pytest.fixture(scope="module")
def cluster():
    """One local Ray for the rest of the module, started by the test (not by a backend)."""
    if not ray.is_initialized():
        ray.init(**INIT)
    yield
    ray.shutdown()


@pytest.mark.parametrize("workers,num_envs,seed", [(1, 2, 0), (2, 4, 7), (4, 8, 2**40 + 5)])
def test_bit_identical_to_serial(cluster, workers, num_envs, seed):
    env = Ray(GridReach, num_envs=num_envs, num_workers=workers, actor_options=HALF, size=4, max_steps=7)
    try:
        assert isinstance(env, envsdk.Backend)
        assert rollout(env, 40, seed=seed).equal(rollout(Serial(GridReach, num_envs=num_envs, size=4, max_steps=7),
                                                         40, seed=seed))
    finally:
        env.close()


def test_bundled_c_env_through_make(cluster):
    env = envsdk.make("breakout", num_envs=8, backend="ray", num_workers=2)
    try:
        assert isinstance(env, Ray)
        assert rollout(env, 100, seed=2).equal(rollout(envsdk.make("breakout", num_envs=8), 100, seed=2))
    finally:
        env.close()


def test_results_are_the_drivers_buffers(cluster):
    env = Ray(GridReach, num_envs=4, num_workers=2)
    try:
        obs, _ = env.reset(seed=0)
        assert obs is env.buffers.observations and obs.flags.writeable
        out = env.step(np.zeros(4, np.int32))
        names = ("observations", "rewards", "terminals", "truncations")
        assert all(x is getattr(env.buffers, n) for x, n in zip(out[:4], names, strict=True))
        assert env.payload_bytes_per_step == {"actions": 4 * 4, "results": 4 * (16 + 4 + 3), "per_agent_row": 27}
    finally:
        env.close()


def policy(env_ids, counts):
    return ((env_ids * 7 + counts * 3) % 5).astype(np.int32)


@pytest.mark.parametrize("workers,batch", [(4, 2), (2, 4), (4, 6)])
def test_async_batches_follow_each_sub_env_like_serial(cluster, workers, batch):
    n, steps = 8, 25
    env = Ray(GridReach, num_envs=n, num_workers=workers, batch_size=batch, actor_options=HALF)
    trajectories = {i: [] for i in range(n)}
    counts = np.zeros(n, np.int64)
    try:
        env.async_reset(seed=5)
        while counts.min() < steps:
            b = env.recv()
            assert len(b.env_ids) == batch and b.observations.shape == (batch, 4)
            np.testing.assert_array_equal(b.observations, env.buffers.observations[b.agent_ids])
            if np.all(np.diff(b.agent_ids) == 1):
                assert np.shares_memory(b.observations, env.buffers.observations)
            for row, i in enumerate(b.env_ids):
                trajectories[i].append(b.observations[row].copy())
            actions = policy(b.env_ids, counts[b.env_ids])
            counts[b.env_ids] += 1
            env.send(actions)
        env.recv()
    finally:
        env.close()
    serial = Serial(GridReach, num_envs=n)
    obs, _ = serial.reset(seed=5)
    expected = {i: [obs[i].copy()] for i in range(n)}
    for t in range(steps):
        obs = serial.step(policy(np.arange(n), np.full(n, t)))[0]
        for i in range(n):
            expected[i].append(obs[i].copy())
    for i in range(n):
        k = min(len(trajectories[i]), steps + 1)
        np.testing.assert_array_equal(np.array(trajectories[i][:k]), np.array(expected[i][:k]))


def test_env_exception_carries_its_traceback(cluster):
    env = Ray(RaisesOnStep, num_envs=4, num_workers=2, fail_at=3)
    env.reset(seed=0)
    with pytest.raises(WorkerError) as err:
        for _ in range(5):
            env.step(np.zeros(4, np.int32))
    text = str(err.value)
    assert "worker 0 raised" in text and "faulty_envs.py" in text and "in step" in text
    assert "ValueError: boom in sub-env block 0 at step 3" in text
    with pytest.raises(StateError, match="closed"):
        env.step(np.zeros(4, np.int32))
    env.close()


def test_env_that_cannot_build_is_reported(cluster):
    with pytest.raises(WorkerError, match="RuntimeError: cannot build in a worker"):
        Ray(RaisesAwayFromHome, num_envs=2, num_workers=2, home_pid=os.getpid())


def test_killed_actor_is_reported_within_5_seconds(cluster):
    env = Ray(GridReach, num_envs=4, num_workers=2)
    env.reset(seed=0)
    ray.kill(env._actors[1])
    start = time.monotonic()
    with pytest.raises(WorkerError, match="worker 1 died"):
        for _ in range(100):
            env.step(np.zeros(4, np.int32))
    assert time.monotonic() - start < 5
    env.close()


def test_actor_process_exit_is_reported_in_async_mode(cluster):
    env = Ray(DiesOnStep, num_envs=4, num_workers=2, batch_size=2, how="exit", fail_at=2, fail_env=0)
    env.async_reset(seed=0)
    start = time.monotonic()
    with pytest.raises(WorkerError, match="worker 0 died"):
        while time.monotonic() - start < 5:
            b = env.recv()
            env.send(np.zeros(len(b.env_ids), np.int32))
    assert time.monotonic() - start < 5
    env.close()


def test_close_is_idempotent_releases_actors_and_leaves_a_running_ray_up(cluster):
    env = Ray(GridReach, num_envs=2, num_workers=2)
    actors = list(env._actors)
    env.close()
    env.close()
    assert ray.is_initialized()  # the test started Ray, so the backend leaves it running
    # ray.kill is asynchronous: a task sent just after it may still be served. Every actor must be
    # gone within seconds.
    deadline = time.monotonic() + 10
    for actor in actors:
        while True:
            try:
                ray.get(actor.ready.remote(), timeout=10)
            except ray.exceptions.RayActorError:
                break
            assert time.monotonic() < deadline, "an actor outlived close()"
            time.sleep(0.1)
    for call in (lambda: env.reset(seed=0), lambda: env.step(np.zeros(2, np.int32)), env.recv):
        with pytest.raises(StateError, match="closed"):
            call()


def test_state_and_config_errors(cluster):
    env = Ray(GridReach, num_envs=2, num_workers=2, batch_size=1)
    try:
        with pytest.raises(StateError, match="reset"):
            env.step(np.zeros(2, np.int32))
        with pytest.raises(StateError, match="async_reset"):
            env.recv()
        env.async_reset(seed=0)
        with pytest.raises(StateError, match="not both"):
            env.step(np.zeros(2, np.int32))
        env.recv()
        with pytest.raises(StateError, match="alternate"):
            env.recv()
    finally:
        env.close()
    with pytest.raises(ConfigError, match="num_workers to divide num_envs=6"):
        Ray(GridReach, num_envs=6, num_workers=4)
    with pytest.raises(ConfigError, match="batch_size to be a multiple of the 2 sub-envs per worker"):
        Ray(GridReach, num_envs=4, num_workers=2, batch_size=3)
    with pytest.raises(ConfigError, match="expected the cluster to have 4 CPUs"):
        Ray(GridReach, num_envs=4, num_workers=4)
    assert ray.is_initialized()


def test_missing_ray_names_the_extra(monkeypatch):
    from envsdk.backends import ray as backend_module

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install 'envsdk\[ray\]'"):
        backend_module._import_ray()
