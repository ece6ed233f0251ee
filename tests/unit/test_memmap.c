/* Unit tests of memory-map normalization and queries (mm/memmap.c). */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "kernel/errno.h"
#include "mm/memmap.h"

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

struct want {
    uint64_t start, end;
    uint32_t type;
};

/* Maps are large: static, and reset by each test. */
static struct memmap in, out;

static int reset(void **state)
{
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    return 0;
}

static void add(uint64_t start, uint64_t end, uint32_t type)
{
    assert_int_equal(memmap_add(&in, start, end, type), 0);
}

static void print_map(const char *what, const struct mem_range *r, unsigned int n)
{
    print_message("%s (%u ranges):\n", what, n);
    for (unsigned int i = 0; i < n; i++) {
        print_message("  [%#llx, %#llx) %u\n", (unsigned long long)r[i].start,
                      (unsigned long long)r[i].end, r[i].type);
    }
}

/* Fails with both maps printed unless m is exactly the n ranges of w. */
static void check_map(const struct memmap *m, const struct want *w, unsigned int n)
{
    bool same = m->nr == n;
    for (unsigned int i = 0; same && i < n; i++) {
        same = m->r[i].start == w[i].start && m->r[i].end == w[i].end && m->r[i].type == w[i].type;
    }
    if (!same) {
        struct mem_range expect[64];
        for (unsigned int i = 0; i < n && i < ARRAY_SIZE(expect); i++) {
            expect[i] = (struct mem_range){ w[i].start, w[i].end, w[i].type };
        }
        print_map("got", m->r, m->nr);
        print_map("expected", expect, n);
        fail_msg("the map differs from the expected one (both are in the log)");
    }
}

#define CHECK_MAP(m, ...)                                                                  \
    do {                                                                                   \
        static const struct want want_[] = { __VA_ARGS__ };                                \
        check_map((m), want_, ARRAY_SIZE(want_));                                          \
    } while (0)

/* The invariants of a normalized map, whatever the input. */
static void check_normalized(const struct memmap *m)
{
    for (unsigned int i = 0; i < m->nr; i++) {
        const struct mem_range *r = &m->r[i];
        if (r->start >= r->end || r->type < MEM_RAM || r->type > MEM_UNUSABLE ||
            (r->type == MEM_RAM && ((r->start | r->end) & (PAGE_SIZE - 1)))) {
            print_map("map", m->r, m->nr);
            fail_msg("range %u is empty, of an unknown type or RAM not in whole pages", i);
        }
        if (i && (m->r[i - 1].end > r->start ||
                  (m->r[i - 1].end == r->start && m->r[i - 1].type == r->type))) {
            print_map("map", m->r, m->nr);
            fail_msg("ranges %u and %u overlap, are out of order or should have merged", i - 1, i);
        }
    }
}

static void normalize(void)
{
    memmap_normalize(&in, &out);
    check_normalized(&out);
}

static void add_drops_empty_and_inverted_ranges(void **state)
{
    assert_int_equal(memmap_add(&in, 0x1000, 0x1000, MEM_RAM), 0);
    assert_int_equal(memmap_add(&in, 0x2000, 0x1000, MEM_RAM), 0);
    assert_int_equal(memmap_add(&in, UINT64_MAX, 0, MEM_RESERVED), 0);
    assert_int_equal(in.nr, 0);
    assert_int_equal(memmap_add(&in, 0, 1, MEM_RESERVED), 0);
    assert_int_equal(in.nr, 1);
}

static void add_to_full_map_is_enospc(void **state)
{
    for (unsigned int i = 0; i < MEMMAP_MAX; i++) {
        assert_int_equal(memmap_add(&in, MiB(2 * i), MiB(2 * i + 1), MEM_RAM), 0);
    }
    assert_int_equal(in.nr, MEMMAP_MAX);
    assert_int_equal(memmap_add(&in, GiB(8), GiB(9), MEM_RAM), -ENOSPC);
    assert_int_equal(in.nr, MEMMAP_MAX);
    assert_int_equal(in.r[MEMMAP_MAX - 1].start, MiB(2 * (MEMMAP_MAX - 1)));
    assert_int_equal(memmap_add(&in, GiB(8), GiB(8), MEM_RAM), 0);   /* empty: dropped */
    normalize();
    assert_int_equal(out.nr, MEMMAP_MAX);
}

