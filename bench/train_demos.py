"""The PPO demonstrations of examples/ppo.py: train, then print the figures for the README.

    python bench/train_demos.py cartpole tictactoe  # time to target, median of 3 seeds, and SB3's beside it
    python bench/train_demos.py                     # every demo (connect4, breakout, ... take minutes each)
    python bench/train_demos.py bootstrap           # cartpole, max_steps=100: with and without the bootstrap
    python bench/train_demos.py contention          # SPS quiet and beside a busy process, by torch threads
    python bench/train_demos.py --quick cartpole    # a tiny budget: keeps the script working (a smoke test)

Each demo trains with examples/ppo.py and its per-env defaults (no flags but --seed), once per seed
(--seeds, default 3), prints one JSON line per run, then measures:
  cartpole   mean return >= 475 over the last 100 episodes (ppo.py stops there); the peer: SB3's PPO
             with RL Zoo's tuned CartPole-v1 hyperparameters on Gymnasium's CartPole-v1, to the same target
  tictactoe  ppo.py stops once its greedy policy loses none of 1,000 games per first mover against the
             perfect opponent and against the random one (twice, on fresh games); then the bench plays
             1,000 other games per first mover against each, and gives the exact rates over every game
             each opponent can play. Solved: no loss to perfect play in the bench's games either
  connect4   win rate >= 90% against the built-in one-ply ("greedy") opponent, 1,000 games
  breakout   the score curve over 10 minutes of training, and the score reached
  tripletriad
             trained to its target (the one-ply player's win rate against random); then the greedy
             policy and the one-ply player, 2,000 games per first mover against each opponent
  pong, squared, snake
             trained to their targets (ENV_DEFAULTS in examples/ppo.py): wall time and steps
Times: ``train_seconds`` is ppo.py's training time (from the first reset to the target, evaluations
included), ``wall_seconds`` the whole process (python start to exit: imports, outputs). The output
ends with one line per demo env, ``ENV: solved=yes|no median_seconds=S peer_seconds=P``: solved when
every seed reached the target, the medians of train_seconds, the peer's only where there is one.
Outputs (checkpoint, curve.png, policy.gif, summary.json) go to runs/demos/ENV_seedS/. Timings
depend on the machine and its load: the first line gives both.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import envsdk
import envsdk.policy

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "runs" / "demos"
QUICK = ("--total-timesteps", "2048", "--gif-steps", "0")  # --quick: a tiny budget, no GIF


@functools.cache
def ppo():
    """examples/ppo.py as a module: its ``play_first_episodes`` is the one loop that plays a policy's games."""
    spec = importlib.util.spec_from_file_location("ppo_example", ROOT / "examples" / "ppo.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def train(env: str, *extra: str, seed: int = 1, quick: bool = False) -> dict:
    """Run examples/ppo.py on ``env`` in its own process; returns its summary plus ``wall_seconds`` (the
    whole process) and ``checkpoint`` (its agent.pt)."""
    out = RUNS / f"{env}_seed{seed}"
    start = time.time()
    subprocess.run([sys.executable, str(ROOT / "examples" / "ppo.py"), "--env", env, "--seed", str(seed),
                    "--progress", "false", "--output-dir", str(out), "--summary", str(out / "summary.json"),
                    *extra, *(QUICK if quick else ())], check=True)
    summary = json.loads((out / "summary.json").read_text())
    summary["wall_seconds"] = round(time.time() - start, 2)
    summary["checkpoint"] = str(out / "agent.pt")
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
    """``policy(observations) -> actions`` plays ``games`` games (the first episode of each sub-env): the
    fractions won, drawn and lost (examples/ppo.py's ``play_first_episodes`` and ``outcomes``)."""
    envs = envsdk.make(env_name, num_envs=games, **config)
    try:
        return ppo().outcomes(ppo().play_first_episodes(envs, policy, seed)[1])
    finally:
        envs.close()


def report(name: str, seed: int, summary: dict, **figures) -> dict:
    """Print one run's JSON line (its training figures and ``figures``) and return it."""
    line = {"demo": name, "seed": seed, "steps": summary["steps"], "train_seconds": summary["seconds"],
            "wall_seconds": summary["wall_seconds"], "sps": summary["sps"], "mean_return": summary["mean_return"],
            **figures}
    print(json.dumps(line), flush=True)
    return line


def reached(summary: dict) -> bool:
    return bool(summary.get("target") and summary["target"]["reached"])


def demo_cartpole(seed: int, quick: bool) -> tuple[bool, dict]:
    s = train("cartpole", seed=seed, quick=quick)
    return reached(s), report("cartpole", seed, s, target=s["target"])


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


def demo_tictactoe(seed: int, quick: bool) -> tuple[bool, dict]:
    # ppo.py trains against the perfect opponent that plays at random a fifth of the time, from random
    # openings, and stops once its greedy policy loses none of 1,000 games per first mover against the
    # perfect and the random opponent. Solved: that, and no loss to perfect play in 1,000 other games
    # per first mover here (the bar; the games against random are reported beside it).
    s = train("tictactoe", seed=seed, quick=quick)
    figures = {}
    for opponent in ("perfect", "random"):
        for first in ("agent", "opponent"):
            figures[f"{opponent}_{first}_first"] = play_games(s["checkpoint"], 1000, opponent=opponent, first=first)
    never_loses = all(figures[f"perfect_{first}_first"]["loss"] == 0 for first in ("agent", "opponent"))
    wins_random = (figures["random_agent_first"]["win"] + figures["random_opponent_first"]["win"]) / 2
    return reached(s) and never_loses, report(
        "tictactoe", seed, s, target=s["target"], never_loses_to_perfect=never_loses, win_vs_random=wins_random,
        games=figures, exact=exact_tictactoe(Path(s["checkpoint"])))


def demo_connect4(seed: int, quick: bool) -> tuple[bool, dict]:
    s = train("connect4", seed=seed, quick=quick)
    return reached(s), report(
        "connect4", seed, s, target=s["target"],
        greedy_agent_first=play_games(s["checkpoint"], 1000, opponent="greedy", first="agent"),
        greedy_opponent_first=play_games(s["checkpoint"], 1000, opponent="greedy", first="opponent"))


def demo_breakout(seed: int, quick: bool) -> tuple[bool, dict]:
    # a fixed 10 minutes of training (--max-seconds), whatever the machine's speed
    s = train("breakout", "--max-seconds", os.environ.get("BREAKOUT_SECONDS", "600"), seed=seed, quick=quick)
    return reached(s), report("breakout", seed, s, target=s["target"], score=s.get("score"))


def demo_to_target(env: str, seed: int, quick: bool) -> tuple[bool, dict]:
    """Train ``env`` with its defaults until its target (or its budget) and report where it got."""
    s = train(env, seed=seed, quick=quick)
    return reached(s), report(env, seed, s, target=s["target"])


def demo_tripletriad(seed: int, quick: bool) -> tuple[bool, dict]:
    # trained to its target (the one-ply player's win rate against random); then the policy, played
    # greedily, and the one-ply player each play 2,000 games per first mover against both opponents.
    # What exact play reaches is bench/tripletriad_optimal.py's figure (98% against either).
    s = train("tripletriad", seed=seed, quick=quick)
    rng = np.random.default_rng(0)
    figures = {}
    for opponent in ("random", "greedy"):
        for first in ("agent", "opponent"):
            config = {"opponent": opponent, "first": first}
            figures[f"{opponent}_{first}_first"] = {
                "policy": play_games(s["checkpoint"], 2000, **config),
                "one_ply": play_policy("tripletriad", lambda obs: tripletriad_one_ply(obs, rng), 2000, **config)}
    return reached(s), report("tripletriad", seed, s, target=s["target"], games=figures)


# ---- the peer: SB3's PPO with RL Zoo's tuned CartPole-v1 hyperparameters ---------------------------------

# rl-baselines3-zoo, hyperparams/ppo.yml, CartPole-v1 ("# Tuned"): n_envs 8, n_timesteps 1e5, MlpPolicy,
# n_steps 32, batch_size 256, gae_lambda 0.8, gamma 0.98, n_epochs 20, ent_coef 0.0, learning_rate lin_0.001,
# clip_range lin_0.2 (lin_x: x times the fraction of n_timesteps left). The zoo builds the 8 envs with
# make_vec_env (Monitor-wrapped, DummyVecEnv).
ZOO_CARTPOLE = dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0)


