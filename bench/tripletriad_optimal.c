// tripletriad_optimal.c: exact expectimax for one Triple Triad deal against the env's built-in
// opponent (uniformly random, or greedy with uniform tie-breaking), for bench/tripletriad_optimal.py,
// which compiles this file with cffi into a temporary directory at run time.
//
// Rules (the docstring of envs/tripletriad.py's TripleTriad): cards 0..4 are the agent's, 5..9
// the opponent's, each with ranks N, E, S, W. A card placed on an empty cell captures each
// orthogonal neighbour owned by the other side whose rank on the touching side is strictly lower
// (no chains). After 9 placements, each side scores its cells plus its unplayed cards (the two
// sum to 10): more wins.
//
// One pass solves two agent policies at once; a value is (P(win), P(draw)) for each:
//   W maximizes P(win); among moves with equal P(win), the higher P(draw) (= higher return);
//   R maximizes the expected return 2 P(win) + P(draw) - 1; among equal returns, higher P(win).
// (Alpha-beta style pruning, Star1, was tried: the agent's alternatives are mostly close in value,
// so it cut little, and one unpruned pass for both policies costs about what one pruned pass
// costs for one.)
//
// Speed: the naive tree has ~5e9 leaves, and a table keyed on the exact state holds ~2e7 states
// per deal. So the table key keeps only what the future depends on:
//   - the cards in hand, the empty cells, who moves;
//   - "settled" cells, those no card left to the other side can capture (their owner is final;
//     a cell with no empty neighbour is always settled): only how many the agent owns;
//   - every other occupied cell: its owner and, per empty neighbour, HOW MANY of the cards still
//     in hand would capture it from there (placed card's rank on the touching side > its rank).
//     Those cards are always the top of the hand by that rank, so the count names the set, and
//     only a card placed on that neighbour ever compares against that rank. When the cell has
//     one empty neighbour, only the other side's cards can ever take it (its owner cannot change
//     before that neighbour is filled), so only they are counted.
// Equal keys have equal futures, so the table is exact. It is also only a cache: an entry lost
// to replacement is recomputed, never guessed. A position whose outcome is already certain
// (settled cells plus the cards that must stay in hand decide it) is a leaf; the last two plies
// are searched directly (there a table probe costs more than the subtree); and a deal the agent
// wins whatever the opponent does is settled at the root by a cheap AND-OR search. Even so a
// random-opponent deal takes seconds: ~1e7 table states, nearly all needed, since the agent's
// alternatives are close in value and each must be valued exactly.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

// Values are sums of products of 1/k (k <= 45); distinct values differ by far more than this, and
// float rounding stays far below it, so a closer gap is a tie.
#define TT_EPS 1e-10
#define DIRECT_EMPTY 2  // positions with at most this many empty cells skip the table (search: last_two)

// Neighbour of cell p in direction N, E, S, W; -1 off the board.
static const int8_t NB[9][4] = {
    {-1, 1, 3, -1}, {-1, 2, 4, 0}, {-1, -1, 5, 1},
    {0, 4, 6, -1}, {1, 5, 7, 3}, {2, -1, 8, 4},
    {3, 7, -1, -1}, {4, 8, -1, 6}, {5, -1, -1, 7},
};

typedef struct { double ww, wd, rw, rd; } val;  // (P(win), P(draw)) under policies W and R
typedef struct { int8_t card[9]; uint8_t pad; uint16_t hands, empty, mine; } state;  // card -1: empty
typedef struct { uint64_t k1, k2; val v; } entry;                                      // 48 bytes

static int8_t RK[10][4];          // ranks of the deal's cards
static uint16_t TAKEN_BY[10][4];  // [c][d]: cards whose rank on side d ^ 2 beats c's on side d
static uint8_t EMPTY_DIRS[9][512];  // [p][empty]: bit d set if p's neighbour in direction d is empty
static uint16_t NB_MASK[9];         // [p]: p's neighbours
static uint8_t FACING[9][9];        // [q][p]: the side of q's card that touches neighbour p
static int KIND;                  // 0 random opponent, 1 greedy
static entry* TT;
static uint64_t TT_MASK, GEN, NODES, STORES, HITS;

