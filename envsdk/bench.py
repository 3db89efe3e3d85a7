"""Throughput measurement shared by ``envsdk bench`` and the scripts under ``bench/``."""

from __future__ import annotations

import time
from dataclasses import dataclass

from envsdk import spaces
from envsdk._arrays import write


@dataclass
class Throughput:
    """Steps per second of one env at one size."""

    name: str
    num_envs: int
    num_agents: int
    steps: int
    seconds: float

    @property
    def sps(self) -> float:
        """Agent steps per second (agent rows x batch steps / seconds)."""
        return self.num_agents * self.steps / self.seconds

    @property
    def us_per_step(self) -> float:
        """Microseconds per batch step."""
        return 1e6 * self.seconds / self.steps


def measure(env, name: str, seconds: float = 1.0, seed: int = 0, warmup: int = 10, actions=None,
            calibration: float = 0.1) -> Throughput:
    """Time ``env.step`` on fixed actions for about ``seconds``, after ``reset(seed=seed)``.

    ``actions`` (broadcast into the actions buffer) defaults to random valid ones. They are
    written once and left in ``env.buffers.actions``, so only the env is timed. Before timing,
    ``warmup`` steps run, then about ``calibration`` seconds (up to twice that) of untimed steps
    size the batch of steps run between clock reads.
    """
    env.reset(seed=seed)
    if actions is None:
        actions = spaces.sample(env.single_action_space, env.num_agents, rng=seed)
    write(env.buffers.actions, actions)  # numpy or device buffers alike
    actions, step = env.buffers.actions, env.step
    for _ in range(warmup):
        step(actions)
    # Calibrate a batch count that takes about `calibration` s, then time whole batches until `seconds`.
    chunk, t0 = 1, time.perf_counter()
    while time.perf_counter() - t0 < calibration:
        for _ in range(chunk):
            step(actions)
        chunk *= 2
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(chunk):
            step(actions)
        steps += chunk
    return Throughput(name, getattr(env, "num_envs", env.num_agents), env.num_agents, steps, elapsed)


def default_sizes(factory, config: dict, rows: tuple[int, ...] = (1024, 4096)) -> list[int]:
    """Sub-env counts that give about ``rows`` agent rows each (at least one sub-env).

    One probe object, built with ``config`` (and ``num_envs=1`` if the factory takes it), tells
    the agent rows per sub-env; an env of one sub-env per object is probed as it is.
    """
    from envsdk.backends._factory import build, takes_num_envs

    probe = build(factory, {"num_envs": 1, **config} if takes_num_envs(factory) else dict(config), None)
    try:
        per = probe.num_agents
    finally:
        probe.close()
    return [max(1, r // per) for r in rows]


def format_sps(sps: float) -> str:
    """``12.3M`` / ``45.6K`` style figure."""
    return f"{sps / 1e6:.1f}M" if sps >= 1e6 else f"{sps / 1e3:.1f}K"

