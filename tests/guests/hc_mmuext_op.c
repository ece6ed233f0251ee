/* Test guest: HYPERVISOR_mmuext_op — pin/unpin, new_baseptr, flushes, set_ldt, copy/clear_page,
 * refusals. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_mmuext_op");

#define NOT_OURS_MFN 1UL /* a machine frame the monitor never gives a domain */
#define MONITOR_L2   0x1AC

static uint8_t window[4096] PAGE_ALIGNED;

static const volatile pte_t *l3(void)
{
    return (const volatile pte_t *)start_info->pt_base;
}

static unsigned long l3_mfn(void)
{
    return va_to_mfn((const void *)start_info->pt_base);
}

static int ext(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = {.cmd = cmd};
    unsigned int done = 0xdead;
    int rc;

    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    TEST_EQ(done, rc ? 0 : 1);
    return rc;
}

static unsigned long alloc_pfn(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    return pfn;
}

static int make_writable(unsigned long pfn)
{
    return map_page((uintptr_t)pfn_to_va(pfn), pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW));
}

static void test_pin_unpin(void)
{
    unsigned long pfn = alloc_pfn(), mfn = pfn_to_mfn(pfn);

    memset(pfn_to_va(pfn), 0, PAGE_SIZE);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, mfn, 0), -XEN_EINVAL); /* still mapped writable */
    TEST_EQ(page_set_readonly((uintptr_t)pfn_to_va(pfn)), 0);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, mfn, 0), 0);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, mfn, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L2_TABLE, mfn, 0), -XEN_EINVAL);
    TEST_EQ(make_writable(pfn), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, mfn, 0), -XEN_EINVAL);
    TEST_EQ(make_writable(pfn), 0);
    /* An empty frame also validates as an L2, not as an L3 (slot 3 must hold the slot-3 L2). */
    TEST_EQ(page_set_readonly((uintptr_t)pfn_to_va(pfn)), 0);
    TEST_EQ(ext(MMUEXT_PIN_L2_TABLE, mfn, 0), 0);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, mfn, 0), -XEN_EINVAL);
    TEST_EQ(make_writable(pfn), 0);
    frame_free(pfn);
}

static void test_pin_refusals(void)
{
    unsigned long slot0_l2 = pte_mfn(l3()[0]), slot3_l2 = pte_mfn(l3()[3]);

    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, 0xFFFFFFF, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L4_TABLE, l3_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, l3_mfn(), 0), -XEN_EINVAL); /* the builder pinned it */
    TEST_EQ(ext(MMUEXT_PIN_L2_TABLE, slot3_l2, 0), -XEN_EINVAL); /* the dedicated slot-3 L2 */
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, slot0_l2, 0), -XEN_EINVAL); /* an L2 in use */
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, slot0_l2, 0), -XEN_EINVAL);  /* in use, not pinned */
    /* An L2 in use may be pinned as what it is. */
    TEST_EQ(ext(MMUEXT_PIN_L2_TABLE, slot0_l2, 0), 0);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, slot0_l2, 0), 0);
}

/*
 * A read-only frame holding a copy of the first n entries of table src (the rest zero):
 * a new L3, or a new slot-3 L2 without the monitor's entries.
 */
static unsigned long copy_table(const volatile pte_t *src, unsigned int n)
{
    unsigned long pfn = alloc_pfn();
    pte_t *t = pfn_to_va(pfn);

    memset(t, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < n; i++) {
        t[i] = src[i];
    }
    TEST_EQ(page_set_readonly((uintptr_t)t), 0);
    return pfn;
}

static uint32_t cr3_value;

static void read_cr3(void *arg)
{
    (void)arg;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3_value));
}

static uint32_t cr3_fold(unsigned long mfn)
{
    return (uint32_t)((mfn << 12) | (mfn >> 20));
}

/* CR3 names L3 mfn in the extended-CR3 fold (the monitor emulates reading it). */
static void check_cr3(unsigned long mfn)
{
    struct guest_regs r;

    TEST_ASSERT(!trap_catch(read_cr3, NULL, &r));
    TEST_EQ(cr3_value, cr3_fold(mfn));
}

static void write_cr3(void *val)
{
    __asm__ volatile("mov %0, %%cr3" ::"r"((uint32_t)(uintptr_t)val) : "memory");
}

