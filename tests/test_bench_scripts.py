"""bench/bench_envs.py runs end to end on a tiny budget and prints one well-formed row per size.

The figures themselves are benchmarks, not tests; this only keeps the script working.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_envs_prints_a_row_per_env_and_size(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_envs.py"), "--envs", "squared", "tictactoe",
         "--agents", "64", "256", "--seconds", "0.02", "--pufferlib", str(tmp_path / "no-build")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True,
    ).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert [(row[0], row[1]) for row in rows] == [
        ("squared", "64"), ("squared", "256"), ("tictactoe", "64"), ("tictactoe", "256")]
    for row in rows:
        assert re.fullmatch(r"[\d.]+[MK]", row[2]) and re.fullmatch(r"[\d.]+[MK]", row[3])  # SPS: make, C
        assert re.fullmatch(r"-?[\d.]+%", row[4]) and re.fullmatch(r"-?[\d.]+%", row[6])  # overheads
    # tictactoe has no PufferLib 3.0 counterpart, whether or not pufferlib is importable here
    assert all("not importable" in line for line in out.splitlines()[2:] if line.startswith("tictactoe"))
    assert list(tmp_path.iterdir()) == []  # nothing left in the working directory


def test_bench_user_c_prints_installed_against_user_path(tmp_path):
    work, temp = tmp_path / "work", tmp_path / "temp"  # temp: where its temporary build cache goes
    work.mkdir(), temp.mkdir()
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_user_c.py"), "--envs", "squared", "tictactoe",
         "--num-agents", "64", "--seconds", "0.01", "--rounds", "3"],
        capture_output=True, text=True, timeout=300, cwd=work, check=True, env={**os.environ, "TMPDIR": str(temp)},
    ).stdout
    sps = r"[\d.]+[MK] SPS \([\d.]+[MK]\.\.[\d.]+[MK]\)"
    ratio = r"[\d.]+ \([\d.]+\.\.[\d.]+\)"
    rows = [line for line in out.splitlines() if " SPS " in line and " vs " not in line]
    assert [row.split(":")[0] for row in rows] == [
        "squared [C loop]", "squared [object]", "tictactoe [C loop]", "tictactoe [object]"]
    for row in rows:
        assert re.fullmatch(rf"[\w ]+\[[\w ]+\]: installed {sps}, user path {sps}, ratio {ratio}", row), row
    worst = r"^worst ratio: [\d.]+ \((squared|tictactoe) \[(C loop|object)\]\); target 0\.97-1\.03$"
    assert re.search(worst, out, re.M), out
    assert re.search(r"^build of squared\.h through envsdk\.cbuild\.load: first [\d.]+ s .*, cached [\d.]+ ms",
                     out, re.M), out
    for arm in ("C loop", "object"):
        assert re.search(rf"^squared_one vs squared \[{arm}\]: squared {sps}, squared_one {sps}, ratio {ratio}; "
                         r"target >= 0\.9$", out, re.M), out
    assert list(work.iterdir()) == [] and list(temp.iterdir()) == []  # nothing left behind, the cache removed


def test_bench_final_obs_prints_with_against_without_and_the_baseline(tmp_path):
    work, temp = tmp_path / "work", tmp_path / "temp"
    work.mkdir(), temp.mkdir()
    out = subprocess.run(  # this checkout's headers as their own baseline: only the output's form is tested
        [sys.executable, str(ROOT / "bench" / "bench_final_obs.py"), "--envs", "squared", "squared_one",
         "--num-agents", "64", "--seconds", "0.01", "--rounds", "3", "--baseline", str(ROOT / "csrc")],
        capture_output=True, text=True, timeout=300, cwd=work, check=True, env={**os.environ, "TMPDIR": str(temp)},
    ).stdout
    ratio = r"[\d.]+ \([\d.]+\.\.[\d.]+\)"
    for name in ("squared", "squared_one"):
        assert re.search(rf"^{name}: with / without final_observations {ratio}, with [\d.]+[MK] SPS$", out, re.M), out
        assert re.search(rf"^{name}: without, this / baseline {ratio}$", out, re.M), out
        assert re.search(rf"^\| {name} \| [\d.]+[MK] \| {ratio} \| {ratio} \|$", out, re.M), out
    assert list(work.iterdir()) == [] and list(temp.iterdir()) == []  # nothing left behind, the cache removed


def test_bench_check_times_the_full_check_per_env(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_check.py"), "--envs", "squared", "--repeats", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True,
    ).stdout
    assert re.search(r"^squared: passed, [\d.]+ s$", out, re.M), out
    assert re.search(r"^\| squared \| pass \| [\d.]+-[\d.]+ \| (yes|NO) \|$", out, re.M), out


def test_bench_gpu_runs_tiny_on_the_cpu(tmp_path):
    # The GPU benchmark's sections on the CPU at toy sizes: a row per env and size, the C comparison,
    # and both PPO runs capped at 512 steps (the CUDA test section is left out: it runs pytest itself).
    report = tmp_path / "gpu.json"
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_gpu.py"), "--device", "cpu", "--min-log2", "3",
         "--max-log2", "4", "--seconds", "0.02", "--sections", "sps", "compare", "ppo", "--compare-log2", "3", "3",
         "--ppo-timesteps", "512", "--json", str(report)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, check=True,
    ).stdout
    assert "on CPU" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("cartpole_torch ", "drive_torch "))]
    assert [(row[0], row[1]) for row in rows[:4]] == [
        ("cartpole_torch", "2^3"), ("cartpole_torch", "2^4"), ("drive_torch", "2^3"), ("drive_torch", "2^4")]
    assert all(re.fullmatch(r"[\d.]+[MK]", row[3]) for row in rows[:4])
    data = json.loads(report.read_text())
    assert data["device"] == "cpu" and len(data["sps"]) == 4 and data["compare"][0]["num_envs"] == 8
    assert [(r["env"], r["steps"]) for r in data["ppo"]] == [("cartpole_torch", 512), ("cartpole", 512)]


def test_bench_envs_and_multiprocessing_default_to_the_c_sims():
    # The torch-native envs have no C loop to compare, and Multiprocessing refuses them: their bench is bench_gpu.py.
    code = "import sys; sys.path.insert(0, 'bench'); import bench_envs; print(' '.join(bench_envs.c_envs()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         check=True).stdout.split()
    from envsdk.registry import ENVS
    assert out == sorted(n for n in ENVS if not n.endswith("_torch")) and "cartpole" in out
