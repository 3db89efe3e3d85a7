"""Infos across processes, as plain data only: no code runs in the process that reads them.

A worker's infos cross to the parent pickled, and unpickling arbitrary data runs arbitrary code
(any importable callable, with any arguments). So both ends allow plain data only: ``dict``,
``list``, ``tuple``, ``set``, ``str``, ``bytes``, ``int``, ``float``, ``bool``, ``None``, and numpy
arrays and scalars (of any dtype; an object array's items are held to the same rule). The writer
refuses anything else with an error that names it and the fix; the reader resolves no global
but numpy's own array and scalar constructors, so bytes that did not come from ``dumps`` (a
corrupted or hostile peer) cannot run code either.
"""

from __future__ import annotations

import io
import pickle

import numpy as np

from envsdk.errors import ProtocolError

PROTOCOL = 5
# The globals numpy's pickles name (numpy 2 under numpy._core, numpy 1 under numpy.core): each
# rebuilds an array, a dtype or a scalar from plain arguments and calls nothing else.
_NUMPY_GLOBALS = frozenset(
    [("numpy", "ndarray"), ("numpy", "dtype")]
    + [(f"numpy.{core}.multiarray", name) for core in ("_core", "core") for name in ("_reconstruct", "scalar")]
    + [(f"numpy.{core}.numeric", "_frombuffer") for core in ("_core", "core")]
)
_FIX = ("put only plain data in infos: dicts, lists, tuples, str, bytes, int, float, bool, None, numpy "
        "arrays and scalars (e.g. float(x) instead of an object)")


class _Pickler(pickle.Pickler):
    """A pickler that refuses all but plain data. ``reducer_override`` is not called for the
    exact built-in containers, strings and numbers, so plain infos cost nothing extra."""

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is np.ndarray or (isinstance(obj, (np.generic, np.dtype)) and kind.__module__.startswith("numpy")):
            return NotImplemented  # numpy's own reduction, which names only _NUMPY_GLOBALS
        if (getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)) in _NUMPY_GLOBALS:
            return NotImplemented  # one of those globals, named by the reduction above
        raise ProtocolError(f"infos: expected plain data, found {kind.__module__}.{kind.__qualname__} "
                            f"{_short(obj)}. Fix: {_FIX}.")


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not plain data")


def dumps(infos) -> bytes:
    """``infos`` pickled; ``ProtocolError`` naming the first value that is not plain data."""
    f = io.BytesIO()
    _Pickler(f, PROTOCOL).dump(infos)
    return f.getvalue()


def loads(data) -> list:
    """What ``dumps`` wrote (bytes or a memoryview). Runs no code: ``pickle.UnpicklingError`` (or
    another ``Exception``) for anything but plain data."""
    return _Unpickler(io.BytesIO(data)).load()


def _short(obj) -> str:
    try:
        text = repr(obj)
    except Exception:  # a broken __repr__ must not hide the real error
        return "(no repr)"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
