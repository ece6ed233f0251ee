/*
 * Host stand-in for mm/page_alloc.h.  The monitor's frame table lives at FRAMETABLE_START,
 * an address a host process cannot have; here it is an array that stubs/frames.c allocates
 * (stub_frames_init).  Same declarations otherwise; frame_table_init, alloc_frames and
 * frames_free have no host version (a test that calls them fails to link).
 */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include "mm/buddy.h"
#include "arch/x86/layout.h"
#include "mm/memmap.h"

#define FRAME_BELOW_4G (1u << 0)   /* flag: the frames must lie below 4 GiB */

/* Frames the frame table covers: [0, frame_table_frames). */
extern uint32_t frame_table_frames;

/* The host frame table (stubs/frames.c). */
extern struct page_info *stub_frame_table;

static inline struct page_info *mfn_to_page(mfn_t m)
{
    return stub_frame_table + mfn_x(m);
}

void frame_table_init(const struct memmap *machine_map, const struct memmap *free_map);
mfn_t alloc_frames(unsigned int order, unsigned int flags);
/* Host version: records the free, poisons the frame, marks it free; fails a double free. */
void free_frames(mfn_t first, unsigned int order);
uint32_t frames_free(void);

#endif
