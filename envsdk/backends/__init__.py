"""Backends: run many env objects as one. Each satisfies ``envsdk.Backend``.

``Ray`` is loaded on first access (``envsdk.backends.Ray``), so importing envsdk never imports
Ray; building one without Ray installed raises ``MissingExtraError`` naming the pip install.
"""

from envsdk.backends.multiprocessing import Multiprocessing
from envsdk.backends.serial import Serial

__all__ = ["Multiprocessing", "Ray", "Serial"]


def __getattr__(name: str):
    if name == "Ray":
        from envsdk.backends.ray import Ray

        return Ray
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
