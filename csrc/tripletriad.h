// tripletriad.h: Triple Triad's C sim. The rules (deal, actions, captures, opponents, ends,
// observation) are the docstring of envs/tripletriad.py's TripleTriad; this comment covers only
// how this file implements them.
//
// State: per sub-env, the dealt ranks of cards 0..9 and the ranks on each cell as int8 [N, E, S,
// W] rows (so a cell's ranks copy straight into the observation), and bitsets for the unplayed
// cards, the empty cells and the cells the agent owns; the observation's owner and mask bytes
// are spread from those bitsets with 64-bit stores (tripletriad_spread; little-endian only,
// checked below). Actions are range-checked before any table lookup, so no action reads or
// writes outside the tables.
#ifndef TRIPLETRIAD_H
#define TRIPLETRIAD_H

#include "envsdk.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tripletriad.h writes observation bytes with 64-bit stores laid out for little-endian machines"
#endif

#define TRIPLETRIAD_OBS 104
#define TRIPLETRIAD_OBS_BOARD 9
#define TRIPLETRIAD_OBS_HANDS 45
#define TRIPLETRIAD_OBS_SELECTED 85
#define TRIPLETRIAD_OBS_MASK 90
#define TRIPLETRIAD_AGENT_CARDS 0x1Fu   // hand bits of the agent's cards 0..4
#define TRIPLETRIAD_ALL_CELLS 0x1FFu    // empty bits of the 9 cells

// envsdk:cdef begin
typedef struct tripletriad_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes
    double episode_length;  // sum over those episodes, steps
    double win;             // sum over those episodes: 1 if the agent won
    double draw;            // sum over those episodes: 1 if the game was drawn
    double loss;            // sum over those episodes: 1 if the agent lost (truncated: none of the three)
    double score;           // sum over those episodes: cards the agent owned at the end (board + hand)
    double illegal;         // sum over those episodes: illegal actions taken
} tripletriad_log;

typedef struct tripletriad {
    // Buffers owned by the caller, one row per sub-env.
    int8_t* observations;   // [num_envs, 104], written by reset and step (layout: TripleTriad's docstring)
    int32_t* actions;       // [num_envs], written by the caller, read by step
    float* rewards;         // [num_envs], written by step
    bool* terminals;        // [num_envs], written by step
    bool* truncations;      // [num_envs], written by step
    int8_t* final_observations;  // [num_envs, 104] or NULL: step writes each ended episode's last observation
    // Config, validated in Python before init.
    int32_t num_envs;
    int32_t opponent;       // 0 random, 1 greedy
    int32_t first;          // 0 the agent, 1 the opponent, 2 a coin toss per episode
    int32_t max_rank;       // ranks are dealt uniformly in 1..max_rank (1..99)
    int32_t max_steps;      // truncation limit, steps (>= 1)
    float illegal_reward;   // the reward of an illegal action (<= 0)
    // State of every sub-env, allocated by tripletriad_init, freed by tripletriad_close.
    uint64_t* rng;          // [num_envs] RNG state
    int8_t* ranks;          // [num_envs, 10, 4] ranks N, E, S, W of cards 0..9 (5..9: opponent's)
    int8_t* board;          // [num_envs, 9, 4] ranks N, E, S, W of the card on each cell, 0 when empty
    uint16_t* hands;        // [num_envs] bit c set while card c is unplayed
    uint16_t* empty;        // [num_envs] bit p set while cell p is empty
    uint16_t* mine;         // [num_envs] bit p set while cell p holds a card the agent owns
    int8_t* selected;       // [num_envs] the agent's selected card 0..4, -1 in the select phase
    int32_t* tick;          // [num_envs] steps taken in the current episode
    int32_t* illegal;       // [num_envs] illegal actions in the current episode
    float* episode_return;  // [num_envs] return of the current episode so far
    tripletriad_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} tripletriad;
// envsdk:cdef end