/*
 * A fresh L3 of our own (slots 0-2 shared, slot 3 a fresh copy of the slot-3 L2, as Xen
 * wants the slot-3 L2 unshared), run on it, then back to the builder's.
 */
static void test_new_baseptr(void)
{
    const volatile pte_t *slot3 = pfn_to_va(mfn_to_pfn(pte_mfn(l3()[3])));
    unsigned long l2 = copy_table(slot3, MONITOR_L2), l3new, l3new_mfn;
    struct guest_regs r;
    pte_t *t;

    l3new = alloc_pfn();
    l3new_mfn = pfn_to_mfn(l3new);
    t = pfn_to_va(l3new);
    memset(t, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < 3; i++) {
        t[i] = l3()[i];
    }
    t[3] = pte_make(pfn_to_mfn(l2), l3()[3] & 0xFFF);
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, l3new_mfn, 0), -XEN_EINVAL); /* mapped writable */
    TEST_EQ(page_set_readonly((uintptr_t)t), 0);
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, pfn_to_mfn(l2), 0), -XEN_EINVAL); /* not an L3 */
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, NOT_OURS_MFN, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, l3new_mfn, 0), 0);
    check_cr3(l3new_mfn);
    window[0] = 0x42; /* still running, through the new slot-3 L2 */
    TEST_EQ(window[0], 0x42);
    /* In use as the base: pinning and unpinning it does not demote it. */
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, l3new_mfn, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, l3new_mfn, 0), 0);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, l3new_mfn, 0), 0);
    TEST_EQ(make_writable(l3new), -XEN_EINVAL);
    TEST_EQ(make_writable(l2), -XEN_EINVAL);
    /* The builder's L3 is still pinned while not in use. */
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, l3_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, l3_mfn(), 0), 0);
    check_cr3(l3_mfn());
    TEST_EQ(window[0], 0x42);
    /* A CR3 load is the same operation; a frame that is not an L3 is a #GP. */
    TEST_ASSERT(!trap_catch(write_cr3, (void *)(uintptr_t)cr3_fold(l3new_mfn), &r));
    check_cr3(l3new_mfn);
    TEST_ASSERT(trap_catch(write_cr3, (void *)(uintptr_t)cr3_fold(pfn_to_mfn(l2)), &r));
    TEST_EQ(r.vector, 13);
    check_cr3(l3new_mfn);
    TEST_ASSERT(!trap_catch(write_cr3, (void *)(uintptr_t)cr3_fold(l3_mfn()), &r));
    check_cr3(l3_mfn());
    /* Nothing holds the fresh tables any more. */
    TEST_EQ(make_writable(l3new), 0);
    TEST_EQ(make_writable(l2), 0);
    TEST_EQ(((volatile pte_t *)pfn_to_va(l2))[MONITOR_L2], 0);
    frame_free(l3new);
    frame_free(l2);
}

