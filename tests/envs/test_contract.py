"""What every bundled env must do at its edges, checked once for every registered env."""

import numpy as np
import pytest

from envsdk import spaces
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
