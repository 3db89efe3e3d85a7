"""Multiprocessing: env objects in worker processes, writing into ONE shared-memory Buffers.

Each worker runs a ``Serial`` over its row slice of the shared block, so a worker is exactly the
reference backend. The shared body of the worker backends (``_cycle.py``) runs the env API over
this module's transport, ``_Processes``. Per step, a handshake in the same shared block (``_handshake.py``) hands each
worker its command and wakes the parent once the workers it waits for are done; observations,
actions, rewards and flags never leave shared memory, and a worker's pipe carries only its
infos (plain data, ``_plain.py``, on steps that have any, when they overflow the shared area) and
tracebacks. Waiting spins briefly and then sleeps in the kernel; the parent spins only when
there is a core to spare, so it leaves the cores to the workers, and at least every 0.1 s it
looks for a worker that died, for one past ``step_timeout``, and for a ``close()`` from another
thread.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from multiprocessing import connection, get_all_start_methods, get_context
from typing import Any

import numpy as np

from envsdk.backends import _handshake as handshake
from envsdk.backends import _plain as plain
from envsdk.backends._cycle import WorkerCycle, WorkerPlan, plan_workers
from envsdk.backends._factory import factory_name
from envsdk.backends._transport import Command
from envsdk.buffers import Buffers, Layout, SharedBuffers
from envsdk.errors import ConfigError, StateError, WorkerError
from envsdk.protocol import Batch, Env, Infos

_CHECK_EVERY = 0.1  # seconds between the parent's looks for dead, late or closed workers
_CLOSE_GRACE = 2.0  # seconds close() gives each worker to close its envs before it is terminated
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
_COMMANDS = {0: "start-up (import and build its envs)", handshake.STEP: "step", handshake.RESET: "reset"}


class Multiprocessing:
    """Run ``num_envs`` sub-envs of ``factory`` in ``num_workers`` processes, as one env.

    Worker ``w`` owns sub-envs ``[w*k, (w+1)*k)`` (``k = num_envs // num_workers``) and their
    rows of one shared-memory ``Buffers``; it builds them with ``Serial(factory, num_envs=k,
    envs_per_object=..., **config)`` and is reset with ``(seed + w*k) % 2**64``, so outputs are
    bit-identical to ``Serial`` for every ``num_workers`` that divides ``num_envs``.

    ``batch_size`` (sub-envs, a multiple of ``k``, default ``num_envs``) sets how many sub-envs
    ``recv`` returns: the first ``batch_size // k`` workers that are ready. A batch of contiguous
    workers is a view of the shared buffers; any other batch is gathered into a staging copy.

    ``final_observations=True`` gives the buffers (and each batch) ``final_observations``,
    which every worker's envs write (see ``envsdk.Buffers``).

    Buffers are numpy arrays in shared memory: ``device`` must be None, and a factory whose env
    allocates torch tensors (a GPU-native env) is refused, both with ``ConfigError`` naming the
    fix (run it in-process: ``Serial(..., device=...)``). For CPU tensors of a numpy env's
    results, wrap this backend with ``envsdk.compat.to_torch`` (views of the shared memory).

    ``start_method`` is ``"fork"``, ``"spawn"`` or ``"forkserver"`` (default: the platform's).
    With spawn and forkserver the factory and config are pickled, so the factory must be
    importable (a module-level class or function, not a lambda or a class defined in
    ``__main__`` of an interactive session).

    ``step_timeout`` (seconds, default None: wait as long as it takes) bounds each worker's
    ``step`` and ``reset``; ``start_timeout`` (default 120) bounds building the envs. A worker
    that takes longer, dies, raises, or sends infos that are not plain data fails the call with
    ``WorkerError``, and the backend closes itself: workers still busy are killed at once, the
    others close their envs.
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
        step_timeout: float | None = None,
        start_timeout: float = 120.0,
        buffers: Buffers | None = None,
        final_observations: bool = False,
        device=None,
        **config: Any,
    ):
        methods = get_all_start_methods()
        if start_method is not None and start_method not in methods:
            raise ConfigError(
                f"Multiprocessing: expected start_method to be one of {', '.join(map(repr, methods))} or None, "
                f"found {start_method!r}. Fix: pass one of those (None: the platform's default)."
            )
        ctx = get_context(start_method)
        self.start_method = ctx.get_start_method()
        plan = plan_workers("Multiprocessing", factory, num_envs, num_workers, batch_size, step_timeout,
                            start_timeout, buffers, "It allocates its own shared memory, which worker processes "
                            "can map.", config, final_observations, device)
        plan.publish(self)
        self._transport = _Processes(repr(self), plan, ctx, envs_per_object)
        self.buffers = self._transport.buffers
        self._cycle = WorkerCycle(repr(self), "Multiprocessing", self._transport, plan)
        try:
            self._transport.start()
        except BaseException:
            self._cycle.close()
            raise

    # --- the env API: the shared body runs it over the transport --------------------------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every worker (sub-env ``i`` seeded ``(seed + i) % 2**64``) and wait for all of them."""
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
        """Stop every worker (each gets 2 s to close its envs, then it is terminated) and release
        the shared memory. Safe twice; a call waiting in another thread raises ``StateError``."""
        self._cycle.close()

    def __repr__(self) -> str:
        name = factory_name(self.factory)
        return f"Multiprocessing({name}, num_envs={self.num_envs}, num_workers={self.num_workers})"


class _Processes:
    """The transport (``_transport.Transport``): worker processes over one shared-memory block.

    Worker ``w`` runs ``_worker_main``: a ``Serial`` over its rows of the block, serving the
    commands the handshake in the block's extra bytes hands it.
    """

    def __init__(self, name: str, plan: WorkerPlan, ctx, envs_per_object: int | None):
        self.closed = False
        self._name = name  # the backend's repr, for error messages
        self._plan, self._ctx, self._envs_per_object = plan, ctx, envs_per_object
        n = plan.num_workers
        self._step_timeout, self._start_timeout = plan.step_timeout, plan.start_timeout
        self._pending: set[int] = set()   # workers sent a command and not yet heard from
        self._started_at = [0.0] * n  # when each was started, then sent its last command
        self._next_check = 0.0  # when wait next looks for dead, late or closed workers
        # With a core per worker, workers spin; with one to spare, the parent spins too.
        # Otherwise a spinner would take a core from a worker, so it sleeps at once.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self._parent_spin = _PARENT_SPIN if n < cores else 0.0
        self._recv_spin = max(self._parent_spin, _RECV_SPIN)
        self._worker_spin = _WORKER_SPIN if n <= cores else 0.0

        self._layout = Layout.of(plan.single_observation_space, plan.single_action_space, plan.num_agents,
                                 final_observations=plan.final_observations)
        self._shared = SharedBuffers.create(self._layout, extra=handshake.Handshake.nbytes(n))
        self.buffers = self._shared.buffers
        self._handshake = handshake.Handshake(self._shared.extra, n)
        self._procs, self._conns = [], []
        # Whatever happens from here on (an exception, garbage collection, interpreter exit,
        # Ctrl-C), the finalizer stops the workers and unlinks the shared memory.
        self._finalizer = weakref.finalize(self, _shutdown, self._procs, self._conns, self._shared,
                                           self._handshake)

    def start(self) -> None:
        """Start the worker processes and wait until each has built its envs."""
        plan, ctx, rows = self._plan, self._ctx, self._plan.rows
        start_method = ctx.get_start_method()
        # The kernel kills a worker whose parent thread ends (a worker stopped by SIGSTOP cannot run
        # its own watch): under fork and spawn that thread is this one, so only from the main
        # thread, whose end is the process's; under forkserver it is the forkserver's.
        die_with_parent = start_method == "forkserver" or threading.current_thread() is threading.main_thread()
        for w in range(plan.num_workers):
            parent_end, child_end = ctx.Pipe(duplex=True)
            proc = ctx.Process(
                target=_worker_main,
                name=f"envsdk-worker-{w}",
                args=(w, plan.factory, plan.config, plan.envs_per_worker, self._envs_per_object, self._layout,
                      plan.num_workers, self._worker_spin, self._shared.name, (w * rows, (w + 1) * rows), child_end,
                      os.getpid(), start_method, die_with_parent),
                daemon=True,
            )
            proc.start()
            self._started_at[w] = time.monotonic()
            child_end.close()  # only the worker holds it now: its death reads as EOF here
            self._procs.append(proc)
            self._conns.append(parent_end)
        self._pending.update(range(plan.num_workers))  # each says "ready" once its envs are built
        self.wait(None, [])
        # Every worker has mapped the block, so its name has no more use: unlinked now, no end
        # of any process (a SIGKILL, a worker left stopped) can leave it behind in /dev/shm.
        # The memory itself goes with the last process that maps it.
        self._shared.unlink()

    def post(self, command: Command, workers: list[int], seeds=()) -> None:
        """Give each of ``workers`` its next command (``seeds[j]`` for ``workers[j]`` under RESET)."""
        hs, pending, started, now = self._handshake, self._pending, self._started_at, time.monotonic()
        if command is Command.STEP:  # the hot path: no seeds, nothing looked up per worker
            for w in workers:
                started[w] = now
                pending.add(w)  # before the command: an interrupted loop leaves no command unawaited
                hs.command(w, handshake.STEP)
            return
        for w, seed in zip(workers, seeds, strict=True):
            started[w] = now
            pending.add(w)
            hs.command(w, handshake.RESET, seed)

    def pending(self) -> int:
        """How many workers were sent a command and not yet heard from."""
        return len(self._pending)

    def close(self) -> None:
        """Stop every worker and release the shared memory (the finalizer). Safe twice."""
        if self.closed:
            return
        self.closed = True
        self._finalizer()

    def wait(self, needed: int | None, into: list) -> None:
        """Wait until ``needed`` pending workers (all when None) have finished; append
        ``(worker, infos)`` for every one that did to ``into`` as it is heard from (so an
        interrupted wait loses none).

        At least every ``_CHECK_EVERY`` seconds (while it sleeps, and between calls in async
        mode, where other workers may keep it busy) it looks for dead workers, workers past
        their timeout, and a ``close()`` from another thread.
        """
        hs, pending = self._handshake, self._pending
        spin = self._parent_spin if needed is None else self._recv_spin
        needed = len(pending) if needed is None else needed
        now = time.monotonic()
        if now >= self._next_check:  # also while others keep finishing: async recv may never
            self._check(now)          # need to wait for the worker that died
        while True:
            seen = hs.finished_count()  # before looking: a worker that finishes later is counted
            finished = sorted(w for w in pending if hs.done(w))
            for w in finished:
                into.append((w, self._reply(w)))
                pending.discard(w)
            needed -= len(finished)
            if needed <= 0:
                return
            if not hs.wait(seen, needed, spin, _CHECK_EVERY):
                self._check(time.monotonic())

    def _check(self, now: float) -> None:
        """Fail if the backend was closed meanwhile, or a pending worker died or is past its timeout."""
        self._next_check = now + _CHECK_EVERY
        if self.closed:
            self._fail("")  # close() ran in another thread: _fail says so
        self._check_alive()
        for w in self._pending:
            op = self._handshake.op(w)
            limit = self._step_timeout if op else self._start_timeout
            if limit is not None and now - self._started_at[w] > limit and not self._handshake.done(w):
                name = "step_timeout" if op else "start_timeout"
                self._fail(
                    f"worker {w} (pid {self._procs[w].pid}) did not finish {_COMMANDS[op]} within "
                    f"{name}={limit:g} s: it had been running it for {now - self._started_at[w]:.1f} s. "
                    f"Fix: find what blocks the env (a stopped process, a deadlock, a slow step), or raise {name}"
                )

    def _reply(self, w: int) -> Infos:
        """Worker ``w``'s infos for its last command; raise ``WorkerError`` if it failed."""
        hs = self._handshake
        status = hs.status(w)
        if status == handshake.OK:
            return []
        if status == handshake.INFOS:
            data = hs.infos(w)
        else:
            data = self._read_pipe(w)
            if status == handshake.ERROR:
                self._fail(f"worker {w} raised:\n{data.decode(errors='replace')}")
        try:
            return plain.loads(data)
        except Exception as e:  # what plain.dumps wrote always loads: the bytes are not its
            self._fail(f"worker {w} (pid {self._procs[w].pid}) sent infos that are not plain data "
                       f"({type(e).__name__}: {e}). Fix: put only plain data in infos")

    def _read_pipe(self, w: int) -> bytes:
        """The message worker ``w`` sends on its pipe right after finishing: waited for in
        ``_CHECK_EVERY`` slices, between which the backend may be closed, and the worker may die
        (EOF) or be past ``step_timeout`` (stopped between finishing and sending)."""
        conn = self._conns[w]
        while not conn.poll(_CHECK_EVERY):
            elapsed = time.monotonic() - self._started_at[w]
            if self.closed:
                self._fail("")  # close() ran in another thread: _fail says so
            if self._step_timeout is not None and elapsed > self._step_timeout:
                self._fail(f"worker {w} (pid {self._procs[w].pid}) finished {_COMMANDS[self._handshake.op(w)]} but "
                           f"did not send its reply within step_timeout={self._step_timeout:g} s")
        try:
            return conn.recv_bytes()
        except (EOFError, OSError):
            self._fail(self._death_message(w))

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
        """Close the backend, then raise ``WorkerError``: at once, without waiting for the
        workers still busy (they are killed), so a failure surfaces within ``_CHECK_EVERY``."""
        if self.closed:  # close() from another thread, while this call waited for the workers
            raise StateError(
                f"{self._name}: expected an open backend, found it closed by close() while this call waited for its "
                "workers. Fix: close a backend only when no call on it is in flight, and build a new one to go on."
            )
        self.closed = True
        busy = {w for w in self._pending if not self._handshake.done(w)}
        shutdown = self._finalizer.detach()
        if shutdown is not None:
            _, func, args, _ = shutdown
            func(*args, abandon=busy)
        raise WorkerError(f"{self._name}: {message}. The backend is closed; build a new one.")



def _shutdown(procs: list, conns: list, shared: SharedBuffers, hs: handshake.Handshake,
              abandon: set[int] = frozenset()) -> None:
    """Stop workers: kill those in ``abandon`` (busy with a command nobody waits for any more: a
    stopped process only dies that way), ask the others to close their envs, terminate those
    still alive after ``_CLOSE_GRACE``; close the pipes and release the shared memory."""
    for w, proc in enumerate(procs):
        if w in abandon:
            proc.kill()
        elif proc.is_alive():
            hs.command(w, handshake.CLOSE)
    deadline = time.monotonic() + _CLOSE_GRACE
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


def _die_with_parent(start_method: str) -> None:
    """Have the kernel kill this worker when its parent (the backend's process, or the forkserver)
    ends: the one way to end a worker left stopped (SIGSTOP) by a parent that was SIGKILLed."""
    from envsdk.backends._handshake import native

    _, lib = native()

    if start_method == "forkserver":
        # Each child of a forkserver holds a descriptor that keeps the forkserver running until
        # every holder is gone, so a stopped worker would keep alive the very parent whose end
        # must end it. Dropped, the forkserver goes with the backend's process. (This worker
        # never starts processes through that forkserver: one it starts gets a new forkserver.)
        from multiprocessing import forkserver

        server = getattr(forkserver, "_forkserver", None)
        alive = getattr(server, "_forkserver_alive_fd", None)
        if alive is not None:
            os.close(alive)
            server._forkserver_alive_fd = None
    lib.envsdk_die_with_parent()


def _worker_main(w, factory, config, k, envs_per_object, layout, num_workers, spin, shm_name, rows, conn,
                 parent_pid, start_method, die_with_parent) -> None:
    """A worker: build a Serial over rows ``[rows)`` of the shared block, then serve commands."""
    from envsdk.backends.serial import Serial

    # Ctrl-C goes to the whole process group; the parent decides, and closes the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if die_with_parent:
        _die_with_parent(start_method)
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
            seen, op, seed, number = hs.next_command(w, seen, spin, 1.0)
            if not op:
                continue  # no command within the timeout: wait again
            if op == handshake.CLOSE:
                break
            infos = env.step(actions)[4] if op == handshake.STEP else env.reset(seed=seed)[1]
            message = plain.dumps(infos) if infos else None
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
