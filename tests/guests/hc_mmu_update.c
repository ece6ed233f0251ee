/* Test guest: HYPERVISOR_mmu_update — L1, L2 and L3 updates, preserve-A/D, machphys, refusals,
 * batches. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_mmu_update");

#define NOT_OURS_MFN 1UL     /* a machine frame the monitor never gives a domain */
#define L2_FLAGS     0x67ULL /* P|RW|US|A|D, as the builder writes them */
#define SPARE_L2_IDX 10      /* unused entries of the (empty) L2 under L3 slot 0 */
#define OTHER_L2_IDX 11
#define L1_IDX       3
#define MONITOR_L2   0x1AC /* first slot-3 L2 entry that is the monitor's */

/* The page whose mapping the test changes: one page of our own .bss. */
static uint8_t window[4096] PAGE_ALIGNED;
static pte_t window_pte;

static const volatile pte_t *l3(void)
{
    return (const volatile pte_t *)start_info->pt_base;
}

static const void *l3_va(void)
{
    return (const void *)start_info->pt_base;
}

static uint64_t frame_maddr(unsigned long mfn)
{
    return (uint64_t)mfn << PAGE_SHIFT;
}

/* Machine address of the L1 entry mapping va, and of entry idx of the L2 under L3 slot. */
static uint64_t pte_maddr(uintptr_t va)
{
    return va_to_maddr((const void *)pte_lookup(va));
}

static uint64_t l2e_maddr(unsigned int slot, unsigned int idx)
{
    return frame_maddr(pte_mfn(l3()[slot])) + idx * sizeof(pte_t);
}

static int mmu1(uint64_t ptr, pte_t val)
{
    mmu_update_t u = {.ptr = ptr, .val = val};
    unsigned int done = 0xdead;
    int rc = HYPERVISOR_mmu_update(&u, 1, &done, DOMID_SELF);

    TEST_EQ(done, rc ? 0 : 1);
    return rc;
}

static void flush_va(uintptr_t va)
{
    struct mmuext_op op = {.cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = va};

    TEST_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
}

static unsigned long alloc_pfn(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    return pfn;
}

/*
 * A free frame holding one entry e at idx (0 for none), then mapped read-only so that it
 * may become a page table.
 */
static unsigned long table_frame(unsigned int idx, pte_t e)
{
    unsigned long pfn = alloc_pfn();
    pte_t *t = pfn_to_va(pfn);

    memset(t, 0, PAGE_SIZE);
    t[idx] = e;
    TEST_EQ(page_set_readonly((uintptr_t)t), 0);
    return pfn;
}

/* Maps a frame writable again: succeeds only when nothing holds it as a page table. */
static int make_writable(unsigned long pfn)
{
    return map_page((uintptr_t)pfn_to_va(pfn), pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW));
}

static uint32_t read_result;

static void read_word(void *va)
{
    read_result = *(volatile uint32_t *)va;
}

/* The word at va, or 0xFFFFFFFF when reading it faults. */
static uint32_t try_read(uintptr_t va)
{
    struct guest_regs r;

    return trap_catch(read_word, (void *)va, &r) ? 0xFFFFFFFFu : read_result;
}

static void restore_window(void)
{
    TEST_EQ(mmu1(pte_maddr((uintptr_t)window), window_pte), 0);
    flush_va((uintptr_t)window);
}

static void test_l1_update(unsigned long pfn)
{
    volatile uint32_t *direct = pfn_to_va(pfn);
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);

    direct[0] = 0x1234abcd;
    TEST_EQ(mmu1(pte_maddr((uintptr_t)window) | MMU_NORMAL_PT_UPDATE, pte), 0);
    TEST_EQ(*pte_lookup((uintptr_t)window), pte);
    flush_va((uintptr_t)window);
    TEST_EQ(*(volatile uint32_t *)window, 0x1234abcd);
    *(volatile uint32_t *)window = 0x600d;
    TEST_EQ(direct[0], 0x600d);
    restore_window();
    TEST_EQ(*(volatile uint32_t *)window, 0);
}

