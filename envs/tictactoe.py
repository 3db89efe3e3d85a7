"""tictactoe: tic-tac-toe against a built-in opponent (random or perfect) or two-player (C sim in csrc/tictactoe.h)."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_choice, check_float, check_int, reject_unknown
from envsdk.controls import ClickGrid, Controls
from envsdk.csim import CSim
from envsdk.render import colour

OPPONENTS = ("random", "perfect", "none")  # index = the C code; "none": two-player mode
FIRST = ("agent", "opponent", "alternate", "random")  # index = the C code
CELL = 32  # rendered cell side, pixels

_BACKGROUND = np.array([20, 20, 28], np.uint8)
_GRID = np.array([120, 120, 130], np.uint8)
_AGENT = np.array([80, 200, 255], np.uint8)
_OPPONENT = np.array([255, 90, 90], np.uint8)


def _glyphs() -> tuple[np.ndarray, np.ndarray]:
    """Boolean [CELL, CELL] pixel masks of an X and an O, 5 pixels in from the cell's edges."""
    y, x = np.mgrid[0:CELL, 0:CELL] + 0.5
    inside = (x > 5) & (x < CELL - 5) & (y > 5) & (y < CELL - 5)
    cross = inside & ((np.abs(x - y) < 2.2) | (np.abs(x + y - CELL) < 2.2))
    r = np.hypot(x - CELL / 2, y - CELL / 2)
    ring = (r > CELL / 2 - 8) & (r < CELL / 2 - 5)
    return cross, ring


_X, _O = _glyphs()



