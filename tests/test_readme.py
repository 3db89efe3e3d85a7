"""The README's "Write your own env" walk-through runs as written and meets the contract."""

import re
from pathlib import Path

import numpy as np

import envsdk
from envsdk.testing import assert_conforms, rollout

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def walkthrough_namespace():
    section = README.split("## Write your own env", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 3, "the walk-through should show the env, its use, and its test"
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    return namespace


def test_readme_env_meets_the_contract():
    ns = walkthrough_namespace()
    Corridor = ns["Corridor"]
    assert isinstance(Corridor(), envsdk.Env) and Corridor.__mro__ == (Corridor, object)
    # Alone on allocate() buffers, under Serial and under make: bit-identical.
    alone = [Corridor() for _ in range(4)]
    serial = envsdk.backends.Serial(Corridor, num_envs=4)
    made = envsdk.make(Corridor, num_envs=4)
    r_serial, r_made = rollout(serial, 60, seed=3), rollout(made, 60, seed=3)
    assert r_serial.equal(r_made)
    for i, env in enumerate(alone):
        obs, _ = env.reset(seed=3 + i)
        assert obs[0].tobytes() == r_serial.observations[0, i].tobytes()
        for t in range(60):
            obs, rew, term, trunc, _ = env.step(r_serial.actions[t, i : i + 1])
            assert obs[0].tobytes() == r_serial.observations[t + 1, i].tobytes()
            assert (rew[0], term[0], trunc[0]) == (r_serial.rewards[t, i], r_serial.terminals[t, i],
                                                   r_serial.truncations[t, i])
    assert_conforms(Corridor, num_envs=None, length=3, max_steps=8)
    assert np.isfinite(r_serial.rewards).all()
