/*
 * Benchmark: power-on to the first guest instruction.  The runtime's entry (head.S) reads
 * the TSC before anything else; QEMU starts the TSC at 0 at reset, so under -icount it is
 * the number of instructions from reset (firmware, loader, monitor boot, domain build) to
 * that first instruction of the guest.
 */
#include "bench.h"
#include "guest/test.h"

TEST_NAME("bench_boot");

int guest_main(void)
{
    TEST_ASSERT(guest_entry_tsc != 0);
    TEST_ASSERT(guest_entry_tsc < bench_rdtsc());
    bench_report("power_on_to_guest", guest_entry_tsc, 30000000, 308000000,
                 "power-on to the first guest instruction");
    test_finish();
}
