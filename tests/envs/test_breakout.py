"""breakout: conformance, hand-worked physics, bad actions and config, fuzzing, rendering."""

import numpy as np
import pytest
from env_checks import check_steps_at_scale, rgb_frame
from envsdk._sims import ffi
from envsdk.envs.breakout import FIRE, LEFT, NOOP, OBS_HEAD, RIGHT, Breakout
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms

f32 = np.float32

# A small field for hand-worked cases: 40 x 60 pixels, 2 x 4 bricks of 10 x 5 from y = 10 to 20
# (brick index = row * 4 + col, row 0 on top), a 2-pixel ball, a 10 x 2 paddle with its top at
# y = 56 (60 - 2 * 2) and its bottom at 58, where the ball is lost. One frame per step.
#
#   y  0 +----------------------------------------+
#     10 |[  0    ][  1    ][  2    ][  3    ]    |   row 0: 4 points each
#     15 |[  4    ][  5    ][  6    ][  7    ]    |   row 1: 1 point each
#     20 |                                        |
#        |                                        |
#     56 |               [==paddle==]             |   paddle x 15..25 after reset
#     58 +- - - - - - - - - - - - - - - - - - - - +   lost below here
SMALL = dict(width=40, height=60, brick_rows=2, brick_cols=4, brick_width=10, brick_height=5, brick_top=10,
             paddle_width=10, paddle_height=2, ball_size=2, ball_speed=1.0, ball_speed_max=4.0, ball_speedup=0.5,
             paddle_speed=3.0, frameskip=1, lives=2, max_steps=1000,
             report_every=1)  # each episode's stats on the step it ends, to check them there


def small(**over):
    env = Breakout(**{**SMALL, **over})
    env.reset(seed=0)
    return env


def put_ball(env, x, y, vx, vy, i=0):
    """Put sub-env i's ball in play at (x, y) with velocity (vx, vy), pixels and pixels per frame."""
    c = env._sim.c
    c.ball_x[i], c.ball_y[i], c.ball_vx[i], c.ball_vy[i], c.in_play[i] = x, y, vx, vy, 1


def ball(env, i=0):
    c = env._sim.c
    return c.ball_x[i], c.ball_y[i], c.ball_vx[i], c.ball_vy[i]


def act(env, a):
    return env.step(np.full(env.num_agents, a, np.int32))


def bricks_of(env, i=0):
    n = env.brick_rows * env.brick_cols
    return np.frombuffer(ffi.buffer(env._sim.c.bricks, env.num_agents * n), np.uint8).reshape(-1, n)[i]


def test_conforms():
    assert_conforms(Breakout, num_envs=4, **{**SMALL, "max_steps": 60, "frameskip": 2})


def test_registered_and_steps_at_scale():
    check_steps_at_scale("breakout", 4096, 1, (4096, OBS_HEAD + 6 * 18))


def test_reset_observation():
    env = small()
    obs = env.buffers.observations[0]
    # Paddle centred (x 15..25), ball riding on it (x 19..21, y 54..56), not in play, 2 of 2 lives.
    inv_w, inv_h = f32(1) / f32(40), f32(1) / f32(60)
    np.testing.assert_array_equal(obs[:OBS_HEAD], [f32(20) * inv_w, f32(20) * inv_w, f32(55) * inv_h, 0, 0, 0, 1])
    np.testing.assert_array_equal(obs[OBS_HEAD:], np.ones(8, np.float32))


