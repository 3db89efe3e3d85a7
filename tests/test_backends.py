"""The backend conformance suite, over Multiprocessing and Ray (skipped where Ray is not installed).

The reusable core is public (``envsdk.testing.check_backend`` and the ``assert_backend_*``
functions), so a third-party backend runs the same checks; this module adds what is envsdk's
own (its error messages, its config). What only one backend has stays in test_multiprocessing.py,
test_faults.py and test_ray.py.
"""

import functools
import importlib.util

import numpy as np
import pytest
from backend_checks import RAY_INIT, no_leaks_of
from faulty_envs import RaisesOnStep
from vectorized_env import GridReach

import envsdk
from envsdk import testing
from envsdk.backends import Multiprocessing, Serial
from envsdk.errors import ConfigError, StateError, WorkerError

HAS_RAY = importlib.util.find_spec("ray") is not None
BACKENDS = ["multiprocessing", pytest.param("ray", marks=pytest.mark.skipif(not HAS_RAY, reason="Ray is not "
                                                                               "installed (pip install '.[ray]')"))]


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray for this module's Ray cases, started by the test (not by a backend)."""
    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(**RAY_INIT)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    """``(name, make)``: ``make(factory, num_envs, **options)`` builds the backend under test. The
    Multiprocessing cases fail if they leave a worker or a shared-memory segment behind."""
    if request.param == "ray":
        request.getfixturevalue("ray_cluster")
        from envsdk.backends import Ray

        def make(factory, num_envs, num_workers=None, **options):
            half = num_workers is not None and num_workers > 2  # 4 actors on the 2-CPU cluster: half a CPU each
            return Ray(factory, num_envs, num_workers=num_workers, actor_options={"num_cpus": 0.5} if half else None,
                       **options)

        yield "ray", make
        return
    with no_leaks_of(monkeypatch):
        yield "multiprocessing", functools.partial(Multiprocessing, start_method="fork")


@pytest.mark.parametrize("workers,num_envs,seed", [(1, 2, 0), (2, 4, 7), (4, 8, 2**40 + 5)])
def test_bit_identical_to_serial(backend, workers, num_envs, seed):
    _, make = backend
    testing.assert_backend_matches_serial(make, GridReach, num_envs=num_envs, num_workers=workers, seed=seed,
                                          size=4, max_steps=7)


def test_bundled_c_env_matches_serial_through_make(backend):
    name, make = backend
    extra = {"start_method": "fork"} if name == "multiprocessing" else {}
    env = envsdk.make("breakout", num_envs=8, backend=name, num_workers=2, **extra)
    try:
        assert isinstance(env, envsdk.Backend) and type(env).__name__.lower() == name
        serial = envsdk.make("breakout", num_envs=8)
        assert testing.rollout(env, 100, seed=2).equal(testing.rollout(serial, 100, seed=2))
    finally:
        env.close()


def test_results_are_the_backends_buffers(backend):
    testing.assert_backend_returns_its_buffers(backend[1], GridReach)


@pytest.mark.parametrize("workers,batch", [(4, 2), (4, 4), (2, 4), (4, 6)])
def test_async_batches_follow_each_sub_env_like_serial(backend, workers, batch):
    testing.assert_backend_async_follows_serial(backend[1], GridReach, num_envs=8, num_workers=workers,
                                                batch_size=batch)


def test_contiguous_batch_is_not_copied(backend):
    env = backend[1](GridReach, 4, num_workers=2, batch_size=4)
    try:
        env.async_reset(seed=0)
        b = env.recv()
        assert np.shares_memory(b.observations, env.buffers.observations)
        assert b.agent_ids.tolist() == [0, 1, 2, 3]
    finally:
        env.close()


def test_state_errors(backend):
    testing.assert_backend_state_errors(backend[1], GridReach)


def test_close_is_idempotent_and_final(backend):
    testing.assert_backend_close_is_final(backend[1], GridReach)


