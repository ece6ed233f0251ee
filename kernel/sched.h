/*
 * The scheduler: proportional shares by credit (weights, caps; kernel/sched_credit.h),
 * switching on yield, block, shutdown, wake-up and the timer tick; run-state times per
 * vCPU and CPU time per domain, to the nanosecond.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "arch/x86/percpu.h"
#include "kernel/domain.h"

#define SCHED_TICK_NS (10u * 1000 * 1000)   /* the time slice: 10 ms */

/* A new domain's credit account, from its configuration (weight, cap).  Before its vCPUs
 * are added. */
void sched_init_domain(struct domain *d);

void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);

/* Starts this CPU's scheduling tick (a timer on its queue, kernel/timer.h, re-armed each slice). */
void sched_start_ticks(void);

/*
 * All the scheduler does on the periodic tick (every SCHED_TICK_NS on each CPU that runs
 * vCPUs): charges the running vCPU, hands out credit each period,
 * asks for a pick (poll timeouts are timers of their own).  Interrupts off.
 */
void sched_tick(void);

/* SCHEDOP_yield: any other vCPU that can run goes first, once; with none, v goes on. */
void sched_yield(struct vcpu *v);

/*
 * Run-time changes of a domain's share: weight 1..65535, cap 0..100 * vCPUs (percent of
 * one CPU, 0 = none); a negative value leaves that one unchanged.  Returns 0 or -EINVAL
 * (nothing changed).  Any context.
 */
int sched_credit_set(struct domain *d, int weight, int cap);
void sched_credit_get(const struct domain *d, unsigned *weight, unsigned *cap);

/* Prints the run queue: every vCPU's state, its domain's weight, cap, credit, priority. */
void sched_dump(void);

/* v's run-state record as of now (VCPUOP_get_runstate_info). */
void sched_runstate(struct vcpu *v, struct vcpu_runstate_info *out);

/*
 * VCPUOP_register_runstate_memory_area: v's record is copied to guest VA va at each of
 * its switches (va 0: no more).  Returns 0, or -EFAULT when the range is not guest memory.
 * A write that faults later is ignored.
 */
int sched_runstate_area(struct vcpu *v, uint32_t va);

/* CPU time the domain's vCPUs have used, in ns, up to now (for billing). */
uint64_t sched_domain_cpu_ns(struct domain *d);

/* Logs the domain's CPU time and its vCPUs' lifetime (at destruction). */
void sched_report_domain(struct domain *d);

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
    if (unlikely(!pc->current || pc->need_resched || !vcpu_runnable(pc->current) ||
                 pc->current->runstate_stale)) {
        sched_reschedule();
    }
}

/* This CPU's loop when nothing can run: never returns. */
void sched_idle_loop(void) __noreturn;

/*
 * SCHEDOP_block and SCHEDOP_poll: v stops being picked.  The caller checks for a reason to
 * wake after this (an event already there) and calls vcpu_unblock() if it finds one.
 */
void vcpu_block(struct vcpu *v);

/* Wakes v from SCHEDOP_block or SCHEDOP_poll (an event for it); nothing if it is not blocked. */
void vcpu_unblock(struct vcpu *v);

#endif
