/* Domain lifecycle: creation, pause, shutdown, crash, destruction with the leak check. */
#include "kernel/domain.h"
#include "kernel/backend.h"
#include "arch/x86/percpu.h"
#include "kernel/cmdline.h"
#include "kernel/console_input.h"
#include "kernel/domain_build.h"
#include "kernel/grant_table.h"
#include "kernel/hypercall.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "mm/heap.h"
#include "mm/m2p.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"

/* Free frames, counting the heap's cached slab pages as free: the leak-check invariant. */
static uint32_t frames_available(void)
{
    struct heap_stats st;
    heap_stats(&st);
    return frames_free() + (uint32_t)st.slab_pages;
}

static struct domain *domains[MAX_DOMAINS];   /* index = domain id; 0 is the monitor's */
static spinlock_t domains_lock = SPINLOCK_INIT;
static bool any_crashed;
static uint32_t frames_free_at_start;

struct vcpu *current_vcpu(void)
{
    return this_cpu()->current;
}

struct domain *domain_by_id(uint16_t id)
{
    return id < MAX_DOMAINS ? domains[id] : NULL;
}

unsigned int domain_count(void)
{
    unsigned int n = 0;
    for (unsigned int i = 1; i < MAX_DOMAINS; i++) {
        n += domains[i] ? 1 : 0;
    }
    return n;
}

static struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
    struct vcpu *v = kmalloc(sizeof(*v));
    if (!v) {
        return NULL;
    }
    v->domain = d;
    v->id = id;
    vtimer_vcpu_init(v);
    if (arch_vcpu_init(v)) {
        kfree(v);
        return NULL;
    }
    return v;
}

struct domain *domain_create(const struct domain_config *cfg)
{
    struct domain *d = kmalloc(sizeof(*d));
    uint32_t f;
    uint16_t id = 0;
    if (!d) {
        return NULL;
    }
    if (!frames_free_at_start) {
        frames_free_at_start = frames_available();
    }
    d->frames_free_at_build = frames_available();
    f = spin_lock_irqsave(&domains_lock);
    for (uint16_t i = 1; i < MAX_DOMAINS && !id; i++) {
        id = domains[i] ? 0 : i;
    }
    if (id) {
        domains[id] = d;
    }
    spin_unlock_irqrestore(&domains_lock, f);
    if (!id) {
        kfree(d);
        return NULL;
    }
    d->id = id;
    d->cfg = *cfg;
    strlcpy(d->name, cfg->name, sizeof(d->name));
    spin_lock_init(&d->lock);
    spin_lock_init(&d->mm_lock);
    d->state = DOMAIN_RUNNING;
    d->shared_info_mfn = _mfn(INVALID_MFN_RAW);
    sched_init_domain(d);
    for (unsigned int i = 0; i < cfg->vcpus; i++) {
        d->vcpu[i] = vcpu_create(d, i);
        if (!d->vcpu[i]) {
            domain_destroy(d);
            return NULL;
        }
        d->nr_vcpus = i + 1;
    }
    return d;
}

void page_freed(uint16_t owner, mfn_t mfn)
{
    struct domain *d = domain_by_id(owner);
    m2p_clear(mfn);
    /* The shared-info page is the monitor's gift, not counted in tot_pages. */
    if (d && !mfn_eq(mfn, d->shared_info_mfn)) {
        d->tot_pages--;
    }
}

/* Drops every reference the domain holds on its frames: pins, then the allocation refs. */
static void release_frames(struct domain *d)
{
    struct page_info *ft = mfn_to_page(_mfn(0));
    for (uint32_t f = 0; f < frame_table_frames; f++) {
        struct page_info *pg = &ft[f];
        if (pg->state == FRAME_ALLOCATED && pg->owner == d->id && (pg->u.use.type_info & PGT_pinned)) {
            pg->u.use.type_info &= ~PGT_pinned;
            page_put_and_type(pg);
        }
    }
    for (uint32_t f = 0; f < frame_table_frames; f++) {
        struct page_info *pg = &ft[f];
        if (pg->state == FRAME_ALLOCATED && pg->owner == d->id &&
            (pg->u.use.count_info & PGC_allocated)) {
            pg->u.use.count_info &= ~PGC_allocated;
            page_put(pg);
        }
    }
}

static uint32_t count_owned(const struct domain *d)
{
    const struct page_info *ft = mfn_to_page(_mfn(0));
    uint32_t n = 0;
    for (uint32_t f = 0; f < frame_table_frames; f++) {
        n += ft[f].state == FRAME_ALLOCATED && ft[f].owner == d->id;
    }
    return n;
}

