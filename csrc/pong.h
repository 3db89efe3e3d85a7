// pong.h: Pong's C sim. The rules (observation, actions, rewards, ends, the frame's order, the
// opponent) are the docstring of envs/pong.py's Pong; this comment covers only how this file
// implements them.
//
// State: per sub-env, paddle and ball centres in field units. pong_init derives the face lines,
// the reach and angle_scale from the config once, so step multiplies and never divides.
// Python validates the config (envs/pong.py) so that one frame can never carry the ball past
// both faces or through a wall twice: ball_speed_x <= (width - 2*paddle_width - ball_size) / 2
// and ball_max_speed_y <= (height - ball_size) / 2; step relies on that (one mirror per axis).
#ifndef PONG_H
#define PONG_H

#include <math.h>

#include "envsdk.h"

// x clamped to [lo, hi]; written as compares so it compiles to minss/maxss (fminf/fmaxf may
// become libm calls without -ffast-math, which envsdk does not use).
static inline float pong_clamp(float x, float lo, float hi) {
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

// envsdk:cdef begin
typedef struct pong_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes (= agent points - opponent points)
    double episode_length;  // sum over those episodes, steps
    double score;           // sum over those episodes: the agent's points
    double win;             // sum over those episodes: 1 if the agent reached max_score
} pong_log;

typedef struct pong {
    // Buffers owned by the caller, one row per sub-env.
    float* observations;    // [num_envs, 8], written by reset and step (layout: Pong's docstring)
    int32_t* actions;       // [num_envs], written by the caller, read by step
    float* rewards;         // [num_envs], written by step
    bool* terminals;        // [num_envs], written by step
    bool* truncations;      // [num_envs], written by step
    float* final_observations;  // [num_envs, 8] or NULL: step writes each ended episode's last observation
    // Config, validated in Python before init. Lengths in field units, speeds in units/frame.
    int32_t num_envs;
    float width;            // field width
    float height;           // field height
    float paddle_width;     // paddle thickness (x extent)
    float paddle_height;    // paddle length (y extent)
    float paddle_speed;     // agent paddle speed
    float opponent_speed;   // cap on the opponent paddle's speed (below the ball's: beatable)
    float ball_size;        // ball side
    float ball_speed_x;     // |vx| of the ball, constant
    float ball_max_speed_y; // |vy| of a ball returned at a paddle's very edge
    float serve_speed_y;    // |vy| bound of a serve
    int32_t frameskip;      // frames per step (>= 1), same action each frame
    int32_t max_score;      // points that end the episode (terminal)
    int32_t max_steps;      // truncation limit, steps
    // Derived by pong_init from the config, so that step multiplies and never divides.
    float half_paddle;      // paddle_height / 2
    float ball_radius;      // ball_size / 2
    float face_left;        // x of a ball centre touching the opponent's face
    float face_right;       // x of a ball centre touching the agent's face
    float reach;            // |ball y - paddle y| at which a paddle still returns the ball
    float angle_scale;      // ball_max_speed_y / reach (rounded down): vy per unit of hit offset
    float inv_width, inv_height, inv_speed_x, inv_max_speed_y, inv_max_score;
    // State of every sub-env, allocated by pong_init, freed by pong_close.
    uint64_t* rng;          // [num_envs] RNG state
    float* agent_y;         // [num_envs] agent paddle centre y
    float* opponent_y;      // [num_envs] opponent paddle centre y
    float* ball_x;          // [num_envs] ball centre x
    float* ball_y;          // [num_envs] ball centre y
    float* ball_vx;         // [num_envs] ball velocity x, units/frame
    float* ball_vy;         // [num_envs] ball velocity y, units/frame
    int32_t* agent_score;   // [num_envs] agent points this episode
    int32_t* opponent_score;// [num_envs] opponent points this episode
    int32_t* tick;          // [num_envs] steps taken in the current episode
    pong_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} pong;
// envsdk:cdef end

