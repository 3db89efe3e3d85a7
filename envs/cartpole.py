"""cartpole: Gymnasium's CartPole-v1 dynamics (C sim in csrc/cartpole.h). Balance a pole on a cart."""

from __future__ import annotations

import math

import numpy as np

from envsdk import _sims, spaces
from envsdk.config import check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.csim import CSim
from envsdk.render import colour

X_THRESHOLD = 2.4                           # m: |x| beyond this is terminal
THETA_THRESHOLD = 12 * 2 * math.pi / 360    # rad: |theta| beyond this is terminal
POLE_LENGTH = 1.0                           # m: the full pole (the sim's `length` is half of it)

# Frame geometry for render("rgb_array"): the width spans the track, [-X_THRESHOLD, X_THRESHOLD].
_W, _H = 240, 120                           # pixels
_SCALE = _W / (2 * X_THRESHOLD)             # pixels per metre
_TRACK_Y = 90                               # pixel row of the track
_SKY, _TRACK, _CART, _POLE = (20, 20, 28), (120, 120, 140), (80, 200, 255), (255, 90, 90)


class CartPole:
    """``num_envs`` cart-poles with Gymnasium's CartPole-v1 dynamics (constants, Euler order, float64 state).

    These are the rules; ``csrc/cartpole.h`` implements them (its comments say only how).

    A pole is hinged on a cart that moves along a frictionless track. Dynamics: CartPole-v1's
    equations and constants (gravity 9.8 m/s^2, cart 1.0 kg, pole 0.1 kg, pole half-length
    0.5 m, force 10 N, 0.02 s per step, explicit Euler), in the same order of floating-point
    operations, the state in float64 as Gymnasium's numpy. Not bit-exact: sin/cos are an inlined
    polynomial within 1 ulp of the C library's, so a long episode drifts from Gymnasium's from
    the same start and actions (csrc/cartpole.h has figures).

    Observation ``[4]`` float32: cart position x (m), cart velocity (m/s), pole angle theta (rad,
    from upright, positive leaning right), pole angular velocity (rad/s); bounds as Gymnasium's
    ``[4.8, inf, 24 deg, inf]``. Action ``Discrete(2)``: 1 pushes the cart right with 10 N, 0
    pushes it left; any other value is treated as 0 (push left), as Gymnasium's ``force_mag if
    action == 1 else -force_mag`` does, never used as an index. Reward 1.0 on every step, the
    terminal one included. Terminal when ``|x| > 2.4`` or ``|theta| > 12 deg`` after the step;
    truncated when an episode reaches ``max_steps`` steps (default 500, CartPole-v1's) without
    falling (a fall on that very step is terminal only: never both). Each episode starts with all
    four state values uniform in [-0.05, 0.05). Infos: episode_return, episode_length,
    episode_count.

    Final observation (in ``final_observations``, when the buffers have it): the state the
    ending step reached, past the track's end or the angle limit for a terminal, the state that
    was cut for a truncation.

    ``report_every=n`` (default 16): infos on every n-th step since reset (``envsdk.csim.CSim``).
    """

    def __init__(self, *, num_envs: int = 1, max_steps: int = 500, report_every: int = 16, buffers=None, **unknown):
        reject_unknown(CartPole, unknown)
        num_envs = check_int("CartPole", "num_envs", num_envs, 1, 2**31 - 1)
        self.max_steps = check_int("CartPole", "max_steps", max_steps, 1, 2**31 - 1)
        high = np.array([2 * X_THRESHOLD, np.inf, 2 * THETA_THRESHOLD, np.inf], np.float32)
        self.single_observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.num_envs = self.num_agents = num_envs
        self._sim = CSim(
            _sims, "cartpole", self, buffers, num_envs=num_envs, max_steps=self.max_steps, report_every=report_every,
        )
        self.buffers = self._sim.buffers
        # The protocol's reset, step and close are the C sim's own (envsdk.csim.CSim), bound here.
        self.reset, self.step, self.close = self._sim.reset, self._sim.step, self._sim.close

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` as an RGB frame ``[120, 240, 3]`` uint8 (``"rgb_array"``) or text (``"ansi"``).

        Drawn from the observation row (x, theta), so it shows what the agent sees.
        """
        x, _, theta, _ = (float(v) for v in self.buffers.observations[index])
        return self._ansi(x, theta) if mode == "ansi" else self._rgb(x, theta)

    @staticmethod
    def _rgb(x: float, theta: float) -> np.ndarray:
        frame = np.empty((_H, _W, 3), np.uint8)
        frame[...] = _SKY
        frame[_TRACK_Y, :] = _TRACK
        cx = _W / 2 + x * _SCALE
        cart_l, cart_r = round(cx - 12), round(cx + 12)
        frame[_TRACK_Y - 10:_TRACK_Y, max(cart_l, 0):max(min(cart_r, _W), 0)] = _CART
        # The pole: 3-pixel-wide samples along the segment from the hinge (top of the cart).
        t = np.linspace(0.0, POLE_LENGTH * _SCALE, 64)
        px = np.round(cx + t * math.sin(theta)).astype(int)
        py = np.round(_TRACK_Y - 10 - t * math.cos(theta)).astype(int)
        for dx in (-1, 0, 1):
            ok = (px + dx >= 0) & (px + dx < _W) & (py >= 0) & (py < _H)
            frame[py[ok], px[ok] + dx] = _POLE
        return frame

    @staticmethod
    def _ansi(x: float, theta: float) -> str:
        # 49 columns span [-2.4, 2.4] m; the pole glyph leans with theta (|theta| < 4 deg: upright).
        cols = 49
        col = min(max(round((x + X_THRESHOLD) / (2 * X_THRESHOLD) * (cols - 1)), 0), cols - 1)
        glyph = "|" if abs(theta) < math.radians(4) else ("/" if theta > 0 else "\\")
        pole = " " * col + colour(glyph, 203)
        track = "=" * col + colour("#", 45) + "=" * (cols - 1 - col)
        return f"{pole}\n{track}\nx={x:+.3f} m  theta={math.degrees(theta):+.2f} deg"


CONTROLS = Controls(
    legend="press a or ← to push the cart left, d or → to push it right",
    actions=("push left", "push right"),
    keys={"a": 0, "left": 0, "d": 1, "right": 1},
    sides=("the cart (#): keep its pole upright",),
    single_key=True, idle=None, pace=0.05,
)
"""How a person plays cartpole (``envsdk play``); see ``envsdk.controls.Controls``."""
