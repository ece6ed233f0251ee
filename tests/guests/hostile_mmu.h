/*
 * Helpers of the hostile MMU guests (hostile_mmu_*.c): the start-of-day tables, one-request
 * wrappers of mmu_update and mmuext_op, and scratch frames that can become page tables.
 */
#ifndef TESTS_GUESTS_HOSTILE_MMU_H
#define TESTS_GUESTS_HOSTILE_MMU_H

#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

#define UPPER_FLAGS 0x67ULL      /* P|RW|US|A|D: what the builder puts in L2 and L3 entries */
#define MONITOR_L2  0x1AC        /* the first slot-3 L2 entry that is the monitor's */
#define MONITOR_VA  0xFF000000UL /* the monitor's image */
#define SPARE_L2    20           /* an entry of the (empty) L2 under L3 slot 0 */

/* The builder's L3 (start_info.pt_base) and the L2 it holds in slot s. */
static inline const volatile pte_t *boot_l3(void)
{
    return (const volatile pte_t *)start_info->pt_base;
}

static inline unsigned long boot_l3_mfn(void)
{
    return va_to_mfn((const void *)start_info->pt_base);
}

static inline unsigned long boot_l2_mfn(unsigned int slot)
{
    return pte_mfn(boot_l3()[slot]);
}

static inline const volatile pte_t *boot_l2(unsigned int slot)
{
    return pfn_to_va(mfn_to_pfn(boot_l2_mfn(slot)));
}

static inline uint64_t frame_maddr(unsigned long mfn)
{
    return (uint64_t)mfn << PAGE_SHIFT;
}

static inline uint64_t l2e_maddr(unsigned int slot, unsigned int idx)
{
    return frame_maddr(boot_l2_mfn(slot)) + idx * sizeof(pte_t);
}

static inline uint64_t l3e_maddr(unsigned int slot)
{
    return frame_maddr(boot_l3_mfn()) + slot * sizeof(pte_t);
}

/* Machine address of the L1 entry that maps va (inside the start-of-day mapping). */
static inline uint64_t pte_maddr(uintptr_t va)
{
    return va_to_maddr((const void *)pte_lookup(va));
}

/* An entry without the accessed and dirty bits, which the CPU sets as it goes. */
static inline pte_t pte_bare(pte_t e)
{
    return e & ~(pte_t)(_PAGE_ACCESSED | _PAGE_DIRTY);
}

/* The L1 entry of va (inside the start-of-day mapping), without accessed and dirty. */
static inline pte_t mapping_of(uintptr_t va)
{
    return pte_bare(*pte_lookup(va));
}

/* One mmu_update request; done must say 1 on success and 0 on failure. */
static inline int mmu1(uint64_t ptr, pte_t val)
{
    mmu_update_t u = {.ptr = ptr, .val = val};
    unsigned int done = 0xdead;
    int rc = HYPERVISOR_mmu_update(&u, 1, &done, DOMID_SELF);

    TEST_CHECK(done == (rc ? 0u : 1u), "mmu_update %#llx := %#llx: rc %d but done %u",
               (unsigned long long)ptr, (unsigned long long)val, rc, done);
    return rc;
}

/* One mmuext operation (arg2 is src_mfn, nr_ents or the vCPU mask, by command). */
static inline int ext1(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = {.cmd = cmd};
    unsigned int done = 0xdead;
    int rc;

    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    TEST_CHECK(done == (rc ? 0u : 1u), "mmuext_op %u (%#lx, %#lx): rc %d but done %u", cmd, arg1,
               arg2, rc, done);
    return rc;
}

static uint32_t hostile_read_result;

static inline void hostile_read_word(void *va)
{
    hostile_read_result = *(volatile uint32_t *)va;
}

/* Reads the word at va into *out; false (and *out untouched) when reading faults. */
static inline bool try_read(uintptr_t va, uint32_t *out)
{
    struct guest_regs r;

    if (trap_catch(hostile_read_word, (void *)va, &r)) {
        return false;
    }
    *out = hostile_read_result;
    return true;
}

/* A free frame inside the start-of-day mapping (so that it has an L1 entry), zeroed. */
static inline unsigned long scratch_pfn(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    memset(pfn_to_va(pfn), 0, PAGE_SIZE);
    return pfn;
}

static inline int make_writable(unsigned long pfn)
{
    return map_page((uintptr_t)pfn_to_va(pfn), pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW));
}

static inline int make_readonly(unsigned long pfn)
{
    return page_set_readonly((uintptr_t)pfn_to_va(pfn));
}

/* A zeroed scratch frame holding entry e at idx, mapped read-only: ready to be a table. */
static inline unsigned long table_frame(unsigned int idx, pte_t e)
{
    unsigned long pfn = scratch_pfn();

    ((pte_t *)pfn_to_va(pfn))[idx] = e;
    TEST_EQ(make_readonly(pfn), 0);
    return pfn;
}

/*
 * Gives a scratch frame back.  Mapping it writable again succeeds only when nothing holds
 * it as a page table any more: a refusal here means a reference was left behind.
 */
static inline void release_frame(unsigned long pfn)
{
    TEST_CHECK(make_writable(pfn) == 0, "pfn %#lx is still typed (a reference was left)", pfn);
    frame_free(pfn);
}

/*
 * A read-only frame holding the first n entries of table src, the rest zero: a new L3
 * (n = 4) or a new slot-3 L2 (n = MONITOR_L2: the guest's part only).
 */
static inline unsigned long copy_table(const volatile pte_t *src, unsigned int n)
{
    unsigned long pfn = scratch_pfn();
    pte_t *t = pfn_to_va(pfn);

    for (unsigned int i = 0; i < n; i++) {
        t[i] = src[i];
    }
    TEST_EQ(make_readonly(pfn), 0);
    return pfn;
}

/*
 * An L3 of our own that can become a base: slots 0-2 as the builder's, slot 3 a fresh
 * copy of the builder's slot-3 L2 (a slot-3 L2 is never shared).  *l2 receives that copy.
 */
static inline unsigned long new_l3(unsigned long *l2)
{
    unsigned long s3 = copy_table(boot_l2(3), MONITOR_L2);
    unsigned long pfn = scratch_pfn();
    pte_t *t = pfn_to_va(pfn);

    for (unsigned int i = 0; i < 3; i++) {
        t[i] = boot_l3()[i];
    }
    t[3] = pte_make(pfn_to_mfn(s3), boot_l3()[3] & 0xFFF);
    TEST_EQ(make_readonly(pfn), 0);
    *l2 = s3;
    return pfn;
}

#endif
