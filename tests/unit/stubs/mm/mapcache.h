/*
 * Host stand-in for mm/mapcache.h: the monitor's map_frame() and unmap_frame() are inline
 * over the per-CPU window; here they are functions of stubs/frames.c over host memory, with
 * the same limit of MAPCACHE_SLOTS mappings at a time.
 */
#ifndef MM_MAPCACHE_H
#define MM_MAPCACHE_H

#include "kernel/types.h"

void *map_frame(mfn_t mfn);
void unmap_frame(const void *va);
void clear_frame(mfn_t mfn);

#endif
