"""Ray: env objects in Ray actors, on one machine or a cluster; batches move through Ray.

Each actor runs a ``Serial`` over ``k`` sub-envs on buffers allocated inside the actor, so an
actor is exactly the reference backend. Per step the driver sends each actor its rows of
actions as a task argument; the actor steps and returns ``(observations, rewards, terminals,
truncations, masks, infos)``. Ray serializes numpy arrays out of band, so ``ray.get`` on the
driver reads them without a copy (read-only views of Ray's object store, or of the inlined reply
for small results); the driver then copies each field once into its own contiguous ``Buffers``
(``np.copyto``, one per field per actor). Those driver buffers are what ``step`` returns and what
a contiguous ``Batch`` views, so the env contract (results are the buffers, same memory every
step) holds exactly as for Serial.

The shared body of the worker backends (``_cycle.py``) runs the env API over this module's
transport, ``_Actors``. Infos cross as plain data only (``_plain.py``), as under
Multiprocessing, so an env runs the same under both. Ray is imported only when a ``Ray`` backend
is built (``pip install 'ray>=2.9'``, or ``pip install '.[ray]'`` from an envsdk checkout).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from envsdk.backends import _plain as plain
from envsdk.backends._cycle import WorkerCycle, WorkerPlan, plan_workers
from envsdk.backends._factory import factory_name
from envsdk.backends._transport import Command
from envsdk.buffers import Buffers, allocate
from envsdk.errors import ConfigError, StateError, WorkerError, require
from envsdk.protocol import BATCH_ARRAYS, OPTIONAL_BUFFER_FIELDS, Batch, Env, Infos

_CLOSE_GRACE = 2.0  # seconds the actors get to close their envs before they are killed
_CHECK_EVERY = 0.1  # seconds between looks for actors past step_timeout and for a close()


class _Worker:
    """The actor body: a ``Serial`` over ``k`` sub-envs on buffers of its own."""

    def __init__(self, factory, config: dict, k: int, envs_per_object: int | None, final_observations: bool):
        from envsdk.backends.serial import Serial

        self.env = Serial(factory, num_envs=k, envs_per_object=envs_per_object,
                          final_observations=final_observations, **config)
        b = self.env.buffers
        self.results = tuple(getattr(b, f) for f in _result_fields(b))

    def ready(self) -> tuple[int, str]:
        """Where the actor runs: its process id and Ray node id."""
        import ray

        return os.getpid(), ray.get_runtime_context().get_node_id()

    def reset(self, seed: int | None):
        infos = self.env.reset(seed=seed)[1]
        return (*self.results, plain.dumps(infos) if infos else None)

    def step(self, actions: np.ndarray):
        infos = self.env.step(actions)[4]
        return (*self.results, plain.dumps(infos) if infos else None)

    def close(self) -> None:
        self.env.close()


def _result_fields(buffers: Buffers) -> tuple[str, ...]:
    """The arrays an actor sends back after each command: a batch's, then final_observations if present."""
    return BATCH_ARRAYS + tuple(f for f in OPTIONAL_BUFFER_FIELDS if getattr(buffers, f) is not None)


def _init_ray(ray, address: str | None, init: dict) -> None:
    """``ray.init``; a local instance (``address`` None) listens on 127.0.0.1 only.

    Ray binds its servers (GCS, raylet, object manager, workers) to the node's address, which it
    takes to be the machine's outward address, since it refuses 127.0.0.1 for ``_node_ip_address``
    unless clusters are off, as they are by default on macOS and Windows (``ray_constants``'
    ``ENABLE_RAY_CLUSTER``). A backend that starts Ray for itself has no other node to serve, so
    it turns clusters off for that one call. A caller's own ``_node_ip_address`` wins.
    """
    constants = getattr(getattr(ray, "_private", None), "ray_constants", None)
    local = address is None and "_node_ip_address" not in init and hasattr(constants, "ENABLE_RAY_CLUSTER")
    if not local:
        ray.init(address=address, **init)
        return
    saved = constants.ENABLE_RAY_CLUSTER
    constants.ENABLE_RAY_CLUSTER = False
    try:
        ray.init(address=address, **init)
    finally:
        constants.ENABLE_RAY_CLUSTER = saved


