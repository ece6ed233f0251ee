/*
 * Hostile test guest: the arguments of mmu_update, mmuext_op and multicall.  Huge counts
 * (some chosen so that count * size wraps in 32 bits), counts just over the batch limits,
 * array pointers that are null, in the monitor, straddling 0xF5800000 or running into an
 * unmapped page, done pointers that cannot be written, foreign domain ids, vCPU masks
 * that cannot be read, and multicalls mixing pins, page-table updates and mappings with
 * failures in the middle and a list that makes itself read-only.
 */
#include "hostile_mmu.h"

TEST_NAME("hostile_mmu_args");

#define NOT_OURS_MFN 1UL
#define UNMAPPED_VA  0x10000000UL /* under L3 slot 0: nothing maps it */
#define MMU_MAX      4096         /* the documented batch limit */
#define MC_MAX       256

static uint8_t probe[4096] PAGE_ALIGNED;   /* the page whose mapping the requests change */
static uint8_t two[2][4096] PAGE_ALIGNED;  /* the second page is unmapped in some tests */
static uint8_t ro_page[4096] PAGE_ALIGNED; /* read-only in some tests */
static uint8_t mc_page[4096] PAGE_ALIGNED; /* a multicall list alone in its page */
static uint8_t big[MMU_MAX * sizeof(mmu_update_t)] PAGE_ALIGNED;
static uint64_t probe_ma;
static pte_t probe_pte, alt_pte; /* the probe's own mapping, and one to another frame */

static bool probe_is(pte_t pte)
{
    return mapping_of((uintptr_t)probe) == pte_bare(pte);
}

static void probe_reset(void)
{
    TEST_EQ(map_page((uintptr_t)probe, probe_pte), 0);
}

/* The second page of two[] unmapped: a mapped page followed by a hole. */
static void hole_open(void)
{
    TEST_EQ(unmap_page((uintptr_t)two[1]), 0);
}

static void hole_close(void)
{
    TEST_EQ(map_page((uintptr_t)two[1], pte_make(va_to_mfn(two[1]), PTE_KERNEL_RW)), 0);
}

/* mmu_update and mmuext_op with every argument raw (foreigndom is not cut to 16 bits). */
static long raw_mmu(unsigned long reqs, unsigned long count, unsigned long done, unsigned long dom)
{
    return hypercall_int82(__HYPERVISOR_mmu_update, reqs, count, done, dom, 0);
}

static long raw_ext(unsigned long ops, unsigned long count, unsigned long done, unsigned long dom)
{
    return hypercall_int82(__HYPERVISOR_mmuext_op, ops, count, done, dom, 0);
}

/* ------------------------------------------------------------ counts --------------- */

