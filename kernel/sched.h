/*
 * The scheduler: round-robin over runnable vCPUs, switching on yield, block, shutdown and
 * the timer tick.  (The credit scheduler replaces the policy, not these entry points.)
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "arch/x86/percpu.h"
#include "kernel/domain.h"

void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);

/* Starts this CPU's scheduling tick (a timer on its queue, kernel/timer.h, re-armed each slice). */
void sched_start_ticks(void);

/*
 * Asks this CPU to pick again before it returns to a guest.  Everything that stops the
 * running vCPU (block, poll, down, pause, shutdown, crash) must call it: the exit from a
 * hypercall looks at nothing else (the exit from other traps checks vcpu_runnable() too).
 */
void sched_request(void);

static inline bool vcpu_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return v->up && !v->blocked && d->state == DOMAIN_RUNNING && d->pause_count == 0;
}

/* sched_on_exit() when a pick was requested or the current vCPU cannot run. */
void sched_reschedule(void);

/*
 * Called on the way back to a guest (interrupts off): switches to the next runnable vCPU
 * when a pick was requested or the current one cannot run.  May not return (idle).
 * Inline: it runs on every exit, and mostly nothing changes.
 */
static inline void sched_on_exit(void)
{
    const struct percpu *pc = this_cpu();
    if (unlikely(!pc->current || pc->need_resched || !vcpu_runnable(pc->current))) {
        sched_reschedule();
    }
}

/* This CPU's loop when nothing can run: never returns. */
void sched_idle_loop(void) __noreturn;

bool vcpu_runnable(const struct vcpu *v);

/*
 * SCHEDOP_block and SCHEDOP_poll: v stops being picked.  The caller checks for a reason to
 * wake after this (an event already there) and calls vcpu_unblock() if it finds one.
 */
void vcpu_block(struct vcpu *v);

/* Wakes v from SCHEDOP_block or SCHEDOP_poll (an event for it); nothing if it is not blocked. */
void vcpu_unblock(struct vcpu *v);

#endif
