"""Small torch-native envs for the device-buffer tests: one that keeps the contract, and faulty ones.

``TorchWalk`` is a 1-D random walk per sub-env written as tensor ops (no Python loop over
sub-envs): each step a sub-env moves by its action (-1, 0, +1) plus noise from its own RNG
state (a 64-bit LCG per sub-env, seeded ``s + i``), ends as terminal at ``|pos| >= limit`` and
is truncated at ``max_steps``. Its buffers are torch tensors on one device; with
``buffers=None`` it allocates on ``device`` (default: CPU), and given buffers it reads the device
from them, as the protocol asks. Importable by spawned workers and by ``envsdk check``.
"""

from __future__ import annotations

import os

import torch

from envsdk import allocate, spaces
from envsdk.buffers import copy_actions
from envsdk.errors import StateError
from envsdk.seeding import check_seed

_MUL, _INC = 6364136223846793005, 1442695040888963407  # Knuth's MMIX LCG (wraps modulo 2**64)


def _signed(x: int) -> int:
    """``x`` in ``[0, 2**64)`` as the int64 with the same bits."""
    return x - 2**64 if x >= 2**63 else x


class TorchWalk:
    """A vectorized random walk on torch tensors; see the module docstring."""

    def __init__(self, *, num_envs: int = 1, max_steps: int = 16, limit: int = 3, device="cpu", buffers=None):
        self.single_observation_space = spaces.Box(-2, 2, shape=(2,))
        self.single_action_space = spaces.Discrete(3)
        self.num_envs = self.num_agents = num_envs
        self.max_steps, self.limit = max_steps, limit
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, num_envs, device=device)
        self.buffers = buffers.validate(self.single_observation_space, self.single_action_space, num_envs,
                                        owner=f"{type(self).__name__}.buffers")
        self.device = self.buffers.device
        zeros = lambda dtype: torch.zeros(num_envs, dtype=dtype, device=self.device)  # noqa: E731
        self._pos, self._t, self._rng = zeros(torch.int64), zeros(torch.int64), zeros(torch.int64)
        self._return = zeros(torch.float32)
        self._started = self._closed = False

    def _draw(self) -> torch.Tensor:
        """Advance every sub-env's RNG once; 31 high bits of each state."""
        self._rng.mul_(_MUL).add_(_INC)
        return (self._rng >> 33) & 0x7FFFFFFF

    def _observe(self, out: torch.Tensor) -> None:
        out[:, 0] = self._pos.float() / self.limit
        out[:, 1] = self._t.float() / self.max_steps

    def reset(self, seed=None):
        if self._closed:
            raise StateError(f"{type(self).__name__}.reset: expected an open env, found it closed. Fix: build a "
                             "new one.")
        seed = check_seed(f"{type(self).__name__}.reset", seed)
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        self._rng.copy_(torch.arange(self.num_envs, device=self.device) + _signed(seed % 2**64))
        self._draw()
        self._pos.copy_(self._draw() % 5 - 2)
        self._t.zero_()
        self._return.zero_()
        b = self.buffers
        self._observe(b.observations)
        b.rewards.zero_()
        b.terminals.zero_()
        b.truncations.zero_()
        self._started = True
        return b.observations, []

    def step(self, actions):
        if not self._started:
            raise StateError(f"{type(self).__name__}.step: expected reset() first. Fix: call reset(seed=...) once.")
        b = self.buffers
        copy_actions(b.actions, actions, f"{type(self).__name__}.step")
        move = torch.where((b.actions >= 0) & (b.actions <= 2), b.actions.long() - 1, 0)  # out of range: no move
        self._pos += move + self._draw() % 3 - 1
        self._t += 1
        terminal = self._pos.abs() >= self.limit
        cut = (self._t >= self.max_steps) & ~terminal
        reward = -self._pos.abs().float() / self.limit
        b.rewards.copy_(reward)
        b.terminals.copy_(terminal)
        b.truncations.copy_(cut)
        self._return += reward
        done = terminal | cut
        infos = []
        count = int(done.sum())  # one sync per step: infos are host data
        if count:
            if b.final_observations is not None:
                ended = torch.empty_like(b.observations)
                self._observe(ended)
                b.final_observations[done] = ended[done]
            infos.append({"episode_return": float(self._return[done].mean()),
                          "episode_length": float(self._t[done].float().mean()), "episode_count": count})
            self._pos = torch.where(done, self._draw() % 5 - 2, self._pos)
            self._t[done] = 0
            self._return[done] = 0
        else:
            self._draw()  # every sub-env's RNG advances the same whether or not any episode ended
        self._observe(b.observations)
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        self._closed, self._started = True, False


class ReturnsCopies(TorchWalk):
    """Faulty: step returns a copy of the observations instead of the buffer."""

    def step(self, actions):
        obs, *rest = super().step(actions)
        return (obs.clone(), *rest)


class SkipsLastReward(TorchWalk):
    """Faulty: step leaves the last row's reward as it was."""

    def step(self, actions):
        last = self.buffers.rewards[-1].clone()
        out = super().step(actions)
        self.buffers.rewards[-1] = last
        return out


class DeclaresNoDevice(TorchWalk):
    """Faulty: tensor buffers, but no ``device`` member saying where they live."""

    def __init__(self, **config):
        super().__init__(**config)
        self.device = None


class GlobalNoise(TorchWalk):
    """Faulty: draws its noise from torch's process-global RNG, so seeds do not repeat runs."""

    def _draw(self) -> torch.Tensor:
        self._rng.mul_(_MUL).add_(_INC)
        return torch.randint(0, 2**31 - 1, self._rng.shape, device=self.device)
