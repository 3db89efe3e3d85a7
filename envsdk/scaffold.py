"""``envsdk new``: write a small, working env project to start from, with its test and packaging.

``new(name, kind, directory)`` writes ``directory/name/``: a package ``name/`` holding the env
(``env.py``; for ``kind="c"`` also the sim ``name.h``), ``tests/test_name.py``, ``pyproject.toml``
registering the env under the ``envsdk.envs`` entry point, and a ``README.md``. Every kind is the
same game, so the kinds can be compared side by side: an agent walks along a line to a goal cell.

- ``c``: a C sim in the one-sub-env style of ``envsdk.h`` and a thin class binding it with
  ``envsdk.csim.CSim``; ``pip install --no-build-isolation .`` compiles it (``build_sim.py``,
  ``setup.py``), and from a checkout it compiles on first use (``envsdk.cbuild.load``).
- ``numpy``: vectorized over sub-envs with numpy, per-sub-env RNG state, no Python loop.
- ``python``: plain Python, a loop over sub-envs.

The templates below are what users copy: keep them short, every function docstring'd.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

from envsdk.errors import ConfigError

KINDS = ("c", "numpy", "python")
"""The kinds of env ``new`` writes."""

# C keywords (C99 and C11) that are not Python keywords: a c-kind name is also the sim's struct.
_C_KEYWORDS = frozenset(
    "auto break case char const continue default do double enum extern float for goto if inline int long register "
    "restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool "
    "_Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local bool".split()
)


@dataclass(frozen=True)
class Project:
    """What ``new`` wrote: the project folder, its files, and the ``module:Class`` target to check."""

    root: Path
    files: tuple[Path, ...]
    target: str
    kind: str


def class_name(name: str) -> str:
    """The env class of project ``name``: ``my_game`` -> ``MyGame``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _refuse(name: str, expected: str, found: str, fix: str) -> ConfigError:
    return ConfigError(f"NAME {name!r}: expected {expected}, found {found}. Fix: {fix}")


def _flaw(name: str) -> str:
    """What keeps ``name`` from being a lowercase identifier, in words."""
    if not name or re.search(r"\W", name, re.ASCII):
        return "characters other than letters, digits and underscores" if name else "an empty name"
    if re.search(r"[A-Z]", name):
        return "upper-case letters"
    return "a first character that is not a letter"


def _check_name(name: str, kind: str) -> None:
    """Raise ``ConfigError`` unless ``name`` can be the package, the class stem and (for c) the sim."""
    from envsdk.registry import ENVS

    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", str(name)).lower()  # MyGame -> my_game
        suggestion = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", snake)).strip("_")
        suggestion = suggestion if re.fullmatch(r"[a-z][a-z0-9_]*", suggestion) else "my_game"
        raise _refuse(name, "a lowercase Python identifier (letters, digits and underscores, starting with a "
                      "letter): it names the package, the C sim and the entry point", _flaw(str(name)),
                      f"pass e.g. {suggestion} (the env class is then {class_name(suggestion)})")
    if keyword.iskeyword(name) or (kind == "c" and name in _C_KEYWORDS):
        raise _refuse(name, "a name that is no Python or C keyword", "a keyword", f"pass e.g. {name}_env")
    if name in ENVS or name == "tests":
        raise _refuse(name, "a name no bundled env and no project folder uses",
                      "a bundled env's name" if name in ENVS else "the project's tests folder",
                      f"pass e.g. my_{name}")
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        raise _refuse(name, "a name no installed module has (the package would shadow it, or it would)",
                      f"module {name!r} already importable", f"pass e.g. my_{name}")


def new(name: str, kind: str, directory: str | Path = ".") -> Project:
    """Write a working env project of ``kind`` (one of ``KINDS``) into ``directory/name/`` and describe it.

    Raises ``ConfigError`` (writing nothing) for an unknown kind, a ``name`` that is not a
    lowercase Python identifier free to use (no keyword, bundled env or importable module), or a
    ``directory/name`` that exists and is not an empty folder.
    """
    if kind not in KINDS:
        raise ConfigError(f"--kind: expected one of {', '.join(KINDS)}, found {kind!r}. Fix: pass --kind c (a C "
                          "sim), --kind numpy (vectorized numpy) or --kind python (plain Python).")
    _check_name(name, kind)
    root = Path(directory).resolve() / name
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        found = "a folder that is not empty" if root.is_dir() else "a file"
        raise ConfigError(f"{root}: expected no such path or an empty folder (envsdk new never overwrites), found "
                          f"{found}. Fix: pick another NAME or --dir, or move that folder away.")
    values = {"name": name, "Class": class_name(name), "NAME": name.upper(), "kind": kind}
    files = {**_COMMON, **_KIND_FILES[kind]}
    extra = {key: Template(text).substitute(values) for key, text in _KIND_VALUES[kind].items()}
    written = []
    try:
        for path, text in files.items():
            out = root / Template(path).substitute(values)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(Template(text).substitute(values, **extra))
            written.append(out)
    except OSError as e:
        raise ConfigError(f"{root}: expected a folder envsdk new can write, found {e.strerror}. Fix: pass --dir "
                          "a folder you can write.") from None
    return Project(root, tuple(written), f"{name}:{values['Class']}", kind)