static void normalize_empty_map(void **state)
{
    out.nr = 7;
    normalize();
    assert_int_equal(out.nr, 0);
    assert_int_equal(memmap_total(&out, MEM_RAM), 0);
    assert_int_equal(memmap_ram_end(&out), 0);
}

static void normalize_sorts(void **state)
{
    add(MiB(16), MiB(32), MEM_RAM);
    add(0, KiB(64), MEM_RAM);
    add(MiB(1), MiB(2), MEM_RESERVED);
    add(GiB(4), GiB(5), MEM_RAM);
    add(MiB(3), MiB(4), MEM_ACPI);
    normalize();
    CHECK_MAP(&out, { 0, KiB(64), MEM_RAM }, { MiB(1), MiB(2), MEM_RESERVED },
              { MiB(3), MiB(4), MEM_ACPI }, { MiB(16), MiB(32), MEM_RAM },
              { GiB(4), GiB(5), MEM_RAM });
}

static void normalize_merges_adjacent_same_type(void **state)
{
    add(0, 0x1000, MEM_RAM);
    add(0x1000, 0x3000, MEM_RAM);
    add(0x3000, 0x4000, MEM_RAM);
    add(0x4000, 0x5000, MEM_RESERVED);   /* adjacent, other type: kept apart */
    add(0x5000, 0x6000, MEM_RESERVED);
    add(0x7000, 0x8000, MEM_RESERVED);   /* a gap: kept apart */
    add(0x8000, 0x9000, MEM_ACPI);
    normalize();
    CHECK_MAP(&out, { 0, 0x4000, MEM_RAM }, { 0x4000, 0x6000, MEM_RESERVED },
              { 0x7000, 0x8000, MEM_RESERVED }, { 0x8000, 0x9000, MEM_ACPI });
}

static void normalize_merges_duplicates_and_nested_same_type(void **state)
{
    add(0, MiB(1), MEM_RAM);
    add(0, MiB(1), MEM_RAM);
    add(KiB(64), KiB(128), MEM_RAM);
    add(KiB(512), MiB(2), MEM_RAM);
    normalize();
    CHECK_MAP(&out, { 0, MiB(2), MEM_RAM });
}

/* RAM < ACPI < NVS < RESERVED < UNUSABLE, whatever the order of the input. */
static void normalize_overlap_more_restrictive_wins(void **state)
{
    static const uint32_t order[] = { MEM_RAM, MEM_ACPI, MEM_NVS, MEM_RESERVED, MEM_UNUSABLE };
    for (unsigned int lo = 0; lo < ARRAY_SIZE(order); lo++) {
        for (unsigned int hi = lo + 1; hi < ARRAY_SIZE(order); hi++) {
            for (int rev = 0; rev < 2; rev++) {
                in.nr = 0;
                if (rev) {
                    add(0x4000, 0x6000, order[hi]);
                }
                add(0, 0x10000, order[lo]);
                if (!rev) {
                    add(0x4000, 0x6000, order[hi]);
                }
                normalize();
                assert_int_equal(out.nr, 3);
                assert_int_equal(out.r[0].type, order[lo]);
                assert_int_equal(out.r[1].type, order[hi]);
                assert_int_equal(out.r[1].start, 0x4000);
                assert_int_equal(out.r[1].end, 0x6000);
                assert_int_equal(out.r[2].type, order[lo]);
                /* The weaker one inside the stronger one changes nothing. */
                in.nr = 0;
                add(0x4000, 0x6000, order[lo]);
                add(0, 0x10000, order[hi]);
                normalize();
                assert_int_equal(out.nr, 1);
                assert_int_equal(out.r[0].type, order[hi]);
            }
        }
    }
}

