"""A running ``envsdk serve`` for the tests: the real aiohttp server on 127.0.0.1, any free port, in a thread.

``Server(**settings)`` is a context manager; ``settings`` are ``envsdk.serve.app.Settings`` fields.
Its ``url`` is the base address and ``sockets()`` the number of open tabs (sessions).
"""

from __future__ import annotations

import asyncio
import json
import struct
import threading
from pathlib import Path

import pytest

pytest.importorskip("aiohttp", reason="envsdk serve needs aiohttp (the serve extra)")

from envsdk.serve.app import SOCKETS, Settings, start


class Server:
    """The server, started on entry and stopped (every socket closed) on exit; bounded waits throughout."""

    def __init__(self, **settings):
        self.settings = Settings(**settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        self.runner, self.url = self.call(start(self.settings, "127.0.0.1", 0))
        return self

    def __exit__(self, *exc) -> None:
        self.call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()

    def call(self, coroutine, timeout: float = 30):
        """Run ``coroutine`` on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def sockets(self) -> int:
        """Open WebSockets (tabs with a session) right now."""
        async def count() -> int:
            return len(self.runner.app[SOCKETS])
        return self.call(count())


def header(data: bytes) -> tuple[dict, bytes]:
    """A frame message's header and picture (PNG bytes, empty when the picture did not change)."""
    length = struct.unpack(">I", data[:4])[0]
    return json.loads(data[4:4 + length]), data[4 + length:]


def tiny_checkpoint(path: Path, env: str, observation_size: int, num_actions: int, legal_mask: int = 0,
                    config: dict | None = None) -> Path:
    """A policy checkpoint of random weights in envsdk.policy's format (as tests/test_play.py makes them)."""
    torch = pytest.importorskip("torch")
    import envsdk.policy as policies

    g = torch.Generator().manual_seed(0)
    layers = [(torch.randn(16, observation_size, generator=g), torch.randn(16, generator=g)),
              (torch.randn(num_actions, 16, generator=g), torch.randn(num_actions, generator=g))]
    policies.save(path, env=env, config=config or {}, policy=layers, legal_mask=legal_mask)
    return path
