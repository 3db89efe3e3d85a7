"""The shared body of the worker backends (``_cycle.py``) over the in-process transport double:
its state machine, the order of send and recv, and failures of the transport."""

import numpy as np
import pytest
from transport_double import InProcess
from vectorized_env import GridReach

from envsdk.backends import Serial
from envsdk.backends._cycle import State, WorkerCycle, plan_workers
from envsdk.errors import ActionError, ConfigError, StateError, WorkerError


def cycle(num_envs=4, num_workers=2, batch_size=None, **double):
    plan = plan_workers("Double", GridReach, num_envs, num_workers, batch_size, None, 120.0, None,
                        "It allocates its own.", {})
    transport = InProcess(plan, **double)
    transport.start()
    return WorkerCycle("Double(GridReach)", "Double", transport, plan), transport


def test_states_follow_the_calls():
    c, _ = cycle(batch_size=2)
    assert c.state is State.NEW
    c.reset(seed=0)
    assert c.state is State.READY
    c.step(np.zeros(4, np.int32))
    assert c.state is State.READY
    c2, _ = cycle(batch_size=2)
    c2.async_reset(seed=0)
    assert c2.state is State.RECV
    c2.recv()
    assert c2.state is State.SEND
    c2.send(np.zeros(2, np.int32))
    assert c2.state is State.RECV
    c2.close()
    assert c2.state is State.CLOSED


def test_every_call_out_of_turn_is_a_state_error_and_changes_nothing():
    c, t = cycle(batch_size=2)
    with pytest.raises(StateError, match=r"Double\(GridReach\)\.step: expected reset\(\) first"):
        c.step(np.zeros(4, np.int32))
    with pytest.raises(StateError, match=r"recv: expected async_reset\(\) first"):
        c.recv()
    with pytest.raises(StateError, match=r"send: expected recv\(\) to have returned a batch first"):
        c.send(np.zeros(2, np.int32))
    assert c.state is State.NEW and t.log == []
    c.async_reset(seed=0)
    for call in (lambda: c.reset(seed=0), lambda: c.step(np.zeros(4, np.int32)), lambda: c.async_reset(seed=0)):
        with pytest.raises(StateError, match="not both"):
            call()
    with pytest.raises(StateError, match="send: expected recv"):
        c.send(np.zeros(2, np.int32))
    c.recv()
    with pytest.raises(StateError, match=r"send\(\) for the previous batch first.*alternate"):
        c.recv()
    assert c.state is State.SEND
    c.close()
    for call in (lambda: c.reset(seed=0), lambda: c.step(np.zeros(4, np.int32)), lambda: c.async_reset(seed=0),
                 c.recv, lambda: c.send(np.zeros(2, np.int32))):
        with pytest.raises(StateError, match="expected an open backend, found it closed"):
            call()


def test_bad_seed_and_bad_actions_change_no_state():
    c, t = cycle(batch_size=2)
    with pytest.raises(ConfigError, match=r"Double\(GridReach\)\.reset\.seed: expected"):
        c.reset(seed=-1)
    assert c.state is State.NEW and t.log == []
    c.reset(seed=0)
    t.log.clear()
    with pytest.raises(ActionError, match=r"Double\.step"):
        c.step(np.zeros(4, np.float64))
    assert t.log == [] and c.state is State.READY
    c2, t2 = cycle(batch_size=2)
    c2.async_reset(seed=0)
    c2.recv()
    with pytest.raises(ActionError, match=r"Double\.send"):
        c2.send(np.zeros(2, np.float64))
    assert c2.state is State.SEND  # the batch still waits for its actions
    c2.send(np.zeros(2, np.int32))


def test_reset_seeds_worker_w_with_seed_plus_w_times_k():
    c, t = cycle(num_envs=6, num_workers=3)
    c.reset(seed=2**64 - 3)
    assert t.log == [("reset", 0, 2**64 - 3), ("reset", 1, 2**64 - 1), ("reset", 2, 1)]