#define AGENT_CARDS 0x1Fu
#define OPPONENT_CARDS 0x3E0u

static inline int popcount(uint32_t x) { return __builtin_popcount(x); }

// Play card c on the empty cell p of s into *out (captures, no chains); returns the captures.
// Branch-light: only occupied neighbours of the other side are candidates, a handful of bits.
static inline int place(const state* s, int c, int p, state* out) {
    const uint32_t agent = c < 5;
    const uint32_t empty = s->empty & ~(1u << p), mine = s->mine | (agent << p);
    const uint32_t other_side = agent ? ~empty & ~mine & 0x1FFu : mine;
    uint32_t flips = 0;
    for (uint32_t m = NB_MASK[p] & other_side; m; m &= m - 1) {
        const int q = __builtin_ctz(m);
        flips |= ((uint32_t)(TAKEN_BY[s->card[q]][FACING[q][p]] >> c) & 1u) << q;
    }
    *out = *s;
    out->card[p] = (int8_t)c;
    out->hands = (uint16_t)(s->hands & ~(1u << c));
    out->empty = (uint16_t)empty;
    out->mine = (uint16_t)(mine ^ flips);
    return popcount(flips);
}

// Captures card c would make on cell p, without playing it (the greedy opponent's criterion).
static inline int captures(const state* s, int c, int p) {
    const uint32_t other_side = c < 5 ? ~s->empty & ~s->mine & 0x1FFu : s->mine;
    int caps = 0;
    for (uint32_t m = NB_MASK[p] & other_side; m; m &= m - 1) {
        const int q = __builtin_ctz(m);
        caps += (TAKEN_BY[s->card[q]][FACING[q][p]] >> c) & 1u;
    }
    return caps;
}

static inline val known(int win, int draw) { return (val){win, draw, win, draw}; }

// The agent's score on a full board: cells it owns plus its unplayed card.
static inline val leaf(const state* s) {
    int score = popcount(s->mine) + popcount(s->hands & AGENT_CARDS);
    return known(score > 5, score == 5);
}

// The opponent's moves (card * 9 + cell): all its legal pairs, or for the greedy opponent the
// pairs that capture the most. Returns how many.
static inline int opponent_moves(const state* s, int* moves) {
    int n = 0, most = 0;
    for (uint32_t h = s->hands & OPPONENT_CARDS; h; h &= h - 1) {
        int c = __builtin_ctz(h);
        for (uint32_t e = s->empty; e; e &= e - 1) {
            int p = __builtin_ctz(e);
            if (KIND == 1) {
                int k = captures(s, c, p);
                if (k < most) continue;
                if (k > most) most = k, n = 0;
            }
            moves[n++] = c * 9 + p;
        }
    }
    return n;
}

// Strictly better under policy W (win probability, then draw probability).
static inline int better_w(double w, double d, double bw, double bd) {
    return w > bw + TT_EPS || (w > bw - TT_EPS && d > bd + TT_EPS);
}

// Strictly better under policy R (expected return, then win probability).
static inline int better_r(double w, double d, double bw, double bd) {
    double e = 2.0 * w + d, be = 2.0 * bw + bd;
    return e > be + TT_EPS || (e > be - TT_EPS && w > bw + TT_EPS);
}

static inline int sure_win(val v) { return v.ww >= 1.0 - TT_EPS && v.rw >= 1.0 - TT_EPS; }