def test_side_walls_flip_vx_and_place_the_ball_flush():
    env = small()
    # Left wall: x 1 -> 1 - 2.5 = -1.5 crosses x = 0, so the ball sits at x = 0 and vx flips; y moves on.
    put_ball(env, 1.0, 40.0, -2.5, -1.0)
    obs, rew, term, trunc, _ = act(env, NOOP)
    assert ball(env) == (0.0, 39.0, 2.5, -1.0)
    assert rew[0] == 0 and not term[0] and not trunc[0]
    inv_w, inv_v = f32(1) / f32(40), f32(1) / f32(4)
    assert obs[0, 1] == f32(1) * inv_w and obs[0, 3] == f32(2.5) * inv_v and obs[0, 5] == 1
    # Right wall: x 37 + 2.5 = 39.5, right edge 41.5 > 40, so x = 38 and vx flips.
    put_ball(env, 37.0, 40.0, 2.5, 1.0)
    act(env, NOOP)
    assert ball(env) == (38.0, 41.0, -2.5, 1.0)
    # Top wall: y 0.5 - 1 < 0, so y = 0 and vy flips.
    put_ball(env, 30.0, 0.5, 0.0, -1.0)
    act(env, NOOP)
    assert ball(env) == (30.0, 0.0, 0.0, 1.0)


def test_brick_hit_from_below_breaks_it_and_flips_vy():
    env = small()
    # The ball (x 14..16) rises from y 21 into brick 5 (row 1, x 10..20, y 15..20):
    #   row 1 [ 4 ][ 5 ][ 6 ][ 7 ]      y 21 - 2 = 19 < 20: the top edge entered brick 5
    #              o  ^ vy = -2          -> brick 5 breaks (+1), ball flush at y = 20, vy = +2
    put_ball(env, 14.0, 21.0, 0.5, -2.0)
    obs, rew, term, trunc, _ = act(env, NOOP)
    assert ball(env) == (14.5, 20.0, 0.5, 2.0)
    assert rew[0] == 1.0 and not term[0] and not trunc[0]
    expected = np.ones(8, np.float32)
    expected[5] = 0
    np.testing.assert_array_equal(obs[0, OBS_HEAD:], expected)
    np.testing.assert_array_equal(bricks_of(env), expected.astype(np.uint8))
    assert env._sim.c.bricks_left[0] == 7
    # Up again through the gap where brick 5 was: nothing there until row 0 (brick 1, 4 points).
    put_ball(env, 14.0, 21.0, 0.0, -2.0)
    rewards = [act(env, NOOP)[1][0] for _ in range(4)]  # y 19, 17, 15, then 13 enters brick 1
    assert rewards == [0, 0, 0, 4.0]
    assert ball(env) == (14.0, 15.0, 0.0, 2.0)
    assert bricks_of(env)[1] == 0 and env.buffers.observations[0, OBS_HEAD + 1] == 0


def test_brick_hit_from_the_side_flips_vx():
    env = small()
    # Clear brick 6 (row 1, x 20..30) so the ball can sit in its place, then move left into brick 5:
    # the left edge 21 - 1.5 = 19.5 < 20 entered brick 5, so it breaks and the ball sits at x = 20.
    c = env._sim.c
    c.bricks[6] = 0
    c.bricks_left[0] = 7
    put_ball(env, 21.0, 16.0, -1.5, 0.0)
    _, rew, *_ = act(env, NOOP)
    assert ball(env) == (20.0, 16.0, 1.5, 0.0)
    assert rew[0] == 1.0 and bricks_of(env)[5] == 0 and bricks_of(env)[6] == 0


def test_paddle_bounce_angle_depends_on_where_it_hits():
    env = small()
    c = env._sim.c
    # Centre hit: ball centre x 20 over the paddle centre (x 15..25); the bottom edge 53 + 2 + 2 = 57
    # crosses the paddle top 56. It sits on the paddle (y 54) and leaves straight up, 0.5 faster.
    put_ball(env, 19.0, 53.0, 0.0, 2.0)
    act(env, NOOP)
    assert ball(env) == (19.0, 54.0, 0.0, -1.5) and c.speed[0] == 1.5
    # Right end: centre x 25 -> 60 degrees right of vertical at speed 2.
    put_ball(env, 24.0, 53.0, 0.0, 2.0)
    act(env, NOOP)
    x, y, vx, vy = ball(env)
    assert (x, y) == (24.0, 54.0) and c.speed[0] == 2.0
    np.testing.assert_allclose([vx, vy], [2 * np.sin(np.pi / 3), -2 * np.cos(np.pi / 3)], rtol=1e-6)


