"""A numpy-vectorized envsdk env: many sub-envs, no Python loop over agents.

Each sub-env owns its RNG state (one uint64 per row, SplitMix64), so sub-env ``i`` seeded with
``seed + i`` produces the same episodes whether it runs in an object of 1 or 4096 sub-envs.
Run it alone::

    python examples/vectorized_env.py
"""

from __future__ import annotations

import numpy as np

from envsdk import allocate, spaces

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)

# Moves for actions 0..4: stay, up, down, left, right (dx, dy).
_MOVES = np.array([[0, 0], [0, -1], [0, 1], [-1, 0], [1, 0]], dtype=np.int64)


def _splitmix64(state: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Advance the RNG of ``rows`` one draw; return one uint64 per row (arrays wrap mod 2^64)."""
    s = state[rows] + _GOLDEN
    state[rows] = s
    z = (s ^ (s >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


class GridReach:
    """``num_envs`` agents, each on its own ``size x size`` grid, walking to a target cell.

    - Observation ``[4]`` float32: agent x, y and target x, y, divided by ``size - 1``.
    - Action ``Discrete(5)``: stay, up, down, left, right. Moves into a wall stay put; values
      outside 0..4 are clipped into range (documented bad-action rule).
    - Reward: +1 on reaching the target (terminal), 0 otherwise. Truncated after ``max_steps``.
    """

    def __init__(self, *, num_envs: int = 1, size: int = 8, max_steps: int = 64, buffers=None):
        if num_envs < 1 or size < 2 or max_steps < 1:
            raise ValueError(
                f"GridReach: expected num_envs >= 1, size >= 2, max_steps >= 1, found "
                f"num_envs={num_envs}, size={size}, max_steps={max_steps}. Fix: pass values in range."
            )
        self.size, self.max_steps = size, max_steps
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(4,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(5)
        self.num_agents = num_envs
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, num_envs)
        self.buffers = buffers.validate(
            self.single_observation_space, self.single_action_space, num_envs, owner="GridReach.buffers"
        )
        self._rng = np.zeros(num_envs, np.uint64)
        self._pos = np.zeros((num_envs, 2), np.int64)   # agent x, y
        self._goal = np.zeros((num_envs, 2), np.int64)  # target x, y
        self._t = np.zeros(num_envs, np.int64)
        self._return = np.zeros(num_envs, np.float64)

    def _start(self, rows: np.ndarray) -> None:
        size = np.uint64(self.size)
        for cells in (self._pos, self._goal):
            cells[rows, 0] = _splitmix64(self._rng, rows) % size
            cells[rows, 1] = _splitmix64(self._rng, rows) % size
        same = np.all(self._pos[rows] == self._goal[rows], axis=1)
        self._goal[rows[same], 0] = (self._goal[rows[same], 0] + 1) % self.size
        self._t[rows] = 0
        self._return[rows] = 0.0

    def _observe(self, rows: np.ndarray | None = None) -> None:
        """Write the observation of ``rows`` (every row when None)."""
        obs = self.buffers.observations
        scale = np.float32(1.0 / (self.size - 1))
        if rows is None:
            np.multiply(self._pos, scale, out=obs[:, :2], casting="unsafe")
            np.multiply(self._goal, scale, out=obs[:, 2:], casting="unsafe")
        else:
            obs[rows, :2] = self._pos[rows] * scale
            obs[rows, 2:] = self._goal[rows] * scale

    def reset(self, seed: int | None = None):
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self._rng[:] = (np.arange(self.num_agents, dtype=np.uint64) + np.uint64(seed % 2**64))
        b = self.buffers
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._start(np.arange(self.num_agents))
        self._observe()
        return b.observations, []

    def step(self, actions):
        b = self.buffers
        if actions is not b.actions:
            b.actions[...] = actions
        move = _MOVES[np.clip(b.actions, 0, 4)]
        np.clip(self._pos + move, 0, self.size - 1, out=self._pos)
        self._t += 1
        terminal = np.all(self._pos == self._goal, axis=1)
        b.terminals[:] = terminal
        np.logical_and(self._t >= self.max_steps, ~terminal, out=b.truncations)
        b.rewards[:] = terminal
        self._return += b.rewards
        done = np.flatnonzero(terminal | b.truncations)
        infos = []
        self._observe()
        if done.size:  # Python work only when an episode ended
            infos.append({
                "episode_return": float(self._return[done].mean()),
                "episode_length": float(self._t[done].mean()),
                "episode_count": int(done.size),
            })
            if b.final_observations is not None:  # asked for: the ended episodes' last observations
                b.final_observations[done] = b.observations[done]
            self._start(done)  # same-step autoreset
            self._observe(done)
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        pass


if __name__ == "__main__":
    env = GridReach(num_envs=1024)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(200):
        _, _, _, _, infos = env.step(rng.integers(0, 5, size=1024, dtype=np.int32))
    print(infos)
    env.close()
