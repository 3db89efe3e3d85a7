"""envsdk.cbuild: a user's C sim, compiled on first use into a cache, loaded from it afterwards.

Each test writes a small one-sub-env sim (``walker``) into its own folder and builds it into its
own cache folder. A process that must NOT compile runs with ``CC=/bin/false``: had it tried, the
build would fail, so its success proves it loaded the cached module.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from envsdk.cbuild import builder, load
from envsdk.errors import CBuildError

WALKER_H = """\
// walker.h: each sub-env walks right on action 1 until it reaches `goal` (terminal, reward 1).
#include "envsdk.h"

// envsdk:cdef begin
typedef struct walker_log {
    double count;
    double episode_return;
    double episode_length;
} walker_log;

typedef struct walker {
    float* observations;
    int32_t* actions;
    float* rewards;
    bool* terminals;
    bool* truncations;
    int32_t goal;
    int32_t x;
    int32_t tick;
    uint64_t rng;
    walker_log* log;
} walker;

void walker_start_one(walker* env);
bool walker_step_one(walker* env);
// envsdk:cdef end

void walker_start_one(walker* env) {
    env->x = envsdk_rng_below(&env->rng, 3);
    env->tick = 0;
    env->observations[0] = (float)env->x;
}

bool walker_step_one(walker* env) {
    env->x += env->actions[0] == 1 ? 1 : 0;
    env->tick += 1;
    bool done = env->x >= env->goal;
    env->rewards[0] = done ? 1.0f : 0.0f;
    env->terminals[0] = done;
    env->truncations[0] = false;
    env->observations[0] = (float)env->x;
    if (done) ENVSDK_LOG_EPISODE(env->log, 1.0, env->tick);
    return done;
}

ENVSDK_SUB_ENV(walker)
"""

WALKER_PY = """\
import os
from pathlib import Path

import numpy as np

from envsdk import spaces
from envsdk.cbuild import load
from envsdk.csim import CSim

sims = load(Path(__file__).with_name("walker.h"), cache=os.environ["WALKER_CACHE"])


class Walker:
    def __init__(self, *, num_envs=1, goal=5, report_every=1, buffers=None):
        self.single_observation_space = spaces.Box(0, 100, shape=(1,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.num_agents = num_envs
        self._sim = CSim(sims, "walker", self, buffers, num_envs=num_envs, goal=goal, report_every=report_every)
        self.buffers = self._sim.buffers

    def reset(self, seed=None):
        return self._sim.reset(seed)

    def step(self, actions):
        return self._sim.step(actions)

    def close(self):
        self._sim.close()
"""


@pytest.fixture
def project(tmp_path):
    """A folder holding walker.h and walker.py, and an empty cache folder beside it."""
    src = tmp_path / "project"
    src.mkdir()
    (src / "walker.h").write_text(WALKER_H)
    (src / "walker.py").write_text(WALKER_PY)
    return src, tmp_path / "cache"


def entries(cache: Path) -> list[str]:
    """The cache's files but its lock files: built modules, or temporaries left behind."""
    return sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) if cache.exists() else []


def run(code: str, cwd: Path, cache: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "WALKER_CACHE": str(cache), **env})


def test_first_use_compiles_once_and_every_later_load_reads_the_cache(project):
    src, cache = project
    module = load(src / "walker.h", cache=cache)
    assert load(src / "walker.h", cache=cache) is module  # same process: the module itself
    [built] = entries(cache)
    stat = (cache / built).stat()
    # Another process with no usable compiler loads it and steps: it did not compile.
    out = run("""
        import numpy as np, walker
        env = walker.Walker(num_envs=3, goal=2)
        obs, _ = env.reset(seed=7)
        for _ in range(3):
            obs, rew, term, trunc, infos = env.step(np.ones(3, np.int32))
        print(infos)
    """, src, cache, CC="/bin/false")
    assert out.returncode == 0, out.stderr
    assert "episode_count" in out.stdout
    assert entries(cache) == [built] and (cache / built).stat().st_mtime_ns == stat.st_mtime_ns