# --- templates: string.Template, ${name} (package), ${Class} (env class), ${NAME} (upper case) ---

_GAME = """\
An agent walks along a line of ``length`` cells to a goal cell.

    Observation ``[2]`` float32: the agent's and the goal's cell, divided by ``length - 1``.
    Action ``Discrete(3)``: 0 left, 1 stay, 2 right; any other value stays. A wall stops a move.
    Reward +1 on reaching the goal (terminal), -0.01 on every other step. Truncated after
    ``max_steps`` steps. Infos: episode_return, episode_length, episode_count."""

_COMMON = {
    "pyproject.toml": """\
[build-system]
requires = ${build_requires}
build-backend = "setuptools.build_meta"

[project]
name = "${name}"
version = "0.1.0"
description = "${Class}: an envsdk environment"
requires-python = ">=3.10"
dependencies = ["envsdk", "numpy"]

# Once installed, `envsdk check ${name}` and envsdk.make("${name}") find the env by this name.
[project.entry-points."envsdk.envs"]
${name} = "${name}:${Class}"

[tool.setuptools]
packages = ["${name}"]

${package_data}[tool.pytest.ini_options]
pythonpath = ["."]  # the tests import this folder's ${name}/, installed or not
""",
    ".gitignore": "__pycache__/\n*.so\nbuild/\n*.egg-info/\n",
    "${name}/__init__.py": '''\
"""${Class}, an envsdk env (${kind}): see env.py, and README.md for how to check, test and install it."""

from ${name}.env import ${Class}

__all__ = ["${Class}"]
''',
    "tests/test_${name}.py": '''\
"""${Class}: envsdk's conformance checks, then the game's rules worked by hand."""

import numpy as np
from envsdk.testing import assert_passes_check

from ${name} import ${Class}

LEFT, STAY, RIGHT = 0, 1, 2


def positions(env, row=0):
    """The (agent, goal) cells of sub-env ``row``, read back from its observation."""
    agent, goal = env.buffers.observations[row] * (env.length - 1)
    return round(float(agent)), round(float(goal))


def test_passes_every_envsdk_check():
    assert_passes_check(${Class}, num_envs=4)  # the checks `envsdk check ${name}:${Class}` runs


def test_walking_to_the_goal_ends_the_episode():
    env = ${Class}(length=9, max_steps=32)
    env.reset(seed=0)
    agent, goal = positions(env)
    distance = abs(goal - agent)
    toward = np.array([RIGHT if goal > agent else LEFT], np.int32)
    for _ in range(distance - 1):
        _, rewards, terminals, truncations, infos = env.step(toward)
        assert (rewards[0], terminals[0], truncations[0], infos) == (np.float32(-0.01), False, False, [])
    _, rewards, terminals, truncations, infos = env.step(toward)
    # The step that reaches the goal carries the ended episode's reward, flag and stats; the
    # observation already shows the next episode's start (same-step autoreset).
    assert (rewards[0], terminals[0], truncations[0]) == (1.0, True, False)
    [info] = infos
    assert (info["episode_count"], info["episode_length"]) == (1, distance)
    assert np.isclose(info["episode_return"], 1.0 - 0.01 * (distance - 1))
    env.close()


def test_standing_still_is_truncated_not_terminal():
    env = ${Class}(num_envs=3, max_steps=5)
    env.reset(seed=1)
    stay = np.full(3, STAY, np.int32)
    for _ in range(4):
        _, _, terminals, truncations, _ = env.step(stay)
        assert not terminals.any() and not truncations.any()
    _, _, terminals, truncations, infos = env.step(stay)
    assert truncations.all() and not terminals.any() and infos[0]["episode_count"] == 3
    env.close()
''',
    "README.md": """\
# ${name}

`${Class}`, an envsdk environment written by `envsdk new ${name} --kind ${kind}`.
An agent walks along a line of `length` cells to a goal cell: observation `[2]` float32 (agent and
goal cell over `length - 1`), action `Discrete(3)` (0 left, 1 stay, 2 right), reward +1 on
reaching the goal (terminal) and -0.01 per other step, truncated after `max_steps` steps.

From this folder:

```bash
envsdk check ${name}:${Class}  # every conformance check (envsdk check --help)
python -m pytest  # tests/test_${name}.py: the checks, then the game's rules
envsdk bench ${name}:${Class}  # steps per second
```

${readme_kind}
The tests in `tests/test_${name}.py` run every envsdk check (`envsdk.testing.assert_passes_check`)
and two hand-worked scenarios; when you change the game, change those scenarios with it.
""",
}

