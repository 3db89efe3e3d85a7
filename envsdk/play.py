"""``envsdk play``: a person plays one sub-env in the terminal, watches a trained policy play it, or plays it.

Modes, for every env whose action space is Discrete and that has one agent row per sub-env (or
two, for a board game's two-player mode):

- you against the env and its built-in opponent, if any: ``envsdk play tictactoe``;
- a policy plays and you watch: ``--checkpoint PATH`` (the format of ``envsdk/policy.py``);
- you against the policy: ``--checkpoint PATH --versus`` (the board game's two-player mode, its
  ``CONTROLS.two_player`` config, ``opponent=none``: you are its first row);
- two people at one keyboard: ``opponent=none`` without a checkpoint.

What is shown and read comes from the env module's ``CONTROLS`` (``envsdk/controls.py``): at the
start, who plays which side and how to enter a move; the position after every move; when an
episode ends, its final position and its outcome (win, loss or draw for the games that have
them, else the return). An illegal move is refused once with a warning and played if entered
again. Board games read one move per line. Arcade games (``single_key``) read single keys without
Enter when stdin is a terminal (cbreak mode, restored on every way out), else one key, key name or
action number per line, so pipes and tests drive every mode. Ctrl-C ends the session (exit code
130) without a traceback; colour is dropped when stdout is not a terminal or ``NO_COLOR`` is set.
"""

from __future__ import annotations

import json
import os
import re
import select
import sys
import time
from typing import TextIO

import numpy as np

from envsdk import policy as policies
from envsdk.backends._factory import takes_num_envs
from envsdk.controls import KEY_NAMES, Controls, controls_of, generic, is_legal, movers, outcome
from envsdk.errors import EnvsdkError
from envsdk.registry import resolve

_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_ESCAPES = {"\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left",
            "\x1bOA": "up", "\x1bOB": "down", "\x1bOC": "right", "\x1bOD": "left"}  # arrow keys, both modes
_CHARACTERS = {" ": "space", "\n": "enter", "\r": "enter"}


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class Terminal:
    """The person's end: moves in, text out.

    With ``single_key`` and stdin a terminal, keys are read one at a time without Enter (cbreak
    mode: no echo, no line editing, Ctrl-C still interrupts); ``close`` (or leaving the ``with``
    block, however it is left) restores the terminal's settings. Otherwise each line is a move.
    """

    def __init__(self, stdin: TextIO, stdout: TextIO, single_key: bool):
        self.stdin, self.stdout = stdin, stdout
        self.colour = _isatty(stdout) and not os.environ.get("NO_COLOR")
        self.single_key = single_key and _isatty(stdin)
        self._restore = None
        if self.single_key:
            import termios
            import tty

            fd = stdin.fileno()
            saved = termios.tcgetattr(fd)
            self._restore = lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            tty.setcbreak(fd)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Restore the terminal's settings (if cbreak mode changed them); safe to call twice."""
        restore, self._restore = self._restore, None
        if restore is not None:
            restore()

    def say(self, text: str = "") -> None:
        """Write a line (without colour unless stdout is a terminal that wants it) and flush it."""
        self.stdout.write((text if self.colour else _COLOUR.sub("", text)) + "\n")
        self.stdout.flush()

    def read(self) -> str | None:
        """The next move as typed: one lower-case character or a name of ``KEY_NAMES`` for a key, the
        stripped text for a line ("enter" for an empty one, "space" for spaces); None at the end of
        input (or Ctrl-D on a key)."""
        if not self.single_key:
            line = self.stdin.readline()
            if not line:
                return None
            text = line.strip()
            return text if text else ("space" if line.strip("\r\n") else "enter")
        fd = self.stdin.fileno()
        key = os.read(fd, 1)
        if key in (b"", b"\x04"):
            return None
        if key == b"\x1b":  # an arrow key sends three bytes at once: take what follows without waiting long
            while len(key) < 3 and select.select([fd], [], [], 0.05)[0]:
                key += os.read(fd, 1)
        text = key.decode(errors="replace")
        return _ESCAPES.get(text) or _CHARACTERS.get(text) or text.lower()


