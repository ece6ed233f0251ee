/*
 * Event-channel ports: each domain's table and the state machine of EVTCHNOP_* (the bits on
 * the shared-info page are kernel/event_2l.c's).  Lock order and the reasoning behind it:
 * kernel/event.h.  Builds on the host for the unit tests (tests/unit/test_event.c).
 */
#include "kernel/event.h"
#include "kernel/backend.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "mm/heap.h"

static spinlock_t evtchn_global_lock = SPINLOCK_INIT;
static unsigned int buckets_live;   /* atomic */

/* ---- the table ---- */

bool evtchn_port_valid(struct domain *d, evtchn_port_t port)
{
    /* The first bucket counts as present even before it is allocated, as on Xen. */
    unsigned int buckets = d->evtchn.nr_buckets ? d->evtchn.nr_buckets : 1;
    return port < EVTCHN_2L_NR_PORTS && port < buckets * EVTCHN_BUCKET_PORTS;
}

/* The port's entry, or NULL when its bucket does not exist (the port is then free). */
static struct evtchn *port_chn(struct domain *d, evtchn_port_t port)
{
    unsigned int b = port / EVTCHN_BUCKET_PORTS;
    if (port >= EVTCHN_2L_NR_PORTS || b >= d->evtchn.nr_buckets) {
        return NULL;
    }
    return &d->evtchn.bucket[b]->port[port % EVTCHN_BUCKET_PORTS];
}

static unsigned int port_state(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = port_chn(d, port);
    return chn ? chn->state : port == 0 ? ECS_RESERVED : ECS_FREE;
}

static unsigned int port_vcpu(struct domain *d, evtchn_port_t port)
{
    const struct evtchn *chn = port_chn(d, port);
    return chn ? chn->notify_vcpu : 0;
}

/* Adds the next bucket; 0 or -ENOMEM.  Port 0 of the first one is reserved. */
static int add_bucket(struct domain *d)
{
    struct evtchn_domain *e = &d->evtchn;
    struct evtchn_bucket *b = kmalloc(sizeof(*b));
    if (!b) {
        return -ENOMEM;
    }
    if (e->nr_buckets == 0) {
        b->port[0].state = ECS_RESERVED;
    }
    e->bucket[e->nr_buckets] = b;
    e->nr_buckets++;
    __atomic_fetch_add(&buckets_live, 1, __ATOMIC_RELAXED);
    return 0;
}

/*
 * The lowest free port (Xen hands them out the same way), growing the table by a bucket
 * when every existing one is full.  -ENOSPC when all 1023 are in use, -ENOMEM, or -EINVAL
 * once the domain is being destroyed.  d->evtchn.lock held.
 */
static int get_free_port(struct domain *d)
{
    struct evtchn_domain *e = &d->evtchn;
    if (e->dying) {
        return -EINVAL;
    }
    for (unsigned int b = 0; b < e->nr_buckets; b++) {
        for (unsigned int i = 0; i < EVTCHN_BUCKET_PORTS; i++) {
            if (e->bucket[b]->port[i].state == ECS_FREE) {
                return (int)(b * EVTCHN_BUCKET_PORTS + i);
            }
        }
    }
    if (e->nr_buckets == EVTCHN_NR_BUCKETS) {
        return -ENOSPC;
    }
    int rc = add_bucket(d);
    if (rc) {
        return rc;
    }
    return (int)((e->nr_buckets - 1) * EVTCHN_BUCKET_PORTS) + (e->nr_buckets == 1 ? 1 : 0);
}

/* Takes a port get_free_port() found: state and vCPU set, everything else cleared. */
static struct evtchn *claim_port(struct domain *d, int port, unsigned int state,
                                 unsigned int vcpu)
{
    struct evtchn *chn = port_chn(d, (evtchn_port_t)port);
    *chn = (struct evtchn){ .state = (uint8_t)state, .notify_vcpu = (uint8_t)vcpu };
    d->evtchn.nr_bound++;
    return chn;
}

/* Back to free: its pending bit is cleared and its vCPU reset to 0, as on Xen. */
static void free_port(struct domain *d, evtchn_port_t port, struct evtchn *chn)
{
    evtchn_2l_clear_pending(d, port);
    *chn = (struct evtchn){ .state = ECS_FREE };
    d->evtchn.nr_bound--;
}

