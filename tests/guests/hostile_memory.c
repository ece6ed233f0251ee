/*
 * Hostile test guest: memory_op aimed at frames that must not be freed (pinned and live
 * page tables, mapped frames, the shared-info page, the monitor's and another domain's
 * frames) and at the monitor itself (bad lists, huge counts and orders, other domains).
 * Run with memory=16 maxmem=18 next to a bystander domain, which must finish its own test.
 *
 * Giving back a frame still in use follows Xen: the pin and the domain's own reference
 * go, the frame stays (and stays counted) until its last reference is dropped, and it can
 * take no new one meanwhile.  The checks below see that from the guest's side: the data
 * is still there (a freed frame would be poisoned or someone else's), new mappings are
 * refused, and the reservation drops only when the last mapping goes.
 */
#include "guest/hypercall.h"
#include "guest/memory.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("hostile_memory");

#define M2P_NONE      (~0UL)
#define MONITOR_START MACH2PHYS_VIRT_START
#define MAX_EXTENTS   ((1UL << 26) - 1)
#define MARK          0xabcd0000UL /* a not-present L1 entry may hold any bits */

static unsigned long nr_pages, max_pages, maxram;
static xen_pfn_t list[2048];
static xen_pfn_t foreign[16];
static unsigned int nr_foreign;
static uint8_t window[PAGE_SIZE] PAGE_ALIGNED;

static long current(void)
{
    return xenmem_current_reservation(DOMID_SELF);
}

static bool in_p2m(unsigned long mfn)
{
    unsigned long pfn = mfn_to_pfn(mfn);

    return pfn < nr_pages && pfn_to_mfn(pfn) == mfn;
}

static int map_window(unsigned long mfn)
{
    return map_page((uintptr_t)window, pte_make(mfn, PTE_KERNEL_RW));
}

static void unmap_window(void)
{
    TEST_EQ(map_page((uintptr_t)window, pte_make(va_to_mfn(window), PTE_KERNEL_RW)), 0);
}

static long give1(unsigned long mfn, unsigned int order)
{
    xen_pfn_t l = mfn;

    return xenmem_decrease(&l, 1, order);
}

/* The start-of-day mapping's end, found before this test unmaps pages inside it. */
static uintptr_t mapped_end;

static unsigned long alloc_pfn(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= mapped_end) {
        test_error("no free frame inside the start-of-day mapping");
    }
    return pfn;
}

static int ext(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = {.cmd = cmd, .arg1.mfn = mfn};

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/*
 * Frames of another domain, found before this guest takes any frame of its own: valid
 * M2P entries on frames that are not in our P2M.  The bystander is running by now.
 */
static void find_foreign_frames(void)
{
    for (unsigned long mfn = 0; mfn < maxram && nr_foreign < ARRAY_SIZE(foreign); mfn++) {
        if (mfn_to_pfn(mfn) != M2P_NONE && !in_p2m(mfn)) {
            foreign[nr_foreign++] = mfn;
        }
    }
    TEST_CHECK(nr_foreign > 0, "no frame of another domain found: is the bystander running?");
    test_note("%u frames of another domain found, from %lx", nr_foreign, foreign[0]);
}

/* ------------------------------------------------------------- in use ------------- */

/* A pinned L1 (mapped read-only, as tables are): unpinned, kept until unmapped. */
static void test_pinned_table(void)
{
    unsigned long pfn = alloc_pfn(), mfn = pfn_to_mfn(pfn);
    volatile pte_t *t = pfn_to_va(pfn);
    long before = current();

    memset((void *)t, 0, PAGE_SIZE);
    t[7] = MARK;
    TEST_EQ(page_set_readonly((uintptr_t)t), 0);
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, mfn), 0);
    TEST_EQ(give1(mfn, 0), 1);
    TEST_EQ(current(), before); /* still referenced: still counted */
    TEST_EQ(t[7], MARK);        /* not freed: not poisoned */
    TEST_EQ(mfn_to_pfn(mfn), pfn);
    TEST_EQ(ext(MMUEXT_UNPIN_TABLE, mfn), -XEN_EINVAL); /* the pin went with it */
    TEST_EQ(ext(MMUEXT_PIN_L1_TABLE, mfn), -XEN_EINVAL);
    TEST_EQ(map_page((uintptr_t)t, pte_make(mfn, PTE_KERNEL_RW)), -XEN_EINVAL);
    TEST_EQ(map_window(mfn), -XEN_EINVAL);
    TEST_EQ(give1(mfn, 0), 0);            /* not ours to give twice */
    TEST_EQ(unmap_page((uintptr_t)t), 0); /* the last reference */
    TEST_EQ(current(), before - 1);
    TEST_EQ(mfn_to_pfn(mfn), M2P_NONE);
}

