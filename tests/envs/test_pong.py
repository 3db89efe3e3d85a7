"""pong: conformance, hand-worked frames (wall, paddle, points, episode end), bad input, fuzzing, rendering.

The default geometry used below: a 160 x 128 field, y down; paddles 4 x 20 (half length 10),
ball 4 (radius 2). Derived: the opponent's face line for the ball centre is x = 6, the agent's
x = 154; a paddle returns the ball if |ball y - paddle y| <= 12, with vy = 3 * offset / 12.
Paddle centres stay in [10, 118], the ball centre in [2, 126].
"""

import numpy as np
import pytest
from env_checks import check_steps_at_scale, rgb_frame
from envsdk.envs.pong import Pong
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms

NOOP, UP, DOWN = range(3)
F = np.float32


def test_conforms():
    assert_conforms(Pong, num_envs=4, max_score=2, max_steps=60)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("pong", 4096, 0, (4096, 8))


def put(env, i=0, *, agent_y, opponent_y, ball, velocity, scores=(0, 0)):
    """Set sub-env i's state through the C struct's arrays."""
    c = env._sim.c
    c.agent_y[i], c.opponent_y[i] = agent_y, opponent_y
    c.ball_x[i], c.ball_y[i] = ball
    c.ball_vx[i], c.ball_vy[i] = velocity
    c.agent_score[i], c.opponent_score[i] = scores


def state(env, i=0):
    c = env._sim.c
    return (c.agent_y[i], c.opponent_y[i], c.ball_x[i], c.ball_y[i], c.ball_vx[i], c.ball_vy[i])


def expected_obs(agent_y, opponent_y, bx, by, vx, vy, scores=(0, 0), max_score=21):
    """The observation row as the C code computes it: value * float32(1 / scale)."""
    inv = lambda x: F(1) / F(x)  # noqa: E731
    return np.array([
        F(agent_y) * inv(128), F(opponent_y) * inv(128), F(bx) * inv(160), F(by) * inv(128),
        F(vx) * inv(3), F(vy) * inv(3), F(scores[0]) * inv(max_score), F(scores[1]) * inv(max_score),
    ], np.float32)


def step(env, *actions):
    return env.step(np.array(actions, np.int32))


def test_ball_bounces_off_the_top_wall():
    env = Pong(frameskip=1)
    env.reset(seed=0)
    #  y=0  ───────────────────────────   top wall; the ball centre may not go above y = 2
    #              o (80, 3) moving (3, -2): next (83, 1), mirrored about y = 2 to (83, 3)
    #  opponent at y 64 follows the ball (target clamped to 10), at most 2: 64 -> 62
    put(env, agent_y=64, opponent_y=64, ball=(80, 3), velocity=(3, -2))
    obs, rew, term, trunc, infos = step(env, NOOP)
    assert state(env) == (64, 62, 83, 3, 3, 2)
    np.testing.assert_array_equal(obs[0], expected_obs(64, 62, 83, 3, 3, 2))
    assert rew[0] == 0 and not term[0] and not trunc[0] and infos == []


def test_ball_hits_the_agent_paddle_and_takes_an_angle():
    env = Pong(frameskip=1)
    env.reset(seed=0)
    #                                     │ agent paddle, centre 64 -> 68 (DOWN, speed 4)
    #                         (152, 60) o─┤ moving (3, 0): next x 155 >= 154, the face line
    #                                     │ offset 60 - 68 = -8, within 12: returned,
    # x mirrored about 154 -> 153, vx = -3, vy = 3 * -8 / 12 = -2 (upwards, hit above centre)
    put(env, agent_y=64, opponent_y=64, ball=(152, 60), velocity=(3, 0))
    obs, rew, term, trunc, _ = step(env, DOWN)
    assert state(env) == (68, 62, 153, 60, -3, -2)
    np.testing.assert_array_equal(obs[0], expected_obs(68, 62, 153, 60, -3, -2))
    assert rew[0] == 0 and not term[0] and not trunc[0]


def test_paddles_stop_at_the_walls():
    env = Pong(frameskip=4)
    env.reset(seed=0)
    # Agent at 12 moving UP 4 frames: 12 - 16 = -4, clamped to 10. The opponent at 116 chases
    # a ball at y 126 (target clamped to 118): 116 -> 118 in the first frame, then stays.
    put(env, agent_y=12, opponent_y=116, ball=(80, 126), velocity=(0.5, 0))
    step(env, UP)
    assert state(env)[:2] == (10, 118)


