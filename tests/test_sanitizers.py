"""Every C sim compiles warning-free, and runs clean under AddressSanitizer + UBSan.

The sanitized build is the real cffi module (same cdef, same headers) compiled with
``-fsanitize=address,undefined``; a subprocess loads it in place of ``envsdk._sims`` and steps
every bundled env with random actions, out-of-range ones included, then runs the Multiprocessing
handshake (``csrc/handshake.h``) between forked workers. Users' sims get the same treatment: the
C project ``envsdk new`` writes (one-sub-env style) and ``examples/c_env`` (array style), each
built with ``envsdk.cbuild.builder`` as its own package's install would, beside its sources.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from envsdk import cbuild
from envsdk.scaffold import new

ROOT = Path(__file__).resolve().parents[1]
CSRC = ROOT / "csrc"
INCLUDE = ROOT / "envsdk" / "include"  # envsdk.h
STRICT = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wconversion", "-Wno-sign-conversion"]
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g", "-O1"]

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is required to build the C sims")


def _build_module():
    spec = importlib.util.spec_from_file_location("envsdk_csrc_build", CSRC / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


# Every header with a cdef region (the generated tictactoe_table.h compiles inside tictactoe.h).
HEADERS = [*sorted(p.name for p in CSRC.glob("*.h") if "envsdk:cdef begin" in p.read_text()), "envsdk.h"]


@pytest.mark.parametrize("header", HEADERS)
def test_header_compiles_with_strict_warnings(header, tmp_path):
    unit = tmp_path / "unit.c"
    unit.write_text(f'#include "{header}"\n')
    result = subprocess.run(
        ["gcc", *STRICT, "-I", str(CSRC), "-I", str(INCLUDE), "-c", str(unit), "-o", str(tmp_path / "unit.o")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_a_one_sub_env_sim_compiles_with_strict_warnings(tmp_path):
    # ENVSDK_SUB_ENV expands into the batch functions of every one-sub-env sim: they must be as
    # clean as the bundled headers.
    from test_cbuild import WALKER_H

    (tmp_path / "walker.h").write_text(WALKER_H)
    unit = tmp_path / "unit.c"
    unit.write_text('#include "walker.h"\n')
    result = subprocess.run(
        ["gcc", *STRICT, "-I", str(tmp_path), "-I", str(INCLUDE), "-c", str(unit), "-o", str(tmp_path / "unit.o")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr



def test_a_log_larger_than_the_report_fails_the_build(tmp_path):
    # ENVSDK_REPORT copies the log's means into the struct's double report[16]: a log of 17
    # doubles must not compile, rather than overrun report.
    unit = tmp_path / "unit.c"
    fields = "".join(f"double f{k}; " for k in range(17))
    unit.write_text(
        '#include "envsdk.h"\n'
        f"typedef struct {{ {fields}}} big_log;\n"
        "typedef struct { big_log log; envsdk_core core; } big;\n"
        "int32_t big_step(big* env) { return ENVSDK_REPORT(env, env->log); }\n"
    )
    compile_ = ["gcc", *STRICT, "-I", str(INCLUDE), "-c", str(unit), "-o", str(tmp_path / "unit.o")]
    result = subprocess.run(compile_, capture_output=True, text=True)
    assert result.returncode != 0 and "size of unnamed array is negative" in result.stderr, result.stderr
    unit.write_text(unit.read_text().replace("double f16; ", ""))  # 16 doubles fit
    result = subprocess.run(compile_, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

FUZZ = textwrap.dedent(
    """
    import sys
    import numpy as np
    import envsdk
    from envsdk import spaces

    rng = np.random.default_rng(0)


    def fuzz(factory, num_envs, render):
        # Each buffer gets its own allocation (and so its own ASan redzone): inside the one
        # block that envsdk.allocate builds, an overrun would land in the next array unseen.
        # final_observations too, so the code that writes them runs under the sanitizers.
        probe = factory(num_envs=num_envs)
        layout = envsdk.Layout.of(probe.single_observation_space, probe.single_action_space, probe.num_agents,
                                  final_observations=True)
        probe.close()
        separate = envsdk.Buffers(**{name: np.zeros((layout.num_agents, *shape), dtype)
                                     for name, dtype, shape in layout.fields})
        separate.masks[...] = True
        env = envsdk.backends.Serial(factory, num_envs=num_envs, buffers=separate)
        env.reset(seed=num_envs)
        space = env.single_action_space
        acts = env.buffers.actions
        for t in range(3000):
            if t % 3 == 0 and spaces.kind(space) == "discrete":
                # out-of-range and extreme values: must never index out of bounds
                acts[...] = rng.choice([-(2**31), -1, int(space.n), int(space.n) + 7, 2**31 - 1], acts.shape)
            else:
                acts[...] = spaces.sample(space, env.num_agents, rng=rng)
            env.step(acts)
        if render:
            for sub in env.envs:
                sub.render("rgb_array"), sub.render("ansi")
        env.close()
        env.close()
    """
)

DRIVER = FUZZ + textwrap.dedent(
    """
    envsdk.__path__.insert(0, sys.argv[1])  # the sanitized envsdk._sims shadows the regular one
    import envsdk._sims
    assert envsdk._sims.__file__.startswith(sys.argv[1]), envsdk._sims.__file__
    from envsdk.registry import ENVS

    # Every sim header: the registered envs, and squared_one (ENVSDK_SUB_ENV's batch code); the
    # torch-native envs (cartpole_torch, drive_torch) have no C sim.
    sims = {k: v for k, v in ENVS.items() if not k.endswith("_torch")}
    sims["squared_one"] = "envsdk.envs.squared:SquaredOne"
    for name in sorted(sims):
        for num_envs in (1, 33):
            fuzz(envsdk.registry.resolve(sims[name]), num_envs, render=True)
        print("clean", name, flush=True)

    # The Multiprocessing handshake (csrc/handshake.h) in the forked workers and the parent.
    multi = envsdk.backends.Multiprocessing("breakout", num_envs=4, num_workers=2, start_method="fork")
    multi.reset(seed=0)
    for t in range(300):
        multi.step(spaces.sample(multi.single_action_space, multi.num_agents, rng=rng))
    multi.close()
    print("clean handshake", flush=True)
    """
)

USER_DRIVER = FUZZ + textwrap.dedent(
    """
    import importlib, os
    for arg in sys.argv[1:]:
        name, root = arg.split("=", 1)
        sys.path.insert(0, root)
        package = importlib.import_module(name)
        built = importlib.import_module(f"{name}._{name}")  # the sanitized build, beside the sources
        assert built.__file__.startswith(root), built.__file__
        factory = getattr(package, package.__all__[0])
        for num_envs in (1, 33):
            fuzz(factory, num_envs, render=False)
        print("clean", name, flush=True)
    assert os.listdir(os.environ["ENVSDK_CACHE"]) == []  # nothing compiled on first use instead
    """
)


def run_sanitized(driver: str, args: list[str], **env) -> str:
    """Run ``driver`` with ``args`` in a Python with ASan preloaded; return its output, asserting it is clean."""
    libasan = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(libasan):
        pytest.skip(f"gcc has no AddressSanitizer runtime here (found {libasan!r})")
    env = {
        **os.environ,
        "LD_PRELOAD": libasan,
        # CPython itself never frees some allocations; leaks are checked by the close tests.
        "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        **env,
    }
    result = subprocess.run([sys.executable, "-c", driver, *args], capture_output=True, text=True, env=env,
                            timeout=600)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "ERROR: AddressSanitizer" not in report and "runtime error" not in report, report[-6000:]
    return report


def test_sims_run_clean_under_asan_and_ubsan(tmp_path):
    build = _build_module()
    builder = build.make_builder(extra_compile_args=SANITIZE, extra_link_args=["-fsanitize=address,undefined"])
    builder.compile(tmpdir=str(tmp_path))
    module_dir = tmp_path / "envsdk"  # cffi writes envsdk/_sims*.so under tmpdir
    assert list(module_dir.glob("_sims*.so")), list(tmp_path.rglob("*"))
    report = run_sanitized(DRIVER, [str(module_dir)])
    assert report.count("clean ") == len(build.sim_headers()) + 1, report[-3000:]


def test_user_sims_run_clean_under_asan_and_ubsan(tmp_path):
    # Built as each package's own install builds it (build_sim.py: envsdk.cbuild.builder), with
    # the sanitizer flags, into the package folder, where env.py imports it before it would
    # fall back to compiling on first use.
    projects = user_projects(tmp_path)
    for name, project in projects.items():
        ffi = cbuild.builder(f"{name}._{name}", project / name / f"{name}.h", extra_compile_args=SANITIZE,
                             extra_link_args=["-fsanitize=address,undefined"])
        ffi.compile(tmpdir=str(project))
        assert list((project / name).glob(f"_{name}*.so")), list(project.rglob("*"))
    cache = tmp_path / "cache"
    cache.mkdir()
    report = run_sanitized(USER_DRIVER, [f"{name}={project}" for name, project in projects.items()],
                           ENVSDK_CACHE=str(cache))
    assert report.count("clean ") == len(projects), report[-3000:]


def user_projects(root: Path) -> dict[str, Path]:
    """Users' C projects under ``root``: sim name -> project folder (the sim is ``name/name.h`` there)."""
    new("walker", "c", root)  # envsdk new's C kind: one sub-env at a time
    shutil.copytree(ROOT / "examples" / "c_env", root / "c_env",  # array style
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "*.so"))
    return {"walker": root / "walker", "catcher": root / "c_env"}


def test_user_sims_compile_with_strict_warnings(tmp_path):
    for name, project in user_projects(tmp_path).items():
        result = subprocess.run(
            ["gcc", *STRICT, "-I", cbuild.include_dir(), "-x", "c", "-c", str(project / name / f"{name}.h"), "-o",
             str(tmp_path / f"{name}.o")], capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr
