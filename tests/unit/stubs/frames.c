/* Host frame table, temporary mappings and frame frees for unit tests (see frames.h). */
#include <stdlib.h>
#include <string.h>

#include "../unit.h"
#include "frames.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"

uint32_t frame_table_frames;
struct page_info *stub_frame_table;

static uint8_t *pages;               /* frame_table_frames pages, page-aligned */
static unsigned int *frees;          /* free_frames calls per frame */
static unsigned int frees_total;
static uint32_t slot_mfn[MAPCACHE_SLOTS];
static uint32_t slots_used;          /* bit per slot, as in mm/mapcache.c */
static unsigned int deepest;

void stub_frames_init(uint32_t nr)
{
    stub_frames_fini();
    stub_frame_table = calloc(nr, sizeof(*stub_frame_table));
    pages = aligned_alloc(PAGE_SIZE, (size_t)nr * PAGE_SIZE);
    frees = calloc(nr, sizeof(*frees));
    if (!stub_frame_table || !pages || !frees) {
        fail_msg("stub_frames_init: out of host memory");
    }
    memset(pages, 0, (size_t)nr * PAGE_SIZE);
    for (uint32_t f = 0; f < nr; f++) {
        stub_frame_table[f].state = FRAME_RESERVED;
        stub_frame_table[f].owner = DOMID_NONE;
    }
    frame_table_frames = nr;
    frees_total = 0;
    slots_used = 0;
    deepest = 0;
    stub_freed_reset();
}

void stub_frames_fini(void)
{
    unsigned int live = stub_maps_live();
    free(stub_frame_table);
    free(pages);
    free(frees);
    stub_frame_table = NULL;
    pages = NULL;
    frees = NULL;
    frame_table_frames = 0;
    slots_used = 0;
    if (live) {
        fail_msg("%u frame mappings were never undone", live);
    }
}

void *stub_frame_mem(uint32_t mfn)
{
    if (mfn >= frame_table_frames) {
        fail_msg("stub_frame_mem: frame %u is outside the table of %u", mfn, frame_table_frames);
    }
    return pages + (size_t)mfn * PAGE_SIZE;
}

unsigned int stub_maps_live(void)
{
    return (unsigned int)__builtin_popcount(slots_used);
}

unsigned int stub_maps_deepest(void)
{
    return deepest;
}

unsigned int stub_frees_of(uint32_t mfn)
{
    return mfn < frame_table_frames ? frees[mfn] : 0;
}

unsigned int stub_frees_total(void)
{
    return frees_total;
}

/* As in the monitor: MAPCACHE_SLOTS mappings at a time, more is a monitor bug. */
void *map_frame(mfn_t mfn)
{
    unsigned int slot;
    if (slots_used == (1u << MAPCACHE_SLOTS) - 1) {
        fail_msg("map_frame: all %d slots in use", MAPCACHE_SLOTS);
    }
    if (mfn_x(mfn) >= frame_table_frames) {
        fail_msg("map_frame: frame %u is outside the host frame table", mfn_x(mfn));
    }
    slot = (unsigned int)__builtin_ctz(~slots_used);
    slots_used |= 1u << slot;
    slot_mfn[slot] = mfn_x(mfn);
    if (stub_maps_live() > deepest) {
        deepest = stub_maps_live();
    }
    return stub_frame_mem(mfn_x(mfn));
}

/* Undoes one mapping of the frame va lies in; a frame not mapped is a monitor bug. */
void unmap_frame(const void *va)
{
    const uint8_t *p = va;
    size_t nbytes = (size_t)frame_table_frames * PAGE_SIZE;
    uint32_t mfn;
    if (!pages || p < pages || p >= pages + nbytes) {
        fail_msg("unmap_frame: %p is no frame mapping", va);
    }
    mfn = (uint32_t)((size_t)(p - pages) / PAGE_SIZE);
    for (unsigned int s = 0; s < MAPCACHE_SLOTS; s++) {
        if ((slots_used & (1u << s)) && slot_mfn[s] == mfn) {
            slots_used &= ~(1u << s);
            return;
        }
    }
    fail_msg("unmap_frame: frame %u is not mapped", mfn);
}

void clear_frame(mfn_t mfn)
{
    memset(stub_frame_mem(mfn_x(mfn)), 0, PAGE_SIZE);
}

/* As mm/page_alloc.c with the buddy: poisons, marks free; a double free is a monitor bug. */
void free_frames(mfn_t first, unsigned int order)
{
    for (uint32_t i = 0; i < (1u << order); i++) {
        uint32_t f = mfn_x(first) + i;
        if (f >= frame_table_frames || stub_frame_table[f].state != FRAME_ALLOCATED) {
            fail_msg("free_frames: frame %u freed but not allocated (double free?)", f);
        }
        memset(stub_frame_mem(f), 0xA5, PAGE_SIZE);
        stub_frame_table[f].state = FRAME_FREE;
        stub_frame_table[f].owner = DOMID_NONE;
        frees[f]++;
        frees_total++;
    }
}
