/*
 * Benchmark: mmu_update batches of L1 entries, in a spare L1 hooked into the empty L2
 * under L3 slot 0.  Three kinds of batch:
 *   - replace: all 512 present entries rewritten, alternating between two sets of 512
 *     frames mapped writable, so every request drops one frame's references (a writable
 *     type and a general reference) and takes another's;
 *   - fill: an empty L1 filled with read-only mappings of 512 frames (what a fork does to
 *     the child's tables), timed alone after an untimed clear;
 *   - clear: the 512 entries emptied again (an munmap), timed alone after an untimed fill.
 * A batch of one request gives each kind's constant; the per-entry cost is the slope
 * between the two.
 */
#include "bench.h"
#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("bench_mmu_update");

#define ENTRIES      512
#define SPARE_L2_IDX 10 /* an empty entry of the L2 under L3 slot 0 */
#define L2_FLAGS     (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

static mmu_update_t reqs[2][ENTRIES];

struct batch {
    unsigned int count, next;
    int bad;
};

static void run_batch(void *arg)
{
    struct batch *b = arg;
    unsigned int done = 0;

    b->next ^= 1;
    b->bad |= HYPERVISOR_mmu_update(reqs[b->next], b->count, &done, DOMID_SELF);
    b->bad |= done != b->count;
}

/* fill[] maps set 0's frames read-only; clear[] empties the same entries. */
static mmu_update_t fill[ENTRIES], clear[ENTRIES];

struct one_kind {
    mmu_update_t *reqs, *undo;
    unsigned int count;
    int bad;
};

static void batch_of(void *arg)
{
    struct one_kind *k = arg;

    k->bad |= HYPERVISOR_mmu_update(k->reqs, k->count, NULL, DOMID_SELF);
}

/* Untimed: the state the timed batch starts from (all 512 entries, as the other kind). */
static void undo(void *arg)
{
    struct one_kind *k = arg;

    k->bad |= HYPERVISOR_mmu_update(k->undo, ENTRIES, NULL, DOMID_SELF);
}

/* Per-entry cost and constant of one kind: its 512- and 1-request batches timed alone. */
static void measure_kind(mmu_update_t *batch, mmu_update_t *before, const char *key,
                         const char *what)
{
    struct one_kind k = {.reqs = batch, .undo = before, .count = ENTRIES};
    uint64_t full = bench_single_call(batch_of, undo, &k, BENCH_REPS), one;
    char name[40];

    k.count = 1;
    one = bench_single_call(batch_of, undo, &k, BENCH_REPS);
    TEST_EQ(k.bad, 0);
    snprintf(name, sizeof(name), "mmu_update_%s_entry", key);
    bench_report(name, full > one ? (full - one + (ENTRIES - 1) / 2) / (ENTRIES - 1) : 0, -1, -1,
                 what);
}

static unsigned long alloc_or_fail(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn) {
        test_error("not enough free frames");
    }
    return pfn;
}

static int mmu1(uint64_t ptr, pte_t val)
{
    mmu_update_t u = {.ptr = ptr, .val = val};

    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

/* A zeroed frame of the start-of-day region, read-only, made the L1 at SPARE_L2_IDX. */
static uint64_t hook_l1(unsigned long *pfn_out)
{
    unsigned long pfn = alloc_or_fail();
    const volatile pte_t *l3 = (const volatile pte_t *)start_info->pt_base;
    uint64_t l2e = ((uint64_t)pte_mfn(l3[0]) << PAGE_SHIFT) + SPARE_L2_IDX * sizeof(pte_t);

    if ((uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    memset(pfn_to_va(pfn), 0, PAGE_SIZE);
    TEST_EQ(page_set_readonly((uintptr_t)pfn_to_va(pfn)), 0);
    TEST_EQ(mmu1(l2e, pte_make(pfn_to_mfn(pfn), L2_FLAGS)), 0);
    *pfn_out = pfn;
    return l2e;
}

/*
 * The spare L1 holds what the batches wrote: entry 0 the last batch's, every other entry
 * one of the two sets; the page at entry 0 is usable.
 */
static void check_l1(const volatile pte_t *l1, unsigned int last)
{
    volatile uint32_t *page = (volatile uint32_t *)((uintptr_t)SPARE_L2_IDX << 21);
    unsigned int odd = 0;

    TEST_EQ(l1[0], reqs[last][0].val);
    for (unsigned int i = 1; i < ENTRIES; i++) {
        odd += l1[i] != reqs[0][i].val && l1[i] != reqs[1][i].val;
    }
    TEST_EQ(odd, 0);
    *page = 0x600df00d;
    TEST_EQ(*page, 0x600df00d);
}

int guest_main(void)
{
    unsigned long l1_pfn;
    uint64_t l2e = hook_l1(&l1_pfn), l1_ma = (uint64_t)pfn_to_mfn(l1_pfn) << PAGE_SHIFT;
    struct batch b = {.count = ENTRIES};
    uint64_t full, one, per_entry;

    for (unsigned int set = 0; set < 2; set++) {
        for (unsigned int i = 0; i < ENTRIES; i++) {
            reqs[set][i].ptr = (l1_ma + i * sizeof(pte_t)) | MMU_NORMAL_PT_UPDATE;
            reqs[set][i].val = pte_make(pfn_to_mfn(alloc_or_fail()), PTE_KERNEL_RW);
        }
    }
    for (unsigned int i = 0; i < ENTRIES; i++) {
        fill[i] = (mmu_update_t){.ptr = reqs[0][i].ptr, .val = reqs[0][i].val & ~_PAGE_RW};
        clear[i] = (mmu_update_t){.ptr = reqs[0][i].ptr, .val = 0};
    }
    measure_kind(fill, clear, "fill", "mmu_update: per entry filling an empty L1, read-only");
    measure_kind(clear, fill, "clear", "mmu_update: per entry clearing an L1");
    /* Untimed: every entry present, so that every timed request is a replacement. */
    run_batch(&b);
    full = bench_per_call(run_batch, &b, 4, BENCH_REPS);
    b.count = 1;
    one = bench_per_call(run_batch, &b, 4, BENCH_REPS);
    TEST_EQ(b.bad, 0);
    check_l1((const volatile pte_t *)pfn_to_va(l1_pfn), b.next);
    per_entry = full > one ? (full - one + (ENTRIES - 1) / 2) / (ENTRIES - 1) : 0;
    /* Unhooking drops the L1's type: its entries give their references back. */
    TEST_EQ(mmu1(l2e, 0), 0);
    TEST_EQ(map_page((uintptr_t)pfn_to_va(l1_pfn), pte_make(pfn_to_mfn(l1_pfn), PTE_KERNEL_RW)), 0);
    bench_report("mmu_update_512", full, -1, -1,
                 "mmu_update: one batch replacing 512 writable L1 entries");
    bench_report("mmu_update_entry", per_entry, 40, -1,
                 "mmu_update: per entry replacing writable L1 entries");
    bench_report("mmu_update_base", one > per_entry ? one - per_entry : 0, -1, -1,
                 "mmu_update: constant per batch");
    test_finish();
}
