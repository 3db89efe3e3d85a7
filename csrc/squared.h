// squared.h: Squared's C sim, the minimal sanity env, in the array style. The rules are the
// docstring of envs/squared.py's Squared; csrc/squared_one.h is the same game one sub-env at a time.
#ifndef SQUARED_H
#define SQUARED_H

#include "envsdk.h"

// envsdk:cdef begin
typedef struct squared_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes
    double episode_length;  // sum over those episodes, steps
    double score;           // sum over those episodes: 1 if the target was reached
} squared_log;

typedef struct squared {
    // Buffers owned by the caller, one row per sub-env.
    uint8_t* observations;  // [num_envs, size*size], written by reset and step
    int32_t* actions;       // [num_envs], written by the caller, read by step
    float* rewards;         // [num_envs], written by step
    bool* terminals;        // [num_envs], written by step
    bool* truncations;      // [num_envs], written by step
    uint8_t* final_observations;  // [num_envs, size*size] or NULL: step writes each ended episode's last observation
    // Config, validated in Python before init.
    int32_t num_envs;
    int32_t size;           // grid side, cells (>= 2)
    int32_t max_steps;      // truncation limit, steps (>= 1)
    // State of every sub-env, allocated by squared_init, freed by squared_close.
    uint64_t* rng;          // [num_envs] RNG state
    int32_t* agent_row;     // [num_envs] agent row, 0 at the top
    int32_t* agent_col;     // [num_envs] agent column, 0 at the left
    int32_t* target;        // [num_envs] target cell
    int32_t* tick;          // [num_envs] steps taken in the current episode
    float* episode_return;  // [num_envs] return of the current episode so far
    squared_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} squared;
// envsdk:cdef end

int squared_init(squared* env) {
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, agent_row, agent_col, target, tick, episode_return);
    return envsdk_init_done(&env->core);
}

// Start a new episode in sub-env i and write its whole observation row.
static void squared_start(squared* env, int32_t i) {
    int32_t cells = env->size * env->size;
    int32_t centre = (env->size / 2) * env->size + env->size / 2;
    // Draw among the cells other than the centre, so the target never starts under the agent.
    int32_t target = envsdk_rng_below(&env->rng[i], cells - 1);
    if (target >= centre) target += 1;
    env->agent_row[i] = env->size / 2;
    env->agent_col[i] = env->size / 2;
    env->target[i] = target;
    env->tick[i] = 0;
    env->episode_return[i] = 0.0f;
    uint8_t* obs = env->observations + (size_t)i * (size_t)cells;
    memset(obs, 0, (size_t)cells);
    obs[centre] = 1;
    obs[target] = 2;
}

void squared_reset(squared* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, squared_start);
}

// Row and column change of each action: stay, up, down, left, right.
static const int32_t SQUARED_DROW[5] = {0, -1, 1, 0, 0};
static const int32_t SQUARED_DCOL[5] = {0, 0, 0, -1, 1};

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t squared_step(squared* env) {
    if (!env->core.started) return -1;
    // Locals, so that stores through the uint8/bool buffers (character types, which may alias
    // anything) do not force the compiler to reload env's fields on every access.
    const int32_t* actions = env->actions;
    uint8_t* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    int32_t *agent_row = env->agent_row, *agent_col = env->agent_col, *target = env->target;
    int32_t* tick = env->tick;
    float* episode_return = env->episode_return;
    const int32_t size = env->size, last = env->size - 1, max_steps = env->max_steps;
    const size_t cells = (size_t)size * (size_t)size;
    for (int32_t i = 0; i < env->num_envs; i++) {
        // Table lookups and clamps instead of a switch: random actions defeat branch prediction.
        int32_t action = actions[i];
        action = (uint32_t)action < 5u ? action : 0;  // out-of-range actions mean stay
        int32_t row = agent_row[i] + SQUARED_DROW[action];
        int32_t col = agent_col[i] + SQUARED_DCOL[action];
        row = row < 0 ? 0 : (row > last ? last : row);  // a move into a wall stays put
        col = col < 0 ? 0 : (col > last ? last : col);
        int32_t pos = agent_row[i] * size + agent_col[i];
        int32_t next = row * size + col;
        bool reached = next == target[i];
        bool timeout = !reached && tick[i] + 1 >= max_steps;
        float reward = reached ? 1.0f : 0.0f;
        rewards[i] = reward;
        terminals[i] = reached;
        truncations[i] = timeout;
        tick[i] += 1;
        episode_return[i] += reward;
        // Only the two cells that changed are rewritten (on the target, the agent hides it).
        uint8_t* obs = observations + (size_t)i * cells;
        obs[pos] = 0;
        obs[next] = 1;
        if (reached || timeout) {
            ENVSDK_LOG_EPISODE(&env->log, episode_return[i], tick[i]);
            env->log.score += reached ? 1.0 : 0.0;
            ENVSDK_FINAL_ROW(env, i, cells);  // the observation just written, before the restart
            squared_start(env, i);            // same-step autoreset
        } else {
            agent_row[i] = row;
            agent_col[i] = col;
        }
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(squared)

#endif  // SQUARED_H
