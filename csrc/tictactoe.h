// tictactoe.h: tic-tac-toe's C sim. The rules (observation, actions, rewards, ends, opponents,
// openings, two-player mode) are the docstring of envs/tictactoe.py's TicTacToe; this comment
// covers only how this file implements them.
//
// State: per sub-env, a 9-bit cell set per side (bit c: cell c, row-major) and, for the perfect
// opponent, the board's base-3 key from the opponent's view. The perfect opponent's moves are a
// static table (TICTACTOE_PERFECT, precomputed by csrc/tictactoe_table.py: the best-move mask of
// every legal position), so a move is one lookup and one random pick. Actions are range-checked
// before use, so the board is never read or written at an illegal index.
//
// Two-player mode (opponent TICTACTOE_NONE): the buffers have 2 * num_envs rows; agent_cells
// holds row 2g's marks and opponent_cells row 2g + 1's, and `first` reads row 2g for "the
// agent". Masks are never written (they stay as allocated, all true), the key is left 0, and
// stats go to two_player_log (the single-agent log stays empty).
#ifndef TICTACTOE_H
#define TICTACTOE_H

#include "envsdk.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tictactoe.h writes final observation bytes with 64-bit stores laid out for little-endian machines"
#endif

// envsdk:cdef begin
typedef struct tictactoe_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes (= the final reward)
    double episode_length;  // sum over those episodes, agent moves (an illegal one included)
    double win;             // sum: 1 if the agent made three in a row
    double draw;            // sum: 1 if the board filled with no line
    double loss;            // sum: 1 if the opponent made three in a row or the agent moved illegally
    double illegal;         // sum: 1 if the episode ended on an illegal move (counted in loss too)
    double first;           // sum: 1 if the agent moved first
    double win_first;       // sum: 1 if the agent moved first and won (win rate moving first = win_first / first)
    double loss_first;      // sum: 1 if the agent moved first and lost
} tictactoe_log;

// The log of two-player mode: one episode per agent row, so every finished game adds two (one
// per row) and each sum below adds its value once per row; the means Python reports of
// first_win, second_win, draw and illegal are therefore per-game rates.
typedef struct tictactoe_two_player_log {
    double count;           // row episodes finished since Python last read this log (2 per game)
    double episode_return;  // sum of the rows' returns (a game adds both rows': 0 when decided or
                            // drawn, illegal_reward when a move was illegal)
    double episode_length;  // sum of the rows' lengths (a game adds 2 x its moves, both players',
                            // an illegal one included)
    double first_win;       // sum: 1 per row if the first mover made three in a row
    double second_win;      // sum: 1 per row if the second mover made three in a row
    double draw;            // sum: 1 per row if the board filled with no line
    double illegal;         // sum: 1 per row if the game ended on an illegal move (either player's)
} tictactoe_two_player_log;

typedef struct tictactoe {
    // Buffers owned by the caller: `rows` = num_envs, or 2 * num_envs in two-player mode.
    int8_t* observations;   // [rows, 18], written by reset and step (layout: TicTacToe's docstring)
    int32_t* actions;       // [rows], written by the caller, read by step
    float* rewards;         // [rows], written by step
    bool* terminals;        // [rows], written by step
    bool* truncations;      // [rows], written by step (always false)
    int8_t* final_observations;  // [rows, 18] or NULL: step writes each ended game's final position
    // Config, validated in Python before init.
    int32_t num_envs;       // sub-envs (games)
    int32_t opponent;       // 0 random, 1 perfect, 2 none (two-player mode)
    float epsilon;          // probability that a perfect opponent's move is uniformly random instead
                            // (unused in two-player mode)
    int32_t opening;        // each episode opens with 0..opening random agent moves (0: none;
                            // unused in two-player mode)
    int32_t first;          // 0 agent, 1 opponent, 2 alternate, 3 random
    float illegal_reward;   // reward of an illegal move (<= 0), which also ends the episode as a loss
    // Set by init: the static table of the perfect opponent's best-move masks (read-only).
    const uint16_t* perfect;  // [19683], indexed by key
    // State of every sub-env, allocated by tictactoe_init, freed by tictactoe_close.
    uint64_t* rng;          // [num_envs] RNG state
    uint16_t* agent_cells;  // [num_envs] bit c set when the agent (row 2g) has marked cell c
    uint16_t* opponent_cells;  // [num_envs] bit c set when the opponent (row 2g + 1) has marked cell c
    int32_t* key;           // [num_envs] the board in base 3 from the opponent's view: sum of
                            // digit(c) * 3^c, digit 0 empty, 1 opponent, 2 agent (< 19683); only
                            // the perfect opponent reads it, so two-player mode leaves it 0
    uint8_t* agent_first;   // [num_envs] 1 if the agent (row 2g) moved first this episode (it plays X)
    int32_t* tick;          // [num_envs] agent moves taken in the current episode (two-player
                            // mode: moves of both players in the current game)
    tictactoe_log log;
    tictactoe_two_player_log two_player_log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} tictactoe;
