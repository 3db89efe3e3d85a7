"""Bind a compiled C sim to an env's buffers: the one class every C env uses, bundled or a user's.

``CSim(sims, name, env, buffers, **config)`` is the whole binding of a thin env class: it
allocates the buffers when ``buffers`` is None, validates them against the env's spaces, points
the sim's struct at them (checking each numpy dtype against the C pointer type, which cffi's
``from_buffer`` does not do), sets the config fields and calls ``<name>_init``. Its ``reset``,
``step`` and ``close`` are the env's: they return what the protocol says ``Env.reset`` and
``Env.step`` return, with the episode stats C reported read at O(1) cost per step. ``sims`` is
the compiled module (``ffi``, ``lib``) from ``envsdk.cbuild.load`` or a ``cffi_modules`` build.
"""

from __future__ import annotations

import numpy as np

from envsdk.buffers import FIELDS, allocate, copy_actions, validate
from envsdk.config import check_int
from envsdk.errors import BuffersError, ConfigError, ProtocolError, StateError
from envsdk.seeding import check_seed, random_seed

# C pointer item type -> the numpy dtype a buffer must have to be read through it.
_C_TO_NUMPY = {
    "float": np.float32, "double": np.float64, "_Bool": np.bool_,
    "int8_t": np.int8, "uint8_t": np.uint8, "int16_t": np.int16, "uint16_t": np.uint16,
    "int32_t": np.int32, "uint32_t": np.uint32, "int64_t": np.int64, "uint64_t": np.uint64,
}


def _infos_builder(keys: tuple[str, ...]):
    """A function from the report's values (count first) to ``infos``: ``[{keys[0]: int count, ...}]``.

    It is one dict display compiled for these keys, because building the dict is most of the
    cost of a report (a display costs about half of ``dict(zip(keys, values))``; at 4096 sub-envs
    some episode ends on nearly every step). Each key is a C field name (an identifier, checked)
    and enters the source as its repr, a literal.
    """
    if not all(k.isidentifier() for k in keys):
        raise ProtocolError(f"infos keys: expected C identifiers, found {keys}. Fix: rename the log's fields.")
    entries = ", ".join(f"{k!r}: {'int(v[0])' if i == 0 else f'v[{i}]'}" for i, k in enumerate(keys))
    return eval(f"lambda v: [{{{entries}}}]")