/* A frame mapped writable: usable until unmapped, then gone. */
static void test_mapped_frame(void)
{
    unsigned long pfn = alloc_pfn(), mfn = pfn_to_mfn(pfn);
    volatile uint32_t *p = pfn_to_va(pfn);
    long before = current();

    p[0] = 0x12345678;
    TEST_EQ(give1(mfn, 0), 1);
    TEST_EQ(current(), before);
    TEST_EQ(p[0], 0x12345678);
    p[1] = 0x9abcdef0; /* still ours to use through the mapping */
    TEST_EQ(p[1], 0x9abcdef0);
    TEST_EQ(map_window(mfn), -XEN_EINVAL); /* but no new mapping */
    TEST_EQ(map_page((uintptr_t)p, pte_make(mfn, PTE_KERNEL_RW & ~_PAGE_RW)), -XEN_EINVAL);
    TEST_EQ(unmap_page((uintptr_t)p), 0);
    TEST_EQ(current(), before - 1);
    TEST_EQ(mfn_to_pfn(mfn), M2P_NONE);
    TEST_EQ(give1(mfn, 0), 0);
}

/*
 * The live tables: the L1 mapping this image and the L3 in CR3 (pinned by the builder).
 * They keep working while anything uses them; the domain's end frees them.
 */
static void test_live_tables(void)
{
    unsigned long l1 = va_to_mfn((const void *)pte_lookup((uintptr_t)window));
    unsigned long l3 = va_to_mfn((const void *)start_info->pt_base);
    long before = current();

    TEST_EQ(give1(l1, 0), 1);
    TEST_EQ(give1(l3, 0), 1);
    TEST_EQ(current(), before);
    window[0] = 0x77; /* still mapped, through both */
    TEST_EQ(window[0], 0x77);
    TEST_EQ(map_window(va_to_mfn(window)), 0); /* the L1 still takes updates */
    TEST_EQ(ext(MMUEXT_PIN_L3_TABLE, l3), -XEN_EINVAL);
    TEST_EQ(ext(MMUEXT_NEW_BASEPTR, l3), -XEN_EINVAL);
    TEST_EQ(give1(l3, 0), 0);
}

/* ------------------------------------------------------------- not ours ----------- */

static void test_not_ours(void)
{
    static const unsigned long monitor[] = {0, 1, 0xFFFFF, 0x3FFFFF, 0x400000, 0xFFFFFFFF};
    xen_pfn_t m2p_frames[8];
    unsigned int n = 0;
    unsigned long si = start_info->shared_info >> PAGE_SHIFT;
    long before = current();

    TEST_EQ(give1(si, 0), 0);
    TEST_EQ(give1(si & ~1UL, 1), 0);
    TEST_EQ(xenmem_machphys_mfn_list(m2p_frames, ARRAY_SIZE(m2p_frames), &n), 0);
    for (unsigned int i = 0; i < n; i++) {
        TEST_EQ(give1(m2p_frames[i], 0), 0);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(monitor); i++) {
        TEST_EQ(give1(monitor[i], 0), 0);
        TEST_EQ(give1(monitor[i] & ~511UL, 9), 0);
    }
    TEST_EQ(give1(maxram, 0), 0);
    for (unsigned int i = 0; i < nr_foreign; i++) {
        TEST_CHECK(give1(foreign[i], 0) == 0, "foreign frame %lx given back", foreign[i]);
        TEST_EQ(map_window(foreign[i]), -XEN_EINVAL);
    }
    TEST_EQ(xenmem_decrease(foreign, nr_foreign, 0), 0);
    TEST_EQ(current(), before);
    /* The shared-info page is still there, as the builder wrote it. */
    TEST_CHECK(shared_info && shared_info->arch.max_pfn == nr_pages, "shared info page changed");
}

/* An extent half ours: nothing of it goes.  The same frame twice: once. */
static void test_partial_and_twice(void)
{
    long before = current();
    xen_pfn_t twice[2];

    TEST_EQ(xenmem_increase(list, 1, 1), 1); /* frames y, y + 1 */
    TEST_EQ(give1(list[0] + 1, 0), 1);
    TEST_EQ(give1(list[0], 1), 0); /* y + 1 is not ours now */
    TEST_EQ(current(), before + 1);
    TEST_EQ(map_window(list[0]), 0); /* y still is */
    unmap_window();
    twice[0] = twice[1] = list[0];
    TEST_EQ(xenmem_decrease(twice, 2, 0), 1);
    TEST_EQ(current(), before);
    TEST_EQ(mfn_to_pfn(list[0]), M2P_NONE);
}

/* ------------------------------------------------------------- wild arguments ----- */