// envsdk:cdef end

enum { TICTACTOE_RANDOM = 0, TICTACTOE_PERFECT_PLAY = 1, TICTACTOE_NONE = 2 };
enum { TICTACTOE_AGENT = 0, TICTACTOE_OPPONENT = 1, TICTACTOE_ALTERNATE = 2, TICTACTOE_COIN = 3 };
#define TICTACTOE_FULL 0x1FFu  // all nine cells

// Static tables generated by csrc/tictactoe_table.py: TICTACTOE_WINS (bit b of the 512: the 9-bit
// cell set b holds a line), TICTACTOE_CELLS (the cells of each 9-bit set, 4 bits each, and their
// count) and TICTACTOE_PERFECT (the best-move mask of the player to move, by key).
#include "tictactoe_table.h"

// 3^c, the weight of cell c in a key.
static const int32_t TICTACTOE_POW3[9] = {1, 3, 9, 27, 81, 243, 729, 2187, 6561};

static inline bool tictactoe_wins(uint32_t cells) {
    return (TICTACTOE_WINS[cells >> 6] >> (cells & 63u)) & 1u;
}

// Bit c of x (c < 8) to byte c of the result, 0 or 1 (as tripletriad_spread: replicate the byte,
// keep bit c in byte c, then a per-byte "nonzero" test that cannot carry). Stored with memcpy,
// byte c lands at address c on the little-endian machines envsdk builds for (checked above).
static inline uint64_t tictactoe_spread(uint32_t x) {
    uint64_t r = ((uint64_t)(x & 0xFFu) * 0x0101010101010101ULL) & 0x8040201008040201ULL;
    return ((r + 0x7F7F7F7F7F7F7F7FULL) >> 7) & 0x0101010101010101ULL;
}

// A finished game's final observation row from one player's view (`mine` its marks, `theirs`
// the other's): the board, and an all-zero legal-action part (no move is legal once it is over).
// Cells 0..7 in one 64-bit store (1, or 0xFF = -1: the two sets are disjoint, so no carries).
static inline void tictactoe_final(int8_t* out, uint32_t mine, uint32_t theirs) {
    uint64_t cells = tictactoe_spread(mine) | tictactoe_spread(theirs) * 0xFFu;
    memcpy(out, &cells, 8);
    out[8] = (int8_t)((int32_t)((mine >> 8) & 1u) - (int32_t)((theirs >> 8) & 1u));
    memset(out + 9, 0, 9);
}

// A uniformly random cell among the set bits of `choices` (non-zero), from the sub-env's RNG.
static inline int32_t tictactoe_pick(uint64_t* rng, uint32_t choices) {
    uint64_t cells = TICTACTOE_CELLS[choices];
    int32_t k = envsdk_rng_below(rng, (int32_t)(cells >> 60));
    return (int32_t)((cells >> (4 * k)) & 15u);
}

// The opponent's cell in a position with at least one empty cell and no line yet.
static inline int32_t tictactoe_opponent_move(const uint16_t* perfect, int32_t opponent, float epsilon,
                                              uint64_t* rng, int32_t key, uint32_t empty) {
    uint32_t choices = empty;
    if (opponent == TICTACTOE_PERFECT_PLAY && (epsilon <= 0.0f || envsdk_rng_uniform(rng) >= epsilon)) {
        choices = perfect[key] & empty;
        if (!choices) choices = empty;  // unreachable from a consistent state; keeps any state in bounds
    }
    return tictactoe_pick(rng, choices);
}

