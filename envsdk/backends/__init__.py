"""Backends: run many env objects as one env. Each satisfies ``envsdk.Backend``."""

from envsdk.backends.serial import Serial

__all__ = ["Serial"]
