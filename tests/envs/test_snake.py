"""snake: conformance, hand-worked boards, bad actions and config, fuzzing, rendering, and a
pure-Python reference written from the rules (a deque per snake, not the C direction bits)."""

from collections import deque
from itertools import pairwise

import numpy as np
import pytest
from env_checks import check_steps_at_scale, rgb_frame
from envsdk.envs.snake import DOWN, LEFT, RIGHT, UP, Snake
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError, StateError
from envsdk.testing import assert_conforms, rollout

MOVES = {UP: (-1, 0), DOWN: (1, 0), LEFT: (0, -1), RIGHT: (0, 1)}
DIR_OF = {v: k for k, v in MOVES.items()}


def make(**config):
    # report_every=1: each episode's stats arrive on the step it ends, where the tests check them
    env = Snake(**{"food": 0, "max_steps": 1000, "report_every": 1, **config})
    env.reset(seed=0)
    return env


def set_board(env, bodies, food=(), headings=None):
    """Replace sub-env 0's board: ``bodies[k]`` is snake k's cells (row, col) from tail to head;
    ``headings[k]`` its heading (default: the direction of its last segment, or RIGHT)."""
    c, v, stride = env._sim.c, env.view, env._sim.c.stride
    assert len(bodies) == env.snakes
    cell = lambda rc: (rc[0] + v) * stride + rc[1] + v  # noqa: E731
    for i in range(c.cells):
        c.grid[i] = 2
    for r in range(env.height):
        for col in range(env.width):
            c.grid[cell((r, col))] = 0
    for k, body in enumerate(bodies):
        steps = [DIR_OF[(b[0] - a[0], b[1] - a[1])] for a, b in pairwise(body)]
        heading = headings[k] if headings else (steps[-1] if steps else RIGHT)
        for rc, d in zip(body, [*steps, heading], strict=True):
            c.grid[cell(rc)], c.owner[cell(rc)] = 8 | d, k
        c.grid[cell(body[-1])] |= 4
        c.head[k], c.tail[k], c.length[k], c.heading[k] = cell(body[-1]), cell(body[0]), len(body), heading
        c.life[k], c.eaten[k], c.episode_return[k] = 0, 0, 0.0
    for rc in food:
        c.grid[cell(rc)] = 1
    c.food_count[0] = len(food)


def act(env, *actions):
    return env.step(np.array(actions, np.int32))


def segments(env, k, index=0):
    """Snake k's cells of sub-env ``index`` as a set of (row, col), and its head."""
    g = env.grid(index)[1:-1, 1:-1]
    cells = {tuple(map(int, rc)) for rc in np.argwhere((g >= 8) & ((g >> 3) == k + 1))}
    heads = [tuple(map(int, rc)) for rc in np.argwhere((g >= 8) & ((g >> 3) == k + 1) & ((g >> 2) & 1 == 1))]
    assert len(heads) == 1
    return cells, heads[0]


def test_conforms():
    assert_conforms(Snake, num_envs=3, width=10, height=8, snakes=3, food=4, view=2, max_steps=50)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("snake", 2, 0, (2 * 256, 11, 11), dtype=np.int8)  # 256 snakes per sub-env