int tictactoe_init(tictactoe* env) {
    env->perfect = TICTACTOE_PERFECT;
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, agent_cells, opponent_cells, key, agent_first, tick);
    return envsdk_init_done(&env->core);
}

// Whether the agent (row 2g in two-player mode) moves first in sub-env i's new episode, per
// `first`; `random` draws its coin from the sub-env's RNG.
static inline uint8_t tictactoe_agent_first(tictactoe* env, int32_t i) {
    switch (env->first) {
        case TICTACTOE_AGENT: return 1;
        case TICTACTOE_OPPONENT: return 0;
        case TICTACTOE_ALTERNATE: return (uint8_t)!env->agent_first[i];
        default: return (uint8_t)envsdk_rng_below(&env->rng[i], 2);
    }
}

// The random opening of sub-env i from the position (*mine, *theirs, *key) with the agent to
// move: k agent moves (k uniform in 0..opening) at uniformly random empty cells, each answered
// by the opponent as in play; an opening that ends the game is drawn again from the same position.
static void tictactoe_open(tictactoe* env, int32_t i, bool agent_first, uint32_t* mine, uint32_t* theirs,
                           int32_t* key) {
    uint64_t* rng = &env->rng[i];
    // With the opponent first, at most 3: a fourth exchange would fill the board.
    int32_t k = envsdk_rng_below(rng, env->opening + 1);
    if (!agent_first && k > 3) k = 3;
    for (;;) {
        uint32_t me = *mine, other = *theirs;
        int32_t at = *key, j = 0;
        for (; j < k; j++) {
            int32_t a = tictactoe_pick(rng, TICTACTOE_FULL & ~(me | other));
            me |= 1u << a;
            at += 2 * TICTACTOE_POW3[a];
            if (tictactoe_wins(me) || (me | other) == TICTACTOE_FULL) break;
            int32_t m = tictactoe_opponent_move(env->perfect, env->opponent, env->epsilon, rng, at,
                                                TICTACTOE_FULL & ~(me | other));
            other |= 1u << m;
            at += TICTACTOE_POW3[m];
            if (tictactoe_wins(other) || (me | other) == TICTACTOE_FULL) break;
        }
        if (j == k) {
            *mine = me, *theirs = other, *key = at;
            return;
        }
    }
}

// Start a new episode in sub-env i (who moves first per `first`; if the opponent, it plays its
// first mark now; then the random opening, if any) and write its whole observation row.
static void tictactoe_start(tictactoe* env, int32_t i) {
    uint8_t agent_first = tictactoe_agent_first(env, i);
    uint32_t mine = 0, theirs = 0;
    int32_t key = 0;
    if (!agent_first) {
        int32_t m = tictactoe_opponent_move(env->perfect, env->opponent, env->epsilon, &env->rng[i], 0,
                                            TICTACTOE_FULL);
        theirs = 1u << m;
        key = TICTACTOE_POW3[m];
    }
    if (env->opening > 0) tictactoe_open(env, i, agent_first, &mine, &theirs, &key);
    int8_t* obs = env->observations + (size_t)i * 18;
    // An empty board, then only the marked cells (none or one without an opening): starts are
    // frequent (an episode lasts at most 5 steps).
    memset(obs, 0, 9);
    memset(obs + 9, 1, 9);
    for (uint32_t marked = mine | theirs; marked; marked &= marked - 1u) {
        int32_t c = __builtin_ctz(marked);
        obs[c] = (int8_t)((mine >> c) & 1u ? 1 : -1);
        obs[9 + c] = 0;
    }
    env->agent_first[i] = agent_first;
    env->agent_cells[i] = (uint16_t)mine;
    env->opponent_cells[i] = (uint16_t)theirs;
    env->key[i] = key;
    env->tick[i] = 0;
}

// Two-player mode: start a new game in sub-env g and write both its rows (2g, 2g + 1): an empty
// board in each, and the legal-action part (every cell) only in the row to move.
static void tictactoe_start_two_player(tictactoe* env, int32_t g) {
    uint8_t agent_first = tictactoe_agent_first(env, g);
    size_t row = 2 * (size_t)g;
    int8_t* obs = env->observations + row * 18;  // both rows: 36 entries
    memset(obs, 0, 36);
    memset(obs + (agent_first ? 9 : 18 + 9), 1, 9);
    env->agent_first[g] = agent_first;
    env->agent_cells[g] = 0;
    env->opponent_cells[g] = 0;
    env->key[g] = 0;
    env->tick[g] = 0;
}

