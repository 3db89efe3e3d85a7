"""Multiprocessing: env objects in worker processes, writing into ONE shared-memory Buffers.

Each worker runs a ``Serial`` over its row slice of the shared block, so a worker is exactly the
reference backend. Per step, pipes carry a one-byte command to each worker and back an
acknowledgement with the worker's infos (pickled only when there are any); observations,
actions, rewards and flags never leave shared memory. The parent never spins: it blocks in
``multiprocessing.connection.wait`` on the workers' pipes and process sentinels, so it leaves the
cores to the workers and notices a dead worker at once.
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

from envsdk.backends.batches import WorkerBatches
from envsdk.backends.factory import build, factory_name, positive_int, takes_num_envs
from envsdk.buffers import Buffers, Layout, SharedBuffers, copy_actions
from envsdk.errors import ConfigError, StateError, WorkerError
from envsdk.protocol import Batch, Env, Infos

_STEP, _RESET, _CLOSE = b"s", b"r", b"c"  # parent -> worker commands
_OK, _ERROR = b"o", b"e"                  # worker -> parent replies
_START_TIMEOUT = 120.0  # seconds a worker may take to import and build its envs
# Waiting spins briefly before blocking: a blocking wake-up on an idle core costs tens of
# microseconds (idle-state exit), a spin keeps the core awake. Each spin iteration yields the
# core (sched_yield), so a spinner steps aside when another process is runnable on its core.
_WORKER_SPIN = 100e-6  # a worker waiting for its next command
_PARENT_SPIN = 100e-6  # the parent waiting for replies, used only when workers < cores


def _spin(conns, seconds: float) -> bool:
    """Poll ``conns`` without blocking for up to ``seconds``; True once any is readable."""
    if seconds <= 0:
        return False
    end = time.perf_counter() + seconds
    while True:
        for conn in conns:
            if conn.poll(0):
                return True
        if time.perf_counter() > end:
            return False
        os.sched_yield()


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
        self._ready: list[tuple[int, Infos]] = []  # heard from, not yet returned by recv
        self._last: list[int] | None = None  # workers of the last batch recv returned
        self._async = False
        self._started = False
        self._workers_per_batch = self.batch_size // k
        self._all = list(range(self.num_workers))
        # With a core per worker and one to spare, the parent spins too; otherwise spinning would
        # take a core from a worker, so it blocks and leaves the cores to them.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self._parent_spin = _PARENT_SPIN if self.num_workers < cores else 0.0

        layout = Layout.of(self.single_observation_space, self.single_action_space, self.num_agents)
        self._shared = SharedBuffers.create(layout)
        self.buffers = self._shared.buffers
        ctx = get_context(start_method)
        self.start_method = ctx.get_start_method()
        self._procs, self._conns = [], []
        # Whatever happens from here on (an exception, garbage collection, interpreter exit,
        # Ctrl-C), the finalizer stops the workers and unlinks the shared memory.
        self._finalizer = weakref.finalize(self, _shutdown, self._procs, self._conns, self._shared)
        try:
            for w in range(self.num_workers):
                parent_end, child_end = ctx.Pipe(duplex=True)
                proc = ctx.Process(
                    target=_worker_main,
                    name=f"envsdk-worker-{w}",
                    args=(w, self.factory, config, k, envs_per_object, layout, self._shared.name,
                          (w * rows, (w + 1) * rows), child_end, os.getpid()),
                    daemon=True,
                )
                proc.start()
                child_end.close()  # only the worker holds it now: its death reads as EOF here
                self._procs.append(proc)
                self._conns.append(parent_end)
            self._closed = False
            self._pending.update(self._all)  # each worker says "ready" once its envs are built
            self._wait_all(timeout=_START_TIMEOUT, what="start")
        except BaseException:
            self._closed = True
            self._finalizer()
            raise

        b = self.buffers
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)
        self._batches = WorkerBatches(b, rows, agents_per_env, self._workers_per_batch,
                                      self.single_observation_space, self.single_action_space)

    # --- synchronous API ------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every worker (sub-env ``i`` seeded ``seed + i``) and wait for all of them."""
        self._check_sync("reset")
        self._command_all_reset(seed)
        infos = self._wait_all()
        self._started = True
        return self.buffers.observations, infos

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every worker with ``actions`` (all rows) and wait for all of them."""
        if not self._started or self._async:
            self._check_sync("step")
            if not self._started:
                raise StateError(f"{self!r}.step: expected reset() first, found none. Fix: call reset(seed=...).")
        if actions is not self.buffers.actions:
            copy_actions(self.buffers.actions, actions, "Multiprocessing.step")
        self._send_to(self._all, _STEP)
        return (*self._results, self._wait_all())

    # --- asynchronous API -----------------------------------------------------------------

    def async_reset(self, seed: int | None = None) -> None:
        """Start resetting every worker; ``recv`` returns the batches as they become ready."""
        self._check_sync("async_reset")
        self._command_all_reset(seed)
        self._async = True
        self._started = True
        self._last = None

    def send(self, actions: np.ndarray) -> None:
        """Step the workers of the last batch ``recv`` returned, with ``actions`` for its rows."""
        if self._last is None:
            self._check_open("send")
            raise StateError(
                f"{self!r}.send: expected recv() to have returned a batch first, found none. Fix: call "
                "async_reset(seed), then alternate recv() and send()."
            )
        workers, self._last = self._last, None
        self._batches.write_actions(workers, actions, "Multiprocessing.send")
        self._send_to(workers, _STEP)

    def recv(self) -> Batch:
        """Wait for the first ``batch_size // k`` workers that are ready and return their rows."""
        if not self._async:
            self._check_open("recv")
            raise StateError(f"{self!r}.recv: expected async_reset() first, found none. Fix: call async_reset(seed).")
        if self._last is not None:
            raise StateError(
                f"{self!r}.recv: expected send() for the previous batch first, found it unanswered. Fix: "
                "alternate recv() and send()."
            )
        while len(self._ready) < self._workers_per_batch:
            self._collect(block=True)
        chosen, self._ready = self._ready[: self._workers_per_batch], self._ready[self._workers_per_batch:]
        workers = sorted(w for w, _ in chosen)
        infos = [i for _, infos in sorted(chosen) for i in infos]
        self._last = workers
        return self._batches.batch(workers, infos)

    def close(self) -> None:
        """Stop every worker (join, then terminate stragglers), unlink the shared memory. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self._started = self._async = False  # every later call now stops at the closed check
        self._last = None
        self._finalizer()

    # --- internals -------------------------------------------------------------------------

    def _command_all_reset(self, seed: int | None) -> None:
        k = self.envs_per_worker
        for w, conn in enumerate(self._conns):
            arg = b"" if seed is None else str(seed + w * k).encode()
            self._send(w, conn, _RESET + arg)
        self._pending.update(self._all)

    def _send_to(self, workers: list[int], command: bytes) -> None:
        for w in workers:
            self._send(w, self._conns[w], command)
        self._pending.update(workers)

    def _send(self, w: int, conn, message: bytes) -> None:
        try:
            conn.send_bytes(message)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self._fail(self._death_message(w))

    def _wait_all(self, timeout: float | None = None, what: str = "step") -> Infos:
        """Collect every pending worker; return their infos in worker order.

        Without a timeout this blocks on each worker's pipe in turn: the cheapest wait there is
        (one syscall per worker), and a worker that dies closes its end, which reads as EOF at
        once. With a timeout (start-up) it waits on pipes and process sentinels together.
        """
        if timeout is None and not self._ready:
            infos: Infos = []
            for w in sorted(self._pending):
                infos.extend(self._reply(w))
            self._pending.clear()
            return infos
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._pending:
            if not self._collect(block=True, deadline=deadline):
                self._fail(f"workers {sorted(self._pending)} did not {what} within {timeout:.0f} s")
        ready, self._ready = sorted(self._ready), []
        return [i for _, infos in ready for i in infos]

    def _reply(self, w: int) -> Infos:
        """Read worker ``w``'s reply to its last command; raise ``WorkerError`` if it failed."""
        conn = self._conns[w]
        try:
            _spin((conn,), self._parent_spin)
            reply = conn.recv_bytes()
        except (EOFError, OSError):
            self._fail(self._death_message(w))
        if reply[:1] == _ERROR:
            self._fail(f"worker {w} raised:\n{reply[1:].decode(errors='replace')}")
        return pickle.loads(reply[1:]) if len(reply) > 1 else []

    def _collect(self, block: bool, deadline: float | None = None) -> bool:
        """Read every reply that is ready (waiting for at least one if ``block``)."""
        pending = self._pending
        conns = [self._conns[w] for w in pending]
        if block and _spin(conns, self._parent_spin):
            block = False  # something is readable already: no need to sleep in wait()
        sentinels = {self._procs[w].sentinel: w for w in pending}
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready = connection.wait(conns + list(sentinels), timeout if block else 0)
        if not ready:
            return False
        for obj in ready:
            if obj in sentinels:  # the process ended; its pipe may still hold a last message
                w = sentinels[obj]
                if w in pending and not self._conns[w].poll():
                    self._fail(self._death_message(w))
                continue
            w = self._conns.index(obj)
            if w in pending:
                self._ready.append((w, self._reply(w)))
                pending.discard(w)
        return True

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

    def _check_sync(self, method: str) -> None:
        self._check_open(method)
        if self._async:
            raise StateError(
                f"{self!r}.{method}: expected no async cycle in flight, found one started by async_reset. "
                "Fix: use either reset/step or async_reset/recv/send on one backend, not both."
            )

    def _check_open(self, method: str) -> None:
        if self._closed:
            raise StateError(f"{self!r}.{method}: expected an open backend, found it closed. Fix: build a new one.")

    def __repr__(self) -> str:
        name = factory_name(self.factory)
        return f"Multiprocessing({name}, num_envs={self.num_envs}, num_workers={self.num_workers})"