def sb3_cartpole(seed: int, total_timesteps: int = 100_000, target: float = 475.0) -> dict:
    """SB3's PPO with RL Zoo's tuned hyperparameters on Gymnasium's ``CartPole-v1``, in this process.

    Trains until the mean return of the last 100 episodes reaches ``target`` (checked after every
    step of the 8 envs, as examples/ppo.py checks after every rollout) or ``total_timesteps`` (the
    zoo's budget, over which its rates decay linearly to 0). Timed as ppo.py times itself: from the
    start of ``learn`` (its first reset) to the stop. torch runs on one thread, as in ppo.py.
    """
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    torch.set_num_threads(1)
    env = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
    model = PPO("MlpPolicy", env, learning_rate=lambda left: 1e-3 * left, clip_range=lambda left: 0.2 * left,
                seed=seed, device="cpu", **ZOO_CARTPOLE)

    def mean_return() -> float:
        returns = [episode["r"] for episode in model.ep_info_buffer or ()]
        return float(np.mean(returns)) if len(returns) == 100 else float("nan")

    start = time.time()
    model.learn(total_timesteps, callback=lambda _locals, _globals: not mean_return() >= target)
    seconds = time.time() - start
    env.close()
    return {"env": "CartPole-v1", "steps": int(model.num_timesteps), "seconds": round(seconds, 3),
            "sps": round(model.num_timesteps / seconds), "mean_return": mean_return(),
            "target": {"key": "episode_return", "threshold": target, "episodes": 100,
                       "reached": mean_return() >= target}}


