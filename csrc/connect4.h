// connect4.h: Connect Four's C sim. The rules (observation, actions, rewards, ends, opponents,
// two-player mode) are the docstring of envs/connect4.py's Connect4; this comment covers only
// how this file implements them.
//
// State: two bitboards per sub-env (agent's stones, opponent's stones) in the standard 7 x (6+1)
// layout: bit col * 7 + row, row 0 at the BOTTOM (the observation has row 0 at the top), bit 6
// of each column a zero sentinel, so a shift by 1 (vertical), 7 (horizontal), 6 or 8
// (diagonals) never wraps into a neighbour column. The column heights are implicit: the lowest
// empty cell of every column is (mask + BOTTOM) & BOARD, mask = agent | opponent (carry
// propagation up each column). The whole observation row is rewritten on every step and reset,
// so it always matches the bitboards. Actions are range-checked before use, so the board is
// never read or written out of bounds.
//
// The search opponent is a fail-hard alpha-beta negamax over the bitboards (scores CONNECT4_WIN
// - ply), with exact shortcuts inside the tree: a side that can win at once scores that win;
// with >= 2 plies left a side plays only moves that do not hand the other an immediate win
// (Pons' "non-losing moves"), which never changes a score. Its cost per ply is measured in the
// README ("Bundled envs").
//
// Two-player mode (opponent CONNECT4_NONE): the buffers have 2 * num_envs rows; agent_stones
// holds row 2g's stones and opponent_stones row 2g + 1's, and `first` reads row 2g for "the
// agent". Masks are never written (they stay as allocated, all true). Stats go to
// two_player_log (the single-agent log stays empty).
#ifndef CONNECT4_H
#define CONNECT4_H

#include "envsdk.h"

#define CONNECT4_ROWS 6
#define CONNECT4_COLS 7
#define CONNECT4_CELLS 42
#define CONNECT4_OBS 49                             // 42 cells + 7 legal-column entries
#define CONNECT4_BOTTOM 0x0040810204081ULL           // bit col * 7 for every column (row 0 cells)
#define CONNECT4_BOARD (CONNECT4_BOTTOM * 0x3FULL)         // the 42 playable bits (rows 0..5 of each column)
#define CONNECT4_TOP (CONNECT4_BOTTOM << 5)                // row 5 (top) cell of every column
#define CONNECT4_WIN 100                             // search score of a win at ply 0
#define CONNECT4_MAX_DEPTH 12                        // Python caps config depth here
#define CONNECT4_NONE 3                              // config `opponent` of two-player mode

// envsdk:cdef begin
typedef struct connect4_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes
    double episode_length;  // sum over those episodes, agent moves (steps)
    double win;             // sum over those episodes: 1 if the agent made four
    double draw;            // sum over those episodes: 1 if the board filled with no four
    double loss;            // sum over those episodes: 1 if the opponent made four or the agent moved illegally
    double illegal;         // sum over those episodes: 1 if it ended on an illegal agent action
} connect4_log;

// The log of two-player mode: one episode per agent row, so every finished game adds two (one
// per row) and each sum below adds its value once per row; the means Python reports of
// first_win, second_win, draw and illegal are therefore per-game rates.
typedef struct connect4_two_player_log {
    double count;           // row episodes finished since Python last read this log (2 per game)
    double episode_return;  // sum of the rows' returns (a game adds both rows': 0 when decided or
                            // drawn, illegal_reward when an action was illegal)
    double episode_length;  // sum of the rows' lengths (a game adds 2 x its moves, both players',
                            // an illegal one included)
    double first_win;       // sum: 1 per row if the first mover made four
    double second_win;      // sum: 1 per row if the second mover made four
    double draw;            // sum: 1 per row if the board filled with no four
    double illegal;         // sum: 1 per row if the game ended on an illegal action (either player's)
} connect4_two_player_log;

