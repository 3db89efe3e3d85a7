"""Serial: one contiguous Buffers, bit-identical across splits and seeds, async API, errors."""

import functools

import numpy as np
import pytest
from custom_env import Corridor
from hypothesis import given, settings
from hypothesis import strategies as st
from vectorized_env import GridReach

import envsdk
from envsdk.backends import Serial
from envsdk.buffers import FIELDS
from envsdk.errors import ActionError, ConfigError, ProtocolError, StateError
from envsdk.testing import rollout


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


@settings(max_examples=30, deadline=None)
@given(num_envs=st.integers(1, 12), seed=st.integers(0, 2**40), data=st.data())
def test_vectorized_env_bit_identical_across_splits(num_envs, seed, data):
    per = data.draw(st.sampled_from(divisors(num_envs)))
    a = Serial(GridReach, num_envs=num_envs, size=4, max_steps=9)
    b = Serial(GridReach, num_envs=num_envs, envs_per_object=per, size=4, max_steps=9)
    ra, rb = rollout(a, 40, seed=seed), rollout(b, 40, seed=seed)
    assert ra.equal(rb)
    assert len(b.envs) == num_envs // per


@settings(max_examples=15, deadline=None)
@given(num_envs=st.integers(1, 6), seed=st.integers(0, 2**40))
def test_single_env_factory_builds_n_objects_seeded_s_plus_i(num_envs, seed):
    env = Serial(Corridor, num_envs=num_envs, length=5)
    assert len(env.envs) == num_envs and env.num_agents == num_envs
    r = rollout(env, 30, seed=seed)
    # Sub-env i behaves exactly like a standalone Corridor seeded with seed + i.
    for i in range(num_envs):
        alone = Corridor(length=5)
        alone.reset(seed=seed + i)
        np.testing.assert_array_equal(alone.buffers.observations[0], r.observations[0, i])
        for t in range(30):
            obs, rew, term, trunc, _ = alone.step(r.actions[t, i : i + 1])
            assert obs[0].tobytes() == r.observations[t + 1, i].tobytes()
            assert (rew[0], term[0], trunc[0]) == (r.rewards[t, i], r.terminals[t, i], r.truncations[t, i])


def test_different_seeds_differ():
    a, b = Serial(GridReach, num_envs=8), Serial(GridReach, num_envs=8)
    assert not rollout(a, 10, seed=1).equal(rollout(b, 10, seed=2))


def test_one_contiguous_block_and_results_are_the_buffers():
    env = Serial(GridReach, num_envs=8, envs_per_object=2)
    b = env.buffers
    for f in FIELDS:
        arr = getattr(b, f)
        assert arr.flags.c_contiguous and arr.shape[0] == 8
        for j, sub in enumerate(env.envs):  # each object writes into its row slice of the block
            sub_arr = getattr(sub.buffers, f)
            assert np.shares_memory(sub_arr, arr)
            assert sub_arr.ctypes.data == arr.ctypes.data + 2 * j * arr.strides[0]
    obs, _ = env.reset(seed=0)
    assert obs is b.observations
    out = env.step(np.zeros(8, np.int32))
    assert all(x is getattr(b, f) for x, f in zip(out[:4], ("observations", "rewards", "terminals", "truncations"),
                                                   strict=True))


RESULTS = ("observations", "rewards", "terminals", "truncations")  # step's arrays, in order


def test_single_object_adopts_its_buffers():
    env = Serial(GridReach, num_envs=16)
    assert len(env.envs) == 1 and env.buffers is env.envs[0].buffers
    env.reset(seed=0)
    out = env.step([1] * 16)  # a list, so Serial copies it into the buffer before handing the call on
    assert all(x is getattr(env.buffers, f) for x, f in zip(out[:4], RESULTS, strict=True))
    assert env.buffers.actions.tolist() == [1] * 16


def test_one_object_over_external_buffers_returns_them():
    probe = GridReach(num_envs=4)
    external = envsdk.allocate(probe.single_observation_space, probe.single_action_space, 4)
    env = Serial(GridReach, num_envs=4, buffers=external)  # the object gets a view, not the block itself
    env.reset(seed=0)
    out = env.step(np.ones(4, np.int32))
    assert all(x is getattr(external, f) for x, f in zip(out[:4], RESULTS, strict=True))


def test_external_buffers_are_honoured_and_validated():
    probe = GridReach(num_envs=6)
    external = envsdk.allocate(probe.single_observation_space, probe.single_action_space, 6)
    env = Serial(GridReach, num_envs=6, envs_per_object=3, buffers=external)
    obs, _ = env.reset(seed=0)
    assert obs is external.observations and external.observations.any()
    wrong = envsdk.allocate(probe.single_observation_space, probe.single_action_space, 5)
    with pytest.raises(envsdk.errors.BuffersError, match=r"Serial\(buffers=...\)\.observations: expected shape"):
        Serial(GridReach, num_envs=6, envs_per_object=3, buffers=wrong)


def test_serial_composes_as_an_env_factory():
    inner = functools.partial(Serial, GridReach, size=4)
    outer = Serial(inner, num_envs=6, envs_per_object=3)
    flat = Serial(GridReach, num_envs=6, size=4)
    assert isinstance(outer, envsdk.Env) and isinstance(outer.envs[0], envsdk.Backend)
    assert rollout(outer, 30, seed=5).equal(rollout(flat, 30, seed=5))


