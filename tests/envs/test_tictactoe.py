"""tictactoe: conformance, hand-worked games, the illegal-move rule, the perfect opponent, PettingZoo parity."""

import copy
import functools
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from board_checks import check_waiting_rows_change_nothing, play_random_games, random_moves, two_player_info
from env_checks import check_steps_at_scale, rgb_frame
from envsdk._sims import ffi
from envsdk.envs.tictactoe import TicTacToe
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms, assert_passes_check

CSRC = Path(__file__).resolve().parents[2] / "csrc"
LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
FULL = 0x1FF


def wins(cells: int) -> bool:
    return any(all(cells >> c & 1 for c in line) for line in LINES)


def put(env, drawing: str, agent: str = "X", i: int = 0) -> None:
    """Set sub-env ``i`` to the board drawn as three rows of X / O / . (agent to move, playing ``agent``)."""
    cells = "".join(drawing.split())
    assert len(cells) == 9
    other = "O" if agent == "X" else "X"
    mine = sum(1 << k for k, ch in enumerate(cells) if ch == agent)
    theirs = sum(1 << k for k, ch in enumerate(cells) if ch == other)
    c = env._sim.c
    c.agent_cells[i], c.opponent_cells[i] = mine, theirs
    c.key[i] = sum((2 if mine >> k & 1 else 1 if theirs >> k & 1 else 0) * 3**k for k in range(9))
    c.agent_first[i] = agent == "X"
    c.tick[i] = mine.bit_count()
    obs = env.buffers.observations[i]
    obs[:9] = [(mine >> k & 1) - (theirs >> k & 1) for k in range(9)]
    obs[9:] = [1 - ((mine | theirs) >> k & 1) for k in range(9)]


def row(board: str) -> list[int]:
    """The expected observation row of a board drawn with A (agent), o (opponent) and . (empty)."""
    cells = "".join(board.split())
    return [{"A": 1, "o": -1, ".": 0}[ch] for ch in cells] + [int(ch == ".") for ch in cells]


def act(env, *actions):
    return env.step(np.array(actions, np.int32))


def make(**config):
    # report_every=1: each episode's stats arrive on the step it ends, where the tests check them
    env = TicTacToe(**{"report_every": 1, **config})
    env.reset(seed=0)
    return env


def info(ret, length, outcome, first, illegal=0.0):
    win, draw, loss = (float(outcome == k) for k in ("win", "draw", "loss"))
    return [{"episode_return": ret, "episode_length": length, "win": win, "draw": draw, "loss": loss,
             "illegal": illegal, "first": first, "win_first": win * first, "loss_first": loss * first,
             "episode_count": 1}]


@pytest.mark.parametrize("opponent", ["random", "perfect"])
@pytest.mark.parametrize("first", ["random", "alternate"])
def test_conforms(opponent, first):
    assert_conforms(TicTacToe, num_envs=4, opponent=opponent, first=first)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("tictactoe", 4096, 4, (4096, 18), dtype=np.int8)


# ---- hand-worked games ------------------------------------------------------------------------


def test_agent_first_starts_on_an_empty_board_with_every_cell_legal():
    env = make(num_envs=3, first="agent")
    np.testing.assert_array_equal(env.buffers.observations, [[0] * 9 + [1] * 9] * 3)


def test_opponent_first_has_placed_one_mark():
    env = make(num_envs=64, first="opponent")
    obs = env.buffers.observations
    assert ((obs[:, :9] == -1).sum(axis=1) == 1).all() and (obs[:, :9] != 1).all()
    np.testing.assert_array_equal(obs[:, 9:], obs[:, :9] == 0)


def test_agent_completes_a_row_and_wins():
    env = make(opponent="perfect", first="agent")
    # The agent (X) to move:        after 2:       reward +1, terminal; the row is already the
    #   X X .                        X X X         next episode's first one (agent first: empty).
    #   O O .                        O O .
    #   . . .                        . . .
    put(env, "XX. OO. ...")
    obs, rew, term, trunc, infos = act(env, 2)
    assert rew[0] == 1.0 and term[0] and not trunc[0]
    assert obs[0].tolist() == row("... ... ...")
    assert infos == info(1.0, 3.0, "win", 1.0)


def test_perfect_opponent_blocks_a_threat():
    env = make(opponent="perfect", first="agent")
    # X . .    agent plays 1:   X X .    the only move that does not lose is 2:   A A o
    # . O .                     . O .                                             . o .
    # . . .                     . . .                                             . . .
    put(env, "X.. .O. ...")
    obs, rew, term, trunc, infos = act(env, 1)
    assert obs[0].tolist() == row("AAo .o. ...")
    assert rew[0] == 0 and not term[0] and not trunc[0] and infos == []
    c = env._sim.c
    assert (c.agent_cells[0], c.opponent_cells[0], c.tick[0]) == (0b011, 0b10100, 2)
    assert c.key[0] == 2 * 1 + 2 * 3 + 1 * 9 + 1 * 81  # agent 0, 1; opponent 2, 4 (opponent's view)


