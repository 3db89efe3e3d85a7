"""squared_one (csrc/squared_one.h, the one-sub-env style): conformance, and bit-equality with squared.

squared_one is squared rewritten as one sub-env plus ENVSDK_SUB_ENV; every output must equal
squared's from the same seed and actions, out-of-range actions and splits over objects included.
"""

import numpy as np
import pytest
from envsdk.envs.squared import Squared, SquaredOne

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms, rollout


def test_conforms():
    assert_conforms(SquaredOne, num_envs=4, size=5, max_steps=12)


def actions_with_out_of_range(rng, n):
    """Valid moves, and on a third of the steps values outside 0..4 too (they mean stay)."""
    actions = rng.integers(0, 5, n, dtype=np.int32)
    if rng.random() < 1 / 3:
        wild = rng.choice(np.array([-(2**31), -1, 5, 6, 2**31 - 1], np.int32), n)
        actions = np.where(rng.random(n) < 0.5, wild, actions).astype(np.int32)
    return actions


@pytest.mark.parametrize("size, max_steps", [(11, 33), (2, 1), (4, 7)])
def test_bit_equal_to_squared_over_a_long_rollout(size, max_steps):
    # 64 sub-envs x 4000 steps, every episode reported on the step it ends.
    # Final observations too: the one-sub-env step writes every observation, an episode's last
    # one included, and the batch (ENVSDK_SUB_ENV) copies it for each ended row.
    config = dict(num_envs=64, size=size, max_steps=max_steps, report_every=1, final_observations=True)
    array_style, one_style = envsdk.backends.Serial(Squared, **config), envsdk.backends.Serial(SquaredOne, **config)
    finals = array_style.buffers.final_observations, one_style.buffers.final_observations
    rng = np.random.default_rng(size)
    for env_seed in (7, 2**64 - 3):  # the second wraps seed + i past 2**64
        obs_a, _ = array_style.reset(seed=env_seed)
        obs_b, _ = one_style.reset(seed=env_seed)
        assert obs_a.tobytes() == obs_b.tobytes()
        episodes = 0
        for t in range(4000):
            actions = actions_with_out_of_range(rng, 64)
            for final in finals:
                final[...] = 255  # a canary: rows whose episode goes on keep it
            a, b = array_style.step(actions), one_style.step(actions)
            for name, x, y in zip(("observations", "rewards", "terminals", "truncations"), a[:4], b[:4], strict=True):
                assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), f"step {t}: {name} differ"
            assert a[4] == b[4], f"step {t}: infos differ"
            assert finals[0].tobytes() == finals[1].tobytes(), f"step {t}: final observations differ"
            ended = a[2] | a[3]
            assert (finals[1][ended] <= 2).all() and (finals[1][~ended] == 255).all(), f"step {t}"
            episodes += a[4][0]["episode_count"] if a[4] else 0
        assert episodes > 64  # episodes ended, were logged and restarted many times over
    array_style.close(), one_style.close()


def test_bit_equal_to_squared_under_splits():
    unsplit = envsdk.backends.Serial(Squared, num_envs=64, size=5, max_steps=9, report_every=1)
    split_a = envsdk.backends.Serial(Squared, num_envs=64, envs_per_object=8, size=5, max_steps=9, report_every=1)
    split_b = envsdk.backends.Serial(SquaredOne, num_envs=64, envs_per_object=8, size=5, max_steps=9, report_every=1)
    runs = [rollout(env, 1500, seed=11, action_seed=3) for env in (unsplit, split_a, split_b)]
    assert runs[0].equal(runs[2]) and runs[1].equal(runs[2])
    assert runs[1].infos == runs[2].infos  # the same split reports the same episodes in the same dicts
    assert runs[2].terminals.sum() > 64 and runs[2].truncations.sum() > 64


def test_config_errors_name_the_class():
    with pytest.raises(ConfigError, match=r"SquaredOne: expected config keys among num_envs, size, max_steps.*'sise'"):
        SquaredOne(sise=5)
    with pytest.raises(ConfigError, match=r"SquaredOne: expected size in \[2, 255\]"):
        SquaredOne(size=1)


def test_render_is_squared_s():
    one, array_style = SquaredOne(size=4), Squared(size=4)
    one.reset(seed=0), array_style.reset(seed=0)
    assert one.render("rgb_array").tobytes() == array_style.render("rgb_array").tobytes()
    assert one.render("ansi") == array_style.render("ansi")
