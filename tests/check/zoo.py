"""A zoo of envs with one deliberate defect each, for the checker's tests.

``Good`` is a small correct vectorized env; every other class changes one thing about it. They
live in an importable module (tests/check is on sys.path) so spawned workers can import them.

Good, per sub-env: a position x in [0, 1] moved by the action (0 left, 1 stay, 2 right) plus
noise from the sub-env's own RNG. Reward x. Terminal when a 5% draw hits; truncated after
``max_steps`` steps. Observation [x, t / max_steps].
"""

import dataclasses
import os

import numpy as np

from envsdk import allocate, spaces
from envsdk.buffers import Buffers, copy_actions


class Good:
    def __init__(self, *, num_envs=1, max_steps=20, buffers=None):
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents = num_envs * self.agents_per_env
        self.num_envs, self.max_steps = num_envs, max_steps
        if buffers is None:
            buffers = self._allocate()
        self.buffers = buffers.validate(self.single_observation_space, self.single_action_space, self.num_agents)
        n = self.num_agents
        self._rngs = []
        self._x, self._t, self._ret = np.zeros(n), np.zeros(n, np.int64), np.zeros(n)
        self._closed = False

    agents_per_env = 1

    def _allocate(self):
        return allocate(self.single_observation_space, self.single_action_space, self.num_agents)

    def _seed(self, seed):
        self._rngs = [np.random.default_rng(None if seed is None else seed + i) for i in range(self.num_agents)]

    def _noise(self):
        return np.array([r.random() for r in self._rngs])

    def _start(self, rows):
        self._x[rows] = [self._rngs[i].random() for i in rows]
        self._t[rows] = 0
        self._ret[rows] = 0.0

    def _observe(self):
        obs = self.buffers.observations
        obs[:, 0] = self._x
        obs[:, 1] = self._t / self.max_steps

    def reset(self, seed=None):
        self._seed(seed)
        self._start(np.arange(self.num_agents))
        b = self.buffers
        b.rewards[:] = 0.0
        b.terminals[:] = False
        b.truncations[:] = False
        self._observe()
        return b.observations, []

    def _flags(self, noise):
        terminal = noise < 0.05
        return terminal, ~terminal & (self._t >= self.max_steps)

    def _write_flags(self, terminal, truncated):
        self.buffers.terminals[:] = terminal
        self.buffers.truncations[:] = truncated

    def _stats(self, done):
        return {"episode_return": float(self._ret[done].mean()), "episode_length": float(self._t[done].mean()),
                "episode_count": int(done.size)}

    def step(self, actions):
        b = self.buffers
        copy_actions(b.actions, actions, type(self).__name__)
        noise = self._noise()
        self._x[:] = np.clip(self._x + (b.actions - 1) * 0.1 + (noise - 0.5) * 0.05, 0.0, 1.0)
        self._t += 1
        terminal, truncated = self._flags(noise)
        self._write_flags(terminal, truncated)
        b.rewards[:] = self._x
        self._ret += b.rewards
        done = np.flatnonzero(terminal | truncated)
        infos = []
        self._observe()
        if done.size:
            infos.append(self._stats(done))
            self._write_final(done)
            self._start(done)
            self._observe()
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def _write_final(self, done):
        if self.buffers.final_observations is not None:
            self.buffers.final_observations[done] = self.buffers.observations[done]

    def close(self):
        self._closed = True


# --- one defect each -------------------------------------------------------------------------


class RebindsBuffers(Good):
    """Allocates new buffers on every reset instead of writing into its own."""

    def reset(self, seed=None):
        self.buffers = self._allocate()
        return super().reset(seed)


class AstypeCopy(Good):
    """Keeps an .astype() copy of the observations it was given: a backend never sees them."""

    def __init__(self, *, buffers=None, **config):
        super().__init__(buffers=buffers, **config)
        obs = self.buffers.observations.astype(np.float32)  # a copy, even with the same dtype
        self.buffers = dataclasses.replace(self.buffers, observations=obs)


class ReturnsCopies(Good):
    """Returns copies of the buffers from step."""

    def step(self, actions):
        obs, rew, term, trunc, infos = super().step(actions)
        return obs.copy(), rew.copy(), term.copy(), trunc.copy(), infos


class StaleTerminal(Good):
    """Sets terminal flags but never clears them during steps (only reset does)."""

    def _write_flags(self, terminal, truncated):
        self.buffers.terminals[terminal] = True
        self.buffers.truncations[:] = truncated & ~self.buffers.terminals


class NeverTruncates(Good):
    """Reports the time limit as terminal; truncations stay False."""

    def _flags(self, noise):
        return (noise < 0.05) | (self._t >= self.max_steps), np.zeros(self.num_agents, bool)


