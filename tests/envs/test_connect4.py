"""connect4: conformance, hand-worked games, opponents, illegal moves, PettingZoo parity, fuzzing, rendering."""

import numpy as np
import pytest
from board_checks import check_waiting_rows_change_nothing, play_random_games, random_moves, two_player_info
from env_checks import check_steps_at_scale, rgb_frame
from envsdk.envs.connect4 import CELLS, COLS, OBS_SIZE, ROWS, Connect4
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms, assert_passes_check

# Boards are drawn top row first, as the observation lays them out: X the agent, O the opponent.


def bits(drawing: list[str], stone: str) -> int:
    """Bitboard of `stone` in a drawing of 6 rows (top first): bit col * 7 + row, row 0 at the bottom."""
    assert len(drawing) == ROWS and all(len(line) == COLS for line in drawing)
    return sum(1 << (c * 7 + (ROWS - 1 - r)) for r, line in enumerate(drawing) for c, ch in enumerate(line)
               if ch == stone)


def expected_obs(drawing: list[str]) -> np.ndarray:
    cells = np.array([[{"X": 1, "O": -1, ".": 0}[ch] for ch in line] for line in drawing], np.float32)
    legal = (cells[0] == 0).astype(np.float32)
    return np.concatenate([cells.ravel(), legal])


def put(env, drawing: list[str], i: int = 0):
    """Set sub-env i's board (its observation row refreshes on the next step)."""
    c = env._sim.c
    c.agent_stones[i], c.opponent_stones[i] = bits(drawing, "X"), bits(drawing, "O")


def play(env, *cols):
    return env.step(np.array(cols, np.int32))


def new(**config):
    # report_every=1: each episode's stats arrive on the step it ends, where the tests check them
    env = Connect4(**{"report_every": 1, **config})
    env.reset(seed=0)
    return env


def test_conforms():
    assert_conforms(Connect4, num_envs=4)
    assert_conforms(Connect4, num_envs=3, opponent="search", depth=3, first="random", steps=120)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("connect4", 4096, 3, (4096, OBS_SIZE))


def test_reset_observation_and_who_moves_first():
    env = new(num_envs=2)
    np.testing.assert_array_equal(env.buffers.observations, np.tile(expected_obs(["......."] * 6), (2, 1)))
    # The opponent moving first: its stone is already in the bottom row of the reset observation.
    obs, _ = new(num_envs=64, first="opponent").reset(seed=1)
    assert (obs[:, :35] == 0).all() and (obs[:, 35:CELLS] == -1).sum(1).tolist() == [1] * 64
    assert (obs[:, CELLS:] == 1).all()
    # A coin per episode: both cases occur among 64 sub-envs.
    obs, _ = new(num_envs=64, first="random").reset(seed=1)
    opp_first = (obs[:, :CELLS] == -1).any(1)
    assert 10 < opp_first.sum() < 54


def test_agent_completes_a_row_and_wins():
    env = new()
    put(env, [".......",
              ".......",
              ".......",
              ".......",
              "....O..",
              "XXX.OO."])
    obs, rew, term, trunc, infos = play(env, 3)  # XXXX in the bottom row
    assert rew[0] == 1.0 and term[0] and not trunc[0]
    np.testing.assert_array_equal(obs[0], expected_obs(["......."] * 6))  # autoreset: the next game
    assert infos == [{"episode_return": 1.0, "episode_length": 1.0, "win": 1.0, "draw": 0.0, "loss": 0.0,
                      "illegal": 0.0, "episode_count": 1}]


def test_greedy_blocks_the_only_open_end():
    env = new()
    put(env, [".......",
              ".......",
              ".......",
              ".......",
              "....O..",
              ".XX.O.."])
    # The agent plays 3: XXX in columns 1..3, open at column 0 only (column 4 holds an O). The
    # greedy opponent cannot win at once, so it blocks column 0.
    obs, rew, term, _, infos = play(env, 3)
    assert rew[0] == 0 and not term[0] and infos == []
    np.testing.assert_array_equal(obs[0], expected_obs([".......",
                                                        ".......",
                                                        ".......",
                                                        ".......",
                                                        "....O..",
                                                        "OXXXO.."]))


def test_greedy_takes_its_win_before_blocking():
    env = new()
    put(env, [".......",
              ".......",
              ".......",
              "......O",
              "......O",
              "XX.X..O"])
    # The agent stacks on column 0 (its threat at column 2 stays open), but the opponent completes
    # four in column 6 rather than blocking: a loss.
    obs, rew, term, _, infos = play(env, 0)
    assert rew[0] == -1.0 and term[0]
    assert infos == [{"episode_return": -1.0, "episode_length": 1.0, "win": 0.0, "draw": 0.0, "loss": 1.0,
                      "illegal": 0.0, "episode_count": 1}]
    np.testing.assert_array_equal(obs[0], expected_obs(["......."] * 6))


