"""What every bundled env must do at its edges, checked once for every registered env."""

import numpy as np
import pytest

from envsdk.errors import ActionError, StateError
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
