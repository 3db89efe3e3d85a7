"""Buffers: the six arrays an env reads actions from and writes results into (DESIGN §2), plus
the optional ``final_observations``.

``allocate`` builds default buffers for an env run alone. Backends lay all rows out in ONE
contiguous block (``Layout``), optionally in shared memory (``SharedBuffers``), and hand each
env object a row-slice view (``Buffers.rows``). Buffers are validated once (``validate``) and
never replaced: after construction, an env only writes through them.

Buffers are numpy arrays on the host by default. With ``device=`` (``allocate``, ``Layout.of``)
they are torch tensors on that device instead: the same fields, dtypes, shapes and rules, views
of one ``uint8`` tensor block, for GPU-native envs (``envsdk/protocol.py``, "Devices"). torch is
imported only then (``envsdk/_arrays.py`` tells the two kinds apart).
"""

from __future__ import annotations

import functools
import sys
import weakref
from dataclasses import dataclass
from multiprocessing import shared_memory

import numpy as np

from envsdk import _arrays, spaces
from envsdk.config import check_bool, is_int
from envsdk.errors import ActionError, BuffersError

FIELDS = ("observations", "actions", "rewards", "terminals", "truncations", "masks")
OPTIONAL_FIELDS = ("final_observations",)
"""Arrays a ``Buffers`` holds only when asked (``allocate(..., final_observations=True)``); else None."""

_ALIGN = 64  # each array starts on a cache line, so row slices of one array never share a line