_README_KIND = {
    "c": """\
## Where to edit

- `${name}/${name}.h`: the simulation, one sub-env at a time (`${name}_start_one` starts an
  episode, `${name}_step_one` plays one step and returns true when the episode ended). The
  `ENVSDK_SUB_ENV(${name})` line at its end makes envsdk loop over sub-envs, seed them and reset
  them. Declare every struct and function once, between the `envsdk:cdef` comments.
- `${name}/env.py`: the spaces and the config, validated in Python before C sees it.

From a checkout the header compiles on first use into envsdk's cache (`ENVSDK_CACHE` to move it),
and again whenever it changes. Installing compiles it once, at install time:

```bash
python -m pip install --no-build-isolation .  # build_sim.py + setup.py: nothing compiles at import
envsdk check ${name}  # registered under the envsdk.envs entry point
```
""",
    "numpy": """\
## Where to edit

`${name}/env.py`: every sub-env's state is a numpy array with one row per sub-env, and `step`
updates all rows at once (no Python loop over sub-envs). Each row owns its RNG state, so sub-env
`i` seeded with `seed + i` plays the same episodes whether it runs alone or among thousands.

```bash
python -m pip install .  # registers the env under the envsdk.envs entry point
envsdk check ${name}
```
""",
    "python": """\
## Where to edit

`${name}/env.py`: plain Python, one loop over the sub-envs in `step`, one `random.Random` per
sub-env. When it is correct and you want speed, `envsdk new NAME --kind numpy` or `--kind c`
writes the same game in the faster styles.

```bash
python -m pip install .  # registers the env under the envsdk.envs entry point
envsdk check ${name}
```
""",
}

_C_HEADER = """\
// ${name}.h: walk along a line to a goal cell. One sub-env at a time: envsdk.h's ENVSDK_SUB_ENV
// (the last line) loops over sub-envs, seeds sub-env i with seed + i and restarts a sub-env
// right after a step that ended its episode.
//
// Observation [2]: the agent's and the goal's cell over length - 1. Action: 0 left, 1 stay,
// 2 right; any other value stays. Reward +1 on reaching the goal (terminal), -0.01 on every other
// step. Truncated after max_steps steps.
#ifndef ${NAME}_H
#define ${NAME}_H

#include "envsdk.h"

// envsdk:cdef begin
typedef struct ${name}_log {
    double count;           // episodes ended since the last report; every field is a double,
    double episode_return;  // and each one after count reaches Python as the mean of its sums,
    double episode_length;  // an info key of the same name (add your own below)
} ${name}_log;

typedef struct ${name} {
    // This sub-env's rows of the caller's buffers (envsdk points them).
    float* observations;    // [2], written by start_one and step_one
    int32_t* actions;       // [1], written by the caller, read by step_one
    float* rewards;         // [1], written by step_one
    bool* terminals;        // [1], written by step_one
    bool* truncations;      // [1], written by step_one
    // Config: set from Python (env.py), which validated it.
    int32_t length;         // cells on the line, >= 2
    int32_t max_steps;      // truncation limit, steps
    // State of this sub-env.
    int32_t agent, goal;    // cells, 0 .. length - 1
    int32_t tick;           // steps taken this episode
    float episode_return;   // rewards summed this episode
    uint64_t rng;           // RNG state (envsdk_rng_*): never rand(), so seeds reproduce
    ${name}_log* log;       // the episode log every sub-env shares
} ${name};

void ${name}_start_one(${name}* env);
bool ${name}_step_one(${name}* env);
// envsdk:cdef end

// Write the observation from the state.
static inline void ${name}_observe(${name}* env) {
    float scale = 1.0f / (float)(env->length - 1);
    env->observations[0] = (float)env->agent * scale;
    env->observations[1] = (float)env->goal * scale;
}

// Start an episode: the agent on a random cell, the goal on a random other one.
void ${name}_start_one(${name}* env) {
    env->agent = envsdk_rng_below(&env->rng, env->length);
    int32_t goal = envsdk_rng_below(&env->rng, env->length - 1);  // skip the agent's cell
    env->goal = goal >= env->agent ? goal + 1 : goal;
    env->tick = 0;
    env->episode_return = 0.0f;
    ${name}_observe(env);
}

// One step; returns true when the episode ended (envsdk then calls ${name}_start_one).
bool ${name}_step_one(${name}* env) {
    int32_t action = env->actions[0];  // any int32: out-of-range values must stay harmless
    int32_t move = action == 0 ? -1 : (action == 2 ? 1 : 0);
    int32_t agent = env->agent + move;
    env->agent = agent < 0 ? 0 : (agent > env->length - 1 ? env->length - 1 : agent);
    env->tick += 1;
    bool reached = env->agent == env->goal;
    bool timeout = !reached && env->tick >= env->max_steps;  // a time limit never hides a terminal
    float reward = reached ? 1.0f : -0.01f;
    env->rewards[0] = reward;
    env->terminals[0] = reached;
    env->truncations[0] = timeout;
    env->episode_return += reward;
    if (reached || timeout) {
        ENVSDK_LOG_EPISODE(env->log, env->episode_return, env->tick);
        return true;  // the observation is left to start_one: it shows the next episode
    }
    ${name}_observe(env);
    return false;
}

ENVSDK_SUB_ENV(${name})

#endif  // ${NAME}_H
"""

