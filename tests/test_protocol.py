"""The protocol gate: structural, no inheritance."""

import numpy as np
from custom_env import Corridor
from vectorized_env import GridReach

import envsdk
from envsdk.backends import Serial


def test_example_envs_satisfy_env_without_subclassing():
    for env in (Corridor(), GridReach(num_envs=3)):
        assert isinstance(env, envsdk.Env)
        assert not isinstance(env, envsdk.Backend)  # no async API
        assert type(env).__mro__ == (type(env), object)


def test_backend_satisfies_both():
    env = Serial(GridReach, num_envs=2)
    assert isinstance(env, envsdk.Env) and isinstance(env, envsdk.Backend)


def test_missing_member_fails_the_gate():
    class Almost:
        single_observation_space = single_action_space = num_agents = buffers = None

        def reset(self, seed=None):
            return np.zeros(1), []

        def step(self, actions):
            return None

    assert not isinstance(Almost(), envsdk.Env)  # no close()
    Almost.close = lambda self: None
    assert isinstance(Almost(), envsdk.Env)


def test_the_vocabulary_is_the_types_own():
    # protocol.py names each member and field once; these are the names the types really have.
    from dataclasses import fields

    from envsdk.buffers import Buffers
    from envsdk.protocol import (
        BATCH_ARRAYS,
        BUFFER_FIELDS,
        ENV_DATA_MEMBERS,
        ENV_MEMBERS,
        OPTIONAL_BUFFER_FIELDS,
        STEP_ARRAYS,
        Batch,
        Env,
    )

    assert ENV_DATA_MEMBERS == tuple(Env.__annotations__)
    assert ENV_MEMBERS == (*ENV_DATA_MEMBERS, "reset", "step", "close")
    assert all(callable(getattr(Env, m)) for m in ENV_MEMBERS[4:])
    assert BUFFER_FIELDS + OPTIONAL_BUFFER_FIELDS == tuple(f.name for f in fields(Buffers))
    assert all(f.default is None for f in fields(Buffers) if f.name in OPTIONAL_BUFFER_FIELDS)
    assert BATCH_ARRAYS == Batch._fields[:5] and STEP_ARRAYS == BATCH_ARRAYS[:4]
    assert Batch._fields[-1:] == OPTIONAL_BUFFER_FIELDS
