/* The guest side of make bench: timed loops and the lines the harness collects. */
#include "bench.h"
#include "guest/console.h"
#include "guest/runtime.h"

/*
 * The baseline: a real call of a function with the frame every operation's function has
 * (the guest is built with frame pointers).  In assembly, because the compiler leaves the
 * frame out of an empty function.
 */
void bench_empty(void *arg);
__asm__(".text\n"
        ".globl bench_empty\n"
        ".type bench_empty, @function\n"
        "bench_empty:\n"
        "    pushl %ebp\n"
        "    movl %esp, %ebp\n"
        "    popl %ebp\n"
        "    ret\n"
        ".size bench_empty, . - bench_empty\n");

/* noinline: the operation's loop and the empty one must be the same code. */
__attribute__((noinline)) uint64_t bench_min_loop(bench_fn fn, void *arg, unsigned int iters,
                                                  unsigned int reps)
{
    uint64_t best = ~0ull;

    for (unsigned int r = 0; r < reps; r++) {
        uint64_t t0 = bench_rdtsc();
        for (unsigned int i = 0; i < iters; i++) {
            fn(arg);
        }
        uint64_t t = bench_rdtsc() - t0;
        if (t < best) {
            best = t;
        }
    }
    return best;
}

uint64_t bench_per_call(bench_fn fn, void *arg, unsigned int iters, unsigned int reps)
{
    uint64_t empty = bench_min_loop(bench_empty, NULL, iters, reps);
    uint64_t full = bench_min_loop(fn, arg, iters, reps);

    if (full <= empty) {
        return 0;
    }
    return (full - empty + iters / 2) / iters;
}

/* noinline, as bench_min_loop(). */
static __attribute__((noinline)) uint64_t min_single(bench_fn fn, bench_fn setup, void *arg,
                                                     unsigned int reps)
{
    uint64_t best = ~0ull;

    for (unsigned int r = 0; r < reps; r++) {
        setup(arg);
        uint64_t t0 = bench_rdtsc();
        fn(arg);
        uint64_t t = bench_rdtsc() - t0;
        if (t < best) {
            best = t;
        }
    }
    return best;
}

uint64_t bench_single_call(bench_fn fn, bench_fn setup, void *arg, unsigned int reps)
{
    uint64_t empty = min_single(bench_empty, setup, arg, reps);
    uint64_t full = min_single(fn, setup, arg, reps);

    return full > empty ? full - empty : 0;
}

static void print_bound(char *buf, size_t size, long v)
{
    if (v < 0) {
        snprintf(buf, size, "-");
    } else {
        snprintf(buf, size, "%ld", v);
    }
}

void bench_report(const char *key, uint64_t value, long target, long xen, const char *what)
{
    char t[16], x[16];

    print_bound(t, sizeof(t), target);
    print_bound(x, sizeof(x), xen);
    printk("BENCH %s %llu %s %s %s\n", key, (unsigned long long)value, t, x, what);
}

bool bench_arg(const char *w)
{
    const char *s = (const char *)start_info->cmd_line;
    size_t n = strlen(w);

    for (const char *p = strstr(s, w); p; p = strstr(p + 1, w)) {
        bool starts = p == s || p[-1] == ' ';
        bool ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends) {
            return true;
        }
    }
    return false;
}
