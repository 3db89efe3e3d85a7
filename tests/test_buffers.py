"""Buffers: the allocator, validation errors that name the field, row views, shared memory."""

import multiprocessing as mp
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.buffers import FIELDS, Layout, SharedBuffers, copy_actions, validate
from envsdk.errors import ActionError, BuffersError
from envsdk.spaces import Box, Discrete, MultiDiscrete

OBS_DTYPES = [np.float32, np.float64, np.uint8, np.int8, np.int16, np.int32, np.bool_]

obs_spaces = st.builds(
    lambda shape, dtype: Box(0, 1, shape=shape, dtype=dtype),
    st.lists(st.integers(1, 5), max_size=3).map(tuple),
    st.sampled_from(OBS_DTYPES),
)
act_spaces = st.one_of(
    st.integers(1, 9).map(Discrete),
    st.lists(st.integers(1, 5), min_size=1, max_size=4).map(MultiDiscrete),
    st.lists(st.integers(1, 4), max_size=2).map(lambda s: Box(-1, 1, shape=tuple(s))),
)


@settings(max_examples=80, deadline=None)
@given(obs=obs_spaces, act=act_spaces, n=st.integers(1, 64))
def test_allocator_follows_design(obs, act, n):
    b = envsdk.allocate(obs, act, n)
    assert b.observations.shape == (n, *obs.shape) and b.observations.dtype == obs.dtype
    if isinstance(act, Discrete):
        assert b.actions.shape == (n,) and b.actions.dtype == np.int32
    elif isinstance(act, MultiDiscrete):
        assert b.actions.shape == (n, len(act.nvec)) and b.actions.dtype == np.int32
    else:
        assert b.actions.shape == (n, *act.shape) and b.actions.dtype == np.float32
    assert (b.rewards.dtype, b.terminals.dtype, b.truncations.dtype, b.masks.dtype) == (
        np.float32, np.bool_, np.bool_, np.bool_)
    for f in FIELDS:
        arr = getattr(b, f)
        assert arr.shape[0] == n and arr.flags.c_contiguous and arr.flags.writeable
    assert b.masks.all() and not b.terminals.any() and not b.rewards.any()
    # All six arrays live in one block, each starting on a 64-byte boundary.
    bases = {getattr(b, f).base is not None and id(_root(getattr(b, f))) for f in FIELDS}
    assert len(bases) == 1
    offsets, nbytes = Layout.of(obs, act, n).offsets()
    assert all(o % 64 == 0 for o in offsets) and nbytes >= sum(getattr(b, f).nbytes for f in FIELDS)
    b.validate(obs, act, n)


def _root(a):
    while isinstance(a, np.ndarray) and a.base is not None:
        a = a.base
    return a


def test_rows_are_views_of_the_same_memory():
    b = envsdk.allocate(Box(0, 1, shape=(3,)), Discrete(2), 8)
    part = b.rows(2, 5)
    assert part.num_agents == 3
    for f in FIELDS:
        assert np.shares_memory(getattr(part, f), getattr(b, f)) and getattr(part, f).flags.c_contiguous
    part.observations[...] = 7
    assert (b.observations[2:5] == 7).all() and (b.observations[:2] == 0).all()
    with pytest.raises(BuffersError, match="rows"):
        b.rows(4, 9)


def test_fields_are_never_rebound():
    b = envsdk.allocate(Box(0, 1, shape=(3,)), Discrete(2), 2)
    with pytest.raises(BuffersError) as err:
        b.observations = np.zeros((2, 3), np.float32)
    msg = str(err.value)
    assert "Buffers.observations: expected the array it was built with" in msg
    assert "Fix: write into it in place: buffers.observations[...] = value" in msg
    with pytest.raises(BuffersError, match=r"Buffers\.rewards: expected a field that stays"):
        del b.rewards


def test_in_place_operators_write_through_the_shared_memory():
    b = envsdk.allocate(Box(0, 1, shape=(3,)), Discrete(2), 4)
    part = b.rows(1, 3)  # what a backend hands an env: views of its block
    rewards, terminals = part.rewards, part.terminals
    part.rewards += np.float32(1.5)
    part.rewards *= 2
    part.terminals |= np.array([False, True])
    part.observations -= 0.25
    assert part.rewards is rewards and part.terminals is terminals
    assert b.rewards.tolist() == [0.0, 3.0, 3.0, 0.0] and b.terminals.tolist() == [False, False, True, False]
    assert (b.observations[1:3] == -0.25).all() and (b.observations[[0, 3]] == 0).all()


def test_overlapping_fields_are_rejected():
    b = envsdk.allocate(OBS, ACT, N)
    arrays = {f: getattr(b, f) for f in FIELDS}
    arrays["rewards"] = b.observations.reshape(-1)[:N]  # float32, [N], contiguous: fit but for the overlap
    with pytest.raises(BuffersError) as err:
        envsdk.Buffers(**arrays).validate(OBS, ACT, N, owner="MyEnv.buffers")
    assert "MyEnv.buffers.rewards: expected memory of its own, found it overlaps MyEnv.buffers.observations" in str(
        err.value)


