"""cartpole_torch: conformance, bit-equality with the C cartpole, seeding and splits, hand-worked steps, CUDA."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from envsdk.envs.cartpole import CartPole  # noqa: E402
from envsdk.envs.cartpole_torch import CartPoleTorch  # noqa: E402

import envsdk  # noqa: E402
from envsdk.errors import ActionError, ConfigError, StateError  # noqa: E402
from envsdk.testing import assert_conforms  # noqa: E402

LEFT, RIGHT = 0, 1
DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device")])]


def set_c_state(env, i, x=0.0, x_dot=0.0, theta=0.0, theta_dot=0.0, tick=0):
    c = env._sim.c
    c.x[i], c.x_dot[i], c.theta[i], c.theta_dot[i], c.tick[i] = x, x_dot, theta, theta_dot, tick


def c_state(env, n):
    c = env._sim.c
    return np.array([[c.x[i], c.x_dot[i], c.theta[i], c.theta_dot[i]] for i in range(n)]).T


@pytest.mark.parametrize("device", DEVICES)
def test_conforms(device):
    assert_conforms(CartPoleTorch, num_envs=4, max_steps=40, device=device)


@pytest.mark.parametrize("device", DEVICES)
def test_buffers_are_tensors_on_the_device_and_registered(device):
    env = envsdk.make("cartpole_torch", num_envs=64, device=device)
    obs, _ = env.reset(seed=0)
    assert isinstance(obs, torch.Tensor) and obs.device.type == device and obs.dtype == torch.float32
    assert env.envs[0].device == env.buffers.device
    result = env.step(torch.ones(64, dtype=torch.int32, device=device))
    for got, field in zip(result[:4], ("observations", "rewards", "terminals", "truncations"), strict=True):
        assert got is getattr(env.buffers, field)  # the returned arrays are the buffers
    env.close()


def test_numpy_buffers_from_a_host_backend_work_through_tensor_views():
    # Serial without device= hands numpy rows: the env computes on CPU tensor views of them, returns the
    # numpy arrays themselves and declares no device; the bits are the tensor buffers' bits.
    host = envsdk.backends.Serial(CartPoleTorch, num_envs=8, envs_per_object=4, final_observations=True)
    tensors = envsdk.backends.Serial(CartPoleTorch, num_envs=8, envs_per_object=4, final_observations=True,
                                     device="cpu")
    assert host.buffers.device is None and host.envs[0].device is None and tensors.envs[0].device.type == "cpu"
    obs, _ = host.reset(seed=5)
    assert isinstance(obs, np.ndarray) and np.array_equal(obs, tensors.reset(seed=5)[0].numpy())
    for t in range(100):
        actions = np.arange(8, dtype=np.int32) * t % 3
        for a, b in zip(host.step(actions)[:4], tensors.step(actions)[:4], strict=True):
            assert a is not None and np.array_equal(a, b.numpy())
        assert np.array_equal(host.buffers.final_observations, tensors.buffers.final_observations.numpy())
    host.close()
    tensors.close()


def test_bit_equal_to_the_c_cartpole_from_equal_seeds_over_random_actions():
    # Same seed: the same SplitMix64 streams draw the same start states; the same float64 operations
    # in the same order then give the same bits, through falls, time limits and restarts, infos included.
    n = 512
    c, t = CartPole(num_envs=n, max_steps=120, report_every=1), CartPoleTorch(num_envs=n, max_steps=120,
                                                                              report_every=1)
    obs_c, _ = c.reset(seed=11)
    obs_t, _ = t.reset(seed=11)
    np.testing.assert_array_equal(obs_t.numpy(), obs_c)
    rng = np.random.default_rng(0)
    ended = 0
    for _ in range(300):
        actions = rng.integers(0, 2, n).astype(np.int32)
        rc, rt = c.step(actions), t.step(torch.from_numpy(actions))
        for ours, theirs in zip(rt[:4], rc[:4], strict=True):
            np.testing.assert_array_equal(ours.numpy(), theirs)
        assert rt[4] == rc[4]
        ended += int(rc[2].sum() + rc[3].sum())
    assert ended > 1000  # many episodes ended and restarted in both
    np.testing.assert_array_equal(t.state.numpy(), c_state(c, n))


def test_matches_the_c_cartpole_from_hand_set_states_within_float32_rounding_on_cpu_and_cuda():
    # States set equal in both sims (including angles beyond 0.25 rad: the library sin/cos branch),
    # the same actions: observations within float32 rounding (on the CPU they are bit-equal).
    rng = np.random.default_rng(1)
    n = 400
    states = np.column_stack([rng.uniform(-2.45, 2.45, n), rng.uniform(-2, 2, n), rng.uniform(-0.3, 0.3, n),
                              rng.uniform(-6, 6, n)])
    actions = rng.integers(0, 2, n).astype(np.int32)
    c = CartPole(num_envs=n)
    c.reset(seed=0)
    for i, s in enumerate(states):
        set_c_state(c, i, *s, tick=5)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rc = [x.copy() for x in c.step(actions)[:4]]
    for device in devices:
        t = CartPoleTorch(num_envs=n, device=device)
        t.reset(seed=0)
        t.state.copy_(torch.from_numpy(states.T))
        t.tick.fill_(5)
        rt = [x.cpu().numpy() for x in t.step(torch.from_numpy(actions).to(device))[:4]]
        np.testing.assert_array_equal(rt[2], rc[2])
        np.testing.assert_array_equal(rt[3], rc[3])
        np.testing.assert_array_equal(rt[1], rc[1])
        np.testing.assert_allclose(rt[0], rc[0], rtol=2**-23, atol=1e-7)
        if device == "cpu":
            np.testing.assert_array_equal(rt[0], rc[0])


def test_hand_worked_pushes_from_rest():
    # Cart and pole at rest, pole upright, pushed right twice (tests/envs/test_cartpole.py works the numbers):
    # xacc = 400/41 m/s^2 and thetaacc = -600/41 rad/s^2 on both steps, since theta stays 0 on the first.
    env = CartPoleTorch()
    env.reset(seed=0)
    env.state.zero_()
    obs, rew, term, trunc, infos = env.step(torch.tensor([RIGHT], dtype=torch.int32))
    np.testing.assert_allclose(obs[0].numpy(), [0.0, 0.02 * 400 / 41, 0.0, -0.02 * 600 / 41], rtol=1e-6)
    assert rew[0] == 1.0 and not term[0] and not trunc[0] and infos == []
    obs, *_ = env.step(np.array([RIGHT], np.int32))  # numpy actions are copied in too
    np.testing.assert_allclose(obs[0].numpy(), [0.02 * 8 / 41, 16 / 41, -0.02 * 12 / 41, -24 / 41], rtol=1e-6)
    assert env.tick.tolist() == [2]


def test_fall_track_end_and_time_limit_with_final_observations():
    # Row 0 falls (0.2 + 0.02 * 0.5 = 0.21 rad > 12 deg), row 1 leaves the track (2.39 + 0.02 * 1 = 2.41 m),
    # row 2 is cut by the time limit on its 30th step, row 3 goes on; a fall on the last step is terminal only
    # (row 4). Ended rows restart in the same step and their final observations are where they ended.
    env = CartPoleTorch(num_envs=5, max_steps=30, report_every=1,
                        buffers=envsdk.allocate(CartPoleTorch().single_observation_space,
                                                CartPoleTorch().single_action_space, 5, final_observations=True,
                                                device="cpu"))
    final = env.buffers.final_observations
    env.reset(seed=3)
    env.state.copy_(torch.tensor([[0.0, 0.0, 0.2, 0.5], [2.39, 1.0, 0.0, 0.0], [0.0, 0.0, 0.01, 0.0],
                                  [0.0, 0.0, 0.01, 0.0], [0.0, 0.0, 0.2, 0.5]], dtype=torch.float64).T)
    env.tick.copy_(torch.tensor([10, 3, 29, 3, 29], dtype=torch.int32))
    final[3] = -7.0  # a canary: a row that goes on keeps it
    obs, rew, term, trunc, infos = env.step(torch.tensor([LEFT, RIGHT, LEFT, LEFT, LEFT], dtype=torch.int32))
    assert term.tolist() == [True, True, False, False, True]
    assert trunc.tolist() == [False, False, True, False, False]
    assert rew.tolist() == [1.0] * 5
    assert final[0, 2] > 0.2094 and final[1, 0] > 2.4 and abs(final[2, 0]) < 2.4
    assert (final[3] == -7.0).all() and (obs[[0, 1, 2, 4]].abs() <= 0.05).all()
    assert env.tick.tolist() == [0, 0, 0, 4, 0]
    assert infos == [{"episode_count": 4, "episode_return": (11 + 4 + 30 + 30) / 4,
                      "episode_length": (11 + 4 + 30 + 30) / 4}]


def test_infos_are_reported_every_report_every_steps():
    env = CartPoleTorch(num_envs=4, max_steps=5, report_every=3)
    env.reset(seed=0)
    reports = [env.step(torch.zeros(4, dtype=torch.int32))[4] for _ in range(12)]
    assert [bool(r) for r in reports] == [False, False, False, False, False, True] * 2
    assert reports[5] == [{"episode_count": 4, "episode_return": 5.0, "episode_length": 5.0}]


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_same_bits_whatever_the_split(device):
    def run(per):
        env = envsdk.backends.Serial(CartPoleTorch, num_envs=12, envs_per_object=per, max_steps=50,
                                     buffers=envsdk.allocate(CartPoleTorch().single_observation_space,
                                                             CartPoleTorch().single_action_space, 12,
                                                             final_observations=True, device=device))
        frames = [env.reset(seed=2**64 - 5)[0].clone()]  # seeds wrap modulo 2**64 across sub-envs
        g = torch.Generator().manual_seed(0)
        for _ in range(120):
            actions = torch.randint(0, 2, (12,), generator=g, dtype=torch.int32).to(device)
            frames += [x.clone() for x in env.step(actions)[:4]] + [env.buffers.final_observations.clone()]
        env.close()
        return frames

    whole = run(12)
    for per in (1, 3, 4):
        for a, b in zip(whole, run(per), strict=True):
            assert torch.equal(a, b)
    other = CartPoleTorch(num_envs=12, device=device)
    assert not torch.equal(other.reset(seed=1)[0], whole[0])


def test_restarts_by_index_and_by_where_give_the_same_bits():
    # On the CPU ended sub-envs restart by index; on a GPU every sub-env's next start is computed and
    # torch.where keeps the ended ones' (no device sync). Both paths, run here on the CPU, agree bit for bit.
    by_index, by_where = CartPoleTorch(num_envs=64, max_steps=30), CartPoleTorch(num_envs=64, max_steps=30)
    by_where._sync_free = True
    assert not by_index._sync_free
    for env in (by_index, by_where):
        env.reset(seed=9)
    g = torch.Generator().manual_seed(0)
    for _ in range(200):
        actions = torch.randint(0, 2, (64,), generator=g, dtype=torch.int32)
        for a, b in zip(by_index.step(actions)[:4], by_where.step(actions)[:4], strict=True):
            assert torch.equal(a, b)
    assert torch.equal(by_index._streams.state, by_where._streams.state)


def test_out_of_range_actions_push_left():
    env = CartPoleTorch(num_envs=4)
    env.reset(seed=2)
    env.state.copy_(torch.tensor([0.01, -0.02, 0.03, 0.04], dtype=torch.float64)[:, None].expand(4, 4))
    obs, *_ = env.step(torch.tensor([LEFT, -1, 2, 2**31 - 1], dtype=torch.int32))
    for i in (1, 2, 3):
        assert torch.equal(obs[i], obs[0])


def test_errors_name_the_key_the_state_and_the_actions():
    with pytest.raises(ConfigError, match="max_step"):
        CartPoleTorch(max_step=3)
    with pytest.raises(ConfigError, match="num_envs"):
        CartPoleTorch(num_envs=0)
    env = CartPoleTorch(num_envs=2)
    with pytest.raises(StateError, match="reset"):
        env.step(torch.zeros(2, dtype=torch.int32))
    env.reset(seed=0)
    with pytest.raises(ActionError, match="shape"):
        env.step(torch.zeros(3, dtype=torch.int32))
    with pytest.raises(ConfigError, match="seed"):
        env.reset(seed=-1)
    env.close()
    env.close()
    with pytest.raises(StateError, match="closed"):
        env.reset(seed=0)


def test_render():
    env = CartPoleTorch()
    env.reset(seed=0)
    frame = env.render("rgb_array")
    assert frame.shape == (120, 240, 3) and frame.dtype == np.uint8
    assert "theta=" in env.render("ansi")