static void test_wild_arguments(void)
{
    static const unsigned int ops[] = {XENMEM_increase_reservation, XENMEM_decrease_reservation,
                                       XENMEM_populate_physmap};
    static const uintptr_t bad_lists[] = {0, MONITOR_START, 0xFF000000, MONITOR_START - 4,
                                          0xFFFFFFFC};
    static const unsigned int bad_orders[] = {10, 31, 32, 0x80000000, 0xFFFFFFFF};
    static const uintptr_t bad_args[] = {0, MONITOR_START, 0xFF000000, MONITOR_START - 8};
    long before = current();
    domid_t self = 0;

    for (domid_t id = 1; id < 64; id++) {
        if (xenmem_current_reservation(id) >= 0) {
            self = id;
        }
    }
    TEST_CHECK(self != 0, "no domain id answers for us");
    for (unsigned int o = 0; o < ARRAY_SIZE(ops); o++) {
        for (unsigned int k = 0; k < ARRAY_SIZE(bad_lists); k++) {
            TEST_EQ(xenmem_reservation(ops[o], (xen_pfn_t *)bad_lists[k], 2, 0, 0, DOMID_SELF),
                    -XEN_EFAULT);
        }
        for (unsigned int k = 0; k < ARRAY_SIZE(bad_orders); k++) {
            TEST_EQ(xenmem_reservation(ops[o], list, 1, bad_orders[k], 0, DOMID_SELF), -XEN_EINVAL);
        }
        for (unsigned int k = 0; k < ARRAY_SIZE(bad_args); k++) {
            TEST_EQ(HYPERVISOR_memory_op(ops[o], (void *)bad_args[k]), -XEN_EFAULT);
        }
        TEST_EQ(xenmem_reservation(ops[o], list, 0xFFFFFFFF, 0, 0, DOMID_SELF), -XEN_EINVAL);
        TEST_EQ(xenmem_reservation(ops[o], list, MAX_EXTENTS + 1, 0, 0, DOMID_SELF), -XEN_EINVAL);
        for (domid_t id = 0; id < 64; id++) {
            if (id != self) {
                TEST_EQ(xenmem_reservation(ops[o], list, 1, 0, 0, id), -XEN_EPERM);
            }
        }
        TEST_EQ(xenmem_reservation(ops[o], list, 1, 0, 0, DOMID_IO), -XEN_EPERM);
        TEST_EQ(xenmem_reservation(ops[o], list, 1, 0, 0, DOMID_XEN), -XEN_EPERM);
    }
    /* Other domains' reservations are not ours to read either. */
    for (domid_t id = 0; id < 64; id++) {
        if (id != self) {
            TEST_EQ(xenmem_maximum_reservation(id), -XEN_EPERM);
        }
    }
    /* A huge count over an unmapped list: the first read faults, nothing is done. */
    TEST_EQ(xenmem_decrease((xen_pfn_t *)0x10000000, MAX_EXTENTS, 0), 0);
    TEST_EQ(xenmem_populate((xen_pfn_t *)0x10000000, MAX_EXTENTS, 0), 0);
    TEST_EQ(current(), before);
}

/* Beyond maxmem: a huge count stops at the maximum, exactly; pfns past it get nothing. */
static void test_beyond_maxmem(void)
{
    unsigned long room = max_pages - (unsigned long)current();
    long got;

    TEST_CHECK(room > 0 && room < ARRAY_SIZE(list), "room %lu", room);
    got = xenmem_increase(list, MAX_EXTENTS, 0);
    TEST_EQ(got, room);
    TEST_EQ(current(), max_pages);
    TEST_EQ(xenmem_increase(list + room, 1, 0), 0);
    list[room] = 0;
    TEST_EQ(xenmem_populate(list + room, 1, 0), 0);
    TEST_EQ(xenmem_decrease(list, (unsigned long)got, 0), got);
    TEST_EQ(current(), max_pages - room);
    list[0] = max_pages;
    list[1] = 0xFFFFFFFF;
    TEST_EQ(xenmem_populate(list, 2, 0), 0);
    list[0] = max_pages - 1;
    TEST_EQ(xenmem_populate(list, 1, 9), 0);
    TEST_EQ(current(), max_pages - room);
}

int guest_main(void)
{
    nr_pages = start_info->nr_pages;
    max_pages = (unsigned long)xenmem_maximum_reservation(DOMID_SELF);
    maxram = (unsigned long)xenmem_maximum_ram_page();
    if (max_pages <= nr_pages || (long)maxram <= 0) {
        test_error("run with maxmem above memory");
    }
    mapped_end = bootstrap_mapped_end();
    find_foreign_frames();
    test_not_ours();
    test_pinned_table();
    test_mapped_frame();
    test_partial_and_twice();
    test_wild_arguments();
    test_beyond_maxmem();
    test_live_tables(); /* last: the domain runs on tables it gave back */
    test_finish();
}