static void test_flushes(void)
{
    unsigned long pfn = alloc_pfn();
    uint32_t mask = 1;
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_MULTI};

    window[0] = 0x42;
    *(volatile uint32_t *)pfn_to_va(pfn) = 0xabcd;
    TEST_EQ(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    TEST_EQ(ext(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    TEST_EQ(ext(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&mask), 0);
    TEST_EQ(ext(MMUEXT_INVLPG_MULTI, (unsigned long)window, (unsigned long)&mask), 0);
    TEST_EQ(ext(MMUEXT_TLB_FLUSH_MULTI, 0, 0xFF000000), -XEN_EFAULT);
    TEST_EQ(ext(MMUEXT_INVLPG_ALL, (unsigned long)window, 0), 0);
    TEST_EQ(ext(MMUEXT_INVLPG_LOCAL, MACH2PHYS_VIRT_START, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_INVLPG_ALL, 0xFFFFF000, 0), -XEN_EINVAL);
    /* A mapping changed without a flush, then INVLPG: the new one is seen. */
    (void)*(volatile uint32_t *)window;
    TEST_EQ(HYPERVISOR_update_va_mapping((unsigned long)window,
                                         pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW), 0),
            0);
    TEST_EQ(ext(MMUEXT_INVLPG_LOCAL, (unsigned long)window, 0), 0);
    TEST_EQ(*(volatile uint32_t *)window, 0xabcd);
    TEST_EQ(HYPERVISOR_update_va_mapping((unsigned long)window,
                                         pte_make(va_to_mfn(window), PTE_KERNEL_RW), 0),
            0);
    TEST_EQ(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    TEST_EQ(*(volatile uint32_t *)window, 0x42);
    op.arg2.vcpumask.p = &mask;
    TEST_EQ(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
    frame_free(pfn);
}

static int set_ldt(uintptr_t base, unsigned int ents)
{
    struct mmuext_op op = {.cmd = MMUEXT_SET_LDT};

    op.arg1.linear_addr = base;
    op.arg2.nr_ents = ents;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* A flat data descriptor: base, limit in pages (G = 1), DPL. */
static uint64_t data_desc(uint32_t base, uint32_t pages, unsigned int dpl)
{
    uint32_t limit = pages - 1;

    return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) |
           ((uint64_t)(0x92 | (dpl << 5)) << 40) | ((uint64_t)((limit >> 16) & 0xF) << 48) |
           (0xCull << 52) | ((uint64_t)(base >> 24) << 56);
}

/* Reads the dword at off through LDT selector sel loaded into %fs. */
static uint32_t read_through(uint16_t sel, uint32_t off)
{
    uint32_t v;

    __asm__ volatile("mov %1, %%fs\n\tmovl %%fs:(%2), %0\n\tmov %3, %%fs"
                     : "=&r"(v) : "r"((uint32_t)sel), "r"(off), "r"(0u) : "memory");
    return v;
}

static void load_fs(void *sel)
{
    __asm__ volatile("mov %0, %%fs\n\tmov %1, %%fs" ::"r"((uint32_t)(uintptr_t)sel), "r"(0u));
}

static void test_set_ldt(void)
{
    unsigned long pfn = alloc_pfn();
    uint64_t *ldt = pfn_to_va(pfn);
    static volatile uint32_t target = 0x1d7da7a;
    struct guest_regs caught;
    const uint16_t sel0 = 0x0 | 4 | 3, sel1 = (1 << 3) | 4 | 3;

    /* Refusals: alignment, size, the monitor, a page mapped writable, a bad descriptor. */
    TEST_EQ(set_ldt(0, 0), 0);
    TEST_EQ(set_ldt((uintptr_t)window + 8, 1), -XEN_EINVAL);
    TEST_EQ(set_ldt((uintptr_t)window, 8193), -XEN_EINVAL);
    TEST_EQ(set_ldt(MACH2PHYS_VIRT_START - PAGE_SIZE, 1024), -XEN_EINVAL);
    TEST_EQ(set_ldt(MACH2PHYS_VIRT_START, 1), -XEN_EINVAL);
    memset(ldt, 0, PAGE_SIZE);
    ldt[0] = data_desc(0, 0xF6800, 3);
    ldt[1] = data_desc((uint32_t)(uintptr_t)&target & ~0xFFFu, 1, 3);
    TEST_EQ(set_ldt((uintptr_t)ldt, 2), -XEN_EINVAL); /* still mapped writable */
    TEST_EQ(page_set_readonly((uintptr_t)ldt), 0);
    TEST_EQ(set_ldt((uintptr_t)ldt, 3), 0);
    TEST_EQ(read_through(sel1, (uint32_t)(uintptr_t)&target & 0xFFF), 0x1d7da7a);
    TEST_EQ(read_through(sel0, (uint32_t)(uintptr_t)&target), 0x1d7da7a);
    /* While it is the LDT the page cannot become writable again. */
    TEST_EQ(make_writable(pfn), -XEN_EINVAL);
    /* Descriptors change only through update_descriptor, which checks them. */
    TEST_EQ(HYPERVISOR_update_descriptor(va_to_maddr(&ldt[2]), data_desc(0xF7000000u, 0x10, 3)),
            -XEN_EINVAL);
    target = 0x5e1f;
    TEST_EQ(HYPERVISOR_update_descriptor(va_to_maddr(&ldt[2]), data_desc(0, 0xF6800, 1)), 0);
    TEST_EQ(read_through((2 << 3) | 4 | 1, (uint32_t)(uintptr_t)&target), 0x5e1f);
    /* Past the LDT's limit: a fault the guest takes. */
    TEST_ASSERT(trap_catch(load_fs, (void *)(uintptr_t)((5 << 3) | 4 | 3), &caught));
    TEST_EQ(caught.vector, 13);
    /* A page that does not validate as descriptors is refused whole. */
    TEST_EQ(set_ldt(0, 0), 0);
    TEST_ASSERT(trap_catch(load_fs, (void *)(uintptr_t)sel1, &caught));
    TEST_EQ(make_writable(pfn), 0);
    ldt[3] = data_desc(0xF7000000u, 0x10, 3);
    TEST_EQ(page_set_readonly((uintptr_t)ldt), 0);
    TEST_EQ(set_ldt((uintptr_t)ldt, 4), -XEN_EINVAL);
    TEST_EQ(make_writable(pfn), 0);
    ldt[3] = 0;
    TEST_EQ(page_set_readonly((uintptr_t)ldt), 0);
    TEST_EQ(set_ldt((uintptr_t)ldt, 4), 0);
    /* Left in place: destroying the domain must release it (the harness checks frames). */
}

static void test_copy_clear(void)
{
    unsigned long src = alloc_pfn(), dst = alloc_pfn();
    uint32_t *s = pfn_to_va(src), *d = pfn_to_va(dst);

    for (unsigned int i = 0; i < PAGE_SIZE / 4; i++) {
        s[i] = i * 0x01010101u + 7;
        d[i] = 0;
    }
    TEST_EQ(ext(MMUEXT_COPY_PAGE, pfn_to_mfn(dst), pfn_to_mfn(src)), 0);
    TEST_EQ(memcmp(s, d, PAGE_SIZE), 0);
    TEST_EQ(ext(MMUEXT_CLEAR_PAGE, pfn_to_mfn(src), 0), 0);
    TEST_EQ(s[0], 0);
    TEST_EQ(s[PAGE_SIZE / 4 - 1], 0);
    TEST_EQ(d[PAGE_SIZE / 4 - 1], (PAGE_SIZE / 4 - 1) * 0x01010101u + 7);
    /* A page table cannot be written; a frame not ours neither read nor written. */
    TEST_EQ(ext(MMUEXT_CLEAR_PAGE, l3_mfn(), 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_COPY_PAGE, pte_mfn(l3()[0]), pfn_to_mfn(src)), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_COPY_PAGE, pfn_to_mfn(dst), NOT_OURS_MFN), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_COPY_PAGE, NOT_OURS_MFN, pfn_to_mfn(src)), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_CLEAR_PAGE, NOT_OURS_MFN, 0), -XEN_EINVAL);
    /* The shared-info page is the monitor's to write: not through these operations. */
    TEST_EQ(ext(MMUEXT_CLEAR_PAGE, start_info->shared_info >> PAGE_SHIFT, 0), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, start_info->shared_info >> PAGE_SHIFT, 0), -XEN_EINVAL);
    TEST_EQ(d[5], 5 * 0x01010101u + 7);
    /* Reading a page table is fine. */
    TEST_EQ(ext(MMUEXT_COPY_PAGE, pfn_to_mfn(dst), l3_mfn()), 0);
    TEST_EQ(((pte_t *)d)[3], l3()[3]);
    frame_free(src);
    frame_free(dst);
}

static void test_unknown_and_batches(void)
{
    struct mmuext_op ops[3] = {
        {.cmd = MMUEXT_TLB_FLUSH_LOCAL},
        {.cmd = 99},
        {.cmd = MMUEXT_TLB_FLUSH_LOCAL},
    };
    unsigned int done = 0xdead;

    TEST_EQ(ext(99, 0, 0), -XEN_ENOSYS);
    TEST_EQ(ext(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 3, &done, DOMID_SELF), -XEN_ENOSYS);
    TEST_EQ(done, 1);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 0, &done, DOMID_SELF), 0);
    TEST_EQ(done, 0);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 0x7FFFFFFF, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 4097, &done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_mmuext_op(NULL, 1, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmuext_op((void *)0xFF000000, 1, &done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 1, (void *)MACH2PHYS_VIRT_START, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_mmuext_op(ops, 1, &done, 0), -XEN_EPERM);
}

int guest_main(void)
{
    test_pin_unpin();
    test_pin_refusals();
    test_new_baseptr();
    test_flushes();
    test_set_ldt();
    test_copy_clear();
    test_unknown_and_batches();
    test_finish();
}
