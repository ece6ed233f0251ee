/*
 * Benchmark: update_va_mapping with UVMF_INVLPG.  Each call remaps one page of our own
 * .bss, alternating between two frames, so every call replaces a present writable entry
 * with another: the new frame takes its references, the old one gives them back.  The
 * timed function makes two calls (there and back); the figure is half its cost.
 */
#include "bench.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("bench_update_va_mapping");

static uint8_t window[4096] PAGE_ALIGNED;
static pte_t pte_own, pte_other;
static volatile int bad;

/* Two calls, there and back, with their arguments as a guest would pass them. */
static void remap_twice(void *arg)
{
    int rc = HYPERVISOR_update_va_mapping((uintptr_t)window, pte_other, UVMF_INVLPG);

    (void)arg;
    bad |= rc | HYPERVISOR_update_va_mapping((uintptr_t)window, pte_own, UVMF_INVLPG);
}

int guest_main(void)
{
    unsigned long pfn = frame_alloc();
    uint64_t n;

    if (!pfn) {
        test_error("no free frame");
    }
    pte_own = pte_make(va_to_mfn(window), PTE_KERNEL_RW);
    pte_other = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    n = bench_per_call(remap_twice, NULL, BENCH_ITERS, BENCH_REPS);
    TEST_EQ(bad, 0);
    /* The window maps its own frame again, and works. */
    TEST_EQ(*pte_lookup((uintptr_t)window), pte_own);
    window[0] = 0x5a;
    TEST_EQ(*(volatile uint8_t *)window, 0x5a);
    bench_report("update_va_mapping", (n + 1) / 2, 250, 666, "update_va_mapping with UVMF_INVLPG");
    test_finish();
}
