"""pong: Pong from state (C sim in csrc/pong.h). The agent's right paddle plays a scripted left one."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_float, check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.render import colour, grid_to_ansi

_BACKGROUND = np.array([20, 20, 28], np.uint8)
_OPPONENT = np.array([255, 90, 90], np.uint8)
_AGENT = np.array([80, 200, 255], np.uint8)
_BALL = np.array([240, 240, 240], np.uint8)
_GLYPHS = {0: " ", 1: colour("█", 203), 2: colour("█", 45), 3: colour("●", 255)}


class Pong:
    """``num_envs`` Pong games; the agent moves the right paddle against a scripted left paddle.

    These are the rules; ``csrc/pong.h`` implements them (its comments say only how).

    Field: ``width x height`` field units (1 unit = 1 pixel of ``render``), x growing rightwards,
    y growing downwards (0 is the top wall); speeds are units per frame. Paddles are
    ``paddle_width x paddle_height`` rectangles flush with the side edges: the opponent's covers
    x in ``[0, paddle_width]``, the agent's x in ``[width - paddle_width, width]``. The ball is a
    ``ball_size`` square. Every position (paddle y, ball x and y) is a centre.

    Observation ``[8]`` float32, every entry in [-1, 1]: agent paddle y / height, opponent paddle
    y / height, ball x / width, ball y / height, ball vx / ball_speed_x (+-1), ball vy /
    ball_max_speed_y, agent score / max_score, opponent score / max_score.

    Action ``Discrete(3)``: 0 noop, 1 up (y decreases), 2 down (y increases); values outside
    0..2 mean noop. Each step repeats the action for ``frameskip`` frames; a point ends the step
    early (its remaining frames are skipped). One frame, in this order:

    1. The agent paddle moves ``paddle_speed`` in the action's direction (after k frames of a step
       it is at ``y0 + k * dy``, clamped inside the field); the opponent moves towards the ball's
       y (clamped inside the field) by at most ``opponent_speed``.
    2. The ball moves by (vx, vy).
    3. Top and bottom walls: a ball whose edge passed a wall is mirrored back about it, vy = -vy.
    4. A ball whose centre reached a paddle's face line (``x >= width - paddle_width - r`` moving
       right, ``x <= paddle_width + r`` moving left, ``r = ball_size / 2``) is returned if its
       centre is within ``paddle_height / 2 + r`` of the paddle's centre: x is mirrored about the
       face, vx = -vx, and ``vy = offset * ball_max_speed_y / (paddle_height / 2 + r)`` (offset:
       ball y - paddle y; that factor rounded down to a float), so the angle depends on where it
       hit. Otherwise the
       other side scores at once.

    Reward +1 when the agent scores, -1 when the opponent scores, 0 otherwise. After a point the
    ball is served from the centre with vx = +-``ball_speed_x`` and vy uniform in
    ``[-serve_speed_y, serve_speed_y)``, both from the sub-env's RNG; the paddles stay where they
    are. A new episode starts with both paddles centred, scores 0 and a serve. Terminal when
    either side reaches ``max_score`` (default 21, as in Atari Pong); truncated after
    ``max_steps`` steps (never both). With the defaults the opponent (``opponent_speed`` 2) is
    slower than the ball can move, so it can be beaten. Infos: episode_return, episode_length,
    score (the agent's points), win (1 if the agent reached ``max_score``; 0 on truncation),
    episode_count.

    Config checks keep one frame from carrying the ball past both faces or through a wall and
    back: ``ball_speed_x <= (width - 2 * paddle_width - ball_size) / 2`` and
    ``ball_max_speed_y <= (height - ball_size) / 2``; ``serve_speed_y <= ball_max_speed_y``.

    Final observation (in ``final_observations``, when the buffers have it): what the step writes
    when play goes on: the paddles where they are and the scores with the step's point; after a
    point, the ball served from the centre with the draw the next episode's first serve uses (so
    the RNG's stream, and every output, is the same with final observations or without).

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(
        self, *, num_envs: int = 1, width: float = 160.0, height: float = 128.0, paddle_width: float = 4.0,
        paddle_height: float = 20.0, paddle_speed: float = 4.0, opponent_speed: float = 2.0, ball_size: float = 4.0,
        ball_speed_x: float = 3.0, ball_max_speed_y: float = 3.0, serve_speed_y: float = 1.5, frameskip: int = 4,
        max_score: int = 21, max_steps: int = 10_000, report_every: int = 16, buffers=None, **unknown,
    ):
        reject_unknown(Pong, unknown)
        num_envs = check_int("Pong", "num_envs", num_envs, 1, 2**31 - 1)
        width = check_float("Pong", "width", width, 16.0, 4096.0)
        height = check_float("Pong", "height", height, 16.0, 4096.0)
        paddle_width = check_float("Pong", "paddle_width", paddle_width, 0.0, width / 4)
        paddle_height = check_float("Pong", "paddle_height", paddle_height, 1.0, height)
        ball_size = check_float("Pong", "ball_size", ball_size, 0.0, min(height, width) / 4)
        paddle_speed = check_float("Pong", "paddle_speed", paddle_speed, 0.0, height)
        opponent_speed = check_float("Pong", "opponent_speed", opponent_speed, 0.0, height)
        # One frame must never carry the ball past both faces, or through a wall and back.
        span_x, span_y = width - 2 * paddle_width - ball_size, height - ball_size
        ball_speed_x = check_float("Pong", "ball_speed_x", ball_speed_x, 0.01, span_x / 2)
        ball_max_speed_y = check_float("Pong", "ball_max_speed_y", ball_max_speed_y, 0.0, span_y / 2)
        serve_speed_y = check_float("Pong", "serve_speed_y", serve_speed_y, 0.0, ball_max_speed_y)
        frameskip = check_int("Pong", "frameskip", frameskip, 1, 64)
        max_score = check_int("Pong", "max_score", max_score, 1, 10_000)
        max_steps = check_int("Pong", "max_steps", max_steps, 1, 2**31 - 1)
        self.width, self.height = width, height
        self.paddle_width, self.paddle_height, self.ball_size = paddle_width, paddle_height, ball_size
        self.max_score = max_score
        self.single_observation_space = spaces.Box(-1.0, 1.0, shape=(8,), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.num_envs = self.num_agents = num_envs
        self._sim = CSim(
            _sims, "pong", self, buffers, num_envs=num_envs, width=width, height=height, paddle_width=paddle_width,
            paddle_height=paddle_height, paddle_speed=paddle_speed, opponent_speed=opponent_speed,
            ball_size=ball_size, ball_speed_x=ball_speed_x, ball_max_speed_y=ball_max_speed_y,
            serve_speed_y=serve_speed_y, frameskip=frameskip, max_score=max_score, max_steps=max_steps,
            report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def _layout(self, index: int, sx: float, sy: float, rows: int, cols: int) -> np.ndarray:
        """Sub-env ``index`` as a ``[rows, cols]`` int grid (0 empty, 1 opponent, 2 agent, 3 ball).

        ``sx``/``sy`` are cells per field unit; every object covers at least one cell.
        """
        c = self._sim.c
        grid = np.zeros((rows, cols), np.uint8)

        def box(x0: float, x1: float, y0: float, y1: float, value: int) -> None:
            c0 = min(max(int(x0 * sx), 0), cols - 1)
            r0 = min(max(int(y0 * sy), 0), rows - 1)
            grid[r0:max(int(np.ceil(y1 * sy)), r0 + 1), c0:max(int(np.ceil(x1 * sx)), c0 + 1)] = value

        hp, r, pw = self.paddle_height / 2, self.ball_size / 2, self.paddle_width
        oy, ay = c.opponent_y[index], c.agent_y[index]
        box(0.0, pw, oy - hp, oy + hp, 1)
        box(self.width - pw, self.width, ay - hp, ay + hp, 2)
        bx, by = c.ball_x[index], c.ball_y[index]
        box(bx - r, bx + r, by - r, by + r, 3)
        return grid

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index``: an RGB frame ``[ceil(height), ceil(width), 3]`` uint8, one pixel per
        field unit (``"rgb_array"``), or a 64x24 text picture under a score line (``"ansi"``)."""
        if mode == "ansi":
            cols, rows = 64, 24
            grid = self._layout(index, cols / self.width, rows / self.height, rows, cols)
            c = self._sim.c
            score = f"opponent {c.opponent_score[index]} : {c.agent_score[index]} agent (first to {self.max_score})"
            border = "+" + "-" * cols + "+"
            body = grid_to_ansi(grid, _GLYPHS).split("\n")
            return "\n".join([score, border, *("|" + line + "|" for line in body), border])
        rows, cols = int(np.ceil(self.height)), int(np.ceil(self.width))
        grid = self._layout(index, 1.0, 1.0, rows, cols)
        return np.stack([_BACKGROUND, _OPPONENT, _AGENT, _BALL])[grid]


CONTROLS = Controls(
    legend="press w or ↑ to move up, s or ↓ to move down, space or Enter to stay",
    actions=("stay", "up", "down"),
    keys={"w": 1, "up": 1, "s": 2, "down": 2, "space": 0, "enter": 0},
    sides=("the right paddle (blue)", "the left paddle (red)"),
    single_key=True, outcomes=True, pace=0.05,
)
"""How a person plays pong (``envsdk play``); see ``envsdk.controls.Controls``."""