def test_agent_scores_plus_one_and_the_ball_is_served():
    env = Pong(frameskip=4)
    env.reset(seed=0)
    #  │ opponent at y 20 (moves 2 towards the ball at y 100: 22)
    #  │
    #  ·  <-o (9, 100) moving (-3, 0): x 6 reaches the face line in frame 1, offset 78 > 12
    # A point for the agent: reward +1, the step ends after that frame, the ball is served.
    put(env, agent_y=64, opponent_y=20, ball=(9, 100), velocity=(-3, 0))
    obs, rew, term, trunc, infos = step(env, NOOP)
    assert rew[0] == 1.0 and not term[0] and not trunc[0] and infos == []
    c = env._sim.c
    assert (c.agent_score[0], c.opponent_score[0]) == (1, 0)
    ay, oy, bx, by, vx, vy = state(env)
    assert (ay, oy, bx, by, abs(vx)) == (64, 22, 80, 64, 3) and -1.5 <= vy < 1.5
    np.testing.assert_array_equal(obs[0], expected_obs(64, 22, 80, 64, vx, vy, scores=(1, 0)))


def test_opponent_scores_minus_one():
    env = Pong(frameskip=4)
    env.reset(seed=0)
    #                  o-> (151, 20) moving (3, 0): x 154 in frame 1, offset 20 - 100 = -80
    #                                     │ agent paddle at y 100: missed
    put(env, agent_y=100, opponent_y=64, ball=(151, 20), velocity=(3, 0), scores=(3, 5))
    obs, rew, term, trunc, _ = step(env, NOOP)
    assert rew[0] == -1.0 and not term[0] and not trunc[0]
    assert (env._sim.c.agent_score[0], env._sim.c.opponent_score[0]) == (3, 6)
    assert obs[0, 6] == F(3) * (F(1) / F(21)) and obs[0, 7] == F(6) * (F(1) / F(21))


def test_episode_ends_at_max_score_with_the_win_stat():
    env = Pong(num_envs=2, frameskip=4, max_score=2, report_every=1)
    env.reset(seed=0)
    # Sub-env 0: the agent scores twice (the scenario above); sub-env 1: the opponent does.
    for k in range(2):
        put(env, 0, agent_y=64, opponent_y=20, ball=(9, 100), velocity=(-3, 0), scores=(k, 0))
        put(env, 1, agent_y=100, opponent_y=64, ball=(151, 20), velocity=(3, 0), scores=(0, k))
        obs, rew, term, trunc, infos = step(env, NOOP, NOOP)
        np.testing.assert_array_equal(rew, [1.0, -1.0])
        np.testing.assert_array_equal(term, [k == 1, k == 1])
        assert not trunc.any()
    # Both episodes ended at 2 points: returns +2 and -2, 2 steps each, agent points 2 and 0,
    # wins 1 and 0; infos hold the means.
    assert infos == [{"episode_return": 0.0, "episode_length": 2.0, "score": 1.0, "win": 0.5, "episode_count": 2}]
    # Same-step autoreset: scores 0, paddles centred, the ball served from the centre.
    np.testing.assert_array_equal(obs[:, [0, 1, 2, 3, 6, 7]], [[0.5, 0.5, 0.5, 0.5, 0, 0]] * 2)


def test_final_observations_keep_the_paddles_and_scores_and_show_the_serve_that_follows():
    # The last points of the scenario above, through final_observations: each final observation
    # keeps the paddles where the point left them and the scores with it (2 of max_score 2: 1.0),
    # and shows the ball served from the centre, as after any point; that serve is the one the next
    # episode starts with (its first draw from the sub-env's RNG), with final observations or
    # without. Sub-env 2 plays on and keeps the canary.
    backend = envsdk.backends.Serial(Pong, num_envs=3, frameskip=4, max_score=2, final_observations=True)
    plain = Pong(num_envs=3, frameskip=4, max_score=2)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0), plain.reset(seed=0)
    for sim in (env, plain):
        put(sim, 0, agent_y=64, opponent_y=20, ball=(9, 100), velocity=(-3, 0), scores=(1, 0))
        put(sim, 1, agent_y=100, opponent_y=64, ball=(151, 20), velocity=(3, 0), scores=(0, 1))
        put(sim, 2, agent_y=64, opponent_y=64, ball=(80, 64), velocity=(3, 0))
    final[2] = 5.0
    obs, rew, term, _, _ = backend.step(np.zeros(3, np.int32))
    assert rew.tolist() == [1.0, -1.0, 0.0] and term.tolist() == [True, True, False]
    serves = obs[:2, 2:6]  # the next episodes' first serves, from the centre
    assert (serves[:, :2] == 0.5).all() and (np.abs(serves[:, 2]) == 1.0).all()
    np.testing.assert_array_equal(final[:2, 2:6], serves)
    np.testing.assert_array_equal(final[:2, [0, 1, 6, 7]], [expected_obs(64, 22, 0, 0, 0, 0, (2, 0), 2)[[0, 1, 6, 7]],
                                                           expected_obs(100, 62, 0, 0, 0, 0, (0, 2), 2)[[0, 1, 6, 7]]])
    assert (final[2] == 5.0).all()
    assert obs.tobytes() == plain.step(np.zeros(3, np.int32))[0].tobytes()  # the same RNG stream without them
    backend.close()