static bool virq_is_global(unsigned int virq)
{
    /* The per-vCPU ones; every other VIRQ (the x86 arch ones included) is global. */
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
           virq != VIRQ_XENPMU;
}

/* ---- locks ---- */

static uint32_t lock_one(struct domain *d)
{
    return spin_lock_irqsave(&d->evtchn.lock);
}

static void unlock_one(struct domain *d, uint32_t f)
{
    spin_unlock_irqrestore(&d->evtchn.lock, f);
}

/* Both tables, the lower domain id first; a and b may be the same domain. */
static uint32_t lock_pair(struct domain *a, struct domain *b)
{
    struct domain *first = a->id <= b->id ? a : b, *second = first == a ? b : a;
    uint32_t f = spin_lock_irqsave(&first->evtchn.lock);
    if (second != first) {
        spin_lock(&second->evtchn.lock);
    }
    return f;
}

static void unlock_pair(struct domain *a, struct domain *b, uint32_t f)
{
    struct domain *first = a->id <= b->id ? a : b, *second = first == a ? b : a;
    if (second != first) {
        spin_unlock(&second->evtchn.lock);
    }
    spin_unlock_irqrestore(&first->evtchn.lock, f);
}

/*
 * The domain dom names for caller: the caller for DOMID_SELF or its own id, any other live
 * domain for a privileged caller.  -ESRCH (no such domain, or one being destroyed) before
 * -EPERM, as Xen's lookup comes before its permission check.  evtchn_global_lock held.
 */
static int target_domain(struct domain *caller, domid_t dom, struct domain **out)
{
    struct domain *d;
    if (dom == DOMID_SELF || dom == caller->id) {
        *out = caller;
        return 0;
    }
    d = domain_by_id(dom);
    if (!d || d->evtchn.dying) {
        return -ESRCH;
    }
    if (!caller->cfg.privileged) {
        return -EPERM;
    }
    *out = d;
    return 0;
}

/* ---- binding ---- */

int evtchn_alloc_unbound(struct domain *caller, domid_t dom, domid_t remote_dom,
                         evtchn_port_t *port)
{
    struct domain *d;
    struct evtchn *chn;
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock), f;
    int rc = target_domain(caller, dom, &d);
    if (rc) {
        spin_unlock_irqrestore(&evtchn_global_lock, g);
        return rc;
    }
    f = lock_one(d);
    rc = get_free_port(d);
    if (rc >= 0) {
        chn = claim_port(d, rc, ECS_UNBOUND, 0);
        /* The remote domain need not exist yet; DOMID_SELF means the caller. */
        chn->remote_dom = remote_dom == DOMID_SELF ? caller->id : remote_dom;
        *port = (evtchn_port_t)rc;
        rc = 0;
    }
    unlock_one(d, f);
    spin_unlock_irqrestore(&evtchn_global_lock, g);
    return rc;
}

/* Both tables locked: checks the remote port and connects the two. */
static int connect(struct domain *ld, struct domain *rd, evtchn_port_t rport,
                   evtchn_port_t *port)
{
    struct evtchn *lchn, *rchn;
    int lport = get_free_port(ld);
    if (lport < 0) {
        return lport;
    }
    if (!evtchn_port_valid(rd, rport)) {
        return -EINVAL;
    }
    rchn = port_chn(rd, rport);
    if (!rchn || rchn->state != ECS_UNBOUND || rchn->remote_dom != ld->id) {
        return -EINVAL;
    }
    lchn = claim_port(ld, lport, ECS_INTERDOMAIN, 0);
    lchn->remote_dom = rd->id;
    lchn->remote_port = (uint16_t)rport;
    rchn->state = ECS_INTERDOMAIN;
    rchn->remote_dom = ld->id;
    rchn->remote_port = (uint16_t)lport;
    /* Sends on the unbound end were dropped: the new port starts pending, as on Xen. */
    evtchn_2l_set_pending(ld, ld->vcpu[0], (unsigned int)lport);
    *port = (evtchn_port_t)lport;
    return 0;
}

