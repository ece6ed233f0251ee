/*
 * Benchmark: SCHEDOP_yield.  Alone, the yield finds nothing else to run and returns
 * ("yield_alone" on the command line reports that).  Two domains running this guest side
 * by side ("domain_switch" in one, "partner" in the other) hand the CPU to each other on
 * every yield: one iteration of the timed loop is then two yields and two switches, and
 * the figure reported is half of it.
 *
 * Both domains run the same number of yields, in lockstep once both have started: first
 * a warm-up that covers the partner's start of day, then the timed loops, then as many
 * yields again, so neither domain's timed loops ever run with the other one gone.
 */
#include "bench.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("bench_yield");

#define WARMUP_YIELDS 64

static int bad;

static void yield(void *arg)
{
    (void)arg;
    bad |= HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static void yields(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        yield(NULL);
    }
}

int guest_main(void)
{
    bool alone = bench_arg("yield_alone");
    bool sw = bench_arg("domain_switch");
    uint64_t n;

    if (!alone && !sw && !bench_arg("partner")) {
        test_error("say yield_alone, domain_switch or partner on the command line");
    }
    yields(WARMUP_YIELDS);
    n = bench_per_call(yield, NULL, BENCH_ITERS, BENCH_REPS);
    yields(2 * BENCH_ITERS * BENCH_REPS);
    TEST_EQ(bad, 0);
    if (alone) {
        bench_report("yield_alone", n, 600, 2020, "SCHEDOP_yield with nothing else runnable");
    } else if (sw) {
        bench_report("domain_switch", (n + 1) / 2, -1, -1,
                     "domain switch: half a yield round trip between two domains");
    }
    test_finish();
}