class TicTacToe:
    """``num_envs`` games of tic-tac-toe, the agent against a built-in opponent (or two-player), in one C loop.

    These are the rules; ``csrc/tictactoe.h`` implements them (its comments say only how).

    Cells are numbered row-major, 0 top-left to 8 bottom-right (0 1 2 / 3 4 5 / 6 7 8). The
    first mover plays X, the other O. An episode always starts (and every step leaves it) with the
    agent to move: when the opponent moves first, its first mark is already on the board in the
    episode's first observation.

    Observation ``[18]`` int8: entries 0..8 the board from the agent's view (1 its mark, -1 the
    opponent's, 0 empty), entries 9..17 the legal-action mask (1 where the cell is empty), so a
    policy can mask its logits. Action ``Discrete(9)``: the cell to mark.

    Illegal moves: an action outside 0..8 or on a marked cell ends the episode at once as a loss
    (terminal) with reward ``illegal_reward`` (at most 0, default -1); it is counted in ``loss``
    and in ``illegal``.

    One step: the agent marks its cell. Three in a row: reward +1, terminal (win). Board full:
    reward 0, terminal (draw). Otherwise the opponent marks a cell; three in a row: reward -1,
    terminal (loss); board full: reward 0, terminal (draw); otherwise reward 0 and play goes on.
    An episode lasts at most 5 steps, so nothing is truncated.

    Config (all randomness from the sub-env's RNG):

    - ``opponent``: ``"random"`` (default; a uniformly random empty cell) or ``"perfect"`` (a
      uniformly random move among the best ones of a depth-aware minimax over every legal
      position, precomputed: it wins as soon as it can and never loses).
    - ``epsilon`` (0..1, default 0): the probability that each move of the perfect opponent is a
      uniformly random empty cell instead (a fallible expert: training against perfect play mixed
      with mistakes teaches both never to lose and to punish mistakes). With ``epsilon`` 0 no
      extra number is drawn.
    - ``first``: who moves first, ``"agent"``, ``"opponent"``, ``"alternate"`` (the agent in the
      first episode after reset, then the other side each new episode of that sub-env) or
      ``"random"`` (a fair coin per episode, the default).
    - ``opening`` (0..4, default 0): each episode starts after k agent moves at uniformly random
      empty cells, k uniform in 0..opening (capped at 3 when the opponent moved first), each
      answered by the opponent as in play; an opening that ends the game is drawn again, same k,
      from the position after the opponent's first mark, if any. The agent then plays from there
      (exploring starts: training sees positions its own policy would rarely reach). The
      opening's moves are not counted in episode_length.

    Infos (means over the episodes that ended): episode_return, episode_length (agent moves, an
    illegal one included), win, draw, loss, illegal (rates), first (fraction of episodes the agent
    moved first), win_first and loss_first (fraction of episodes the agent moved first and won /
    lost; the win rate moving first is ``win_first / first``, moving second ``(win - win_first) /
    (1 - first)``), episode_count.

    Two-player mode, ``opponent="none"``: no built-in opponent; both players are agent rows (a
    policy plays itself, or a trained policy plays a person or another policy).

    - ``num_agents = 2 * num_envs``: rows ``2g`` and ``2g + 1`` are the two players of sub-env
      (game) ``g``. ``first`` picks the first mover per game with row ``2g`` in the agent's place:
      ``"agent"`` row ``2g``, ``"opponent"`` row ``2g + 1``, ``"alternate"`` (row ``2g`` in the
      first game after reset, then the other row each new game) or ``"random"`` (a fair coin per
      game from sub-env ``g``'s RNG, the only number drawn from it in this mode). ``epsilon`` and
      ``opening`` are unused.
    - Each row's observation is the layout above from its own player's view (1 its marks, -1 the
      other's). Both rows are live for the whole game, so ``masks`` stay all True; whose turn it
      is shows in the observation alone: the row to move has its legal-action entries, and a row
      whose legal-action entries are all zero is waiting (its board part is still its current
      view); its action is ignored, whatever its value, out of range included (PettingZoo's
      classic games do the same with their ``action_mask``).
    - One step is one move. An illegal move ends the game with ``illegal_reward`` for the mover and
      0 for the other; three in a row gives the mover +1 and the other -1 (on a step it did not
      move); a full board 0 to both; all of these are terminal for both rows, whose observations
      are then the next game's first ones. Otherwise both rewards are 0 and the turn passes.
      Nothing is truncated; a game lasts at most 9 steps.
    - Episodes and infos are per row, as for every board game's two-player mode (``envsdk.envs``).

    Final observation (in ``final_observations``, when the buffers have it): the board the game
    ended on, from the row's own view, its last marks included (the winning or filling mark, or
    the opponent's reply; an illegal move leaves the board as it was), with an all-zero
    legal-action part: no move is legal in a finished game. In two-player mode both rows get one,
    each from its own view.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(self, *, num_envs: int = 1, opponent: str = "random", first: str = "random",
                 epsilon: float = 0.0, opening: int = 0, illegal_reward: float = -1.0, report_every: int = 16,
                 buffers=None, **unknown):
        reject_unknown(TicTacToe, unknown)
        num_envs = check_int("TicTacToe", "num_envs", num_envs, 1, 2**31 - 1)
        opponent_id = check_choice("TicTacToe", "opponent", opponent, OPPONENTS)
        first_id = check_choice("TicTacToe", "first", first, FIRST)
        epsilon = check_float("TicTacToe", "epsilon", epsilon, 0.0, 1.0)
        opening = check_int("TicTacToe", "opening", opening, 0, 4)
        illegal_reward = check_float("TicTacToe", "illegal_reward", illegal_reward, -1000.0, 0.0)
        self.opponent, self.first, self.epsilon, self.opening = opponent, first, epsilon, opening
        self.illegal_reward = illegal_reward
        self.num_envs = num_envs
        self._rows = 2 if opponent == "none" else 1  # agent rows per sub-env
        self.single_observation_space = spaces.Box(-1, 1, shape=(18,), dtype=np.int8)
        self.single_action_space = spaces.Discrete(9)
        self.num_agents = num_envs * self._rows
        self._sim = CSim(
            _sims, "tictactoe", self, buffers, num_envs=num_envs, opponent=opponent_id, first=first_id,
            epsilon=epsilon, opening=opening, illegal_reward=illegal_reward,
            log_field="two_player_log" if self._rows == 2 else "log", report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def _board(self, index: int) -> tuple[np.ndarray, bool]:
        """Sub-env ``index``: board [3, 3] (1 agent, -1 opponent, 0 empty) and whether the agent plays X.

        In two-player mode the agent is row ``2 * index`` (its observation is the board's view).
        """
        index = range(self.num_envs)[index]  # IndexError when out of range; negatives count from the end
        board = self.buffers.observations[index * self._rows, :9].reshape(3, 3)
        return board, True if self._sim.closed else bool(self._sim.c.agent_first[index])

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[96, 96, 3]`` uint8 (``"rgb_array"``) or ANSI text.

        The agent's marks are blue, the opponent's red; the first mover's are X, the other's O. In
        two-player mode ``index`` is a game: row ``2 * index``'s marks are blue, row ``2 * index + 1``'s red.
        """
        return _draw(*self._board(index), mode)


def _draw(board: np.ndarray, agent_x: bool, mode: str):
    """``TicTacToe.render`` of a board [3, 3] (1 agent, -1 opponent, 0 empty) whose agent plays X or not."""
    if mode == "ansi":
        marks = {1: colour("X" if agent_x else "O", 45), -1: colour("O" if agent_x else "X", 203)}
        rows = [" " + " │ ".join(marks.get(int(v), "·") for v in row) for row in board]
        return "\n───┼───┼───\n".join(rows)
    frame = np.empty((3 * CELL, 3 * CELL, 3), np.uint8)
    frame[...] = _BACKGROUND
    for k in (1, 2):
        frame[k * CELL - 1:k * CELL + 1, :] = _GRID
        frame[:, k * CELL - 1:k * CELL + 1] = _GRID
    for (r, c), v in np.ndenumerate(board):
        if v:
            glyph = _X if (v == 1) == agent_x else _O
            frame[r * CELL:(r + 1) * CELL, c * CELL:(c + 1) * CELL][glyph] = _AGENT if v == 1 else _OPPONENT
    return frame


_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))


