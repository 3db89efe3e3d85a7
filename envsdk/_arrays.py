"""Arrays of either kind: numpy arrays on the host, or torch tensors on one device.

Buffers are numpy arrays unless asked for on a device (``envsdk.allocate(..., device=...)``), then
torch tensors with the same fields and dtypes. This module is the one place that tells the two
kinds apart, so the buffers, the backends, the checker and the adapters share one meaning of
"same dtype", "same memory" and "a host copy to compare".

torch is never imported here unless a device is asked for: ``is_tensor`` looks torch up in
``sys.modules``, because an object cannot be a tensor while torch was never imported. A numpy
path therefore costs one dict lookup, and nothing at all where it tests ``np.ndarray`` first.
"""

from __future__ import annotations

import functools
import sys

import numpy as np

from envsdk.errors import BuffersError, ConfigError, require


def torch_module(owner: str):
    """torch, imported on first use; ``MissingExtraError`` naming ``owner`` when absent."""
    return require("torch", "train", owner, package="torch")


def is_tensor(x) -> bool:
    """Whether ``x`` is a torch tensor (False without importing torch when nobody has)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def kind(x) -> str:
    """``"numpy"`` for a numpy array, ``"torch"`` for a tensor, else the type's name (for messages)."""
    if isinstance(x, np.ndarray):
        return "numpy"
    return "torch" if is_tensor(x) else type(x).__name__


def describe(x) -> str:
    """How an error message names ``x``'s kind: ``numpy.ndarray``, ``torch.Tensor on cuda:0``, or its type."""
    if isinstance(x, np.ndarray):
        return "numpy.ndarray"
    return f"torch.Tensor on {x.device}" if is_tensor(x) else type(x).__name__


def resolve_device(device, owner: str):
    """``device`` as a ``torch.device`` with its index filled in (``"cuda"`` -> ``cuda:0``), or None.

    None stays None (numpy buffers; torch is not imported). A string (``"cpu"``, ``"cuda"``,
    ``"cuda:1"``) or a ``torch.device`` is checked to be one torch can allocate on now; anything
    else raises ``ConfigError`` naming ``owner`` and the fix.
    """
    if device is None:
        return None
    torch = torch_module(owner)
    if not isinstance(device, (str, torch.device)):
        raise ConfigError.of(owner, "device", "None (numpy), a device string such as 'cpu' or 'cuda', or a "
                             "torch.device", f"{type(device).__name__} {device!r}", "pass device='cuda' or device=None")
    try:
        dev = torch.device(device)
    except RuntimeError as e:
        raise ConfigError.of(owner, "device", "a torch device string such as 'cpu', 'cuda' or 'cuda:1'",
                             repr(device), f"pass one of those ({e})") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError.of(owner, "device", "a device torch can reach", f"{dev} with torch.cuda.is_available() "
                                 f"False (torch {torch.__version__})",
                                 "pass device='cpu' (or None for numpy), or install a CUDA build of torch on a "
                                 "GPU machine")
        index = torch.cuda.current_device() if dev.index is None else dev.index
        if index >= torch.cuda.device_count():
            raise ConfigError.of(owner, "device", f"a CUDA device index below {torch.cuda.device_count()}",
                                 str(dev), "pass device='cuda' (the current device) or an index that exists")
        return torch.device("cuda", index)
    if dev.type == "cpu":
        return torch.device("cpu")
    # Other backends (mps, xpu, ...): torch itself fills the index in.
    return torch.empty(0, device=dev).device


def same_device(a, b) -> bool:
    """Whether two devices (None for numpy's host) name the same place, ``cuda`` and ``cuda:0`` alike."""
    if a is None or b is None:
        return a is None and b is None
    torch = sys.modules["torch"]
    a, b = torch.device(a), torch.device(b)
    if a.type != b.type:
        return False
    if a.index == b.index or a.type == "cpu":
        return True
    current = torch.cuda.current_device() if a.type == "cuda" and torch.cuda.is_available() else 0
    return (current if a.index is None else a.index) == (current if b.index is None else b.index)