def _import_ray():
    return require("ray", "ray", "envsdk.backends.Ray")


def _with_this_envsdk(options: dict) -> dict:
    """``options`` for the actors, telling them to import this driver's envsdk when Ray would not.

    Ray puts the driver's working directory first on its workers' sys.path. At the root of an
    envsdk checkout that is the checkout's ``envsdk/`` folder, unbuilt unless installed with
    ``-e``: the actors would import it instead of the envsdk this driver runs. ``ENVSDK_PACKAGE``
    in their environment makes that folder load this driver's envsdk instead (``envsdk/__init__``).
    Elsewhere the options are left as they are (a runtime_env costs the actors their start).
    """
    import envsdk

    here = os.path.dirname(os.path.realpath(envsdk.__file__))
    found = os.path.realpath(os.path.join(os.getcwd(), "envsdk"))
    if found == here or not os.path.isfile(os.path.join(found, "__init__.py")):
        return options
    runtime_env = dict(options.get("runtime_env") or {})
    runtime_env["env_vars"] = {**runtime_env.get("env_vars", {}), envsdk.PACKAGE_ENV: here}
    return {**options, "runtime_env": runtime_env}

class Ray:
    """Run ``num_envs`` sub-envs of ``factory`` in ``num_workers`` Ray actors, as one env.

    Actor ``w`` owns sub-envs ``[w*k, (w+1)*k)`` (``k = num_envs // num_workers``), builds them
    with ``Serial(factory, num_envs=k, envs_per_object=..., **config)`` and is reset with
    ``(seed + w*k) % 2**64``, so outputs are bit-identical to ``Serial`` for every
    ``num_workers`` that divides ``num_envs``.

    ``batch_size`` (sub-envs, a multiple of ``k``, default ``num_envs``) sets how many sub-envs
    ``recv`` returns: the first ``batch_size // k`` actors whose results are ready
    (``ray.wait``). A batch of contiguous actors is a view of the driver's buffers; any other
    batch is gathered into a staging copy.

    ``final_observations=True`` gives the buffers (and each batch) ``final_observations``,
    which every worker's envs write (see ``envsdk.Buffers``).

    Buffers are numpy arrays on the driver's host: ``device`` must be None, and a factory whose
    env allocates torch tensors (a GPU-native env) is refused, both with ``ConfigError`` naming
    the fix (run it in-process: ``Serial(..., device=...)``).

    Ray: if it is not initialized, ``ray.init(address=address, **ray_init)`` is called (a local
    instance when ``address`` is None, bound to 127.0.0.1 only; ``address="auto"`` or
    ``"ray://host:10001"`` joins an existing cluster), and ``close`` shuts it down again. If Ray
    was already initialized, the backend uses that session and leaves it running. ``actor_options`` go to
    ``ray.remote(...).options`` (default ``{"num_cpus": 1}``: one CPU per actor, so the
    cluster needs ``num_workers`` free CPUs). The factory and config are pickled to the actors,
    so the factory must be importable on every node (or defined in the driver's script).

    ``step_timeout`` (seconds, default None: wait as long as it takes) bounds each actor's
    ``step`` and ``reset``; ``start_timeout`` (default 120) bounds scheduling the actors and
    building their envs. An actor that takes longer, dies, or raises fails the call with
    ``WorkerError``, and the backend closes itself: actors still busy are killed at once, the
    others close their envs first.
    """

    def __init__(
        self,
        factory: Callable[..., Env] | str,
        num_envs: int = 1,
        *,
        num_workers: int | None = None,
        batch_size: int | None = None,
        envs_per_object: int | None = None,
        address: str | None = None,
        ray_init: dict | None = None,
        actor_options: dict | None = None,
        step_timeout: float | None = None,
        start_timeout: float = 120.0,
        buffers: Buffers | None = None,
        final_observations: bool = False,
        device=None,
        **config: Any,
    ):
        plan = plan_workers("Ray", factory, num_envs, num_workers, batch_size, step_timeout, start_timeout, buffers,
                            "Results arrive from remote actors and are copied into buffers the backend allocates.",
                            config, final_observations, device)
        plan.publish(self)
        options = _with_this_envsdk({"num_cpus": 1} if actor_options is None else dict(actor_options))
        self._transport = _Actors(repr(self), plan, envs_per_object, address, ray_init, options)
        b = self.buffers = self._transport.buffers
        self._cycle = WorkerCycle(repr(self), "Ray", self._transport, plan)
        row_bytes = lambda f: getattr(b, f).nbytes // self.num_agents  # noqa: E731
        self.payload_bytes_per_step = {
            "actions": b.actions.nbytes,
            "results": sum(getattr(b, f).nbytes for f in _result_fields(b)),
            "per_agent_row": row_bytes("actions") + sum(row_bytes(f) for f in _result_fields(b)),
        }
        """Bytes moved through Ray per full step (all rows): actions in, results out."""
        try:
            self._transport.start()
        except BaseException:
            self._cycle.close()
            raise

    # --- the env API: the shared body runs it over the transport --------------------------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every actor (sub-env ``i`` seeded ``(seed + i) % 2**64``) and wait for all of them."""
        return self._cycle.reset(seed)

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every actor with ``actions`` (all rows) and wait for all of them."""
        return self._cycle.step(actions)

    def async_reset(self, seed: int | None = None) -> None:
        """Start resetting every actor; ``recv`` returns the batches as they become ready."""
        self._cycle.async_reset(seed)

    def send(self, actions: np.ndarray) -> None:
        """Step the actors of the last batch ``recv`` returned, with ``actions`` for its rows."""
        self._cycle.send(actions)

    def recv(self) -> Batch:
        """Wait for the first ``batch_size // k`` actors whose results are ready and return their rows."""
        return self._cycle.recv()

    def close(self) -> None:
        """Close the actors' envs, kill the actors, and shut Ray down if this backend started it.

        Safe to call twice; a call waiting in another thread raises ``StateError``.
        """
        self._cycle.close()

    def __repr__(self) -> str:
        return f"Ray({factory_name(self.factory)}, num_envs={self.num_envs}, num_workers={self.num_workers})"