def test_perfect_opponent_wins_when_it_can():
    env = make(opponent="perfect", first="agent")
    # X . .    agent plays 8 (no threat of its own):   X . .    the opponent completes its    X . .
    # O O .                                            O O .    middle row at once (5),        O O O
    # . X .                                            . X X    not the block at 6 or 2:       . X X
    put(env, "X.. OO. .X.")
    obs, rew, term, trunc, infos = act(env, 8)
    assert rew[0] == -1.0 and term[0] and not trunc[0]
    assert infos == info(-1.0, 3.0, "loss", 1.0)


@pytest.mark.parametrize("epsilon", [0.0, 0.3, 1.0])
def test_epsilon_makes_the_perfect_opponent_miss_wins_at_that_rate(epsilon):
    # The position above in 4000 sub-envs: after the agent's 8, empty cells are 1, 2, 5, 6 and only
    # 5 wins. The opponent takes it with probability (1 - epsilon) + epsilon / 4.
    n = 4000
    env = make(num_envs=n, opponent="perfect", first="agent", epsilon=epsilon)
    for i in range(n):
        put(env, "X.. OO. .X.", i=i)
    _, rew, *_ = act(env, *[8] * n)
    expected = (1 - epsilon) + epsilon / 4
    assert abs((rew == -1.0).mean() - expected) < 0.03


@pytest.mark.parametrize("first", ["agent", "opponent"])
def test_opening_starts_from_random_unfinished_positions(first):
    n = 5000
    env = make(num_envs=n, opponent="perfect", epsilon=0.5, first=first, opening=3)
    c = env._sim.c
    marks = []
    for i in range(n):
        mine, theirs = int(c.agent_cells[i]), int(c.opponent_cells[i])
        assert not wins(mine) and not wins(theirs) and (mine | theirs) != FULL and c.tick[i] == 0
        assert theirs.bit_count() - mine.bit_count() == (0 if first == "agent" else 1)
        obs = env.buffers.observations[i]
        assert obs.tolist() == [(mine >> q & 1) - (theirs >> q & 1) for q in range(9)] + [
            1 - ((mine | theirs) >> q & 1) for q in range(9)]
        marks.append(mine.bit_count())
    # k agent moves, k uniform in 0..3; a few long openings end the game and are redrawn
    counts = np.bincount(marks, minlength=4) / n
    assert counts.tolist()[:3] == pytest.approx([0.25, 0.25, 0.25], abs=0.03) and 0.15 < counts[3] < 0.26
    # the opening is part of every start: the autoreset rows open with 0..3 agent marks too
    obs, _, term, *_ = act(env, *[int(np.flatnonzero(o[9:])[0]) for o in env.buffers.observations])
    restarted = np.bincount((obs[term, :9] == 1).sum(axis=1), minlength=4)
    assert term.sum() > 500 and (restarted[:4] > 0.15 * term.sum()).all()


def test_opening_of_four_exchanges_at_most_three_when_the_opponent_starts():
    # a fourth exchange after the opponent's first mark would fill the board: capped at three
    env = make(num_envs=2000, opponent="random", first="random", opening=4)
    c = env._sim.c
    agent_marks = np.array([int(c.agent_cells[i]).bit_count() for i in range(2000)])
    first = np.array([bool(c.agent_first[i]) for i in range(2000)])
    assert agent_marks[~first].max() == 3 and agent_marks[first].max() == 4


def test_draw_when_the_agent_fills_the_board():
    env = make(first="agent")
    # X O X    agent X plays 8:   X O X    no line for anyone: draw, reward 0
    # X O O                       X O O
    # O X .                       O X X
    put(env, "XOX XOO OX.")
    obs, rew, term, trunc, infos = act(env, 8)
    assert rew[0] == 0.0 and term[0] and not trunc[0]
    assert infos == info(0.0, 5.0, "draw", 1.0)


def test_draw_when_the_opponent_fills_the_board():
    env = make(first="opponent")
    # The opponent is X (it moved first); the agent is O, to move:
    # X O X    agent O plays 4:   X O X    the random opponent must take 8:   X O X
    # X . O                       X O O                                       X O O
    # O X .                       O X .                                       O X X   draw
    put(env, "XOX X.O OX.", agent="O")
    obs, rew, term, trunc, infos = act(env, 4)
    assert rew[0] == 0.0 and term[0] and not trunc[0]
    assert infos == info(0.0, 4.0, "draw", 0.0)
    # Next episode: the opponent moves first again, so one -1 mark is on the board.
    assert (obs[0, :9] == -1).sum() == 1 and (obs[0, :9] == 1).sum() == 0


def final_row(board: str) -> list[int]:
    """The expected final observation of a game that ended on the board drawn with A / o / .: the
    board from the agent's view, and no legal action (the game is over)."""
    return row(board)[:9] + [0] * 9