@functools.cache
def torch_dtype(dtype: np.dtype):
    """The torch dtype that holds ``dtype``'s values bit for bit, or None when torch has none
    (long double, non-native byte order, datetimes, ...)."""
    torch = sys.modules["torch"]
    try:
        return torch.from_numpy(np.empty(0, dtype)).dtype
    except (TypeError, ValueError):
        return None


def require_torch_dtype(dtype: np.dtype, owner: str, field: str):
    """``torch_dtype(dtype)``, or ``BuffersError`` naming ``owner.field`` when torch cannot hold it."""
    found = torch_dtype(np.dtype(dtype))
    if found is None:
        raise BuffersError.of(owner, field, "a dtype torch can hold (bool, int8-64, uint8-64, float16-64, "
                              "complex64/128, native byte order)", f"dtype {np.dtype(dtype)}",
                              "give the space a dtype torch holds (e.g. np.float32), or keep numpy buffers "
                              "(device=None)")
    return found


@functools.cache
def numpy_dtype(dtype) -> np.dtype | None:
    """The numpy dtype of a torch dtype (``torch.int32`` -> ``int32``), or None when numpy has none
    (bfloat16)."""
    torch = sys.modules["torch"]
    try:
        return torch.empty(0, dtype=dtype).numpy().dtype
    except TypeError:
        return None


def dtype_of(x) -> np.dtype | None:
    """``x``'s element type as a numpy dtype, for either kind (None for a tensor numpy cannot name)."""
    return x.dtype if isinstance(x, np.ndarray) else numpy_dtype(x.dtype)


def host_copy(x) -> np.ndarray:
    """A numpy array on the host holding ``x``'s values, never sharing its memory (for comparing,
    recording, printing). A device tensor is copied to the host: the caller pays a transfer."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if is_tensor(x):
        return x.detach().to("cpu", copy=True).numpy()
    return np.array(x)


def host_view(x) -> np.ndarray:
    """``x`` as a numpy array on the host: the same memory for numpy arrays and CPU tensors, a copy
    for a tensor on another device. For reading; a write lands in ``x`` only when it shares memory."""
    if isinstance(x, np.ndarray):
        return x
    if is_tensor(x):
        x = x.detach()
        return x.numpy() if x.device.type == "cpu" else x.cpu().numpy()
    return np.asarray(x)


def byte_range(x) -> tuple[str, int, int]:
    """Where a C-contiguous array lies: ``(place, first byte, end byte)``; ``place`` is ``"host"``
    for numpy arrays and CPU tensors (they may share memory), else the tensor's device."""
    if isinstance(x, np.ndarray):
        start = x.__array_interface__["data"][0]
        return "host", start, start + x.nbytes
    place = "host" if x.device.type == "cpu" else str(x.device)
    start = x.data_ptr()
    return place, start, start + x.numel() * x.element_size()


def shares_memory(a, b) -> bool:
    """Whether two arrays of either kind overlap in memory (exact for numpy pairs; by byte range,
    exact for C-contiguous ones, when a tensor is involved)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.may_share_memory(a, b))
    pa, sa, ea = byte_range(a)
    pb, sb, eb = byte_range(b)
    # Empty arrays (start == end) share nothing, as numpy says of them too.
    return pa == pb and sa < eb and sb < ea and sa < ea and sb < eb


def fill(x, value) -> None:
    """Write ``value`` into every element of ``x`` in place (either kind)."""
    if isinstance(x, np.ndarray):
        x[...] = value
    else:
        x.fill_(value)


def write(dst, values) -> None:
    """Copy ``values`` (a numpy array, a tensor, a list or a number) into ``dst`` in place, either
    kind, broadcasting and casting like numpy's ``dst[...] = values`` (torch's ``t[...] = array``
    refuses numpy arrays)."""
    if isinstance(dst, np.ndarray):
        dst[...] = values if isinstance(values, np.ndarray) else host_view(values)
    elif is_tensor(values):
        dst.copy_(values)
    else:
        values = np.asarray(values, dtype=numpy_dtype(dst.dtype))
        dst.copy_(sys.modules["torch"].from_numpy(np.require(values, requirements=("C", "W"))))


def raw(x):
    """A ``uint8`` view of ``x``'s bytes (same memory), either kind: for canaries and byte compares."""
    if isinstance(x, np.ndarray):
        return x.view(np.uint8)
    return x.view(sys.modules["torch"].uint8)