typedef struct connect4 {
    // Buffers owned by the caller: `rows` = num_envs, or 2 * num_envs in two-player mode.
    float* observations;    // [rows, 49], written by reset and step
    int32_t* actions;       // [rows] column 0..6, written by the caller, read by step
    float* rewards;         // [rows], written by reset and step
    bool* terminals;        // [rows], written by reset and step
    bool* truncations;      // [rows], written by reset and step (always false: games end)
    float* final_observations;  // [rows, 49] or NULL: step writes each ended game's final position
    // Config, validated in Python before init.
    int32_t num_envs;       // sub-envs (games)
    int32_t opponent;       // 0 random, 1 greedy (one ply), 2 search, 3 none (two-player mode)
    int32_t depth;          // search plies, 1..CONNECT4_MAX_DEPTH (used by opponent 2 only)
    int32_t first;          // who moves first: 0 agent, 1 opponent, 2 random per episode
    float illegal_reward;   // reward for an illegal action (which ends the episode as a loss)
    // State of every sub-env, allocated by connect4_init, freed by connect4_close.
    uint64_t* rng;          // [num_envs] RNG state
    uint64_t* agent_stones;     // [num_envs] bitboard of the agent's (row 2g's) stones (bit col * 7 + row, row 0 bottom)
    uint64_t* opponent_stones;  // [num_envs] bitboard of the opponent's (row 2g + 1's) stones, same layout
    uint8_t* agent_first;   // [num_envs] 1 if the agent (row 2g) moved first this episode
    int32_t* tick;          // [num_envs] agent moves in the current episode (two-player mode: moves
                            // of both players in the current game)
    float* episode_return;  // [num_envs] return of the current episode so far (single-agent modes)
    connect4_log log;
    connect4_two_player_log two_player_log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} connect4;
// envsdk:cdef end

int connect4_init(connect4* env) {
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, agent_stones, opponent_stones, agent_first, tick, episode_return);
    return envsdk_init_done(&env->core);
}

// ---- Bitboard rules ----------------------------------------------------------------------------

// Bit of column col's cell in row 0 (bottom); all of column col's playable bits.
static inline uint64_t connect4_bottom(int32_t col) { return 1ULL << (col * 7); }
static inline uint64_t connect4_column(int32_t col) { return 0x3FULL << (col * 7); }

// The cells where a stone would land now, one per non-full column (mask = all stones).
static inline uint64_t connect4_playable(uint64_t mask) { return (mask + CONNECT4_BOTTOM) & CONNECT4_BOARD; }

// True when stones holds four in a row: shift by the direction's step and AND, twice.
static inline bool connect4_four(uint64_t stones) {
    uint64_t m = stones & (stones >> 7);  // horizontal
    if (m & (m >> 14)) return true;
    m = stones & (stones >> 6);           // diagonal, up-left to down-right
    if (m & (m >> 12)) return true;
    m = stones & (stones >> 8);           // diagonal, down-left to up-right
    if (m & (m >> 16)) return true;
    m = stones & (stones >> 1);           // vertical
    return (m & (m >> 2)) != 0;
}

// r with the cells added that would complete four for stones along the line of bit step d: the
// cell has the line's next two stones on one side and a third beyond them or one on the other side.
static inline uint64_t connect4_threats_along(uint64_t r, uint64_t stones, int d) {
    uint64_t p = (stones << d) & (stones << 2 * d);
    r |= p & (stones << 3 * d);
    r |= p & (stones >> d);
    p = (stones >> d) & (stones >> 2 * d);
    r |= p & (stones << d);
    r |= p & (stones >> 3 * d);
    return r;
}

// The EMPTY cells (playable now or not) that would complete four for stones (Pons, "Solving
// Connect 4", compute_winning_position): each direction checks the three patterns around the cell.
static inline uint64_t connect4_threats(uint64_t stones, uint64_t mask) {
    uint64_t r = (stones << 1) & (stones << 2) & (stones << 3);  // vertical: three below
    // Horizontal (step 7), diagonals (step 6 and step 8).
    r = connect4_threats_along(r, stones, 7);
    r = connect4_threats_along(r, stones, 6);
    r = connect4_threats_along(r, stones, 8);
    return r & (CONNECT4_BOARD ^ mask);
}

