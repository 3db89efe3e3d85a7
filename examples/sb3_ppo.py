"""Train Stable-Baselines3's PPO on envsdk's C cartpole through ``envsdk.compat.to_sb3``.

    pip install '.[sb3]'    # from the envsdk checkout: stable-baselines3, gymnasium, torch==2.13.0
    python examples/sb3_ppo.py [--total-timesteps 100000] [--num-envs 8]

The only envsdk line is the constructor: ``to_sb3(envsdk.make("cartpole", num_envs=8,
final_observations=True))`` is an SB3 ``VecEnv`` (one SB3 sub-env per agent row), so everything
after it is plain SB3. ``final_observations=True`` keeps each ended episode's last observation,
which the adapter gives SB3 as ``terminal_observation``: PPO bootstraps the episodes cut at 500
steps from it.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields

import numpy as np
from stable_baselines3 import PPO

import envsdk
from envsdk.compat import to_sb3


@dataclass
class Args:
    total_timesteps: int = 100_000
    """environment steps to train for, over all sub-envs"""
    num_envs: int = 8
    """cart-poles simulated together (one envsdk env object, one C call per step)"""
    n_steps: int = 256
    """steps per sub-env in each rollout (PPO's n_steps)"""
    seed: int = 1
    """sub-env i is seeded with seed + i; PPO's torch and numpy RNGs with seed"""


def parse_args() -> Args:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for f in fields(Args):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    return Args(**vars(parser.parse_args()))


def main() -> None:
    args = parse_args()

    # --- the envsdk part: one line -----------------------------------------------------------
    env = to_sb3(envsdk.make("cartpole", num_envs=args.num_envs, final_observations=True))

    # --- plain SB3 ---------------------------------------------------------------------------
    model = PPO("MlpPolicy", env, n_steps=args.n_steps, batch_size=min(256, args.n_steps * args.num_envs),
                seed=args.seed, verbose=0, device="cpu")
    start = time.perf_counter()
    model.learn(total_timesteps=args.total_timesteps)
    elapsed = time.perf_counter() - start
    returns = [info["r"] for info in model.ep_info_buffer]  # filled from the adapter's "episode" infos
    print(f"trained {model.num_timesteps} steps in {elapsed:.1f} s ({model.num_timesteps / elapsed:,.0f} SPS); "
          f"mean return of the last {len(returns)} episodes: {np.mean(returns) if returns else float('nan'):.1f}")
    env.close()


if __name__ == "__main__":
    main()
