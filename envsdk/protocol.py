"""The envsdk contract. This file is the spec: it holds no logic.

An **environment** is any object with the members of ``Env``; it subclasses nothing from
envsdk. ``isinstance(obj, envsdk.Env)`` only checks that the names exist, so it is a gate; the
checker (``envsdk check``) is the contract.

Construction
    Config is keyword-only. ``num_envs`` says how many sub-environments the object simulates
    (an env that only ever simulates one may omit it). The constructor takes ``buffers=None``:
    with ``None`` the env allocates its own with ``envsdk.allocate(...)``; a backend passes
    views of its shared memory instead. Either way the env validates them once and then never
    replaces or copies them. Everywhere in envsdk ``num_envs`` counts sub-environments and
    ``num_agents`` counts agent rows (a sub-env may hold several agents).

Who writes which buffer, and when
    ``observations``: written by ``reset`` (every row) and by ``step`` (every live row).
    ``actions``: written by the caller before ``step`` (or copied in by ``step`` from its
    argument); the env only reads it.
    ``rewards``, ``terminals``, ``truncations``: written by ``step`` for every row, every step
    (a flag is never left over from an earlier step); ``reset`` sets them to 0/False.
    ``masks``: True where agent row ``i`` is live this step. Envs with a fixed population may
    leave it as allocated (all True); envs with varying populations or padded slots write it in
    ``reset`` and ``step``.
    ``final_observations`` (optional; ``buffers.final_observations`` is None unless asked for with
    ``final_observations=True`` by ``allocate``, ``make`` or a backend): when present, ``step``
    writes into it, for every row whose episode ended in that step (``terminals`` or
    ``truncations`` set), the observation that row would have shown had it not been reset, and
    leaves every other row as it was. When absent, nothing is copied. An env given buffers with
    it must write it; an env whose own ``buffers=None`` allocation leaves it out never needs to.

Returned arrays are the buffers (the same memory), never copies. A caller that keeps results
across steps must copy them.

Devices
    Buffers are numpy arrays on the host by default. A GPU-native env's buffers are torch
    tensors on ONE device (``envsdk.allocate(..., device="cuda")``), with the same fields,
    dtypes (the torch dtype holding the same values: float32, int32, bool, ...), shapes and
    rules as above: same-step autoreset, seeds ``s + i``, in-place writes (``t[...] = x``,
    ``t.copy_(x)``, in-place operators), and the returned tensors are the buffers. Every field is
    of one kind and on one device; a mix is a ``BuffersError``. Such an env declares where its
    buffers live with the optional member ``device`` (``OPTIONAL_ENV_MEMBERS``): a
    ``torch.device`` equal to ``buffers.device``; absent or None means numpy buffers on the host.
    Given buffers, it lives where they live (``self.device = buffers.device``); with
    ``buffers=None`` it allocates on its own default device (or on the one its optional ``device``
    keyword names: a backend with ``device=`` passes it, beside ``buffers=`` on that device, to a
    constructor whose signature names ``device``, and passes no such keyword to any other). Its
    ``step`` takes ``buffers.actions`` itself, a tensor (copied on the device) or a numpy array
    (copied in).

Autoreset, one rule
    A sub-env whose episode ends during ``step`` is reset inside that same step. Its reward
    and its terminal/truncation flag belong to the episode that ended; its observation row is
    the first observation of the next episode; the ended episode's last observation goes to
    ``final_observations`` when the buffers have it. ``terminals`` means the MDP ended (no
    bootstrap); ``truncations`` means a time limit or similar cut it short (bootstrap from the
    value of the state that was cut: ``final_observations``). The two are never mixed up, and no
    row has both set in the same step.

Seeding
    ``reset(seed=s)`` seeds sub-env ``i`` with ``(s + i) % 2**64``. A seed is ``None`` or an
    integer in ``[0, 2**64)`` (a Python ``int`` or a numpy integer; not a bool, float or string):
    anything else raises ``envsdk.errors.ConfigError`` (``envsdk.seeding.check_seed``, which every
    backend, C sim and adapter applies). Given the same seed and the same actions, every output
    is bit-identical across runs, backends and worker counts. RNG state lives inside each
    sub-env; no env uses a process-global RNG. ``reset(seed=None)`` draws fresh entropy.

Infos
    ``infos`` is a list of dicts, usually empty. Episode statistics are reported as aggregates
    over the episodes that finished since the last report: ``{"episode_return": mean,
    "episode_length": mean, "episode_count": k, ...}`` plus env-specific keys (``score``,
    ``win_rate``). Nothing costs per-step Python work when no episode ended.

Errors
    ``step`` raises ``envsdk.errors.ActionError`` (a ``ValueError``) for actions of the wrong
    shape or dtype; each env documents what it does with out-of-range values. ``step`` before
    the first ``reset`` and any call after ``close`` raise ``envsdk.errors.StateError`` (a
    ``RuntimeError``). Constructors raise ``ConfigError`` (a ``ValueError``) for unknown, missing
    or out-of-range keys and ``BuffersError`` (a ``ValueError``) for unfit buffers.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from envsdk.buffers import FIELDS, OPTIONAL_FIELDS, Buffers

Infos = list[dict[str, Any]]

# --- the vocabulary: every module that names these members or fields imports them from here ---

ENV_MEMBERS = ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset", "step", "close")
"""The members every ``Env`` has: four data members, then three methods."""

ENV_DATA_MEMBERS = ENV_MEMBERS[:4]
"""The members that are plain attributes (never computed properties)."""

OPTIONAL_ENV_MEMBERS = ("device",)
"""Members an env may have (plain attributes, not part of ``Env``'s runtime check): ``device``, the
``torch.device`` its tensor buffers live on (absent or None: numpy buffers on the host)."""

STEP_RESULTS = ("observations", "rewards", "terminals", "truncations", "infos")
"""What ``step`` returns, in order: four buffers, then the infos list."""

STEP_ARRAYS = STEP_RESULTS[:4]
"""The buffers ``step`` returns, in order (``reset`` returns the first)."""

BATCH_ARRAYS = (*STEP_ARRAYS, "masks")
"""The buffers' rows a ``Batch`` carries, in order: what a worker hands back after each command."""

BUFFER_FIELDS = FIELDS
"""The six arrays every ``Buffers`` has, in order (defined beside that dataclass, ``envsdk.buffers``)."""

OPTIONAL_BUFFER_FIELDS = OPTIONAL_FIELDS
"""The arrays a ``Buffers`` holds only when asked for (else None): ``final_observations``."""


@runtime_checkable
class Env(Protocol):
    """One object that simulates ``num_agents`` agent rows, reading and writing ``buffers``."""

    single_observation_space: Any
    """Space of ONE agent's observation: a Box of any numeric dtype."""

    single_action_space: Any
    """Space of ONE agent's action: Discrete, MultiDiscrete or Box."""

    num_agents: int
    """Agent rows this object simulates, all its sub-envs together; the buffers' row count."""

    buffers: Buffers
    """The buffers this env reads actions from and writes results into; never replaced."""

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, Infos]:
        """Start every sub-env (sub-env ``i`` seeded with ``(seed + i) % 2**64``).

        Writes every observation row, zeroes rewards/terminals/truncations, writes masks if
        the population varies. Returns ``(observations, infos)``; ``observations`` is
        ``buffers.observations``.
        """
        ...

    def step(
        self, actions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Infos]:
        """Advance every sub-env one tick with ``actions`` (``[num_agents, ...]``).

        ``actions`` may be ``buffers.actions`` itself (no copy) or any array of its shape that
        casts to its dtype (copied in). Autoreset follows the rule in this module's docstring.
        Returns ``(observations, rewards, terminals, truncations, infos)``: the buffers
        themselves. Raises ``ActionError`` for a wrong shape or dtype, ``StateError`` before
        ``reset`` or after ``close``.
        """
        ...

    def close(self) -> None:
        """Release everything the env holds (C memory, files, processes). Calling it twice is
        harmless."""
        ...


