"""What torch-native envs share: per-sub-env counter RNG, the episode log, and their buffers.

A torch-native env (``envsdk.envs.cartpole_torch``, ``envsdk.envs.drive_torch``) simulates every
sub-env at once with tensor operations on the device its buffers live on. Three things every such
env needs live here, so each env file holds its rules and nothing else:

- ``Streams``: one SplitMix64 stream per sub-env, in int64 tensor operations. SplitMix64 (Steele,
  Lea and Flood 2014; the RNG of the C sims, ``envsdk_rng_next`` in ``envsdk/include/envsdk.h``)
  is counter-based: its state is a 64-bit counter that each draw advances by the constant
  ``0x9E3779B97F4A7C15``, and the draw is a fixed mixing function of the counter. So the ``k``
  next draws of every sub-env are one batched expression, ``mix(state + j * GAMMA)`` for
  ``j = 1..k`` (``Streams.draw``), with no loop and no sequential dependence between sub-envs.
  Unsigned arithmetic is done in int64, whose addition and multiplication wrap modulo 2**64 in
  two's complement, the same bits; right shifts are made logical with a mask. Sub-env ``i`` of
  ``reset(seed=s)`` starts at ``(s + i) % 2**64``, as a C sim's does, and draws exactly the
  numbers ``envsdk_rng_next`` would from that state, so a stream never depends on how many
  sub-envs share a tensor (bit-identical whatever the split) nor on the device.
- ``EpisodeLog``: the sums of finished episodes' statistics, kept on the device (float64) and
  read by the host once every ``report_every`` steps: that read (a device sync of a few numbers)
  is the only host round trip of a step, and a step with no report makes none.
- ``bind_buffers``: the env's buffers, torch tensors on one device, allocated with
  ``envsdk.allocate(..., device=device)`` when the env is given none; numpy buffers handed in by a
  host backend are computed on through CPU tensor views of the same memory.
"""

from __future__ import annotations

import envsdk
from envsdk.buffers import Buffers, copy_actions, validate
from envsdk.errors import StateError, require
from envsdk.seeding import check_seed, random_seed

# The torch-native envs need envsdk's train extra; without it, naming one (make, check, serve) raises
# MissingExtraError with the pip command, instead of a bare "No module named 'torch'".
torch = require("torch", "train", "the torch-native envs (cartpole_torch, drive_torch)", package="torch")

GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment (the golden ratio in 64 bits)


def _signed(u: int) -> int:
    """The int64 holding the bits of the uint64 ``u`` (in ``[0, 2**64)``)."""
    return u - 2**64 if u >= 2**63 else u


_GAMMA, _M1, _M2 = _signed(GAMMA), _signed(0xBF58476D1CE4E5B9), _signed(0x94D049BB133111EB)


def _shr(z: torch.Tensor, k: int) -> torch.Tensor:
    """``z >> k`` as uint64 would shift: torch's int64 shift is arithmetic, so mask the sign's copies."""
    return (z >> k) & ((1 << (64 - k)) - 1)


def mix(z: torch.Tensor) -> torch.Tensor:
    """SplitMix64's output function of a counter value (int64 bits of a uint64), elementwise."""
    z = (z ^ _shr(z, 30)) * _M1
    z = (z ^ _shr(z, 27)) * _M2
    return z ^ _shr(z, 31)


def unit_float64(words: torch.Tensor) -> torch.Tensor:
    """Uniform float64 in [0, 1) from the top 53 bits of each random word (as the C cartpole draws)."""
    return _shr(words, 11).to(torch.float64) * 2.0**-53


def unit_float32(words: torch.Tensor) -> torch.Tensor:
    """Uniform float32 in [0, 1) from the top 24 bits of each random word (``envsdk_rng_uniform``)."""
    return _shr(words, 40).to(torch.float32) * 2.0**-24


class Streams:
    """One SplitMix64 stream per sub-env: ``state`` is an int64 tensor ``[num_envs]`` on ``device``."""

    def __init__(self, num_envs: int, device: torch.device):
        self.state = torch.zeros(num_envs, dtype=torch.int64, device=device)
        self._offsets: dict[int, torch.Tensor] = {}

    def seed(self, seed: int) -> None:
        """Sub-env ``i`` starts at ``(seed + i) % 2**64`` (``seed`` already checked, in ``[0, 2**64)``)."""
        torch.arange(self.state.numel(), out=self.state)
        self.state += _signed(seed)  # wraps modulo 2**64, as the uint64 sum does

    def draw(self, k: int, rows: torch.Tensor | None = None) -> torch.Tensor:
        """The next ``k`` draws of every stream (or of the sub-envs ``rows``, int64 indices),
        ``[num_envs or len(rows), k]`` int64, without advancing them.

        Row ``i`` is what ``k`` calls of ``envsdk_rng_next`` on sub-env ``i``'s state return.
        ``advance`` then moves on the streams that used them.
        """
        offsets = self._offsets.get(k)
        if offsets is None:  # j * GAMMA for j = 1..k, wrapped: built once per k
            offsets = self._offsets[k] = torch.tensor([_signed(j * GAMMA % 2**64) for j in range(1, k + 1)],
                                                      dtype=torch.int64, device=self.state.device)
        state = self.state if rows is None else self.state[rows]
        return mix(state[:, None] + offsets)

    def advance(self, k: int, where: torch.Tensor | None = None, rows: torch.Tensor | None = None) -> None:
        """Move the streams past ``k`` draws: all of them, those where the bool ``where`` is True, or
        the sub-envs ``rows`` (int64 indices)."""
        step = _signed(k * GAMMA % 2**64)
        if rows is not None:
            self.state[rows] += step
        elif where is None:
            self.state += step
        else:
            self.state += where.to(torch.int64) * step


