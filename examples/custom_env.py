"""A pure-Python envsdk env: plain Python logic, one sub-env, no base class.

It imports nothing from envsdk but the allocator and the spaces. Run it alone::

    python examples/custom_env.py

or many copies as one env: ``envsdk.make(Corridor, num_envs=8)`` (``backend="serial"``).
"""

from __future__ import annotations

import random

import numpy as np

from envsdk import allocate, spaces


class Corridor:
    """Walk right along a corridor of ``length`` cells to the exit.

    - Observation ``[2]`` float32: position / (length - 1), steps taken / max_steps.
    - Action ``Discrete(2)``: 0 = left, 1 = right; with probability ``slip`` the move goes the
      other way. Any other value is treated as "right" (documented bad-action rule).
    - Reward: +1 on reaching the exit (terminal), -0.01 per other step.
    - Truncated after ``max_steps`` steps.
    """

    def __init__(self, *, length: int = 8, max_steps: int = 32, slip: float = 0.1, buffers=None):
        if length < 2 or max_steps < 1 or not 0.0 <= slip <= 1.0:
            raise ValueError(
                f"Corridor: expected length >= 2, max_steps >= 1, 0 <= slip <= 1, found "
                f"length={length}, max_steps={max_steps}, slip={slip}. Fix: pass values in range."
            )
        self.length, self.max_steps, self.slip = length, max_steps, slip
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.num_agents = 1
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, 1)
        self.buffers = buffers.validate(
            self.single_observation_space, self.single_action_space, 1, owner="Corridor.buffers"
        )
        self._rng = random.Random()  # RNG state lives in the env, never the global one
        self._pos = self._t = 0
        self._return = 0.0

    def _start(self) -> None:
        self._pos = self._rng.randrange(self.length - 1)
        self._t = 0
        self._return = 0.0
        self._observe()

    def _observe(self) -> None:
        self.buffers.observations[0] = (self._pos / (self.length - 1), self._t / self.max_steps)

    def reset(self, seed: int | None = None):
        self._rng.seed(seed)
        b = self.buffers
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._start()
        return b.observations, []

    def step(self, actions):
        b = self.buffers
        if actions is not b.actions:
            b.actions[...] = actions
        move = -1 if b.actions[0] == 0 else 1
        if self._rng.random() < self.slip:
            move = -move
        self._pos = min(max(self._pos + move, 0), self.length - 1)
        self._t += 1
        terminal = self._pos == self.length - 1
        truncated = not terminal and self._t >= self.max_steps
        reward = 1.0 if terminal else -0.01
        self._return += reward
        b.rewards[0], b.terminals[0], b.truncations[0] = reward, terminal, truncated
        infos = []
        self._observe()
        if terminal or truncated:  # same-step autoreset: the observation starts the next episode
            infos.append({"episode_return": self._return, "episode_length": self._t, "episode_count": 1})
            if b.final_observations is not None:  # asked for: the ended episode's last observation
                b.final_observations[0] = b.observations[0]
            self._start()
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        pass


if __name__ == "__main__":
    env = Corridor()
    obs, _ = env.reset(seed=0)
    for _ in range(100):
        obs, rew, term, trunc, infos = env.step(np.ones(1, np.int32))
        for info in infos:
            print(info)
    env.close()
