/*
 * Credit accounting: proportional CPU shares by weight, caps, and per-vCPU run-state times.
 * Pure logic (no locks, no hardware): kernel/sched.c holds the lock and the clock, and the
 * host unit tests drive it with a simulated clock.
 *
 * The model.  Every accounting period the CPU time that passed (times the number of CPUs)
 * is handed out as credit, in nanoseconds, to the domains that were active (ran or wanted
 * to run), in proportion to their weights.  Running burns credit to the nanosecond.  A
 * domain with credit left is UNDER and runs before any domain that is OVER; among equals
 * the run queue is a ring served in turn.  A cap keeps a budget of its own, refilled by
 * cap% of the period and burned alongside the credit: a domain whose budget is spent is
 * parked (not picked at all) until a refill makes it positive again.  Within a priority
 * the vCPU whose domain has the most credit left goes first.  Overshoots carry
 * over as debt, so over a long run the shares and caps are exact.
 */
#ifndef KERNEL_SCHED_CREDIT_H
#define KERNEL_SCHED_CREDIT_H

#include "kernel/types.h"
#include "kernel/xen.h"
#include <xen/vcpu.h>

#define CREDIT_WEIGHT_DEFAULT 256
#define CREDIT_WEIGHT_MIN     1
#define CREDIT_WEIGHT_MAX     65535
#define CREDIT_PERIOD_NS      (30ull * 1000 * 1000)   /* accounting period */

/*
 * How far credit may run ahead: an idle domain cannot hoard more than two periods.
 */
#define CREDIT_CLAMP_PERIODS  2

/*
 * The most a domain may owe, in credit and (per vCPU) in cap budget.  Large, so that a
 * slice that overran (a late tick, or an emulator's CPU descheduled by its host, which
 * the clock charges to the vCPU that was on it) is paid back in full and shares and caps
 * hold over a run: measured under a loaded QEMU, a two-period floor let a cap of 25 %
 * drift to 37 % and weights 1:2:4 to 17 / 33 / 49 %.  No domain runs into debt by being
 * alone: it is then given all the time it uses.
 */
#define CREDIT_DEBT_MAX_NS    (1000ull * 1000 * 1000)

/* A domain's account.  Caller's lock (kernel/sched.c: sched_lock). */
struct credit_acct {
    unsigned int weight;        /* CREDIT_WEIGHT_MIN..MAX */
    unsigned int cap;           /* percent of one CPU; 0 = no cap */
    unsigned int nr_vcpus;      /* bounds the cap: at most 100 per vCPU */
    int64_t credit;             /* ns it may still run at UNDER priority */
    int64_t cap_budget;         /* ns it may still run before it is parked (cap only) */
    uint64_t cpu_ns;            /* CPU time used, ever (billing) */
    bool ran;                   /* burned something since the last distribution */
    bool full;                  /* scratch of credit_distribute(): takes no more this time */
};

enum credit_prio { CREDIT_UNDER = 0, CREDIT_OVER = 1, CREDIT_PARKED = 2 };

/* One schedulable vCPU in the ring.  Caller's lock. */
struct credit_vcpu {
    struct credit_vcpu *next;   /* the ring of every vCPU, runnable or not */
    struct credit_acct *acct;   /* its domain's account, shared by all its vCPUs */
    bool eligible;              /* set by the caller before each pick: may run here now */
    bool yielded;               /* SCHEDOP_yield: let any other eligible vCPU go first, once */
    uint64_t last_pick;         /* when it was last picked, in picks: the longest waiting goes first */
};

/* Default weight, no cap, no credit yet. */
void credit_acct_init(struct credit_acct *a, unsigned int nr_vcpus);

/*
 * Changes weight and cap; a negative value leaves that one unchanged.  Returns 0, or
 * -EINVAL (nothing changed) for a weight outside 1..65535 or a cap outside
 * 0..100 * nr_vcpus.  A new cap starts with a full period's budget.
 */
int credit_set(struct credit_acct *a, int weight, int cap);

/* ns of CPU were used by a vCPU of this account. */
void credit_burn(struct credit_acct *a, uint64_t ns);

/*
 * Hands out elapsed_ns * nr_cpus of credit among accts[0..n) that are active (active[i]:
 * has a vCPU that can run, or ran since the last call), in proportion to weight, and
 * refills the cap budgets.  An account at the upper bound takes nothing, and what it
 * cannot take goes to the others, by weight.  Clears every ran flag.
 */
void credit_distribute(struct credit_acct *const accts[], const bool active[], unsigned int n,
                       uint64_t elapsed_ns, unsigned int nr_cpus);

enum credit_prio credit_prio(const struct credit_acct *a);

/*
 * The vCPU to run next: of the eligible ones with the best priority (never a parked one),
 * the one whose domain has the most credit, and of those the one picked least recently,
 * so that equals take turns whatever their place in the ring (prev, just picked, comes
 * last).  A yielded vCPU is passed over while any other is eligible, and its flag is
 * cleared when it is picked or passed over.  NULL if none is eligible.
 */
struct credit_vcpu *credit_pick(struct credit_vcpu *head);

/* ---- run-state times (struct vcpu_runstate_info of xen/vcpu.h) ---- */

/* Starts the record in state at time now, every time zero. */
void runstate_init(struct vcpu_runstate_info *rs, int state, uint64_t now);

/* Moves to state at time now (now before the last change counts as no time). */
void runstate_change(struct vcpu_runstate_info *rs, int state, uint64_t now);

/* A copy as of now: the time in the current state so far added to its total. */
void runstate_snapshot(const struct vcpu_runstate_info *rs, uint64_t now,
                       struct vcpu_runstate_info *out);

#endif
