"""cartpole_torch: the C cartpole's rules as torch tensor operations, on any torch device."""

from __future__ import annotations

import dataclasses

import numpy as np
from envsdk.envs.cartpole import CONTROLS as _CARTPOLE_CONTROLS
from envsdk.envs.cartpole import THETA_THRESHOLD, X_THRESHOLD, CartPole

from envsdk import spaces
from envsdk.config import check_int, reject_unknown
from envsdk.torchsim import (
    EpisodeLog,
    Streams,
    bind_buffers,
    checked_seed,
    not_before_reset,
    not_closed,
    step_actions,
    sync_free,
    torch,  # torch itself, or MissingExtraError naming the extra that installs it
    unit_float64,
)

# csrc/cartpole.h's constants, written as its expressions so each rounds to the same double.
GRAVITY = 9.8                          # m/s^2
MASSCART = 1.0                         # kg
MASSPOLE = 0.1                         # kg
TOTAL_MASS = MASSPOLE + MASSCART       # kg
LENGTH = 0.5                           # HALF the pole's length, m
POLEMASS_LENGTH = MASSPOLE * LENGTH    # kg m
FORCE_MAG = 10.0                       # N
TAU = 0.02                             # s per step
START_HALF_WIDTH = 0.05                # every start value is uniform in [-0.05, 0.05)
_SIN_POLY = (-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800)       # Taylor, from t^3 on
_COS_POLY = (1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600)    # Taylor, from t^4 on


