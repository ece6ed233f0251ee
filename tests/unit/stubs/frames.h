/*
 * Host frame table for unit tests of the PV memory code (stubs/frames.c, page_freed.c): a
 * small frame table with one host page per frame; map_frame/unmap_frame over those pages
 * with the monitor's per-CPU slot limit; free_frames and page_freed recording their calls.
 */
#ifndef UNIT_STUBS_FRAMES_H
#define UNIT_STUBS_FRAMES_H

#include "kernel/types.h"
#include "mm/frame.h"

/* A table of nr frames, all FRAME_RESERVED, owner DOMID_NONE, zeroed; replaces the last. */
void stub_frames_init(uint32_t nr);
/* Frees the table; fails the test if a mapping was left. */
void stub_frames_fini(void);

/* The host page behind frame mfn, for setting up and checking contents (not a mapping). */
void *stub_frame_mem(uint32_t mfn);

/* map_frame mappings not yet undone, and the deepest nesting since stub_frames_init. */
unsigned int stub_maps_live(void);
unsigned int stub_maps_deepest(void);

/* free_frames calls since stub_frames_init: of frame mfn, and in all. */
unsigned int stub_frees_of(uint32_t mfn);
unsigned int stub_frees_total(void);

/* page_freed calls since stub_frames_init, in order. */
struct stub_freed {
    uint16_t owner;
    uint32_t mfn;
};
#define STUB_FREED_MAX 256
unsigned int stub_freed_count(void);
const struct stub_freed *stub_freed_at(unsigned int i);
void stub_freed_reset(void);

#endif
