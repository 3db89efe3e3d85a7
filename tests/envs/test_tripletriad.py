"""tripletriad: conformance, hand-worked games, the illegal-move rule, bad input, fuzzing, rendering,
and bit-exact parity with an independent pure-Python implementation of the rules (below).

Boards in comments: cells are numbered row-major, 0 top left. A card is drawn with its four
ranks around its owner, A (agent) or O (opponent):

      N
    W A E
      S
"""

import numpy as np
import pytest
from env_checks import check_steps_at_scale, rgb_frame
from envsdk.envs.tripletriad import (
    OBS_BOARD,
    OBS_HAND,
    OBS_MASK,
    OBS_OPPONENT_HAND,
    OBS_SELECTED,
    OBS_SIZE,
    PLACE,
    TripleTriad,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import envsdk
from envsdk.errors import ConfigError
from envsdk.testing import assert_conforms

# ---------------------------------------------------------------------------------------------
# The reference: the rules as stated in the class docstring, written from scratch in plain
# Python (lists, tuples, no bit tricks), drawing from the same SplitMix64 stream in the same
# documented order. It shares no code with csrc/tripletriad.h.

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n):
        return ((self.next() >> 32) * n) >> 32


def neighbours(cell):
    """(direction, cell) pairs for N, E, S, W that lie on the board."""
    row, col = divmod(cell, 3)
    out = []
    for d, (dr, dc) in enumerate(((-1, 0), (0, 1), (1, 0), (0, -1))):
        if 0 <= row + dr < 3 and 0 <= col + dc < 3:
            out.append((d, (row + dr) * 3 + col + dc))
    return out


class Reference:
    """One sub-env. ``board[p]`` is None or ``[owner, ranks]`` (owner +1 agent, -1 opponent)."""

    def __init__(self, seed, opponent="random", first="agent", max_rank=10, max_steps=30, illegal_reward=-0.1):
        self.rng = SplitMix64(seed)
        self.opponent, self.first, self.max_rank = opponent, first, max_rank
        self.max_steps, self.illegal_reward = max_steps, np.float32(illegal_reward)
        self.start()

    def start(self):
        flat = []
        for _ in range(20):
            u = self.rng.next()
            flat += [1 + (((u >> 32) * self.max_rank) >> 32), 1 + (((u & 0xFFFFFFFF) * self.max_rank) >> 32)]
        self.cards = [tuple(flat[4 * c:4 * c + 4]) for c in range(10)]
        self.in_hand = [True] * 10
        self.board = [None] * 9
        self.selected = None
        self.steps, self.illegal, self.ret = 0, 0, np.float32(0)
        if self.first == "opponent" or (self.first == "random" and self.rng.next() >> 63):
            self.opponent_move()

    def place(self, card, cell):
        owner = 1 if card < 5 else -1
        ranks = self.cards[card]
        self.in_hand[card] = False
        self.board[cell] = [owner, ranks]
        for d, q in neighbours(cell):
            other = self.board[q]
            if other is not None and other[0] != owner and ranks[d] > other[1][(d + 2) % 4]:
                other[0] = owner

    def captures(self, card, cell):
        ranks = self.cards[card]
        return sum(
            1 for d, q in neighbours(cell)
            if self.board[q] is not None and self.board[q][0] == 1 and ranks[d] > self.board[q][1][(d + 2) % 4]
        )

    def opponent_move(self):
        cards = [c for c in range(5, 10) if self.in_hand[c]]
        cells = [p for p in range(9) if self.board[p] is None]
        if self.opponent == "random":
            u = self.rng.next()
            self.place(cards[((u >> 32) * len(cards)) >> 32], cells[((u & 0xFFFFFFFF) * len(cells)) >> 32])
        else:
            pairs = [(c, p) for c in cards for p in cells]
            best = max(self.captures(c, p) for c, p in pairs)
            ties = [(c, p) for c, p in pairs if self.captures(c, p) == best]
            self.place(*ties[self.rng.below(len(ties))])

    def score(self):
        return sum(1 for b in self.board if b and b[0] == 1) + sum(self.in_hand[:5])

    def step(self, action):
        """Returns (reward, terminal, truncated, finished-episode record or None)."""
        reward, terminal = np.float32(0), False
        if self.selected is None and 0 <= action < 5 and self.in_hand[action]:
            self.selected = action
        elif self.selected is not None and PLACE <= action < PLACE + 9 and self.board[action - PLACE] is None:
            self.place(self.selected, action - PLACE)
            self.selected = None
            if None in self.board:
                self.opponent_move()
            if None not in self.board:
                terminal = True
                reward = np.float32(np.sign(self.score() - 5))
        else:
            reward = self.illegal_reward
            self.illegal += 1
        self.steps += 1
        self.ret = np.float32(self.ret + reward)
        truncated = not terminal and self.steps >= self.max_steps
        record = None
        if terminal or truncated:
            # The final observation: the row as it stands; a finished game has no legal action.
            self.final = self.observation()
            if terminal:
                self.final[OBS_MASK:] = 0
            s = self.score()
            record = dict(episode_return=float(self.ret), episode_length=self.steps, win=terminal and s > 5,
                          draw=terminal and s == 5, loss=terminal and s < 5, score=s, illegal=self.illegal)
            self.start()
        return reward, terminal, truncated, record

    def observation(self):
        obs = np.zeros(OBS_SIZE, np.int8)
        for p, b in enumerate(self.board):
            if b is not None:
                obs[p] = b[0]
                obs[OBS_BOARD + 4 * p:OBS_BOARD + 4 * p + 4] = b[1]
        for c in range(10):
            if self.in_hand[c]:
                obs[OBS_HAND + 4 * c:OBS_HAND + 4 * c + 4] = self.cards[c]
        if self.selected is None:
            obs[OBS_MASK:OBS_MASK + 5] = self.in_hand[:5]
        else:
            obs[OBS_SELECTED + self.selected] = 1
            obs[OBS_MASK + 5:] = [b is None for b in self.board]
        return obs