int evtchn_bind_interdomain(struct domain *ld, domid_t remote_dom, evtchn_port_t remote_port,
                            evtchn_port_t *port)
{
    struct domain *rd;
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock), f;
    int rc;
    rd = remote_dom == DOMID_SELF ? ld : domain_by_id(remote_dom);
    if (!rd || rd->evtchn.dying) {
        spin_unlock_irqrestore(&evtchn_global_lock, g);
        return -ESRCH;
    }
    f = lock_pair(ld, rd);
    rc = connect(ld, rd, remote_port, port);
    unlock_pair(ld, rd, f);
    spin_unlock_irqrestore(&evtchn_global_lock, g);
    return rc;
}

int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_vcpu *ev;
    struct evtchn *chn;
    uint32_t f;
    int rc;
    if (virq >= NR_VIRQS || (virq_is_global(virq) && vcpu != 0)) {
        return -EINVAL;
    }
    if (vcpu >= d->nr_vcpus) {
        return -ENOENT;
    }
    ev = &d->vcpu[vcpu]->evtchn;
    f = lock_one(d);
    rc = ev->virq_to_port[virq] ? -EEXIST : get_free_port(d);
    if (rc >= 0) {
        chn = claim_port(d, rc, ECS_VIRQ, vcpu);
        chn->virq = (uint8_t)virq;
        ev->virq_to_port[virq] = (uint16_t)rc;
        *port = (evtchn_port_t)rc;
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, evtchn_port_t *port)
{
    uint32_t f;
    int rc;
    if (vcpu >= d->nr_vcpus) {
        return -ENOENT;
    }
    f = lock_one(d);
    rc = get_free_port(d);
    if (rc >= 0) {
        claim_port(d, rc, ECS_IPI, vcpu);
        *port = (evtchn_port_t)rc;
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn *chn;
    uint32_t f;
    int rc = 0;
    if (vcpu >= d->nr_vcpus) {
        return -ENOENT;
    }
    f = lock_one(d);
    chn = port_chn(d, port);
    if (!evtchn_port_valid(d, port) || !chn) {
        rc = -EINVAL;
    } else if (chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN ||
               chn->state == ECS_MONITOR ||
               (chn->state == ECS_VIRQ && virq_is_global(chn->virq))) {
        /* IPIs and per-vCPU VIRQs stay with the vCPU they were bound for. */
        chn->notify_vcpu = (uint8_t)vcpu;
    } else {
        rc = -EINVAL;
    }
    unlock_one(d, f);
    return rc;
}

/* ---- closing ---- */

/* Forgets the VIRQ binding of a VIRQ port on whichever vCPU holds it. */
static void unbind_virq(struct domain *d, evtchn_port_t port, const struct evtchn *chn)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        if (d->vcpu[i]->evtchn.virq_to_port[chn->virq] == port) {
            d->vcpu[i]->evtchn.virq_to_port[chn->virq] = 0;
        }
    }
}

/* Closes an interdomain port; the peer's end becomes unbound, offered to d again. */
static int close_interdomain(struct domain *d, evtchn_port_t port, domid_t peer_id)
{
    /* Alive: bound to d, and only holders of the global lock (we are one) unbind. */
    struct domain *peer = domain_by_id(peer_id);
    struct evtchn *chn, *pchn;
    uint32_t f = lock_pair(d, peer);
    int rc = -EINVAL;
    chn = port_chn(d, port);
    if (chn && chn->state == ECS_INTERDOMAIN && chn->remote_dom == peer_id) {
        pchn = port_chn(peer, chn->remote_port);
        pchn->state = ECS_UNBOUND;
        pchn->remote_dom = d->id;
        pchn->remote_port = 0;
        free_port(d, port, chn);
        rc = 0;
    }
    unlock_pair(d, peer, f);
    return rc;
}

/* EVTCHNOP_close of one port; evtchn_global_lock held.  -EINVAL for a port not in use. */
static int close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *chn;
    uint32_t f = lock_one(d);
    int rc = 0;
    chn = port_chn(d, port);
    if (!chn || chn->state == ECS_FREE || chn->state == ECS_RESERVED) {
        rc = -EINVAL;
    } else if (chn->state == ECS_INTERDOMAIN) {
        domid_t peer = chn->remote_dom;
        /* The peer's lock may come first in the order: start again holding both. */
        unlock_one(d, f);
        return close_interdomain(d, port, peer);
    } else {
        if (chn->state == ECS_VIRQ) {
            unbind_virq(d, port, chn);
        }
        free_port(d, port, chn);
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock);
    int rc = evtchn_port_valid(d, port) ? close_port(d, port) : -EINVAL;
    spin_unlock_irqrestore(&evtchn_global_lock, g);
    return rc;
}

