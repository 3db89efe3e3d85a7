"""examples/c_env: an out-of-tree package with an array-style C sim, compiled at install time.

Installed with pip (non-editable, into a --target folder), the env is found through its
``envsdk.envs`` entry point, passes ``envsdk check``, steps under spawned Multiprocessing workers
exactly as under Serial, and nothing compiles at import. From the checkout, the same class compiles
its header on first use; its rules are checked by hand.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "c_env"
ENVSDK = shutil.which("envsdk", path=str(Path(sys.executable).parent)) or "envsdk"

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is required to build the C sims")

STEP_BOTH = textwrap.dedent(
    """
    import sys
    import numpy as np
    import catcher, envsdk
    assert catcher._catcher.__file__.startswith(sys.argv[1]), catcher._catcher.__file__
    assert envsdk.registered()["catcher"] == "catcher:Catcher"
    if __name__ == "__main__":
        serial = envsdk.backends.Serial("catcher", num_envs=6, rows=4)
        multi = envsdk.backends.Multiprocessing("catcher", num_envs=6, num_workers=2, start_method="spawn", rows=4)
        serial.reset(seed=3), multi.reset(seed=3)
        rng = np.random.default_rng(0)
        episodes = 0
        for t in range(30):
            actions = rng.integers(-1, 4, 6).astype(np.int32)
            s, m = serial.step(actions), multi.step(actions)
            for x, y in zip(s[:4], m[:4]):
                assert x.tobytes() == y.tobytes(), (t, x, y)
            episodes += sum(i["episode_count"] for i in s[4])
        serial.close(), multi.close()
        assert episodes == 6 * 10, episodes  # rows=4: every episode lasts 3 steps
        print("equal")
    """
)


def run(args, cwd, **env):
    """Run a command in a fresh process, with no inherited PYTHONPATH unless given."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env={**environ, **env})
    return result, result.stdout + result.stderr


def test_installed_package_is_registered_checked_and_steps_under_spawned_workers(tmp_path):
    # pip builds a local folder in place (build/, *.egg-info): build a copy, not the checkout.
    source = tmp_path / "c_env"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "*.so"))
    target = tmp_path / "site"
    result, out = run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
                       "--target", str(target), str(source)], tmp_path)
    assert result.returncode == 0, out
    assert list((target / "catcher").glob("_catcher*.so")), sorted(p.name for p in (target / "catcher").iterdir())
    cache = tmp_path / "cache"  # where envsdk.cbuild.load would compile: it must stay empty
    cache.mkdir()
    elsewhere = tmp_path / "elsewhere"  # no catcher/ folder here: the installed copy is imported
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(target), "ENVSDK_CACHE": str(cache)}
    result, out = run([ENVSDK, "check", "catcher"], elsewhere, **env)
    assert result.returncode == 0 and "0 failed" in out and "0 warnings" in out, out
    script = elsewhere / "step_both.py"  # a file, so that spawned workers can import the main module
    script.write_text(STEP_BOTH)
    result, out = run([sys.executable, str(script), str(target)], elsewhere, **env)
    assert result.returncode == 0 and "equal" in out, out
    assert list(cache.iterdir()) == []


def test_catcher_rules_by_hand(tmp_path, monkeypatch):
    # From the checkout, with no built module: catcher/env.py compiles the header on first use.
    monkeypatch.setenv("ENVSDK_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    from catcher import Catcher

    env = Catcher(num_envs=2, rows=3, cols=3)
    obs, _ = env.reset(seed=7)
    # Each grid: the ball (1) in a column of the top row, the paddle (2) in the middle of the
    # bottom row; e.g. a ball in column 0:
    #   1 0 0
    #   0 0 0
    #   0 2 0
    assert obs.shape == (2, 3, 3) and obs.dtype == np.uint8
    ball = [int(np.flatnonzero(obs[i, 0])[0]) for i in range(2)]
    assert (obs[:, 0].sum(axis=1) == 1).all() and (obs[:, 1] == 0).all() and (obs[:, 2] == [0, 2, 0]).all()
    # Sub-env 0 moves its paddle under its ball (it gets there in one step); sub-env 1 moves it
    # away from its ball, to the far wall. Two steps land both balls.
    actions = np.array([(0, 1, 2)[ball[0]], 2 if ball[1] < 2 else 0], np.int32)
    obs, rewards, terminals, truncations, infos = env.step(actions)
    assert (obs[:, 1].sum(axis=1) == 1).all() and not terminals.any() and (rewards == 0).all() and infos == []
    obs, rewards, terminals, truncations, infos = env.step(actions)
    assert rewards.tolist() == [1.0, -1.0] and terminals.all() and not truncations.any()
    assert infos == [{"episode_count": 2, "episode_return": 0.0, "episode_length": 2.0, "caught": 0.5}]
    assert (obs[:, 0].sum(axis=1) == 1).all() and (obs[:, 2] == [0, 2, 0]).all()  # same-step autoreset
    env.close()
    env.close()


def test_catcher_writes_final_observations(tmp_path, monkeypatch):
    # The array-style sim declares final_observations and copies each ended row there before its
    # restart (ENVSDK_FINAL_ROW): the landing, with the ball on the bottom row.
    monkeypatch.setenv("ENVSDK_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    from catcher import Catcher

    import envsdk

    env = envsdk.backends.Serial(Catcher, num_envs=2, rows=3, cols=3, final_observations=True)
    obs, _ = env.reset(seed=7)
    ball = [int(np.flatnonzero(obs[i, 0])[0]) for i in range(2)]
    actions = np.array([(0, 1, 2)[ball[0]], 2 if ball[1] < 2 else 0], np.int32)  # under it; away from it
    env.buffers.final_observations[...] = 9
    env.step(actions)
    assert (env.buffers.final_observations == 9).all()  # no episode ended: nothing written
    _, rewards, terminals, _, _ = env.step(actions)
    assert rewards.tolist() == [1.0, -1.0] and terminals.all()
    final = env.buffers.final_observations
    assert (final[:, :2] == 0).all()  # the ball has left the top rows
    assert final[0, 2].tolist() == [2 if c == ball[0] else 0 for c in range(3)]  # caught: the paddle covers it
    far = 2 if ball[1] < 2 else 0
    assert final[1, 2, ball[1]] == 1 and final[1, 2, far] == 2  # missed: the ball beside the paddle
    env.close()
