// envsdk.h: what every envsdk C sim includes. Pure C99: no Python, no globals, no rand(), no I/O.
// It ships inside the installed package (envsdk.cbuild.include_dir()), and envsdk.cbuild puts it on
// the include path of every build, so a sim in any folder writes #include "envsdk.h".
//
// A sim is one header, <name>.h, written in one of two styles (the README shows both):
//
// ONE SUB-ENV (the easy one). struct <name> is one sub-env: pointers to ITS rows of the buffers,
// its config, its state, `uint64_t rng` and `<name>_log* log`. The author writes
//   void <name>_start_one(<name>* env);  // start an episode: set the state, write the observation
//   bool <name>_step_one(<name>* env);   // one step: read actions, write rewards, flags and the
//                                        // observation (always, the last one of an episode too);
//                                        // on an episode's end log it and return true
// and ends the header with ENVSDK_SUB_ENV(<name>) (ENVSDK_SUB_ENV_WITH_MASKS if the struct has
// `bool* masks`). That macro supplies the batch: the loop over sub-envs, the row offsets, seeding
// sub-env i with seed + i, the same-step autoreset (<name>_start_one right after a step that
// returned true), the final observations (the observation step_one wrote, copied before the
// restart for each row whose terminal or truncation flag is set, when Python asked for them), the
// shared episode log and its reports. envsdk.cbuild declares the batch's functions to cffi itself.
//
// ARRAYS (for the last few percent). struct <name> holds the whole buffers, `int32_t num_envs`,
// the config, the state of ALL sub-envs as flat arrays ([num_envs, ...]), `<name>_log log` and
// `envsdk_core core`, and the author writes the batch functions:
//   int <name>_init(<name>* env);          // allocate the state (ENVSDK_ALLOC, ENVSDK_ALLOC_EACH;
//                                          // 0, or -1 leaking nothing)
//   void <name>_reset(<name>* env, uint64_t seed);  // seed sub-env i with seed + i, start them all
//                                          // (ENVSDK_RESET_EACH, given a function starting sub-env i)
//   int32_t <name>_step(<name>* env);      // advance every sub-env in one loop; return ENVSDK_REPORT
//   void <name>_close(<name>* env);        // free (envsdk_free_all; safe to call twice)
// and ends the header with ENVSDK_ARRAYS(<name>), which defines <name>_close and <name>_step_n.
// envsdk.cbuild declares these functions to cffi itself, as for the other style: the cdef region
// holds the two structs alone (declaring the functions there as well is allowed).
//
// An array-style struct may also hold `<obs type>* final_observations`: NULL unless Python asked
// for final observations, else where step writes, for each row whose episode ends, the
// observation it would have shown before the restart (ENVSDK_FINAL_ROW copies it). Without the
// field, the sim refuses buffers that ask for them.
//
// In both styles: same-step autoreset (when a sub-env's episode ends inside a step, its reward and
// terminal/truncation flag describe the episode that ended, the episode is logged, and the
// sub-env restarts so its observation row is the next episode's first); the log is a struct of
// doubles, count first, then sums (episode_return, episode_length, any others), whose means reach
// Python as infos.
//
// The region between "envsdk:cdef begin" and "envsdk:cdef end" in each header is handed verbatim
// to cffi's cdef (with the batch functions' declarations after it), so every struct and function
// is declared exactly once; cffi makes the compiler check the layout against the real header.
// Keep that region to plain declarations (no macros, no bodies, no #include).
#ifndef ENVSDK_H
#define ENVSDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// envsdk:cdef begin
// The bookkeeping every sim shares. Python sets report_every and reads report; the rest is C's.
typedef struct envsdk_core {
    int32_t report_every;   // steps between reports of the log to Python (set by Python; <= 1: every step)
    int32_t since_report;   // steps since the last report (reset sets 0)
    bool started;           // true between reset and close; step does nothing otherwise
    int32_t failed;         // set by an ENVSDK_ALLOC that could not allocate
    int32_t owned_count;    // entries of owned in use
    void** owned[32];       // the struct fields ENVSDK_ALLOC filled, freed and set to NULL by envsdk_free_all
    double report[16];      // the means of the last report, count first (ENVSDK_REPORT); read by Python
} envsdk_core;