int pong_init(pong* env) {
    env->half_paddle = 0.5f * env->paddle_height;
    env->ball_radius = 0.5f * env->ball_size;
    env->face_left = env->paddle_width + env->ball_radius;
    env->face_right = env->width - env->paddle_width - env->ball_radius;
    env->reach = env->half_paddle + env->ball_radius;
    // Round angle_scale down until angle_scale * reach <= ball_max_speed_y, so a return never
    // exceeds the top speed (|vy| obs <= 1) without a clamp in step: products are monotone.
    float angle = env->ball_max_speed_y / env->reach;
    while (angle > 0.0f && angle * env->reach > env->ball_max_speed_y) {
        uint32_t bits;
        memcpy(&bits, &angle, sizeof bits);
        bits -= 1;  // the next float towards 0
        memcpy(&angle, &bits, sizeof bits);
    }
    env->angle_scale = angle;
    env->inv_width = 1.0f / env->width;
    env->inv_height = 1.0f / env->height;
    env->inv_speed_x = 1.0f / env->ball_speed_x;
    // A tiny (denormal) ball_max_speed_y would make the reciprocal overflow to inf and vy * inf
    // a NaN; such a ball barely moves vertically, so its normalized vy is reported as 0.
    float inv_vy = env->ball_max_speed_y > 0.0f ? 1.0f / env->ball_max_speed_y : 0.0f;
    env->inv_max_speed_y = isfinite(inv_vy) ? inv_vy : 0.0f;
    env->inv_max_score = 1.0f / (float)env->max_score;
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, agent_y, opponent_y, ball_x, ball_y, ball_vx, ball_vy, agent_score,
                      opponent_score, tick);
    return envsdk_init_done(&env->core);
}

// Put sub-env i's ball in the centre with a random serve. One RNG draw: bit 0 picks the side
// (vx sign), the top 24 bits give vy uniform in [-serve_speed_y, serve_speed_y).
static inline void pong_serve(pong* env, int32_t i) {
    uint64_t u = envsdk_rng_next(&env->rng[i]);
    float unit = (float)(u >> 40) * (1.0f / 8388608.0f) - 1.0f;  // [-1, 1), 2^-23 steps
    env->ball_x[i] = 0.5f * env->width;
    env->ball_y[i] = 0.5f * env->height;
    env->ball_vx[i] = (u & 1) ? env->ball_speed_x : -env->ball_speed_x;
    env->ball_vy[i] = env->serve_speed_y * unit;
}

// Write the two score entries of sub-env i's observation row (they change only on a point).
static inline void pong_write_scores(pong* env, int32_t i, float* obs) {
    obs[6] = (float)env->agent_score[i] * env->inv_max_score;
    obs[7] = (float)env->opponent_score[i] * env->inv_max_score;
}

// Write the six moving entries of sub-env i's observation row.
static inline void pong_write_motion(pong* env, int32_t i, float* obs) {
    obs[0] = env->agent_y[i] * env->inv_height;
    obs[1] = env->opponent_y[i] * env->inv_height;
    obs[2] = env->ball_x[i] * env->inv_width;
    obs[3] = env->ball_y[i] * env->inv_height;
    obs[4] = env->ball_vx[i] * env->inv_speed_x;
    obs[5] = env->ball_vy[i] * env->inv_max_speed_y;
}

// Write the last observation of sub-env i's episode, which just ended, to its final_observations
// row: what the step writes when play goes on, so after a point the ball served from the centre.
// That serve is drawn from a copy of the RNG state: pong_start draws the same one for the next
// episode, so the RNG's stream is the same with final observations or without.
static void pong_final(pong* env, int32_t i, bool point, float bx, float by, float vx, float vy) {
    if (point) {
        uint64_t rng = env->rng[i];
        pong_serve(env, i);
        env->rng[i] = rng;
    } else {
        env->ball_x[i] = bx, env->ball_y[i] = by, env->ball_vx[i] = vx, env->ball_vy[i] = vy;
    }
    float* out = env->final_observations + (size_t)i * 8;
    pong_write_motion(env, i, out);
    pong_write_scores(env, i, out);
}

// Start a new episode in sub-env i and write its whole observation row.
static void pong_start(pong* env, int32_t i) {
    env->agent_y[i] = 0.5f * env->height;
    env->opponent_y[i] = 0.5f * env->height;
    env->agent_score[i] = 0;
    env->opponent_score[i] = 0;
    env->tick[i] = 0;
    pong_serve(env, i);
    float* obs = env->observations + (size_t)i * 8;
    pong_write_motion(env, i, obs);
    pong_write_scores(env, i, obs);
}

