"""The shared body of the worker backends (Multiprocessing, Ray): everything but the transport.

- ``plan_workers``: validate the config every worker backend takes, and build one probe env in
  this process to learn the spaces and the agent rows per sub-env (``WorkerPlan``).
- ``WorkerCycle``: reset/step and async_reset/recv/send over a ``Transport`` (``_transport.py``)
  and the batches (``_batches.py``), as a state machine (``State``).

Worker ``w`` owns sub-envs ``[w*k, (w+1)*k)`` (``k = num_envs // num_workers``), their agent
rows ``[w*r, (w+1)*r)``, and is reset with ``(seed + w*k) % 2**64``, so outputs are
bit-identical to ``Serial`` for every ``num_workers`` that divides ``num_envs``.

Every check, the seed's and the actions' included, runs before any state changes, so a call
that raises one can be made again, corrected. A ``reset`` or ``step`` interrupted while it
waited (Ctrl-C) leaves its command running in the workers that had not finished it (the
transport's ``pending``); the next ``reset``, ``step`` or ``async_reset`` first waits for them
(and drops their replies), so a worker is never sent a command before it finished the last one.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from envsdk.backends._batches import WorkerBatches
from envsdk.backends._factory import build, factory_name, seconds, takes_num_envs
from envsdk.backends._transport import Command, Transport
from envsdk.buffers import copy_actions
from envsdk.config import check_bool, positive_int
from envsdk.errors import ConfigError, StateError
from envsdk.protocol import Batch, Infos
from envsdk.seeding import check_seed, sub_seed


@dataclass(frozen=True)
class WorkerPlan:
    """A worker backend's validated config, and what its probe env told about the factory."""

    factory: Callable
    config: dict
    num_envs: int
    num_workers: int
    envs_per_worker: int  # k: sub-envs per worker
    batch_size: int  # sub-envs per recv, a multiple of k
    step_timeout: float | None
    start_timeout: float
    single_observation_space: Any
    single_action_space: Any
    agents_per_env: int
    final_observations: bool  # the buffers hold final_observations, which every worker writes

    @property
    def num_agents(self) -> int:
        """Agent rows of the whole backend."""
        return self.agents_per_env * self.num_envs

    @property
    def rows(self) -> int:
        """Agent rows per worker."""
        return self.agents_per_env * self.envs_per_worker

    def publish(self, backend) -> None:
        """Set the backend's public attributes (plain attributes, as ``envsdk.Env`` wants) from the plan."""
        for name in ("factory", "num_envs", "num_workers", "envs_per_worker", "batch_size", "step_timeout",
                     "start_timeout", "single_observation_space", "single_action_space", "num_agents"):
            setattr(backend, name, getattr(self, name))


def plan_workers(owner: str, factory, num_envs, num_workers, batch_size, step_timeout, start_timeout, buffers,
                 own_buffers: str, config: dict, final_observations=False, device=None) -> WorkerPlan:
    """Validate a worker backend's arguments (``ConfigError`` naming ``owner``), then build a
    probe env of one sub-env here to learn the spaces and agent rows per sub-env.

    ``own_buffers`` says why the backend refuses ``buffers`` (it allocates its own). A worker
    backend's buffers are numpy arrays on the host: ``device`` other than None, and a probe whose
    own buffers are torch tensors (a GPU-native env), are refused with the fix (``refuse_device``).
    """
    final_observations = check_bool(owner, "final_observations", final_observations)
    if device is not None:
        refuse_device(owner, f"device={device!r}", device)
    from envsdk.registry import resolve  # late import: the registry imports backends

    factory = resolve(factory)
    num_envs = positive_int(owner, "num_envs", num_envs)
    num_workers = positive_int(owner, "num_workers", os.cpu_count() or 1 if num_workers is None else num_workers)
    if buffers is not None:
        raise ConfigError(
            f"{owner}: expected buffers=None, found buffers. {own_buffers} Fix: leave buffers unset."
        )
    if num_envs % num_workers:
        raise ConfigError(
            f"{owner}: expected num_workers to divide num_envs={num_envs}, found num_workers={num_workers}. "
            "Fix: pick a divisor of num_envs."
        )
    k = num_envs // num_workers
    batch_size = num_envs if batch_size is None else positive_int(owner, "batch_size", batch_size)
    if batch_size % k or batch_size > num_envs:
        raise ConfigError(
            f"{owner}: expected batch_size to be a multiple of the {k} sub-envs per worker and at most "
            f"num_envs={num_envs}, found batch_size={batch_size}. Fix: pass a multiple of {k} "
            "(num_envs // num_workers)."
        )
    step_timeout = seconds(owner, "step_timeout", step_timeout, optional=True)
    start_timeout = seconds(owner, "start_timeout", start_timeout)
    probe = build(factory, {"num_envs": 1, **config} if takes_num_envs(factory) else dict(config), None)
    try:
        spaces, agents_per_env = (probe.single_observation_space, probe.single_action_space), probe.num_agents
        on = getattr(probe.buffers, "device", None)  # not a Buffers: the workers' own checks say so
        if on is not None:
            refuse_device(owner, f"{factory_name(factory)} allocating torch tensors on {on}", on)
    finally:
        probe.close()
    return WorkerPlan(factory, dict(config), num_envs, num_workers, k, batch_size, step_timeout, start_timeout,
                      *spaces, agents_per_env, final_observations)


