"""Ray against Multiprocessing (and Serial): per-batch overhead, SPS and payload bytes per step.

    python bench/bench_ray.py [--seconds 2] [--workers 2]

Per-batch overhead is the time of one synchronous ``step`` of the backend minus the time each
worker's share of the same step takes under ``Serial`` (the envs' own work), on a trivial env
(GridReach, 2 sub-envs per worker: almost all of a step is backend cost) and on a bundled C env
(breakout at 4096 sub-envs). Payload bytes are what moves between driver and workers per full
step: actions in; observations, rewards, terminals, truncations and masks out (Multiprocessing
moves none of it: shared memory). Ray is started locally here with ``num_cpus=--workers``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))

from vectorized_env import GridReach  # noqa: E402

from envsdk.backends import Multiprocessing, Ray, Serial  # noqa: E402
from envsdk.registry import resolve  # noqa: E402


def step_time(env, actions, seconds: float) -> float:
    """Seconds per synchronous ``step`` (median of 5 slices)."""
    env.reset(seed=0)
    for _ in range(20):
        env.step(actions)
    times = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            env.step(actions)
            n += 1
        times.append(elapsed / n)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import ray

    w = args.workers
    ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(EXAMPLES)}})
    cases = [("GridReach (trivial)", GridReach, 2 * w), ("breakout (C)", resolve("breakout"), 4096)]
    print(f"{w} workers, {os.cpu_count()} cores, Ray {ray.__version__}")
    print(f"{'env':20} {'backend':16} {'µs/step':>10} {'overhead µs':>12} {'SPS':>12} {'payload B/step':>15}")
    for name, factory, n in cases:
        serial = Serial(factory, num_envs=n)
        actions = np.ones(serial.buffers.actions.shape, serial.buffers.actions.dtype)
        base = step_time(serial, actions, args.seconds)
        serial.close()
        print(f"{name:20} {'Serial':16} {base * 1e6:10.1f} {'':>12} {n / base:12,.0f} {0:15,}")
        for label, backend in (("Multiprocessing", Multiprocessing), ("Ray", Ray)):
            env = backend(factory, num_envs=n, num_workers=w)
            try:
                t = step_time(env, actions, args.seconds)
                p = getattr(env, "payload_bytes_per_step", {"actions": 0, "results": 0})
            finally:
                env.close()
            payload = p["actions"] + p["results"]
            print(f"{name:20} {label:16} {t * 1e6:10.1f} {(t - base / w) * 1e6:12.1f} {n / t:12,.0f} {payload:15,}")
    ray.shutdown()


if __name__ == "__main__":
    main()
