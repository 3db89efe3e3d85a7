"""One browser tab's game in ``envsdk serve``: an env, who plays each row, and the rules of the page.

Nothing here knows about HTTP: ``Session`` takes parsed messages (``parse``) and says what to send
back (``frame``), and the server (``envsdk/serve/app.py``) decides when. Every env is played the
same way, from its module's ``CONTROLS`` (``envsdk/controls.py``), with no per-env branch:

- **arcade games** (``single_key``) step on a tick (``CONTROLS.pace`` seconds; the person can make
  it slower or faster, pause it and step it by hand). Each tick steps with the key pressed since
  the last tick, else the key held, else ``CONTROLS.idle`` (or the last key's action when that is
  None). The game waits for a first key press, and after it ends for another.
- **turn-based games** step when a person enters a move (a click on the frame, mapped by
  ``CONTROLS.clicks``, or an action button) and, one tick later, when it is a policy's turn. A
  move the legal mask forbids, or one out of turn, is refused and changes nothing, so a click
  never ends the game by accident.

Modes (``MODES``): ``play`` (you against the built-in opponent, or alone), ``two`` (two people at one
page, the env's two-player mode), ``watch`` (the policy plays; pause and step) and ``versus`` (you
against the policy in the two-player mode). In ``play`` mode an arcade env with several agent rows
per sub-env (``snake snakes=4``) gives you row 0; the other rows are bots: the policy when there
is one for this env, else uniformly random actions.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from envsdk.backends._factory import takes_num_envs
from envsdk.controls import Controls, generic, is_legal, movers, outcome
from envsdk.errors import ConfigError, MessageError
from envsdk.render import png

MODES = {"play": "play", "two": "two players", "watch": "watch the policy", "versus": "play the policy"}
"""Mode name -> its label on the pages."""

MAX_TICK = 10.0
"""The slowest tick a page may ask for, seconds."""

# Each message type -> its fields and their types (bool is not an int here).
_FIELDS: dict[str, dict[str, type]] = {
    "key": {"key": str, "down": bool},
    "action": {"action": int},
    "pause": {"paused": bool},
    "step": {},
    "speed": {"tick": float},
    "new": {},
}


def modes(controls: Controls, has_policy: bool) -> list[str]:
    """The modes an env offers: ``play`` always; ``two`` with a two-player mode; ``watch`` with a
    policy for it; ``versus`` with both."""
    found = ["play"]
    if controls.two_player:
        found.append("two")
    if has_policy:
        found.append("watch")
        if controls.two_player:
            found.append("versus")
    return found


def mode_config(mode: str, controls: Controls, pairs: Mapping[str, Any], policy_config: Mapping[str, Any]) -> dict:
    """The env config a mode builds with: the playable config (``CONTROLS.config``) or, for the policy's
    modes, the one it was trained with, then the server's ``key=value`` pairs, then the two-player
    mode's config for ``two`` and ``versus``."""
    base = dict(policy_config) if mode in ("watch", "versus") else dict(controls.config)
    extra = controls.two_player if mode in ("two", "versus") else {}
    return {**base, **pairs, **extra}


