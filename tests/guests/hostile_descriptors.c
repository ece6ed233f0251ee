/* Hostile test guest: segment descriptors and GDT frames that try to reach into the monitor. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/segments.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_descriptors");

#define SEL(i)      ((uint16_t)(((i) << 3) | 1))
#define SEG_END     0xF6800000ULL
#define D_G         (1u << 23)
#define D_DB        (1u << 22)
#define TYPE_EXPDOWN_DATA 0x7 /* read/write, expand-down, accessed */
#define TYPE_CODE_CONFORMING 0xF

/* The GDT page handed to set_gdt, and a second page for tables that must be refused. */
static uint64_t gdt[512] PAGE_ALIGNED;
static uint64_t badgdt[512] PAGE_ALIGNED;
static const uint32_t probe = 0x44455343;
static uint32_t probe_read;

/* A present code/data descriptor (S = 1) with every field given. */
static uint64_t make_desc(uint32_t base, uint32_t limit, unsigned int type, unsigned int dpl,
                          uint32_t gdb)
{
    uint32_t lo = (limit & 0xffff) | ((base & 0xffff) << 16);
    uint32_t hi = ((base >> 16) & 0xff) | ((type & 0xf) << 8) | (1u << 12) | ((dpl & 3) << 13) |
                  (1u << 15) | (limit & 0xf0000) | gdb | (base & 0xff000000);

    return ((uint64_t)hi << 32) | lo;
}

/* A present system descriptor (S = 0): a gate (target selector:offset) or a TSS/LDT. */
static uint64_t make_system(unsigned int type, uint16_t sel, uint32_t offset, unsigned int dpl)
{
    uint32_t lo = (offset & 0xffff) | ((uint32_t)sel << 16);
    uint32_t hi = (offset & 0xffff0000) | (1u << 15) | ((dpl & 3) << 13) | ((type & 0xf) << 8);

    return ((uint64_t)hi << 32) | lo;
}

static uint32_t desc_base(uint64_t d)
{
    return (uint32_t)((d >> 16) & 0xffffff) | (uint32_t)((d >> 56) << 24);
}

/* True when mfn is one of our frames (searched in the P2M: the M2P may not map it). */
static bool owns_mfn(uint64_t mfn)
{
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++) {
        if (pfn_to_mfn(pfn) == mfn) {
            return true;
        }
    }
    return false;
}

static int update(unsigned int index, uint64_t desc)
{
    return HYPERVISOR_update_descriptor(va_to_maddr(&gdt[index]), desc);
}

static void read_through_fs(void *arg)
{
    seg_load_fs((uint16_t)(uintptr_t)arg);
    probe_read = seg_fs_read32((uint32_t)(uintptr_t)&probe);
    seg_load_fs(FLAT_KERNEL_DS);
}

/* True when sel loads into %fs and reads what %ds reads. */
static bool selector_works(uint16_t sel)
{
    struct guest_regs r;
    bool trapped;

    probe_read = 0;
    trapped = trap_catch(read_through_fs, (void *)(uintptr_t)sel, &r);
    seg_load_fs(FLAT_KERNEL_DS);
    return !trapped && probe_read == probe;
}

/* lsl: the limit in bytes, and whether the CPU let us see it at all. */
static bool segment_limit(uint16_t sel, uint32_t *limit)
{
    uint32_t ok = 0, l = 0;

    __asm__ volatile("lsl %2, %1\n setz %b0" : "+q"(ok), "+r"(l) : "r"((uint32_t)sel) : "cc");
    *limit = l;
    return ok != 0;
}

/* lar: the access-rights bytes (bits 8-23 of the descriptor's high word). */
static bool segment_rights(uint16_t sel, uint32_t *rights)
{
    uint32_t ok = 0, ar = 0;

    __asm__ volatile("lar %2, %1\n setz %b0" : "+q"(ok), "+r"(ar) : "r"((uint32_t)sel) : "cc");
    *rights = ar;
    return ok != 0;
}

static bool monitor_is_64bit(void)
{
    static xen_capabilities_info_t caps;

    return HYPERVISOR_xen_version(XENVER_capabilities, caps) == 0 && strstr(caps, "x86_64") != NULL;
}

/*
 * Whatever the monitor made of an expand-up descriptor at index: it must not let the
 * segment reach SEG_END (a 64-bit monitor keeps itself out of reach in other ways).
 */