def test_eat_grow_and_observation_codes():
    env = make(width=6, height=4, snakes=2, view=2)
    # Snake 0 (a, head A) heads right at food *; snake 1 (b, head B) heads left.
    #      c0 c1 c2 c3 c4 c5
    #  r0   .  .  .  .  .  .
    #  r1   a  a  A  *  .  .
    #  r2   .  .  .  B  b  .
    #  r3   .  .  .  .  b  .
    set_board(env, [[(1, 0), (1, 1), (1, 2)], [(3, 4), (2, 4), (2, 3)]], food=[(1, 3)])
    obs, rew, term, trunc, infos = act(env, RIGHT, LEFT)
    # Snake 0 eats and grows (its tail stays); snake 1 moves and its tail leaves (3, 4):
    #      c0 c1 c2 c3 c4 c5
    #  r0   .  .  .  .  .  .
    #  r1   a  a  a  A  .  .
    #  r2   .  .  B  b  b  .
    #  r3   .  .  .  .  .  .
    np.testing.assert_array_equal(rew, [1.0, 0.0])
    assert not term.any() and not trunc.any() and infos == []
    # Snake 0's 5 x 5 view, centred on (1, 3): the top row is outside the grid (walls).
    np.testing.assert_array_equal(obs[0], [[2, 2, 2, 2, 2],
                                           [0, 0, 0, 0, 0],
                                           [3, 3, 4, 0, 0],
                                           [0, 6, 5, 5, 0],
                                           [0, 0, 0, 0, 0]])
    # Snake 1's view, centred on (2, 2): it sees snake 0 as 5 (body) and 6 (head), itself as 3 and 4.
    np.testing.assert_array_equal(obs[1], [[0, 0, 0, 0, 0],
                                           [5, 5, 5, 6, 0],
                                           [0, 0, 4, 3, 3],
                                           [0, 0, 0, 0, 0],
                                           [2, 2, 2, 2, 2]])
    c = env._sim.c
    assert (c.length[0], c.length[1], c.eaten[0], c.food_count[0]) == (4, 3, 1, 0)
    assert segments(env, 0) == ({(1, 0), (1, 1), (1, 2), (1, 3)}, (1, 3))
    assert segments(env, 1) == ({(2, 2), (2, 3), (2, 4)}, (2, 2))
    # Next step snake 0 turns down into snake 1's body at (2, 3): it dies (-1, terminal), its body
    # is removed and it respawns at once, length 1, on an empty cell. Snake 1 moves on left.
    obs, rew, term, trunc, infos = act(env, DOWN, LEFT)
    np.testing.assert_array_equal(rew, [-1.0, 0.0])
    np.testing.assert_array_equal(term, [True, False])
    assert not trunc.any() and env.buffers.masks.all()
    assert infos == [{"episode_return": 0.0, "episode_length": 2.0, "score": 1.0, "length": 4.0, "episode_count": 1}]
    cells, head = segments(env, 0)
    assert len(cells) == 1 and c.length[0] == 1 and c.life[0] == 0 and head not in {(2, 1), (2, 2), (2, 3)}
    assert obs[0, 2, 2] == 4  # the new snake's first observation: its head in the centre
    assert segments(env, 1) == ({(2, 1), (2, 2), (2, 3)}, (2, 1))


def test_reversing_into_the_neck_and_out_of_range_keep_straight():
    env = make(width=8, height=3, snakes=2, view=1)
    # Snake 0 (length 2) heads right; snake 1 (length 1) heads right too.
    #      c0 c1 c2 c3 c4 c5 c6 c7
    #  r0   a  A  .  .  .  .  .  .
    #  r1   .  .  .  .  .  .  .  .
    #  r2   .  .  .  .  B  .  .  .
    set_board(env, [[(0, 0), (0, 1)], [(2, 4)]], headings=[RIGHT, RIGHT])
    act(env, LEFT, LEFT)  # snake 0 may not reverse into its neck: it goes right; snake 1 (no neck) turns
    assert segments(env, 0) == ({(0, 1), (0, 2)}, (0, 2))
    assert segments(env, 1) == ({(2, 3)}, (2, 3))
    for bad in (-1, 4, 2**31 - 1):
        _, _, term, *_ = act(env, bad, bad)  # out of range: keep the current heading (right, left)
    assert segments(env, 0) == ({(0, 4), (0, 5)}, (0, 5))
    assert segments(env, 1) == ({(2, 0)}, (2, 0))
    assert not term.any()
    _, rew, term, *_ = act(env, -(2**31), -(2**31))  # snake 1 keeps going left, into the wall
    np.testing.assert_array_equal(term, [False, True])
    assert segments(env, 0) == ({(0, 5), (0, 6)}, (0, 6))


def test_walls_and_own_tail_kill():
    env = make(width=3, height=3, snakes=1, view=1)
    # A coiled snake whose head H is next to its own tail t: moving up enters the tail's cell,
    # which is still occupied when the head moves (the tail moves after it), so the snake dies.
    #      c0 c1 c2
    #  r0   t  b  .
    #  r1   H  b  .
    #  r2   .  .  .
    set_board(env, [[(0, 0), (0, 1), (1, 1), (1, 0)]])
    _, rew, term, trunc, infos = act(env, UP)
    assert rew[0] == -1.0 and term[0] and not trunc[0]
    assert infos == [{"episode_return": -1.0, "episode_length": 1.0, "score": 0.0, "length": 4.0, "episode_count": 1}]
    # A snake at the top edge heading up (an out-of-range action keeps it going) hits the wall.
    #      c0 c1 c2
    #  r0   .  .  A   ^
    set_board(env, [[(0, 2)]], headings=[UP])
    _, rew, term, _, infos = act(env, 99)
    assert rew[0] == -1.0 and term[0] and infos[0]["length"] == 1.0