// The table key (see the top), or the outcome when it is already certain: returns 2 (the agent
// wins whatever happens), 0 (it loses), 1 (a draw) or -1 (undecided; key written). k1 also holds
// the table generation, so a new deal needs no clearing.
static inline int make_key(const state* s, int mover, uint64_t* k1, uint64_t* k2) {
    uint64_t packed = 0;
    uint32_t own = 0, live = 0, settled_mine = 0, settled_theirs = 0;
    for (uint32_t occ = ~(uint32_t)s->empty & 0x1FFu; occ; occ &= occ - 1) {
        const int p = __builtin_ctz(occ), c = s->card[p];
        const uint32_t owner_is_agent = (s->mine >> p) & 1u;
        const uint32_t takers = s->hands & (owner_is_agent ? OPPONENT_CARDS : AGENT_CARDS);
        const uint32_t dirs = EMPTY_DIRS[p][s->empty];
        uint32_t threat = 0;
        for (uint32_t m = dirs; m; m &= m - 1) threat |= TAKEN_BY[c][__builtin_ctz(m)] & takers;
        if (!threat) {
            settled_mine += owner_is_agent, settled_theirs += !owner_is_agent;
            continue;
        }
        live |= 1u << p;
        own |= owner_is_agent << p;
        const uint32_t counted = (dirs & (dirs - 1)) ? s->hands : takers;  // one empty neighbour: takers only
        for (uint32_t m = dirs; m; m &= m - 1)
            packed = packed << 4 | (uint64_t)popcount(TAKEN_BY[c][__builtin_ctz(m)] & counted);  // <= 48 bits
    }
    // Cards that stay in hand to the end: of the n placements left, the mover makes ceil(n / 2).
    const int n = popcount(s->empty), agent_moves = mover ? n / 2 : (n + 1) / 2;
    const int agent_keep = popcount(s->hands & AGENT_CARDS) - agent_moves;
    const int opponent_keep = popcount(s->hands & OPPONENT_CARDS) - (n - agent_moves);
    const int lowest = (int)settled_mine + agent_keep, highest = 10 - (int)settled_theirs - opponent_keep;
    if (lowest >= 6) return 2;
    if (highest <= 4) return 0;
    if (lowest == 5 && highest == 5) return 1;
    *k1 = (uint64_t)s->hands | (uint64_t)s->empty << 10 | (uint64_t)mover << 19 | (uint64_t)settled_mine << 20 |
          (uint64_t)own << 24 | (uint64_t)live << 33 | GEN << 42;
    *k2 = packed;
    return -1;
}

