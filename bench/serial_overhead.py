"""Serial's own cost per batch step, over a trivial env, and proof that batches are not copied.

    python bench/serial_overhead.py [--steps 200000]

Prints the time of env.step called directly, of Serial.step over that env (1 object and 4
objects), of Serial.send+recv, and their differences: Serial's own cost per batch (target:
<= 2 us over the env's own step). Then checks that every returned array IS the backend's
buffer, and that each object's buffers are row slices of one contiguous block.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from envsdk import allocate, spaces
from envsdk.backends import Serial


class Trivial:
    """The cheapest env there is: step writes nothing and returns the buffers."""

    def __init__(self, *, num_envs: int = 1, buffers=None):
        self.single_observation_space = spaces.Box(0, 1, shape=(4,))
        self.single_action_space = spaces.Discrete(2)
        self.num_agents = num_envs
        self.buffers = buffers if buffers is not None else allocate(
            self.single_observation_space, self.single_action_space, num_envs)
        b = self.buffers
        self._out = (b.observations, b.rewards, b.terminals, b.truncations)

    def reset(self, seed=None):
        return self.buffers.observations, []

    def step(self, actions):
        return (*self._out, [])

    def close(self):
        pass


def per_call(fn, arg, steps: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` seconds per call of ``fn(arg)``."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn(arg)
        best = min(best, (time.perf_counter() - t0) / steps)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--num-envs", type=int, default=1024)
    args = parser.parse_args()
    n = args.num_envs

    env = Trivial(num_envs=n)
    env.reset()
    bare = per_call(env.step, env.buffers.actions, args.steps)

    one = Serial(Trivial, num_envs=n)
    one.reset()
    serial1 = per_call(one.step, one.buffers.actions, args.steps)
    four = Serial(Trivial, num_envs=n, envs_per_object=n // 4)
    four.reset()
    serial4 = per_call(four.step, four.buffers.actions, args.steps)
    four_bare = 4 * per_call(Trivial(num_envs=n // 4).step, None, args.steps)

    def send_recv(actions):
        one.send(actions)
        one.recv()

    one.async_reset()
    one.recv()
    async1 = per_call(send_recv, one.buffers.actions, args.steps)

    us = 1e6
    print(f"num_envs={n}, best of 5 x {args.steps} steps")
    print(f"  env.step (bare)                 {bare * us:7.3f} us")
    rows = [
        ("Serial.step, 1 object", serial1, bare),
        ("Serial.step, 4 objects", serial4, four_bare),
        ("Serial.send+recv, 1 object", async1, bare),
    ]
    for label, total, own_env in rows:
        print(f"  {label:<30} {total * us:7.3f} us   -> Serial's own cost {(total - own_env) * us:6.3f} us")
    print(f"  target: <= 2 us over the env's own step: {'met' if serial1 - bare <= 2e-6 else 'MISSED'}")

    # Zero-copy proof: results are the buffers themselves, and objects write into row slices.
    fields = ("observations", "rewards", "terminals", "truncations")
    out = four.step(four.buffers.actions)
    same = all(x is getattr(four.buffers, f) for x, f in zip(out[:4], fields, strict=True))
    four.async_reset()
    batch = four.recv()
    same_async = all(x is getattr(four.buffers, f) for x, f in zip(batch[:4], fields, strict=True))
    rows = n // 4
    sliced = all(
        getattr(sub.buffers, f).ctypes.data == getattr(four.buffers, f).ctypes.data
        + j * rows * getattr(four.buffers, f).strides[0]
        for j, sub in enumerate(four.envs) for f in fields
    )
    print(f"  step results are the buffers (no copy): {same}; recv batch is the buffers: {same_async}")
    print(f"  each object's buffers are row slices of one block: {sliced}")
    if not (same and same_async and sliced):
        raise SystemExit("a batch was copied")


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