@pytest.mark.parametrize("chaser_first", [False, True])
def test_moves_are_sequential_in_row_order(chaser_first):
    # The chaser c (head C) follows the runner r (head R) nose to tail; the runner turns down.
    #      c0 c1 c2 c3 c4
    #  r0   c  C  r  r  R
    #  r1   .  .  .  .  .
    chaser, runner = [(0, 0), (0, 1)], [(0, 2), (0, 3), (0, 4)]
    env = make(width=5, height=2, snakes=2, view=1)
    set_board(env, [chaser, runner] if chaser_first else [runner, chaser])
    _, rew, term, *_ = env.step(np.array([RIGHT, DOWN] if chaser_first else [DOWN, RIGHT], np.int32))
    c_row = 0 if chaser_first else 1
    if chaser_first:
        # The chaser moves first, while the runner's tail is still at (0, 2): it dies.
        assert term[c_row] and rew[c_row] == -1.0
    else:
        # The runner moved first and freed (0, 2); the chaser moves into it.
        #      c0 c1 c2 c3 c4
        #  r0   .  c  C  r  r
        #  r1   .  .  .  .  R
        assert not term.any()
        assert segments(env, c_row) == ({(0, 1), (0, 2)}, (0, 2))
        assert segments(env, 1 - c_row) == ({(0, 3), (0, 4), (1, 4)}, (1, 4))


def test_truncation_cuts_every_snake_and_restarts_the_sub_env():
    env = make(num_envs=2, width=6, height=3, snakes=2, view=1, max_steps=3)
    #      c0 c1 c2 c3 c4 c5
    #  r0   A  .  .  .  .  .      snake 0 heads up (into the wall on step 3)
    #  r1   .  .  .  .  .  .
    #  r2   B  .  .  .  .  .      snake 1 heads right
    set_board(env, [[(0, 0)], [(2, 0)]], headings=[UP, RIGHT])
    for _ in range(2):
        _, _, term, trunc, _ = act(env, RIGHT, RIGHT, RIGHT, RIGHT)
        assert not term[:2].any() and not trunc.any()  # sub-env 1's random snakes may die
    # Step 3: snake 0 dies (terminal, never also truncated); snake 1 and sub-env 1's snakes are cut.
    _, rew, term, trunc, infos = act(env, UP, RIGHT, RIGHT, RIGHT)
    np.testing.assert_array_equal(term[:2], [True, False])
    np.testing.assert_array_equal(trunc, [False, True, *trunc[2:]])
    assert (term[2:] | trunc[2:]).all()  # sub-env 1 also reached max_steps
    assert infos[0]["episode_count"] == 4
    c = env._sim.c
    assert c.tick[0] == 0 and c.length[0] == c.length[1] == 1 and c.life[1] == 0
    assert env.buffers.masks.all()


def test_final_observations_are_the_last_views_of_the_dead_and_the_cut():
    # The scene above through final_observations (view 1: 3 x 3 crops). Snake 0 (A) dies on step 3
    # moving up from (0, 2): its final observation is its view where it died, the wall above; the
    # runner (B) had not moved yet in that step, so it is out of that view. Snake 1 is cut by the
    # time limit at (2, 3), the wall below it. Sub-env 1's rows all ended too, every one written.
    #      c0 c1 c2 c3 c4 c5        A's last view   B's last view
    #  r0   .  .  A  .  .  .         # # #           ? ? ?
    #  r1   .  .  .  .  .  .         . A .           ? B ?
    #  r2   .  .  .  B  .  .         . . .           # # #
    backend = envsdk.backends.Serial(Snake, num_envs=2, width=6, height=3, snakes=2, food=0, view=1, max_steps=3,
                                     final_observations=True)
    env, final = backend.envs[0], backend.buffers.final_observations
    backend.reset(seed=0)
    set_board(env, [[(0, 0)], [(2, 0)]], headings=[UP, RIGHT])
    for _ in range(2):
        backend.step(np.array([RIGHT] * 4, np.int32))
    _, _, term, trunc, _ = backend.step(np.array([UP, RIGHT, RIGHT, RIGHT], np.int32))
    assert term[:2].tolist() == [True, False] and trunc[:2].tolist() == [False, True]
    assert final[0].tolist() == [[2, 2, 2], [0, 4, 0], [0, 0, 0]]
    assert final[1, 1, 1] == 4 and final[1, 2].tolist() == [2, 2, 2]  # A respawned at random: maybe in view
    assert ((final[2:] >= 0) & (final[2:] <= 6) & (final[2:, 1, 1] == 4)[:, None, None]).all()
    backend.close()