_C_ENV = '''\
"""${Class}: the thin Python side of the C sim ${name}.h (spaces, config, one CSim)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from envsdk import spaces
from envsdk.config import check_int, reject_unknown
from envsdk.csim import CSim

try:  # built by `pip install --no-build-isolation .` (build_sim.py): nothing compiles at import
    import ${name}._${name} as sims
except ModuleNotFoundError:  # a checkout: compiled on first use, then cached while the header is unchanged
    from envsdk.cbuild import load

    sims = load(Path(__file__).with_name("${name}.h"))


class ${Class}:
    """``num_envs`` sub-envs. ${game}
    """

    def __init__(self, *, num_envs: int = 1, length: int = 9, max_steps: int = 32, buffers=None, **unknown):
        """Check the config (``ConfigError`` naming the key), declare the spaces, take or allocate the buffers."""
        reject_unknown(${Class}, unknown)
        num_envs = check_int("${Class}", "num_envs", num_envs, 1, 2**31 - 1)
        self.length = check_int("${Class}", "length", length, 2, 2**24)  # cells stay exact in float32
        self.max_steps = check_int("${Class}", "max_steps", max_steps, 1, 2**31 - 1)
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents = num_envs
        # Binds the buffers (allocated when None) to the struct's pointers, sets its config fields.
        self._sim = CSim(sims, "${name}", self, buffers, num_envs=num_envs, length=self.length,
                         max_steps=self.max_steps)
        self.buffers = self._sim.buffers

    def reset(self, seed: int | None = None):
        """Seed sub-env ``i`` with ``seed + i`` and start every episode; returns ``(observations, infos)``."""
        return self._sim.reset(seed)

    def step(self, actions):
        """Advance every sub-env one step in one C call; returns the protocol's five results."""
        return self._sim.step(actions)

    def close(self) -> None:
        """Free the C state; calling it twice is harmless."""
        self._sim.close()
'''

