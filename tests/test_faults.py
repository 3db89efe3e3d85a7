"""Fault injection for Multiprocessing, under fork, spawn and forkserver: every fault surfaces as
an envsdk error within its bound, never as a hang, and leaves no process or /dev/shm segment.

Each test records how long the fault took to surface as the ``surfaced_s`` property (see it with
``pytest tests/test_faults.py -o junit_family=legacy --junitxml=faults.xml``). Where the caller itself could hang, the
scenario runs in a subprocess with a timeout, or the call in a thread that is joined with one.
"""

import functools
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from backend_checks import record_shared_memory, seconds_to_surface_a_close_from_another_thread
from faulty_envs import CountsProbes, Misbehaves, SleepsOnInit
from vectorized_env import GridReach

from envsdk.backends import Multiprocessing, Serial
from envsdk.buffers import Layout, SharedBuffers, allocate
from envsdk.errors import BuffersError, ConfigError, StateError, WorkerError
from envsdk.spaces import Box, Discrete
from envsdk.testing import assert_backend_resends_a_refused_send, rollout

TESTS = Path(__file__).resolve().parent
METHODS = ["fork", "spawn", "forkserver"]
BOUND = 5.0  # seconds any fault may take to surface with step_timeout=2 (the bound)


@pytest.fixture(params=METHODS)
def method(request):
    return request.param


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process on the machine."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
        table[int(entry)] = (ppid, cmdline)
    return table


def leftovers() -> list[int]:
    """Processes descended from this one, but Python's own helpers (the resource tracker, and the
    forkserver itself, though not the workers it forks)."""
    table, me = _processes(), os.getpid()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [me]
    while todo:
        parent = todo.pop()
        for pid in children.get(parent, []):
            todo.append(pid)
            cmdline = table[pid][1]
            helper = "resource_tracker" in cmdline or (parent == me and "forkserver" in cmdline)
            if not helper:
                found.append(pid)
    return found


def _until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def clean(monkeypatch):
    """Fail a test that leaves a process (Python's helpers excepted) or a /dev/shm segment it created."""
    created = record_shared_memory(monkeypatch)
    before = set(leftovers())
    yield created
    assert _until(lambda: not set(leftovers()) - before), f"processes left running: {set(leftovers()) - before}"
    leaked = [n for n in created if os.path.exists(f"/dev/shm/{n.lstrip('/')}")]
    assert not leaked, f"leaked /dev/shm segments: {leaked}"


def surfaced(record_property, start: float, bound: float = BOUND) -> float:
    elapsed = time.monotonic() - start
    record_property("surfaced_s", round(elapsed, 3))
    assert elapsed <= bound, f"took {elapsed:.2f} s to surface (bound {bound} s)"
    return elapsed


def build(method, **kwargs):
    kwargs = {"num_envs": 4, "num_workers": 2, **kwargs}
    return Multiprocessing(Misbehaves, start_method=method, **kwargs)


# --- 2. a worker that never answers --------------------------------------------------------


@pytest.mark.parametrize("fault", [("sleep", 60.0), ("stop",)], ids=["stuck", "sigstop"])
def test_step_timeout_names_the_worker_its_pid_command_and_time(method, fault, clean, record_property):
    multi = build(method, step_timeout=2, faults={2: fault})
    multi.reset(seed=0)
    multi.step(np.zeros(4, np.int32))
    start = time.monotonic()
    with pytest.raises(WorkerError) as err:
        multi.step(np.zeros(4, np.int32))
    elapsed = surfaced(record_property, start)
    assert elapsed >= 2.0
    pid = multi._transport._procs[1].pid
    assert (f"worker 1 (pid {pid}) did not finish step within step_timeout=2 s: it had been running it for "
            in str(err.value))
    with pytest.raises(StateError, match="closed"):
        multi.step(np.zeros(4, np.int32))


def test_step_timeout_in_async_mode_while_other_workers_keep_going(method, clean, record_property):
    multi = build(method, num_envs=4, num_workers=4, batch_size=1, step_timeout=2, faults={3: ("stop",)})
    start = time.monotonic()
    multi.async_reset(seed=0)
    with pytest.raises(WorkerError, match=r"worker 3 \(pid \d+\) did not finish step within step_timeout=2 s"):
        while time.monotonic() - start < 30:  # workers 0-2 keep answering; worker 3 stops in its 2nd step
            b = multi.recv()
            multi.send(np.zeros(len(b.env_ids), np.int32))
    surfaced(record_property, start)


def test_start_timeout(method, clean, record_property):
    start = time.monotonic()
    with pytest.raises(WorkerError, match=r"did not finish start-up \(import and build its envs\) within "
                                          r"start_timeout=1 s"):
        Multiprocessing(SleepsOnInit, num_envs=2, num_workers=2, start_method=method, start_timeout=1,
                        home_pid=os.getpid(), seconds=60)
    surfaced(record_property, start, BOUND + 2)  # spawn and forkserver also start interpreters


# --- 3. Ctrl-C twice -------------------------------------------------------------------------

CTRL_C_TWICE = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    sys.path[:0] = [{tests!r}, {examples!r}]
    import numpy as np
    from envsdk.backends import Multiprocessing, Serial
    from faulty_envs import Misbehaves
    from vectorized_env import GridReach

    def interrupt_after(seconds):
        threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT)).start()

    if __name__ == "__main__":
        slow = {{0: ("sleep", 2.0), 2: ("sleep", 2.0)}}  # the first step takes 2 s in both workers
        env = Multiprocessing(Misbehaves, num_envs=4, num_workers=2, start_method={method!r}, at=1, faults=slow)
        env.reset(seed=0)
        actions = np.arange(4, dtype=np.int32)
        for call in (lambda: env.step(actions), lambda: env.reset(seed=1)):
            interrupt_after(0.3)
            try:
                call()
                sys.exit("not interrupted")
            except KeyboardInterrupt:
                pass
        start = time.monotonic()
        obs, _ = env.reset(seed=2)  # waits for the interrupted step, then resets
        elapsed = time.monotonic() - start
        serial = Serial(GridReach, num_envs=4)
        assert np.array_equal(obs, serial.reset(seed=2)[0])
        assert np.array_equal(env.step(actions)[0], serial.step(actions)[0])
        env.close()
        print("OK", elapsed)
    """
)


def test_ctrl_c_during_step_then_during_the_retried_reset(method, clean, record_property):
    code = CTRL_C_TWICE.format(tests=str(TESTS), examples=str(TESTS.parent / "examples"), method=method)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"the third reset hung:\n{e.stderr}") from None
    assert out.returncode == 0 and out.stdout.startswith("OK"), out.stderr[-3000:]
    # The third reset waits out the interrupted 2 s step (begun about 0.6 s earlier), then resets.
    third_reset = float(out.stdout.split()[1])
    record_property("third_reset_s", round(third_reset, 3))
    assert third_reset < 2.0


# --- 4. a send that fails validation ---------------------------------------------------------


@pytest.mark.parametrize("batch_size", [2, 4])
def test_a_send_that_fails_validation_can_be_sent_again(method, batch_size, clean):
    make = functools.partial(Multiprocessing, start_method=method)
    assert_backend_resends_a_refused_send(make, GridReach, batch_size=batch_size)


# --- 6. seeds: see test_seeding.py ---------------------------------------------------------
# --- 7. errors that must be envsdk errors -----------------------------------------------------


@pytest.mark.parametrize("kind", ["worker-only-infos", "lambda-infos"])
def test_infos_that_are_not_plain_data(method, kind, clean, record_property):
    multi = build(method, faults={2: (kind,)})
    multi.reset(seed=0)
    start = time.monotonic()
    with pytest.raises(WorkerError) as err:
        for _ in range(3):
            multi.step(np.zeros(4, np.int32))
    surfaced(record_property, start)
    text = str(err.value)
    assert "worker 1 raised" in text and "infos: expected plain data, found" in text
    assert "Fix: put only plain data in infos" in text
    with pytest.raises(StateError, match="closed"):
        multi.step(np.zeros(4, np.int32))


def test_close_from_another_thread_during_step_says_closed(method, clean, record_property):
    multi = build(method, faults={0: ("sleep", 10.0), 2: ("sleep", 10.0)})
    multi.reset(seed=0)
    elapsed = seconds_to_surface_a_close_from_another_thread(multi, "workers")
    record_property("surfaced_s", round(elapsed, 3))
    assert elapsed <= 0.5, f"took {elapsed:.2f} s to surface after close()"


def test_invalid_start_method_creates_nothing(clean):
    with pytest.raises(ConfigError, match=r"start_method to be one of .*'spawn'.*found 'thread'"):
        Multiprocessing(GridReach, num_envs=2, num_workers=2, start_method="thread")
    assert clean == []  # no shared memory was created


def test_num_envs_too_large_for_shared_memory(clean):
    rows = 10**12
    with pytest.raises(BuffersError, match=rf"fits in shared memory .*found .* GiB for {rows} agent rows"):
        SharedBuffers.create(Layout.of(Box(0, 1, (4,)), Discrete(5), rows))
    with pytest.raises(BuffersError, match="Fix: fewer sub-envs"):
        Multiprocessing(GridReach, num_envs=rows, num_workers=2)
    assert clean == []


def test_serial_on_given_buffers_builds_nothing_of_its_own():
    buffers = allocate(Box(0, 1, (4,)), Discrete(5), 8)
    CountsProbes.built_alone = 0
    for per in (8, 2, 1):
        env = Serial(CountsProbes, num_envs=8, envs_per_object=per, buffers=buffers)
        assert rollout(env, 10, seed=1).equal(rollout(Serial(GridReach, num_envs=8), 10, seed=1))
        env.close()
    assert CountsProbes.built_alone == 0


# --- 8. a dead worker while another is busy ----------------------------------------------------


def test_dead_worker_surfaces_without_waiting_for_a_busy_one(method, clean, record_property):
    multi = build(method, faults={0: ("sleep", 10.0), 2: ("exit",)})
    multi.reset(seed=0)
    multi.step(np.zeros(4, np.int32))
    start = time.monotonic()
    with pytest.raises(WorkerError, match=r"worker 1 \(pid \d+\) died: exited with code 3"):
        multi.step(np.zeros(4, np.int32))
    surfaced(record_property, start, 1.0)  # the busy worker is killed, not waited for