// Neighbour of cell p in direction N, E, S, W, or p itself where the board ends: a cell never
// captures itself (the placing side owns it), so no bounds test is needed.
static const int8_t TRIPLETRIAD_NEIGHBOUR[9][4] = {
    {0, 1, 3, 0}, {1, 2, 4, 0}, {2, 2, 5, 1},
    {0, 4, 6, 3}, {1, 5, 7, 3}, {2, 5, 8, 4},
    {3, 7, 6, 6}, {4, 8, 7, 6}, {5, 8, 8, 7},
};

// Set bits of a 10-bit mask (SWAR: without -mpopcnt, __builtin_popcount is a library call).
static inline int32_t tripletriad_popcount(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int32_t)((x * 0x01010101u) >> 24);
}

// Bit i of x (i < 8) to byte i of the result, 0 or 1 (SWAR: replicate the byte, keep bit i in
// byte i, then a per-byte "nonzero" test that cannot carry). Stored with memcpy, byte i lands at
// address i on the little-endian machines envsdk builds for (checked above).
static inline uint64_t tripletriad_spread(uint32_t x) {
    uint64_t r = ((uint64_t)(x & 0xFFu) * 0x0101010101010101ULL) & 0x8040201008040201ULL;
    return ((r + 0x7F7F7F7F7F7F7F7FULL) >> 7) & 0x0101010101010101ULL;
}

// Index of the n-th set bit (from 0, ascending) of a 9-bit x with more than n set bits, without
// a loop (n is random: a loop exit would be mispredicted). Byte i of `prefix` counts the set
// bits 0..i; the answer is the number of bytes with prefix <= n, counted with a per-byte
// subtraction that cannot borrow ((n | 0x80) - prefix has its top bit set iff prefix <= n);
// if all 8 qualify, it is bit 8.
static inline int32_t tripletriad_nth_bit(uint32_t x, int32_t n) {
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t prefix = tripletriad_spread(x) * ones;
    uint64_t le = (((uint64_t)n * ones) | 0x8080808080808080ULL) - prefix;
    return (int32_t)((((le >> 7) & ones) * ones) >> 56);
}

int tripletriad_init(tripletriad* env) {
    size_t n = (size_t)env->num_envs;
    ENVSDK_ALLOC_EACH(env, n, rng, hands, empty, mine, selected, tick, illegal, episode_return);
    ENVSDK_ALLOC(env, ranks, n * 40);
    ENVSDK_ALLOC(env, board, n * 36);
    return envsdk_init_done(&env->core);
}

// One sub-env's game, as pointers into its rows plus its bitmasks held in locals (registers),
// so the helpers below never reload the struct after the int8 stores.
typedef struct tripletriad_game {
    const int8_t* ranks;  // [10, 4] the sub-env's cards
    int8_t* board;        // [9, 4] ranks on the board
    int8_t* obs;          // [104] its observation row
    uint32_t hands, empty, mine;
} tripletriad_game;

// Play `card` from its owner's hand (the agent's when card < 5) onto the empty `cell`: capture
// every adjacent card of the other side with a strictly lower touching rank; update the
// observation's board ranks and hand slot (the caller rewrites the owners once per step).
static inline void tripletriad_place(tripletriad_game* g, int32_t card, int32_t cell) {
    const int8_t* r = g->ranks + card * 4;
    const bool agent = card < 5;
    int8_t* obs = g->obs;
    uint32_t empty = g->empty & ~(1u << cell);
    uint32_t mine = agent ? g->mine | (1u << cell) : g->mine;
    uint32_t theirs = agent ? ~empty & ~mine & TRIPLETRIAD_ALL_CELLS : mine;  // capturable cells
    memcpy(g->board + cell * 4, r, 4);
    memcpy(obs + TRIPLETRIAD_OBS_BOARD + cell * 4, r, 4);
    memset(obs + TRIPLETRIAD_OBS_HANDS + card * 4, 0, 4);
    uint32_t flips = 0;
    for (int32_t d = 0; d < 4; d++) {
        int32_t q = TRIPLETRIAD_NEIGHBOUR[cell][d];
        uint32_t beats = (uint32_t)(r[d] > g->board[q * 4 + (d ^ 2)]);
        flips |= (((theirs >> q) & 1u) & beats) << q;
    }
    g->hands &= ~(1u << card);
    g->empty = empty;
    g->mine = mine ^ flips;
}