@pytest.mark.parametrize("value", [{}, {f: None for f in FIELDS}, [1, 2]])
def test_anything_but_buffers_is_refused(value):
    b = envsdk.allocate(OBS, ACT, N)
    with pytest.raises(BuffersError, match=r"MyEnv\.buffers: expected an envsdk\.Buffers, found"):
        validate(value, OBS, ACT, N, owner="MyEnv.buffers")
    assert validate(b, OBS, ACT, N) is b


def test_a_bundled_env_refuses_a_dict_as_buffers():
    from envsdk.envs.cartpole import CartPole

    arrays = {f: getattr(envsdk.allocate(Box(-1, 1, shape=(4,)), Discrete(2), 2), f) for f in FIELDS}
    with pytest.raises(BuffersError, match=r"CartPole\.buffers: expected an envsdk\.Buffers, found dict.*"
                                           r"envsdk\.Buffers\(\*\*arrays\)"):
        CartPole(num_envs=2, buffers=arrays)
    with pytest.raises(BuffersError, match=r"Serial\(buffers=\.\.\.\): expected an envsdk\.Buffers, found dict"):
        envsdk.make("cartpole", num_envs=2, buffers=arrays)


OBS, ACT, N = Box(0, 1, shape=(3,)), Discrete(4), 6


def _with(field, value):
    b = envsdk.allocate(OBS, ACT, N)
    arrays = {f: getattr(b, f) for f in FIELDS}
    arrays[field] = value
    return envsdk.Buffers(**arrays)


@pytest.mark.parametrize("field", FIELDS)
def test_wrong_dtype_names_field_expected_found_fix(field):
    good = getattr(envsdk.allocate(OBS, ACT, N), field)
    bad = good.astype(np.float64 if good.dtype != np.float64 else np.float32)
    with pytest.raises(BuffersError) as err:
        _with(field, bad).validate(OBS, ACT, N, owner="MyEnv.buffers")
    msg = str(err.value)
    assert f"MyEnv.buffers.{field}" in msg and f"expected dtype {good.dtype}" in msg
    assert f"found dtype {bad.dtype}" in msg and "Fix:" in msg


@pytest.mark.parametrize("field", FIELDS)
def test_wrong_shape_names_field(field):
    good = getattr(envsdk.allocate(OBS, ACT, N + 1), field)
    with pytest.raises(BuffersError, match=rf"buffers\.{field}: expected shape .*found shape"):
        _with(field, good).validate(OBS, ACT, N)


@pytest.mark.parametrize("field", FIELDS)
def test_non_contiguous_names_field(field):
    good = getattr(envsdk.allocate(OBS, ACT, 2 * N), field)
    with pytest.raises(BuffersError, match=rf"buffers\.{field}: expected a C-contiguous array"):
        _with(field, good[::2]).validate(OBS, ACT, N)


@pytest.mark.parametrize("field", FIELDS)
def test_read_only_names_field(field):
    good = getattr(envsdk.allocate(OBS, ACT, N), field).copy()
    good.flags.writeable = False
    with pytest.raises(BuffersError, match=rf"buffers\.{field}: expected a writable array"):
        _with(field, good).validate(OBS, ACT, N)


def test_not_an_array_names_field():
    with pytest.raises(BuffersError, match=r"buffers\.rewards: expected a numpy.ndarray, found list"):
        _with("rewards", [0.0] * N).validate(OBS, ACT, N)


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "4"])
def test_bad_num_agents(n):
    with pytest.raises(BuffersError, match="num_agents: expected a positive int"):
        envsdk.allocate(OBS, ACT, n)


def test_copy_actions_checks_shape_and_dtype():
    b = envsdk.allocate(OBS, ACT, 3)
    copy_actions(b.actions, np.array([1, 2, 3], np.int64))  # int64 -> int32 within kind: fine
    assert b.actions.tolist() == [1, 2, 3]
    copy_actions(b.actions, b.actions)  # the buffer itself: nothing to do
    with pytest.raises(ActionError, match=r"step\.actions: expected shape \(3,\), found shape \(4,\)"):
        copy_actions(b.actions, np.zeros(4, np.int32))
    with pytest.raises(ActionError, match=r"expected dtype int32.*found dtype float64"):
        copy_actions(b.actions, np.zeros(3))


