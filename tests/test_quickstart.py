"""The README's Quickstart, as a newcomer runs it: a fresh venv, a non-editable install, the
repository root as working directory (where the source tree's envsdk/ sits first on sys.path).

Slow (it installs envsdk and its dependencies from the package index into a new venv and
compiles every sim, about a minute), so it is marked ``slow``; CI runs it with the rest.
"""

import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

from envsdk.checks import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def quickstart_commands() -> list[str]:
    """The command lines of the Quickstart's bash block, in order (comments dropped)."""
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_quickstart_names_the_main_job_and_the_test_suite():
    first, second = quickstart_commands()
    assert first.startswith("python -m pip install . ") and "envsdk check breakout" in first
    assert "envsdk bench breakout" in first
    assert second.endswith("python -m pytest")
    assert second in (ROOT / ".ci" / "run").read_text()  # CI runs exactly the README's test command


@pytest.mark.slow
def test_first_quickstart_command_in_a_fresh_venv_from_the_root_and_elsewhere(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    environ = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(env_dir)}
    for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH"):
        environ.pop(key, None)
    first = quickstart_commands()[0]

    out = subprocess.run(first, shell=True, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    ok = f"OK: {len(CHECK_NAMES)} passed"  # every check, final observations included
    assert ok in out.stdout and "FAIL" not in out.stdout, out.stdout
    assert re.search(r"^breakout  num_envs=4096 .* SPS", out.stdout, re.M), out.stdout

    # The installed package, not the source tree it was built from, whatever the directory.
    python = str(bin_dir / "python")
    where = subprocess.run([python, "-c", "import envsdk; print(envsdk.__file__)"], cwd=tmp_path, env=environ,
                           capture_output=True, text=True, timeout=60)
    assert where.returncode == 0 and str(env_dir) in where.stdout, where.stdout + where.stderr
    # envsdk serve's play page is package data: a non-editable install ships it
    page = subprocess.run([python, "-c", "from importlib import resources; s = resources.files('envsdk.serve') / "
                           "'static'; print(sorted(p.name for p in s.iterdir()))"], cwd=tmp_path, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert page.stdout.strip() == "['play.css', 'play.html', 'play.js']", page.stdout + page.stderr
    elsewhere = subprocess.run(["envsdk", "check", "breakout", "--num-envs", "4"], cwd=tmp_path, env=environ,
                               capture_output=True, text=True, timeout=300)
    assert elsewhere.returncode == 0 and ok in elsewhere.stdout, elsewhere.stdout + elsewhere.stderr

    # At the root, Python itself puts the source tree first: the import says so and names the fix.
    at_root = subprocess.run([python, "-c", "import envsdk"], cwd=ROOT, env=environ, capture_output=True,
                             text=True, timeout=60)
    assert at_root.returncode == 1
    assert "envsdk.errors.SourceTreeError: envsdk: expected the installed envsdk" in at_root.stderr
    assert "Fix: run from another directory" in at_root.stderr
