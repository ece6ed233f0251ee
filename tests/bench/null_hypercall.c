/*
 * Benchmark: the null hypercall.  xen_version(XENVER_version) is the cheapest hypercall
 * that does nothing: no argument is read or written, the handler returns a constant.
 */
#include "bench.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("bench_null_hypercall");

static int bad;

static void null_hypercall(void *arg)
{
    (void)arg;
    bad |= HYPERVISOR_xen_version(XENVER_version, NULL) <= 0;
}

int guest_main(void)
{
    uint64_t n = bench_per_call(null_hypercall, NULL, BENCH_ITERS, BENCH_REPS);

    TEST_EQ(bad, 0);
    bench_report("null_hypercall", n, 100, 280, "null hypercall: xen_version(XENVER_version)");
    test_finish();
}
