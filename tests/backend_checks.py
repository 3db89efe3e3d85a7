"""Test helpers shared by the backend tests (Multiprocessing, the fault tests, Ray)."""

import threading
import time

import numpy as np
import pytest

from envsdk.buffers import SharedBuffers
from envsdk.errors import ActionError, StateError


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


def bounded(call, seconds: float = 10.0):
    """``call()`` in a thread joined with a timeout: a hang fails the test instead of hanging it."""
    result = {}

    def run():
        try:
            result["value"] = call()
        except BaseException as e:  # handed to the test thread
            result["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{call} hung for {seconds} s"
    if "error" in result:
        raise result["error"]
    return result.get("value")


def assert_a_failed_send_can_be_sent_again(env, num_envs: int = 4) -> None:
    """A ``send`` refused for its actions leaves its batch waiting for a corrected ``send``, and
    every sub-env keeps stepping afterwards (``env`` async over ``num_envs`` sub-envs; closed here)."""
    try:
        env.async_reset(seed=0)
        b = env.recv()
        with pytest.raises(ActionError, match="dtype float64"):
            env.send(np.zeros(len(b.env_ids), np.float64))
        with pytest.raises(StateError, match="send"):  # the batch still waits for its actions
            bounded(env.recv)
        env.send(np.zeros(len(b.env_ids), np.int32))
        seen = np.zeros(num_envs, np.int64)
        for _ in range(12):  # every sub-env keeps stepping
            b = bounded(env.recv)
            seen[b.env_ids] += 1
            env.send(np.zeros(len(b.env_ids), np.int32))
        assert (seen > 0).all(), seen
    finally:
        env.close()


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
