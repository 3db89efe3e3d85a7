"""envsdk: fast vectorized RL environments. An env is one object simulating many agents, writing
into buffers it was handed; see ``envsdk/protocol.py`` for the contract."""

import os as _os
import sys as _sys
from importlib import machinery as _machinery
from importlib import util as _util

# --- a source checkout must never stand in for the installed package ------------------------
# Python puts the working directory first on sys.path for `python -c`, `python -m` and scripts,
# and Ray puts the driver's working directory first on its workers' sys.path. At the root of an
# envsdk checkout that finds this folder, which is only half a package until it is built: the
# compiled envsdk._sims lives beside it only after `pip install -e .`, and envsdk.envs is the
# top-level envs/ folder. This check runs before anything else is imported from the folder, so
# nothing from it is cached in sys.modules when the right copy is loaded instead.
_HERE = _os.path.dirname(_os.path.realpath(__file__))
PACKAGE_ENV = "ENVSDK_PACKAGE"
"""Environment variable naming the envsdk folder a process should use if it finds an unbuilt
checkout first; the Ray backend sets it for its actors to the driver's own envsdk."""


def _hooked() -> list[str]:
    """The folders that import hooks other than sys.path's map ``envsdk`` to (an editable
    install's finder maps it to its checkout)."""
    folders = []
    for finder in _sys.meta_path:
        if finder is _machinery.PathFinder or not hasattr(finder, "find_spec"):
            continue  # PathFinder finds whatever comes first on sys.path: no evidence of an install
        try:
            spec = finder.find_spec("envsdk", None)
        except Exception:  # another library's hook: not ours to judge
            continue
        if spec is not None and spec.origin:
            folders.append(_os.path.realpath(_os.path.dirname(spec.origin)))
    return folders


def _built(folder: str, hooked: list[str]) -> bool:
    """Whether ``folder`` is an envsdk this interpreter can use whole: the compiled ``_sims``
    beside it, and ``envsdk.envs`` inside it (an installed copy) or an import hook that maps
    envsdk to it (an editable install of that checkout, made for this interpreter)."""
    if not any(_os.path.exists(_os.path.join(folder, "_sims" + s)) for s in _machinery.EXTENSION_SUFFIXES):
        return False
    return _os.path.isdir(_os.path.join(folder, "envs")) or folder in hooked


def _substitute() -> str | None:
    """The built envsdk folder to load instead of this unbuilt checkout, or None to go on here.

    The folder named by ``ENVSDK_PACKAGE`` (the process that started this one uses it) is
    loaded instead; any other built envsdk (on ``sys.path`` or an editable install's hook)
    means the checkout shadows it in a process of the user's, which raises ``SourceTreeError``
    saying so. A checkout with no built envsdk anywhere imports as it is (its pure-Python parts
    work; the C parts raise ``SourceTreeError`` when used).
    """
    hooked = _hooked()
    if _built(_HERE, hooked):
        return None
    wanted = _os.environ.get(PACKAGE_ENV)
    if wanted and _os.path.realpath(wanted) != _HERE and _built(_os.path.realpath(wanted), hooked):
        return _os.path.realpath(wanted)
    on_path = [_os.path.realpath(_os.path.join(entry or _os.curdir, "envsdk")) for entry in _sys.path]
    for folder in [*on_path, *hooked]:
        if folder != _HERE and _built(folder, hooked):
            from envsdk.errors import SourceTreeError

            raise SourceTreeError(
                f"envsdk: expected the installed envsdk ({folder}), found Python importing the unbuilt source "
                f"checkout {_HERE} instead, because the working directory comes first on sys.path (this "
                "interpreter has no compiled envsdk._sims or envsdk.envs for it). Fix: run from another "
                "directory (the `envsdk` command works from anywhere), or build this checkout in place with "
                "`python -m pip install -e .`."
            )
    return None


_folder = _substitute()
if _folder is not None:
    _spec = _util.spec_from_file_location(
        __name__, _os.path.join(_folder, "__init__.py"), submodule_search_locations=[_folder]
    )
    _module = _util.module_from_spec(_spec)
    _sys.modules[__name__] = _module  # the import system hands out what sys.modules holds
    _spec.loader.exec_module(_module)
else:
    from importlib.metadata import PackageNotFoundError, version

    from envsdk import backends, spaces
    from envsdk.buffers import Buffers, Layout, SharedBuffers, allocate
    from envsdk.checks import check
    from envsdk.errors import EnvsdkError
    from envsdk.protocol import Backend, Batch, Env
    from envsdk.registry import make, registered

    try:
        __version__ = version("envsdk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        __version__ = "0+unknown"

__all__ = [
    "Backend",
    "Batch",
    "Buffers",
    "Env",
    "EnvsdkError",
    "Layout",
    "SharedBuffers",
    "__version__",
    "allocate",
    "backends",
    "check",
    "make",
    "registered",
    "spaces",
]
