"""Multiprocessing: env objects in worker processes, writing into ONE shared-memory Buffers.

Each worker runs a ``Serial`` over its row slice of the shared block, so a worker is exactly the
reference backend. Per step, a handshake in the same shared block (``handshake.py``) hands each
worker its command and wakes the parent once the workers it waits for are done; observations,
actions, rewards and flags never leave shared memory, and a worker's pipe carries only its
infos (pickled, on steps that have any) and tracebacks. Waiting spins briefly and then sleeps
in the kernel; the parent spins only when there is a core to spare, so it leaves the cores to
the workers, and while it sleeps it looks every 0.1 s for a worker that died.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from multiprocessing import connection, get_context
from typing import Any

import numpy as np

from envsdk.backends import handshake
from envsdk.backends.batches import WorkerBatches
from envsdk.backends.cycle import WorkerCycle
from envsdk.backends.factory import build, factory_name, positive_int, takes_num_envs
from envsdk.buffers import Buffers, Layout, SharedBuffers
from envsdk.errors import ConfigError, WorkerError
from envsdk.protocol import Batch, Env, Infos

_START_TIMEOUT = 120.0  # seconds a worker may take to import and build its envs
_CHECK_EVERY = 0.1  # seconds between the parent's looks for dead workers while it sleeps
# Waiting spins briefly before sleeping: a wake-up from sleep costs tens of microseconds on a
# virtual machine (idle-state exit, an inter-processor interrupt), a spin keeps the core awake.
# A spinner holds its core, so who spins depends on the cores: with more workers than cores a
# spinning worker would take the core of one still stepping.
_WORKER_SPIN = 100e-6  # a worker waiting for its next command, used only when workers <= cores
_PARENT_SPIN = 100e-6  # the parent waiting for workers, used only when workers < cores
# ... and in async recv whatever the cores: a batch's workers idle until its send, so the parent
# rarely takes a stepping worker's core. Measured on 2 cores, 2 workers, 2048-row batches: async
# cartpole 0.62x -> 0.90x Serial, breakout 1.07x -> 1.30x (100 us: 0.87x, 1.19x); a synchronous
# step is no faster with it (its workers all step), so it keeps to the rule above.
_RECV_SPIN = 20e-6


class Multiprocessing:
    """Run ``num_envs`` sub-envs of ``factory`` in ``num_workers`` processes, as one env.

    Worker ``w`` owns sub-envs ``[w*k, (w+1)*k)`` (``k = num_envs // num_workers``) and their
    rows of one shared-memory ``Buffers``; it builds them with ``Serial(factory, num_envs=k,
    envs_per_object=..., **config)`` and is reset with ``seed + w*k``, so outputs are
    bit-identical to ``Serial`` for every ``num_workers`` that divides ``num_envs``.

    ``batch_size`` (sub-envs, a multiple of ``k``, default ``num_envs``) sets how many sub-envs
    ``recv`` returns: the first ``batch_size // k`` workers that are ready. A batch of contiguous
    workers is a view of the shared buffers; any other batch is gathered into a staging copy.

    ``start_method`` is ``"fork"``, ``"spawn"`` or ``"forkserver"`` (default: the platform's).
    With spawn and forkserver the factory and config are pickled, so the factory must be
    importable (a module-level class or function, not a lambda or a class defined in
    ``__main__`` of an interactive session).
    """

    def __init__(
        self,
        factory: Callable[..., Env] | str,
        num_envs: int = 1,
        *,
        num_workers: int | None = None,
        batch_size: int | None = None,
        envs_per_object: int | None = None,
        start_method: str | None = None,
        buffers: Buffers | None = None,
        **config: Any,
    ):
        from envsdk.registry import resolve

        self._closed = True  # until fully built: close() is then a no-op
        self.factory = resolve(factory)
        self.num_envs = positive_int("Multiprocessing", "num_envs", num_envs)
        self.num_workers = positive_int(
            "Multiprocessing", "num_workers", os.cpu_count() or 1 if num_workers is None else num_workers
        )
        if buffers is not None:
            raise ConfigError(
                "Multiprocessing: expected buffers=None, found buffers. It allocates its own shared "
                "memory, which worker processes can map. Fix: leave buffers unset."
            )
        if self.num_envs % self.num_workers:
            raise ConfigError(
                f"Multiprocessing: expected num_workers to divide num_envs={self.num_envs}, found "
                f"num_workers={self.num_workers}. Fix: pick a divisor of num_envs."
            )
        k = self.num_envs // self.num_workers
        self.envs_per_worker = k
        self.batch_size = (
            self.num_envs if batch_size is None else positive_int("Multiprocessing", "batch_size", batch_size)
        )
        if self.batch_size % k or self.batch_size > self.num_envs:
            raise ConfigError(
                f"Multiprocessing: expected batch_size to be a multiple of the {k} sub-envs per worker and "
                f"at most num_envs={self.num_envs}, found batch_size={self.batch_size}. Fix: pass a "
                f"multiple of {k} (num_envs // num_workers)."
            )

        # A probe object in this process tells the spaces and agent rows per sub-env.
        probe = build(self.factory, {"num_envs": 1, **config} if takes_num_envs(self.factory) else dict(config), None)
        self.single_observation_space = probe.single_observation_space
        self.single_action_space = probe.single_action_space
        agents_per_env = probe.num_agents
        probe.close()
        self.num_agents = agents_per_env * self.num_envs
        rows = agents_per_env * k  # agent rows per worker
        self._rows = rows

        self._pending: set[int] = set()   # workers sent a command and not yet heard from
        self._next_check = 0.0  # when _wait next looks for dead workers
        # With a core per worker, workers spin; with one to spare, the parent spins too.
        # Otherwise a spinner would take a core from a worker, so it sleeps at once.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self._parent_spin = _PARENT_SPIN if self.num_workers < cores else 0.0
        self._recv_spin = max(self._parent_spin, _RECV_SPIN)
        worker_spin = _WORKER_SPIN if self.num_workers <= cores else 0.0

        layout = Layout.of(self.single_observation_space, self.single_action_space, self.num_agents)
        extra = handshake.Handshake.nbytes(self.num_workers)
        self._shared = SharedBuffers.create(layout, extra=extra)
        self.buffers = self._shared.buffers
        self._handshake = handshake.Handshake(self._shared.extra, self.num_workers)
        batches = WorkerBatches(self.buffers, rows, agents_per_env, self.batch_size // k,
                                self.single_observation_space, self.single_action_space)
        self._cycle = WorkerCycle(self, batches, self.num_workers, self.batch_size // k)
        ctx = get_context(start_method)
        self.start_method = ctx.get_start_method()
        self._procs, self._conns = [], []
        # Whatever happens from here on (an exception, garbage collection, interpreter exit,
        # Ctrl-C), the finalizer stops the workers and unlinks the shared memory.
        self._finalizer = weakref.finalize(self, _shutdown, self._procs, self._conns, self._shared,
                                           self._handshake)
        try:
            for w in range(self.num_workers):
                parent_end, child_end = ctx.Pipe(duplex=True)
                proc = ctx.Process(
                    target=_worker_main,
                    name=f"envsdk-worker-{w}",
                    args=(w, self.factory, config, k, envs_per_object, layout, self.num_workers, worker_spin,
                          self._shared.name, (w * rows, (w + 1) * rows), child_end, os.getpid()),
                    daemon=True,
                )
                proc.start()
                child_end.close()  # only the worker holds it now: its death reads as EOF here
                self._procs.append(proc)
                self._conns.append(parent_end)
            self._closed = False
            self._pending.update(range(self.num_workers))  # each says "ready" once its envs are built
            self._wait(None, timeout=_START_TIMEOUT)
        except BaseException:
            self._closed = True
            self._cycle.close()
            self._finalizer()
            raise

    # --- the env API: WorkerCycle runs it over _start_reset, _start_step and _wait ---------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every worker (sub-env ``i`` seeded ``seed + i``) and wait for all of them."""
        return self._cycle.reset(seed)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every worker with ``actions`` (all rows) and wait for all of them."""
        return self._cycle.step(actions)

    def async_reset(self, seed: int | None = None) -> None:
        """Start resetting every worker; ``recv`` returns the batches as they become ready."""
        self._cycle.async_reset(seed)

    def send(self, actions: np.ndarray) -> None:
        """Step the workers of the last batch ``recv`` returned, with ``actions`` for its rows."""
        self._cycle.send(actions)

    def recv(self) -> Batch:
        """Wait for the first ``batch_size // k`` workers that are ready and return their rows."""
        return self._cycle.recv()

    def close(self) -> None:
        """Stop every worker (join, then terminate stragglers), unlink the shared memory. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self._cycle.close()  # every later call now stops at the closed check
        self._finalizer()

    # --- internals -------------------------------------------------------------------------

    def _start_reset(self, seed: int | None) -> None:
        k = self.envs_per_worker
        for w in range(self.num_workers):
            self._handshake.command(w, handshake.RESET, None if seed is None else seed + w * k)
        self._pending.update(range(self.num_workers))

    def _start_step(self, workers: list[int]) -> None:
        for w in workers:
            self._handshake.command(w, handshake.STEP)
        self._pending.update(workers)

    def _wait(self, needed: int | None, timeout: float | None = None) -> list[tuple[int, Infos]]:
        """Wait until ``needed`` pending workers (all when None) have finished; return all that did.

        While it sleeps, and at least every ``_CHECK_EVERY`` seconds in any case, it looks for
        dead workers, so a worker that dies is reported within that time rather than waited for.
        ``timeout`` (start-up only) fails the backend if the workers take longer.
        """
        hs, pending = self._handshake, self._pending
        all_of_them = needed is None  # reset/step; else async recv, waiting for the first ready
        needed = len(pending) if all_of_them else needed
        deadline = None if timeout is None else time.monotonic() + timeout
        now = time.monotonic()
        if now >= self._next_check:  # also while others keep finishing: async recv may never
            self._next_check = now + _CHECK_EVERY  # need to wait for the worker that died
            self._check_alive()
        ready = []
        while True:
            seen = hs.finished_count()  # before looking: a worker that finishes later is counted
            finished = sorted(w for w in pending if hs.done(w))
            for w in finished:
                pending.discard(w)
                ready.append((w, self._reply(w)))
            needed -= len(finished)
            if needed <= 0:
                return ready
            wait = _CHECK_EVERY if deadline is None else min(_CHECK_EVERY, deadline - time.monotonic())
            if wait <= 0:
                self._fail(f"workers {sorted(pending)} did not start within {timeout:.0f} s")
            if not hs.wait(seen, needed, self._parent_spin if all_of_them else self._recv_spin, wait):
                self._check_alive()

    def _reply(self, w: int) -> Infos:
        """Worker ``w``'s infos for its last command; raise ``WorkerError`` if it failed."""
        status = self._handshake.status(w)
        if status == handshake.OK:
            return []
        if status == handshake.INFOS:
            return pickle.loads(self._handshake.infos(w))
        try:
            message = self._conns[w].recv_bytes()  # the worker sends it right after finishing
        except (EOFError, OSError):
            self._fail(self._death_message(w))
        if status == handshake.ERROR:
            self._fail(f"worker {w} raised:\n{message.decode(errors='replace')}")
        return pickle.loads(message)

    def _check_alive(self) -> None:
        """Fail if a pending worker's process ended (its sentinel is ready)."""
        sentinels = {self._procs[w].sentinel: w for w in self._pending}
        for obj in connection.wait(list(sentinels), 0):
            w = sentinels[obj]
            if self._handshake.done(w):  # it finished its command just before it ended
                continue
            try:  # a worker that failed before it could use the handshake said why on its pipe
                message = self._conns[w].recv_bytes() if self._conns[w].poll() else None
            except (EOFError, OSError):
                message = None
            if message:
                self._fail(f"worker {w} raised:\n{message.decode(errors='replace')}")
            self._fail(self._death_message(w))

    def _death_message(self, w: int) -> str:
        proc = self._procs[w]
        proc.join(1.0)
        code = proc.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return f"worker {w} (pid {proc.pid}) died: {how}"

    def _fail(self, message: str) -> None:
        self.close()
        raise WorkerError(f"{self!r}: {message}. The backend is closed; build a new one.")

    def __repr__(self) -> str:
        name = factory_name(self.factory)
        return f"Multiprocessing({name}, num_envs={self.num_envs}, num_workers={self.num_workers})"


def _shutdown(procs: list, conns: list, shared: SharedBuffers, hs: handshake.Handshake) -> None:
    """Stop workers politely, then by force; close pipes; unlink the shared memory."""
    for w, proc in enumerate(procs):
        if proc.is_alive():
            hs.command(w, handshake.CLOSE)
    deadline = time.monotonic() + 2.0
    for proc in procs:
        proc.join(max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
            proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join()
    for conn in conns:
        conn.close()
    shared.close()
    shared.unlink()


def _watch_parent(parent_pid: int) -> None:
    """Exit this worker if the backend's process disappears without closing it (e.g. SIGKILL).

    The worker's own parent is the backend's process under fork and spawn, and the forkserver
    (which exits with the backend's process) under forkserver: either way it changes when the
    backend's process is gone. The backend's pid is checked too, for a backend gone before
    this thread started.
    """
    own_parent = os.getppid()
    while True:
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # it exists (the pid was reused by another user's process)
            pass
        if os.getppid() != own_parent:
            os._exit(0)
        time.sleep(1.0)


def _worker_main(w, factory, config, k, envs_per_object, layout, num_workers, spin, shm_name, rows, conn,
                 parent_pid) -> None:
    """A worker: build a Serial over rows ``[rows)`` of the shared block, then serve commands."""
    from envsdk.backends.serial import Serial

    # Ctrl-C goes to the whole process group; the parent decides, and closes the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    shared = env = hs = None
    number = 1  # the command being served; 1 is "build your envs"
    try:
        shared = SharedBuffers.attach(shm_name, layout, extra=handshake.Handshake.nbytes(num_workers))
        hs = handshake.Handshake(shared.extra, num_workers)
        env = Serial(factory, num_envs=k, envs_per_object=envs_per_object,
                     buffers=shared.buffers.rows(*rows), **config)
        actions = env.buffers.actions
        hs.finish(w, number)
        seen = 0
        while True:
            seen, op, seed = hs.next_command(w, seen, spin, 1.0)
            if not op:
                continue  # no command within the timeout: wait again
            if op == handshake.CLOSE:
                break
            number += 1
            infos = env.step(actions)[4] if op == handshake.STEP else env.reset(seed=seed)[1]
            message = pickle.dumps(infos) if infos else None
            if hs.finish(w, number, message):  # too large for the shared area: the pipe. Sent
                conn.send_bytes(message)        # after finishing, so it cannot deadlock a full pipe
    except BaseException:
        try:
            if hs is not None:
                hs.finish(w, number, failed=True)
            # Without a handshake (the shared block could not be mapped) the parent finds the
            # traceback on the pipe once it sees this process end.
            conn.send_bytes(traceback.format_exc().encode())
        except OSError:
            pass
    finally:
        if env is not None:
            env.close()
        hs = None  # its views pin the mapping
        if shared is not None:
            shared.close()
        conn.close()