static void normalize_partial_overlaps_chain(void **state)
{
    add(0, 0x10000, MEM_RAM);
    add(0x8000, 0x18000, MEM_ACPI);
    add(0x10000, 0x20000, MEM_NVS);
    add(0x1c000, 0x30000, MEM_UNUSABLE);
    add(0x2f000, 0x40000, MEM_RESERVED);
    normalize();
    CHECK_MAP(&out, { 0, 0x8000, MEM_RAM }, { 0x8000, 0x10000, MEM_ACPI },
              { 0x10000, 0x1c000, MEM_NVS }, { 0x1c000, 0x30000, MEM_UNUSABLE },
              { 0x30000, 0x40000, MEM_RESERVED });
}

static void normalize_unknown_types_become_reserved(void **state)
{
    add(0, 0x1000, 0);
    add(0x1000, 0x2000, 6);
    add(0x2000, 0x3000, MEM_RESERVED);
    add(0x3000, 0x4000, 12);
    add(0x10000, 0x20000, 0xF0000001u);
    add(0x10000, 0x20000, MEM_RAM);        /* an unknown type beats RAM... */
    add(0x30000, 0x40000, 7);
    add(0x38000, 0x40000, MEM_UNUSABLE);   /* ...and loses to unusable */
    add(0x50000, 0x60000, 20);
    add(0x50000, 0x60000, MEM_NVS);
    normalize();
    CHECK_MAP(&out, { 0, 0x4000, MEM_RESERVED }, { 0x10000, 0x20000, MEM_RESERVED },
              { 0x30000, 0x38000, MEM_RESERVED }, { 0x38000, 0x40000, MEM_UNUSABLE },
              { 0x50000, 0x60000, MEM_RESERVED });
}

static void normalize_rounds_ram_inward(void **state)
{
    add(0x1234, 0x5678, MEM_RAM);            /* -> [0x2000, 0x5000) */
    add(0x11100, 0x11f00, MEM_RAM);          /* under a page: gone */
    add(0x21800, 0x22800, MEM_RAM);          /* a page long, but across a boundary: gone */
    add(0x30000, 0x30fff, MEM_RAM);          /* one byte short: gone */
    add(0x40000, 0x41000, MEM_RAM);          /* exactly a page */
    add(0x51234, 0x55678, MEM_RESERVED);     /* other types keep their bytes */
    add(0x61234, 0x65678, MEM_ACPI);
    normalize();
    CHECK_MAP(&out, { 0x2000, 0x5000, MEM_RAM }, { 0x40000, 0x41000, MEM_RAM },
              { 0x51234, 0x55678, MEM_RESERVED }, { 0x61234, 0x65678, MEM_ACPI });
}

/* RAM cut by a reserved range that is not page aligned loses the pages it touches. */
static void normalize_rounds_ram_around_reserved(void **state)
{
    add(0, 0x10000, MEM_RAM);
    add(0x5100, 0x5200, MEM_RESERVED);
    normalize();
    CHECK_MAP(&out, { 0, 0x5000, MEM_RAM }, { 0x5100, 0x5200, MEM_RESERVED },
              { 0x6000, 0x10000, MEM_RAM });
}

/* One RAM area described by two entries split off a page boundary is still whole pages of
 * RAM: rounding must happen after merging, not per entry. */
static void normalize_ram_split_off_page_keeps_pages(void **state)
{
    add(0, 0x2800, MEM_RAM);
    add(0x2800, 0x5000, MEM_RAM);
    add(0x10000, 0x11800, MEM_RAM);          /* overlapping entries */
    add(0x11000, 0x13000, MEM_RAM);
    normalize();
    CHECK_MAP(&out, { 0, 0x5000, MEM_RAM }, { 0x10000, 0x13000, MEM_RAM });
}

