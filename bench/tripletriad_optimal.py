"""The best win rate any policy can reach in ``tripletriad`` against its built-in opponents, by exact solving.

    python bench/tripletriad_optimal.py [--deals N] [--seed S] [--workers W] [--handover G]

What it measures: the env's deals (``envsdk.make("tripletriad", num_envs=N, first=...)``,
``reset(seed=S)``), read from the first observation, each solved EXACTLY by expectimax: the agent
maximizes (W) the probability of winning or (R) the expected return (+1 / 0 / -1); the opponent
is a chance node, uniform over its legal (unplayed card, empty cell) pairs ("random"), or uniform
over the pairs capturing the most cards ("greedy": exactly its tie-breaking distribution). The
agent's two-action move (select, then place) is one (card, cell) choice here, and an illegal
action is never optimal. Per starter (the agent first; the opponent first, the game then starting
before its opening card, so the value averages over it) it prints the mean over deals of each
policy's win / draw / loss probabilities with 95% confidence half-widths (normal approximation
over deals), and the coin toss (first="random"): the per-deal mean of the two starters.

The solver is C (``tripletriad_optimal.c`` beside this file, which explains its exact reductions),
compiled with cffi into a temporary directory at each run; deals run in parallel, one process
per worker, each with its own transposition table (``--table-log2``, 48 bytes an entry).

Validation, against the real env, printed after the table:
  * play: the W policy plays every solved deal inside the env (select then place actions),
    tracking the state with this script's own Python rules; every step's board (owners and
    ranks) and every final reward must match those rules, and the win rate must match the mean
    predicted win probability within sampling noise (z of the difference over the exact
    Bernoulli variance; |z| < 3 passes). ``--handover G`` more games per starter and opponent
    are cheaper: the agent plays its first two cards by a fixed rule (lowest card, lowest empty
    cell), then the solver takes over, predicting from that position;
  * brute force: for a few deals, a fixed policy (lowest card on the lowest empty cell) valued
    by the C code and by a plain Python enumeration of the opponent's moves; and the solver's
    four values (win and draw under W and under R) from mid-game positions against a plain Python
    expectimax (no table, no shortcuts).

Runtime: a random-opponent deal takes ~1-15 s of one core per starter (most of the run); greedy
well under a second. The default 32 deals per starter take about 4-5 minutes on 2 cores; the
cost is linear in --deals.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import envsdk

C_SOURCE = Path(__file__).resolve().with_suffix(".c")
CDEF = """
int tt_init(int log2_size);
void set_deal(const int8_t* ranks, int kind);
void solve(const int8_t* cells, uint32_t mine, int mover, double* out);
int best_move(const int8_t* cells, uint32_t mine, int policy, double* out);
void eval_fixed(const int8_t* cells, uint32_t mine, int mover, double* out);
void counters(uint64_t* out);
"""
STARTERS = ("agent", "opponent")
KINDS = ("random", "greedy")  # index = the C solver's opponent kind
# Observation layout (the TripleTriad docstring): owners, board ranks, both hands, selected card, mask.
OBS_OWNERS, OBS_BOARD, OBS_HANDS, OBS_MASK = 0, 9, 45, 90
PLACE = 5  # actions 5..13 place the selected card on cell (action - 5)
NEIGHBOURS = (  # cell p's neighbour in direction N, E, S, W; -1 off the board
    (-1, 1, 3, -1), (-1, 2, 4, 0), (-1, -1, 5, 1),
    (0, 4, 6, -1), (1, 5, 7, 3), (2, -1, 8, 4),
    (3, 7, -1, -1), (4, 8, -1, 6), (5, -1, -1, 7),
)
EPS = 1e-10  # the C solver's tie tolerance (TT_EPS)
HANDOVER_OFFSET = 1_000_000  # handover games use seeds seed + HANDOVER_OFFSET + j, apart from the deals

_solver = None  # (ffi, lib) of this process, set by load_solver


# ---- the C solver ------------------------------------------------------------------------------------------


def build_solver(tmpdir: str) -> str:
    """Compile the C solver with cffi into ``tmpdir``; returns the extension's path."""
    from cffi import FFI

    source = C_SOURCE.read_text()
    # -march=native: a popcount instruction instead of a library call, for the machine that runs it.
    for flags in (["-O3", "-march=native"], ["-O3"]):
        builder = FFI()
        builder.cdef(CDEF)
        builder.set_source("_tripletriad_optimal", source, extra_compile_args=flags)
        try:
            return builder.compile(tmpdir=tmpdir, verbose=False)
        except Exception:  # a compiler without -march=native: retry plainly
            if flags == ["-O3"]:
                raise
    raise AssertionError("unreachable")


