/*
 * Test guest: HYPERVISOR_memory_op — every sub-op, its successes and refusals: growing to
 * maxmem exactly, giving back and taking again, extent orders, the M2P as the guest sees
 * it, frames arriving zeroed.  Run with memory=16 maxmem=22 on the module line and the
 * same values as expect_memory= and expect_maxmem= on the guest's own command line.
 */
#include "guest/hypercall.h"
#include "guest/memory.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("hc_memory_op");

#define M2P_NONE      (~0UL)            /* an M2P entry naming no pfn */
#define PER_CALL      1024UL            /* the monitor's budget of frames per call */
#define MAX_ORDER     9                 /* the largest extent the monitor takes */
#define MAX_EXTENTS   ((1UL << 26) - 1) /* what the start-extent field of cmd can count */
#define MONITOR_START MACH2PHYS_VIRT_START

static unsigned long nr_pages, max_pages, maxram;
static xen_pfn_t list[2048];
static xen_pfn_t m2p_list[4096];
static uint8_t window[PAGE_SIZE] PAGE_ALIGNED;
static uint8_t ro_page[PAGE_SIZE] PAGE_ALIGNED;

/* The value of "key<decimal>" on our command line. */
static unsigned long cmdline_value(const char *key)
{
    const char *p = strstr((const char *)start_info->cmd_line, key);
    unsigned long v = 0;

    if (!p) {
        test_error("run with expect_memory=<MiB> expect_maxmem=<MiB> on the command line");
    }
    for (p += strlen(key); *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return v;
}

static long current(void)
{
    return xenmem_current_reservation(DOMID_SELF);
}

/* Maps the window page onto frame mfn (0 or the monitor's refusal); unmap_window undoes. */
static int map_window(unsigned long mfn)
{
    return map_page((uintptr_t)window, pte_make(mfn, PTE_KERNEL_RW));
}

static void unmap_window(void)
{
    TEST_EQ(map_page((uintptr_t)window, pte_make(va_to_mfn(window), PTE_KERNEL_RW)), 0);
}

static bool frame_is_zero(unsigned long mfn)
{
    const volatile uint32_t *w = (const volatile uint32_t *)window;
    bool zero = true;

    if (map_window(mfn)) {
        return false;
    }
    for (unsigned int i = 0; i < PAGE_SIZE / 4 && zero; i++) {
        zero = w[i] == 0;
    }
    unmap_window();
    return zero;
}

static void fill_frame(unsigned long mfn, uint32_t value)
{
    if (TEST_EQ(map_window(mfn), 0)) {
        for (unsigned int i = 0; i < PAGE_SIZE / 4; i++) {
            ((volatile uint32_t *)window)[i] = value;
        }
        unmap_window();
    }
}

/* True when mfn is one of ours by the P2M the builder gave us. */
static bool in_p2m(unsigned long mfn)
{
    unsigned long pfn = mfn_to_pfn(mfn);

    return pfn < nr_pages && pfn_to_mfn(pfn) == mfn;
}

/* Runs a reservation call until all n extents are done or one call does none. */
static unsigned long all(unsigned int cmd, xen_pfn_t *l, unsigned long n, unsigned int order)
{
    unsigned long done = 0;

    while (done < n) {
        long rc = xenmem_reservation(cmd | (unsigned int)(done << MEMOP_EXTENT_SHIFT), l, n, order,
                                     0, DOMID_SELF);
        if (rc <= (long)done) {
            TEST_CHECK(0, "cmd %u stopped at %lu of %lu extents (rc %ld)", cmd, done, n, rc);
            break;
        }
        TEST_CHECK(((unsigned long)rc - done) << order <= PER_CALL, "%ld extents in one call", rc);
        done = (unsigned long)rc;
    }
    return done;
}

/* -------------------------------------------------------------- reservations ---- */

static void test_reservations(void)
{
    struct xen_memory_domain dom = {.domid = DOMID_SELF};
    unsigned int answered = 0;
    domid_t self = 0;

    TEST_EQ(nr_pages, cmdline_value("expect_memory=") * 256);
    TEST_EQ(current(), nr_pages);
    TEST_EQ(xenmem_maximum_reservation(DOMID_SELF), max_pages);
    /* Exactly one domain id besides DOMID_SELF answers: our own. */
    for (domid_t id = 0; id < 1024; id++) {
        long rc = xenmem_current_reservation(id);
        if (rc >= 0) {
            answered++;
            self = id;
            TEST_EQ(rc, nr_pages);
        } else {
            TEST_EQ(rc, -XEN_EPERM);
        }
    }
    TEST_EQ(answered, 1);
    TEST_EQ(xenmem_maximum_reservation(self), max_pages);
    TEST_EQ(xenmem_maximum_reservation((domid_t)(self + 1)), -XEN_EPERM);
    TEST_EQ(xenmem_current_reservation(DOMID_IO), -XEN_EPERM);
    TEST_EQ(xenmem_maximum_reservation(DOMID_XEN), -XEN_EPERM);
    TEST_EQ(xenmem_current_reservation(DOMID_INVALID), -XEN_EPERM);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, NULL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_maximum_reservation, (void *)MONITOR_START), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, (void *)(MONITOR_START - 1)),
            -XEN_EFAULT);
    /* Only the reservation calls take a start extent. */
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation | (1 << MEMOP_EXTENT_SHIFT), &dom),
            -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_current_reservation, &dom), nr_pages);
}