def test_ball_lost_costs_a_life_then_the_episode():
    env = small()
    c = env._sim.c
    # Paddle at x 15..25; the ball falls at x 30..32 past it: y 57 + 2 = 59 >= 58 -> lost.
    put_ball(env, 30.0, 57.0, 0.0, 2.0)
    obs, rew, term, trunc, infos = act(env, NOOP)
    assert rew[0] == 0 and not term[0] and not trunc[0] and infos == []
    assert c.lives_left[0] == 1 and c.in_play[0] == 0
    assert ball(env) == (19.0, 54.0, 0.0, 0.0)  # back on the paddle's centre
    assert obs[0, 5] == 0 and obs[0, 6] == f32(1) * (f32(1) / f32(2))
    # Losing the last ball ends the episode (terminal); the row is already the next episode's start.
    put_ball(env, 30.0, 57.0, 0.0, 2.0)
    obs, rew, term, trunc, infos = act(env, NOOP)
    assert term[0] and not trunc[0] and rew[0] == 0
    assert c.lives_left[0] == 2 and c.tick[0] == 0
    assert obs[0, 6] == 1 and (obs[0, OBS_HEAD:] == 1).all()
    assert infos == [{"episode_return": 0.0, "episode_length": 2.0, "score": 0.0, "cleared": 0.0, "episode_count": 1}]


def test_breaking_the_last_brick_is_a_win():
    env = small()
    c = env._sim.c
    for k in range(8):
        c.bricks[k] = k == 5
    c.bricks_left[0] = 1
    put_ball(env, 14.0, 21.0, 0.0, -2.0)
    obs, rew, term, trunc, infos = act(env, NOOP)
    assert rew[0] == 1.0 and term[0] and not trunc[0]
    assert (obs[0, OBS_HEAD:] == 1).all() and c.bricks_left[0] == 8  # autoreset
    assert infos == [{"episode_return": 1.0, "episode_length": 1.0, "score": 8.0, "cleared": 1.0, "episode_count": 1}]


def head(px, x, y, vx, vy, in_play, lives):
    """The observation's first OBS_HEAD entries as the C step computes them (SMALL's field)."""
    w, h = f32(1) / f32(40), f32(1) / f32(60)
    return [(f32(px) + f32(5)) * w, (f32(x) + f32(1)) * w, (f32(y) + f32(1)) * h, f32(vx) * (f32(1) / f32(4)),
            f32(vy) * (f32(1) / f32(4)), f32(in_play), f32(lives) * (f32(1) / f32(2))]


def test_final_observations_show_how_each_episode_ended():
    # Sub-env 0 loses its last ball (the scenario above): its final observation has no life left
    # and the ball back on the paddle, every brick still there. Sub-env 1 breaks its last brick
    # (above): no brick left, the ball bounced down, both lives. Sub-env 2 plays on: the canary.
    backend = envsdk.backends.Serial(Breakout, num_envs=3, final_observations=True, **SMALL)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0)
    c = env._sim.c
    c.lives_left[0] = 1
    put_ball(env, 30.0, 57.0, 0.0, 2.0, i=0)
    for k in range(8):
        c.bricks[8 + k] = k == 5
        env.buffers.observations[1, OBS_HEAD + k] = k == 5
    c.bricks_left[1] = 1
    put_ball(env, 14.0, 21.0, 0.0, -2.0, i=1)
    final[2] = -3.0
    obs, rew, term, _, _ = backend.step(np.full(3, NOOP, np.int32))
    assert term.tolist() == [True, True, False] and rew.tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_array_equal(final[0], head(15, 19, 54, 0, 0, 0, 0) + [1.0] * 8)
    np.testing.assert_array_equal(final[1], head(15, 14, 20, 0, 2, 1, 2) + [0.0] * 8)
    assert (final[2] == -3.0).all() and (obs[:2, OBS_HEAD:] == 1).all()  # rows 0 and 1 restarted
    backend.close()


