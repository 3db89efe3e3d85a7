// snake.h: multi-agent Snake's C sim. The rules (agent rows, observation, actions, moves, food,
// death, respawn, truncation, stats) are the docstring of envs/snake.py's Snake; this comment
// covers only how this file implements them.
//
// Storage: each sub-env's grid is padded by `view` wall cells on every side (stride = width +
// 2 * view), so a crop never needs a bounds check. A grid cell is a uint8: 0 empty, 1 food,
// 2 wall, or a snake segment 8 | head << 2 | dir, where dir is the direction (0..3, as the
// actions) from that segment to the next one towards the head (for the head: its heading). The
// tail follows those directions, so a snake needs no list of its segments. A parallel uint16
// array holds each segment's owner; it is read only for the (few) segment cells in a crop, so
// the bytes that crops sweep stay one per cell. Observation codes are written from these cells
// (snake_observe). Python checks snakes + food <= width * height, so every placement finds an
// empty cell.
#ifndef SNAKE_H
#define SNAKE_H

#include "envsdk.h"

#define SNAKE_EMPTY 0
#define SNAKE_FOOD 1
#define SNAKE_WALL 2
#define SNAKE_SEGMENT 8       // cell values >= 8 are snake segments
#define SNAKE_HEAD_BIT 4      // segment flag: this segment is a head
#define SNAKE_MAX_SNAKES 65535 // owners are uint16
#define SNAKE_TRIES 16        // random draws for an empty cell before a linear scan

// envsdk:cdef begin
typedef struct snake_log {
    double count;           // lives finished since Python last read this log
    double episode_return;  // sum over those lives
    double episode_length;  // sum over those lives, steps
    double score;           // sum over those lives: food eaten
    double length;          // sum over those lives: snake length at death or truncation
} snake_log;

typedef struct snake {
    // Buffers owned by the caller, one row per snake (num_envs * snakes rows).
    int8_t* observations;   // [num_envs * snakes, 2*view+1, 2*view+1], written by reset and step
    int32_t* actions;       // [num_envs * snakes], written by the caller, read by step
    float* rewards;         // [num_envs * snakes], written by reset and step
    bool* terminals;        // [num_envs * snakes], written by reset and step
    bool* truncations;      // [num_envs * snakes], written by reset and step
    bool* masks;            // [num_envs * snakes], set True by reset (snakes respawn at once)
    int8_t* final_observations;  // [num_envs * snakes, 2*view+1, 2*view+1] or NULL: step writes each
                                 // ended life's last observation
    // Config, validated in Python before init.
    int32_t num_envs;
    int32_t width;          // grid columns (>= 1)
    int32_t height;         // grid rows (>= 1)
    int32_t snakes;         // snakes per sub-env, 1..65535; snakes + food <= width * height
    int32_t food;           // food pieces per sub-env (>= 0)
    int32_t view;           // observation radius, cells (>= 1); the crop side is 2 * view + 1
    int32_t max_steps;      // truncation limit of a sub-env, steps (>= 1)
    float reward_food;      // reward for eating one piece of food
    float reward_death;     // reward on the step a snake dies
    // Derived by snake_init.
    int32_t stride;         // padded grid row length, width + 2 * view
    int32_t cells;          // padded grid cells per sub-env, stride * (height + 2 * view)
    // State, allocated by snake_init, freed by snake_close. Sub-env arrays are [num_envs],
    // snake arrays [num_envs * snakes] (indexed by agent row); cell indices are into the
    // sub-env's padded grid.
    uint64_t* rng;          // [num_envs] RNG state
    int32_t* tick;          // [num_envs] steps since the sub-env (re)started
    int32_t* food_count;    // [num_envs] food on the grid
    uint8_t* grid;          // [num_envs, cells] cell values (see the top of snake.h)
    uint16_t* owner;        // [num_envs, cells] a segment cell's snake (0..snakes-1); stale elsewhere
    int32_t* head;          // [num_envs * snakes] head cell
    int32_t* tail;          // [num_envs * snakes] tail cell (== head at length 1)
    int32_t* length;        // [num_envs * snakes] segments
    int32_t* heading;       // [num_envs * snakes] last move direction, 0..3 as the actions
    int32_t* life;          // [num_envs * snakes] steps lived in the current life
    int32_t* eaten;         // [num_envs * snakes] food eaten in the current life
    float* episode_return;  // [num_envs * snakes] return of the current life so far
    snake_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} snake;
// envsdk:cdef end