class _Actors:
    """The transport (``_transport.Transport``): one Ray actor (``_Worker``) per worker; each reply
    is copied into the worker's rows of buffers allocated here, in the driver."""

    def __init__(self, name: str, plan: WorkerPlan, envs_per_object: int | None, address: str | None,
                 ray_init: dict | None, options: dict):
        self.closed = False
        self._name = name  # the backend's repr, for error messages
        self._plan, self._envs_per_object = plan, envs_per_object
        self._address, self._ray_init, self._options = address, ray_init, options
        self._step_timeout, self._start_timeout = plan.step_timeout, plan.start_timeout
        n, rows = plan.num_workers, plan.rows
        self.buffers = b = allocate(plan.single_observation_space, plan.single_action_space, plan.num_agents,
                                    final_observations=plan.final_observations)
        self._worker_fields = [tuple(getattr(b, f)[w * rows:(w + 1) * rows] for f in _result_fields(b))
                               for w in range(n)]
        self._worker_actions = [b.actions[w * rows:(w + 1) * rows] for w in range(n)]
        self._ray = None  # imported by start
        self._started_ray = False
        self._actors: list = []
        self._pending: dict = {}  # object ref -> worker, sent and not yet collected
        self._started_at = [0.0] * n  # when each actor was sent its last task
        self._running = ["start-up (scheduling, import and build its envs)"] * n
        self._pids = [None] * n
        self._local = [False] * n  # on this machine: a stopped actor can be killed here

    def start(self) -> None:
        """Import and (if needed) start Ray, start the actors, and wait until each has built its envs."""
        plan, options = self._plan, self._options
        ray = self._ray = _import_ray()
        self._exceptions = ray.exceptions
        if not ray.is_initialized():
            _init_ray(ray, self._address, {"include_dashboard": False, **(self._ray_init or {})})
            self._started_ray = True
        needed = options.get("num_cpus", 1) * plan.num_workers
        total = ray.cluster_resources().get("CPU", 0)
        if needed > total:
            raise ConfigError(
                f"Ray: expected the cluster to have {needed} CPUs for {plan.num_workers} actors of "
                f"num_cpus={options.get('num_cpus', 1)}, found {total}. Fix: fewer num_workers, or "
                "actor_options={'num_cpus': 0.5} (or 0) to pack several actors per CPU."
            )
        remote = ray.remote(_Worker).options(**options)
        args = (plan.factory, plan.config, plan.envs_per_worker, self._envs_per_object, plan.final_observations)
        self._actors = [remote.remote(*args) for _ in range(plan.num_workers)]
        self._started_at = [time.monotonic()] * plan.num_workers
        self._pending.update({a.ready.remote(): w for w, a in enumerate(self._actors)})
        deadline = time.monotonic() + self._start_timeout
        while self._pending:  # one at a time, so that an actor that failed is reported at once
            left = deadline - time.monotonic()
            done, _ = ray.wait(list(self._pending), num_returns=1, timeout=max(0.0, left))
            if not done:
                self._fail(
                    f"workers {sorted(self._pending.values())} did not start within start_timeout="
                    f"{self._start_timeout:g} s. Fix: free resources in the cluster (are {needed} CPUs "
                    "free?), or raise start_timeout"
                )
            w = self._pending.pop(done[0])
            self._pids[w], node = self._get(done[0], w)
            self._local[w] = node == ray.get_runtime_context().get_node_id()

    def post(self, command: Command, workers: list[int], seeds=()) -> None:
        """Send each of ``workers`` its task (``seeds[j]`` for ``workers[j]`` under RESET)."""
        actors, pending, started, running = self._actors, self._pending, self._started_at, self._running
        now, name = time.monotonic(), command.value
        for j, w in enumerate(workers):
            started[w], running[w] = now, name
            if command is Command.STEP:
                pending[actors[w].step.remote(self._worker_actions[w])] = w
            else:
                pending[actors[w].reset.remote(seeds[j])] = w

    def pending(self) -> int:
        """How many actors were sent a task whose reply was not yet collected."""
        return len(self._pending)

    def close(self) -> None:
        """Close the actors' envs, kill the actors, and shut Ray down if this backend started it. Safe twice."""
        self._close()

    def _close(self, abandon: frozenset[int] = frozenset()) -> None:
        """``close``, killing the actors in ``abandon`` at once (busy with a task nobody waits for)."""
        if self.closed:
            return
        self.closed = True
        self._pending.clear()
        ray, actors, self._actors = self._ray, self._actors, []
        if ray is None:  # Ray was never imported: nothing was started
            return
        try:
            for w in abandon:
                if self._local[w]:  # Ray first asks an actor to exit and waits seconds for a stopped one
                    try:
                        os.kill(self._pids[w], signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    ray.kill(actors[w], no_restart=True)
                except Exception:
                    pass
            if actors:  # let live actors close their envs (files, C memory), briefly; then kill
                refs = []
                for w, a in enumerate(actors):
                    try:
                        if w not in abandon:
                            refs.append(a.close.remote())
                    except Exception:
                        pass
                try:
                    ray.wait(refs, num_returns=len(refs), timeout=_CLOSE_GRACE)
                except Exception:
                    pass
                for a in actors:
                    try:
                        ray.kill(a, no_restart=True)
                    except Exception:
                        pass
        finally:
            if self._started_ray:
                self._started_ray = False
                ray.shutdown()

    def wait(self, needed: int | None, into: list) -> None:
        """Wait until ``needed`` pending actors (all when None) have replied; append ``(worker,
        infos)`` to ``into`` for every one that did.

        ``ray.get`` and ``ray.wait`` return at once on a failed task or a dead actor. They are
        given at most ``_CHECK_EVERY`` seconds at a time, so that between two calls it looks for
        actors past ``step_timeout`` and for a ``close()`` from another thread.
        """
        ray, pending = self._ray, self._pending
        if needed is None:
            owners = dict(pending)  # a copy: close() in another thread clears pending
            refs = list(owners)
            while True:
                try:
                    outs = ray.get(refs, timeout=self._time_left())
                    break
                except self._exceptions.GetTimeoutError:
                    self._check([owners[ref] for ref in ray.wait(refs, num_returns=len(refs), timeout=0)[1]])
                except self._exceptions.RayError:
                    if self.closed:
                        self._fail("")  # says close() ran meanwhile
                    # ray.get raises as soon as one task failed: name its actor, without waiting
                    # for the others (whose ray.get would block until they finish)
                    done = set(ray.wait(refs, num_returns=len(refs), timeout=0)[0])
                    for ref in refs:
                        if ref in done:
                            self._get(ref, owners[ref])
                    raise
            if self.closed:
                self._fail("")
            for ref in refs:
                del pending[ref]
            into.extend((owners[ref], self._store(owners[ref], out)) for ref, out in zip(refs, outs, strict=True))
            return
        while True:
            done, _ = ray.wait(list(pending), num_returns=min(needed, len(pending)), timeout=self._time_left())
            if self.closed:
                self._fail("")
            if done:
                break
            self._check(list(pending.values()))
        for ref in done:
            w = pending.pop(ref)
            into.append((w, self._get(ref, w)))

    def _time_left(self) -> float:
        """Seconds to wait before the next look: ``_CHECK_EVERY``, or less if a pending actor
        reaches ``step_timeout`` sooner."""
        if self._step_timeout is None or not self._pending:
            return _CHECK_EVERY
        first = min(self._started_at[w] for w in self._pending.values())
        return min(_CHECK_EVERY, max(0.0, first + self._step_timeout - time.monotonic()))

    def _check(self, late: list[int]) -> None:
        """Fail if the backend was closed meanwhile, or one of ``late`` (actors that have not
        replied) is past ``step_timeout``."""
        if self.closed:
            self._fail("")  # says close() ran meanwhile
        if self._step_timeout is not None:
            self._overdue(late)

    def _overdue(self, workers: list[int]) -> None:
        """Fail naming the first of ``workers`` past ``step_timeout``, if any is."""
        now = time.monotonic()
        for w in sorted(workers):
            elapsed = now - self._started_at[w]
            if elapsed >= self._step_timeout:
                self._fail(
                    f"worker {w} (pid {self._pids[w]}) did not finish {self._running[w]} within step_timeout="
                    f"{self._step_timeout:g} s: it had been running it for {elapsed:.1f} s. Fix: find what blocks "
                    "the env (a stopped process, a deadlock, a slow step), or raise step_timeout"
                )

    def _get(self, ref, w: int) -> Infos | None:
        """``ray.get`` one actor's reply and copy it into its rows; ``WorkerError`` if it failed."""
        exc = self._exceptions
        try:
            out = self._ray.get(ref)
        except exc.RayTaskError as e:  # the env raised: e carries the remote traceback
            self._fail(f"worker {w} raised:\n{e}")
        except exc.RayActorError as e:  # the actor process died or was killed
            self._fail(f"worker {w} died: {e}")
        except exc.RayError as e:
            self._fail(f"worker {w} failed: {e!r}")
        return out if len(out) == 2 else self._store(w, out)

    def _store(self, w: int, out) -> Infos:
        for dst, src in zip(self._worker_fields[w], out[:-1], strict=True):
            np.copyto(dst, src)
        if out[-1] is None:
            return []
        try:
            return plain.loads(out[-1])
        except Exception as e:  # what plain.dumps wrote always loads: the bytes are not its
            self._fail(f"worker {w} (pid {self._pids[w]}) sent infos that are not plain data "
                       f"({type(e).__name__}: {e}). Fix: put only plain data in infos")

    def _fail(self, message: str) -> None:
        """Close the backend, then raise ``WorkerError``: actors still busy are killed at once, so
        the error does not wait for their tasks."""
        if self.closed:  # close() from another thread, while this call waited for the actors
            raise StateError(
                f"{self._name}: expected an open backend, found it closed by close() while this call waited for its "
                "actors. Fix: close a backend only when no call on it is in flight, and build a new one to go on."
            )
        self._close(abandon=frozenset(self._pending.values()))
        raise WorkerError(f"{self._name}: {message}. The backend is closed; build a new one.")