static inline entry* bucket(uint64_t k1, uint64_t k2) {
    uint64_t h = (k1 ^ (k2 * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
    return &TT[(h ^ (h >> 31)) & TT_MASK & ~(uint64_t)3];  // 4 entries, 192 bytes: 3 cache lines
}

static val search(const state* s, int mover);

// Store into a free (older generation) entry of the bucket, else over the cheapest entry to
// recompute (fewest empty cells).
static inline void store(entry* b, uint64_t k1, uint64_t k2, val v) {
    entry* slot = &b[0];
    int cheapest = 99;
    for (int i = 0; i < 4; i++) {
        if ((b[i].k1 >> 42) != GEN) {
            slot = &b[i];
            break;
        }
        int cost = popcount((uint32_t)(b[i].k1 >> 10) & 0x1FFu);
        if (cost < cheapest) cheapest = cost, slot = &b[i];
    }
    slot->k1 = k1, slot->k2 = k2, slot->v = v;
    STORES++;
}

// A child position, prepared (and its table bucket prefetched) before any child is searched, so
// the memory latency of the probes overlaps instead of adding up.
typedef struct { state s; uint64_t k1, k2; entry* b; int known; } child;

static inline void prepare(child* ch, int mover) {
    const int n_empty = popcount(ch->s.empty);
    ch->b = NULL;
    ch->known = -1;
    if (n_empty <= DIRECT_EMPTY) return;
    ch->known = make_key(&ch->s, mover, &ch->k1, &ch->k2);
    if (ch->known >= 0) return;
    ch->b = bucket(ch->k1, ch->k2);
    __builtin_prefetch(ch->b);
    __builtin_prefetch((const char*)ch->b + 64);
    __builtin_prefetch((const char*)ch->b + 128);
}

// The value of a prepared child: a certain outcome, a table hit, or a search stored in the table.
static val visit(const child* ch, int mover) {
    if (ch->known >= 0) return known(ch->known == 2, ch->known == 1);
    if (!ch->b) return search(&ch->s, mover);
    entry* b = ch->b;
    for (int i = 0; i < 4; i++)
        if (b[i].k1 == ch->k1 && b[i].k2 == ch->k2) return HITS++, b[i].v;
    val v = search(&ch->s, mover);
    store(b, ch->k1, ch->k2, v);
    return v;
}

// The agent to move: the best child under each policy (the first in (card, cell) order among
// ties); *best_w, *best_r are the moves (card * 9 + cell).
static val agent_node(const state* s, int* best_w, int* best_r) {
    child ch[45];
    int moves[45] = {0}, n = 0;
    for (uint32_t h = s->hands & AGENT_CARDS; h; h &= h - 1) {
        int c = __builtin_ctz(h);
        for (uint32_t e = s->empty; e; e &= e - 1) {
            int p = __builtin_ctz(e);
            place(s, c, p, &ch[n].s);
            prepare(&ch[n], 1);
            moves[n++] = c * 9 + p;
        }
    }
    val v = {-1.0, -1.0, -1.0, -1.0};
    *best_w = *best_r = moves[0];
    for (int i = 0; i < n; i++) {
        val x = visit(&ch[i], 1);
        if (better_w(x.ww, x.wd, v.ww, v.wd)) v.ww = x.ww, v.wd = x.wd, *best_w = moves[i];
        if (better_r(x.rw, x.rd, v.rw, v.rd)) v.rw = x.rw, v.rd = x.rd, *best_r = moves[i];
        if (sure_win(v)) break;  // nothing is better than a sure win
    }
    return v;
}

// The opponent to move: the average over its move distribution.
static val chance_node(const state* s) {
    child ch[45];
    int moves[45];
    const int n = opponent_moves(s, moves);
    for (int i = 0; i < n; i++) {
        place(s, moves[i] / 9, moves[i] % 9, &ch[i].s);
        prepare(&ch[i], 0);
    }
    val v = {0.0, 0.0, 0.0, 0.0};
    for (int i = 0; i < n; i++) {
        val x = visit(&ch[i], 0);
        v.ww += x.ww, v.wd += x.wd, v.rw += x.rw, v.rd += x.rd;
    }
    const double inv = 1.0 / n;
    return (val){v.ww * inv, v.wd * inv, v.rw * inv, v.rd * inv};
}

// The last move is forced: the mover's one card on the one empty cell.
static inline val last_one(const state* s, int mover) {
    state last;
    place(s, __builtin_ctz(s->hands & (mover ? OPPONENT_CARDS : AGENT_CARDS)), __builtin_ctz(s->empty), &last);
    return leaf(&last);
}

// Two cells left: the mover (not the starter) has two cards, the other side one. Searched
// directly, without the table or the generic nodes' bookkeeping: 4 games of 2 moves.
static val last_two(const state* s, int mover) {
    int moves[45], n = 0;
    if (mover) {
        n = opponent_moves(s, moves);
    } else {
        for (uint32_t h = s->hands & AGENT_CARDS; h; h &= h - 1)
            for (uint32_t e = s->empty; e; e &= e - 1) moves[n++] = __builtin_ctz(h) * 9 + __builtin_ctz(e);
    }
    val v = mover ? (val){0.0, 0.0, 0.0, 0.0} : (val){-1.0, -1.0, -1.0, -1.0};
    state next;
    for (int i = 0; i < n; i++) {
        place(s, moves[i] / 9, moves[i] % 9, &next);
        val x = last_one(&next, !mover);
        if (mover) {
            v.ww += x.ww, v.wd += x.wd, v.rw += x.rw, v.rd += x.rd;
        } else {
            if (better_w(x.ww, x.wd, v.ww, v.wd)) v.ww = x.ww, v.wd = x.wd;
            if (better_r(x.rw, x.rd, v.rw, v.rd)) v.rw = x.rw, v.rd = x.rd;
        }
    }
    if (mover) {
        const double inv = 1.0 / n;
        v.ww *= inv, v.wd *= inv, v.rw *= inv, v.rd *= inv;
    }
    return v;
}

// Whether the agent can force a win from s (`mover` to move) whatever the opponent does among its
// possible moves (all legal ones, or the greedy's tied best): then P(win) = 1 under both policies.
// This AND-OR search drops a move at its first refutation, where expectimax would value each
// failed try in full; it pays off only at the root (deeper, most tries fail and it is wasted
// work). Cached in the table with k2's top bit set, which packed edges (<= 48 bits) never use.
static int forced_win(const state* s, int mover) {
    const int n_empty = popcount(s->empty);
    if (n_empty == 0) return popcount(s->mine) + popcount(s->hands & AGENT_CARDS) > 5;
    uint64_t k1, k2;
    int outcome = make_key(s, mover, &k1, &k2);
    if (outcome >= 0) return outcome == 2;
    k2 |= 1ULL << 63;
    entry* b = bucket(k1, k2);
    for (int i = 0; i < 4; i++)
        if (b[i].k1 == k1 && b[i].k2 == k2) return b[i].v.ww > 0.5;
    int moves[45], n = 0, result;
    state next;
    if (mover) {
        n = opponent_moves(s, moves);
        result = 1;
        for (int i = 0; i < n && result; i++) {
            place(s, moves[i] / 9, moves[i] % 9, &next);
            result = forced_win(&next, 0);
        }
    } else {
        for (uint32_t h = s->hands & AGENT_CARDS; h; h &= h - 1)
            for (uint32_t e = s->empty; e; e &= e - 1) moves[n++] = __builtin_ctz(h) * 9 + __builtin_ctz(e);
        result = 0;
        for (int i = 0; i < n && !result; i++) {
            place(s, moves[i] / 9, moves[i] % 9, &next);
            result = forced_win(&next, 1);
        }
    }
    store(b, k1, k2, known(result, 0));
    return result;
}

static val search(const state* s, int mover) {
    NODES++;
    const int n_empty = popcount(s->empty);
    if (n_empty == 0) return leaf(s);
    if (n_empty == 1) return last_one(s, mover);
    if (n_empty == 2) return last_two(s, mover);
    int bw, br;
    return mover ? chance_node(s) : agent_node(s, &bw, &br);
}

static void to_state(const int8_t* cells, uint32_t mine, state* s) {
    memset(s, 0, sizeof(*s));
    s->hands = 0x3FFu, s->mine = (uint16_t)mine;
    for (int p = 0; p < 9; p++) {
        s->card[p] = cells[p];
        if (cells[p] < 0) s->empty |= (uint16_t)(1u << p);
        else s->hands &= (uint16_t)~(1u << cells[p]);
    }
}

// The value of a position given from outside: first the cheap check for a forced win, then like
// any child (a table lookup, else a search).
static val root(const state* s, int mover) {
    if (forced_win(s, mover)) return known(1, 0);
    child ch = {.s = *s};
    prepare(&ch, mover);
    return visit(&ch, mover);
}

// A fixed agent policy, by plain recursion (no table, no shortcuts): the lowest card on the
// lowest empty cell. *w, *d = P(win), P(draw). For checking the rules and chance nodes by brute
// force.
static void fixed_rec(const state* s, int mover, double* w, double* d) {
    if (!s->empty) {
        val v = leaf(s);
        *w = v.ww, *d = v.wd;
        return;
    }
    state next;
    if (!mover) {
        place(s, __builtin_ctz(s->hands & AGENT_CARDS), __builtin_ctz(s->empty), &next);
        fixed_rec(&next, 1, w, d);
        return;
    }
    int moves[45];
    const int n = opponent_moves(s, moves);
    double sw = 0.0, sd = 0.0, cw, cd;
    for (int i = 0; i < n; i++) {
        place(s, moves[i] / 9, moves[i] % 9, &next);
        fixed_rec(&next, 0, &cw, &cd);
        sw += cw, sd += cd;
    }
    *w = sw / n, *d = sd / n;
}

// ---- API (declared in the Python script's cdef). A position is `cells` (card 0..9 on each cell,
// -1 when empty; the cards not on the board are in hand) and `mine` (bit p: the agent owns cell p).

// Allocate the table: 2^log2_size entries (>= 2^2) of 48 bytes. Returns 0, or -1 if out of memory.
int tt_init(int log2_size) {
    free(TT);
    size_t bytes = ((size_t)1 << log2_size) * sizeof(entry);
    // 2 MiB aligned, and huge pages where the kernel gives them on request: the probes are random,
    // so with 4 KiB pages nearly every one would also miss the TLB.
    TT = aligned_alloc((size_t)1 << 21, bytes);
    if (!TT) return -1;
    madvise(TT, bytes, MADV_HUGEPAGE);
    memset(TT, 0, bytes);
    TT_MASK = ((uint64_t)1 << log2_size) - 1;
    GEN = 0;
    for (int p = 0; p < 9; p++) {
        NB_MASK[p] = 0;
        for (int d = 0; d < 4; d++)
            if (NB[p][d] >= 0) NB_MASK[p] |= (uint16_t)(1u << NB[p][d]), FACING[p][NB[p][d]] = (uint8_t)d;
    }
    for (int p = 0; p < 9; p++)
        for (uint32_t empty = 0; empty < 512; empty++) {
            uint8_t dirs = 0;
            for (int d = 0; d < 4; d++)
                if (NB[p][d] >= 0 && ((empty >> NB[p][d]) & 1u)) dirs |= (uint8_t)(1u << d);
            EMPTY_DIRS[p][empty] = dirs;
        }
    return 0;
}

// A new deal (ranks [10][4], each 1..99) against opponent kind 0 (random) or 1 (greedy). Starts
// a new table generation, so every older entry reads as free.
void set_deal(const int8_t* ranks, int kind) {
    memcpy(RK, ranks, 40);
    KIND = kind;
    GEN++;
    for (int c = 0; c < 10; c++)
        for (int d = 0; d < 4; d++) {
            uint16_t m = 0;
            for (int x = 0; x < 10; x++)
                if (RK[x][d ^ 2] > RK[c][d]) m |= (uint16_t)(1u << x);
            TAKEN_BY[c][d] = m;
        }
}

// The exact value of a position with `mover` to move (0 the agent, 1 the opponent): out =
// P(win), P(draw) under W, then under R.
void solve(const int8_t* cells, uint32_t mine, int mover, double* out) {
    state s;
    to_state(cells, mine, &s);
    val v = root(&s, mover);
    out[0] = v.ww, out[1] = v.wd, out[2] = v.rw, out[3] = v.rd;
}

// The agent to move: its best move (card * 9 + cell) under policy 0 (W) or 1 (R); out as in solve.
int best_move(const int8_t* cells, uint32_t mine, int policy, double* out) {
    state s, next;
    int bw, br;
    to_state(cells, mine, &s);
    if (forced_win(&s, 0)) {
        // The forcing move is best under both policies; valuing every move by expectimax instead
        // would cost a full search of each (the root may have been settled by forced_win alone).
        for (uint32_t h = s.hands & AGENT_CARDS; h; h &= h - 1)
            for (uint32_t e = s.empty; e; e &= e - 1) {
                const int c = __builtin_ctz(h), p = __builtin_ctz(e);
                place(&s, c, p, &next);
                if (forced_win(&next, 1)) {
                    out[0] = 1.0, out[1] = 0.0, out[2] = 1.0, out[3] = 0.0;
                    return c * 9 + p;
                }
            }
    }
    val v = agent_node(&s, &bw, &br);
    out[0] = v.ww, out[1] = v.wd, out[2] = v.rw, out[3] = v.rd;
    return policy ? br : bw;
}

// The fixed policy's P(win), P(draw) (see fixed_rec) with `mover` to move.
void eval_fixed(const int8_t* cells, uint32_t mine, int mover, double* out) {
    state s;
    to_state(cells, mine, &s);
    fixed_rec(&s, mover, &out[0], &out[1]);
}

// Counters since the last call: nodes searched, table hits, table stores.
void counters(uint64_t* out) {
    out[0] = NODES, out[1] = HITS, out[2] = STORES;
    NODES = HITS = STORES = 0;
}