// One bit per column 0..6 (bit col) for the columns that hold a cell of cells.
static inline uint32_t connect4_columns_of(uint64_t cells) {
    uint32_t cols = 0;
    for (int32_t c = 0; c < CONNECT4_COLS; c++) cols |= (uint32_t)((cells & connect4_column(c)) != 0) << c;
    return cols;
}

// A uniformly random column among the set bits of cols (cols != 0).
static inline int32_t connect4_pick(uint64_t* rng, uint32_t cols) {
    int32_t k = envsdk_rng_below(rng, __builtin_popcount(cols));
    for (; k > 0; k--) cols &= cols - 1;  // drop the k lowest set bits
    return __builtin_ctz(cols);
}

// ---- Opponents ---------------------------------------------------------------------------------

// Negamax value for the side to move (stones `me`, all stones `mask`) searching `depth` >= 1
// plies; `ply` is the ply of the move about to be made, counted from the opponent's root move
// (1). Fail-hard alpha-beta: the result is exact inside (alpha, beta), a bound outside.
static int32_t connect4_negamax(uint64_t me, uint64_t mask, int32_t depth, int32_t ply, int32_t alpha, int32_t beta) {
    uint64_t playable = connect4_playable(mask);
    if (!playable) return 0;                                    // full board: draw
    if (connect4_threats(me, mask) & playable) return CONNECT4_WIN - ply;   // win now: the best possible
    if (depth == 1) return 0;                                   // horizon
    // With >= 2 plies left, a move that lets the other side win at once scores the worst
    // (-(CONNECT4_WIN - (ply + 1))), so only non-losing moves are searched (the score is unchanged).
    uint64_t them = me ^ mask;
    uint64_t their = connect4_threats(them, mask);
    uint64_t forced = playable & their;
    int32_t lose = -(CONNECT4_WIN - (ply + 1));
    if (forced) {
        if (forced & (forced - 1)) return lose;  // two threats: cannot block both
        playable = forced;
    }
    playable &= ~(their >> 1);  // never play directly below the other side's winning cell
    if (!playable) return lose;
    // No win now, so the best reachable is a win at ply + 2.
    int32_t best_possible = CONNECT4_WIN - (ply + 2);
    if (beta > best_possible) {
        beta = best_possible;
        if (alpha >= beta) return beta;
    }
    static const int32_t order[CONNECT4_COLS] = {3, 2, 4, 1, 5, 0, 6};  // centre first: better cut-offs
    for (int32_t k = 0; k < CONNECT4_COLS; k++) {
        uint64_t move = playable & connect4_column(order[k]);
        if (!move) continue;
        int32_t score = -connect4_negamax(them, mask | move, depth - 1, ply + 1, -beta, -alpha);
        if (score >= beta) return beta;
        if (score > alpha) alpha = score;
    }
    return alpha;
}

// The search opponent's column (stones `me`, all stones `mask`, some column playable).
static int32_t connect4_search(uint64_t* rng, uint64_t me, uint64_t mask, int32_t depth) {
    uint64_t playable = connect4_playable(mask);
    uint64_t wins = connect4_threats(me, mask) & playable;
    if (wins) return connect4_pick(rng, connect4_columns_of(wins));  // every winning column scores CONNECT4_WIN - 1
    if (depth == 1) return connect4_pick(rng, connect4_columns_of(playable));  // every column scores 0
    // Root candidates: the non-losing moves (as in connect4_negamax); when every move loses at once,
    // all of them tie and any is chosen.
    uint64_t them = me ^ mask;
    uint64_t their = connect4_threats(them, mask);
    uint64_t candidates = playable;
    uint64_t forced = playable & their;
    if (forced) candidates = (forced & (forced - 1)) ? 0 : forced;
    candidates &= ~(their >> 1);
    if (!candidates) return connect4_pick(rng, connect4_columns_of(playable));
    // Shuffle the candidate columns (Fisher-Yates), then keep the first of best score: uniform
    // among the best. Later moves need only beat the best so far (window (best, +inf)).
    int32_t cols[CONNECT4_COLS], n = 0;
    for (int32_t c = 0; c < CONNECT4_COLS; c++)
        if (candidates & connect4_column(c)) cols[n++] = c;
    for (int32_t k = n - 1; k > 0; k--) {
        int32_t j = envsdk_rng_below(rng, k + 1);
        int32_t t = cols[k];
        cols[k] = cols[j];
        cols[j] = t;
    }
    int32_t best = -CONNECT4_WIN - 1, choice = cols[0];
    for (int32_t k = 0; k < n; k++) {
        uint64_t move = playable & connect4_column(cols[k]);
        int32_t score = -connect4_negamax(them, mask | move, depth - 1, 2, -CONNECT4_WIN - 1, -best);
        if (score > best) best = score, choice = cols[k];
    }
    return choice;
}

