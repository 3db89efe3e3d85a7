// breakout.h: Breakout's C sim. The rules (observation, actions, rewards, ends, physics) are the
// docstring of envs/breakout.py's Breakout; this comment covers only how this file implements them.
//
// State: per sub-env, float pixels; the ball's (x, y) is its top-left corner and the paddle's x
// its left edge (the observation reports centres); bricks are one byte each, by brick index.
// Collisions test only the leading edge's brick row (column), which is exact because Python
// checks ball_speed_max <= min(brick_width, brick_height) and ball_size <= min(brick_width,
// brick_height): one frame's move then enters at most one new brick row (or column) and touches
// at most two bricks in it, so it cannot tunnel. Python also checks paddle_width >= ball_size
// (the ball riding the paddle stays inside the walls) and that the grid lies above the serve
// position. Deterministic: no -ffast-math, RNG per sub-env.
#ifndef BREAKOUT_H
#define BREAKOUT_H

#include <math.h>

#include "envsdk.h"

#define BREAKOUT_OBS_HEAD 7               // observation entries before the brick entries
#define BREAKOUT_SERVE_ANGLE 0.78539816f  // serve direction: uniform within +-45 deg of vertical
#define BREAKOUT_BOUNCE_ANGLE 1.04719755f // paddle ends deflect the ball 60 deg from vertical

// envsdk:cdef begin
typedef struct breakout_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes (points)
    double episode_length;  // sum over those episodes, steps
    double score;           // sum over those episodes: bricks broken
    double cleared;         // sum over those episodes: 1 if every brick was broken (a win)
} breakout_log;

typedef struct breakout {
    // Buffers owned by the caller, one row per sub-env.
    float* observations;    // [num_envs, 7 + brick_rows * brick_cols], written by reset and step
    int32_t* actions;       // [num_envs], written by the caller, read by step
    float* rewards;         // [num_envs], written by reset and step
    bool* terminals;        // [num_envs], written by reset and step
    bool* truncations;      // [num_envs], written by reset and step
    float* final_observations;  // [num_envs, 7 + brick_rows * brick_cols] or NULL: step writes each
                                // ended episode's last observation
    // Config, validated in Python before init (pixels, pixels per frame, counts).
    int32_t num_envs;
    int32_t width;          // field width, pixels
    int32_t height;         // field height, pixels
    int32_t brick_rows;     // rows of bricks
    int32_t brick_cols;     // columns of bricks; brick_cols * brick_width <= width
    int32_t brick_width;    // pixels
    int32_t brick_height;   // pixels
    int32_t brick_top;      // y of the grid's top edge, pixels
    int32_t paddle_width;   // pixels
    int32_t paddle_height;  // pixels
    int32_t ball_size;      // side of the square ball, pixels, <= min(brick_width, brick_height)
    float ball_speed;       // serve speed, pixels per frame
    float ball_speed_max;   // speed cap, pixels per frame, <= min(brick_width, brick_height)
    float ball_speedup;     // speed added per paddle hit, pixels per frame
    float paddle_speed;     // paddle move per frame while left/right is held, pixels
    int32_t frameskip;      // frames per step (>= 1)
    int32_t lives;          // balls per episode (>= 1)
    int32_t max_steps;      // truncation limit, steps (>= 1)
    // State of every sub-env, allocated by breakout_init, freed by breakout_close.
    uint64_t* rng;          // [num_envs] RNG state
    float* paddle_x;        // [num_envs] paddle left edge, pixels
    float* ball_x;          // [num_envs] ball left edge, pixels
    float* ball_y;          // [num_envs] ball top edge, pixels
    float* ball_vx;         // [num_envs] pixels per frame (0 while not in play)
    float* ball_vy;         // [num_envs] pixels per frame, negative is up (0 while not in play)
    float* speed;           // [num_envs] current ball speed, pixels per frame
    uint8_t* in_play;       // [num_envs] 1 once served, 0 while the ball rides the paddle
    uint8_t* bricks;        // [num_envs, brick_rows * brick_cols] 1 present, 0 broken
    int32_t* bricks_left;   // [num_envs] bricks still present
    int32_t* lives_left;    // [num_envs] balls left, including the one in play
    int32_t* tick;          // [num_envs] steps taken in the current episode
    float* episode_return;  // [num_envs] return of the current episode so far
    breakout_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} breakout;
// envsdk:cdef end

