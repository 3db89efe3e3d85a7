// squared.h: the minimal sanity env. An agent on a size x size grid walks to a target cell.
//
// Observation [size*size] uint8: 0 empty, 1 agent, 2 target. Action: 0 stay, 1 up, 2 down,
// 3 left, 4 right; any other value is treated as 0 (stay). A move into a wall stays put.
// Reward +1 when the agent reaches the target (terminal); otherwise 0. The episode is truncated
// after max_steps steps. The agent starts in the centre, the target on a random other cell.
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
    // Config, validated in Python before init.
    int32_t num_envs;
    int32_t size;           // grid side, cells (>= 2)
    int32_t max_steps;      // truncation limit, steps (>= 1)
    // State of every sub-env, allocated by squared_init, freed by squared_close.
    uint64_t* rng;          // [num_envs] RNG state
    int32_t* agent;         // [num_envs] agent cell, row * size + col
    int32_t* target;        // [num_envs] target cell
    int32_t* tick;          // [num_envs] steps taken in the current episode
    float* episode_return;  // [num_envs] return of the current episode so far
    squared_log log;
} squared;

int squared_init(squared* env);
void squared_reset(squared* env, uint64_t seed);
void squared_step(squared* env);
void squared_step_n(squared* env, int64_t n);
void squared_close(squared* env);
// envsdk:cdef end

void squared_close(squared* env) {
    free(env->rng), env->rng = NULL;
    free(env->agent), env->agent = NULL;
    free(env->target), env->target = NULL;
    free(env->tick), env->tick = NULL;
    free(env->episode_return), env->episode_return = NULL;
}

int squared_init(squared* env) {
    int failed = 0;
    size_t n = (size_t)env->num_envs;
    env->rng = envsdk_calloc(n, sizeof(uint64_t), &failed);
    env->agent = envsdk_calloc(n, sizeof(int32_t), &failed);
    env->target = envsdk_calloc(n, sizeof(int32_t), &failed);
    env->tick = envsdk_calloc(n, sizeof(int32_t), &failed);
    env->episode_return = envsdk_calloc(n, sizeof(float), &failed);
    memset(&env->log, 0, sizeof(env->log));
    if (failed) {
        squared_close(env);
        return -1;
    }
    return 0;
}

// Start a new episode in sub-env i and write its whole observation row.
static void squared_start(squared* env, int32_t i) {
    int32_t cells = env->size * env->size;
    int32_t centre = (env->size / 2) * env->size + env->size / 2;
    // Draw among the cells other than the centre, so the target never starts under the agent.
    int32_t target = envsdk_rng_below(&env->rng[i], cells - 1);
    if (target >= centre) target += 1;
    env->agent[i] = centre;
    env->target[i] = target;
    env->tick[i] = 0;
    env->episode_return[i] = 0.0f;
    uint8_t* obs = env->observations + (size_t)i * (size_t)cells;
    memset(obs, 0, (size_t)cells);
    obs[centre] = 1;
    obs[target] = 2;
}

void squared_reset(squared* env, uint64_t seed) {
    memset(&env->log, 0, sizeof(env->log));
    for (int32_t i = 0; i < env->num_envs; i++) {
        env->rng[i] = seed + (uint64_t)i;
        env->rewards[i] = 0.0f;
        env->terminals[i] = false;
        env->truncations[i] = false;
        squared_start(env, i);
    }
}

void squared_step(squared* env) {
    int32_t size = env->size;
    size_t cells = (size_t)size * (size_t)size;
    for (int32_t i = 0; i < env->num_envs; i++) {
        int32_t pos = env->agent[i];
        int32_t row = pos / size, col = pos % size;
        switch (env->actions[i]) {
            case 1: row -= row > 0; break;
            case 2: row += row < size - 1; break;
            case 3: col -= col > 0; break;
            case 4: col += col < size - 1; break;
            default: break;  // 0 and out-of-range actions: stay
        }
        int32_t next = row * size + col;
        uint8_t* obs = env->observations + (size_t)i * cells;
        bool reached = next == env->target[i];
        bool timeout = !reached && env->tick[i] + 1 >= env->max_steps;
        float reward = reached ? 1.0f : 0.0f;
        env->rewards[i] = reward;
        env->terminals[i] = reached;
        env->truncations[i] = timeout;
        env->tick[i] += 1;
        env->episode_return[i] += reward;
        if (reached || timeout) {
            ENVSDK_LOG_EPISODE(&env->log, env->episode_return[i], env->tick[i]);
            env->log.score += reached ? 1.0 : 0.0;
            squared_start(env, i);  // same-step autoreset
        } else {
            // Only the two cells that changed are rewritten.
            obs[pos] = 0;
            obs[next] = 1;
            env->agent[i] = next;
        }
    }
}

ENVSDK_DEFINE_STEP_N(squared)

#endif  // SQUARED_H