/* The CPU's accessed and dirty bits survive a preserve-A/D update and not a normal one. */
static void test_preserve_ad(unsigned long pfn)
{
    const volatile pte_t *p = pte_lookup((uintptr_t)window);
    uint64_t at = pte_maddr((uintptr_t)window);
    pte_t bare = pte_make(pfn_to_mfn(pfn), _PAGE_PRESENT | _PAGE_RW);

    TEST_EQ(mmu1(at, bare), 0);
    flush_va((uintptr_t)window);
    *(volatile uint32_t *)window = 5;
    TEST_EQ(*p, bare | _PAGE_ACCESSED | _PAGE_DIRTY);
    TEST_EQ(mmu1(at | MMU_PT_UPDATE_PRESERVE_AD, bare), 0);
    TEST_EQ(*p, bare | _PAGE_ACCESSED | _PAGE_DIRTY);
    TEST_EQ(mmu1(at | MMU_NORMAL_PT_UPDATE, bare), 0);
    TEST_EQ(*p, bare);
    restore_window();
}

static void test_machphys(unsigned long pfn)
{
    unsigned long mfn = pfn_to_mfn(pfn);

    TEST_EQ(mmu1(frame_maddr(mfn) | MMU_MACHPHYS_UPDATE, 5), 0);
    TEST_EQ(machine_to_phys_mapping[mfn], 5);
    TEST_EQ(mmu1((frame_maddr(mfn) + 0x808) | MMU_MACHPHYS_UPDATE, pfn), 0);
    TEST_EQ(machine_to_phys_mapping[mfn], pfn);
    TEST_EQ(mmu1(frame_maddr(NOT_OURS_MFN) | MMU_MACHPHYS_UPDATE, 5), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(mfn) | MMU_MACHPHYS_UPDATE, 0x7FFFFFFF), -XEN_EINVAL);
    TEST_EQ(machine_to_phys_mapping[mfn], pfn);
}

