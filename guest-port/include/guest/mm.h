/* Guest memory: PAE entries, the P2M and M2P, mapping pages and a pool of free frames. */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "guest/lib.h"
#include "guest/runtime.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096UL

/* x86 PAE page-table entry bits (the architecture's, not the ABI's). */
#define _PAGE_PRESENT  0x001ULL
#define _PAGE_RW       0x002ULL
#define _PAGE_USER     0x004ULL
#define _PAGE_PWT      0x008ULL
#define _PAGE_PCD      0x010ULL
#define _PAGE_ACCESSED 0x020ULL
#define _PAGE_DIRTY    0x040ULL
#define _PAGE_PSE      0x080ULL
#define _PAGE_NX       (1ULL << 63)
#define PTE_ADDR_MASK  0x000FFFFFFFFFF000ULL

typedef uint64_t pte_t;

static inline pte_t pte_make(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

static inline unsigned long pte_mfn(pte_t pte)
{
    return (unsigned long)((pte & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

/* Kernel data page and user data page flags. */
#define PTE_KERNEL_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_USER_RW   (PTE_KERNEL_RW | _PAGE_USER)

/*
 * The start-of-day region maps VA GUEST_VIRT_BASE + pfn * 4096 onto pfn.  These hold for
 * addresses inside it (the image, P2M, start_info, page tables, boot stack, padding).
 */
static inline unsigned long va_to_pfn(const void *va)
{
    return ((uintptr_t)va - GUEST_VIRT_BASE) >> PAGE_SHIFT;
}

static inline void *pfn_to_va(unsigned long pfn)
{
    return (void *)(GUEST_VIRT_BASE + (pfn << PAGE_SHIFT));
}

/* P2M (start_info.mfn_list) and the monitor's read-only M2P at MACH2PHYS_VIRT_START. */
unsigned long pfn_to_mfn(unsigned long pfn);
unsigned long mfn_to_pfn(unsigned long mfn);

static inline unsigned long va_to_mfn(const void *va)
{
    return pfn_to_mfn(va_to_pfn(va));
}

/* Machine address of a byte in the start-of-day region. */
static inline uint64_t va_to_maddr(const void *va)
{
    return ((uint64_t)va_to_mfn(va) << PAGE_SHIFT) | ((uintptr_t)va & (PAGE_SIZE - 1));
}

/*
 * A read-only pointer to the L1 entry that maps va, walking from start_info.pt_base
 * through the M2P; NULL when an upper level is not present or a table lies outside the
 * start-of-day region.
 */
const volatile pte_t *pte_lookup(uintptr_t va);

/* update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL). */
int map_page(uintptr_t va, pte_t pte);
int unmap_page(uintptr_t va);

/* Sets (user true) or clears _PAGE_USER in va's L1 entry, keeping the other bits. */
int page_set_user(uintptr_t va, bool user);

/* Makes va's mapping read-only (the frame keeps its other mappings). */
int page_set_readonly(uintptr_t va);

/*
 * Free frames: every pfn from pfn(pt_base) + nr_pt_frames + 1 (past the page tables and
 * the monitor's boot stack, which the runtime does not use) to nr_pages is free RAM.
 * frame_alloc() returns a pfn, or 0 when none is left; frame_free() returns one.  Their
 * contents are not cleared.
 */
unsigned long frame_alloc(void);
void frame_free(unsigned long pfn);
unsigned long frames_free_count(void);

/* The end of the start-of-day mapping (exclusive), found by walking the page tables. */
uintptr_t bootstrap_mapped_end(void);

#endif