/* -------------------------------------------------------------- machine, M2P ----- */

static void test_machine_and_m2p(void)
{
    xen_machphys_mapping_t m = {0};
    unsigned int n = 0, n1 = 0;

    maxram = (unsigned long)xenmem_maximum_ram_page();
    TEST_CHECK(maxram > max_pages, "maximum_ram_page %lu", maxram);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | (1 << MEMOP_EXTENT_SHIFT), NULL),
            -XEN_EINVAL);
    TEST_EQ(xenmem_machphys_mapping(&m), 0);
    TEST_EQ(m.v_start, MACH2PHYS_VIRT_START);
    TEST_EQ(m.v_end, MACH2PHYS_VIRT_END);
    TEST_EQ(m.max_mfn, maxram - 1);
    TEST_CHECK(m.max_mfn < (m.v_end - m.v_start) / 4, "max_mfn %lx outside the window", m.max_mfn);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)MONITOR_START), -XEN_EFAULT);
    /* The M2P, read through our window, names every frame the builder gave us. */
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        unsigned long mfn = pfn_to_mfn(pfn);
        if (!TEST_CHECK(mfn < maxram && mfn_to_pfn(mfn) == pfn, "pfn %lx: mfn %lx, m2p %lx", pfn,
                        mfn, mfn < maxram ? mfn_to_pfn(mfn) : 0)) {
            break;
        }
    }
    (void)mfn_to_pfn(m.max_mfn); /* the last entry is mapped: no fault */

    /* The table's frames: one per 1024 entries, the monitor's, not ours to map. */
    TEST_EQ(xenmem_machphys_mfn_list(m2p_list, ARRAY_SIZE(m2p_list), &n), 0);
    TEST_EQ(n, (m.max_mfn + 1 + 1023) / 1024);
    for (unsigned int i = 0; i < n; i++) {
        TEST_CHECK(m2p_list[i] && m2p_list[i] < maxram && !in_p2m(m2p_list[i]), "M2P frame %u: %lx",
                   i, m2p_list[i]);
        for (unsigned int j = 0; j < i; j++) {
            TEST_CHECK(m2p_list[i] != m2p_list[j], "M2P frames %u and %u both %lx", j, i,
                       m2p_list[i]);
        }
    }
    TEST_EQ(map_window(m2p_list[0]), -XEN_EINVAL);
    TEST_EQ(map_page((uintptr_t)window, pte_make(m2p_list[0], _PAGE_PRESENT)), -XEN_EINVAL);
    list[0] = list[1] = 0x5a5a;
    TEST_EQ(xenmem_machphys_mfn_list(list, 1, &n1), 0);
    TEST_EQ(n1, 1);
    TEST_EQ(list[0], m2p_list[0]);
    TEST_EQ(list[1], 0x5a5a);
    TEST_EQ(xenmem_machphys_mfn_list(list, 0, &n1), 0);
    TEST_EQ(n1, 0);
    TEST_EQ(xenmem_machphys_mfn_list((xen_pfn_t *)MONITOR_START, 1, &n1), -XEN_EFAULT);
    TEST_EQ(xenmem_machphys_mfn_list((xen_pfn_t *)(MONITOR_START - 4), 2, &n1), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, NULL), -XEN_EFAULT);
}

