"""Serial: the reference backend. Runs env objects in-process over row slices of ONE Buffers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from envsdk import _arrays
from envsdk.backends._factory import build, factory_name, takes_device, takes_num_envs
from envsdk.buffers import Buffers, allocate, copy_actions, require_buffers
from envsdk.config import check_bool, positive_int
from envsdk.errors import ConfigError, ProtocolError, StateError
from envsdk.protocol import Batch, Env, Infos
from envsdk.seeding import check_seed, sub_seed


class Serial:
    """Run ``num_envs`` sub-environments of ``factory`` in this process, as one env.

    ``factory`` is a callable (usually a class) or a registered name. If it takes ``num_envs``,
    the sub-envs are split over ``num_envs // envs_per_object`` objects (default: one object
    holding all of them); otherwise each object is one sub-env and ``num_envs`` objects are
    built. Object ``j`` gets rows ``[j*a, (j+1)*a)`` of one contiguous ``Buffers`` (``a`` =
    agents per object) and is reset with ``(seed + j*envs_per_object) % 2**64``, so sub-env
    ``i`` always gets ``(seed + i) % 2**64`` whatever the split. ``**config`` goes to
    ``factory`` unchanged.

    ``final_observations=True`` gives the buffers a ``final_observations`` array (``Buffers``),
    which every object's ``step`` writes; buffers passed in carry it or not themselves.

    ``device=None`` gives numpy buffers. A device (``"cpu"``, ``"cuda"``, a ``torch.device``) gives
    torch tensors on it (``envsdk.allocate(..., device=...)``), for GPU-native envs: Serial
    allocates them and passes each object its rows as ``buffers=``; an env reads its device from
    them. A factory whose signature names ``device`` gets ``device=`` too (the first object, built
    before the buffers exist, then allocates on that device, and a single object keeps its own
    buffers); any other factory gets no device keyword. ``self.device`` is ``buffers.device``
    (None for numpy). ``step`` copies tensor actions on the device, with no host round trip.

    Serial satisfies ``envsdk.Env`` and ``envsdk.Backend``; its batch is always every row.
    """

    def __init__(
        self,
        factory: Callable[..., Env] | str,
        num_envs: int = 1,
        *,
        envs_per_object: int | None = None,
        buffers: Buffers | None = None,
        final_observations: bool = False,
        device=None,
        **config: Any,
    ):
        from envsdk.registry import resolve  # late import: the registry imports backends

        self.factory = resolve(factory)
        self.num_envs = positive_int("Serial", "num_envs", num_envs)
        final_observations = check_bool("Serial", "final_observations", final_observations)
        device = _arrays.resolve_device(device, "Serial")
        self._closed = False
        self._started = False
        self._pending: Batch | None = None
        self.envs: tuple[Env, ...] = ()

        if takes_num_envs(self.factory):
            per = (
                self.num_envs if envs_per_object is None
                else positive_int("Serial", "envs_per_object", envs_per_object)
            )
            if self.num_envs % per:
                raise ConfigError(
                    f"Serial: expected envs_per_object to divide num_envs={self.num_envs}, found "
                    f"envs_per_object={per}. Fix: pick a divisor of num_envs."
                )
            kwargs = {"num_envs": per, **config}
        else:
            if envs_per_object not in (None, 1):
                raise ConfigError(
                    f"Serial: {factory_name(self.factory)} simulates one sub-env per object (it takes no "
                    f"num_envs), found envs_per_object={envs_per_object}. Fix: leave "
                    "envs_per_object unset."
                )
            per, kwargs = 1, dict(config)
        if device is not None and takes_device(self.factory):
            kwargs["device"] = device
        self.envs_per_object = per
        num_objects = self.num_envs // per

        # The first object tells the spaces and agents per object. Given buffers, it is built on
        # its share of their rows (no buffers of its own: a Multiprocessing worker allocates
        # nothing); otherwise, when it is the only object, its own buffers are the block, and when
        # there are more it was a probe.
        if buffers is not None:
            require_buffers(buffers, "Serial(buffers=...)")
            if final_observations and buffers.final_observations is None:
                raise ConfigError(
                    "Serial: expected buffers with final_observations (final_observations=True), found buffers "
                    "without them. Fix: allocate them with envsdk.allocate(..., final_observations=True)."
                )
            if device is not None and not _arrays.same_device(device, buffers.device):
                raise ConfigError.of(
                    "Serial", "device", f"the device of the buffers passed, {buffers.device or 'None (numpy)'}",
                    device, "leave device unset when passing buffers (they carry their device)",
                )
        if buffers is not None and buffers.num_agents % num_objects == 0:
            first = build(self.factory, kwargs, buffers.rows(0, buffers.num_agents // num_objects))
        else:  # no buffers, or rows that cannot be shared out (validate says why below)
            first = build(self.factory, kwargs, None)
        self.single_observation_space = first.single_observation_space
        self.single_action_space = first.single_action_space
        agents = first.num_agents
        if agents % per:
            first.close()
            raise ProtocolError(
                f"{factory_name(self.factory)}: expected num_agents to be a multiple of num_envs={per}, "
                f"found num_agents={agents}. Fix: give every sub-env the same number of agent "
                "rows (pad absent agents and mark them in masks)."
            )
        if device is not None and buffers is None and getattr(first, "device", None) is None \
                and first.buffers.device is None:
            first.close()  # a numpy env: tensor rows would reach code written for numpy arrays
            raise ConfigError.of(
                "Serial", "device", f"device=None: {factory_name(self.factory)} declares no device and allocates "
                "numpy buffers (a host env)", f"device={device}",
                "leave device unset; for torch tensors of a host env's results use envsdk.compat.to_torch(env)",
            )
        self.num_agents = agents * num_objects
        envs = [first]
        try:
            if buffers is None:
                # The first object was a probe, unless it alone is the split and its own buffers are right.
                own_fit = device is None or _arrays.same_device(first.buffers.device, device)
                if num_objects > 1 or final_observations or not own_fit:
                    envs.pop().close()
                    buffers = allocate(self.single_observation_space, self.single_action_space, self.num_agents,
                                       final_observations=final_observations, device=device)
                else:
                    buffers = first.buffers
            else:  # once they pass, the first object was built on exactly its rows
                buffers.validate(
                    self.single_observation_space, self.single_action_space, self.num_agents,
                    owner="Serial(buffers=...)",
                )
            self.buffers = buffers
            self.device = buffers.device
            for j in range(len(envs), num_objects):
                envs.append(build(self.factory, kwargs, buffers.rows(j * agents, (j + 1) * agents)))
        except BaseException:
            for env in envs:
                env.close()
            raise
        self.envs = tuple(envs)

        # Hot-path caches: step() touches only these.
        b = self.buffers
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)
        self._pairs = tuple((env, env.buffers.actions) for env in self.envs)
        self._actions = b.actions
        # One object over this very block (the default split): its step result is ours, the same
        # arrays, so step hands the call straight on (measured: Serial's own cost 0.20 -> 0.09 µs).
        self._direct = self.envs[0].step if len(self.envs) == 1 and self.envs[0].buffers is b else None
        self._single = self.envs[0].step if len(self.envs) == 1 else None
        self._single_actions = self.envs[0].buffers.actions
        self._agent_ids = np.arange(self.num_agents)
        self._env_ids = self._agent_ids // (self.num_agents // self.num_envs)

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Reset every object; object ``j`` gets ``(seed + j*envs_per_object) % 2**64``.

        ``seed`` is None or an int in ``[0, 2**64)`` (``envsdk.seeding``); else ``ConfigError``.
        """
        self._check_open("reset")
        seed = check_seed(f"{self!r}.reset", seed)
        infos: Infos = []
        for j, env in enumerate(self.envs):
            infos.extend(env.reset(seed=sub_seed(seed, j * self.envs_per_object))[1])
        self._started = True
        self._pending = None
        return self.buffers.observations, infos

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Copy ``actions`` into the buffers (unless they are the buffer) and step every object."""
        if not self._started:
            self._check_open("step")
            raise StateError(f"{self!r}.step: expected reset() first, found no reset. Fix: call reset(seed=...) once.")
        if actions is not self._actions:
            copy_actions(self._actions, actions, "Serial.step")
        if self._direct is not None:
            return self._direct(self._actions)
        if self._single is not None:  # one object: its infos list is already ours to return
            return (*self._results, self._single(self._single_actions)[4])
        infos: Infos = []
        for env, acts in self._pairs:
            info = env.step(acts)[4]
            if info:
                infos.extend(info)
        return (*self._results, infos)

    def async_reset(self, seed: int | None = None) -> None:
        """Reset now; the result is returned by the next ``recv``."""
        _, infos = self.reset(seed)
        self._pending = self._batch(infos)

    def send(self, actions: np.ndarray) -> None:
        """Step now with ``actions`` for every row; the result is returned by the next ``recv``."""
        if self._pending is not None:
            raise StateError(
                f"{self!r}.send: expected recv() after the previous send/async_reset, found a "
                "result not yet received. Fix: alternate send() and recv()."
            )
        infos = self.step(actions)[4]
        self._pending = self._batch(infos)

    def recv(self) -> Batch:
        """Return the result of the last ``send``/``async_reset``: every row, as views."""
        if self._pending is None:
            self._check_open("recv")
            raise StateError(
                f"{self!r}.recv: expected a send() or async_reset() first, found none pending. "
                "Fix: call async_reset(seed) once, then alternate recv() and send()."
            )
        batch, self._pending = self._pending, None
        return batch

    def close(self) -> None:
        """Close every object (all of them, even if one raises). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._started = False
        errors = []
        for env in self.envs:
            try:
                env.close()
            except Exception as e:  # close the rest, then report the first failure
                errors.append(e)
        if errors:
            raise errors[0]

    def _batch(self, infos: Infos) -> Batch:
        b = self.buffers
        return Batch(b.observations, b.rewards, b.terminals, b.truncations, b.masks, infos,
                     self._agent_ids, self._env_ids, b.final_observations)

    def _check_open(self, method: str) -> None:
        if self._closed:
            raise StateError(f"{self!r}.{method}: expected an open backend, found it closed. Fix: build a new one.")

    def __repr__(self) -> str:
        return f"Serial({factory_name(self.factory)}, num_envs={self.num_envs})"
