"""Compile catcher/catcher.h into the extension catcher._catcher (setup.py's cffi_modules runs this)."""

from pathlib import Path

from envsdk.cbuild import builder

ffibuilder = builder("catcher._catcher", Path(__file__).resolve().parent / "catcher" / "catcher.h")
