"""Binding glue shared by the C sims' thin Python files (``envs/*.py``).

``CSim`` owns one C sim struct: it points the struct at the env's buffers (checking that each
numpy dtype matches the C pointer type, which cffi's ``from_buffer`` does not do), sets config
fields, calls ``<name>_init``, and reads the episode stats C reported at O(1) cost per step.
"""

from __future__ import annotations

import os

import numpy as np

from envsdk.buffers import FIELDS, Buffers
from envsdk.config import check_int
from envsdk.errors import BuffersError, ConfigError, ProtocolError, SourceTreeError, StateError
from envsdk.seeding import check_seed, random_seed

try:
    from envsdk._sims import ffi, lib
except ModuleNotFoundError as e:  # a source checkout that was never built
    if e.name != "envsdk._sims":
        raise
    raise SourceTreeError(
        f"envsdk._sims: expected the C sims compiled beside {os.path.dirname(os.path.abspath(__file__))}, found "
        "no compiled module (this source checkout was never built). Fix: python -m pip install -e . (or "
        "pip install . and run from another directory)."
    ) from None

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
    some episode ends on nearly every step). Each key enters the source as its repr, a literal.
    """
    entries = ", ".join(f"{k!r}: {'int(v[0])' if i == 0 else f'v[{i}]'}" for i, k in enumerate(keys))
    return eval(f"lambda v: [{{{entries}}}]")


class CSim:
    """One C sim struct ``<name>`` bound to ``buffers``; ``config`` fills its config fields.

    Public attributes: ``c`` (the struct, for renderers that read state), ``step`` (the bound
    ``<name>_step``, called with ``c``; it returns the count of episodes it reported, 0 when it
    reported none, or -1 before reset and after close, for ``infos``). The struct's buffer
    fields are the ``FIELDS`` it declares (``masks`` is optional); each must be a pointer to the
    buffer's dtype.
    ``log_field`` names the struct's episode log whose fields are the info keys (``log`` unless a
    sim keeps a second log for another mode, whose stats have other keys); ``step`` moves its means
    into the struct's ``report`` (``ENVSDK_REPORT`` in ``csrc/envsdk.h``). ``report_every`` (the
    env's config of that name, validated here) makes ``step`` report only on every n-th step since
    reset, each report covering the episodes that ended since the last one.
    """

    def __init__(self, name: str, buffers: Buffers, owner: str | None = None, *, log_field: str = "log",
                 report_every: int = 1, **config):
        self.name = name
        self.owner = owner or name  # the Python class named in errors
        config["report_every"] = check_int(self.owner, "report_every", report_every, 1, 2**31 - 1)
        self.c = ffi.new(f"{name} *")
        self._keep = []  # from_buffer views: the struct's raw pointers do not keep them alive
        fields = dict(ffi.typeof(self.c[0]).fields)
        for field in FIELDS:
            if field in fields:
                self._bind(field, getattr(buffers, field), fields[field].type)
            elif field != "masks":
                raise BuffersError(f"C struct {name}: expected a pointer field {field!r}, found none.")
        for key, value in config.items():
            if key not in fields:
                raise ConfigError(f"C struct {name}: expected a config field {key!r}, found none.")
            setattr(self.c, key, value)
        # The info keys: the log's fields in order, its count first (ENVSDK_REPORT in envsdk.h
        # writes the count, then each mean, to the struct's report array in that order).
        log_fields = ffi.typeof(getattr(self.c, log_field)).fields
        if log_fields[0][0] != "count" or any(f.type.cname != "double" for _, f in log_fields):
            raise ProtocolError(
                f"C struct {name}.{log_field}: expected double fields only, count first, found "
                f"{[(k, f.type.cname) for k, f in log_fields]}. Fix: declare the log as in csrc/squared.h."
            )
        self._report = memoryview(ffi.buffer(self.c.report)).cast("d")[:len(log_fields)]
        self._to_infos = _infos_builder(("episode_count", *(k for k, _ in log_fields[1:])))
        self._reset = getattr(lib, f"{name}_reset")
        self.step = getattr(lib, f"{name}_step")
        self._close = getattr(lib, f"{name}_close")
        if getattr(lib, f"{name}_init")(self.c) != 0:
            raise MemoryError(f"{name}_init: could not allocate the state of {config.get('num_envs')} sub-envs")
        self.closed = False

    def _bind(self, field: str, arr: np.ndarray, ctype) -> None:
        item = ctype.item.cname
        expected = np.dtype(_C_TO_NUMPY[item])
        if arr.dtype != expected:
            raise BuffersError(
                f"{self.name}.{field}: expected dtype {expected} (C {item}*), found {arr.dtype}. Fix: "
                "allocate the buffers with envsdk.allocate for this env's spaces."
            )
        view = ffi.from_buffer(f"{item}[]", arr, require_writable=True)
        self._keep.append(view)
        setattr(self.c, field, view)

    def reset(self, seed: int | None) -> None:
        """Seed sub-env ``i`` with ``(seed + i) % 2**64`` (fresh entropy when None) and start them all.

        ``seed`` is checked by ``envsdk.seeding.check_seed`` (``ConfigError`` outside ``[0, 2**64)``).
        """
        if self.closed:
            raise StateError(f"{self.owner}.reset: expected an open env, found it closed. Fix: build a new env.")
        seed = check_seed(f"{self.owner}.reset", seed)
        self._reset(self.c, random_seed() if seed is None else seed)

    def step_n(self, n: int) -> None:
        """Run ``n`` batch steps in ONE C call (no Python between steps): the bare C loop."""
        getattr(lib, f"{self.name}_step_n")(self.c, n)

    def infos(self, unread: int) -> list[dict]:
        """The episodes reported by the last step, as one dict of means plus ``episode_count``.

        ``unread`` is what ``<name>_step`` returned: the episodes whose means it moved into the
        struct's ``report``, or -1 when the step did nothing because the env was not reset or is
        closed (a ``StateError``). Call it only when ``unread`` is not 0.
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
