// catcher.h: catch the falling ball. An ARRAYS-style envsdk sim: the struct holds every sub-env's
// state as flat arrays and catcher_step is one loop over the sub-envs (the one-sub-env style, which
// `envsdk new NAME --kind c` writes, lets envsdk.h write that loop instead).
//
// Each sub-env is a grid of rows x cols cells. A ball starts in a random column of the top row and
// falls one row per step; the paddle moves along the bottom row. Observation [rows, cols] uint8:
// 0 empty, 1 ball, 2 paddle. Action: 0 left, 1 stay, 2 right; any other value stays. When the
// ball reaches the bottom row the episode ends (terminal): reward +1 if the paddle is under it,
// -1 if not; 0 on every other step. Every episode lasts rows - 1 steps, so none is truncated.
#ifndef CATCHER_H
#define CATCHER_H

#include "envsdk.h"

// envsdk:cdef begin
typedef struct catcher_log {
    double count;           // episodes ended since the last report
    double episode_return;  // sum over those episodes
    double episode_length;  // sum over those episodes, steps
    double caught;          // sum over those episodes: 1 if the ball was caught (info key "caught")
} catcher_log;

typedef struct catcher {
    // The caller's buffers, one row per sub-env.
    uint8_t* observations;  // [num_envs, rows, cols], written by reset and step
    int32_t* actions;       // [num_envs], written by the caller, read by step
    float* rewards;         // [num_envs], written by step
    bool* terminals;        // [num_envs], written by step
    bool* truncations;      // [num_envs], written by step (always false)
    uint8_t* final_observations;  // [num_envs, rows, cols] or NULL (unless asked for): step writes
                                  // each ended episode's last observation, before the restart
    // Config, validated in Python (env.py) before init.
    int32_t num_envs;
    int32_t rows;           // grid height, cells (>= 2)
    int32_t cols;           // grid width, cells (>= 1)
    // State of every sub-env, allocated by catcher_init, freed by catcher_close.
    uint64_t* rng;          // [num_envs] RNG state
    int32_t* ball_row;      // [num_envs] 0 at the top
    int32_t* ball_col;      // [num_envs]
    int32_t* paddle;        // [num_envs] the paddle's column
    catcher_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} catcher;
// envsdk:cdef end (envsdk declares catcher_init, _reset, _step, _close and _step_n to cffi)

int catcher_init(catcher* env) {
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, ball_row, ball_col, paddle);
    return envsdk_init_done(&env->core);  // 0, or -1 having freed whatever was allocated
}

// Write sub-env i's whole observation: a few dozen bytes, cheaper than tracking what changed.
static inline void catcher_observe(catcher* env, int32_t i) {
    size_t cells = (size_t)env->rows * (size_t)env->cols;
    uint8_t* grid = env->observations + (size_t)i * cells;
    memset(grid, 0, cells);
    grid[env->ball_row[i] * env->cols + env->ball_col[i]] = 1;
    grid[(env->rows - 1) * env->cols + env->paddle[i]] = 2;
}

// Start an episode in sub-env i: the ball in a random column of the top row, the paddle centred.
static inline void catcher_start(catcher* env, int32_t i) {
    env->ball_row[i] = 0;
    env->ball_col[i] = envsdk_rng_below(&env->rng[i], env->cols);
    env->paddle[i] = env->cols / 2;
    catcher_observe(env, i);
}

// Restart the log and zero every row's reward and flags, then give sub-env i the seed seed + i
// (whatever the batch's size) and start it, for every i.
void catcher_reset(catcher* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, catcher_start);
}

// Returns the episodes it reported (> 0 tells Python to read core.report), 0, or -1 when not
// started (before reset, after close).
int32_t catcher_step(catcher* env) {
    if (!env->core.started) return -1;
    int32_t last_row = env->rows - 1, last_col = env->cols - 1;
    for (int32_t i = 0; i < env->num_envs; i++) {
        int32_t action = env->actions[i];  // any int32: out-of-range values must stay harmless
        int32_t paddle = env->paddle[i] + (action == 0 ? -1 : (action == 2 ? 1 : 0));
        env->paddle[i] = paddle < 0 ? 0 : (paddle > last_col ? last_col : paddle);
        env->ball_row[i] += 1;
        bool landed = env->ball_row[i] == last_row;
        bool caught = landed && env->ball_col[i] == env->paddle[i];
        float reward = landed ? (caught ? 1.0f : -1.0f) : 0.0f;
        env->rewards[i] = reward;
        env->terminals[i] = landed;
        env->truncations[i] = false;
        catcher_observe(env, i);  // always, the episode's last observation included
        if (landed) {
            // The return is this step's reward: every earlier step of the episode gave 0.
            ENVSDK_LOG_EPISODE(&env->log, reward, last_row);
            env->log.caught += caught ? 1.0 : 0.0;
            ENVSDK_FINAL_ROW(env, i, (size_t)env->rows * (size_t)env->cols);  // that last observation
            catcher_start(env, i);  // same-step autoreset: the observation shows the next episode
        }
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(catcher)  // defines catcher_close (frees every ENVSDK_ALLOC array) and catcher_step_n

#endif  // CATCHER_H