uint32_t domain_destroy(struct domain *d)
{
    uint32_t left, f, g;
    /* No timer may raise an event from here on. */
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        vtimer_vcpu_destroy(d->vcpu[i]);
    }
    /* First: peers' ends become unbound while this domain's tables and pages still exist. */
    evtchn_domain_destroy(d);
    if (d->nr_vcpus) {
        sched_report_domain(d);
    }
    console_input_domain_gone(d);
    /* The ring frames' references go before the frames are released below. */
    backend_detach(d);
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        sched_remove_vcpu(d->vcpu[i]);
    }
    /* Its grant mappings of other domains' frames go; the grant lock comes before mm_lock. */
    gnttab_domain_unmap_all(d);
    g = gnttab_lock();
    f = spin_lock_irqsave(&d->mm_lock);
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct arch_vcpu *a = &d->vcpu[i]->arch;
        put_gdt_frames(d->vcpu[i]);
        put_ldt_frames(d->vcpu[i]);
        /* Each vCPU's base holds a reference of its own (kernel/hc_mmu.c). */
        if (mfn_x(a->guest_table) != INVALID_MFN_RAW) {
            page_put_and_type(mfn_to_page(a->guest_table));
            a->guest_table = _mfn(INVALID_MFN_RAW);
        }
    }
    if (mfn_x(d->shared_info_mfn) != INVALID_MFN_RAW) {
        page_put_type(mfn_to_page(d->shared_info_mfn));   /* its permanent writable type */
    }
    release_frames(d);
    /* Its grant table goes; frames others still map through it are left to nobody. */
    gnttab_domain_teardown(d);
    left = count_owned(d);
    spin_unlock_irqrestore(&d->mm_lock, f);
    gnttab_unlock(g);
    if (d->shared_info) {
        vunmap_machine(d->shared_info, PAGE_SIZE);
    }
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        arch_vcpu_destroy(d->vcpu[i]);
        kfree(d->vcpu[i]);
    }
    f = spin_lock_irqsave(&domains_lock);
    domains[d->id] = NULL;
    spin_unlock_irqrestore(&domains_lock, f);
    if (left) {
        pr_err("domain %u (%s): %u frames still referenced after destruction: LEAK\n", d->id,
               d->name, left);
    }
    pr_info("domain %u (%s): destroyed; frames free %u before build, %u now\n", d->id, d->name,
            d->frames_free_at_build, frames_available());
    kfree(d);
    return left;
}

#define MAX_RESTARTS 3

bool domain_reap(struct domain *d)
{
    struct domain_config cfg = d->cfg;
    bool restart = d->shutdown_reason == SHUTDOWN_reboot ||
                   (d->crashed && d->cfg.on_crash == ON_CRASH_RESTART);
    domain_destroy(d);
    if (!restart) {
        return false;
    }
    if (++cfg.restarts > MAX_RESTARTS) {
        pr_err("domain %s: restarted %u times; not again\n", cfg.name, MAX_RESTARTS);
        return false;
    }
    pr_info("domain %s: restarting (%u of at most %u)\n", cfg.name, cfg.restarts, MAX_RESTARTS);
    return boot_domain_rebuild(&cfg);
}

static const char *reason_name(unsigned int reason)
{
    static const char *const names[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    return reason < ARRAY_SIZE(names) ? names[reason] : "unknown reason";
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    uint32_t f = spin_lock_irqsave(&d->lock);
    if (d->state == DOMAIN_RUNNING) {
        d->state = DOMAIN_SHUTDOWN;
        d->shutdown_reason = reason;
    }
    spin_unlock_irqrestore(&d->lock, f);
    pr_info("domain %u (%s): shut down (%s)\n", d->id, d->name, reason_name(reason));
    sched_request();
}

void domain_crash(struct domain *d, const char *why)
{
    struct vcpu *v = current_vcpu();
    any_crashed = true;
    pr_err("domain %u (%s) crashed: %s\n", d->id, d->name, why);
    if (v && v->domain == d) {
        traps_dump_regs(guest_regs());
    }
    d->crashed = true;
    if (d->cfg.on_crash == ON_CRASH_PRESERVE) {
        d->state = DOMAIN_PRESERVED;
        pr_err("domain %u (%s): preserved for inspection (on_crash=preserve)\n", d->id, d->name);
        sched_request();
        return;
    }
    domain_shutdown(d, SHUTDOWN_crash);
}

void domain_pause(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&d->lock);
    d->pause_count++;
    spin_unlock_irqrestore(&d->lock, f);
    sched_request();
}

void domain_unpause(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&d->lock);
    if (d->pause_count) {
        d->pause_count--;
    }
    spin_unlock_irqrestore(&d->lock, f);
}

void domains_all_gone(void)
{
    static bool said;
    uint32_t free = frames_available();
    unsigned int kept = domain_count();
    bool leak = !kept && frames_free_at_start && free != frames_free_at_start;
    if (said) {
        return;
    }
    said = true;
    /* Port buckets live in heap slabs, which the frame count sees as free: count them. */
    if (!kept && evtchn_buckets_live()) {
        pr_err("event channels: %u port buckets still allocated: LEAK\n", evtchn_buckets_live());
        leak = true;
    }
    if (!kept && timers_armed_for_domains()) {
        pr_err("timers: %u still armed for destroyed domains: LEAK\n", timers_armed_for_domains());
        leak = true;
    }
    if (kept) {
        /* Only preserved domains are left: their frames stay theirs until destroyed. */
        pr_info("monitor: no domain is left running; %u preserved, holding their frames\n", kept);
    } else {
        pr_info("monitor: all domains have gone%s; frames free %u at the first build, %u now%s\n",
                any_crashed ? " (some crashed)" : "", frames_free_at_start, free,
                leak ? ": LEAK" : "");
    }
    machine_stop_when_done(any_crashed || leak);
}