def refuse_device(owner: str, found: str, device) -> None:
    """``ConfigError``: a worker backend runs envs on numpy buffers in host memory, never tensors.

    Why both kinds of tensor are refused: CUDA memory cannot be shared with worker processes or
    actors through host shared memory, and a GPU env gains nothing from them (it steps every
    sub-env in one batch of kernels already); a CPU tensor env would need every worker path
    (shared-memory views, gathers, scatters, Ray's copies) to carry tensors for no speed a numpy
    env under the same backend plus ``to_torch`` (zero-copy CPU views) does not already give.
    """
    cuda = str(device).split(":")[0] != "cpu"
    fix = ("run the env in-process on its device: Serial(factory, num_envs, device=...) or "
           "envsdk.make(name, backend='serial', device=...)" if cuda else
           "run a CPU tensor env in-process: Serial(factory, num_envs, device='cpu') (or make(..., "
           "backend='serial', device='cpu')); or keep numpy buffers (device=None) and wrap the backend with "
           "envsdk.compat.to_torch(env), whose CPU tensors are views of the shared memory")
    raise ConfigError.of(owner, "device", "None: numpy buffers in host memory, which its workers share", found, fix)


_STEP = Command.STEP  # a module global: one lookup less per step


class State(enum.Enum):
    """Where a worker backend is in its life: which calls it takes next."""

    NEW = "built, not reset"  # reset or async_reset
    READY = "reset"  # step (or reset again)
    RECV = "async, recv next"  # recv
    SEND = "async, batch out"  # send, for the batch recv returned
    CLOSED = "closed"  # nothing


# Module globals: reading State.READY costs ~0.1 µs on Python 3.11 (the enum metaclass), a
# global ~0.01 µs, and step, recv and send each compare the state at least once.
_NEW, _READY, _RECV, _SEND, _CLOSED = State.NEW, State.READY, State.RECV, State.SEND, State.CLOSED