def test_full_board_without_four_is_a_draw():
    env = new(opponent="random")
    put(env, [".O.XOOX",   # the agent fills column 2; the opponent's only legal column is then 0
              "XXOOXXO",
              "OOXXOOX",
              "XXOOXXO",
              "OOXXOOX",
              "XXOOXXO"])
    c = env._sim.c
    assert c.agent_stones[0] | c.opponent_stones[0] == sum(0x3F << (7 * k) for k in range(7)) ^ (1 << 5) ^ (1 << 19)
    obs, rew, term, trunc, infos = play(env, 2)
    assert rew[0] == 0 and term[0] and not trunc[0]
    assert infos[0]["draw"] == 1.0 and infos[0]["win"] == 0.0 and infos[0]["loss"] == 0.0


def test_illegal_moves_end_the_game_as_a_loss():
    env = new(num_envs=4, illegal_reward=-2.5)
    for i in range(4):
        put(env, ["...X...",   # column 3 is full
                  "...O...",
                  "...X...",
                  "...O...",
                  "...X...",
                  "...O..."], i)
    obs, rew, term, trunc, infos = play(env, 3, 7, -1, 2**31 - 1)  # full column, then out of range
    np.testing.assert_array_equal(rew, [-2.5] * 4)
    assert term.all() and not trunc.any()
    np.testing.assert_array_equal(obs, np.tile(expected_obs(["......."] * 6), (4, 1)))
    assert infos == [{"episode_return": -2.5, "episode_length": 1.0, "win": 0.0, "draw": 0.0, "loss": 1.0,
                      "illegal": 1.0, "episode_count": 4}]


def final_obs(drawing: list[str]) -> np.ndarray:
    """The expected final observation of a game that ended on the drawn board: its cells, and no
    legal column (the game is over)."""
    obs = expected_obs(drawing)
    obs[CELLS:] = 0
    return obs


def test_final_observations_show_each_ended_games_last_position():
    # Five games against the greedy opponent, one step each (X the agent, O the opponent):
    #   0 win: X completes the bottom row; 1 loss: X stacks column 0, O completes column 6;
    #   2 draw: X fills column 2, O the last cell (column 0); 3 illegal: column 3 is full, the
    #   board stays as it was; 4 goes on: its final row keeps the canary.
    boards = [[".......", ".......", ".......", ".......", "....O..", "XXX.OO."],
              [".......", ".......", ".......", "......O", "......O", "XX.X..O"],
              [".O.XOOX", "XXOOXXO", "OOXXOOX", "XXOOXXO", "OOXXOOX", "XXOOXXO"],
              ["...X...", "...O...", "...X...", "...O...", "...X...", "...O..."],
              EMPTY]
    backend = envsdk.backends.Serial(Connect4, num_envs=5, final_observations=True)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0)
    for i, board in enumerate(boards):
        put(env, board, i)
    final[4] = 9.0
    _, rew, term, _, _ = backend.step(np.array([3, 0, 2, 3, 3], np.int32))
    assert rew.tolist() == [1.0, -1.0, 0.0, -1.0, 0.0] and term.tolist() == [True] * 4 + [False]
    np.testing.assert_array_equal(final[:4], [
        final_obs([".......", ".......", ".......", ".......", "....O..", "XXXXOO."]),
        final_obs([".......", ".......", "......O", "......O", "X.....O", "XX.X..O"]),
        final_obs(["OOXXOOX", "XXOOXXO", "OOXXOOX", "XXOOXXO", "OOXXOOX", "XXOOXXO"]),
        final_obs(boards[3]),
    ])
    assert (final[4] == 9.0).all()
    backend.close()


def test_a_game_step_by_step_against_the_random_opponent():
    env = new(opponent="random", num_envs=1)
    c = env._sim.c
    board = np.zeros((ROWS, COLS), np.int8)
    for k in range(3):
        obs, rew, term, *_ = play(env, 3)
        assert not term[0]
        # One X on top of column 3, one O anywhere legal; the observation matches the bitboards.
        board[ROWS - 1 - np.count_nonzero(board[:, 3]), 3] = 1
        new_o = np.argwhere((obs[0, :CELLS].reshape(ROWS, COLS) == -1) & (board != -1))
        assert len(new_o) == 1
        board[tuple(new_o[0])] = -1
        np.testing.assert_array_equal(obs[0, :CELLS].reshape(ROWS, COLS), board)
        assert rew[0] == 0 and c.tick[0] == k + 1
        assert c.agent_stones[0] == sum(1 << (col * 7 + ROWS - 1 - row) for row, col in np.argwhere(board == 1))
        assert c.opponent_stones[0] == sum(1 << (col * 7 + ROWS - 1 - row) for row, col in np.argwhere(board == -1))