// Start sub-env i in the configured mode (reset's start function). Direct calls: taking the
// start functions' addresses would keep GCC from inlining tictactoe_start into the step loop.
static void tictactoe_start_in_mode(tictactoe* env, int32_t i) {
    if (env->opponent == TICTACTOE_NONE) {
        tictactoe_start_two_player(env, i);
    } else {
        tictactoe_start(env, i);
    }
}

void tictactoe_reset(tictactoe* env, uint64_t seed) {
    const size_t rows = env->opponent == TICTACTOE_NONE ? 2 : 1;  // agent rows per sub-env
    memset(&env->two_player_log, 0, sizeof(env->two_player_log));
    // So that `alternate` gives the agent (row 2g) the first episode.
    memset(env->agent_first, 0, (size_t)env->num_envs * sizeof(*env->agent_first));
    ENVSDK_RESET_EACH(env, (size_t)env->num_envs * rows, seed, tictactoe_start_in_mode);
}

// Outcomes of one step.
enum { TICTACTOE_ONGOING = 0, TICTACTOE_WIN, TICTACTOE_DRAW, TICTACTOE_LOSS, TICTACTOE_ILLEGAL };

// The mover marks cell a of the position (its cells *mine, the other's theirs): TICTACTOE_ILLEGAL
// for a cell out of range or marked (nothing changes; the shift only runs for a in 0..8), else the
// mark is added to *mine and the outcome is TICTACTOE_WIN (three in a row), TICTACTOE_DRAW (the
// board is full) or TICTACTOE_ONGOING.
static inline int32_t tictactoe_play(int32_t a, uint32_t* mine, uint32_t theirs) {
    if ((uint32_t)a >= 9u || (((*mine | theirs) >> a) & 1u)) return TICTACTOE_ILLEGAL;
    *mine |= 1u << a;
    if (tictactoe_wins(*mine)) return TICTACTOE_WIN;
    return (*mine | theirs) == TICTACTOE_FULL ? TICTACTOE_DRAW : TICTACTOE_ONGOING;
}

