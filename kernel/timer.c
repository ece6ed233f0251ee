/* Per-CPU timer queues driven by the LAPIC one-shot timer (arch/x86/time.h). */
#include "kernel/timer.h"

#include "arch/x86/percpu.h"
#include "arch/x86/time.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

/*
 * The shortest and longest intervals the LAPIC timer is programmed for.  The floor keeps
 * a guest that arms one timer after another in the past from holding this CPU in back to
 * back interrupts; the ceiling stays below the 32-bit count at any plausible LAPIC rate
 * (an early interrupt simply finds nothing expired and programs the rest).
 */
#define PROGRAM_MIN_NS 2000u
#define PROGRAM_MAX_NS (100u * 1000 * 1000)

struct cpu_timers {
    spinlock_t lock; /* queue */
    struct timer_queue queue;
    bool running; /* in timer_interrupt(): it programs the LAPIC at the end */
};

static struct cpu_timers cpu_timers[MAX_CPUS];

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
    t->fn = fn;
    t->arg = arg;
    t->deadline = 0;
    t->next = NULL;
    t->queued = false;
    t->cpu = 0;
    t->domid = 0;
}

bool timer_armed(const struct timer *t)
{
    return READ_ONCE(t->queued);
}

bool timer_usable(void)
{
    return lapic_timer_khz != 0;
}

unsigned int timers_armed_for_domains(void)
{
    unsigned int n = 0;

    for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
        struct cpu_timers *ct = &cpu_timers[cpu];
        uint32_t flags = spin_lock_irqsave(&ct->lock);
        for (const struct timer *t = tq_first(&ct->queue); t; t = t->next) {
            n += t->domid != 0;
        }
        spin_unlock_irqrestore(&ct->lock, flags);
    }
    return n;
}

void timer_dump(void)
{
    uint64_t now = time_now_ns();

    for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
        struct cpu_timers *ct = &cpu_timers[cpu];
        unsigned int n = 0;
        uint32_t flags = spin_lock_irqsave(&ct->lock);
        for (const struct timer *t = tq_first(&ct->queue); t && n < 64; t = t->next, n++) {
            int64_t in = (int64_t)(t->deadline - now);
            if (t->domid) {
                pr_info("  cpu %u: in %lld us: a timer of domain %u\n", cpu, in / 1000, t->domid);
            } else {
                pr_info("  cpu %u: in %lld us: a timer of the monitor\n", cpu, in / 1000);
            }
        }
        spin_unlock_irqrestore(&ct->lock, flags);
    }
}

static void timer_interrupt(void *arg);

/* Programs this CPU's LAPIC timer for its earliest timer, or stops it.  Interrupts off. */
static void program(struct cpu_timers *ct)
{
    struct timer *first;
    uint64_t now, delta;

    if (ct->running) {
        return;
    }
    timer_oneshot_cancel();
    first = tq_first(&ct->queue);
    if (!first) {
        return;
    }
    now = time_now_ns();
    delta = first->deadline > now ? first->deadline - now : 0;
    delta = MIN(MAX(delta, PROGRAM_MIN_NS), PROGRAM_MAX_NS);
    timer_oneshot_ns(delta, timer_interrupt, ct);
}

/* Takes t off the queue it is on; true if it was on one.  Interrupts off. */
static bool dequeue(struct timer *t, bool *was_first)
{
    for (;;) {
        unsigned int cpu = READ_ONCE(t->cpu);
        struct cpu_timers *ct = &cpu_timers[cpu];
        bool removed = false;

        spin_lock(&ct->lock);
        /* It may have moved to another CPU's queue meanwhile: look again there. */
        if (t->cpu == cpu) {
            *was_first = tq_first(&ct->queue) == t;
            removed = tq_remove(&ct->queue, t);
            spin_unlock(&ct->lock);
            return removed;
        }
        spin_unlock(&ct->lock);
    }
}

void timer_set(struct timer *t, uint64_t deadline)
{
    uint32_t flags = irq_save();
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    bool first, was_first;

    dequeue(t, &was_first);
    spin_lock(&ct->lock);
    t->deadline = deadline;
    t->cpu = (uint8_t)smp_processor_id();
    first = tq_insert(&ct->queue, t);
    spin_unlock(&ct->lock);
    if (first) {
        program(ct);
    }
    irq_restore(flags);
}

bool timer_stop(struct timer *t)
{
    uint32_t flags = irq_save();
    bool was_first = false, removed = dequeue(t, &was_first);

    /*
     * Stopping the earliest timer leaves the LAPIC armed for its deadline: that interrupt
     * finds nothing expired and programs the next one.  Cheaper than reprogramming here,
     * and a timer stopped on another CPU could not be reprogrammed from this one anyway.
     */
    irq_restore(flags);
    return removed;
}

/*
 * The LAPIC one-shot fired: runs every expired timer of this CPU, one at a time, each
 * taken off the queue before its callback runs (so the callback may arm it again), then
 * programs the next deadline.  Interrupts off.
 */
static void timer_interrupt(void *arg)
{
    struct cpu_timers *ct = arg;

    ct->running = true;
    for (;;) {
        struct timer *t;
        timer_fn fn = NULL;
        void *fn_arg = NULL;

        spin_lock(&ct->lock);
        t = tq_pop_expired(&ct->queue, time_now_ns());
        if (t) {
            fn = t->fn;
            fn_arg = t->arg;
        }
        spin_unlock(&ct->lock);
        if (!t) {
            break;
        }
        fn(fn_arg);
    }
    ct->running = false;
    program(ct);
}
