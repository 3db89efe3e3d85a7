"""Catcher, an envsdk env whose C sim is compiled when the package is installed (see ../README.md)."""

from catcher.env import Catcher

__all__ = ["Catcher"]