CANARY = 127  # written into final_observations before each step: rows whose episode goes on keep it


def reference_rollout(config, num_envs, seed, actions):
    """Run the reference; returns observations [T+1, n, 104], rewards, terminals, truncations, infos,
    and final observations [T, n, 104] (CANARY on the rows whose episode went on)."""
    games = [Reference(seed + i, **config) for i in range(num_envs)]
    obs, rew, term, trunc, infos = [np.stack([g.observation() for g in games])], [], [], [], []
    finals = []
    for row in actions:
        out = [g.step(int(a)) for g, a in zip(games, row, strict=True)]
        obs.append(np.stack([g.observation() for g in games]))
        rew.append([o[0] for o in out])
        term.append([o[1] for o in out])
        trunc.append([o[2] for o in out])
        canary = np.full(OBS_SIZE, CANARY, np.int8)
        finals.append([g.final if o[3] else canary for g, o in zip(games, out, strict=True)])
        done = [o[3] for o in out if o[3] is not None]
        infos.append([{k: np.mean([float(r[k]) for r in done]) for k in done[0]} | {"episode_count": len(done)}]
                     if done else [])
    return np.stack(obs), np.array(rew, np.float32), np.array(term), np.array(trunc), infos, np.array(finals)


def mostly_legal_actions(env, rng, steps, illegal=0.2):
    """Step ``env`` (built with final observations) with a legal action from each row's mask, or
    with probability ``illegal`` any value in [-2, 16); returns (actions [steps, n], the env's
    outputs stacked like reference_rollout)."""
    obs, _ = env.reset(seed=123)
    n, final = env.num_agents, env.buffers.final_observations
    acts, out_obs, rew, term, trunc, infos, finals = [], [obs.copy()], [], [], [], [], []
    for _ in range(steps):
        a = np.array([rng.choice(np.flatnonzero(m)) for m in obs[:, OBS_MASK:]], np.int32)
        wild = rng.random(n) < illegal
        a[wild] = rng.integers(-2, 16, wild.sum())
        final[...] = CANARY
        obs, r, te, tr, info = env.step(a)
        acts.append(a)
        out_obs.append(obs.copy()), rew.append(r.copy()), term.append(te.copy()), trunc.append(tr.copy())
        infos.append(info), finals.append(final.copy())
    return np.stack(acts), (np.stack(out_obs), np.stack(rew), np.stack(term), np.stack(trunc), infos,
                            np.stack(finals))


