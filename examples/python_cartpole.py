"""Gymnasium's CartPole-v1 as a plain-Python envsdk env: one sub-env, no numpy in the hot path.

The step writes its results through memoryviews of the buffers (a numpy scalar assignment costs
about 100 ns; a memoryview item about 30), so a Python env stays cheap enough for the
multiprocessing backend to pay off. Run it alone::

    python examples/python_cartpole.py
"""

from __future__ import annotations

import math
import random

import numpy as np

from envsdk import allocate, spaces

# Gymnasium's constants (CartPole-v1).
GRAVITY, MASSCART, MASSPOLE, LENGTH, FORCE_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL_MASS = MASSPOLE + MASSCART
POLEMASS_LENGTH = MASSPOLE * LENGTH
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4


class PyCartPole:
    """One cart-pole with Gymnasium's CartPole-v1 dynamics, in plain Python.

    Observation ``[4]`` float32 (x, x_dot, theta, theta_dot); action ``Discrete(2)`` (1 pushes
    right, anything else left); reward 1 every step; terminal when the pole falls or the cart
    leaves the track; truncated at ``max_steps``.
    """

    def __init__(self, *, max_steps: int = 500, buffers=None):
        if max_steps < 1:
            raise ValueError(f"PyCartPole: expected max_steps >= 1, found {max_steps}. Fix: pass 500.")
        self.max_steps = max_steps
        high = np.array([2 * X_THRESHOLD, np.inf, 2 * THETA_THRESHOLD, np.inf], np.float32)
        self.single_observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.num_agents = 1
        if buffers is None:
            buffers = allocate(self.single_observation_space, self.single_action_space, 1)
        self.buffers = buffers.validate(self.single_observation_space, self.single_action_space, 1,
                                        owner="PyCartPole.buffers")
        b = self.buffers
        self._obs = memoryview(b.observations.reshape(-1))  # 4 floats, written in place
        self._act, self._rew = memoryview(b.actions), memoryview(b.rewards)
        self._term, self._trunc = memoryview(b.terminals), memoryview(b.truncations)
        self._rng = random.Random()
        self._state = (0.0, 0.0, 0.0, 0.0)
        self._t = 0

    def _start(self) -> None:
        u = self._rng.uniform
        self._state = (u(-0.05, 0.05), u(-0.05, 0.05), u(-0.05, 0.05), u(-0.05, 0.05))
        self._t = 0
        self._obs[0], self._obs[1], self._obs[2], self._obs[3] = self._state

    def reset(self, seed: int | None = None):
        self._rng.seed(seed)
        self._rew[0], self._term[0], self._trunc[0] = 0.0, False, False
        self._start()
        return self.buffers.observations, []

    def step(self, actions):
        if actions is not self.buffers.actions:
            self.buffers.actions[...] = actions
        x, x_dot, theta, theta_dot = self._state
        force = FORCE_MAG if self._act[0] == 1 else -FORCE_MAG
        costheta, sintheta = math.cos(theta), math.sin(theta)
        temp = (force + POLEMASS_LENGTH * theta_dot**2 * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            LENGTH * (4.0 / 3.0 - MASSPOLE * costheta**2 / TOTAL_MASS)
        )
        xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x, x_dot = x + TAU * x_dot, x_dot + TAU * xacc
        theta, theta_dot = theta + TAU * theta_dot, theta_dot + TAU * thetaacc
        self._t += 1
        terminal = x < -X_THRESHOLD or x > X_THRESHOLD or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD
        truncated = not terminal and self._t >= self.max_steps
        self._rew[0], self._term[0], self._trunc[0] = 1.0, terminal, truncated
        self._obs[0], self._obs[1], self._obs[2], self._obs[3] = x, x_dot, theta, theta_dot
        infos = []
        b = self.buffers
        if terminal or truncated:  # same-step autoreset
            infos.append({"episode_return": float(self._t), "episode_length": self._t, "episode_count": 1})
            if b.final_observations is not None:  # asked for: the ended episode's last observation
                b.final_observations[0] = b.observations[0]
            self._start()
        else:
            self._state = (x, x_dot, theta, theta_dot)
        return b.observations, b.rewards, b.terminals, b.truncations, infos

    def close(self) -> None:
        pass


if __name__ == "__main__":
    env = PyCartPole()
    env.reset(seed=0)
    for _ in range(200):
        *_, infos = env.step(np.ones(1, np.int32))
        for info in infos:
            print(info)