// The column an opponent of the given kind (config `opponent`) plays, with me = its stones and
// other = the agent's stones; at least one column is playable.
static inline int32_t connect4_opponent_move(int32_t kind, int32_t depth, uint64_t* rng, uint64_t me, uint64_t other) {
    uint64_t mask = me | other;
    uint64_t playable = connect4_playable(mask);
    if (kind == 2) return connect4_search(rng, me, mask, depth);
    if (kind == 1) {
        uint64_t wins = connect4_threats(me, mask) & playable;
        if (wins) return connect4_pick(rng, connect4_columns_of(wins));
        uint64_t blocks = connect4_threats(other, mask) & playable;
        if (blocks) return connect4_pick(rng, connect4_columns_of(blocks));
    }
    return connect4_pick(rng, connect4_columns_of(playable));
}

// ---- Episodes ----------------------------------------------------------------------------------

// Write sub-env i's observation row from its bitboards (the agent's perspective).
static inline void connect4_observe(float* obs, uint64_t agent, uint64_t opponent) {
    for (int32_t row = 0; row < CONNECT4_ROWS; row++) {
        float* line = obs + (CONNECT4_ROWS - 1 - row) * CONNECT4_COLS;  // row 0 (bottom) is the last line
        for (int32_t col = 0; col < CONNECT4_COLS; col++) {
            int32_t bit = col * 7 + row;
            line[col] = (float)((int32_t)((agent >> bit) & 1) - (int32_t)((opponent >> bit) & 1));
        }
    }
    uint64_t room = ~(agent | opponent) & CONNECT4_TOP;  // top cell empty: the column has room
    for (int32_t col = 0; col < CONNECT4_COLS; col++) obs[CONNECT4_CELLS + col] = (float)((room >> (col * 7 + 5)) & 1);
}

// A finished game's final observation row from one player's view (`mine` its stones, `theirs`
// the other's): the cells, and all-zero legal-column entries (no move is legal once it is over).
static inline void connect4_final(float* out, uint64_t mine, uint64_t theirs) {
    connect4_observe(out, mine, theirs);
    memset(out + CONNECT4_CELLS, 0, CONNECT4_COLS * sizeof(float));
}

// Whether the agent (row 2g in two-player mode) moves first in sub-env i's new episode, per
// `first`; `random` draws its coin from the sub-env's RNG.
static inline bool connect4_agent_first(connect4* env, int32_t i) {
    return !(env->first == 1 || (env->first == 2 && (envsdk_rng_next(&env->rng[i]) >> 63)));
}

// Start a new episode in sub-env i: empty board, the opponent's first stone if it moves first.
static void connect4_start(connect4* env, int32_t i) {
    uint64_t opp = 0;
    bool agent_first = connect4_agent_first(env, i);
    if (!agent_first) opp = connect4_bottom(connect4_opponent_move(env->opponent, env->depth, &env->rng[i], 0, 0));
    env->agent_stones[i] = 0;
    env->opponent_stones[i] = opp;
    env->agent_first[i] = agent_first;
    env->tick[i] = 0;
    env->episode_return[i] = 0.0f;
    connect4_observe(env->observations + (size_t)i * CONNECT4_OBS, 0, opp);
}

