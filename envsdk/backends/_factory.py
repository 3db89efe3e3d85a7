"""What every backend does with an env factory: inspect it, build it, check what it built."""

from __future__ import annotations

import inspect

import numpy as np

from envsdk import _arrays
from envsdk.buffers import Buffers
from envsdk.errors import ConfigError, ProtocolError
from envsdk.protocol import ENV_MEMBERS, Env


def seconds(owner: str, name: str, value, optional: bool = False) -> float | None:
    """``value`` as float seconds if it is a positive, finite number (or None when ``optional``);
    else ``ConfigError`` naming ``owner``."""
    if value is None and optional:
        return None
    number = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if not number or not 0 < value < float("inf"):
        expected = "None (wait forever) or a positive number" if optional else "a positive number"
        raise ConfigError(
            f"{owner}: expected {name} to be {expected} of seconds, found {value!r}. Fix: pass e.g. {name}=60."
        )
    return float(value)


def factory_name(factory) -> str:
    """A readable name for error messages."""
    return getattr(factory, "__qualname__", None) or repr(factory)


def takes_num_envs(factory) -> bool:
    """Whether ``factory`` takes ``num_envs``; raise ``ProtocolError`` if it lacks ``buffers=``."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # some C callables have no signature: trust them
        return False
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    if "buffers" not in params and not var_kw:
        raise ProtocolError(
            f"{factory_name(factory)}: expected a constructor that accepts buffers=None (DESIGN §1), found "
            f"parameters ({', '.join(params)}). Fix: add `*, buffers=None` and allocate with "
            "envsdk.allocate(...) when it is None."
        )
    return "num_envs" in params


def takes_device(factory) -> bool:
    """Whether ``factory``'s signature names a ``device`` parameter (then backends pass their
    ``device`` on to it, beside the ``buffers=`` on that device)."""
    try:
        return "device" in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


def build(factory, kwargs: dict, buffers: Buffers | None) -> Env:
    """``factory(**kwargs, buffers=buffers)``, checked to be an env that keeps those buffers and,
    when it declares a ``device``, declares theirs."""
    env = factory(**kwargs, buffers=buffers)
    missing = [m for m in ENV_MEMBERS if not hasattr(env, m)]
    if missing:
        raise ProtocolError(
            f"{factory_name(factory)}(...): expected an object with the envsdk.Env members, found one "
            f"missing {', '.join(missing)}. Fix: define them (see envsdk/protocol.py); no base "
            "class is needed."
        )
    if buffers is not None and env.buffers is not buffers:
        # The backend's rows only see what the env writes into the views it was handed.
        shared = all(_arrays.shares_memory(getattr(env.buffers, f), getattr(buffers, f)) for f in
                     ("observations", "actions"))
        if not shared:
            env.close()
            raise ProtocolError(
                f"{factory_name(factory)}(buffers=...): expected the env to keep the buffers it was "
                "given, found env.buffers pointing at other memory. Fix: store the buffers "
                "argument as self.buffers and allocate only when it is None."
            )
    if buffers is not None and getattr(env, "device", None) is not None \
            and not _arrays.same_device(env.device, buffers.device):
        env.close()
        raise ProtocolError.of(
            f"{factory_name(factory)}(buffers=...)", "device", f"the device of the buffers it was given, "
            f"{buffers.device or 'None (numpy)'}", env.device, "read the device from the buffers "
            "(self.device = buffers.device) instead of choosing one",
        )
    return env