def test_final_observations_show_each_ended_games_last_position():
    # Five games against the perfect opponent, the agent (X) to move in each; after one step:
    #   0 win:        XX. OO. ...  plays 2  ->  AAA oo. ...
    #   1 loss:       X.. OO. .X.  plays 8  ->  A.. ooo .AA  (the opponent completes its row)
    #   2 draw:       XOX XOO OX.  plays 8  ->  AoA Aoo oAA  (the agent fills the board)
    #   3 illegal:    X.. .O. ...  plays 4  ->  A.. .o. ...  (occupied: the board stays as it was)
    #   4 goes on:    X.. .O. ...  plays 8  ->  its final row keeps the canary
    backend = envsdk.backends.Serial(TicTacToe, num_envs=5, opponent="perfect", first="agent",
                                     final_observations=True)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0)
    for i, board in enumerate(["XX. OO. ...", "X.. OO. .X.", "XOX XOO OX.", "X.. .O. ...", "X.. .O. ..."]):
        put(env, board, i=i)
    final[4] = 7
    obs, rew, term, _, _ = backend.step(np.array([2, 8, 8, 4, 8], np.int32))
    assert rew.tolist() == [1.0, -1.0, 0.0, -1.0, 0.0] and term.tolist() == [True] * 4 + [False]
    assert final[:4].tolist() == [final_row(b) for b in ("AAA oo. ...", "A.. ooo .AA", "AoA Aoo oAA", "A.. .o. ...")]
    assert (final[4] == 7).all() and obs[:4].tolist() == [row("... ... ...")] * 4  # restarted
    backend.close()


def test_random_opponent_completing_a_line_is_a_loss_moving_second():
    env = make(first="opponent")
    # The opponent is X (it moved first); the agent is O, to move. Both cells left after the
    # agent's move win for X, so whichever the random opponent picks, the agent loses:
    #   X . X    agent O plays 8:   X . X    X takes 1 (top row) or 6 (diagonal 2-4-6): reward -1
    #   O X O                       O X O
    #   . O .                       . O O
    put(env, "X.X OXO .O.", agent="O")
    _, rew, term, _, infos = act(env, 8)
    assert rew[0] == -1.0 and term[0]
    assert infos == info(-1.0, 4.0, "loss", 0.0)


def test_alternate_gives_the_agent_the_first_episode_then_takes_turns():
    env = make(first="alternate")
    starts = []
    for _ in range(4):
        obs = env.buffers.observations[0]
        starts.append(int((obs[:9] == -1).sum()))
        act(env, 9)  # illegal: ends the episode at once
    assert starts == [0, 1, 0, 1]


def test_random_first_is_a_fair_coin():
    env = make(num_envs=4096, first="random")
    opponent_first = (env.buffers.observations[:, :9] == -1).any(axis=1).mean()
    assert abs(opponent_first - 0.5) < 0.03


def test_random_opponent_picks_every_empty_cell_uniformly():
    env = make(num_envs=9000, first="opponent")
    counts = np.bincount(np.argmax(env.buffers.observations[:, :9] == -1, axis=1), minlength=9)
    assert counts.min() > 850 and counts.max() < 1150  # 1000 expected per cell


# ---- the illegal-move rule ----------------------------------------------------------------------


def test_illegal_moves_end_the_episode_as_a_loss_with_the_penalty():
    env = make(num_envs=5, first="agent", illegal_reward=-5.0)
    # Sub-env 0 marks the centre legally; then sub-env 0 repeats it (occupied) while the others
    # send out-of-range actions: every one of them is a terminal loss with reward -5.
    act(env, 4, 4, 4, 4, 4)
    before = env._sim.c.opponent_cells[0]
    obs, rew, term, trunc, infos = act(env, 4, -1, 9, 2**31 - 1, -(2**31))
    np.testing.assert_array_equal(rew, [-5.0] * 5)
    assert term.all() and not trunc.any()
    assert before != 0 and (obs[:, :9] == 0).all()  # all autoreset to empty boards (agent first)
    assert infos == [{"episode_return": -5.0, "episode_length": 2.0, "win": 0.0, "draw": 0.0, "loss": 1.0,
                      "illegal": 1.0, "first": 1.0, "win_first": 0.0, "loss_first": 1.0, "episode_count": 5}]


def test_an_illegal_first_move_is_a_one_step_loss():
    env = make(first="opponent")
    taken = int(np.flatnonzero(env.buffers.observations[0, :9] == -1)[0])
    _, rew, term, _, infos = act(env, taken)  # the opponent's cell
    assert rew[0] == -1.0 and term[0]
    assert infos == info(-1.0, 1.0, "loss", 0.0, illegal=1.0)


# ---- the perfect opponent ---------------------------------------------------------------------


