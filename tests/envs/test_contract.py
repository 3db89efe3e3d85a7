"""What every bundled env must do at its edges, checked once for every registered env."""

import numpy as np
import pytest

import envsdk
from envsdk import spaces
from envsdk._arrays import fill, host_copy
from envsdk.config import config_keys
from envsdk.errors import ActionError, ConfigError, StateError
from envsdk.registry import ENVS, resolve


@pytest.fixture(params=sorted(ENVS))
def factory(request):
    return resolve(request.param)


def test_bad_action_shape_and_dtype(factory):
    env = factory(num_envs=2)
    env.reset(seed=0)
    n = env.num_agents
    with pytest.raises(ActionError, match=rf"expected shape \({n},\), found shape \({n + 1},\)"):
        env.step(np.zeros(n + 1, np.int32))
    with pytest.raises(ActionError, match=r"expected dtype int32.*found dtype float32"):
        env.step(np.zeros(n, np.float32))
    env.step(np.zeros(n, np.int64))  # int64 casts into the int32 buffer within its kind
    env.close()


def test_step_before_reset_and_after_close(factory):
    env = factory()
    name = type(env).__name__
    with pytest.raises(StateError, match=rf"{name}\.step: expected reset\(\) before step\(\)"):
        env.step(env.buffers.actions)
    env.reset(seed=0)
    env.close()
    env.close()  # idempotent
    with pytest.raises(StateError, match=rf"{name}\.step: expected an open env, found it closed"):
        env.step(env.buffers.actions)
    with pytest.raises(StateError, match="closed"):
        env.reset(seed=0)


def _stats_stream(factory, report_every: int | None, steps: int):
    """Per step: (episodes reported, their summed returns); same seed and actions every call.
    ``report_every=None`` leaves the env's default."""
    env = factory(num_envs=8, **({} if report_every is None else {"report_every": report_every}))
    env.reset(seed=3)
    rng = np.random.default_rng(3)
    out = []
    for _ in range(steps):
        infos = env.step(spaces.sample(env.single_action_space, env.num_agents, rng=rng))[4]
        count = sum(i["episode_count"] for i in infos)
        out.append((count, sum(i["episode_return"] * i["episode_count"] for i in infos)))
    env.close()
    return np.array(out)


def test_report_every_batches_the_same_episode_stats(factory):
    # report_every=3 offers the log on every third step since reset (steps 3, 6, ...): the same
    # episodes arrive, later and together.
    every_step, batched = _stats_stream(factory, 1, 400), _stats_stream(factory, 3, 400)
    reports = np.flatnonzero(batched[:, 0])
    assert len(reports) > 0 and np.all((reports + 1) % 3 == 0)
    assert batched[:, 0].sum() > 0.8 * every_step[:, 0].sum()  # only the last few steps' episodes wait
    for t in reports:  # up to each batched report, exactly the episodes reported step by step
        np.testing.assert_array_equal(every_step[: t + 1, 0].sum(), batched[: t + 1, 0].sum())
        np.testing.assert_allclose(every_step[: t + 1, 1].sum(), batched[: t + 1, 1].sum(), rtol=1e-9, atol=1e-9)
    with pytest.raises(ConfigError, match="expected report_every in"):
        factory(report_every=0)


def test_default_report_every_is_16(factory):
    # By default the C sims report on every 16th step since reset (steps 16, 32, ...): at scale
    # some episode ends on nearly every step, and turning each report into a dict costs about
    # 1 µs, a few percent of the fastest sims' whole batch step (bench/bench_envs.py).
    default, every_step = _stats_stream(factory, None, 400), _stats_stream(factory, 1, 400)
    reports = np.flatnonzero(default[:, 0])
    assert len(reports) > 0 and np.all((reports + 1) % 16 == 0)
    last = reports[-1]  # up to the last report, exactly the episodes reported step by step
    assert default[: last + 1, 0].sum() == every_step[: last + 1, 0].sum()


# ---- final observations -------------------------------------------------------------------------
# Small configs whose episodes end within a short rollout, by terminal and (where the env has a
# time limit) by truncation; the two-player board games are cases of their own.
FINAL_CASES = {
    "breakout": dict(width=40, height=60, brick_rows=2, brick_cols=4, brick_width=10, brick_height=5, brick_top=10,
                     paddle_width=10, paddle_height=2, ball_size=2, ball_speed=2.0, ball_speed_max=4.0,
                     paddle_speed=3.0, frameskip=2, lives=1, max_steps=40),
    "cartpole": dict(max_steps=15),
    "cartpole_torch": dict(max_steps=15),
    "drive_torch": dict(agents=3, world_size=12.0, max_steps=15),
    "connect4": dict(opponent="random"),
    "connect4-two-player": dict(opponent="none", first="random"),
    "pong": dict(width=40, height=30, paddle_height=6, ball_speed_x=3.0, max_score=1, max_steps=12),
    "snake": dict(width=6, height=5, snakes=3, food=3, view=2, max_steps=12),
    "squared": dict(size=4, max_steps=5),
    "tictactoe": dict(opponent="random"),
    "tictactoe-two-player": dict(opponent="none"),
    "tripletriad": dict(max_steps=12),
}
TRUNCATING = ("breakout", "cartpole", "pong", "snake", "squared", "tripletriad")  # the ones with max_steps


def test_every_registered_env_has_a_final_observations_case():
    assert {case.split("-")[0] for case in FINAL_CASES} == set(ENVS)


def canary(space):
    """A value outside ``space``, written into final_observations before each step: a row the step
    leaves alone keeps it, a row it writes holds observation values only."""
    dtype = np.dtype(space.dtype)
    value = np.array(np.nan if dtype.kind == "f" else np.iinfo(dtype).max, dtype)
    assert not (np.asarray(space.low) <= value).all() or not (value <= np.asarray(space.high)).all()
    return value