class Batch(NamedTuple):
    """What ``Backend.recv`` returns: results for a batch of agent rows.

    Every array has one row per agent in ``agent_ids`` (indices into the backend's full
    buffers); ``env_ids`` are the sub-envs those rows belong to. A batch made of contiguous rows
    is a view of the backend's buffers, not a copy. Over device buffers (``Serial(device=...)``)
    the arrays are those tensors; ``agent_ids`` and ``env_ids`` stay numpy arrays on the host.
    """

    observations: np.ndarray
    rewards: np.ndarray
    terminals: np.ndarray
    truncations: np.ndarray
    masks: np.ndarray
    infos: Infos
    agent_ids: np.ndarray
    env_ids: np.ndarray
    final_observations: np.ndarray | None = None
    """The rows' ``final_observations`` when the backend's buffers have them, else None."""


@runtime_checkable
class Backend(Env, Protocol):
    """Runs many env objects as one: an ``Env`` itself (so it composes), plus async stepping.

    The asynchronous cycle is ``async_reset(seed)``, then ``recv()`` -> ``send(actions)`` ->
    ``recv()`` -> ... ``recv`` returns a ``Batch`` of ``batch_size`` agent rows; ``send`` takes
    the actions for exactly the rows of the last batch received. Mixing ``step`` into the async
    cycle is a ``StateError``.
    """

    num_envs: int
    """Total sub-environments across every env object the backend runs."""

    def async_reset(self, seed: int | None = None) -> None:
        """Start resetting every sub-env (seeds as in ``reset``); results come from ``recv``."""
        ...

    def send(self, actions: np.ndarray) -> None:
        """Start stepping the rows of the last received batch with ``actions``."""
        ...

    def recv(self) -> Batch:
        """Wait for the next ready batch and return it. Raises the error of a failed env object
        (with its traceback) instead of hanging."""
        ...