# ---- Opponents against an independent Python reference ------------------------------------------

WIN = 100  # CONNECT4_WIN


def _lines():
    out = []
    for r in range(ROWS):
        for c in range(COLS):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                cells = [(r + k * dr, c + k * dc) for k in range(4)]
                if all(0 <= y < ROWS and 0 <= x < COLS for y, x in cells):
                    out.append(cells)
    return out


LINES = _lines()


def four(board, p) -> bool:
    return any(all(board[y][x] == p for y, x in line) for line in LINES)


def drop(board, col, p):
    """A copy of board (list of lists, row 0 at the top) with p's stone in col."""
    row = max(r for r in range(ROWS) if board[r][col] == 0)
    out = [list(line) for line in board]
    out[row][col] = p
    return out


def legal(board):
    return [c for c in range(COLS) if board[0][c] == 0]


LINE_MASKS = [sum(1 << (y * COLS + x) for y, x in line) for line in LINES]  # row-major bits, row 0 at the top


def _four_bits(stones: int) -> bool:
    return any(stones & m == m for m in LINE_MASKS)


def negamax(me: int, them: int, heights: list[int], depth: int, ply: int) -> int:
    """Plain negamax (no pruning) with the header's scoring: a win at ply k scores WIN - k.

    me / them: row-major bitboards (bit row * 7 + col, row 0 at the top); heights: stones per column.
    """
    best = None
    for col in range(COLS):
        if heights[col] == ROWS:
            continue
        cell = 1 << ((ROWS - 1 - heights[col]) * COLS + col)
        if _four_bits(me | cell):
            score = WIN - ply
        elif depth == 1:
            score = 0
        else:
            heights[col] += 1
            score = -negamax(them, me | cell, heights, depth - 1, ply + 1)
            heights[col] -= 1
        best = score if best is None else max(best, score)
    return 0 if best is None else best  # no legal move: a full board, a draw


def best_columns(board, depth):
    """The root columns of best score for the opponent (-1) to move (board: lists, row 0 at the top)."""
    agent = sum(1 << (r * COLS + c) for r in range(ROWS) for c in range(COLS) if board[r][c] == 1)
    opp = sum(1 << (r * COLS + c) for r in range(ROWS) for c in range(COLS) if board[r][c] == -1)
    heights = [sum(board[r][c] != 0 for r in range(ROWS)) for c in range(COLS)]
    scores = {}
    for col in legal(board):
        cell = 1 << ((ROWS - 1 - heights[col]) * COLS + col)
        if _four_bits(opp | cell):
            scores[col] = WIN - 1
        elif depth == 1:
            scores[col] = 0
        else:
            heights[col] += 1
            scores[col] = -negamax(agent, opp | cell, heights, depth - 1, 2)
            heights[col] -= 1
    top = max(scores.values())
    return {c for c, s in scores.items() if s == top}


def greedy_columns(board):
    moves = legal(board)
    wins = {c for c in moves if four(drop(board, c, -1), -1)}
    blocks = {c for c in moves if four(drop(board, c, 1), 1)}
    return wins or blocks or set(moves)


