/*
 * Boot-time frame allocation before the frame table exists: frames are taken from the RAM
 * map below 4 GiB and recorded, so the buddy allocator never hands them out.  Boot only.
 */
#ifndef MM_BOOTMEM_H
#define MM_BOOTMEM_H

#include "mm/memmap.h"

/* Starts from the normalized machine map. */
void bootmem_init(const struct memmap *machine_map);

/* Removes [start, end) from what may be allocated or freed (image, modules, firmware). */
void bootmem_reserve(paddr_t start, paddr_t end);

/* Takes n contiguous frames below 4 GiB, highest first; panics when there is no room. */
paddr_t bootmem_alloc(unsigned int n);

/* RAM that is neither reserved nor allocated: what the buddy allocator receives. */
const struct memmap *bootmem_free_map(void);

/* Bytes taken by bootmem_alloc (page tables, frame table). */
uint64_t bootmem_allocated(void);

#endif