/* -------------------------------------------------------------- memory map -------- */

static void test_memory_map(void)
{
    struct e820_entry e[3];
    unsigned int n = 3;

    memset(e, 0xee, sizeof(e));
    TEST_EQ(xenmem_memory_map(e, &n), 0);
    TEST_EQ(n, 1);
    TEST_EQ(e[0].addr, 0);
    TEST_EQ(e[0].size, (uint64_t)max_pages << PAGE_SHIFT);
    TEST_EQ(e[0].type, E820_RAM);
    TEST_EQ(e[1].type, 0xeeeeeeee); /* nothing past the entries it counted */
    memset(e, 0xee, sizeof(e));
    n = 0;
    TEST_EQ(xenmem_memory_map(e, &n), 0);
    TEST_EQ(n, 0);
    TEST_EQ(e[0].type, 0xeeeeeeee);
    n = 1;
    TEST_EQ(xenmem_memory_map(NULL, &n), -XEN_EFAULT);
    n = 1;
    TEST_EQ(xenmem_memory_map((struct e820_entry *)(MONITOR_START - 8), &n), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_memory_map, (void *)0xFFFFF000), -XEN_EFAULT);
}

/* -------------------------------------------------------------- the rest ----------- */

static void test_other_ops(void)
{
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = nr_pages - 1,
    };
    struct xen_memory_exchange ex = {0};
    unsigned long before = (unsigned long)current();

    /* A PV guest has no physmap: Xen answers -EACCES, for the shared-info page too. */
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EACCES);
    x.space = XENMAPSPACE_gmfn;
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_EACCES);
    x.space = XENMAPSPACE_gmfn_foreign;
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &x), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_add_to_physmap, NULL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_add_to_physmap | (1 << MEMOP_EXTENT_SHIFT), &x),
            -XEN_EINVAL);
    /* Not implemented: exchange; nor anything else. */
    ex.in.nr_extents = ex.out.nr_extents = 1;
    ex.in.domid = ex.out.domid = DOMID_SELF;
    set_xen_guest_handle(ex.in.extent_start, list);
    set_xen_guest_handle(ex.out.extent_start, list + 1);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_exchange, &ex), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &x.domid), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_memory_op(XENMEM_machine_memory_map, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_memory_op(63, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_memory_op(63 | (5 << MEMOP_EXTENT_SHIFT), NULL), -XEN_ENOSYS);
    TEST_EQ(current(), before);
}

/* -------------------------------------------------------------- grow, give back ---- */

