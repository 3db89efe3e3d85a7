"""envsdk's errors: one base class, and specific errors that also subclass the fitting built-in.

Every message names the object at fault, what was expected, what was found, and the fix, so a
user can act on it without reading envsdk's source. Catch ``EnvsdkError`` to catch them all, or
the built-in (``ValueError``, ``TypeError``, ``LookupError``, ``RuntimeError``) as usual.
"""

from __future__ import annotations

import importlib
import re


class EnvsdkError(Exception):
    """Base class of every error envsdk raises on purpose.

    Besides its message, an error may carry the parts of it as plain attributes, as attrs passes
    its arguments to the exception: ``owner`` (the object at fault), ``field`` (which part of it,
    or None), ``expected``, ``found`` and ``fix``. Code that reports an error (the checker) reads
    these instead of parsing the text. ``XError.of(owner, field, expected, found, fix)`` builds
    the message from them (``field_message``); an error raised with a message alone has them all
    None.
    """

    def __init__(self, *args, owner: str | None = None, field: str | None = None, expected: object = None,
                 found: object = None, fix: str | None = None):
        super().__init__(*args)
        self.owner, self.field, self.expected, self.found, self.fix = owner, field, expected, found, fix

    @classmethod
    def of(cls, owner: str, field: str | None, expected: object, found: object, fix: str):
        """The error whose message is ``field_message(owner, field, expected, found, fix)``, with
        those five as its attributes."""
        return cls(field_message(owner, field, expected, found, fix), owner=owner, field=field,
                   expected=expected, found=found, fix=fix)


class SpaceError(EnvsdkError, TypeError):
    """A space is not a Box, Discrete or MultiDiscrete (envsdk's or Gymnasium's), or is invalid."""


class BuffersError(EnvsdkError, ValueError):
    """A buffer has the wrong dtype, shape or row count, or is not C-contiguous or writable."""


class ConfigError(EnvsdkError, ValueError):
    """A config key is unknown or missing, or its value is out of range."""


class ActionError(EnvsdkError, ValueError):
    """Actions passed to ``step``/``send`` have the wrong shape, dtype or values."""


class ProtocolError(EnvsdkError, TypeError):
    """An object does not satisfy the ``envsdk.Env`` protocol where one is required."""


class UnknownEnvError(EnvsdkError, LookupError):
    """A name is not in the env registry (or a backend name is unknown)."""


class StateError(EnvsdkError, RuntimeError):
    """A method was called in the wrong order (``step`` before ``reset``, use after ``close``)."""


class WorkerError(EnvsdkError, RuntimeError):
    """A backend's worker raised (the message carries its traceback) or died."""


class MissingExtraError(EnvsdkError, ImportError):
    """An optional dependency (Gymnasium, PettingZoo, SB3, torch, Ray) is not installed; the message
    gives the pip install that adds it (``install_hint``). Raised by ``require``."""


class SourceTreeError(EnvsdkError, ImportError):
    """envsdk was imported from a source checkout that is not built (no compiled ``envsdk._sims``)."""


class CBuildError(EnvsdkError, ValueError):
    """A C sim cannot be built (``envsdk.cbuild``): a header that is not a valid sim, a compile
    error (the message quotes the compiler), or a cache folder that cannot be written."""


class CheckpointError(EnvsdkError, ValueError):
    """A policy checkpoint cannot be loaded: no such file, content that is not plain data (it would
    run code), keys or shapes that are not the format of ``envsdk/policy.py``, a policy for another
    env, or torch (which reads the file) is not installed."""


class MessageError(EnvsdkError, ValueError):
    """A message a browser sent to ``envsdk serve`` is malformed: not a JSON object of a known type, or a
    field missing, of the wrong type or out of range. The server closes that socket and goes on."""


def field_message(owner: str, field: str | None, expected: object, found: object, fix: str) -> str:
    """Format the one error-message shape envsdk uses: where (``owner.field``, or ``owner`` when
    ``field`` is None), expected, found, fix."""
    where = owner if field is None else f"{owner}.{field}"
    return f"{where}: expected {expected}, found {found}. Fix: {fix}"


def require(module: str, extra: str, owner: str, package: str | None = None):
    """Import and return ``module``, or raise ``MissingExtraError`` naming ``owner`` (what needs it)
    and the pip install of envsdk's optional ``extra`` that adds it (``install_hint(extra,
    package)``). envsdk's one way to import an optional dependency."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingExtraError.of(owner, None, f"the optional package {module!r}", f"{type(e).__name__}: {e}",
                                   f"{install_hint(extra, package)}.") from e


def install_hint(extra: str, package: str | None = None) -> str:
    """The pip command that installs envsdk's optional ``extra``, as it works in any environment.

    envsdk installs from a checkout, not from the package index, so ``pip install
    'envsdk[ray]'`` would fail; the hint names the extra's own requirements (read from envsdk's
    metadata, so it follows pyproject.toml; only ``package``'s when given), then the form that
    works from a checkout.
    """
    from importlib import metadata

    try:
        requires = metadata.requires("envsdk") or []
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        requires = []
    marker = f'extra == "{extra}"'
    named = [r.split(";")[0].strip() for r in requires if marker in r.replace("'", '"')]
    if package is not None:
        named = [r for r in named if re.match(rf"{re.escape(package)}\b", r)]
    packages = " ".join(f"'{r}'" for r in named) if named else extra
    return f"pip install {packages} (or, from an envsdk checkout, pip install '.[{extra}]')"