def peer_cartpole(seed: int, quick: bool) -> tuple[bool, dict]:
    """``sb3_cartpole`` in its own process (``--peer``), timed like ``train``."""
    out = RUNS / f"sb3_cartpole_seed{seed}"
    out.mkdir(parents=True, exist_ok=True)
    start = time.time()
    subprocess.run([sys.executable, __file__, "--peer", "--seed", str(seed), "--summary", str(out / "summary.json"),
                    *(["--quick"] if quick else [])], check=True)
    s = json.loads((out / "summary.json").read_text())
    s["wall_seconds"] = round(time.time() - start, 2)
    return reached(s), report("sb3_cartpole", seed, s, target=s["target"])


# ---- the bootstrap of truncated episodes ---------------------------------------------------------------


def bootstrap_table(seeds: list[int], quick: bool) -> None:
    """Cartpole cut at 100 steps (max_steps=100), trained with and without ``--bootstrap-truncations``, same
    seeds and budget (24,576 steps, where learning is not yet over); a table of the mean training return over
    the last 100 episodes (at most 100) and of the greedy policy's mean return over 100 episodes of the uncut
    game (max_steps=500): what the policy learned about balancing beyond the cut."""
    budget = "2048" if quick else "24576"
    rows = []
    for seed in seeds:
        for bootstrap in ("true", "false"):
            s = train("cartpole", "--config", '{"max_steps": 100}', "--bootstrap-truncations", bootstrap,
                      "--gif-steps", "0", "--total-timesteps", budget, seed=seed)
            envs = envsdk.make("cartpole", num_envs=100, max_steps=500)
            returns, _ = ppo().play_first_episodes(envs, envsdk.policy.load(s["checkpoint"]).act, 10_000 + seed)
            envs.close()
            rows.append((seed, bootstrap, s["mean_return"], float(returns.mean())))
            report("bootstrap", seed, s, bootstrap_truncations=bootstrap, uncut_return=rows[-1][3])
    print(f"| seed | --bootstrap-truncations | training return (max_steps=100, last 100 episodes, {budget} steps) "
          "| greedy return, max_steps=500 (100 episodes) |")
    print("|---|---|---|---|")
    for seed, bootstrap, train_return, uncut in rows:
        print(f"| {seed} | {bootstrap} | {train_return:.1f} | {uncut:.1f} |")
    for bootstrap in ("true", "false"):
        mine = [r for r in rows if r[1] == bootstrap]
        print(f"| median | {bootstrap} | {statistics.median(r[2] for r in mine):.1f} | "
              f"{statistics.median(r[3] for r in mine):.1f} |")


# ---- contention: PPO beside one CPU-bound process -------------------------------------------------------


