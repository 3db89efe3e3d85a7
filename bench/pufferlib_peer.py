"""PufferLib 3.0's ocean envs as a peer for the benchmarks: found, imported, configured like ours.

PufferLib is an optional bench peer, never a dependency: it is used when importable, from the
environment or from the offline build of ``bench/build_pufferlib.sh`` (``BUILD``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path

OUT = Path(__file__).parent / "out"
BUILD = OUT / "pufferlib"  # where bench/build_pufferlib.sh builds by default


def use_build(build: Path = BUILD) -> None:
    """Put the offline build in ``build`` on ``sys.path`` (ahead of any installed one), if it exists."""
    if (build / "pufferlib-3.0.0").is_dir():
        sys.path[:0] = [str(build / "pufferlib-3.0.0"), str(build / "deps")]


def env_class(name: str) -> type | str:
    """PufferLib's ``pufferlib.ocean.<name>`` env class, or a string saying why it is unavailable."""
    OUT.mkdir(exist_ok=True)
    cwd = os.getcwd()
    os.chdir(OUT)  # importing pufferlib symlinks ./resources to its assets: keep that out of the user's cwd
    try:
        module = importlib.import_module(f"pufferlib.ocean.{name}.{name}")
    except ImportError as e:
        return f"n/a ({e.name or 'pufferlib'} not importable)"
    finally:
        os.chdir(cwd)
    return next(v for k, v in vars(module).items() if k.lower() == name.lower() and isinstance(v, type))


def log_every(cls: type, report_every: int) -> dict:
    """The keyword that makes ``cls`` gather its episode logs every ``report_every`` steps, as ours
    do (its envs call it ``log_interval`` or ``report_interval``, default 1 or 128)."""
    params = inspect.signature(cls).parameters
    return {key: report_every for key in ("log_interval", "report_interval") if key in params}