def test_async_reset_send_recv_match_step():
    a, b = Serial(GridReach, num_envs=4), Serial(GridReach, num_envs=4)
    a.async_reset(seed=9)
    batch = a.recv()
    obs, _ = b.reset(seed=9)
    assert batch.observations is a.buffers.observations  # a contiguous batch is never copied
    np.testing.assert_array_equal(batch.observations, obs)
    assert batch.agent_ids.tolist() == [0, 1, 2, 3] and batch.env_ids.tolist() == [0, 1, 2, 3]
    for t in range(20):
        actions = np.full(4, t % 5, np.int32)
        a.send(actions)
        batch = a.recv()
        step = b.step(actions)
        for x, y in zip(batch[:4], step[:4], strict=True):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(StateError, match="recv"):
        a.recv()
    a.send(np.zeros(4, np.int32))
    with pytest.raises(StateError, match="alternate send"):
        a.send(np.zeros(4, np.int32))


def test_infos_are_gathered_from_every_object():
    env = Serial(Corridor, num_envs=3, length=2, slip=0.0)
    env.reset(seed=0)
    _, rew, term, _, infos = env.step(np.ones(3, np.int32))  # length 2: one step right ends it
    assert term.all() and len(infos) == 3 and all(i["episode_return"] == 1.0 for i in infos)


def test_bad_actions():
    env = Serial(GridReach, num_envs=4)
    env.reset(seed=0)
    with pytest.raises(ActionError, match=r"Serial\.step\.actions: expected shape \(4,\), found shape \(3,\)"):
        env.step(np.zeros(3, np.int32))
    with pytest.raises(ActionError, match=r"expected dtype int32.*found dtype float32"):
        env.step(np.zeros(4, np.float32))


def test_state_errors():
    env = Serial(GridReach, num_envs=2)
    with pytest.raises(StateError, match="reset"):
        env.step(np.zeros(2, np.int32))
    env.reset(seed=0)
    env.close()
    env.close()
    with pytest.raises(StateError, match="closed"):
        env.reset(seed=0)
    with pytest.raises(StateError, match="closed"):
        env.step(np.zeros(2, np.int32))


def test_config_errors():
    with pytest.raises(ConfigError, match="envs_per_object to divide num_envs=6"):
        Serial(GridReach, num_envs=6, envs_per_object=4)
    with pytest.raises(ConfigError, match="num_envs to be a positive int, found 0"):
        Serial(GridReach, num_envs=0)
    with pytest.raises(ConfigError, match="takes no num_envs"):
        Serial(Corridor, num_envs=4, envs_per_object=2)


class NoBuffers:
    def __init__(self, *, num_envs=1):
        pass


class NotAnEnv:
    def __init__(self, *, buffers=None):
        self.buffers = buffers


class KeepsOwnBuffers:
    """Ignores the buffers it was handed: a backend's rows would never see its writes."""

    def __init__(self, *, num_envs=1, buffers=None):
        self.inner = GridReach(num_envs=num_envs)
        self.single_observation_space = self.inner.single_observation_space
        self.single_action_space = self.inner.single_action_space
        self.num_agents = num_envs
        self.buffers = self.inner.buffers
        self.reset, self.step, self.close = self.inner.reset, self.inner.step, self.inner.close


def test_protocol_errors():
    with pytest.raises(ProtocolError, match=r"NoBuffers: expected a constructor that accepts buffers=None"):
        Serial(NoBuffers, num_envs=2)
    with pytest.raises(ProtocolError, match=r"missing single_observation_space, single_action_space, num_agents"):
        Serial(NotAnEnv, num_envs=1)
    with pytest.raises(ProtocolError, match="expected the env to keep the buffers it was given"):
        Serial(KeepsOwnBuffers, num_envs=4, envs_per_object=2)


class CloseCounter:
    closed = 0

    def __init__(self, *, buffers=None):
        self.inner = Corridor(buffers=buffers)
        for name in ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset", "step"):
            setattr(self, name, getattr(self.inner, name))

    def close(self):
        CloseCounter.closed += 1


def test_close_closes_every_object_once():
    CloseCounter.closed = 0
    env = Serial(CloseCounter, num_envs=3)
    closed_by_probe = CloseCounter.closed  # the probe object built to read the spaces
    env.close()
    env.close()
    assert CloseCounter.closed - closed_by_probe == 3


def test_final_observations_flow_through_serial_and_its_batches():
    env = Serial(GridReach, num_envs=6, envs_per_object=2, final_observations=True, max_steps=3)
    b = env.buffers
    assert b.final_observations is not None and all(e.buffers.final_observations is not None for e in env.envs)
    b.final_observations[...] = -1.0
    env.reset(seed=0)
    before = b.observations.copy()
    _, _, term, trunc, _ = env.step(np.zeros(6, np.int32))  # stay: nobody reaches the goal at once
    env.step(np.zeros(6, np.int32))
    _, _, term, trunc, _ = env.step(np.zeros(6, np.int32))
    assert trunc.all() and not term.any()
    np.testing.assert_array_equal(b.final_observations, before)  # the agents stayed: the start, seen last
    env.async_reset(seed=0)
    batch = env.recv()
    assert batch.final_observations is b.final_observations
    env.close()
    with pytest.raises(ConfigError, match="allocate them with"):
        Serial(GridReach, num_envs=2, buffers=envsdk.allocate(*_spaces(GridReach), 2), final_observations=True)
    plain = Serial(GridReach, num_envs=2)
    plain.async_reset(seed=0)
    assert plain.buffers.final_observations is None and plain.recv().final_observations is None
    plain.close()


def _spaces(factory):
    env = factory()
    try:
        return env.single_observation_space, env.single_action_space
    finally:
        env.close()