def test_fire_serves_the_ball_and_is_a_noop_in_play():
    env = small()
    c = env._sim.c
    obs, *_ = act(env, NOOP)
    assert c.in_play[0] == 0 and obs[0, 5] == 0  # noop does not serve
    obs, *_ = act(env, FIRE)
    # Served from the paddle's centre (x 19, y 54) at speed 1, upwards within 45 degrees of vertical,
    # then moved one frame.
    x, y, vx, vy = ball(env)
    assert c.in_play[0] == 1 and obs[0, 5] == 1
    assert vy < 0 and abs(vx) <= np.sin(np.pi / 4) + 1e-6 and np.isclose(np.hypot(vx, vy), 1.0, rtol=1e-6)
    assert (x, y) == (f32(19) + f32(vx), f32(54) + f32(vy))
    # In play, fire is a noop: the same seed stepped with noop gives the same buffers.
    other = small()
    act(other, FIRE)
    act(env, FIRE)
    act(other, NOOP)
    np.testing.assert_array_equal(env.buffers.observations, other.buffers.observations)


def test_paddle_moves_and_stops_at_the_walls():
    env = small()
    c = env._sim.c
    act(env, LEFT)
    assert c.paddle_x[0] == 12.0 and ball(env)[0] == 16.0  # the ball rides along
    for _ in range(5):
        act(env, LEFT)
    assert c.paddle_x[0] == 0.0
    for _ in range(20):
        act(env, RIGHT)
    assert c.paddle_x[0] == 30.0


def test_truncation_after_max_steps():
    env = small(max_steps=3)
    for _ in range(2):
        _, _, term, trunc, infos = act(env, NOOP)
        assert not trunc[0] and infos == []
    _, rew, term, trunc, infos = act(env, NOOP)
    assert trunc[0] and not term[0] and rew[0] == 0
    assert infos == [{"episode_return": 0.0, "episode_length": 3.0, "score": 0.0, "cleared": 0.0, "episode_count": 1}]


def test_out_of_range_actions_mean_noop():
    env, ref = small(num_envs=4), small(num_envs=4)
    for _ in range(5):
        env.step(np.array([-1, 4, 2**31 - 1, -(2**31)], np.int32))
        act(ref, NOOP)
    np.testing.assert_array_equal(env.buffers.observations, ref.buffers.observations)
    assert not env.buffers.observations[:, 5].any()  # nothing was served