int snake_init(snake* env) {
    size_t n = (size_t)env->num_envs, agents = n * (size_t)env->snakes;
    env->stride = env->width + 2 * env->view;
    env->cells = env->stride * (env->height + 2 * env->view);
    ENVSDK_ALLOC_EACH(env, n, rng, tick, food_count);
    ENVSDK_ALLOC_EACH(env, n * (size_t)env->cells, grid, owner);
    ENVSDK_ALLOC_EACH(env, agents, head, tail, length, heading, life, eaten, episode_return);
    return envsdk_init_done(&env->core);
}

// A random empty cell of the width x height interior, or -1 when there is none: SNAKE_TRIES
// uniform draws, then a scan in row-major order (wrapping) from the last draw.
static int32_t snake_empty_cell(const snake* env, const uint8_t* grid, uint64_t* rng) {
    const int32_t width = env->width, area = env->width * env->height;
    const int32_t stride = env->stride, corner = env->view * env->stride + env->view;
    int32_t k = 0;
    for (int32_t t = 0; t < SNAKE_TRIES; t++) {
        k = envsdk_rng_below(rng, area);
        int32_t cell = corner + (k / width) * stride + k % width;
        if (grid[cell] == SNAKE_EMPTY) return cell;
    }
    for (int32_t s = 0; s < area; s++, k = k + 1 == area ? 0 : k + 1) {
        int32_t cell = corner + (k / width) * stride + k % width;
        if (grid[cell] == SNAKE_EMPTY) return cell;
    }
    return -1;
}

// Place a new length-1 snake for agent row a (owner k of its sub-env) at `cell`, heading random.
static void snake_spawn(snake* env, uint8_t* grid, uint16_t* owner, uint64_t* rng, int32_t a, int32_t k,
                        int32_t cell) {
    int32_t heading = envsdk_rng_below(rng, 4);
    grid[cell] = (uint8_t)(SNAKE_SEGMENT | SNAKE_HEAD_BIT | heading);
    owner[cell] = (uint16_t)k;
    env->head[a] = cell;
    env->tail[a] = cell;
    env->length[a] = 1;
    env->heading[a] = heading;
    env->life[a] = 0;
    env->eaten[a] = 0;
    env->episode_return[a] = 0.0f;
}

// Write snake k's observation: the crop around its head, codes as in the Snake docstring. Each
// row is first converted as if every segment were another snake's (5 body, 6 head: a loop the
// compiler vectorizes, which also counts the row's segments). The head (the centre) and the neck
// (where the head came from, for length > 1) are known to be the snake's own; only a row with
// further segments reads their owners to fix up the snake's own (5 -> 3). The owner array is
// thus rarely touched: other snakes are sparse, and a snake's own cells near its head were
// written in recent steps.
static inline void snake_observe(const uint8_t* restrict grid, const uint16_t* restrict owner, int32_t head,
                                 int32_t neck_dir, int32_t stride, int32_t view, int32_t k, int8_t* restrict obs) {
    const int32_t side = 2 * view + 1;
    const int32_t corner = head - view * stride - view;
    // The neck's crop row and column (neck_dir is the direction from the neck to the head, or -1).
    const int32_t neck_row = neck_dir < 0 ? -1 : view + (neck_dir == 0) - (neck_dir == 1);
    const int32_t neck_col = view + (neck_dir == 2) - (neck_dir == 3);
    int8_t* row_obs = obs;
    for (int32_t r = 0; r < side; r++, row_obs += side) {
        const uint8_t* src = grid + corner + r * stride;
        int32_t segments = 0;
        for (int32_t c = 0; c < side; c++) {
            int32_t v = src[c];
            segments += v >= SNAKE_SEGMENT;
            row_obs[c] = (int8_t)(v < SNAKE_SEGMENT ? v : 5 + ((v >> 2) & 1));
        }
        if (segments <= (r == view) + (r == neck_row)) continue;
        const uint16_t* who = owner + corner + r * stride;
        for (int32_t c = 0; c < side; c++) {
            if (src[c] >= SNAKE_SEGMENT && who[c] == k) row_obs[c] = (int8_t)(row_obs[c] - 2);
        }
    }
    obs[view * side + view] = 4;
    if (neck_row >= 0) obs[neck_row * side + neck_col] = 3;
}

// Hint the cache lines of the crop around `head` (the next snakes' crops are fetched while the
// current one is converted: crops sit at random places in a grid larger than the L1 cache).
static inline void snake_prefetch_crop(const uint8_t* grid, int32_t head, int32_t stride, int32_t view) {
#if defined(__GNUC__)
    const uint8_t* p = grid + head - view * stride - view;
    for (int32_t r = 0; r <= 2 * view; r++, p += stride) {
        __builtin_prefetch(p);
        __builtin_prefetch(p + 2 * view);
    }
#else
    (void)grid, (void)head, (void)stride, (void)view;
#endif
}