def parse(text: str | bytes, max_tick: float = MAX_TICK) -> dict:
    """A browser's message as a dict, checked against ``_FIELDS``; ``MessageError`` says what is wrong.

    A message is a JSON object with ``type`` (a key of ``_FIELDS``), that type's fields and an
    optional ``seq`` (int, the page's running count, echoed as ``ack`` in frames).
    """
    if not isinstance(text, str):
        raise MessageError.of("message", None, "a JSON text message", "a binary message",
                              "send JSON text, e.g. {\"type\": \"new\"}")
    try:
        message = json.loads(text)
    except ValueError as e:
        raise MessageError.of("message", None, "a JSON object", f"invalid JSON ({e})",
                              "send JSON text, e.g. {\"type\": \"new\"}") from None
    if not isinstance(message, dict):
        raise MessageError.of("message", None, "a JSON object", type(message).__name__, "send {\"type\": ...}")
    kind = message.get("type")
    if kind not in _FIELDS:
        raise MessageError.of("message", "type", f"one of {', '.join(_FIELDS)}", repr(kind), "send a known type")
    fields = {**_FIELDS[kind], "type": str, "seq": int}
    unknown = sorted(set(message) - set(fields))
    if unknown:
        raise MessageError.of(f"message {kind!r}", None, f"only the fields {', '.join(fields)}",
                              f"also {', '.join(map(repr, unknown))}", "drop them")
    for field, kind_ in fields.items():
        value = message.get(field)
        if field == "seq" and value is None:
            continue
        typed = isinstance(value, (int, float) if kind_ is float else kind_)  # a float field takes ints too
        if isinstance(value, bool) is not (kind_ is bool) or not typed:
            raise MessageError.of(f"message {kind!r}", field, f"a {kind_.__name__}", repr(value), "send that type")
    if kind == "speed" and not 0 <= message["tick"] <= max_tick:  # NaN too
        raise MessageError.of("message 'speed'", "tick", f"seconds in [0, {max_tick:g}]", message["tick"],
                              "send a tick in that range")
    return message


