/*
 * The scheduler: round-robin over runnable vCPUs, switching on yield, block, shutdown and
 * the timer tick.  (The credit scheduler replaces the policy, not these entry points.)
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "kernel/domain.h"

void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);

/* Starts this CPU's scheduling tick (a timer on its queue, kernel/timer.h, re-armed each slice). */
void sched_start_ticks(void);

/* Asks this CPU to pick again before it returns to a guest. */
void sched_request(void);

/*
 * Called on the way back to a guest (interrupts off): switches to the next runnable vCPU
 * when a pick was requested or the current one cannot run.  May not return (idle).
 */
void sched_on_exit(void);

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