static void check_ends_below_monitor(const char *what, unsigned int index)
{
    uint32_t limit;

    if (!(gdt[index] & (1ULL << 47))) {
        return; /* made not present: unreachable */
    }
    if (!TEST_CHECK(segment_limit(SEL(index), &limit), "%s: lsl refused selector %#x", what,
                    SEL(index))) {
        return;
    }
    TEST_CHECK(monitor_is_64bit() || (uint64_t)desc_base(gdt[index]) + limit < SEG_END,
               "%s: base %#x + limit %#x reaches %#llx", what, desc_base(gdt[index]), limit,
               SEG_END);
}

/* Accepted-but-truncated, refused or made unreachable: never a way into the monitor. */
static void test_truncation(void)
{
    uint32_t limit = 0, rights = 0;
    int rc;

    /* A flat 4 GiB data segment: accepted, ends at 0xf67fffff. */
    TEST_EQ(update(1, make_desc(0, 0xFFFFF, SEG_TYPE_DATA, 1, D_G | D_DB)), 0);
    TEST_CHECK(segment_limit(SEL(1), &limit) && (monitor_is_64bit() || limit == 0xf67fffff),
               "flat data: lsl %#x, expected 0xf67fffff", limit);
    TEST_ASSERT(selector_works(SEL(1)));

    /* The same through %ss: still the truncated limit, and the stack keeps working. */
    limit = 0;
    __asm__ volatile("movw %%ss, %%dx\n"
                     "movw %w1, %%ss\n"
                     "lsl %k1, %0\n"
                     "movw %%dx, %%ss"
                     : "=r"(limit)
                     : "r"((uint32_t)SEL(1))
                     : "edx", "cc", "memory");
    TEST_CHECK(monitor_is_64bit() || limit == 0xf67fffff, "flat data via ss: lsl %#x", limit);

    /* A flat code segment with DPL 0: DPL raised to 1, limit truncated. */
    TEST_EQ(update(2, make_desc(0, 0xFFFFF, SEG_TYPE_CODE, 0, D_G | D_DB)), 0);
    TEST_CHECK(segment_rights(SEL(2), &rights) && ((rights >> 13) & 3) == 1,
               "code DPL 0: lar %#x (DPL %u), expected DPL 1", rights, (rights >> 13) & 3);
    TEST_EQ((gdt[2] >> 45) & 3, 1);
    check_ends_below_monitor("flat code", 2);

    /* A DPL-0 data segment: DPL 1. */
    TEST_EQ(update(3, make_desc(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 0, D_G | D_DB)), 0);
    TEST_CHECK(segment_rights(SEL(3), &rights) && ((rights >> 13) & 3) == 1,
               "data DPL 0: lar %#x, expected DPL 1", rights);
    TEST_ASSERT(selector_works(SEL(3)));

    /* A conforming code segment with DPL 0 would run at the caller's ring: DPL 1 too. */
    TEST_EQ(update(4, make_desc(0, GUEST_SEG_LIMIT_PAGES, TYPE_CODE_CONFORMING, 0, D_G | D_DB)), 0);
    TEST_CHECK(segment_rights(SEL(4), &rights) && ((rights >> 13) & 3) >= 1,
               "conforming code DPL 0: lar %#x", rights);

    /* Base 0xf6000000 with a 4 GiB limit: truncated to end below 0xf6800000, or refused. */
    rc = update(5, make_desc(0xF6000000, 0xFFFFF, SEG_TYPE_DATA, 1, D_G | D_DB));
    TEST_CHECK(rc == 0 || rc == -XEN_EINVAL, "base 0xf6000000: %d", rc);
    check_ends_below_monitor("base 0xf6000000", 5);

    /* Byte granularity, a 1 MiB limit from 0xf6700000: would end at 0xf67fffff + 1. */
    rc = update(6, make_desc(0xF6700000, 0xFFFFF, SEG_TYPE_DATA, 1, D_DB));
    TEST_CHECK(rc == 0 || rc == -XEN_EINVAL, "byte-granular past the end: %d", rc);
    check_ends_below_monitor("byte-granular 0xf6700000", 6);

    /* Bases at and above the end: refused, or not reachable. */
    static const uint32_t high[] = {0xF6800000, 0xF67FF001, 0xFF000000, 0xFFFFF000};
    for (unsigned int i = 0; i < ARRAY_SIZE(high); i++) {
        rc = update(7, make_desc(high[i], 0, SEG_TYPE_DATA, 1, D_G | D_DB));
        TEST_CHECK(rc == -XEN_EINVAL || (rc == 0 && monitor_is_64bit()),
                   "data at base %#x: %d", high[i], rc);
        check_ends_below_monitor("high base", 7);
        rc = update(7, make_desc(high[i], 0, SEG_TYPE_CODE, 1, D_G | D_DB));
        TEST_CHECK(rc == -XEN_EINVAL || (rc == 0 && monitor_is_64bit()),
                   "code at base %#x: %d", high[i], rc);
        check_ends_below_monitor("high code base", 7);
    }

    /* A byte-granular segment that wraps around 4 GiB from just below it. */
    rc = update(8, make_desc(0xFFFFF000, 0x1FFF, SEG_TYPE_DATA, 1, D_DB));
    TEST_CHECK(rc == -XEN_EINVAL || (rc == 0 && monitor_is_64bit()), "wrapping segment: %d", rc);
    check_ends_below_monitor("wrapping segment", 8);
}