class Session:
    """One tab's game: ``env`` built from ``factory(**config)`` with one sub-env, played in ``mode`` with
    ``controls`` (the env module's ``CONTROLS``; None: ``generic``, action numbers by buttons).

    Raises ``ConfigError`` when the env cannot be played that way (an action space that is not
    Discrete, more agent rows than the mode allows, a policy that does not fit it); whatever the
    factory raises passes through.
    """

    def __init__(self, name: str, factory: Callable[..., Any], config: Mapping[str, Any], controls: Controls | None,
                 mode: str, policy=None, seed: int | None = None):
        self.name, self.mode, self.policy = name, mode, policy
        self.env = factory(num_envs=1, **config) if takes_num_envs(factory) else factory(**config)
        try:
            self._check(config, controls)
        except BaseException:
            self.env.close()
            raise
        self.tick = float(self.controls.pace)
        self.realtime = self.controls.single_key and "person" in self.kinds
        self.paused = self.realtime  # an arcade game waits for the first key
        self.observations, _ = self.env.reset(seed=seed)
        self.rng = np.random.default_rng(seed)
        self.episode, self.steps, self.total = 1, 0, 0.0
        self.over, self.hold, self.result, self.notice = False, 0, "", ""
        self.received = self.ack = 0  # the last message seq received, and the one the last frame follows
        self.pressed = self.held = self.held_key = self.last = None
        self.picture, self.fresh = self._render(), True

    def _check(self, config: Mapping[str, Any], controls: Controls | None) -> None:
        """Set ``n``, ``controls`` (``generic(n)`` for None), ``rows``, ``kinds`` and ``players`` for the mode,
        or raise ``ConfigError``."""
        owner = f"envsdk serve {self.name} (mode {self.mode})"
        n = getattr(self.env.single_action_space, "n", None)
        if n is None:
            raise ConfigError.of(owner, "single_action_space", "a Discrete action space",
                                 repr(self.env.single_action_space), "serve an env whose actions are numbered")
        self.n, self.rows = int(n), int(self.env.num_agents)
        self.controls = controls if controls is not None else generic(self.n)
        arcade, pairs = self.controls.single_key, " ".join(f"{k}={v}" for k, v in self.controls.config.items())
        if self.rows < 1 or (not arcade and self.rows > 2) or (self.mode in ("two", "versus") and self.rows != 2):
            expected = "2 agent rows (its two-player mode)" if self.mode in ("two", "versus") else (
                "1 or 2 agent rows per sub-env" if not arcade else "at least 1 agent row")
            fix = f"serve it with {pairs}" if pairs else "serve it with its default config"
            raise ConfigError.of(owner, "num_agents", expected, f"{self.rows} with config {dict(config)}", fix)
        if self.policy is not None and self.mode != "play":
            size = int(np.prod(self.env.single_observation_space.shape))
            if (self.policy.observation_size, self.policy.num_actions) != (size, self.n):
                raise ConfigError.of(
                    owner, "checkpoint", f"a policy for observations of {size} entries and {self.n} actions",
                    f"one for {self.policy.observation_size} and {self.policy.num_actions}",
                    f"serve it with the config the policy was trained with ({self.policy.config})")
        if self.mode == "watch":
            self.kinds = ["policy"] * self.rows
            self.players = ["the policy"] if self.rows == 1 else ["the policy (player 1)", "the policy (player 2)"]
        elif self.mode == "versus":
            self.kinds, self.players = ["person", "policy"], ["you", "the policy"]
        elif self.rows == 2 and not arcade:
            self.kinds, self.players = ["person", "person"], ["player 1", "player 2"]
        else:
            self.kinds = ["person"] + ["bot"] * (self.rows - 1)
            self.players = ["you"] + [f"bot {k}" for k in range(1, self.rows)]

    # ---- what the page shows -------------------------------------------------------------------

    def hello(self, modes: list[str]) -> dict:
        """The first message: the env, the mode, the controls as plain data and the other modes."""
        c = self.controls
        sides = [f"{player}: {c.sides[row]}" for row, player in enumerate(self.players[:2]) if row < len(c.sides)]
        if len(c.sides) > self.rows:
            sides.append(f"the built-in opponent: {c.sides[self.rows]}")
        clicks = [dataclasses.asdict(g) for g in c.clicks]
        return {"type": "hello", "env": self.name, "mode": self.mode, "modes": {m: MODES[m] for m in modes},
                "actions": list(c.actions), "keys": dict(c.keys) if self.realtime else {}, "clicks": clicks,
                "sides": sides, "realtime": self.realtime, "ticking": self.realtime or "policy" in self.kinds,
                "tick": self.tick}

    def frame(self) -> bytes:
        """The next frame message: a 4-byte big-endian header length, the header (JSON), then the picture
        as PNG when it changed since the last frame (nothing after the header otherwise)."""
        header = {"status": self.status(), "notice": self.notice, "legal": self.legal(), "over": self.over,
                  "paused": self.paused, "tick": self.tick, "step": self.steps, "episode": self.episode,
                  "score": self.total, "ack": self.ack}
        self.notice = ""
        picture = b""
        if self.fresh and self.picture is not None:
            picture = png(self.picture)
        self.fresh = False
        data = json.dumps(header).encode()
        return struct.pack(">I", len(data)) + data + picture

    def status(self) -> str:
        """The game's state in words: whose move, the score, and the outcome once the game is over."""
        if self.over:
            more = ("press a key to play again" if self.realtime else "the next game starts soon"
                    if "person" not in self.kinds else "click the board or New game for another")
            return f"game over: {self.result}. {more}"
        arcade = self.controls.single_key
        score = "" if self.controls.outcomes and not arcade else f"score {self.total:g} · "
        if arcade:  # played by a person or watched
            state = " · press a key to start" if self.realtime and self.paused and not self.steps else (
                " · paused" if self.paused else "")
            return f"{score}step {self.steps}{state}"
        mover = self._mover()
        who = self.players[mover]
        turn = "your move" if who == "you" else f"{who} to move"
        return f"{score}{turn}" + (" · paused" if self.paused and self.kinds[mover] == "policy" else "")

    def legal(self) -> list[int] | None:
        """The actions a person may enter now (turn-based games), or None when no person is to move."""
        if self.realtime or self.over or self.kinds[self._mover()] != "person":
            return None
        row = self.observations[self._mover()]
        return [a for a in range(self.n) if is_legal(self.controls, row, a)]

    # ---- what the person does ------------------------------------------------------------------

    def apply(self, message: dict) -> bool:
        """Take one parsed message; True when the page should get a frame now (the game or its status
        changed, or a move was refused: ``notice`` says why)."""
        self.received = message.get("seq", self.received)
        kind = message["type"]
        if kind == "key":
            return self._key(message["key"], message["down"])
        if kind == "action":
            return self._move(message["action"])
        if kind == "pause":
            self.paused = message["paused"]
            return True
        if kind == "step":
            if self.paused and self.ticking(ignore_pause=True):
                self.advance()
            return True
        if kind == "speed":
            self.tick = float(message["tick"])
            return True
        self.new_game(restart=not self.over)
        return True

    def _key(self, key: str, down: bool) -> bool:
        action = self.controls.keys.get(key)
        if not self.realtime or action is None:
            return False
        if not down:
            if key == self.held_key:
                self.held = self.held_key = None
            return False
        if self.over:
            self.new_game(restart=False)
        self.pressed, self.held, self.held_key, self.paused = action, action, key, False
        return True

    def _move(self, action: int) -> bool:
        if self.realtime:
            return False
        legal = self.legal()
        if self.over:
            self.notice = "the game is over: click the board for another"
        elif legal is None:
            self.notice = "not your move"
        elif action not in legal:
            name = self.controls.actions[action] if 0 <= action < len(self.controls.actions) else f"action {action}"
            self.notice = f"{name} is not a legal move now"
        else:
            actions = np.zeros(self.env.buffers.actions.shape, self.env.buffers.actions.dtype)
            actions[self._mover()] = action
            self._step(actions)
        return True

    # ---- what the game does by itself ----------------------------------------------------------

    def ticking(self, ignore_pause: bool = False) -> bool:
        """Whether the game moves by itself now (once a tick): an arcade game in play, a policy's turn,
        the final position held in watch mode. Paused games do not."""
        if self.paused and not ignore_pause:
            return False
        if self.over:
            return "person" not in self.kinds
        return self.realtime or self.kinds[self._mover()] == "policy"

    def advance(self) -> None:
        """One tick: the arcade game's step, the policy's move, or (watch mode) one tick of the final
        position's hold, then the next game."""
        if self.over:
            self.hold -= 1
            if self.hold <= 0:
                self.new_game(restart=False)
            return
        actions = np.zeros(self.env.buffers.actions.shape, self.env.buffers.actions.dtype)
        to_move = movers(self.controls, self.observations, self.rows)
        if any(self.kinds[r] != "person" for r in to_move):
            chosen = self._machine()
            for row in to_move:
                actions[row] = chosen[row]
        if self.realtime:
            action = self.pressed if self.pressed is not None else self.held
            if action is None:
                action = self.controls.idle if self.controls.idle is not None else (self.last or 0)
            actions[0], self.last, self.pressed = action, action, None
        self._step(actions)

    def _machine(self) -> np.ndarray:
        """The policy's actions for every row (bots without a policy: uniformly random actions)."""
        if self.policy is not None:
            return self.policy.act(self.observations)
        return self.rng.integers(0, self.n, self.rows)

    def _step(self, actions: np.ndarray) -> None:
        before = np.array(self.observations, copy=True)
        self.ack = self.received
        self.observations, rewards, terminals, truncations, _ = self.env.step(actions)
        self.steps, self.total = self.steps + 1, self.total + float(rewards[0])
        if terminals[0] or truncations[0]:
            final = self.controls.final
            if final is not None:
                self.picture = final(before, actions, rewards, "rgb_array")
            # else: the env restarted inside step; the last picture before the end stays up.
            self.result = outcome(self.controls, self.players, rewards, bool(terminals[0]), [], self.total)
            self.over, self.hold, self.pressed = True, 4, None
        else:
            self.picture = self._render()
        self.fresh = True

    def new_game(self, restart: bool) -> None:
        """Show the next game: the env already started it when the last one ended (``restart`` False),
        else it is reset now."""
        if restart:
            self.observations, _ = self.env.reset()
        self.episode += 1
        self.steps, self.total, self.over, self.result = 0, 0.0, False, ""
        self.picture, self.fresh = self._render(), True

    def _mover(self) -> int:
        return movers(self.controls, self.observations, self.rows)[0]

    def _render(self) -> np.ndarray | None:
        """The env's frame of its sub-env 0, or None when it draws none."""
        render = getattr(self.env, "render", None)
        try:
            frame = render("rgb_array") if callable(render) else None
        except Exception:  # an env without an rgb_array mode: each raises its own kind of error
            return None
        frame = np.asarray(frame) if frame is not None else None
        return frame if frame is not None and frame.ndim == 3 and frame.shape[2] == 3 else None

    def close(self) -> None:
        """Close the env (twice is harmless)."""
        self.env.close()
