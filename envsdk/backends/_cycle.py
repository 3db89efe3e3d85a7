"""The synchronous and asynchronous stepping cycle of a backend made of workers.

Multiprocessing and Ray share it: each has workers that own a contiguous block of agent rows
and differ only in how a command reaches a worker and how its reply comes back. That transport
is the backend itself, through four methods:

- ``_start_reset(seed)``: start resetting every worker (worker ``w`` seeded
  ``(seed + w * k) % 2**64``; the cycle has checked the seed);
- ``_start_step(workers)``: start stepping ``workers`` on the actions in their rows;
- ``_wait(needed, into)``: wait until at least ``needed`` started workers have finished (all of
  them when ``needed`` is None); append ``(worker, infos)`` to ``into`` for every one that
  finished, as it is heard from, so that a wait interrupted (Ctrl-C) loses no reply;
- ``_fail(message)``: close the backend and raise ``WorkerError``.

The cycle keeps the state (started, async, the last batch ``recv`` returned, workers heard from
but not yet returned) and every check and error message of the public methods. Every check,
the seed's and the actions' included, runs before any state changes, so a call that raises one
can be made again, corrected. A ``reset`` or ``step`` interrupted while it waited leaves its
command running in the workers that had not finished it; the next ``reset`` or ``step`` first
waits for them (and drops their replies), so a worker is never sent a command before it
finished the previous one.
"""

from __future__ import annotations

import numpy as np

from envsdk.backends._batches import WorkerBatches
from envsdk.buffers import copy_actions
from envsdk.errors import StateError
from envsdk.protocol import Batch, Infos
from envsdk.seeding import check_seed


class WorkerCycle:
    """reset/step and async_reset/recv/send over ``backend``'s workers and ``batches``."""

    def __init__(self, backend, batches: WorkerBatches, num_workers: int, workers_per_batch: int):
        self.backend = backend
        self.batches = batches
        self.closed = False
        self.started = False  # reset or async_reset has run
        self.is_async = False  # an async_reset/recv/send cycle is in flight
        self._unsettled = False  # a reset/step was interrupted: workers may still run its command
        self._all = list(range(num_workers))
        self._workers_per_batch = workers_per_batch
        self._ready: list[tuple[int, Infos]] = []  # heard from, not yet returned by recv
        self._last: list[int] | None = None  # workers of the last batch recv returned
        b = batches.buffers
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)

    def reset(self, seed: int | None) -> tuple[np.ndarray, Infos]:
        """Reset every worker and wait for all of them."""
        self._check_sync("reset")
        seed = check_seed(f"{self.backend!r}.reset", seed)
        self._settle()
        self.backend._start_reset(seed)
        infos = self._wait_all()
        self.started = True
        return self.batches.buffers.observations, infos

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every worker with ``actions`` (all rows) and wait for all of them."""
        if not self.started or self.is_async:
            self._check_sync("step")
            if not self.started:
                raise StateError(
                    f"{self.backend!r}.step: expected reset() first, found none. Fix: call reset(seed=...)."
                )
        buffer = self.batches.buffers.actions
        if self._unsettled:
            self._settle()  # before the copy: the workers of the interrupted step still read these rows
        if actions is not buffer:
            copy_actions(buffer, actions, f"{type(self.backend).__name__}.step")
        self.backend._start_step(self._all)
        return (*self._results, self._wait_all())

    def async_reset(self, seed: int | None) -> None:
        """Start resetting every worker; ``recv`` returns the batches as they become ready."""
        self._check_sync("async_reset")
        seed = check_seed(f"{self.backend!r}.async_reset", seed)
        self._settle()
        self.backend._start_reset(seed)
        self.is_async = self.started = True
        self._last = None

    def send(self, actions: np.ndarray) -> None:
        """Step the workers of the last batch ``recv`` returned, with ``actions`` for its rows."""
        if self._last is None:
            self._check_open("send")
            raise StateError(
                f"{self.backend!r}.send: expected recv() to have returned a batch first, found none. Fix: call "
                "async_reset(seed), then alternate recv() and send()."
            )
        workers = self._last
        # Checked and copied first: an ActionError leaves the batch waiting for a corrected send.
        self.batches.write_actions(workers, actions, f"{type(self.backend).__name__}.send")
        self._last = None
        self.backend._start_step(workers)

    def recv(self) -> Batch:
        """Wait for the first ``workers_per_batch`` workers that are ready and return their rows."""
        if not self.is_async:
            self._check_open("recv")
            raise StateError(
                f"{self.backend!r}.recv: expected async_reset() first, found none. Fix: call async_reset(seed)."
            )
        if self._last is not None:
            raise StateError(
                f"{self.backend!r}.recv: expected send() for the previous batch first, found it unanswered. Fix: "
                "alternate recv() and send()."
            )
        n, ready = self._workers_per_batch, self._ready
        while len(ready) < n:
            self.backend._wait(n - len(ready), ready)
        chosen, self._ready = ready[:n], ready[n:]
        chosen.sort()
        workers = [w for w, _ in chosen]
        self._last = workers
        return self.batches.batch(workers, [i for _, infos in chosen for i in infos])

    def close(self) -> None:
        """Stop the cycle: every later call fails the closed check."""
        self.closed = True
        self.started = self.is_async = False
        self._last = None
        self._ready = []

    def _wait_all(self) -> Infos:
        ready = self._ready
        try:
            self.backend._wait(None, ready)
        except BaseException:  # Ctrl-C: the workers not heard from still run the command
            self._unsettled = not self.closed
            raise
        self._ready = []
        if len(ready) == 1:
            return ready[0][1]
        ready.sort()
        return [i for _, infos in ready for i in infos]

    def _settle(self) -> None:
        """After an interrupted reset/step: wait for the workers still running its command."""
        if self._unsettled:
            self.backend._wait(None, [])
            self._ready = []
            self._unsettled = False

    def _check_sync(self, method: str) -> None:
        self._check_open(method)
        if self.is_async:
            raise StateError(
                f"{self.backend!r}.{method}: expected no async cycle in flight, found one started by async_reset. "
                "Fix: use either reset/step or async_reset/recv/send on one backend, not both."
            )

    def _check_open(self, method: str) -> None:
        if self.closed:
            raise StateError(
                f"{self.backend!r}.{method}: expected an open backend, found it closed. Fix: build a new one."
            )
