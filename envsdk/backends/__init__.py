"""Backends: run many env objects as one. Each satisfies ``envsdk.Backend``."""

from envsdk.backends.multiprocessing import Multiprocessing
from envsdk.backends.serial import Serial

__all__ = ["Multiprocessing", "Serial"]
