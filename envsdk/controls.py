"""How a person plays an env: the per-env data that ``envsdk play`` (and any other front end) reads.

An env module declares one module-level name, ``CONTROLS = Controls(...)``, next to its renderer
(``envs/tictactoe.py`` does; so may a third party's module). ``controls_of(factory)`` finds it in
the module that defines the factory (``factory.__module__``); an env without one is played with
``generic(n)``: action numbers typed one per line. Nothing is read from or set on env objects.

Everything here is plain data except ``final``, a pure function of arrays, so the browser front end
(``envsdk serve``) uses the same table: it maps key events to ``keys``, clicks on the frame to
``clicks``, shows ``sides`` and a legend built from ``keys`` and ``clicks``, and refuses what
``legal_mask`` forbids. ``movers``, ``is_legal`` and ``outcome`` read the table for every front end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KEY_NAMES = ("space", "enter", "up", "down", "left", "right")
"""Names of the keys that are not one printable character, as ``keys`` spells them."""


@dataclass(frozen=True)
class ClickGrid:
    """A grid of equal cells on the env's ``render("rgb_array")`` frame that a click enters actions on.

    Coordinates are frame pixels, x to the right and y down from the top-left corner. A click in
    the cell at ``row`` (0 at the top) and ``column`` (0 at the left) enters action
    ``first + row * columns + column``; a click outside every grid enters nothing.
    """

    label: str
    """What a click there does, for the legend, e.g. "a cell: put your mark there"."""
    left: int
    top: int
    width: int
    """Width of one cell, pixels."""
    height: int
    """Height of one cell, pixels."""
    columns: int
    rows: int = 1
    first: int = 0
    """The action of the top-left cell."""


@dataclass(frozen=True)
class Controls:
    """How a person enters moves in an env, and what play shows them.

    The fields after ``actions`` have defaults that fit an env with no opponent, legal mask or
    final-position drawing.
    """

    legend: str
    """How to enter a move, in words, e.g. "a cell 0-8, row-major: 0 1 2 / 3 4 5 / 6 7 8"."""
    actions: tuple[str, ...]
    """A short name per action number ("cell 4", "left"), for prompts and messages."""
    keys: Mapping[str, int] = field(default_factory=dict)
    """Input key (one character, lower case, or a name in ``KEY_NAMES``) -> the action it enters.
    Action numbers are accepted as well, so board games need no keys."""
    sides: tuple[str, ...] = ()
    """What each agent row of one sub-env plays (row 0 first), then what the built-in opponent
    plays if the env has one, e.g. ``("blue marks", "red marks")``."""
    single_key: bool = False
    """A move is one key press, taken without Enter where the terminal allows it (arcade games)."""
    outcomes: bool = False
    """Episodes end in a win, loss or draw, told by the sign of the terminal step's reward (+1 win,
    -1 loss, 0 draw; with two rows, the row with the higher reward won). Without it play reports
    the return."""
    legal_mask: int = 0
    """The observation's last ``legal_mask`` entries are the legal-action mask (> 0: legal); 0: no
    mask. With two agent rows per sub-env, the row whose mask has a legal entry is the one to move."""
    illegal: str = ""
    """What an illegal move does, in words, for the warning before one ("ends the game as a loss")."""
    final: Callable[..., Any] | None = None
    """``final(observations, actions, rewards, mode) -> picture``: the position an episode ended in,
    drawn like ``env.render(mode)``, from the sub-env's observation rows before its final step
    ``[rows, ...]``, that step's actions ``[rows]`` and rewards ``[rows]``. Envs restart a finished
    sub-env inside ``step``, so the env itself no longer shows it. None: play shows the last
    position before the final step instead."""
    clicks: tuple[ClickGrid, ...] = ()
    """Where a click on the frame enters which action (board games in ``envsdk serve``); empty: none."""
    idle: int | None = 0
    """The action an arcade game (``single_key``) steps with while no key is held in ``envsdk serve``;
    None: the last key pressed goes on acting (snake keeps its heading, cartpole keeps pushing)."""
    pace: float = 0.05
    """Seconds per step when the game moves by itself: a person watching a policy (``envsdk play
    --checkpoint`` in a terminal, ``examples/ppo.py``'s GIF, ``envsdk serve``) and, in the browser,
    an arcade game's tick and the pause before a policy's move."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """Config that makes the env playable by one person (snake: one snake on a small grid); play
    suggests it when the env's default config is not playable, and ``envsdk serve`` applies it."""
    two_player: Mapping[str, Any] = field(default_factory=dict)
    """Config that turns the env into its two-player mode (two agent rows per sub-env, e.g.
    ``{"opponent": "none"}``), where two people, or a person and a policy, play each other; empty:
    the env has none."""


def controls_of(factory: Callable[..., Any]) -> Controls | None:
    """The ``CONTROLS`` that the module defining ``factory`` declares, or None if it declares none."""
    module = sys.modules.get(getattr(factory, "__module__", None) or "")
    found = getattr(module, "CONTROLS", None)
    return found if isinstance(found, Controls) else None


def generic(num_actions: int) -> Controls:
    """Controls for an env that declares none: action numbers ``0..num_actions-1``, one per line."""
    return Controls(legend=f"an action number 0-{num_actions - 1}",
                    actions=tuple(f"action {a}" for a in range(num_actions)))


def movers(controls: Controls, observations: np.ndarray, rows: int) -> list[int]:
    """The rows of one sub-env to move now: with two rows and a legal mask, the row whose mask has a
    legal action; else all ``rows``."""
    if rows == 2 and controls.legal_mask:
        to_move = [r for r in range(rows) if observations[r].reshape(-1)[-controls.legal_mask:].any()]
        return to_move or list(range(rows))
    return list(range(rows))


def is_legal(controls: Controls, observation: np.ndarray, action: int) -> bool:
    """Whether ``action`` is legal in the position of one row's ``observation`` (always, without a mask)."""
    if not controls.legal_mask:
        return True
    mask = observation.reshape(-1)[-controls.legal_mask:]
    return 0 <= action < len(mask) and bool(mask[action] > 0)


def outcome(controls: Controls, players: Sequence[str], rewards: np.ndarray, terminal: bool,
            illegal: Sequence[tuple[int, int]], total: float) -> str:
    """An episode's end in words: who won, lost (by an illegal move) or drew, or the return.

    ``players`` names the rows of the sub-env ("you", "the policy"); ``rewards`` are their rewards on
    the final step; ``illegal`` lists the ``(row, action)`` illegal moves of that step; ``total`` is
    row 0's return.
    """
    if terminal and illegal and controls.illegal:
        row, action = illegal[0]
        return f"{players[row]} lost by an illegal move ({controls.actions[action]})"
    if not controls.outcomes:
        return f"return {total:g}" + ("" if terminal else ", cut off at the step limit")
    if not terminal:
        return "cut off at the step limit, no result"
    if len(players) == 1:
        reward = float(rewards[0])
        return f"{players[0]} won" if reward > 0 else f"{players[0]} lost" if reward < 0 else "a draw"
    if rewards[0] == rewards[1]:
        return "a draw"
    return f"{players[0] if rewards[0] > rewards[1] else players[1]} won"