def test_truncation_after_max_steps():
    env = Pong(frameskip=4, max_steps=3, report_every=1)
    env.reset(seed=5)
    # 12 frames move the served ball 36 units from x 80: no face is reached, no point.
    for _ in range(3):
        obs, rew, term, trunc, infos = step(env, NOOP)
    assert trunc[0] and not term[0] and rew[0] == 0
    assert infos == [{"episode_return": 0.0, "episode_length": 3.0, "score": 0.0, "win": 0.0, "episode_count": 1}]
    assert env._sim.c.tick[0] == 0 and obs[0, 2] == 0.5


def test_out_of_range_actions_mean_noop():
    bad, good = Pong(num_envs=4), Pong(num_envs=4)
    bad.reset(seed=3), good.reset(seed=3)
    for _ in range(50):
        out_bad = step(bad, -1, 3, 2**31 - 1, -(2**31))
        out_good = step(good, NOOP, NOOP, NOOP, NOOP)
        for x, y in zip(out_bad[:4], out_good[:4], strict=True):
            np.testing.assert_array_equal(x, y)



@pytest.mark.parametrize(("config", "match"), [
    (dict(widht=100), r"expected config keys among num_envs, width, height.*'widht'"),
    (dict(ball_speed_x=80.0), "ball_speed_x"),  # one frame could cross the whole field
    (dict(ball_max_speed_y=1.0, serve_speed_y=2.0), "serve_speed_y"),
    (dict(frameskip=0), "frameskip"),
    (dict(max_score=0), "max_score"),
    (dict(width="wide"), "width"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        Pong(**config)



@settings(max_examples=25, deadline=None)
@given(
    num_envs=st.integers(1, 8), width=st.floats(16, 400), height=st.floats(16, 400),
    fractions=st.lists(st.floats(0, 1), min_size=8, max_size=8), frameskip=st.integers(1, 8),
    max_score=st.integers(1, 4), max_steps=st.integers(1, 60), seed=st.integers(0, 2**63),
    actions=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=40, max_size=40),
)
def test_fuzz_configs_and_actions(num_envs, width, height, fractions, frameskip, max_score, max_steps, seed, actions):
    pw, ph, ball, ps, opp, vx, vy, serve = fractions
    pw, ball = pw * width / 4, ball * min(width, height) / 4
    vmax = vy * (height - ball) / 2
    env = Pong(
        num_envs=num_envs, width=width, height=height, paddle_width=pw, paddle_height=1 + ph * (height - 1),
        ball_size=ball, paddle_speed=ps * height, opponent_speed=opp * height,
        ball_speed_x=max(0.01, vx * (width - 2 * pw - ball) / 2), ball_max_speed_y=vmax, serve_speed_y=serve * vmax,
        frameskip=frameskip, max_score=max_score, max_steps=max_steps,
    )
    env.reset(seed=seed)
    for a in actions:
        obs, rew, term, trunc, _ = env.step(np.full(num_envs, a, np.int32))
        assert np.isfinite(obs).all() and (np.abs(obs) <= 1).all()
        assert np.isin(rew, (-1.0, 0.0, 1.0)).all() and not (term & trunc).any()
        assert (term <= (rew != 0)).all()  # only a point ends an episode as terminal
    env.close()


def test_render():
    env = Pong()
    env.reset(seed=0)
    frame = rgb_frame(env, (128, 160, 3))
    # Both paddles are centred (rows 54..73): the opponent (red) on columns 0..3, the agent
    # (cyan) on 156..159; the ball (white) covers rows and columns 62..65 and 78..81.
    assert (frame[54:74, :4] == [255, 90, 90]).all() and (frame[54:74, 156:] == [80, 200, 255]).all()
    assert (frame[62:66, 78:82] == [240, 240, 240]).all()
    assert (frame[:54, 156:] == [20, 20, 28]).all() and (frame[74:, :4] == [20, 20, 28]).all()
    text = env.render("ansi")
    assert text.startswith("opponent 0 : 0 agent") and "●" in text and len(text.splitlines()) == 27


def test_denormal_vertical_speed_gives_finite_observations():
    # Found by hypothesis: 1 / ball_max_speed_y overflowed to inf, and vy * inf is NaN.
    env = Pong(ball_max_speed_y=1e-40, serve_speed_y=0.0)
    env.reset(seed=0)
    for _ in range(20):
        obs = env.step(np.zeros(1, np.int32))[0]
        assert np.isfinite(obs).all() and (np.abs(obs) <= 1).all()
