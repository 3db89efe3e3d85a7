"""tripletriad: Triple Triad, the card game (C sim in csrc/tripletriad.h), against a built-in opponent."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_choice, check_float, check_int, reject_unknown
from envsdk.controls import ClickGrid, Controls
from envsdk.csim import CSim
from envsdk.render import colour

SELECT = 0  # actions 0..4: select the agent's card 0..4
PLACE = 5  # actions 5..13: place the selected card on cell (action - 5)
NUM_ACTIONS = 14
# Observation layout (int8 [104]); see the TripleTriad docstring.
OBS_OWNERS, OBS_BOARD, OBS_HAND, OBS_OPPONENT_HAND, OBS_SELECTED, OBS_MASK, OBS_SIZE = 0, 9, 45, 65, 85, 90, 104
OPPONENTS = ("random", "greedy")
FIRST = ("agent", "opponent", "random")

# RGB layout: a card is 24 px square inside a 26 px slot; rows: opponent hand, 3 board rows, agent hand.
_SLOT, _CARD, _GAP = 26, 24, 6
_BACKGROUND, _EMPTY = np.array([20, 20, 28], np.uint8), np.array([45, 45, 58], np.uint8)
_AGENT, _OPPONENT = np.array([0, 150, 170], np.uint8), np.array([170, 40, 40], np.uint8)
_TEXT, _SELECTED = np.array([240, 240, 240], np.uint8), np.array([255, 210, 60], np.uint8)
# 3 x 5 pixel digits 0..9, rows top to bottom, 3 bits each (bit 2 = left column).
_DIGITS = np.array([
    [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
    [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
])
_GLYPH = ((_DIGITS[:, :, None] >> np.array([2, 1, 0])) & 1).astype(bool)  # [10, 5, 3]



class TripleTriad:
    """``num_envs`` games of Triple Triad (3x3 board, 5 cards a side) against a built-in opponent.

    These are the rules; ``csrc/tripletriad.h`` implements them (its comments say only how).

    Board: 3 x 3 cells, cell ``p = row * 3 + col``, row 0 on top. Each side holds 5 cards: cards
    0..4 are the agent's, 5..9 the opponent's. A card has four ranks, one per side, in the order
    N, E, S, W (clockwise; the side opposite ``d`` is ``d ^ 2``).

    Deal, at each episode start, from the sub-env's RNG (SplitMix64, as every envsdk sim): 20
    draws of 64 bits; draw k gives the ranks with flat index ``2k`` (its high 32 bits) and
    ``2k + 1`` (its low 32 bits), flat index ``4 * card + side``, each rank
    ``1 + floor(bits * max_rank / 2**32)``, so uniform in ``1..max_rank`` (bias below 2**-32).
    Draws 0..9 deal the agent's cards, 10..19 the opponent's. ``first`` says who plays first:
    ``"agent"`` (default), ``"opponent"`` or ``"random"`` (a coin toss per episode: one more
    draw after the deal, the opponent starting when its top bit is set). When the opponent starts
    it plays its first card during the episode start, so the first observation already shows it.

    Action ``Discrete(14)``, two strictly alternating phases: with no card selected, ``0..4``
    selects the agent's card 0..4, which must be unplayed; with a card selected, ``5..13`` places
    it on cell ``action - 5``, which must be empty, and the opponent answers in the same step. Any
    other action (out of range, the wrong phase's action, a played card, an occupied cell) is
    illegal: it changes nothing and gives reward ``illegal_reward`` (at most 0); it still counts
    as a step. The observation carries the legal-action mask.

    Placing a card captures each orthogonally adjacent card of the other side whose rank on the
    touching side is strictly lower than the placed card's rank on that side (the placed card's
    side ``d`` against the neighbour's side ``d ^ 2``). A captured card changes owner; captures do
    not chain (no Same, Plus or Combo rules).

    ``opponent`` (its randomness from the sub-env's RNG, exactly one draw per move):

    - ``"random"`` (default): uniform over its (unplayed card, empty cell) pairs. Of the 64-bit
      draw, the high 32 bits ``hi`` pick the card, the ``floor(hi * cards / 2**32)``-th unplayed
      one in ascending order, and the low 32 bits ``lo`` the cell, the
      ``floor(lo * cells / 2**32)``-th empty one.
    - ``"greedy"``: a move capturing the most cards; among the best (card, cell) pairs, listed
      card-major in ascending (card, cell) order, it plays the one at index
      ``floor((draw >> 32) * count / 2**32)``, ``count`` the number of best pairs.

    The game ends when the board is full (9 placements: the first mover places 5, the other side
    4 and keeps one card). Each side's score is the cards it owns on the board plus its unplayed
    cards (the two sum to 10): more wins. Reward at that step: +1 win, 0 draw, -1 loss
    (terminal); otherwise the reward is 0 (or ``illegal_reward``). Truncated after ``max_steps``
    steps without the game ending (never both terminal and truncated).

    Observation ``[104]`` int8:

    - ``[0:9]`` the owner of each cell: 1 the agent, -1 the opponent, 0 empty;
    - ``[9:45]`` the ranks N, E, S, W of the card on each cell (cell-major), 0 when empty;
    - ``[45:65]`` the agent's cards 0..4, ranks N, E, S, W each, 0 once played;
    - ``[65:85]`` the opponent's cards 0..4 (open hands), same layout;
    - ``[85:90]`` one-hot of the selected card (all 0 in the select phase);
    - ``[90:104]`` the legal-action mask over the 14 actions (1 legal).

    Config: ``opponent``, ``first``, ``max_rank`` (1..99, default 10), ``max_steps`` (default 30),
    ``illegal_reward`` (default -0.1). Infos: episode_return, episode_length, win, draw, loss (fractions of
    episodes; a truncated game is none of them), score (cards the agent owned at the end, board
    + hand), illegal (illegal actions per episode), episode_count.

    Final observation (in ``final_observations``, when the buffers have it): the row as the
    ending step left it; for a finished game (a full board) with an all-zero legal-action mask, as
    no action is legal any more, and for a truncated one with its mask.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(self, *, num_envs: int = 1, opponent: str = "random", first: str = "agent", max_rank: int = 10,
                 max_steps: int = 30, illegal_reward: float = -0.1, report_every: int = 16, buffers=None, **unknown):
        reject_unknown(TripleTriad, unknown)
        num_envs = check_int("TripleTriad", "num_envs", num_envs, 1, 2**31 - 1)
        opponent_id = check_choice("TripleTriad", "opponent", opponent, OPPONENTS)
        first_id = check_choice("TripleTriad", "first", first, FIRST)
        self.opponent, self.first = opponent, first
        self.max_rank = check_int("TripleTriad", "max_rank", max_rank, 1, 99)
        self.max_steps = check_int("TripleTriad", "max_steps", max_steps, 1, 2**31 - 1)
        self.illegal_reward = check_float("TripleTriad", "illegal_reward", illegal_reward, -1e6, 0.0)
        self.single_observation_space = spaces.Box(-1, self.max_rank, shape=(OBS_SIZE,), dtype=np.int8)
        self.single_action_space = spaces.Discrete(NUM_ACTIONS)
        self.num_envs = self.num_agents = num_envs
        self._sim = CSim(
            _sims, "tripletriad", self, buffers, num_envs=num_envs, opponent=opponent_id, first=first_id,
            max_rank=self.max_rank, max_steps=self.max_steps, illegal_reward=self.illegal_reward,
            report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index``: an RGB frame ``[142, 130, 3]`` uint8 (``"rgb_array"``): the opponent's
        hand on top, the board, the agent's hand below (selected card framed in yellow); or text
        (``"ansi"``)."""
        return _draw(*_cards(self.buffers.observations[index]), mode)


def _cards(observation: np.ndarray):
    """An observation row as copies: owners [9], board ranks [9, 4], hands [2, 5, 4] (agent's first), selected card."""
    obs = observation.astype(np.int32)
    hands = obs[OBS_HAND:OBS_SELECTED].reshape(2, 5, 4)
    selected = int(np.argmax(obs[OBS_SELECTED:OBS_MASK])) if obs[OBS_SELECTED:OBS_MASK].any() else -1
    return obs[:9], obs[OBS_BOARD:OBS_HAND].reshape(9, 4), hands, selected


def _draw(owners, board, hands, selected: int, mode: str):
    """``TripleTriad.render`` of the parts ``_cards`` returns."""
    if mode == "ansi":
        return _ansi(owners, board, hands, selected)
    frame = np.empty((5 * _SLOT + 2 * _GAP, 5 * _SLOT, 3), np.uint8)
    frame[...] = _BACKGROUND
    for k in range(5):  # a played card leaves its hand slot blank
        if hands[1, k].any():
            _draw_card(frame, 0, k * _SLOT, hands[1, k], _OPPONENT)
        if hands[0, k].any():
            _draw_card(frame, 4 * _SLOT + 2 * _GAP, k * _SLOT, hands[0, k], _AGENT, k == selected)
    for p in range(9):
        colour_ = _EMPTY if owners[p] == 0 else (_AGENT if owners[p] > 0 else _OPPONENT)
        _draw_card(frame, _SLOT + _GAP + (p // 3) * _SLOT, _SLOT + (p % 3) * _SLOT, board[p], colour_)
    return frame


def _draw_card(frame, y: int, x: int, ranks, fill, selected: bool = False) -> None:
    """A card in the slot at pixel (y, x): a coloured square with its ranks (none if they are all 0)."""
    y, x = y + 1, x + 1
    frame[y:y + _CARD, x:x + _CARD] = _SELECTED if selected else fill
    if selected:
        frame[y + 2:y + _CARD - 2, x + 2:x + _CARD - 2] = fill
    if not ranks.any():
        return
    # Each rank's digits (up to 2, 3 x 5 px with a 1 px space) centred on its side.
    for value, (cy, cx) in zip(ranks, ((4, 12), (12, 19), (20, 12), (12, 5)), strict=True):
        digits = [int(d) for d in str(int(value))]
        width = 4 * len(digits) - 1
        for j, d in enumerate(digits):
            y0, x0 = y + cy - 2, x + cx - width // 2 + 4 * j
            frame[y0:y0 + 5, x0:x0 + 3][_GLYPH[d]] = _TEXT


def _ansi(owners, board, hands, selected) -> str:
    """Text: each card a 3-line box with its ranks; A / O marks the agent's / opponent's."""

    def boxes(cards) -> list[str]:
        lines = ["", "", ""]
        for ranks, mark in cards:
            if ranks is None:
                cells = ("       ", "       ", "       ")
            else:
                n, e, s, w = (f"{int(v)}" for v in ranks)
                cells = (f"{n:^7}", f"{w:>2} {mark} {e:<2}", f"{s:^7}")
            for j in range(3):
                lines[j] += "|" + cells[j]
        return [line + "|" for line in lines]

    def hand(side: int, mark: str) -> list[str]:
        cards = []
        for k in range(5):
            played = not hands[side, k].any()
            tag = colour("*", 220) if k == selected and side == 0 else mark
            cards.append((None, "") if played else (hands[side, k], tag))
        return boxes(cards)

    marks = {1: colour("A", 45), -1: colour("O", 203)}
    rule = "+-------" * 3 + "+"
    out = ["opponent hand (cards 0-4):", *hand(1, marks[-1]), "board:", rule]
    for row in range(3):
        cells = [(board[p], marks[int(owners[p])]) if owners[p] else (None, "")
                 for p in range(3 * row, 3 * row + 3)]
        out += [*boxes(cells), rule]
    agent_score = int((owners == 1).sum() + hands[0].any(axis=1).sum())
    opponent_score = int((owners == -1).sum() + hands[1].any(axis=1).sum())
    out += ["agent hand (cards 0-4, * selected):", *hand(0, marks[1]),
            f"cards owned: agent {agent_score}, opponent {opponent_score}"]
    return "\n".join(out)


def _place(owners, board, hands, side: int, card: int, cell: int) -> None:
    """Play hand ``side``'s (0 the agent's) ``card`` onto the empty ``cell``, in place, and capture each
    adjacent card of the other side whose touching rank is strictly lower (the TripleTriad docstring's rule)."""
    owner = 1 if side == 0 else -1
    board[cell], hands[side, card], owners[cell] = hands[side, card], 0, owner
    r, c = divmod(cell, 3)
    for d, (dr, dc) in enumerate(((-1, 0), (0, 1), (1, 0), (0, -1))):  # N, E, S, W
        q = 3 * (r + dr) + c + dc
        if 0 <= r + dr < 3 and 0 <= c + dc < 3 and owners[q] == -owner and board[cell, d] > board[q, d ^ 2]:
            owners[q] = owner


def _final(observations: np.ndarray, actions: np.ndarray, rewards: np.ndarray, mode: str = "ansi"):
    """``CONTROLS.final``: the cards a game ended with, from its row before the final step.

    The agent's legal action applies (a placement captures); if one empty cell is then left, the
    opponent's last card goes there, as it must. A game cut off at ``max_steps`` with more cells
    empty ends on an opponent reply that is not kept: the text says so.
    """
    owners, board, hands, selected = _cards(observations[0])
    action, note = int(actions[0]), ""
    if 0 <= action < NUM_ACTIONS and observations[0][OBS_MASK + action] > 0:
        if action < PLACE:
            selected = action
        else:
            _place(owners, board, hands, 0, selected, action - PLACE)
            selected = -1
            empty, left = np.flatnonzero(owners == 0), np.flatnonzero(hands[1].any(axis=1))
            if len(empty) == 1 and len(left) == 1:
                _place(owners, board, hands, 1, int(left[0]), int(empty[0]))
            elif len(empty):
                note = "(then the opponent played a card; which is not kept)"
    picture = _draw(owners, board, hands, selected, mode)
    return f"{picture}\n{note}" if note and mode == "ansi" else picture


CONTROLS = Controls(
    legend="type an action number and press Enter: 0-4 picks a card of your hand (left to right), then "
           "5-13 places it on a cell, 5 6 7 the top row, 8 9 10 the middle, 11 12 13 the bottom",
    actions=(*(f"card {k}" for k in range(5)), *(f"place at {a}" for a in range(PLACE, NUM_ACTIONS))),
    sides=("A: the hand at the bottom", "O: the hand at the top"),
    outcomes=True, legal_mask=NUM_ACTIONS, illegal="an illegal action changes nothing and costs a small penalty",
    final=_final, pace=0.6,
    clicks=(ClickGrid("a card of your hand (the bottom row): pick it", left=0, top=4 * _SLOT + 2 * _GAP, width=_SLOT,
                      height=_SLOT, columns=5, first=SELECT),
            ClickGrid("an empty board cell: put the picked card there", left=_SLOT, top=_SLOT + _GAP, width=_SLOT,
                      height=_SLOT, columns=3, rows=3, first=PLACE)),
)
"""How a person plays tripletriad (``envsdk play``); see ``envsdk.controls.Controls``."""