void pong_reset(pong* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, pong_start);
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t pong_step(pong* env) {
    if (!env->core.started) return -1;
    // Config, derived values and array pointers in locals: the compiler cannot prove that the
    // buffers never alias the struct, so it would otherwise reload them after every store.
    const float lo = env->half_paddle, hi = env->height - env->half_paddle;
    const float r = env->ball_radius, bottom = env->height - env->ball_radius;
    const float face_l = env->face_left, face_r = env->face_right;
    const float reach = env->reach, angle = env->angle_scale;
    const float speed = env->paddle_speed, opp = env->opponent_speed;
    const float inv_w = env->inv_width, inv_h = env->inv_height;
    const float inv_vx = env->inv_speed_x, inv_vy = env->inv_max_speed_y;
    const int32_t n = env->num_envs, frameskip = env->frameskip;
    const int32_t max_score = env->max_score, max_steps = env->max_steps;
    const int32_t* actions = env->actions;
    float* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    float *agent_y = env->agent_y, *opponent_y = env->opponent_y;
    float *ball_x = env->ball_x, *ball_y = env->ball_y, *ball_vx = env->ball_vx, *ball_vy = env->ball_vy;
    int32_t *agent_score = env->agent_score, *opponent_score = env->opponent_score, *tick = env->tick;
    // Paddle velocity per action; an out-of-range action selects entry 0 (noop). A table load
    // with a conditional-move index, because random actions would mispredict a branch.
    const float moves[3] = {0.0f, -speed, speed};
    for (int32_t i = 0; i < n; i++) {
        uint32_t a = (uint32_t)actions[i];
        float dy = moves[a < 3 ? a : 0];
        float py = agent_y[i], oy = opponent_y[i];
        float bx = ball_x[i], by = ball_y[i], vx = ball_vx[i], vy = ball_vy[i];
        int32_t point = 0;  // +1 the agent scored this step, -1 the opponent did
        int32_t f = 0;      // frames played this step
        while (f < frameskip) {
            f++;
            // The opponent heads for the ball's y, clamped into the field, moving at most opp.
            // Clamping the target first keeps oy's own dependency chain short (same result).
            float target = pong_clamp(by, lo, hi);
            oy = pong_clamp(target, oy - opp, oy + opp);
            bx += vx;
            by += vy;
            if (by < r) {
                by = 2.0f * r - by;
                vy = -vy;
            } else if (by > bottom) {
                by = 2.0f * bottom - by;
                vy = -vy;
            }
            if (bx >= face_r) {
                // The agent paddle after f frames; it is only needed here and at the step's end.
                float off = by - pong_clamp(py + (float)f * dy, lo, hi);
                if (off > reach || off < -reach) {
                    point = -1;
                    break;
                }
                bx = 2.0f * face_r - bx;
                vx = -vx;
                vy = angle * off;
            } else if (bx <= face_l) {
                float off = by - oy;
                if (off > reach || off < -reach) {
                    point = 1;
                    break;
                }
                bx = 2.0f * face_l - bx;
                vx = -vx;
                vy = angle * off;
            }
        }
        py = pong_clamp(py + (float)f * dy, lo, hi);
        agent_y[i] = py;
        opponent_y[i] = oy;
        int32_t t = tick[i] + 1;
        tick[i] = t;
        float* obs = observations + (size_t)i * 8;
        if (!point && t < max_steps) {
            // The common case: the rally goes on. Scores (obs 6, 7) are unchanged.
            ball_x[i] = bx, ball_y[i] = by, ball_vx[i] = vx, ball_vy[i] = vy;
            rewards[i] = 0.0f;
            terminals[i] = false;
            truncations[i] = false;
            obs[0] = py * inv_h;
            obs[1] = oy * inv_h;
            obs[2] = bx * inv_w;
            obs[3] = by * inv_h;
            obs[4] = vx * inv_vx;
            obs[5] = vy * inv_vy;
            continue;
        }
        int32_t as = agent_score[i] + (point > 0), os = opponent_score[i] + (point < 0);
        agent_score[i] = as;
        opponent_score[i] = os;
        bool terminal = as >= max_score || os >= max_score;  // only a point can make it true
        rewards[i] = (float)point;
        terminals[i] = terminal;
        if (!terminal && t < max_steps) {
            truncations[i] = false;
            pong_serve(env, i);
            pong_write_motion(env, i, obs);
            pong_write_scores(env, i, obs);
            continue;
        }
        // The episode ended: terminal (a side reached max_score), else truncated (max_steps).
        truncations[i] = !terminal;
        ENVSDK_LOG_EPISODE(&env->log, (float)(as - os), t);
        env->log.score += (double)as;
        env->log.win += as >= max_score ? 1.0 : 0.0;
        if (env->final_observations) pong_final(env, i, point != 0, bx, by, vx, vy);
        pong_start(env, i);  // same-step autoreset
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(pong)

#endif  // PONG_H