def random_positions(count, seed):
    """Mid-game positions with the agent to move (equal stone counts) and no four on the board."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        board = [[0] * COLS for _ in range(ROWS)]
        plies = 2 * int(rng.integers(4, 16))
        for k in range(plies):
            p = 1 if k % 2 == 0 else -1
            child = drop(board, int(rng.choice(legal(board))), p)
            if four(child, p):
                break
            board = child
        else:
            out.append(board)
    return out


def replies(config, board, action, num_envs=48):
    """Every sub-env on the same board (agent to move) plays `action`; the opponent's replies.

    Returns the set of reply columns, or "won" when every sub-env's reply won at once (the board
    is then already reset, and any winning column is a best move for every opponent here).
    """
    env = new(num_envs=num_envs, **config)
    drawing = ["".join(".XO"[v] for v in line) for line in board]
    for i in range(num_envs):
        put(env, drawing, i)
    after = drop(board, action, 1)
    obs, rew, term, _, _ = play(env, *[action] * num_envs)
    if term.any():
        assert term.all() and (rew == -1).all(), rew
        return "won"
    cols = set()
    for i in range(num_envs):
        diff = np.argwhere(obs[i, :CELLS].reshape(ROWS, COLS) != np.array(after, np.float32))
        assert len(diff) == 1 and obs[i, diff[0][0] * COLS + diff[0][1]] == -1
        cols.add(int(diff[0][1]))
    return cols


def winning_columns(board, p):
    return {c for c in legal(board) if four(drop(board, c, p), p)}


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_search_plays_exactly_the_best_moves_with_random_ties(depth):
    tactical = ties = 0
    for k, board in enumerate(random_positions(150, seed=depth)):
        action = legal(board)[k % len(legal(board))]
        after = drop(board, action, 1)
        if four(after, 1) or not legal(after):
            continue
        best = best_columns(after, depth)
        if best == set(legal(after)) and ties >= 2:
            continue  # enough all-tie positions seen; look for tactical ones
        got = replies(dict(opponent="search", depth=depth), board, action)
        # Every reply is a best move, and the 48 seeds reach every best move.
        assert got == best or (got == "won" and best == winning_columns(after, -1)), (depth, board, action, got)
        tactical += best != set(legal(after))
        ties += len(best) > 1
        if tactical >= 15:
            break
    assert tactical >= 15 and ties >= 2, (tactical, ties)


def test_greedy_wins_else_blocks_else_plays_anywhere():
    kinds = set()
    for k, board in enumerate(random_positions(40, seed=99)):
        action = legal(board)[k % len(legal(board))]
        after = drop(board, action, 1)
        if four(after, 1) or not legal(after):
            continue
        got, expected = replies(dict(opponent="greedy"), board, action), greedy_columns(after)
        assert got == expected or (got == "won" and expected == winning_columns(after, -1)), (board, action, got)
        kinds.add("win" if winning_columns(after, -1) else "block" if winning_columns(after, 1) else "any")
    assert kinds == {"win", "block", "any"}


def test_depth_two_search_blocks_and_never_plays_under_a_threat():
    # As in test_greedy_blocks_the_only_open_end: after the agent plays 3 the bottom row is
    # .XXXO.., so column 0 is the only move that does not lose at once, and every seed plays it.
    env = new(opponent="search", depth=2, num_envs=16)
    for i in range(16):
        put(env, [".......",
                  ".......",
                  ".......",
                  ".......",
                  "....O..",
                  ".XX.O.."], i)
    obs, rew, term, *_ = env.step(np.full(16, 3, np.int32))
    assert not term.any()
    assert (obs[:, 5 * COLS + 0] == -1).all()  # every seed blocks column 0


def test_search_prefers_the_sooner_forced_win():
    # The agent stacks on column 0; then, for the opponent (O) to move at depth 5:
    #   .......
    #   X......      column 4 forces a win at the opponent's 2nd move (ply 3, score 97),
    #   O.....O      column 5 only at its 3rd (ply 5, score 95), column 3 loses at once (-98),
    #   X....OX      the rest find nothing within 5 plies (0). Every seed plays column 4.
    #   XXX..OO
    #   OOX.OXX
    board = [".......",
             ".......",
             "O.....O",
             "X....OX",
             "XXX..OO",
             "OOX.OXX"]
    rows = [[{".": 0, "X": 1, "O": -1}[ch] for ch in line] for line in board]
    assert best_columns(drop(rows, 0, 1), 5) == {4}
    assert replies(dict(opponent="search", depth=5), rows, 0) == {4}


# ---- Rules against PettingZoo's connect_four_v3 (an independent implementation) ------------------


def test_rules_match_pettingzoo_over_random_games():
    connect_four = pytest.importorskip("pettingzoo.classic.connect_four_v3")
    n, steps = 16, 400
    env = new(num_envs=n, opponent="random")
    rng = np.random.default_rng(0)
    refs = [connect_four.raw_env() for _ in range(n)]
    for ref in refs:
        ref.reset()
    games = {"win": 0, "loss": 0, "draw": 0, "on": 0}

    def ref_obs(ref):
        o = ref.observe("player_0")
        cells = o["observation"][:, :, 0].astype(np.float32) - o["observation"][:, :, 1]
        return cells, np.array([ref.board[c] == 0 for c in range(COLS)], np.float32)

    obs = env.buffers.observations
    for _ in range(steps):
        actions = np.array([rng.choice(np.flatnonzero(obs[i, CELLS:])) for i in range(n)], np.int32)
        before = obs.copy()
        obs, rew, term, trunc, _ = env.step(actions)
        assert not trunc.any()
        for i, ref in enumerate(refs):
            # The same legal columns and board before the move.
            cells, mask = ref_obs(ref)
            np.testing.assert_array_equal(before[i, :CELLS].reshape(ROWS, COLS), cells)
            np.testing.assert_array_equal(before[i, CELLS:], mask)
            ref.step(int(actions[i]))
            if ref.terminations["player_0"]:
                # The agent's move ended the reference game: a win or a draw, exactly as here.
                outcome = {1: "win", 0: "draw"}[ref.rewards["player_0"]]
                assert term[i] and rew[i] == {"win": 1.0, "draw": 0.0}[outcome], (i, outcome, rew[i])
                games[outcome] += 1
                ref.reset()
                continue
            if term[i]:
                # The opponent's reply ended it: a loss needs a winning reply in the reference, a draw a
                # board that the reply fills.
                if rew[i] == -1.0:
                    board = np.array(ref.board).reshape(ROWS, COLS)
                    board = np.where(board == 2, -1, board).tolist()  # player_1 is the opponent
                    assert any(four(drop(board, c, -1), -1) for c in legal(board)), (i, board)
                    games["loss"] += 1
                else:
                    assert rew[i] == 0.0 and sum(v == 0 for v in ref.board) == 1
                    games["draw"] += 1
                ref.reset()
                continue
            # The game goes on: replay the opponent's reply (the one new -1 cell) in the reference.
            new_cells = np.argwhere(obs[i, :CELLS].reshape(ROWS, COLS) != ref_obs(ref)[0])
            assert len(new_cells) == 1, new_cells
            ref.step(int(new_cells[0][1]))
            assert not ref.terminations["player_0"]
            games["on"] += 1
    assert games["win"] > 100 and games["loss"] > 100 and games["on"] > 1000, games


# ---- Errors -------------------------------------------------------------------------------------



@pytest.mark.parametrize(("config", "match"), [
    (dict(opponnent="random"), r"keys among num_envs, opponent, depth, first, .*'opponnent'"),
    (dict(opponent="minimax"), r"opponent among 'random', 'greedy', 'search', 'none', found 'minimax'"),
    (dict(first=0), "first among 'agent', 'opponent', 'random'"),
    (dict(opponent="search", depth=0), "depth"),
    (dict(depth=13), "depth"),
    (dict(illegal_reward=1.0), "illegal_reward"),
    (dict(num_envs=0), "num_envs"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        Connect4(**config)



# ---- Fuzzing ------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(opponent=st.sampled_from(["random", "greedy", "search"]), depth=st.integers(1, 3),
       first=st.sampled_from(["agent", "opponent", "random"]), illegal_reward=st.floats(-100, 0),
       seed=st.integers(0, 2**63),
       actions=st.lists(st.integers(-(2**31), 2**31 - 1) | st.integers(-1, 7), min_size=40, max_size=40))
def test_fuzz_configs_and_actions(opponent, depth, first, illegal_reward, seed, actions):
    n = 3
    env = Connect4(num_envs=n, opponent=opponent, depth=depth, first=first, illegal_reward=illegal_reward)
    env.reset(seed=seed)
    c = env._sim.c
    for k, a in enumerate(actions):
        acts = np.array([a, k % COLS, (a * 7 + k) % COLS], np.int32)
        obs, rew, term, trunc, _ = env.step(acts)
        assert not trunc.any()
        assert np.isin(rew, [0.0, 1.0, -1.0, np.float32(illegal_reward)]).all()
        assert (rew[~term] == 0).all()
        for i in range(n):
            board = obs[i, :CELLS].reshape(ROWS, COLS)
            assert np.isin(board, [-1, 0, 1]).all()
            # Gravity: no empty cell below a stone; the mask says which top cells are empty.
            filled = board != 0
            assert (filled[:-1] <= filled[1:]).all()
            np.testing.assert_array_equal(obs[i, CELLS:], (~filled[0]).astype(np.float32))
            own, opp = int((board == 1).sum()), int((board == -1).sum())
            assert opp - own in (0, 1)  # the agent is to move
            assert bin(c.agent_stones[i]).count("1") == own and bin(c.opponent_stones[i]).count("1") == opp
            if first == "agent":
                assert own == opp
            elif first == "opponent":
                assert opp == own + 1
            assert not four(board.tolist(), 1) and not four(board.tolist(), -1)
    env.close()


# ---- Rendering ----------------------------------------------------------------------------------


def test_render():
    env = new()
    put(env, [".......",
              ".......",
              ".......",
              ".......",
              ".......",
              "...X..."])
    obs, *_ = play(env, 4)  # the observation now has two X and the greedy reply
    frame = rgb_frame(env, (96, 112, 3))
    assert (frame[5 * 16 + 8, 3 * 16 + 8] == [220, 40, 40]).all()  # the X at the bottom of column 3: red
    assert (frame[0, 0] == [25, 70, 190]).all()  # board blue between the discs
    assert (frame[8, 8] == [235, 235, 240]).all()  # an empty cell
    text = env.render("ansi")
    assert text.count("X") == 2 and text.count("O") == 1 and text.splitlines()[-1] == " 0 1 2 3 4 5 6"


# ---- Two-player mode (opponent="none") ----------------------------------------------------------

@pytest.mark.parametrize("first", ["agent", "opponent", "random"])
def test_two_player_conforms(first):
    # Every check, the slow ones included: none fails and none is skipped. Only the `random` coin
    # draws from the RNG, so with another `first` the seeds cannot matter (a seed_sensitivity warning).
    report = assert_passes_check(Connect4, num_envs=4, opponent="none", first=first)
    assert report.counts()["skip"] == 0, report.format()
    assert [r.name for r in report.warnings] == ([] if first == "random" else ["seed_sensitivity"]), report.format()


def two_rows(drawing: list[str], to_move: int) -> np.ndarray:
    """The expected observations of a game's two rows, its board drawn with X (row 0's stones), O
    (row 1's) and .; only row ``to_move`` holds the legal-column entries."""
    mine = expected_obs(drawing)
    theirs = np.concatenate([-mine[:CELLS], mine[CELLS:]])
    mine[CELLS:] *= to_move == 0
    theirs[CELLS:] *= to_move == 1
    return np.stack([mine, theirs])


def see(env, drawing: list[str], to_move: int, g: int = 0) -> None:
    """Game ``g``'s rows show the drawn board, only row ``to_move`` with legal columns; every row is live."""
    np.testing.assert_array_equal(env.buffers.observations[2 * g:2 * g + 2], two_rows(drawing, to_move))
    assert env.buffers.masks.all()


def to_move(obs: np.ndarray) -> np.ndarray:
    """Per row: whether it has legal columns (it moves); a row whose legal-column entries are all zero waits."""
    return obs[:, CELLS:].any(axis=1)


EMPTY = ["......."] * 6


def play_on(env, moves) -> None:
    """Step a one-game env through ``moves``: (actions of rows 0 and 1, the row to move next); play
    goes on after each, with rewards 0 and no flags, and only the next mover has legal columns."""
    for actions, mover in moves:
        obs, rew, term, trunc, infos = play(env, *actions)
        assert rew.tolist() == [0.0, 0.0] and not term.any() and not trunc.any() and infos == []
        assert to_move(obs).tolist() == [mover == 0, mover == 1] and env.buffers.masks.all()


def test_two_player_a_vertical_four_wins_and_the_next_game_starts():
    env = new(opponent="none", first="agent")  # row 0 (X) moves first
    assert env.num_agents == 2 and env.buffers.observations.shape == (2, OBS_SIZE)
    see(env, EMPTY, to_move=0)
    # X stacks column 3, O column 4; the waiting row's action (junk or legal-looking) is never read.
    play_on(env, [((3, -7), 1), ((99, 4), 0), ((3, 3), 1), ((4, 4), 0), ((3, 2**31 - 1), 1), ((-(2**31), 4), 0)])
    see(env, [".......",
              ".......",
              ".......",
              "...XO..",
              "...XO..",
              "...XO.."], to_move=0)
    # X plays its fourth stone in column 3: +1 for row 0, -1 for row 1, both terminal; both rows
    # show the next game (row 0 first again). Two row episodes of 7 steps, mean return 0.
    _, rew, term, trunc, infos = play(env, 3, 4)
    assert rew.tolist() == [1.0, -1.0] and term.tolist() == [True, True] and not trunc.any()
    see(env, EMPTY, to_move=0)
    assert infos == two_player_info(0.0, 7.0, first_win=1.0)


def test_two_player_the_second_mover_wins_a_row():
    env = new(opponent="none", first="opponent")  # row 1 (O) moves first; row 0 (X) second
    see(env, EMPTY, to_move=1)
    play_on(env, [((5, 6), 0), ((0, 3), 1), ((2**31 - 1, 6), 0), ((1, -1), 1), ((0, 5), 0), ((2, 5), 1),
                  ((-(2**31), 5), 0)])
    see(env, [".......",
              ".......",
              ".......",
              ".......",
              ".....OO",
              "XXX..OO"], to_move=0)
    # X (row 0) plays 3: XXXX in the bottom row. +1 for row 0, -1 for row 1; row 1 moved first, so
    # a second-mover win; two row episodes of 8 steps, mean return 0.
    _, rew, term, _, infos = play(env, 3, 4)
    assert rew.tolist() == [1.0, -1.0] and term.tolist() == [True, True]
    assert infos == two_player_info(0.0, 8.0, second_win=1.0)
    see(env, EMPTY, to_move=1)


def put_two_player(env, drawing: list[str], tick: int, agent_first: bool = True, g: int = 0):
    """Set game g's board (X: row 2g's stones, O: row 2g + 1's) after ``tick`` moves; the observation
    rows refresh on the next step."""
    c = env._sim.c
    c.agent_stones[g], c.opponent_stones[g] = bits(drawing, "X"), bits(drawing, "O")
    c.tick[g], c.agent_first[g] = tick, agent_first


def test_two_player_a_full_board_is_a_draw():
    env = new(opponent="none", first="agent")
    put_two_player(env, [".O.XOOX",   # 40 stones, row 0 (X) to move: it fills column 2, row 1 column 0
                         "XXOOXXO",
                         "OOXXOOX",
                         "XXOOXXO",
                         "OOXXOOX",
                         "XXOOXXO"], tick=40)
    _, rew, term, *_ = play(env, 2, 2)
    assert not term.any()
    see(env, [".OXXOOX",
              "XXOOXXO",
              "OOXXOOX",
              "XXOOXXO",
              "OOXXOOX",
              "XXOOXXO"], to_move=1)
    assert env.buffers.observations[1, CELLS:].tolist() == [1, 0, 0, 0, 0, 0, 0]  # only column 0 has room
    _, rew, term, trunc, infos = play(env, 2, 0)
    assert rew.tolist() == [0.0, 0.0] and term.tolist() == [True, True] and not trunc.any()
    assert infos == two_player_info(0.0, 42.0, draw=1.0)  # two row episodes of 42 steps
    see(env, EMPTY, to_move=0)


def test_two_player_illegal_moves_end_the_game_with_the_penalty_for_the_mover():
    env = new(num_envs=3, opponent="none", first="agent", illegal_reward=-2.5)
    # Game 0: row 0 plays out of range; game 1: row 2 plays 3; game 2: row 4 plays -1. Four row
    # episodes of 1 step: returns -2.5, 0, -2.5, 0 (mean -1.25).
    _, rew, term, trunc, infos = play(env, 7, 0, 3, 0, -1, 0)
    assert rew.tolist() == [-2.5, 0.0, 0.0, 0.0, -2.5, 0.0]
    assert term.tolist() == [True, True, False, False, True, True] and not trunc.any()
    assert infos == two_player_info(-1.25, 1.0, illegal=1.0, count=4)
    # Game 1: column 3 full, row 3 (the second mover) to move there: -2.5 for it, 0 for row 2.
    put_two_player(env, ["...O...",
                         "...X...",
                         "...O...",
                         "...X...",
                         "...O...",
                         "...X..."], tick=5, g=1)
    _, rew, term, _, infos = play(env, 0, 0, 0, 3, 0, 0)
    assert rew.tolist() == [0.0, 0.0, 0.0, -2.5, 0.0, 0.0]
    assert term.tolist() == [False, False, True, True, False, False]
    assert infos == two_player_info(-1.25, 6.0, illegal=1.0)  # two row episodes of 6 steps: -2.5 and 0
    see(env, EMPTY, to_move=0, g=1)


def test_two_player_the_waiting_rows_actions_change_nothing():
    # Random legal columns (some replaced, 2%, by -2..8: out of range or maybe a full column).
    check_waiting_rows_change_nothing(new, 8, CELLS, wild=0.02, junk=[-7, 99, -(2**31), 2**31 - 1, 0, 3, 6])


LINES_AT = {(r, c): [line for line in LINES if (r, c) in line] for r in range(ROWS) for c in range(COLS)}


class Game:
    """The reference: the rules of two-player Connect Four in plain Python (the board as lists, row 0
    at the top, 1 for row 0's stones and -1 for row 1's), one game."""

    def __init__(self, first: int):
        self.first = self.to_move = first  # row 0 or 1
        self.board = [[0] * COLS for _ in range(ROWS)]
        self.moves = 0

    def observation(self, row: int, over: bool = False) -> list[float]:
        """Row ``row``'s view; ``over``: the final one of the finished game, with no legal column."""
        sign = 1 if row == 0 else -1
        cells = [sign * v for line in self.board for v in line]
        return cells + [float(row == self.to_move and self.board[0][c] == 0 and not over) for c in range(COLS)]

    def play(self, col: int, illegal_reward: float) -> tuple[list[float], str | None]:
        """The mover plays ``col``: (rewards of rows 0 and 1, the outcome or None when play goes on)."""
        mover, self.moves = self.to_move, self.moves + 1
        rewards = [0.0, 0.0]
        if not 0 <= col < COLS or self.board[0][col]:
            rewards[mover] = illegal_reward
            return rewards, "illegal"
        stone = 1 if mover == 0 else -1
        row = max(r for r in range(ROWS) if self.board[r][col] == 0)
        self.board[row][col] = stone
        if any(all(self.board[y][x] == stone for y, x in line) for line in LINES_AT[row, col]):
            rewards[mover], rewards[1 - mover] = 1.0, -1.0
            return rewards, "win"
        if not legal(self.board):
            return rewards, "draw"
        self.to_move = 1 - mover
        return rewards, None


@pytest.mark.parametrize("first", ["agent", "opponent", "random"])
def test_two_player_matches_a_python_reference_over_random_games(first):
    n, illegal_reward = 48, -3.0
    env = envsdk.backends.Serial(Connect4, num_envs=n, opponent="none", first=first, illegal_reward=illegal_reward,
                                 report_every=1, final_observations=True)
    env.reset(seed=0)
    b = env.buffers
    rng = np.random.default_rng(8)

    def first_mover(g: int, previous: int | None) -> int:
        row = int(np.flatnonzero(to_move(b.observations[2 * g:2 * g + 2]))[0])
        assert row == {"agent": 0, "opponent": 1}.get(first, row)
        return row

    totals, firsts = play_random_games(env, Game, first_mover, CELLS, steps=200, wild=0.003, canary=5.0,
                                       illegal_reward=illegal_reward, rng=rng)
    assert totals["first_win"] > 100 and totals["second_win"] > 100 and totals["illegal"] > 5, totals
    if first == "random":
        assert 0.4 < np.mean(firsts) < 0.6


def test_two_player_config():
    env = Connect4(num_envs=3, opponent="none", first="random", depth=7)  # depth: accepted, unused
    assert env.num_envs == 3 and env.num_agents == 6 and env.buffers.masks.shape == (6,)
    with pytest.raises(ConfigError, match=r"first among 'agent', 'opponent', 'random', found 'alternate'"):
        Connect4(opponent="none", first="alternate")
    with pytest.raises(ConfigError, match="depth"):
        Connect4(opponent="none", depth=13)
    with pytest.raises(ConfigError, match="illegal_reward"):
        Connect4(opponent="none", illegal_reward=1.0)


@pytest.mark.parametrize("opponent", ["random", "greedy", "search", "none"])
def test_masks_stay_all_true(opponent):
    env = new(num_envs=8, opponent=opponent, depth=2, first="random")
    rng = np.random.default_rng(7)
    for _ in range(30):
        env.step(random_moves(env.buffers.observations, CELLS, rng, wild=0.05))
        assert env.buffers.masks.all()


def test_two_player_render_shows_a_game():
    env = new(num_envs=2, opponent="none", first="agent")
    play(env, 3, 0, 3, 0)  # row 0 and row 2 drop into column 3
    play(env, 0, 3, 0, 4)  # row 1 stacks on column 3; row 3 drops into column 4
    assert env.board(1).tolist() == [[0] * 7] * 5 + [[0, 0, 0, 1, -1, 0, 0]]
    assert env.board(-1).tolist() == env.board(1).tolist()
    frame = rgb_frame(env, (96, 112, 3), index=1)
    assert (frame[5 * 16 + 8, 3 * 16 + 8] == [220, 40, 40]).all()  # row 2's stone: red
    assert (frame[5 * 16 + 8, 4 * 16 + 8] == [250, 210, 40]).all()  # row 3's stone: yellow
    assert (frame[4 * 16 + 8, 3 * 16 + 8] == [235, 235, 240]).all()  # empty above it (game 0 has a stone there)
    text = env.render("ansi", index=1)
    assert text.count("X") == 1 and text.count("O") == 1 and text.splitlines()[-1] == " 0 1 2 3 4 5 6"
    with pytest.raises(IndexError):
        env.render("ansi", index=2)
