"""How a person plays an env: the per-env data that ``envsdk play`` (and any other front end) reads.

An env module declares one module-level name, ``CONTROLS = Controls(...)``, next to its renderer
(``envs/tictactoe.py`` does; so may a third party's module). ``controls_of(factory)`` finds it in
the module that defines the factory (``factory.__module__``); an env without one is played with
``generic(n)``: action numbers typed one per line. Nothing is read from or set on env objects.

Everything here is plain data except ``final``, a pure function of arrays, so a browser front end
can use the same table: map its key events to ``keys``, show ``legend`` and ``sides``, grey out
what ``legal_mask`` forbids.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

KEY_NAMES = ("space", "enter", "up", "down", "left", "right")
"""Names of the keys that are not one printable character, as ``keys`` spells them."""


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
    pace: float = 0.05
    """Seconds per move when a person watches a policy (``envsdk play --checkpoint`` in a terminal,
    ``examples/ppo.py``'s GIF)."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """Config that makes the env playable by one person (snake: one snake on a small grid); play
    suggests it when the env's default config is not playable."""


def controls_of(factory: Callable[..., Any]) -> Controls | None:
    """The ``CONTROLS`` that the module defining ``factory`` declares, or None if it declares none."""
    module = sys.modules.get(getattr(factory, "__module__", None) or "")
    found = getattr(module, "CONTROLS", None)
    return found if isinstance(found, Controls) else None


def generic(num_actions: int) -> Controls:
    """Controls for an env that declares none: action numbers ``0..num_actions-1``, one per line."""
    return Controls(legend=f"an action number 0-{num_actions - 1}",
                    actions=tuple(f"action {a}" for a in range(num_actions)))
