"""The PPO demonstrations of examples/ppo.py: train, then print the figures for the README.

    python bench/train_demos.py                    # every demo (about 20 minutes on 2 cores)
    python bench/train_demos.py cartpole tictactoe # some of them

Demos (each trains with examples/ppo.py and its per-env defaults, then measures):
  cartpole   mean return >= 475 (last 100 episodes) within 60 s of wall time
  tictactoe  trained within 2 minutes; greedy policy over 1,000 games per first mover against the
             perfect opponent (never loses) and the random one (wins >= 90%), and the exact rates
             over every game each opponent can play
  connect4   win rate >= 90% against the built-in one-ply ("greedy") opponent, 1,000 games
  breakout   the score curve over 10 minutes of training, and the score reached
  tripletriad
             trained to its target (the one-ply player's win rate against random); then the greedy
             policy and the one-ply player, 2,000 games per first mover against each opponent
  pong, squared, snake
             trained to their targets (ENV_DEFAULTS in examples/ppo.py): wall time and steps
Each prints the end-to-end training SPS. Outputs (checkpoint, curve.png, policy.gif, summary.json)
go to runs/demos/ENV/. Timings depend on the machine and its load: report both with the figures.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import envsdk
import envsdk.policy

ROOT = Path(__file__).resolve().parents[1]
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
    """The trained policy, played greedily (argmax over the legal actions), plays ``games`` games (see
    ``play_policy``). The checkpoint is loaded as plain data (envsdk/policy.py), never unpickled."""
    policy = envsdk.policy.load(checkpoint)
    return play_policy(policy.env, policy.act, games, seed, **config)


# Triple Triad's neighbour of cell p in direction N, E, S, W (rows top to bottom); p itself off the board, where
# the owner test below never passes (a cell is never the other side's while being placed on).
_TT_NEIGHBOUR = np.array([[p - 3 if p >= 3 else p, p + 1 if p % 3 < 2 else p, p + 3 if p < 6 else p,
                           p - 1 if p % 3 else p] for p in range(9)])


def tripletriad_one_ply(observations: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The agent's one-ply greedy action per row of tripletriad observations (the built-in ``greedy``
    opponent's rule, played from the agent's side): the (card, cell) capturing the most cards, ties
    broken uniformly at random; in the select phase it selects that card, in the place phase it
    places the selected card on its best cell."""
    from envsdk.envs.tripletriad import OBS_BOARD, OBS_HAND, OBS_MASK, OBS_SELECTED, PLACE

    obs = observations.astype(np.int32)
    n = len(obs)
    owners, board = obs[:, :9], obs[:, OBS_BOARD:OBS_HAND].reshape(n, 9, 4)
    hand = obs[:, OBS_HAND:OBS_HAND + 20].reshape(n, 5, 4)
    near_owner = owners[:, _TT_NEIGHBOUR]  # [n, cell, direction]
    near_rank = board[:, _TT_NEIGHBOUR, [2, 3, 0, 1]]  # the neighbour's rank on the side touching the cell
    beats = hand[:, :, None, :] > near_rank[:, None, :, :]  # [n, card, cell, direction]
    captures = (beats & (near_owner == -1)[:, None, :, :]).sum(axis=3).astype(float)  # [n, card, cell]
    legal = (obs[:, OBS_MASK:OBS_MASK + 5] > 0)[:, :, None] & (owners == 0)[:, None, :]
    selected = obs[:, OBS_SELECTED:OBS_MASK]
    placing = selected.any(axis=1)
    legal[placing] = (selected[placing] > 0)[:, :, None] & (owners[placing] == 0)[:, None, :]
    keys = np.where(legal, captures + rng.random(captures.shape), -1.0).reshape(n, 45).argmax(axis=1)
    return np.where(placing, PLACE + keys % 9, keys // 9).astype(np.int32)


def play_policy(env_name: str, policy, games: int, seed: int = 12345, **config) -> dict:
    """``policy(observations) -> actions`` plays ``games`` games (the first episode of each sub-env)."""
    envs = envsdk.make(env_name, num_envs=games, **config)
    obs, _ = envs.reset(seed=seed)
    result = np.zeros(games)  # reward of the first episode's end: +1 win, 0 draw, -1 loss
    done = np.zeros(games, bool)
    while not done.all():
        obs, rewards, terminals, truncations, _ = envs.step(policy(obs))
        ended = (terminals | truncations) & ~done
        result[ended] = rewards[ended]
        done |= ended
    envs.close()
    return {"win": float((result > 0).mean()), "draw": float((result == 0).mean()), "loss": float((result < 0).mean())}


def report(name: str, summary: dict, **figures) -> None:
    line = {"demo": name, "steps": summary["steps"], "train_seconds": summary["seconds"], "sps": summary["sps"],
            "mean_return": summary["mean_return"], **figures}
    print(json.dumps(line), flush=True)


def demo_cartpole() -> None:
    s = train("cartpole")
    report("cartpole", s, reached_475=bool(s["mean_return"] and s["mean_return"] >= 475),
           within_60s=s["seconds"] <= 60)


def exact_tictactoe(checkpoint: Path) -> dict:
    """Exact outcome rates of the greedy policy over every game each opponent can play.

    Walks the game tree: at the policy's turns its argmax move, at the opponent's every move it
    may play with its probability (random: uniform over the empty cells; perfect: uniform over
    the best moves of csrc/tictactoe_table.py, the table the C opponent uses). Returns
    ``{"perfect_agent_first": {"win": p, "draw": p, "loss": p}, ...}`` for both opponents and orders.
    """
    spec = importlib.util.spec_from_file_location("tictactoe_table", ROOT / "csrc" / "tictactoe_table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    policy = envsdk.policy.load(checkpoint)
    full = 0x1FF

    @functools.cache
    def move(mine: int, theirs: int) -> int:
        board = [(mine >> c & 1) - (theirs >> c & 1) for c in range(9)]
        return int(policy.act(np.array([board + [1 - ((mine | theirs) >> c & 1) for c in range(9)]]))[0])

    @functools.cache
    def agent_turn(mine: int, theirs: int, perfect: bool) -> tuple[float, float, float]:
        mine |= 1 << move(mine, theirs)
        if table.wins(mine):
            return (1.0, 0.0, 0.0)
        if mine | theirs == full:
            return (0.0, 1.0, 0.0)
        return opponent_turn(mine, theirs, perfect)

    @functools.cache
    def opponent_turn(mine: int, theirs: int, perfect: bool) -> tuple[float, float, float]:
        empty = full & ~(mine | theirs)
        choices = table.best_moves(theirs, mine) & empty if perfect else empty
        cells = [c for c in range(9) if choices >> c & 1]
        total = np.zeros(3)
        for c in cells:
            after = theirs | 1 << c
            total += ((0.0, 0.0, 1.0) if table.wins(after) else (0.0, 1.0, 0.0) if mine | after == full
                      else agent_turn(mine, after, perfect))
        return tuple(total / len(cells))

    result = {}
    for opponent in ("perfect", "random"):
        perfect = opponent == "perfect"
        rates = {"agent_first": agent_turn(0, 0, perfect), "opponent_first": opponent_turn(0, 0, perfect)}
        for order, (win, draw, loss) in rates.items():
            result[f"{opponent}_{order}"] = {"win": round(win, 4), "draw": round(draw, 4), "loss": round(loss, 4)}
    return result


def demo_tictactoe() -> None:
    # one run with the env's defaults (perfect opponent that plays at random half the time, random
    # openings); then the greedy policy plays 1,000 games per opponent and per first mover
    s = train("tictactoe")
    ckpt = RUNS / "tictactoe" / "agent.pt"
    figures = {}
    for opponent in ("perfect", "random"):
        for first in ("agent", "opponent"):
            figures[f"{opponent}_{first}_first"] = play_games(ckpt, 1000, opponent=opponent, first=first)
    never_loses = all(figures[f"perfect_{first}_first"]["loss"] == 0 for first in ("agent", "opponent"))
    wins_random = (figures["random_agent_first"]["win"] + figures["random_opponent_first"]["win"]) / 2
    report("tictactoe", s, within_120s=s["seconds"] <= 120, never_loses_to_perfect=never_loses,
           win_vs_random=wins_random, games=figures, exact=exact_tictactoe(ckpt))


def demo_connect4() -> None:
    s = train("connect4")
    ckpt = RUNS / "connect4" / "agent.pt"
    report("connect4", s, greedy_agent_first=play_games(ckpt, 1000, opponent="greedy", first="agent"),
           greedy_opponent_first=play_games(ckpt, 1000, opponent="greedy", first="opponent"))


def demo_breakout() -> None:
    # a fixed 10 minutes of training (--max-seconds), whatever the machine's speed
    s = train("breakout", "--max-seconds", os.environ.get("BREAKOUT_SECONDS", "600"))
    report("breakout", s, score=s.get("score"), curve=str(RUNS / "breakout" / "curve.png"))


def demo_to_target(env: str) -> None:
    """Train ``env`` with its defaults until its target (or its budget) and report where it got."""
    s = train(env)
    report(env, s, target=s.get("target"))


def demo_tripletriad() -> None:
    # trained to its target (the one-ply player's win rate against random); then the policy, played
    # greedily, and the one-ply player each play 2,000 games per first mover against both opponents.
    # What exact play reaches is bench/tripletriad_optimal.py's figure (98% against either).
    s = train("tripletriad")
    ckpt = RUNS / "tripletriad" / "agent.pt"
    rng = np.random.default_rng(0)
    figures = {}
    for opponent in ("random", "greedy"):
        for first in ("agent", "opponent"):
            config = {"opponent": opponent, "first": first}
            figures[f"{opponent}_{first}_first"] = {
                "policy": play_games(ckpt, 2000, **config),
                "one_ply": play_policy("tripletriad", lambda obs: tripletriad_one_ply(obs, rng), 2000, **config)}
    report("tripletriad", s, target=s.get("target"), games=figures)


DEMOS = {"cartpole": demo_cartpole, "tictactoe": demo_tictactoe, "connect4": demo_connect4, "breakout": demo_breakout,
         "tripletriad": demo_tripletriad,
         **{env: functools.partial(demo_to_target, env) for env in ("pong", "squared", "snake")}}

if __name__ == "__main__":
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}", flush=True)
    for name in sys.argv[1:] or DEMOS:
        DEMOS[name]()