def test_a_changed_header_rebuilds_under_a_new_key(project):
    src, cache = project
    first = load(src / "walker.h", cache=cache)
    (src / "walker.h").write_text(WALKER_H.replace("env->x >= env->goal", "env->x >= env->goal + 1"))
    second = load(src / "walker.h", cache=cache)
    assert first is not second and first.__name__ != second.__name__
    assert len(entries(cache)) == 2
    # A changed helper header in the sim's folder counts as a change too (sims may include it).
    (src / "helper.h").write_text("// nothing yet\n")
    assert load(src / "walker.h", cache=cache).__name__ not in (first.__name__, second.__name__)


def test_processes_building_at_once_build_once_and_leave_one_whole_module(project):
    src, cache = project
    code = "from envsdk.cbuild import load; import os; load('walker.h', cache=os.environ['WALKER_CACHE'])"
    env = {**os.environ, "WALKER_CACHE": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=src, env=env, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert len(entries(cache)) == 1  # one module, no temporary folder left
    assert load(src / "walker.h", cache=cache).lib.walker_step


@pytest.mark.parametrize("start_method", ["fork", "spawn", "forkserver"])
def test_multiprocessing_workers_load_the_cached_build(project, start_method):
    src, cache = project
    load(src / "walker.h", cache=cache)
    before = entries(cache)
    out = run(f"""
        import numpy as np, walker
        from envsdk.backends import Multiprocessing, Serial
        kw = dict(num_envs=4, goal=3)
        mp = Multiprocessing(walker.Walker, num_workers=2, start_method={start_method!r}, **kw)
        serial = Serial(walker.Walker, **kw)
        try:
            assert (mp.reset(seed=1)[0] == serial.reset(seed=1)[0]).all()
            for _ in range(6):
                a, b = mp.step(np.ones(4, np.int32)), serial.step(np.ones(4, np.int32))
                assert all((x == y).all() for x, y in zip(a[:4], b[:4]))
        finally:
            mp.close()
            serial.close()
        print("ok")
    """, src, cache, CC="/bin/false")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ok"] and entries(cache) == before


def test_ray_actors_load_the_cached_build(project):
    pytest.importorskip("ray")
    src, cache = project
    load(src / "walker.h", cache=cache)
    before = entries(cache)
    out = run("""
        import numpy as np, walker
        from envsdk.backends import Ray
        env = Ray(walker.Walker, num_envs=4, num_workers=2, goal=3)
        try:
            env.reset(seed=1)
            for _ in range(4):
                obs, rew, term, *_ = env.step(np.ones(4, np.int32))
            print(int(term.sum()))  # every walker starts at most 2 short of 3: all ended by step 4
        finally:
            env.close()
    """, src, cache, CC="/bin/false")
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-1] != "" and entries(cache) == before


# --- bad input: a clear CBuildError naming the file, and nothing left in the cache ---------------

def broken(project, old: str, new: str, count: int = 1) -> Path:
    src, _ = project
    text = WALKER_H.replace(old, new) if count == 1 else WALKER_H.replace(old, new, count)
    assert text != WALKER_H
    (src / "walker.h").write_text(text)
    return src / "walker.h"


def refused(project, header: Path) -> str:
    _, cache = project
    with pytest.raises(CBuildError) as e:
        load(header, cache=cache)
    assert entries(cache) == []  # nothing half-built
    message = str(e.value)
    assert message.startswith(str(header)) and "expected" in message and "Fix:" in message
    return message