/* Closes every port (port 0 is reserved); evtchn_global_lock held. */
static void close_all(struct domain *d)
{
    unsigned int n = d->evtchn.nr_buckets * EVTCHN_BUCKET_PORTS;
    for (evtchn_port_t port = 1; port < n; port++) {
        if (port_state(d, port) != ECS_FREE) {
            close_port(d, port);
        }
    }
}

int evtchn_reset(struct domain *caller, domid_t dom)
{
    struct domain *d;
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock);
    int rc = target_domain(caller, dom, &d);
    if (!rc && d != caller) {
        rc = -EINVAL;    /* Xen resets another domain only while its controller paused it */
    } else if (!rc) {
        close_all(d);
        /* Another vCPU bound a port meanwhile: Xen says so the same way. */
        rc = d->evtchn.nr_bound ? -EAGAIN : 0;
    }
    spin_unlock_irqrestore(&evtchn_global_lock, g);
    return rc;
}

void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn_domain *e = &d->evtchn;
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock), f;
    f = lock_one(d);
    e->dying = true;
    unlock_one(d, f);
    close_all(d);
    for (unsigned int b = 0; b < e->nr_buckets; b++) {
        kfree(e->bucket[b]);
        e->bucket[b] = NULL;
        __atomic_fetch_sub(&buckets_live, 1, __ATOMIC_RELAXED);
    }
    e->nr_buckets = 0;
    spin_unlock_irqrestore(&evtchn_global_lock, g);
}

unsigned int evtchn_buckets_live(void)
{
    return __atomic_load_n(&buckets_live, __ATOMIC_RELAXED);
}

/* ---- sending, status, unmasking ---- */

int evtchn_send(struct domain *ld, evtchn_port_t port)
{
    struct evtchn *chn;
    uint32_t f = lock_one(ld);
    int rc = 0;
    chn = evtchn_port_valid(ld, port) ? port_chn(ld, port) : NULL;
    if (!chn) {
        rc = -EINVAL;
    } else if (chn->state == ECS_INTERDOMAIN) {
        /* The peer stays while we hold our lock with the port bound (kernel/event.h). */
        struct domain *rd = domain_by_id(chn->remote_dom);
        unsigned int rvcpu = port_vcpu(rd, chn->remote_port);
        evtchn_2l_set_pending(rd, rd->vcpu[rvcpu], chn->remote_port);
    } else if (chn->state == ECS_IPI) {
        evtchn_2l_set_pending(ld, ld->vcpu[chn->notify_vcpu], port);
    } else if (chn->state == ECS_MONITOR) {
        /* Only a mark: the service runs later, not inside this send (the ABI's rule). */
        backend_kick(ld, chn->remote_port);
    } else if (chn->state != ECS_UNBOUND) {
        rc = -EINVAL;    /* free, reserved or a VIRQ; on an unbound port it is dropped */
    }
    unlock_one(ld, f);
    return rc;
}

