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

Ray is imported only when a ``Ray`` backend is built (``pip install 'envsdk[ray]'``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from envsdk.backends.batches import WorkerBatches
from envsdk.backends.cycle import WorkerCycle
from envsdk.backends.factory import build, factory_name, positive_int, takes_num_envs
from envsdk.buffers import Buffers, Layout
from envsdk.errors import ConfigError, WorkerError
from envsdk.protocol import Batch, Env, Infos

_START_TIMEOUT = 120.0  # seconds the actors may take to be scheduled, import and build their envs
_CLOSE_GRACE = 2.0  # seconds the actors get to close their envs before they are killed
_FIELDS = ("observations", "rewards", "terminals", "truncations", "masks")


class _Worker:
    """The actor body: a ``Serial`` over ``k`` sub-envs on buffers of its own."""

    def __init__(self, factory, config: dict, k: int, envs_per_object: int | None):
        from envsdk.backends.serial import Serial

        self.env = Serial(factory, num_envs=k, envs_per_object=envs_per_object, **config)
        b = self.env.buffers
        self.results = (b.observations, b.rewards, b.terminals, b.truncations, b.masks)

    def ready(self) -> int:
        return os.getpid()

    def reset(self, seed: int | None):
        infos = self.env.reset(seed=seed)[1]
        return (*self.results, infos)

    def step(self, actions: np.ndarray):
        infos = self.env.step(actions)[4]
        return (*self.results, infos)

    def close(self) -> None:
        self.env.close()


def _import_ray():
    try:
        import ray
    except ImportError as e:
        raise ImportError(
            "envsdk.backends.Ray needs Ray, which is not installed. Fix: pip install 'envsdk[ray]'."
        ) from e
    return ray


class Ray:
    """Run ``num_envs`` sub-envs of ``factory`` in ``num_workers`` Ray actors, as one env.

    Actor ``w`` owns sub-envs ``[w*k, (w+1)*k)`` (``k = num_envs // num_workers``), builds them
    with ``Serial(factory, num_envs=k, envs_per_object=..., **config)`` and is reset with
    ``seed + w*k``, so outputs are bit-identical to ``Serial`` for every ``num_workers`` that
    divides ``num_envs``.

    ``batch_size`` (sub-envs, a multiple of ``k``, default ``num_envs``) sets how many sub-envs
    ``recv`` returns: the first ``batch_size // k`` actors whose results are ready
    (``ray.wait``). A batch of contiguous actors is a view of the driver's buffers; any other
    batch is gathered into a staging copy.

    Ray: if it is not initialized, ``ray.init(address=address, **ray_init)`` is called (a local
    cluster when ``address`` is None; ``address="auto"`` or ``"ray://host:10001"`` joins an
    existing one), and ``close`` shuts it down again. If Ray was already initialized, the
    backend uses that session and leaves it running. ``actor_options`` go to
    ``ray.remote(...).options`` (default ``{"num_cpus": 1}``: one CPU per actor, so the
    cluster needs ``num_workers`` free CPUs). The factory and config are pickled to the actors,
    so the factory must be importable on every node (or defined in the driver's script).
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
        buffers: Buffers | None = None,
        **config: Any,
    ):
        from envsdk.registry import resolve

        self._closed = True  # until fully built: close() is then a no-op
        self._actors: list = []
        self._started_ray = False
        self.factory = resolve(factory)
        self.num_envs = positive_int("Ray", "num_envs", num_envs)
        workers = os.cpu_count() or 1 if num_workers is None else num_workers
        self.num_workers = positive_int("Ray", "num_workers", workers)
        if buffers is not None:
            raise ConfigError(
                "Ray: expected buffers=None, found buffers. Results arrive from remote actors and are "
                "copied into buffers the backend allocates. Fix: leave buffers unset."
            )
        if self.num_envs % self.num_workers:
            raise ConfigError(
                f"Ray: expected num_workers to divide num_envs={self.num_envs}, found "
                f"num_workers={self.num_workers}. Fix: pick a divisor of num_envs."
            )
        k = self.num_envs // self.num_workers
        self.envs_per_worker = k
        self.batch_size = self.num_envs if batch_size is None else positive_int("Ray", "batch_size", batch_size)
        if self.batch_size % k or self.batch_size > self.num_envs:
            raise ConfigError(
                f"Ray: expected batch_size to be a multiple of the {k} sub-envs per worker and at most "
                f"num_envs={self.num_envs}, found batch_size={self.batch_size}. Fix: pass a multiple of "
                f"{k} (num_envs // num_workers)."
            )
        options = {"num_cpus": 1} if actor_options is None else dict(actor_options)

        # A probe object in this process tells the spaces and agent rows per sub-env.
        probe = build(self.factory, {"num_envs": 1, **config} if takes_num_envs(self.factory) else dict(config), None)
        self.single_observation_space = probe.single_observation_space
        self.single_action_space = probe.single_action_space
        agents_per_env = probe.num_agents
        probe.close()
        self.num_agents = agents_per_env * self.num_envs
        rows = agents_per_env * k
        self._rows = rows

        layout = Layout.of(self.single_observation_space, self.single_action_space, self.num_agents)
        self.buffers = layout.view(np.zeros(layout.nbytes, np.uint8))
        self.buffers.masks[...] = True
        b = self.buffers
        self._worker_fields = [
            tuple(getattr(b, f)[w * rows:(w + 1) * rows] for f in _FIELDS) for w in range(self.num_workers)
        ]
        self._worker_actions = [b.actions[w * rows:(w + 1) * rows] for w in range(self.num_workers)]
        batches = WorkerBatches(b, rows, agents_per_env, self.batch_size // k,
                                self.single_observation_space, self.single_action_space)
        self._cycle = WorkerCycle(self, batches, self.num_workers, self.batch_size // k)
        row_bytes = lambda f: getattr(b, f).nbytes // self.num_agents  # noqa: E731
        self.payload_bytes_per_step = {
            "actions": b.actions.nbytes,
            "results": sum(getattr(b, f).nbytes for f in _FIELDS),
            "per_agent_row": row_bytes("actions") + sum(row_bytes(f) for f in _FIELDS),
        }
        """Bytes moved through Ray per full step (all rows): actions in, results out."""

        self._pending: dict = {}  # object ref -> worker, sent and not yet collected

        ray = self._ray = _import_ray()
        self._exceptions = ray.exceptions
        if not ray.is_initialized():
            init = {"include_dashboard": False, **(ray_init or {})}
            ray.init(address=address, **init)
            self._started_ray = True
        self._closed = False
        try:
            needed = options.get("num_cpus", 1) * self.num_workers
            total = ray.cluster_resources().get("CPU", 0)
            if needed > total:
                raise ConfigError(
                    f"Ray: expected the cluster to have {needed} CPUs for {self.num_workers} actors of "
                    f"num_cpus={options.get('num_cpus', 1)}, found {total}. Fix: fewer num_workers, or "
                    "actor_options={'num_cpus': 0.5} (or 0) to pack several actors per CPU."
                )
            remote = ray.remote(_Worker).options(**options)
            self._actors = [remote.remote(self.factory, config, k, envs_per_object) for _ in range(self.num_workers)]
            refs = {a.ready.remote(): w for w, a in enumerate(self._actors)}
            done, rest = ray.wait(list(refs), num_returns=len(refs), timeout=_START_TIMEOUT)
            for ref in done:
                self._get(ref, refs[ref])
            if rest:
                self._fail(
                    f"workers {sorted(refs[r] for r in rest)} did not start within {_START_TIMEOUT:.0f} s "
                    "(not enough free resources in the cluster?)"
                )
        except BaseException:
            self.close()
            raise

    # --- the env API: WorkerCycle runs it over _start_reset, _start_step and _wait ---------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every actor (sub-env ``i`` seeded ``seed + i``) and wait for all of them."""
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

        Safe to call twice.
        """
        if self._closed:
            return
        self._closed = True
        self._cycle.close()
        self._pending.clear()
        ray, actors, self._actors = self._ray, self._actors, []
        try:
            if actors:  # let live actors close their envs (files, C memory), briefly; then kill
                refs = []
                for a in actors:
                    try:
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

    # --- internals -------------------------------------------------------------------------

    def _start_step(self, workers: list[int]) -> None:
        actors, acts, pending = self._actors, self._worker_actions, self._pending
        for w in workers:
            pending[actors[w].step.remote(acts[w])] = w

    def _start_reset(self, seed: int | None) -> None:
        k = self.envs_per_worker
        for w, a in enumerate(self._actors):
            self._pending[a.reset.remote(None if seed is None else seed + w * k)] = w

    def _wait(self, needed: int | None) -> list[tuple[int, Infos]]:
        """Wait until ``needed`` pending actors (all when None) have replied; return all that did.

        ``ray.get`` and ``ray.wait`` return at once on a failed task or a dead actor.
        """
        if needed is None:
            pending, self._pending = self._pending, {}
            refs = list(pending)
            try:
                outs = self._ray.get(refs)
            except self._exceptions.RayError:
                for ref in refs:  # find which actor failed, to name it
                    self._get(ref, pending[ref])
                raise
            return [(w, self._store(w, out)) for w, out in zip(pending.values(), outs, strict=True)]
        done, _ = self._ray.wait(list(self._pending), num_returns=min(needed, len(self._pending)))
        ready = []
        for ref in done:
            w = self._pending.pop(ref)
            ready.append((w, self._get(ref, w)))
        return ready

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
        return out if isinstance(out, int) else self._store(w, out)

    def _store(self, w: int, out) -> Infos:
        for dst, src in zip(self._worker_fields[w], out[:5], strict=True):
            np.copyto(dst, src)
        return out[5]

    def _fail(self, message: str) -> None:
        self.close()
        raise WorkerError(f"{self!r}: {message}. The backend is closed; build a new one.")

    def __repr__(self) -> str:
        return f"Ray({factory_name(self.factory)}, num_envs={self.num_envs}, num_workers={self.num_workers})"