// The batch of a one-sub-env sim (ENVSDK_SUB_ENV): Python points it at the whole buffers and sets
// the sizes; <name>_init allocates one struct <name> per sub-env, copied from a prototype holding
// the config.
typedef struct envsdk_vec {
    void* observations;          // [num_envs * agents, ...] whole buffers, owned by the caller
    void* actions;
    float* rewards;
    bool* terminals;
    bool* truncations;
    bool* masks;                 // NULL unless the sim uses ENVSDK_SUB_ENV_WITH_MASKS
    void* final_observations;    // NULL unless Python asked for final observations (shaped as observations)
    int32_t num_envs;            // sub-envs
    int32_t agents;              // agent rows per sub-env
    int64_t observation_bytes;   // bytes of one sub-env's observation rows (all its agents)
    int64_t action_bytes;        // bytes of one sub-env's action rows
    int64_t mask_bytes;          // bytes of one sub-env's mask rows
    void* envs;                  // [num_envs] struct <name>, allocated by <name>_init
    void* log;                   // one <name>_log shared by every sub-env, allocated by <name>_init
    envsdk_core core;
} envsdk_vec;
// envsdk:cdef end

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

// What a sim's step returns, and how its episode log reaches Python. `log` is a <name>_log:
// doubles only, count first, then sums over the episodes it counted. On every report_every-th
// step since reset with episodes in the log, the log's means go to core.report (report[0] =
// count, report[k] = sum k / count, in the log's field order) and the log restarts: step returns
// the count (capped at INT32_MAX), telling Python to read report, which it does with one
// memoryview read and no call per field. On every other step it returns 0 and the log keeps
// summing. Counted in steps, not in episodes, so the steps that report do not depend on how the
// sub-envs are split between objects or workers. The sizeof(char[...]) term fails the build if a
// log has more fields than report holds.
#define ENVSDK_REPORT(env, log)                                                                     \
    ((void)sizeof(char[sizeof(log) <= sizeof((env)->core.report) ? 1 : -1]),                       \
     envsdk_report(&(env)->core, &(log), sizeof(log)))

static inline int32_t envsdk_report(envsdk_core* core, void* log, size_t bytes) {
    if (++core->since_report < core->report_every) return 0;
    core->since_report = 0;
    double sums[16];
    memcpy(sums, log, bytes);  // a copy, not a cast: reading the struct as an array is not portable C
    double count = sums[0];
    if (count <= 0.0) return 0;
    core->report[0] = count;
    for (size_t k = 1; k < bytes / sizeof(double); k++) core->report[k] = sums[k] / count;
    memset(log, 0, bytes);
    return count < 2147483647.0 ? (int32_t)count : INT32_MAX;
}

// The common start of an array-style <name>_reset: the log and the report restart, and the
// rewards and flags of all `rows` agent rows are zeroed; the sim then seeds and starts each
// sub-env (rng[i] = seed + i) and sets core.started.
#define ENVSDK_RESET_ROWS(env, rows)                                                               \
    envsdk_reset_rows(&(env)->core, &(env)->log, sizeof((env)->log), (env)->rewards, (env)->terminals, \
                      (env)->truncations, (size_t)(rows))

static inline void envsdk_reset_rows(envsdk_core* core, void* log, size_t log_bytes, float* rewards, bool* terminals,
                                     bool* truncations, size_t rows) {
    memset(log, 0, log_bytes);
    core->since_report = 0;
    memset(rewards, 0, rows * sizeof(float));  // all-zero bits are 0.0f
    memset(terminals, 0, rows * sizeof(bool));
    memset(truncations, 0, rows * sizeof(bool));
}

// The whole of an array-style <name>_reset whose sub-envs start one by one: ENVSDK_RESET_ROWS over
// `rows` agent rows, then, for each sub-env i, rng[i] = seed + i and start(env, i) (which sets
// sub-env i's state and writes its observation), then core.started. Anything else a reset does
// (a second log, masks) goes before it. Pass the start function by name, not an expression
// choosing between functions: taking a function's address can keep GCC from inlining it into step.
#define ENVSDK_RESET_EACH(env, rows, seed, start)                                                  \
    do {                                                                                           \
        ENVSDK_RESET_ROWS(env, rows);                                                              \
        for (int32_t i_ = 0; i_ < (env)->num_envs; i_++) {                                         \
            (env)->rng[i_] = (uint64_t)(seed) + (uint64_t)i_;                                      \
            (start)(env, i_);                                                                      \
        }                                                                                          \
        (env)->core.started = true;                                                                \
    } while (0)

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

// State arrays: ENVSDK_ALLOC(env, field, count) allocates `count` zeroed items of the struct
// field's own type into env->field and records the field in env->core, so that
// envsdk_free_all(&env->core) frees every one and sets it to NULL. An _init allocates each array
// and returns envsdk_init_done(&env->core): 0, or -1 after freeing whatever was allocated.
#define ENVSDK_ALLOC(env, field, count) \
    envsdk_alloc(&(env)->core, (void**)&(env)->field, (size_t)(count), sizeof(*(env)->field))

