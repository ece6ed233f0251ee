/* Round-robin scheduling of vCPUs, the idle loop, and reaping shut-down domains. */
#include "kernel/sched.h"
#include "kernel/backend.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

/* All vCPUs in a ring, runnable or not; protected by sched_lock. */
static struct vcpu *ring_head;
static spinlock_t sched_lock = SPINLOCK_INIT;
static bool need_resched[MAX_CPUS];
extern pte_t boot_l3[4];

bool vcpu_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return v->up && !v->blocked && d->state == DOMAIN_RUNNING && d->pause_count == 0;
}

void sched_add_vcpu(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    if (!ring_head) {
        v->next_runnable = v;
        ring_head = v;
    } else {
        v->next_runnable = ring_head->next_runnable;
        ring_head->next_runnable = v;
    }
    spin_unlock_irqrestore(&sched_lock, f);
}

void sched_remove_vcpu(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct vcpu *p = ring_head;
    if (p) {
        while (p->next_runnable != v && p->next_runnable != ring_head) {
            p = p->next_runnable;
        }
        if (p->next_runnable == v) {
            p->next_runnable = v->next_runnable;
            if (ring_head == v) {
                ring_head = v->next_runnable == v ? NULL : v->next_runnable;
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

void vcpu_unblock(struct vcpu *v)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    v->blocked = false;
    v->poll_deadline = 0;
    spin_unlock_irqrestore(&sched_lock, f);
    evtchn_poll_done(v);
}

/* Wakes the vCPUs whose SCHEDOP_poll timeout has passed (checked every tick). */
static void wake_expired_polls(void)
{
    uint64_t now = time_now_ns();
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct vcpu *v = ring_head;
    if (v) {
        do {
            if (v->blocked && v->poll_deadline && v->poll_deadline <= now) {
                v->poll_deadline = 0;
                v->blocked = false;
                evtchn_poll_done(v);
            }
            v = v->next_runnable;
        } while (v != ring_head);
    }
    spin_unlock_irqrestore(&sched_lock, f);
}

#define TICK_NS (10u * 1000 * 1000)   /* the time slice: 10 ms */

/* The tick: every slice, the running vCPU goes to the back of the line. */
static void tick(void *arg)
{
    (void)arg;
    wake_expired_polls();
    backend_poll();
    sched_request();
    timer_oneshot_ns(TICK_NS, tick, NULL);
}

void sched_start_ticks(void)
{
    if (timer_oneshot_ns(TICK_NS, tick, NULL)) {
        pr_warn("sched: no timer tick; vCPUs switch only when they yield or block\n");
    }
}

void sched_request(void)
{
    need_resched[smp_processor_id()] = true;
}

/* The next runnable vCPU after prev (or from the head), prev itself last; NULL if none. */
static struct vcpu *pick_next(struct vcpu *prev)
{
    uint32_t f = spin_lock_irqsave(&sched_lock);
    struct vcpu *start = prev ? prev->next_runnable : ring_head, *v = start, *found = NULL;
    if (start) {
        do {
            if (vcpu_runnable(v) && (!v->running || v == prev)) {
                found = v;
                break;
            }
            v = v->next_runnable;
        } while (v != start);
    }
    spin_unlock_irqrestore(&sched_lock, f);
    return found;
}

static void leave_vcpu(struct vcpu *v)
{
    v->running = false;
    this_cpu()->current = NULL;
    write_cr3((uint32_t)image_pa(boot_l3));
}

void sched_on_exit(void)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *prev = current_vcpu(), *next;
    if (prev && !need_resched[cpu] && vcpu_runnable(prev)) {
        return;
    }
    need_resched[cpu] = false;
    next = pick_next(prev);
    if (next == prev) {
        return;
    }
    if (!next) {
        if (prev) {
            arch_vcpu_save(prev);
            leave_vcpu(prev);
        }
        sched_idle_loop();
    }
    if (prev) {
        prev->running = false;
    }
    next->running = true;
    arch_context_switch(prev, next);
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
        next = pick_next(NULL);
        if (next) {
            next->running = true;
            need_resched[smp_processor_id()] = false;
            arch_enter_vcpu(next);
        }
        safe_halt();
    }
}