#define SNAKE_PREFETCH_AHEAD 4  // snakes

// Observations of every snake of sub-env e.
static void snake_observe_all(snake* env, int32_t e) {
    const int32_t snakes = env->snakes, side = 2 * env->view + 1, stride = env->stride, view = env->view;
    const uint8_t* grid = env->grid + (size_t)e * (size_t)env->cells;
    const uint16_t* owner = env->owner + (size_t)e * (size_t)env->cells;
    const int32_t* head = env->head + (size_t)e * (size_t)snakes;
    const int32_t* heading = env->heading + (size_t)e * (size_t)snakes;
    const int32_t* length = env->length + (size_t)e * (size_t)snakes;
    int8_t* obs = env->observations + (size_t)e * (size_t)snakes * (size_t)(side * side);
    for (int32_t k = 0; k < snakes && k < SNAKE_PREFETCH_AHEAD; k++) snake_prefetch_crop(grid, head[k], stride, view);
    for (int32_t k = 0; k < snakes; k++, obs += side * side) {
        if (k + SNAKE_PREFETCH_AHEAD < snakes) snake_prefetch_crop(grid, head[k + SNAKE_PREFETCH_AHEAD], stride, view);
        snake_observe(grid, owner, head[k], length[k] > 1 ? heading[k] : -1, stride, view, k, obs);
    }
}

// Replace eaten food at random empty cells of a sub-env's grid, while there are any; returns the
// food now on the grid.
static int32_t snake_add_food(const snake* env, uint8_t* grid, uint64_t* rng, int32_t food_count) {
    const int32_t food = env->food;
    for (; food_count < food; food_count++) {
        int32_t cell = snake_empty_cell(env, grid, rng);
        if (cell < 0) break;
        grid[cell] = SNAKE_FOOD;
    }
    return food_count;
}

// Start sub-env e afresh: walls around an empty interior, its snakes, its food, observations.
static void snake_start(snake* env, int32_t e) {
    const int32_t stride = env->stride, view = env->view, width = env->width, height = env->height;
    uint8_t* grid = env->grid + (size_t)e * (size_t)env->cells;
    uint16_t* owner = env->owner + (size_t)e * (size_t)env->cells;
    uint64_t* rng = &env->rng[e];
    memset(grid, SNAKE_WALL, (size_t)env->cells);
    for (int32_t r = view; r < view + height; r++) memset(grid + r * stride + view, SNAKE_EMPTY, (size_t)width);
    // Python checks snakes + food <= width * height, so every draw below finds a cell.
    for (int32_t k = 0; k < env->snakes; k++) {
        snake_spawn(env, grid, owner, rng, e * env->snakes + k, k, snake_empty_cell(env, grid, rng));
    }
    env->food_count[e] = snake_add_food(env, grid, rng, 0);
    env->tick[e] = 0;
    snake_observe_all(env, e);
}

// Sub-env e reached its time limit: every snake that did not die this step is truncated and its
// life logged; when final_observations asks, those snakes' last observations are written there
// first (the food replaced and the crops taken as a step that goes on does, with a copy of the
// RNG state, so the stream is the same with final observations or without). Then the whole
// sub-env restarts.
static void snake_truncate(snake* env, int32_t e, uint8_t* grid, int32_t food_count) {
    const int32_t snakes = env->snakes;
    const size_t crop = (size_t)(2 * env->view + 1) * (size_t)(2 * env->view + 1);
    if (env->final_observations) {
        uint64_t rng = env->rng[e];
        snake_add_food(env, grid, &rng, food_count);
        snake_observe_all(env, e);  // into the observation rows, which snake_start then rewrites
        for (int32_t k = 0; k < snakes; k++) {
            const size_t a = (size_t)e * (size_t)snakes + (size_t)k;
            if (!env->terminals[a]) memcpy(env->final_observations + a * crop, env->observations + a * crop, crop);
        }
    }
    for (int32_t k = 0; k < snakes; k++) {
        const int32_t a = e * snakes + k;
        if (env->terminals[a]) continue;  // died this very step: already logged as terminal
        env->truncations[a] = true;
        ENVSDK_LOG_EPISODE(&env->log, env->episode_return[a], env->life[a]);
        env->log.score += (double)env->eaten[a];
        env->log.length += (double)env->length[a];
    }
    snake_start(env, e);
}