# Walker's header with `old` replaced by `new`, and what the refusal must say.
BROKEN_HEADERS = {
    "no_cdef_markers": ("// envsdk:cdef begin\n", "",
                        "expected exactly one '// envsdk:cdef begin' ... '// envsdk:cdef end' region, found 0"),
    "a_missing_buffer_field": ("    bool* truncations;\n", "",
                               "expected struct walker to have a pointer field 'truncations', found none"),
    "a_buffer_field_of_the_wrong_pointer_type": ("    float* rewards;\n", "    double* rewards;\n",
                                                 "expected walker.rewards to be float*, found double *"),
    # Without step_one the header reads as array style: the refusal names that style's functions.
    "a_one_sub_env_sim_missing_step_one": ("bool walker_step_one(walker* env);\n// envsdk", "// envsdk",
                                           "expected an array-style sim to define walker_init"),
    "a_one_sub_env_sim_missing_start_one": ("void walker_start_one(walker* env);\n", "",
                                            "found no walker_start_one"),
    "a_one_sub_env_sim_without_the_batch_macro": ("ENVSDK_SUB_ENV(walker)\n", "", "expected ENVSDK_SUB_ENV(walker)"),
}


@pytest.mark.parametrize("case", BROKEN_HEADERS)
def test_a_header_that_is_not_a_sim_is_refused(project, case):
    old, new, expected = BROKEN_HEADERS[case]
    assert expected in refused(project, broken(project, old, new))


@pytest.mark.parametrize("function", ["init", "reset", "step", "close"])
def test_an_array_style_sim_missing_a_batch_function_is_refused(tmp_path, function):
    # envsdk declares the batch functions itself: what it refuses is a header that defines none.
    csrc = Path(__file__).resolve().parents[1] / "csrc"
    text = (csrc / "squared.h").read_text()
    if function == "close":  # defined by ENVSDK_ARRAYS; ENVSDK_DEFINE_STEP_N defines step_n alone
        text = text.replace("ENVSDK_ARRAYS(squared)", "ENVSDK_DEFINE_STEP_N(squared)")
    else:
        definition = next(line for line in text.splitlines() if re.match(rf"\w+ squared_{function}\(.*\) \{{$", line))
        text = text.replace(definition, definition.replace(f"squared_{function}(", f"squared_{function}_renamed("))
    header = tmp_path / "squared.h"
    header.write_text(text)
    with pytest.raises(CBuildError) as e:
        load(header, cache=tmp_path / "cache")
    assert f"found no squared_{function}" in str(e.value) and str(e.value).startswith(str(header))
    assert entries(tmp_path / "cache") == []


def test_a_compile_error_quotes_the_compiler_at_the_users_file_and_line(project):
    header = broken(project, "env->tick += 1;", "env->tick += 1 oops;")
    message = refused(project, header)
    line = WALKER_H.splitlines().index("    env->tick += 1;") + 1
    assert f"{header}:{line}:" in message and "error" in message and "oops" in message


def test_a_cache_folder_that_cannot_be_written_is_refused(project, tmp_path):
    src, _ = project
    blocker = tmp_path / "a-file"
    blocker.write_text("")  # a folder cannot be made under a file, whoever runs the test (even root)
    with pytest.raises(CBuildError) as e:
        load(src / "walker.h", cache=blocker / "cache")
    assert str(e.value).startswith(f"{blocker / 'cache'}: expected a cache folder envsdk can write")
    assert "ENVSDK_CACHE" in str(e.value)


def test_builder_checks_the_header_as_load_does(project):
    header = broken(project, "    float* rewards;\n", "")
    with pytest.raises(CBuildError, match="pointer field 'rewards'"):
        builder("pkg._walker", header)


def test_the_bundled_sims_are_built_by_the_public_builder():
    # csrc/build.py must be a user of envsdk.cbuild.builder, not a second mechanism.
    build = (Path(__file__).resolve().parents[1] / "csrc" / "build.py").read_text()
    assert "cbuild.builder(" in build and "FFI(" not in build
    from envsdk import _sims

    assert dict(_sims.ffi.typeof("squared").fields)["core"].type.cname == "struct envsdk_core"
