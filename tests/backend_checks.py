"""Test helpers shared by the backend tests (the conformance suite, Multiprocessing, the fault
tests, Ray). The conformance checks themselves are public: ``envsdk.testing.check_backend``."""

import contextlib
import multiprocessing as mp
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from envsdk.buffers import SharedBuffers
from envsdk.errors import StateError, WorkerError

TESTS = Path(__file__).resolve().parent
# Ray actors are separate processes: they import the test envs from these folders.
RAY_INIT = {
    "num_cpus": 2,
    "include_dashboard": False,
    "log_to_driver": False,
    "runtime_env": {"env_vars": {"PYTHONPATH": f"{TESTS}:{TESTS.parent / 'examples'}"}},
}


def record_shared_memory(monkeypatch) -> list[str]:
    """The names of the shared-memory blocks this process creates from now on (a list that grows)."""
    created = []
    original = SharedBuffers.create.__func__

    def recording_create(cls, layout, extra=0):
        shared = original(cls, layout, extra)
        created.append(shared.name)
        return shared

    monkeypatch.setattr(SharedBuffers, "create", classmethod(recording_create))
    return created


@contextlib.contextmanager
def no_leaks_of(monkeypatch):
    """Fail if the block leaves worker processes, or shared memory it created, behind.

    Only the segments this process creates are tracked: other processes on the machine may
    create and remove their own meanwhile.
    """
    created = record_shared_memory(monkeypatch)
    yield
    deadline = time.monotonic() + 5
    while mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not mp.active_children(), f"worker processes left running: {mp.active_children()}"
    leaked = [n for n in created if os.path.exists(f"/dev/shm/{n.lstrip('/')}")]
    assert not leaked, f"leaked /dev/shm segments: {leaked}"


def seconds_to_surface_a_close_from_another_thread(env, waiting_for: str) -> float:
    """Seconds from a ``close()`` in another thread, 0.5 s into a slow ``step`` of ``env`` (reset
    already), to that step raising ``StateError`` saying the backend was closed while it waited
    for its ``waiting_for`` (workers, actors)."""
    env.step(np.zeros(env.num_agents, np.int32))
    closed_at = []
    closer = threading.Timer(0.5, lambda: (closed_at.append(time.monotonic()), env.close()))
    closer.start()
    with pytest.raises(StateError, match=rf"found it closed by close\(\) while this call waited for its {waiting_for}"):
        env.step(np.zeros(env.num_agents, np.int32))
    elapsed = time.monotonic() - closed_at[0]
    closer.join(15)
    return elapsed


def assert_async_failure_within(backend, match: str, seconds: float = 5.0) -> None:
    """Cycle ``backend`` asynchronously (async_reset, then recv and send) until it raises a
    ``WorkerError`` matching ``match``, which must come within ``seconds``; then close it. recv
    returns whichever worker is ready first, so a doomed worker may only get the CPU after a few
    scheduler slices: the loop keeps cycling until then."""
    backend.async_reset(seed=0)
    start = time.monotonic()
    with pytest.raises(WorkerError, match=match):
        while time.monotonic() - start < seconds:
            b = backend.recv()
            backend.send(np.zeros(len(b.env_ids), np.int32))
    assert time.monotonic() - start < seconds
    backend.close()