def load_table_module():
    spec = importlib.util.spec_from_file_location("tictactoe_table", CSRC / "tictactoe_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def c_table(env) -> list[int]:
    return [env._sim.c.perfect[k] for k in range(3**9)]


def test_header_table_is_the_generated_one():
    table = load_table_module()
    assert table.current_region() == table.region(), "run: python csrc/tictactoe_table.py"
    env = TicTacToe()
    perfect = c_table(env)
    assert perfect == table.perfect_table()
    assert sum(v != 0 for v in perfect) == 4520  # the non-final positions among the 5,478 legal ones


def test_perfect_opponent_never_loses_to_any_agent_policy():
    """Every agent policy at once: from every reachable position, try every agent move against every
    move the opponent may pick (its whole best-move mask); no line may ever be the agent's."""
    perfect = c_table(TicTacToe())
    seen = set()

    def agent_to_move(mine: int, theirs: int) -> None:
        if (mine, theirs) in seen:
            return
        seen.add((mine, theirs))
        for a in range(9):
            if (mine | theirs) >> a & 1:
                continue
            m = mine | 1 << a
            assert not wins(m), f"agent line after {m:09b} / {theirs:09b}"
            if (m | theirs) == FULL:
                continue
            opponent_to_move(m, theirs)

    def opponent_to_move(mine: int, theirs: int) -> None:
        key = sum((2 if mine >> k & 1 else 1 if theirs >> k & 1 else 0) * 3**k for k in range(9))
        choices = perfect[key]
        assert choices and not choices & (mine | theirs), (mine, theirs, choices)
        for m in range(9):
            if choices >> m & 1:
                t = theirs | 1 << m
                if not wins(t) and (mine | t) != FULL:
                    agent_to_move(mine, t)

    agent_to_move(0, 0)  # the agent moves first
    opponent_to_move(0, 0)  # the opponent moves first (any of its first moves)
    assert len(seen) > 500


def test_perfect_opponent_in_play_never_loses_and_follows_its_table():
    env = make(num_envs=2048, opponent="perfect", first="random")
    perfect = np.array(c_table(env))
    rng = np.random.default_rng(1)
    obs = env.buffers.observations
    games = wins_ = 0
    for _ in range(60):
        before = obs.copy()
        keys = ffi.unpack(env._sim.c.key, 2048)
        legal = before[:, 9:].astype(bool)
        actions = (legal * rng.random(legal.shape)).argmax(axis=1).astype(np.int32)  # random legal cells
        _, rew, term, _, infos = env.step(actions)
        wins_ += int((rew > 0).sum())
        games += int(term.sum())
        # Where play went on, the opponent's new mark is one of its table's best moves.
        for i in np.flatnonzero(~term):
            m = int(np.flatnonzero((obs[i, :9] == -1) & (before[i, :9] == 0))[0])
            key = keys[i] + 2 * 3 ** int(actions[i])
            assert perfect[key] >> m & 1
    assert games > 10_000 and wins_ == 0


@functools.cache
def chance_rates(mover: int = 0, other: int = 0) -> tuple[float, float]:
    """(P the player to move wins, P the other wins) when both play uniformly random legal moves."""
    empty = [c for c in range(9) if not (mover | other) >> c & 1]
    p_mover = p_other = 0.0
    for c in empty:
        m = mover | 1 << c
        if wins(m):
            p_mover += 1 / len(empty)
        elif (m | other) != FULL:
            w_other, w_mover = chance_rates(other, m)
            p_mover += w_mover / len(empty)
            p_other += w_other / len(empty)
    return p_mover, p_other


def test_random_legal_play_matches_exact_chance_outcomes():
    # Uniformly random legal moves on both sides: the first mover wins ~0.585, the second ~0.288
    # (computed exactly by chance_rates, by enumerating every game).
    env = make(num_envs=4096, first="alternate")
    rng = np.random.default_rng(2)
    episodes = first = win_first = win = 0.0
    for _ in range(60):
        legal = env.buffers.observations[:, 9:].astype(bool)
        actions = (legal * rng.random(legal.shape)).argmax(axis=1).astype(np.int32)
        for d in env.step(actions)[4]:
            n = d["episode_count"]  # info values are means: weight them by the episode count
            episodes += n
            first += n * d["first"]
            win_first += n * d["win_first"]
            win += n * d["win"]
    p_first, p_second = chance_rates()
    assert episodes > 50_000
    assert win_first / first == pytest.approx(p_first, abs=0.01)
    assert (win - win_first) / (episodes - first) == pytest.approx(p_second, abs=0.01)


# ---- PettingZoo, the independent reference -----------------------------------------------------


def pz_cell(p: int) -> int:
    """PettingZoo numbers cells column-major (0 3 6 / 1 4 7 / 2 5 8); ours are row-major."""
    return (p % 3) * 3 + p // 3


def test_rules_match_pettingzoo_over_many_random_games():
    pz = pytest.importorskip("pettingzoo.classic.tictactoe_v3")
    pz_board = pytest.importorskip("pettingzoo.classic.tictactoe.board")
    to_pz = [0] * 9
    for p in range(9):
        to_pz[pz_cell(p)] = p
    n = 32
    env = make(num_envs=n, opponent="random", first="random", illegal_reward=-1.0)
    obs = env.buffers.observations
    rng = np.random.default_rng(3)

    def start(i):
        game = pz.env()
        game.reset()
        theirs = np.flatnonzero(obs[i, :9] == -1)
        if theirs.size:  # the opponent moved first: it is player_1
            game.step(to_pz[int(theirs[0])])
        return game, ("player_2" if theirs.size else "player_1")

    mirrors = [start(i) for i in range(n)]
    outcomes = {"win": 0, "draw": 0, "loss": 0, "illegal": 0}
    for _ in range(600):
        # The observation is PettingZoo's, seen by our agent (board and legal-action mask).
        for i, (game, me) in enumerate(mirrors):
            seen = game.observe(me)
            planes = seen["observation"].reshape(9, 2)
            board, mask = [0] * 9, [0] * 9
            for p in range(9):
                board[pz_cell(p)] = int(planes[p, 0]) - int(planes[p, 1])
                mask[pz_cell(p)] = int(seen["action_mask"][p])
            assert obs[i].tolist() == board + mask
        legal = obs[:, 9:].astype(bool)
        actions = (legal * rng.random(legal.shape)).argmax(axis=1).astype(np.int32)
        wild = rng.random(n) < 0.05
        actions[wild] = rng.integers(-2, 11, wild.sum())  # sometimes illegal or out of range
        before = obs.copy()
        _, rew, term, trunc, _ = env.step(actions)
        assert not trunc.any()
        for i in range(n):
            game, me = mirrors[i]
            a = int(actions[i])
            if not 0 <= a < 9:
                assert term[i] and rew[i] == -1.0
                outcomes["illegal"] += 1
                mirrors[i] = start(i)
                continue
            game.step(to_pz[a])  # illegal in-range moves: PettingZoo ends the game, mover loses
            if all(game.terminations.values()):
                assert term[i] and rew[i] == game.rewards[me], (i, a, game.rewards)
                outcomes["illegal" if not before[i, 9 + a] else "win" if rew[i] > 0 else "draw"] += 1
                mirrors[i] = start(i)
                continue
            if not term[i]:
                # The opponent's reply is the one new -1 cell; PettingZoo must agree play goes on.
                (m,) = np.flatnonzero((obs[i, :9] == -1) & (before[i, :9] == 0))
                game.step(to_pz[int(m)])
                assert not any(game.terminations.values())
                continue
            # The opponent ended the game; the row was autoreset, so its last move is not shown.
            # Some empty cell must end PettingZoo's game with exactly this reward for the agent.
            squares = list(game.unwrapped.board.squares)
            results = set()
            for p in range(9):
                if squares[p] == 0:
                    b = pz_board.Board()
                    b.squares = copy.copy(squares)
                    b.play_turn(0 if me == "player_2" else 1, p)
                    status = b.game_status()
                    won = status in (pz_board.TTT_PLAYER1_WIN, pz_board.TTT_PLAYER2_WIN)
                    results.add(-1.0 if won else 0.0 if status == pz_board.TTT_TIE else None)
            assert rew[i] in results, (i, squares, rew[i], results)
            outcomes["loss" if rew[i] < 0 else "draw"] += 1
            mirrors[i] = start(i)
    assert min(outcomes.values()) > 50 and sum(outcomes.values()) > 5000, outcomes


# ---- errors, fuzzing, rendering ---------------------------------------------------------------



def test_config_errors_name_the_key():
    keys = "num_envs, opponent, first, epsilon, opening, illegal_reward"
    with pytest.raises(ConfigError, match=rf"expected config keys among {keys}.*'oponent'"):
        TicTacToe(oponent="perfect")
    with pytest.raises(ConfigError, match=r"opponent among 'random', 'perfect', 'none', found 'minimax'"):
        TicTacToe(opponent="minimax")
    with pytest.raises(ConfigError, match=r"first among 'agent', 'opponent', 'alternate', 'random', found 1"):
        TicTacToe(first=1)
    with pytest.raises(ConfigError, match="opening"):
        TicTacToe(opening=5)
    with pytest.raises(ConfigError, match="epsilon"):
        TicTacToe(opponent="perfect", epsilon=1.5)
    with pytest.raises(ConfigError, match="illegal_reward"):
        TicTacToe(illegal_reward=0.5)
    with pytest.raises(ConfigError, match="illegal_reward"):
        TicTacToe(illegal_reward=float("nan"))
    with pytest.raises(ConfigError, match="num_envs"):
        TicTacToe(num_envs=0)



@settings(max_examples=30, deadline=None)
@given(
    num_envs=st.integers(1, 8), opponent=st.sampled_from(["random", "perfect"]),
    first=st.sampled_from(["agent", "opponent", "alternate", "random"]), illegal_reward=st.floats(-10, 0),
    epsilon=st.floats(0, 1), opening=st.integers(0, 4),
    seed=st.integers(0, 2**63), actions=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=24, max_size=24),
)
def test_fuzz_configs_and_actions(num_envs, opponent, first, illegal_reward, epsilon, opening, seed, actions):
    env = TicTacToe(num_envs=num_envs, opponent=opponent, first=first, illegal_reward=illegal_reward,
                    epsilon=epsilon, opening=opening)
    env.reset(seed=seed)
    c = env._sim.c
    for k, a in enumerate(actions):
        acts = np.array([a if j % 2 == 0 else (a + k + j) % 9 for j in range(num_envs)], np.int32)
        obs, rew, term, trunc, _ = env.step(acts)
        assert not trunc.any() and np.isin(rew, [1.0, 0.0, -1.0, np.float32(illegal_reward)]).all()
        for i in range(num_envs):
            mine, theirs = int(c.agent_cells[i]), int(c.opponent_cells[i])
            assert not mine & theirs and not wins(mine) and not wins(theirs) and (mine | theirs) != FULL
            expected = [(mine >> q & 1) - (theirs >> q & 1) for q in range(9)]
            assert obs[i].tolist() == expected + [1 - ((mine | theirs) >> q & 1) for q in range(9)]
            # The opponent has as many marks as the agent, or one more when it moved first.
            assert theirs.bit_count() - mine.bit_count() == (0 if c.agent_first[i] else 1)
    env.close()


