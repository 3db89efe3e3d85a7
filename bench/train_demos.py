"""The PPO demonstrations of examples/ppo.py: train, then print the figures for the README.

    python bench/train_demos.py                    # every demo (about 15 minutes on 2 cores)
    python bench/train_demos.py cartpole tictactoe # some of them

Demos (each trains with examples/ppo.py and its per-env defaults, then measures):
  cartpole   mean return >= 475 (last 100 episodes) within 60 s of wall time
  tictactoe  trained within 2 minutes; greedy policy over 1,000 games against the perfect
             opponent (never loses) and against the random one (wins >= 90%), split by who moves first
  connect4   win rate >= 90% against the built-in one-ply ("greedy") opponent, 1,000 games
  breakout   the score curve over 10 minutes of training, and the score reached
Each prints the end-to-end training SPS. Outputs (checkpoint, curve.png, policy.gif, summary.json)
go to runs/demos/ENV/. Timings depend on the machine and its load: report both with the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

import envsdk

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
from ppo import load_agent  # noqa: E402

RUNS = ROOT / "runs" / "demos"


def train(env: str, *extra: str, run: str = "") -> dict:
    """Run examples/ppo.py on ``env``; returns its summary (plus the wall time of the whole run)."""
    out = RUNS / (run or env)
    start = time.time()
    subprocess.run([sys.executable, str(ROOT / "examples" / "ppo.py"), "--env", env, "--output-dir", str(out),
                    "--summary", str(out / "summary.json"), *extra], check=True)
    summary = json.loads((out / "summary.json").read_text())
    summary["wall_seconds"] = round(time.time() - start, 1)
    return summary


def play_games(checkpoint: Path, games: int, seed: int = 12345, **config) -> dict:
    """The greedy policy plays ``games`` games (one per sub-env, the first episode of each)."""
    agent, _ = load_agent(checkpoint)
    envs = envsdk.make(agent_env(checkpoint), num_envs=games, **config)
    obs, _ = envs.reset(seed=seed)
    result = np.zeros(games)  # reward of the first episode's end: +1 win, 0 draw, -1 loss
    done = np.zeros(games, bool)
    while not done.all():
        with torch.no_grad():
            x = torch.as_tensor(obs.reshape(games, -1), dtype=torch.float32)
            action = agent.distribution(x).probs.argmax(dim=1).numpy()
        obs, rewards, terminals, truncations, _ = envs.step(action)
        ended = (terminals | truncations) & ~done
        result[ended] = rewards[ended]
        done |= ended
    envs.close()
    return {"win": float((result > 0).mean()), "draw": float((result == 0).mean()), "loss": float((result < 0).mean())}


def agent_env(checkpoint: Path) -> str:
    return torch.load(checkpoint, map_location="cpu", weights_only=False)["env"]


def report(name: str, summary: dict, **figures) -> None:
    line = {"demo": name, "steps": summary["steps"], "train_seconds": summary["seconds"], "sps": summary["sps"],
            "mean_return": summary["mean_return"], **figures}
    print(json.dumps(line), flush=True)


def demo_cartpole() -> None:
    s = train("cartpole")
    report("cartpole", s, reached_475=bool(s["mean_return"] and s["mean_return"] >= 475),
           within_60s=s["seconds"] <= 60)


def demo_tictactoe() -> None:
    # two stages: against the random opponent (learn to win), then against the perfect one (learn
    # never to lose, in the lines a random opponent rarely plays)
    first = train("tictactoe", "--total-timesteps", "300000", run="tictactoe_random")
    s = train("tictactoe", "--total-timesteps", "900000", "--learning-rate", "1e-3", "--config",
              '{"opponent": "perfect"}', "--init-checkpoint", str(RUNS / "tictactoe_random" / "agent.pt"))
    s["steps"] += first["steps"]
    s["seconds"] = round(s["seconds"] + first["seconds"], 3)
    s["sps"] = round(s["steps"] / s["seconds"])
    ckpt = RUNS / "tictactoe" / "agent.pt"
    figures = {}
    for opponent in ("perfect", "random"):
        for first in ("agent", "opponent"):
            figures[f"{opponent}_{first}_first"] = play_games(ckpt, 500, opponent=opponent, first=first)
    report("tictactoe", s, within_120s=s["seconds"] <= 120, **figures)


def demo_connect4() -> None:
    s = train("connect4")
    ckpt = RUNS / "connect4" / "agent.pt"
    report("connect4", s, greedy_agent_first=play_games(ckpt, 1000, opponent="greedy", first="agent"),
           greedy_opponent_first=play_games(ckpt, 1000, opponent="greedy", first="opponent"))


def demo_breakout() -> None:
    # 10 minutes of training: a step budget set from a short SPS probe would be noisier than this cap
    s = train("breakout", "--total-timesteps", os.environ.get("BREAKOUT_STEPS", "6000000"))
    report("breakout", s, score=s.get("score"), curve=str(RUNS / "breakout" / "curve.png"))


DEMOS = {"cartpole": demo_cartpole, "tictactoe": demo_tictactoe, "connect4": demo_connect4, "breakout": demo_breakout}

if __name__ == "__main__":
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}", flush=True)
    for name in sys.argv[1:] or DEMOS:
        DEMOS[name]()
