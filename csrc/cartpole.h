// cartpole.h: CartPole's C sim. The rules (observation, actions, rewards, ends, dynamics) are the
// docstring of envs/cartpole.py's CartPole; this comment covers only how this file implements them.
//
// It follows Gymnasium's CartPole-v1 step: same constants, same Euler update, same order of
// floating-point operations, state in double as Gymnasium's numpy float64. It is not bit-exact:
// sin/cos of the pole angle come from an inlined polynomial (cartpole_sincos) within 1 ulp of the
// C library's, which numpy calls for Gymnasium, and equal to it for 99.8% (sin) and 99.5% (cos)
// of angles in [-0.21, 0.21] rad. One step from an equal state (200,000 states from random-action
// rollouts) gives Gymnasium's float64 state bit for bit 99.9% of the time and its float32
// observation every time; over a long episode a difference grows, as any does in this unstable
// system, until observations part and, rarely, an episode ends on another step: see
// test_free_running_episodes_follow_gymnasium in tests/envs/test_cartpole.py. Calling the C
// library's sin/cos each step would be exact but makes the step 1.5-1.8x as slow (a C loop over
// 4096 sub-envs), and a polynomial that checks its own rounding and calls the library only when
// unsure is still 1.4-1.5x as slow. (Gymnasium itself is not bit-reproducible across CPUs:
// numpy's float64 sin/cos use SVML on AVX-512 machines, not the C library; numpy issue #23523.)
#ifndef CARTPOLE_H
#define CARTPOLE_H

#include <math.h>

#include "envsdk.h"

// Gymnasium's constants, written as Gymnasium's expressions so each rounds to the same double.
#define CARTPOLE_GRAVITY 9.8                                          // m/s^2
#define CARTPOLE_MASSCART 1.0                                         // kg
#define CARTPOLE_MASSPOLE 0.1                                         // kg
#define CARTPOLE_TOTAL_MASS (CARTPOLE_MASSPOLE + CARTPOLE_MASSCART)   // kg
#define CARTPOLE_LENGTH 0.5                                           // HALF the pole's length, m
#define CARTPOLE_POLEMASS_LENGTH (CARTPOLE_MASSPOLE * CARTPOLE_LENGTH)  // kg m
#define CARTPOLE_FORCE_MAG 10.0                                       // N
#define CARTPOLE_TAU 0.02                                             // s per step
#define CARTPOLE_X_THRESHOLD 2.4                                      // m
#define CARTPOLE_THETA_THRESHOLD (12 * 2 * 3.141592653589793 / 360)   // rad (math.pi's double)
#define CARTPOLE_START_HALF_WIDTH 0.05                                // start state in [-0.05, 0.05)

// envsdk:cdef begin
typedef struct cartpole_log {
    double count;           // episodes finished since Python last read this log
    double episode_return;  // sum over those episodes (= their lengths: reward is 1 per step)
    double episode_length;  // sum over those episodes, steps
} cartpole_log;

typedef struct cartpole {
    // Buffers owned by the caller, one row per sub-env.
    float* observations;    // [num_envs, 4] x, x_dot, theta, theta_dot; written by reset and step
    int32_t* actions;       // [num_envs], written by the caller, read by step (1 right, else left)
    float* rewards;         // [num_envs], written by reset (0) and step (1)
    bool* terminals;        // [num_envs], written by reset (false) and step
    bool* truncations;      // [num_envs], written by reset (false) and step
    float* final_observations;  // [num_envs, 4] or NULL: step writes each ended episode's last observation
    // Config, validated in Python before init.
    int32_t num_envs;
    int32_t max_steps;      // truncation limit, steps (>= 1); CartPole-v1 uses 500
    // State of every sub-env in double (as Gymnasium), allocated by init, freed by close.
    uint64_t* rng;          // [num_envs] RNG state
    double* x;              // [num_envs] cart position, m
    double* x_dot;          // [num_envs] cart velocity, m/s
    double* theta;          // [num_envs] pole angle from upright, rad
    double* theta_dot;      // [num_envs] pole angular velocity, rad/s
    int32_t* tick;          // [num_envs] steps taken in the current episode (= its return so far)
    cartpole_log log;
    envsdk_core core;       // reporting, started, allocations (envsdk.h)
} cartpole;
// envsdk:cdef end

int cartpole_init(cartpole* env) {
    ENVSDK_ALLOC_EACH(env, env->num_envs, rng, x, x_dot, theta, theta_dot, tick);
    return envsdk_init_done(&env->core);
}

// sin and cos of a pole angle as libm gives them (within 1 ulp; equal for 99.8% / 99.5% of live
// angles), but inlined: the whole step runs 1.5-1.8x as fast as with libm's calls (see the top).
// Taylor series to degree 11 (sin) and 12 (cos): for |t| <= 0.25 rad the first omitted term is
// below 1e-17 relative, so rounding, not truncation, bounds the error. A live episode always
// has |theta| <= 0.2095 (12 degrees) at the start of a step; other angles (only reachable by
// writing the state arrays directly) go to libm.
static inline void cartpole_sincos(double t, double* s, double* c) {
    if (fabs(t) > 0.25) {
        *s = sin(t), *c = cos(t);
        return;
    }
    double t2 = t * t;
    double ps = -1.0 / 6 + t2 * (1.0 / 120 + t2 * (-1.0 / 5040 + t2 * (1.0 / 362880 + t2 * (-1.0 / 39916800))));
    double pc = 1.0 / 24 + t2 * (-1.0 / 720 + t2 * (1.0 / 40320 + t2 * (-1.0 / 3628800 + t2 * (1.0 / 479001600))));
    *s = t + t * t2 * ps;                     // t - t^3/3! + t^5/5! - ... - t^11/11!
    *c = 1.0 - (0.5 * t2 - t2 * t2 * pc);     // 1 - t^2/2! + t^4/4! - ... + t^12/12!
}

