"""breakout: Breakout from state (C sim in csrc/breakout.h). A paddle, a ball, a brick grid."""

from __future__ import annotations

import functools

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_float, check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.errors import ConfigError
from envsdk.render import colour

OBS_HEAD = 7  # observation entries before the brick entries (BREAKOUT_OBS_HEAD in the header)
NOOP, FIRE, LEFT, RIGHT = range(4)

_BACKGROUND = np.array([6, 24, 24], np.uint8)
_PADDLE = np.array([0, 255, 255], np.uint8)
_BALL = np.array([255, 255, 255], np.uint8)
# Brick colours by row from the top, cycling: red, orange, yellow, green, sky blue, blue.
_BRICKS = np.array([[230, 41, 55], [255, 161, 0], [253, 249, 0], [0, 228, 48], [102, 191, 255], [0, 121, 241]],
                   np.uint8)
_BRICK_CODES = (196, 208, 226, 46, 117, 27)  # the same colours as ANSI 256-colour codes


@functools.lru_cache(maxsize=8)
def _background(height: int, width: int) -> np.ndarray:
    """An empty field's frame ``[height, width, 3]`` (read-only: copy it), filled once per size."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[...] = _BACKGROUND
    frame.flags.writeable = False
    return frame


class Breakout:
    """``num_envs`` games of Breakout, simulated from state (not pixels) in one C loop.

    These are the rules; ``csrc/breakout.h`` implements them (its comments say only how).

    Field: ``width x height`` pixels (floats), x to the right, y down, (0, 0) the top-left
    corner; walls left, top and right, the bottom open. A ``brick_rows x brick_cols`` grid of
    ``brick_width x brick_height`` bricks has its top at y ``brick_top`` and is centred
    horizontally (its left edge at ``(width - brick_cols * brick_width) / 2``); brick index
    ``row * brick_cols + col``, row 0 at the top. The paddle (``paddle_width x paddle_height``)
    has its top at ``height - 2 * paddle_height`` (one paddle height of floor below it); the ball
    is an axis-aligned ``ball_size`` square. Speeds are in pixels per frame.

    Observation ``[7 + brick_rows * brick_cols]`` float32:

    - 0: paddle centre x / width; 1: ball centre x / width; 2: ball centre y / height;
    - 3, 4: ball vx, vy / ball_speed_max (vy < 0 is up; both 0 while the ball is not in play);
    - 5: 1 if the ball is in play, else 0; 6: lives left / lives;
    - 7 on: one entry per brick, by brick index: 1 present, 0 broken.

    Action ``Discrete(4)``: 0 noop, 1 fire (serves the ball when it is not in play, else noop),
    2 left, 3 right; values outside 0..3 mean noop. Each step repeats the action for
    ``frameskip`` frames; the frames left in a step whose episode ended are skipped.

    One frame:

    - The paddle moves ``paddle_speed`` left or right, clamped to the field.
    - A ball not in play rides on the paddle's centre. Fire serves it upwards at speed
      ``ball_speed``, at an angle uniform within +-45 degrees of vertical (the sub-env's RNG).
    - The ball moves one axis at a time, x then y. Along each: if its leading edge entered a
      present brick, that brick breaks, the ball is placed flush against the face it hit and that
      velocity component is negated; else a wall it crossed does the same (no brick breaks). So at
      most two bricks break per frame, one per axis.
    - A ball moving down whose bottom edge crosses the paddle's top while overlapping it
      horizontally is placed on the paddle and bounces off at an angle from vertical proportional
      to where its centre hit (-60 degrees at the left end, +60 at the right), its speed raised by
      ``ball_speedup`` up to ``ball_speed_max``. The paddle has no side faces.
    - The ball is lost when its top passes the paddle's bottom: one life is lost and the ball
      rides the paddle again, its speed back to ``ball_speed``.

    Rewards per broken brick, by row like Atari: the bottom third of the rows 1, the middle third
    4, the top third 7 (row ``r`` of ``R`` rows: ``1 + 3 * ((R - 1 - r) * 3 // R)``). Terminal
    when no lives are left or every brick is broken (a win); otherwise truncated after
    ``max_steps`` steps (never both). Infos: episode_return, episode_length, score (bricks broken
    per episode), cleared (fraction of episodes that broke every brick), episode_count.

    Config: the sizes above, ``ball_speed`` (serve speed), ``ball_speed_max``, ``ball_speedup``,
    ``paddle_speed``, ``frameskip``, ``lives`` (balls per episode), ``max_steps``. The checks
    keep ``ball_speed_max`` and ``ball_size`` within ``min(brick_width, brick_height)``, so the
    ball cannot tunnel through a brick, ``paddle_width >= ball_size``, so the ball riding the
    paddle stays inside the walls, and the grid above the ball's serve position. Defaults match
    PufferLib's Breakout in size (6 x 18 bricks of 32 x 12 on 576 x 330, frameskip 4);
    ``max_steps`` 27000 is Atari's 108000 frames at frameskip 4.

    Final observation (in ``final_observations``, when the buffers have it): the row as the
    ending step left it: the bricks broken in it gone, the lives left (0 after the last ball) and,
    with the ball out of play, the ball on the paddle's centre.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(
        self, *, num_envs: int = 1, width: int = 576, height: int = 330, brick_rows: int = 6,
        brick_cols: int = 18, brick_width: int = 32, brick_height: int = 12, brick_top: int = 50,
        paddle_width: int = 62, paddle_height: int = 8, ball_size: int = 8, ball_speed: float = 4.0,
        ball_speed_max: float = 7.5, ball_speedup: float = 0.25, paddle_speed: float = 10.0,
        frameskip: int = 4, lives: int = 5, max_steps: int = 27000, report_every: int = 16, buffers=None, **unknown,
    ):
        reject_unknown(Breakout, unknown)
        name = "Breakout"
        num_envs = check_int(name, "num_envs", num_envs, 1, 2**31 - 1)
        width = check_int(name, "width", width, 8, 4096)
        height = check_int(name, "height", height, 8, 4096)
        brick_rows = check_int(name, "brick_rows", brick_rows, 1, 64)
        brick_cols = check_int(name, "brick_cols", brick_cols, 1, 256)
        brick_width = check_int(name, "brick_width", brick_width, 1, width // brick_cols)
        brick_height = check_int(name, "brick_height", brick_height, 1, height)
        paddle_height = check_int(name, "paddle_height", paddle_height, 1, height // 8)
        ball_size = check_int(name, "ball_size", ball_size, 1, min(brick_width, brick_height))
        # At least as wide as the ball, so the ball riding on it stays inside the walls.
        paddle_width = check_int(name, "paddle_width", paddle_width, ball_size, width)
        # The serve position (on the paddle) must lie below the grid.
        grid_room = height - 2 * paddle_height - ball_size - brick_rows * brick_height
        if grid_room < 0:
            raise ConfigError(
                f"{name}: expected brick_rows * brick_height + ball_size + 2 * paddle_height <= height, found "
                f"{brick_rows} * {brick_height} + {ball_size} + 2 * {paddle_height} > {height}. Fix: fewer or "
                "shorter bricks, or a taller field."
            )
        brick_top = check_int(name, "brick_top", brick_top, 0, grid_room)
        # One frame's move must enter at most one new brick row or column: no tunnelling.
        ball_speed_max = check_float(name, "ball_speed_max", ball_speed_max, 0.01, min(brick_width, brick_height))
        ball_speed = check_float(name, "ball_speed", ball_speed, 0.01, ball_speed_max)
        ball_speedup = check_float(name, "ball_speedup", ball_speedup, 0.0, ball_speed_max)
        paddle_speed = check_float(name, "paddle_speed", paddle_speed, 0.0, width)
        frameskip = check_int(name, "frameskip", frameskip, 1, 64)
        lives = check_int(name, "lives", lives, 1, 1000)
        max_steps = check_int(name, "max_steps", max_steps, 1, 2**31 - 1)
        self.width, self.height, self.ball_size = width, height, ball_size
        self.brick_rows, self.brick_cols, self.brick_width, self.brick_height = (
            brick_rows, brick_cols, brick_width, brick_height)
        self.brick_top, self.paddle_width, self.paddle_height = brick_top, paddle_width, paddle_height
        self.single_observation_space = spaces.Box(-1.0, 1.0, shape=(OBS_HEAD + brick_rows * brick_cols,),
                                                   dtype=np.float32)
        self.single_action_space = spaces.Discrete(4)
        self.num_envs = self.num_agents = num_envs
        self._sim = CSim(
            _sims, "breakout", self, buffers, num_envs=num_envs, width=width, height=height, brick_rows=brick_rows,
            brick_cols=brick_cols, brick_width=brick_width, brick_height=brick_height, brick_top=brick_top,
            paddle_width=paddle_width, paddle_height=paddle_height, ball_size=ball_size, ball_speed=ball_speed,
            ball_speed_max=ball_speed_max, ball_speedup=ball_speedup, paddle_speed=paddle_speed, frameskip=frameskip,
            lives=lives, max_steps=max_steps, report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def _layout(self, index: int):
        """Sub-env ``index``: brick grid [rows, cols] (1 present), paddle (x, y), ball (x, y), pixels."""
        c = self._sim.c
        bricks = self.buffers.observations[index, OBS_HEAD:].reshape(self.brick_rows, self.brick_cols) > 0.5
        paddle = (float(c.paddle_x[index]), float(self.height - 2 * self.paddle_height))
        ball = (float(c.ball_x[index]), float(c.ball_y[index]))
        return bricks, paddle, ball

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[height, width, 3]`` uint8 (``"rgb_array"``) or ANSI text."""
        if mode == "ansi":
            return self._render_ansi(index)
        bricks, (px, py), (bx, by) = self._layout(index)
        frame = _background(self.height, self.width).copy()
        left = (self.width - self.brick_cols * self.brick_width) // 2
        rows, cols, bw, bh = self.brick_rows, self.brick_cols, self.brick_width, self.brick_height
        # The brick band as [row, y in brick, column, x in brick, rgb] (a view): every brick at once,
        # with one pixel of background between bricks when they are big enough to spare it.
        band = frame[self.brick_top:self.brick_top + rows * bh, left:left + cols * bw].reshape(rows, bh, cols, bw, 3)
        colours = np.where(bricks[:, :, None], _BRICKS[np.arange(rows) % len(_BRICKS)][:, None, :], _BACKGROUND)
        band[:, :bh - (bh > 2), :, :bw - (bw > 2)] = colours[:, None, :, None, :]
        px, py = round(px), round(py)
        frame[py:py + self.paddle_height, px:px + self.paddle_width] = _PADDLE
        bx, by = round(bx), round(by)
        frame[max(by, 0):by + self.ball_size, max(bx, 0):bx + self.ball_size] = _BALL
        return frame

    def _render_ansi(self, index: int) -> str:
        """Text picture: one character per half brick wide and one brick high."""
        bricks, (px, py), (bx, by) = self._layout(index)
        cw, ch = max(self.brick_width // 2, 1), self.brick_height
        cols, rows = -(-self.width // cw), -(-self.height // ch)
        cells = [[" "] * cols for _ in range(rows)]
        left = (self.width - self.brick_cols * self.brick_width) / 2
        for r, c in np.argwhere(bricks):
            y, x0, x1 = self.brick_top + r * ch, left + c * self.brick_width, left + (c + 1) * self.brick_width
            glyph = colour("█", _BRICK_CODES[r % len(_BRICK_CODES)])
            for k in range(int(x0 // cw), min(int(-(-x1 // cw)), cols)):
                cells[min(int(y // ch), rows - 1)][k] = glyph
        paddle_row = min(int(py // ch), rows - 1)
        for k in range(int(px // cw), min(int(-(-(px + self.paddle_width) // cw)), cols)):
            cells[paddle_row][k] = colour("=", 51)
        cells[min(max(int((by + self.ball_size / 2) // ch), 0), rows - 1)][
            min(max(int((bx + self.ball_size / 2) // cw), 0), cols - 1)] = colour("o", 15)
        border = "+" + "-" * cols + "+"
        return "\n".join([border, *("|" + "".join(row) + "|" for row in cells)])


CONTROLS = Controls(
    legend="press a or ← to move left, d or → to move right, space or w to serve the ball, s or Enter to wait",
    actions=("wait", "serve", "left", "right"),
    keys={"a": LEFT, "left": LEFT, "d": RIGHT, "right": RIGHT, "space": FIRE, "w": FIRE, "up": FIRE, "s": NOOP,
          "down": NOOP, "enter": NOOP},
    sides=("the paddle (=) at the bottom; o is the ball",),
    single_key=True, pace=0.05,
)
"""How a person plays breakout (``envsdk play``); see ``envsdk.controls.Controls``."""