/* Expand-down data segments reach from base + limit + 1 to base + 4 GiB (or 64 KiB). */
static void test_expand_down(void)
{
    static const struct {
        const char *what;
        uint32_t base, limit, gdb;
    } bad[] = {
        /* Offsets 0x1000-0xffffffff: everything but the first page. */
        {"base 0, limit 0, 4 KiB granular", 0, 0, D_G | D_DB},
        /* Offsets 0xf6000000-0xffffffff from base 0x800000: 0xf6800000 up, then wrapping. */
        {"base 0x800000 from offset 0xf6000000", 0x00800000, 0xF5FFF, D_G | D_DB},
        /* Byte granular, offsets 0x10000000-0xffffffff. */
        {"byte granular from 0x10000000", 0, 0x0FFFFFFF, D_DB},
        /* 16-bit: offsets 1-0xffff from 0xf67f8000, across 0xf6800000. */
        {"16-bit across 0xf6800000", 0xF67F8000, 0, 0},
    };
    int rc;

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        rc = update(9, make_desc(bad[i].base, bad[i].limit, TYPE_EXPDOWN_DATA, 1, bad[i].gdb));
        TEST_CHECK(rc == -XEN_EINVAL || (rc == 0 && monitor_is_64bit()),
                   "expand-down %s: %d, expected -EINVAL", bad[i].what, rc);
    }
    TEST_EQ(gdt[9], 0);
    /* A small 16-bit one far from the monitor is an ordinary segment. */
    rc = update(9, make_desc(0x10000000, 0xFFF, TYPE_EXPDOWN_DATA, 1, 0));
    TEST_EQ(rc, 0);
}

/* System descriptors: only call gates to guest code selectors. */
static void test_system_descriptors(void)
{
    static const struct {
        const char *what;
        unsigned int type;
        uint16_t sel;
    } bad[] = {
        {"call gate to 0xe008", 0xC, 0xe008},
        {"call gate to 0xe009", 0xC, 0xe009},
        {"call gate to 0xe010", 0xC, 0xe010},
        {"call gate to the last reserved entry", 0xC, 0xfff8},
        {"32-bit TSS", 0x9, 0},
        {"busy 32-bit TSS", 0xB, 0},
        {"16-bit TSS", 0x1, 0},
        {"LDT", 0x2, 0},
        {"task gate", 0x5, 0xe008},
        {"interrupt gate", 0xE, 0xe008},
        {"trap gate", 0xF, 0xe008},
        {"interrupt gate to ring-1 code", 0xE, FLAT_RING1_CS},
        {"trap gate to ring-1 code", 0xF, FLAT_RING1_CS},
        {"reserved system type 0", 0x0, 0},
        {"reserved system type 8", 0x8, 0},
    };
    int rc;

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        for (unsigned int dpl = 0; dpl < 4; dpl += 3) {
            rc = update(10, make_system(bad[i].type, bad[i].sel, 0xFF100000, dpl));
            TEST_CHECK(rc == -XEN_EINVAL, "%s (DPL %u): %d, expected -EINVAL", bad[i].what, dpl,
                       rc);
        }
    }
    TEST_EQ(gdt[10], 0);
    /* A call gate to our own flat code selector is allowed. */
    TEST_EQ(update(10, make_system(0xC, FLAT_RING1_CS, 0xC0001000, 1)), 0);
    TEST_EQ(update(10, 0), 0);
    /* Not present: anything goes, since it can never be loaded. */
    TEST_EQ(update(11, make_system(0xE, 0xe008, 0xFF100000, 3) & ~(1ULL << 47)), 0);
    TEST_EQ(update(11, 0), 0);
}