def test_render():
    env = make(first="agent")
    put(env, "X.. .O. ...")
    frame = rgb_frame(env, (96, 96, 3))
    assert (frame[16, 16] == [80, 200, 255]).all()  # the agent's X crosses the centre of cell 0
    assert (frame[16 + 32, 16 + 32] == [20, 20, 28]).all()  # the opponent's O is a ring: centre empty
    assert (frame[32 + 16, 32 + 5 + 1] == [255, 90, 90]).all()  # ... and its left edge is red
    assert (frame[31, 50] == [120, 120, 130]).all()  # grid line
    text = env.render("ansi")
    assert text.count("X") == 1 and text.count("O") == 1 and text.count("·") == 7
    with pytest.raises(IndexError):
        env.render("ansi", index=1)


# ---- two-player mode (opponent="none") -----------------------------------------------------------

@pytest.mark.parametrize("first", ["agent", "opponent", "alternate", "random"])
def test_two_player_conforms(first):
    # Every check, the slow ones included: none fails and none is skipped. Only the `random` coin
    # draws from the RNG, so with another `first` the seeds cannot matter (a seed_sensitivity warning).
    report = assert_passes_check(TicTacToe, num_envs=4, opponent="none", first=first)
    assert report.counts()["skip"] == 0, report.format()
    assert [r.name for r in report.warnings] == ([] if first == "random" else ["seed_sensitivity"]), report.format()