/* A RAM entry near the top of the address space must not wrap to address 0 when rounded. */
static void normalize_ram_at_top_of_address_space(void **state)
{
    add(UINT64_MAX - 0x7ff, UINT64_MAX, MEM_RAM);
    normalize();
    assert_int_equal(memmap_total(&out, MEM_RAM), 0);
    in.nr = 0;
    add(UINT64_MAX - 0x2fff, UINT64_MAX, MEM_RAM);
    normalize();
    CHECK_MAP(&out, { 0xFFFFFFFFFFFFD000ull, 0xFFFFFFFFFFFFF000ull, MEM_RAM });
}

static void normalize_ignores_empty_and_inverted_input(void **state)
{
    /* Written directly: memmap_add() would have dropped them already. */
    in.r[0] = (struct mem_range){ 0x5000, 0x5000, MEM_UNUSABLE };
    in.r[1] = (struct mem_range){ 0x9000, 0x3000, MEM_UNUSABLE };
    in.r[2] = (struct mem_range){ 0, 0x10000, MEM_RAM };
    in.r[3] = (struct mem_range){ UINT64_MAX, 0, MEM_RESERVED };
    in.nr = 4;
    normalize();
    CHECK_MAP(&out, { 0, 0x10000, MEM_RAM });
}

/* A normalized map with n disjoint ranges of alternating types and gaps. */
static void make_striped(struct memmap *m, unsigned int n)
{
    m->nr = 0;
    for (unsigned int i = 0; i < n; i++) {
        assert_int_equal(memmap_add(m, MiB(4 * i), MiB(4 * i + 2), i % 2 ? MEM_RESERVED : MEM_RAM),
                         0);
    }
}

static void set_carves_hole_in_middle(void **state)
{
    add(0, MiB(1), MEM_RAM);
    normalize();
    assert_int_equal(memmap_set(&out, 0x4000, 0x8000, MEM_RESERVED), 0);
    CHECK_MAP(&out, { 0, 0x4000, MEM_RAM }, { 0x4000, 0x8000, MEM_RESERVED },
              { 0x8000, MiB(1), MEM_RAM });
    assert_int_equal(memmap_total(&out, MEM_RAM), MiB(1) - 0x4000);
}

static void set_at_edges(void **state)
{
    add(MiB(1), MiB(2), MEM_RAM);
    normalize();
    assert_int_equal(memmap_set(&out, MiB(1), MiB(1) + 0x1000, MEM_RESERVED), 0);
    assert_int_equal(memmap_set(&out, MiB(2) - 0x2000, MiB(2), MEM_UNUSABLE), 0);
    CHECK_MAP(&out, { MiB(1), MiB(1) + 0x1000, MEM_RESERVED },
              { MiB(1) + 0x1000, MiB(2) - 0x2000, MEM_RAM },
              { MiB(2) - 0x2000, MiB(2), MEM_UNUSABLE });
    /* Overhanging both ends of the map. */
    assert_int_equal(memmap_set(&out, 0, MiB(1) + 0x800, MEM_ACPI), 0);
    assert_int_equal(memmap_set(&out, MiB(2) - 0x1000, MiB(3), MEM_NVS), 0);
    CHECK_MAP(&out, { 0, MiB(1) + 0x800, MEM_ACPI },
              { MiB(1) + 0x800, MiB(1) + 0x1000, MEM_RESERVED },
              { MiB(1) + 0x1000, MiB(2) - 0x2000, MEM_RAM },
              { MiB(2) - 0x2000, MiB(2) - 0x1000, MEM_UNUSABLE },
              { MiB(2) - 0x1000, MiB(3), MEM_NVS });
}

static void set_spanning_several_ranges(void **state)
{
    add(0, MiB(1), MEM_RAM);
    add(MiB(1), MiB(2), MEM_ACPI);
    add(MiB(3), MiB(4), MEM_RAM);
    add(MiB(4), MiB(5), MEM_NVS);
    add(MiB(5), MiB(6), MEM_RESERVED);
    normalize();
    assert_int_equal(memmap_set(&out, KiB(512), MiB(5) + KiB(4), MEM_RESERVED), 0);
    /* Merged with the reserved range it reaches into; the gap is filled. */
    CHECK_MAP(&out, { 0, KiB(512), MEM_RAM }, { KiB(512), MiB(6), MEM_RESERVED });
}

