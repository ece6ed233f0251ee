/*
 * Benchmark: update_va_mapping with UVMF_INVLPG.  Each call remaps one page of our own
 * .bss, alternating between two frames, so every call replaces a present writable entry
 * with another: the new frame takes its references, the old one gives them back.
 */
#include "bench.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("bench_update_va_mapping");

static uint8_t window[4096] PAGE_ALIGNED;

struct remap {
    pte_t pte[2];
    unsigned int next;
    int bad;
};

static void remap(void *arg)
{
    struct remap *s = arg;

    s->next ^= 1;
    s->bad |= HYPERVISOR_update_va_mapping((uintptr_t)window, s->pte[s->next], UVMF_INVLPG);
}

int guest_main(void)
{
    unsigned long pfn = frame_alloc();
    struct remap s = {
        .pte = {pte_make(va_to_mfn(window), PTE_KERNEL_RW),
                pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW)},
    };
    uint64_t n;

    if (!pfn) {
        test_error("no free frame");
    }
    n = bench_per_call(remap, &s, BENCH_ITERS, BENCH_REPS);
    TEST_EQ(s.bad, 0);
    /* The window maps its own frame again, and works. */
    TEST_EQ(map_page((uintptr_t)window, s.pte[0]), 0);
    window[0] = 0x5a;
    TEST_EQ(*(volatile uint8_t *)window, 0x5a);
    bench_report("update_va_mapping", n, 250, 666, "update_va_mapping with UVMF_INVLPG");
    test_finish();
}
