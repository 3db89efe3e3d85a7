"""Checks every bundled env's test file makes with its own numbers (the properties all envs share
are checked once, for every registered env, in test_contract.py)."""

from __future__ import annotations

import numpy as np

import envsdk


def check_steps_at_scale(name: str, num_envs: int, action: int, shape: tuple, dtype=None) -> None:
    """``envsdk.make(name, num_envs=...)`` (the registered env, through the public path) resets and
    steps with ``action`` in every row; its ``num_agents`` and observations buffer match ``shape``
    (rows first) and, when given, ``dtype``."""
    env = envsdk.make(name, num_envs=num_envs)
    env.reset(seed=0)
    env.step(np.full(shape[0], action, np.int32))
    assert env.num_agents == shape[0] and env.buffers.observations.shape == shape
    if dtype is not None:
        assert env.buffers.observations.dtype == dtype
    env.close()


def rgb_frame(env, shape: tuple, index: int = 0) -> np.ndarray:
    """``env.render("rgb_array", index=index)``, checked to be a uint8 frame of ``shape``
    (``[height, width, 3]``)."""
    frame = env.render("rgb_array", index=index)
    assert frame.shape == shape and frame.dtype == np.uint8
    return frame
