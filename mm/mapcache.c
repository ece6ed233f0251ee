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

/* Any free slot of this CPU (the one map_frame() preferred was taken). */
unsigned int mapcache_claim_any(struct percpu *pc)
{
    for (;;) {
        uint32_t free = ~READ_ONCE(pc->mapcache_used) & ((1u << MAPCACHE_SLOTS) - 1);
        unsigned int slot;
        if (!free) {
            panic("mapcache: all %d slots of CPU %u in use", MAPCACHE_SLOTS, pc->cpu);
        }
        slot = (unsigned int)__builtin_ctz(free);
        if (!test_and_set_bit_local(&pc->mapcache_used, slot)) {
            return slot;
        }
    }
}

/* Points a slot this CPU has claimed at mfn. */
void mapcache_set(struct percpu *pc, unsigned int slot, mfn_t mfn)
{
    uintptr_t va = mapcache_slot_va(pc, slot);
    pc->mapcache_mfn[slot] = mfn_x(mfn) + 1;
    mapcache_l1[pc->cpu * MAPCACHE_SLOTS + slot] =
        mfn_to_paddr(mfn) | PTE_P | PTE_RW | PTE_A | PTE_D | pte_nx;
    invlpg((void *)va);
}

void mapcache_bad_unmap(const void *va)
{
    panic("mapcache: unmap_frame(%p) of a slot that is not mapped on CPU %u", va,
          smp_processor_id());
}

void clear_frame(mfn_t mfn)
{
    void *p = map_frame(mfn);
    memset(p, 0, PAGE_SIZE);
    unmap_frame(p);
}