// Two-player mode: write both rows of game g (2g, 2g + 1), each from its player's perspective
// (stones0 are row 2g's), with the legal-column entries only in the row of `mover` (0: row 2g,
// 1: row 2g + 1); the waiting row's legal-column entries are zeros.
static inline void connect4_observe_two_player(connect4* env, int32_t g, uint64_t stones0, uint64_t stones1,
                                         int32_t mover) {
    size_t row = 2 * (size_t)g;
    float* obs = env->observations + row * CONNECT4_OBS;
    connect4_observe(obs, stones0, stones1);
    connect4_observe(obs + CONNECT4_OBS, stones1, stones0);
    memset(obs + (mover ? 0 : CONNECT4_OBS) + CONNECT4_CELLS, 0, CONNECT4_COLS * sizeof(float));
}

// Two-player mode: start a new game in sub-env g (empty board; who moves first per `first`).
static void connect4_start_two_player(connect4* env, int32_t g) {
    bool agent_first = connect4_agent_first(env, g);
    env->agent_stones[g] = 0;
    env->opponent_stones[g] = 0;
    env->agent_first[g] = agent_first;
    env->tick[g] = 0;
    env->episode_return[g] = 0.0f;
    connect4_observe_two_player(env, g, 0, 0, agent_first ? 0 : 1);
}

// Start sub-env i in the configured mode (reset's start function). Direct calls: taking the
// start functions' addresses would keep GCC from inlining connect4_start into the step loop.
static void connect4_start_in_mode(connect4* env, int32_t i) {
    if (env->opponent == CONNECT4_NONE) {
        connect4_start_two_player(env, i);
    } else {
        connect4_start(env, i);
    }
}

void connect4_reset(connect4* env, uint64_t seed) {
    const size_t rows = env->opponent == CONNECT4_NONE ? 2 : 1;  // agent rows per sub-env
    memset(&env->two_player_log, 0, sizeof(env->two_player_log));
    ENVSDK_RESET_EACH(env, (size_t)env->num_envs * rows, seed, connect4_start_in_mode);
}

// Outcomes of one step, as indices into the reward table below.
enum { CONNECT4_ON, CONNECT4_WON, CONNECT4_DRAW, CONNECT4_LOST, CONNECT4_ILLEGAL };

// The mover drops a stone in column `action` of the position (its stones *me, all stones *mask):
// CONNECT4_ILLEGAL for a column out of range or full (nothing changes), else the stone is added
// to both and the outcome is CONNECT4_WON (four in a row), CONNECT4_DRAW (the board is full) or
// CONNECT4_ON.
static inline int32_t connect4_play(int32_t action, uint64_t* me, uint64_t* mask) {
    uint64_t move = (uint32_t)action < (uint32_t)CONNECT4_COLS ? connect4_playable(*mask) & connect4_column(action) : 0;
    if (!move) return CONNECT4_ILLEGAL;
    *me |= move;
    *mask |= move;
    if (connect4_four(*me)) return CONNECT4_WON;
    return *mask == CONNECT4_BOARD ? CONNECT4_DRAW : CONNECT4_ON;
}