int breakout_init(breakout* env) {
    size_t n = (size_t)env->num_envs;
    size_t num_bricks = (size_t)env->brick_rows * (size_t)env->brick_cols;
    ENVSDK_ALLOC_EACH(env, n, rng, paddle_x, ball_x, ball_y, ball_vx, ball_vy, speed, in_play, bricks_left,
                      lives_left, tick, episode_return);
    ENVSDK_ALLOC(env, bricks, n * num_bricks);
    return envsdk_init_done(&env->core);
}

// Put sub-env i's ball on the paddle's centre, not in play, at serve speed.
static inline void breakout_hold_ball(breakout* env, int32_t i) {
    env->ball_x[i] = env->paddle_x[i] + 0.5f * (float)(env->paddle_width - env->ball_size);
    env->ball_y[i] = (float)(env->height - 2 * env->paddle_height - env->ball_size);
    env->ball_vx[i] = 0.0f;
    env->ball_vy[i] = 0.0f;
    env->speed[i] = env->ball_speed;
    env->in_play[i] = 0;
}

// Write the BREAKOUT_OBS_HEAD scalar entries of sub-env i's observation row (same arithmetic
// as the end of breakout_step, so both paths give bit-identical rows).
static inline void breakout_write_head(breakout* env, int32_t i, float* obs) {
    float inv_w = 1.0f / (float)env->width, inv_h = 1.0f / (float)env->height;
    float inv_v = 1.0f / env->ball_speed_max, inv_lives = 1.0f / (float)env->lives;
    float half = 0.5f * (float)env->ball_size;
    obs[0] = (env->paddle_x[i] + 0.5f * (float)env->paddle_width) * inv_w;
    obs[1] = (env->ball_x[i] + half) * inv_w;
    obs[2] = (env->ball_y[i] + half) * inv_h;
    obs[3] = env->ball_vx[i] * inv_v;
    obs[4] = env->ball_vy[i] * inv_v;
    obs[5] = env->in_play[i] ? 1.0f : 0.0f;
    obs[6] = (float)env->lives_left[i] * inv_lives;
}

// Start a new episode in sub-env i and write its whole observation row.
static void breakout_start(breakout* env, int32_t i) {
    size_t num_bricks = (size_t)env->brick_rows * (size_t)env->brick_cols;
    float* obs = env->observations + (size_t)i * (BREAKOUT_OBS_HEAD + num_bricks);
    env->paddle_x[i] = 0.5f * (float)(env->width - env->paddle_width);
    breakout_hold_ball(env, i);
    memset(env->bricks + (size_t)i * num_bricks, 1, num_bricks);
    env->bricks_left[i] = (int32_t)num_bricks;
    env->lives_left[i] = env->lives;
    env->tick[i] = 0;
    env->episode_return[i] = 0.0f;
    breakout_write_head(env, i, obs);
    for (size_t k = 0; k < num_bricks; k++) obs[BREAKOUT_OBS_HEAD + k] = 1.0f;
}

void breakout_reset(breakout* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, breakout_start);
}

// Index of the cell of size `cell` holding the point `rel`: the cell a leading left/top edge
// lies in, clamped to [0, n - 1]. Division, not a multiply by a reciprocal, keeps a point on a
// cell boundary exactly on it.
static inline int32_t breakout_cell_lo(float rel, float cell, int32_t n) {
    float q = rel / cell;
    if (!(q > 0.0f)) return 0;
    if (q >= (float)n) return n - 1;
    return (int32_t)q;
}

// Index of the cell holding the last point before `rel`: the cell a leading right/bottom edge
// (exclusive) lies in, so a ball flush against a face does not count as entering the cell;
// clamped to [0, n - 1].
static inline int32_t breakout_cell_hi(float rel, float cell, int32_t n) {
    float q = rel / cell;
    if (!(q > 0.0f)) return 0;
    if (q > (float)n) return n - 1;
    int32_t k = (int32_t)q;
    k -= (float)k == q;
    return k < 0 ? 0 : k;
}

// The first present brick of two candidates (row-major indices a, b), or -1.
static inline int32_t breakout_pick(const uint8_t* bricks, int32_t a, int32_t b) {
    return bricks[a] ? a : bricks[b] ? b : -1;
}

