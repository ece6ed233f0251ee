/*
 * The monitor's small-object heap: size classes of 16..2048 bytes in one-page slabs, and
 * whole pages for larger objects.  kfree() detects double frees and foreign pointers.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "kernel/types.h"

/* How many allocations above 2048 bytes (whole pages) may be live at once. */
#define HEAP_LARGE_MAX 512

/* Zeroed memory, 16-byte aligned (page aligned above 2048 bytes); NULL when out of memory. */
void *kmalloc(size_t size);
/* NULL is allowed; a pointer kmalloc did not return, or a double free, is a monitor bug. */
void kfree(void *p);

/* Statistics for the memory summary. */
struct heap_stats {
    size_t slab_pages, large_pages, bytes_in_use;
};
void heap_stats(struct heap_stats *st);

/*
 * The page source the heap is built on (mm/vmap.c in the monitor, a stub in host tests):
 * n contiguous zeroed pages of virtual memory, and their release.
 */
void *heap_pages_alloc(size_t n);
void heap_pages_free(void *p, size_t n);

/*
 * Long-lived mappings of existing machine memory (boot modules, shared-info pages) in the
 * heap window; NULL when the window has no room.
 */
void *vmap_machine(paddr_t pa, size_t len);
void vunmap_machine(const void *p, size_t len);

/* Result of checking a pointer passed to kfree, exposed for tests. */
enum heap_free_result { HEAP_FREED, HEAP_DOUBLE_FREE, HEAP_BAD_POINTER };
enum heap_free_result heap_free_checked(void *p);

#endif