class WorkerCycle:
    """reset/step and async_reset/recv/send of the backend named ``name`` over ``transport``."""

    def __init__(self, name: str, owner: str, transport: Transport, plan: WorkerPlan):
        self.name = name  # the backend's repr, for error messages
        self.owner = owner  # its class name
        self.state = _NEW
        self._transport = transport
        b = transport.buffers
        self.batches = WorkerBatches(b, plan.rows, plan.agents_per_env, plan.batch_size // plan.envs_per_worker,
                                     plan.single_observation_space, plan.single_action_space)
        self._all = list(range(plan.num_workers))
        self._seed_stride = plan.envs_per_worker  # worker w's sub-envs start at w * k
        self._workers_per_batch = plan.batch_size // plan.envs_per_worker
        self._ready: list[tuple[int, Infos]] = []  # heard from, not yet returned by recv
        self._last: list[int] = []  # the workers of the batch recv returned (state SEND)
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)
        self._actions = b.actions

    def reset(self, seed: int | None) -> tuple[np.ndarray, Infos]:
        """Reset every worker and wait for all of them."""
        self._require_sync("reset")
        seed = check_seed(f"{self.name}.reset", seed)
        self._settle()
        self._post_reset(seed)
        infos = self._wait_all()
        self.state = _READY
        return self._results[0], infos

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Step every worker with ``actions`` (all rows) and wait for all of them."""
        if self.state is not _READY:
            self._require_sync("step")
            raise StateError(f"{self.name}.step: expected reset() first, found none. Fix: call reset(seed=...).")
        transport = self._transport
        if transport.pending():
            self._settle()  # before the copy: the workers of the interrupted step still read these rows
        if actions is not self._actions:
            copy_actions(self._actions, actions, f"{self.owner}.step")
        transport.post(_STEP, self._all)
        return (*self._results, self._wait_all())

    def async_reset(self, seed: int | None) -> None:
        """Start resetting every worker; ``recv`` returns the batches as they become ready."""
        self._require_sync("async_reset")
        seed = check_seed(f"{self.name}.async_reset", seed)
        self._settle()
        self._post_reset(seed)
        self.state = _RECV

    def send(self, actions: np.ndarray) -> None:
        """Step the workers of the last batch ``recv`` returned, with ``actions`` for its rows."""
        if self.state is not _SEND:
            self._require_open("send")
            raise StateError(
                f"{self.name}.send: expected recv() to have returned a batch first, found none. Fix: call "
                "async_reset(seed), then alternate recv() and send()."
            )
        # Checked and copied first: an ActionError leaves the batch waiting for a corrected send.
        self.batches.write_actions(self._last, actions, f"{self.owner}.send")
        self.state = _RECV
        self._transport.post(_STEP, self._last)

    def recv(self) -> Batch:
        """Wait for the first ``workers_per_batch`` workers that are ready and return their rows."""
        if self.state is not _RECV:
            if self.state is _SEND:
                raise StateError(
                    f"{self.name}.recv: expected send() for the previous batch first, found it unanswered. Fix: "
                    "alternate recv() and send()."
                )
            self._require_open("recv")
            raise StateError(
                f"{self.name}.recv: expected async_reset() first, found none. Fix: call async_reset(seed)."
            )
        n, ready = self._workers_per_batch, self._ready
        while len(ready) < n:
            self._wait(n - len(ready), ready)
        chosen, self._ready = ready[:n], ready[n:]
        chosen.sort()
        self._last = [w for w, _ in chosen]
        self.state = _SEND
        return self.batches.batch(self._last, [i for _, infos in chosen for i in infos])

    def close(self) -> None:
        """Close the transport; every later call fails the closed check. Safe twice, and from
        another thread (a call waiting there raises ``StateError``)."""
        self._closed()
        self._transport.close()

    # --- internals -----------------------------------------------------------------------------

    def _post_reset(self, seed: int | None) -> None:
        k = self._seed_stride
        self._transport.post(Command.RESET, self._all, [sub_seed(seed, w * k) for w in self._all])

    def _wait(self, needed: int | None, into: list) -> None:
        """The transport's wait; a failure that closed the transport closes the cycle too."""
        try:
            self._transport.wait(needed, into)
        except BaseException:  # WorkerError, StateError (closed meanwhile), or Ctrl-C
            if self._transport.closed:
                self._closed()
            raise

    def _wait_all(self) -> Infos:
        ready = self._ready
        try:  # _wait, inlined: this is every synchronous step's path
            self._transport.wait(None, ready)
        except BaseException:
            if self._transport.closed:
                self._closed()
            raise
        self._ready = []
        if len(ready) == 1:
            return ready[0][1]
        ready.sort()
        return [i for _, infos in ready for i in infos]

    def _settle(self) -> None:
        """After an interrupted reset/step: wait for the workers still running its command."""
        if self._transport.pending():
            self._wait(None, [])
            self._ready = []

    def _closed(self) -> None:
        self.state = _CLOSED
        self._ready, self._last = [], []

    def _require_sync(self, method: str) -> None:
        self._require_open(method)
        if self.state in (_RECV, _SEND):
            raise StateError(
                f"{self.name}.{method}: expected no async cycle in flight, found one started by async_reset. "
                "Fix: use either reset/step or async_reset/recv/send on one backend, not both."
            )

    def _require_open(self, method: str) -> None:
        if self.state is _CLOSED:
            raise StateError(f"{self.name}.{method}: expected an open backend, found it closed. Fix: build a new one.")