class MixesFlags(Good):
    """Sets both terminal and truncation when the time limit hits."""

    def _flags(self, noise):
        limit = self._t >= self.max_steps
        return (noise < 0.05) | limit, limit


class NaNObservation(Good):
    """Writes NaN into the observation of every row on its episode's 7th step."""

    def _observe(self):
        super()._observe()
        self.buffers.observations[self._t == 7, 0] = np.nan


class OutOfBounds(Good):
    """Observes 2x its position: outside the Box(0, 1) it declares."""

    def _observe(self):
        super()._observe()
        self.buffers.observations[:, 0] *= 2.0


class GlobalRNG(Good):
    """Draws noise from numpy's process-global RNG, shared by every object."""

    def _seed(self, seed):
        super()._seed(seed)
        np.random.seed(seed)

    def _noise(self):
        return np.random.random(self.num_agents)


class IgnoresSeed(Good):
    """Seeds its RNGs from fresh entropy whatever reset's seed is."""

    def _seed(self, seed):
        super()._seed(None)


class WrongStats(Good):
    """Reports episode_length one short (forgets the final step)."""

    def _stats(self, done):
        return {**super()._stats(done), "episode_length": float(self._t[done].mean() - 1)}


class UncountedStats(Good):
    """Reports episode means without episode_count, so split runs cannot be compared by totals."""

    def _stats(self, done):
        stats = super()._stats(done)
        del stats["episode_count"]
        return stats


class LeaksPerStep(Good):
    """Keeps a copy of every observation in a history list."""

    def __init__(self, **config):
        super().__init__(**config)
        self.history = []

    def step(self, actions):
        out = super().step(actions)
        self.history.append(self.buffers.observations.copy())
        return out


class NoFinalObservations(Good):
    """Never writes final_observations, even when its buffers have them."""

    def _write_final(self, done):
        pass


class FinalOnEveryRow(Good):
    """Writes every row's observation into final_observations, ended or not."""

    def _write_final(self, done):
        if self.buffers.final_observations is not None:
            self.buffers.final_observations[...] = self.buffers.observations


class CloseNotIdempotent(Good):
    """Raises on the second close."""

    def close(self):
        if self._closed:
            raise RuntimeError("already closed")
        self._closed = True


class LeaksOnClose(Good):
    """Opens a file descriptor per object and never closes it."""

    def __init__(self, **config):
        super().__init__(**config)
        self._fd = os.open(os.devnull, os.O_RDONLY)


class RaisesInStep(Good):
    """Raises on its 50th step."""

    def __init__(self, **config):
        super().__init__(**config)
        self._calls = 0

    def step(self, actions):
        self._calls += 1
        if self._calls == 50:
            raise ValueError("boom on step 50")
        return super().step(actions)


class InconsistentMasks(Good):
    """Marks a row not live (masks False) on the very step it gets its final reward and terminal flag."""

    def _write_flags(self, terminal, truncated):
        super()._write_flags(terminal, truncated)
        self.buffers.masks[:] = ~terminal


class WrongBufferDtype(Good):
    """Allocates float64 rewards for itself (and skips validation)."""

    def __init__(self, *, num_envs=1, max_steps=20, buffers=None):
        self.single_observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_agents, self.num_envs, self.max_steps = num_envs, num_envs, max_steps
        b = buffers if buffers is not None else self._allocate()
        self.buffers = Buffers(b.observations, b.actions, np.zeros(num_envs, np.float64), b.terminals,
                               b.truncations, b.masks)
        self._rngs, self._closed = [], False
        self._x, self._t, self._ret = np.zeros(num_envs), np.zeros(num_envs, np.int64), np.zeros(num_envs)


class MissingMember:
    """Has every member of Good but close."""

    def __init__(self, *, num_envs=1, buffers=None):
        inner = Good(num_envs=num_envs, buffers=buffers)
        for name in ("single_observation_space", "single_action_space", "num_agents", "buffers", "reset", "step"):
            setattr(self, name, getattr(inner, name))


class NoBuffersParam(Good):
    """Its constructor takes no buffers=."""

    def __init__(self, *, num_envs=1, max_steps=20):
        super().__init__(num_envs=num_envs, max_steps=max_steps)


class PositionalConfig(Good):
    """Takes its config positionally as well as by keyword (a warning, not a failure)."""

    def __init__(self, num_envs=1, max_steps=20, buffers=None):
        super().__init__(num_envs=num_envs, max_steps=max_steps, buffers=buffers)


class NoRandomness(Good):
    """Has no randomness at all, so every seed gives the same trajectory (a warning)."""

    def _noise(self):
        return np.full(self.num_agents, 0.5)

    def _start(self, rows):
        super()._start(rows)
        self._x[rows] = 0.5


def make_good(**config):
    """A factory function rather than a class."""
    return Good(**config)
