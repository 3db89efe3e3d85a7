"""plain: infos cross processes as plain data, and reading bytes from a peer never runs code."""

import collections
import pickle

import numpy as np
import pytest

from envsdk.backends import _plain as plain
from envsdk.errors import ProtocolError

PLAIN = [
    {"episode_return": 1.5, "episode_count": 3, "name": "x", "raw": b"\x00", "none": None, "flag": True,
     "nested": (1, [2.0, {"k": {3}}]), "frozen": frozenset({4})},
    {"array": np.arange(6, dtype=np.float32).reshape(2, 3), "fortran": np.zeros((3, 2)).T, "scalar": np.float64(2.5),
     "int8": np.int8(-3), "bool": np.bool_(True), "record": np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
     "objects": np.array([1, "two", None], dtype=object), "dtype": np.dtype("u2"), "text": np.str_("s")},
]


def test_plain_data_round_trips():
    data = plain.dumps(PLAIN)
    out = plain.loads(memoryview(data))
    assert out[0] == PLAIN[0]
    for key, value in PLAIN[1].items():
        np.testing.assert_array_equal(out[1][key], value)
        assert type(out[1][key]) is type(value)


@pytest.mark.parametrize("value,name", [
    (lambda: 1, "builtins.function"), (object(), "builtins.object"), (1j, "builtins.complex"),
    (collections.OrderedDict(a=1), "collections.OrderedDict"), (np.ma.array([1]), "numpy.ma.MaskedArray"),
    (np.array([object()], dtype=object), "builtins.object"),
])
def test_anything_else_is_refused_by_the_writer_with_the_fix(value, name):
    with pytest.raises(ProtocolError, match=rf"infos: expected plain data, found {name} .*Fix: put only plain data"):
        plain.dumps([{"x": value}])


CALLS = []


def record(*args):
    CALLS.append(args)


class Hostile:
    """Unpickled by pickle.loads, this calls ``record`` (any importable callable would do)."""

    def __reduce__(self):
        return record, ("ran",)


@pytest.mark.parametrize("payload", [
    pickle.dumps(Hostile()), pickle.dumps([{"x": collections.OrderedDict()}]), pickle.dumps(np.ma.array([1])),
    b"\x80\x05garbage",
])
def test_the_reader_runs_no_code_whatever_the_bytes(payload):
    CALLS.clear()
    with pytest.raises(Exception):  # noqa: B017 (an UnpicklingError, or the error the bytes cause)
        plain.loads(payload)
    assert CALLS == []
    if payload == pickle.dumps(Hostile()):
        pickle.loads(payload)  # the payload is live: pickle itself would have run it
        assert CALLS == [("ran",)]
