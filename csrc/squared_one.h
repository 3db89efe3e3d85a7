// squared_one.h: squared (csrc/squared.h) written in the ONE-SUB-ENV style of envsdk.h: the
// struct is one grid, the author writes squared_one_start_one and squared_one_step_one (which
// writes every observation, an episode's last one included), and ENVSDK_SUB_ENV(squared_one)
// supplies the batch (the loop over sub-envs, seeding, autoreset, final observations, the log's
// reports). It is bit-identical to squared: the same RNG draws in the same order, the same
// observations, rewards, flags and infos from the same seed and actions (tests/envs/test_squared_one.py).
// The rules are the docstring of envs/squared.py's Squared.
#ifndef SQUARED_ONE_H
#define SQUARED_ONE_H

#include "envsdk.h"

// envsdk:cdef begin
typedef struct squared_one_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes
    double episode_length;  // sum over those episodes, steps
    double score;           // sum over those episodes: 1 if the target was reached
} squared_one_log;

typedef struct squared_one {
    // This sub-env's rows of the caller's buffers (one agent row), pointed at by the batch.
    uint8_t* observations;  // [size*size], written by start and step
    int32_t* actions;       // [1], written by the caller, read by step
    float* rewards;         // [1], written by step
    bool* terminals;        // [1], written by step
    bool* truncations;      // [1], written by step
    // Config, validated in Python before init.
    int32_t size;           // grid side, cells (>= 2)
    int32_t max_steps;      // truncation limit, steps (>= 1)
    // State of this sub-env.
    int32_t agent_row;      // 0 at the top
    int32_t agent_col;      // 0 at the left
    int32_t target;         // target cell
    int32_t tick;           // steps taken in the current episode
    float episode_return;   // return of the current episode so far
    uint64_t rng;           // RNG state, seed + i at reset
    squared_one_log* log;   // the batch's one episode log
} squared_one;

void squared_one_start_one(squared_one* env);
bool squared_one_step_one(squared_one* env);
// envsdk:cdef end

// Start a new episode and write the whole observation.
void squared_one_start_one(squared_one* env) {
    int32_t size = env->size, cells = size * size;
    int32_t centre = (size / 2) * size + size / 2;
    // Draw among the cells other than the centre, so the target never starts under the agent.
    int32_t target = envsdk_rng_below(&env->rng, cells - 1);
    if (target >= centre) target += 1;
    env->agent_row = size / 2;
    env->agent_col = size / 2;
    env->target = target;
    env->tick = 0;
    env->episode_return = 0.0f;
    uint8_t* obs = env->observations;
    memset(obs, 0, (size_t)cells);
    obs[centre] = 1;
    obs[target] = 2;
}

// Row and column change of each action: stay, up, down, left, right.
static const int32_t SQUARED_ONE_DROW[5] = {0, -1, 1, 0, 0};
static const int32_t SQUARED_ONE_DCOL[5] = {0, 0, 0, -1, 1};

// One step, its observation included; true when the episode ended (logged here; the batch copies
// the observation to final_observations when asked, then restarts it in the same step).
bool squared_one_step_one(squared_one* env) {
    // Table lookups and clamps instead of a switch: random actions defeat branch prediction.
    int32_t action = env->actions[0];
    action = (uint32_t)action < 5u ? action : 0;  // out-of-range actions mean stay
    const int32_t size = env->size, last = size - 1;
    int32_t row = env->agent_row + SQUARED_ONE_DROW[action];
    int32_t col = env->agent_col + SQUARED_ONE_DCOL[action];
    row = row < 0 ? 0 : (row > last ? last : row);  // a move into a wall stays put
    col = col < 0 ? 0 : (col > last ? last : col);
    int32_t pos = env->agent_row * size + env->agent_col;
    int32_t next = row * size + col;
    int32_t tick = env->tick + 1;
    bool reached = next == env->target;
    bool timeout = !reached && tick >= env->max_steps;
    float reward = reached ? 1.0f : 0.0f;
    float episode_return = env->episode_return + reward;
    env->tick = tick;
    env->episode_return = episode_return;
    env->agent_row = row;
    env->agent_col = col;
    env->rewards[0] = reward;
    env->terminals[0] = reached;
    env->truncations[0] = timeout;
    // Only the two cells that changed are rewritten (on the target, the agent hides it). Always,
    // the last observation of an episode included: the batch copies it to final_observations.
    uint8_t* obs = env->observations;
    obs[pos] = 0;
    obs[next] = 1;
    if (reached || timeout) {
        ENVSDK_LOG_EPISODE(env->log, episode_return, tick);
        env->log->score += reached ? 1.0 : 0.0;
        return true;
    }
    return false;
}

ENVSDK_SUB_ENV(squared_one)

#endif  // SQUARED_ONE_H
