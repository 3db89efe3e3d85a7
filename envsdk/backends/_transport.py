"""The interface a worker backend's transport implements: how commands reach workers and replies come back.

A worker backend (Multiprocessing, Ray) is one shared body (``_cycle.py``: validation, the probe
env, the batches, the reset/step/send/recv state machine) over a transport, in httpx's mould: the
body decides what to run and when; the transport only moves commands and replies. Worker ``w``
owns agent rows ``[w*r, (w+1)*r)`` of the transport's ``buffers``; a command reads its actions
from those rows and its reply lands in them. The two transports are processes over one
shared-memory block (``multiprocessing.py``) and Ray actors (``ray.py``); the tests hold an
in-process double (``tests/transport_double.py``).

Errors: a transport that finds a worker failed, dead or past its timeout closes itself (its
``closed`` turns True) and raises ``WorkerError``; one closed by ``close()`` from another thread
while it waited raises ``StateError``. Either way the body then counts the backend as closed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

from envsdk.buffers import Buffers
from envsdk.protocol import Infos


class Command(enum.Enum):
    """What ``Transport.post`` asks workers to run."""

    RESET = "reset"  # reset the worker's envs with its seed
    STEP = "step"  # step the worker's envs on the actions in its rows


class Transport(Protocol):
    """Moves commands to a backend's workers and their replies back. Not thread-safe, but
    ``close`` may be called from another thread while ``wait`` runs (``wait`` then raises
    ``StateError`` within a bounded time)."""

    buffers: Buffers
    """Every worker's rows, in one block: what the backend returns and what batches view."""

    closed: bool
    """True once ``close`` ran or a failure closed the transport; every later call is refused
    by the body before it reaches the transport."""

    def start(self) -> None:
        """Start every worker and wait until each has built its envs (bounded by the backend's
        ``start_timeout``); ``WorkerError`` naming the worker that could not."""
        ...

    def post(self, command: Command, workers: Sequence[int], seeds: Sequence[int | None] = ()) -> None:
        """Start ``command`` in each of ``workers`` without waiting (``seeds[j]`` for
        ``workers[j]`` under RESET). The body posts only to workers that finished their last
        command."""
        ...

    def pending(self) -> int:
        """How many workers were posted a command and have not been heard from."""
        ...

    def wait(self, needed: int | None, into: list[tuple[int, Infos]]) -> None:
        """Wait until ``needed`` pending workers (all of them when None) have finished; append
        ``(worker, infos)`` to ``into`` for every one heard from, as it is heard from (so a wait
        interrupted by Ctrl-C loses no reply). Every wait is bounded by the backend's
        ``step_timeout`` when it has one, and looks for dead workers and a ``close()`` at least
        every 0.1 s."""
        ...

    def close(self) -> None:
        """Stop every worker (busy ones at once) and release what the transport holds. Safe
        twice, and from another thread."""
        ...
