"""A test double of ``envsdk.backends._transport.Transport``: in-process and deterministic.

Worker ``w`` is a ``Serial`` over its rows of one allocated block, as in the real transports.
``post`` only queues a command; ``wait`` runs queued commands one at a time, choosing the next
with ``order`` (default: the oldest first), so a test decides who finishes first. Scripted
faults: workers in ``hang`` never finish (``wait`` fails as a real transport does at its
``step_timeout``: it closes itself and raises ``WorkerError``); ``interrupt_after=n`` raises
``KeyboardInterrupt`` once, after the ``n``-th reply of the next wait (a Ctrl-C while waiting).
``log`` records every command as it runs: ``(command name, worker, seed)``.
"""

from __future__ import annotations

from envsdk.backends import Serial
from envsdk.backends._cycle import WorkerPlan
from envsdk.backends._transport import Command
from envsdk.buffers import allocate
from envsdk.errors import StateError, WorkerError


class InProcess:
    def __init__(self, plan: WorkerPlan, order=None, hang=(), interrupt_after: int | None = None):
        self.buffers = allocate(plan.single_observation_space, plan.single_action_space, plan.num_agents)
        self.closed = False
        self.started = False
        r = plan.rows
        self.workers = [Serial(plan.factory, num_envs=plan.envs_per_worker,
                               buffers=self.buffers.rows(w * r, (w + 1) * r), **plan.config)
                        for w in range(plan.num_workers)]
        self.order = order or (lambda queue: queue[0])
        self.hang = set(hang)
        self.interrupt_after = interrupt_after
        self.queue: list[tuple[int, Command, int | None]] = []  # posted, not yet run
        self.log: list[tuple[str, int, int | None]] = []

    def start(self) -> None:
        self.started = True

    def post(self, command, workers, seeds=()) -> None:
        busy = {w for w, _, _ in self.queue}
        for j, w in enumerate(workers):
            if w in busy:  # the real transports would drop or corrupt a command here
                raise AssertionError(f"worker {w} was posted {command} while busy")
            self.queue.append((w, command, seeds[j] if seeds else None))

    def pending(self) -> int:
        return len(self.queue)

    def wait(self, needed, into) -> None:
        if self.closed:
            raise StateError("InProcess: closed while waiting")
        needed = len(self.queue) if needed is None else needed
        for n in range(needed):
            if self.interrupt_after is not None and n == self.interrupt_after:
                self.interrupt_after = None
                raise KeyboardInterrupt
            runnable = [item for item in self.queue if item[0] not in self.hang]
            if not runnable:
                late = sorted(w for w, _, _ in self.queue)
                self.close()
                raise WorkerError(f"InProcess: worker {late[0]} did not finish within step_timeout=2 s. The backend "
                                  "is closed; build a new one.")
            item = self.order(runnable)
            self.queue.remove(item)
            w, command, seed = item
            env = self.workers[w]
            infos = env.step(env.buffers.actions)[4] if command is Command.STEP else env.reset(seed=seed)[1]
            self.log.append((command.value, w, seed))
            into.append((w, infos))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for env in self.workers:
                env.close()
