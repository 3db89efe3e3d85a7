"""Keyword-config validation for env constructors: defaults live in the signature, checks here.

An env declares its config as keyword-only parameters with defaults, plus ``**unknown``; it
calls ``reject_unknown`` so a misspelt key lists the valid ones, and ``check_int`` /
``check_float`` so out-of-range values fail before any C code sees them. ``positive_int`` is the
check for counts (``num_envs``, ``num_workers``, ``batch_size``) that backends and adapters take.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from envsdk.errors import ConfigError


def config_keys(factory) -> list[str]:
    """The keyword config a factory accepts (its keyword parameters other than ``buffers``)."""
    params = inspect.signature(factory).parameters.values()
    return [
        p.name for p in params
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in ("self", "buffers")
    ]


def reject_unknown(factory, unknown: dict) -> None:
    """Raise ``ConfigError`` if ``unknown`` (a constructor's ``**unknown``) holds any key."""
    if unknown:
        name = getattr(factory, "__qualname__", repr(factory))
        raise ConfigError(
            f"{name}: expected config keys among {', '.join(config_keys(factory))}, found unknown "
            f"{', '.join(map(repr, sorted(unknown)))}. Fix: use one of the valid keys."
        )


def is_int(value) -> bool:
    """Whether ``value`` is an integer (Python or numpy), not a bool."""
    return not isinstance(value, bool) and isinstance(value, (int, np.integer))


def positive_int(owner: str, name: str, value) -> int:
    """``value`` as an int if it is a positive integer; else ``ConfigError`` naming ``owner``."""
    if not is_int(value) or value <= 0:
        raise ConfigError(
            f"{owner}: expected {name} to be a positive int, found {value!r}. Fix: pass {name}=1 or more."
        )
    return int(value)


def check_int(owner: str, name: str, value, low: int, high: int | None = None) -> int:
    """Return ``value`` as int if it is an integer in ``[low, high]``; raise ``ConfigError``."""
    if not is_int(value):
        raise ConfigError(
            f"{owner}: expected {name} to be an int, found {type(value).__name__} {value!r}. "
            f"Fix: pass an int in {_range(low, high)}."
        )
    if value < low or (high is not None and value > high):
        raise ConfigError(
            f"{owner}: expected {name} in {_range(low, high)}, found {value}. Fix: pass a value "
            "in that range."
        )
    return int(value)


def check_float(owner: str, name: str, value, low: float, high: float | None = None) -> float:
    """Return ``value`` as float if it is a finite real in ``[low, high]``; raise ``ConfigError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(
            f"{owner}: expected {name} to be a number, found {type(value).__name__} {value!r}. "
            f"Fix: pass a number in {_range(low, high)}."
        )
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        raise ConfigError(
            f"{owner}: expected {name} in {_range(low, high)}, found {value}. Fix: pass a value "
            "in that range."
        )
    return float(value)


def check_bool(owner: str, name: str, value) -> bool:
    """``value`` as a bool if it is one (numpy's included); else ``ConfigError`` naming ``owner``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(
            f"{owner}: expected {name} to be True or False, found {type(value).__name__} {value!r}. "
            f"Fix: pass {name}=True or {name}=False."
        )
    return bool(value)


def check_choice(owner: str, name: str, value, choices: tuple[str, ...]) -> int:
    """The index of ``value`` in ``choices`` (the C config code), or ``ConfigError`` listing the choices."""
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(
            f"{owner}: expected {name} among {', '.join(map(repr, choices))}, found {value!r}. Fix: pass one of those."
        )
    return choices.index(value)


def _range(low, high) -> str:
    return f"[{low}, {high}]" if high is not None else f"[{low}, inf)"