static void test_counts(void)
{
    mmu_update_t *reqs = (mmu_update_t *)big;
    struct mmuext_op *ops = (struct mmuext_op *)big;
    static const unsigned long huge[] = {0xFFFFFFFF, 0x80000000, 0x80000001,
                                         0x10000000 /* x 16 = 4 GiB */, 0x0FFFFFFF};
    unsigned int done = 0xdead;

    for (unsigned int i = 0; i < MMU_MAX; i++) {
        reqs[i] = (mmu_update_t){.ptr = probe_ma, .val = alt_pte};
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(huge); i++) {
        TEST_CHECK(raw_mmu((uintptr_t)reqs, huge[i], (uintptr_t)&done, DOMID_SELF) == -XEN_EFAULT,
                   "mmu_update count %#lx", huge[i]);
    }
    TEST_EQ(raw_mmu((uintptr_t)reqs, MMU_MAX + 1, (uintptr_t)&done, DOMID_SELF), -XEN_EINVAL);
    TEST_ASSERT(probe_is(probe_pte)); /* none of them did anything */
    TEST_EQ(raw_mmu((uintptr_t)reqs, MMU_MAX, (uintptr_t)&done, DOMID_SELF), 0);
    TEST_EQ(done, MMU_MAX);
    TEST_ASSERT(probe_is(alt_pte));
    probe_reset();
    /* 12-byte operations: 0x15555556 of them are 4 GiB + 8 bytes. */
    for (unsigned int i = 0; i < MMU_MAX; i++) {
        ops[i] = (struct mmuext_op){.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    }
    TEST_EQ(raw_ext((uintptr_t)ops, 0x15555556, (uintptr_t)&done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(raw_ext((uintptr_t)ops, 0xFFFFFFFF, (uintptr_t)&done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(raw_ext((uintptr_t)ops, MMU_MAX + 1, (uintptr_t)&done, DOMID_SELF), -XEN_EINVAL);
    TEST_EQ(raw_ext((uintptr_t)ops, MMU_MAX, (uintptr_t)&done, DOMID_SELF), 0);
    TEST_EQ(done, MMU_MAX);
}

/* ------------------------------------------------------------ array pointers ------- */

/* Array addresses that must give -EFAULT before any request runs. */
static void check_bad_arrays(bool ext)
{
    static const unsigned long bad[] = {0,          MACH2PHYS_VIRT_START,     MONITOR_VA,
                                        0xFFFFFFF0, MACH2PHYS_VIRT_START - 8, UNMAPPED_VA};

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        unsigned int done = 0xdead;
        long rc = ext ? raw_ext(bad[i], 1, (uintptr_t)&done, DOMID_SELF)
                      : raw_mmu(bad[i], 1, (uintptr_t)&done, DOMID_SELF);

        TEST_CHECK(rc == -XEN_EFAULT, "%s array at %#lx gave %ld", ext ? "mmuext" : "mmu", bad[i],
                   rc);
    }
    TEST_EQ(ext ? raw_ext(0, 0, 0, DOMID_SELF) : raw_mmu(0, 0, 0, DOMID_SELF), 0);
    TEST_EQ(ext ? raw_ext(MACH2PHYS_VIRT_START - 12, 2, 0, DOMID_SELF)
                : raw_mmu(MACH2PHYS_VIRT_START - 16, 2, 0, DOMID_SELF),
            -XEN_EFAULT);
}

/*
 * Two requests at the end of a mapped page, two more in the unmapped page after it: the
 * first two run, the third cannot be read; done says 2.  An element that itself straddles
 * the hole is not run at all.
 */
static void test_array_into_hole(void)
{
    mmu_update_t *reqs = (mmu_update_t *)(two[1]) - 2;
    struct mmuext_op *ops = (struct mmuext_op *)(two[1]) - 2;
    unsigned int done = 0xdead;

    reqs[0] = reqs[1] = (mmu_update_t){.ptr = probe_ma, .val = alt_pte};
    hole_open();
    TEST_EQ(raw_mmu((uintptr_t)reqs, 4, (uintptr_t)&done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(done, 2);
    TEST_ASSERT(probe_is(alt_pte));
    probe_reset();
    TEST_EQ(raw_mmu((uintptr_t)two[1] - 8, 1, (uintptr_t)&done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(done, 0);
    hole_close();
    ops[0] = ops[1] = (struct mmuext_op){.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    hole_open();
    TEST_EQ(raw_ext((uintptr_t)ops, 3, (uintptr_t)&done, DOMID_SELF), -XEN_EFAULT);
    TEST_EQ(done, 2);
    hole_close();
}

/* ------------------------------------------------------------ done pointers -------- */

/*
 * done in the monitor or straddling it: refused before the work.  done on a read-only
 * page, a page table or an unmapped page: the work is done and the result is -EFAULT.
 */
static void test_done_pointers(void)
{
    mmu_update_t req = {.ptr = probe_ma, .val = alt_pte};
    static const unsigned long monitor[] = {MACH2PHYS_VIRT_START, MONITOR_VA,
                                            MACH2PHYS_VIRT_START - 2, 0xFFFFFFFE};
    const unsigned long unwritable[] = {(uintptr_t)ro_page, (uintptr_t)pte_lookup((uintptr_t)probe),
                                        (uintptr_t)two[1]};

    for (unsigned int i = 0; i < ARRAY_SIZE(monitor); i++) {
        TEST_CHECK(raw_mmu((uintptr_t)&req, 1, monitor[i], DOMID_SELF) == -XEN_EFAULT,
                   "done at %#lx", monitor[i]);
        TEST_CHECK(probe_is(probe_pte), "done at %#lx: the request ran", monitor[i]);
    }
    TEST_EQ(page_set_readonly((uintptr_t)ro_page), 0);
    hole_open();
    for (unsigned int i = 0; i < ARRAY_SIZE(unwritable); i++) {
        TEST_CHECK(raw_mmu((uintptr_t)&req, 1, unwritable[i], DOMID_SELF) == -XEN_EFAULT,
                   "done at %#lx", unwritable[i]);
        TEST_CHECK(probe_is(alt_pte), "done at %#lx: the request did not run", unwritable[i]);
        probe_reset();
    }
    hole_close();
    TEST_EQ(map_page((uintptr_t)ro_page, pte_make(va_to_mfn(ro_page), PTE_KERNEL_RW)), 0);
    /* done over the request itself: written after the request was copied in. */
    TEST_EQ(raw_mmu((uintptr_t)&req, 1, (uintptr_t)&req.ptr, DOMID_SELF), 0);
    TEST_EQ(req.ptr, 1);
    TEST_ASSERT(probe_is(alt_pte));
    probe_reset();
}

/* ------------------------------------------------------------ foreign ids ---------- */

static void test_foreigndom(void)
{
    mmu_update_t req = {.ptr = probe_ma, .val = alt_pte};
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    static const unsigned long doms[] = {0,
                                         1,
                                         2,
                                         3,
                                         DOMID_IO,
                                         DOMID_XEN,
                                         0x7FF3,
                                         DOMID_INVALID,
                                         0xFFFF,
                                         0x10000 | DOMID_SELF,
                                         (2ul << 16) | 1,
                                         0xFFFFFFFF};

    for (unsigned int i = 0; i < ARRAY_SIZE(doms); i++) {
        TEST_CHECK(raw_mmu((uintptr_t)&req, 1, 0, doms[i]) == -XEN_EPERM, "mmu_update dom %#lx",
                   doms[i]);
        TEST_CHECK(raw_ext((uintptr_t)&op, 1, 0, doms[i]) == -XEN_EPERM, "mmuext_op dom %#lx",
                   doms[i]);
    }
    TEST_ASSERT(probe_is(probe_pte));
}

/* ------------------------------------------------------------ vCPU masks ----------- */

static void test_vcpu_masks(void)
{
    const unsigned long bad[] = {0,           MACH2PHYS_VIRT_START,
                                 MONITOR_VA,  MACH2PHYS_VIRT_START - 2,
                                 UNMAPPED_VA, (uintptr_t)two[1]};

    hole_open();
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        TEST_CHECK(ext1(MMUEXT_TLB_FLUSH_MULTI, 0, bad[i]) == -XEN_EFAULT, "flush mask %#lx",
                   bad[i]);
        TEST_CHECK(ext1(MMUEXT_INVLPG_MULTI, (uintptr_t)probe, bad[i]) == -XEN_EFAULT,
                   "invlpg mask %#lx", bad[i]);
    }
    hole_close();
}

/* ------------------------------------------------------------ multicall ------------ */

static void set_uvm(multicall_entry_t *e, uintptr_t va, pte_t pte)
{
    *e = (multicall_entry_t){.op = __HYPERVISOR_update_va_mapping,
                             .args = {va, (uint32_t)pte, (uint32_t)(pte >> 32), UVMF_INVLPG}};
}

static void test_multicall_lists(void)
{
    multicall_entry_t *calls = (multicall_entry_t *)mc_page;
    multicall_entry_t *edge = (multicall_entry_t *)(two[1]) - 2;
    static const unsigned long big_nr[] = {MC_MAX + 1, 0x08000000 /* x 32 = 4 GiB */, 0x80000000,
                                           0xFFFFFFFF};
    static const unsigned long bad[] = {0, MACH2PHYS_VIRT_START, MONITOR_VA,
                                        MACH2PHYS_VIRT_START - 16, UNMAPPED_VA};

    set_uvm(&calls[0], (uintptr_t)probe, alt_pte);
    calls[0].result = 0x5A5A;
    for (unsigned int i = 0; i < ARRAY_SIZE(big_nr); i++) {
        TEST_CHECK(hypercall_int82(__HYPERVISOR_multicall, (uintptr_t)calls, big_nr[i], 0, 0, 0) ==
                       -XEN_EINVAL,
                   "multicall nr %#lx", big_nr[i]);
    }
    TEST_EQ(calls[0].result, 0x5A5A);
    TEST_ASSERT(probe_is(probe_pte));
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        TEST_CHECK(hypercall_int82(__HYPERVISOR_multicall, bad[i], 1, 0, 0, 0) == -XEN_EFAULT,
                   "multicall list at %#lx", bad[i]);
    }
    /* Two entries before the hole run and keep their results; the third cannot be read. */
    set_uvm(&edge[0], (uintptr_t)probe, alt_pte);
    edge[1] =
        (multicall_entry_t){.op = __HYPERVISOR_mmuext_op, .args = {MONITOR_VA, 1, 0, DOMID_SELF}};
    hole_open();
    TEST_EQ(HYPERVISOR_multicall(edge, 4), -XEN_EFAULT);
    hole_close();
    TEST_EQ(edge[0].result, 0);
    TEST_EQ((long)edge[1].result, -XEN_EFAULT);
    TEST_ASSERT(probe_is(alt_pte));
    probe_reset();
}

/*
 * The first entry makes the list's own page read-only: its result cannot be stored, the
 * batch ends with -EFAULT and the second entry never runs.
 */
static void test_multicall_self_readonly(void)
{
    multicall_entry_t *calls = (multicall_entry_t *)mc_page;
    pte_t home = pte_make(va_to_mfn(mc_page), PTE_KERNEL_RW);

    set_uvm(&calls[0], (uintptr_t)mc_page, home & ~_PAGE_RW);
    set_uvm(&calls[1], (uintptr_t)probe, alt_pte);
    TEST_EQ(HYPERVISOR_multicall(calls, 2), -XEN_EFAULT);
    TEST_EQ(mapping_of((uintptr_t)mc_page), pte_bare(home & ~_PAGE_RW));
    TEST_ASSERT(probe_is(probe_pte));
    TEST_EQ(map_page((uintptr_t)mc_page, home), 0);
}

static void set_ext(multicall_entry_t *e, struct mmuext_op *op, unsigned int cmd, unsigned long mfn)
{
    *op = (struct mmuext_op){.cmd = cmd};
    op->arg1.mfn = mfn;
    *e = (multicall_entry_t){.op = __HYPERVISOR_mmuext_op,
                             .args = {(uintptr_t)op, 1, 0, DOMID_SELF}};
}

static void set_mmu(multicall_entry_t *e, mmu_update_t *req, uint64_t ptr, pte_t val)
{
    *req = (mmu_update_t){.ptr = ptr, .val = val};
    *e = (multicall_entry_t){.op = __HYPERVISOR_mmu_update,
                             .args = {(uintptr_t)req, 1, 0, DOMID_SELF}};
}

/*
 * Pins, page-table updates and mappings in one multicall, failures in the middle: each
 * entry gets its own result, the later ones see what the earlier ones did, and at the
 * end everything is as it was.
 */
static void test_multicall_mixed(void)
{
    static multicall_entry_t c[14];
    static struct mmuext_op op[4];
    static mmu_update_t req[3];
    unsigned long t = table_frame(0, 0), tm = pfn_to_mfn(t);
    pte_t t_rw = pte_make(tm, PTE_KERNEL_RW);
    uint64_t spare = l2e_maddr(0, SPARE_L2);
    static const long want[] = {0,           0, -XEN_EINVAL, -XEN_EINVAL, 0,
                                -XEN_EFAULT, 0, -XEN_EINVAL, 0,           0,
                                -XEN_ENOSYS, 0, -XEN_EFAULT, -XEN_EINVAL};

    set_ext(&c[0], &op[0], MMUEXT_PIN_L1_TABLE, tm);
    set_uvm(&c[1], (uintptr_t)probe, alt_pte);
    set_ext(&c[2], &op[1], MMUEXT_PIN_L1_TABLE, NOT_OURS_MFN);
    set_uvm(&c[3], (uintptr_t)probe, t_rw); /* a pinned L1, writable */
    set_mmu(&c[4], &req[0], spare, pte_make(tm, UPPER_FLAGS));
    c[5] =
        (multicall_entry_t){.op = __HYPERVISOR_mmu_update, .args = {MONITOR_VA, 1, 0, DOMID_SELF}};
    set_ext(&c[6], &op[2], MMUEXT_UNPIN_TABLE, tm);
    set_uvm(&c[7], (uintptr_t)probe, t_rw); /* still an L1 in use under the L2 entry */
    set_mmu(&c[8], &req[1], spare, 0);
    set_uvm(&c[9], (uintptr_t)probe, t_rw); /* plain memory now */
    c[10] = (multicall_entry_t){.op = 0xFFFFFFFF};
    set_uvm(&c[11], (uintptr_t)probe, probe_pte);
    c[12] = (multicall_entry_t){.op = __HYPERVISOR_mmuext_op,
                                .args = {(uintptr_t)op, 0xFFFFFFFF, 0, DOMID_SELF}};
    c[13] = (multicall_entry_t){.op = __HYPERVISOR_multicall, .args = {(uintptr_t)c, 1}};
    TEST_EQ(HYPERVISOR_multicall(c, ARRAY_SIZE(c)), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
        TEST_CHECK((long)c[i].result == want[i], "entry %u gave %ld, not %ld", i, (long)c[i].result,
                   want[i]);
    }
    TEST_ASSERT(probe_is(probe_pte));
    TEST_EQ(boot_l2(0)[SPARE_L2], 0);
    release_frame(t);
}

/* The same pin 256 times in one batch, then the same unpin: one of each succeeds. */
static void test_multicall_repeats(void)
{
    static multicall_entry_t c[MC_MAX];
    static struct mmuext_op op[2];
    unsigned long t = table_frame(0, 0);
    unsigned int ok = 0;

    for (int pass = 0; pass < 2; pass++) {
        set_ext(&c[0], &op[pass], pass ? MMUEXT_UNPIN_TABLE : MMUEXT_PIN_L1_TABLE, pfn_to_mfn(t));
        for (unsigned int i = 1; i < MC_MAX; i++) {
            c[i] = c[0];
        }
        TEST_EQ(HYPERVISOR_multicall(c, MC_MAX), 0);
        for (unsigned int i = 0; i < MC_MAX; i++) {
            ok += c[i].result == 0;
            TEST_CHECK(c[i].result == 0 || (long)c[i].result == -XEN_EINVAL, "entry %u: %ld", i,
                       (long)c[i].result);
        }
        TEST_EQ(c[0].result, 0);
    }
    TEST_EQ(ok, 2);
    release_frame(t);
}

int guest_main(void)
{
    unsigned long alt = scratch_pfn();

    probe_ma = pte_maddr((uintptr_t)probe);
    probe_pte = *pte_lookup((uintptr_t)probe);
    alt_pte = pte_make(pfn_to_mfn(alt), PTE_KERNEL_RW);
    test_counts();
    check_bad_arrays(false);
    check_bad_arrays(true);
    test_array_into_hole();
    test_done_pointers();
    test_foreigndom();
    test_vcpu_masks();
    test_multicall_lists();
    test_multicall_self_readonly();
    test_multicall_mixed();
    test_multicall_repeats();
    TEST_ASSERT(probe_is(probe_pte));
    test_finish();
}
