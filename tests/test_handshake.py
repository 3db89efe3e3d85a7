"""The Multiprocessing handshake: csrc/handshake.h's signals and the shared slots over them."""

import multiprocessing as mp
import pickle
import time

import numpy as np
import pytest
from envsdk._sims import ffi, lib

from envsdk.backends import _handshake as handshake
from envsdk.backends._handshake import Handshake
from envsdk.buffers import Layout, SharedBuffers
from envsdk.spaces import Box, Discrete


def signal_in(memory: np.ndarray):
    return ffi.cast("envsdk_signal *", ffi.from_buffer(memory))


def test_wait_returns_at_once_after_a_post_and_times_out_without_one():
    memory = np.zeros(4, np.uint32)
    s = signal_in(memory)
    start = time.monotonic()
    assert lib.envsdk_signal_wait(s, 0, 1, 0.0, 0.05) == 0  # nothing posted: the timeout
    assert 0.04 < time.monotonic() - start < 1.0
    lib.envsdk_signal_post(s)
    assert memory[0] == 1 and memory[1] == 0  # counted; nobody asleep, so nobody woken
    assert lib.envsdk_signal_wait(s, 0, 1, 0.0, 5.0) == 1


def test_needed_counts_posts_since_seen_across_wraparound():
    memory = np.array([2**32 - 1, 0, 0, 0], np.uint32)
    s = signal_in(memory)
    lib.envsdk_signal_post(s)
    assert memory[0] == 0
    assert lib.envsdk_signal_wait(s, 2**32 - 1, 2, 0.0, 0.01) == 0  # one post of the two needed
    lib.envsdk_signal_post(s)
    assert lib.envsdk_signal_wait(s, 2**32 - 1, 2, 0.0, 5.0) == 1


def _post_later(name, layout, delays):
    shared = SharedBuffers.attach(name, layout, extra=64)
    s = signal_in(shared.extra)
    for delay in delays:
        time.sleep(delay)
        lib.envsdk_signal_post(s)
    s = None
    shared.close()


@pytest.mark.parametrize("delays,needed", [((0.2,), 1), ((0.1, 0.2), 2)])
def test_a_sleeping_waiter_wakes_on_the_post_it_needs(delays, needed):
    # The waiter sleeps in the kernel (no spin); another process posts. With needed=2 the first
    # post must not end the wait, the second must, well before the timeout.
    layout = Layout.of(Box(0, 1, (1,)), Discrete(2), 1)
    shared = SharedBuffers.create(layout, extra=64)
    try:
        s = signal_in(shared.extra)
        poster = mp.get_context("fork").Process(target=_post_later, args=(shared.name, layout, delays))
        start = time.monotonic()
        poster.start()
        count = lib.envsdk_signal_wait(s, 0, needed, 0.0, 10.0)
        elapsed = time.monotonic() - start
        poster.join(5)
        assert count == needed
        assert sum(delays) - 0.05 < elapsed < 3.0
        s = None
    finally:
        shared.close()
        shared.unlink()


def test_command_and_finish_round_trip():
    hs = Handshake(np.zeros(Handshake.nbytes(3), np.uint8), 3)
    assert not hs.done(1)  # the start-up command (build your envs) is not finished yet
    hs.finish(1, 1)
    assert hs.done(1) and hs.status(1) == handshake.OK and hs.finished_count() == 1

    hs.command(1, handshake.RESET, seed=2**64 - 2**40)  # seeds are uint64: past int64's range
    assert not hs.done(1)
    count, op, seed, number = hs.next_command(1, 0, 0.0, 1.0)
    assert (count, op, seed, number) == (1, handshake.RESET, 2**64 - 2**40, 2)
    assert hs.next_command(1, count, 0.0, 0.01) == (count, 0, None, 0)  # nothing new: a timeout

    small = pickle.dumps([{"episode_return": 1.5}])
    assert hs.finish(1, 2, small) is False  # fits the shared area: nothing for the pipe
    assert hs.done(1) and hs.status(1) == handshake.INFOS
    assert pickle.loads(hs.infos(1)) == [{"episode_return": 1.5}]
    assert hs.wait(0, 2, 0.0, 1.0)  # two finishes since the count was 0

    hs.command(1, handshake.STEP)
    assert hs.next_command(1, count, 0.0, 1.0)[1:] == (handshake.STEP, None, 3)
    assert hs.finish(1, 3, b"x" * (handshake.AREA + 1)) is True  # too large: the pipe
    assert hs.status(1) == handshake.PIPED
    hs.command(1, handshake.STEP)
    assert hs.finish(1, 4, failed=True) is True and hs.status(1) == handshake.ERROR
    assert not hs.done(0) and not hs.done(2)  # the other slots are untouched


def test_a_worker_acknowledges_the_command_it_ran_not_a_count_of_its_own():
    # Two commands posted while the worker was busy: it runs only the newer and acknowledges its
    # number, which is the one the parent waits for (a worker counting for itself would report
    # 2 and leave the parent waiting for 3 forever).
    hs = Handshake(np.zeros(Handshake.nbytes(1), np.uint8), 1)
    hs.finish(0, 1)
    hs.command(0, handshake.STEP)
    hs.command(0, handshake.RESET, seed=7)
    count, op, seed, number = hs.next_command(0, 0, 0.0, 1.0)
    assert (count, op, seed, number) == (2, handshake.RESET, 7, 3)
    hs.finish(0, number)
    assert hs.done(0) and hs.op(0) == handshake.RESET
