"""drive_torch: many agents per sub-env steering to their goals in a shared 2-D world, as torch tensor ops."""

from __future__ import annotations

import math

import numpy as np

from envsdk import spaces
from envsdk.config import check_float, check_int, reject_unknown
from envsdk.controls import Controls
from envsdk.errors import ConfigError
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
    unit_float32,
)

RADIUS = 1.0          # m: an agent is a disc of this radius
GOAL_RADIUS = 2.0     # m: an agent whose centre comes closer than this to its goal has reached it
DT = 0.1              # s per step
ACCEL = 4.0           # m/s^2 while accelerating or braking
MAX_SPEED = 10.0      # m/s (agents never reverse: speed is clamped to [0, MAX_SPEED])
YAW_STEP = 0.1        # rad of heading change per step while steering (1 rad/s)
_COS_YAW, _SIN_YAW = math.cos(YAW_STEP), math.sin(YAW_STEP)
OWN = 7               # observation entries about the agent itself (and its goal)
PER_NEIGHBOR = 5      # observation entries per neighbour
_STATE = ("x", "y", "heading_x", "heading_y", "speed", "goal_x", "goal_y")


class DriveTorch:
    """``num_envs`` worlds of ``agents`` agents each, steering to their own goals, stepped as tensor ops.

    In the spirit of GPUDrive, without its road maps: each sub-env is an empty square world,
    ``world_size`` metres on a side (x and y in ``[-world_size/2, world_size/2]``, y up), shared by
    ``agents`` agents. Agent ``k`` of sub-env ``e`` is agent row ``e * agents + k``
    (``num_agents = num_envs * agents``).

    Agents: discs of radius 1 m with a position, a heading and a speed in [0, 10] m/s; each has a
    goal (a point). Action ``Discrete(9)``: ``3 * throttle + steer``, throttle 0 brake (-4 m/s^2),
    1 keep the speed, 2 accelerate (+4 m/s^2); steer 0 right, 1 straight, 2 left (0.1 rad a
    step). Any other value keeps the speed and goes straight (action 4). One step is 0.1 s: the
    speed changes first, then the heading, then the agent moves along the new heading at the new
    speed (a kinematic point model, no slip).

    Per agent, after every live agent has moved (all at once):

    - **collision**: its disc overlaps another live agent's (centres closer than 2 m; both
      collide) or crosses the world's edge (centre closer than 1 m to it): terminal, reward
      ``reward_collision`` (default -1);
    - else **goal**: its centre is within 2 m of its goal: terminal, reward ``reward_goal``
      (default +1);
    - else reward 0, and the agent goes on.

    Episodes and masks. An agent's episode is its drive from its start to its goal, a collision or
    the time limit. ``masks[i]`` after a step says whether row ``i``'s agent drove in that step
    (envsdk's rule: an agent's last step, the one with its terminal or truncation flag, is still
    live). An agent whose episode ended leaves the world: from the next step on, until its
    sub-env restarts, it collides with nothing, is no one's neighbour, its actions are ignored and
    its row reads ``masks`` False, reward 0, both flags False and an all-zero observation. The
    sub-env's time limit: on its ``max_steps``-th step every agent still driving is truncated (an
    agent that collides or arrives on that very step is terminal only: never both flags on one
    row). A sub-env restarts in the same step in which its last agent's episode ends or its time
    limit is reached (envsdk's same-step autoreset, per sub-env): every row of it then shows the
    first observation of the next episode, while the rows keep that step's rewards, flags and
    masks (False for the agents that had already left). So a row's flag is set once per episode,
    on the step that ended it. ``alive`` (``[num_envs, agents]``) says which agents drive in the
    next step.

    A new episode of a sub-env places the agents and the goals in distinct cells of a ``G x G``
    grid over the world (``G = ceil(sqrt(2 * agents))``, cells chosen by a random permutation),
    jittered inside their cells but at least 1 m from every cell edge, so no agent overlaps
    another, the edge or its goal at the start; headings are uniform, speeds 0. All of it comes
    from the sub-env's own SplitMix64 stream (``envsdk.torchsim``): ``reset(seed=s)`` seeds
    sub-env ``i`` with ``s + i``, and every output is bit-identical across runs and whatever the
    split of sub-envs between objects. The step computes with elementwise float32 operations,
    stable sorts and gathers only (no trigonometric library calls: headings are unit vectors turned
    by a fixed rotation; start headings use a polynomial), so a tensor's size never changes a bit.

    Observation ``[7 + 5 * neighbors]`` float32 per agent, in the agent's own frame (x ahead, y to
    its left), lengths divided by ``world_size / 2`` and velocities by 10 m/s: its position in
    the world (world frame, so it can see the edge), its heading (a unit vector, world frame), its
    speed, its goal's offset (own frame); then the ``neighbors`` nearest other live agents, nearest
    first, each as (offset x, offset y, relative velocity x, relative velocity y, 1), all zeros
    when fewer are live (``neighbors`` defaults to 4, or ``agents - 1`` when fewer). Every entry is
    within [-3, 3].

    Infos, per finished agent episode, reported every ``report_every`` steps: episode_return,
    episode_length (steps the agent drove), goal (1 if it reached its goal, else 0: the mean is the
    goal rate), collision (likewise), episode_count. Final observations (when the buffers have
    them): the observation of each ended row after the move that ended it, seeing the agents that
    were live before that step.

    ``device`` and ``buffers`` as in ``envsdk.envs.cartpole_torch.CartPoleTorch`` (``device=None`` or
    numpy buffers: computed on through CPU tensor views). Everything stays on the buffers' device: no
    host copies (except the periodic report), no Python loop over sub-envs or agents. On a GPU the
    step never reads a tensor on the host (every sub-env's next start is computed and
    ``torch.where`` keeps the restarting ones'); on the CPU only the restarting sub-envs draw theirs
    (``torchsim.sync_free``), with the same bits.
    """

    def __init__(self, *, num_envs: int = 1, agents: int = 8, neighbors: int | None = None, world_size: float = 40.0,
                 max_steps: int = 200, reward_goal: float = 1.0, reward_collision: float = -1.0,
                 report_every: int = 16, device="cpu", buffers=None, **unknown):
        reject_unknown(DriveTorch, unknown)
        name = "DriveTorch"
        num_envs = check_int(name, "num_envs", num_envs, 1, 2**31 - 1)
        agents = check_int(name, "agents", agents, 1, 4096)
        neighbors = check_int(name, "neighbors", min(4, agents - 1) if neighbors is None else neighbors, 0,
                              agents - 1)
        world_size = check_float(name, "world_size", world_size, 4 * RADIUS, 1e6)
        self.max_steps = check_int(name, "max_steps", max_steps, 1, 2**31 - 1)
        self.reward_goal = check_float(name, "reward_goal", reward_goal, -1e6, 1e6)
        self.reward_collision = check_float(name, "reward_collision", reward_collision, -1e6, 1e6)
        report_every = check_int(name, "report_every", report_every, 1, 2**31 - 1)
        self.grid = math.ceil(math.sqrt(2 * agents))
        if world_size / self.grid < 2 * RADIUS:
            raise ConfigError.of(
                name, "world_size", f"at least {2 * RADIUS * self.grid} m for {agents} agents (a {self.grid} x "
                f"{self.grid} grid of start cells, each {2 * RADIUS} m wide)", world_size,
                f"pass world_size={2 * RADIUS * self.grid} or more, or fewer agents",
            )
        if num_envs * agents > 2**31 - 1:
            raise ConfigError.of(name, "num_envs", f"num_envs * agents <= {2**31 - 1} agent rows",
                                 f"{num_envs} * {agents}", "fewer sub-envs or fewer agents per sub-env")
        self.num_envs, self.agents, self.neighbors, self.world_size = num_envs, agents, neighbors, world_size
        self.single_observation_space = spaces.Box(-3.0, 3.0, shape=(OWN + PER_NEIGHBOR * neighbors,),
                                                   dtype=np.float32)
        self.single_action_space = spaces.Discrete(9)
        self.num_agents = num_envs * agents
        # self._b: the buffers as tensors (the buffers themselves, or CPU views of numpy ones).
        self.buffers, self.device, self._b = bind_buffers(self, buffers, device, name)
        dev = self._b.observations.device
        self.state = torch.zeros(len(_STATE), num_envs, agents, dtype=torch.float32, device=dev)
        """``[7, num_envs, agents]`` float32: x, y (m), heading x, heading y (a unit vector), speed (m/s),
        goal x, goal y (m); readable and writable between steps."""
        self.alive = torch.zeros(num_envs, agents, dtype=torch.bool, device=dev)
        """``[num_envs, agents]``: the agents that drive in the next step."""
        self.tick = torch.zeros(num_envs, dtype=torch.int32, device=dev)
        """``[num_envs]`` int32: steps taken in each sub-env's episode."""
        self._returns = torch.zeros(num_envs, agents, dtype=torch.float32, device=dev)
        self._streams = Streams(num_envs, dev)
        # Per new episode: a 16-bit key per cell (4 to a 64-bit draw), and 4 jitters and a heading per agent
        # (24-bit uniforms, 2 to a draw): fewer draws, as a GPU computes every sub-env's next start each step.
        self._key_draws, self._uniform_draws = -(-self.grid**2 // 4), -(-5 * agents // 2)
        self._draws = self._key_draws + self._uniform_draws
        self._log = EpisodeLog(("episode_return", "episode_length", "goal", "collision"), dev, report_every)
        self._eye = torch.eye(agents, dtype=torch.bool, device=dev)
        self._sync_free = sync_free(dev)  # restarts by torch.where (GPU) or by index (CPU): the same bits
        b = self.buffers  # what reset and step return: the buffers, of their own kind
        self._results = (b.observations, b.rewards, b.terminals, b.truncations)
        self._started = self._closed = False

    # ----- episodes -------------------------------------------------------------------------------------

    def _starts(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """Every sub-env's (or the sub-envs ``rows``') next start state ``[7, num_envs or len(rows), agents]``
        from its next draws (see the docstring)."""
        a, g, k = self.agents, self.grid, self._key_draws
        words = self._streams.draw(self._draws, rows)
        n = words.shape[0]
        keys = torch.stack([words[:, :k] >> shift & 0xFFFF for shift in (0, 16, 32, 48)], dim=2).view(n, 4 * k)
        cells = torch.argsort(keys[:, :g * g], dim=1, stable=True)  # a random permutation (ties: lower cell first)
        rest = words[:, k:]
        u = torch.stack([unit_float32(rest), (rest >> 8 & 0xFFFFFF).to(torch.float32) * 2.0**-24], dim=2)
        u = u.view(n, 2 * self._uniform_draws)[:, :5 * a].view(n, 5, a)
        size = self.world_size / g
        half = self.world_size / 2
        jitter = size / 2 - RADIUS  # >= 0: discs stay inside their cells

        def place(c, ux, uy):
            return ((c % g).float() + 0.5) * size - half + jitter * (2 * ux - 1), \
                ((c // g).float() + 0.5) * size - half + jitter * (2 * uy - 1)

        x, y = place(cells[:, :a], u[:, 0], u[:, 1])
        gx, gy = place(cells[:, a:2 * a], u[:, 2], u[:, 3])
        hx, hy = _cos_sin(math.pi * (2 * u[:, 4] - 1))
        return torch.stack([x, y, hx, hy, torch.zeros_like(x), gx, gy])

    def reset(self, seed: int | None = None):
        """Start every sub-env (sub-env ``i`` seeded with ``(seed + i) % 2**64``); returns ``(observations, [])``."""
        not_closed(self._closed, "DriveTorch", "reset")
        self._streams.seed(checked_seed("DriveTorch", seed))
        self.state.copy_(self._starts())
        self._streams.advance(self._draws)
        self.alive.fill_(True)
        self.tick.zero_()
        self._returns.zero_()
        b = self._b
        b.rewards.zero_()
        b.terminals.zero_()
        b.truncations.zero_()
        b.masks.fill_(True)
        b.observations.copy_(self._observe(self.state, self.alive))
        self._log.clear()
        self._started = True
        return self._results[0], []

    # ----- one step -------------------------------------------------------------------------------------

    def step(self, actions):
        """Move every live agent, end collided and arrived agents, restart finished sub-envs; returns the
        buffers and infos."""
        not_closed(self._closed, "DriveTorch", "step")
        not_before_reset(self._started, "DriveTorch")
        b = self._b
        n, a = self.num_envs, self.agents
        act = step_actions(self.buffers, b, actions, "DriveTorch").view(n, a)
        act = torch.where((act < 0) | (act > 8), 4, act)
        moved = self._move(act)
        alive = self.alive
        crash = alive & (self._collided(moved, alive) | self._off_edge(moved))
        goal = (moved[0] - moved[5]) ** 2 + (moved[1] - moved[6]) ** 2 < GOAL_RADIUS**2
        arrived = alive & goal & ~crash
        terminal = crash | arrived
        tick = self.tick + 1
        time_up = tick >= self.max_steps
        truncated = alive & ~terminal & time_up[:, None]
        reward = torch.where(crash, self.reward_collision, torch.where(arrived, self.reward_goal, 0.0))
        returns = self._returns + reward
        ended = terminal | truncated
        self._log.add(ended, (returns, tick[:, None].expand(n, a), arrived, crash))
        b.rewards.copy_(reward.view(-1))
        b.terminals.copy_(terminal.view(-1))
        b.truncations.copy_(truncated.view(-1))
        if b.final_observations is not None:  # the world after the move, with every agent live before it
            final = self._observe(moved, alive)
            b.final_observations.copy_(torch.where(ended.view(-1, 1), final, b.final_observations))
        # Same-step autoreset per sub-env: when its time is up or its last agent's episode ended.
        driving = alive & ~ended
        restart = time_up | ~driving.any(1)
        if self._sync_free:
            self.state.copy_(torch.where(restart[:, None], self._starts(), moved))
            self._streams.advance(self._draws, restart)
        else:
            rows = restart.nonzero().squeeze(1)
            moved[:, rows] = self._starts(rows)
            self._streams.advance(self._draws, rows=rows)
            self.state.copy_(moved)
        b.masks.copy_(alive.view(-1))  # who drove in this step (read before alive is updated)
        self.alive.copy_(driving | restart[:, None])
        self.tick.copy_(torch.where(restart, 0, tick))
        self._returns.copy_(torch.where(self.alive & ~restart[:, None], returns, 0.0))
        b.observations.copy_(self._observe(self.state, self.alive))
        return (*self._results, self._log.report())

    def _move(self, act: torch.Tensor) -> torch.Tensor:
        """The state after every agent applies its action (``[7, n, agents]``; the finished ones move too,
        unseen: they are masked out and collide with nothing)."""
        x, y, hx, hy, speed, gx, gy = self.state
        throttle = (act // 3 - 1).float()     # -1 brake, 0 keep, +1 accelerate
        steer = (act % 3 - 1).float()         # -1 right, 0 straight, +1 left
        speed = (speed + throttle * (ACCEL * DT)).clamp(0.0, MAX_SPEED)
        cos = torch.where(steer == 0, 1.0, _COS_YAW)
        sin = steer * _SIN_YAW
        hx, hy = hx * cos - hy * sin, hx * sin + hy * cos
        norm = torch.sqrt(hx * hx + hy * hy)  # keeps the heading a unit vector despite rounding
        hx, hy = hx / norm, hy / norm
        return torch.stack([x + speed * DT * hx, y + speed * DT * hy, hx, hy, speed, gx, gy])

    def _collided(self, s: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
        """``[n, agents]``: the disc overlaps another live agent's."""
        d2 = (s[0, :, :, None] - s[0, :, None, :]) ** 2 + (s[1, :, :, None] - s[1, :, None, :]) ** 2
        pairs = alive[:, :, None] & alive[:, None, :] & ~self._eye
        return ((d2 < (2 * RADIUS) ** 2) & pairs).any(2)

    def _off_edge(self, s: torch.Tensor) -> torch.Tensor:
        """``[n, agents]``: the disc crosses the world's edge."""
        limit = self.world_size / 2 - RADIUS
        return (s[0].abs() > limit) | (s[1].abs() > limit)

    def _observe(self, s: torch.Tensor, live: torch.Tensor) -> torch.Tensor:
        """The observation of every agent row ``[n * agents, 7 + 5 * neighbors]`` in state ``s``, seeing
        the agents where ``live``; rows not live are all zeros."""
        n, a, k = self.num_envs, self.agents, self.neighbors
        x, y, hx, hy, speed, gx, gy = s
        scale = 2.0 / self.world_size

        def own_frame(dx, dy):  # a world-frame vector in the agent's frame (x ahead, y left)
            h_x, h_y = (hx, hy) if dx.dim() == 2 else (hx[..., None], hy[..., None])
            return h_x * dx + h_y * dy, h_x * dy - h_y * dx

        goal_ahead, goal_left = own_frame(gx - x, gy - y)
        parts = [x * scale, y * scale, hx, hy, speed * (1 / MAX_SPEED), goal_ahead * scale, goal_left * scale]
        obs = torch.stack(parts, dim=2)
        if k:
            d2 = (x[:, :, None] - x[:, None, :]) ** 2 + (y[:, :, None] - y[:, None, :]) ** 2
            seen = live[:, None, :] & ~self._eye
            d2 = torch.where(seen, d2, math.inf)
            d2, index = torch.sort(d2, dim=2, stable=True)
            index, present = index[:, :, :k], d2[:, :, :k] < math.inf

            def of_neighbors(v):  # [n, agents] -> [n, agents, k]: the value of each agent's neighbours
                return torch.gather(v[:, None, :].expand(n, a, a), 2, index)

            vx, vy = speed * hx, speed * hy
            ox, oy = own_frame(of_neighbors(x) - x[..., None], of_neighbors(y) - y[..., None])
            rx, ry = own_frame(of_neighbors(vx) - vx[..., None], of_neighbors(vy) - vy[..., None])
            near = torch.stack([ox * scale, oy * scale, rx * (1 / MAX_SPEED), ry * (1 / MAX_SPEED),
                                torch.ones_like(ox)], dim=3)
            near = torch.where(present[..., None], near, 0.0)
            obs = torch.cat([obs, near.view(n, a, k * PER_NEIGHBOR)], dim=2)
        return torch.where(live[..., None], obs, 0.0).view(n * a, -1)

    # ----- the rest of the contract ---------------------------------------------------------------------

    def render(self, mode: str = "rgb_array", index: int = 0) -> np.ndarray:
        """Sub-env ``index`` from above as RGB ``[256, 256, 3]`` uint8: live agents as discs (a light
        tick towards their heading), each goal a small square of its agent's colour. Copies the
        sub-env's state to the host (for viewing, not for the training loop)."""
        if mode != "rgb_array":
            raise ValueError(f"DriveTorch.render: expected mode 'rgb_array', found {mode!r}. Fix: pass 'rgb_array'.")
        side = 256
        s = self.state[:, index].cpu().numpy()
        alive = self.alive[index].cpu().numpy()
        frame = np.empty((side, side, 3), np.uint8)
        frame[...] = (24, 26, 32)
        per_metre = side / self.world_size
        rows, cols = np.mgrid[0:side, 0:side]
        half = self.world_size / 2
        centre_x, centre_y = (cols + 0.5) / per_metre - half, half - (rows + 0.5) / per_metre  # pixel centres, m
        for k in np.flatnonzero(alive):
            colour = _COLOURS[k % len(_COLOURS)]
            x, y, hx, hy, _, gx, gy = s[:, k]
            frame[(np.abs(centre_x - gx) < 0.6) & (np.abs(centre_y - gy) < 0.6)] = colour
            frame[(centre_x - x) ** 2 + (centre_y - y) ** 2 < RADIUS**2] = colour
            tx, ty = x + 0.7 * RADIUS * hx, y + 0.7 * RADIUS * hy
            frame[(centre_x - tx) ** 2 + (centre_y - ty) ** 2 < (0.3 * RADIUS) ** 2] = (255, 255, 255)
        return frame

    def close(self) -> None:
        """Mark the env closed (its tensors are freed with it); safe to call twice."""
        self._closed = True


_COLOURS = np.array([[80, 200, 255], [255, 90, 90], [120, 230, 120], [255, 210, 60], [200, 120, 255],
                     [255, 150, 60], [60, 230, 210], [240, 240, 240]], np.uint8)


def _cos_sin(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of angles ``|t| <= pi`` from Taylor polynomials of ``t / 2`` (degree 11 and 12: below
    float32 rounding) and the double-angle formulas: elementwise arithmetic only, so the same bits on
    every tensor size (a vectorized library sin may round its tail elements otherwise)."""
    h = 0.5 * t
    h2 = h * h
    s = h * (1 + h2 * (-1 / 6 + h2 * (1 / 120 + h2 * (-1 / 5040 + h2 * (1 / 362880 + h2 * (-1 / 39916800))))))
    c = 1 + h2 * (-1 / 2 + h2 * (1 / 24 + h2 * (-1 / 720 + h2 * (1 / 40320 + h2 * (-1 / 3628800
                                                                                 + h2 * (1 / 479001600))))))
    return c * c - s * s, 2 * s * c


CONTROLS = Controls(
    legend="press w or ↑ to accelerate, s or ↓ to brake, a or ← to steer left, d or → to steer right",
    actions=("brake, right", "brake", "brake, left", "right", "straight", "left", "accelerate, right", "accelerate",
             "accelerate, left"),
    keys={"w": 7, "up": 7, "s": 1, "down": 1, "a": 5, "left": 5, "d": 3, "right": 3},
    sides=("the blue car: reach the blue square without touching the edge",),
    single_key=True, idle=4, pace=0.1, config={"agents": 1, "device": None},  # one car, numpy buffers
)
"""How a person plays drive_torch (``envsdk play``): one car alone, coasting straight between key presses."""
