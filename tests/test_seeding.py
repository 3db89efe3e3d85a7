"""Seeds: every backend, C sim and adapter accepts the same seeds, gives the same episodes for them,
and refuses the same others with ConfigError (envsdk.seeding.check_seed)."""

import numpy as np
import pytest

import envsdk
from envsdk.backends import Multiprocessing, Serial
from envsdk.errors import ConfigError
from envsdk.seeding import check_seed, sub_seed
from envsdk.testing import rollout

# Seeds in several forms, each with the plain int it stands for. 2**63 + 5 is past int64 (it
# crashed Multiprocessing's handshake); numpy integers crashed the C sims and Serial.
GOOD = [(np.int64(7), 7), (np.uint64(2**64 - 3), 2**64 - 3), (2**63 + 5, 2**63 + 5), (np.int32(0), 0)]
BAD = [-1, 2**64, 1.0, np.float64(2.0), "3", True, np.bool_(False), np.array([1, 2]), [1]]
METHODS = ["fork", "spawn", "forkserver"]


def test_check_seed():
    assert check_seed("x", None) is None
    for seed, value in GOOD:
        assert check_seed("x", seed) == value and type(check_seed("x", seed)) is int
    assert check_seed("x", np.array(9)) == 9  # a 0-d integer array is an integer
    for seed in BAD:
        with pytest.raises(ConfigError, match=r"x\.seed: expected .*\[0, 2\*\*64\).*Fix: pass seed=None or an int"):
            check_seed("x", seed)
    assert sub_seed(2**64 - 2, 3) == 1 and sub_seed(None, 3) is None


def breakout(backend=None, **kwargs):
    return envsdk.make("breakout", num_envs=4, **({"backend": backend} if backend else {}), **kwargs)


@pytest.fixture(scope="module")
def reference():
    """Serial rollouts for each GOOD seed's int value (and the wrapping seed)."""
    env = breakout()
    return {value: rollout(env, 20, seed=value) for value in [*(v for _, v in GOOD), 2**64 - 2]}


@pytest.mark.parametrize("seed,value", GOOD, ids=lambda x: repr(x))
def test_serial_and_the_c_sim_alone_accept_every_form(seed, value, reference):
    assert rollout(breakout(), 20, seed=seed).equal(reference[value])
    from envs.breakout import Breakout  # the C sim's own reset, without a backend

    assert rollout(Breakout(num_envs=4), 20, seed=seed).equal(reference[value])


@pytest.mark.parametrize("method", METHODS)
def test_multiprocessing_accepts_every_form_and_wraps_like_serial(method, reference):
    multi = breakout("multiprocessing", num_workers=2, start_method=method)
    try:
        for seed, value in [*GOOD, (2**64 - 2, 2**64 - 2)]:
            assert rollout(multi, 20, seed=seed).equal(reference[value]), seed
    finally:
        multi.close()


def test_sub_env_seeds_wrap_the_same_whatever_the_split(reference):
    # Seed 2**64 - 2 gives sub-envs 2**64 - 2, 2**64 - 1, 0, 1 whether one object holds them all,
    # each is its own object, or they live in two workers (checked above).
    split = Serial("breakout", num_envs=4, envs_per_object=1)
    assert rollout(split, 20, seed=2**64 - 2).equal(reference[2**64 - 2])
    alone = envsdk.make("breakout", num_envs=2)
    tail = rollout(alone, 20, seed=0)
    np.testing.assert_array_equal(reference[2**64 - 2].observations[:1, 2:], tail.observations[:1])


@pytest.mark.parametrize("seed", BAD, ids=lambda x: repr(x))
def test_every_backend_and_env_refuses_a_bad_seed_alike(seed):
    from envs.breakout import Breakout

    serial = breakout()
    for reset in (serial.reset, Breakout(num_envs=2).reset):
        with pytest.raises(ConfigError, match=r"\.reset\.seed: expected"):
            reset(seed=seed)
    assert serial.reset(seed=1)[0].shape == (4, serial.buffers.observations.shape[1])  # still usable


def test_multiprocessing_refuses_a_bad_seed_and_stays_usable():
    multi = Multiprocessing("breakout", num_envs=4, num_workers=2, start_method="fork")
    try:
        for seed in BAD:
            with pytest.raises(ConfigError, match=r"\.reset\.seed: expected"):
                multi.reset(seed=seed)
            with pytest.raises(ConfigError, match=r"\.async_reset\.seed: expected"):
                multi.async_reset(seed=seed)
        assert rollout(multi, 5, seed=3).equal(rollout(breakout(), 5, seed=3))
    finally:
        multi.close()


def test_emulation_adapters_take_the_same_seeds():
    pytest.importorskip("gymnasium")
    from envsdk.emulation import from_gymnasium

    env = from_gymnasium("CartPole-v1", num_envs=2)
    by_int = rollout(env, 10, seed=2**64 - 1).observations
    assert np.array_equal(rollout(env, 10, seed=np.uint64(2**64 - 1)).observations, by_int)
    for seed in BAD:
        with pytest.raises(ConfigError, match=r"\.reset\.seed: expected"):
            env.reset(seed=seed)
