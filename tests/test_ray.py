"""Ray: errors never hang, Ray shut down only if we started it, actors import the driver's envsdk.

What every backend promises (bit-identical to Serial, results, async batches, state and config
errors) is tested for Multiprocessing and Ray alike in test_backends.py.
"""

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

from backend_checks import (  # noqa: E402
    RAY_INIT,
    assert_async_failure_within,
    seconds_to_surface_a_close_from_another_thread,
)
from faulty_envs import DiesOnStep, Misbehaves, RaisesAwayFromHome  # noqa: E402
from vectorized_env import GridReach  # noqa: E402

import envsdk  # noqa: E402
from envsdk.backends import Ray, Serial  # noqa: E402
from envsdk.errors import ConfigError, MissingExtraError, StateError, WorkerError  # noqa: E402
from envsdk.testing import rollout  # noqa: E402

TESTS = Path(__file__).resolve().parent
INIT = RAY_INIT
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


def test_payload_bytes_per_step(cluster):
    # That results are the driver's buffers: test_backends.py, for every backend.
    env = Ray(GridReach, num_envs=4, num_workers=2)
    try:
        assert env.payload_bytes_per_step == {"actions": 4 * 4, "results": 4 * (16 + 4 + 3), "per_agent_row": 27}
    finally:
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
    assert_async_failure_within(env, "worker 0 died", seconds=5)


def test_close_releases_actors_and_leaves_a_running_ray_up(cluster):
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


def test_too_few_cpus_is_a_config_error_and_leaves_ray_up(cluster):
    # The config errors every backend shares: test_backends.py.
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
