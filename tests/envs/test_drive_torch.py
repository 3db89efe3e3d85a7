"""drive_torch: conformance, hand-placed collisions and goals, masks and restarts, truncation, seeding, CUDA."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from envsdk.envs.drive_torch import DriveTorch  # noqa: E402

import envsdk  # noqa: E402
from envsdk.errors import ConfigError  # noqa: E402
from envsdk.testing import assert_conforms  # noqa: E402

DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device")])]
BRAKE, KEEP, GAS = 0, 1, 2
RIGHT, STRAIGHT, LEFT = 0, 1, 2


def action(throttle, steer):
    return 3 * throttle + steer


COAST = action(KEEP, STRAIGHT)  # 4: keep the speed, go straight


def place(env, e, agents):
    """Set sub-env ``e``'s agents: each ``(x, y, heading degrees, speed, goal x, goal y)``."""
    for k, (x, y, degrees, speed, gx, gy) in enumerate(agents):
        h = math.radians(degrees)
        env.state[:, e, k] = torch.tensor([x, y, math.cos(h), math.sin(h), speed, gx, gy])


def far_corner_agents(n):
    """Parked agents (speed 0) far from everything, in the world's lower-left corner, each 4 m apart."""
    return [(-16.0 + 4 * k, -16.0, 90.0, 0.0, 16.0, 16.0) for k in range(n)]


def make(device="cpu", final=False, **config):
    config.setdefault("agents", 3)
    probe = DriveTorch(agents=config["agents"], neighbors=config.get("neighbors"))
    n = config.get("num_envs", 1) * config["agents"]
    buffers = envsdk.allocate(probe.single_observation_space, probe.single_action_space, n,
                              final_observations=final, device=device)
    return DriveTorch(buffers=buffers, **config)


def step(env, *actions):
    return env.step(torch.tensor(actions, dtype=torch.int32, device=env.device))


