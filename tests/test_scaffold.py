"""``envsdk new``: every kind writes a project whose env passes ``envsdk check`` and whose own tests
pass, as written, from its folder; the C kind also installs with its sim compiled at install time.
Bad names, kinds and folders are refused on one line, with nothing written."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from envsdk.cli import main
from envsdk.scaffold import new

ENVSDK = shutil.which("envsdk", path=str(Path(sys.executable).parent)) or "envsdk"
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is required to build the C sims")


def run(args, cwd, cache, **env):
    """Run a command in a fresh process with ``ENVSDK_CACHE=cache`` and no inherited PYTHONPATH."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                            env={**environ, "ENVSDK_CACHE": str(cache), **env})
    return result, result.stdout + result.stderr


@pytest.mark.parametrize("kind", [pytest.param("c", marks=needs_gcc), "numpy", "python"])
def test_new_project_passes_check_and_its_own_tests_as_written(kind, tmp_path):
    cache = tmp_path / "cache"
    result, out = run([ENVSDK, "new", "walker", "--kind", kind, "--dir", str(tmp_path / "projects")], tmp_path, cache)
    assert result.returncode == 0, out
    assert result.stdout.splitlines()[-1] == "walker:Walker", out  # the last line is the target
    root = tmp_path / "projects" / "walker"
    expected = {"pyproject.toml", ".gitignore", "README.md", "walker/__init__.py", "walker/env.py",
                "tests/test_walker.py"}
    if kind == "c":
        expected |= {"walker/walker.h", "build_sim.py", "setup.py"}
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == expected
    result, out = run([ENVSDK, "check", "walker:Walker"], root, cache)
    assert result.returncode == 0 and "0 failed" in out and "0 warnings" in out, out
    result, out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], root, cache)
    assert result.returncode == 0 and "3 passed" in out, out


@needs_gcc
def test_new_c_project_installs_with_its_sim_built_and_registered(tmp_path):
    new("walker", "c", tmp_path)
    target, cache = tmp_path / "site", tmp_path / "cache"
    result, out = run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
                       "--target", str(target), str(tmp_path / "walker")], tmp_path, cache)
    assert result.returncode == 0, out
    cache.mkdir()
    code = textwrap.dedent("""
        import sys
        import numpy as np, envsdk, walker
        assert walker._walker.__file__.startswith(sys.argv[1]), walker._walker.__file__
        assert envsdk.registered()["walker"] == "walker:Walker"
        env = envsdk.make("walker", num_envs=4)
        env.reset(seed=0)
        for _ in range(40):
            env.step(np.full(4, 2, np.int32))
        env.close()
        print("stepped")
    """)
    elsewhere = tmp_path / "elsewhere"  # not the project's folder: the installed copy is imported
    elsewhere.mkdir()
    result, out = run([sys.executable, "-c", code, str(target)], elsewhere, cache, PYTHONPATH=str(target))
    assert result.returncode == 0 and "stepped" in out, out
    assert list(cache.iterdir()) == []  # nothing compiled at import: the install built it


