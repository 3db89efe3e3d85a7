"""An unbuilt envsdk checkout found first on sys.path never stands in for a built envsdk.

Each test copies envsdk's Python files (no compiled ``_sims``, no ``envs``) into a temporary
"checkout" and imports envsdk with that folder as the working directory, as ``python -c``
does at the root of a clone.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import envsdk

REAL = Path(envsdk.__file__).resolve().parent


@pytest.fixture
def checkout(tmp_path):
    """A checkout's envsdk/ folder that was never built."""
    shutil.copytree(REAL, tmp_path / "envsdk", ignore=shutil.ignore_patterns("_sims*", "__pycache__", "envs"))
    return tmp_path


def run(code: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ENVSDK_PACKAGE")}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env={**environ, **env}, capture_output=True,
                          text=True, timeout=120)


def test_a_checkout_shadowing_a_built_envsdk_says_so_and_names_the_fix(checkout):
    out = run("import envsdk", checkout)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("envsdk.errors.SourceTreeError: envsdk: expected the installed envsdk"), out.stderr
    assert f"({REAL})" in last and f"unbuilt source checkout {checkout / 'envsdk'}" in last
    assert "Fix: run from another directory" in last and "python -m pip install -e ." in last


def test_a_process_envsdk_started_loads_the_envsdk_it_was_given(checkout):
    # What the Ray backend sets for its actors, whose sys.path starts with the driver's directory.
    code = ("import envsdk, envsdk.buffers; env = envsdk.make('cartpole', num_envs=2); env.reset(seed=0); "
            "print(envsdk.__file__, envsdk.buffers.__file__, type(env.envs[0]).__module__)")
    out = run(code, checkout, ENVSDK_PACKAGE=str(REAL))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(REAL / "__init__.py"), str(REAL / "buffers.py"), "envsdk.envs.cartpole"]


def test_a_checkout_with_no_built_envsdk_anywhere_imports_and_names_what_is_missing(checkout, tmp_path_factory):
    # Only numpy on the path (no site-packages, so no other envsdk): the pure-Python parts work.
    deps = tmp_path_factory.mktemp("deps")
    numpy_dir = Path(np.__file__).resolve().parent
    for item in numpy_dir.parent.glob("numpy*"):
        (deps / item.name).symlink_to(item)
    code = (f"import sys; sys.path[:] = ['', {str(deps)!r}, *[p for p in sys.path if 'site-packages' not in p]]\n"
            "import envsdk\n"
            "print(envsdk.__file__)\n"
            "from envsdk.errors import SourceTreeError\n"
            "import envsdk.backends._handshake\n"
            "for call in (lambda: envsdk.make('cartpole'), envsdk.backends._handshake.native):\n"
            "    try:\n"
            "        call()\n"
            "    except SourceTreeError as e:\n"
            "        print(e)\n")
    out = subprocess.run([sys.executable, "-S", "-c", code], cwd=checkout, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == str(checkout / "envsdk" / "__init__.py")
    assert "expected the bundled envs as envsdk.envs, found none (this envsdk is a source checkout that was never " \
           "built). Fix: python -m pip install -e ." in lines[1]
    assert lines[2].startswith("envsdk._sims: expected the C sims compiled beside") and "Fix: python -m pip" in lines[2]