/* Grows to maxmem exactly with increase_reservation, fails one past it, gives all back. */
static void test_increase_decrease(void)
{
    unsigned long want = max_pages - nr_pages, pfn = nr_pages;
    mmu_update_t u;

    TEST_EQ(all(XENMEM_increase_reservation, list, want, 0), want);
    TEST_EQ(current(), max_pages);
    TEST_EQ(xenmem_increase(list + want, 1, 0), 0);
    TEST_EQ(current(), max_pages);
    for (unsigned long i = 0; i < want; i++) {
        unsigned long j = 0;
        TEST_CHECK(list[i] < maxram && !in_p2m(list[i]) && mfn_to_pfn(list[i]) == M2P_NONE,
                   "new frame %lu: mfn %lx, m2p %lx", i, list[i], mfn_to_pfn(list[i]));
        TEST_CHECK(frame_is_zero(list[i]), "new frame %lx is not zeroed", list[i]);
        fill_frame(list[i], 0x5a5a5a5a); /* so the next owner can tell whether it is cleared */
        while (j < i && list[j] != list[i]) {
            j++;
        }
        TEST_CHECK(j == i, "frames %lu and %lu both %lx", j, i, list[i]);
    }
    /* A frame from increase_reservation takes a pfn below the maximum, not at it. */
    u.ptr = ((uint64_t)list[0] << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
    u.val = pfn;
    TEST_EQ(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), 0);
    TEST_EQ(mfn_to_pfn(list[0]), pfn);
    u.val = max_pages;
    TEST_EQ(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), -XEN_EINVAL);

    TEST_EQ(all(XENMEM_decrease_reservation, list, want, 0), want);
    TEST_EQ(current(), nr_pages);
    for (unsigned long i = 0; i < want; i++) {
        TEST_CHECK(mfn_to_pfn(list[i]) == M2P_NONE, "given back %lx: m2p %lx", list[i],
                   mfn_to_pfn(list[i]));
    }
    /* Gone: neither to give back again nor to map. */
    TEST_EQ(xenmem_decrease(list, 1, 0), 0);
    TEST_EQ(map_window(list[0]), -XEN_EINVAL);
    TEST_EQ(current(), nr_pages);
}

/* Takes the same room again with populate_physmap: M2P entries as asked, zeroed frames. */
static void test_populate(void)
{
    unsigned long want = max_pages - nr_pages;
    xen_pfn_t extra;

    for (unsigned long i = 0; i < want; i++) {
        list[i] = nr_pages + i;
    }
    TEST_EQ(all(XENMEM_populate_physmap, list, want, 0), want);
    TEST_EQ(current(), max_pages);
    for (unsigned long i = 0; i < want; i++) {
        TEST_CHECK(mfn_to_pfn(list[i]) == nr_pages + i, "pfn %lx: mfn %lx has m2p %lx",
                   nr_pages + i, list[i], mfn_to_pfn(list[i]));
        TEST_CHECK(frame_is_zero(list[i]), "populated frame %lx is not zeroed", list[i]);
    }
    extra = max_pages - 1;
    TEST_EQ(xenmem_populate(&extra, 1, 0), 0); /* at the maximum */
    TEST_EQ(extra, max_pages - 1);
    /* Give two back: pfns at or past the maximum still get nothing. */
    TEST_EQ(xenmem_decrease(list, 2, 0), 2);
    TEST_EQ(current(), max_pages - 2);
    for (unsigned int k = 0; k < 3; k++) {
        xen_pfn_t bad[] = {max_pages, 0xFFFFFFFF, max_pages - 1};
        extra = bad[k];
        TEST_EQ(xenmem_populate(&extra, 1, k == 2 ? 1 : 0), 0);
        TEST_EQ(extra, bad[k]);
    }
    extra = max_pages - 1;
    TEST_EQ(xenmem_populate(&extra, 1, 0), 1);
    TEST_EQ(mfn_to_pfn(extra), max_pages - 1);
    TEST_EQ(current(), max_pages - 1);
    TEST_EQ(xenmem_decrease(&extra, 1, 0), 1);
    TEST_EQ(all(XENMEM_decrease_reservation, list + 2, want - 2, 0), want - 2);
    TEST_EQ(current(), nr_pages);
}

/* -------------------------------------------------------------- orders ------------- */