def contention_table(repeats: int, quick: bool) -> None:
    """ppo.py's SPS on cartpole and tictactoe (a fixed budget, the env's defaults otherwise), quiet and beside
    one CPU-bound process (``python -c "while True: pass"``), with torch on one thread (the default) and on
    torch's own default (``--torch-threads 0``: one per core); ``repeats`` runs of each, their range."""
    budgets = {"cartpole": "100000", "tictactoe": "400000"}
    rows = []
    for env, budget in budgets.items():
        for threads in ("1", "0"):
            for busy in (False, True):
                hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
                try:
                    sps = [train(env, "--torch-threads", threads, "--gif-steps", "0", "--total-timesteps",
                                 "2048" if quick else budget, seed=seed)["sps"] for seed in range(1, repeats + 1)]
                finally:
                    if hog:
                        hog.kill()
                        hog.wait(timeout=10)
                rows.append((env, threads, busy, min(sps), max(sps)))
                print(json.dumps({"demo": "contention", "env": env, "torch_threads": threads, "busy": busy,
                                  "sps": sps}), flush=True)
    print("| env | --torch-threads | beside a busy process | SPS (min-max) |")
    print("|---|---|---|---|")
    for env, threads, busy, low, high in rows:
        print(f"| {env} | {threads} | {'yes' if busy else 'no'} | {low:,}-{high:,} |")


DEMOS = {"cartpole": demo_cartpole, "tictactoe": demo_tictactoe, "connect4": demo_connect4, "breakout": demo_breakout,
         "tripletriad": demo_tripletriad,
         **{env: functools.partial(demo_to_target, env) for env in ("pong", "squared", "snake")}}
PEERS = {"cartpole": peer_cartpole}


def summary_line(env: str, solved: bool, seconds: list[float], peer_seconds: list[float] | None = None) -> str:
    """The closing line of one env: ``ENV: solved=yes|no median_seconds=S peer_seconds=P`` (P only with a peer)."""
    line = f"{env}: solved={'yes' if solved else 'no'} median_seconds={statistics.median(seconds):.2f}"
    return line + (f" peer_seconds={statistics.median(peer_seconds):.2f}" if peer_seconds else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demos", nargs="*",
                        help=f"demos to run (default: all of {', '.join(DEMOS)}); or bootstrap, contention")
    parser.add_argument("--seeds", type=int, default=3, help="runs per demo, seeds 1..N (default 3)")
    parser.add_argument("--quick", action="store_true", help="a tiny budget per run: a smoke test of this script")
    parser.add_argument("--peer", action="store_true", help="(internal) run sb3_cartpole once, write --summary")
    parser.add_argument("--seed", type=int, default=1, help="(with --peer) its seed")
    parser.add_argument("--summary", default="", help="(with --peer) where its JSON summary goes")
    args = parser.parse_args(argv)
    if args.peer:
        summary = sb3_cartpole(args.seed, total_timesteps=2048 if args.quick else 100_000)
        Path(args.summary).write_text(json.dumps(summary) + "\n")
        return
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()}", flush=True)
    seeds = list(range(1, args.seeds + 1))
    closing = []
    for name in args.demos or list(DEMOS):
        if name == "bootstrap":
            bootstrap_table(seeds, args.quick)
            continue
        if name == "contention":
            contention_table(args.seeds, args.quick)
            continue
        runs = [DEMOS[name](seed, args.quick) for seed in seeds]
        seconds = [line["train_seconds"] for _, line in runs]
        figures = {"demo": name, "median_train_seconds": statistics.median(seconds),
                   "median_wall_seconds": statistics.median(line["wall_seconds"] for _, line in runs)}
        peer_seconds = None
        if name in PEERS:
            peers = [PEERS[name](seed, args.quick) for seed in seeds]
            peer_seconds = [line["train_seconds"] for _, line in peers]
            figures.update(peer_solved=all(ok for ok, _ in peers), peer_median_train_seconds=statistics.median(
                peer_seconds), peer_median_wall_seconds=statistics.median(line["wall_seconds"] for _, line in peers))
            figures["ratio"] = round(figures["peer_median_train_seconds"] / figures["median_train_seconds"], 2)
            print(f"{name}: the peer (SB3, RL Zoo's CartPole-v1 hyperparameters) takes {figures['ratio']}x as long "
                  "to its target (median training seconds)", flush=True)
        print(json.dumps(figures), flush=True)
        closing.append(summary_line(name, all(ok for ok, _ in runs), seconds, peer_seconds))
    print("\n".join(closing), flush=True)


if __name__ == "__main__":
    main()