@pytest.mark.parametrize("opponent", ["random", "greedy"])
@pytest.mark.parametrize("first", ["agent", "opponent", "random"])
@pytest.mark.parametrize("max_rank", [10, 3])
def test_matches_the_reference_bit_for_bit(opponent, first, max_rank):
    config = dict(opponent=opponent, first=first, max_rank=max_rank, max_steps=11, illegal_reward=-0.1)
    # Stats on the step each game ends; the final observation of each ended game as well.
    env = envsdk.backends.Serial(TripleTriad, num_envs=5, report_every=1, final_observations=True, **config)
    actions, got = mostly_legal_actions(env, np.random.default_rng(max_rank), 150)
    want = reference_rollout(config, 5, 123, actions)
    names = ("observations", "rewards", "terminals", "truncations")
    for name, g, w in zip(names, got[:4], want[:4], strict=True):
        np.testing.assert_array_equal(g, w, err_msg=name)
    np.testing.assert_array_equal(got[5], want[5], err_msg="final observations")
    assert got[2].sum() > 20 and got[3].sum() > 0  # games finished and some were truncated
    for t, (g, w) in enumerate(zip(got[4], want[4], strict=True)):
        assert len(g) == len(w), t
        for gi, wi in zip(g, w, strict=True):
            assert gi.keys() == wi.keys() and all(np.isclose(gi[k], wi[k], atol=1e-6) for k in gi), (t, gi, wi)


# ---------------------------------------------------------------------------------------------
# Hand-worked games. ``setup`` writes a position into the C state arrays and the matching
# observation row (built by the reference, so C's incremental updates are checked against it).

def setup(env, agent, opponent, board=(), selected=None, i=0):
    """Cards: ``agent`` / ``opponent`` are 5 (N, E, S, W) tuples each, cards 0..4 / 5..9.
    ``board``: (cell, card, owner) triples, owner +1 / -1; those cards are no longer in hand."""
    c = env._sim.c
    ref = Reference(0)
    ref.cards = [*agent, *opponent]
    ref.in_hand = [True] * 10
    ref.board = [None] * 9
    for cell, card, owner in board:
        ref.in_hand[card] = False
        ref.board[cell] = [owner, ref.cards[card]]
    ref.selected = selected
    for k, v in enumerate(np.array(ref.cards).ravel()):
        c.ranks[40 * i + k] = int(v)
    for p in range(9):
        for k in range(4):
            c.board[36 * i + 4 * p + k] = ref.board[p][1][k] if ref.board[p] else 0
    c.hands[i] = sum(1 << k for k in range(10) if ref.in_hand[k])
    c.empty[i] = sum(1 << p for p in range(9) if ref.board[p] is None)
    c.mine[i] = sum(1 << p for p in range(9) if ref.board[p] and ref.board[p][0] == 1)
    c.selected[i] = -1 if selected is None else selected
    env.buffers.observations[i] = ref.observation()
    return ref


def act(env, *actions):
    return env.step(np.array(actions, np.int32))


def owners(env, i=0):
    return env.buffers.observations[i, :9].reshape(3, 3).tolist()


# Five weak cards, used where a hand's content does not matter.
ONES = [(1, 1, 1, 1)] * 5