// The opponent's move (its hand and the board are not empty); exactly one RNG draw.
static inline void tripletriad_opponent_move(tripletriad_game* g, int32_t kind, uint64_t* rng) {
    const uint32_t hand = g->hands >> 5, empty = g->empty;
    if (kind == 0) {
        uint64_t u = envsdk_rng_next(rng);
        uint64_t cards = (uint64_t)tripletriad_popcount(hand), cells = (uint64_t)tripletriad_popcount(empty);
        int32_t card = 5 + tripletriad_nth_bit(hand, (int32_t)(((u >> 32) * cards) >> 32));
        int32_t cell = tripletriad_nth_bit(empty, (int32_t)(((u & 0xFFFFFFFFu) * cells) >> 32));
        tripletriad_place(g, card, cell);
        return;
    }
    // Greedy. Per empty cell k, the four ranks to exceed to capture the agent's neighbour on
    // each side, plus 1, packed one per byte (128 where there is nothing to capture). A card's
    // four ranks r (1..99) packed the same way give, per byte, (r | 0x80) - (beat + 1) >= 1
    // (no borrow between bytes) with the top bit set iff r > beat: four compares in one
    // subtraction. Then pairs card-major in ascending (card, cell) order; the best are listed
    // and one is drawn.
    const uint32_t mine = g->mine;
    uint32_t packed[5], beat[9];
    int8_t cards[5], cells[9];
    int32_t n_cards = 0, n_cells = 0;
    for (int32_t c = 0; c < 5; c++) {  // branchless compaction, ascending
        cards[n_cards] = (int8_t)(5 + c);
        memcpy(&packed[n_cards], g->ranks + (5 + c) * 4, 4);
        n_cards += (int32_t)((hand >> c) & 1u);
    }
    for (int32_t p = 0; p < 9; p++) {
        cells[n_cells] = (int8_t)p;
        n_cells += (int32_t)((empty >> p) & 1u);
    }
    for (int32_t k = 0; k < n_cells; k++) {
        int32_t p = cells[k];
        uint8_t b[4];
        for (int32_t d = 0; d < 4; d++) {
            int32_t q = TRIPLETRIAD_NEIGHBOUR[p][d];  // p itself is empty, so never the agent's
            uint32_t theirs = 0u - ((mine >> q) & 1u);  // all ones where the agent owns q
            uint32_t need = (uint32_t)g->board[q * 4 + (d ^ 2)] + 1u;
            b[d] = (uint8_t)(128u ^ ((need ^ 128u) & theirs));
        }
        memcpy(&beat[k], b, 4);
    }
    int32_t caps[5][9];
    int32_t best = 0;
    for (int32_t j = 0; j < n_cards; j++) {
        uint32_t r = packed[j] | 0x80808080u;
        for (int32_t k = 0; k < n_cells; k++) {
            uint32_t wins = ((r - beat[k]) >> 7) & 0x01010101u;
            int32_t c = (int32_t)((wins * 0x01010101u) >> 24);
            caps[j][k] = c;
            best = c > best ? c : best;
        }
    }
    uint8_t ties[45];
    int32_t count = 0;
    for (int32_t j = 0; j < n_cards; j++) {
        for (int32_t k = 0; k < n_cells; k++) {
            ties[count] = (uint8_t)(j << 4 | k);
            count += caps[j][k] == best;
        }
    }
    int32_t pick = ties[envsdk_rng_below(rng, count)];
    tripletriad_place(g, cards[pick >> 4], cells[pick & 15]);
}