def sync_free(device: torch.device) -> bool:
    """Whether a step on ``device`` must avoid reading tensors on the host (a device sync).

    On a GPU, restarting only the sub-envs that ended needs their indices on the host (a sync
    that stalls the queue of kernels every step), so every sub-env's next start is computed and
    ``torch.where`` keeps the ended ones'. On the CPU reading a tensor costs nothing, and
    computing starts for the ended sub-envs alone saves most of that work. Both ways give the
    same bits: a sub-env's stream only moves when it restarts.
    """
    return device.type != "cpu"


class EpisodeLog:
    """Sums over the episodes finished since the last report, on the device; reported every n steps.

    ``keys`` are the info keys after ``episode_count`` (e.g. ``("episode_return", "episode_length")``).
    ``add(ended, values)`` adds the rows where ``ended`` is True; ``report()``, called once per step,
    returns ``[]`` except on every ``report_every``-th step since ``clear()`` with episodes in the log,
    where it returns ``[{"episode_count": k, key: mean, ...}]`` as the C sims' reports do.
    """

    def __init__(self, keys: tuple[str, ...], device: torch.device, report_every: int):
        self.keys, self.report_every = keys, report_every
        self.sums = torch.zeros(1 + len(keys), dtype=torch.float64, device=device)
        self.since_report = 0

    def clear(self) -> None:
        """Forget every episode and restart the step count (``reset`` calls it)."""
        self.sums.zero_()
        self.since_report = 0

    def add(self, ended: torch.Tensor, values: tuple[torch.Tensor, ...]) -> None:
        """Add the episodes of the rows where ``ended`` is True, one value per key (same shape as ``ended``)."""
        e = ended.to(torch.float64)
        self.sums += torch.stack([e.sum(), *((v.to(torch.float64) * e).sum() for v in values)])

    def report(self) -> list[dict]:
        """The step's infos: ``[]``, or on every ``report_every``-th step with episodes logged, their means."""
        self.since_report += 1
        if self.since_report < self.report_every:
            return []
        self.since_report = 0
        sums = self.sums.tolist()  # the step's one host read (a device sync)
        if sums[0] <= 0:
            return []
        self.sums.zero_()
        count = sums[0]
        return [{"episode_count": int(count), **{k: s / count for k, s in zip(self.keys, sums[1:], strict=True)}}]


def bind_buffers(env, buffers, device, owner: str):
    """``env``'s buffers and the tensors it computes through. Returns ``(buffers, device, tensors)``.

    ``buffers`` None: new ones from ``envsdk.allocate(..., device=device)``. Given buffers are
    validated (``BuffersError`` for anything unfit). Tensor buffers are used as they are (``tensors``
    is ``buffers``; ``device`` is theirs). Numpy buffers (a host backend's rows, e.g. ``Serial``
    without ``device=``) are used through zero-copy CPU tensor views (``torch.from_numpy``): the env
    then declares no device (``device`` None) and returns the numpy arrays, written in place.
    """
    if buffers is None:
        buffers = envsdk.allocate(env.single_observation_space, env.single_action_space, env.num_agents,
                                  device=device)
    buffers = validate(buffers, env.single_observation_space, env.single_action_space, env.num_agents,
                       owner=f"{owner}.buffers")
    if buffers.device is not None:
        return buffers, buffers.device, buffers
    views = Buffers(**{f: torch.from_numpy(getattr(buffers, f)) for f in buffers.field_names})
    return buffers, None, views


def step_actions(buffers, tensors, actions, owner: str) -> torch.Tensor:
    """The actions as a tensor (``tensors.actions``) after copying ``actions`` into ``buffers.actions``
    (unless they are it)."""
    if actions is not buffers.actions:
        copy_actions(buffers.actions, actions, f"{owner}.step")
    return tensors.actions


def checked_seed(owner: str, seed) -> int:
    """``seed`` checked as every env checks it (``envsdk.seeding``); fresh entropy for None."""
    seed = check_seed(f"{owner}.reset", seed)
    return random_seed() if seed is None else seed


def not_closed(closed: bool, owner: str, method: str) -> None:
    """``StateError`` naming ``owner.method`` when the env is closed."""
    if closed:
        raise StateError(f"{owner}.{method}: expected an open env, found it closed. Fix: build a new env.")


def not_before_reset(started: bool, owner: str) -> None:
    """``StateError`` naming ``owner.step`` when the env was never reset."""
    if not started:
        raise StateError(f"{owner}.step: expected reset() before step(), found no reset. Fix: call "
                         "reset(seed=...) first.")
