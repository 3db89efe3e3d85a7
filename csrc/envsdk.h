// envsdk.h: what every envsdk C sim shares. Pure C99: no Python, no globals, no rand(), no I/O.
//
// The pattern every sim follows (see squared.h, the smallest one):
//   - one struct holding pointers into the caller's buffers (rows = num_envs), the config, and
//     the state of ALL sub-envs as flat arrays ([num_envs, ...], one allocation per array);
//   - <name>_init allocates the state (returns 0, or -1 with nothing leaked), <name>_reset
//     seeds sub-env i with seed + i and starts it, <name>_step advances every sub-env in one
//     loop, <name>_close frees (safe to call twice);
//   - same-step autoreset: when a sub-env's episode ends inside <name>_step, its reward and
//     terminal/truncation flag describe the episode that ended, ENVSDK_LOG_EPISODE records it,
//     and the sub-env is restarted so its observation row is the next episode's first one;
//   - episode stats are summed into a <name>_log struct inside the sim struct (doubles only, the
//     first fields count, episode_return, episode_length); <name>_step returns
//     ENVSDK_REPORT(env, env->log), which on every report_every-th step since reset moves the
//     log's means into env->report and returns the count, so Python reads them only then, in O(1).
//
// The region between the "envsdk:cdef" markers of each header is handed verbatim to cffi's
// cdef, so every struct and function is declared exactly once; cffi checks the layout when it
// compiles. Keep that region to plain declarations (no macros, no bodies).
#ifndef ENVSDK_H
#define ENVSDK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// SplitMix64 (Steele, Lea, Flood 2014): one uint64 of state per sub-env, full period 2^64.
static inline uint64_t envsdk_rng_next(uint64_t* state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform float in [0, 1), 24 random bits.
static inline float envsdk_rng_uniform(uint64_t* state) {
    return (float)(envsdk_rng_next(state) >> 40) * (1.0f / 16777216.0f);
}

// Uniform float in [lo, hi).
static inline float envsdk_rng_range(uint64_t* state, float lo, float hi) {
    return lo + (hi - lo) * envsdk_rng_uniform(state);
}

// Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; bias below 2^-32).
static inline int32_t envsdk_rng_below(uint64_t* state, int32_t n) {
    return (int32_t)(((envsdk_rng_next(state) >> 32) * (uint64_t)(uint32_t)n) >> 32);
}

// What a sim's step returns, and how its episode log reaches Python. The sim struct has int32
// report_every and since_report (since_report reset to 0 by <name>_reset) and double report[16].
// `log` is a <name>_log: doubles only, count first, then sums over the episodes it counted. On
// every report_every-th step since reset with episodes in the log, the log's means go to report
// (report[0] = count, report[k] = sum k / count, in the log's field order) and the log restarts:
// step returns the count (capped at INT32_MAX), telling Python to read report, which it does with
// one memoryview read and no call per field. On every other step it returns 0 and the log keeps
// summing. Counted in steps, not in episodes, so the steps that report do not depend on how the
// sub-envs are split between objects or workers. The sizeof(char[...]) term fails the build if
// a log has more fields than report holds.
#define ENVSDK_REPORT(env, log)                                                                     \
    ((void)sizeof(char[sizeof(log) <= sizeof((env)->report) ? 1 : -1]),                            \
     envsdk_report(&(env)->since_report, (env)->report_every, &(log), sizeof(log), (env)->report))

static inline int32_t envsdk_report(int32_t* since_report, int32_t report_every, void* log, size_t bytes,
                                    double* report) {
    if (++*since_report < report_every) return 0;
    *since_report = 0;
    double sums[16];
    memcpy(sums, log, bytes);  // a copy, not a cast: reading the struct as an array is not portable C
    double count = sums[0];
    if (count <= 0.0) return 0;
    report[0] = count;
    for (size_t k = 1; k < bytes / sizeof(double); k++) report[k] = sums[k] / count;
    memset(log, 0, bytes);
    return count < 2147483647.0 ? (int32_t)count : INT32_MAX;
}

// Record one finished episode into a sim's log struct (count, episode_return, episode_length).
#define ENVSDK_LOG_EPISODE(log, ret, len)      \
    do {                                       \
        (log)->count += 1.0;                   \
        (log)->episode_return += (double)(ret); \
        (log)->episode_length += (double)(len); \
    } while (0)

// The end of a two-player board game (both players are agent rows): the mover's row r and the
// other row o get their rewards (won: +1 and -1; drawn: 0 and 0; else the mover's illegal move:
// illegal_reward and 0) and are both terminal, and the game ends one episode in each row (each
// `len` steps long) in `log`, whose first_win, second_win, draw and illegal sums are added once
// per row, so their means are per-game rates.
#define ENVSDK_TWO_PLAYER_END(log, rewards, terminals, r, o, won, drawn, illegal_reward, moved_first, len) \
    do {                                                                                               \
        float reward_ = (won) ? 1.0f : (drawn) ? 0.0f : (illegal_reward);                              \
        float reward_other_ = (won) ? -1.0f : 0.0f;                                                    \
        (rewards)[r] = reward_;                                                                        \
        (rewards)[o] = reward_other_;                                                                  \
        (terminals)[r] = true;                                                                         \
        (terminals)[o] = true;                                                                         \
        ENVSDK_LOG_EPISODE(log, reward_, len);                                                         \
        ENVSDK_LOG_EPISODE(log, reward_other_, len);                                                   \
        double win2_ = (won) ? 2.0 : 0.0;                                                              \
        (log)->first_win += (moved_first) ? win2_ : 0.0;                                               \
        (log)->second_win += (moved_first) ? 0.0 : win2_;                                              \
        (log)->draw += (drawn) ? 2.0 : 0.0;                                                            \
        (log)->illegal += (!(won) && !(drawn)) ? 2.0 : 0.0;                                            \
    } while (0)

// calloc that raises *failed instead of returning silently: an _init allocates every array,
// then, if *failed, calls its _close (which frees what was allocated; free(NULL) is a no-op).
static inline void* envsdk_calloc(size_t count, size_t size, int* failed) {
    void* p = calloc(count ? count : 1, size);
    if (!p) *failed = 1;
    return p;
}

// Defines <name>_step_n: n batch steps in one C call, used to time a bare C loop with no Python.
#define ENVSDK_DEFINE_STEP_N(name)                            \
    void name##_step_n(name* env, int64_t n) {                \
        for (int64_t k = 0; k < n; k++) name##_step(env);     \
    }

#endif  // ENVSDK_H