def two_rows(drawing: str, x_row: int, to_move: int) -> list[list[int]]:
    """The expected observations of a game's two rows, its board drawn with X / O / .: row ``x_row``
    (0 or 1) plays X, and only row ``to_move`` holds the legal-action part (1 on empty cells);
    ``to_move`` None: a finished game's final observations, where neither row holds any."""
    cells = "".join(drawing.split())
    rows = []
    for row in (0, 1):
        me = "X" if row == x_row else "O"
        board = [0 if ch == "." else 1 if ch == me else -1 for ch in cells]
        rows.append(board + [int(ch == "." and row == to_move) for ch in cells])
    return rows


def see(env, drawing: str, x_row: int, to_move: int, g: int = 0) -> None:
    """Game ``g``'s rows show the drawn board, only row ``to_move`` with legal actions; every row is live."""
    assert env.buffers.observations[2 * g:2 * g + 2].tolist() == two_rows(drawing, x_row, to_move)
    assert env.buffers.masks.all()


def play_on(env, moves, x_row: int) -> None:
    """Step a one-game env through ``moves``: (actions of rows 0 and 1, the board after, the row to
    move next); play goes on after each, with rewards 0 and no flags."""
    for actions, drawing, to_move in moves:
        _, rew, term, trunc, infos = act(env, *actions)
        assert rew.tolist() == [0.0, 0.0] and not term.any() and not trunc.any() and infos == []
        see(env, drawing, x_row, to_move)


def test_two_player_x_wins_and_the_next_game_starts():
    env = make(num_envs=1, opponent="none", first="agent")  # row 0 plays X and moves first
    assert env.num_agents == 2 and env.buffers.observations.shape == (2, 18)
    see(env, "... ... ...", x_row=0, to_move=0)
    # The waiting row's action is junk, out of range or a legal-looking cell: never read.
    play_on(env, [((0, -7), "X.. ... ...", 1),
                  ((99, 3), "X.. O.. ...", 0),
                  ((1, 8), "XX. O.. ...", 1),
                  ((2, 4), "XX. OO. ...", 0)], x_row=0)
    # X (row 0) plays 2:   X X X    +1 for row 0, -1 for row 1, both terminal; both rows show
    #                      O O .    the next game (row 0 first again, its legal part alone set).
    #                      . . .    Two row episodes of 5 steps each, returns +1 and -1: mean 0.
    _, rew, term, trunc, infos = act(env, 2, 2)
    assert rew.tolist() == [1.0, -1.0] and term.tolist() == [True, True] and not trunc.any()
    see(env, "... ... ...", x_row=0, to_move=0)
    assert infos == two_player_info(0.0, 5.0, first_win=1.0)