def play(env: str, config: dict, *, checkpoint: str | None = None, versus: bool = False, episodes: int = 1,
         seed: int | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run one ``envsdk play`` session of ``env`` (a registered name or ``module:Factory``) built with ``config``.

    Returns the exit code: 0 when the episodes are over or the input ended, 2 after a one-line
    message on stderr (unknown env, bad config, a checkpoint that cannot be loaded or does not fit,
    torch missing), 130 on Ctrl-C.
    """
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        return _session(env, dict(config), checkpoint, versus, episodes, seed, stdin, stdout, stderr)
    except KeyboardInterrupt:
        stdout.write("\n")
        stdout.flush()
        print("envsdk play: interrupted", file=stderr)
        return 130
    except (EnvsdkError, ImportError) as e:
        print(f"envsdk play: {e}", file=stderr)
        return 2


def _session(name, config, checkpoint, versus, episodes, seed, stdin, stdout, stderr) -> int:
    def refuse(message: str) -> int:
        print(f"envsdk play: {message}", file=stderr)
        return 2

    factory = resolve(name)
    if episodes < 1:
        return refuse(f"--episodes: expected a positive number, found {episodes}. Fix: pass --episodes 1 or more.")
    if versus and not checkpoint:
        return refuse("--versus: expected --checkpoint PATH (the policy you play against), found none. Fix: add "
                      "--checkpoint runs/<run>/agent.pt.")
    policy = policies.load(checkpoint) if checkpoint else None
    if policy is not None:
        if policy.env != name:
            return refuse(f"--checkpoint: expected a policy trained on {name!r}, found one trained on "
                          f"{policy.env!r}. Fix: pass that env or another checkpoint.")
        config = {**policy.config, **config}
    if versus:  # the board game's two-player mode: you are row 0, the policy row 1
        two_player = (controls_of(factory) or generic(1)).two_player
        if not two_player:
            return refuse(f"--versus: expected an env with a two-player mode (tictactoe, connect4), found {name!r} "
                          "without one. Fix: drop --versus to watch the policy play.")
        config.update(two_player)
    env = factory(num_envs=1, **config) if takes_num_envs(factory) else factory(**config)
    try:
        n = getattr(env.single_action_space, "n", None)  # Discrete spaces, envsdk's and Gymnasium's
        if n is None:
            return refuse(f"{name}: expected a Discrete action space, found {env.single_action_space!r}. Fix: play "
                          "an env whose actions are numbered.")
        n = int(n)
        controls = controls_of(factory) or generic(n)
        rows = env.num_agents
        # The playable config as key=value pairs the command line reads back (JSON values: device=null).
        pairs = " ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in controls.config.items())
        if getattr(env.buffers, "device", None) is not None:
            return refuse(f"{name}: expected numpy buffers (play reads host arrays), found torch tensors on "
                          f"{env.buffers.device}. Fix: add device=null, e.g. envsdk play {name} "
                          f"{pairs or 'device=null'}.")
        if rows not in (1, 2):
            fix = f"add {pairs}, e.g. envsdk play {name} {pairs}" if pairs else "play an env with one agent per sub-env"
            return refuse(f"{name}: expected 1 agent row per sub-env (or 2, a board game's two-player mode), found "
                          f"{rows}. Fix: {fix}.")
        size = int(np.prod(env.single_observation_space.shape))
        if policy is not None and (policy.observation_size, policy.num_actions) != (size, n):
            return refuse(f"--checkpoint: expected a policy for observations of {size} entries and {n} actions, "
                          f"found one for {policy.observation_size} and {policy.num_actions}. Fix: play it with the "
                          f"config it was trained with ({policy.config}).")
        if versus:
            players, by_policy = ["you", "the policy"], [False, True]
        elif rows == 2 and policy is not None:
            players, by_policy = ["the policy (player 1)", "the policy (player 2)"], [True, True]
        elif rows == 2:
            players, by_policy = ["player 1", "player 2"], [False, False]
        else:
            players, by_policy = ["the policy" if policy else "you"], [policy is not None]
        with Terminal(stdin, stdout, controls.single_key and not all(by_policy)) as term:
            _introduce(term, name, controls, players, by_policy, n)
            watching = all(by_policy) and _isatty(stdout)
            return _episodes(env, controls, policy, players, by_policy, term, n, episodes, seed,
                             controls.pace if watching else 0.0)
    finally:
        env.close()


def _introduce(term: Terminal, name: str, controls: Controls, players: list[str], by_policy: list[bool],
               n: int) -> None:
    """Who plays which side, and how a person enters a move."""
    term.say(f"envsdk play {name}")
    for row, player in enumerate(players):
        if row < len(controls.sides):
            term.say(f"{player}: {controls.sides[row]}")
    if len(controls.sides) > len(players):
        term.say(f"the built-in opponent: {controls.sides[len(players)]}")
    if not all(by_policy):
        if term.single_key:
            how = "; no Enter needed"
        elif controls.single_key:
            how = "; one per line: a key, a key name (left, space, enter) or an action number"
        else:
            how = ""
        term.say(f"to move: {controls.legend}{how}. Ctrl-C quits.")


def _episodes(env, controls: Controls, policy, players: list[str], by_policy: list[bool], term: Terminal, n: int,
              episodes: int, seed: int | None, pace: float) -> int:
    """Play ``episodes`` episodes from ``reset(seed)``; 0 when done or when the input ends."""
    rows = len(players)
    observations, _ = env.reset(seed=seed)
    picture = _picture(env)
    term.say(f"\nepisode 1\n{picture}")
    episode, steps, total = 1, 0, 0.0
    while True:
        before = np.array(observations, copy=True)
        actions = np.zeros(env.buffers.actions.shape, env.buffers.actions.dtype)
        to_move = movers(controls, before, rows)
        chosen = policy.act(before) if any(by_policy[r] for r in to_move) else None
        illegal = []
        for row in to_move:
            if by_policy[row]:
                action = int(chosen[row])
                term.say(f"{players[row]} plays {controls.actions[action]}")
            else:
                action = _ask(term, controls, players[row], before[row], n)
                if action is None:
                    term.say("end of input")
                    return 0
            actions[row] = action
            if not is_legal(controls, before[row], action):
                illegal.append((row, action))
        observations, rewards, terminals, truncations, _ = env.step(actions)
        steps, total = steps + 1, total + float(rewards[0])
        if not (terminals[0] or truncations[0]):
            for row, action in illegal:  # the game goes on (e.g. tripletriad's penalty)
                term.say(f"{players[row]} made an illegal move ({controls.actions[action]}): {controls.illegal}")
            picture = _picture(env)
            term.say(picture)
            time.sleep(pace)
            continue
        final = controls.final(before, actions, rewards, "ansi") if controls.final else None
        if final is not None:
            term.say(f"final position:\n{final}")
        else:  # the env restarted inside step: the last position before the final step is what is left
            term.say(f"last position before the end:\n{picture}")
        result = outcome(controls, players, rewards, bool(terminals[0]), illegal, total)
        term.say(f"episode {episode} over: {result} ({steps} step{'' if steps == 1 else 's'})")
        time.sleep(4 * pace)
        if episode == episodes:
            return 0
        episode, steps, total = episode + 1, 0, 0.0
        picture = _picture(env)
        term.say(f"\nepisode {episode}\n{picture}")


def _picture(env) -> str:
    """The env's text picture, ``render("ansi")``; its observation rows when it draws no text."""
    render = getattr(env, "render", None)
    try:
        picture = render("ansi") if callable(render) else None
    except Exception:  # a render without an "ansi" mode: each env raises its own kind of error
        picture = None
    if isinstance(picture, str):
        return picture
    return "observations: " + np.array2string(np.asarray(env.buffers.observations), precision=3)


def _action(controls: Controls, token: str, n: int) -> int | None:
    """The action a typed key, key name or action number stands for; None if none."""
    key = token if token in KEY_NAMES else token.lower()
    if key in controls.keys:
        return controls.keys[key]
    try:
        action = int(token)
    except ValueError:
        return None
    return action if 0 <= action < n else None


def _ask(term: Terminal, controls: Controls, player: str, observation: np.ndarray, n: int) -> int | None:
    """A person's move, asked until valid; an illegal one is warned about once and played if entered again."""
    hint = f"an action number 0..{n - 1}"
    if controls.keys:
        hint = f"a key ({', '.join(sorted(controls.keys))}) or {hint}"
    term.say(f"{player} to move:")
    warned = None
    while True:
        token = term.read()
        if token is None:
            return None
        action = _action(controls, token, n)
        if action is None:
            term.say(f"expected {hint}, found {token!r}; try again")
        elif is_legal(controls, observation, action) or action == warned:
            return action
        else:
            term.say(f"{controls.actions[action]} is not a legal move now: {controls.illegal}. Enter it again to "
                     "play it anyway, or choose another move.")
            warned = action
