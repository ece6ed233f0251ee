/*
 * Scheduling of vCPUs by credit (the policy is in kernel/sched_credit.c), run-state
 * accounting, the idle loop, and reaping shut-down domains.
 *
 * Locking: sched_lock protects the ring, every vCPU's sched, run_start and runstate
 * fields, every domain's credit account and last_acct.  It is taken inside d->lock never
 * (nothing here takes another lock while holding it).
 */
#include "kernel/sched.h"
#include "kernel/backend.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/timer.h"
#include "mm/guest_copy.h"

/* All vCPUs in a ring, runnable or not. */
static struct credit_vcpu *ring_head;
static spinlock_t sched_lock = SPINLOCK_INIT;
static uint64_t last_acct;          /* system time of the last credit distribution */
static unsigned int sched_cpus;     /* CPUs that run vCPUs (those with a tick) */

/* sched_dump=N: print the run queue every N ms (0: never); the debug key r prints it once. */
static unsigned int dump_every_ms;
integer_param("sched_dump", dump_every_ms);
static uint64_t last_dump;
extern pte_t boot_l3[4];

static struct vcpu *vcpu_of(struct credit_vcpu *c)
{
    return container_of(c, struct vcpu, sched);
}

/* The run state v's flags say it is in: down, paused or shut down count as offline. */
static int runstate_now(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    if (v->running) {
        return RUNSTATE_running;
    }
    if (!v->up || d->state != DOMAIN_RUNNING || d->pause_count) {
        return RUNSTATE_offline;
    }
    return v->blocked ? RUNSTATE_blocked : RUNSTATE_runnable;
}

/* Brings v's run-state record up to its flags at time now.  sched_lock held. */
static void runstate_sync(struct vcpu *v, uint64_t now)
{
    int state = runstate_now(v);
    if (state != v->runstate.state) {
        runstate_change(&v->runstate, state, now);
    }
}

/* Charges v (on a CPU) for its time since run_start.  sched_lock held. */
static void account_running(struct vcpu *v, uint64_t now)
{
    if (now > v->run_start) {
        credit_burn(&v->domain->credit, now - v->run_start);
        v->run_start = now;
    }
}

void sched_init_domain(struct domain *d)
{
    credit_acct_init(&d->credit, d->cfg.vcpus);
    /* domcfg_parse() checked both against the same ranges. */
    credit_set(&d->credit, d->cfg.weight ? (int)d->cfg.weight : -1, (int)d->cfg.cap);
}

void sched_add_vcpu(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct credit_vcpu *c = &v->sched;
    c->acct = &v->domain->credit;
    runstate_init(&v->runstate, RUNSTATE_offline, time_now_ns());
    if (!ring_head) {
        c->next = c;
        ring_head = c;
    } else {
        c->next = ring_head->next;
        ring_head->next = c;
    }
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_remove_vcpu(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct credit_vcpu *p = ring_head, *c = &v->sched;
    if (p) {
        while (p->next != c && p->next != ring_head) {
            p = p->next;
        }
        if (p->next == c) {
            p->next = c->next;
            if (ring_head == c) {
                ring_head = c->next == c ? NULL : c->next;
            }
        }
    }
    spin_unlock_irqrestore(&sched_lock, f);
}

void vcpu_block(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    v->blocked = true;
    spin_unlock_irqrestore(&sched_lock, f);
    /* The caller's check for pending events must not be read before the flag is seen. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    sched_request();
}

/*
 * Marks v runnable again.  It does not preempt the running vCPU: it waits for the end of
 * that one's slice (a tick), a yield or a block.  Preempting a sender for the vCPU it woke
 * doubled the wall time of an event ping-pong under QEMU for no gain in fairness.
 * sched_lock held.
 */
static void wake_locked(struct vcpu *v, uint64_t now)
{
    v->blocked = false;
    v->poll_deadline = 0;
    runstate_sync(v, now);
}

void vcpu_unblock(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    if (v->blocked) {
        wake_locked(v, time_now_ns());
    }
    v->poll_deadline = 0;
    spin_unlock_irqrestore(&sched_lock, f);
    evtchn_poll_done(v);
}

/* True when some vCPU of d could run now.  sched_lock held. */
static bool domain_wants_cpu(const struct domain *d)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        if (vcpu_runnable(d->vcpu[i])) {
            return true;
        }
    }
    return false;
}

/* Hands out the credit for the time since the last distribution.  sched_lock held. */
static void distribute(uint64_t now)
{
    struct credit_acct *accts[MAX_DOMAINS];
    bool active[MAX_DOMAINS];
    unsigned int n = 0;
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        if (d && d->nr_vcpus) {
            accts[n] = &d->credit;
            active[n++] = domain_wants_cpu(d);
        }
    }
    credit_distribute(accts, active, n, now - last_acct, sched_cpus ? sched_cpus : 1);
    last_acct = now;
}

