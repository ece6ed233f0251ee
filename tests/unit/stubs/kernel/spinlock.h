/* Host stand-in for kernel/spinlock.h: one thread, no interrupts; misuse fails the test. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/types.h"

typedef struct {
    volatile uint32_t next;   /* as in the monitor: next != owner while held */
    volatile uint32_t owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

/* In stubs/host.c: taking a held lock (a deadlock on one CPU) or releasing a free one. */
void stub_lock_error(const char *what, const spinlock_t *l) __noreturn;

static inline void spin_lock_init(spinlock_t *l) { l->next = l->owner = 0; }

static inline bool spin_is_locked(const spinlock_t *l) { return l->next != l->owner; }

static inline void spin_lock(spinlock_t *l)
{
    if (spin_is_locked(l)) {
        stub_lock_error("spin_lock of a lock already held", l);
    }
    l->next++;
}

static inline bool spin_trylock(spinlock_t *l)
{
    if (spin_is_locked(l)) {
        return false;
    }
    l->next++;
    return true;
}

static inline void spin_unlock(spinlock_t *l)
{
    if (!spin_is_locked(l)) {
        stub_lock_error("spin_unlock of a lock not held", l);
    }
    l->owner++;
}

static inline uint32_t spin_lock_irqsave(spinlock_t *l)
{
    spin_lock(l);
    return 0x200;   /* EFLAGS.IF, as if interrupts were on */
}

static inline void spin_unlock_irqrestore(spinlock_t *l, uint32_t flags)
{
    (void)flags;
    spin_unlock(l);
}

#endif
