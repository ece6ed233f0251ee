/*
 * Temporary mappings of any machine frame, including frames above 4 GiB: a per-CPU window
 * of MAPCACHE_SLOTS pages.  A mapping is valid on the CPU that made it until unmap_frame().
 */
#ifndef MM_MAPCACHE_H
#define MM_MAPCACHE_H

#include "kernel/types.h"

/* Maps the frame read-write; panics if this CPU has all its slots in use (a monitor bug). */
void *map_frame(mfn_t mfn);
void unmap_frame(const void *va);

/* Zeroes a frame through a temporary mapping. */
void clear_frame(mfn_t mfn);

#endif
