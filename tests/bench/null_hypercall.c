/*
 * Benchmark: the null hypercall.  xen_version(XENVER_version) is the cheapest hypercall
 * that does nothing: no argument is read or written, the handler returns a constant.
 */
#include "bench.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("bench_null_hypercall");

static volatile int last;

/* The result is kept, not tested: one store, so the figure is the hypercall's. */
static void null_hypercall(void *arg)
{
    (void)arg;
    last = HYPERVISOR_xen_version(XENVER_version, NULL);
}

int guest_main(void)
{
    uint64_t n = bench_per_call(null_hypercall, NULL, BENCH_ITERS, BENCH_REPS);

    TEST_EQ(last, HYPERVISOR_xen_version(XENVER_version, NULL));
    TEST_ASSERT(last > 0);
    bench_report("null_hypercall", n, 100, 280, "null hypercall: xen_version(XENVER_version)");
    test_finish();
}