/* update_descriptor at addresses that are not a descriptor slot of the guest's. */
static void test_update_addresses(void)
{
    uint64_t good = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    uint64_t l3 = va_to_maddr((const void *)start_info->pt_base);
    const volatile pte_t *pte = pte_lookup((uintptr_t)gdt);
    static const uint64_t foreign[] = {
        0x0,         /* real-mode IVT frame */
        0x1000,      /* low memory */
        0x100000,    /* where a multiboot monitor is loaded */
        0x3FFF000,   /* the last frame of the machine, not ours to start with */
        1ULL << 40,  /* no such frame */
        ~7ULL,       /* nor this */
    };

    for (unsigned int off = 1; off < 8; off++) {
        TEST_CHECK(HYPERVISOR_update_descriptor(va_to_maddr(&gdt[12]) + off, good) == -XEN_EINVAL,
                   "unaligned maddr (+%u) accepted", off);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(foreign); i++) {
        uint64_t ma = foreign[i];
        /* Skip a frame that happens to be ours (the last frame could be). */
        if (owns_mfn(ma >> 12)) {
            continue;
        }
        TEST_CHECK(HYPERVISOR_update_descriptor(ma, good) == -XEN_EINVAL,
                   "update_descriptor at foreign maddr %#llx accepted", ma);
    }
    /* Our own page tables: the L3, the L2 under slot 3, the L1 that maps the GDT page. */
    TEST_EQ(HYPERVISOR_update_descriptor(l3, good), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_descriptor(l3 + 24, 0), -XEN_EINVAL);
    if (TEST_CHECK(pte != NULL, "no L1 entry for the GDT page")) {
        uint64_t l1 = va_to_maddr((const void *)pte);
        TEST_EQ(HYPERVISOR_update_descriptor(l1, good), -XEN_EINVAL);
        TEST_EQ(HYPERVISOR_update_descriptor(l1 & ~0xFFFULL, 0), -XEN_EINVAL);
    }
    {
        const volatile uint64_t *l3v = (const volatile uint64_t *)start_info->pt_base;
        uint64_t l2 = l3v[3] & PTE_ADDR_MASK;
        if (l3v[3] & _PAGE_PRESENT) {
            /* The slot-3 L2 ends with the monitor's own entries. */
            TEST_EQ(HYPERVISOR_update_descriptor(l2 + 0x1AC * 8, good), -XEN_EINVAL);
            TEST_EQ(HYPERVISOR_update_descriptor(l2 + 0xFF8, 0), -XEN_EINVAL);
        }
    }
}

/* Loads and checks the tables set_gdt must refuse; each leaves the GDT we had. */
static void refuse_table(const char *what, unsigned int index, uint64_t desc)
{
    unsigned long frames[2] = {va_to_mfn(gdt), va_to_mfn(badgdt)};
    unsigned long bad = va_to_mfn(badgdt);

    TEST_EQ(map_page((uintptr_t)badgdt, pte_make(bad, PTE_KERNEL_RW)), 0);
    memset(badgdt, 0, sizeof(badgdt));
    badgdt[index] = desc;
    TEST_EQ(page_set_readonly((uintptr_t)badgdt), 0);
    TEST_CHECK(HYPERVISOR_set_gdt(&bad, 512) == -XEN_EINVAL, "set_gdt with %s accepted", what);
    /* The good page first and the bad one second: nothing may change either. */
    TEST_CHECK(HYPERVISOR_set_gdt(frames, 1024) == -XEN_EINVAL,
               "set_gdt with %s in the second frame accepted", what);
    TEST_CHECK(selector_works(SEL(1)), "after refusing %s, our GDT is gone", what);
}