@pytest.mark.parametrize(("east", "reward", "score"), [(6, 0.0, 5), (7, 1.0, 6)])
def test_last_card_captures_strictly_higher_sides(east, reward, score):
    env = TripleTriad(max_steps=50, report_every=1)
    env.reset(seed=0)
    # The agent started; 8 cards are down and it places its 5th and last card, card 4
    # (N 5, E east, S 3, W 7), on the centre. The opponent keeps card 9 in hand.
    #       1           5           1
    #     1 A 1       1 A 1       1 O 1        cells 0, 1, 2: cards 0, 1 (the agent's), 5
    #       1           5           1
    #
    #       1           5           1
    #     1 O 4      7 [4] E      6 O 1        cells 3, 5: cards 6, 7 (the opponent's)
    #       1           3           1
    #
    #       1           1           1
    #     1 O 1       1 A 1       1 O 1        cells 6, 7, 8: cards 8, 2, 3 (card 3 is the
    #       1           1           1          agent's, captured earlier)
    # W 7 vs E 4 of cell 3: captured. N 5 vs S 5 of cell 1 and S 3 vs N 1 of cell 7: own cards.
    # E vs W 6 of cell 5: east 6 is equal, no capture: agent 0, 1, 3, 4, 7 = 5, opponent
    # 2, 5, 6, 8 + card 9 in hand = 5, a draw; east 7 captures it too: 6 to 4, a win.
    agent = [(1, 1, 1, 1), (5, 1, 5, 1), (1, 1, 1, 1), (1, 1, 1, 1), (5, east, 3, 7)]
    opponent = [(1, 1, 1, 1), (1, 4, 1, 1), (1, 1, 1, 6), (1, 1, 1, 1), (1, 1, 1, 1)]
    board = [(0, 0, 1), (1, 1, 1), (2, 5, -1), (3, 6, -1), (5, 7, -1), (6, 8, -1), (7, 2, 1), (8, 3, -1)]
    setup(env, agent, opponent, board, selected=4)
    obs, rew, term, trunc, infos = act(env, PLACE + 4)
    assert rew[0] == reward and term[0] and not trunc[0]
    assert infos == [{"episode_return": reward, "episode_length": 1.0, "win": float(reward == 1), "draw":
                      float(reward == 0), "loss": 0.0, "score": float(score), "illegal": 0.0, "episode_count": 1}]
    # Same-step autoreset: the observation is the next game's empty board with fresh hands.
    assert (obs[0, :OBS_HAND] == 0).all() and (obs[0, OBS_HAND:OBS_SELECTED] > 0).all()
    np.testing.assert_array_equal(obs[0, OBS_MASK:], [1] * 5 + [0] * 9)


def test_opponent_places_the_ninth_card_and_wins():
    backend = envsdk.backends.Serial(TripleTriad, first="opponent", report_every=1, final_observations=True)
    env = backend.envs[0]
    env.reset(seed=0)
    # The opponent started, so it places the 9th card. The agent places card 0 (1, 1, 1, 1) on
    # cell 0 and keeps card 4; the opponent must then put its last card, 9 (8, 8, 8, 8), on cell 8.
    #       1           1           1
    #     1[0]1       1 O 1       1 A 1        cells 1, 2: cards 5, 1
    #       1           1           1          card 0 captures nothing (E 1 vs W 1 of cell 1)
    #
    #       1           1           1
    #     1 A 1       1 O 1       1 O 1        cells 3, 4, 5: cards 2, 3 (the agent's, captured
    #       1           1           1          earlier), 6
    #
    #       1           1           8
    #     1 O 1       1 A 1       8[9]8        cells 6, 7: cards 7, 8 (the opponent's, captured
    #       1           1           8          earlier); card 9: W 8 vs E 1 of cell 7: captured
    # Final: agent cells 0, 2, 3 + card 4 in hand = 4; opponent 1, 4, 5, 6, 7, 8 = 6: a loss.
    agent = [(1, 1, 1, 1)] * 5
    opponent = [(1, 1, 1, 1)] * 4 + [(8, 8, 8, 8)]
    board = [(1, 5, -1), (2, 1, 1), (3, 2, 1), (4, 3, -1), (5, 6, -1), (6, 7, -1), (7, 8, 1)]
    setup(env, agent, opponent, board, selected=0)
    assert env.buffers.observations[0, OBS_SELECTED] == 1
    obs, rew, term, trunc, infos = act(env, PLACE + 0)
    assert rew[0] == -1.0 and term[0] and not trunc[0]
    assert infos[0]["loss"] == 1.0 and infos[0]["score"] == 4.0
    # The final observation is the full board: every owner (card 8 on cell 7 captured), every
    # card's ranks, the agent's card 4 alone in hand, nothing selected and no legal action left.
    final = backend.buffers.final_observations[0]
    assert final[:9].reshape(3, 3).tolist() == [[1, -1, 1], [1, -1, -1], [-1, -1, -1]]
    assert final[OBS_BOARD:OBS_HAND].reshape(9, 4).tolist() == [[1] * 4] * 8 + [[8] * 4]
    assert final[OBS_HAND:OBS_SELECTED].tolist() == [0] * 16 + [1] * 4 + [0] * 20
    assert (final[OBS_SELECTED:] == 0).all()