def choose_actions(obs, space, rng):
    """Random actions; in board games (whose observation ends with the legal-action mask) a legal
    move in 9 rows of 10, so games run to their end, and any value in the 10th (illegal moves too)."""
    n = len(obs)
    actions = spaces.sample(space, n, rng=rng)
    legal = obs.reshape(n, -1)[:, -space.n:] > 0 if space.n in (7, 9, 14) else np.zeros((n, space.n), bool)
    for i in np.flatnonzero(legal.any(axis=1) & (rng.random(n) < 0.9)):
        actions[i] = rng.choice(np.flatnonzero(legal[i]))
    return actions


def final_rollout(backend, steps, seed=0):
    """Step ``backend`` (built with final_observations=True) ``steps`` times on choose_actions,
    with the canary written before each step; per step, the outputs and final_observations, copied
    to host numpy arrays (a torch-native env's buffers are tensors)."""
    b = backend.buffers
    mark = canary(backend.single_observation_space)
    rng = np.random.default_rng(seed)
    obs, _ = backend.reset(seed=seed)
    out = []
    for _ in range(steps):
        actions = choose_actions(host_copy(obs), backend.single_action_space, rng)
        fill(b.final_observations, mark.item())
        obs, rewards, terminals, truncations, infos = backend.step(actions)
        out.append((*(host_copy(x) for x in (obs, rewards, terminals, truncations)), infos,
                    host_copy(b.final_observations)))
    return out, mark


@pytest.mark.parametrize("case", sorted(FINAL_CASES))
def test_final_observations_are_written_on_ended_rows_only_equal_across_splits_and_change_nothing(case):
    # One rollout of the same seed and actions four ways: Serial over one object, Serial over
    # objects of 2 sub-envs, Multiprocessing over 2 workers, all three with final_observations,
    # and Serial without it.
    name, config, num_envs, steps = case.split("-")[0], FINAL_CASES[case], 6, 120
    builds = {
        "one object": lambda: envsdk.backends.Serial(name, num_envs=num_envs, final_observations=True, **config),
        "split": lambda: envsdk.backends.Serial(name, num_envs=num_envs, envs_per_object=2, final_observations=True,
                                                **config),
        "workers": lambda: envsdk.backends.Multiprocessing(name, num_envs=num_envs, num_workers=2,
                                                           start_method="fork", final_observations=True, **config),
    }
    if "device" in config_keys(resolve(name)):  # a torch-native env: Multiprocessing refuses tensor buffers
        del builds["workers"]
    runs = {}
    for label, build in builds.items():
        backend = build()
        try:
            runs[label], mark = final_rollout(backend, steps)
        finally:
            backend.close()
    plain = envsdk.backends.Serial(name, num_envs=num_envs, **config)
    assert plain.buffers.final_observations is None
    rng = np.random.default_rng(0)
    obs, _ = plain.reset(seed=0)
    space = plain.single_observation_space
    ended = {"terminals": 0, "truncations": 0}
    for t, (*outputs, final) in enumerate(runs["one object"]):
        actions = choose_actions(host_copy(obs), plain.single_action_space, rng)
        obs, *results = plain.step(actions)
        without = (*(host_copy(x) for x in (obs, *results[:3])), results[3])
        for k, (got, want) in enumerate(zip(outputs, without, strict=True)):  # the buffer changes nothing else
            assert (got == want if k == 4 else got.tobytes() == want.tobytes()), (t, k)
        done = outputs[2] | outputs[3]
        ended["terminals"] += outputs[2].sum()
        ended["truncations"] += outputs[3].sum()
        # Ended rows: wholly written, with observation values. Other rows: untouched (the canary).
        assert ((final[done] >= space.low) & (final[done] <= space.high)).all(), t
        assert final[~done].tobytes() == np.full_like(final[~done], mark).tobytes(), t
        for label in set(runs) - {"one object"}:  # bit-equal across splits and workers
            assert final.tobytes() == runs[label][t][5].tobytes(), (t, label)
    plain.close()
    assert ended["terminals"] > 0
    assert ended["truncations"] > 0 or name not in TRUNCATING


@pytest.mark.parametrize("name", TRUNCATING)
def test_a_truncated_rows_final_observation_is_what_it_would_have_shown(name):
    # The same sub-envs with a later time limit go on where the truncated ones were cut: at the step
    # the limit cuts, each truncated row's final observation is the other's observation, bit for bit
    # (snake replaces eaten food and pong serves after a point with the RNG draws the longer run makes).
    config = {k: v for k, v in FINAL_CASES[name].items() if k != "max_steps"}
    config |= {"max_score": 5} if name == "pong" else {}  # points go on, and can fall on the last step
    limit = {"breakout": 20, "cartpole": 8, "pong": 10, "snake": 9, "squared": 3, "tripletriad": 6}[name]
    cut = envsdk.backends.Serial(name, num_envs=16, final_observations=True, max_steps=limit, **config)
    longer = envsdk.backends.Serial(name, num_envs=16, max_steps=limit + 50, **config)
    rng = np.random.default_rng(1)
    obs, _ = cut.reset(seed=7)
    longer.reset(seed=7)
    for _ in range(limit):
        actions = choose_actions(obs, cut.single_action_space, rng)
        obs, _, terminals, truncations, _ = cut.step(actions)
        going_on = longer.step(actions)[0]
    assert truncations.sum() >= 2 and not (terminals & truncations).any()
    np.testing.assert_array_equal(cut.buffers.final_observations[truncations], going_on[truncations])
    cut.close()
    longer.close()
