/*
 * The guest side of `make bench`: operations timed with rdtsc inside a guest.  Under QEMU's
 * -icount shift=0,sleep=off the TSC advances by one per executed instruction (plus the time
 * warped over while the machine is idle), so a difference of two TSC readings is the number
 * of instructions in between, the same on every run and every machine.
 *
 * Every figure is the cost of one operation as the guest sees it, from its call to its
 * return: the loop that repeats the operation is timed, the same loop around an empty
 * function is timed, and the difference is divided by the repetitions.  Each loop is run
 * several times and the smallest total is kept, so a timer interrupt that lands in one run
 * does not count.
 */
#ifndef BENCH_H
#define BENCH_H

#include "guest/lib.h"

/* A benchmark may run for at most this many iterations per timed loop. */
#define BENCH_ITERS 256u
#define BENCH_REPS  16u

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

typedef void (*bench_fn)(void *arg);

/* The smallest TSC difference over reps runs of a loop calling fn(arg) iters times. */
uint64_t bench_min_loop(bench_fn fn, void *arg, unsigned int iters, unsigned int reps);

/*
 * The cost of one call of fn(arg): the smallest loop total minus the smallest total of the
 * same loop around an empty function, divided by iters and rounded to the nearest unit.
 */
uint64_t bench_per_call(bench_fn fn, void *arg, unsigned int iters, unsigned int reps);

/*
 * The cost of one call of fn(arg) timed alone, for operations that need the state setup(arg)
 * leaves (untimed) before each call: the smallest of reps timings, minus the smallest
 * timing of an empty function the same way.
 */
uint64_t bench_single_call(bench_fn fn, bench_fn setup, void *arg, unsigned int reps);

/*
 * Prints the line make bench collects:
 *     BENCH <key> <value> <target> <xen> <what>
 * value in instructions; target (the project's upper bound) and xen (Xen 4.17's figure,
 * docs/performance.md) or "-" when there is none (pass -1).
 */
void bench_report(const char *key, uint64_t value, long target, long xen, const char *what);

/* True when the guest's command line (start_info.cmd_line) holds the word w. */
bool bench_arg(const char *w);

#endif