// Two-player mode's step: one move in every game, by the row whose turn it is (r below; the other
// row of the game is r ^ 1). Returns the row episodes logged and not yet read by Python.
static int32_t tictactoe_step_two_player(tictactoe* env) {
    // Locals, as in tictactoe_step: stores through the int8/bool buffers may alias anything.
    const int32_t* actions = env->actions;
    int8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    int8_t* final = env->final_observations;
    uint16_t* cells[2] = {env->agent_cells, env->opponent_cells};  // the marks of row 2g, of row 2g + 1
    int32_t* tick = env->tick;
    const uint8_t* agent_first = env->agent_first;
    const int32_t num_envs = env->num_envs;
    const float illegal_reward = env->illegal_reward;
    tictactoe_two_player_log log = env->two_player_log;  // a local copy: no stores through env inside the loop
    for (int32_t g = 0; g < num_envs; g++) {
        // The first mover moves at even ticks; mover 0 is row 2g, 1 is row 2g + 1.
        const bool moved_first = (tick[g] & 1) == 0;
        const int32_t mover = (agent_first[g] ? 0 : 1) ^ (tick[g] & 1);
        const size_t r = 2 * (size_t)g + (size_t)mover, other = r ^ 1u;
        const int32_t a = actions[r];  // the waiting row's action is never read
        uint32_t mine = cells[mover][g], theirs = cells[mover ^ 1][g];
        const int32_t outcome = tictactoe_play(a, &mine, theirs);
        tick[g] += 1;
        truncations[r] = false;
        truncations[other] = false;
        if (outcome == TICTACTOE_ONGOING) {
            // The turn passes: the mark goes into both views, and the legal-action part (the empty
            // cells, less the one just marked) moves from the mover's row to the other's.
            int8_t *obs = observations + r * 18, *next = observations + other * 18;
            obs[a] = 1;
            next[a] = -1;
            memcpy(next + 9, obs + 9, 9);
            next[9 + a] = 0;
            memset(obs + 9, 0, 9);
            cells[mover][g] = (uint16_t)mine;
            rewards[r] = 0.0f;
            rewards[other] = 0.0f;
            terminals[r] = false;
            terminals[other] = false;
            continue;
        }
        ENVSDK_TWO_PLAYER_END(&log, rewards, terminals, r, other, outcome == TICTACTOE_WIN, outcome == TICTACTOE_DRAW,
                              illegal_reward, moved_first, tick[g]);
        if (final) {  // the final position in both rows (an illegal move left the board as it was)
            tictactoe_final(final + r * 18, mine, theirs);
            tictactoe_final(final + other * 18, theirs, mine);
        }
        tictactoe_start_two_player(env, g);  // same-step autoreset: both rows start the next game
    }
    env->two_player_log = log;
    return ENVSDK_REPORT(env, env->two_player_log);
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t tictactoe_step(tictactoe* env) {
    if (!env->core.started) return -1;
    if (env->opponent == TICTACTOE_NONE) return tictactoe_step_two_player(env);
    // Locals, so that stores through the int8/bool buffers (character types, which may alias
    // anything) do not force the compiler to reload env's fields on every access.
    const int32_t* actions = env->actions;
    int8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    int8_t* final = env->final_observations;
    uint64_t* rng = env->rng;
    uint16_t *agent_cells = env->agent_cells, *opponent_cells = env->opponent_cells;
    int32_t* keys = env->key;
    int32_t* tick = env->tick;
    const uint8_t* agent_first = env->agent_first;
    const uint16_t* perfect = env->perfect;
    const int32_t opponent = env->opponent, num_envs = env->num_envs;
    const float illegal_reward = env->illegal_reward, epsilon = env->epsilon;
    tictactoe_log log = env->log;  // a local copy: no stores through env inside the loop
    for (int32_t i = 0; i < num_envs; i++) {
        int32_t a = actions[i];
        uint32_t mine = agent_cells[i], theirs = opponent_cells[i];
        int32_t outcome = tictactoe_play(a, &mine, theirs);
        if (outcome == TICTACTOE_ONGOING) {
            int32_t key = keys[i] + 2 * TICTACTOE_POW3[a];
            uint32_t empty = TICTACTOE_FULL & ~(mine | theirs);
            int32_t m = tictactoe_opponent_move(perfect, opponent, epsilon, &rng[i], key, empty);
            theirs |= 1u << m;
            key += TICTACTOE_POW3[m];
            if (tictactoe_wins(theirs)) {
                outcome = TICTACTOE_LOSS;
            } else if ((mine | theirs) == TICTACTOE_FULL) {
                outcome = TICTACTOE_DRAW;
            } else {
                // Play goes on: only the four entries that changed are rewritten.
                int8_t* obs = observations + (size_t)i * 18;
                obs[a] = 1;
                obs[9 + a] = 0;
                obs[m] = -1;
                obs[9 + m] = 0;
                agent_cells[i] = (uint16_t)mine;
                opponent_cells[i] = (uint16_t)theirs;
                keys[i] = key;
            }
        }
        tick[i] += 1;
        truncations[i] = false;
        if (outcome == TICTACTOE_ONGOING) {
            rewards[i] = 0.0f;
            terminals[i] = false;
            continue;
        }
        float reward = outcome == TICTACTOE_WIN ? 1.0f
                       : outcome == TICTACTOE_LOSS ? -1.0f
                       : outcome == TICTACTOE_ILLEGAL ? illegal_reward : 0.0f;
        rewards[i] = reward;
        terminals[i] = true;
        double first = (double)agent_first[i];
        double win = outcome == TICTACTOE_WIN, loss = outcome >= TICTACTOE_LOSS;
        ENVSDK_LOG_EPISODE(&log, reward, tick[i]);
        log.win += win;
        log.draw += outcome == TICTACTOE_DRAW;
        log.loss += loss;
        log.illegal += outcome == TICTACTOE_ILLEGAL;
        log.first += first;
        log.win_first += win * first;
        log.loss_first += loss * first;
        // The final position: the agent's and the opponent's last marks (an illegal move left it as it was).
        if (final) tictactoe_final(final + (size_t)i * 18, mine, theirs);
        tictactoe_start(env, i);  // same-step autoreset
    }
    env->log = log;
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(tictactoe)

#endif  // TICTACTOE_H