def load_solver(path: str, table_log2: int) -> None:
    """Load the compiled solver into this process and allocate its table."""
    global _solver
    spec = importlib.util.spec_from_file_location("_tripletriad_optimal", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if module.lib.tt_init(table_log2) != 0:
        raise MemoryError(f"could not allocate 2^{table_log2} table entries of 48 bytes; lower --table-log2")
    _solver = (module.ffi, module.lib)


def c_solve(cells, mine: int, mover: int) -> tuple[float, float, float, float]:
    """Exact (P(win), P(draw)) under W, then under R, of a position of the current deal."""
    ffi, lib = _solver
    out = ffi.new("double[4]")
    lib.solve(ffi.from_buffer("int8_t[]", np.asarray(cells, np.int8)), mine, mover, out)
    return tuple(out)


def c_best_move(cells, mine: int, policy: int = 0) -> tuple[int, int]:
    """The agent's best (card, cell) under policy 0 (W) or 1 (R)."""
    ffi, lib = _solver
    out = ffi.new("double[4]")
    move = lib.best_move(ffi.from_buffer("int8_t[]", np.asarray(cells, np.int8)), mine, policy, out)
    return divmod(move, 9)


def c_set_deal(ranks: np.ndarray, kind: str) -> None:
    """Make ``ranks`` [10, 4] (agent's cards 0..4, opponent's 5..9) against ``kind`` the current deal."""
    ffi, lib = _solver
    lib.set_deal(ffi.from_buffer("int8_t[]", np.ascontiguousarray(ranks, np.int8)), KINDS.index(kind))


# ---- the rules, in plain Python (independent of the C code; used to track and check the env) ----------------


def py_place(ranks, cells: tuple, mine: int, card: int, cell: int) -> tuple[tuple, int]:
    """Play ``card`` on the empty ``cell``: the new (cells, mine) after its captures (no chains)."""
    agent = card < 5
    cells = (*cells[:cell], card, *cells[cell + 1:])
    if agent:
        mine |= 1 << cell
    for d, q in enumerate(NEIGHBOURS[cell]):
        # Only occupied neighbours of the other side, and only with a strictly higher touching rank.
        if q >= 0 and cells[q] >= 0 and bool(mine >> q & 1) != agent and ranks[card][d] > ranks[cells[q]][d ^ 2]:
            mine ^= 1 << q
    return cells, mine


def py_captures(ranks, cells: tuple, mine: int, card: int, cell: int) -> int:
    """How many cards ``card`` on ``cell`` would capture (the greedy opponent's criterion)."""
    agent = card < 5
    return sum(
        1 for d, q in enumerate(NEIGHBOURS[cell])
        if q >= 0 and cells[q] >= 0 and bool(mine >> q & 1) != agent and ranks[card][d] > ranks[cells[q]][d ^ 2]
    )


def py_moves(ranks, cells: tuple, mine: int, side: int, kind: str) -> list[tuple[int, int]]:
    """``side``'s (card, cell) moves in ascending order (0 the agent, 1 the opponent); for the
    greedy opponent only those capturing the most."""
    on_board = set(cells)
    moves = [(c, p) for c in range(5 * side, 5 * side + 5) if c not in on_board for p in range(9) if cells[p] < 0]
    if side == 1 and kind == "greedy":
        caps = [py_captures(ranks, cells, mine, c, p) for c, p in moves]
        moves = [m for m, k in zip(moves, caps, strict=True) if k == max(caps)]
    return moves


def py_score(cells: tuple, mine: int) -> int:
    """The agent's score: the cells it owns plus its unplayed cards."""
    return bin(mine).count("1") + sum(1 for c in range(5) if c not in cells)


def py_fixed(ranks, cells: tuple, mine: int, mover: int, kind: str) -> tuple[float, float]:
    """(P(win), P(draw)) of the fixed policy "lowest card on the lowest empty cell", by enumeration."""
    if all(c >= 0 for c in cells):
        score = py_score(cells, mine)
        return float(score > 5), float(score == 5)
    if mover == 0:
        card, cell = py_moves(ranks, cells, mine, 0, kind)[0]
        return py_fixed(ranks, *py_place(ranks, cells, mine, card, cell), 1, kind)
    moves = py_moves(ranks, cells, mine, 1, kind)
    values = [py_fixed(ranks, *py_place(ranks, cells, mine, c, p), 0, kind) for c, p in moves]
    return sum(v[0] for v in values) / len(moves), sum(v[1] for v in values) / len(moves)


def py_expectimax(ranks, cells: tuple, mine: int, mover: int, kind: str) -> tuple[float, float, float, float]:
    """(P(win), P(draw)) under W, then under R, by plain expectimax with the C solver's tie rules."""
    if all(c >= 0 for c in cells):
        score = py_score(cells, mine)
        return (float(score > 5), float(score == 5)) * 2
    moves = py_moves(ranks, cells, mine, mover, kind)
    values = [py_expectimax(ranks, *py_place(ranks, cells, mine, c, p), 1 - mover, kind) for c, p in moves]
    if mover == 1:
        return tuple(sum(v[i] for v in values) / len(values) for i in range(4))

    def lex_max(pairs, key):
        best = pairs[0]
        for pair in pairs[1:]:
            a, b = key(pair), key(best)
            if a[0] > b[0] + EPS or (a[0] > b[0] - EPS and a[1] > b[1] + EPS):
                best = pair
        return best

    w = lex_max([v[:2] for v in values], lambda x: x)  # W: win, then draw
    r = lex_max([v[2:] for v in values], lambda x: (2 * x[0] + x[1], x[0]))  # R: return, then win
    return (*w, *r)


# ---- reading the env -----------------------------------------------------------------------------------------


def read_start(row: np.ndarray) -> tuple[np.ndarray, tuple, int]:
    """The deal and position of a first observation: ranks [10, 4], cells (card or -1), mine.

    With the opponent starting, its opening card is on the board and zeroed in its hand: that
    hand slot's ranks are the board cell's.
    """
    row = row.astype(np.int32)
    owners, board = row[OBS_OWNERS:OBS_BOARD], row[OBS_BOARD:OBS_HANDS].reshape(9, 4)
    ranks = row[OBS_HANDS:OBS_HANDS + 40].reshape(10, 4).copy()
    cells = [-1] * 9
    played = [c for c in range(10) if not ranks[c].any()]
    occupied = [p for p in range(9) if owners[p]]
    if len(played) != len(occupied) or len(occupied) > 1 or any(c < 5 for c in played):
        raise ValueError(f"unexpected first observation: played cards {played}, occupied cells {occupied}")
    for c, p in zip(played, occupied, strict=True):
        if owners[p] != -1:
            raise ValueError("the opponent's opening card is not the opponent's")
        ranks[c], cells[p] = board[p], c
    if (ranks < 1).any():
        raise ValueError("a dealt rank is below 1")
    return ranks.astype(np.int8), tuple(cells), 0


def check_board(row: np.ndarray, ranks, cells: tuple, mine: int) -> bool:
    """Whether an observation's owners and board ranks are those of (cells, mine)."""
    owners = [0 if c < 0 else (1 if mine >> p & 1 else -1) for p, c in enumerate(cells)]
    board = [list(ranks[c]) if c >= 0 else [0, 0, 0, 0] for c in cells]
    return (list(row[OBS_OWNERS:OBS_BOARD]) == owners
            and row[OBS_BOARD:OBS_HANDS].reshape(9, 4).tolist() == board)


def play(env, ranks, cells: tuple, mine: int, kind: str, fixed_cards: int = 0) -> tuple[float, float, int, str]:
    """Play one game in ``env`` (just reset, its first observation giving cells and mine).

    The agent plays ``fixed_cards`` cards by the fixed rule (lowest card, lowest empty cell), then
    the W policy. Returns (the predicted P(win) when the solver took over, the env's final
    reward, the number of steps, an error description or ""). The state is tracked with
    ``py_place`` and checked against every observation; the final reward against ``py_score``.
    """
    predicted, played = None, 0
    for _ in range(5):
        if played >= fixed_cards:
            if predicted is None:
                predicted = c_solve(cells, mine, 0)[0]
            card, cell = c_best_move(cells, mine, 0)
        else:
            card, cell = py_moves(ranks, cells, mine, 0, kind)[0]
        played += 1
        obs, reward, terminal, _, _ = env.step(np.array([card], np.int32))
        if terminal[0] or reward[0] != 0 or obs[0, OBS_MASK + PLACE + cell] != 1:
            return predicted, 0.0, played, f"selecting card {card} was not a plain legal step"
        obs, reward, terminal, truncated, _ = env.step(np.array([PLACE + cell], np.int32))
        before = obs[0].astype(np.int32)  # the board after the opponent's answer (or the next episode's start)
        cells, mine = py_place(ranks, cells, mine, card, cell)
        if terminal[0] or truncated[0]:
            if truncated[0]:
                return predicted, float(reward[0]), played, "truncated"
            empty = [p for p in range(9) if cells[p] < 0]
            if empty:  # the opponent's last move is forced: its one card on the one cell
                (last,) = [c for c in range(5, 10) if c not in cells]
                cells, mine = py_place(ranks, cells, mine, last, empty[0])
            score = py_score(cells, mine)
            expected = 1.0 if score > 5 else (-1.0 if score < 5 else 0.0)
            error = "" if reward[0] == expected else f"final reward {reward[0]}, rules give {expected}"
            return predicted, float(reward[0]), played, error
        # The opponent's answer: the newly occupied cell and the card gone from its hand.
        new_cells = [p for p in range(9) if cells[p] < 0 and before[OBS_OWNERS + p] != 0]
        hand = before[OBS_HANDS + 20:OBS_HANDS + 40].reshape(5, 4)
        gone = [5 + k for k in range(5) if not hand[k].any() and 5 + k not in cells]
        if len(new_cells) != 1 or len(gone) != 1 or reward[0] != 0:
            return predicted, 0.0, played, f"unreadable opponent move: cells {new_cells}, cards {gone}"
        cells, mine = py_place(ranks, cells, mine, gone[0], new_cells[0])
        if not check_board(before, ranks, cells, mine):
            return predicted, 0.0, played, "the env's board differs from the rules' after a move"
    return predicted, 0.0, played, "the game did not end after 5 agent moves"


# ---- the work: one deal per task -----------------------------------------------------------------------------

_envs: dict = {}


def _env(starter: str, kind: str):
    """This process's one-sub-env env for (starter, kind); reset(seed=S + i) gives sub-env i of the big env."""
    key = (starter, kind)
    if key not in _envs:
        _envs[key] = envsdk.make("tripletriad", num_envs=1, first=starter, opponent=kind)
    return _envs[key]


def solve_deal(task: tuple) -> dict:
    """Solve one deal (exactly, from the empty board) and play it in the env with the W policy."""
    seed, starter, kind, first_row = task
    env = _env(starter, kind)
    obs, _ = env.reset(seed=seed)
    if not np.array_equal(obs[0], first_row):
        raise RuntimeError(f"seed {seed}: a 1-env reset differs from the batched env's sub-env")
    ranks, cells, mine = read_start(obs[0])
    start = time.perf_counter()
    c_set_deal(ranks, kind)
    values = c_solve((-1,) * 9, 0, STARTERS.index(starter))
    seconds = time.perf_counter() - start
    predicted, reward, _, error = play(env, ranks, cells, mine, kind)
    return {"starter": starter, "kind": kind, "values": values, "seconds": seconds,
            "predicted": predicted, "reward": reward, "error": error}


def handover_game(task: tuple) -> dict:
    """A validation game: two fixed-rule agent cards, then the solver (see the module docstring)."""
    seed, starter, kind = task
    env = _env(starter, kind)
    obs, _ = env.reset(seed=seed)
    ranks, cells, mine = read_start(obs[0])
    c_set_deal(ranks, kind)
    predicted, reward, _, error = play(env, ranks, cells, mine, kind, fixed_cards=2)
    return {"starter": starter, "kind": kind, "predicted": predicted, "reward": reward, "error": error}


def brute_force_checks(rows: dict, count: int, rng: np.random.Generator) -> list[str]:
    """The C solver against plain Python enumeration on a few deals; returns failures."""
    failures = []
    for (starter, kind), deal_rows in rows.items():
        for row in deal_rows[:count]:
            ranks, cells, mine = read_start(row)
            c_set_deal(ranks, kind)
            ffi, lib = _solver
            # A fixed policy from the empty board (the C side shares the solver's rules code).
            out = ffi.new("double[2]")
            empty, mover = (-1,) * 9, STARTERS.index(starter)
            lib.eval_fixed(ffi.from_buffer("int8_t[]", np.array(empty, np.int8)), 0, mover, out)
            expected = py_fixed(ranks, empty, 0, mover, kind)
            if max(abs(out[0] - expected[0]), abs(out[1] - expected[1])) > 1e-9:
                failures.append(f"fixed policy {starter}/{kind}: C {tuple(out)} vs Python {expected}")
            # The solver from mid-game positions (random legal play to 6, 5, 4 or 3 empty cells).
            for left in (6, 5, 4, 3):
                position, turn = (empty, 0), mover
                while sum(c < 0 for c in position[0]) > left:
                    moves = py_moves(ranks, *position, turn, "random")
                    position, turn = py_place(ranks, *position, *moves[rng.integers(len(moves))]), 1 - turn
                got, expected = c_solve(position[0], position[1], turn), py_expectimax(ranks, *position, turn, kind)
                if max(abs(a - b) for a, b in zip(got, expected, strict=True)) > 1e-9:
                    failures.append(f"expectimax {starter}/{kind} {position}: C {got} vs Python {expected}")
    return failures


# ---- statistics and the table --------------------------------------------------------------------------------


def mean_ci(values) -> tuple[float, float]:
    """Mean and 95% half-width (normal approximation) of per-deal values."""
    x = np.asarray(values, np.float64)
    return float(x.mean()), float(1.96 * x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else float("nan")


def outcomes(values: np.ndarray, policy: int) -> np.ndarray:
    """Per-deal (win, draw, loss) of policy 0 (W) or 1 (R) from the solver's 4 values per deal."""
    win, draw = values[:, 2 * policy], values[:, 2 * policy + 1]
    return np.stack([win, draw, 1.0 - win - draw], axis=1)


def z_score(predicted, rewards) -> tuple[float, float, float]:
    """Empirical win rate, mean predicted P(win), and z of their difference (exact Bernoulli variance)."""
    p = np.asarray(predicted, np.float64)
    won = (np.asarray(rewards) > 0).astype(np.float64)
    var = float((p * (1 - p)).sum())
    diff = float(won.sum() - p.sum())
    z = diff / math.sqrt(var) if var > 0 else (0.0 if abs(diff) < 1e-9 else math.inf)
    return float(won.mean()), float(p.mean()), z


def print_table(results: list[dict]) -> None:
    """The table: per opponent and starter, both policies' win / draw / loss with 95% half-widths."""
    print(f"{'opponent':<8} {'starter':<9} {'deals':>5} | {'W: max P(win):  win':>22} {'draw':>15} {'loss':>15} "
          f"| {'R: max E[return]:  win':>22} {'draw':>15} {'loss':>15} {'E[return]':>9} | {'s/deal':>6}")
    for kind in KINDS:
        per_starter = {}
        for starter in STARTERS:
            rs = [r for r in results if r["kind"] == kind and r["starter"] == starter]
            if rs:
                per_starter[starter] = (np.array([r["values"] for r in rs]), np.mean([r["seconds"] for r in rs]))
        if len(per_starter) == 2:  # the coin toss: per deal, the mean of the two starters (same deals)
            a, b = per_starter["agent"][0], per_starter["opponent"][0]
            per_starter["coin toss"] = ((a + b) / 2, (per_starter["agent"][1] + per_starter["opponent"][1]) / 2)
        for starter, (values, seconds) in per_starter.items():
            cells = []
            for policy in (0, 1):
                stats = [mean_ci(column) for column in outcomes(values, policy).T]
                cells.append(" ".join(f"{m:.4f}±{h:.4f}".rjust(15 if j else 22) for j, (m, h) in enumerate(stats)))
            ret = outcomes(values, 1) @ np.array([1.0, 0.0, -1.0])
            print(f"{kind:<8} {starter:<9} {len(values):>5} | {cells[0]} | {cells[1]} {np.mean(ret):>9.4f} "
                  f"| {seconds:>6.2f}")


# ---- main ------------------------------------------------------------------------------------------------------


def main() -> int:
    """Solve, validate, print; exit status 1 if any validation fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=32, help="deals per starter (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="reset seed of the batched env (default 0)")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                        help="processes, each with its own table (default: the cores, at most 4)")
    parser.add_argument("--handover", type=int, default=200,
                        help="extra validation games per starter and opponent (default 200)")
    parser.add_argument("--checks", type=int, default=1,
                        help="deals per starter and opponent for the brute-force checks (default 1)")
    parser.add_argument("--table-log2", type=int, default=24,
                        help="log2 of table entries per worker, 48 bytes each (default 24: 805 MB)")
    args = parser.parse_args()
    start = time.perf_counter()

    # The deals, exactly as the env deals them: sub-env i of a batched env reset with the seed.
    rows = {}
    for starter in STARTERS:
        for kind in KINDS:
            env = envsdk.make("tripletriad", num_envs=args.deals, starter=starter, opponent=kind)
            obs, _ = env.reset(seed=args.seed)
            rows[starter, kind] = obs.copy()
            env.close()
    deal_tasks = [(args.seed + i, starter, kind, rows[starter, kind][i])
                  for kind in KINDS for starter in STARTERS for i in range(args.deals)]
    handover_tasks = [(args.seed + HANDOVER_OFFSET + j, starter, kind)
                      for kind in KINDS for starter in STARTERS for j in range(args.handover)]

    with tempfile.TemporaryDirectory(prefix="tripletriad_optimal_") as tmp:
        path = build_solver(tmp)
        built = time.perf_counter() - start
        load_solver(path, 16)  # this process: brute-force checks only, small positions
        checks_start = time.perf_counter()
        failures = brute_force_checks(rows, args.checks, np.random.default_rng(args.seed))
        checks_seconds = time.perf_counter() - checks_start
        # Fork: the workers inherit the loaded module; each allocates its own table.
        ctx = mp.get_context("fork")
        with ctx.Pool(args.workers, initializer=load_solver, initargs=(path, args.table_log2)) as pool:
            solve_start = time.perf_counter()
            results = list(pool.imap_unordered(solve_deal, deal_tasks))
            solve_seconds = time.perf_counter() - solve_start
            games = list(pool.imap_unordered(handover_game, handover_tasks, chunksize=8))

    print(f"tripletriad (max_rank 10): the best any policy achieves against the built-in opponent, solved exactly; "
          f"{args.deals} deals per starter from seed {args.seed} (mean ± 95% half-width over deals)")
    print_table(results)
    print()
    print("validation in the env (W policy; win rate vs mean predicted P(win); |z| < 3 passes):")
    ok = not failures
    for label, group in (("full games", results), ("handover after 2 fixed cards", games)):
        for kind in KINDS:
            for starter in STARTERS:
                rs = [r for r in group if r["kind"] == kind and r["starter"] == starter]
                if not rs:
                    continue
                errors = [r["error"] for r in rs if r["error"]]
                clean = [r for r in rs if not r["error"]]  # a game the rules lost track of predicts nothing
                rate, predicted, z = z_score([r["predicted"] for r in clean], [r["reward"] for r in clean])
                passed = not errors and abs(z) < 3
                ok &= passed
                print(f"  {label:<29} {kind:<7} {starter:<9} {len(rs):>4} games: won {rate:.4f}, predicted "
                      f"{predicted:.4f}, z {z:+.2f}, rule mismatches {len(errors)}  {'PASS' if passed else 'FAIL'}")
                for error in errors[:3]:
                    print(f"      {error}")
    print(f"  brute force ({args.checks} deal(s) per starter and opponent: fixed policy from the empty board, "
          f"solver from 4 mid-game positions): {'PASS' if not failures else 'FAIL'} ({checks_seconds:.1f} s)")
    for failure in failures:
        print(f"      {failure}")
    total = time.perf_counter() - start
    print(f"seconds: {total:.1f} total ({built:.1f} compile, {solve_seconds:.1f} solving + full games on "
          f"{args.workers} workers)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