static void set_ram_joins_neighbours(void **state)
{
    add(0, MiB(1), MEM_RAM);
    add(MiB(1), MiB(2), MEM_RESERVED);
    add(MiB(2), MiB(3), MEM_RAM);
    normalize();
    assert_int_equal(memmap_set(&out, MiB(1), MiB(2), MEM_RAM), 0);
    CHECK_MAP(&out, { 0, MiB(3), MEM_RAM });
}

static void set_in_gap_and_on_empty_map(void **state)
{
    normalize();
    assert_int_equal(memmap_set(&out, MiB(1), MiB(2), MEM_RESERVED), 0);
    CHECK_MAP(&out, { MiB(1), MiB(2), MEM_RESERVED });
    assert_int_equal(memmap_set(&out, MiB(8), MiB(9), MEM_RAM), 0);
    assert_int_equal(memmap_set(&out, MiB(4), MiB(5), MEM_ACPI), 0);
    CHECK_MAP(&out, { MiB(1), MiB(2), MEM_RESERVED }, { MiB(4), MiB(5), MEM_ACPI },
              { MiB(8), MiB(9), MEM_RAM });
    /* Empty and inverted requests change nothing. */
    assert_int_equal(memmap_set(&out, MiB(1), MiB(1), MEM_RAM), 0);
    assert_int_equal(memmap_set(&out, MiB(9), MiB(1), MEM_RAM), 0);
    assert_int_equal(out.nr, 3);
}

static void set_same_type_changes_nothing(void **state)
{
    add(0, MiB(4), MEM_RAM);
    normalize();
    assert_int_equal(memmap_set(&out, MiB(1), MiB(2), MEM_RAM), 0);
    CHECK_MAP(&out, { 0, MiB(4), MEM_RAM });
}

static void set_on_full_map_is_enospc(void **state)
{
    static struct memmap before;
    make_striped(&out, MEMMAP_MAX);
    check_normalized(&out);
    before = out;
    assert_int_equal(memmap_set(&out, MiB(8) + 0x1000, MiB(8) + 0x2000, MEM_UNUSABLE), -ENOSPC);
    assert_memory_equal(&out, &before, sizeof(out));
    assert_int_equal(memmap_set(&out, MiB(2) + 0x1000, MiB(3), MEM_NVS), -ENOSPC);   /* a gap */
    assert_memory_equal(&out, &before, sizeof(out));
}

/* A memmap_set() that fails leaves the map as it was; one whose result fits succeeds. */
static void set_result_filling_map_exactly(void **state)
{
    static struct memmap before;
    int rc;
    make_striped(&out, MEMMAP_MAX - 2);
    before = out;
    rc = memmap_set(&out, MiB(8) + 0x1000, MiB(8) + 0x2000, MEM_UNUSABLE);   /* 254 -> 256 */
    if (rc) {
        assert_int_equal(rc, -ENOSPC);
        if (memcmp(&out, &before, sizeof(out))) {
            fail_msg("memmap_set returned -ENOSPC but changed the map (now %u ranges)", out.nr);
        }
    }
    assert_int_equal(rc, 0);   /* 256 ranges fit in MEMMAP_MAX */
    assert_int_equal(out.nr, MEMMAP_MAX);
    check_normalized(&out);
    /* On a full map, replacing a whole range needs no more room. */
    assert_int_equal(memmap_set(&out, MiB(16), MiB(18), MEM_UNUSABLE), 0);
    assert_int_equal(out.nr, MEMMAP_MAX);
    check_normalized(&out);
}