// Uniform double in [-0.05, 0.05) from 53 random bits.
static inline double cartpole_start_value(uint64_t* rng) {
    double u = (double)(envsdk_rng_next(rng) >> 11) * 0x1p-53;  // [0, 1)
    return CARTPOLE_START_HALF_WIDTH * (2.0 * u - 1.0);
}

// Start a new episode in sub-env i and write its whole observation row.
static void cartpole_start(cartpole* env, int32_t i) {
    uint64_t* rng = &env->rng[i];
    double x = cartpole_start_value(rng);
    double x_dot = cartpole_start_value(rng);
    double theta = cartpole_start_value(rng);
    double theta_dot = cartpole_start_value(rng);
    env->x[i] = x, env->x_dot[i] = x_dot, env->theta[i] = theta, env->theta_dot[i] = theta_dot;
    env->tick[i] = 0;
    float* obs = env->observations + (size_t)i * 4;
    obs[0] = (float)x, obs[1] = (float)x_dot, obs[2] = (float)theta, obs[3] = (float)theta_dot;
}

void cartpole_reset(cartpole* env, uint64_t seed) {
    ENVSDK_RESET_EACH(env, env->num_envs, seed, cartpole_start);
}

// One step of every sub-env, writing each ended episode's last observation to `final` when it is
// not NULL. Inlined twice (below) with a constant `final`: without final observations the test and
// its stores fold away, and the loop is the one GCC compiles best, sinking the state and
// observation stores common to an ongoing and a restarted episode into one block. One loop with
// the test in it ran 1.22-1.27x as long without the buffer (bench/bench_final_obs.py).
static inline __attribute__((always_inline)) void cartpole_loop(cartpole* env, float* final) {
    // Local copies of the pointers: stores through the bool buffers (a character type) may alias
    // env's fields for all the compiler knows, which would force reloads on every access.
    const int32_t* actions = env->actions;
    float* observations = env->observations;
    float* rewards = env->rewards;
    bool* terminals = env->terminals;
    bool* truncations = env->truncations;
    double *xs = env->x, *x_dots = env->x_dot, *thetas = env->theta, *theta_dots = env->theta_dot;
    int32_t* ticks = env->tick;
    int32_t max_steps = env->max_steps, num_envs = env->num_envs;
    for (int32_t i = 0; i < num_envs; i++) {
        double x = xs[i], x_dot = x_dots[i], theta = thetas[i], theta_dot = theta_dots[i];
        double force = actions[i] == 1 ? CARTPOLE_FORCE_MAG : -CARTPOLE_FORCE_MAG;  // N; not 1: left
        double sintheta, costheta;
        cartpole_sincos(theta, &sintheta, &costheta);
        // Gymnasium's equations (Florian 2005, "Correct equations for the dynamics of the
        // cart-pole system"), each product and quotient in Gymnasium's left-to-right order.
        double temp = (force + CARTPOLE_POLEMASS_LENGTH * (theta_dot * theta_dot) * sintheta) / CARTPOLE_TOTAL_MASS;
        double thetaacc = (CARTPOLE_GRAVITY * sintheta - costheta * temp) /
                          (CARTPOLE_LENGTH * (4.0 / 3.0 - CARTPOLE_MASSPOLE * (costheta * costheta) / CARTPOLE_TOTAL_MASS));
        double xacc = temp - CARTPOLE_POLEMASS_LENGTH * thetaacc * costheta / CARTPOLE_TOTAL_MASS;
        // Explicit Euler, Gymnasium's "euler" order: positions use the old velocities.
        x = x + CARTPOLE_TAU * x_dot;
        x_dot = x_dot + CARTPOLE_TAU * xacc;
        theta = theta + CARTPOLE_TAU * theta_dot;
        theta_dot = theta_dot + CARTPOLE_TAU * thetaacc;
        int32_t tick = ticks[i] + 1;
        bool terminal = x < -CARTPOLE_X_THRESHOLD || x > CARTPOLE_X_THRESHOLD ||
                        theta < -CARTPOLE_THETA_THRESHOLD || theta > CARTPOLE_THETA_THRESHOLD;
        bool truncated = !terminal && tick >= max_steps;  // a fall on the last step is terminal only
        rewards[i] = 1.0f;  // every step, the terminal one included
        terminals[i] = terminal;
        truncations[i] = truncated;
        if (terminal || truncated) {
            ENVSDK_LOG_EPISODE(&env->log, tick, tick);  // return = length: reward is 1 per step
            if (final) {                                // the observation this step ends on
                float* f = final + (size_t)i * 4;
                f[0] = (float)x, f[1] = (float)x_dot, f[2] = (float)theta, f[3] = (float)theta_dot;
            }
            cartpole_start(env, i);                     // same-step autoreset
        } else {
            xs[i] = x, x_dots[i] = x_dot, thetas[i] = theta, theta_dots[i] = theta_dot;
            ticks[i] = tick;
            float* obs = observations + (size_t)i * 4;
            obs[0] = (float)x, obs[1] = (float)x_dot, obs[2] = (float)theta, obs[3] = (float)theta_dot;
        }
    }
}

// Returns the episodes logged and not yet read by Python (> 0 tells it to read the log), or -1
// without touching anything when the env is not started (before reset, after close).
int32_t cartpole_step(cartpole* env) {
    if (!env->core.started) return -1;
    if (env->final_observations) {
        cartpole_loop(env, env->final_observations);
    } else {
        cartpole_loop(env, NULL);
    }
    return ENVSDK_REPORT(env, env->log);
}

ENVSDK_ARRAYS(cartpole)

#endif  // CARTPOLE_H
