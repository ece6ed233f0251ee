/*
 * Machine memory maps: the loader's list (E820-style, Multiboot 1/2, or EFI descriptors
 * converted) turned into a sorted list of disjoint ranges, one type each.  Pure logic, no
 * hardware access: unit-tested on the host.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "kernel/types.h"

/* E820 numbering, which Multiboot uses too. */
enum mem_type {
    MEM_RAM = 1,
    MEM_RESERVED = 2,
    MEM_ACPI = 3,      /* ACPI tables, reclaimable after they are read */
    MEM_NVS = 4,
    MEM_UNUSABLE = 5,
};

struct mem_range {
    uint64_t start, end;  /* [start, end), bytes */
    uint32_t type;        /* enum mem_type */
};

#define MEMMAP_MAX 256

struct memmap {
    unsigned int nr;
    struct mem_range r[MEMMAP_MAX];
};

/* Appends a range (empty ones and end < start are dropped); -ENOSPC when full. */
int memmap_add(struct memmap *m, uint64_t start, uint64_t end, uint32_t type);

/*
 * Writes the normalized form of in to out: sorted, disjoint, neighbours of one type merged,
 * unknown types as MEM_RESERVED.  Where ranges overlap, the more restrictive type wins
 * (RAM < ACPI < NVS < RESERVED < UNUSABLE).  RAM ranges are shrunk to whole pages.
 */
void memmap_normalize(const struct memmap *in, struct memmap *out);

/* Marks [start, end) as type in a normalized map, keeping it normalized; -ENOSPC if full. */
int memmap_set(struct memmap *m, uint64_t start, uint64_t end, uint32_t type);

/* Bytes of the given type. */
uint64_t memmap_total(const struct memmap *m, uint32_t type);

/* Highest end address of a RAM range, 0 if none. */
uint64_t memmap_ram_end(const struct memmap *m);

/* EFI memory descriptor type to mem_type. */
uint32_t memmap_efi_type(uint32_t efi_type);

const char *memmap_type_name(uint32_t type);

#endif