def test_two_player_final_observations_show_the_winning_line_from_each_rows_view():
    # Row 0 plays X and completes the top row: both rows' final observations show the final board,
    # each from its own view (1 its marks), with no legal action (the game is over).
    backend = envsdk.backends.Serial(TicTacToe, num_envs=1, opponent="none", first="agent", final_observations=True)
    backend.reset(seed=0)
    for actions in ((0, 0), (3, 3), (1, 1), (4, 4)):
        backend.step(np.array(actions, np.int32))
    _, rew, term, _, _ = backend.step(np.array([2, 2], np.int32))
    assert rew.tolist() == [1.0, -1.0] and term.all()
    assert backend.buffers.final_observations.tolist() == two_rows("XXX OO. ...", x_row=0, to_move=None)
    backend.close()


def test_two_player_o_wins():
    env = make(num_envs=1, opponent="none", first="opponent")  # row 1 plays X and moves first
    see(env, "... ... ...", x_row=1, to_move=1)
    play_on(env, [((5, 0), "X.. ... ...", 0),
                  ((3, 2**31 - 1), "X.. O.. ...", 1),
                  ((-(2**31), 1), "XX. O.. ...", 0),
                  ((4, 4), "XX. OO. ...", 1),
                  ((0, 8), "XX. OO. ..X", 0)], x_row=1)
    # O (row 0) plays 5:   X X .    +1 for row 0, -1 for row 1 (the first mover): two row
    #                      O O O    episodes of 6 steps, mean return 0, a second-mover win
    #                      . . X
    _, rew, term, _, infos = act(env, 5, 6)
    assert rew.tolist() == [1.0, -1.0] and term.tolist() == [True, True]
    see(env, "... ... ...", x_row=1, to_move=1)
    assert infos == two_player_info(0.0, 6.0, second_win=1.0)


def test_two_player_draw_then_alternate_hands_the_first_move_to_the_other_row():
    env = make(num_envs=1, opponent="none", first="alternate")  # row 0 first in the first game
    see(env, "... ... ...", x_row=0, to_move=0)
    play_on(env, [((0, 9), "X.. ... ...", 1),
                  ((9, 1), "XO. ... ...", 0),
                  ((2, 0), "XOX ... ...", 1),
                  ((0, 4), "XOX .O. ...", 0),
                  ((3, 3), "XOX XO. ...", 1),
                  ((3, 5), "XOX XOO ...", 0),
                  ((7, -1), "XOX XOO .X.", 1),
                  ((-1, 6), "XOX XOO OX.", 0)], x_row=0)
    # X (row 0) fills the board:   X O X    no line: 0 for both, terminal; the next game has
    #                              X O O    row 1 first (it plays X now)
    #                              O X X
    _, rew, term, _, infos = act(env, 8, 8)
    assert rew.tolist() == [0.0, 0.0] and term.tolist() == [True, True]
    see(env, "... ... ...", x_row=1, to_move=1)
    assert infos == two_player_info(0.0, 9.0, draw=1.0)  # two row episodes of 9 steps
    act(env, 4, 4)  # row 1 opens in the centre; row 0's 4 is not read
    see(env, "... .X. ...", x_row=1, to_move=0)


def test_two_player_illegal_moves_end_the_game_with_the_penalty_for_the_mover():
    env = make(num_envs=3, opponent="none", first="agent", illegal_reward=-5.0)
    # Games 0 and 2: the first mover (rows 0, 4) plays out of range; game 1: row 2 takes the centre.
    # Four row episodes of 1 step: returns -5, 0, -5, 0 (mean -2.5).
    _, rew, term, trunc, infos = act(env, 9, 0, 4, 0, -1, 0)
    assert rew.tolist() == [-5.0, 0.0, 0.0, 0.0, -5.0, 0.0]
    assert term.tolist() == [True, True, False, False, True, True] and not trunc.any()
    assert infos == two_player_info(-2.5, 1.0, illegal=1.0, count=4)
    for g in (0, 2):
        see(env, "... ... ...", x_row=0, to_move=0, g=g)
    # Game 1: row 3 (second mover) takes the occupied centre: -5 for it, 0 for row 2; two row
    # episodes of 2 steps, mean return -2.5.
    _, rew, term, _, infos = act(env, 0, 0, 0, 4, 0, 0)
    assert rew.tolist() == [0.0, 0.0, 0.0, -5.0, 0.0, 0.0]
    assert term.tolist() == [False, False, True, True, False, False]
    assert infos == two_player_info(-2.5, 2.0, illegal=1.0)
    see(env, "... ... ...", x_row=0, to_move=0, g=1)
    see(env, "X.. ... ...", x_row=0, to_move=1, g=0)