static void total_and_ram_end(void **state)
{
    add(0, MiB(1), MEM_RAM);
    add(MiB(1), MiB(3), MEM_ACPI);
    add(MiB(4), MiB(8), MEM_RAM);
    add(GiB(4), GiB(4) + MiB(16), MEM_RESERVED);   /* above the last RAM */
    add(MiB(8), MiB(9), MEM_NVS);
    normalize();
    assert_int_equal(memmap_total(&out, MEM_RAM), MiB(5));
    assert_int_equal(memmap_total(&out, MEM_ACPI), MiB(2));
    assert_int_equal(memmap_total(&out, MEM_NVS), MiB(1));
    assert_int_equal(memmap_total(&out, MEM_RESERVED), MiB(16));
    assert_int_equal(memmap_total(&out, MEM_UNUSABLE), 0);
    assert_int_equal(memmap_ram_end(&out), MiB(8));
    in.nr = 0;
    add(0, MiB(1), MEM_RESERVED);
    normalize();
    assert_int_equal(memmap_ram_end(&out), 0);
}

static void efi_types(void **state)
{
    static const uint32_t want[16] = {
        [0] = MEM_RESERVED,   /* EfiReservedMemoryType */
        [1] = MEM_RAM,        /* EfiLoaderCode */
        [2] = MEM_RAM,        /* EfiLoaderData */
        [3] = MEM_RAM,        /* EfiBootServicesCode */
        [4] = MEM_RAM,        /* EfiBootServicesData */
        [5] = MEM_RESERVED,   /* EfiRuntimeServicesCode */
        [6] = MEM_RESERVED,   /* EfiRuntimeServicesData */
        [7] = MEM_RAM,        /* EfiConventionalMemory */
        [8] = MEM_UNUSABLE,   /* EfiUnusableMemory */
        [9] = MEM_ACPI,       /* EfiACPIReclaimMemory */
        [10] = MEM_NVS,       /* EfiACPIMemoryNVS */
        [11] = MEM_RESERVED,  /* EfiMemoryMappedIO */
        [12] = MEM_RESERVED,  /* EfiMemoryMappedIOPortSpace */
        [13] = MEM_RESERVED,  /* EfiPalCode */
        [14] = MEM_RESERVED,  /* EfiPersistentMemory */
        [15] = MEM_RESERVED,  /* EfiUnacceptedMemoryType: not usable until accepted */
    };
    for (uint32_t t = 0; t < 16; t++) {
        if (memmap_efi_type(t) != want[t]) {
            fail_msg("EFI type %u: %u, expected %u", t, memmap_efi_type(t), want[t]);
        }
    }
    assert_int_equal(memmap_efi_type(16), MEM_RESERVED);
    assert_int_equal(memmap_efi_type(0x70000000u), MEM_RESERVED);   /* OEM */
    assert_int_equal(memmap_efi_type(0x80000000u), MEM_RESERVED);   /* OS loader */
    assert_int_equal(memmap_efi_type(UINT32_MAX), MEM_RESERVED);
}

static void type_names(void **state)
{
    assert_string_equal(memmap_type_name(MEM_RAM), "RAM");
    assert_string_equal(memmap_type_name(MEM_RESERVED), "reserved");
    assert_string_equal(memmap_type_name(MEM_ACPI), "ACPI data");
    assert_string_equal(memmap_type_name(MEM_NVS), "ACPI NVS");
    assert_string_equal(memmap_type_name(MEM_UNUSABLE), "unusable");
    assert_string_equal(memmap_type_name(0), "reserved");
    assert_string_equal(memmap_type_name(99), "reserved");
}

/* The E820 map SeaBIOS gives a QEMU PC with -m 256 (what `qemu -kernel` hands over too). */
static void qemu_e820_256m(void **state)
{
    add(0, 0x9fc00, MEM_RAM);
    add(0x9fc00, 0xa0000, MEM_RESERVED);
    add(0xf0000, 0x100000, MEM_RESERVED);
    add(0x100000, 0xffe0000, MEM_RAM);
    add(0xffe0000, 0x10000000, MEM_RESERVED);
    add(0xfeffc000, 0xff000000, MEM_RESERVED);
    add(0xfffc0000, 0x100000000ull, MEM_RESERVED);
    normalize();
    CHECK_MAP(&out, { 0, 0x9f000, MEM_RAM }, { 0x9fc00, 0xa0000, MEM_RESERVED },
              { 0xf0000, 0x100000, MEM_RESERVED }, { 0x100000, 0xffe0000, MEM_RAM },
              { 0xffe0000, 0x10000000, MEM_RESERVED }, { 0xfeffc000, 0xff000000, MEM_RESERVED },
              { 0xfffc0000, 0x100000000ull, MEM_RESERVED });
    assert_int_equal(memmap_total(&out, MEM_RAM), 0xff7f000);   /* 255.5 MiB */
    assert_int_equal(memmap_ram_end(&out), 0xffe0000);
}