class CSim:
    """The C sim ``name`` of the compiled module ``sims``, bound to ``env``'s buffers.

    ``env`` must already have ``single_observation_space``, ``single_action_space`` and
    ``num_agents``; ``buffers`` None allocates them (``envsdk.allocate``), else they are validated
    (``BuffersError``). ``config`` sets the struct's fields of those names (``ConfigError`` for a
    name the struct lacks); validate their values in Python first. ``report_every`` (validated
    here) makes ``step`` report infos only on every n-th step since reset, each report covering the
    episodes that ended since the last one; ``report_every=1`` reports each episode on the step it
    ends (a report costs about 1 µs: a few percent of a batch step at 4096 sub-envs; the bundled
    envs default to 16). ``log_field`` names the episode log whose fields are
    the info keys (``log`` unless an array-style sim keeps a second log for another mode).

    Public attributes: ``buffers``; ``c``, the struct Python binds (the sim's struct for an
    array-style sim, the batch ``envsdk_vec`` for a one-sub-env sim); ``envs``, the sub-env structs
    of a one-sub-env sim (``envs[i]``; None for an array-style one), for renderers that read state;
    ``ffi`` and ``lib``; ``closed``.
    """

    def __init__(self, sims, name: str, env, buffers=None, *, report_every: int = 1, log_field: str = "log",
                 **config):
        owner = type(env).__name__
        self.name, self.owner = name, owner
        ffi, lib = getattr(sims, "ffi", None), getattr(sims, "lib", None)
        if ffi is None or lib is None:
            raise ProtocolError(
                f"{owner}: expected a compiled sims module (with ffi and lib) as CSim's first argument, found "
                f"{sims!r}. Fix: pass envsdk.cbuild.load(header), or the module a cffi_modules build made."
            )
        try:
            struct = ffi.typeof(name)
            self._reset, self._step, self._close = (getattr(lib, f"{name}_{f}") for f in ("reset", "step", "close"))
            init = getattr(lib, f"{name}_init")
        except (ffi.error, AttributeError) as e:
            raise ProtocolError(
                f"{owner}: expected a C sim {name!r} in {getattr(sims, '__name__', sims)} (struct {name} and "
                f"{name}_init/_reset/_step/_close), found {e}. Fix: pass the sim's name (its header's stem)."
            ) from None
        self.ffi, self.lib = ffi, lib
        report_every = check_int(owner, "report_every", report_every, 1, 2**31 - 1)
        if buffers is None:
            buffers = allocate(env.single_observation_space, env.single_action_space, env.num_agents)
        self.buffers = b = validate(buffers, env.single_observation_space, env.single_action_space, env.num_agents,
                                    owner=f"{owner}.buffers")
        self._keep = []  # from_buffer views: the struct's raw pointers do not keep them alive
        fields = dict(struct.fields)
        sub_env = "core" not in fields
        if sub_env:  # one struct per sub-env: Python fills a prototype, the batch copies it
            num_envs = config.pop("num_envs", None) or env.num_agents
            target = ffi.new(f"{name} *")
            self.c = ffi.new("envsdk_vec *")
            self.c.num_envs = check_int(owner, "num_envs", num_envs, 1, 2**31 - 1)
            if env.num_agents % num_envs:
                raise ConfigError(f"{owner}: expected num_agents a multiple of num_envs, found {env.num_agents} "
                                  f"and {num_envs}. Fix: every sub-env has the same number of agent rows.")
            agents = self.c.agents = env.num_agents // num_envs
            self.c.observation_bytes = b.observations[:agents].nbytes
            self.c.action_bytes = b.actions[:agents].nbytes
            self.c.mask_bytes = b.masks[:agents].nbytes
        else:
            self.c = target = ffi.new(f"{name} *")
        for field in FIELDS:
            if field in fields:
                self._bind(field, getattr(b, field), fields[field].type)
            elif field != "masks":
                raise BuffersError(f"C struct {name}: expected a pointer field {field!r}, found none.")
        if b.final_observations is not None:  # else the pointer stays NULL: C copies nothing
            # A one-sub-env sim's batch copies them (envsdk_vec); an array-style sim declares the field.
            where = ffi.typeof("envsdk_vec").fields if sub_env else fields.items()
            final = dict(where).get("final_observations")
            if final is None:
                raise BuffersError.of(
                    f"{owner}.buffers", "final_observations", f"a C struct {name} with a field final_observations",
                    "none (this sim cannot write final observations)",
                    f"declare `{fields['observations'].type.item.cname.replace('_Bool', 'bool')}* final_observations;` "
                    f"in struct {name} and copy each ended row there before its restart (ENVSDK_FINAL_ROW), or leave "
                    "final_observations out",
                )
            self._bind("final_observations", b.final_observations, fields["observations"].type)
        for key, value in config.items():
            if key not in fields or key in FIELDS:
                raise ConfigError(f"C struct {name}: expected a config field {key!r}, found none.")
            setattr(target, key, value)
        self.c.core.report_every = report_every
        # The info keys: the log's fields in order, its count first (ENVSDK_REPORT in envsdk.h
        # writes the count, then each mean, to core.report in that order).
        log = fields[log_field].type
        log_fields = (log.item if log.kind == "pointer" else log).fields
        if log_fields[0][0] != "count" or any(f.type.cname != "double" for _, f in log_fields):
            raise ProtocolError(
                f"C struct {name}.{log_field}: expected double fields only, count first, found "
                f"{[(k, f.type.cname) for k, f in log_fields]}. Fix: declare the log as the README shows."
            )
        self._report = memoryview(ffi.buffer(self.c.core.report)).cast("d")[:len(log_fields)]
        self._to_infos = _infos_builder(("episode_count", *(k for k, _ in log_fields[1:])))
        if (init(self.c, target) if sub_env else init(self.c)) != 0:
            raise MemoryError(f"{name}_init: could not allocate the state of {self.c.num_envs} sub-envs")
        self.envs = ffi.cast(f"{name} *", self.c.envs) if sub_env else None
        self._actions, self._results = b.actions, (b.observations, b.rewards, b.terminals, b.truncations)
        self.closed = False

    def _bind(self, field: str, arr: np.ndarray, ctype) -> None:
        item = ctype.item.cname
        expected = np.dtype(_C_TO_NUMPY[item])
        if arr.dtype != expected:
            raise BuffersError(
                f"{self.owner}.buffers.{field}: expected dtype {expected} (C {item}* in struct {self.name}), found "
                f"{arr.dtype}. Fix: declare the space's dtype to match the struct, or the struct's pointer to match "
                "the space."
            )
        view = self.ffi.from_buffer(f"{item}[]", arr, require_writable=True)
        self._keep.append(view)
        setattr(self.c, field, view)

    def reset(self, seed: int | None = None):
        """Seed sub-env ``i`` with ``(seed + i) % 2**64`` (fresh entropy when None), start them all, and
        return ``(observations, [])`` as ``Env.reset`` does.

        ``seed`` is checked by ``envsdk.seeding.check_seed`` (``ConfigError`` outside ``[0, 2**64)``).
        """
        if self.closed:
            raise StateError(f"{self.owner}.reset: expected an open env, found it closed. Fix: build a new env.")
        seed = check_seed(f"{self.owner}.reset", seed)
        self._reset(self.c, random_seed() if seed is None else seed)
        return self._results[0], []

    def step(self, actions):
        """Copy ``actions`` into the actions buffer (unless they are it), run one C batch step, and
        return ``(observations, rewards, terminals, truncations, infos)`` as ``Env.step`` does."""
        if actions is not self._actions:
            copy_actions(self._actions, actions, f"{self.owner}.step")
        unread = self._step(self.c)  # episodes to report; -1 if not reset or closed
        return (*self._results, self.infos(unread) if unread else [])

    def step_n(self, n: int) -> None:
        """Run ``n`` batch steps in ONE C call (no Python between steps): the bare C loop, for benchmarks."""
        getattr(self.lib, f"{self.name}_step_n")(self.c, n)

    def infos(self, unread: int) -> list[dict]:
        """The episodes reported by the last step, as one dict of means plus ``episode_count``.

        ``unread`` is what ``<name>_step`` returned: the episodes whose means it moved into
        ``core.report``, or -1 when the step did nothing because the env was not reset or is closed
        (a ``StateError``). Call it only when ``unread`` is not 0.
        """
        if unread < 0:
            if self.closed:
                raise StateError(f"{self.owner}.step: expected an open env, found it closed. Fix: build a new env.")
            raise StateError(
                f"{self.owner}.step: expected reset() before step(), found no reset. Fix: call reset(seed=...) first."
            )
        # One memoryview read of the means C wrote: at scale some episode ends on nearly every step.
        return self._to_infos(self._report.tolist())

    def close(self) -> None:
        """Free the C state; safe to call twice."""
        if not self.closed:
            self.closed = True
            self._close(self.c)
