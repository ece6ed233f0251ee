/*
 * The monitor's debug keys, as Xen's: h help, q domains and vCPUs, r run queues and credits,
 * m memory, e event channels, t timers.  They run from the serial input path with
 * interrupts off and print with printk; each reads what it shows under that object's lock
 * or, for counters, as a snapshot that may be a moment old.
 */
#include "kernel/domain.h"
#include "kernel/lib.h"
#include "kernel/opcon.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "mm/heap.h"
#include "mm/page_alloc.h"

static const char *const state_names[] = {"running", "shut down", "preserved"};

static void dump_vcpu(const struct vcpu *v)
{
    const vcpu_info_t *vi = v->vcpu_info;
    pr_info("    vCPU %u: %s%s%s%s, upcall pending %u mask %u\n", v->id, v->up ? "up" : "down",
            v->running ? ", on a CPU" : "",
            v->blocked ? (v->poll_deadline ? ", polling" : ", blocked") : "",
            v->initialised ? "" : ", no context yet", vi ? vi->evtchn_upcall_pending : 0,
            vi ? vi->evtchn_upcall_mask : 1);
}

/* q: every domain, then each of its vCPUs. */
static void dump_domains(void)
{
    unsigned int n = 0;
    pr_info("'q' pressed: domains and vCPUs\n");
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        if (!d) {
            continue;
        }
        n++;
        pr_info("  domain %u (%s): %s%s, pause count %u, %u pages (max %u), %u vCPU(s)%s\n", d->id,
                d->name, state_names[d->state], d->crashed ? " (crashed)" : "", d->pause_count,
                d->tot_pages, d->max_pages, d->nr_vcpus, d->cfg.privileged ? ", privileged" : "");
        for (unsigned int i = 0; i < d->nr_vcpus; i++) {
            dump_vcpu(d->vcpu[i]);
        }
    }
    if (!n) {
        pr_info("  (no domains)\n");
    }
}

/* m: the frame allocator, the heap, and each domain's pages. */
static void dump_memory(void)
{
    struct heap_stats st;
    uint32_t free = frames_free();
    heap_stats(&st);
    pr_info("'m' pressed: memory\n");
    pr_info("  frames: %u covered by the frame table, %u free (%u MiB)\n", frame_table_frames, free,
            free >> 8);
    pr_info("  heap: %u slab pages, %u large pages, %u bytes in use\n", (unsigned int)st.slab_pages,
            (unsigned int)st.large_pages, (unsigned int)st.bytes_in_use);
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        const struct domain *d = domain_by_id(id);
        if (d) {
            pr_info("  domain %u (%s): %u pages, at most %u\n", d->id, d->name, d->tot_pages,
                    d->max_pages);
        }
    }
}

static void dump_port(struct domain *d, const evtchn_status_t *st)
{
    char what[48];
    switch (st->status) {
    case EVTCHNSTAT_unbound:
        snprintf(what, sizeof(what), "unbound, for domain %u", st->u.unbound.dom);
        break;
    case EVTCHNSTAT_interdomain:
        snprintf(what, sizeof(what), "interdomain, to domain %u port %u", st->u.interdomain.dom,
                 st->u.interdomain.port);
        break;
    case EVTCHNSTAT_virq:
        snprintf(what, sizeof(what), "VIRQ %u", st->u.virq);
        break;
    case EVTCHNSTAT_ipi:
        snprintf(what, sizeof(what), "IPI");
        break;
    default:
        snprintf(what, sizeof(what), "status %u", st->status);
        break;
    }
    pr_info("    port %4u: %s, vCPU %u%s\n", st->port, what, st->vcpu,
            evtchn_2l_is_pending(d, st->port) ? ", pending" : "");
}

/* e: every port in use of every domain, as EVTCHNOP_status sees it. */
static void dump_evtchn(void)
{
    pr_info("'e' pressed: event channels\n");
    for (uint16_t id = 1; id < MAX_DOMAINS; id++) {
        struct domain *d = domain_by_id(id);
        unsigned int used = 0;
        if (!d) {
            continue;
        }
        pr_info("  domain %u (%s):\n", d->id, d->name);
        for (evtchn_port_t p = 1; p < EVTCHN_2L_NR_PORTS && evtchn_port_valid(d, p); p++) {
            evtchn_status_t st = {.dom = DOMID_SELF, .port = p};
            if (evtchn_status(d, &st) == 0 && st.status != EVTCHNSTAT_closed) {
                dump_port(d, &st);
                used++;
            }
        }
        if (!used) {
            pr_info("    (no ports in use)\n");
        }
    }
}

bool keyhandler_run(char key)
{
    switch (key) {
    case 'h':
        opcon_help();
        return true;
    case 'q':
        dump_domains();
        return true;
    case 'r':
        pr_info("'r' pressed: run queues and credits\n");
        sched_dump();
        return true;
    case 'm':
        dump_memory();
        return true;
    case 'e':
        dump_evtchn();
        return true;
    case 't':
        pr_info("'t' pressed: armed timers\n");
        timer_dump();
        return true;
    default:
        return false;
    }
}