/* -m 6G: 3 GiB below the PCI hole, 3 GiB above 4 GiB; then the monitor image is reserved. */
static void qemu_e820_6g(void **state)
{
    add(0, 0x9fc00, MEM_RAM);
    add(0x9fc00, 0xa0000, MEM_RESERVED);
    add(0xf0000, 0x100000, MEM_RESERVED);
    add(0x100000, 0xbffe0000, MEM_RAM);
    add(0xbffe0000, 0xc0000000, MEM_RESERVED);
    add(0xfeffc000, 0xff000000, MEM_RESERVED);
    add(0xfffc0000, 0x100000000ull, MEM_RESERVED);
    add(0x100000000ull, 0x1c0000000ull, MEM_RAM);
    normalize();
    assert_int_equal(out.nr, 8);
    assert_int_equal(memmap_total(&out, MEM_RAM), 0x17ff7f000ull);
    assert_int_equal(memmap_total(&out, MEM_RAM), 0x9f000 + 0xbfee0000ull + GiB(3));
    assert_int_equal(memmap_ram_end(&out), 0x1c0000000ull);
    assert_int_equal(memmap_total(&out, MEM_RESERVED),
                     0x400 + 0x10000 + 0x20000 + 0x4000 + 0x40000);
    assert_int_equal(memmap_set(&out, MiB(1), MiB(1) + KiB(256), MEM_RESERVED), 0);
    assert_int_equal(out.nr, 8);   /* joins the BIOS area below it */
    assert_int_equal(out.r[2].start, 0xf0000);
    assert_int_equal(out.r[2].end, MiB(1) + KiB(256));
    assert_int_equal(out.r[3].start, MiB(1) + KiB(256));
    assert_int_equal(out.r[3].end, 0xbffe0000);
    assert_int_equal(memmap_total(&out, MEM_RAM), 0x17ff7f000ull - KiB(256));
}