_NUMPY_ENV = '''\
"""${Class}: a numpy-vectorized envsdk env. Every sub-env is one row of each state array."""

from __future__ import annotations

import numpy as np
from envsdk import allocate, spaces
from envsdk.config import check_int, reject_unknown
from envsdk.seeding import check_seed, random_seed

_GOLDEN, _MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _below(state: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """One draw in ``[0, n)`` for each of ``rows``, advancing their RNG state (SplitMix64, as envsdk.h's).

    One uint64 of state per sub-env, so a sub-env's draws do not depend on the others.
    """
    s = state[rows] + _GOLDEN  # uint64 arrays wrap modulo 2**64, as C does
    state[rows] = s
    z = (s ^ (s >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z ^= z >> np.uint64(31)
    return (((z >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32)).astype(np.int64)


class ${Class}:
    """``num_envs`` sub-envs. ${game}
    """

    def __init__(self, *, num_envs: int = 1, length: int = 9, max_steps: int = 32, buffers=None, **unknown):
        """Check the config (``ConfigError`` naming the key), declare the spaces, take or allocate the buffers."""
        reject_unknown(${Class}, unknown)
        num_envs = check_int("${Class}", "num_envs", num_envs, 1, 2**31 - 1)
        self.length = check_int("${Class}", "length", length, 2, 2**24)  # cells stay exact in float32
        self.max_steps = check_int("${Class}", "max_steps", max_steps, 1, 2**31 - 1)
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents = num_envs
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, num_envs)
        # Validated once, then only written through: a backend's shared memory must stay shared.
        self.buffers = buffers.validate(self.single_observation_space, self.single_action_space, num_envs,
                                        owner="${Class}.buffers")
        self._rng = np.zeros(num_envs, np.uint64)
        self._agent = np.zeros(num_envs, np.int64)   # cells
        self._goal = np.zeros(num_envs, np.int64)
        self._tick = np.zeros(num_envs, np.int64)    # steps taken this episode
        self._return = np.zeros(num_envs, np.float32)

    def _start(self, rows: np.ndarray) -> None:
        """Start an episode in ``rows``: the agent on a random cell, the goal on a random other one."""
        self._agent[rows] = _below(self._rng, rows, self.length)
        goal = _below(self._rng, rows, self.length - 1)  # skip the agent's cell
        self._goal[rows] = goal + (goal >= self._agent[rows])
        self._tick[rows] = 0
        self._return[rows] = 0.0

    def _observe(self) -> None:
        """Write every row's observation from the state."""
        scale = np.float32(1.0) / np.float32(self.length - 1)
        self.buffers.observations[:, 0] = self._agent.astype(np.float32) * scale
        self.buffers.observations[:, 1] = self._goal.astype(np.float32) * scale

    def reset(self, seed: int | None = None):
        """Seed sub-env ``i`` with ``seed + i`` and start every episode; returns ``(observations, infos)``."""
        seed = check_seed("${Class}.reset", seed)
        seed = random_seed() if seed is None else seed
        self._rng[:] = np.arange(self.num_agents, dtype=np.uint64) + np.uint64(seed)
        b = self.buffers
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._start(np.arange(self.num_agents))
        self._observe()
        return b.observations, []

    def step(self, actions):
        """Advance every sub-env one step; an ended episode restarts in the same step."""
        b = self.buffers
        if actions is not b.actions:
            b.actions[...] = actions  # write through: never rebind a buffer
        move = np.where(b.actions == 0, -1, np.where(b.actions == 2, 1, 0))  # any other value stays
        np.clip(self._agent + move, 0, self.length - 1, out=self._agent)
        self._tick += 1
        reached = self._agent == self._goal
        b.terminals[:] = reached
        np.logical_and(self._tick >= self.max_steps, ~reached, out=b.truncations)
        b.rewards[:] = np.where(reached, np.float32(1.0), np.float32(-0.01))
        self._return += b.rewards
        ended = np.flatnonzero(reached | b.truncations)
        infos = []
        if ended.size:  # Python work only on the steps where an episode ended
            infos.append({"episode_return": float(self._return[ended].mean()),
                          "episode_length": float(self._tick[ended].mean()), "episode_count": int(ended.size)})
            self._start(ended)
        self._observe()
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        """Nothing to release: the state is numpy arrays."""
'''

