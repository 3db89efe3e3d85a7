"""bench/bench_envs.py runs end to end on a tiny budget and prints one well-formed row per size.

The figures themselves are benchmarks, not tests; this only keeps the script working.
"""

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