@pytest.mark.parametrize(("config", "match"), [
    (dict(brick_row=5), r"expected config keys among num_envs, width, height, .*'brick_row'"),
    (dict(frameskip=0), "frameskip"),
    (dict(ball_speed_max=13.0), "ball_speed_max"),  # faster than a brick is tall (12) could tunnel
    (dict(ball_speed=8.0), "ball_speed"),  # above ball_speed_max
    (dict(ball_size=13), "ball_size"),
    (dict(brick_cols=20), "brick_width"),  # 20 * 32 > 576
    (dict(brick_rows=30), "brick_rows"),  # the grid would reach the paddle
    (dict(paddle_width=7), "paddle_width"),  # narrower than the ball
    (dict(lives=True), "lives"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        Breakout(**config)



@st.composite
def configs(draw):
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    bw, bh = draw(st.integers(1, 12)), draw(st.integers(1, 8))
    ball_size = draw(st.integers(1, min(bw, bh)))
    ph = draw(st.integers(1, 3))
    top = draw(st.integers(0, 10))
    width = max(cols * bw + draw(st.integers(0, 20)), 8)
    height = max(top + rows * bh + ball_size + 2 * ph + draw(st.integers(0, 30)), 8 * ph, 8)
    vmax = draw(st.floats(0.01, min(bw, bh)))
    return dict(width=width, height=height, brick_rows=rows, brick_cols=cols, brick_width=bw, brick_height=bh,
                brick_top=top, paddle_width=draw(st.integers(ball_size, width)), paddle_height=ph, ball_size=ball_size,
                ball_speed=draw(st.floats(0.01, vmax)), ball_speed_max=vmax, ball_speedup=draw(st.floats(0, vmax)),
                paddle_speed=draw(st.floats(0, min(12, width))), frameskip=draw(st.integers(1, 5)),
                lives=draw(st.integers(1, 3)), max_steps=draw(st.integers(1, 40)))


@settings(max_examples=40, deadline=None)
@given(config=configs(), seed=st.integers(0, 2**63),
       actions=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=30, max_size=30))
def test_fuzz_configs_and_actions(config, seed, actions):
    n = 3
    env = Breakout(num_envs=n, **config)
    env.reset(seed=seed)
    c, size = env._sim.c, config["ball_size"]
    left = (config["width"] - config["brick_cols"] * config["brick_width"]) / 2
    for k, a in enumerate(actions):
        acts = np.array([a, k % 4, FIRE], np.int32)
        obs, rew, term, trunc, _ = env.step(acts)
        assert not (term & trunc).any() and (rew >= 0).all() and np.isfinite(obs).all()
        for i in range(n):
            x, y = c.ball_x[i], c.ball_y[i]
            assert 0 <= x <= config["width"] - size and y >= 0
            present = bricks_of(env, i)
            np.testing.assert_array_equal(obs[i, OBS_HEAD:], present)
            # The ball never overlaps a present brick (no tunnelling).
            for b in np.flatnonzero(present):
                r, col = divmod(int(b), config["brick_cols"])
                bx, by = left + col * config["brick_width"], config["brick_top"] + r * config["brick_height"]
                assert not (x < bx + config["brick_width"] and x + size > bx
                            and y < by + config["brick_height"] and y + size > by)
    env.close()


def test_render():
    env = Breakout()
    env.reset(seed=0)
    frame = rgb_frame(env, (330, 576, 3))
    assert (frame[50, 0] == [230, 41, 55]).all()  # top-left brick, red
    assert (frame[314, 288] == [0, 255, 255]).all()  # paddle (x 257..319, y 314..322)
    assert (frame[310, 288] == [255, 255, 255]).all()  # ball on it (x 284..292, y 306..314)
    text = env.render("ansi")
    assert "=" in text and "o" in text and "█" in text


@pytest.mark.parametrize("config", [{}, {"brick_rows": 3, "brick_cols": 5, "brick_width": 2, "brick_height": 2,
                                         "width": 40, "height": 40, "brick_top": 3, "paddle_width": 4,
                                         "paddle_height": 2, "ball_size": 1, "ball_speed": 1,
                                         "ball_speed_max": 1.5}])
def test_render_draws_each_present_brick_and_only_those(config):
    # Reference: each present brick painted one at a time (one pixel of background between bricks
    # when they are wider or taller than 2), checked on positions with bricks broken.
    env = Breakout(num_envs=2, **config)
    env.reset(seed=1)
    rng = np.random.default_rng(0)
    palette = np.array([[230, 41, 55], [255, 161, 0], [253, 249, 0], [0, 228, 48], [102, 191, 255], [0, 121, 241]])
    for t in range(1500):
        env.step(rng.integers(0, 4, 2).astype(np.int32))
        if t % 100:
            continue
        frame = env.render("rgb_array", index=1)
        bw, bh = env.brick_width, env.brick_height
        left = (env.width - env.brick_cols * bw) // 2
        band = frame[env.brick_top:env.brick_top + env.brick_rows * bh, left:left + env.brick_cols * bw]
        expected = np.empty_like(band)
        expected[...] = [6, 24, 24]
        for b in np.flatnonzero(env.buffers.observations[1, OBS_HEAD:] > 0.5):
            r, c = divmod(int(b), env.brick_cols)
            expected[r * bh:(r + 1) * bh - (bh > 2), c * bw:(c + 1) * bw - (bw > 2)] = palette[r % 6]
        ball = (band == 255).all(axis=2)  # the ball may fly over the band: it is drawn last
        assert (band[~ball] == expected[~ball]).all(), t
    assert (env.buffers.observations[:, OBS_HEAD:] < 0.5).any()  # some bricks broke on the way
    env.close()
