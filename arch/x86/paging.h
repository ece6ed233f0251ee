/* The monitor's own page tables: PAE entries, early and final set-up, device mappings. */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "arch/x86/asm.h"
#include "arch/x86/layout.h"
#include "kernel/types.h"

typedef uint64_t pte_t;

#define PTE_P      (1ull << 0)
#define PTE_RW     (1ull << 1)
#define PTE_US     (1ull << 2)
#define PTE_PWT    (1ull << 3)
#define PTE_PCD    (1ull << 4)
#define PTE_A      (1ull << 5)
#define PTE_D      (1ull << 6)
#define PTE_PS     (1ull << 7)
#define PTE_G      (1ull << 8)
#define PTE_NX     (1ull << 63)
#define PTE_ADDR   0x000FFFFFFFFFF000ull

/* Set when the CPU supports NX (EFER.NXE is on); else PTE_NX must never be written. */
extern pte_t pte_nx;

/* Virtual address of a machine address inside the monitor image (< 4 MiB). */
#define image_va(pa)  ((void *)(uintptr_t)(MONITOR_VIRT + (uint32_t)(pa)))
#define image_pa(va)  ((paddr_t)((uintptr_t)(va) - MONITOR_VIRT))

/*
 * Before paging_init(): maps [pa, pa + len) (len <= 2 MiB) through the boot window and
 * returns its address, valid until the next call.  Boot only.
 */
void *early_map(paddr_t pa, size_t len);

/* Builds the final monitor page tables and drops the identity map. */
void paging_init(void);

/*
 * Maps device or firmware memory [pa, pa + len) into the fixmap window for the rest of the
 * monitor's life; uncached when asked.  Returns its address, or NULL if the window is full
 * (the caller reports it).  Needs paging_init().
 */
void *ioremap(paddr_t pa, size_t len, bool uncached);

/* Maps a linear framebuffer into its 16 MiB window (write-combining when possible). */
void *fb_remap(paddr_t pa, size_t len);

/* Maps one frame at a monitor virtual address inside the monitor window (boot-time users). */
void map_page(uintptr_t va, paddr_t pa, pte_t flags);
void unmap_page(uintptr_t va);

/*
 * Replaces a live page-table entry holding old, so that the CPU's page walker never sees
 * a torn one (an i686 has no single 64-bit store in general registers): when the high
 * halves differ, the entry is made not present first, then the high half written, then
 * the low half with P.
 */
static inline void pte_replace(pte_t *p, pte_t old, pte_t val)
{
    volatile uint32_t *w = (volatile uint32_t *)p;
    if ((uint32_t)(old >> 32) != (uint32_t)(val >> 32)) {
        w[0] = 0;
        w[1] = (uint32_t)(val >> 32);
    }
    w[0] = (uint32_t)val;
}

/* pte_replace() of whatever the entry holds. */
static inline void pte_write(pte_t *p, pte_t val)
{
    pte_replace(p, *(volatile pte_t *)p, val);
}

/* Flushes this CPU's non-global TLB entries (everything a guest can map). */
static inline void flush_tlb_local(void) { write_cr3(read_cr3()); }

/* Machine address behind a mapped monitor virtual address (panics if unmapped). */
paddr_t virt_to_maddr(uintptr_t va);

#endif