_PYTHON_ENV = '''\
"""${Class}: a plain-Python envsdk env, one loop over its sub-envs."""

from __future__ import annotations

import random

import numpy as np
from envsdk import allocate, spaces
from envsdk.config import check_int, reject_unknown
from envsdk.seeding import check_seed, random_seed, sub_seed


class ${Class}:
    """``num_envs`` sub-envs. ${game}
    """

    def __init__(self, *, num_envs: int = 1, length: int = 9, max_steps: int = 32, buffers=None, **unknown):
        """Check the config (``ConfigError`` naming the key), declare the spaces, take or allocate the buffers."""
        reject_unknown(${Class}, unknown)
        num_envs = check_int("${Class}", "num_envs", num_envs, 1, 2**31 - 1)
        self.length = check_int("${Class}", "length", length, 2, 2**24)  # cells stay exact in float32
        self.max_steps = check_int("${Class}", "max_steps", max_steps, 1, 2**31 - 1)
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents = num_envs
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, num_envs)
        # Validated once, then only written through: a backend's shared memory must stay shared.
        self.buffers = buffers.validate(self.single_observation_space, self.single_action_space, num_envs,
                                        owner="${Class}.buffers")
        self._rngs = [random.Random() for _ in range(num_envs)]  # one per sub-env, never the global one
        self._agent = [0] * num_envs   # cells
        self._goal = [0] * num_envs
        self._tick = [0] * num_envs    # steps taken this episode
        self._return = [0.0] * num_envs

    def _start(self, i: int) -> None:
        """Start an episode in sub-env ``i``: the agent on a random cell, the goal on a random other one."""
        rng = self._rngs[i]
        self._agent[i] = rng.randrange(self.length)
        goal = rng.randrange(self.length - 1)  # skip the agent's cell
        self._goal[i] = goal + 1 if goal >= self._agent[i] else goal
        self._tick[i] = 0
        self._return[i] = 0.0
        self._observe(i)

    def _observe(self, i: int) -> None:
        """Write sub-env ``i``'s observation from its state."""
        self.buffers.observations[i] = (self._agent[i] / (self.length - 1), self._goal[i] / (self.length - 1))

    def reset(self, seed: int | None = None):
        """Seed sub-env ``i`` with ``seed + i`` and start every episode; returns ``(observations, infos)``."""
        seed = check_seed("${Class}.reset", seed)
        seed = random_seed() if seed is None else seed
        b = self.buffers
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        for i, rng in enumerate(self._rngs):
            rng.seed(sub_seed(seed, i))  # (seed + i) % 2**64, as every backend seeds sub-env i
            self._start(i)
        return b.observations, []

    def step(self, actions):
        """Advance every sub-env one step; an ended episode restarts in the same step."""
        b = self.buffers
        if actions is not b.actions:
            b.actions[...] = actions  # write through: never rebind a buffer
        ended = []  # (return, length) of the episodes that end in this step
        for i in range(self.num_agents):
            action = b.actions[i]
            move = -1 if action == 0 else 1 if action == 2 else 0  # any other value stays
            self._agent[i] = min(max(self._agent[i] + move, 0), self.length - 1)
            self._tick[i] += 1
            reached = self._agent[i] == self._goal[i]
            timeout = not reached and self._tick[i] >= self.max_steps  # a time limit never hides a terminal
            reward = 1.0 if reached else -0.01
            b.rewards[i], b.terminals[i], b.truncations[i] = reward, reached, timeout
            self._return[i] += reward
            if reached or timeout:
                ended.append((self._return[i], self._tick[i]))
                self._start(i)  # same-step autoreset: the observation shows the next episode
            else:
                self._observe(i)
        infos = []
        if ended:
            returns, lengths = zip(*ended, strict=True)
            infos.append({"episode_return": sum(returns) / len(ended), "episode_length": sum(lengths) / len(ended),
                          "episode_count": len(ended)})
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        """Nothing to release."""
'''

# Per kind: the build requirements (only the C kind builds anything), the package data and the
# README's "Where to edit" section.
_KIND_VALUES = {
    "c": {
        "build_requires": '["setuptools>=64", "cffi>=1.16", "envsdk"]  # pip install --no-build-isolation',
        "package_data": '[tool.setuptools.package-data]\n${name} = ["*.h"]  # a build-less copy compiles it on '
                        'first use\n\n',
        "readme_kind": _README_KIND["c"],
    },
    **{kind: {"build_requires": '["setuptools>=64"]', "package_data": "", "readme_kind": _README_KIND[kind]}
       for kind in ("numpy", "python")},
}

_BUILD_SIM = '''\
"""Compile ${name}/${name}.h into the extension ${name}._${name} (setup.py's cffi_modules runs this)."""

from pathlib import Path

from envsdk.cbuild import builder

ffibuilder = builder("${name}._${name}", Path(__file__).resolve().parent / "${name}" / "${name}.h")
'''

_SETUP = """\
# Everything but the C build is in pyproject.toml: cffi compiles build_sim.py's sim at install.
from setuptools import setup

setup(cffi_modules=["build_sim.py:ffibuilder"])
"""


def _env(text: str) -> str:
    """An env.py template with the game's docstring in place (its own ${...} keys stay for ``new``)."""
    return text.replace("${game}", _GAME)


_KIND_FILES = {
    "c": {"${name}/${name}.h": _C_HEADER, "${name}/env.py": _env(_C_ENV), "build_sim.py": _BUILD_SIM,
          "setup.py": _SETUP},
    "numpy": {"${name}/env.py": _env(_NUMPY_ENV)},
    "python": {"${name}/env.py": _env(_PYTHON_ENV)},
}
