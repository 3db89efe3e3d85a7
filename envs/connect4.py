"""connect4: Connect Four against a built-in opponent or two-player (C sim in csrc/connect4.h), bitboards."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_choice, check_float, check_int, reject_unknown
from envsdk.controls import ClickGrid, Controls
from envsdk.csim import CSim
from envsdk.render import colour

ROWS, COLS, CELLS = 6, 7, 42
OBS_SIZE = CELLS + COLS  # 42 cells (row 0 at the top) + 7 legal-column entries
OPPONENTS = ("random", "greedy", "search", "none")  # index = the C config value; "none": two-player mode
FIRST = ("agent", "opponent", "random")      # index = the C config value
MAX_DEPTH = 12  # CONNECT4_MAX_DEPTH in the header
_CELL = 16  # rendered cell side, pixels

_BOARD = np.array([25, 70, 190], np.uint8)
_EMPTY = np.array([235, 235, 240], np.uint8)
_AGENT = np.array([220, 40, 40], np.uint8)      # red
_OPPONENT = np.array([250, 210, 40], np.uint8)  # yellow
_GLYPHS = {0: "·", 1: colour("X", 196), -1: colour("O", 220)}



class Connect4:
    """``num_envs`` games of Connect Four (6 rows x 7 columns), the agent against a built-in opponent (or two-player).

    These are the rules; ``csrc/connect4.h`` implements them (its comments say only how).

    Board: 6 rows x 7 columns; a stone dropped into a column lands on its lowest empty cell. Four
    of one player's stones in a row (horizontal, vertical or diagonal) win; a full board with no
    four is a draw.

    Observation ``[49]`` float32 from the agent's perspective: entries 0..41 are the cells
    row-major with row 0 at the top (``row * 7 + col``, as drawn), 1 the agent's stone, -1 the
    opponent's, 0 empty; entries 42..48 are the legal-column mask (1 when the column has room,
    else 0).

    Action ``Discrete(7)``: the column to drop a stone into. An illegal action (outside 0..6, or
    a full column) ends the episode at once as a loss: reward ``illegal_reward`` (default -1),
    terminal, counted in both ``loss`` and ``illegal``.

    One step: the agent's stone drops; if it makes four the agent wins (+1, terminal); else if
    the board is full it is a draw (0, terminal); else the opponent moves at once, and if that
    makes four the agent loses (-1, terminal), if it fills the board it is a draw (0, terminal),
    and otherwise the game goes on (reward 0). So an episode lasts at most 21 steps and is never
    truncated. ``first`` says who moves first: ``"agent"`` (default), ``"opponent"`` (its first
    stone is on the board in the reset observation) or ``"random"`` (a fair coin per episode from
    the sub-env's RNG).

    ``opponent`` (all randomness from the sub-env's RNG):

    - ``"random"``: a uniformly random legal column.
    - ``"greedy"`` (default; one ply): a column that wins if it has one, else a column that blocks
      an immediate agent win (a cell that completes the agent's four and is playable now), else a
      random legal column; ties at each stage broken uniformly at random.
    - ``"search"``: depth-limited negamax looking ``depth`` plies ahead (its own move is ply 1). A
      win at ply p scores ``100 - p`` for the winner (sooner is better, and a loss later is better
      than sooner); a draw and the depth horizon score 0 (no heuristic: it sees forced wins and
      losses within ``depth`` plies, nothing else). Among the root moves of best score one is
      chosen uniformly at random (the root moves are shuffled with the RNG and the first best is
      kept). Depth 1 takes a win, else plays at random; depth 2 also never allows an immediate
      reply win. ``depth`` (1..12, default 4) is used only by ``"search"``; each extra ply costs
      about 2.5x from depth 3 on (measured at 4096 sub-envs: greedy 13M steps/s, search depth 3
      4.8M, 4 1.9M, 5 0.8M, 6 0.3M).

    Infos: episode_return, episode_length (agent moves), win, draw, loss, illegal (fractions of
    the episodes that ended), episode_count.

    Two-player mode, ``opponent="none"``: no built-in opponent; both players are agent rows (a
    policy plays itself, or a trained policy plays a person or another policy).

    - ``num_agents = 2 * num_envs``: rows ``2g`` and ``2g + 1`` are the two players of sub-env
      (game) ``g``. ``first`` picks the first mover per game with row ``2g`` in the agent's place:
      ``"agent"`` row ``2g``, ``"opponent"`` row ``2g + 1``, ``"random"`` a fair coin per game from
      sub-env ``g``'s RNG (the only number drawn from it in this mode). ``depth`` is unused.
    - Each row's observation is the layout above from its own player's perspective (1 its stones,
      -1 the other's). Both rows are live for the whole game, so ``masks`` stay all True; whose
      turn it is shows in the observation alone: the row to move has its legal-column entries,
      and a row whose legal-column entries are all zero is waiting (its cells are still its
      current view); its action is ignored, whatever its value, out of range included
      (PettingZoo's classic games do the same with their ``action_mask``).
    - One step is one move. An illegal action ends the game with ``illegal_reward`` for the mover
      and 0 for the other; four in a row gives the mover +1 and the other -1 (on a step it did
      not move); a full board 0 to both; all of these are terminal for both rows, whose
      observations are then the next game's first ones. Otherwise both rewards are 0 and the turn
      passes. Nothing is truncated; a game lasts at most 42 steps.
    - Episodes and infos are per row, as for every board game's two-player mode (``envsdk.envs``).

    Final observation (in ``final_observations``, when the buffers have it): the board the game
    ended on, from the row's own perspective, its last stones included (the winning or filling
    stone, or the opponent's reply; an illegal action leaves the board as it was), with all-zero
    legal-column entries: no move is legal in a finished game. In two-player mode both rows get
    one, each from its own perspective.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(self, *, num_envs: int = 1, opponent: str = "greedy", depth: int = 4, first: str = "agent",
                 illegal_reward: float = -1.0, report_every: int = 16, buffers=None, **unknown):
        reject_unknown(Connect4, unknown)
        num_envs = check_int("Connect4", "num_envs", num_envs, 1, 2**31 - 1)
        opponent_id = check_choice("Connect4", "opponent", opponent, OPPONENTS)
        depth = check_int("Connect4", "depth", depth, 1, MAX_DEPTH)
        first_id = check_choice("Connect4", "first", first, FIRST)
        illegal_reward = check_float("Connect4", "illegal_reward", illegal_reward, -100.0, 0.0)
        self.opponent, self.depth, self.first, self.illegal_reward = opponent, depth, first, illegal_reward
        self.num_envs = num_envs
        self._rows = 2 if opponent == "none" else 1  # agent rows per sub-env
        self.single_observation_space = spaces.Box(-1.0, 1.0, shape=(OBS_SIZE,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(COLS)
        self.num_agents = num_envs * self._rows
        self._sim = CSim(
            _sims, "connect4", self, buffers, num_envs=num_envs, opponent=opponent_id, depth=depth, first=first_id,
            illegal_reward=illegal_reward, log_field="two_player_log" if self._rows == 2 else "log",
            report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def board(self, index: int = 0) -> np.ndarray:
        """Sub-env ``index``'s board ``[6, 7]`` int8 (row 0 at the top): 1 agent, -1 opponent, 0 empty.

        In two-player mode ``index`` is a game and the agent is row ``2 * index`` (1 its stones).
        """
        index = range(self.num_envs)[index]  # IndexError when out of range; negatives count from the end
        return self.buffers.observations[index * self._rows, :CELLS].reshape(ROWS, COLS).astype(np.int8)

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[96, 112, 3]`` uint8 (``"rgb_array"``) or ANSI text.

        The agent's stones are red (X), the opponent's yellow (O); in two-player mode ``index`` is a
        game, and row ``2 * index``'s stones are red, row ``2 * index + 1``'s yellow.
        """
        return _draw(self.board(index), mode)


def _draw(board: np.ndarray, mode: str):
    """``Connect4.render`` of a board [6, 7] int8 (row 0 at the top; 1 agent, -1 opponent, 0 empty)."""
    if mode == "ansi":
        rows = ["|" + " ".join(_GLYPHS[int(v)] for v in row) + "|" for row in board]
        return "\n".join([*rows, "+" + "-" * (2 * COLS - 1) + "+", " " + " ".join(map(str, range(COLS)))])
    yy, xx = np.mgrid[:_CELL, :_CELL]  # a disc of radius 6 centred in each cell
    disc = np.tile((yy - 7.5) ** 2 + (xx - 7.5) ** 2 <= 36.0, (ROWS, COLS))
    palette = np.stack([_EMPTY, _AGENT, _OPPONENT])  # indexed by board % 3: 0, 1, -1 -> 0, 1, 2
    frame = np.repeat(np.repeat(palette[board % 3], _CELL, axis=0), _CELL, axis=1)
    frame[~disc] = _BOARD
    return frame


def _four(marks: np.ndarray) -> bool:
    """Whether the cells marked True ([6, 7] bool) hold four in a row: across, down or diagonal."""
    m = marks
    return bool((m[:, :-3] & m[:, 1:-2] & m[:, 2:-1] & m[:, 3:]).any()
                or (m[:-3] & m[1:-2] & m[2:-1] & m[3:]).any()
                or (m[:-3, :-3] & m[1:-2, 1:-2] & m[2:-1, 2:-1] & m[3:, 3:]).any()
                or (m[3:, :-3] & m[2:-1, 1:-2] & m[1:-2, 2:-1] & m[:-3, 3:]).any())


def _drop(board: np.ndarray, column: int, stone: int) -> bool:
    """Drop ``stone`` into ``column`` of ``board`` [6, 7] (in place); False, changing nothing, if illegal."""
    if not 0 <= column < COLS or board[0, column] != 0:
        return False
    board[np.flatnonzero(board[:, column] == 0)[-1], column] = stone
    return True


def _final(observations: np.ndarray, actions: np.ndarray, rewards: np.ndarray, mode: str = "ansi"):
    """``CONTROLS.final``: the board a game ended on, from its rows before the final step.

    The mover's stone drops (none for an illegal move). Against the built-in opponent, when that
    stone neither made four in a row nor filled the board, the opponent's reply ended the game:
    the last free cell for a draw, else the one column completing its four; if several would, the
    text names them (which one it took is not kept).
    """
    rows = observations.reshape(len(observations), -1)
    mover = 1 if len(rows) == 2 and not rows[0, CELLS:].any() else 0  # two-player: the row with legal columns
    board = rows[0, :CELLS].reshape(ROWS, COLS).astype(np.int8)  # row 0's view (1 its stones), a copy
    note = ""
    if (_drop(board, int(actions[mover]), 1 if mover == 0 else -1) and len(rows) == 1 and not _four(board == 1)
            and (board == 0).any()):
        free = [c for c in range(COLS) if board[0, c] == 0]
        wins = [c for c in free if _four(_dropped(board, c) == -1)]
        if rewards[0] == 0 and np.count_nonzero(board == 0) == 1:
            _drop(board, free[0], -1)
        elif len(wins) == 1:
            _drop(board, wins[0], -1)
        elif wins:
            note = "then the opponent made four in a row in column " + " or ".join(map(str, wins))
    picture = _draw(board, mode)
    return f"{picture}\n{note}" if note and mode == "ansi" else picture


def _dropped(board: np.ndarray, column: int) -> np.ndarray:
    """A copy of ``board`` with the opponent's stone dropped into ``column``."""
    after = board.copy()
    _drop(after, column, -1)
    return after


CONTROLS = Controls(
    legend="type a column number 0-6 (numbered under the board) and press Enter",
    actions=tuple(f"column {c}" for c in range(COLS)),
    sides=("X (red)", "O (yellow)"),
    outcomes=True, legal_mask=COLS, illegal="an illegal move ends the game as a loss for the one who made it",
    final=_final, pace=0.6, two_player={"opponent": "none"},
    clicks=(ClickGrid("a column: drop a stone into it", left=0, top=0, width=_CELL, height=ROWS * _CELL,
                      columns=COLS),),
)
"""How a person plays connect4 (``envsdk play``); see ``envsdk.controls.Controls``."""
