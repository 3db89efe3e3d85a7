"""squared: conformance, a hand-worked walk, bad actions and config, fuzzing, rendering."""

import numpy as np
import pytest
from env_checks import check_steps_at_scale, rgb_frame
from envsdk.envs.squared import Squared
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms

STAY, UP, DOWN, LEFT, RIGHT = range(5)


def test_conforms():
    assert_conforms(Squared, num_envs=4, size=5, max_steps=12)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("squared", 4096, 0, (4096, 121))


def grid(env, i=0):
    return env.buffers.observations[i].reshape(env.size, env.size)


def test_walk_to_target_then_autoreset():
    env = Squared(size=3, max_steps=10, report_every=1)  # the episode's stats on the step it ends
    env.reset(seed=0)
    g = grid(env).copy()
    # The agent (1) starts in the centre; the target (2) is elsewhere, e.g.
    #   . . .
    #   . A .
    #   2 . .      (the seed decides where the 2 is)
    assert g[1, 1] == 1 and (g == 2).sum() == 1 and (g == 1).sum() == 1
    ty, tx = np.argwhere(g == 2)[0]
    # Walk: vertical first, then horizontal; every step but the last gives reward 0.
    path = ([UP] if ty < 1 else [DOWN] if ty > 1 else []) + ([LEFT] if tx < 1 else [RIGHT] if tx > 1 else [])
    for k, a in enumerate(path):
        obs, rew, term, trunc, infos = env.step(np.array([a], np.int32))
        if k < len(path) - 1:
            assert rew[0] == 0 and not term[0] and not trunc[0] and infos == []
    assert rew[0] == 1.0 and term[0] and not trunc[0]
    # Same-step autoreset: the observation is already the next episode's first one.
    assert grid(env)[1, 1] == 1 and (grid(env) == 2).sum() == 1
    assert infos == [{"episode_return": 1.0, "episode_length": float(len(path)), "score": 1.0, "episode_count": 1}]


def test_truncation_after_max_steps_and_walls():
    env = Squared(size=5, max_steps=4, report_every=1)
    # Pick the first seed whose target is off the centre column, so walking up never reaches it.
    seed = next(s for s in range(100) if env.reset(seed=s) and np.argwhere(grid(env) == 2)[0][1] != 2)
    env.reset(seed=seed)
    rows = []
    for _ in range(4):
        _, rew, term, trunc, infos = env.step(np.array([UP], np.int32))
        rows.append(np.argwhere(grid(env) == 1)[0][0])
    # Up, up reaches row 0; the third step pushes into the wall and stays; the fourth truncates
    # (and autoresets the agent to the centre row 2).
    assert rows == [1, 0, 0, 2]
    assert trunc[0] and not term[0] and rew[0] == 0
    assert infos == [{"episode_return": 0.0, "episode_length": 4.0, "score": 0.0, "episode_count": 1}]


def test_final_observations_show_the_last_move():
    # Sub-env 0 steps onto its target (the agent's 1 covers the 2), sub-env 1 walks into the top
    # wall until the time limit cuts it (the target still shows), sub-env 2 goes on (its final row
    # keeps the canary 9). Targets sit where the hand-placed positions need them:
    #   sub-env 0      sub-env 1      after the step, final observations:
    #   . 2 .          . A .          . 1 .   (0)      . 1 .   (1)
    #   . A .          . . .          . . .            . . .
    #   . . .          2 . .          . . .            2 . .
    backend = envsdk.backends.Serial(Squared, num_envs=3, size=3, max_steps=4, final_observations=True)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0)
    c = env._sim.c
    for i, (row, target, tick) in enumerate([(1, 1, 0), (0, 6, 3), (1, 0, 0)]):
        c.agent_row[i], c.agent_col[i], c.target[i], c.tick[i] = row, 1, target, tick
        env.buffers.observations[i] = 0
        env.buffers.observations[i, [row * 3 + 1, target]] = [1, 2]
    final[2] = 9
    _, rew, term, trunc, _ = backend.step(np.array([UP, UP, DOWN], np.int32))
    assert term.tolist() == [True, False, False] and trunc.tolist() == [False, True, False]
    assert rew.tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_array_equal(final[0].reshape(3, 3), [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(final[1].reshape(3, 3), [[0, 1, 0], [0, 0, 0], [2, 0, 0]])
    assert (final[2] == 9).all()
    backend.close()


def test_out_of_range_actions_mean_stay():
    env = Squared(num_envs=3, size=5)
    env.reset(seed=2)
    before = env.buffers.observations.copy()
    env.step(np.array([-1, 5, 2**31 - 1], np.int32))
    np.testing.assert_array_equal(env.buffers.observations, before)



@pytest.mark.parametrize(("config", "match"), [
    (dict(sise=5), r"expected config keys among num_envs, size, max_steps.*'sise'"),
    (dict(size=1), "size"),
    (dict(num_envs=0), "num_envs"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        Squared(**config)



@settings(max_examples=25, deadline=None)
@given(
    num_envs=st.integers(1, 16), size=st.integers(2, 12), max_steps=st.integers(1, 40),
    seed=st.integers(0, 2**63), actions=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=16, max_size=16),
)
def test_fuzz_configs_and_actions(num_envs, size, max_steps, seed, actions):
    env = Squared(num_envs=num_envs, size=size, max_steps=max_steps)
    env.reset(seed=seed)
    for a in actions:
        obs, rew, term, trunc, _ = env.step(np.full(num_envs, a, np.int32))
        assert ((obs == 1).sum(axis=1) == 1).all() and ((obs == 2).sum(axis=1) == 1).all()
        assert not (term & trunc).any()
    env.close()


def test_render():
    env = Squared(size=4)
    env.reset(seed=0)
    rgb_frame(env, (32, 32, 3))
    assert "A" in env.render("ansi")
