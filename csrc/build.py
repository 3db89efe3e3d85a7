"""Build the C sims into one cffi extension, ``envsdk._sims`` (API mode, out-of-line).

Run by the package's own build (``setup.py``: ``cffi_modules``) during ``pip install``; nothing
compiles at import time. Every ``csrc/*.h`` is a sim except the support headers: ``envsdk.h``
(what every sim includes) and ``handshake.h`` (the Multiprocessing backend's shared-memory
handshake, built into the same module). The cdef is the text between the
``// envsdk:cdef begin`` / ``// envsdk:cdef end`` markers of each compiled header, so each
struct and function is declared once, in C; since those structs are fully declared, cffi makes
the compiler check their layout against the real header, and any drift fails the build.
"""

from __future__ import annotations

import re
from pathlib import Path

from cffi import FFI

CSRC = Path(__file__).resolve().parent
MODULE = "envsdk._sims"
CFLAGS = ["-O3"]

SUPPORT = ("envsdk.h", "handshake.h")
_CDEF = re.compile(r"//\s*envsdk:cdef begin\s*\n(.*?)//\s*envsdk:cdef end", re.S)


def sim_headers(csrc: Path = CSRC) -> list[Path]:
    """The sim headers, sorted: every ``*.h`` in ``csrc`` but the support headers."""
    return sorted(p for p in csrc.glob("*.h") if p.name not in SUPPORT)


def cdef_of(header: Path) -> str:
    """The declarations between the cdef markers of ``header`` (exactly one region)."""
    regions = _CDEF.findall(header.read_text())
    if len(regions) != 1:
        raise SystemExit(
            f"{header}: expected exactly one '// envsdk:cdef begin' ... '// envsdk:cdef end' "
            f"region, found {len(regions)}. Fix: wrap the sim's struct and function declarations "
            "in one such region."
        )
    return regions[0]


def make_builder(module: str = MODULE, extra_compile_args: list[str] | None = None,
                 extra_link_args: list[str] | None = None, csrc: Path = CSRC) -> FFI:
    """An FFI builder for every sim in ``csrc``; the sanitizer test passes its own flags."""
    headers = [*sim_headers(csrc), csrc / "handshake.h"]
    builder = FFI()
    builder.cdef("\n".join(cdef_of(h) for h in headers))
    builder.set_source(
        module,
        "\n".join(f'#include "{h.name}"' for h in headers),
        include_dirs=[str(csrc)],
        extra_compile_args=CFLAGS + (extra_compile_args or []),
        extra_link_args=extra_link_args or [],
        libraries=["m"],  # sims call sin/cos; do not rely on the interpreter having loaded libm
        depends=[str(p) for p in csrc.glob("*.h")],
    )
    return builder


ffibuilder = make_builder()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