/* L1 entries that must be refused; the window keeps its mapping. */
static void test_l1_refusals(void)
{
    uint64_t at = pte_maddr((uintptr_t)window);
    unsigned long l3_mfn = va_to_mfn(l3_va());

    TEST_EQ(mmu1(at, pte_make(NOT_OURS_MFN, PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mmu1(at, pte_make(l3_mfn, PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mmu1(at, pte_make(pte_mfn(l3()[3]), PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(mmu1(at, window_pte | _PAGE_PSE), -XEN_EINVAL); /* PAT bit: not a guest flag */
    TEST_EQ(mmu1(at + 4, window_pte), -XEN_EINVAL);         /* not an entry's address */
    /* Entries of frames that are not page tables in use. */
    TEST_EQ(mmu1(va_to_maddr(window), window_pte), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(NOT_OURS_MFN), 0), -XEN_EINVAL);
    TEST_EQ(*pte_lookup((uintptr_t)window), window_pte);
}

/* L2 entries that must be refused, each without leaving a reference behind. */
static void test_l2_refusals(unsigned long data_pfn)
{
    uint64_t at = l2e_maddr(0, SPARE_L2_IDX);
    unsigned long bad = table_frame(7, pte_make(NOT_OURS_MFN, PTE_KERNEL_RW));

    TEST_EQ(mmu1(at, pte_make(pfn_to_mfn(data_pfn), L2_FLAGS | _PAGE_PSE)), -XEN_EINVAL);
    TEST_EQ(mmu1(at, pte_make(pfn_to_mfn(data_pfn), L2_FLAGS)), -XEN_EINVAL); /* mapped RW */
    TEST_EQ(mmu1(at, pte_make(va_to_mfn(l3_va()), L2_FLAGS)), -XEN_EINVAL);   /* an L3 */
    TEST_EQ(mmu1(at, pte_make(pte_mfn(l3()[0]), L2_FLAGS)), -XEN_EINVAL);     /* itself */
    TEST_EQ(mmu1(at, pte_make(pte_mfn(l3()[3]), L2_FLAGS)), -XEN_EINVAL);     /* slot-3 L2 */
    /* A would-be L1 mapping a frame that is not ours: it does not validate. */
    TEST_EQ(mmu1(at, pte_make(pfn_to_mfn(bad), L2_FLAGS)), -XEN_EINVAL);
    TEST_EQ(make_writable(bad), 0);
    frame_free(bad);
    /* The monitor's part of the slot-3 L2. */
    TEST_EQ(mmu1(l2e_maddr(3, MONITOR_L2), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e_maddr(3, 511), 0), -XEN_EINVAL);
}

static void test_l3_refusals(void)
{
    uint64_t l3_ma = va_to_maddr(l3_va());

    TEST_EQ(mmu1(l3_ma + 3 * sizeof(pte_t), l3()[3]), -XEN_EINVAL); /* slot 3 */
    TEST_EQ(mmu1(l3_ma + 3 * sizeof(pte_t), 0), -XEN_EINVAL);
    TEST_EQ(mmu1(l3_ma, pte_make(va_to_mfn(l3_va()), L2_FLAGS)), -XEN_EINVAL); /* itself */
    TEST_EQ(mmu1(l3_ma, l3()[0] | _PAGE_PSE), -XEN_EINVAL);
    TEST_EQ(mmu1(l3_ma + 4 * sizeof(pte_t), 0), -XEN_EINVAL); /* past the four slots */
}

/*
 * A fresh L1 under the empty L2 of slot 0, then a fresh L2 in L3 slot 0 holding it at
 * another index: the live L3 changes, so the monitor must reload the PDPT.
 */
static void test_new_tables(unsigned long data_pfn)
{
    unsigned long l1 = table_frame(0, 0);
    unsigned long l2 = table_frame(OTHER_L2_IDX, pte_make(pfn_to_mfn(l1), L2_FLAGS));
    uint64_t l3_ma = va_to_maddr(l3_va());
    pte_t old_l3e = l3()[0];
    uintptr_t va_a = ((uintptr_t)SPARE_L2_IDX << 21) | (L1_IDX << PAGE_SHIFT);
    uintptr_t va_b = ((uintptr_t)OTHER_L2_IDX << 21) | (L1_IDX << PAGE_SHIFT);

    *(volatile uint32_t *)pfn_to_va(data_pfn) = 0xfeedf00d;
    TEST_EQ(mmu1(frame_maddr(pfn_to_mfn(l1)), 0), -XEN_EINVAL); /* not a table yet */
    TEST_EQ(mmu1(l2e_maddr(0, SPARE_L2_IDX), pte_make(pfn_to_mfn(l1), L2_FLAGS)), 0);
    TEST_EQ(make_writable(l1), -XEN_EINVAL);
    TEST_EQ(mmu1(frame_maddr(pfn_to_mfn(l1)) + L1_IDX * 8,
                 pte_make(pfn_to_mfn(data_pfn), PTE_KERNEL_RW)),
            0);
    flush_va(va_a);
    TEST_EQ(try_read(va_a), 0xfeedf00d);
    /* The new L2 (written while still plain memory) points at the same L1. */
    TEST_EQ(mmu1(l3_ma, (old_l3e & 0xFFF) | frame_maddr(pfn_to_mfn(l2))), 0);
    TEST_EQ(try_read(va_b), 0xfeedf00d);
    TEST_EQ(try_read(va_a), 0xFFFFFFFF);
    TEST_EQ(make_writable(l2), -XEN_EINVAL);
    /* Back: both fresh tables lose their type and can be plain memory again. */
    TEST_EQ(mmu1(l3_ma, old_l3e), 0);
    TEST_EQ(try_read(va_a), 0xfeedf00d);
    TEST_EQ(mmu1(l2e_maddr(0, SPARE_L2_IDX), 0), 0);
    TEST_EQ(try_read(va_a), 0xFFFFFFFF);
    TEST_EQ(make_writable(l2), 0);
    TEST_EQ(make_writable(l1), 0);
    frame_free(l1);
    frame_free(l2);
}

/* A batch stops at its first failure and reports how many were done. */
static void test_batch(unsigned long pfn)
{
    uint64_t at = pte_maddr((uintptr_t)window);
    pte_t other = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    mmu_update_t reqs[3] = {
        {.ptr = at, .val = other},
        {.ptr = at, .val = pte_make(NOT_OURS_MFN, PTE_KERNEL_RW)},
        {.ptr = at, .val = window_pte},
    };
    unsigned int done = 0xdead;

    TEST_EQ(HYPERVISOR_mmu_update(reqs, 3, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(done, 1);
    TEST_EQ(*pte_lookup((uintptr_t)window), other);
    TEST_EQ(HYPERVISOR_mmu_update(&reqs[2], 1, NULL, DOMID_SELF), 0);
    TEST_EQ(*pte_lookup((uintptr_t)window), window_pte);
    flush_va((uintptr_t)window);
}

/* Batches longer than what the monitor copies in at a time, crossing page boundaries. */
static mmu_update_t long_list[512] PAGE_ALIGNED; /* two pages */

static void test_long_batch(unsigned long pfn)
{
    uint64_t at = pte_maddr((uintptr_t)window);
    pte_t other = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    unsigned int done = 0xdead;

    for (unsigned int i = 0; i < 100; i++) {
        long_list[200 + i] = (mmu_update_t){.ptr = at, .val = i % 2 ? window_pte : other};
    }
    long_list[298].val = other;
    TEST_EQ(HYPERVISOR_mmu_update(&long_list[200], 99, &done, DOMID_SELF), 0);
    TEST_EQ(done, 99);
    TEST_EQ(*pte_lookup((uintptr_t)window), other);
    /* A failure deep in the batch: what came before it is done, nothing after. */
    long_list[240].val = pte_make(NOT_OURS_MFN, PTE_KERNEL_RW);
    TEST_EQ(HYPERVISOR_mmu_update(&long_list[200], 100, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(done, 40);
    TEST_EQ(*pte_lookup((uintptr_t)window), window_pte); /* request 239 */
    long_list[240].val = other;
}

/* The list runs into a page that is not mapped: done counts every readable request. */
static void test_batch_into_unmapped_page(void)
{
    uintptr_t second = (uintptr_t)&long_list[256];
    pte_t second_pte = *pte_lookup(second);
    uint64_t at = pte_maddr((uintptr_t)window);
    unsigned int done = 0xdead;

    for (unsigned int i = 216; i < 256; i++) {
        long_list[i] = (mmu_update_t){.ptr = at, .val = window_pte};
    }
    TEST_EQ(unmap_page(second), 0);
    TEST_EQ(HYPERVISOR_mmu_update(&long_list[216], 45, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(done, 40);
    TEST_EQ(map_page(second, second_pte), 0);
    TEST_EQ(*pte_lookup((uintptr_t)window), window_pte);
}

/*
 * Within one batch, a table stops being one: an L1 unhooked by an earlier request of the
 * same batch can no longer be written; hooked again, it can.
 */
static void test_table_changes_within_batch(unsigned long data_pfn)
{
    unsigned long l1 = table_frame(0, 0);
    uint64_t l1e = frame_maddr(pfn_to_mfn(l1)) + L1_IDX * 8;
    uint64_t l2e = l2e_maddr(0, SPARE_L2_IDX);
    pte_t data = pte_make(pfn_to_mfn(data_pfn), PTE_KERNEL_RW);
    mmu_update_t reqs[] = {
        {.ptr = l2e, .val = pte_make(pfn_to_mfn(l1), L2_FLAGS)},
        {.ptr = l1e, .val = data},
        {.ptr = l2e, .val = 0},
        {.ptr = l1e + 8, .val = data},
    };
    unsigned int done = 0xdead;

    TEST_EQ(HYPERVISOR_mmu_update(reqs, 4, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(done, 3);
    TEST_EQ(make_writable(l1), 0); /* no longer a table: its entries gave their refs back */
    TEST_EQ(page_set_readonly((uintptr_t)pfn_to_va(l1)), 0);
    reqs[2] = reqs[0];
    TEST_EQ(HYPERVISOR_mmu_update(&reqs[2], 2, &done, DOMID_SELF), 0);
    TEST_EQ(done, 2);
    TEST_EQ(make_writable(l1), -XEN_EINVAL);
    TEST_EQ(mmu1(l2e, 0), 0);
    TEST_EQ(make_writable(l1), 0);
    frame_free(l1);
}

static void test_bad_arguments(void)
{
    mmu_update_t req = {.ptr = pte_maddr((uintptr_t)window), .val = 0};
    unsigned int done = 0xdead;

    TEST_EQ(HYPERVISOR_mmu_update(&req, 0, &done, DOMID_SELF), 0);
    TEST_EQ(done, 0);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 0x7FFFFFFF, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 0xFFFFFFFF, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 4097, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_mmu_update(NULL, 1, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update((void *)MACH2PHYS_VIRT_START, 1, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update((void *)(MACH2PHYS_VIRT_START - 8), 1, &done, DOMID_SELF),
            -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 1, (void *)0xFF000000, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 1, &done, 0), -XEN_EPERM);
    TEST_EQ(HYPERVISOR_mmu_update(&req, 1, &done, DOMID_IO), -XEN_EPERM);
    /* None of them touched the window's entry. */
    TEST_EQ(*pte_lookup((uintptr_t)window), window_pte);
}

int guest_main(void)
{
    unsigned long pfn = alloc_pfn();

    window_pte = *pte_lookup((uintptr_t)window);
    test_l1_update(pfn);
    test_preserve_ad(pfn);
    test_machphys(pfn);
    test_l1_refusals();
    test_l2_refusals(pfn);
    test_l3_refusals();
    test_new_tables(pfn);
    test_batch(pfn);
    test_long_batch(pfn);
    test_batch_into_unmapped_page();
    test_table_changes_within_batch(pfn);
    test_bad_arguments();
    test_finish();
}