/*
 * Everything the scheduler does on the periodic tick: charge the running vCPU, hand out
 * credit once a period, and pick again (poll timeouts are timers of their own,
 * kernel/hc_timer.c).  Interrupts off.
 */
void sched_tick(void)
{
    uint64_t now = time_now_ns();
    struct vcpu *cur = current_vcpu();
    uint32_t f;
    f = spin_lock_irqsave(&sched_lock);
    if (cur) {
        account_running(cur, now);
    }
    if (now - last_acct >= CREDIT_PERIOD_NS) {
        distribute(now);
    }
    spin_unlock_irqrestore(&sched_lock, f);
    if (dump_every_ms && now - last_dump >= dump_every_ms * 1000000ull) {
        last_dump = now;
        sched_dump();
    }
    backend_poll();   /* the rings of frontends that keep the CPU busy */
    sched_request();
}

/* Each CPU's tick, on its timer queue (kernel/timer.h). */
static struct timer tick_timer[MAX_CPUS];

static void tick_fire(void *arg)
{
    sched_tick();
    timer_set(arg, time_now_ns() + SCHED_TICK_NS);
}

void sched_start_ticks(void)
{
    struct timer *t = &tick_timer[smp_processor_id()];
    uint32_t f = spin_lock_irqsave(&sched_lock);
    sched_cpus++;
    last_acct = time_now_ns();
    spin_unlock_irqrestore(&sched_lock, f);
    if (!timer_usable()) {
        pr_warn("sched: no timer tick; vCPUs switch only when they yield or block\n");
        return;
    }
    timer_init(t, tick_fire, t);
    timer_set(t, time_now_ns() + SCHED_TICK_NS);
}

void sched_request(void)
{
    this_cpu()->need_resched = true;
}

void sched_yield(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    v->sched.yielded = true;
    spin_unlock_irqrestore(&sched_lock, f);
    sched_request();
}

/* Marks which vCPUs may be picked on this CPU now.  sched_lock held. */
static void mark_eligible(const struct vcpu *prev)
{
    struct credit_vcpu *c = ring_head;
    if (c) {
        do {
            struct vcpu *v = vcpu_of(c);
            c->eligible = vcpu_runnable(v) && (!v->running || v == prev);
            c = c->next;
        } while (c != ring_head);
    }
}

/* v leaves (running false) or takes this CPU at time now.  sched_lock held. */
static void set_running_locked(struct vcpu *v, bool running, uint64_t now)
{
    if (!running) {
        account_running(v, now);
    }
    v->running = running;
    v->run_start = now;
    runstate_sync(v, now);
}

/*
 * Picks the vCPU to run next on this CPU after prev (NULL: from the idle loop) and, when
 * it is another one, moves prev off the CPU and the new one on, with their accounting:
 * one lock hold for the whole switch.  Returns the pick (prev if nothing better), NULL
 * when none can run.
 */
static struct vcpu *pick_and_switch(struct vcpu *prev)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct credit_vcpu *found;
    struct vcpu *next;
    mark_eligible(prev);
    found = credit_pick(ring_head);
    next = found ? vcpu_of(found) : NULL;
    if (next != prev) {
        uint64_t now = time_now_ns();
        if (prev) {
            set_running_locked(prev, false, now);
        }
        if (next) {
            set_running_locked(next, true, now);
        }
    }
    spin_unlock_irqrestore(&sched_lock, f);
    return next;
}

/*
 * Copies v's run-state record to its registered area, if any; v's address space must be
 * the one loaded.  A fault is ignored (the guest's own concern, as on Xen).
 */
static void runstate_publish(struct vcpu *v)
{
    struct vcpu_runstate_info rs;
    uint32_t f, area;
    v->runstate_stale = false;
    f = spin_lock_irqsave(&sched_lock);
    rs = v->runstate;
    area = v->runstate_area;
    spin_unlock_irqrestore(&sched_lock, f);
    if (area) {
        (void)copy_to_guest(area, &rs, sizeof(rs));
    }
}

int sched_runstate_area(struct vcpu *v, uint32_t va)
{
    uint32_t f;
    if (va && !guest_range_ok(va, sizeof(struct vcpu_runstate_info))) {
        return -EFAULT;
    }
    f = spin_lock_irqsave(&sched_lock);
    v->runstate_area = va;
    spin_unlock_irqrestore(&sched_lock, f);
    if (v == current_vcpu()) {
        runstate_publish(v);
    }
    return 0;
}

static void leave_vcpu(struct vcpu *v)
{
    (void)v;
    this_cpu()->current = NULL;
    write_cr3((uint32_t)image_pa(boot_l3));
}

