"""Checks of the two-player mode (``opponent="none"``) that connect4 and tictactoe share, as their
docstrings' shared rules do: rows ``2g`` and ``2g + 1`` play game ``g``, the row to move is the one
whose observation holds a legal-action entry (its legal part starts at ``legal_from``), the waiting
row's action is never read, and a game that ends ends one episode in each of its rows.

Each game's test file passes its own layout, its plain-Python reference game and its numbers;
the assertions are the same for both games.
"""

from __future__ import annotations

import numpy as np
import pytest


def two_player_info(ret, length, first_win=0.0, second_win=0.0, draw=0.0, illegal=0.0, count=2):
    """Infos of row episodes (2 per game); the rates are per game, as both rows of a game add the same."""
    return [{"episode_return": ret, "episode_length": length, "first_win": first_win, "second_win": second_win,
             "draw": draw, "illegal": illegal, "episode_count": count}]


def random_moves(obs: np.ndarray, legal_from: int, rng, wild: float = 0.0) -> np.ndarray:
    """A uniformly random legal action for every row to move (argmax over the legal part), some
    replaced by a random value in -2 .. actions + 1 (out of range or maybe not legal) with
    probability ``wild``."""
    legal = obs[:, legal_from:].astype(bool)
    actions = (legal * rng.random(legal.shape)).argmax(axis=1).astype(np.int32)
    replace = rng.random(len(actions)) < wild
    actions[replace] = rng.integers(-2, legal.shape[1] + 2, replace.sum())
    return actions


def waiting_rows(obs: np.ndarray, legal_from: int) -> np.ndarray:
    """The rows whose legal-action entries are all zero: they wait, and their actions are ignored."""
    return np.flatnonzero(~obs[:, legal_from:].any(axis=1))


def check_waiting_rows_change_nothing(make, num_envs: int, legal_from: int, wild: float, junk: list[int],
                                      steps: int = 200) -> None:
    """Two runs of ``make(num_envs=..., opponent="none", first="random")`` with the same movers'
    actions give bit-equal outputs, whatever the waiting rows send: the mover's own (legal) action
    in one run, ``junk`` values (out of range or legal-looking) in the other."""
    runs = []
    for kind in ("mover's", "junk"):
        env = make(num_envs=num_envs, opponent="none", first="random")
        rng, junk_rng = np.random.default_rng(4), np.random.default_rng(5)
        out = []
        for _ in range(steps):
            obs = env.buffers.observations
            actions = random_moves(obs, legal_from, rng, wild=wild)
            waiting = waiting_rows(obs, legal_from)
            if kind == "mover's":
                actions[waiting] = actions[waiting ^ 1]  # the mover's own action: legal
            else:
                actions[waiting] = junk_rng.choice(junk, len(waiting))
            o, r, t, tr, infos = env.step(actions)
            assert env.buffers.masks.all()
            out.append((o.tobytes(), r.tobytes(), t.tobytes(), tr.tobytes(), repr(infos)))
        runs.append(out)
    assert runs[0] == runs[1]


def play_random_games(env, game_class, first_mover, legal_from: int, steps: int, wild: float, canary,
                      illegal_reward: float, rng) -> tuple[dict[str, int], list[int]]:
    """Step ``env`` (a reset backend over a two-player game, with ``final_observations`` and
    ``report_every=1``) ``steps`` times with random moves (the waiting rows' actions any int32),
    checking every output against ``game_class`` (the plain-Python reference: ``game_class(first)``,
    ``.observation(row, over=False)``, ``.play(action, illegal_reward)`` -> (rewards, outcome),
    ``.to_move``, ``.first``, ``.moves``). ``first_mover(g, previous)`` reads (and checks) the row
    that moves first in game ``g``'s new game, ``previous`` being the last game's first mover (None
    at reset). ``canary`` fills final_observations before each step: the rows of games that go on
    keep it. Returns the ended games per kind (first_win, second_win, draw, illegal) and each ended
    game's first mover."""
    b = env.buffers
    width = b.observations.shape[1]
    games = [game_class(first_mover(g, None)) for g in range(len(b.observations) // 2)]
    totals = {"first_win": 0, "second_win": 0, "draw": 0, "illegal": 0}
    firsts = []
    for _ in range(steps):
        for g, game in enumerate(games):
            assert b.observations[2 * g:2 * g + 2].tolist() == [game.observation(0), game.observation(1)]
        assert b.masks.all()
        actions = random_moves(b.observations, legal_from, rng, wild=wild)
        waiting = waiting_rows(b.observations, legal_from)
        actions[waiting] = rng.integers(-(2**31), 2**31, len(waiting))
        b.final_observations[...] = canary
        _, rew, term, trunc, infos = env.step(actions)
        assert not trunc.any()
        ended = []
        for g, game in enumerate(games):
            rewards, outcome = game.play(int(actions[2 * g + game.to_move]), illegal_reward)
            assert rew[2 * g:2 * g + 2].tolist() == rewards and term[2 * g:2 * g + 2].tolist() == [bool(outcome)] * 2
            final = b.final_observations[2 * g:2 * g + 2].tolist()
            assert final == ([game.observation(0, over=True), game.observation(1, over=True)] if outcome
                             else [[canary] * width] * 2)
            if outcome:
                won = "first_win" if outcome == "win" and game.to_move == game.first else "second_win"
                kind = won if outcome == "win" else outcome
                ended.append((sum(rewards), game.moves, kind))  # both rows' returns; each row lasted the game
                totals[kind] += 1
                firsts.append(game.first)
                games[g] = game_class(first_mover(g, game.first))
        if not ended:
            assert infos == []
            continue
        # One episode per row: 2k row episodes for k games; the per-game stats count once per row.
        k = len(ended)
        (info,) = infos
        assert info["episode_count"] == 2 * k
        assert info["episode_return"] == pytest.approx(sum(e[0] for e in ended) / (2 * k))
        assert info["episode_length"] == pytest.approx(sum(2 * e[1] for e in ended) / (2 * k))
        for key in totals:
            assert info[key] == pytest.approx(sum(2 * (e[2] == key) for e in ended) / (2 * k))
    return totals, firsts