def test_recv_returns_the_first_ready_workers_sorted_and_send_steps_exactly_them():
    # Workers finish newest first: after the reset, worker 3 then 2 are ready; recv returns them
    # sorted (a contiguous view), then the batch of workers 1 and 0.
    c, t = cycle(num_envs=4, num_workers=4, batch_size=2, order=lambda queue: queue[-1])
    c.async_reset(seed=5)
    b = c.recv()
    assert b.env_ids.tolist() == [2, 3] and np.shares_memory(b.observations, t.buffers.observations)
    c.send(np.array([1, 2], np.int32))
    assert t.log[-1] == ("reset", 2, 7)  # worker 2's reset ran last; nothing was stepped yet
    # The double now holds resets of workers 0 and 1 and the steps of 2 and 3; newest first: 3, 2.
    b = c.recv()
    assert b.env_ids.tolist() == [2, 3] and [cmd for cmd, _, _ in t.log[-2:]] == ["step", "step"]
    assert t.workers[2].buffers.actions.tolist() == [1] and t.workers[3].buffers.actions.tolist() == [2]
    c.send(np.zeros(2, np.int32))
    c.close()


def test_a_gathered_batch_is_a_copy_and_its_actions_reach_each_workers_rows():
    # Order: worker 0, then 2 (1 and 3 hang until later): a batch of workers 0 and 2, not contiguous.
    c, t = cycle(num_envs=4, num_workers=4, batch_size=2, order=lambda queue: min(queue, key=lambda i: i[0] % 2))
    c.async_reset(seed=1)
    b = c.recv()
    assert b.env_ids.tolist() == [0, 2] and b.agent_ids.tolist() == [0, 2]
    assert not np.shares_memory(b.observations, t.buffers.observations)
    np.testing.assert_array_equal(b.observations, t.buffers.observations[[0, 2]])
    c.send(np.array([3, 4], np.int32))
    assert t.buffers.actions[[0, 2]].tolist() == [3, 4]


def test_sync_step_matches_serial_and_returns_the_buffers():
    c, t = cycle(num_envs=4, num_workers=2)
    serial = Serial(GridReach, num_envs=4)
    obs, _ = c.reset(seed=9)
    assert obs is t.buffers.observations
    np.testing.assert_array_equal(obs, serial.reset(seed=9)[0])
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.integers(0, 5, 4).astype(np.int32)
        out = c.step(a)
        want = serial.step(a)
        assert all(x is getattr(t.buffers, n) for x, n in zip(out[:4], ("observations", "rewards", "terminals",
                                                                         "truncations"), strict=True))
        for x, y in zip(out[:4], want[:4], strict=True):
            np.testing.assert_array_equal(x, y)


def test_a_transport_timeout_surfaces_as_a_worker_error_and_closes_the_backend():
    c, t = cycle(num_envs=4, num_workers=2)
    c.reset(seed=0)
    t.hang.add(1)
    with pytest.raises(WorkerError, match="worker 1 did not finish within step_timeout"):
        c.step(np.zeros(4, np.int32))
    assert c.state is State.CLOSED and t.closed
    with pytest.raises(StateError, match="closed"):
        c.step(np.zeros(4, np.int32))


def test_a_timeout_in_recv_closes_the_backend_too():
    c, t = cycle(num_envs=4, num_workers=2, batch_size=2, hang={0, 1})
    c.async_reset(seed=0)
    with pytest.raises(WorkerError):
        c.recv()
    assert c.state is State.CLOSED


def test_an_interrupted_step_is_waited_for_before_the_next_command():
    c, t = cycle(num_envs=4, num_workers=2)
    c.reset(seed=0)
    t.interrupt_after = 1  # Ctrl-C after worker 0 replied: worker 1 still runs the step
    with pytest.raises(KeyboardInterrupt):
        c.step(np.zeros(4, np.int32))
    assert c.state is State.READY and t.pending() == 1
    t.log.clear()
    c.step(np.ones(4, np.int32))  # settles worker 1 first (the double refuses a post to a busy worker)
    assert [(cmd, w) for cmd, w, _ in t.log] == [("step", 1), ("step", 0), ("step", 1)]


def test_an_interrupted_first_reset_still_refuses_step():
    c, t = cycle(num_envs=4, num_workers=2)
    t.interrupt_after = 1
    with pytest.raises(KeyboardInterrupt):
        c.reset(seed=0)
    with pytest.raises(StateError, match=r"reset\(\) first"):
        c.step(np.zeros(4, np.int32))
    c.reset(seed=0)  # settles the interrupted reset, then resets
    assert [cmd for cmd, _, _ in t.log] == ["reset"] * 4


def test_close_from_the_transport_side_is_seen_by_the_next_wait():
    c, t = cycle(num_envs=4, num_workers=2)
    c.reset(seed=0)
    t.close()  # as close() from another thread would, while a call waited
    with pytest.raises(StateError, match="closed while waiting"):
        c.step(np.zeros(4, np.int32))
    assert c.state is State.CLOSED
