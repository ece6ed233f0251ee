/*
 * Fair ticket locks.  The _irqsave variants also disable interrupts on this CPU and must be
 * used for any lock an interrupt handler can take.  Lock order: see docs/architecture.md.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "arch/x86/asm.h"

typedef struct {
    volatile uint32_t next;   /* next ticket to hand out */
    volatile uint32_t owner;  /* ticket now being served */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock_init(spinlock_t *l) { l->next = l->owner = 0; }

static inline void spin_lock(spinlock_t *l)
{
    uint32_t ticket = atomic_fetch_add32(&l->next, 1);
    while (READ_ONCE(l->owner) != ticket) {
        cpu_relax();
    }
    barrier();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint32_t owner = READ_ONCE(l->owner);
    uint32_t expected = owner;
    /* Take a ticket only if nobody holds or waits for the lock. */
    return __atomic_compare_exchange_n(&l->next, &expected, owner + 1, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    barrier();
    WRITE_ONCE(l->owner, l->owner + 1);
}

static inline bool spin_is_locked(const spinlock_t *l) { return l->next != l->owner; }

static inline uint32_t spin_lock_irqsave(spinlock_t *l)
{
    uint32_t flags = irq_save();
    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint32_t flags)
{
    spin_unlock(l);
    irq_restore(flags);
}

#endif