static void fill_status(struct domain *d, evtchn_port_t port, evtchn_status_t *st)
{
    const struct evtchn *chn = port_chn(d, port);
    static const uint32_t status_of[] = {
        [ECS_FREE] = EVTCHNSTAT_closed, [ECS_RESERVED] = EVTCHNSTAT_closed,
        [ECS_UNBOUND] = EVTCHNSTAT_unbound, [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
        [ECS_VIRQ] = EVTCHNSTAT_virq, [ECS_IPI] = EVTCHNSTAT_ipi,
        [ECS_MONITOR] = EVTCHNSTAT_interdomain,
    };
    st->status = status_of[port_state(d, port)];
    st->vcpu = port_vcpu(d, port);
    if (st->status == EVTCHNSTAT_unbound) {
        st->u.unbound.dom = chn->remote_dom;
    } else if (port_state(d, port) == ECS_MONITOR) {
        st->u.interdomain.dom = 0;      /* the monitor plays domain 0 for its services */
        st->u.interdomain.port = chn->remote_port;
    } else if (st->status == EVTCHNSTAT_interdomain) {
        st->u.interdomain.dom = chn->remote_dom;
        st->u.interdomain.port = chn->remote_port;
    } else if (st->status == EVTCHNSTAT_virq) {
        st->u.virq = chn->virq;
    }
}

int evtchn_status(struct domain *caller, evtchn_status_t *st)
{
    struct domain *d;
    uint32_t g = spin_lock_irqsave(&evtchn_global_lock), f;
    int rc = -ESRCH;
    /* Xen's order: the domain, then the port, then the permission. */
    d = st->dom == DOMID_SELF ? caller : domain_by_id(st->dom);
    if (d && !d->evtchn.dying) {
        f = lock_one(d);
        if (!evtchn_port_valid(d, st->port)) {
            rc = -EINVAL;
        } else if (d != caller && !caller->cfg.privileged) {
            rc = -EPERM;
        } else {
            fill_status(d, st->port, st);
            rc = 0;
        }
        unlock_one(d, f);
    }
    spin_unlock_irqrestore(&evtchn_global_lock, g);
    return rc;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
    uint32_t f = lock_one(d);
    int rc = -EINVAL;
    if (evtchn_port_valid(d, port)) {
        evtchn_2l_unmask(d, d->vcpu[port_vcpu(d, port)], port);
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

/* ---- the monitor's own senders ---- */

int evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;
    uint32_t f;
    int rc = -ENOENT;
    if (virq >= NR_VIRQS || virq_is_global(virq)) {
        return -EINVAL;
    }
    f = lock_one(d);
    if (v->evtchn.virq_to_port[virq]) {
        evtchn_2l_set_pending(d, v, v->evtchn.virq_to_port[virq]);
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
    uint32_t f;
    int rc = -ENOENT;
    if (virq >= NR_VIRQS || !virq_is_global(virq)) {
        return -EINVAL;
    }
    f = lock_one(d);
    unsigned int port = d->vcpu[0]->evtchn.virq_to_port[virq];
    if (port) {
        evtchn_2l_set_pending(d, d->vcpu[port_vcpu(d, port)], port);
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_notify_port(struct domain *d, unsigned int port)
{
    uint32_t f = lock_one(d);
    unsigned int state = port_state(d, port);
    int rc = -EINVAL;
    if (port < EVTCHN_2L_NR_PORTS && state != ECS_FREE && state != ECS_RESERVED) {
        evtchn_2l_set_pending(d, d->vcpu[port_vcpu(d, port)], port);
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

/*
 * The highest free port of the first bucket: the monitor's service ports stay out of the
 * way of a guest that expects its own first port to be 1 (the ports are in start_info, so
 * their numbers are not part of the ABI).  d->evtchn.lock held.
 */
static int get_free_port_high(struct domain *d)
{
    struct evtchn_domain *e = &d->evtchn;
    int rc;
    if (e->dying) {
        return -EINVAL;
    }
    if (!e->nr_buckets && (rc = add_bucket(d))) {
        return rc;
    }
    for (int i = EVTCHN_BUCKET_PORTS - 1; i > 0; i--) {
        if (e->bucket[0]->port[i].state == ECS_FREE) {
            return i;
        }
    }
    return -ENOSPC;
}

int evtchn_alloc_monitor(struct domain *d, unsigned int svc, evtchn_port_t *port)
{
    uint32_t f = lock_one(d);
    int rc = get_free_port_high(d);
    if (rc >= 0) {
        struct evtchn *chn = claim_port(d, rc, ECS_MONITOR, 0);
        chn->remote_port = (uint16_t)svc;
        *port = (evtchn_port_t)rc;
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}

int evtchn_notify_monitor(struct domain *d, evtchn_port_t port, unsigned int svc)
{
    uint32_t f = lock_one(d);
    const struct evtchn *chn = port_chn(d, port);
    int rc = -EINVAL;
    if (chn && chn->state == ECS_MONITOR && chn->remote_port == svc) {
        evtchn_2l_set_pending(d, d->vcpu[chn->notify_vcpu], port);
        rc = 0;
    }
    unlock_one(d, f);
    return rc;
}