static void test_orders(void)
{
    unsigned long room = max_pages - nr_pages, base;
    xen_pfn_t rest[511];

    TEST_EQ(xenmem_increase(list, 1, 1), 1);
    TEST_EQ(list[0] % 2, 0);
    TEST_EQ(current(), nr_pages + 2);
    TEST_CHECK(frame_is_zero(list[0]) && frame_is_zero(list[0] + 1), "order-1 extent not zeroed");
    TEST_EQ(xenmem_decrease(list, 1, 1), 1);
    TEST_EQ(current(), nr_pages);

    /* A 2 MiB extent, naturally aligned; its frames go back one by one, or not at all. */
    TEST_EQ(xenmem_increase(list, 1, MAX_ORDER), 1);
    base = list[0];
    TEST_EQ(base % 512, 0);
    TEST_EQ(current(), nr_pages + 512);
    TEST_CHECK(frame_is_zero(base) && frame_is_zero(base + 300) && frame_is_zero(base + 511),
               "order-9 extent at %lx not zeroed", base);
    list[0] = base + 5;
    TEST_EQ(xenmem_decrease(list, 1, 0), 1);
    list[0] = base;
    TEST_EQ(xenmem_decrease(list, 1, MAX_ORDER), 0); /* frame 5 is no longer ours */
    TEST_EQ(current(), nr_pages + 511);
    TEST_EQ(map_window(base + 4), 0); /* ... and the rest still is */
    unmap_window();
    for (unsigned int i = 0, k = 0; i < 512; i++) {
        if (i != 5) {
            rest[k++] = base + i;
        }
    }
    TEST_EQ(xenmem_decrease(rest, 511, 0), 511);
    TEST_EQ(current(), nr_pages);

    /* Three 2 MiB extents fill the room; one call does two (its budget), then resumes. */
    TEST_EQ(room, 3 * 512);
    TEST_EQ(xenmem_increase(list, 3, MAX_ORDER), 2);
    TEST_EQ(xenmem_reservation(XENMEM_increase_reservation | (2 << MEMOP_EXTENT_SHIFT), list, 3,
                               MAX_ORDER, 0, DOMID_SELF),
            3);
    TEST_EQ(current(), max_pages);
    TEST_EQ(xenmem_increase(list + 3, 1, 0), 0);
    TEST_EQ(xenmem_decrease(list, 3, MAX_ORDER), 2);
    TEST_EQ(xenmem_reservation(XENMEM_decrease_reservation | (2 << MEMOP_EXTENT_SHIFT), list, 3,
                               MAX_ORDER, 0, DOMID_SELF),
            3);
    TEST_EQ(current(), nr_pages);

    /* populate_physmap of a 2 MiB extent: one M2P entry per frame. */
    list[0] = nr_pages;
    TEST_EQ(xenmem_populate(list, 1, MAX_ORDER), 1);
    TEST_EQ(mfn_to_pfn(list[0]), nr_pages);
    TEST_EQ(mfn_to_pfn(list[0] + 511), nr_pages + 511);
    TEST_EQ(xenmem_decrease(list, 1, MAX_ORDER), 1);

    TEST_EQ(xenmem_increase(list, 1, MAX_ORDER + 1), -XEN_EINVAL);
    TEST_EQ(xenmem_populate(list, 1, 31), -XEN_EINVAL);
    TEST_EQ(xenmem_decrease(list, 1, 0xFFFFFFFF), -XEN_EINVAL);
    TEST_EQ(current(), nr_pages);
}

/* -------------------------------------------------------------- refusals ----------- */

static void test_flags(void)
{
    static const struct {
        unsigned int flags;
        long rc;
    } cases[] = {
        {XENMEMF_address_bits(32), 1},
        {XENMEMF_address_bits(40), 1},
        {XENMEMF_node(0), 1},
        {XENMEMF_exact_node(0), 1},
        {XENMEMF_address_bits(12), -XEN_EINVAL},
        {XENMEMF_address_bits(20), -XEN_EINVAL},
        {XENMEMF_node(1), -XEN_EINVAL},
        {XENMEMF_populate_on_demand, -XEN_EINVAL},
        {1u << 24, -XEN_EINVAL},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        long rc =
            xenmem_reservation(XENMEM_increase_reservation, list, 1, 0, cases[i].flags, DOMID_SELF);
        TEST_CHECK(rc == cases[i].rc, "mem_flags %#x: %ld, expected %ld", cases[i].flags, rc,
                   cases[i].rc);
        if (rc == 1) {
            TEST_CHECK(cases[i].flags != XENMEMF_address_bits(32) || list[0] < (1UL << 20),
                       "frame %lx above 4 GiB", list[0]);
            /* decrease_reservation does not look at mem_flags. */
            TEST_EQ(xenmem_reservation(XENMEM_decrease_reservation, list, 1, 0,
                                       XENMEMF_populate_on_demand, DOMID_SELF),
                    1);
        }
    }
    TEST_EQ(current(), nr_pages);
}