@dataclass(eq=False)
class Buffers:
    """The six C-contiguous, writable arrays of one env, each with ``num_agents`` rows.

    A field is never rebound: envs write through the arrays in place (``b.rewards[:] = ...``,
    and in-place operators such as ``b.rewards += bonus`` or ``b.terminals |= ended``, which
    write into the same array). Assigning another array to a field raises ``BuffersError``:
    whoever shares this memory (a backend, another process) would never see the new one.

    - ``observations [n, *obs_shape]`` (observation dtype): written by reset and step.
    - ``actions [n]`` int32 (Discrete), ``[n, k]`` int32 (MultiDiscrete), ``[n, *shape]`` float32
      (Box): written by the caller (or by ``step`` copying its argument in), read by step.
    - ``rewards [n]`` float32, ``terminals [n]`` bool, ``truncations [n]`` bool: written by
      step (and zeroed by reset).
    - ``masks [n]`` bool: True where agent row ``i`` is live; ``allocate`` fills it with True.
    - ``final_observations [n, *obs_shape]`` (observation dtype), or None (the default): when
      present, ``step`` writes into it, for every row whose episode ended in that step
      (``terminals`` or ``truncations`` set), the observation the row would have shown had it
      not been reset; it leaves every other row as it was. Requested with
      ``allocate(..., final_observations=True)`` (and ``make``/the backends' same keyword).

    Every field is a numpy array, or (device buffers, ``allocate(..., device=...)``) every field is
    a torch tensor on one device (``device``), with the torch dtype that holds the same values.
    """

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminals: np.ndarray
    truncations: np.ndarray
    masks: np.ndarray
    final_observations: np.ndarray | None = None

    def __setattr__(self, name: str, value) -> None:
        # The dataclass __init__ sets each field once; after that only the same array may be
        # set again, which is what `b.rewards += x` does after adding in place.
        current = self.__dict__.get(name, _UNSET)
        if current is _UNSET or current is value:
            object.__setattr__(self, name, value)
            return
        raise BuffersError.of(
            "Buffers", name, "the array it was built with (buffers are never rebound)",
            f"an assignment of {type(value).__name__}"
            + (" (another array)" if _arrays.kind(value) in ("numpy", "torch") else ""),
            f"write into it in place: buffers.{name}[...] = value (or an in-place operator such as +=)",
        )

    def __delattr__(self, name: str) -> None:
        raise BuffersError.of("Buffers", name, "a field that stays", "del", "leave the field in place")

    @property
    def num_agents(self) -> int:
        """Number of agent rows (the leading dimension of every array)."""
        return self.observations.shape[0]

    @property
    def device(self):
        """None for numpy buffers (on the host); else the ``torch.device`` every tensor lives on."""
        obs = self.observations
        return None if isinstance(obs, np.ndarray) else getattr(obs, "device", None)

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of the arrays present: the six of ``FIELDS``, then the optional ones not None."""
        return FIELDS + tuple(f for f in OPTIONAL_FIELDS if getattr(self, f) is not None)

    def rows(self, start: int, stop: int) -> Buffers:
        """Views of rows ``[start, stop)`` of every array present: same memory, still C-contiguous."""
        if not 0 <= start <= stop <= self.num_agents:
            raise BuffersError(
                f"Buffers.rows({start}, {stop}): expected 0 <= start <= stop <= "
                f"{self.num_agents}, found start={start}, stop={stop}. Fix: slice within the "
                "buffers' rows."
            )
        return Buffers(**{f: getattr(self, f)[start:stop] for f in self.field_names})

    def validate(
        self, single_observation_space, single_action_space, num_agents: int, owner: str = "buffers"
    ) -> Buffers:
        """Check every array against the spaces and ``num_agents``; return ``self``.

        Raises ``BuffersError`` naming ``owner.field``, the expected and found value and the fix.
        """
        return validate(self, single_observation_space, single_action_space, num_agents, owner)


_UNSET = object()


def require_buffers(buffers, owner: str = "buffers") -> Buffers:
    """``buffers`` if it is an envsdk ``Buffers``; else ``BuffersError`` naming ``owner`` and the fix."""
    if not isinstance(buffers, Buffers):
        raise BuffersError.of(
            owner, None, "an envsdk.Buffers", type(buffers).__name__,
            "pass buffers=None (the env allocates its own) or build them with envsdk.allocate(obs_space, "
            "act_space, num_agents)" + (" (a dict of arrays: envsdk.Buffers(**arrays))" if isinstance(buffers, dict)
                                        else "") + ".",
        )
    return buffers


def validate(buffers, single_observation_space, single_action_space, num_agents: int,
             owner: str = "buffers") -> Buffers:
    """Check that ``buffers`` is a ``Buffers`` fit for the spaces and ``num_agents``; return it.

    Each array must have the dtype and shape DESIGN §2 gives, be C-contiguous and writable, and
    share no memory with another field (a reward written into an observation would corrupt it).
    ``final_observations``, when not None, is checked like ``observations``. Device buffers are
    held to the same rules (the dtype is the torch dtype of the same values; writable means it
    does not require grad), and every field must be of one kind (all numpy, or all tensors) and,
    for tensors, on one device: ``observations`` sets what the rest must match.
    Raises ``BuffersError`` naming ``owner.field``, the expected and found value and the fix;
    anything but a ``Buffers`` (a dict of arrays, say) is refused the same way. This is what
    ``Buffers.validate`` runs; call it as a function when the argument may not be a ``Buffers``.
    """
    require_buffers(buffers, owner)
    present = buffers.field_names
    layout = Layout.of(single_observation_space, single_action_space, num_agents,
                       final_observations="final_observations" in present)
    first = buffers.observations
    for name, dtype, row_shape in layout.fields:
        arr, shape = getattr(buffers, name), (num_agents, *row_shape)
        if isinstance(first, np.ndarray) or not _arrays.is_tensor(first):
            _check_array(owner, name, arr, np.dtype(dtype), shape)
        else:
            _check_tensor(owner, name, arr, np.dtype(dtype), shape, first.device)
    # C-contiguous arrays fill one byte range each, so overlapping bounds are overlapping memory.
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            if _arrays.shares_memory(getattr(buffers, a), getattr(buffers, b)):
                raise BuffersError.of(
                    owner, b, "memory of its own", f"it overlaps {owner}.{a}",
                    "give every field its own array (envsdk.allocate lays them out side by side in one block)",
                )
    return buffers


def _check_array(owner: str, name: str, arr, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    fix_alloc = "build buffers with envsdk.allocate(obs_space, act_space, num_agents)"
    if not isinstance(arr, np.ndarray):
        if name != "observations" and _arrays.is_tensor(arr):  # a mix of kinds
            raise BuffersError.of(owner, name, f"a numpy.ndarray, as {owner}.observations is", _arrays.describe(arr),
                                  "allocate every field together: envsdk.allocate(obs_space, act_space, num_agents) "
                                  "for numpy, or with device=... for tensors on one device")
        # observations sets the kind, so only there may a tensor be what was meant.
        expected = "a numpy.ndarray" + (" (or, for device buffers, a torch.Tensor)" if name == "observations" else "")
        raise BuffersError.of(owner, name, expected, type(arr).__name__, fix_alloc)
    if arr.dtype != dtype:
        raise BuffersError.of(
            owner, name, f"dtype {dtype}", f"dtype {arr.dtype}",
            f"{fix_alloc}; never .astype() a buffer (it copies and breaks sharing)",
        )
    if arr.shape != shape:
        raise BuffersError.of(
            owner, name, f"shape {shape}", f"shape {arr.shape}",
            f"{fix_alloc} with the env's num_agents and spaces",
        )
    if not arr.flags.c_contiguous:
        raise BuffersError.of(
            owner, name, "a C-contiguous array", f"strides {arr.strides}",
            "pass a row slice (buffers.rows) or np.ascontiguousarray before construction, "
            "never a column or strided view",
        )
    if not arr.flags.writeable:
        raise BuffersError.of(
            owner, name, "a writable array", "a read-only array",
            "pass memory the env may write (not np.broadcast_to or a read-only mapping)",
        )


def _check_tensor(owner: str, name: str, arr, dtype: np.dtype, shape: tuple[int, ...], device) -> None:
    """``_check_array`` for device buffers: ``arr`` must be a tensor on ``device`` (where
    ``observations`` lives) with the torch dtype of ``dtype``, ``shape``, dense, contiguous, and
    free of autograd (buffers are written in place)."""
    fix_alloc = "build buffers with envsdk.allocate(obs_space, act_space, num_agents, device=...)"
    if not _arrays.is_tensor(arr):
        raise BuffersError.of(owner, name, f"a torch.Tensor on {device}, as {owner}.observations is",
                              _arrays.describe(arr), "allocate every field together: " + fix_alloc)
    if not _arrays.same_device(arr.device, device):
        raise BuffersError.of(owner, name, f"a tensor on {device}, where {owner}.observations lives",
                              f"a tensor on {arr.device}", "allocate every field on one device: " + fix_alloc)
    expected = _arrays.require_torch_dtype(dtype, owner, name)
    if arr.dtype != expected:
        raise BuffersError.of(owner, name, f"dtype {expected} (numpy {dtype})", f"dtype {arr.dtype}",
                              f"{fix_alloc}; never .to(dtype) a buffer (it copies and breaks sharing)")
    if tuple(arr.shape) != shape:
        raise BuffersError.of(owner, name, f"shape {shape}", f"shape {tuple(arr.shape)}",
                              f"{fix_alloc} with the env's num_agents and spaces")
    torch = _arrays.torch_module("envsdk.buffers.validate")
    if arr.layout != torch.strided or not arr.is_contiguous():
        raise BuffersError.of(owner, name, "a dense C-contiguous tensor",
                              f"layout {arr.layout}" if arr.layout != torch.strided else f"strides {arr.stride()}",
                              "pass a row slice (buffers.rows) or .contiguous() before construction, never a "
                              "column, strided or expanded view")
    if arr.requires_grad:
        raise BuffersError.of(owner, name, "a tensor that does not require grad", "requires_grad=True",
                              f"{fix_alloc} (envs write buffers in place, which autograd refuses on such a tensor)")


def _check_num_agents(num_agents) -> int:
    if not is_int(num_agents):
        raise BuffersError.of("num_agents", None, "a positive int", f"{type(num_agents).__name__} {num_agents!r}",
                              "pass the number of agent rows, e.g. num_agents=num_envs.")
    if num_agents <= 0:
        raise BuffersError.of("num_agents", None, "a positive int", num_agents,
                              "an env simulates at least one agent row.")
    return int(num_agents)


@dataclass(frozen=True)
class Layout:
    """Where each array lives inside one contiguous block of ``nbytes`` bytes.

    Plain data (picklable), so a worker process can rebuild the same views from a block name.
    ``fields`` is ``((name, dtype_str, row_shape), ...)`` in ``FIELDS`` order, then
    ``final_observations`` when the layout has it. ``device`` is None for numpy arrays, else the
    torch device (as a string, ``"cuda:0"``) whose ``uint8`` tensor block ``view`` lays tensors over.
    """

    num_agents: int
    fields: tuple[tuple[str, str, tuple[int, ...]], ...]
    device: str | None = None

    @classmethod
    def of(cls, single_observation_space, single_action_space, num_agents: int, *,
           final_observations: bool = False, device=None) -> Layout:
        """The layout DESIGN §2 prescribes for these spaces and ``num_agents`` rows (with
        ``final_observations``, shaped as ``observations``, when asked), on ``device`` (None:
        numpy; else a torch device or its string, ``"cpu"``, ``"cuda"``, ``"cuda:1"``).

        Raises ``ConfigError`` for a device torch cannot reach and ``BuffersError`` for an
        observation dtype torch cannot hold.
        """
        n = _check_num_agents(num_agents)
        dev = _arrays.resolve_device(device, "Layout.of")
        obs_shape, obs_dtype = spaces.observation_spec(single_observation_space)
        act_shape, act_dtype = spaces.action_spec(single_action_space)
        specs = {
            "observations": (obs_dtype, obs_shape),
            "actions": (act_dtype, act_shape),
            "rewards": (np.dtype(np.float32), ()),
            "terminals": (np.dtype(np.bool_), ()),
            "truncations": (np.dtype(np.bool_), ()),
            "masks": (np.dtype(np.bool_), ()),
            "final_observations": (obs_dtype, obs_shape),
        }
        final = check_bool("Layout", "final_observations", final_observations)
        names = FIELDS + (("final_observations",) if final else ())
        if dev is not None:
            _arrays.require_torch_dtype(obs_dtype, "Layout.of", "observations")
        return cls(n, tuple((f, specs[f][0].str, specs[f][1]) for f in names), None if dev is None else str(dev))

    def offsets(self) -> tuple[list[int], int]:
        """Byte offset of each field (aligned to 64) and the block's total size."""
        offsets, end = [], 0
        for _, dtype, row_shape in self.fields:
            end = -(-end // _ALIGN) * _ALIGN
            offsets.append(end)
            end += np.dtype(dtype).itemsize * self.num_agents * int(np.prod(row_shape, dtype=int))
        return offsets, max(end, 1)

    @property
    def nbytes(self) -> int:
        """Size of the block that holds every array."""
        return self.offsets()[1]

    def block(self):
        """A new zeroed block of ``nbytes``: a numpy ``uint8`` array, or a ``uint8`` tensor on ``device``."""
        if self.device is None:
            return np.zeros(self.nbytes, np.uint8)
        torch = _arrays.torch_module("Layout.block")
        return torch.zeros(self.nbytes, dtype=torch.uint8, device=self.device)

    def view(self, block) -> Buffers:
        """Buffers whose arrays are views into ``block``: any writable buffer of ``nbytes`` (numpy
        layout), or a 1-D contiguous ``uint8`` tensor of ``nbytes`` on ``device`` (device layout)."""
        offsets, nbytes = self.offsets()
        if self.device is not None or _arrays.is_tensor(block):
            return self._tensor_view(block, offsets, nbytes)
        if memoryview(block).nbytes < nbytes:
            raise BuffersError(
                f"Layout.view: expected a block of at least {nbytes} bytes, found "
                f"{memoryview(block).nbytes}. Fix: allocate Layout.nbytes bytes."
            )
        # np.frombuffer (unlike np.ndarray(buffer=...)) holds a buffer export on the block for as
        # long as any view lives, so the block's memory cannot be unmapped under a live array.
        arrays = {
            name: np.frombuffer(block, np.dtype(dtype), self.num_agents * int(np.prod(row_shape, dtype=int)), off)
            .reshape(self.num_agents, *row_shape)
            for (name, dtype, row_shape), off in zip(self.fields, offsets, strict=True)
        }
        return Buffers(**arrays)

    def _tensor_view(self, block, offsets: list[int], nbytes: int) -> Buffers:
        torch = _arrays.torch_module("Layout.view")
        fix = "Fix: view Layout.block() (a torch.uint8 tensor of Layout.nbytes bytes on the layout's device)."
        if self.device is None:
            raise BuffersError(f"Layout.view: expected a writable buffer (this layout is numpy's, device=None), "
                               f"found a {_arrays.describe(block)}. Fix: Layout.of(..., device=...) for tensors.")
        if not isinstance(block, torch.Tensor) or block.dtype != torch.uint8 or block.dim() != 1 \
                or not block.is_contiguous():
            found = (f"a {block.dim()}-D {block.dtype} tensor" if isinstance(block, torch.Tensor)
                     else type(block).__name__)
            raise BuffersError(f"Layout.view: expected a 1-D contiguous torch.uint8 tensor, found {found}. {fix}")
        if not _arrays.same_device(block.device, self.device):
            raise BuffersError(f"Layout.view: expected a block on {self.device}, found one on {block.device}. {fix}")
        if block.numel() < nbytes:
            raise BuffersError(f"Layout.view: expected a block of at least {nbytes} bytes, found {block.numel()}. "
                               f"{fix}")
        arrays = {}
        for (name, dtype, row_shape), off in zip(self.fields, offsets, strict=True):
            dt = np.dtype(dtype)
            count = self.num_agents * int(np.prod(row_shape, dtype=int))
            # Offsets are 64-byte aligned, so reinterpreting the bytes as any dtype is allowed.
            arrays[name] = block[off:off + count * dt.itemsize].view(_arrays.torch_dtype(dt)).view(
                self.num_agents, *row_shape)
        return Buffers(**arrays)


def _memory_owner(arr: np.ndarray):
    """The non-array object at the bottom of ``arr``'s base chain (what holds the buffer export)."""
    while isinstance(arr, np.ndarray):
        arr = arr.base
    return arr


def allocate(single_observation_space, single_action_space, num_agents: int, *,
             final_observations: bool = False, device=None) -> Buffers:
    """Build default buffers for ``num_agents`` rows: zeros in one block, ``masks`` all True.

    This is what an env does with ``buffers=None``; it takes Gymnasium spaces as well. With
    ``final_observations=True`` the block also holds ``final_observations`` (see ``Buffers``).

    ``device=None`` (the default) gives numpy arrays and never imports torch. A device (``"cpu"``,
    ``"cuda"``, ``"cuda:1"`` or a ``torch.device``) gives torch tensors on it: the same fields,
    dtypes (the torch dtype of each numpy one) and shapes, C-contiguous views of one ``uint8``
    block, so ``rows`` stays views. Raises ``ConfigError`` for a device torch cannot reach,
    ``BuffersError`` for an observation dtype torch cannot hold, ``MissingExtraError`` without torch.
    """
    device = _arrays.resolve_device(device, "allocate")
    layout = Layout.of(single_observation_space, single_action_space, num_agents,
                       final_observations=final_observations, device=device)
    buffers = layout.view(layout.block())
    buffers.masks[...] = True
    return buffers


def copy_actions(dst, actions, owner: str = "step") -> None:
    """Copy ``actions`` into the actions buffer ``dst`` unless they already are that buffer.

    Accepts any array of the buffer's shape whose dtype casts within its kind (int64 into int32
    is fine, float into int is not). Raises ``ActionError`` otherwise, and for integer values the
    buffer's dtype cannot hold (an int64 ``2**32 + 1`` would wrap to the valid action 1). Values
    it can hold are not range-checked here: each env states what it does with out-of-range
    actions (the bundled ones: a no-op).

    ``dst`` is a numpy array or, for device buffers, a torch tensor; ``actions`` a numpy array, a
    list or a torch tensor. A tensor ``dst`` takes a tensor on its own device without a host
    round trip (a tensor on another device is copied across, a numpy array or list is copied in);
    a numpy ``dst`` takes a tensor through a host copy. The checks and messages are the same for
    every kind (dtypes are named as numpy names them).
    """
    if actions is dst:
        return
    if not isinstance(dst, np.ndarray):
        _copy_into_tensor(dst, actions, owner)
        return
    # A list (or a tensor: its values, copied to the host when on a device) becomes an array.
    a = actions if isinstance(actions, np.ndarray) else _arrays.host_view(actions)
    if a.shape != dst.shape or not np.can_cast(a.dtype, dst.dtype, "same_kind"):
        _check_actions(dst.shape, dst.dtype, a.shape, a.dtype, owner)  # raises, naming which
    bounds = None if a.dtype == dst.dtype else _wrapping(a.dtype, dst.dtype)
    if bounds is not None and a.size:
        # Only wider integer types can wrap; checking their range costs two reductions, a few
        # microseconds, on this copying path alone (writing into the buffer itself skips it).
        flat = a if a.ndim == 1 else a.reshape(-1)
        low, high = _min(flat), _max(flat)
        if low < bounds[0] or high > bounds[1]:
            _check_range(bounds, low, high, a, dst.dtype, owner)  # raises, naming the value
    dst[...] = a


def _check_actions(dst_shape, dst_dtype: np.dtype, shape, dtype, owner: str) -> None:
    """``ActionError`` unless actions of ``shape`` and ``dtype`` (a numpy dtype, or a torch
    dtype numpy cannot name) fit a buffer of ``dst_shape`` and ``dst_dtype``."""
    if shape != dst_shape:
        raise ActionError.of(
            owner, "actions", f"shape {dst_shape}", f"shape {shape}",
            "pass one action row per agent (num_agents rows)",
        )
    if not isinstance(dtype, np.dtype) or not np.can_cast(dtype, dst_dtype, "same_kind"):
        raise ActionError.of(
            owner, "actions", f"dtype {dst_dtype} (or one that casts to it within its kind)",
            f"dtype {dtype}",
            f"pass {dst_dtype.name} actions, e.g. write into env.buffers.actions directly",
        )


def _check_range(bounds: tuple[int, int], low, high, a, dst_dtype: np.dtype, owner: str) -> None:
    """``ActionError`` naming the first value of ``a`` outside ``bounds`` (``low``/``high``: its extremes)."""
    lowest, highest = bounds
    if low < lowest or high > highest:
        bad = low if low < lowest else high
        where = (a == bad).nonzero(as_tuple=True) if _arrays.is_tensor(a) else np.nonzero(a == bad)
        index = tuple(int(i[0]) for i in where)
        raise ActionError.of(
            owner, "actions", f"values within {dst_dtype.name} [{lowest}, {highest}]",
            f"{bad} at index {index}",
            f"pass actions the env defines; a {_arrays.dtype_of(a).name} value outside {dst_dtype.name} would "
            "wrap around to another, valid-looking action",
        )


def _copy_into_tensor(dst, actions, owner: str) -> None:
    """``copy_actions`` for a tensor buffer: the same checks, then one copy with no host round trip
    for a tensor on ``dst``'s device."""
    dst_dtype = _arrays.numpy_dtype(dst.dtype)
    dst_shape = tuple(dst.shape)
    if _arrays.is_tensor(actions):
        a = actions.detach()
        dtype = _arrays.numpy_dtype(a.dtype) or a.dtype
        _check_actions(dst_shape, dst_dtype, tuple(a.shape), dtype, owner)
        bounds = None if dtype == dst_dtype else _wrapping(dtype, dst_dtype)
        if bounds is not None and a.numel():
            # Two reductions and one sync on the device: only on this wider-integer path.
            low, high = (int(v) for v in a.aminmax())
            _check_range(bounds, low, high, a, dst_dtype, owner)
        dst.copy_(a)
        return
    a = actions if isinstance(actions, np.ndarray) else np.asarray(actions)
    _check_actions(dst_shape, dst_dtype, a.shape, a.dtype, owner)
    bounds = None if a.dtype == dst_dtype else _wrapping(a.dtype, dst_dtype)
    if bounds is not None and a.size:
        flat = a.reshape(-1)
        _check_range(bounds, _min(flat), _max(flat), a, dst_dtype, owner)
    if dst.device.type == "cpu":
        dst.numpy()[...] = a  # numpy writes into the tensor's memory, casting as on the numpy path
    else:
        torch = _arrays.torch_module("envsdk.buffers.copy_actions")
        dst.copy_(torch.from_numpy(np.require(a, dst_dtype, ("C", "W"))))


_min, _max = np.minimum.reduce, np.maximum.reduce  # the ufuncs' reductions: cheaper than a.min()


@functools.cache
def _wrapping(src: np.dtype, dst: np.dtype) -> tuple[int, int] | None:
    """``dst``'s integer range when some ``src`` integer would wrap on the way into it, else None
    (cached: ``np.iinfo`` costs microseconds)."""
    if dst.kind not in "iu" or src.kind not in "iu" or np.can_cast(src, dst, "safe"):
        return None
    info = np.iinfo(dst)
    return int(info.min), int(info.max)


def _extra_offset(layout: Layout) -> int:
    """Where a ``SharedBuffers`` block's extra bytes start: after the buffers, on a cache line."""
    return -(-layout.nbytes // 64) * 64


class _SharedMemory(shared_memory.SharedMemory):
    """``SharedMemory`` whose garbage collection leaves a mapping that numpy views still use.

    The stdlib's ``__del__`` calls ``close()``, which raises ``BufferError`` (printed as an
    ignored exception) when views are alive; ``SharedBuffers.close`` releases it at the right
    time instead.
    """

    def __del__(self) -> None:
        try:
            self.close()
        except (BufferError, OSError):
            pass


class SharedBuffers:
    """Buffers in one named ``multiprocessing.shared_memory`` block.

    The parent ``create``s the block; worker processes ``attach`` by ``name`` with the same
    (picklable) ``layout`` and ``extra`` and get views of the same memory. Only the creator
    ``unlink``s. ``extra`` bytes after the buffers (``self.extra``, uint8, zeroed, 64-byte
    aligned) hold a backend's own shared state, e.g. the Multiprocessing handshake.
    """

    def __init__(self, shm: shared_memory.SharedMemory, layout: Layout, owner: bool, extra: int = 0):
        self._shm = shm
        self.layout = layout
        self.name = shm.name
        self.owner = owner
        self.buffers = layout.view(shm.buf)
        start = _extra_offset(layout)
        self.extra = np.frombuffer(shm.buf, np.uint8, count=extra, offset=start)

    @classmethod
    def create(cls, layout: Layout, extra: int = 0) -> SharedBuffers:
        """Allocate a new zeroed block for ``layout`` and ``extra`` bytes (``masks`` filled with True).

        Raises ``BuffersError`` before creating anything when the block is larger than the free
        space of ``/dev/shm`` (where Linux keeps shared memory; its pages are only used as they
        are written, so an oversized block would fail later, or exhaust memory, instead).
        """
        size = _extra_offset(layout) + extra
        room = cls._room()
        if room is not None and size > room:
            raise BuffersError(
                f"SharedBuffers.create: expected a block that fits in shared memory ({room / 2**30:.2f} GiB free "
                f"in /dev/shm), found {size / 2**30:.2f} GiB for {layout.num_agents} agent rows. Fix: fewer "
                "sub-envs (num_envs), or a larger /dev/shm (e.g. docker run --shm-size=...)."
            )
        shm = _SharedMemory(create=True, size=size)
        shared = cls(shm, layout, owner=True, extra=extra)
        shared.buffers.masks[...] = True
        return shared

    @staticmethod
    def _room() -> int | None:
        """Free bytes in ``/dev/shm``, or None where there is none to ask (not Linux)."""
        import os  # here: the rest of this module needs no os

        try:
            st = os.statvfs("/dev/shm")
        except (OSError, AttributeError):
            return None
        return st.f_bavail * st.f_frsize

    @classmethod
    def attach(cls, name: str, layout: Layout, extra: int = 0) -> SharedBuffers:
        """Map an existing block by ``name`` (in a worker); never unlinks it."""
        if sys.version_info >= (3, 13):
            shm = _SharedMemory(name=name, track=False)
        else:
            shm = _SharedMemory(name=name)
        return cls(shm, layout, owner=False, extra=extra)

    def close(self) -> None:
        """Release this process's mapping: now, or when the last numpy view of it dies.

        Unmapping under a live view would leave it pointing at nothing, so the mapping goes
        exactly when the memory objects behind every array (and so every slice) are collected.
        Safe to call twice.
        """
        buffers, self.buffers = self.buffers, None  # type: ignore[assignment]
        if buffers is None:
            return
        shm = self._shm
        arrays = [getattr(buffers, f) for f in buffers.field_names] + [self.extra]
        owners = [_memory_owner(a) for a in arrays]
        del buffers, arrays
        self.extra = None  # type: ignore[assignment]
        alive = {id(o) for o in owners}

        def release(key: int) -> None:
            alive.discard(key)
            if not alive:
                shm.close()

        for owner in owners:
            # Not at interpreter exit: views may still be alive then, and the OS unmaps anyway.
            weakref.finalize(owner, release, id(owner)).atexit = False
        del owners, owner  # if nothing else holds a view, the finalizers run right here

    def unlink(self) -> None:
        """Remove the block's name from the system (creator only). Safe to call twice."""
        if self.owner:
            try:
                self._shm.unlink()
            except FileNotFoundError:
                pass
            self.owner = False