// ENVSDK_ALLOC_EACH(env, count, a, b, ...) is ENVSDK_ALLOC(env, a, count); ENVSDK_ALLOC(env, b, count);
// ... for 1 to 16 fields: the state arrays of one length in one line, e.g. every [num_envs] array.
// (`count` is evaluated once. The numbered macros below only count and walk the field list.)
#define ENVSDK_ALLOC_EACH(env, count, ...)                                                          \
    do {                                                                                           \
        size_t envsdk_count_ = (size_t)(count);                                                    \
        ENVSDK_CAT_(ENVSDK_ALLOC_, ENVSDK_NARGS_(__VA_ARGS__))(env, envsdk_count_, __VA_ARGS__)    \
    } while (0)
#define ENVSDK_CAT_(a, b) ENVSDK_CAT2_(a, b)
#define ENVSDK_CAT2_(a, b) a##b
#define ENVSDK_NARGS_(...) ENVSDK_NARGS16_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define ENVSDK_NARGS16_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, n, ...) n
#define ENVSDK_ALLOC_1(e, c, f) ENVSDK_ALLOC(e, f, c);
#define ENVSDK_ALLOC_2(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_1(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_3(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_2(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_4(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_3(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_5(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_4(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_6(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_5(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_7(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_6(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_8(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_7(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_9(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_8(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_10(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_9(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_11(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_10(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_12(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_11(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_13(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_12(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_14(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_13(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_15(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_14(e, c, __VA_ARGS__)
#define ENVSDK_ALLOC_16(e, c, f, ...) ENVSDK_ALLOC(e, f, c); ENVSDK_ALLOC_15(e, c, __VA_ARGS__)

static inline void envsdk_alloc(envsdk_core* core, void** slot, size_t count, size_t size) {
    *slot = NULL;
    if (core->owned_count >= (int32_t)(sizeof(core->owned) / sizeof(core->owned[0]))) {
        core->failed = 1;  // more arrays than owned records: a sim this large should allocate one block
        return;
    }
    *slot = calloc(count ? count : 1, size);
    if (!*slot) core->failed = 1;
    core->owned[core->owned_count++] = slot;
}

static inline void envsdk_free_all(envsdk_core* core) {
    core->started = false;
    for (int32_t k = 0; k < core->owned_count; k++) {
        free(*core->owned[k]);
        *core->owned[k] = NULL;
    }
    core->owned_count = 0;
}

static inline int envsdk_init_done(envsdk_core* core) {
    if (!core->failed) return 0;
    envsdk_free_all(core);
    core->failed = 0;
    return -1;
}

// An array-style sim's final observation: when env->final_observations is not NULL, copy row i's
// observation (`width` items) there. Call it after writing the episode's last observation and
// before the restart overwrites it; without final observations it costs one test per ended row.
#define ENVSDK_FINAL_ROW(env, i, width)                                                             \
    do {                                                                                           \
        if ((env)->final_observations)                                                             \
            memcpy((env)->final_observations + (size_t)(i) * (size_t)(width),                      \
                   (env)->observations + (size_t)(i) * (size_t)(width),                            \
                   (size_t)(width) * sizeof(*(env)->observations));                                \
    } while (0)

// Defines <name>_step_n: n batch steps in one C call, used to time a bare C loop with no Python.
#define ENVSDK_DEFINE_STEP_N(name)                            \
    void name##_step_n(name* env, int64_t n) {                \
        for (int64_t k = 0; k < n; k++) name##_step(env);     \
    }

// The last line of an array-style sim whose state is all ENVSDK_ALLOC arrays: defines
// <name>_close (envsdk_free_all: frees them, safe to call twice) and <name>_step_n. A sim that
// holds anything else writes its own <name>_close and uses ENVSDK_DEFINE_STEP_N.
#define ENVSDK_ARRAYS(name)                                   \
    void name##_close(name* env) { envsdk_free_all(&env->core); } \
    ENVSDK_DEFINE_STEP_N(name)

// The batch of a one-sub-env sim: <name>_init/_reset/_step/_step_n/_close over an envsdk_vec.
// Sub-env i's struct points at its rows of each buffer (agents rows from row i * agents), its
// rng is seed + i at reset, and its log is the batch's one log. Each step calls
// <name>_step_one on every sub-env and, where it returned true, copies the observation rows whose
// terminal or truncation flag is set to final_observations (when not NULL) and calls
// <name>_start_one right after: same-step autoreset. Rewards and flags are zeroed at reset,
// before the first observation.
static inline void envsdk_final_rows_(envsdk_vec* vec, int32_t i) {
    size_t row_bytes = (size_t)vec->observation_bytes / (size_t)vec->agents;
    size_t first = (size_t)i * (size_t)vec->agents;
    for (size_t r = first; r < first + (size_t)vec->agents; r++) {
        if (vec->terminals[r] || vec->truncations[r])
            memcpy((char*)vec->final_observations + r * row_bytes, (char*)vec->observations + r * row_bytes, row_bytes);
    }
}

