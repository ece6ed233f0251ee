/* Machine frame allocation for the whole monitor: the frame table and the locked buddy. */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include "mm/buddy.h"
#include "arch/x86/layout.h"
#include "mm/memmap.h"

#define FRAMETABLE_START_PTR ((uintptr_t)FRAMETABLE_START)

#define FRAME_BELOW_4G (1u << 0)   /* flag: the frames must lie below 4 GiB */

/* Frames the frame table covers: [0, frame_table_frames). */
extern uint32_t frame_table_frames;

static inline struct page_info *mfn_to_page(mfn_t m)
{
    return (struct page_info *)FRAMETABLE_START_PTR + mfn_x(m);
}

/*
 * Maps and fills the frame table for the machine map, then frees into the buddy allocator
 * every frame of free_map (RAM nobody reserved).  Boot only.
 */
void frame_table_init(const struct memmap *machine_map, const struct memmap *free_map);

/* 2^order contiguous frames owned by the monitor; INVALID_MFN_RAW in .mfn when none. */
mfn_t alloc_frames(unsigned int order, unsigned int flags);

/* Frees what alloc_frames returned; a double or wrong free is a monitor bug (panic). */
void free_frames(mfn_t first, unsigned int order);

/*
 * Makes each frame of a block alloc_frames(order) returned a block of its own, so that they
 * can be freed one at a time (free_frames(frame, 0)); a wrong block is a monitor bug (panic).
 */
void split_frames(mfn_t first, unsigned int order);

uint32_t frames_free(void);

#endif
