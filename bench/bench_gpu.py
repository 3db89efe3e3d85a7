"""Torch-native envs on a GPU: their SPS by size, PPO's time to cartpole's target, and the CUDA tests.

    python bench/bench_gpu.py                       # on CUDA: every section below
    python bench/bench_gpu.py --device cpu --min-log2 4 --max-log2 6 --seconds 0.1 --sections sps   # a smoke run
    python bench/bench_gpu.py --device cpu --sections compare --compare-log2 10 16 --seconds 1  # README CPU table

Sections (``--sections``, default all four):

- ``sps``: agent steps per second of ``cartpole_torch`` and ``drive_torch`` (8 agents per sub-env) for
  2^min .. 2^max sub-envs (``--min-log2`` 12, ``--max-log2`` 22), each the env alone stepping fixed
  random actions already in its buffers, timed between device synchronizations for ``--seconds``
  after a warm-up; with the peak device memory. When a size runs out of memory the env's larger
  sizes are skipped, and the line says so.
- ``ppo``: ``examples/ppo.py --env cartpole_torch --device DEVICE`` to cartpole's target (mean return
  475 over 100 episodes), and the C cartpole's run on the CPU beside it: the seconds of training,
  steps and SPS from each run's summary (``--ppo-timesteps N`` caps both runs at N steps instead).
- ``tests``: the test suite's CUDA tests (``pytest -k cuda``: every test with cuda in its name or
  parameters), run in a subprocess; its summary line.
- ``compare``: ``cartpole_torch`` on CPU torch against the C ``cartpole`` at 2^a .. 2^b sub-envs
  (``--compare-log2`` 10 16), both alone and on one thread (``--threads``; the C sim is single
  threaded), timed in alternating rounds: the median SPS of each and the range of the ratio.

Every figure is printed with the device's name; ``--json PATH`` also writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from envsdk.envs.cartpole import CartPole
from envsdk.envs.cartpole_torch import CartPoleTorch
from envsdk.envs.drive_torch import DriveTorch

import envsdk
from envsdk.bench import format_sps

ROOT = Path(__file__).resolve().parents[1]
TORCH_ENVS = {"cartpole_torch": (CartPoleTorch, {}), "drive_torch": (DriveTorch, {"agents": 8})}


def device_name(device: torch.device) -> str:
    """The card's name (``NVIDIA H100 80GB HBM3``) or, on the CPU, the processor and its cores."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"CPU {model}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads"


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (a clock read must come after it); nothing on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` says the device (or the host) ran out of memory."""
    return isinstance(error, (torch.cuda.OutOfMemoryError, MemoryError)) or (
        isinstance(error, RuntimeError) and any(m in str(error).lower() for m in ("out of memory",
                                                                                  "can't allocate memory")))


def time_env(env, device: torch.device, seconds: float, warmup: int = 5, chunk: int = 8) -> tuple[float, int]:
    """Agent steps per second of ``env.step`` on fixed random actions (written once into its buffers), and
    the steps timed: whole chunks between device synchronizations until ``seconds`` have passed."""
    env.reset(seed=0)
    n = env.num_agents
    env.buffers.actions.copy_(torch.randint(0, int(env.single_action_space.n), (n,), dtype=torch.int32,
                                            generator=torch.Generator().manual_seed(0)))
    actions = env.buffers.actions
    for _ in range(warmup):
        env.step(actions)
    synchronize(device)
    steps, start = 0, time.perf_counter()
    while True:
        for _ in range(chunk):
            env.step(actions)
        steps += chunk
        synchronize(device)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n * steps / elapsed, steps


def section_sps(args, device: torch.device) -> list[dict]:
    """Print (and return) each torch env's SPS alone at every size, until a size runs out of memory."""
    print(f"\n## SPS of the torch-native envs alone on {device_name(device)} (torch {torch.__version__})")
    print(f"{'env':<15} {'sub-envs':>10} {'agents':>10} {'SPS':>9} {'us/step':>10} {'peak GiB':>9}")
    results = []
    for name, (factory, config) in TORCH_ENVS.items():
        for k in range(args.min_log2, args.max_log2 + 1):
            num_envs, env = 2**k, None
            if device.type == "cuda":
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats(device)
            try:
                env = factory(num_envs=num_envs, device=device, **config)
                sps, steps = time_env(env, device, args.seconds)
            except Exception as error:  # only running out of memory is expected (and reported)
                if not is_out_of_memory(error):
                    raise
                print(f"{name:<15} {'2^' + str(k):>10} out of memory ({type(error).__name__}): larger sizes skipped")
                results.append({"env": name, "num_envs": num_envs, "out_of_memory": True})
                break
            finally:
                del env
            peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else float("nan")
            agents = num_envs * config.get("agents", 1)
            print(f"{name:<15} {'2^' + str(k):>10} {agents:>10,} {format_sps(sps):>9} "
                  f"{1e6 * agents / sps:>10.1f} {peak:>9.2f}")
            results.append({"env": name, "num_envs": num_envs, "agents": agents, "sps": sps, "steps": steps,
                            "peak_gib": peak})
    return results


def ppo_run(env: str, device: str, timesteps: int | None, out: Path) -> dict:
    """One examples/ppo.py run (no GIF, no progress bar); its summary."""
    summary = out / f"{env}.json"
    command = [sys.executable, str(ROOT / "examples" / "ppo.py"), "--env", env, "--device", device,
               "--gif-steps", "0", "--progress", "false", "--output-dir", str(out / env), "--summary", str(summary)]
    if timesteps:
        command += ["--total-timesteps", str(timesteps)]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=3600)
    return json.loads(summary.read_text())


def section_ppo(args, device: torch.device) -> list[dict]:
    """Print (and return) PPO's time to cartpole's target: cartpole_torch on ``device``, the C cartpole."""
    print(f"\n## PPO (examples/ppo.py) to cartpole's target on {device_name(device)}"
          + (f", capped at {args.ppo_timesteps:,} steps" if args.ppo_timesteps else ""))
    print(f"{'env':<15} {'device':>7} {'seconds':>8} {'steps':>9} {'SPS':>9} {'target':>7}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for env, where in (("cartpole_torch", str(device)), ("cartpole", "cpu")):
            s = ppo_run(env, where, args.ppo_timesteps, Path(tmp))
            reached = s.get("target", {}).get("reached", False)
            print(f"{env:<15} {where:>7} {s['seconds']:>8.1f} {s['steps']:>9,} {format_sps(s['sps']):>9} "
                  f"{'yes' if reached else 'no':>7}")
            results.append({"env": env, "device": where, **{k: s[k] for k in ("seconds", "steps", "sps")},
                            "reached": reached})
    return results


def section_tests(args, device: torch.device) -> dict:
    """Run the suite's CUDA tests (``pytest -k cuda``) in a subprocess; print and return its summary."""
    print(f"\n## The test suite's CUDA tests (pytest -k cuda) on {device_name(device)}")
    done = subprocess.run([sys.executable, "-m", "pytest", "-k", "cuda", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "tests")], capture_output=True, text=True, timeout=3600, cwd=ROOT)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else done.stderr.strip()[-300:]
    print(("\n".join(line for line in lines if line.startswith(("FAILED", "ERROR"))) + "\n" if done.returncode
           not in (0, 5) else "") + summary)
    if device.type == "cuda" and "skipped" in summary and "passed" not in summary:
        print("(every CUDA test skipped: is this torch built with CUDA?)")
    return {"returncode": done.returncode, "summary": summary}


def section_compare(args) -> list[dict]:
    """Print (and return) cartpole_torch on CPU torch against the C cartpole, in alternating rounds."""
    cpu = torch.device("cpu")
    print(f"\n## cartpole_torch (CPU torch) against the C cartpole, alone, on {device_name(cpu)}")
    print(f"{'sub-envs':>9} {'C SPS':>9} {'torch SPS':>10} {'C / torch':>18}")
    rounds = 5
    results = []
    for k in range(args.compare_log2[0], args.compare_log2[1] + 1):
        n = 2**k
        envs = {"c": CartPole(num_envs=n), "torch": CartPoleTorch(num_envs=n)}
        sps = {arm: [] for arm in envs}
        for _ in range(rounds):  # alternating rounds: each pair sees the same machine load
            for arm, env in envs.items():
                if arm == "c":
                    env.reset(seed=0)
                    env.buffers.actions[...] = np.random.default_rng(0).integers(0, 2, n, dtype=np.int32)
                    steps, start = 0, time.perf_counter()
                    while (elapsed := time.perf_counter() - start) < args.seconds / rounds:
                        for _ in range(8):
                            env.step(env.buffers.actions)
                        steps += 8
                    sps[arm].append(n * steps / elapsed)
                else:
                    sps[arm].append(time_env(env, cpu, args.seconds / rounds)[0])
        ratios = [c / t for c, t in zip(sps["c"], sps["torch"], strict=True)]
        c, t = statistics.median(sps["c"]), statistics.median(sps["torch"])
        print(f"{'2^' + str(k):>9} {format_sps(c):>9} {format_sps(t):>10} "
              f"{statistics.median(ratios):>6.1f}x ({min(ratios):.1f}-{max(ratios):.1f})")
        results.append({"num_envs": n, "c_sps": c, "torch_sps": t, "ratio_median": statistics.median(ratios),
                        "ratio_range": [min(ratios), max(ratios)]})
        for env in envs.values():
            env.close()
    return results


def main(argv: list[str] | None = None) -> dict:
    """Run the chosen sections; returns every figure (what ``--json`` writes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="torch device of the torch envs and PPO (default cuda)")
    parser.add_argument("--sections", nargs="+", choices=("sps", "ppo", "tests", "compare"),
                        default=["sps", "ppo", "tests", "compare"])
    parser.add_argument("--min-log2", type=int, default=12, help="smallest size: 2^N sub-envs")
    parser.add_argument("--max-log2", type=int, default=22, help="largest size: 2^N sub-envs")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per size (after a warm-up)")
    parser.add_argument("--ppo-timesteps", type=int, default=None, help="cap each PPO run (default: to the target)")
    parser.add_argument("--compare-log2", type=int, nargs=2, default=(10, 16), metavar=("A", "B"),
                        help="the CPU comparison's sizes, 2^A .. 2^B sub-envs")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the C sims use one)")
    parser.add_argument("--json", default="", help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = envsdk.allocate(CartPoleTorch().single_observation_space, CartPoleTorch().single_action_space, 1,
                             device=args.device).device  # checks the device is reachable, names the fix if not
    results = {"device": str(device), "device_name": device_name(device), "torch": torch.__version__}
    for section in args.sections:
        if section == "sps":
            results["sps"] = section_sps(args, device)
        elif section == "ppo":
            results["ppo"] = section_ppo(args, device)
        elif section == "tests":
            results["tests"] = section_tests(args, device)
        else:
            results["compare"] = section_compare(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