void snake_reset(snake* env, uint64_t seed) {
    size_t agents = (size_t)env->num_envs * (size_t)env->snakes;
    if (env->masks) memset(env->masks, 1, agents * sizeof(bool));  // every snake starts alive
    ENVSDK_RESET_EACH(env, agents, seed, snake_start);
}

// Returns the lives logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t snake_step(snake* env) {
    if (!env->core.started) return -1;
    // Locals, so that stores through the int8/bool buffers (character types, which may alias
    // anything) do not force the compiler to reload env's fields on every access.
    const int32_t num_envs = env->num_envs, snakes = env->snakes, stride = env->stride;
    const int32_t max_steps = env->max_steps;
    const size_t cells = (size_t)env->cells;
    const float reward_food = env->reward_food, reward_death = env->reward_death;
    const int32_t delta[4] = {-stride, stride, -1, 1};
    const int32_t* actions = env->actions;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    int8_t* final = env->final_observations;
    const size_t crop = (size_t)(2 * env->view + 1) * (size_t)(2 * env->view + 1);
    int32_t *heads = env->head, *tails = env->tail, *lengths = env->length, *headings = env->heading;
    int32_t *lives = env->life, *eatens = env->eaten;
    float* returns = env->episode_return;
    for (int32_t e = 0; e < num_envs; e++) {
        uint8_t* grid = env->grid + (size_t)e * cells;
        uint16_t* owner = env->owner + (size_t)e * cells;
        uint64_t* rng = &env->rng[e];
        int32_t food_count = env->food_count[e];
        for (int32_t k = 0; k < snakes; k++) {
            const int32_t a = e * snakes + k;
            const int32_t heading = headings[a], length = lengths[a], head = heads[a];
            const int32_t action = actions[a];
            int32_t dir = (uint32_t)action < 4u ? action : heading;  // out of range: keep straight
            if (length > 1 && dir == (heading ^ 1)) dir = heading;    // into the neck: keep straight
            const int32_t next = head + delta[dir];
            const int32_t v = grid[next];
            const int32_t life = lives[a] + 1;
            if (v >= SNAKE_WALL) {
                // Death by wall or segment: log the life, clear the body tail to head, respawn.
                float episode_return = returns[a] + reward_death;
                rewards[a] = reward_death;
                terminals[a] = true;
                truncations[a] = false;
                ENVSDK_LOG_EPISODE(&env->log, episode_return, life);
                env->log.score += (double)eatens[a];
                env->log.length += (double)length;
                if (final)  // its last view: the crop around the head it died with, its body still there
                    snake_observe(grid, owner, head, length > 1 ? heading : -1, stride, env->view, k,
                                  final + (size_t)a * crop);
                int32_t cell = tails[a];
                for (int32_t s = 0; s < length; s++) {
                    int32_t step_dir = grid[cell] & 3;
                    grid[cell] = SNAKE_EMPTY;
                    cell += delta[step_dir];
                }
                // The body just cleared left at least one empty cell; its tail is the fallback.
                int32_t spawn = snake_empty_cell(env, grid, rng);
                snake_spawn(env, grid, owner, rng, a, k, spawn >= 0 ? spawn : tails[a]);
                continue;
            }
            grid[head] = (uint8_t)(SNAKE_SEGMENT | dir);  // the old head becomes a body segment
            grid[next] = (uint8_t)(SNAKE_SEGMENT | SNAKE_HEAD_BIT | dir);
            owner[next] = (uint16_t)k;
            heads[a] = next;
            headings[a] = dir;
            lives[a] = life;
            float reward = 0.0f;
            if (v == SNAKE_FOOD) {
                reward = reward_food;
                lengths[a] = length + 1;
                eatens[a] += 1;
                food_count--;
            } else {
                const int32_t tail = tails[a];
                const int32_t tail_dir = grid[tail] & 3;
                grid[tail] = SNAKE_EMPTY;
                tails[a] = tail + delta[tail_dir];
            }
            returns[a] += reward;
            rewards[a] = reward;
            terminals[a] = false;
            truncations[a] = false;
        }
        const int32_t tick = env->tick[e] + 1;
        if (tick >= max_steps) {
            snake_truncate(env, e, grid, food_count);  // time limit: the live snakes are cut short
            continue;
        }
        env->tick[e] = tick;
        env->food_count[e] = snake_add_food(env, grid, rng, food_count);
        snake_observe_all(env, e);
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(snake)

#endif  // SNAKE_H
