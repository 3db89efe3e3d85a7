"""Spaces: construction, contains, seeded batched sampling, and duck typing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envsdk import spaces
from envsdk.errors import SpaceError
from envsdk.spaces import Box, Discrete, MultiDiscrete

DTYPES = [np.float32, np.float64, np.int8, np.uint8, np.int32, np.int64, np.bool_]


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
    dtype=st.sampled_from(DTYPES),
    n=st.integers(1, 20),
    seed=st.integers(0, 2**32),
)
def test_box_samples_lie_inside_and_are_seeded(shape, dtype, n, seed):
    low, high = (0, 1) if dtype == np.bool_ else (0, 5) if np.dtype(dtype).kind == "u" else (-3, 5)
    box = Box(low, high, shape=shape, dtype=dtype)
    batch = box.sample(n, rng=seed)
    assert batch.shape == (n, *shape) and batch.dtype == np.dtype(dtype)
    assert all(box.contains(row) for row in batch)
    assert spaces.batch_contains(box, batch).all()
    np.testing.assert_array_equal(batch, box.sample(n, rng=seed))
    assert box.sample(rng=seed).shape == shape


def test_box_unbounded_and_half_bounded_sampling():
    box = Box([-np.inf, 0.0, -np.inf], [np.inf, np.inf, 1.0])
    s = box.sample(1000, rng=0)
    assert s.dtype == np.float32 and np.isfinite(s).all()
    assert (s[:, 1] >= 0).all() and (s[:, 2] <= 1).all() and (s[:, 0] < 0).any()


def test_box_validation_errors():
    with pytest.raises(SpaceError, match="low <= high"):
        Box(1.0, 0.0, shape=(2,))
    with pytest.raises(SpaceError, match="broadcastable"):
        Box(np.zeros(3), np.ones(2))
    with pytest.raises(SpaceError, match="dtype"):
        Box(0, 1, shape=(2,), dtype=np.str_)
    with pytest.raises(SpaceError, match=r"representable in uint8 \[0, 255\], found \[-1.0, 300.0\]"):
        Box(-1, 300, shape=(2,), dtype=np.uint8)


def test_box_contains_rejects_shape_dtype_and_bounds():
    box = Box(0.0, 1.0, shape=(2,))
    assert box.contains(np.array([0.5, 1.0], np.float32))
    assert not box.contains(np.array([0.5, 1.5], np.float32))
    assert not box.contains(np.zeros(3, np.float32))
    assert not box.contains(np.array([0.5, np.nan], np.float32))


@given(n=st.integers(1, 50), start=st.integers(-5, 5), seed=st.integers(0, 2**32))
def test_discrete(n, start, seed):
    space = Discrete(n, start=start)
    batch = space.sample(64, rng=seed)
    assert batch.dtype == np.int32 and batch.shape == (64,)
    assert ((batch >= start) & (batch < start + n)).all()
    assert space.contains(batch[0]) and not space.contains(start + n) and not space.contains(1.0)
    np.testing.assert_array_equal(spaces.batch_contains(space, np.array([start, start + n])), [True, False])


def test_multidiscrete():
    space = MultiDiscrete([3, 2, 5])
    batch = space.sample(100, rng=1)
    assert batch.shape == (100, 3) and batch.dtype == np.int32
    assert (batch < [3, 2, 5]).all() and (batch >= 0).all()
    assert space.contains(np.array([2, 1, 4])) and not space.contains(np.array([3, 0, 0]))
    with pytest.raises(SpaceError, match="nvec"):
        MultiDiscrete([3, 0])


def test_action_and_observation_specs():
    assert spaces.action_spec(Discrete(4)) == ((), np.dtype(np.int32))
    assert spaces.action_spec(MultiDiscrete([2, 3])) == ((2,), np.dtype(np.int32))
    assert spaces.action_spec(Box(-1, 1, shape=(3,), dtype=np.float64)) == ((3,), np.dtype(np.float32))
    assert spaces.observation_spec(Box(0, 255, shape=(4, 4), dtype=np.uint8)) == ((4, 4), np.dtype(np.uint8))
    with pytest.raises(SpaceError, match="single_observation_space: expected a Box"):
        spaces.observation_spec(Discrete(3))
    with pytest.raises(SpaceError, match="single_action_space: expected a Box, Discrete or MultiDiscrete"):
        spaces.action_spec(object())


class DuckDiscrete:
    """Looks like gymnasium.spaces.Discrete: n, start, shape, dtype (int64), no low/high."""

    def __init__(self, n):
        self.n, self.start, self.shape, self.dtype = np.int64(n), np.int64(0), (), np.dtype(np.int64)


class DuckBox:
    def __init__(self, low, high, shape, dtype):
        self.low = np.full(shape, low, dtype)
        self.high = np.full(shape, high, dtype)
        self.shape, self.dtype = shape, np.dtype(dtype)


def test_duck_typed_spaces_without_gymnasium():
    assert spaces.kind(DuckDiscrete(3)) == "discrete"
    assert spaces.kind(DuckBox(0, 1, (2,), np.float32)) == "box"
    assert spaces.sample(DuckDiscrete(3), 10, rng=0).dtype == np.int32
    assert spaces.sample(DuckBox(0, 1, (2,), np.float32), 10, rng=0).shape == (10, 2)


def test_gymnasium_spaces_are_accepted():
    gym_spaces = pytest.importorskip("gymnasium.spaces")
    import envsdk

    buffers = envsdk.allocate(gym_spaces.Box(-1, 1, (3,), np.float32), gym_spaces.MultiDiscrete([2, 4]), 5)
    assert buffers.observations.shape == (5, 3) and buffers.actions.shape == (5, 2)
    assert buffers.actions.dtype == np.int32
    assert spaces.batch_contains(gym_spaces.Discrete(3), np.array([0, 2, 3], np.int32)).tolist() == [True, True, False]
    sample = spaces.sample(gym_spaces.Box(0, 1, (2,), np.float32), 4, rng=0)
    assert gym_spaces.Box(0, 1, (2,), np.float32).contains(sample[0])
