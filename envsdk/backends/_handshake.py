"""The per-step handshake between the Multiprocessing parent and its workers, in shared memory.

Each worker has one 64-byte slot (its own cache line): a signal the parent posts after writing
a command into the slot, the command, its seed and its number, and what the worker reports back:
the number of the last command it finished and how (ok; ok with infos; failed, with a traceback
that follows on its pipe). The worker acknowledges the number it read with the command it ran,
so the parent waits for exactly the command it sent last: were two commands posted while the
worker was busy, it would run only the newer, and the parent, waiting for that one, would never
wait for the one dropped. (The backend sends a worker a command only once it acknowledged the
previous one, so no command is dropped and a worker never reads a slot the parent is writing.)
One more signal, posted by every worker as it finishes, wakes the parent once the workers it
waits for are all done. The signals are ``csrc/handshake.h``: spin briefly, then sleep in the
kernel, no syscall while the other side is awake.

Infos (pickled as plain data, ``_plain.py``) go through a per-worker area of the same block;
only those too large for it, and tracebacks, go through the worker's pipe. Most steps of a C env
with thousands of sub-envs end an episode somewhere, so infos travel on most steps: on a pipe
they cost more than the rest of the handshake.
"""

from __future__ import annotations

import os

import numpy as np

from envsdk.errors import SourceTreeError

STEP, RESET, CLOSE = 1, 2, 3          # commands (parent -> worker)
OK, INFOS, PIPED, ERROR = 0, 1, 2, 3  # how a worker finished: no infos; infos in its area; infos or
                                      # (ERROR) a traceback on its pipe
AREA = 16384  # bytes of pickled infos a worker can hand over in shared memory

_SLOT = 16  # uint32 words per worker: one cache line, so no two workers write the same line
_COMMAND = 0  # words 0-3: the signal the parent posts after writing a command
_OP, _HAS_SEED, _SEED = 4, 5, 6  # the command; the seed is a uint64 in words 6-7
_DONE, _STATUS, _LENGTH = 8, 9, 10  # the number of the last command the worker finished, how,
                                    # and the length of the infos in its area
_NUMBER = 11  # the number of the command in the slot (1 is "build your envs", never posted)


def native():
    """``(ffi, lib)`` of ``envsdk._sims``, the compiled module the handshake's C lives in (beside the
    bundled sims); ``SourceTreeError`` with the fix when this envsdk is a checkout never built."""
    try:
        from envsdk._sims import ffi, lib
    except ModuleNotFoundError as e:
        if e.name != "envsdk._sims":
            raise
        raise SourceTreeError(
            f"envsdk._sims: expected the C sims compiled beside {os.path.dirname(os.path.dirname(__file__))}, "
            "found no compiled module (this source checkout was never built). Fix: python -m pip install -e . "
            "(or pip install . and run from another directory)."
        ) from None
    return ffi, lib