@pytest.mark.parametrize("device", DEVICES)
def test_conforms(device):
    assert_conforms(DriveTorch, num_envs=2, agents=4, max_steps=30, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_registered_with_tensor_buffers_one_row_per_agent(device):
    env = envsdk.make("drive_torch", num_envs=16, agents=5, neighbors=2, device=device)
    obs, _ = env.reset(seed=0)
    assert env.num_agents == 80 and obs.shape == (80, 7 + 5 * 2) and obs.device.type == device
    assert env.buffers.masks.all()
    env.step(torch.full((80,), COAST, dtype=torch.int32, device=device))
    env.close()


def test_starts_never_overlap_an_agent_the_edge_or_a_goal():
    env = DriveTorch(num_envs=500, agents=8)
    env.reset(seed=1)
    x, y, hx, hy, speed, gx, gy = env.state
    d2 = (x[:, :, None] - x[:, None, :]) ** 2 + (y[:, :, None] - y[:, None, :]) ** 2
    d2 += torch.eye(8) * 1e9
    assert d2.min() >= 4.0 and (x.abs().max(), y.abs().max()) <= (19.0, 19.0)
    assert ((x - gx) ** 2 + (y - gy) ** 2).min() >= 4.0
    assert torch.allclose(hx * hx + hy * hy, torch.ones(()), atol=1e-6) and (speed == 0).all()
    angles = torch.atan2(hy, hx).flatten()  # headings spread over the circle
    assert angles.min() < -3.0 and angles.max() > 3.0 and abs(float(angles.mean())) < 0.1


def test_two_agents_collide_both_end_with_the_penalty_and_are_masked_out():
    #   y
    #   |   0 ->  <- 1        agents 0 and 1 drive head-on at 5 m/s, 2.5 m apart: each moves 0.5 m,
    #   |                     leaving 1.5 m < 2 m between centres: both collide.
    #   | 2 (parked far away) agent 2 goes on, and so does the sub-env.
    env = make(agents=3, report_every=1)
    env.reset(seed=0)
    place(env, 0, [(0.0, 0.0, 0.0, 5.0, 10.0, 10.0), (2.5, 0.0, 180.0, 5.0, -10.0, 10.0),
                   far_corner_agents(3)[2]])
    obs, rew, term, trunc, infos = step(env, COAST, COAST, COAST)
    assert rew.tolist() == [-1.0, -1.0, 0.0] and term.tolist() == [True, True, False] and not trunc.any()
    assert env.buffers.masks.tolist() == [True, True, True]  # their last step is still live
    assert (obs[:2] == 0).all() and (obs[2] != 0).any() and env.alive.tolist() == [[False, False, True]]
    assert infos == [{"episode_count": 2, "episode_return": -1.0, "episode_length": 1.0, "goal": 0.0,
                      "collision": 1.0}]
    # Masked rows stay out until the sub-env restarts: reward 0, no flags, zero observations, actions ignored.
    for _ in range(3):
        obs, rew, term, trunc, _ = step(env, GAS, -7, COAST)
        assert rew.tolist() == [0.0, 0.0, 0.0] and not term.any() and not trunc.any()
        assert env.buffers.masks.tolist() == [False, False, True] and (obs[:2] == 0).all()


def test_the_edge_ends_an_agent_and_the_goal_rewards_it():
    # Agent 0 at x = 18.9 m heading east at 5 m/s: its centre reaches 19.4 m > 20 - 1 m: off the edge.
    # Agent 1 heads north at 10 m/s with its goal 2.9 m ahead: after 1 m it is 1.9 m < 2 m away: arrived.
    env = make(agents=3, report_every=1)
    env.reset(seed=0)
    place(env, 0, [(18.9, 0.0, 0.0, 5.0, 0.0, 0.0), (0.0, 0.0, 90.0, 10.0, 0.0, 2.9), far_corner_agents(3)[2]])
    _, rew, term, _, infos = step(env, COAST, COAST, COAST)
    assert rew.tolist() == [-1.0, 1.0, 0.0] and term.tolist() == [True, True, False]
    assert infos[0]["goal"] == 0.5 and infos[0]["collision"] == 0.5 and infos[0]["episode_return"] == 0.0


def test_a_collision_on_the_goal_is_a_collision():
    # Agents 0 and 1 meet on agent 0's goal: the collision wins (penalty, no goal reward).
    env = make(agents=3)
    env.reset(seed=0)
    place(env, 0, [(0.0, 0.0, 0.0, 5.0, 1.0, 0.0), (2.5, 0.0, 180.0, 5.0, -10.0, 10.0), far_corner_agents(3)[2]])
    _, rew, term, _, _ = step(env, COAST, COAST, COAST)
    assert rew.tolist() == [-1.0, -1.0, 0.0] and term.tolist() == [True, True, False]


def test_the_sub_env_restarts_in_the_step_its_last_agent_ends():
    # Both agents of sub-env 0 collide: it restarts in that same step (fresh observations, masks True),
    # the rows keep the ended episodes' rewards and flags; sub-env 1 goes on untouched.
    env = make(agents=2, num_envs=2, neighbors=1, final=True)
    env.reset(seed=4)
    place(env, 0, [(0.0, 0.0, 0.0, 5.0, 10.0, 10.0), (2.5, 0.0, 180.0, 5.0, -10.0, 10.0)])
    place(env, 1, far_corner_agents(2))
    before = env.state[:, 1].clone()
    final = env.buffers.final_observations
    final[2:] = -7.0  # canaries: rows that go on keep them
    obs, rew, term, trunc, _ = step(env, COAST, COAST, COAST, COAST)
    assert term.tolist() == [True, True, False, False] and rew.tolist() == [-1.0, -1.0, 0.0, 0.0]
    assert env.buffers.masks.all() and env.tick.tolist() == [0, 1]
    assert (env.state[4, 0] == 0).all() and (obs[:2, 4] == 0).all()  # a new episode: speeds 0
    assert torch.equal(env.state[:, 1], before)  # parked agents stay where they were
    # The final observations: where each collided, 1.5 m apart, the other ahead (own frame), closing at 10 m/s.
    scale = 2 / 40
    torch.testing.assert_close(final[0, :7], torch.tensor([0.5 * scale, 0.0, 1.0, 0.0, 0.5, 9.5 * scale,
                                                          10 * scale]))
    torch.testing.assert_close(final[0, 7:], torch.tensor([1.5 * scale, 0.0, -1.0, 0.0, 1.0]))
    torch.testing.assert_close(final[1, 7:], torch.tensor([1.5 * scale, 0.0, -1.0, 0.0, 1.0]), atol=1e-6,
                               rtol=1e-6)
    assert (final[2:] == -7.0).all()


def test_the_time_limit_truncates_the_live_agents_only():
    # max_steps = 3: agent 0 collides with the edge on step 2 (terminal, masked out); on step 3 agents 1
    # and 2 are truncated, agent 0 has no flag; an agent that ends on the last step is terminal only
    # (agent 1 leaves the world on step 3).
    env = make(agents=3, max_steps=3, report_every=1)  # masks: who drove in each step
    env.reset(seed=0)
    far = far_corner_agents(3)
    place(env, 0, [(18.5, 0.0, 0.0, 3.0, 0.0, 0.0), (0.0, 18.5, 90.0, 2.0, 0.0, 0.0), far[2]])
    _, _, term, trunc, _ = step(env, COAST, COAST, COAST)
    assert not term.any() and not trunc.any()
    _, _, term, trunc, _ = step(env, COAST, COAST, COAST)
    assert term.tolist() == [True, False, False] and not trunc.any() and env.buffers.masks.all()
    obs, rew, term, trunc, infos = step(env, COAST, COAST, COAST)
    assert term.tolist() == [False, True, False] and trunc.tolist() == [False, False, True]
    assert rew.tolist() == [0.0, -1.0, 0.0] and env.buffers.masks.tolist() == [False, True, True]
    assert env.alive.all() and (obs != 0).any(1).all() and env.tick.tolist() == [0]  # restarted
    assert infos == [{"episode_count": 2, "episode_return": -0.5, "episode_length": 3.0, "goal": 0.0,
                      "collision": 0.5}]


def test_observations_in_the_agents_own_frame_nearest_neighbours_first():
    # Agent 0 at the origin heading north (90 deg) at 2 m/s, goal 10 m to its east. Agent 1 is 5 m north
    # (ahead), agent 2 is 3 m west (to its left), agent 3 is off in the corner; agent 1 has finished (not live).
    env = make(agents=4, neighbors=2)
    env.reset(seed=0)
    place(env, 0, [(0.0, 0.0, 90.0, 2.0, 10.0, 0.0), (0.0, 5.0, 0.0, 0.0, 0.0, 0.0),
                   (-3.0, 0.0, 0.0, 4.0, 0.0, 0.0), (-16.0, -16.0, 0.0, 0.0, 0.0, 0.0)])
    s = 2 / 40
    obs = env._observe(env.state, torch.tensor([[True, True, True, True]])).view(4, -1)
    own = torch.tensor([0.0, 0.0, 0.0, 1.0, 0.2, 0.0, -10 * s])  # the goal: 10 m to its right
    torch.testing.assert_close(obs[0, :7], own, atol=1e-6, rtol=0)
    # nearest first: agent 2 (3 m to the left, moving east = to its right, relative velocity (-2 ahead, -4 left)),
    # then agent 1 (5 m ahead, at rest: relative velocity (-2, 0)).
    torch.testing.assert_close(obs[0, 7:12], torch.tensor([0.0, 3 * s, -0.2, -0.4, 1.0]), atol=1e-6, rtol=0)
    torch.testing.assert_close(obs[0, 12:], torch.tensor([5 * s, 0.0, -0.2, 0.0, 1.0]), atol=1e-6, rtol=0)
    # With agent 2 not live, agent 1 is the nearest, then agent 3; with only agent 0 live, no neighbours.
    obs = env._observe(env.state, torch.tensor([[True, True, False, True]])).view(4, -1)
    torch.testing.assert_close(obs[0, 7:12], torch.tensor([5 * s, 0.0, -0.2, 0.0, 1.0]), atol=1e-6, rtol=0)
    assert (obs[2] == 0).all()
    obs = env._observe(env.state, torch.tensor([[True, False, False, False]])).view(4, -1)
    assert (obs[0, 7:] == 0).all() and (obs[1:] == 0).all()


def test_actions_steer_and_throttle_and_out_of_range_coasts():
    env = make(agents=6, neighbors=0, world_size=200.0)
    env.reset(seed=0)
    place(env, 0, [(-50.0 + 20 * k, 0.0, 0.0, 5.0, 0.0, 90.0) for k in range(6)])
    step(env, action(GAS, LEFT), action(BRAKE, RIGHT), COAST, -1, 9, 2**31 - 1)
    x, y, hx, hy, speed = env.state[:5, 0]
    assert speed.tolist() == pytest.approx([5.4, 4.6, 5.0, 5.0, 5.0, 5.0])
    assert float(hy[0]) == pytest.approx(math.sin(0.1)) and float(hy[1]) == pytest.approx(-math.sin(0.1))
    for k in (3, 4, 5):  # out of range: as COAST
        assert torch.equal(env.state[:, 0, k] - env.state[:, 0, 2], torch.tensor([20.0 * (k - 2), 0, 0, 0, 0, 0, 0]))
    assert float(x[2]) == pytest.approx(-10.0 + 0.5) and float(y[2]) == 0.0


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_same_bits_whatever_the_split(device):
    def run(per, seed=2**64 - 3):
        probe = DriveTorch(agents=4, neighbors=2)
        buffers = envsdk.allocate(probe.single_observation_space, probe.single_action_space, 8 * 4,
                                  final_observations=True, device=device)
        env = envsdk.backends.Serial(DriveTorch, num_envs=8, envs_per_object=per, agents=4, neighbors=2,
                                     world_size=16.0, max_steps=25, buffers=buffers)
        frames = [env.reset(seed=seed)[0].clone()]
        g = torch.Generator().manual_seed(0)
        for _ in range(80):
            actions = torch.randint(-1, 10, (32,), generator=g, dtype=torch.int32).to(device)
            frames += [x.clone() for x in env.step(actions)[:4]]
            frames += [env.buffers.masks.clone(), env.buffers.final_observations.clone()]
        env.close()
        return frames

    whole = run(8)
    assert sum(int(f.sum()) for f in whole[3::6]) > 10  # many agent episodes ended (terminals)
    for per in (1, 2):
        for a, b in zip(whole, run(per), strict=True):
            assert torch.equal(a, b)
    assert not torch.equal(run(8, seed=5)[0], whole[0])


def test_restarts_by_index_and_by_where_give_the_same_bits():
    # The CPU restarts ended sub-envs by index, a GPU by torch.where over every sub-env: the same bits.
    by_index, by_where = (DriveTorch(num_envs=16, agents=4, world_size=16.0, max_steps=20) for _ in range(2))
    by_where._sync_free = True
    for env in (by_index, by_where):
        env.reset(seed=9)
    g = torch.Generator().manual_seed(0)
    for _ in range(100):
        actions = torch.randint(0, 9, (64,), generator=g, dtype=torch.int32)
        for a, b in zip(by_index.step(actions)[:4], by_where.step(actions)[:4], strict=True):
            assert torch.equal(a, b)
        assert torch.equal(by_index.buffers.masks, by_where.buffers.masks)
    assert torch.equal(by_index._streams.state, by_where._streams.state)
    assert torch.equal(by_index.state, by_where.state)


@pytest.mark.parametrize(("config", "match"), [
    (dict(agent=3), "agent"),
    (dict(agents=4, neighbors=4), "neighbors"),
    (dict(agents=50, world_size=10.0), "world_size"),
    (dict(max_steps=0), "max_steps"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        DriveTorch(**config)


def test_render_draws_the_live_agents():
    env = DriveTorch(agents=4)
    env.reset(seed=0)
    frame = env.render("rgb_array")
    assert frame.shape == (256, 256, 3) and frame.dtype == np.uint8
    assert (frame == (80, 200, 255)).all(axis=-1).sum() > 50  # agent 0's disc and goal
    with pytest.raises(ValueError, match="rgb_array"):
        env.render("ansi")
