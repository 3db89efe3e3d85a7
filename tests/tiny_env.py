"""The source of a minimal third-party env module, for tests that install one (by entry point or path)."""

TINY_SOURCE = '''
import numpy as np
from envsdk import allocate, spaces

class Tiny:
    """tiny: a one-row env without CONTROLS or render (the page plays it with action buttons)."""
    def __init__(self, *, buffers=None):
        self.single_observation_space = spaces.Box(0, 1, shape=(1,))
        self.single_action_space = spaces.Discrete(2)
        self.num_agents = 1
        self.buffers = buffers if buffers is not None else allocate(
            self.single_observation_space, self.single_action_space, 1)
    def reset(self, seed=None):
        self.buffers.observations[:] = 0.5
        return self.buffers.observations, []
    def step(self, actions):
        b = self.buffers
        b.rewards[:] = actions
        return b.observations, b.rewards, b.terminals, b.truncations, []
    def close(self):
        pass
'''
