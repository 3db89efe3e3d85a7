"""snake: multi-agent Snake (C sim in csrc/snake.h). Many snakes share one grid per sub-env."""

from __future__ import annotations

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_float, check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.errors import ConfigError, StateError
from envsdk.render import colour

UP, DOWN, LEFT, RIGHT = range(4)
# Observation cell codes (see the Snake docstring).
EMPTY, FOOD, WALL, OWN_BODY, OWN_HEAD, OTHER_BODY, OTHER_HEAD = range(7)
MAX_SNAKES = 65535  # SNAKE_MAX_SNAKES in the header: owners are uint16

_BACKGROUND = np.array([6, 24, 24], np.uint8)
_FOOD = np.array([255, 60, 60], np.uint8)
_WALL = np.array([110, 110, 110], np.uint8)
# Snake colours by owner (cycling); bodies are drawn at 60% brightness, heads at full.
_SNAKES = np.array([[0, 255, 255], [255, 220, 0], [80, 255, 80], [255, 120, 255], [80, 140, 255], [255, 160, 60]],
                   np.uint8)
_SNAKE_CODES = (51, 220, 83, 213, 69, 215)  # the same colours as ANSI 256-colour codes


class Snake:
    """``num_envs`` grids of ``width x height`` cells, each shared by ``snakes`` snakes and ``food`` food.

    These are the rules; ``csrc/snake.h`` implements them (its comments say only how).

    Multi-agent: every snake is an agent row, ``num_agents = num_envs * snakes``; snake ``k`` of
    sub-env ``e`` is row ``e * snakes + k``, so each sub-env's rows ``[e * snakes, (e + 1) *
    snakes)`` are contiguous.

    Observation ``[2*view+1, 2*view+1]`` int8 per snake: the square crop of the grid centred on
    its head (row 0 at the top, column 0 at the left; the head is the centre cell). Codes:
    0 empty, 1 food, 2 wall (every cell outside the ``width x height`` grid), 3 own body, 4 own
    head (always the centre), 5 another snake's body, 6 another snake's head.

    Action ``Discrete(4)``: 0 up, 1 down, 2 left, 3 right. A snake longer than 1 told to reverse
    into its own neck keeps going straight instead; values outside 0..3 also keep it going
    straight (its current heading). A snake of length 1 may turn any way.

    One step, in each sub-env:

    - The snakes move one after the other in row order (snake 0 first), each seeing the grid as
      the ones before it left it.
    - A snake dies when its head would enter a wall (the grid's edge) or any cell holding a snake
      segment at that moment, its own tail included (the tail moves after the head).
    - Entering food: reward ``reward_food`` (default +1), the snake grows by one (its tail stays
      put) and the food is gone. Every other move gives reward 0.
    - Death: reward ``reward_death`` (default -1), the row is terminal, its body is removed, and it
      respawns at once (before the next snake moves) with length 1 and a random heading at a
      random empty cell (one always exists: its body was just removed); the row's observation is
      the new snake's first one. So every row is live every step and ``masks`` stay True. Each
      snake's life is one episode.
    - After every snake has moved, eaten food is replaced at random empty cells (while there are
      any), then every snake's observation is written.
    - The sub-env is truncated after ``max_steps`` steps: every snake in it that did not die that
      step is truncated (never both flags on one row), and the whole sub-env restarts (fresh
      grid, snakes and food).

    A new sub-env places its snakes (length 1, random heading) and its food at random empty
    cells; all randomness comes from the sub-env's RNG. Infos, per finished life:
    episode_return, episode_length (steps lived), score (food eaten), length (length at death or
    truncation, = 1 + score), episode_count.

    Config: ``width``, ``height`` (1..4096), ``snakes`` (per sub-env, at most 65535),
    ``food`` (``snakes + food <= width * height``), ``view`` (the crop radius, 1..32),
    ``max_steps``, ``reward_food``, ``reward_death``. Defaults match PufferLib 3.0's Snake per
    sub-env (640 x 360 grid, 256 snakes, 4096 food, vision 5); PufferLib's walls take ``vision``
    cells of its grid, ours lie outside it.

    Final observation of a life (in ``final_observations``, when the buffers have it): for a
    snake that dies, its crop around the head it died with, its body still there and the grid as
    the snakes before it in row order left it; for a snake cut by the time limit, its crop after
    the eaten food is replaced, as a step that goes on writes it (with the RNG draws such a step
    makes, taken from a copy of the RNG state: the stream is the same with final observations or
    without).

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(
        self, *, num_envs: int = 1, width: int = 640, height: int = 360, snakes: int = 256, food: int = 4096,
        view: int = 5, max_steps: int = 10_000, reward_food: float = 1.0, reward_death: float = -1.0,
        report_every: int = 16, buffers=None, **unknown,
    ):
        reject_unknown(Snake, unknown)
        name = "Snake"
        num_envs = check_int(name, "num_envs", num_envs, 1, 2**31 - 1)
        width = check_int(name, "width", width, 1, 4096)
        height = check_int(name, "height", height, 1, 4096)
        snakes = check_int(name, "snakes", snakes, 1, min(MAX_SNAKES, width * height))
        food = check_int(name, "food", food, 0, width * height - snakes)  # every snake and food fits
        view = check_int(name, "view", view, 1, 32)
        max_steps = check_int(name, "max_steps", max_steps, 1, 2**31 - 1)
        reward_food = check_float(name, "reward_food", reward_food, -1e6, 1e6)
        reward_death = check_float(name, "reward_death", reward_death, -1e6, 1e6)
        if num_envs * snakes > 2**31 - 1:
            raise ConfigError(
                f"{name}: expected num_envs * snakes <= {2**31 - 1} agent rows, found {num_envs} * {snakes}. "
                "Fix: fewer sub-envs or fewer snakes per sub-env."
            )
        self.num_envs, self.width, self.height, self.snakes, self.view = num_envs, width, height, snakes, view
        side = 2 * view + 1
        self.single_observation_space = spaces.Box(0, OTHER_HEAD, shape=(side, side), dtype=np.int8)
        self.single_action_space = spaces.Discrete(4)
        self.num_agents = num_envs * snakes
        self._sim = CSim(
            _sims, "snake", self, buffers, num_envs=num_envs, width=width, height=height, snakes=snakes, food=food,
            view=view, max_steps=max_steps, reward_food=reward_food, reward_death=reward_death,
            report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def grid(self, index: int = 0) -> np.ndarray:
        """Sub-env ``index``'s cells with a one-cell wall frame, ``[height+2, width+2]`` int32 (a copy of
        the C state): 0 empty, 1 food, 2 wall, else ``8 * (owner + 1) + 4 * is_head + direction``."""
        if self._sim.closed:
            raise StateError("Snake.grid: expected an open env, found it closed. Fix: build a new env.")
        if not 0 <= index < self.num_envs:
            raise IndexError(f"Snake.grid: expected index in [0, {self.num_envs - 1}], found {index}")
        ffi, c, cells, v = self._sim.ffi, self._sim.c, self._sim.c.cells, self.view
        shape = (self.height + 2 * v, self.width + 2 * v)
        window = (slice(v - 1, v + self.height + 1), slice(v - 1, v + self.width + 1))
        grid = np.frombuffer(ffi.buffer(c.grid + index * cells, cells), np.uint8).reshape(shape)[window]
        owner = np.frombuffer(ffi.buffer(c.owner + index * cells, cells * 2), np.uint16).reshape(shape)[window]
        grid = grid.astype(np.int32)
        return np.where(grid >= 8, grid + 8 * owner.astype(np.int32), grid)

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` with a wall frame, as RGB ``[(height+2)*s, (width+2)*s, 3]`` uint8 (``s`` 2..8
        pixels per cell) or, with ``mode="ansi"``, text: ``#`` wall, ``*`` food, ``@`` head, ``o`` body."""
        g = self.grid(index)
        owner, head = (g >> 3) - 1, (g >> 2) & 1
        if mode == "ansi":
            glyphs = {EMPTY: " ", FOOD: colour("*", 203), WALL: "#"}
            rows = []
            for grow, orow, hrow in zip(g, owner, head, strict=True):
                rows.append("".join(
                    glyphs[v] if v < 8 else colour("@" if h else "o", _SNAKE_CODES[o % len(_SNAKE_CODES)])
                    for v, o, h in zip(grow.tolist(), orow.tolist(), hrow.tolist(), strict=True)
                ))
            return "\n".join(rows)
        frame = np.empty((*g.shape, 3), np.uint8)
        frame[...] = _BACKGROUND
        frame[g == FOOD] = _FOOD
        frame[g == WALL] = _WALL
        seg = g >= 8
        colours = _SNAKES[owner[seg] % len(_SNAKES)].astype(np.float32)
        colours *= np.where(head[seg] == 1, 1.0, 0.6)[:, None]
        frame[seg] = colours.astype(np.uint8)
        scale = max(2, min(8, 512 // max(g.shape)))
        return np.repeat(np.repeat(frame, scale, axis=0), scale, axis=1)


CONTROLS = Controls(
    legend="press w a s d or the arrow keys to turn up, left, down or right",
    actions=("up", "down", "left", "right"),
    keys={"w": UP, "up": UP, "s": DOWN, "down": DOWN, "a": LEFT, "left": LEFT, "d": RIGHT, "right": RIGHT},
    sides=("the snake (@ its head, o its body): eat the food *, avoid the walls # and yourself",),
    single_key=True, idle=None, pace=0.1, config={"snakes": 1, "width": 24, "height": 12, "food": 4},
)
"""How a person plays snake (``envsdk play``); see ``envsdk.controls.Controls``."""
