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