/* A typical OVMF map (q35, -m 256, booted by GRUB), as EFI descriptors are converted. */
static void ovmf_efi_map(void **state)
{
    static const struct {
        uint32_t type;
        uint64_t start, pages;
    } desc[] = {
        { 7, 0x0, 0xa0 },             { 7, 0x100000, 0x700 },       { 10, 0x800000, 0x8 },
        { 7, 0x808000, 0x3 },         { 10, 0x80b000, 0x1 },        { 7, 0x80c000, 0x5 },
        { 10, 0x811000, 0xef },       { 4, 0x900000, 0x300 },       { 7, 0xc00000, 0xd400 },
        { 1, 0xe000000, 0x20 },       { 2, 0xe020000, 0xe0 },       { 4, 0xe100000, 0xa00 },
        { 3, 0xeb00000, 0x100 },      { 6, 0xec00000, 0x100 },      { 4, 0xed00000, 0x100 },
        { 5, 0xee00000, 0x80 },       { 3, 0xee80000, 0x180 },      { 7, 0xf000000, 0x800 },
        { 9, 0xf800000, 0x80 },       { 10, 0xf880000, 0x80 },      { 4, 0xf900000, 0x300 },
        { 6, 0xfc00000, 0x300 },      { 10, 0xff00000, 0x100 },     { 11, 0xb0000000, 0x10000 },
        { 11, 0xffc00000, 0x400 },
    };
    for (int pass = 0; pass < 2; pass++) {   /* in firmware order, then reversed */
        in.nr = 0;
        for (unsigned int k = 0; k < ARRAY_SIZE(desc); k++) {
            unsigned int i = pass ? ARRAY_SIZE(desc) - 1 - k : k;
            add(desc[i].start, desc[i].start + (desc[i].pages << 12),
                memmap_efi_type(desc[i].type));
        }
        normalize();
        CHECK_MAP(&out, { 0x0, 0xa0000, MEM_RAM }, { 0x100000, 0x800000, MEM_RAM },
                  { 0x800000, 0x808000, MEM_NVS }, { 0x808000, 0x80b000, MEM_RAM },
                  { 0x80b000, 0x80c000, MEM_NVS }, { 0x80c000, 0x811000, MEM_RAM },
                  { 0x811000, 0x900000, MEM_NVS },
                  /* boot services, conventional and loader memory: one RAM range */
                  { 0x900000, 0xec00000, MEM_RAM }, { 0xec00000, 0xed00000, MEM_RESERVED },
                  { 0xed00000, 0xee00000, MEM_RAM }, { 0xee00000, 0xee80000, MEM_RESERVED },
                  { 0xee80000, 0xf800000, MEM_RAM }, { 0xf800000, 0xf880000, MEM_ACPI },
                  { 0xf880000, 0xf900000, MEM_NVS }, { 0xf900000, 0xfc00000, MEM_RAM },
                  { 0xfc00000, 0xff00000, MEM_RESERVED }, { 0xff00000, 0x10000000, MEM_NVS },
                  { 0xb0000000, 0xc0000000, MEM_RESERVED },
                  { 0xffc00000, 0x100000000ull, MEM_RESERVED });
        assert_int_equal(memmap_total(&out, MEM_RAM), 0xf828000);
        assert_int_equal(memmap_ram_end(&out), 0xfc00000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(add_drops_empty_and_inverted_ranges, reset),
        cmocka_unit_test_setup(add_to_full_map_is_enospc, reset),
        cmocka_unit_test_setup(normalize_empty_map, reset),
        cmocka_unit_test_setup(normalize_sorts, reset),
        cmocka_unit_test_setup(normalize_merges_adjacent_same_type, reset),
        cmocka_unit_test_setup(normalize_merges_duplicates_and_nested_same_type, reset),
        cmocka_unit_test_setup(normalize_overlap_more_restrictive_wins, reset),
        cmocka_unit_test_setup(normalize_partial_overlaps_chain, reset),
        cmocka_unit_test_setup(normalize_unknown_types_become_reserved, reset),
        cmocka_unit_test_setup(normalize_rounds_ram_inward, reset),
        cmocka_unit_test_setup(normalize_rounds_ram_around_reserved, reset),
        cmocka_unit_test_setup(normalize_ram_split_off_page_keeps_pages, reset),
        cmocka_unit_test_setup(normalize_ram_at_top_of_address_space, reset),
        cmocka_unit_test_setup(normalize_ignores_empty_and_inverted_input, reset),
        cmocka_unit_test_setup(set_carves_hole_in_middle, reset),
        cmocka_unit_test_setup(set_at_edges, reset),
        cmocka_unit_test_setup(set_spanning_several_ranges, reset),
        cmocka_unit_test_setup(set_ram_joins_neighbours, reset),
        cmocka_unit_test_setup(set_in_gap_and_on_empty_map, reset),
        cmocka_unit_test_setup(set_same_type_changes_nothing, reset),
        cmocka_unit_test_setup(set_on_full_map_is_enospc, reset),
        cmocka_unit_test_setup(set_result_filling_map_exactly, reset),
        cmocka_unit_test_setup(total_and_ram_end, reset),
        cmocka_unit_test_setup(efi_types, reset),
        cmocka_unit_test_setup(type_names, reset),
        cmocka_unit_test_setup(qemu_e820_256m, reset),
        cmocka_unit_test_setup(qemu_e820_6g, reset),
        cmocka_unit_test_setup(ovmf_efi_map, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
