/*
 * Test guest: the well-behaved neighbour of the hostile MMU guests.  It keeps a pattern in
 * frames of its own and an L1 of its own pinned and in use, yields often so that the
 * attacker runs between its turns, and checks at every turn that its memory, its page
 * tables and its own page-table updates are as it left them.
 */
#include "hostile_mmu.h"

TEST_NAME("mmu_bystander");

#define PATTERN_PAGES 64
#define ROUNDS        1500 /* each yield may give the attacker up to one 10 ms slice */
#define L1_SLOT       3

static uint8_t window[4096] PAGE_ALIGNED;
static unsigned long pattern[PATTERN_PAGES];
static pte_t l3_before[4];

static uint32_t word(unsigned long pfn, unsigned int i)
{
    return (uint32_t)(pfn * 0x9E3779B1u) ^ (i * 0x01000193u);
}

static void fill(unsigned long pfn)
{
    uint32_t *p = pfn_to_va(pfn);

    for (unsigned int i = 0; i < PAGE_SIZE / 4; i++) {
        p[i] = word(pfn, i);
    }
}

/* The index of the first word that differs, or -1. */
static int differs(const volatile uint32_t *p, unsigned long pfn)
{
    for (unsigned int i = 0; i < PAGE_SIZE / 4; i++) {
        if (p[i] != word(pfn, i)) {
            return (int)i;
        }
    }
    return -1;
}

static uintptr_t hooked_va(void)
{
    return ((uintptr_t)SPARE_L2 << 21) | ((uintptr_t)L1_SLOT << PAGE_SHIFT);
}

/* One turn: a pattern page both directly and through the hooked L1, and the tables. */
static void check_turn(unsigned int round)
{
    unsigned long pfn = pattern[round % PATTERN_PAGES];
    int bad = differs(pfn_to_va(pfn), pfn);

    TEST_CHECK(bad < 0, "round %u: pfn %#lx changed at word %d", round, pfn, bad);
    for (unsigned int s = 0; s < 4; s++) {
        TEST_CHECK(boot_l3()[s] == l3_before[s], "round %u: L3 slot %u changed", round, s);
    }
    if (round % 16 == 0) {
        bad = differs((const volatile uint32_t *)hooked_va(), pattern[0]);
        TEST_CHECK(bad < 0, "round %u: the hooked L1's page differs at word %d", round, bad);
    }
}

/* Every 64 turns: our own updates still work (the window moves and comes back). */
static void remap_turn(unsigned int round)
{
    unsigned long pfn = pattern[(round / 64) % PATTERN_PAGES];
    pte_t home = *pte_lookup((uintptr_t)window);

    TEST_EQ(map_page((uintptr_t)window, pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW)), 0);
    TEST_EQ(differs((const volatile uint32_t *)window, pfn), -1);
    TEST_EQ(map_page((uintptr_t)window, home), 0);
}

int guest_main(void)
{
    unsigned long l1;

    for (unsigned int i = 0; i < PATTERN_PAGES; i++) {
        pattern[i] = scratch_pfn();
        fill(pattern[i]);
    }
    l1 = table_frame(L1_SLOT, pte_make(pfn_to_mfn(pattern[0]), _PAGE_PRESENT | _PAGE_ACCESSED));
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(l1), 0), 0);
    TEST_EQ(mmu1(l2e_maddr(0, SPARE_L2), pte_make(pfn_to_mfn(l1), UPPER_FLAGS)), 0);
    for (unsigned int s = 0; s < 4; s++) {
        l3_before[s] = boot_l3()[s];
    }
    for (unsigned int round = 0; round < ROUNDS && !test_failures(); round++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        check_turn(round);
        if (round % 64 == 0) {
            remap_turn(round);
        }
    }
    for (unsigned int i = 0; i < PATTERN_PAGES; i++) {
        TEST_EQ(differs(pfn_to_va(pattern[i]), pattern[i]), -1);
    }
    TEST_EQ(mmu1(l2e_maddr(0, SPARE_L2), 0), 0);
    TEST_EQ(ext1(MMUEXT_UNPIN_TABLE, pfn_to_mfn(l1), 0), 0);
    release_frame(l1);
    test_finish();
}