def test_greedy_opponent_takes_the_unique_best_capture():
    env = TripleTriad(opponent="greedy")
    env.reset(seed=0)
    # The agent places card 0 (1, 1, 9, 1) on cell 0; card 1 (3, 3, 3, 3) is on the centre and
    # the opponent's card 7 (1, 1, 1, 1) on cell 8. The greedy opponent holds card 6 (5, 5, 5, 5)
    # and three (1, 1, 1, 1). Its only move capturing two: card 6 on cell 1 (W 5 > E 1 of
    # cell 0, S 5 > N 3 of cell 4). On cell 3 it would take only the centre (N 5 < S 9).
    #       1                                        owners after:
    #     1[0]1        6?                                O  O  .
    #       9           3                                .  O  .
    #                 3 A 3                              .  .  O
    #                   3           1
    #                             1 O 1
    #                               1
    agent = [(1, 1, 9, 1), (3, 3, 3, 3), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)]
    opponent = [(1, 1, 1, 1), (5, 5, 5, 5), (1, 1, 1, 1), (1, 1, 1, 1), (1, 1, 1, 1)]
    setup(env, agent, opponent, [(4, 1, 1), (8, 7, -1)], selected=0)
    obs, rew, term, trunc, _ = act(env, PLACE + 0)
    assert owners(env) == [[-1, -1, 0], [0, -1, 0], [0, 0, -1]]
    assert rew[0] == 0 and not term[0] and not trunc[0]
    np.testing.assert_array_equal(obs[0, OBS_BOARD + 4:OBS_BOARD + 8], [5, 5, 5, 5])  # card 6 on cell 1
    np.testing.assert_array_equal(obs[0, OBS_OPPONENT_HAND + 4:OBS_OPPONENT_HAND + 8], [0, 0, 0, 0])
    # Back in the select phase: the agent's cards 2, 3, 4 are left.
    np.testing.assert_array_equal(obs[0, OBS_MASK:], [0, 0, 1, 1, 1] + [0] * 9)
    assert (obs[0, OBS_SELECTED:OBS_MASK] == 0).all()


def test_select_then_place_writes_the_observation():
    env = TripleTriad(opponent="greedy")
    env.reset(seed=0)
    setup(env, [(1, 2, 3, 4), *ONES[1:]], [(9, 9, 9, 9), *ONES[1:]])
    # Select card 0: the one-hot and the place-phase mask (all 9 cells) appear, nothing else changes.
    obs, rew, *_ = act(env, 0)
    assert rew[0] == 0 and obs[0, OBS_SELECTED] == 1
    np.testing.assert_array_equal(obs[0, OBS_MASK:], [0] * 5 + [1] * 9)
    # Place it top left. The greedy opponent's only capturing moves are its (9, 9, 9, 9) card on
    # cell 1 (W 9 > E 2) or cell 3 (N 9 > S 3): two tied pairs, the RNG picks one.
    obs, *_ = act(env, PLACE + 0)
    assert owners(env)[0][0] == -1 and obs[0, :9].tolist().count(-1) == 2
    np.testing.assert_array_equal(obs[0, OBS_HAND:OBS_HAND + 4], [0, 0, 0, 0])


