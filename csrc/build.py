"""Build envsdk's bundled C sims into one extension, ``envsdk._sims``, with the public builder.

Run by the package's own build (``setup.py``: ``cffi_modules``) during ``pip install``; nothing
compiles at import. It calls ``envsdk.cbuild.builder``, exactly what a user's ``cffi_modules``
file calls, loaded by file path because envsdk itself is not installed yet while it builds. Every
``csrc/*.h`` with a cdef region is a sim, except ``handshake.h`` (the Multiprocessing backend's
shared-memory handshake), built into the same module as a support header; headers without a
region (``tictactoe_table.h``) are included by the sims.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

CSRC = Path(__file__).resolve().parent
MODULE = "envsdk._sims"
SUPPORT = ("handshake.h",)

_spec = importlib.util.spec_from_file_location("_envsdk_cbuild", CSRC.parent / "envsdk" / "cbuild.py")
cbuild = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cbuild)


def sim_headers(csrc: Path = CSRC) -> list[Path]:
    """The sim headers, sorted: every ``*.h`` in ``csrc`` with a cdef region, but the support headers."""
    return sorted(p for p in csrc.glob("*.h") if p.name not in SUPPORT and "envsdk:cdef begin" in p.read_text())


def make_builder(module: str = MODULE, extra_compile_args=(), extra_link_args=(), csrc: Path = CSRC):
    """The FFI builder of every bundled sim; the sanitizer test passes its own module name and flags."""
    return cbuild.builder(module, *sim_headers(csrc), support=[csrc / s for s in SUPPORT],
                          extra_compile_args=extra_compile_args, extra_link_args=extra_link_args)


ffibuilder = make_builder()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
