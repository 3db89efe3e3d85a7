"""Multiprocessing: bit-identical to Serial for every divisor, start methods, and no hangs or leaks.

What every backend promises (results, async batches, state and config errors) is tested for
Multiprocessing and Ray alike in test_backends.py.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from backend_checks import assert_async_failure_within, no_leaks_of
from faulty_envs import DiesOnStep, LargeInfos, RaisesOnInit
from hypothesis import given, settings
from hypothesis import strategies as st
from vectorized_env import GridReach

from envsdk.backends import Multiprocessing, Serial
from envsdk.errors import WorkerError
from envsdk.testing import rollout

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def no_leaks(monkeypatch):
    """Fail a test that leaves worker processes, or shared memory it created, behind."""
    with no_leaks_of(monkeypatch):
        yield


@settings(max_examples=12, deadline=None)
@given(data=st.data(), num_envs=st.sampled_from([2, 4, 6, 8]), seed=st.integers(0, 2**40))
def test_bit_identical_to_serial_for_every_divisor(data, num_envs, seed):
    workers = data.draw(st.sampled_from([w for w in (1, 2, 3, 4) if num_envs % w == 0]))
    serial = Serial(GridReach, num_envs=num_envs, size=4, max_steps=7)
    multi = Multiprocessing(GridReach, num_envs=num_envs, num_workers=workers, start_method="fork",
                            size=4, max_steps=7)
    try:
        assert rollout(multi, 40, seed=seed).equal(rollout(serial, 40, seed=seed))
    finally:
        multi.close()


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_start_methods(method, no_leaks):
    multi = Multiprocessing(GridReach, num_envs=4, num_workers=2, start_method=method)
    try:
        assert multi.start_method == method
        assert rollout(multi, 30, seed=1).equal(rollout(Serial(GridReach, num_envs=4), 30, seed=1))
    finally:
        multi.close()


@pytest.mark.parametrize("how,expect", [("exit", "exited with code 3"), ("kill", "SIGKILL"), ("segv", "SIGSEGV")])
def test_dead_worker_is_reported_within_5_seconds(how, expect, no_leaks):
    multi = Multiprocessing(DiesOnStep, num_envs=4, num_workers=2, start_method="fork", how=how, fail_at=2,
                            fail_env=2)
    multi.reset(seed=0)
    start = time.monotonic()
    with pytest.raises(WorkerError, match=rf"worker 1 \(pid \d+\) died: .*{expect}"):
        for _ in range(4):
            multi.step(np.zeros(4, np.int32))
    assert time.monotonic() - start < 5


def test_dead_worker_is_reported_in_async_mode(no_leaks):
    multi = Multiprocessing(DiesOnStep, num_envs=4, num_workers=2, batch_size=2, start_method="fork", how="kill",
                            fail_at=2, fail_env=0)
    assert_async_failure_within(multi, "died", seconds=5)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_that_cannot_build_is_reported(method, no_leaks):
    with pytest.raises(WorkerError, match="RuntimeError: cannot build in a worker"):
        Multiprocessing(RaisesOnInit, num_envs=2, num_workers=2, start_method=method)


@pytest.mark.parametrize("size", [100, 200_000])
def test_infos_arrive_whole_in_worker_order(size, no_leaks):
    # 100 bytes travel in the shared block; 200 KB overflow it and take the pipe, and are more
    # than a pipe holds, so they must not wait for a parent that is waiting for them.
    multi = Multiprocessing(LargeInfos, num_envs=4, num_workers=2, start_method="fork", size=size)
    serial = Serial(LargeInfos, num_envs=4, size=size)
    try:
        assert multi.reset(seed=0)[1] == serial.reset(seed=0)[1] == []
        for t in range(1, 4):
            infos = multi.step(np.zeros(4, np.int32))[4]
            assert infos == serial.step(np.zeros(4, np.int32))[4]
            assert [i["text"][:14] for i in infos] == [f"block {b} step {t}" for b in range(4)]
            assert all(len(i["text"]) == size for i in infos)
    finally:
        multi.close()


def test_forkserver_workers_outlive_a_quiet_second(no_leaks):
    # A worker's own parent is the forkserver, not the backend's process: the watch for an
    # orphaned worker must not mistake that for the backend being gone.
    multi = Multiprocessing(GridReach, num_envs=2, num_workers=2, start_method="forkserver")
    try:
        multi.reset(seed=0)
        time.sleep(2.5)
        multi.step(np.zeros(2, np.int32))
    finally:
        multi.close()


def test_close_joins_every_worker(no_leaks):
    # That close is idempotent and final for every backend: test_backends.py.
    multi = Multiprocessing(GridReach, num_envs=2, num_workers=2, start_method="fork")
    procs = list(multi._transport._procs)
    multi.close()
    multi.close()
    assert all(p.exitcode is not None for p in procs)  # joined: no zombies


SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{tests!r}, {examples!r}]
    import numpy as np
    from envsdk.backends import Multiprocessing
    from vectorized_env import GridReach
    if __name__ == "__main__":
        env = Multiprocessing(GridReach, num_envs=4, num_workers=2, start_method={method!r})
        print(env._transport._shared.name, *[p.pid for p in env._transport._procs], flush=True)
        env.reset(seed=0)
        actions = np.zeros(4, np.int32)
        while True:
            env.step(actions)
    """
)


def _launch(method):
    code = SCRIPT.format(tests=str(TESTS), examples=str(TESTS.parent / "examples"), method=method)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    name, *pids = proc.stdout.readline().split()
    time.sleep(0.3)  # let it step
    return proc, name, [int(p) for p in pids]


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers kill(0); it is gone for us once its parent reaped it or died.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] == "Z"


def _wait_until(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_ctrl_c_stops_workers_and_unlinks_shared_memory(method):
    proc, name, pids = _launch(method)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert _wait_until(lambda: all(_gone(p) for p in pids)), "workers outlived the parent"
    assert not os.path.exists(f"/dev/shm/{name.lstrip('/')}"), "shared memory not unlinked"


def test_killed_parent_takes_its_workers_down():
    proc, name, pids = _launch("fork")
    proc.kill()
    proc.wait(timeout=10)
    assert _wait_until(lambda: all(_gone(p) for p in pids), seconds=5), "workers outlived a SIGKILLed parent"
    # The parent could not unlink; Python's resource tracker does once every holder is gone.
    assert _wait_until(lambda: not os.path.exists(f"/dev/shm/{name.lstrip('/')}"), seconds=5)


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_killed_parent_takes_a_stopped_worker_and_the_segment_down(method):
    # A stopped worker cannot run its own watch for the parent: the kernel's parent-death signal
    # (SIGKILL) ends it; and the segment's name was unlinked once every worker had mapped it.
    proc, name, pids = _launch(method)
    try:
        os.kill(pids[1], signal.SIGSTOP)
        proc.kill()
        proc.wait(timeout=10)
        assert _wait_until(lambda: all(_gone(p) for p in pids), seconds=5), "a stopped worker outlived its parent"
        assert not os.path.exists(f"/dev/shm/{name.lstrip('/')}"), "the segment outlived its parent"
    finally:
        for pid in pids:  # on failure, leave nothing stopped behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