def test_opponent_first_shows_its_opening_card():
    env = TripleTriad(num_envs=8, first="opponent")
    obs, _ = env.reset(seed=1)
    assert ((obs[:, :9] == -1).sum(axis=1) == 1).all() and ((obs[:, :9] == 1).sum(axis=1) == 0).all()
    assert ((obs[:, OBS_OPPONENT_HAND:OBS_SELECTED].reshape(8, 5, 4) == 0).all(axis=2).sum(axis=1) == 1).all()
    toss = TripleTriad(num_envs=64, first="random")
    obs, _ = toss.reset(seed=1)
    first = (obs[:, :9] == -1).any(axis=1)
    assert 10 < first.sum() < 54  # a coin toss per sub-env


def test_deal_is_uniform_over_ranks():
    env = TripleTriad(num_envs=4096, max_rank=7)
    obs, _ = env.reset(seed=0)
    counts = np.bincount(obs[:, OBS_HAND:OBS_SELECTED].ravel(), minlength=8)
    assert counts[0] == 0 and (np.abs(counts[1:] / counts[1:].mean() - 1) < 0.03).all()


def test_illegal_actions_change_nothing_and_cost_the_penalty():
    env = TripleTriad(num_envs=6, max_steps=100, illegal_reward=-0.25)
    env.reset(seed=0)
    for i in range(6):
        # Every sub-env: the opponent's card 5 on the centre; sub-env 0 also has card 0 played.
        board = [(4, 5, -1), (0, 0, 1)] if i == 0 else [(4, 5, -1)]
        setup(env, [(5, 5, 5, 5)] * 5, ONES, board, selected=None if i < 3 else 1, i=i)
    before = env.buffers.observations.copy()
    # Select phase (rows 0-2): a played card, a place action, out of range. Place phase (rows
    # 3-5): an occupied cell (4), a select action, out of range.
    obs, rew, term, trunc, _ = act(env, 0, PLACE + 0, -7, PLACE + 4, 2, 2**31 - 1)
    np.testing.assert_array_equal(obs, before)
    np.testing.assert_array_equal(rew, [-0.25] * 6)
    assert not term.any() and not trunc.any()
    assert list(env._sim.c.illegal[0:6]) == [1] * 6


def test_truncation_after_max_steps():
    env = TripleTriad(max_steps=3, illegal_reward=-0.5, report_every=1)
    env.reset(seed=0)
    # Select, then two illegal actions: the third step truncates (reward of that step only).
    act(env, 0)
    act(env, 0)
    obs, rew, term, trunc, infos = act(env, 99)
    assert trunc[0] and not term[0] and rew[0] == -0.5
    assert infos == [{"episode_return": -1.0, "episode_length": 3.0, "win": 0.0, "draw": 0.0, "loss": 0.0,
                      "score": 5.0, "illegal": 2.0, "episode_count": 1}]
    assert env._sim.c.tick[0] == 0 and (obs[0, :OBS_HAND] == 0).all()


def test_full_games_with_legal_play_last_ten_steps():
    env = TripleTriad(num_envs=16, opponent="greedy", report_every=1)
    obs, _ = env.reset(seed=5)
    rng = np.random.default_rng(0)
    for t in range(10):
        a = np.array([rng.choice(np.flatnonzero(m)) for m in obs[:, OBS_MASK:]], np.int32)
        obs, rew, term, trunc, infos = env.step(a)
        assert term.all() == (t == 9) and not trunc.any()
    assert infos[0]["episode_count"] == 16 and infos[0]["illegal"] == 0.0
    assert infos[0]["win"] + infos[0]["draw"] + infos[0]["loss"] == 1.0


# ---------------------------------------------------------------------------------------------
# Contract, input errors, fuzzing, rendering.

def test_conforms():
    assert_conforms(TripleTriad, num_envs=4, max_steps=20)
    assert_conforms(TripleTriad, num_envs=3, opponent="greedy", first="random", max_rank=4)


