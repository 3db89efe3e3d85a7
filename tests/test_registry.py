"""make, the registry, entry-point discovery, and the CLI."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from tiny_env import TINY_SOURCE
from vectorized_env import GridReach

import envsdk
from envsdk.backends import Serial
from envsdk.cli import main
from envsdk.errors import UnknownEnvError
from envsdk.registry import ENVS, load, registered, resolve


def test_make_by_name_target_and_callable_agree():
    by_name = envsdk.make("squared", num_envs=3, size=5)
    by_target = envsdk.make("envsdk.envs.squared:Squared", num_envs=3, size=5)
    direct = Serial(by_name.factory, num_envs=3, size=5)
    for env in (by_name, by_target, direct):
        env.reset(seed=4)
        env.step(np.ones(3, np.int32))
    np.testing.assert_array_equal(by_name.buffers.observations, by_target.buffers.observations)
    np.testing.assert_array_equal(by_name.buffers.observations, direct.buffers.observations)
    assert isinstance(by_name, envsdk.Backend)


def test_make_with_callable_and_backend_class():
    env = envsdk.make(GridReach, num_envs=4, backend=Serial, size=3)
    assert env.num_envs == 4 and env.envs[0].size == 3


def test_every_bundled_name_is_a_module_colon_factory():
    for name, target in ENVS.items():
        assert ":" in target and target.startswith("envsdk.envs."), name


def test_unknown_name_lists_known_ones():
    with pytest.raises(UnknownEnvError) as err:
        envsdk.make("sqaured")
    assert "'sqaured'" in str(err.value) and "squared" in str(err.value) and "Fix:" in str(err.value)


def test_unknown_backend_lists_known_ones():
    with pytest.raises(UnknownEnvError, match="expected one of multiprocessing, ray, serial"):
        envsdk.make("squared", backend="threads")


def test_bad_targets():
    with pytest.raises(UnknownEnvError, match="no ':' separator"):
        load("envsdk.envs.squared")
    with pytest.raises(UnknownEnvError, match="no attribute 'Sqared'"):
        resolve("envsdk.envs.squared:Sqared")
    with pytest.raises(UnknownEnvError, match="found int"):
        resolve(3)


def _tiny_wheel(folder):
    """A minimal wheel of a third-party env package that registers 'tiny' by entry point."""
    info = "tinyenvs-0.1.dist-info"
    files = {
        "tinyenvs/__init__.py": TINY_SOURCE,
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: tinyenvs\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: envsdk-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "[envsdk.envs]\ntiny = tinyenvs:Tiny\n",
    }
    record = [f"{name},," for name in files] + [f"{info}/RECORD,,"]
    path = folder / "tinyenvs-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as whl:
        for name, text in files.items():
            whl.writestr(name, text)
        whl.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    """A third-party package installed by pip, into a private folder, in the test."""
    wheel = _tiny_wheel(tmp_path_factory.mktemp("tinywheel"))
    site = tmp_path_factory.mktemp("tinysite")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site),
         str(wheel)],
        check=True,
    )
    assert (site / "tinyenvs-0.1.dist-info" / "entry_points.txt").exists()
    return site


def test_entry_point_discovery(tiny_site, monkeypatch):
    monkeypatch.syspath_prepend(str(tiny_site))
    assert registered()["tiny"] == "tinyenvs:Tiny"
    env = envsdk.make("tiny", num_envs=3)
    env.reset(seed=0)
    _, rew, *_ = env.step(np.array([1, 0, 1], np.int32))
    assert rew.tolist() == [1.0, 0.0, 1.0]


def test_cli_list_shows_bundled_and_entry_point_envs(tiny_site):
    out = subprocess.run(
        [sys.executable, "-m", "envsdk", "list"], capture_output=True, text=True, check=True,
        env={**__import__("os").environ, "PYTHONPATH": str(tiny_site)},
    ).stdout
    assert re.search(r"^squared +envsdk\.envs\.squared:Squared +\(bundled\)$", out, re.M)
    assert re.search(r"^tiny +tinyenvs:Tiny +\(entry point\)$", out, re.M)


def test_cli_version_and_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"envsdk {envsdk.__version__}"
    assert main([]) == 2


def test_console_script_is_installed():
    # The script sits beside the interpreter that installed it (PATH may hold shims instead).
    script = Path(sys.executable).parent / "envsdk"
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("envsdk ")


def test_cli_bench_prints_sps(capsys):
    assert main(["bench", "squared", "--num-envs", "4", "--seconds", "0.05"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^squared  num_envs=4 +agents=4 +[\d.]+[MK] SPS +[\d.]+ us/step$", out, re.M), out


def test_cli_bench_sizes_multi_agent_envs_by_agent_rows(capsys):
    assert main(["bench", "snake", "--seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "num_envs=4 " in out and "agents=1024" in out and "agents=4096" in out, out


def test_cli_bench_single_sub_env_factory_from_the_working_directory(capsys, monkeypatch):
    # The README's Corridor takes no num_envs: bench sizes it in objects of one sub-env each.
    monkeypatch.chdir(Path(__file__).resolve().parents[1] / "examples")
    assert main(["bench", "custom_env:Corridor", "length=4", "--seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "custom_env:Corridor  num_envs=1024 " in out and "agents=4096" in out, out


def test_cli_bench_config_backend_and_workers(capsys):
    args = ["bench", "squared", "size=5", "--num-envs", "8", "--seconds", "0.05"]
    assert main([*args, "--backend", "multiprocessing", "--num-workers", "2"]) == 0
    assert re.search(r"^squared  num_envs=8 +agents=8 +[\d.]+[MK] SPS", capsys.readouterr().out, re.M)


@pytest.mark.parametrize("args, error", [
    (["bench", "squaredd"], "envsdk bench: env 'squaredd': expected a registered name, found none by that name."),
    (["bench", "squared", "sizee=3"], "envsdk bench: Squared: expected config keys among"),
    (["bench", "squared", "--num-workers", "2"], "envsdk bench: --num-workers: expected --backend multiprocessing or "
                                                 "ray, found serial"),
    (["bench", "squared", "--num-envs", "4", "--backend", "multiprocessing", "--num-workers", "3"],
     "envsdk bench: Multiprocessing: expected num_workers to divide num_envs=4"),
])
def test_cli_bench_usage_errors_are_one_line(args, error, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(error) and err.count("\n") == 1, err


@pytest.mark.parametrize("args, error", [
    (["bench", "squared", "--num-envs", "0"], "argument --num-envs: expected a positive int, found 0"),
    (["bench", "squared", "--seconds", "0"], "argument --seconds: expected a positive float, found 0"),
    (["bench", "squared", "--seconds", "x"], "argument --seconds: expected a positive float, found 'x'"),
    (["bench", "squared", "--backend", "rya"], "argument --backend: invalid choice: 'rya'"),
])
def test_cli_bench_bad_options_are_one_line(args, error, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith(f"envsdk bench: {error}") and err.count("\n") == 1, err


@pytest.mark.parametrize("name", ["cartpole_torch", "drive_torch"])
def test_torch_env_without_torch_names_the_extra(name):
    # A Quickstart install (pip install .) has no torch: naming a torch-native env says what to install.
    code = ("import sys; sys.modules['torch'] = None\n"  # makes `import torch` raise ImportError
            "import envsdk\n"
            "from envsdk.errors import MissingExtraError\n"
            "try:\n"
            f"    envsdk.make({name!r})\n"
            "except MissingExtraError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "torch-native envs" in out and "torch==2.13.0" in out, out
