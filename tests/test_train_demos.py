"""bench/train_demos.py's one-ply Triple Triad player, against a plain per-cell count of captures."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from envsdk.envs.tripletriad import OBS_BOARD, OBS_HAND, OBS_MASK, OBS_SELECTED, PLACE

import envsdk

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[1]


def _train_demos():
    spec = importlib.util.spec_from_file_location("train_demos", ROOT / "bench" / "train_demos.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def captures(row: np.ndarray, card: int, cell: int) -> int:
    """Cards the agent's ``card`` captures on ``cell``: the TripleTriad docstring's rules, one neighbour at a time."""
    r, c = divmod(cell, 3)
    ranks = row[OBS_HAND + 4 * card:OBS_HAND + 4 * card + 4]
    count = 0
    for side, (dr, dc) in enumerate(((-1, 0), (0, 1), (1, 0), (0, -1))):  # N, E, S, W
        if 0 <= r + dr < 3 and 0 <= c + dc < 3:
            q = 3 * (r + dr) + c + dc
            if row[q] == -1 and ranks[side] > row[OBS_BOARD + 4 * q + (side ^ 2)]:
                count += 1
    return count


def test_one_ply_player_takes_a_move_capturing_the_most():
    demos = _train_demos()
    env = envsdk.make("tripletriad", num_envs=64, first="random", opponent="greedy")
    obs, _ = env.reset(seed=5)
    rng, checked, captured = np.random.default_rng(5), 0, 0
    for _ in range(60):
        actions = demos.tripletriad_one_ply(obs, rng)
        for row, action in zip(obs, actions, strict=True):
            placing = row[OBS_SELECTED:OBS_MASK].any()
            cards = [int(np.argmax(row[OBS_SELECTED:OBS_MASK]))] if placing else [
                k for k in range(5) if row[OBS_MASK + k]]
            best = {k: max(captures(row, k, p) for p in range(9) if row[p] == 0) for k in cards}
            if placing:
                assert row[action - PLACE] == 0  # an empty cell
                assert captures(row, cards[0], action - PLACE) == best[cards[0]]
            else:
                assert action in best and best[action] == max(best.values())
                captured += best[action]
            checked += 1
        obs = env.step(actions)[0]
    env.close()
    assert checked == 60 * 64 and captured > 100  # captures happen, so the comparisons were tested


def test_each_env_ends_with_its_median_over_the_seeds_and_the_peer_beside_it(monkeypatch, capsys):
    # the demos themselves train for minutes: here each run returns fixed figures, so what is checked
    # is the closing: one line per env, medians over the seeds, solved only when every seed solved
    demos = _train_demos()
    seconds = {"cartpole": [3.0, 9.0, 2.0], "tictactoe": [20.0, 25.0, 31.0], "sb3_cartpole": [40.0, 50.0, 45.0]}

    def fake(name: str, solved_seeds: set[int]):
        def run(seed: int, quick: bool) -> tuple[bool, dict]:
            assert quick
            return seed in solved_seeds, {"train_seconds": seconds[name][seed - 1], "wall_seconds": 1.0}
        return run

    monkeypatch.setitem(demos.DEMOS, "cartpole", fake("cartpole", {1, 2, 3}))
    monkeypatch.setitem(demos.DEMOS, "tictactoe", fake("tictactoe", {1, 3}))
    monkeypatch.setitem(demos.PEERS, "cartpole", fake("sb3_cartpole", {1, 2, 3}))
    demos.main(["--quick", "cartpole", "tictactoe"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == ["cartpole: solved=yes median_seconds=3.00 peer_seconds=45.00",
                          "tictactoe: solved=no median_seconds=25.00"]
    assert any(line.startswith("cartpole: the peer (SB3, RL Zoo's CartPole-v1 hyperparameters) takes 15.0x as long")
               for line in lines)


def test_the_sb3_peer_stops_once_the_last_100_episodes_reach_the_target():
    pytest.importorskip("stable_baselines3")
    demos = _train_demos()
    summary = demos.sb3_cartpole(seed=1, total_timesteps=50_000, target=15.0)  # a random policy's return is ~22
    assert summary["target"]["reached"] and summary["mean_return"] >= 15.0
    assert 100 * 8 <= summary["steps"] < 10_000  # 100 episodes, then at most a few rollouts of 8 x 32 more
    assert demos.ZOO_CARTPOLE == dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                                      ent_coef=0.0)


def test_play_policy_counts_the_outcome_of_each_first_game():
    demos = _train_demos()
    always_cell_0 = demos.play_policy("tictactoe", lambda obs: np.zeros(len(obs), np.int32), 50, opponent="perfect",
                                      first="opponent")
    # cell 0 is illegal whenever the opponent took it first (a loss); else the game goes on, and
    # playing cell 0 again is illegal on the next move: every game is lost
    assert always_cell_0 == {"win": 0.0, "draw": 0.0, "loss": 1.0}
