"""Ray: bit-identical to Serial, async batches, errors never hang, Ray shut down only if we started it."""

import ipaddress
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip(
    "ray", reason="Ray is not installed (pip install '.[ray]'); it has no wheel for this platform/Python"
)

from backend_checks import assert_a_failed_send_can_be_sent_again, seconds_to_surface_a_close_from_another_thread  # noqa: E402
from faulty_envs import DiesOnStep, Misbehaves, RaisesAwayFromHome, RaisesOnStep  # noqa: E402
from vectorized_env import GridReach  # noqa: E402

import envsdk  # noqa: E402
from envsdk.backends import Ray, Serial  # noqa: E402
from envsdk.errors import ConfigError, MissingExtraError, StateError, WorkerError  # noqa: E402
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


def _listening_addresses(pids) -> set[str]:
    """The local addresses of the TCP sockets that processes ``pids`` listen on (Linux /proc)."""
    listening = {}  # socket inode -> "address:port"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    address, port = fields[1].split(":")
                    raw = bytes.fromhex(address)
                    # /proc prints each 32-bit word of the address in host (little-endian) order
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                    ip = ipaddress.ip_address(words)
                    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                        ip = ip.ipv4_mapped
                    listening[fields[9]] = f"{ip}:{int(port, 16)}"
    found = set()
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        found.update(listening[link[8:-1]] for link in links if link.startswith("socket:[") and
                     link[8:-1] in listening)
    return found


def _descendants() -> list[int]:
    parents = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
    found, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        todo += children
    return found


def test_ray_started_by_the_backend_is_shut_down_by_close():
    if ray.is_initialized():
        ray.shutdown()
    env = Ray(GridReach, num_envs=4, num_workers=2, ray_init=INIT)
    try:
        assert ray.is_initialized()
        assert rollout(env, 20, seed=3).equal(rollout(Serial(GridReach, num_envs=4), 20, seed=3))
        # The Ray it started listens on 127.0.0.1 only: GCS, raylet, object manager, actors.
        addresses = _listening_addresses([os.getpid(), *_descendants()])
        assert addresses and all(a.startswith("127.") for a in addresses), addresses
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
    ray.kill(env._transport._actors[1])
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
    actors = list(env._transport._actors)
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
    with pytest.raises(MissingExtraError) as err:
        backend_module._import_ray()
    assert isinstance(err.value, ImportError)  # envsdk is not on the package index: name the package itself
    assert str(err.value).endswith("Fix: pip install 'ray>=2.9' (or, from an envsdk checkout, pip install "
                                   "'.[ray]').")