static void test_bad_requests(void)
{
    static const unsigned int ops[] = {XENMEM_increase_reservation, XENMEM_decrease_reservation,
                                       XENMEM_populate_physmap};
    static const domid_t others[] = {0, DOMID_IO, DOMID_XEN, DOMID_INVALID, 0x7FEF};
    static const uintptr_t bad_lists[] = {0, MONITOR_START, MONITOR_START - 4, 0xFFFFFFFC};

    for (unsigned int o = 0; o < ARRAY_SIZE(ops); o++) {
        for (unsigned int k = 0; k < ARRAY_SIZE(others); k++) {
            TEST_EQ(xenmem_reservation(ops[o], list, 1, 0, 0, others[k]), -XEN_EPERM);
        }
        /* 2 extents from MONITOR_START - 4 straddle the boundary. */
        for (unsigned int k = 0; k < ARRAY_SIZE(bad_lists); k++) {
            TEST_EQ(xenmem_reservation(ops[o], (xen_pfn_t *)bad_lists[k], 2, 0, 0, DOMID_SELF),
                    -XEN_EFAULT);
        }
        TEST_EQ(HYPERVISOR_memory_op(ops[o], NULL), -XEN_EFAULT);
        TEST_EQ(HYPERVISOR_memory_op(ops[o], (void *)(MONITOR_START - 8)), -XEN_EFAULT);
        TEST_EQ(xenmem_reservation(ops[o], list, MAX_EXTENTS + 1, 0, 0, DOMID_SELF), -XEN_EINVAL);
        /* Nothing to do: no extents, or a start past them (the start comes back). */
        TEST_EQ(xenmem_reservation(ops[o], NULL, 0, 0, 0, DOMID_SELF), 0);
        TEST_EQ(xenmem_reservation(ops[o] | (5 << MEMOP_EXTENT_SHIFT), list, 3, 0, 0, DOMID_SELF),
                5);
    }
    TEST_EQ(current(), nr_pages);
}

/*
 * A list the monitor cannot write back to: the frame is taken back, nothing counts.  The
 * read-only page reads fine (populate's pfn) and is checked below the monitor first.
 */
static void test_unwritable_list(void)
{
    xen_pfn_t *ro = (xen_pfn_t *)ro_page;

    ro[0] = nr_pages;
    TEST_EQ(page_set_readonly((uintptr_t)ro_page), 0);
    TEST_EQ(xenmem_increase(ro, 1, 0), 0);
    TEST_EQ(xenmem_populate(ro, 1, 0), 0);
    TEST_EQ(ro[0], nr_pages);
    TEST_EQ(current(), nr_pages);
    /* An unmapped page below the monitor: the first extent faults, none is done. */
    TEST_EQ(xenmem_increase((xen_pfn_t *)(MONITOR_START - PAGE_SIZE), 1, 0), 0);
    TEST_EQ(xenmem_decrease((xen_pfn_t *)(MONITOR_START - PAGE_SIZE), 1, 0), 0);
    TEST_EQ(current(), nr_pages);
    /* The shared-info page stays the monitor's gift. */
    list[0] = start_info->shared_info >> PAGE_SHIFT;
    TEST_EQ(xenmem_decrease(list, 1, 0), 0);
    TEST_EQ(current(), nr_pages);
}

int guest_main(void)
{
    nr_pages = start_info->nr_pages;
    max_pages = cmdline_value("expect_maxmem=") * 256;
    if (max_pages - nr_pages != 3 * 512) {
        test_error("run with maxmem = memory + 6 (MiB)");
    }
    test_reservations();
    test_machine_and_m2p();
    test_memory_map();
    test_other_ops();
    test_increase_decrease();
    test_populate();
    test_orders();
    test_flags();
    test_bad_requests();
    test_unwritable_list();
    test_finish();
}