static void test_set_gdt_refusals(unsigned long *frame)
{
    unsigned long foreign[] = {0, 1, 0x100, 0x3FFFFF, 0xFFFFF, 0xFFFFFFFF};
    unsigned long frames[16];
    unsigned long l3 = va_to_mfn((const void *)start_info->pt_base);
    static const uint32_t counts[] = {FIRST_RESERVED_GDT_ENTRY + 1, 8192, 0x10000, 0x80000000,
                                      0xFFFFFE01, 0xFFFFFFFF};

    for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
        frames[i] = *frame;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(counts); i++) {
        TEST_CHECK(HYPERVISOR_set_gdt(frames, counts[i]) == -XEN_EINVAL,
                   "set_gdt with %u entries accepted", counts[i]);
    }
    /* A frame mapped writable (badgdt is, at this point). */
    frames[0] = va_to_mfn(badgdt);
    TEST_EQ(HYPERVISOR_set_gdt(frames, 512), -XEN_EINVAL);
    /* Frames that are not ours. */
    for (unsigned int i = 0; i < ARRAY_SIZE(foreign); i++) {
        unsigned long f = foreign[i];
        if (owns_mfn(f)) {
            continue;
        }
        TEST_CHECK(HYPERVISOR_set_gdt(&f, 512) == -XEN_EINVAL, "set_gdt with frame %#lx accepted",
                   f);
    }
    /* Our own L3: a page table cannot become a descriptor page. */
    TEST_EQ(HYPERVISOR_set_gdt(&l3, 512), -XEN_EINVAL);
    /* Bad list pointers. */
    TEST_EQ(HYPERVISOR_set_gdt(NULL, 512), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_set_gdt((unsigned long *)0xF5800000, 512), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_set_gdt((unsigned long *)0xFF100000, 512), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_set_gdt((unsigned long *)0xFFFFFFFC, 1024), -XEN_EFAULT);
    TEST_ASSERT(selector_works(SEL(1)));

    /* Tables holding one descriptor each that must not pass. */
    refuse_table("a call gate to 0xe008", 20, make_system(0xC, 0xe008, 0xFF100000, 3));
    refuse_table("a 32-bit TSS", 21, make_system(0x9, 0, 0xFF100000, 0) | 0x67);
    refuse_table("an LDT descriptor", 22, make_system(0x2, 0, 0xFF100000, 0) | 0xFFF);
    refuse_table("an interrupt gate", 23, make_system(0xE, 0xe008, 0xFF100000, 3));
    refuse_table("a trap gate", 24, make_system(0xF, 0xe008, 0xFF100000, 3));
    refuse_table("a data segment at 0xff000000", 25,
                 make_desc(0xFF000000, 0xFFF, SEG_TYPE_DATA, 1, D_G | D_DB));
    refuse_table("a reaching expand-down segment", 26,
                 make_desc(0, 0, TYPE_EXPDOWN_DATA, 1, D_G | D_DB));
    refuse_table("a bad descriptor in the last slot", 511,
                 make_system(0xC, 0xe008, 0xFF100000, 3));
    /* Leave badgdt writable, as a plain page. */
    TEST_EQ(map_page((uintptr_t)badgdt, pte_make(va_to_mfn(badgdt), PTE_KERNEL_RW)), 0);
}

/* A table set_gdt must accept but fix: DPL 0 raised, a flat segment truncated. */
static void test_set_gdt_fixups(void)
{
    unsigned long f = va_to_mfn(badgdt);
    uint32_t limit = 0, rights = 0;

    memset(badgdt, 0, sizeof(badgdt));
    badgdt[1] = make_desc(0, 0xFFFFF, SEG_TYPE_DATA, 0, D_G | D_DB);
    badgdt[2] = make_desc(0, 0xFFFFF, SEG_TYPE_CODE, 0, D_G | D_DB);
    TEST_EQ(page_set_readonly((uintptr_t)badgdt), 0);
    if (!TEST_EQ(HYPERVISOR_set_gdt(&f, 16), 0)) {
        return;
    }
    TEST_CHECK(segment_rights(SEL(1), &rights) && ((rights >> 13) & 3) == 1,
               "set_gdt data DPL 0: lar %#x", rights);
    TEST_CHECK(segment_limit(SEL(1), &limit) && (monitor_is_64bit() || limit == 0xf67fffff),
               "set_gdt flat data: lsl %#x", limit);
    TEST_CHECK(segment_rights(SEL(2), &rights) && ((rights >> 13) & 3) == 1,
               "set_gdt code DPL 0: lar %#x", rights);
    TEST_CHECK(segment_limit(SEL(2), &limit) && (monitor_is_64bit() || limit == 0xf67fffff),
               "set_gdt flat code: lsl %#x", limit);
    TEST_ASSERT(selector_works(SEL(1)));
}

int guest_main(void)
{
    unsigned long frame = va_to_mfn(gdt);
    int rc;

    gdt[1] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    rc = page_set_readonly((uintptr_t)gdt);
    if (rc != 0) {
        test_error("could not make the GDT page read-only");
    }
    rc = HYPERVISOR_set_gdt(&frame, 512);
    if (rc == -XEN_ENOSYS) {
        test_skip("set_gdt is not implemented");
    }
    if (rc != 0) {
        test_error("set_gdt of a good table failed");
    }
    TEST_ASSERT(selector_works(SEL(1)));

    test_truncation();
    test_expand_down();
    test_system_descriptors();
    test_update_addresses();
    test_set_gdt_refusals(&frame);
    TEST_ASSERT(selector_works(SEL(1)));
    test_set_gdt_fixups();

    /* Back to the reserved selectors only; the guest goes on. */
    seg_load_fs(FLAT_KERNEL_DS);
    TEST_EQ(HYPERVISOR_set_gdt(&frame, 0), 0);
    TEST_ASSERT(selector_works(FLAT_KERNEL_DS));
    TEST_ASSERT(HYPERVISOR_xen_version(XENVER_version, NULL) >= 0x30000);
    test_finish();
}