@pytest.mark.parametrize("actions, bad", [
    (np.array([1, 2**32 + 1, 0], np.int64), 2**32 + 1),       # would wrap to the valid action 1
    (np.array([0, -(2**31) - 1, 1], np.int64), -(2**31) - 1),  # would wrap to 2**31 - 1
    (np.array([2**31 + 1, 0, 0], np.uint32), 2**31 + 1),       # would wrap to -2147483647
    (np.array([3, 2, 2**63], np.uint64), 2**63),
])
def test_copy_actions_refuses_values_that_would_wrap(actions, bad):
    b = envsdk.allocate(OBS, ACT, 3)
    b.actions[...] = 7
    with pytest.raises(ActionError) as err:
        copy_actions(b.actions, actions, "MyEnv.step")
    msg = str(err.value)
    assert f"MyEnv.step.actions: expected values within int32 [-2147483648, 2147483647], found {bad} at index" in msg
    assert "Fix:" in msg and b.actions.tolist() == [7, 7, 7]  # nothing written
    copy_actions(b.actions, np.array([2**31 - 1, -(2**31), 3], np.int64))  # the int32 range itself is fine
    assert b.actions.tolist() == [2**31 - 1, -(2**31), 3]
    multi = envsdk.allocate(OBS, MultiDiscrete([3, 3]), 2)
    with pytest.raises(ActionError, match="found 4294967296 at index"):
        copy_actions(multi.actions, np.array([[0, 1], [2**32, 0]], np.int64))


def test_step_refuses_actions_that_would_wrap():
    env = envsdk.make("cartpole", num_envs=2)
    env.reset(seed=0)
    with pytest.raises(ActionError, match="expected values within int32"):
        env.step(np.array([1, 2**32], np.int64))
    env.close()


def _child_writes(name, layout):
    shared = SharedBuffers.attach(name, layout)
    shared.buffers.observations[...] = 42
    shared.buffers.rewards[1] = 3.5
    shared.close()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_shared_block_is_seen_by_another_process(method):
    layout = Layout.of(OBS, ACT, 4)
    shared = SharedBuffers.create(layout)
    try:
        assert shared.buffers.masks.all()
        proc = mp.get_context(method).Process(target=_child_writes, args=(shared.name, layout))
        proc.start()
        proc.join(30)
        assert proc.exitcode == 0
        assert (shared.buffers.observations == 42).all() and shared.buffers.rewards[1] == 3.5
        # Row slices of the shared block are what a backend hands each env object.
        assert np.shares_memory(shared.buffers.rows(2, 4).observations, shared.buffers.observations)
    finally:
        name = shared.name
        shared.close()
        shared.unlink()
        shared.unlink()
    assert not os.path.exists(f"/dev/shm/{name.lstrip('/')}")


# --- final_observations: the optional buffer ---------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(obs=obs_spaces, act=act_spaces, n=st.integers(1, 32))
def test_final_observations_are_asked_for_and_shaped_as_observations(obs, act, n):
    assert envsdk.allocate(obs, act, n).final_observations is None
    b = envsdk.allocate(obs, act, n, final_observations=True)
    f = b.final_observations
    assert f.shape == b.observations.shape and f.dtype == b.observations.dtype and f.flags.c_contiguous
    assert b.field_names == (*FIELDS, "final_observations")
    assert not np.shares_memory(f, b.observations) and _root(f) is _root(b.observations)  # one block
    offsets, _ = Layout.of(obs, act, n, final_observations=True).offsets()
    assert len(offsets) == 7 and all(o % 64 == 0 for o in offsets)
    rows = b.rows(n - 1, n)
    assert rows.final_observations.shape[0] == 1 and np.shares_memory(rows.final_observations, f)
    b.validate(obs, act, n)


def test_final_observations_are_validated_like_observations():
    obs, act = Box(-1, 1, shape=(3,)), Discrete(2)
    b = envsdk.allocate(obs, act, 4)
    arrays = {f: getattr(b, f) for f in FIELDS}
    for bad, found in ((np.zeros((4, 3), np.float64), "dtype float64"), (np.zeros((4, 2), np.float32), "shape (4, 2)"),
                       (np.zeros((3, 4), np.float32).T, "strides"), (b.observations, "overlaps")):
        with pytest.raises(BuffersError, match=r"env\.buffers\.final_observations.*" + re.escape(found)):
            validate(envsdk.Buffers(**arrays, final_observations=bad), obs, act, 4, owner="env.buffers")
    with pytest.raises(BuffersError, match="never rebound"):
        b.final_observations = np.zeros((4, 3), np.float32)  # None is a value too: the field stays as built
    with pytest.raises(envsdk.errors.ConfigError, match="final_observations to be True or False"):
        envsdk.allocate(obs, act, 4, final_observations="yes")


def test_shared_buffers_carry_final_observations():
    layout = Layout.of(Box(-1, 1, shape=(2,)), Discrete(2), 4, final_observations=True)
    shared = SharedBuffers.create(layout)
    try:
        other = SharedBuffers.attach(shared.name, layout)
        other.buffers.final_observations[2] = 7.0
        assert shared.buffers.final_observations[2].tolist() == [7.0, 7.0]
        other.close()
    finally:
        shared.close()
        shared.unlink()