def test_two_player_the_waiting_rows_actions_change_nothing():
    # Random legal cells (some replaced, 5%, by -2..10: out of range or occupied).
    check_waiting_rows_change_nothing(make, 16, 9, wild=0.05, junk=[-7, 99, -(2**31), 2**31 - 1, 0, 4, 8])


class Game:
    """The reference: the rules of two-player tic-tac-toe in plain Python, one game."""

    def __init__(self, first: int):
        self.first = self.to_move = first  # row 0 or 1
        self.marks = [set(), set()]  # cells of row 0, of row 1
        self.moves = 0

    def observation(self, row: int, over: bool = False) -> list[int]:
        """Row ``row``'s view; ``over``: the final one of the finished game, with no legal action."""
        mine, theirs = self.marks[row], self.marks[1 - row]
        board = [1 if c in mine else -1 if c in theirs else 0 for c in range(9)]
        return board + [int(row == self.to_move and not v and not over) for v in board]

    def play(self, cell: int, illegal_reward: float) -> tuple[list[float], str | None]:
        """The mover plays ``cell``: (rewards of rows 0 and 1, the outcome or None when play goes on)."""
        mover, self.moves = self.to_move, self.moves + 1
        rewards = [0.0, 0.0]
        if not 0 <= cell < 9 or cell in self.marks[0] | self.marks[1]:
            rewards[mover] = illegal_reward
            return rewards, "illegal"
        self.marks[mover].add(cell)
        if any(set(line) <= self.marks[mover] for line in LINES):
            rewards[mover], rewards[1 - mover] = 1.0, -1.0
            return rewards, "win"
        if len(self.marks[0]) + len(self.marks[1]) == 9:
            return rewards, "draw"
        self.to_move = 1 - mover
        return rewards, None


@pytest.mark.parametrize("first", ["agent", "opponent", "alternate", "random"])
def test_two_player_matches_a_python_reference_over_random_games(first):
    n, illegal_reward = 64, -2.0
    env = envsdk.backends.Serial(TicTacToe, num_envs=n, opponent="none", first=first, illegal_reward=illegal_reward,
                                 report_every=1, final_observations=True)
    env.reset(seed=0)
    b = env.buffers
    rng = np.random.default_rng(6)

    def first_mover(g: int, previous: int | None) -> int:
        row = int(np.flatnonzero(b.observations[2 * g:2 * g + 2, 9:].any(axis=1))[0])  # the row with legal actions
        expected = {"agent": 0, "opponent": 1, "alternate": 0 if previous is None else 1 - previous}.get(first, row)
        assert row == expected, (first, g, previous, row)
        return row

    totals, firsts = play_random_games(env, Game, first_mover, 9, steps=60, wild=0.03, canary=5,
                                       illegal_reward=illegal_reward, rng=rng)
    assert sum(totals.values()) > 300 and min(totals.values()) > 10, totals
    if first == "random":
        assert 0.4 < np.mean(firsts) < 0.6


def test_two_player_config():
    env = TicTacToe(num_envs=3, opponent="none", first="alternate", epsilon=0.5)  # epsilon: accepted, unused
    assert env.num_envs == 3 and env.num_agents == 6 and env.buffers.masks.shape == (6,)
    with pytest.raises(ConfigError, match=r"first among 'agent', 'opponent', 'alternate', 'random', found 'second'"):
        TicTacToe(opponent="none", first="second")
    with pytest.raises(ConfigError, match="epsilon"):
        TicTacToe(opponent="none", epsilon=2.0)
    with pytest.raises(ConfigError, match="illegal_reward"):
        TicTacToe(opponent="none", illegal_reward=1.0)


@pytest.mark.parametrize("opponent", ["random", "perfect", "none"])
def test_masks_stay_all_true(opponent):
    env = make(num_envs=8, opponent=opponent, first="random")
    rng = np.random.default_rng(7)
    for _ in range(20):
        env.step(random_moves(env.buffers.observations, 9, rng, wild=0.1))
        assert env.buffers.masks.all()


def test_two_player_render_shows_a_game():
    env = make(num_envs=2, opponent="none", first="agent")
    act(env, 0, 0, 0, 0)  # game 0: row 0 takes 0; game 1: row 2 takes 0
    act(env, 0, 4, 0, 4)  # game 0: row 1 takes 4; game 1: row 3 takes 4
    for index in (1, -1):
        frame = rgb_frame(env, (96, 96, 3), index=index)
        assert (frame[16, 16] == [80, 200, 255]).all()  # row 2's X (blue) crosses cell 0's centre
        assert (frame[32 + 16, 32 + 16] == [20, 20, 28]).all()  # row 3's O is a ring: centre empty
        assert (frame[32 + 16, 32 + 5 + 1] == [255, 90, 90]).all()  # ... and its left edge is red
        text = env.render("ansi", index=index)
        assert text.count("X") == 1 and text.count("O") == 1 and text.count("·") == 7
    with pytest.raises(IndexError):
        env.render("ansi", index=2)
