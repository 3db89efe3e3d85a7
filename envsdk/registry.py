"""The env registry and ``make``: names map to ``"module:Factory"`` strings, imported lazily.

Adding a bundled env adds one line to ``ENVS``. Third-party packages add theirs through the
``envsdk.envs`` entry-point group, e.g. in their pyproject.toml::

    [project.entry-points."envsdk.envs"]
    mygame = "mypackage.mygame:MyGame"
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib import metadata
from typing import Any

from envsdk.errors import SourceTreeError, UnknownEnvError

ENTRY_POINT_GROUP = "envsdk.envs"

ENVS: dict[str, str] = {
    "breakout": "envsdk.envs.breakout:Breakout",
    "cartpole": "envsdk.envs.cartpole:CartPole",
    "cartpole_torch": "envsdk.envs.cartpole_torch:CartPoleTorch",
    "connect4": "envsdk.envs.connect4:Connect4",
    "drive_torch": "envsdk.envs.drive_torch:DriveTorch",
    "pong": "envsdk.envs.pong:Pong",
    "snake": "envsdk.envs.snake:Snake",
    "squared": "envsdk.envs.squared:Squared",
    "tictactoe": "envsdk.envs.tictactoe:TicTacToe",
    "tripletriad": "envsdk.envs.tripletriad:TripleTriad",
}
"""Bundled envs: name -> "module:Factory"."""

BACKENDS: dict[str, str] = {
    "multiprocessing": "envsdk.backends.multiprocessing:Multiprocessing",
    "ray": "envsdk.backends.ray:Ray",
    "serial": "envsdk.backends.serial:Serial",
}
"""Backends reachable by name from ``make``: name -> "module:Class"."""


def load(target: str) -> Any:
    """Import ``"module:attr"`` (``attr`` may be dotted) and return the attribute."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise UnknownEnvError(
            f"target {target!r}: expected 'module:Factory', found no ':' separator. Fix: write "
            "e.g. 'mypackage.mygame:MyGame'."
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if module_name.startswith("envsdk.envs") and (e.name or "").startswith("envsdk.envs"):
            raise SourceTreeError(  # the bundled envs are the top-level envs/ folder, mapped in by the build
                f"target {target!r}: expected the bundled envs as envsdk.envs, found none (this envsdk is a source "
                "checkout that was never built). Fix: python -m pip install -e . (or pip install . and run "
                "from another directory)."
            ) from None
        raise
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UnknownEnvError(
                f"target {target!r}: expected module {module_name!r} to define {attr!r}, found "
                f"no attribute {part!r}. Fix: check the spelling of the factory name."
            ) from None
    return obj


def registered() -> dict[str, str]:
    """Every known env name -> its "module:Factory" string, bundled and from entry points.

    A bundled name wins over an entry point of the same name.
    """
    found = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **ENVS}


def resolve(name_or_factory: str | Callable[..., Any]) -> Callable[..., Any]:
    """Turn a registered name, a ``"module:Factory"`` string or a callable into a factory."""
    if callable(name_or_factory):
        return name_or_factory
    if not isinstance(name_or_factory, str):
        raise UnknownEnvError(
            f"env: expected a registered name, a 'module:Factory' string or a callable, found "
            f"{type(name_or_factory).__name__}. Fix: pass e.g. 'cartpole' or MyEnv."
        )
    if ":" in name_or_factory:
        return load(name_or_factory)
    known = registered()
    if name_or_factory not in known:
        raise UnknownEnvError(
            f"env {name_or_factory!r}: expected a registered name, found none by that name. "
            f"Known: {', '.join(sorted(known)) or '(none)'}. Fix: use one of those, pass "
            "'module:Factory', or register yours under the 'envsdk.envs' entry-point group."
        )
    return load(known[name_or_factory])


def make(
    name_or_factory: str | Callable[..., Any],
    *,
    num_envs: int = 1,
    backend: str | Callable[..., Any] = "serial",
    device=None,
    **config: Any,
):
    """Build ``num_envs`` sub-envs of an env under a backend; the result is an ``envsdk.Backend``.

    ``name_or_factory``: a registered name, ``"module:Factory"`` or a callable. ``backend``: a
    name from ``BACKENDS`` or a backend class. ``**config`` goes to the backend, which passes
    what it does not use to the env factory.

    ``device`` (None: numpy buffers) goes to the backend when given: ``serial`` allocates torch
    tensors on it and hands each env its rows as ``buffers=`` (a GPU-native env); ``multiprocessing``
    and ``ray`` refuse it (``ConfigError`` naming the fix: ``backend="serial"``).
    """
    factory = resolve(name_or_factory)
    if isinstance(backend, str):
        if backend not in BACKENDS:
            raise UnknownEnvError(
                f"make(backend={backend!r}): expected one of {', '.join(sorted(BACKENDS))}, "
                "found an unknown name. Fix: pick one of those or pass a backend class."
            )
        backend = load(BACKENDS[backend])
    if device is not None:
        config["device"] = device  # only when asked: a backend class of the user's may not take it
    return backend(factory, num_envs=num_envs, **config)
