/*
 * Buddy allocator over the frame table, in two zones (below and above 4 GiB) so page
 * tables and DMA buffers can be had low.  Pure logic: the caller holds the lock
 * (mm/page_alloc.c); unit-tested on the host.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include "mm/frame.h"

#define BUDDY_MAX_ORDER 10        /* largest block: 4 MiB */
#define BUDDY_ZONES     2
#define ZONE_LOW        (1u << 0) /* frames below 4 GiB */
#define ZONE_HIGH       (1u << 1)
#define ZONE_ANY        (ZONE_LOW | ZONE_HIGH)

struct buddy {
    struct page_info *frames;     /* indexed by frame number */
    uint32_t nr_frames;
    uint32_t zone_split;          /* first frame of the high zone */
    uint32_t free_head[BUDDY_ZONES][BUDDY_MAX_ORDER + 1];
    uint32_t free_frames[BUDDY_ZONES];
};

/* frames[0..nr) must be FRAME_RESERVED; nothing is free until buddy_add_range(). */
void buddy_init(struct buddy *b, struct page_info *frames, uint32_t nr, uint32_t zone_split);

/* Frees reserved frames [start, end) into the allocator; -EINVAL if any is not reserved. */
int buddy_add_range(struct buddy *b, uint32_t start, uint32_t end);

/*
 * Allocates 2^order contiguous, naturally aligned frames from the zones in zone_mask,
 * preferring the high zone.  Returns the first frame number, or NO_FRAME.
 */
uint32_t buddy_alloc(struct buddy *b, unsigned int order, unsigned int zone_mask);

/* Frees a block buddy_alloc returned; -EINVAL for a double free or a wrong block. */
int buddy_free(struct buddy *b, uint32_t first, unsigned int order);

/*
 * Turns the allocated block [first, first + 2^order) into 2^order allocated blocks of
 * order 0, each of which may then be freed on its own (and merges back when all are).
 * -EINVAL unless first starts an allocated block of that order.
 */
int buddy_split(struct buddy *b, uint32_t first, unsigned int order);

uint32_t buddy_free_count(const struct buddy *b, unsigned int zone_mask);

#endif
