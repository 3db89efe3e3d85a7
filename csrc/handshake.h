// handshake.h: a counter in shared memory that one process bumps and others wait on. It is the
// per-step handshake of the Multiprocessing backend (envsdk/backends/multiprocessing.py), not a
// sim. Pure C: Linux futexes where available, short naps elsewhere. Also the worker's
// parent-death signal (envsdk_die_with_parent), which Python's standard library does not expose.
//
// Why not a pipe: on a virtual machine a blocking wake-up costs tens of microseconds, and a
// Python spin on a pipe costs a syscall per look. Here a waiter spins on the counter with no
// syscall for `spin_seconds`, then sleeps in the kernel; a poster makes a syscall only when a
// waiter is asleep and its post is the one the waiter needs (the parent waiting for W workers
// is woken once, by the last of them, not W times). Lost wake-ups cannot happen: a waiter
// publishes wake_at, raises sleepers and then reads the counter; a poster bumps the counter and
// then reads sleepers and wake_at (all sequentially consistent), so one of them sees the other,
// and the kernel's futex re-checks the counter before it sleeps.
#ifndef ENVSDK_HANDSHAKE_H
#define ENVSDK_HANDSHAKE_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#ifdef __linux__
#include <linux/futex.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

// envsdk:cdef begin
typedef struct {
    uint32_t count;     // bumped by envsdk_signal_post
    uint32_t sleepers;  // waiters asleep in the kernel: a post makes a syscall only when there are some
    uint32_t wake_at;   // the count a sleeping waiter needs: posts before it wake nobody
    uint32_t unused;
} envsdk_signal;

uint32_t envsdk_signal_wait(envsdk_signal* s, uint32_t seen, uint32_t needed, double spin_seconds,
                            double timeout_seconds);
void envsdk_signal_post(envsdk_signal* s);
int envsdk_die_with_parent(void);
// envsdk:cdef end

static inline double envsdk_signal_clock(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline void envsdk_signal_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

// True once `needed` posts have happened since the count was `seen` (modulo 2^32).
static inline bool envsdk_signal_reached(uint32_t now, uint32_t seen, uint32_t needed) {
    return now - seen >= needed;
}

// Sleep while s->count is `now`, for at most `seconds`. Returns -1 when a signal (e.g. SIGINT)
// interrupted the sleep, else 0 (woken, timed out, or the count had already moved).
static inline int envsdk_signal_sleep(envsdk_signal* s, uint32_t now, double seconds) {
#ifdef __linux__
    struct timespec t;
    t.tv_sec = (time_t)seconds;
    t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
    // Not FUTEX_PRIVATE_FLAG: the word lives in memory shared between processes.
    long r = syscall(SYS_futex, &s->count, FUTEX_WAIT, now, &t, NULL, 0);
#else
    (void)s;
    (void)now;
    struct timespec t = {0, seconds < 50e-6 ? (long)(seconds * 1e9) : 50000L};
    int r = nanosleep(&t, NULL);
#endif
    return (r == -1 && errno == EINTR) ? -1 : 0;
}

// Wait until `needed` posts have happened since s->count was `seen`: spin for up to
// `spin_seconds`, then sleep, for at most `timeout_seconds` in all. Returns the count it last
// read, which falls short after a timeout or when a signal interrupted the wait, so that the
// caller can handle it (Python raises KeyboardInterrupt on return) and wait again. At most one
// process at a time may wait on a signal with needed > 1 (it alone sets wake_at).
uint32_t envsdk_signal_wait(envsdk_signal* s, uint32_t seen, uint32_t needed, double spin_seconds,
                            double timeout_seconds) {
    const double start = envsdk_signal_clock();
    uint32_t now;
    for (uint32_t i = 1;; i++) {
        now = __atomic_load_n(&s->count, __ATOMIC_ACQUIRE);
        if (envsdk_signal_reached(now, seen, needed)) return now;
        if ((i & 15) == 0) {
            if (envsdk_signal_clock() - start >= spin_seconds) break;
            // Let a process waiting for this core run (on a VM that is often the parent, or a
            // worker the backend has more of than cores); measured: async batches of the
            // cheap sims ran 0.5x Serial without it, 0.7x with it, synchronous steps the same.
            sched_yield();
        }
        envsdk_signal_relax();
    }
    const double deadline = start + timeout_seconds;
    __atomic_store_n(&s->wake_at, seen + needed, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&s->sleepers, 1u, __ATOMIC_SEQ_CST);
    for (;;) {
        now = __atomic_load_n(&s->count, __ATOMIC_SEQ_CST);
        double left = deadline - envsdk_signal_clock();
        if (envsdk_signal_reached(now, seen, needed) || left <= 0.0 || envsdk_signal_sleep(s, now, left) != 0) break;
    }
    __atomic_fetch_sub(&s->sleepers, 1u, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&s->count, __ATOMIC_ACQUIRE);
}

// Bump s->count; wake the sleeping waiters once it reaches what they need.
void envsdk_signal_post(envsdk_signal* s) {
    uint32_t now = __atomic_add_fetch(&s->count, 1u, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->sleepers, __ATOMIC_SEQ_CST) == 0) return;
    if ((int32_t)(now - __atomic_load_n(&s->wake_at, __ATOMIC_SEQ_CST)) < 0) return;
#ifdef __linux__
    syscall(SYS_futex, &s->count, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
#endif
}

// Have the kernel SIGKILL this process when the thread that started it ends (Linux's parent-death
// signal), so that a worker that cannot run its own watch for its parent (stopped by SIGSTOP, or
// stuck in C) still goes with a parent that was SIGKILLed. Returns 0 when armed, -1 where there
// is no such signal. A parent that ended before this call is not noticed: the caller's own watch
// covers that moment.
int envsdk_die_with_parent(void) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 ? 0 : -1;
#else
    return -1;
#endif
}

#endif  // ENVSDK_HANDSHAKE_H