void sched_reschedule(void)
{
    struct vcpu *prev = current_vcpu(), *next;
    if (prev && unlikely(prev->runstate_stale)) {
        runstate_publish(prev);
    }
    if (prev && !this_cpu()->need_resched && vcpu_runnable(prev)) {
        return;   /* only the run-state area was due */
    }
    this_cpu()->need_resched = false;
    next = pick_and_switch(prev);
    if (next == prev) {
        return;
    }
    if (prev && prev->runstate_area) {
        runstate_publish(prev);     /* still in prev's address space */
    }
    if (!next) {
        if (prev) {
            arch_vcpu_save(prev);
            leave_vcpu(prev);
        }
        sched_idle_loop();
    }
    arch_context_switch(prev, next);
    if (next->runstate_area) {
        runstate_publish(next);
    }
}

int sched_credit_set(struct domain *d, int weight, int cap)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    int rc = credit_set(&d->credit, weight, cap);
    spin_unlock_irqrestore(&sched_lock, f);
    return rc;
}

void sched_credit_get(const struct domain *d, unsigned *weight, unsigned *cap)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    *weight = d->credit.weight;
    *cap = d->credit.cap;
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_runstate(struct vcpu *v, struct vcpu_runstate_info *out)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    uint64_t now = time_now_ns();
    runstate_sync(v, now);
    runstate_snapshot(&v->runstate, now, out);
    spin_unlock_irqrestore(&sched_lock, f);
}

uint64_t sched_domain_cpu_ns(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct vcpu *cur = current_vcpu();
    uint64_t ns;
    if (cur && cur->domain == d) {
        account_running(cur, time_now_ns());
    }
    ns = d->credit.cpu_ns;
    spin_unlock_irqrestore(&sched_lock, f);
    return ns;
}

static const char *const prio_names[] = { "UNDER", "OVER", "PARKED" };
static const char *const state_names[] = { "running", "runnable", "blocked", "offline" };

void sched_dump(void)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct credit_vcpu *c = ring_head;
    uint64_t now = time_now_ns();
    pr_info("sched: credit, period %llu ms, tick %u ms, %u CPU(s); run queue:\n",
           (unsigned long long)(CREDIT_PERIOD_NS / 1000000), SCHED_TICK_NS / 1000000, sched_cpus);
    if (c) {
        do {
            struct vcpu *v = vcpu_of(c);
            const struct credit_acct *a = c->acct;
            runstate_sync(v, now);
            pr_info("  d%u v%u %-8s weight %u cap %u credit %lld us%s %s, cpu %llu ms\n",
                   v->domain->id, v->id, state_names[v->runstate.state], a->weight, a->cap,
                   (long long)(a->credit / 1000), c->yielded ? " (yielded)" : "",
                   prio_names[credit_prio(a)], (unsigned long long)(a->cpu_ns / 1000000));
            c = c->next;
        } while (c != ring_head);
    }
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_report_domain(struct domain *d)
{
    struct vcpu_runstate_info rs;
    uint64_t total = 0;
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        if (!d->vcpu[i]->sched.acct) {
            continue;   /* a build that failed before its vCPUs were scheduled */
        }
        sched_runstate(d->vcpu[i], &rs);
        total += rs.time[RUNSTATE_running] + rs.time[RUNSTATE_runnable] +
                 rs.time[RUNSTATE_blocked] + rs.time[RUNSTATE_offline];
    }
    pr_info("domain %u (%s): CPU time %llu us over %llu us of vCPU lifetime (weight %u cap %u)\n",
            d->id, d->name, (unsigned long long)(sched_domain_cpu_ns(d) / 1000),
            (unsigned long long)(total / 1000), d->credit.weight, d->credit.cap);
}

/* Destroys the domains that shut down and are on no CPU; true if any is left. */
static bool reap_domains(void)
{
    bool any = false;
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        bool on_cpu = false;
        if (!d) {
            continue;
        }
        for (unsigned int i = 0; i < d->nr_vcpus; i++) {
            on_cpu |= d->vcpu[i]->running;
        }
        if (d->state == DOMAIN_SHUTDOWN && !on_cpu) {
            any |= domain_reap(d);
        } else if (d->state != DOMAIN_PRESERVED) {
            any = true;     /* preserved domains are kept, but nothing more happens in them */
        }
    }
    return any;
}

/* Runs on a fresh stack (entry.S: sched_idle_loop), below the guest frame area. */
void idle_loop_body(void) __noreturn;
void idle_loop_body(void)
{
    for (;;) {
        struct vcpu *next;
        irq_disable();
        if (!reap_domains()) {
            domains_all_gone();
        }
        backend_poll();     /* requests of frontends that went to sleep waiting for them */
        next = pick_and_switch(NULL);
        if (next) {
            /* Its address space is loaded only on the way in: the area waits for its next exit. */
            next->runstate_stale = next->runstate_area != 0;
            this_cpu()->need_resched = false;
            arch_enter_vcpu(next);
        }
        safe_halt();
    }
}
