// tictactoe.h: tic-tac-toe against a built-in opponent (random or perfect), or two-player.
//
// Cells are numbered row-major: 0 1 2 / 3 4 5 / 6 7 8. The first mover plays X, the other O;
// who moves first is set per episode by `first` (below). An episode always starts (and every
// step leaves it) with the agent to move: when the opponent moves first, its first mark is
// already on the board in the episode's first observation.
//
// Observation [18] int8, from the agent's point of view:
//   0..8   the board: 1 the agent's mark, -1 the opponent's, 0 empty;
//   9..17  the legal-action mask: 1 where the cell is empty (a legal action), else 0.
// Action (int32): the cell to mark, 0..8.
//
// Illegal-move rule: an action outside 0..8, or on a cell that is already marked, ends the
// episode at once as a loss (terminal) with reward `illegal_reward` (config, <= 0, default -1);
// the board is never read or written at that index. The mask in the observation lets a policy
// avoid this entirely.
//
// One step: the agent marks its cell. Three in a row: reward +1, terminal (win). Board full:
// reward 0, terminal (draw). Otherwise the opponent marks a cell; three in a row: reward -1,
// terminal (loss); board full: reward 0, terminal (draw); otherwise reward 0 and play goes on.
// Episodes last at most 5 steps, so nothing is ever truncated (truncations stay false).
//
// Opponents (`opponent`): 0 random, a uniformly random empty cell; 1 perfect, a uniformly
// random move among the best ones of a depth-aware minimax over every legal position
// (TICTACTOE_PERFECT below, precomputed by csrc/tictactoe_table.py): it wins as soon as it can
// and never loses. `epsilon` (0..1, default 0) makes the perfect opponent fallible: each of its
// moves is, with that probability, a uniformly random empty cell instead (training against
// perfect play mixed with mistakes teaches both never to lose and to punish mistakes). All of
// this draws from the sub-env's RNG; with epsilon 0 no extra number is drawn.
// Random opening (`opening`, 0..4, default 0): each episode starts after k agent moves at
// uniformly random empty cells, k uniform in 0..opening (at most 3 when the opponent moved
// first), each answered by the opponent as in play; an opening that ends the game is drawn
// again (after the opponent's first mark, if any). The agent then plays from that position
// (exploring starts: training sees the positions its own policy would rarely reach). The
// opening's moves are not counted in episode_length.
// Who moves first (`first`): 0 the agent, 1 the opponent, 2 alternate (the agent in the first
// episode after reset, then the other side each new episode of that sub-env), 3 random (a fair
// coin from the sub-env's RNG each episode).
//
// Two-player mode (`opponent` 2, none): no built-in opponent; both players are agent rows, so a
// policy can play itself or a trained one. Rows 2g and 2g + 1 are the two players of sub-env
// (game) g: the buffers have 2 * num_envs rows, and `first` reads row 2g for "the agent" and row
// 2g + 1 for "the opponent" (alternate: row 2g in the first game after reset). Each row's
// observation is the layout above from its own player's point of view (1 its marks, -1 the
// other's). Both rows are live for the whole game, so masks are not written (they stay as
// allocated, all true); whose turn it is shows only in the observation: the row to move has its
// legal-action entries, and a row whose legal-action entries are all zero is waiting (its board
// part is still its current view) and its action is ignored, whatever its value (PettingZoo's
// classic games do the same with their action_mask). One step is one move. The mover's illegal
// move ends the game: illegal_reward for the mover, 0 for the other. Three in a row: +1 for the
// mover, -1 for the other. Board full: 0 for both. Each of these is terminal for both rows, and
// both rows' observations are then the next game's first ones (same-step autoreset); otherwise
// both rewards are 0 and the turn passes. A game lasts at most 9 steps; nothing is truncated.
// `epsilon` and `opening` are unused, and no number is drawn from the RNG but the `random`
// coin. Episodes are per row: a game that ends ends one episode in each of its two rows, each as
// long as the game (both players' moves). Stats go to two_player_log (the single-agent log stays empty).
#ifndef TICTACTOE_H
#define TICTACTOE_H

#include "envsdk.h"

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
    int8_t* observations;   // [rows, 18], written by reset and step (layout above)
    int32_t* actions;       // [rows], written by the caller, read by step
    float* rewards;         // [rows], written by step
    bool* terminals;        // [rows], written by step
    bool* truncations;      // [rows], written by step (always false)
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
    int32_t report_every;  // steps between offers of the log to Python (set by Python; 0 = 1)
    int32_t since_report;  // steps since the last offer
    double report[16];     // the means of the last offer, count first (ENVSDK_REPORT); read by Python
    tictactoe_two_player_log two_player_log;
    bool started;           // true between reset and close; step does nothing otherwise
} tictactoe;

int tictactoe_init(tictactoe* env);
void tictactoe_reset(tictactoe* env, uint64_t seed);
int32_t tictactoe_step(tictactoe* env);
void tictactoe_step_n(tictactoe* env, int64_t n);
void tictactoe_close(tictactoe* env);
// envsdk:cdef end

enum { TICTACTOE_RANDOM = 0, TICTACTOE_PERFECT_PLAY = 1, TICTACTOE_NONE = 2 };
enum { TICTACTOE_AGENT = 0, TICTACTOE_OPPONENT = 1, TICTACTOE_ALTERNATE = 2, TICTACTOE_COIN = 3 };
#define TICTACTOE_FULL 0x1FFu  // all nine cells

// Static tables, generated by csrc/tictactoe_table.py and defined at the end of this file.
static const uint64_t TICTACTOE_WINS[8];        // bit b of the 512: the 9-bit cell set b holds a line
static const uint64_t TICTACTOE_CELLS[512];     // the cells of each 9-bit set, 4 bits each, and their count
static const uint16_t TICTACTOE_PERFECT[19683]; // best-move mask of the player to move, by key

// 3^c, the weight of cell c in a key.
static const int32_t TICTACTOE_POW3[9] = {1, 3, 9, 27, 81, 243, 729, 2187, 6561};

