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
    files = _templates(kind)
    extra = {key: Template(text).substitute(values) for key, text in _kind_values(kind).items()}
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


# --- templates: files under envsdk/templates/ (common/, then one folder per kind), read with
# string.Template: ${name} (the package), ${Class} (the env class), ${NAME} (upper case), ${kind};
# in their paths PKG stands for the package's name, and gitignore for .gitignore.

_TEMPLATES = Path(__file__).resolve().with_name("templates")
_WHERE_TO_EDIT = "README-where-to-edit.md.tmpl"  # the kind's section of README.md, not a file of its own


def _templates(kind: str) -> dict[str, str]:
    """``{output path (a Template), text}`` of the common templates and ``kind``'s."""
    files = {}
    for folder in ("common", kind):
        base = _TEMPLATES / folder
        for path in sorted(base.rglob("*.tmpl")):
            if path.name == _WHERE_TO_EDIT:
                continue
            rel = path.relative_to(base).as_posix().removesuffix(".tmpl").replace("PKG", "${name}")
            files[".gitignore" if rel == "gitignore" else rel] = path.read_text()
    return files


def _kind_values(kind: str) -> dict[str, str]:
    """The build requirements (only the C kind builds anything), the package data and the README's
    "Where to edit" section of ``kind``."""
    values = {"build_requires": '["setuptools>=64"]', "package_data": "",
              "readme_kind": (_TEMPLATES / kind / _WHERE_TO_EDIT).read_text()}
    if kind == "c":
        values["build_requires"] = '["setuptools>=64", "cffi>=1.16", "envsdk"]  # pip install --no-build-isolation'
        values["package_data"] = ('[tool.setuptools.package-data]\n${name} = ["*.h"]  # a build-less copy compiles '
                                  'it on first use\n\n')
    return values
