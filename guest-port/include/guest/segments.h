/* Segment descriptors and a guest GDT of its own (set_gdt, update_descriptor). */
#ifndef GUEST_SEGMENTS_H
#define GUEST_SEGMENTS_H

#include "guest/lib.h"

/*
 * Guest segments end where the monitor begins: flat descriptors reach 0xF67FFFFF at most
 * (limit 0xF67FF with 4 KiB granularity), so that the monitor need not truncate them.
 */
#define GUEST_SEG_LIMIT_PAGES 0xF67FFUL

#define SEG_TYPE_CODE 0xB /* execute/read, accessed */
#define SEG_TYPE_DATA 0x3 /* read/write, accessed */

/* A present, 32-bit, page-granular code or data descriptor (S = 1). */
uint64_t seg_descriptor(uint32_t base, uint32_t limit_pages, unsigned int type, unsigned int dpl);

/* Loads sel into %fs / reads %fs (for checking that a GDT entry is usable). */
static inline void seg_load_fs(uint16_t sel)
{
    __asm__ volatile("movw %0, %%fs" ::"rm"(sel) : "memory");
}

static inline uint16_t seg_read_fs(void)
{
    uint16_t sel;
    __asm__ volatile("movw %%fs, %0" : "=rm"(sel));
    return sel;
}

/* Reads the 32-bit word at offset off through %fs. */
static inline uint32_t seg_fs_read32(uint32_t off)
{
    uint32_t v;
    __asm__ volatile("movl %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

/*
 * Hands the page-aligned, page-sized table gdt (of which the first entries descriptors
 * are used) to the monitor: first makes its only mapping read-only (a frame mapped
 * writable cannot become a descriptor page), then calls set_gdt with its MFN.  On failure
 * the mapping stays read-only.  Returns 0 or the errno of the failing hypercall; *what
 * names that hypercall.
 */
int gdt_install(uint64_t *gdt, unsigned int entries, const char **what);

#endif