def test_per_sub_env_seeding():
    whole = Snake(num_envs=3, width=9, height=7, snakes=2, food=3, view=2)
    parts = [Snake(num_envs=1, width=9, height=7, snakes=2, food=3, view=2) for _ in range(3)]
    whole.reset(seed=41)
    for e, p in enumerate(parts):
        p.reset(seed=41 + e)
    rng = np.random.default_rng(0)
    for _ in range(60):
        acts = rng.integers(0, 4, 6).astype(np.int32)
        whole.step(acts)
        for e, p in enumerate(parts):
            p.step(acts[2 * e:2 * e + 2])
        for e, p in enumerate(parts):
            np.testing.assert_array_equal(whole.buffers.observations[2 * e:2 * e + 2], p.buffers.observations)
            np.testing.assert_array_equal(whole.buffers.rewards[2 * e:2 * e + 2], p.buffers.rewards)
    other = Snake(num_envs=1, width=9, height=7, snakes=2, food=3, view=2)
    other.reset(seed=42)
    first = Snake(num_envs=1, width=9, height=7, snakes=2, food=3, view=2)
    first.reset(seed=41)
    assert not np.array_equal(first.grid(), other.grid())



@pytest.mark.parametrize(("config", "match"), [
    (dict(snake=3), r"expected config keys among num_envs, width, height, snakes, .*'snake'"),
    (dict(width=4, height=4, snakes=10, food=7), "food"),  # 17 things on 16 cells
    (dict(width=4, height=4, snakes=17, food=0), "snakes"),
    (dict(width=4096, height=4096, snakes=65536, food=0), "snakes"),
    (dict(view=0), "view"),
    (dict(width=0), "width"),
    (dict(max_steps=True), "max_steps"),
    (dict(reward_food=float("nan")), "reward_food"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        Snake(**config)



def test_grid_after_close_raises():
    env = Snake(width=8, height=8, snakes=2, food=2)
    env.reset(seed=0)
    env.close()
    with pytest.raises(StateError, match="closed"):
        env.grid()


def check_consistent(env):
    """The C state agrees with itself: each snake's cells, head, length; food; observations."""
    c, side = env._sim.c, 2 * env.view + 1
    obs = env.buffers.observations
    assert obs.min() >= 0 and obs.max() <= 6 and (obs[:, side // 2, side // 2] == 4).all()
    assert ((obs == 4).sum(axis=(1, 2)) == 1).all()
    for e in range(env.num_envs):
        g = env.grid(e)
        assert (g[0] == 2).all() and (g[-1] == 2).all() and (g[:, 0] == 2).all() and (g[:, -1] == 2).all()
        inner = g[1:-1, 1:-1]
        assert (inner != 2).all() and (inner < 8 * (env.snakes + 1)).all()
        assert (inner == 1).sum() == c.food_count[e]
        for k in range(env.snakes):
            a = e * env.snakes + k
            cells, (r, col) = segments(env, k, e)
            assert len(cells) == c.length[a] == c.eaten[a] + 1
            assert c.head[a] == (r + env.view) * c.stride + col + env.view


@st.composite
def configs(draw):
    width, height = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    snakes = draw(st.integers(1, min(6, width * height)))
    return dict(num_envs=draw(st.integers(1, 3)), width=width, height=height, snakes=snakes,
                food=draw(st.integers(0, min(10, width * height - snakes))), view=draw(st.integers(1, 3)),
                max_steps=draw(st.integers(1, 40)), report_every=1)


@settings(max_examples=40, deadline=None)
@given(config=configs(), seed=st.integers(0, 2**63),
       actions=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=40, max_size=40))
def test_fuzz_configs_and_actions(config, seed, actions):
    env = Snake(**config)
    env.reset(seed=seed)
    n = env.num_agents
    check_consistent(env)
    for k, a in enumerate(actions):
        acts = np.array([a if i % 2 else (a + i + k) % 4 for i in range(n)], np.int32)
        _, rew, term, trunc, infos = env.step(acts)
        assert not (term & trunc).any() and env.buffers.masks.all()
        assert np.isin(rew, [0.0, 1.0, -1.0]).all() and (rew[term] == -1.0).all()
        done = int((term | trunc).sum())
        assert (infos[0]["episode_count"] if infos else 0) == done
        check_consistent(env)
    env.close()


def test_render():
    env = Snake(width=10, height=6, snakes=2, food=3)
    env.reset(seed=0)
    frame = rgb_frame(env, (8 * 8, 12 * 8, 3))
    assert (frame[0, 0] == [110, 110, 110]).all()  # the wall frame
    text = env.render("ansi")
    lines = text.split("\n")
    assert len(lines) == 8 and lines[0] == "#" * 12 and text.count("@") == 2 and text.count("*") == 3
    big = Snake(num_envs=2)
    big.reset(seed=0)
    assert big.render(index=1).shape == (362 * 2, 642 * 2, 3)
    with pytest.raises(IndexError):
        big.render(index=2)


# An independent reference, written from the rules in the Snake docstring:
# bodies are deques of (row, col), the board a dict; only the RNG (SplitMix64 and the
# multiply-shift draw, the 16 tries then a scan) is shared with the C code by construction.
class Reference:
    def __init__(self, width, height, snakes, food, view, max_steps, seed, reward_food=1.0, reward_death=-1.0):
        self.w, self.h, self.n, self.food, self.view, self.max_steps = width, height, snakes, food, view, max_steps
        self.reward_food, self.reward_death = reward_food, reward_death
        self.state = seed % 2**64
        self.start()

    def below(self, n):
        self.state = (self.state + 0x9E3779B97F4A7C15) % 2**64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
        z ^= z >> 31
        return ((z >> 32) * n) >> 32

    def empty_cell(self):
        area = self.w * self.h
        for _ in range(16):
            k = self.below(area)
            if divmod(k, self.w) not in self.board:
                return divmod(k, self.w)
        for _ in range(area):
            if divmod(k, self.w) not in self.board:
                return divmod(k, self.w)
            k = (k + 1) % area
        return None

    def spawn(self, k, cell):
        self.bodies[k] = deque([cell])
        self.heading[k] = self.below(4)
        self.board[cell] = k
        self.life[k], self.eaten[k], self.ret[k] = 0, 0, 0.0

    def start(self):
        self.board, self.bodies, self.heading = {}, [None] * self.n, [0] * self.n
        self.life, self.eaten, self.ret = [0] * self.n, [0] * self.n, [0.0] * self.n
        for k in range(self.n):
            self.spawn(k, self.empty_cell())
        for _ in range(self.food):
            cell = self.empty_cell()
            if cell is None:
                break
            self.board[cell] = "food"
        self.tick = 0

    def step(self, actions):
        """Returns rewards, terminals, truncations, finished lives [(return, length, score, snake length)];
        ``self.final[k]`` is then the final observation of snake k when its life ended."""
        rew, term, trunc, lives = [0.0] * self.n, [False] * self.n, [False] * self.n, []
        self.final = [None] * self.n
        for k in range(self.n):
            body = self.bodies[k]
            d = int(actions[k]) if 0 <= actions[k] < 4 else self.heading[k]
            if len(body) > 1 and d == self.heading[k] ^ 1:
                d = self.heading[k]
            (r, c), (dr, dc) = body[-1], MOVES[d]
            nxt = (r + dr, c + dc)
            self.life[k] += 1
            if not (0 <= nxt[0] < self.h and 0 <= nxt[1] < self.w) or isinstance(self.board.get(nxt), int):
                rew[k], term[k] = self.reward_death, True
                lives.append((self.ret[k] + self.reward_death, self.life[k], self.eaten[k], len(body)))
                self.final[k] = self.crop(k)  # where it died, its body still on the board
                for cell in body:
                    del self.board[cell]
                self.spawn(k, self.empty_cell())
                continue
            self.heading[k] = d
            if self.board.get(nxt) == "food":
                rew[k] = self.reward_food
                self.eaten[k] += 1
            else:
                del self.board[body.popleft()]
            body.append(nxt)
            self.board[nxt] = k
            self.ret[k] += rew[k]
        self.tick += 1
        if self.tick >= self.max_steps:
            # What the cut snakes would have seen had the sub-env gone on: the food replaced with
            # the draws it would have made (from a copy of the RNG state), then their crops.
            state = self.state
            self.add_food()
            self.state = state
            for k in range(self.n):
                if not term[k]:
                    trunc[k] = True
                    lives.append((self.ret[k], self.life[k], self.eaten[k], len(self.bodies[k])))
                    self.final[k] = self.crop(k)
            self.start()
        else:
            self.add_food()
        return rew, term, trunc, lives

    def add_food(self):
        while sum(v == "food" for v in self.board.values()) < self.food:
            cell = self.empty_cell()
            if cell is None:
                break
            self.board[cell] = "food"

    def crop(self, k):
        """Snake k's observation of the board as it is now."""
        side = 2 * self.view + 1
        out = np.zeros((side, side), np.int8)
        hr, hc = self.bodies[k][-1]
        for i in range(side):
            for j in range(side):
                r, c = hr + i - self.view, hc + j - self.view
                v = self.board.get((r, c))
                if not (0 <= r < self.h and 0 <= c < self.w):
                    out[i, j] = 2
                elif v == "food":
                    out[i, j] = 1
                elif isinstance(v, int):
                    out[i, j] = 3 + ((r, c) == self.bodies[v][-1]) + 2 * (v != k)
        return out

    def observations(self):
        return np.stack([self.crop(k) for k in range(self.n)])


@pytest.mark.parametrize("config", [
    dict(width=4, height=4, snakes=3, food=10, view=2, max_steps=1000),    # crowded: scans, full boards
    dict(width=12, height=9, snakes=5, food=10, view=3, max_steps=60),    # truncation every 60 steps
    dict(width=1, height=3, snakes=2, food=1, view=1, max_steps=7),       # a corridor
    dict(width=16, height=16, snakes=3, food=40, view=2, max_steps=500, reward_food=0.5, reward_death=-2.0),
])
def test_matches_the_reference(config):
    num_envs, steps, seed = 2, 300, 12345
    # Stats on the step each episode ends, and each ended life's final observation.
    env = envsdk.backends.Serial(Snake, num_envs=num_envs, report_every=1, final_observations=True, **config)
    env.reset(seed=seed)
    final = env.buffers.final_observations
    refs = [Reference(**config, seed=seed + e) for e in range(num_envs)]
    n = config["snakes"]
    np.testing.assert_array_equal(env.buffers.observations, np.concatenate([r.observations() for r in refs]))
    rng = np.random.default_rng(1)
    for t in range(steps):
        # Mostly forward-ish moves (longer lives, so snakes grow), some random and out-of-range.
        acts = np.where(rng.random(num_envs * n) < 0.7, rng.integers(-1, 5, num_envs * n),
                        rng.integers(0, 4, num_envs * n)).astype(np.int32)
        final[...] = 9  # a canary: the rows of lives that go on keep it
        _, rew, term, trunc, infos = env.step(acts)
        lives = []
        for e, ref in enumerate(refs):
            r, te, tr, done = ref.step(acts[e * n:(e + 1) * n])
            np.testing.assert_array_equal(rew[e * n:(e + 1) * n], np.float32(r), err_msg=f"step {t}")
            np.testing.assert_array_equal(term[e * n:(e + 1) * n], te, err_msg=f"step {t}")
            np.testing.assert_array_equal(trunc[e * n:(e + 1) * n], tr, err_msg=f"step {t}")
            want = [np.full_like(final[0], 9) if crop is None else crop for crop in ref.final]
            np.testing.assert_array_equal(final[e * n:(e + 1) * n], want, err_msg=f"step {t}: final observations")
            lives += done
        np.testing.assert_array_equal(env.buffers.observations, np.concatenate([r.observations() for r in refs]),
                                      err_msg=f"step {t}")
        if lives:
            got = infos[0]
            assert got["episode_count"] == len(lives)
            means = np.mean(np.array(lives, np.float64), axis=0)
            np.testing.assert_allclose([got["episode_return"], got["episode_length"], got["score"], got["length"]],
                                       means, rtol=1e-6)
        else:
            assert infos == []
    assert max(len(b) for r in refs for b in r.bodies) >= 1


def test_multiprocessing_matches_serial_with_agent_rows_per_sub_env():
    # Multi-agent rows: 4 sub-envs of 3 snakes = 12 rows, split over 2 workers (6 contiguous rows each).
    config = dict(width=9, height=7, snakes=3, food=4, view=2, max_steps=40)
    serial = envsdk.make("snake", num_envs=4, **config)
    multi = envsdk.make("snake", num_envs=4, backend="multiprocessing", num_workers=2, **config)
    try:
        assert serial.num_agents == multi.num_agents == 12
        a, b = rollout(serial, 80, seed=5), rollout(multi, 80, seed=5)
        assert a.equal(b)
    finally:
        serial.close()
        multi.close()
