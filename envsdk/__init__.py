"""envsdk: fast vectorized RL environments. An env is one object simulating many agents, writing
into buffers it was handed; see ``envsdk/protocol.py`` for the contract."""

from importlib.metadata import PackageNotFoundError, version

from envsdk import backends, spaces
from envsdk.buffers import Buffers, Layout, SharedBuffers, allocate
from envsdk.check import check
from envsdk.errors import EnvsdkError
from envsdk.protocol import Backend, Batch, Env
from envsdk.registry import make, registered

try:
    __version__ = version("envsdk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Backend",
    "Batch",
    "Buffers",
    "Env",
    "EnvsdkError",
    "Layout",
    "SharedBuffers",
    "__version__",
    "allocate",
    "backends",
    "check",
    "make",
    "registered",
    "spaces",
]