@pytest.mark.parametrize("batch_size", [2, 4])
def test_a_send_that_fails_validation_can_be_sent_again(backend, batch_size):
    testing.assert_backend_resends_a_refused_send(backend[1], GridReach, batch_size=batch_size)


def test_env_exception_carries_its_traceback(backend):
    name, make = backend
    env = make(RaisesOnStep, 4, num_workers=2, fail_at=3)
    env.reset(seed=0)
    with pytest.raises(WorkerError) as err:
        for _ in range(5):
            env.step(np.zeros(4, np.int32))
    text = str(err.value)
    assert "worker 0 raised" in text and "faulty_envs.py" in text and "in step" in text
    if name == "multiprocessing":  # Ray prints the remote traceback without its "Traceback" header
        assert "Traceback" in text
    assert "ValueError: boom in sub-env block 0 at step 3" in text
    with pytest.raises(StateError, match="closed"):
        env.step(np.zeros(4, np.int32))
    env.close()


@pytest.mark.parametrize("cls", ["Multiprocessing", "Ray"])
def test_config_errors(cls):
    # Refused before anything starts (no process, no Ray), so Ray's class runs here without a cluster.
    make = getattr(envsdk.backends, cls) if cls != "Ray" or HAS_RAY else pytest.skip("Ray is not installed")
    with pytest.raises(ConfigError, match=f"{cls}: expected num_envs to be a positive int, found 0"):
        make(GridReach, num_envs=0)
    with pytest.raises(ConfigError, match="num_workers to divide num_envs=6"):
        make(GridReach, num_envs=6, num_workers=4)
    with pytest.raises(ConfigError, match="batch_size to be a multiple of the 2 sub-envs per worker"):
        make(GridReach, num_envs=4, num_workers=2, batch_size=3)
    with pytest.raises(ConfigError, match="buffers=None"):
        buffers = envsdk.allocate(envsdk.spaces.Box(0, 1, (4,)), envsdk.spaces.Discrete(5), 2)
        make(GridReach, num_envs=2, buffers=buffers)
    for bad in (0, -1, float("nan"), float("inf"), "2", True):
        with pytest.raises(ConfigError, match="step_timeout"):
            make(GridReach, num_envs=2, num_workers=2, step_timeout=bad)
        with pytest.raises(ConfigError, match="start_timeout"):
            make(GridReach, num_envs=2, num_workers=2, start_timeout=bad)
    with pytest.raises(ConfigError, match="start_timeout"):
        make(GridReach, num_envs=2, num_workers=2, start_timeout=None)


def test_check_backend_passes_for_multiprocessing():
    with no_leaks_of(pytest.MonkeyPatch()):
        testing.check_backend(functools.partial(Multiprocessing, start_method="fork"))


class OffBySeed:
    """A broken backend: Serial, reset with seed + 1."""

    def __init__(self, factory, num_envs, num_workers=1, batch_size=None, **config):
        self._env = env = Serial(factory, num_envs=num_envs, **config)
        self.single_observation_space, self.single_action_space = env.single_observation_space, env.single_action_space
        self.num_envs, self.num_agents, self.buffers = num_envs, env.num_agents, env.buffers
        self.step, self.close, self.send, self.recv = env.step, env.close, env.send, env.recv

    def reset(self, seed=None):
        return self._env.reset(seed=seed + 1)

    def async_reset(self, seed=None):
        self._env.async_reset(seed=seed + 1)


def test_check_backend_names_what_a_broken_backend_breaks():
    with pytest.raises(AssertionError, match=r"matches Serial: expected .* to give Serial's results bit for bit"):
        testing.check_backend(OffBySeed)
    with pytest.raises(AssertionError, match="agent row 0 left the trajectory Serial gives it"):
        testing.assert_backend_async_follows_serial(OffBySeed, GridReach, num_envs=4, num_workers=1, batch_size=4)
