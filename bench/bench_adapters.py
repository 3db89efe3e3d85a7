"""Each envsdk.compat adapter's cost per step, over the native env it wraps.

    python bench/bench_adapters.py [--num-envs 8] [--steps 20000] [--snake-rows 256]

Times ``step`` on the native ``envsdk.make("cartpole", num_envs=N)`` and through
``to_gymnasium``, ``to_sb3`` and ``to_torch`` (same actions, pre-generated), and PettingZoo's
dict API on snake (``to_pettingzoo`` vs native snake with the same agent rows). Prints steps
per second (batch steps x rows) and each adapter's overhead per batch step in us and %.
Adapters whose optional package is missing are skipped with the pip install that adds them.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import envsdk
from envsdk import compat


def per_step(step, actions: np.ndarray, repeats: int = 3) -> float:
    """Best-of-``repeats`` seconds per ``step(actions[t])`` over the pre-generated actions."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for a in actions:
            step(a)
        best = min(best, (time.perf_counter() - t0) / len(actions))
    return best


def row(name: str, seconds: float, rows: int, native: float | None) -> str:
    sps = rows / seconds
    if native is None:
        return f"{name:<30} {seconds * 1e6:9.2f} us/step {sps:14,.0f} SPS"
    extra = seconds - native
    return (f"{name:<30} {seconds * 1e6:9.2f} us/step {sps:14,.0f} SPS   "
            f"overhead {extra * 1e6:+8.2f} us ({extra / native:+7.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--snake-rows", type=int, default=256, help="snakes in one snake sub-env (agent rows)")
    args = parser.parse_args()
    n, steps = args.num_envs, args.steps
    rng = np.random.default_rng(0)

    print(f"cartpole, num_envs={n}, {steps} steps (best of 3)")
    actions = rng.integers(0, 2, size=(steps, n), dtype=np.int32)
    native = envsdk.make("cartpole", num_envs=n)
    native.reset(seed=0)
    base = per_step(native.step, actions)
    print(row("native envsdk", base, n, None))

    def adapter(name, build, step_of, acts):
        try:
            env = build()
        except compat.ExtraNotInstalledError as e:
            print(f"{name:<30} skipped: {str(e).split('Fix: ')[-1]}")
            return
        print(row(name, per_step(step_of(env), acts), n, base))
        env.close()

    def gym_env(copy):
        env = compat.to_gymnasium(envsdk.make("cartpole", num_envs=n), copy=copy)
        env.reset(seed=0)
        return env

    adapter("to_gymnasium", lambda: gym_env(False), lambda e: e.step, actions.astype(np.int64))
    adapter("to_gymnasium(copy=True)", lambda: gym_env(True), lambda e: e.step, actions.astype(np.int64))

    def sb3_env():
        env = compat.to_sb3(envsdk.make("cartpole", num_envs=n))
        env.reset()
        return env

    adapter("to_sb3", sb3_env, lambda e: e.step, actions.astype(np.int64))

    def torch_env():
        env = compat.to_torch(envsdk.make("cartpole", num_envs=n))
        env.reset(seed=0)
        return env

    try:
        import torch

        torch_actions = [torch.from_numpy(a).long() for a in actions]
    except ImportError:
        torch_actions = list(actions)
    adapter("to_torch (cpu, int64 tensors)", torch_env, lambda e: e.step, torch_actions)

    rows = args.snake_rows
    print(f"\nsnake, 1 sub-env x {rows} snakes = {rows} agent rows, {steps // 10} steps (best of 3)")
    config = dict(snakes=rows, width=128, height=128, food=256)
    snake_actions = rng.integers(0, 4, size=(steps // 10, rows), dtype=np.int32)
    native = envsdk.make("snake", **config)
    native.reset(seed=0)
    snake_base = per_step(native.step, snake_actions)
    print(row("native envsdk", snake_base, rows, None))
    try:
        pz = compat.to_pettingzoo(envsdk.make("snake", **config))
    except compat.ExtraNotInstalledError as e:
        print(f"{'to_pettingzoo':<30} skipped: {str(e).split('Fix: ')[-1]}")
        return

    index = {a: i for i, a in enumerate(pz.possible_agents)}

    def pz_step(acts):
        # PettingZoo's episode ends once every snake died; start a new one then, as a user would.
        if not pz.agents:
            pz.reset()
        pz.step({a: acts[index[a]] for a in pz.agents})

    pz.reset(seed=0)
    dict_actions = [a.tolist() for a in snake_actions]
    print(row("to_pettingzoo (dict API)", per_step(pz_step, dict_actions), rows, snake_base))
    pz.close()


if __name__ == "__main__":
    main()