// Points for breaking a brick in row `row`: thirds of the rows from the bottom give 1, 4, 7.
static inline float breakout_row_points(int32_t row, int32_t rows) {
    return (float)(1 + 3 * (((rows - 1 - row) * 3) / rows));
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t breakout_step(breakout* env) {
    if (!env->core.started) return -1;
    // Loop invariants, hoisted by hand: stores through the bool buffers (a character type) may
    // alias the struct for all the compiler knows, so it would reload them on every access.
    const int32_t num_envs = env->num_envs, rows = env->brick_rows, cols = env->brick_cols;
    const int32_t num_bricks = rows * cols;
    const size_t obs_size = BREAKOUT_OBS_HEAD + (size_t)num_bricks;
    const float width = (float)env->width;
    const float bw = (float)env->brick_width, bh = (float)env->brick_height;
    const float grid_left = 0.5f * (float)(env->width - cols * env->brick_width);
    const float grid_top = (float)env->brick_top;
    const float grid_right = grid_left + (float)(cols * env->brick_width);
    const float grid_bottom = grid_top + (float)(rows * env->brick_height);
    const float size = (float)env->ball_size, half = 0.5f * size;
    const float pw = (float)env->paddle_width;
    const float paddle_y = (float)(env->height - 2 * env->paddle_height);  // paddle top edge
    const float lost_y = paddle_y + (float)env->paddle_height;             // paddle bottom edge
    const float paddle_max = width - pw, paddle_speed = env->paddle_speed;
    const float serve_speed = env->ball_speed, speed_max = env->ball_speed_max, speedup = env->ball_speedup;
    const float inv_w = 1.0f / width, inv_h = 1.0f / (float)env->height, inv_v = 1.0f / speed_max;
    const float inv_lives = 1.0f / (float)env->lives;
    const int32_t frameskip = env->frameskip, max_steps = env->max_steps;
    const int32_t* actions = env->actions;
    float* observations = env->observations;
    uint64_t* rng = env->rng;
    float *paddle_x = env->paddle_x, *ball_x = env->ball_x, *ball_y = env->ball_y;
    float *ball_vx = env->ball_vx, *ball_vy = env->ball_vy, *speeds = env->speed;
    uint8_t *in_plays = env->in_play, *all_bricks = env->bricks;
    int32_t *bricks_left = env->bricks_left, *lives_left = env->lives_left, *ticks = env->tick;
    for (int32_t i = 0; i < num_envs; i++) {
        int32_t action = actions[i];
        float dp = action == 2 ? -paddle_speed : action == 3 ? paddle_speed : 0.0f;
        bool fire = action == 1;  // 0 and out-of-range actions: noop
        float* obs = observations + (size_t)i * obs_size;
        uint8_t* bricks = all_bricks + (size_t)i * (size_t)num_bricks;
        float px = paddle_x[i], x = ball_x[i], y = ball_y[i], vx = ball_vx[i], vy = ball_vy[i];
        float speed = speeds[i];
        bool in_play = in_plays[i];
        int32_t left = bricks_left[i], lives = lives_left[i];
        float reward = 0.0f;
        bool terminal = false;
        for (int32_t f = 0; f < frameskip && !terminal; f++) {
            px += dp;
            px = px < 0.0f ? 0.0f : px > paddle_max ? paddle_max : px;
            if (!in_play) {
                if (!fire) continue;  // the ball rides the paddle; placed after the frame loop
                float angle = envsdk_rng_range(&rng[i], -BREAKOUT_SERVE_ANGLE, BREAKOUT_SERVE_ANGLE);
                x = px + 0.5f * (pw - size);
                y = paddle_y - size;
                vx = speed * sinf(angle);
                vy = -speed * cosf(angle);
                in_play = true;
            }
            // x axis: the leading column's bricks in the rows the ball spans (at most two; the
            // one holding the ball's centre is tried first), then the side walls.
            x += vx;
            int32_t hit_x = -1;
            if (y < grid_bottom && y + size > grid_top && x < grid_right && x + size > grid_left) {
                int32_t r0 = breakout_cell_lo(y - grid_top, bh, rows);
                int32_t r1 = breakout_cell_hi(y + size - grid_top, bh, rows);
                if (r0 != r1 && y + half - grid_top >= (float)r1 * bh) {
                    int32_t t = r0;
                    r0 = r1, r1 = t;
                }
                if (vx > 0.0f) {
                    int32_t c = breakout_cell_hi(x + size - grid_left, bw, cols);
                    hit_x = breakout_pick(bricks, r0 * cols + c, r1 * cols + c);
                    if (hit_x >= 0) x = grid_left + (float)c * bw - size, vx = -vx;
                } else if (vx < 0.0f) {
                    int32_t c = breakout_cell_lo(x - grid_left, bw, cols);
                    hit_x = breakout_pick(bricks, r0 * cols + c, r1 * cols + c);
                    if (hit_x >= 0) x = grid_left + (float)(c + 1) * bw, vx = -vx;
                }
            }
            if (x < 0.0f) {
                x = 0.0f, vx = -vx;
            } else if (x + size > width) {
                x = width - size, vx = -vx;
            }
            // y axis: the leading row's bricks in the columns the ball spans, the top wall, then
            // the paddle (only the ball's bottom edge crossing the paddle's top edge counts).
            float y0 = y;
            y += vy;
            int32_t hit_y = -1;
            if (y < grid_bottom && y + size > grid_top && x < grid_right && x + size > grid_left) {
                int32_t c0 = breakout_cell_lo(x - grid_left, bw, cols);
                int32_t c1 = breakout_cell_hi(x + size - grid_left, bw, cols);
                if (c0 != c1 && x + half - grid_left >= (float)c1 * bw) {
                    int32_t t = c0;
                    c0 = c1, c1 = t;
                }
                if (vy < 0.0f) {
                    int32_t r = breakout_cell_lo(y - grid_top, bh, rows);
                    hit_y = breakout_pick(bricks, r * cols + c0, r * cols + c1);
                    if (hit_y >= 0) y = grid_top + (float)(r + 1) * bh, vy = -vy;
                } else if (vy > 0.0f) {
                    int32_t r = breakout_cell_hi(y + size - grid_top, bh, rows);
                    hit_y = breakout_pick(bricks, r * cols + c0, r * cols + c1);
                    if (hit_y >= 0) y = grid_top + (float)r * bh - size, vy = -vy;
                }
            }
            if (y < 0.0f) {
                y = 0.0f, vy = -vy;
            } else if (vy > 0.0f && y + size > paddle_y && y0 + size <= paddle_y && x + size > px && x < px + pw) {
                // Bounce off the paddle, faster, at an angle set by where the ball's centre hit.
                speed = speed + speedup > speed_max ? speed_max : speed + speedup;
                float rel = (x + half - px) / pw;
                rel = rel < 0.0f ? 0.0f : rel > 1.0f ? 1.0f : rel;
                float angle = (2.0f * rel - 1.0f) * BREAKOUT_BOUNCE_ANGLE;
                y = paddle_y - size;
                vx = speed * sinf(angle);
                vy = -speed * cosf(angle);
            } else if (y >= lost_y) {
                // The ball's top passed the paddle's bottom: the ball is lost, and with it a life.
                in_play = false;
                speed = serve_speed;
                terminal = --lives == 0;
            }
            // Break what was hit: its observation entry and its points.
            if (hit_x >= 0) {
                bricks[hit_x] = 0, obs[BREAKOUT_OBS_HEAD + hit_x] = 0.0f, left--;
                reward += breakout_row_points(hit_x / cols, rows);
            }
            if (hit_y >= 0) {
                bricks[hit_y] = 0, obs[BREAKOUT_OBS_HEAD + hit_y] = 0.0f, left--;
                reward += breakout_row_points(hit_y / cols, rows);
            }
            terminal |= left == 0;  // every brick broken: a win
        }
        int32_t tick = ticks[i] + 1;
        float episode_return = env->episode_return[i] + reward;
        bool timeout = !terminal && tick >= max_steps;
        env->rewards[i] = reward;
        env->terminals[i] = terminal;
        env->truncations[i] = timeout;
        const bool ended = terminal || timeout;
        if (!in_play) {
            // The ball rides on the paddle's centre until it is served.
            x = px + 0.5f * (pw - size), y = paddle_y - size, vx = 0.0f, vy = 0.0f;
        }
        // The bricks' entries are already written; now the head, on an ended row too (its last
        // observation, which ENVSDK_FINAL_ROW keeps before the restart).
        obs[0] = (px + 0.5f * pw) * inv_w;
        obs[1] = (x + half) * inv_w;
        obs[2] = (y + half) * inv_h;
        obs[3] = vx * inv_v;
        obs[4] = vy * inv_v;
        obs[5] = in_play ? 1.0f : 0.0f;
        obs[6] = (float)lives * inv_lives;
        if (ended) {
            ENVSDK_LOG_EPISODE(&env->log, episode_return, tick);
            env->log.score += (double)(num_bricks - left);
            env->log.cleared += left == 0 ? 1.0 : 0.0;
            ENVSDK_FINAL_ROW(env, i, obs_size);  // the observation just written, before the restart
            breakout_start(env, i);              // same-step autoreset
            continue;
        }
        ticks[i] = tick;
        env->episode_return[i] = episode_return;
        bricks_left[i] = left;
        lives_left[i] = lives;
        speeds[i] = speed;
        paddle_x[i] = px;
        ball_x[i] = x, ball_y[i] = y, ball_vx[i] = vx, ball_vy[i] = vy;
        in_plays[i] = in_play;
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(breakout)

#endif  // BREAKOUT_H
