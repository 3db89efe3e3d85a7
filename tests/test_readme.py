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


def c_walkthrough(folder):
    """Write the files of the README's "Write a C env" section into ``folder``: seek.h, seek_batch.h
    (the same game in the array style) and seek.py, plus seek_batch.py (seek.py binding the other)."""
    section = README.split("## Write a C env, in your own package", 1)[1].split("\n## ", 1)[0]
    headers = re.findall(r"```c\n(.*?)```", section, re.S)
    [thin] = [b for b in re.findall(r"```python\n(.*?)```", section, re.S) if "class Seek" in b]
    assert [h.split(":", 1)[0] for h in headers] == ["// seek.h", "// seek_batch.h"]
    (folder / "seek.h").write_text(headers[0])
    (folder / "seek_batch.h").write_text(headers[1])
    (folder / "seek.py").write_text(thin)
    batch = thin.replace('"seek.h"', '"seek_batch.h"').replace('"seek"', '"seek_batch"')
    (folder / "seek_batch.py").write_text(batch.replace("Seek", "SeekBatch"))


def test_readme_c_env_passes_envsdk_check_from_its_own_folder(tmp_path):
    # What a new user does: the README's header and class in a fresh folder, then `envsdk check`.
    import subprocess
    import sys

    c_walkthrough(tmp_path)
    envsdk_cli = [sys.executable, "-c", "from envsdk.cli import main; main()"]
    out = subprocess.run([*envsdk_cli, "check", "seek:Seek"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.splitlines()[-1].startswith("OK: ") and " 0 failed" in out.stdout.splitlines()[-1]


def test_readme_c_env_styles_are_bit_identical(tmp_path):
    import sys

    c_walkthrough(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        import seek
        import seek_batch
    finally:
        sys.path.remove(str(tmp_path))
    # Both with final observations: the one-sub-env step writes every observation (ENVSDK_SUB_ENV
    # keeps an ended episode's last one), the array style copies it itself (ENVSDK_FINAL_ROW).
    one, arrays = (envsdk.backends.Serial(cls, num_envs=16, length=6, report_every=1, final_observations=True)
                   for cls in (seek.Seek, seek_batch.SeekBatch))
    assert_conforms(seek.Seek, num_envs=4)
    rng = np.random.default_rng(0)
    a, b = one.reset(seed=11), arrays.reset(seed=11)
    assert a[0].tobytes() == b[0].tobytes()
    episodes, reached = 0, []
    for _ in range(400):
        actions = rng.integers(-1, 4, size=16).astype(np.int32)  # out-of-range values stay put
        for env in (one, arrays):
            env.buffers.final_observations[...] = -1.0  # a canary: the rows that go on keep it
        a, b = one.step(actions), arrays.step(actions)
        assert all(x.tobytes() == y.tobytes() for x, y in zip(a[:4], b[:4], strict=True))
        assert a[4] == b[4]
        final = one.buffers.final_observations
        assert final.tobytes() == arrays.buffers.final_observations.tobytes()
        # An episode's last observation: the goal reached (position = goal), or cut short elsewhere.
        assert (final[a[2], 0] == final[a[2], 1]).all() and (final[a[3], 0] != final[a[3], 1]).all()
        assert (final[~(a[2] | a[3])] == -1.0).all()
        if a[4]:
            episodes += a[4][0]["episode_count"]
            reached.append(a[4][0]["reached"])
    assert episodes > 50 and 0.0 < np.mean(reached) < 1.0  # some episodes reach the goal, some time out
    one.close()
    arrays.close()


def test_readme_device_section_runs():
    """The "Device buffers" section's code (a torch env, make(device=), check) runs as written."""
    import pytest

    pytest.importorskip("torch")
    section = README.split("## Device buffers (torch, GPU)", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the section should show a torch env and its use"
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
