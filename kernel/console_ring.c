/*
 * Console rings (console_ring.h).  As for the store ring, the monitor keeps its own copy
 * of the indices it owns (out_cons, in_prod), reads the guest's once, and stops serving a
 * ring whose indices are out of range.
 */
#include "kernel/console_ring.h"
#include "kernel/console_input.h"
#include "kernel/backend.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/lib.h"
#include "kernel/printk.h"
#include "mm/heap.h"
#include "mm/mapcache.h"
#include <xen/io/console.h>

#define OUT_BUDGET 512      /* bytes printed per domain per turn (interrupts are off) */

struct cons_slot {
    struct domain *d;
    mfn_t frame;
    evtchn_port_t port;
    bool broken;
    uint32_t out_cons, in_prod;     /* ours */
};

static spinlock_t cons_lock = SPINLOCK_INIT;
static struct cons_slot *cslots[MAX_DOMAINS];

typedef volatile struct xencons_interface cons_intf_t;

static void break_ring(struct cons_slot *s, const char *which)
{
    s->broken = true;
    pr_warn("console: domain %u (%s): %s index out of range; its ring is no longer served\n",
            s->d->id, s->d->name, which);
}

/* Prints up to OUT_BUDGET bytes of output; true when more is waiting.  cons_lock held. */
static bool take_output(struct cons_slot *s, cons_intf_t *intf, bool *took)
{
    char buf[OUT_BUDGET];
    uint32_t prod = intf->out_prod, n = 0;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - s->out_cons > sizeof(intf->out)) {
        break_ring(s, "output");
        return false;
    }
    while (s->out_cons != prod && n < sizeof(buf)) {
        buf[n++] = intf->out[MASK_XENCONS_IDX(s->out_cons, intf->out)];
        s->out_cons++;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    intf->out_cons = s->out_cons;
    domain_console_write(s->d, buf, n);
    *took = n != 0;
    return s->out_cons != prod;
}

/*
 * Moves what the operator typed for the domain (kernel/console_input.c) into the ring's
 * input side, as far as it has room; true when some went in.  A consumer index the guest
 * moved past the producer breaks the ring.  cons_lock held, intf mapped.
 */
static bool feed_input(struct cons_slot *s, cons_intf_t *intf, bool *more)
{
    uint32_t cons = READ_ONCE(intf->in_cons), pos;
    char in[64];
    size_t room, n;
    if (s->in_prod - cons > sizeof(intf->in)) {
        break_ring(s, "input");
        return false;
    }
    room = MIN(sizeof(in), sizeof(intf->in) - (s->in_prod - cons));
    n = room ? console_input_take(s->d, in, room, &pos) : 0;
    for (size_t i = 0; i < n; i++) {
        intf->in[MASK_XENCONS_IDX(s->in_prod, intf->in)] = in[i];
        s->in_prod++;
    }
    if (n) {
        __atomic_thread_fence(__ATOMIC_RELEASE);
        intf->in_prod = s->in_prod;
    }
    *more |= n == sizeof(in);
    return n != 0;
}

bool console_ring_serve(unsigned int domid)
{
    uint32_t f = spin_lock_irqsave(&cons_lock);
    struct cons_slot *s = cslots[domid];
    bool more = false, took = false;
    if (s && !s->broken) {
        cons_intf_t *intf = map_frame(s->frame);
        more = take_output(s, intf, &took);
        if (!s->broken && feed_input(s, intf, &more)) {
            took = true;
        }
        unmap_frame((const void *)intf);
        if (took) {
            evtchn_notify_monitor(s->d, s->port, BACKEND_CONSOLE);
        }
    }
    spin_unlock_irqrestore(&cons_lock, f);
    return more;
}

int console_ring_put_input(struct domain *d, const char *buf, size_t len)
{
    uint32_t f = spin_lock_irqsave(&cons_lock);
    struct cons_slot *s = cslots[d->id];
    int rc = -ENOENT;
    if (s && s->broken) {
        rc = -EIO;
    } else if (s) {
        cons_intf_t *intf = map_frame(s->frame);
        uint32_t cons = intf->in_cons, n = 0;
        if (s->in_prod - cons > sizeof(intf->in)) {
            break_ring(s, "input");
            rc = -EIO;
        } else {
            while (n < len && s->in_prod - cons < sizeof(intf->in)) {
                intf->in[MASK_XENCONS_IDX(s->in_prod, intf->in)] = buf[n++];
                s->in_prod++;
            }
            __atomic_thread_fence(__ATOMIC_RELEASE);
            intf->in_prod = s->in_prod;
            rc = (int)n;
        }
        unmap_frame((const void *)intf);
        if (rc > 0) {
            evtchn_notify_monitor(d, s->port, BACKEND_CONSOLE);
        }
    }
    spin_unlock_irqrestore(&cons_lock, f);
    return rc;
}

uint32_t console_ring_attach(struct domain *d, mfn_t frame)
{
    struct cons_slot *s;
    evtchn_port_t port = 0;
    uint32_t f;
    if (!backend_frame_get(d, frame)) {
        pr_err("console: domain %u: its ring frame cannot be held\n", d->id);
        return 0;
    }
    s = kmalloc(sizeof(*s));
    if (!s || evtchn_alloc_monitor(d, BACKEND_CONSOLE, &port)) {
        pr_err("console: domain %u: no console ring (out of memory or ports)\n", d->id);
        kfree(s);
        backend_frame_put(d, frame);
        return 0;
    }
    s->d = d;
    s->frame = frame;
    s->port = port;
    f = spin_lock_irqsave(&cons_lock);
    cslots[d->id] = s;
    spin_unlock_irqrestore(&cons_lock, f);
    return port;
}

void console_ring_detach(struct domain *d)
{
    uint32_t f = spin_lock_irqsave(&cons_lock);
    struct cons_slot *s = cslots[d->id];
    cslots[d->id] = NULL;
    spin_unlock_irqrestore(&cons_lock, f);
    if (s) {
        backend_frame_put(d, s->frame);
        kfree(s);
    }
}