#define ENVSDK_SUB_ENV(name) ENVSDK_SUB_ENV_(name, 0)
#define ENVSDK_SUB_ENV_WITH_MASKS(name) ENVSDK_SUB_ENV_(name, 1)
#define ENVSDK_SUB_ENV_(name, has_masks)                                                            \
    ENVSDK_INLINABLE_(name##_start_one)                                                              \
    ENVSDK_INLINABLE_(name##_step_one)                                                               \
    static void name##_point_(envsdk_vec* vec, name* env, int32_t i) {                               \
        size_t rows = (size_t)i * (size_t)vec->agents;                                               \
        env->observations = (void*)((char*)vec->observations + (size_t)i * (size_t)vec->observation_bytes); \
        env->actions = (void*)((char*)vec->actions + (size_t)i * (size_t)vec->action_bytes);         \
        env->rewards = vec->rewards + rows;                                                          \
        env->terminals = vec->terminals + rows;                                                      \
        env->truncations = vec->truncations + rows;                                                  \
        ENVSDK_POINT_MASKS_##has_masks(vec, env, i);                                                 \
        env->log = (name##_log*)vec->log;                                                            \
    }                                                                                                \
    void name##_close(envsdk_vec* vec) { envsdk_free_all(&vec->core); }                              \
    int name##_init(envsdk_vec* vec, const name* proto) {                                            \
        envsdk_alloc(&vec->core, &vec->envs, (size_t)vec->num_envs, sizeof(name));                   \
        envsdk_alloc(&vec->core, &vec->log, 1, sizeof(name##_log));                                  \
        if (envsdk_init_done(&vec->core) != 0) return -1;                                            \
        name* envs = (name*)vec->envs;                                                               \
        for (int32_t i = 0; i < vec->num_envs; i++) {                                                \
            envs[i] = *proto;                                                                        \
            name##_point_(vec, &envs[i], i);                                                         \
        }                                                                                            \
        return 0;                                                                                    \
    }                                                                                                \
    void name##_reset(envsdk_vec* vec, uint64_t seed) {                                              \
        memset(vec->log, 0, sizeof(name##_log));                                                     \
        vec->core.since_report = 0;                                                                  \
        name* envs = (name*)vec->envs;                                                               \
        size_t rows = (size_t)vec->agents;                                                           \
        for (int32_t i = 0; i < vec->num_envs; i++) {                                                \
            envs[i].rng = seed + (uint64_t)i;                                                        \
            memset(envs[i].rewards, 0, rows * sizeof(float));                                        \
            memset(envs[i].terminals, 0, rows * sizeof(bool));                                       \
            memset(envs[i].truncations, 0, rows * sizeof(bool));                                     \
            name##_start_one(&envs[i]);                                                              \
        }                                                                                            \
        vec->core.started = true;                                                                    \
    }                                                                                                \
    int32_t name##_step(envsdk_vec* vec) {                                                           \
        if (!vec->core.started) return -1;                                                           \
        name* envs = (name*)vec->envs;                                                               \
        int32_t num_envs = vec->num_envs;                                                            \
        for (int32_t i = 0; i < num_envs; i++) {                                                     \
            if (name##_step_one(&envs[i])) {                                                         \
                if (vec->final_observations) envsdk_final_rows_(vec, i);                             \
                name##_start_one(&envs[i]);                                                          \
            }                                                                                        \
        }                                                                                            \
        return ENVSDK_REPORT(vec, *(name##_log*)vec->log);                                           \
    }                                                                                                \
    void name##_step_n(envsdk_vec* vec, int64_t n) {                                                 \
        for (int64_t k = 0; k < n; k++) name##_step(vec);                                            \
    }
// The author's two functions are global (cffi declares them), and GCC does not inline a global
// function of a shared library (-fPIC) into the batch loop, since another library could interpose
// it (-fsemantic-interposition, GCC's default): every sub-env's step would be a call through the
// PLT. Declared hidden, they are the module's own, and GCC inlines them (Python still reaches them
// through cffi's wrappers, which are in the same module). Clang inlines them anyway and ignores
// a visibility given after the definition, so this is GCC's alone.
#if defined(__GNUC__) && !defined(__clang__)
#define ENVSDK_INLINABLE_(function) extern __typeof__(function) function __attribute__((visibility("hidden")));
#else
#define ENVSDK_INLINABLE_(function)
#endif
#define ENVSDK_POINT_MASKS_0(vec, env, i) ((void)0)
#define ENVSDK_POINT_MASKS_1(vec, env, i) \
    ((env)->masks = (bool*)(void*)((char*)(vec)->masks + (size_t)(i) * (size_t)(vec)->mask_bytes))

#endif  // ENVSDK_H
