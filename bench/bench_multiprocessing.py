"""Serial against Multiprocessing, and the peers that are installed, timed in one run.

    python bench/bench_multiprocessing.py [--seconds 2] [--workers 2]

Part 1: bundled C envs at 4096 agent rows: Serial, Multiprocessing synchronous ``step`` and
asynchronous ``send``/``recv`` (one worker's sub-envs per batch), as SPS and ratio to Serial;
then PufferLib 3.0's Multiprocessing on its same-named env with as many workers, and our
synchronous step's ratio to it, when pufferlib is importable (see bench/pufferlib_peer.py).
The board games step with fixed actions here, so most of their steps take the illegal-move path.

Part 2: 16 pure-Python CartPole sub-envs (examples/python_cartpole.py): envsdk Serial and
Multiprocessing, then Gymnasium's SyncVectorEnv and AsyncVectorEnv (shared_memory=True), SB3's
DummyVecEnv and SubprocVecEnv on Gymnasium's own CartPole-v1 and EnvPool's CartPole-v1 when
importable; ratios are against Gymnasium's AsyncVectorEnv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import pufferlib_peer
from bench_envs import c_envs
from python_cartpole import PyCartPole

import envsdk
from envsdk import spaces
from envsdk.bench import format_sps, measure

FIXED_ACTIONS = {"breakout": 1}  # "fire" keeps breakout's ball in play: the full step is timed


def async_sps(env, seconds: float, actions) -> float:
    """Rows per second through ``send``/``recv``, answering each batch with fixed actions."""
    env.async_reset(seed=0)
    batch = env.recv()
    act = np.broadcast_to(np.asarray(actions, env.buffers.actions.dtype), batch.agent_ids.shape).copy()
    for _ in range(20):
        env.send(act)
        batch = env.recv()
    rows, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        env.send(act)
        rows += len(env.recv().agent_ids)
    return rows / elapsed


def loop_sps(step, actions, num: int, seconds: float) -> float:
    """Steps per second of ``step(actions)`` (one call = ``num`` agent steps)."""
    for _ in range(10):
        step(actions)
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        step(actions)
        steps += 1
    return num * steps / elapsed


def puffer_multiprocessing_sps(name: str, num_envs: int, workers: int, seconds: float) -> float | str:
    """SPS of PufferLib's Multiprocessing over ``workers`` copies of its ``name`` env holding
    ``num_envs`` sub-envs in all (logs gathered every 16 steps, like ours), on fixed random
    actions; or why it cannot be timed."""
    cls = pufferlib_peer.env_class(name)
    if isinstance(cls, str):
        return cls
    import pufferlib.vector

    kwargs = {"num_envs": num_envs // workers, **pufferlib_peer.log_every(cls, 16)}
    # overwork: it refuses more workers than physical cores unless told; ours are timed with as many
    venv = pufferlib.vector.make(cls, env_kwargs=kwargs, backend=pufferlib.vector.Multiprocessing,
                                 num_envs=workers, num_workers=workers, overwork=True)
    venv.reset(seed=0)
    venv.action_space.seed(0)
    actions = venv.action_space.sample()
    try:
        return loop_sps(venv.step, actions, venv.num_agents, seconds)
    finally:
        venv.close()
        for process in venv.processes:  # its close() only signals them: wait, or they load what runs next
            process.join(timeout=10)


def part1(seconds: float, workers: int) -> None:
    print(f"Part 1: bundled C envs, 4096 agent rows, {workers} workers")
    print(f"{'env':<11} {'Serial':>9} {'MP step':>9} {'ratio':>6} {'MP async':>9} {'ratio':>6}  "
          f"PufferLib MP / MP step's ratio to it")
    names = c_envs()  # Multiprocessing refuses the torch-native envs (they run in-process: Serial)
    sub_envs, ours = {}, {}
    for name in names:
        probe = envsdk.registry.resolve(name)(num_envs=1)
        n = sub_envs[name] = max(workers, 4096 // probe.num_agents)  # snake has 256 agents per sub-env
        probe.close()
        actions = FIXED_ACTIONS.get(name)
        serial = envsdk.make(name, num_envs=n)
        base = measure(serial, name, seconds=seconds, actions=actions).sps
        serial.close()
        multi = envsdk.make(name, num_envs=n, backend="multiprocessing", num_workers=workers)
        sync = measure(multi, name, seconds=seconds, actions=actions).sps
        multi.close()
        multi = envsdk.make(name, num_envs=n, backend="multiprocessing", num_workers=workers,
                            batch_size=n // workers)
        space = multi.single_action_space
        asyn = async_sps(multi, seconds, spaces.sample(space, rng=0) if actions is None else actions)
        multi.close()
        ours[name] = base, sync, asyn
    # PufferLib after all of ours: importing it loads torch, and its workers spin while they live.
    for name in names:
        base, sync, asyn = ours[name]
        puffer = puffer_multiprocessing_sps(name, sub_envs[name], workers, seconds)
        if not isinstance(puffer, str):
            puffer = f"{format_sps(puffer)} / {sync / puffer:.2f}x"
        print(f"{name:<11} {format_sps(base):>9} {format_sps(sync):>9} {sync / base:>5.2f}x "
              f"{format_sps(asyn):>9} {asyn / base:>5.2f}x  {puffer}")


def part2(seconds: float, workers: int) -> None:
    n = 16
    print(f"\nPart 2: {n} pure-Python CartPole sub-envs, {workers} workers (ratio: against Gymnasium AsyncVectorEnv)")
    rows: list[tuple[str, float | str]] = []
    actions = np.ones(n, np.int32)
    serial = envsdk.make(PyCartPole, num_envs=n)
    serial.reset(seed=0)
    rows.append(("envsdk Serial (PyCartPole)", loop_sps(serial.step, actions, n, seconds)))
    serial.close()
    multi = envsdk.make(PyCartPole, num_envs=n, backend="multiprocessing", num_workers=workers)
    multi.reset(seed=0)
    rows.append((f"envsdk Multiprocessing, {workers} workers (PyCartPole)", loop_sps(multi.step, actions, n, seconds)))
    multi.close()

    try:
        import gymnasium as gym

        async_label = "Gymnasium AsyncVectorEnv shared_memory (CartPole-v1)"
        for label, cls, kwargs in (
            ("Gymnasium SyncVectorEnv (CartPole-v1)", gym.vector.SyncVectorEnv, {}),
            (async_label, gym.vector.AsyncVectorEnv, {"shared_memory": True}),
        ):
            venv = cls([lambda: gym.make("CartPole-v1") for _ in range(n)], **kwargs)
            venv.reset(seed=0)
            rows.append((label, loop_sps(venv.step, np.ones(n, np.int64), n, seconds)))
            venv.close()
    except ImportError:
        rows.append(("Gymnasium", "not installed"))

    try:
        import gymnasium as gym
        from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

        for label, cls in (
            ("SB3 DummyVecEnv (CartPole-v1)", DummyVecEnv),
            ("SB3 SubprocVecEnv (CartPole-v1)", SubprocVecEnv),
        ):
            venv = cls([lambda: gym.make("CartPole-v1") for _ in range(n)])
            venv.reset()

            def step(a, venv=venv):
                venv.step_async(a)
                return venv.step_wait()

            rows.append((label, loop_sps(step, np.ones(n, np.int64), n, seconds)))
            venv.close()
    except ImportError:
        rows.append(("SB3 SubprocVecEnv", "not installed"))

    try:
        import envpool

        venv = envpool.make("CartPole-v1", env_type="gymnasium", num_envs=n, num_threads=workers)
        venv.reset()
        label = f"EnvPool CartPole-v1 (C++), {workers} threads"
        rows.append((label, loop_sps(venv.step, np.ones(n, np.int32), n, seconds)))
        venv.close()
    except ImportError:
        rows.append(("EnvPool", "not installed"))

    reference = dict(rows).get("Gymnasium AsyncVectorEnv shared_memory (CartPole-v1)")
    for label, sps in rows:
        if isinstance(sps, str):
            print(f"  {label:<58} {sps}")
        else:
            ratio = f"{sps / reference:6.2f}x" if isinstance(reference, float) else ""
            print(f"  {label:<58} {format_sps(sps):>9} SPS {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pufferlib", type=Path, default=pufferlib_peer.BUILD,
                        help="where bench/build_pufferlib.sh built PufferLib 3.0 (used when it exists)")
    args = parser.parse_args()
    pufferlib_peer.use_build(args.pufferlib)
    part1(args.seconds, args.workers)
    part2(args.seconds, args.workers)


if __name__ == "__main__":
    main()