static inline bool tictactoe_wins(uint32_t cells) {
    return (TICTACTOE_WINS[cells >> 6] >> (cells & 63u)) & 1u;
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

void tictactoe_close(tictactoe* env) {
    env->started = false;
    free(env->rng), env->rng = NULL;
    free(env->agent_cells), env->agent_cells = NULL;
    free(env->opponent_cells), env->opponent_cells = NULL;
    free(env->key), env->key = NULL;
    free(env->agent_first), env->agent_first = NULL;
    free(env->tick), env->tick = NULL;
}

int tictactoe_init(tictactoe* env) {
    int failed = 0;
    size_t n = (size_t)env->num_envs;
    env->perfect = TICTACTOE_PERFECT;
    env->rng = envsdk_calloc(n, sizeof(uint64_t), &failed);
    env->agent_cells = envsdk_calloc(n, sizeof(uint16_t), &failed);
    env->opponent_cells = envsdk_calloc(n, sizeof(uint16_t), &failed);
    env->key = envsdk_calloc(n, sizeof(int32_t), &failed);
    env->agent_first = envsdk_calloc(n, sizeof(uint8_t), &failed);
    env->tick = envsdk_calloc(n, sizeof(int32_t), &failed);
    memset(&env->log, 0, sizeof(env->log));
    if (failed) {
        tictactoe_close(env);
        return -1;
    }
    return 0;
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

void tictactoe_reset(tictactoe* env, uint64_t seed) {
    memset(&env->log, 0, sizeof(env->log));
    env->since_report = 0;
    memset(&env->two_player_log, 0, sizeof(env->two_player_log));
    const bool two_player = env->opponent == TICTACTOE_NONE;
    const int32_t rows = two_player ? 2 : 1;  // agent rows per sub-env
    for (int32_t i = 0; i < env->num_envs; i++) {
        env->rng[i] = seed + (uint64_t)i;
        for (size_t r = (size_t)i * (size_t)rows; r < (size_t)(i + 1) * (size_t)rows; r++) {
            env->rewards[r] = 0.0f;
            env->terminals[r] = false;
            env->truncations[r] = false;
        }
        env->agent_first[i] = 0;  // so that `alternate` gives the agent (row 2g) the first episode
        if (two_player) {
            tictactoe_start_two_player(env, i);
        } else {
            tictactoe_start(env, i);
        }
    }
    env->started = true;
}

// Outcomes of one step.
enum { TICTACTOE_ONGOING = 0, TICTACTOE_WIN, TICTACTOE_DRAW, TICTACTOE_LOSS, TICTACTOE_ILLEGAL };

// Two-player mode's step: one move in every game, by the row whose turn it is (r below; the other
// row of the game is r ^ 1). Returns the row episodes logged and not yet read by Python.
static int32_t tictactoe_step_two_player(tictactoe* env) {
    // Locals, as in tictactoe_step: stores through the int8/bool buffers may alias anything.
    const int32_t* actions = env->actions;
    int8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
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
        int32_t outcome = TICTACTOE_ONGOING;
        // Out of range or on a marked cell: illegal (the shift only runs for a in 0..8).
        if ((uint32_t)a >= 9u || (((mine | theirs) >> a) & 1u)) {
            outcome = TICTACTOE_ILLEGAL;
        } else {
            mine |= 1u << a;
            if (tictactoe_wins(mine)) {
                outcome = TICTACTOE_WIN;
            } else if ((mine | theirs) == TICTACTOE_FULL) {
                outcome = TICTACTOE_DRAW;
            }
        }
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
        tictactoe_start_two_player(env, g);  // same-step autoreset: both rows start the next game
    }
    env->two_player_log = log;
    return ENVSDK_REPORT(env, env->two_player_log);
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t tictactoe_step(tictactoe* env) {
    if (!env->started) return -1;
    if (env->opponent == TICTACTOE_NONE) return tictactoe_step_two_player(env);
    // Locals, so that stores through the int8/bool buffers (character types, which may alias
    // anything) do not force the compiler to reload env's fields on every access.
    const int32_t* actions = env->actions;
    int8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
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
        int32_t outcome = TICTACTOE_ONGOING;
        // Out of range or on a marked cell: illegal (the shift only runs for a in 0..8).
        if ((uint32_t)a >= 9u || (((mine | theirs) >> a) & 1u)) {
            outcome = TICTACTOE_ILLEGAL;
        } else {
            mine |= 1u << a;
            int32_t key = keys[i] + 2 * TICTACTOE_POW3[a];
            if (tictactoe_wins(mine)) {
                outcome = TICTACTOE_WIN;
            } else if ((mine | theirs) == TICTACTOE_FULL) {
                outcome = TICTACTOE_DRAW;
            } else {
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
        tictactoe_start(env, i);  // same-step autoreset
    }
    env->log = log;
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_DEFINE_STEP_N(tictactoe)

// tictactoe:table begin
// Generated by csrc/tictactoe_table.py; do not edit by hand.
// Bit (b & 63) of word (b >> 6) is set when the 9-bit cell set b holds three in a row.
static const uint64_t TICTACTOE_WINS[8] = {
    0xff80808080808080ULL,
    0xfff0aa80faf0aa80ULL,
    0xffcc8080cccc8080ULL,
    0xfffcaa80fefcaa80ULL,
    0xfffaf0f0aaaa8080ULL,
    0xfffafaf0fafaaa80ULL,
    0xfffef0f0eeee8080ULL,
    0xffffffffffffffffULL,
};
// The cells of each 9-bit set b, in increasing order, 4 bits each (the k-th at bit 4k), and
// their count in bits 60..63: picking the k-th cell of a set is one lookup and a shift.
static const uint64_t TICTACTOE_CELLS[512] = {
    0x0000000000000000ULL, 0x1000000000000000ULL, 0x1000000000000001ULL, 0x2000000000000010ULL,
    0x1000000000000002ULL, 0x2000000000000020ULL, 0x2000000000000021ULL, 0x3000000000000210ULL,
    0x1000000000000003ULL, 0x2000000000000030ULL, 0x2000000000000031ULL, 0x3000000000000310ULL,
    0x2000000000000032ULL, 0x3000000000000320ULL, 0x3000000000000321ULL, 0x4000000000003210ULL,
    0x1000000000000004ULL, 0x2000000000000040ULL, 0x2000000000000041ULL, 0x3000000000000410ULL,
    0x2000000000000042ULL, 0x3000000000000420ULL, 0x3000000000000421ULL, 0x4000000000004210ULL,
    0x2000000000000043ULL, 0x3000000000000430ULL, 0x3000000000000431ULL, 0x4000000000004310ULL,
    0x3000000000000432ULL, 0x4000000000004320ULL, 0x4000000000004321ULL, 0x5000000000043210ULL,
    0x1000000000000005ULL, 0x2000000000000050ULL, 0x2000000000000051ULL, 0x3000000000000510ULL,
    0x2000000000000052ULL, 0x3000000000000520ULL, 0x3000000000000521ULL, 0x4000000000005210ULL,
    0x2000000000000053ULL, 0x3000000000000530ULL, 0x3000000000000531ULL, 0x4000000000005310ULL,
    0x3000000000000532ULL, 0x4000000000005320ULL, 0x4000000000005321ULL, 0x5000000000053210ULL,
    0x2000000000000054ULL, 0x3000000000000540ULL, 0x3000000000000541ULL, 0x4000000000005410ULL,
    0x3000000000000542ULL, 0x4000000000005420ULL, 0x4000000000005421ULL, 0x5000000000054210ULL,
    0x3000000000000543ULL, 0x4000000000005430ULL, 0x4000000000005431ULL, 0x5000000000054310ULL,
    0x4000000000005432ULL, 0x5000000000054320ULL, 0x5000000000054321ULL, 0x6000000000543210ULL,
    0x1000000000000006ULL, 0x2000000000000060ULL, 0x2000000000000061ULL, 0x3000000000000610ULL,
    0x2000000000000062ULL, 0x3000000000000620ULL, 0x3000000000000621ULL, 0x4000000000006210ULL,
    0x2000000000000063ULL, 0x3000000000000630ULL, 0x3000000000000631ULL, 0x4000000000006310ULL,
    0x3000000000000632ULL, 0x4000000000006320ULL, 0x4000000000006321ULL, 0x5000000000063210ULL,
    0x2000000000000064ULL, 0x3000000000000640ULL, 0x3000000000000641ULL, 0x4000000000006410ULL,
    0x3000000000000642ULL, 0x4000000000006420ULL, 0x4000000000006421ULL, 0x5000000000064210ULL,
    0x3000000000000643ULL, 0x4000000000006430ULL, 0x4000000000006431ULL, 0x5000000000064310ULL,
    0x4000000000006432ULL, 0x5000000000064320ULL, 0x5000000000064321ULL, 0x6000000000643210ULL,
    0x2000000000000065ULL, 0x3000000000000650ULL, 0x3000000000000651ULL, 0x4000000000006510ULL,
    0x3000000000000652ULL, 0x4000000000006520ULL, 0x4000000000006521ULL, 0x5000000000065210ULL,
    0x3000000000000653ULL, 0x4000000000006530ULL, 0x4000000000006531ULL, 0x5000000000065310ULL,
    0x4000000000006532ULL, 0x5000000000065320ULL, 0x5000000000065321ULL, 0x6000000000653210ULL,
    0x3000000000000654ULL, 0x4000000000006540ULL, 0x4000000000006541ULL, 0x5000000000065410ULL,
    0x4000000000006542ULL, 0x5000000000065420ULL, 0x5000000000065421ULL, 0x6000000000654210ULL,
    0x4000000000006543ULL, 0x5000000000065430ULL, 0x5000000000065431ULL, 0x6000000000654310ULL,
    0x5000000000065432ULL, 0x6000000000654320ULL, 0x6000000000654321ULL, 0x7000000006543210ULL,
    0x1000000000000007ULL, 0x2000000000000070ULL, 0x2000000000000071ULL, 0x3000000000000710ULL,
    0x2000000000000072ULL, 0x3000000000000720ULL, 0x3000000000000721ULL, 0x4000000000007210ULL,
    0x2000000000000073ULL, 0x3000000000000730ULL, 0x3000000000000731ULL, 0x4000000000007310ULL,
    0x3000000000000732ULL, 0x4000000000007320ULL, 0x4000000000007321ULL, 0x5000000000073210ULL,
    0x2000000000000074ULL, 0x3000000000000740ULL, 0x3000000000000741ULL, 0x4000000000007410ULL,
    0x3000000000000742ULL, 0x4000000000007420ULL, 0x4000000000007421ULL, 0x5000000000074210ULL,
    0x3000000000000743ULL, 0x4000000000007430ULL, 0x4000000000007431ULL, 0x5000000000074310ULL,
    0x4000000000007432ULL, 0x5000000000074320ULL, 0x5000000000074321ULL, 0x6000000000743210ULL,
    0x2000000000000075ULL, 0x3000000000000750ULL, 0x3000000000000751ULL, 0x4000000000007510ULL,
    0x3000000000000752ULL, 0x4000000000007520ULL, 0x4000000000007521ULL, 0x5000000000075210ULL,
    0x3000000000000753ULL, 0x4000000000007530ULL, 0x4000000000007531ULL, 0x5000000000075310ULL,
    0x4000000000007532ULL, 0x5000000000075320ULL, 0x5000000000075321ULL, 0x6000000000753210ULL,
    0x3000000000000754ULL, 0x4000000000007540ULL, 0x4000000000007541ULL, 0x5000000000075410ULL,
    0x4000000000007542ULL, 0x5000000000075420ULL, 0x5000000000075421ULL, 0x6000000000754210ULL,
    0x4000000000007543ULL, 0x5000000000075430ULL, 0x5000000000075431ULL, 0x6000000000754310ULL,
    0x5000000000075432ULL, 0x6000000000754320ULL, 0x6000000000754321ULL, 0x7000000007543210ULL,
    0x2000000000000076ULL, 0x3000000000000760ULL, 0x3000000000000761ULL, 0x4000000000007610ULL,
    0x3000000000000762ULL, 0x4000000000007620ULL, 0x4000000000007621ULL, 0x5000000000076210ULL,
    0x3000000000000763ULL, 0x4000000000007630ULL, 0x4000000000007631ULL, 0x5000000000076310ULL,
    0x4000000000007632ULL, 0x5000000000076320ULL, 0x5000000000076321ULL, 0x6000000000763210ULL,
    0x3000000000000764ULL, 0x4000000000007640ULL, 0x4000000000007641ULL, 0x5000000000076410ULL,
    0x4000000000007642ULL, 0x5000000000076420ULL, 0x5000000000076421ULL, 0x6000000000764210ULL,
    0x4000000000007643ULL, 0x5000000000076430ULL, 0x5000000000076431ULL, 0x6000000000764310ULL,
    0x5000000000076432ULL, 0x6000000000764320ULL, 0x6000000000764321ULL, 0x7000000007643210ULL,
    0x3000000000000765ULL, 0x4000000000007650ULL, 0x4000000000007651ULL, 0x5000000000076510ULL,
    0x4000000000007652ULL, 0x5000000000076520ULL, 0x5000000000076521ULL, 0x6000000000765210ULL,
    0x4000000000007653ULL, 0x5000000000076530ULL, 0x5000000000076531ULL, 0x6000000000765310ULL,
    0x5000000000076532ULL, 0x6000000000765320ULL, 0x6000000000765321ULL, 0x7000000007653210ULL,
    0x4000000000007654ULL, 0x5000000000076540ULL, 0x5000000000076541ULL, 0x6000000000765410ULL,
    0x5000000000076542ULL, 0x6000000000765420ULL, 0x6000000000765421ULL, 0x7000000007654210ULL,
    0x5000000000076543ULL, 0x6000000000765430ULL, 0x6000000000765431ULL, 0x7000000007654310ULL,
    0x6000000000765432ULL, 0x7000000007654320ULL, 0x7000000007654321ULL, 0x8000000076543210ULL,
    0x1000000000000008ULL, 0x2000000000000080ULL, 0x2000000000000081ULL, 0x3000000000000810ULL,
    0x2000000000000082ULL, 0x3000000000000820ULL, 0x3000000000000821ULL, 0x4000000000008210ULL,
    0x2000000000000083ULL, 0x3000000000000830ULL, 0x3000000000000831ULL, 0x4000000000008310ULL,
    0x3000000000000832ULL, 0x4000000000008320ULL, 0x4000000000008321ULL, 0x5000000000083210ULL,
    0x2000000000000084ULL, 0x3000000000000840ULL, 0x3000000000000841ULL, 0x4000000000008410ULL,
    0x3000000000000842ULL, 0x4000000000008420ULL, 0x4000000000008421ULL, 0x5000000000084210ULL,
    0x3000000000000843ULL, 0x4000000000008430ULL, 0x4000000000008431ULL, 0x5000000000084310ULL,
    0x4000000000008432ULL, 0x5000000000084320ULL, 0x5000000000084321ULL, 0x6000000000843210ULL,
    0x2000000000000085ULL, 0x3000000000000850ULL, 0x3000000000000851ULL, 0x4000000000008510ULL,
    0x3000000000000852ULL, 0x4000000000008520ULL, 0x4000000000008521ULL, 0x5000000000085210ULL,
    0x3000000000000853ULL, 0x4000000000008530ULL, 0x4000000000008531ULL, 0x5000000000085310ULL,
    0x4000000000008532ULL, 0x5000000000085320ULL, 0x5000000000085321ULL, 0x6000000000853210ULL,
    0x3000000000000854ULL, 0x4000000000008540ULL, 0x4000000000008541ULL, 0x5000000000085410ULL,
    0x4000000000008542ULL, 0x5000000000085420ULL, 0x5000000000085421ULL, 0x6000000000854210ULL,
    0x4000000000008543ULL, 0x5000000000085430ULL, 0x5000000000085431ULL, 0x6000000000854310ULL,
    0x5000000000085432ULL, 0x6000000000854320ULL, 0x6000000000854321ULL, 0x7000000008543210ULL,
    0x2000000000000086ULL, 0x3000000000000860ULL, 0x3000000000000861ULL, 0x4000000000008610ULL,
    0x3000000000000862ULL, 0x4000000000008620ULL, 0x4000000000008621ULL, 0x5000000000086210ULL,
    0x3000000000000863ULL, 0x4000000000008630ULL, 0x4000000000008631ULL, 0x5000000000086310ULL,
    0x4000000000008632ULL, 0x5000000000086320ULL, 0x5000000000086321ULL, 0x6000000000863210ULL,
    0x3000000000000864ULL, 0x4000000000008640ULL, 0x4000000000008641ULL, 0x5000000000086410ULL,
    0x4000000000008642ULL, 0x5000000000086420ULL, 0x5000000000086421ULL, 0x6000000000864210ULL,
    0x4000000000008643ULL, 0x5000000000086430ULL, 0x5000000000086431ULL, 0x6000000000864310ULL,
    0x5000000000086432ULL, 0x6000000000864320ULL, 0x6000000000864321ULL, 0x7000000008643210ULL,
    0x3000000000000865ULL, 0x4000000000008650ULL, 0x4000000000008651ULL, 0x5000000000086510ULL,
    0x4000000000008652ULL, 0x5000000000086520ULL, 0x5000000000086521ULL, 0x6000000000865210ULL,
    0x4000000000008653ULL, 0x5000000000086530ULL, 0x5000000000086531ULL, 0x6000000000865310ULL,
    0x5000000000086532ULL, 0x6000000000865320ULL, 0x6000000000865321ULL, 0x7000000008653210ULL,
    0x4000000000008654ULL, 0x5000000000086540ULL, 0x5000000000086541ULL, 0x6000000000865410ULL,
    0x5000000000086542ULL, 0x6000000000865420ULL, 0x6000000000865421ULL, 0x7000000008654210ULL,
    0x5000000000086543ULL, 0x6000000000865430ULL, 0x6000000000865431ULL, 0x7000000008654310ULL,
    0x6000000000865432ULL, 0x7000000008654320ULL, 0x7000000008654321ULL, 0x8000000086543210ULL,
    0x2000000000000087ULL, 0x3000000000000870ULL, 0x3000000000000871ULL, 0x4000000000008710ULL,
    0x3000000000000872ULL, 0x4000000000008720ULL, 0x4000000000008721ULL, 0x5000000000087210ULL,
    0x3000000000000873ULL, 0x4000000000008730ULL, 0x4000000000008731ULL, 0x5000000000087310ULL,
    0x4000000000008732ULL, 0x5000000000087320ULL, 0x5000000000087321ULL, 0x6000000000873210ULL,
    0x3000000000000874ULL, 0x4000000000008740ULL, 0x4000000000008741ULL, 0x5000000000087410ULL,
    0x4000000000008742ULL, 0x5000000000087420ULL, 0x5000000000087421ULL, 0x6000000000874210ULL,
    0x4000000000008743ULL, 0x5000000000087430ULL, 0x5000000000087431ULL, 0x6000000000874310ULL,
    0x5000000000087432ULL, 0x6000000000874320ULL, 0x6000000000874321ULL, 0x7000000008743210ULL,
    0x3000000000000875ULL, 0x4000000000008750ULL, 0x4000000000008751ULL, 0x5000000000087510ULL,
    0x4000000000008752ULL, 0x5000000000087520ULL, 0x5000000000087521ULL, 0x6000000000875210ULL,
    0x4000000000008753ULL, 0x5000000000087530ULL, 0x5000000000087531ULL, 0x6000000000875310ULL,
    0x5000000000087532ULL, 0x6000000000875320ULL, 0x6000000000875321ULL, 0x7000000008753210ULL,
    0x4000000000008754ULL, 0x5000000000087540ULL, 0x5000000000087541ULL, 0x6000000000875410ULL,
    0x5000000000087542ULL, 0x6000000000875420ULL, 0x6000000000875421ULL, 0x7000000008754210ULL,
    0x5000000000087543ULL, 0x6000000000875430ULL, 0x6000000000875431ULL, 0x7000000008754310ULL,
    0x6000000000875432ULL, 0x7000000008754320ULL, 0x7000000008754321ULL, 0x8000000087543210ULL,
    0x3000000000000876ULL, 0x4000000000008760ULL, 0x4000000000008761ULL, 0x5000000000087610ULL,
    0x4000000000008762ULL, 0x5000000000087620ULL, 0x5000000000087621ULL, 0x6000000000876210ULL,
    0x4000000000008763ULL, 0x5000000000087630ULL, 0x5000000000087631ULL, 0x6000000000876310ULL,
    0x5000000000087632ULL, 0x6000000000876320ULL, 0x6000000000876321ULL, 0x7000000008763210ULL,
    0x4000000000008764ULL, 0x5000000000087640ULL, 0x5000000000087641ULL, 0x6000000000876410ULL,
    0x5000000000087642ULL, 0x6000000000876420ULL, 0x6000000000876421ULL, 0x7000000008764210ULL,
    0x5000000000087643ULL, 0x6000000000876430ULL, 0x6000000000876431ULL, 0x7000000008764310ULL,
    0x6000000000876432ULL, 0x7000000008764320ULL, 0x7000000008764321ULL, 0x8000000087643210ULL,
    0x4000000000008765ULL, 0x5000000000087650ULL, 0x5000000000087651ULL, 0x6000000000876510ULL,
    0x5000000000087652ULL, 0x6000000000876520ULL, 0x6000000000876521ULL, 0x7000000008765210ULL,
    0x5000000000087653ULL, 0x6000000000876530ULL, 0x6000000000876531ULL, 0x7000000008765310ULL,
    0x6000000000876532ULL, 0x7000000008765320ULL, 0x7000000008765321ULL, 0x8000000087653210ULL,
    0x5000000000087654ULL, 0x6000000000876540ULL, 0x6000000000876541ULL, 0x7000000008765410ULL,
    0x6000000000876542ULL, 0x7000000008765420ULL, 0x7000000008765421ULL, 0x8000000087654210ULL,
    0x6000000000876543ULL, 0x7000000008765430ULL, 0x7000000008765431ULL, 0x8000000087654310ULL,
    0x7000000008765432ULL, 0x8000000087654320ULL, 0x8000000087654321ULL, 0x9000000876543210ULL,
};
// Best-move mask of the player to move, by key (see tictactoe_table.py); 0 where none.
static const uint16_t TICTACTOE_PERFECT[19683] = {
    511,0,16,0,0,344,149,88,0,0,0,352,0,0,0,304,0,288,16,328,0,368,0,16,0,72,0,
    0,0,278,0,0,0,17,0,4,0,0,0,0,0,0,0,0,48,1,0,2,0,0,16,1,64,0,
    113,22,0,17,0,64,0,176,0,273,0,64,0,0,64,256,272,0,0,48,0,16,16,0,0,0,0,
    0,0,494,0,0,0,365,0,4,0,0,0,0,0,0,0,0,64,491,0,2,0,0,128,1,256,0,
    0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,0,0,32,0,0,0,32,0,0,
    455,0,64,0,0,128,69,256,0,0,0,64,0,0,0,64,0,64,195,256,0,128,0,128,0,256,0,
    325,494,0,365,0,256,0,128,0,491,0,256,0,0,256,128,128,0,0,64,0,64,64,0,0,0,0,
    455,0,256,0,0,256,128,64,0,0,0,256,0,0,0,128,0,480,64,64,0,64,0,480,0,64,0,
    0,32,0,32,4,0,0,0,0,32,2,0,1,0,480,0,480,0,0,0,0,0,480,0,0,0,0,
    0,0,4,0,0,0,20,0,4,0,0,0,0,0,0,0,0,256,83,0,2,0,0,16,1,24,0,
    0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,16,0,0,
    471,0,64,0,0,64,65,256,0,0,0,256,0,0,0,256,0,256,65,466,0,209,0,64,0,208,0,
    0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,8,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,64,0,0,0,260,0,452,0,0,0,0,0,0,0,0,320,195,0,450,0,0,128,1,256,0,
    455,0,256,0,0,256,128,128,0,0,0,256,0,0,0,256,0,256,64,64,0,64,0,456,0,456,0,
    0,0,256,0,0,0,128,0,452,0,0,0,0,0,0,0,0,256,64,0,450,0,0,448,449,64,0,
    325,4,0,4,0,452,0,128,0,256,0,256,0,0,256,256,256,0,0,64,0,64,64,0,0,0,0,
    284,84,0,20,0,16,0,64,0,19,0,24,0,0,16,152,80,0,0,256,0,256,256,0,0,0,0,
    471,0,260,0,0,404,260,64,0,0,0,466,0,0,0,64,0,400,256,64,0,256,0,256,0,64,0,
    0,16,0,16,4,0,0,0,0,16,2,0,1,0,464,0,16,0,0,0,0,0,464,0,0,0,0,
    455,0,390,0,0,128,261,256,0,0,0,64,0,0,0,64,0,64,256,256,0,128,0,128,0,256,0,
    0,0,390,0,0,0,65,0,4,0,0,0,0,0,0,0,0,64,256,0,450,0,0,128,449,320,0,
    455,256,0,128,0,128,0,256,0,64,0,64,0,0,192,64,320,0,0,256,0,128,384,0,0,0,0,
    0,8,0,8,4,0,0,0,0,8,2,0,1,0,456,0,456,0,0,0,0,0,456,0,0,0,0,
    325,64,0,1,0,256,0,64,0,1,0,256,0,0,256,128,64,0,0,64,0,449,64,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,388,0,0,0,273,0,4,0,0,0,0,0,0,0,0,16,257,0,2,0,0,128,1,8,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    400,0,384,0,0,144,256,272,0,0,0,16,0,0,0,16,0,16,304,256,0,128,0,128,0,256,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,384,0,2,0,0,128,1,256,0,
    431,0,256,0,0,256,128,8,0,0,0,256,0,0,0,128,0,424,257,8,0,297,0,256,0,8,0,
    0,0,256,0,0,0,1,0,420,0,0,0,0,0,0,0,0,416,1,0,418,0,0,256,1,0,0,
    32,32,0,32,0,420,0,420,0,32,0,418,0,0,416,417,416,0,0,32,0,32,32,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,260,0,0,0,260,0,4,0,0,0,0,0,0,0,0,272,403,0,2,0,0,128,1,256,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,256,0,0,0,128,0,396,0,0,0,0,0,0,0,0,256,387,0,394,0,0,256,393,8,0,
    0,0,0,0,0,0,0,0,388,0,0,0,0,0,0,0,0,0,0,0,386,0,0,0,1,0,0,
    256,0,256,0,0,256,128,128,0,0,0,256,0,0,0,256,0,256,387,386,0,385,0,256,0,128,0,
    273,0,256,0,0,144,257,8,0,0,0,16,0,0,0,16,0,16,256,8,0,256,0,256,0,8,0,
    0,0,260,0,0,0,1,0,4,0,0,0,0,0,0,0,0,16,1,0,402,0,0,256,1,0,0,
    16,16,0,16,0,16,0,16,0,16,0,16,0,0,16,16,16,0,0,402,0,401,400,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,256,0,394,0,0,128,393,264,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,386,0,0,0,1,0,0,
    4,0,4,0,0,132,4,260,0,0,0,0,0,0,0,0,0,0,256,256,0,128,0,128,0,256,0,
    8,8,0,8,0,396,0,8,0,8,0,394,0,0,392,393,8,0,0,8,0,393,8,0,0,0,0,
    1,0,256,0,0,256,1,0,0,0,0,256,0,0,0,1,0,384,1,0,0,1,0,256,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    16,262,0,1,0,8,0,144,0,257,0,8,0,0,8,400,256,0,0,16,0,16,16,0,0,0,0,
    404,0,16,0,0,16,16,16,0,0,0,32,0,0,0,32,0,32,16,16,0,16,0,16,0,16,0,
    0,6,0,1,4,0,0,0,0,1,2,0,1,0,0,0,256,0,0,0,0,0,16,0,0,0,0,
    431,0,8,0,0,128,45,256,0,0,0,8,0,0,0,288,0,8,170,256,0,128,0,128,0,256,0,
    0,0,32,0,0,0,32,0,32,0,0,0,0,0,0,0,0,32,32,0,32,0,0,160,32,288,0,
    1,256,0,128,0,0,0,256,0,1,0,0,0,0,0,1,256,0,0,256,0,128,384,0,0,0,0,
    0,4,0,4,4,0,0,0,0,257,2,0,1,0,424,0,128,0,0,0,0,0,0,0,0,0,0,
    4,4,0,4,0,420,0,420,0,387,0,256,0,0,256,128,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    256,0,8,0,0,8,16,272,0,0,0,256,0,0,0,256,0,256,16,16,0,16,0,408,0,16,0,
    0,0,16,0,0,0,16,0,16,0,0,0,0,0,0,0,0,272,16,0,16,0,0,16,16,16,0,
    1,260,0,1,0,0,0,256,0,256,0,0,0,0,0,256,256,0,0,16,0,401,16,0,0,0,0,
    0,0,8,0,0,0,8,0,8,0,0,0,0,0,0,0,0,264,8,0,8,0,0,136,8,264,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,0,0,0,0,0,1,256,0,0,0,0,0,0,0,256,0,0,1,256,0,128,0,0,0,256,0,
    4,4,0,4,0,396,0,396,0,256,0,256,0,0,256,256,256,0,0,0,0,0,0,0,0,0,0,
    4,0,390,0,0,388,389,388,0,0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,0,
    0,4,0,389,4,0,0,0,0,256,258,0,257,0,0,0,256,0,0,0,0,0,0,0,0,0,0,
    0,4,0,16,4,0,0,0,0,25,2,0,1,0,8,0,144,0,0,0,0,0,408,0,0,0,0,
    260,260,0,404,0,272,0,404,0,403,0,400,0,0,400,400,400,0,0,402,0,401,400,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    390,256,0,128,0,128,0,256,0,3,0,8,0,0,128,393,256,0,0,256,0,128,384,0,0,0,0,
    390,0,390,0,0,128,260,256,0,0,0,386,0,0,0,385,0,384,256,256,0,128,0,128,0,256,0,
    0,256,0,128,388,0,0,0,0,1,258,0,129,0,0,0,256,0,0,0,0,0,384,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,4,4,0,0,0,0,387,2,0,1,0,256,0,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,64,0,0,0,381,0,4,0,0,0,0,0,0,0,0,320,256,0,2,0,0,16,1,320,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    80,0,64,0,0,16,5,256,0,0,0,64,0,0,0,320,0,64,16,272,0,16,0,16,0,256,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,2,0,0,0,320,0,356,0,0,0,0,0,0,0,0,64,2,0,2,0,0,0,1,256,0,
    365,0,256,0,0,256,325,64,0,0,0,256,0,0,0,256,0,256,64,64,0,64,0,360,0,64,0,
    0,0,256,0,0,0,64,0,356,0,0,0,0,0,0,0,0,256,64,0,354,0,0,352,353,64,0,
    32,32,0,32,0,356,0,32,0,32,0,354,0,0,352,32,32,0,0,354,0,353,352,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,64,0,0,0,256,0,340,0,0,0,0,0,0,0,0,256,83,0,338,0,0,16,1,256,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,324,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,256,0,0,0,256,0,332,0,0,0,0,0,0,0,0,256,64,0,330,0,0,328,329,64,0,
    0,0,0,0,0,0,0,0,324,0,0,0,0,0,0,0,0,0,0,0,322,0,0,0,321,0,0,
    256,0,326,0,0,324,256,256,0,0,0,256,0,0,0,256,0,256,64,64,0,64,0,320,0,64,0,
    272,0,16,0,0,16,5,320,0,0,0,80,0,0,0,64,0,64,256,256,0,16,0,16,0,256,0,
    0,0,278,0,0,0,64,0,4,0,0,0,0,0,0,0,0,64,256,0,338,0,0,16,337,64,0,
    16,16,0,16,0,16,0,16,0,16,0,338,0,0,16,16,16,0,0,338,0,16,16,0,0,0,0,
    0,0,2,0,0,0,320,0,4,0,0,0,0,0,0,0,0,64,2,0,2,0,0,0,329,256,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,321,0,0,
    2,0,2,0,0,0,320,256,0,0,0,66,0,0,0,64,0,64,2,258,0,0,0,0,0,256,0,
    8,8,0,8,0,332,0,8,0,8,0,330,0,0,328,8,8,0,0,330,0,329,328,0,0,0,0,
    64,0,256,0,0,256,64,64,0,0,0,256,0,0,0,64,0,256,323,64,0,321,0,320,0,64,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,256,0,0,0,256,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,272,256,0,256,0,0,272,256,256,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,260,0,0,0,0,0,0,0,0,0,0,0,258,0,0,0,256,0,0,
    0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,256,256,0,256,0,0,256,256,264,0,
    0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,256,0,0,0,257,0,0,
    256,0,256,0,0,256,256,256,0,0,0,256,0,0,0,256,0,256,256,256,0,256,0,256,0,256,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,256,0,0,0,256,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,256,0,0,0,256,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,256,256,0,256,0,0,256,256,256,0,
    0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,272,256,0,256,0,0,272,256,264,0,
    0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,0,0,256,0,0,0,257,0,0,
    256,0,256,0,0,272,256,256,0,0,0,272,0,0,0,272,0,272,256,256,0,272,0,272,0,256,0,
    0,0,0,0,0,0,0,0,260,0,0,0,0,0,0,0,0,0,0,0,258,0,0,0,256,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,262,0,0,0,260,0,260,0,0,0,0,0,0,0,0,0,258,0,258,0,0,0,256,256,0,
    256,0,256,0,0,256,256,264,0,0,0,256,0,0,0,256,0,256,256,264,0,256,0,256,0,264,0,
    0,0,256,0,0,0,257,0,256,0,0,0,0,0,0,0,0,256,257,0,256,0,0,256,257,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    29,0,8,0,0,16,5,316,0,0,0,8,0,0,0,313,0,8,16,16,0,16,0,16,0,16,0,
    0,0,16,0,0,0,53,0,4,0,0,0,0,0,0,0,0,32,16,0,306,0,0,16,305,16,0,
    1,18,0,16,0,0,0,52,0,1,0,0,0,0,0,1,256,0,0,16,0,16,16,0,0,0,0,
    0,0,2,0,0,0,45,0,300,0,0,0,0,0,0,0,0,8,2,0,2,0,0,0,1,256,0,
    0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,0,0,34,0,0,0,32,0,0,
    2,0,0,0,0,0,1,256,0,0,0,0,0,0,0,1,0,0,2,258,0,0,0,0,0,256,0,
    4,4,0,4,0,300,0,4,0,297,0,298,0,0,296,297,296,0,0,0,0,0,0,0,0,0,0,
    4,0,294,0,0,292,4,4,0,0,0,256,0,0,0,289,0,256,0,0,0,0,0,0,0,0,0,
    0,294,0,293,4,0,0,0,0,291,2,0,1,0,0,0,32,0,0,0,0,0,0,0,0,0,0,
    0,0,8,0,0,0,29,0,284,0,0,0,0,0,0,0,0,256,16,0,282,0,0,16,281,16,0,
    0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,16,0,0,
    1,0,0,0,0,0,1,256,0,0,0,0,0,0,0,256,0,0,275,16,0,16,0,0,0,16,0,
    0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,10,0,0,0,8,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0,0,1,256,0,
    4,0,270,0,0,268,4,4,0,0,0,256,0,0,0,256,0,256,0,0,0,0,0,0,0,0,0,
    0,0,262,0,0,0,4,0,260,0,0,0,0,0,0,0,0,256,0,0,0,0,0,0,0,0,0,
    263,4,0,261,0,0,0,4,0,256,0,0,0,0,0,256,256,0,0,0,0,0,0,0,0,0,0,
    16,18,0,16,0,16,0,20,0,2,0,8,0,0,16,25,280,0,0,282,0,16,16,0,0,0,0,
    278,0,20,0,0,16,4,276,0,0,0,274,0,0,0,273,0,272,275,274,0,16,0,16,0,272,0,
    0,16,0,16,20,0,0,0,0,275,2,0,17,0,0,0,16,0,0,0,0,0,16,0,0,0,0,
    2,0,2,0,0,0,5,256,0,0,0,2,0,0,0,265,0,8,2,258,0,0,0,0,0,256,0,
    0,0,2,0,0,0,261,0,4,0,0,0,0,0,0,0,0,256,2,0,2,0,0,0,257,256,0,
    2,258,0,0,0,0,0,256,0,2,0,0,0,0,0,1,256,0,0,258,0,0,0,0,0,0,0,
    0,270,0,269,4,0,0,0,0,8,2,0,1,0,264,0,8,0,0,0,0,0,0,0,0,0,0,
    4,4,0,4,0,260,0,4,0,259,0,256,0,0,256,257,256,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    338,84,0,381,0,320,0,16,0,273,0,256,0,0,320,16,16,0,0,64,0,320,320,0,0,0,0,
    80,0,16,0,0,368,16,64,0,0,0,48,0,0,0,16,0,16,16,64,0,368,0,272,0,64,0,
    0,4,0,320,4,0,0,0,0,257,2,0,1,0,64,0,16,0,0,0,0,0,368,0,0,0,0,
    365,0,360,0,0,360,365,256,0,0,0,64,0,0,0,64,0,64,360,256,0,360,0,360,0,256,0,
    0,0,32,0,0,0,32,0,32,0,0,0,0,0,0,0,0,96,32,0,32,0,0,32,32,352,0,
    321,256,0,5,0,64,0,256,0,64,0,64,0,0,64,64,320,0,0,256,0,320,256,0,0,0,0,
    0,2,0,325,4,0,0,0,0,2,2,0,1,0,256,0,0,0,0,0,0,0,64,0,0,0,0,
    2,64,0,1,0,256,0,0,0,2,0,354,0,0,256,0,0,0,0,64,0,64,64,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    272,0,16,0,0,344,16,16,0,0,0,256,0,0,0,256,0,256,16,24,0,344,0,80,0,16,0,
    0,0,16,0,0,0,16,0,16,0,0,0,0,0,0,0,0,272,16,0,16,0,0,16,16,80,0,
    65,260,0,4,0,64,0,16,0,256,0,256,0,0,256,256,256,0,0,80,0,64,336,0,0,0,0,
    0,0,8,0,0,0,8,0,8,0,0,0,0,0,0,0,0,328,8,0,8,0,0,8,8,264,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    260,0,64,0,0,64,260,256,0,0,0,320,0,0,0,320,0,320,65,256,0,321,0,64,0,256,0,
    2,2,0,4,0,256,0,0,0,256,0,256,0,0,256,0,0,0,0,330,0,64,64,0,0,0,0,
    2,0,326,0,0,256,0,0,0,0,0,256,0,0,0,0,0,0,323,64,0,64,0,320,0,0,0,
    0,2,0,4,4,0,0,0,0,256,258,0,257,0,256,0,0,0,0,0,0,0,64,0,0,0,0,
    0,68,0,320,4,0,0,0,0,1,2,0,1,0,344,0,16,0,0,0,0,0,256,0,0,0,0,
    260,64,0,1,0,256,0,64,0,65,0,272,0,0,336,16,64,0,0,64,0,256,64,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    324,256,0,5,0,320,0,256,0,64,0,64,0,0,64,64,320,0,0,256,0,256,256,0,0,0,0,
    65,0,260,0,0,324,65,320,0,0,0,64,0,0,0,64,0,64,256,320,0,256,0,256,0,320,0,
    0,256,0,5,260,0,0,0,0,64,322,0,65,0,64,0,320,0,0,0,0,0,256,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,64,0,1,68,0,0,0,0,2,66,0,1,0,256,0,0,0,0,0,0,0,64,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    25,0,18,0,0,316,16,8,0,0,0,16,0,0,0,16,0,16,19,8,0,313,0,304,0,8,0,
    0,0,16,0,0,0,1,0,308,0,0,0,0,0,0,0,0,16,1,0,2,0,0,304,1,0,0,
    50,20,0,4,0,304,0,16,0,16,0,16,0,0,16,16,16,0,0,48,0,304,304,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,9,0,2,0,0,296,1,264,0,
    0,0,0,0,0,0,0,0,36,0,0,0,0,0,0,0,0,0,0,0,32,0,0,0,33,0,0,
    4,0,4,0,0,4,4,260,0,0,0,0,0,0,0,0,0,0,291,256,0,289,0,288,0,256,0,
    2,8,0,1,0,256,0,0,0,2,0,298,0,0,256,0,0,0,0,8,0,297,8,0,0,0,0,
    1,0,294,0,0,256,0,0,0,0,0,290,0,0,0,0,0,0,1,0,0,1,0,256,0,0,0,
    0,294,0,32,4,0,0,0,0,291,2,0,1,0,288,0,0,0,0,0,0,0,32,0,0,0,0,
    0,0,20,0,0,0,16,0,284,0,0,0,0,0,0,0,0,272,8,0,2,0,0,280,281,8,0,
    0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,17,0,0,
    4,0,4,0,0,4,16,16,0,0,0,272,0,0,0,272,0,272,19,274,0,273,0,272,0,16,0,
    0,0,0,0,0,0,0,0,12,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,8,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,259,0,2,0,0,256,1,256,0,
    2,0,270,0,0,256,0,0,0,0,0,256,0,0,0,0,0,0,2,8,0,265,0,256,0,0,0,
    0,0,262,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,258,0,0,256,0,0,0,
    2,2,0,4,0,256,0,0,0,256,0,256,0,0,256,0,0,0,0,2,0,257,256,0,0,0,0,
    1,8,0,5,0,272,0,8,0,16,0,16,0,0,16,16,24,0,0,8,0,256,8,0,0,0,0,
    1,0,278,0,0,276,1,0,0,0,0,16,0,0,0,17,0,16,1,0,0,1,0,256,0,0,0,
    0,16,0,16,4,0,0,0,0,16,18,0,17,0,16,0,16,0,0,0,0,0,272,0,0,0,0,
    4,0,4,0,0,4,4,268,0,0,0,0,0,0,0,0,0,0,256,264,0,256,0,256,0,264,0,
    0,0,4,0,0,0,5,0,4,0,0,0,0,0,0,0,0,0,1,0,258,0,0,256,1,0,0,
    4,260,0,4,0,4,0,260,0,0,0,0,0,0,0,0,0,0,0,256,0,256,256,0,0,0,0,
    0,8,0,8,12,0,0,0,0,267,10,0,1,0,264,0,0,0,0,0,0,0,8,0,0,0,0,
    1,0,0,1,0,256,0,0,0,1,0,258,0,0,256,0,0,0,0,0,0,1,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,256,0,256,4,0,0,0,0,256,2,0,1,0,312,0,312,0,0,0,0,0,312,0,0,0,0,
    256,256,0,256,0,256,0,308,0,256,0,256,0,0,256,305,304,0,0,306,0,305,304,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    256,256,0,256,0,300,0,256,0,256,0,298,0,0,296,256,256,0,0,256,0,256,256,0,0,0,0,
    32,0,32,0,0,32,32,288,0,0,0,32,0,0,0,32,0,32,32,288,0,32,0,32,0,288,0,
    0,256,0,293,260,0,0,0,0,291,258,0,1,0,0,0,256,0,0,0,0,0,256,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,294,0,293,4,0,0,0,0,291,2,0,1,0,256,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    256,256,0,256,0,284,0,284,0,256,0,256,0,0,256,256,256,0,0,282,0,281,280,0,0,0,0,
    16,0,16,0,0,16,16,16,0,0,0,272,0,0,0,272,0,272,16,16,0,16,0,16,0,16,0,
    0,256,0,277,4,0,0,0,0,256,258,0,257,0,0,0,256,0,0,0,0,0,272,0,0,0,0,
    8,0,8,0,0,8,8,264,0,0,0,264,0,0,0,264,0,264,8,264,0,8,0,8,0,264,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    263,256,0,261,0,0,0,256,0,256,0,0,0,0,0,256,256,0,0,256,0,257,256,0,0,0,0,
    0,270,0,269,4,0,0,0,0,256,258,0,257,0,256,0,0,0,0,0,0,0,0,0,0,0,0,
    263,262,0,261,0,260,0,0,0,256,0,256,0,0,256,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,258,0,257,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,256,0,256,4,0,0,0,0,256,2,0,1,0,256,0,272,0,0,0,0,0,272,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,256,0,256,260,0,0,0,0,256,258,0,1,0,264,0,256,0,0,0,0,0,256,0,0,0,0,
    256,256,0,256,0,256,0,256,0,256,0,256,0,0,256,256,256,0,0,256,0,256,256,0,0,0,0,
    0,0,0,0,260,0,0,0,0,0,258,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,68,0,0,0,84,0,4,0,0,0,0,0,0,0,0,32,193,0,2,0,0,128,1,16,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    84,0,64,0,0,64,68,16,0,0,0,32,0,0,0,32,0,32,64,16,0,144,0,64,0,16,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,64,0,0,0,1,0,228,0,0,0,0,0,0,0,0,96,1,0,226,0,0,128,1,0,0,
    239,0,68,0,0,108,128,128,0,0,0,32,0,0,0,32,0,32,64,64,0,64,0,64,0,232,0,
    0,0,198,0,0,0,128,0,228,0,0,0,0,0,0,0,0,32,64,0,226,0,0,64,225,64,0,
    32,32,0,32,0,228,0,228,0,32,0,32,0,0,32,32,32,0,0,226,0,225,224,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,65,0,210,0,0,64,1,16,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,194,0,0,0,1,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,64,0,202,0,0,64,201,200,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,194,0,0,0,193,0,0,
    4,0,4,0,0,4,4,4,0,0,0,0,0,0,0,0,0,0,64,64,0,64,0,64,0,192,0,
    208,0,88,0,0,128,64,16,0,0,0,64,0,0,0,80,0,64,192,16,0,144,0,128,0,16,0,
    0,0,214,0,0,0,65,0,4,0,0,0,0,0,0,0,0,64,65,0,2,0,0,128,1,80,0,
    16,16,0,16,0,212,0,16,0,16,0,210,0,0,208,16,16,0,0,16,0,16,16,0,0,0,0,
    0,0,192,0,0,0,1,0,4,0,0,0,0,0,0,0,0,64,1,0,2,0,0,128,1,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    1,0,64,0,0,128,1,0,0,0,0,64,0,0,0,65,0,64,1,0,0,129,0,128,0,0,0,
    8,8,0,8,0,8,0,204,0,8,0,8,0,0,8,201,200,0,0,202,0,201,200,0,0,0,0,
    64,0,198,0,0,196,128,64,0,0,0,194,0,0,0,128,0,128,64,64,0,64,0,64,0,64,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,128,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,128,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,128,0,0,0,128,0,128,0,0,0,0,0,0,0,0,176,128,0,128,0,0,128,128,144,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,132,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,129,0,0,
    0,0,128,0,0,0,128,0,128,0,0,0,0,0,0,0,0,160,128,0,128,0,0,128,128,136,0,
    0,0,0,0,0,0,0,0,128,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,129,0,0,
    128,0,128,0,0,128,128,128,0,0,0,160,0,0,0,160,0,160,128,128,0,128,0,128,0,128,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,132,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,128,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,132,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,128,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,132,0,0,0,132,0,132,0,0,0,0,0,0,0,0,0,128,0,128,0,0,128,128,128,0,
    0,0,128,0,0,0,128,0,128,0,0,0,0,0,0,0,0,144,128,0,128,0,0,128,128,152,0,
    0,0,0,0,0,0,0,0,128,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,129,0,0,
    128,0,128,0,0,128,128,144,0,0,0,144,0,0,0,144,0,144,128,144,0,128,0,128,0,144,0,
    0,0,0,0,0,0,0,0,132,0,0,0,0,0,0,0,0,0,0,0,128,0,0,0,129,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,132,0,0,0,133,0,132,0,0,0,0,0,0,0,0,0,129,0,128,0,0,128,129,0,0,
    128,0,128,0,0,128,128,136,0,0,0,128,0,0,0,128,0,128,128,136,0,128,0,128,0,136,0,
    0,0,128,0,0,0,129,0,128,0,0,0,0,0,0,0,0,128,129,0,128,0,0,128,129,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    37,0,8,0,0,8,4,16,0,0,0,32,0,0,0,32,0,32,16,16,0,16,0,184,0,16,0,
    0,0,32,0,0,0,48,0,4,0,0,0,0,0,0,0,0,32,16,0,178,0,0,16,177,16,0,
    1,16,0,1,0,0,0,16,0,32,0,0,0,0,0,32,48,0,0,16,0,177,16,0,0,0,0,
    0,0,8,0,0,0,1,0,172,0,0,0,0,0,0,0,0,32,1,0,170,0,0,128,1,0,0,
    0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,0,0,32,0,0,0,33,0,0,
    1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,33,0,0,1,0,0,129,0,0,0,0,0,
    4,4,0,4,0,172,0,172,0,32,0,32,0,0,32,32,32,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,4,165,164,0,0,0,32,0,0,0,32,0,32,0,0,0,0,0,0,0,0,0,
    0,166,0,165,4,0,0,0,0,32,34,0,33,0,0,0,32,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,16,0,154,0,0,152,153,16,0,
    0,0,0,0,0,0,0,0,20,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,16,0,0,
    4,0,0,0,0,0,4,20,0,0,0,0,0,0,0,0,0,0,147,16,0,145,0,0,0,16,0,
    0,0,0,0,0,0,0,0,12,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,9,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,1,0,0,
    4,0,4,0,0,4,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,4,0,4,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    24,16,0,17,0,8,0,16,0,1,0,8,0,0,8,24,16,0,0,16,0,16,16,0,0,0,0,
    151,0,22,0,0,148,20,16,0,0,0,146,0,0,0,145,0,144,16,16,0,16,0,16,0,16,0,
    0,16,0,149,20,0,0,0,0,147,18,0,1,0,0,0,16,0,0,0,0,0,16,0,0,0,0,
    1,0,8,0,0,128,1,0,0,0,0,8,0,0,0,1,0,8,1,0,0,129,0,128,0,0,0,
    0,0,134,0,0,0,1,0,4,0,0,0,0,0,0,0,0,128,1,0,2,0,0,128,1,0,0,
    1,0,0,129,0,0,0,0,0,1,0,0,0,0,0,1,0,0,0,0,0,129,0,0,0,0,0,
    0,142,0,141,4,0,0,0,0,8,2,0,1,0,8,0,136,0,0,0,0,0,0,0,0,0,0,
    4,4,0,4,0,4,0,132,0,131,0,130,0,0,128,128,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,0,0,64,0,0,0,64,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,64,0,0,0,64,0,64,0,0,0,0,0,0,0,0,96,64,0,64,0,0,80,64,80,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,0,0,66,0,0,0,65,0,0,
    0,0,64,0,0,0,64,0,64,0,0,0,0,0,0,0,0,96,64,0,64,0,0,64,64,64,0,
    0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,0,0,64,0,0,0,64,0,0,
    64,0,64,0,0,64,64,64,0,0,0,96,0,0,0,96,0,96,64,64,0,64,0,64,0,64,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,68,0,0,0,0,0,0,0,0,0,0,0,64,0,0,0,64,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,68,0,0,0,0,0,0,0,0,0,0,0,64,0,0,0,64,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,68,0,0,0,68,0,68,0,0,0,0,0,0,0,0,0,64,0,64,0,0,64,64,64,0,
    0,0,64,0,0,0,64,0,64,0,0,0,0,0,0,0,0,64,64,0,64,0,0,80,64,80,0,
    0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,0,0,64,0,0,0,64,0,0,
    64,0,64,0,0,80,64,80,0,0,0,64,0,0,0,64,0,64,64,80,0,80,0,80,0,80,0,
    0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,0,0,66,0,0,0,65,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,66,0,0,0,65,0,64,0,0,0,0,0,0,0,0,64,67,0,66,0,0,0,65,0,0,
    64,0,64,0,0,64,64,64,0,0,0,64,0,0,0,64,0,64,64,64,0,64,0,64,0,64,0,
    0,0,64,0,0,0,64,0,64,0,0,0,0,0,0,0,0,64,64,0,64,0,0,64,64,64,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,8,0,0,0,5,0,60,0,0,0,0,0,0,0,0,32,16,0,58,0,0,16,57,16,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,50,0,0,0,49,0,0,
    1,0,0,0,0,0,1,16,0,0,0,0,0,0,0,32,0,0,51,16,0,16,0,0,0,16,0,
    0,0,0,0,0,0,0,0,44,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,3,0,0,0,0,0,1,0,0,
    4,0,46,0,0,44,4,4,0,0,0,32,0,0,0,32,0,32,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,
    39,38,0,37,0,0,0,36,0,32,0,0,0,0,0,32,32,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,26,0,0,0,25,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,19,0,0,0,0,0,17,16,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,0,0,0,0,0,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    16,0,8,0,0,16,29,16,0,0,0,8,0,0,0,25,0,8,16,16,0,16,0,16,0,16,0,
    0,0,22,0,0,0,21,0,4,0,0,0,0,0,0,0,0,16,16,0,18,0,0,16,17,16,0,
    23,16,0,16,0,0,0,16,0,19,0,0,0,0,0,17,16,0,0,16,0,16,16,0,0,0,0,
    0,0,2,0,0,0,1,0,12,0,0,0,0,0,0,0,0,8,3,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    3,0,0,0,0,0,1,0,0,0,0,0,0,0,0,1,0,0,3,0,0,0,0,0,0,0,0,
    15,14,0,13,0,12,0,12,0,8,0,8,0,0,8,8,8,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,4,4,4,0,0,0,2,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    52,0,22,0,0,124,16,16,0,0,0,32,0,0,0,32,0,32,18,16,0,121,0,88,0,16,0,
    0,0,32,0,0,0,16,0,116,0,0,0,0,0,0,0,0,32,17,0,2,0,0,112,113,80,0,
    4,16,0,5,0,64,0,16,0,32,0,32,0,0,32,32,48,0,0,16,0,80,16,0,0,0,0,
    0,0,36,0,0,0,1,0,4,0,0,0,0,0,0,0,0,96,1,0,2,0,0,104,1,0,0,
    0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,0,0,32,0,0,0,33,0,0,
    1,0,64,0,0,64,1,0,0,0,0,96,0,0,0,97,0,96,1,0,0,1,0,64,0,0,0,
    2,2,0,4,0,108,0,0,0,32,0,32,0,0,32,0,0,0,0,106,0,64,64,0,0,0,0,
    2,0,2,0,0,100,0,0,0,0,0,32,0,0,0,0,0,0,99,64,0,64,0,64,0,0,0,
    0,102,0,32,4,0,0,0,0,32,34,0,33,0,32,0,0,0,0,0,0,0,96,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,16,0,2,0,0,88,89,16,0,
    0,0,0,0,0,0,0,0,20,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,16,0,0,
    4,0,4,0,0,4,4,20,0,0,0,0,0,0,0,0,0,0,83,16,0,81,0,64,0,16,0,
    0,0,0,0,0,0,0,0,12,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,9,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,5,0,4,0,0,0,0,0,0,0,0,0,1,0,66,0,0,64,1,0,0,
    4,0,4,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,75,74,0,64,0,64,0,0,0,
    0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,67,0,66,0,0,64,0,0,0,
    4,4,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,66,0,64,64,0,0,0,0,
    26,16,0,1,0,88,0,16,0,17,0,24,0,0,88,16,16,0,0,16,0,88,16,0,0,0,0,
    1,0,22,0,0,84,16,80,0,0,0,82,0,0,0,16,0,16,1,80,0,1,0,80,0,80,0,
    0,16,0,16,20,0,0,0,0,16,18,0,1,0,80,0,16,0,0,0,0,0,16,0,0,0,0,
    1,0,78,0,0,76,1,0,0,0,0,64,0,0,0,65,0,64,1,0,0,1,0,72,0,0,0,
    0,0,70,0,0,0,1,0,4,0,0,0,0,0,0,0,0,64,1,0,2,0,0,64,1,0,0,
    1,0,0,1,0,64,0,0,0,65,0,64,0,0,64,65,0,0,0,0,0,1,0,0,0,0,0,
    0,78,0,8,4,0,0,0,0,75,2,0,1,0,8,0,0,0,0,0,0,0,72,0,0,0,0,
    2,64,0,1,0,68,0,0,0,2,0,2,0,0,64,0,0,0,0,64,0,64,64,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,16,0,60,0,0,0,0,0,0,0,0,48,1,0,2,0,0,56,57,24,0,
    0,0,0,0,0,0,0,0,52,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    20,0,4,0,0,4,16,16,0,0,0,48,0,0,0,48,0,48,18,16,0,49,0,48,0,16,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,5,0,4,0,0,0,0,0,0,0,0,0,1,0,2,0,0,32,1,0,0,
    2,0,2,0,0,44,0,0,0,0,0,32,0,0,0,0,0,0,2,8,0,41,0,40,0,0,0,
    0,0,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,2,0,0,32,0,0,0,
    39,38,0,32,0,32,0,0,0,32,0,32,0,0,32,0,0,0,0,34,0,32,32,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,25,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,19,0,2,0,0,16,17,16,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,0,2,0,0,8,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0,0,0,
    4,0,4,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,2,2,0,1,0,0,0,0,0,
    17,0,18,0,0,28,16,24,0,0,0,16,0,0,0,16,0,16,1,24,0,1,0,24,0,24,0,
    0,0,22,0,0,0,1,0,20,0,0,0,0,0,0,0,0,16,1,0,2,0,0,16,1,0,0,
    16,16,0,16,0,16,0,16,0,16,0,16,0,0,16,16,16,0,0,16,0,16,16,0,0,0,0,
    0,0,4,0,0,0,5,0,4,0,0,0,0,0,0,0,0,0,1,0,2,0,0,8,1,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    5,0,4,0,0,4,5,0,0,0,0,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,
    15,8,0,8,0,8,0,0,0,11,0,10,0,0,8,0,0,0,0,8,0,8,8,0,0,0,0,
    1,0,2,0,0,4,0,0,0,0,0,2,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    36,16,0,5,0,8,0,16,0,32,0,32,0,0,32,32,48,0,0,16,0,16,16,0,0,0,0,
    48,0,32,0,0,32,16,16,0,0,0,32,0,0,0,32,0,32,16,16,0,16,0,16,0,16,0,
    0,16,0,1,20,0,0,0,0,32,50,0,33,0,0,0,48,0,0,0,0,0,16,0,0,0,0,
    1,0,8,0,0,8,1,0,0,0,0,32,0,0,0,33,0,32,1,0,0,1,0,8,0,0,0,
    0,0,32,0,0,0,33,0,32,0,0,0,0,0,0,0,0,32,33,0,32,0,0,32,33,0,0,
    1,0,0,1,0,0,0,0,0,33,0,0,0,0,0,33,0,0,0,0,0,1,0,0,0,0,0,
    0,46,0,4,4,0,0,0,0,32,34,0,33,0,32,0,0,0,0,0,0,0,0,0,0,0,0,
    39,38,0,4,0,4,0,0,0,32,0,32,0,0,32,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,34,0,33,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,4,4,20,0,0,0,0,0,0,0,0,0,0,16,16,0,16,0,24,0,16,0,
    0,0,20,0,0,0,20,0,20,0,0,0,0,0,0,0,0,0,16,0,16,0,0,16,16,16,0,
    4,20,0,4,0,0,0,20,0,0,0,0,0,0,0,0,0,0,0,16,0,17,16,0,0,0,0,
    0,0,12,0,0,0,13,0,12,0,0,0,0,0,0,0,0,0,9,0,8,0,0,8,9,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    5,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,
    4,4,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,16,0,1,20,0,0,0,0,1,18,0,1,0,8,0,16,0,0,0,0,0,16,0,0,0,0,
    22,16,0,1,0,20,0,16,0,1,0,18,0,0,16,16,16,0,0,16,0,16,16,0,0,0,0,
    0,0,0,0,20,0,0,0,0,0,18,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,0,0,1,0,8,0,0,0,1,0,8,0,0,8,1,0,0,0,0,0,1,0,0,0,0,0,
    1,0,6,0,0,4,1,0,0,0,0,2,0,0,0,1,0,0,1,0,0,1,0,0,0,0,0,
    0,0,0,1,0,0,0,0,0,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,6,0,4,4,0,0,0,0,2,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    16,68,0,4,0,16,0,208,0,67,0,16,0,0,16,144,64,0,0,32,0,32,32,0,0,0,0,
    64,0,16,0,0,16,16,64,0,0,0,16,0,0,0,80,0,16,32,64,0,32,0,240,0,64,0,
    0,52,0,16,4,0,0,0,0,1,2,0,1,0,240,0,144,0,0,0,0,0,32,0,0,0,0,
    239,0,170,0,0,128,45,72,0,0,0,64,0,0,0,64,0,64,32,32,0,128,0,128,0,32,0,
    0,0,32,0,0,0,32,0,32,0,0,0,0,0,0,0,0,96,32,0,32,0,0,160,32,96,0,
    195,6,0,128,0,128,0,228,0,64,0,64,0,0,192,64,64,0,0,32,0,128,128,0,0,0,0,
    0,68,0,1,4,0,0,0,0,1,2,0,1,0,0,0,128,0,0,0,0,0,232,0,0,0,0,
    1,64,0,1,0,0,0,64,0,1,0,0,0,0,0,225,64,0,0,64,0,225,64,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    209,0,16,0,0,16,16,8,0,0,0,16,0,0,0,16,0,16,16,8,0,16,0,16,0,8,0,
    0,0,16,0,0,0,16,0,16,0,0,0,0,0,0,0,0,16,16,0,16,0,0,16,16,80,0,
    65,214,0,209,0,212,0,208,0,65,0,210,0,0,208,209,208,0,0,208,0,80,208,0,0,0,0,
    0,0,8,0,0,0,8,0,8,0,0,0,0,0,0,0,0,72,8,0,8,0,0,136,8,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    195,0,64,0,0,128,65,196,0,0,0,64,0,0,0,64,0,64,195,194,0,128,0,128,0,192,0,
    1,198,0,1,0,0,0,128,0,1,0,0,0,0,0,201,128,0,0,64,0,201,64,0,0,0,0,
    1,0,0,0,0,0,197,64,0,0,0,0,0,0,0,193,0,0,195,64,0,193,0,0,0,64,0,
    0,198,0,1,4,0,0,0,0,1,2,0,1,0,0,0,128,0,0,0,0,0,64,0,0,0,0,
    0,4,0,4,4,0,0,0,0,3,2,0,1,0,16,0,64,0,0,0,0,0,0,0,0,0,0,
    4,64,0,4,0,212,0,64,0,65,0,16,0,0,16,64,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,4,0,128,0,128,0,4,0,64,0,64,0,0,192,64,64,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,128,4,64,0,0,0,64,0,0,0,64,0,64,0,0,0,0,0,0,0,0,0,
    0,4,0,128,132,0,0,0,0,64,66,0,193,0,192,0,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,64,0,197,68,0,0,0,0,1,66,0,1,0,0,0,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    13,0,16,0,0,16,1,8,0,0,0,16,0,0,0,16,0,16,32,8,0,32,0,184,0,8,0,
    0,0,16,0,0,0,1,0,180,0,0,0,0,0,0,0,0,16,1,0,178,0,0,176,1,0,0,
    48,4,0,20,0,16,0,48,0,16,0,16,0,0,16,16,16,0,0,32,0,32,32,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,32,0,170,0,0,128,169,8,0,
    0,0,0,0,0,0,0,0,36,0,0,0,0,0,0,0,0,0,0,0,32,0,0,0,33,0,0,
    4,0,4,0,0,132,4,4,0,0,0,0,0,0,0,0,0,0,32,32,0,128,0,128,0,32,0,
    1,8,0,1,0,0,0,8,0,1,0,0,0,0,0,169,8,0,0,8,0,169,8,0,0,0,0,
    1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,1,0,0,1,0,0,1,0,0,0,0,0,
    0,32,0,165,4,0,0,0,0,163,2,0,1,0,0,0,160,0,0,0,0,0,32,0,0,0,0,
    0,0,16,0,0,0,24,0,156,0,0,0,0,0,0,0,0,16,8,0,154,0,0,16,1,8,0,
    0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,17,0,0,
    151,0,16,0,0,16,17,148,0,0,0,16,0,0,0,16,0,16,19,146,0,145,0,16,0,144,0,
    0,0,0,0,0,0,0,0,12,0,0,0,0,0,0,0,0,0,0,0,8,0,0,0,8,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,131,0,2,0,0,128,1,128,0,
    1,0,0,0,0,0,141,8,0,0,0,0,0,0,0,137,0,0,1,8,0,1,0,0,0,8,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,1,0,0,
    1,134,0,1,0,0,0,128,0,1,0,0,0,0,0,129,128,0,0,130,0,1,128,0,0,0,0,
    4,8,0,4,0,156,0,8,0,16,0,16,0,0,16,16,24,0,0,0,0,0,0,0,0,0,0,
    1,0,150,0,0,148,1,0,0,0,0,16,0,0,0,17,0,16,0,0,0,0,0,0,0,0,0,
    0,150,0,149,4,0,0,0,0,16,18,0,17,0,16,0,16,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,132,4,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,4,0,0,0,5,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,4,0,132,0,132,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,8,0,141,12,0,0,0,0,139,10,0,1,0,0,0,8,0,0,0,0,0,0,0,0,0,0,
    1,0,0,1,0,0,0,0,0,1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,128,0,128,4,0,0,0,0,128,2,0,1,0,184,0,128,0,0,0,0,0,184,0,0,0,0,
    128,128,0,128,0,180,0,128,0,128,0,178,0,0,176,128,128,0,0,178,0,177,176,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    128,128,0,128,0,128,0,128,0,128,0,170,0,0,128,128,128,0,0,170,0,128,128,0,0,0,0,
    32,0,32,0,0,160,32,32,0,0,0,32,0,0,0,32,0,32,32,32,0,160,0,160,0,32,0,
    0,128,0,128,132,0,0,0,0,163,2,0,129,0,0,0,128,0,0,0,0,0,128,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,166,0,165,4,0,0,0,0,163,2,0,1,0,0,0,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    128,128,0,128,0,156,0,128,0,128,0,154,0,0,152,128,128,0,0,154,0,153,152,0,0,0,0,
    16,0,16,0,0,16,16,16,0,0,0,16,0,0,0,16,0,16,16,16,0,16,0,16,0,16,0,
    0,128,0,149,4,0,0,0,0,147,2,0,1,0,0,0,128,0,0,0,0,0,144,0,0,0,0,
    8,0,8,0,0,136,8,8,0,0,0,8,0,0,0,8,0,8,8,8,0,136,0,136,0,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    135,128,0,128,0,0,0,128,0,131,0,0,0,0,0,129,128,0,0,128,0,128,128,0,0,0,0,
    0,142,0,141,4,0,0,0,0,139,2,0,1,0,0,0,128,0,0,0,0,0,0,0,0,0,0,
    135,134,0,133,0,0,0,132,0,131,0,0,0,0,0,129,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,150,0,149,4,0,0,0,0,128,2,0,1,0,144,0,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,142,0,128,132,0,0,0,0,128,2,0,129,0,128,0,128,0,0,0,0,0,0,0,0,0,0,
    135,134,0,128,0,128,0,132,0,128,0,128,0,0,128,128,128,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,132,0,0,0,0,0,2,0,129,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    53,0,16,0,0,16,5,124,0,0,0,16,0,0,0,121,0,16,32,32,0,16,0,16,0,32,0,
    0,0,16,0,0,0,53,0,116,0,0,0,0,0,0,0,0,16,32,0,114,0,0,16,113,64,0,
    16,2,0,16,0,16,0,52,0,18,0,114,0,0,16,17,112,0,0,32,0,16,16,0,0,0,0,
    0,0,2,0,0,0,45,0,4,0,0,0,0,0,0,0,0,64,2,0,2,0,0,0,105,32,0,
    0,0,0,0,0,0,0,0,32,0,0,0,0,0,0,0,0,0,0,0,34,0,0,0,32,0,0,
    2,0,2,0,0,0,5,100,0,0,0,66,0,0,0,64,0,64,2,2,0,0,0,0,0,32,0,
    1,108,0,1,0,0,0,108,0,1,0,0,0,0,0,1,104,0,0,106,0,105,104,0,0,0,0,
    1,0,0,0,0,0,1,64,0,0,0,0,0,0,0,1,0,0,99,64,0,97,0,0,0,64,0,
    0,32,0,101,4,0,0,0,0,99,2,0,1,0,0,0,32,0,0,0,0,0,96,0,0,0,0,
    0,0,16,0,0,0,29,0,92,0,0,0,0,0,0,0,0,16,16,0,90,0,0,16,1,8,0,
    0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,16,0,0,
    83,0,86,0,0,16,1,84,0,0,0,82,0,0,0,81,0,80,17,82,0,16,0,16,0,80,0,
    0,0,0,0,0,0,0,0,8,0,0,0,0,0,0,0,0,0,0,0,10,0,0,0,8,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,2,0,0,0,69,0,68,0,0,0,0,0,0,0,0,64,2,0,2,0,0,0,1,64,0,
    1,0,0,0,0,0,1,76,0,0,0,0,0,0,0,1,0,0,75,64,0,73,0,0,0,64,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,67,0,0,0,0,0,65,64,0,
    1,70,0,1,0,0,0,68,0,1,0,0,0,0,0,1,64,0,0,64,0,65,64,0,0,0,0,
    4,4,0,16,0,16,0,4,0,18,0,16,0,0,16,25,64,0,0,0,0,0,0,0,0,0,0,
    4,0,86,0,0,16,4,64,0,0,0,16,0,0,0,64,0,16,0,0,0,0,0,0,0,0,0,
    0,86,0,16,20,0,0,0,0,16,2,0,17,0,16,0,16,0,0,0,0,0,0,0,0,0,0,
    2,0,2,0,0,0,4,4,0,0,0,66,0,0,0,64,0,64,0,0,0,0,0,0,0,0,0,
    0,0,2,0,0,0,4,0,4,0,0,0,0,0,0,0,0,64,0,0,0,0,0,0,0,0,0,
    2,2,0,0,0,0,0,4,0,66,0,66,0,0,0,64,64,0,0,0,0,0,0,0,0,0,0,
    0,78,0,77,4,0,0,0,0,75,2,0,1,0,0,0,8,0,0,0,0,0,0,0,0,0,0,
    71,64,0,69,0,0,0,64,0,1,0,0,0,0,0,1,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,16,0,0,0,5,0,60,0,0,0,0,0,0,0,0,16,32,0,58,0,0,16,57,8,0,
    0,0,0,0,0,0,0,0,52,0,0,0,0,0,0,0,0,0,0,0,50,0,0,0,1,0,0,
    16,0,16,0,0,16,53,52,0,0,0,16,0,0,0,16,0,16,32,32,0,16,0,16,0,32,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,41,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,6,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,2,0,2,0,0,0,33,32,0,
    1,0,0,0,0,0,1,8,0,0,0,0,0,0,0,1,0,0,43,8,0,41,0,0,0,8,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,1,0,0,
    39,32,0,37,0,0,0,32,0,35,0,0,0,0,0,33,32,0,0,32,0,33,32,0,0,0,0,
    0,0,0,0,0,0,0,0,28,0,0,0,0,0,0,0,0,0,0,0,26,0,0,0,1,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,16,0,0,0,21,0,20,0,0,0,0,0,0,0,0,16,19,0,18,0,0,16,1,16,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,1,0,0,
    0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,1,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,
    1,0,0,0,0,0,1,4,0,0,0,0,0,0,0,1,0,0,1,2,0,1,0,0,0,0,0,
    4,0,30,0,0,16,4,8,0,0,0,16,0,0,0,16,0,16,0,0,0,0,0,0,0,0,0,
    0,0,22,0,0,0,1,0,20,0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,
    23,22,0,16,0,16,0,20,0,16,0,16,0,0,16,16,16,0,0,0,0,0,0,0,0,0,0,
    0,0,6,0,0,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    6,0,6,0,0,0,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    15,8,0,13,0,0,0,8,0,11,0,0,0,0,0,9,8,0,0,0,0,0,0,0,0,0,0,
    1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    16,2,0,16,0,16,0,52,0,2,0,58,0,0,16,25,56,0,0,58,0,16,16,0,0,0,0,
    16,0,16,0,0,16,20,52,0,0,0,16,0,0,0,49,0,16,51,50,0,16,0,16,0,48,0,
    0,2,0,16,20,0,0,0,0,1,2,0,17,0,0,0,48,0,0,0,0,0,16,0,0,0,0,
    2,0,2,0,0,0,45,44,0,0,0,2,0,0,0,41,0,8,2,2,0,0,0,0,0,32,0,
    0,0,34,0,0,0,32,0,32,0,0,0,0,0,0,0,0,32,34,0,34,0,0,0,32,32,0,
    2,2,0,0,0,0,0,36,0,2,0,0,0,0,0,1,32,0,0,2,0,0,0,0,0,0,0,
    0,4,0,45,4,0,0,0,0,1,2,0,1,0,0,0,40,0,0,0,0,0,0,0,0,0,0,
    39,4,0,37,0,0,0,4,0,1,0,0,0,0,0,1,32,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    16,0,30,0,0,16,17,28,0,0,0,26,0,0,0,25,0,24,16,16,0,16,0,16,0,16,0,
    0,0,16,0,0,0,16,0,16,0,0,0,0,0,0,0,0,16,16,0,16,0,0,16,16,16,0,
    1,2,0,16,0,0,0,20,0,1,0,0,0,0,0,1,16,0,0,16,0,16,16,0,0,0,0,
    0,0,10,0,0,0,8,0,8,0,0,0,0,0,0,0,0,8,10,0,10,0,0,0,8,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    2,0,0,0,0,0,1,4,0,0,0,0,0,0,0,1,0,0,2,2,0,0,0,0,0,0,0,
    15,4,0,13,0,0,0,4,0,1,0,0,0,0,0,1,8,0,0,0,0,0,0,0,0,0,0,
    7,0,0,0,0,0,5,4,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,5,4,0,0,0,0,1,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,16,20,0,0,0,0,2,2,0,17,0,16,0,24,0,0,0,0,0,0,0,0,0,0,
    4,4,0,16,0,16,0,4,0,2,0,16,0,0,16,17,16,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,20,0,0,0,0,0,2,0,17,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    2,2,0,0,0,0,0,4,0,2,0,2,0,0,0,9,8,0,0,0,0,0,0,0,0,0,0,
    2,0,2,0,0,0,4,4,0,0,0,2,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,
    0,2,0,0,0,0,0,0,0,2,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,5,4,0,0,0,0,1,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,64,0,64,4,0,0,0,0,64,2,0,1,0,120,0,120,0,0,0,0,0,120,0,0,0,0,
    64,64,0,64,0,116,0,64,0,64,0,114,0,0,112,113,64,0,0,64,0,113,64,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    64,64,0,64,0,64,0,64,0,64,0,64,0,0,64,64,64,0,0,106,0,105,104,0,0,0,0,
    32,0,32,0,0,32,32,96,0,0,0,96,0,0,0,96,0,96,32,96,0,32,0,32,0,96,0,
    0,64,0,64,4,0,0,0,0,64,66,0,65,0,64,0,64,0,0,0,0,0,96,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,64,0,101,68,0,0,0,0,99,66,0,1,0,0,0,0,0,0,0,0,0,64,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    64,64,0,64,0,92,0,92,0,64,0,90,0,0,88,89,88,0,0,64,0,64,64,0,0,0,0,
    16,0,16,0,0,16,16,80,0,0,0,16,0,0,0,16,0,16,16,80,0,16,0,16,0,80,0,
    0,64,0,64,4,0,0,0,0,64,2,0,1,0,80,0,80,0,0,0,0,0,64,0,0,0,0,
    8,0,8,0,0,8,8,8,0,0,0,72,0,0,0,72,0,72,8,8,0,8,0,8,0,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    64,64,0,64,0,64,0,64,0,64,0,64,0,0,64,64,64,0,0,64,0,64,64,0,0,0,0,
    0,78,0,77,4,0,0,0,0,75,2,0,1,0,0,0,0,0,0,0,0,0,64,0,0,0,0,
    71,64,0,69,0,0,0,0,0,67,0,0,0,0,0,0,0,0,0,64,0,65,64,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,64,0,85,68,0,0,0,0,64,66,0,1,0,80,0,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,78,0,77,4,0,0,0,0,64,66,0,65,0,64,0,64,0,0,0,0,0,0,0,0,0,0,
    71,64,0,69,0,68,0,64,0,64,0,64,0,0,64,64,64,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,66,0,65,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,68,0,0,0,0,0,66,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    9,8,0,5,0,16,0,8,0,16,0,16,0,0,16,16,24,0,0,8,0,32,8,0,0,0,0,
    1,0,16,0,0,16,1,0,0,0,0,16,0,0,0,17,0,16,1,0,0,1,0,48,0,0,0,
    0,4,0,4,4,0,0,0,0,16,18,0,17,0,16,0,16,0,0,0,0,0,32,0,0,0,0,
    4,0,4,0,0,4,4,12,0,0,0,0,0,0,0,0,0,0,32,8,0,32,0,32,0,8,0,
    0,0,36,0,0,0,37,0,36,0,0,0,0,0,0,0,0,0,33,0,32,0,0,32,33,0,0,
    4,4,0,4,0,4,0,4,0,0,0,0,0,0,0,0,0,0,0,32,0,32,32,0,0,0,0,
    0,8,0,1,12,0,0,0,0,43,10,0,1,0,0,0,0,0,0,0,0,0,8,0,0,0,0,
    1,0,0,1,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    24,0,16,0,0,16,16,8,0,0,0,16,0,0,0,16,0,16,8,8,0,8,0,16,0,8,0,
    0,0,16,0,0,0,17,0,16,0,0,0,0,0,0,0,0,16,17,0,16,0,0,16,17,0,0,
    19,4,0,4,0,16,0,16,0,16,0,16,0,0,16,16,16,0,0,18,0,17,16,0,0,0,0,
    0,0,12,0,0,0,12,0,12,0,0,0,0,0,0,0,0,0,8,0,8,0,0,8,8,8,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,0,4,0,0,4,4,4,0,0,0,0,0,0,0,0,0,0,3,2,0,1,0,0,0,0,0,
    15,8,0,1,0,0,0,0,0,11,0,0,0,0,0,0,0,0,0,8,0,1,8,0,0,0,0,
    1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,
    0,2,0,1,4,0,0,0,0,3,2,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,8,0,4,12,0,0,0,0,16,26,0,17,0,16,0,24,0,0,0,0,0,0,0,0,0,0,
    1,0,0,1,0,20,0,0,0,17,0,16,0,0,16,17,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,4,0,0,0,0,0,18,0,17,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    4,12,0,4,0,4,0,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    5,0,4,0,0,4,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,4,0,4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,12,0,0,0,0,0,10,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,1,0,0,0,0,0,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};
// tictactoe:table end

#endif  // TICTACTOE_H