def test_registered_and_steps_at_scale():
    check_steps_at_scale("tripletriad", 4096, 0, (4096, OBS_SIZE), dtype=np.int8)



@pytest.mark.parametrize(("config", "match"), [
    (dict(oponent="greedy"), r"expected config keys among num_envs, opponent, first.*'oponent'"),
    (dict(opponent="smart"), r"opponent among 'random', 'greedy', found 'smart'"),
    (dict(first=1), "first among 'agent', 'opponent', 'random'"),
    (dict(max_rank=100), "max_rank"),
    (dict(max_steps=0), "max_steps"),
    (dict(illegal_reward=1.0), "illegal_reward"),
    (dict(num_envs=0), "num_envs"),
])
def test_config_errors_name_the_key(config, match):
    with pytest.raises(ConfigError, match=match):
        TripleTriad(**config)



@settings(max_examples=30, deadline=None)
@given(
    num_envs=st.integers(1, 4), opponent=st.sampled_from(["random", "greedy"]),
    first=st.sampled_from(["agent", "opponent", "random"]), max_rank=st.integers(1, 99),
    max_steps=st.integers(1, 40), illegal_reward=st.sampled_from([0.0, -0.1, -3.0]), seed=st.integers(0, 2**64 - 1),
    actions=st.lists(st.integers(-(2**31), 2**31 - 1) | st.integers(0, 13), min_size=40, max_size=40),
)
def test_fuzz_against_the_reference(num_envs, opponent, first, max_rank, max_steps, illegal_reward, seed, actions):
    config = dict(opponent=opponent, first=first, max_rank=max_rank, max_steps=max_steps,
                  illegal_reward=illegal_reward)
    env = envsdk.backends.Serial(TripleTriad, num_envs=num_envs, final_observations=True, **config)
    obs, _ = env.reset(seed=seed)
    games = [Reference((seed + i) % 2**64, **config) for i in range(num_envs)]
    for a in actions:
        row = (np.arange(num_envs, dtype=np.int64) + a).astype(np.int32)  # a different action per sub-env
        obs, rew, term, trunc, _ = env.step(row)
        out = [g.step(int(x)) for g, x in zip(games, row, strict=True)]
        for i in np.flatnonzero(term | trunc):
            np.testing.assert_array_equal(env.buffers.final_observations[i], games[i].final)
        np.testing.assert_array_equal(obs, np.stack([g.observation() for g in games]))
        np.testing.assert_array_equal(rew, np.array([o[0] for o in out], np.float32))
        np.testing.assert_array_equal(term, [o[1] for o in out])
        np.testing.assert_array_equal(trunc, [o[2] for o in out])
        assert not (term & trunc).any() and (obs >= -1).all() and (obs <= max_rank).all()
    env.close()


def test_render():
    env = TripleTriad(opponent="greedy")
    env.reset(seed=0)
    setup(env, [(1, 2, 3, 4), *ONES[1:]], [(10, 10, 10, 10), *ONES[1:]], [(4, 5, -1)], selected=0)
    frame = rgb_frame(env, (142, 130, 3))
    # Opponent hand on top: card 5 played (blank slot), card 6 drawn red; board centre (cell 4)
    # red; cell 0 empty grey; the agent's selected card 0 framed in yellow.
    assert (frame[1:25, 1:25] == [20, 20, 28]).all() and (frame[1, 27] == [170, 40, 40]).all()
    assert (frame[32 + 26 + 1, 26 + 26 + 1] == [170, 40, 40]).all()
    assert (frame[32 + 1, 26 + 1] == [45, 45, 58]).all()
    assert (frame[4 * 26 + 12 + 1, 1] == [255, 210, 60]).all() and (frame[4 * 26 + 12 + 3, 3] == [0, 150, 170]).all()
    text = env.render("ansi")
    assert "10 " in text and "cards owned: agent 5, opponent 5" in text and len(text.splitlines()) == 23