class CartPoleTorch:
    """``num_envs`` cart-poles stepped together as torch tensor operations on ``device``.

    The rules, spaces, config keys and infos are those of ``envsdk.envs.cartpole.CartPole`` (read its
    docstring): CartPole-v1's dynamics in float64, observation ``[4]`` float32, ``Discrete(2)``
    (1 pushes right, any other value left), reward 1.0 every step, terminal past 2.4 m or 12 deg,
    truncated at ``max_steps`` (a fall on that step is terminal only), each start uniform in
    [-0.05, 0.05), ``final_observations`` when the buffers have them, and the episode log reported
    every ``report_every`` steps since reset (each report one host read of three numbers: the only
    device sync a step makes; the other steps make none).

    It computes what ``csrc/cartpole.h`` computes, operation for operation: the same float64
    expressions in the same order, the same inlined sin/cos polynomial for angles within 0.25 rad
    (torch's sin/cos beyond), and the same random start states: sub-env ``i`` of ``reset(seed=s)``
    draws from the SplitMix64 stream ``(s + i) % 2**64`` exactly as the C sim does
    (``envsdk.torchsim``). On the CPU the two agree bit for bit, start states included; a device
    whose float64 division or sin/cos rounds otherwise agrees within float32 rounding. Everything
    stays on the buffers' device: no host copies, no Python loop over sub-envs. On a GPU the step
    never reads a tensor on the host (every sub-env's next start is computed and ``torch.where``
    keeps the ended ones'); on the CPU only the ended sub-envs draw theirs (``torchsim.sync_free``),
    with the same bits.

    ``device``: where to allocate buffers when ``buffers`` is None (``"cpu"``, ``"cuda"``, a
    ``torch.device``, or None for numpy buffers on the host); buffers passed in bring their own
    device. ``device`` (the attribute) is the buffers' device: None for numpy buffers (``device=None``
    or a host backend's rows, e.g. ``Serial`` without ``device=``), which the env computes on
    through CPU tensor views of the same memory, for host tools (``envsdk play``, ``envsdk serve``).
    ``state`` (``[4, num_envs]`` float64: x, x_dot, theta, theta_dot) and ``tick`` (``[num_envs]``
    int32: steps taken in the episode) are the sim's state, readable and writable between steps (as
    the C struct's arrays are).
    """

    def __init__(self, *, num_envs: int = 1, max_steps: int = 500, report_every: int = 16, device="cpu",
                 buffers=None, **unknown):
        reject_unknown(CartPoleTorch, unknown)
        name = "CartPoleTorch"
        num_envs = check_int(name, "num_envs", num_envs, 1, 2**31 - 1)
        self.max_steps = check_int(name, "max_steps", max_steps, 1, 2**31 - 1)
        report_every = check_int(name, "report_every", report_every, 1, 2**31 - 1)
        high = np.array([2 * X_THRESHOLD, np.inf, 2 * THETA_THRESHOLD, np.inf], np.float32)
        self.single_observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.single_action_space = spaces.Discrete(2)
        self.num_envs = self.num_agents = num_envs
        # self._b: the buffers as tensors (the buffers themselves, or CPU views of numpy ones).
        self.buffers, self.device, self._b = bind_buffers(self, buffers, device, name)
        dev = self._b.observations.device
        self.state = torch.zeros(4, num_envs, dtype=torch.float64, device=dev)
        self.tick = torch.zeros(num_envs, dtype=torch.int32, device=dev)
        self._streams = Streams(num_envs, dev)
        self._log = EpisodeLog(("episode_return", "episode_length"), dev, report_every)
        # Divisors as device tensors, not Python numbers: CUDA divides by a host scalar as a
        # multiplication by its reciprocal, which rounds otherwise than the C sim's division.
        self._total_mass = torch.tensor(TOTAL_MASS, dtype=torch.float64, device=dev)
        self._sync_free = sync_free(dev)  # restarts by torch.where (GPU) or by index (CPU): the same bits
        b = self.buffers  # what reset and step return: the buffers, of their own kind
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)
        self._started = self._closed = False

    def reset(self, seed: int | None = None):
        """Start every sub-env (sub-env ``i`` seeded with ``(seed + i) % 2**64``); returns ``(observations, [])``."""
        not_closed(self._closed, "CartPoleTorch", "reset")
        self._streams.seed(checked_seed("CartPoleTorch", seed))
        self.state.copy_(self._starts())
        self._streams.advance(4)
        self.tick.zero_()
        b = self._b
        b.rewards.zero_()
        b.terminals.zero_()
        b.truncations.zero_()
        b.observations.copy_(self.state.T)
        self._log.clear()
        self._started = True
        return self._results[0], []

    def _starts(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """The next episode's start state of every sub-env (or of ``rows``), ``[4, num_envs or len(rows)]``,
        from its next four draws."""
        u = unit_float64(self._streams.draw(4, rows)).T
        return START_HALF_WIDTH * (2.0 * u - 1.0)

    def step(self, actions):
        """One step of every sub-env (the C cartpole's rules); returns the buffers and infos."""
        not_closed(self._closed, "CartPoleTorch", "step")
        not_before_reset(self._started, "CartPoleTorch")
        b = self._b
        a = step_actions(self.buffers, b, actions, "CartPoleTorch")
        x, x_dot, theta, theta_dot = self.state
        force = (a == 1).to(torch.float64) * (2 * FORCE_MAG) - FORCE_MAG  # N: exactly +10 or -10
        sintheta, costheta = _sincos(theta)
        # csrc/cartpole.h's equations, each product and quotient in its left-to-right order.
        temp = (force + POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / self._total_mass
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            LENGTH * (4.0 / 3.0 - MASSPOLE * (costheta * costheta) / self._total_mass))
        xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / self._total_mass
        # Explicit Euler: positions move with the old velocities.
        stepped = torch.stack([x + TAU * x_dot, x_dot + TAU * xacc, theta + TAU * theta_dot,
                               theta_dot + TAU * thetaacc])
        tick = self.tick + 1
        terminal = (stepped[0].abs() > X_THRESHOLD) | (stepped[2].abs() > THETA_THRESHOLD)
        truncated = ~terminal & (tick >= self.max_steps)  # a fall on the last step is terminal only
        done = terminal | truncated
        b.rewards.fill_(1.0)  # every step, the terminal one included
        b.terminals.copy_(terminal)
        b.truncations.copy_(truncated)
        self._log.add(done, (tick, tick))  # return = length: reward is 1 per step
        if b.final_observations is not None:  # the state each ended episode reached, rows that go on untouched
            b.final_observations.copy_(torch.where(done[:, None], stepped.T, b.final_observations))
        # Same-step autoreset: ended sub-envs take their next start, drawn from their own stream.
        if self._sync_free:
            self.state.copy_(torch.where(done, self._starts(), stepped))
            self._streams.advance(4, done)
        else:
            ended = done.nonzero().squeeze(1)
            stepped[:, ended] = self._starts(ended)
            self._streams.advance(4, rows=ended)
            self.state.copy_(stepped)
        self.tick.copy_(torch.where(done, 0, tick))
        b.observations.copy_(self.state.T)
        return (*self._results, self._log.report())

    def render(self, mode: str = "rgb_array", index: int = 0):
        """Sub-env ``index`` drawn as the C cartpole draws it (``CartPole.render``), from its observation row."""
        x, _, theta, _ = self.buffers.observations[index].tolist()
        return CartPole._ansi(x, theta) if mode == "ansi" else CartPole._rgb(x, theta)

    def close(self) -> None:
        """Mark the env closed (its tensors are freed with it); safe to call twice."""
        self._closed = True


def _sincos(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """sin and cos of ``t`` as csrc/cartpole.h's ``cartpole_sincos`` computes them: Taylor polynomials
    (Horner, the same operation order) for ``|t| <= 0.25``, the library's sin/cos beyond."""
    t2 = t * t
    ps = _horner(t2, _SIN_POLY)
    pc = _horner(t2, _COS_POLY)
    s = t + t * t2 * ps
    c = 1.0 - (0.5 * t2 - t2 * t2 * pc)
    far = t.abs() > 0.25
    return torch.where(far, torch.sin(t), s), torch.where(far, torch.cos(t), c)


def _horner(t2: torch.Tensor, coefficients: tuple[float, ...]) -> torch.Tensor:
    """``c0 + t2 * (c1 + t2 * (... + t2 * c4))``, innermost first, as the C expression groups it."""
    p = t2 * coefficients[-1]
    for c in reversed(coefficients[1:-1]):
        p = t2 * (c + p)
    return coefficients[0] + p


CONTROLS = dataclasses.replace(_CARTPOLE_CONTROLS, config={"device": None})
"""Played as cartpole is (``envsdk play``, ``envsdk serve``), on numpy buffers (``device=None``): the
front ends read host arrays."""