// Two-player mode's step: one move in every game, by the row whose turn it is (r below; the other
// row of the game is r ^ 1). Returns the row episodes logged and not yet read by Python.
static int32_t connect4_step_two_player(connect4* env) {
    // Locals, as in connect4_step: stores through the bool buffers may alias anything.
    const int32_t* actions = env->actions;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    float* final = env->final_observations;
    uint64_t* stones[2] = {env->agent_stones, env->opponent_stones};  // row 2g's, row 2g + 1's
    int32_t* tick = env->tick;
    const uint8_t* agent_first = env->agent_first;
    const float illegal_reward = env->illegal_reward;
    const int32_t num_envs = env->num_envs;
    connect4_two_player_log log = env->two_player_log;  // a local copy: no stores through env inside the loop
    for (int32_t g = 0; g < num_envs; g++) {
        // The first mover moves at even ticks; mover 0 is row 2g, 1 is row 2g + 1.
        const bool moved_first = (tick[g] & 1) == 0;
        const int32_t mover = (agent_first[g] ? 0 : 1) ^ (tick[g] & 1);
        const size_t r = 2 * (size_t)g + (size_t)mover, other = r ^ 1u;
        const int32_t action = actions[r];  // the waiting row's action is never read
        uint64_t me = stones[mover][g];
        uint64_t mask = me | stones[mover ^ 1][g];
        // Illegal (out of range or a full column): the game ends, the mover's fault.
        const int32_t outcome = connect4_play(action, &me, &mask);
        tick[g] += 1;
        truncations[r] = false;
        truncations[other] = false;
        if (outcome == CONNECT4_ON) {
            stones[mover][g] = me;
            rewards[r] = 0.0f;
            rewards[other] = 0.0f;
            terminals[r] = false;
            terminals[other] = false;
            connect4_observe_two_player(env, g, stones[0][g], stones[1][g], mover ^ 1);  // the turn passes
            continue;
        }
        ENVSDK_TWO_PLAYER_END(&log, rewards, terminals, r, other, outcome == CONNECT4_WON, outcome == CONNECT4_DRAW,
                              illegal_reward, moved_first, tick[g]);
        if (final) {  // the final position in both rows (an illegal action left the board as it was)
            uint64_t theirs = stones[mover ^ 1][g];
            connect4_final(final + r * CONNECT4_OBS, me, theirs);
            connect4_final(final + other * CONNECT4_OBS, theirs, me);
        }
        connect4_start_two_player(env, g);  // same-step autoreset: both rows start the next game
    }
    env->two_player_log = log;
    return ENVSDK_REPORT(env, env->two_player_log);
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t connect4_step(connect4* env) {
    if (!env->core.started) return -1;
    if (env->opponent == CONNECT4_NONE) return connect4_step_two_player(env);
    // Locals, so that stores through the bool buffers (which may alias anything) do not force
    // reloads of env's fields.
    const int32_t* actions = env->actions;
    float* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    float* final = env->final_observations;
    uint64_t *agent = env->agent_stones, *opponent = env->opponent_stones, *rng = env->rng;
    int32_t* tick = env->tick;
    float* episode_return = env->episode_return;
    const float reward_of[5] = {0.0f, 1.0f, 0.0f, -1.0f, env->illegal_reward};
    const int32_t num_envs = env->num_envs, kind = env->opponent, depth = env->depth;
    for (int32_t i = 0; i < num_envs; i++) {
        uint64_t me = agent[i], opp = opponent[i];
        uint64_t mask = me | opp;
        int32_t action = actions[i];
        // Illegal (out of range or a full column): the episode ends as a loss.
        int32_t outcome = connect4_play(action, &me, &mask);
        if (outcome == CONNECT4_ON) {
            int32_t col = connect4_opponent_move(kind, depth, &rng[i], opp, me);
            uint64_t reply = connect4_playable(mask) & connect4_column(col);  // the landing cell
            opp |= reply;
            mask |= reply;
            if (connect4_four(opp)) outcome = CONNECT4_LOST;
            else if (mask == CONNECT4_BOARD) outcome = CONNECT4_DRAW;
        }
        float reward = reward_of[outcome];
        rewards[i] = reward;
        terminals[i] = outcome != CONNECT4_ON;
        truncations[i] = false;  // every flag of every row, every step (the caller may reuse them)
        tick[i] += 1;
        if (outcome == CONNECT4_ON) {
            agent[i] = me;
            opponent[i] = opp;
            connect4_observe(observations + (size_t)i * CONNECT4_OBS, me, opp);
        } else {
            connect4_log* log = &env->log;
            ENVSDK_LOG_EPISODE(log, episode_return[i] + reward, tick[i]);
            log->win += outcome == CONNECT4_WON;
            log->draw += outcome == CONNECT4_DRAW;
            log->loss += outcome >= CONNECT4_LOST;
            log->illegal += outcome == CONNECT4_ILLEGAL;
            // The final position: both sides' last stones (an illegal action left it as it was).
            if (final) connect4_final(final + (size_t)i * CONNECT4_OBS, me, opp);
            connect4_start(env, i);  // same-step autoreset
            continue;
        }
        episode_return[i] += reward;
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(connect4)

#endif  // CONNECT4_H