// The owners (observation entries 0..8): 1 where the agent's, -1 (0xFF) the opponent's, 0 empty.
static inline void tripletriad_write_owners(int8_t* obs, uint32_t empty, uint32_t mine) {
    uint32_t theirs = ~empty & ~mine & TRIPLETRIAD_ALL_CELLS;
    uint64_t bytes = tripletriad_spread(mine) | tripletriad_spread(theirs) * 0xFFu;  // no carries: bytes are 0/1
    memcpy(obs, &bytes, 8);
    obs[8] = (int8_t)(((mine >> 8) & 1u) - ((theirs >> 8) & 1u));
}

// The legal-action mask (observation entries 90..103) of the select phase: the cards in hand.
static inline void tripletriad_mask_select(int8_t* obs, uint32_t hands) {
    uint64_t bytes = tripletriad_spread(hands & TRIPLETRIAD_AGENT_CARDS);  // bytes 5..7 are 0
    memcpy(obs + TRIPLETRIAD_OBS_MASK, &bytes, 8);
    memset(obs + TRIPLETRIAD_OBS_MASK + 8, 0, 6);
}

// The legal-action mask of the place phase: the empty cells.
static inline void tripletriad_mask_place(int8_t* obs, uint32_t empty) {
    uint64_t bytes = tripletriad_spread(empty);
    memset(obs + TRIPLETRIAD_OBS_MASK, 0, 5);
    memcpy(obs + TRIPLETRIAD_OBS_MASK + 5, &bytes, 8);
    obs[TRIPLETRIAD_OBS_MASK + 13] = (int8_t)((empty >> 8) & 1u);
}

// Start a new episode in sub-env i (deal, first mover, the opponent's opening move if it starts)
// and write its whole observation row.
static void tripletriad_start(tripletriad* env, int32_t i) {
    uint64_t* rng = &env->rng[i];
    int8_t* ranks = env->ranks + (size_t)i * 40;
    const uint64_t max_rank = (uint64_t)env->max_rank;
    for (int32_t k = 0; k < 20; k++) {
        uint64_t u = envsdk_rng_next(rng);
        ranks[2 * k] = (int8_t)(1 + (((u >> 32) * max_rank) >> 32));
        ranks[2 * k + 1] = (int8_t)(1 + (((u & 0xFFFFFFFFu) * max_rank) >> 32));
    }
    tripletriad_game g = {ranks, env->board + (size_t)i * 36, env->observations + (size_t)i * TRIPLETRIAD_OBS,
                          0x3FFu, TRIPLETRIAD_ALL_CELLS, 0u};
    memset(g.board, 0, 36);
    memset(g.obs, 0, TRIPLETRIAD_OBS);
    memcpy(g.obs + TRIPLETRIAD_OBS_HANDS, ranks, 40);
    bool opponent_first = env->first == 1 || (env->first == 2 && (envsdk_rng_next(rng) >> 63));
    if (opponent_first) {
        tripletriad_opponent_move(&g, env->opponent, rng);
        tripletriad_write_owners(g.obs, g.empty, g.mine);
    }
    tripletriad_mask_select(g.obs, g.hands);
    env->hands[i] = (uint16_t)g.hands;
    env->empty[i] = (uint16_t)g.empty;
    env->mine[i] = (uint16_t)g.mine;
    env->selected[i] = -1;
    env->tick[i] = 0;
    env->illegal[i] = 0;
    env->episode_return[i] = 0.0f;
}

