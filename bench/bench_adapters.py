"""Each envsdk.compat adapter's cost per step, over the native env it wraps.

    python bench/bench_adapters.py [--env cartpole] [--num-envs 8] [--rounds 200] [--steps-per-round 100]
                                   [--snake-rows 256]

Times ``step`` on the native ``envsdk.make(ENV, num_envs=N, final_observations=True)`` (``--env``: a
bundled env with one agent per sub-env and Discrete actions; default cartpole; every arm's env has
the final observations ``to_gymnasium`` and ``to_sb3`` give by default) and through ``to_gymnasium`` (its
default, which copies every result as Gymnasium's vector envs do, and ``copy=False``), its
default under Gymnasium's own ``RecordEpisodeStatistics`` wrapper, ``to_sb3`` and ``to_torch``,
all on the same pre-generated actions. Then PettingZoo's dict API on snake (``to_pettingzoo`` vs
native snake with the same agent rows; ``--snake-rows 0`` skips it).

The arms run in interleaved rounds (every round runs each arm for ``--steps-per-round`` steps,
in turn), so all arms see the same machine state; on a loaded machine separately timed figures
drift by far more than the differences looked for. Printed per arm: the median microseconds
per batch step over the rounds, with the quartiles, steps per second (batch steps x rows), and
the overhead over native: the median over rounds of (arm - native) in the same round.
Adapters whose optional package is missing are skipped with the pip install that adds them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import envsdk
from envsdk import compat
from envsdk.errors import MissingExtraError


def interleaved(arms: dict[str, Callable[[], None]], rounds: int, steps: int) -> dict[str, np.ndarray]:
    """Seconds per step of each arm (``{name: one round of ``steps`` steps}``), one value per round."""
    times = {name: np.empty(rounds) for name in arms}
    for r in range(rounds):
        for name, run in arms.items():
            t0 = time.perf_counter()
            run()
            times[name][r] = (time.perf_counter() - t0) / steps
    return times


def stepper(step, actions: list, steps: int) -> Callable[[], None]:
    """A round: ``steps`` calls of ``step`` on the next pre-generated actions (cycling through them)."""
    position = [0]

    def run() -> None:
        k = position[0]
        for _ in range(steps):
            step(actions[k])
            k = (k + 1) % len(actions)
        position[0] = k

    return run


def report(times: dict[str, np.ndarray], rows: int, native: str) -> None:
    for name, t in times.items():
        q1, med, q3 = np.percentile(t, [25, 50, 75]) * 1e6
        line = f"{name:<34} {med:8.2f} us/step [{q1:.2f}, {q3:.2f}] {rows / med * 1e6:14,.0f} SPS"
        if name != native:
            extra = (t - times[native]) * 1e6
            e1, e, e3 = np.percentile(extra, [25, 50, 75])
            line += f"   overhead {e:+8.2f} us [{e1:+.2f}, {e3:+.2f}]"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="cartpole", help="bundled env with one agent per sub-env, Discrete actions")
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--steps-per-round", type=int, default=100)
    parser.add_argument("--snake-rows", type=int, default=256,
                        help="snakes in one snake sub-env (agent rows); 0 skips the PettingZoo part")
    args = parser.parse_args()
    name, n, rounds, steps = args.env, args.num_envs, args.rounds, args.steps_per_round
    rng = np.random.default_rng(0)

    def make():
        return envsdk.make(name, num_envs=n, final_observations=True)

    native = make()
    actions = list(rng.integers(0, native.single_action_space.n, size=(1000, n), dtype=np.int32))
    actions64 = [a.astype(np.int64) for a in actions]  # what Gymnasium's MultiDiscrete samples
    native.reset(seed=0)
    arms = {"native envsdk": stepper(native.step, actions, steps)}
    built = [native]

    def add(label: str, build, acts) -> None:
        try:
            env = build()
        except MissingExtraError as e:
            print(f"{label:<34} skipped: {e.fix}")
            return
        built.append(env)
        arms[label] = stepper(env.step, acts, steps)

    def gym_env(**kwargs):
        env = compat.to_gymnasium(make(), **kwargs)
        env.reset(seed=0)
        return env

    def gym_recorded():
        from gymnasium.wrappers.vector import RecordEpisodeStatistics

        env = RecordEpisodeStatistics(compat.to_gymnasium(make()))
        env.reset(seed=0)
        return env

    def sb3_env():
        env = compat.to_sb3(make())
        env.reset()
        return env

    def torch_env():
        env = compat.to_torch(make())
        env.reset(seed=0)
        return env

    add("to_gymnasium (default: copies)", gym_env, actions64)
    add("to_gymnasium(copy=False)", lambda: gym_env(copy=False), actions64)
    if "to_gymnasium (default: copies)" in arms:
        add("RecordEpisodeStatistics(to_gym..)", gym_recorded, actions64)
    add("to_sb3", sb3_env, actions64)
    try:
        import torch

        torch_actions = [torch.from_numpy(a).long() for a in actions]
    except ImportError:
        torch_actions = actions
    add("to_torch (cpu, int64 tensors)", torch_env, torch_actions)

    print(f"{name}, num_envs={n}: {rounds} interleaved rounds of {steps} steps; median [quartiles]")
    report(interleaved(arms, rounds, steps), n, "native envsdk")
    for env in built:
        env.close()

    rows = args.snake_rows
    if rows == 0:
        return
    config = dict(snakes=rows, width=128, height=128, food=256)
    snake_actions = list(rng.integers(0, 4, size=(1000, rows), dtype=np.int32))
    native = envsdk.make("snake", **config)
    native.reset(seed=0)
    snake_arms = {"native envsdk": stepper(native.step, snake_actions, max(1, steps // 10))}
    try:
        pz = compat.to_pettingzoo(envsdk.make("snake", **config))
    except MissingExtraError as e:
        print(f"{'to_pettingzoo':<34} skipped: {e.fix}")
        return
    index = {a: i for i, a in enumerate(pz.possible_agents)}

    def pz_step(acts):
        # PettingZoo's episode ends once every snake died; start a new one then, as a user would.
        if not pz.agents:
            pz.reset()
        pz.step({a: acts[index[a]] for a in pz.agents})

    pz.reset(seed=0)
    snake_arms["to_pettingzoo (dict API)"] = stepper(pz_step, [a.tolist() for a in snake_actions], max(1, steps // 10))
    print(f"\nsnake, 1 sub-env x {rows} snakes = {rows} agent rows: {rounds} interleaved rounds of "
          f"{max(1, steps // 10)} steps")
    report(interleaved(snake_arms, rounds, max(1, steps // 10)), rows, "native envsdk")
    pz.close()
    native.close()


if __name__ == "__main__":
    main()