class Handshake:
    """The handshake of ``num_workers`` workers, over ``memory`` (``nbytes(num_workers)`` bytes)."""

    def __init__(self, memory: np.ndarray, num_workers: int):
        ffi, lib = native()  # here, not at import: importing envsdk loads no C
        self._lib = lib
        # Memoryviews, not numpy: reading or writing one word costs ~30 ns instead of ~100, and
        # the parent does a dozen per step while every worker waits for it.
        size = self.nbytes(num_workers)
        self._bytes = memoryview(memory[:size])
        self._words = self._bytes.cast("I")
        self._qwords = self._bytes.cast("Q")
        self._memory = ffi.from_buffer(memory)  # held: the pointers below do not keep it alive
        base = ffi.cast("uint32_t *", self._memory)
        self._command = [ffi.cast("envsdk_signal *", base + w * _SLOT + _COMMAND) for w in range(num_workers)]
        self._finished_at = num_workers * _SLOT  # the word index of the finish signal's count
        self._finished = ffi.cast("envsdk_signal *", base + self._finished_at)
        self._areas = (num_workers + 1) * _SLOT * 4  # the byte offset of worker 0's area
        self._sent = [1] * num_workers  # command numbers; 1 is "build your envs", which needs no post

    @staticmethod
    def nbytes(num_workers: int) -> int:
        """Bytes of shared memory the handshake of ``num_workers`` workers takes."""
        return (num_workers + 1) * _SLOT * 4 + num_workers * AREA

    # --- the parent's side --------------------------------------------------------------------

    def command(self, w: int, op: int, seed: int | None = None) -> None:
        """Give worker ``w`` its next command, numbered one past the last (``seed``: in [0, 2**64)).

        Send it only once the worker finished the previous one (``done``), except to stop it.
        """
        at, words = w * _SLOT, self._words
        words[at + _OP] = op
        words[at + _HAS_SEED] = seed is not None
        if seed is not None:
            self._qwords[(at + _SEED) // 2] = seed
        number = self._sent[w] = self._sent[w] + 1
        words[at + _NUMBER] = number
        self._lib.envsdk_signal_post(self._command[w])

    def done(self, w: int) -> bool:
        """Whether worker ``w`` finished the last command it was given."""
        return self._words[w * _SLOT + _DONE] == self._sent[w]

    def op(self, w: int) -> int:
        """The last command given to worker ``w`` (0 before any: it is building its envs)."""
        return self._words[w * _SLOT + _OP]

    def status(self, w: int) -> int:
        """How worker ``w`` finished its last command: OK, INFOS, PIPED or ERROR."""
        return self._words[w * _SLOT + _STATUS]

    def infos(self, w: int) -> memoryview:
        """The pickled infos worker ``w`` left in its area (status INFOS)."""
        start = self._areas + w * AREA
        return self._bytes[start:start + self._words[w * _SLOT + _LENGTH]]

    def finished_count(self) -> int:
        """The finish signal's count: read it before looking at ``done``, then pass it to ``wait``."""
        return self._words[self._finished_at]

    def wait(self, seen: int, needed: int, spin: float, timeout: float) -> bool:
        """Wait until ``needed`` workers finished since the count was ``seen``; False on timeout.

        A signal (Ctrl-C) ends the wait early too, returning False; Python raises it on return.
        """
        now = self._lib.envsdk_signal_wait(self._finished, seen, needed, spin, timeout)
        return (now - seen) % 2**32 >= needed

    # --- a worker's side ----------------------------------------------------------------------

    def next_command(self, w: int, seen: int, spin: float, timeout: float) -> tuple[int, int, int | None, int]:
        """Wait for worker ``w``'s next command after command-signal count ``seen``.

        Returns ``(count, op, seed, number)``: the newest command, whatever was posted before it;
        ``op`` is 0 when ``timeout`` passed with no command.
        """
        count = self._lib.envsdk_signal_wait(self._command[w], seen, 1, spin, timeout)
        if count == seen:
            return seen, 0, None, 0
        at, words = w * _SLOT, self._words
        seed = self._qwords[(at + _SEED) // 2] if words[at + _HAS_SEED] else None
        return count, words[at + _OP], seed, words[at + _NUMBER]

    def finish(self, w: int, number: int, infos: bytes | None = None, failed: bool = False) -> bool:
        """Worker ``w`` finished command ``number``: record how, and wake the parent.

        ``infos`` (pickled) go into the worker's area when they fit. Returns True when the
        caller must send them on its pipe instead (and, if ``failed``, the traceback).
        """
        at = w * _SLOT
        if failed:
            status = ERROR
        elif not infos:
            status = OK
        elif len(infos) <= AREA:
            start = self._areas + w * AREA
            self._bytes[start:start + len(infos)] = infos
            self._words[at + _LENGTH] = len(infos)
            status = INFOS
        else:
            status = PIPED
        self._words[at + _STATUS] = status
        self._words[at + _DONE] = number
        self._lib.envsdk_signal_post(self._finished)
        return status in (PIPED, ERROR)