def _three(marks: np.ndarray) -> bool:
    """Whether the cells marked True ([9] bool) hold a row, column or diagonal."""
    return any(marks[list(line)].all() for line in _LINES)


def _final(observations: np.ndarray, actions: np.ndarray, rewards: np.ndarray, mode: str = "ansi"):
    """``CONTROLS.final``: the board a game ended on, from its rows before the final step.

    The mover's mark goes on (none for an illegal move). Against the built-in opponent, when that
    mark neither made three in a row nor filled the board, the opponent's reply ended the game:
    the last empty cell for a draw, else the one cell completing its line; if several would, the
    text names them (which one it took is not kept).
    """
    rows = observations.reshape(len(observations), -1)
    mover = 1 if len(rows) == 2 and not rows[0, 9:].any() else 0  # two-player: the row with legal cells
    board = rows[0, :9].astype(np.int8)  # row 0's view (1 its marks), a copy
    mark = 1 if mover == 0 else -1
    agent_x = (np.count_nonzero(board == mark) == np.count_nonzero(board == -mark)) == (mover == 0)
    cell, note = int(actions[mover]), ""
    if 0 <= cell < 9 and board[cell] == 0:
        board[cell] = mark
        if len(rows) == 1 and not _three(board == 1) and (board == 0).any():
            empty = np.flatnonzero(board == 0)
            wins = [int(c) for c in empty if _three((board == -1) | (np.arange(9) == c))]
            if rewards[0] == 0 and len(empty) == 1:
                board[empty[0]] = -1
            elif len(wins) == 1:
                board[wins[0]] = -1
            elif wins:
                note = "then the opponent made three in a row at cell " + " or ".join(map(str, wins))
    picture = _draw(board.reshape(3, 3), agent_x, mode)
    return f"{picture}\n{note}" if note and mode == "ansi" else picture


CONTROLS = Controls(
    legend="type a cell number and press Enter: 0 1 2 are the top row, 3 4 5 the middle, 6 7 8 the bottom",
    actions=tuple(f"cell {c}" for c in range(9)),
    sides=("blue marks (X when moving first, else O)", "red marks (X when moving first, else O)"),
    outcomes=True, legal_mask=9, illegal="an illegal move ends the game as a loss for the one who made it",
    final=_final, pace=0.6, two_player={"opponent": "none"},
    clicks=(ClickGrid("an empty cell: put your mark there", left=0, top=0, width=CELL, height=CELL, columns=3,
                      rows=3),),
)
"""How a person plays tictactoe (``envsdk play``); see ``envsdk.controls.Controls``."""
