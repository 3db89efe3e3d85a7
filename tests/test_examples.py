"""The example envs: standalone use, conformance, autoreset and seeding semantics."""

import subprocess
import sys
from pathlib import Path

import numpy as np
from custom_env import Corridor
from python_cartpole import PyCartPole
from vectorized_env import GridReach

import envsdk
from envsdk.testing import assert_conforms

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_corridor_conforms():
    assert_conforms(Corridor, num_envs=None, length=4, max_steps=10)


def test_python_cartpole_conforms_and_matches_gymnasium_dynamics():
    assert_conforms(PyCartPole, num_envs=None, max_steps=50)
    gym = __import__("pytest").importorskip("gymnasium")
    ours, theirs = PyCartPole(), gym.make("CartPole-v1").unwrapped
    ours.reset(seed=0)
    theirs.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(300):
        state = rng.uniform(-0.2, 0.2, 4)
        ours._state, theirs.state = tuple(state), state.copy()
        action = int(rng.integers(2))
        obs, rew, term, _, _ = ours.step(np.array([action], np.int32))
        expected, _, expected_term, _, _ = theirs.step(action)
        if not term[0]:
            np.testing.assert_allclose(obs[0], expected, rtol=1e-6, atol=1e-7)
        assert bool(term[0]) == expected_term


def test_gridreach_conforms():
    assert_conforms(GridReach, num_envs=5, size=3, max_steps=6)


def test_runs_alone_on_default_buffers_in_a_few_lines():
    env = GridReach(num_envs=4)
    obs, infos = env.reset(seed=0)
    obs, rew, term, trunc, infos = env.step(np.zeros(4, np.int32))
    assert obs.shape == (4, 4) and infos == []


def test_same_step_autoreset_and_stats():
    env = Corridor(length=2, max_steps=5, slip=0.0)
    env.reset(seed=0)
    obs, rew, term, trunc, infos = env.step(np.ones(1, np.int32))
    # One step right from cell 0 reaches the exit: reward and flag belong to the ended episode,
    # the observation is the next episode's start (position 0, step count 0).
    assert rew[0] == 1.0 and term[0] and not trunc[0]
    np.testing.assert_array_equal(obs[0], [0.0, 0.0])
    assert infos == [{"episode_return": 1.0, "episode_length": 1, "episode_count": 1}]


def test_truncation_is_not_termination():
    env = GridReach(num_envs=64, size=8, max_steps=3)
    env.reset(seed=0)
    for _ in range(3):
        _, _, term, trunc, _ = env.step(np.zeros(64, np.int32))  # stand still: never reach
    assert trunc.all() and not term.any()


def test_same_behaviour_alone_under_serial_and_make():
    alone = GridReach(num_envs=6)
    serial = envsdk.backends.Serial(GridReach, num_envs=6, envs_per_object=2)
    made = envsdk.make(GridReach, num_envs=6)
    envs = (alone, serial, made)
    for env in envs:
        env.reset(seed=21)
    rng = np.random.default_rng(0)
    for _ in range(50):
        actions = rng.integers(0, 5, 6).astype(np.int32)
        outs = [env.step(actions)[:4] for env in envs]
        for out in outs[1:]:
            for x, y in zip(outs[0], out, strict=True):
                assert x.tobytes() == y.tobytes()


def test_example_scripts_run():
    for script in ("custom_env.py", "vectorized_env.py", "python_cartpole.py"):
        subprocess.run([sys.executable, str(EXAMPLES / script)], check=True, capture_output=True, timeout=60)