void tripletriad_reset(tripletriad* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, tripletriad_start);
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t tripletriad_step(tripletriad* env) {
    if (!env->core.started) return -1;
    // Locals: int8/bool stores may alias anything, so the compiler would otherwise reload the
    // struct's fields after every observation or flag store.
    const int32_t n = env->num_envs, max_steps = env->max_steps, kind = env->opponent;
    const float penalty = env->illegal_reward;
    const int32_t* actions = env->actions;
    int8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    int8_t* final = env->final_observations;
    uint64_t* rng = env->rng;
    const int8_t* ranks = env->ranks;
    int8_t* board = env->board;
    uint16_t *hands = env->hands, *empty = env->empty, *mine = env->mine;
    int8_t* selected = env->selected;
    int32_t *tick = env->tick, *illegal = env->illegal;
    float* episode_return = env->episode_return;
    for (int32_t i = 0; i < n; i++) {
        int8_t* obs = observations + (size_t)i * TRIPLETRIAD_OBS;
        uint32_t a = (uint32_t)actions[i];
        int32_t sel = selected[i];
        float reward = 0.0f;
        bool over = false;
        if (sel < 0) {
            // Select phase: a < 5 is one of the agent's cards; it must still be in hand.
            if (a < 5u && ((hands[i] >> a) & 1u)) {
                selected[i] = (int8_t)a;
                obs[TRIPLETRIAD_OBS_SELECTED + a] = 1;
                tripletriad_mask_place(obs, empty[i]);
            } else {
                reward = penalty;
                illegal[i] += 1;
                tripletriad_mask_select(obs, hands[i]);  // unchanged, but step writes every row
            }
        } else {
            // Place phase: a - 5 (unsigned, so a < 5 wraps above 8) must be an empty cell.
            uint32_t cell = a - 5u;
            if (cell < 9u && ((empty[i] >> cell) & 1u)) {
                tripletriad_game g = {ranks + (size_t)i * 40, board + (size_t)i * 36, obs, hands[i], empty[i], mine[i]};
                obs[TRIPLETRIAD_OBS_SELECTED + sel] = 0;
                selected[i] = -1;
                tripletriad_place(&g, sel, (int32_t)cell);
                if (g.empty) tripletriad_opponent_move(&g, kind, &rng[i]);
                tripletriad_write_owners(obs, g.empty, g.mine);
                hands[i] = (uint16_t)g.hands;
                empty[i] = (uint16_t)g.empty;
                mine[i] = (uint16_t)g.mine;
                if (g.empty) {
                    tripletriad_mask_select(obs, g.hands);
                } else {
                    over = true;
                    int32_t score =
                        tripletriad_popcount(g.mine) + tripletriad_popcount(g.hands & TRIPLETRIAD_AGENT_CARDS);
                    reward = score > 5 ? 1.0f : (score < 5 ? -1.0f : 0.0f);
                }
            } else {
                reward = penalty;
                illegal[i] += 1;
                tripletriad_mask_place(obs, empty[i]);  // unchanged, but step writes every row
            }
        }
        int32_t t = tick[i] + 1;
        bool timeout = !over && t >= max_steps;
        tick[i] = t;
        rewards[i] = reward;
        terminals[i] = over;
        truncations[i] = timeout;
        float ret = episode_return[i] + reward;
        episode_return[i] = ret;
        if (over || timeout) {
            int32_t score = tripletriad_popcount(mine[i]) + tripletriad_popcount(hands[i] & TRIPLETRIAD_AGENT_CARDS);
            tripletriad_log* log = &env->log;
            ENVSDK_LOG_EPISODE(log, ret, t);
            log->win += (over && score > 5) ? 1.0 : 0.0;
            log->draw += (over && score == 5) ? 1.0 : 0.0;
            log->loss += (over && score < 5) ? 1.0 : 0.0;
            log->score += (double)score;
            log->illegal += (double)illegal[i];
            if (final) {
                // The row as written (a finished game's owners, ranks and hands, nothing selected;
                // a truncated one's whole row, mask included); no action is legal once the game is over.
                int8_t* out = final + (size_t)i * TRIPLETRIAD_OBS;
                memcpy(out, obs, TRIPLETRIAD_OBS);
                if (over) memset(out + TRIPLETRIAD_OBS_MASK, 0, TRIPLETRIAD_OBS - TRIPLETRIAD_OBS_MASK);
            }
            tripletriad_start(env, i);  // same-step autoreset
        }
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(tripletriad)

#endif  // TRIPLETRIAD_H
