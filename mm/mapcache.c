/* Temporary per-CPU mappings of machine frames through the mapcache window. */
#include "mm/mapcache.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "kernel/lib.h"
#include "kernel/panic.h"

/* The window's L1 lives in the image so it works before any other allocation. */
pte_t mapcache_l1[512] __aligned(4096) __section(".bss.page_aligned");
static_assert(MAX_CPUS * MAPCACHE_SLOTS * PAGE_SIZE <= MAPCACHE_END - MAPCACHE_START,
              "mapcache window too small");

void *map_frame(mfn_t mfn)
{
    struct percpu *pc = this_cpu();
    uint32_t flags = irq_save();
    unsigned int slot, idx;
    uintptr_t va;
    if (pc->mapcache_used == (1u << MAPCACHE_SLOTS) - 1) {
        panic("mapcache: all %d slots of CPU %u in use", MAPCACHE_SLOTS, pc->cpu);
    }
    slot = (unsigned int)__builtin_ctz(~pc->mapcache_used);
    pc->mapcache_used |= 1u << slot;
    irq_restore(flags);
    idx = pc->cpu * MAPCACHE_SLOTS + slot;
    va = MAPCACHE_START + idx * PAGE_SIZE;
    mapcache_l1[idx] = mfn_to_paddr(mfn) | PTE_P | PTE_RW | PTE_A | PTE_D | pte_nx;
    invlpg((void *)va);
    return (void *)va;
}

void unmap_frame(const void *va)
{
    struct percpu *pc = this_cpu();
    uintptr_t v = (uintptr_t)va & PAGE_MASK;
    unsigned int idx = (unsigned int)((v - MAPCACHE_START) / PAGE_SIZE);
    unsigned int slot = idx - pc->cpu * MAPCACHE_SLOTS;
    uint32_t flags;
    BUG_ON(v < MAPCACHE_START || slot >= MAPCACHE_SLOTS || !(pc->mapcache_used & (1u << slot)));
    mapcache_l1[idx] = 0;
    invlpg((void *)v);
    flags = irq_save();
    pc->mapcache_used &= ~(1u << slot);
    irq_restore(flags);
}

void clear_frame(mfn_t mfn)
{
    void *p = map_frame(mfn);
    memset(p, 0, PAGE_SIZE);
    unmap_frame(p);
}
