/*
 * Temporary mappings of any machine frame, including frames above 4 GiB: a per-CPU window
 * of MAPCACHE_SLOTS pages.  A mapping is valid on the CPU that made it until unmap_frame().
 *
 * A slot keeps its mapping after unmap_frame(): mapping the same frame again while the
 * slot is free costs no page-table write and no TLB flush.  A frame goes to the slot its
 * number hashes to when that one is free, so the hot users (page-table updates, which map
 * the same few tables over and over) find it there; that case is inline.  Slots are
 * claimed with one bit-test-and-set instruction, so an interrupt handler that maps frames
 * on the same CPU needs no interrupts turned off.  A kept mapping is never used after
 * unmap_frame() except through a new map_frame(), and it lies above every guest
 * segment's limit.
 */
#ifndef MM_MAPCACHE_H
#define MM_MAPCACHE_H

#include "arch/x86/percpu.h"
#include "kernel/types.h"

/* The slow parts of map_frame() and unmap_frame(). */
unsigned int mapcache_claim_any(struct percpu *pc);
void mapcache_set(struct percpu *pc, unsigned int slot, mfn_t mfn);
void mapcache_bad_unmap(const void *va) __noreturn;

static inline uintptr_t mapcache_slot_va(const struct percpu *pc, unsigned int slot)
{
    return MAPCACHE_START + (pc->cpu * MAPCACHE_SLOTS + slot) * PAGE_SIZE;
}

/* Maps the frame read-write; panics if this CPU has all its slots in use (a monitor bug). */
static inline void *map_frame(mfn_t mfn)
{
    struct percpu *pc = this_cpu();
    unsigned int slot = mfn_x(mfn) % MAPCACHE_SLOTS;
    if (unlikely(test_and_set_bit_local(&pc->mapcache_used, slot))) {
        slot = mapcache_claim_any(pc);
    }
    if (unlikely(pc->mapcache_mfn[slot] != mfn_x(mfn) + 1)) {
        mapcache_set(pc, slot, mfn);
    }
    return (void *)mapcache_slot_va(pc, slot);
}

static inline void unmap_frame(const void *va)
{
    struct percpu *pc = this_cpu();
    unsigned int slot =
        (unsigned int)(((uintptr_t)va - MAPCACHE_START) / PAGE_SIZE) - pc->cpu * MAPCACHE_SLOTS;
    if (unlikely(slot >= MAPCACHE_SLOTS || !test_and_clear_bit_local(&pc->mapcache_used, slot))) {
        mapcache_bad_unmap(va);
    }
}

/* Zeroes a frame through a temporary mapping. */
void clear_frame(mfn_t mfn);

#endif
