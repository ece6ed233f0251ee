/* Frames and helpers of the page-type unit test (see pagetype_fixture.h). */
#include <string.h>

#include "unit.h"
#include "pagetype_fixture.h"
#include "stubs/descriptor.h"

struct page_info before[NR_FRAMES];

void snapshot(void)
{
    memcpy(before, stub_frame_table, sizeof(before));
}

void frames_unchanged(void)
{
    for (uint32_t f = 0; f < NR_FRAMES; f++) {
        const struct page_info *a = &before[f], *b = pg(f);
        if (a->u.use.count_info != b->u.use.count_info ||
            a->u.use.type_info != b->u.use.type_info || a->state != b->state ||
            a->owner != b->owner) {
            fail_msg("frame %u: count %#x type %#x state %u owner %u, was %#x %#x %u %u", f,
                     b->u.use.count_info, b->u.use.type_info, b->state, b->owner,
                     a->u.use.count_info, a->u.use.type_info, a->state, a->owner);
        }
    }
    assert_int_equal(stub_maps_live(), 0);
}

static void own(uint32_t f, uint16_t owner)
{
    pg(f)->state = FRAME_ALLOCATED;
    pg(f)->owner = owner;
    pg(f)->u.use.count_info = PGC_allocated | 1;
    pg(f)->u.use.type_info = PGT_none;
}

int pagetype_setup(void **state)
{
    stub_frames_init(NR_FRAMES);
    pg(F_FREE)->state = FRAME_FREE;
    own(F_MONITOR, DOMID_MONITOR);
    own(F_FOREIGN, OTHER);
    for (uint32_t f = 4; f < NR_FRAMES; f++) {
        own(f, DOM);
    }
    /* Frames beyond the table: touching them through the frame table would be caught. */
    for (unsigned int i = 0; i < ARRAY_SIZE(monitor_l2_entries); i++) {
        monitor_l2_entries[i] = ent(0x100000u + i, PTE_P | PTE_RW | PTE_A | PTE_D);
    }
    stub_cr3_writes = 0;
    stub_panic_count = 0;
    stub_descriptor_refused = ~0ull;
    pte_nx = PTE_NX;
    snapshot();
    return 0;
}

int pagetype_teardown(void **state)
{
    unsigned int live = stub_maps_live();
    stub_frames_fini();
    assert_int_equal(live, 0);
    return 0;
}

void drop_allocation(uint32_t f)
{
    pg(f)->u.use.count_info &= ~PGC_allocated;
    page_put(pg(f));
}