@needs_gcc
def test_c_and_numpy_kinds_play_the_same_game_bit_for_bit(tmp_path, monkeypatch):
    # The two kinds share the RNG (SplitMix64, as envsdk.h's) and the float32 arithmetic, so
    # either is a reference for the other.
    new("walk_c", "c", tmp_path)
    new("walk_numpy", "numpy", tmp_path)
    monkeypatch.setenv("ENVSDK_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path / "walk_c"))
    monkeypatch.syspath_prepend(str(tmp_path / "walk_numpy"))
    from walk_c import WalkC
    from walk_numpy import WalkNumpy

    envs = WalkC(num_envs=64, length=7, max_steps=12), WalkNumpy(num_envs=64, length=7, max_steps=12)
    first = [env.reset(seed=5)[0].copy() for env in envs]
    assert first[0].tobytes() == first[1].tobytes()
    rng = np.random.default_rng(0)
    ended = 0
    for t in range(300):
        actions = rng.integers(-1, 4, 64).astype(np.int32)  # -1 and 3 are out of range: both stay
        (*c, c_infos), (*n, n_infos) = (env.step(actions) for env in envs)
        for x, y in zip(c, n, strict=True):
            assert x.tobytes() == y.tobytes(), t
        assert [i["episode_count"] for i in c_infos] == [i["episode_count"] for i in n_infos]
        ended += sum(i["episode_count"] for i in c_infos)
    assert ended > 100
    for env in envs:
        env.close()


@needs_gcc
def test_new_c_project_writes_final_observations(tmp_path, monkeypatch):
    # Its step_one writes every observation, an episode's last one included, so ENVSDK_SUB_ENV can
    # keep it: a reached goal shows the walker on it, a cut episode shows it elsewhere.
    new("walk_final", "c", tmp_path)
    monkeypatch.setenv("ENVSDK_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path / "walk_final"))
    from walk_final import WalkFinal

    import envsdk

    env = envsdk.backends.Serial(WalkFinal, num_envs=32, length=5, max_steps=6, final_observations=True)
    env.reset(seed=1)
    final = env.buffers.final_observations
    rng = np.random.default_rng(0)
    ended = np.zeros(2, int)
    for _ in range(100):
        final[...] = -1.0  # a canary: the rows that go on keep it
        _, _, terminals, truncations, _ = env.step(rng.integers(0, 3, 32).astype(np.int32))
        assert (final[terminals, 0] == final[terminals, 1]).all()
        assert (final[truncations, 0] != final[truncations, 1]).all() and (final[truncations] >= 0).all()
        assert (final[~(terminals | truncations)] == -1.0).all()
        ended += terminals.sum(), truncations.sum()
    assert (ended > 20).all()
    env.close()


@pytest.mark.parametrize("args, error", [
    (["new", "My-Game", "--kind", "c"], "envsdk new: NAME 'My-Game': expected a lowercase Python identifier"),
    (["new", "My-Game", "--kind", "c"], "found characters other than letters, digits and underscores. Fix: pass "
                                        "e.g. my_game (the env class is then MyGame)"),
    (["new", "MyGame", "--kind", "python"], "found upper-case letters. Fix: pass e.g. my_game (the env class is "
                                            "then MyGame)"),
    (["new", "2048", "--kind", "python"], "envsdk new: NAME '2048': expected a lowercase Python identifier"),
    (["new", "2048", "--kind", "python"], "found a first character that is not a letter."),
    (["new", "class", "--kind", "numpy"], "envsdk new: NAME 'class': expected a name that is no Python or C keyword"),
    (["new", "int", "--kind", "c"], "envsdk new: NAME 'int': expected a name that is no Python or C keyword"),
    (["new", "cartpole", "--kind", "c"], "found a bundled env's name. Fix: pass e.g. my_cartpole"),
    (["new", "numpy", "--kind", "numpy"], "found module 'numpy' already importable"),
    (["new", "json", "--kind", "python"], "found module 'json' already importable"),
    (["new", "walker", "--kind", "rust"], "envsdk new: --kind: expected one of c, numpy, python, found 'rust'."),
])
def test_bad_names_and_kinds_are_refused_on_one_line(args, error, capsys, tmp_path):
    assert main([*args, "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert error in err and err.count("\n") == 1 and "Fix: " in err, err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(capsys, tmp_path):
    (tmp_path / "walker").mkdir()
    (tmp_path / "walker" / "notes.txt").write_text("mine")
    assert main(["new", "walker", "--kind", "python", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"envsdk new: \S+walker: expected no such path or an empty folder \(envsdk new never "
                        r"overwrites\), found a folder that is not empty\. Fix: .*\n", err), err
    assert [p.name for p in (tmp_path / "walker").iterdir()] == ["notes.txt"]
    (tmp_path / "game").write_text("a file")
    assert main(["new", "game", "--kind", "python", "--dir", str(tmp_path)]) == 2
    assert "found a file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()  # an empty folder is filled
    assert main(["new", "empty", "--kind", "python", "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "empty:Empty"


def test_a_missing_kind_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["new", "walker"])
    assert exit_.value.code == 2
    assert "the following arguments are required: --kind" in capsys.readouterr().err