def _shutdown(procs: list, conns: list, shared: SharedBuffers) -> None:
    """Stop workers politely, then by force; close pipes; unlink the shared memory."""
    for conn in conns:
        try:
            conn.send_bytes(_CLOSE)
        except OSError:
            pass
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
    """Exit this worker if the parent disappears without closing it (e.g. SIGKILL)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            os._exit(0)


def _worker_main(w, factory, config, k, envs_per_object, layout, shm_name, rows, conn, parent_pid) -> None:
    """A worker: build a Serial over rows ``[rows)`` of the shared block, then serve commands."""
    from envsdk.backends.serial import Serial

    # Ctrl-C goes to the whole process group; the parent decides, and closes the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    shared = env = None
    try:
        shared = SharedBuffers.attach(shm_name, layout)
        env = Serial(factory, num_envs=k, envs_per_object=envs_per_object,
                     buffers=shared.buffers.rows(*rows), **config)
        actions = env.buffers.actions
        recv, send = conn.recv_bytes, conn.send_bytes
        send(_OK)
        while True:
            try:
                _spin((conn,), _WORKER_SPIN)
                message = recv()
            except EOFError:  # the parent is gone
                break
            command = message[:1]
            if command == _STEP:
                infos = env.step(actions)[4]
            elif command == _RESET:
                infos = env.reset(seed=int(message[1:]) if len(message) > 1 else None)[1]
            else:
                break
            send(_OK + pickle.dumps(infos) if infos else _OK)
    except BaseException:
        try:
            conn.send_bytes(_ERROR + traceback.format_exc().encode())
        except OSError:
            pass
    finally:
        if env is not None:
            env.close()
        if shared is not None:
            shared.close()
        conn.close()