def test_actors_import_the_drivers_envsdk_at_the_root_of_a_checkout(tmp_path):
    # Ray puts the driver's working directory first on its workers' sys.path: at the root of a
    # checkout that is its unbuilt envsdk/ folder. The actors must run the driver's envsdk anyway.
    real = Path(envsdk.__file__).resolve().parent
    root = tmp_path / "checkout"
    shutil.copytree(real, root / "envsdk", ignore=shutil.ignore_patterns("_sims*", "__pycache__", "envs"))
    driver = tmp_path / "driver.py"  # outside the checkout: the driver itself imports the real envsdk
    driver.write_text(
        "import envsdk, numpy as np\n"
        "from envsdk.backends import Ray\n"
        "env = Ray('cartpole', num_envs=2, num_workers=2, actor_options={'num_cpus': 0.5},\n"
        "          ray_init={'num_cpus': 1, 'include_dashboard': False, 'log_to_driver': False})\n"
        "obs = env.reset(seed=3)[0].copy()\n"
        "env.step(np.zeros(2, np.int32))\n"
        "ref = envsdk.make('cartpole', num_envs=2)\n"
        "want, _ = ref.reset(seed=3)\n"
        "print('equal' if obs.tobytes() == want.tobytes() else 'different')\n"
        "env.close()\n")
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ENVSDK_PACKAGE")}
    out = subprocess.run([sys.executable, str(driver)], cwd=root, env=environ, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "equal"


# --- faults (see tests/test_faults.py for Multiprocessing): each surfaces as an envsdk error ------


def _actor_gone(actor, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            ray.get(actor.ready.remote(), timeout=seconds)
        except ray.exceptions.RayActorError:
            return True
        except ray.exceptions.GetTimeoutError:
            pass
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("fault", [("sleep", 60.0), ("stop",)], ids=["stuck", "sigstop"])
def test_step_timeout_names_the_actor_its_pid_command_and_time(cluster, fault, record_property):
    env = Ray(Misbehaves, num_envs=4, num_workers=2, step_timeout=2, faults={2: fault})
    actors = list(env._transport._actors)
    env.reset(seed=0)
    env.step(np.zeros(4, np.int32))
    start = time.monotonic()
    with pytest.raises(WorkerError) as err:
        env.step(np.zeros(4, np.int32))
    elapsed = time.monotonic() - start
    record_property("surfaced_s", round(elapsed, 3))
    assert 2.0 <= elapsed <= 5.0
    pid = env._transport._pids[1]
    assert (f"worker 1 (pid {pid}) did not finish step within step_timeout=2 s: it had been running it for "
            in str(err.value))
    assert all(_actor_gone(a) for a in actors), "an actor outlived the failure"
    with pytest.raises(StateError, match="closed"):
        env.step(np.zeros(4, np.int32))


def test_step_timeout_in_async_mode(cluster, record_property):
    env = Ray(Misbehaves, num_envs=4, num_workers=4, batch_size=1, actor_options=HALF, step_timeout=2,
              faults={3: ("stop",)})
    start = time.monotonic()
    env.async_reset(seed=0)
    with pytest.raises(WorkerError, match=r"worker 3 \(pid \d+\) did not finish step within step_timeout=2 s"):
        while time.monotonic() - start < 30:
            b = env.recv()
            env.send(np.zeros(len(b.env_ids), np.int32))
    record_property("surfaced_s", round(time.monotonic() - start, 3))
    assert time.monotonic() - start <= 5.0


@pytest.mark.parametrize("batch_size", [2, 4])
def test_a_send_that_fails_validation_can_be_sent_again(cluster, batch_size):
    assert_a_failed_send_can_be_sent_again(Ray(GridReach, num_envs=4, num_workers=2, batch_size=batch_size))


@pytest.mark.parametrize("kind", ["worker-only-infos", "lambda-infos"])
def test_infos_that_are_not_plain_data(cluster, kind):
    env = Ray(Misbehaves, num_envs=4, num_workers=2, faults={2: (kind,)})
    env.reset(seed=0)
    with pytest.raises(WorkerError) as err:
        for _ in range(3):
            env.step(np.zeros(4, np.int32))
    text = str(err.value)
    assert "worker 1 raised" in text and "infos: expected plain data, found" in text
    assert "Fix: put only plain data in infos" in text
    with pytest.raises(StateError, match="closed"):
        env.step(np.zeros(4, np.int32))


def test_close_from_another_thread_during_step_says_closed(cluster, record_property):
    env = Ray(Misbehaves, num_envs=4, num_workers=2, faults={0: ("sleep", 10.0), 2: ("sleep", 10.0)})
    env.reset(seed=0)
    elapsed = seconds_to_surface_a_close_from_another_thread(env, "actors")
    record_property("surfaced_s", round(elapsed, 3))
    assert elapsed < 5.0


def test_dead_actor_surfaces_without_waiting_for_a_busy_one(cluster, record_property):
    env = Ray(Misbehaves, num_envs=4, num_workers=2, faults={0: ("sleep", 10.0), 2: ("exit",)})
    env.reset(seed=0)
    env.step(np.zeros(4, np.int32))
    start = time.monotonic()
    with pytest.raises(WorkerError, match="worker 1 died"):
        env.step(np.zeros(4, np.int32))
    record_property("surfaced_s", round(time.monotonic() - start, 3))
    assert time.monotonic() - start < 1.5


def test_seeds_like_serial(cluster):
    env = Ray("breakout", num_envs=4, num_workers=2)
    serial = envsdk.make("breakout", num_envs=4)
    try:
        for seed, value in ((np.uint64(2**64 - 2), 2**64 - 2), (2**63 + 5, 2**63 + 5), (np.int64(7), 7)):
            assert rollout(env, 10, seed=seed).equal(rollout(serial, 10, seed=value))
        for bad in (-1, 2**64, 1.0, "3", True):
            with pytest.raises(ConfigError, match=r"\.reset\.seed: expected"):
                env.reset(seed=bad)
    finally:
        env.close()


def test_timeouts_are_validated(cluster):
    with pytest.raises(ConfigError, match="step_timeout"):
        Ray(GridReach, num_envs=2, num_workers=2, step_timeout=0)
    with pytest.raises(ConfigError, match="start_timeout"):
        Ray(GridReach, num_envs=2, num_workers=2, start_timeout=None)
