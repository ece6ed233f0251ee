/*
 * Unit tests of the event-channel state machine (kernel/event.c) and the 2-level protocol
 * (kernel/event_2l.c): every transition, every refusal with Xen's error, the bits on the
 * shared-info page and the wake-ups, over host stand-ins for domains, the heap and the
 * scheduler.  (On the host xen_ulong_t has 64 bits, so a selector bit covers 64 ports.)
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "kernel/backend.h"
#include "kernel/domain.h"
#include "kernel/errno.h"
#include "kernel/sched.h"
#include "mm/heap.h"

#define WORD_BITS (8 * sizeof(xen_ulong_t))
#define NR_FAKE   8

/* ---- stand-ins: domains by id, the heap, the scheduler ---- */

struct fake_domain {
    struct domain d;
    struct vcpu v[4];
    shared_info_t si;
};

static struct domain *domains[NR_FAKE];
static unsigned int heap_live, unblocks[NR_FAKE][4];
static bool heap_fail;

struct domain *domain_by_id(uint16_t id)
{
    return id < NR_FAKE ? domains[id] : NULL;
}

void *kmalloc(size_t size)
{
    void *p;
    if (heap_fail) {
        return NULL;
    }
    p = calloc(1, size);
    assert_non_null(p);
    heap_live++;
    return p;
}

void kfree(void *p)
{
    if (p) {
        heap_live--;
        free(p);
    }
}

/* Sends on a monitor service's port are counted, not served. */
static unsigned int backend_kicks;
void backend_kick(struct domain *d, unsigned int svc)
{
    (void)d;
    (void)svc;
    backend_kicks++;
}

/* The scheduler's side of a wake-up: the flag, a count, and the poll bookkeeping. */
void vcpu_unblock(struct vcpu *v)
{
    v->blocked = false;
    unblocks[v->domain->id][v->id]++;
    evtchn_poll_done(v);
}

static struct domain *make_domain(uint16_t id, unsigned int vcpus, bool privileged)
{
    struct fake_domain *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->d.id = id;
    f->d.cfg.privileged = privileged;
    f->d.shared_info = &f->si;
    f->d.nr_vcpus = vcpus;
    for (unsigned int i = 0; i < vcpus; i++) {
        f->v[i].domain = &f->d;
        f->v[i].id = i;
        f->v[i].vcpu_info = &f->si.vcpu_info[i];
        f->d.vcpu[i] = &f->v[i];
    }
    domains[id] = &f->d;
    return &f->d;
}

static void destroy_domain(struct domain *d)
{
    evtchn_domain_destroy(d);
    domains[d->id] = NULL;
    free(container_of(d, struct fake_domain, d));
}

static struct domain *A, *B, *C;   /* 1 and 2 ordinary (2 vCPUs), 3 privileged */

static int setup(void **state)
{
    (void)state;
    memset(unblocks, 0, sizeof(unblocks));
    heap_fail = false;
    A = make_domain(1, 2, false);
    B = make_domain(2, 2, false);
    C = make_domain(3, 1, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < NR_FAKE; i++) {
        if (domains[i]) {
            destroy_domain(domains[i]);
        }
    }
    assert_int_equal(evtchn_buckets_live(), 0);
    assert_int_equal(heap_live, 0);
    return 0;
}

/* ---- helpers ---- */

static bool pending(struct domain *d, unsigned int port)
{
    return d->shared_info->evtchn_pending[port / WORD_BITS] & ((xen_ulong_t)1 << (port % WORD_BITS));
}

static void set_mask(struct domain *d, unsigned int port)
{
    d->shared_info->evtchn_mask[port / WORD_BITS] |= (xen_ulong_t)1 << (port % WORD_BITS);
}

static evtchn_status_t status_of(struct domain *caller, domid_t dom, evtchn_port_t port)
{
    evtchn_status_t st;
    memset(&st, 0, sizeof(st));
    st.dom = dom;
    st.port = port;
    assert_int_equal(evtchn_status(caller, &st), 0);
    return st;
}

static int status_rc(struct domain *caller, domid_t dom, evtchn_port_t port)
{
    evtchn_status_t st = { .dom = dom, .port = port };
    return evtchn_status(caller, &st);
}

static evtchn_port_t unbound(struct domain *d, domid_t remote)
{
    evtchn_port_t p = 0;
    assert_int_equal(evtchn_alloc_unbound(d, DOMID_SELF, remote, &p), 0);
    return p;
}

/* A's new unbound port, bound from B: returns B's port, A's in *aport. */
static evtchn_port_t connect_ab(evtchn_port_t *aport)
{
    evtchn_port_t bport = 0;
    *aport = unbound(A, B->id);
    assert_int_equal(evtchn_bind_interdomain(B, A->id, *aport, &bport), 0);
    return bport;
}

static void clear_vcpu(struct domain *d, unsigned int vcpu)
{
    d->shared_info->vcpu_info[vcpu].evtchn_upcall_pending = 0;
    d->shared_info->vcpu_info[vcpu].evtchn_pending_sel = 0;
}

/* ---- tests ---- */

static void ports_valid_by_bucket(void **state)
{
    evtchn_port_t p;
    (void)state;
    assert_true(evtchn_port_valid(A, 0));
    assert_true(evtchn_port_valid(A, 127));
    assert_false(evtchn_port_valid(A, 128));
    assert_false(evtchn_port_valid(A, 1024));
    assert_false(evtchn_port_valid(A, 0xFFFFFFFFu));
    /* Filling the first bucket makes the second one, and its ports valid. */
    for (unsigned int i = 1; i < 128; i++) {
        assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
        assert_int_equal(p, i);
    }
    assert_int_equal(evtchn_buckets_live(), 1);
    assert_false(evtchn_port_valid(A, 128));
    assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
    assert_int_equal(p, 128);
    assert_true(evtchn_port_valid(A, 255));
    assert_false(evtchn_port_valid(A, 256));
}

static void alloc_unbound_and_refusals(void **state)
{
    evtchn_port_t p = 0;
    evtchn_status_t st;
    (void)state;
    assert_int_equal(evtchn_alloc_unbound(A, DOMID_SELF, B->id, &p), 0);
    assert_int_equal(p, 1);                        /* port 0 is reserved */
    st = status_of(A, DOMID_SELF, 1);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, B->id);
    assert_int_equal(st.vcpu, 0);
    /* Own id as dom, DOMID_SELF as remote (the caller), a remote that does not exist. */
    assert_int_equal(evtchn_alloc_unbound(A, A->id, DOMID_SELF, &p), 0);
    assert_int_equal(status_of(A, DOMID_SELF, p).u.unbound.dom, A->id);
    assert_int_equal(evtchn_alloc_unbound(A, DOMID_SELF, 7, &p), 0);
    assert_int_equal(status_of(A, DOMID_SELF, p).u.unbound.dom, 7);
    /* Another domain: unprivileged -EPERM, missing -ESRCH; privileged allowed. */
    assert_int_equal(evtchn_alloc_unbound(A, B->id, A->id, &p), -EPERM);
    assert_int_equal(evtchn_alloc_unbound(A, 6, A->id, &p), -ESRCH);
    assert_int_equal(evtchn_alloc_unbound(A, DOMID_IO, A->id, &p), -ESRCH);
    assert_int_equal(status_rc(B, DOMID_SELF, 1), 0);
    assert_int_equal(status_of(B, DOMID_SELF, 1).status, EVTCHNSTAT_closed);
    assert_int_equal(evtchn_alloc_unbound(C, B->id, DOMID_SELF, &p), 0);
    assert_int_equal(p, 1);
    st = status_of(B, DOMID_SELF, 1);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, C->id);     /* DOMID_SELF: the caller, C */
}

static void exhaustion_and_out_of_memory(void **state)
{
    evtchn_port_t p;
    (void)state;
    heap_fail = true;
    assert_int_equal(evtchn_bind_ipi(A, 0, &p), -ENOMEM);
    assert_int_equal(evtchn_buckets_live(), 0);
    heap_fail = false;
    for (unsigned int i = 1; i < EVTCHN_2L_NR_PORTS; i++) {
        assert_int_equal(evtchn_alloc_unbound(A, DOMID_SELF, B->id, &p), 0);
        assert_int_equal(p, i);
    }
    assert_int_equal(evtchn_buckets_live(), EVTCHN_NR_BUCKETS);
    assert_int_equal(evtchn_alloc_unbound(A, DOMID_SELF, B->id, &p), -ENOSPC);
    assert_int_equal(evtchn_bind_ipi(A, 0, &p), -ENOSPC);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 0, &p), -ENOSPC);
    /* A closed port is handed out again: the lowest free one. */
    assert_int_equal(evtchn_close(A, 500), 0);
    assert_int_equal(evtchn_close(A, 77), 0);
    assert_int_equal(evtchn_bind_ipi(A, 1, &p), 0);
    assert_int_equal(p, 77);
    assert_int_equal(evtchn_bind_ipi(A, 1, &p), 0);
    assert_int_equal(p, 500);
}

static void bind_interdomain_connects_and_sets_pending(void **state)
{
    evtchn_port_t aport, bport;
    evtchn_status_t st;
    (void)state;
    bport = connect_ab(&aport);
    assert_int_equal(aport, 1);
    assert_int_equal(bport, 1);
    st = status_of(A, DOMID_SELF, aport);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, B->id);
    assert_int_equal(st.u.interdomain.port, bport);
    st = status_of(B, DOMID_SELF, bport);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, A->id);
    assert_int_equal(st.u.interdomain.port, aport);
    /* Sends on the unbound end were dropped: the binder's new port starts pending. */
    assert_true(pending(B, bport));
    assert_false(pending(A, aport));
    assert_int_equal(B->shared_info->vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(B->shared_info->vcpu_info[0].evtchn_pending_sel, 1);
    assert_int_equal(unblocks[B->id][0], 1);
}

static void bind_interdomain_refusals(void **state)
{
    evtchn_port_t aport, p = 0;
    (void)state;
    aport = unbound(A, C->id);                          /* offered to C, not to B */
    assert_int_equal(evtchn_bind_interdomain(B, A->id, aport, &p), -EINVAL);
    assert_int_equal(evtchn_bind_interdomain(B, 6, aport, &p), -ESRCH);
    assert_int_equal(evtchn_bind_interdomain(B, A->id, 0, &p), -EINVAL);          /* reserved */
    assert_int_equal(evtchn_bind_interdomain(B, A->id, 5, &p), -EINVAL);          /* free */
    assert_int_equal(evtchn_bind_interdomain(B, A->id, 128, &p), -EINVAL);        /* invalid */
    assert_int_equal(evtchn_bind_interdomain(B, A->id, 0xFFFFFFFFu, &p), -EINVAL);
    assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
    assert_int_equal(evtchn_bind_interdomain(B, A->id, p, &p), -EINVAL);          /* an IPI */
    /* Nothing bound on B by the refusals (its first bucket was made for the new port). */
    assert_int_equal(B->evtchn.nr_bound, 0);
    assert_int_equal(evtchn_bind_interdomain(C, A->id, aport, &p), 0);
    /* Bound already: nobody else may take it. */
    assert_int_equal(evtchn_bind_interdomain(C, A->id, aport, &p), -EINVAL);
    assert_false(pending(A, aport));
}

static void loopback_interdomain(void **state)
{
    evtchn_port_t a = unbound(A, DOMID_SELF), b = 0;
    evtchn_status_t st;
    (void)state;
    assert_int_equal(evtchn_bind_interdomain(A, DOMID_SELF, a, &b), 0);
    assert_int_equal(b, a + 1);
    st = status_of(A, DOMID_SELF, a);
    assert_int_equal(st.u.interdomain.dom, A->id);
    assert_int_equal(st.u.interdomain.port, b);
    A->shared_info->evtchn_pending[0] = 0;
    assert_int_equal(evtchn_send(A, a), 0);
    assert_true(pending(A, b));
    assert_false(pending(A, a));
    assert_int_equal(evtchn_close(A, b), 0);
    st = status_of(A, DOMID_SELF, a);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, A->id);
    assert_false(pending(A, b));                        /* closing clears the pending bit */
}

static void close_interdomain_leaves_peer_unbound(void **state)
{
    evtchn_port_t aport, bport, again;
    evtchn_status_t st;
    (void)state;
    bport = connect_ab(&aport);
    assert_int_equal(evtchn_bind_vcpu(B, bport, 1), 0);
    assert_true(pending(B, bport));
    assert_int_equal(evtchn_close(B, bport), 0);
    st = status_of(B, DOMID_SELF, bport);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(st.vcpu, 0);                       /* reset to vCPU 0 */
    assert_false(pending(B, bport));
    st = status_of(A, DOMID_SELF, aport);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, B->id);          /* offered to the closer again */
    /* Sending into the unbound end is dropped; the closer can bind again. */
    assert_int_equal(evtchn_send(A, aport), 0);
    assert_int_equal(evtchn_bind_interdomain(B, A->id, aport, &again), 0);
    assert_int_equal(again, bport);
    /* Closing twice, or a free, reserved or invalid port: -EINVAL. */
    assert_int_equal(evtchn_close(A, aport), 0);
    assert_int_equal(evtchn_close(A, aport), -EINVAL);
    assert_int_equal(evtchn_close(A, 0), -EINVAL);
    assert_int_equal(evtchn_close(A, 60), -EINVAL);
    assert_int_equal(evtchn_close(A, 1024), -EINVAL);
    assert_int_equal(evtchn_close(A, 0x80000000u), -EINVAL);
    assert_int_equal(status_of(B, DOMID_SELF, again).u.unbound.dom, A->id);
}

static void send_by_state(void **state)
{
    evtchn_port_t aport, bport, ipi, virq, unb;
    (void)state;
    bport = connect_ab(&aport);
    clear_vcpu(B, 0);
    B->shared_info->evtchn_pending[0] = 0;
    assert_int_equal(evtchn_bind_vcpu(B, bport, 1), 0);
    assert_int_equal(evtchn_send(A, aport), 0);
    assert_true(pending(B, bport));
    assert_int_equal(B->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    assert_int_equal(B->shared_info->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(evtchn_bind_ipi(A, 1, &ipi), 0);
    assert_int_equal(evtchn_send(A, ipi), 0);
    assert_true(pending(A, ipi));
    assert_int_equal(A->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_DEBUG, 0, &virq), 0);
    assert_int_equal(evtchn_send(A, virq), -EINVAL);
    unb = unbound(A, B->id);
    assert_int_equal(evtchn_send(A, unb), 0);
    assert_false(pending(A, unb));
    assert_int_equal(evtchn_send(A, 0), -EINVAL);
    assert_int_equal(evtchn_send(A, 100), -EINVAL);
    assert_int_equal(evtchn_send(A, 128), -EINVAL);
    assert_int_equal(evtchn_send(A, 0xFFFFFFFFu), -EINVAL);
}

static void virq_binding(void **state)
{
    evtchn_port_t p, q;
    evtchn_status_t st;
    (void)state;
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 1, &p), 0);
    st = status_of(A, DOMID_SELF, p);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    assert_int_equal(st.vcpu, 1);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 1, &q), -EEXIST);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 0, &q), 0);     /* per vCPU */
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 2, &q), -ENOENT);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 0x7FFFFFFFu, &q), -ENOENT);
    assert_int_equal(evtchn_bind_virq(A, NR_VIRQS, 0, &q), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, 0xFFFFFFFFu, 0, &q), -EINVAL);
    /* Global VIRQs only on vCPU 0 (-EINVAL before the vCPU is looked at). */
    assert_int_equal(evtchn_bind_virq(A, VIRQ_CONSOLE, 1, &q), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_CONSOLE, 9, &q), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_CONSOLE, 0, &q), 0);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_CONSOLE, 0, &q), -EEXIST);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_ARCH_0, 0, &q), 0);
    /* The four per-vCPU VIRQs bind on vCPU 1; every other number below NR_VIRQS (those
     * Xen's header does not name too) is global, as on Xen. */
    assert_int_equal(evtchn_bind_virq(A, VIRQ_DEBUG, 1, &q), 0);
    assert_int_equal(evtchn_bind_vcpu(A, q, 0), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_XENOPROF, 1, &q), 0);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_XENPMU, 1, &q), 0);
    for (unsigned int virq = 0; virq < NR_VIRQS; virq++) {
        bool per_vcpu = virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
                        virq == VIRQ_XENPMU;
        if (!per_vcpu) {
            assert_int_equal(evtchn_bind_virq(A, virq, 1, &q), -EINVAL);
        }
    }
    assert_int_equal(evtchn_bind_virq(A, 5, 0, &q), 0);
    /* Closing forgets the binding: it can be made again. */
    assert_int_equal(evtchn_close(A, p), 0);
    assert_int_equal(A->vcpu[1]->evtchn.virq_to_port[VIRQ_TIMER], 0);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 1, &q), 0);
    assert_int_equal(q, p);
}

static void monitor_senders(void **state)
{
    evtchn_port_t t, c, ipi;
    (void)state;
    assert_int_equal(evtchn_send_virq(A->vcpu[1], VIRQ_TIMER), -ENOENT);
    assert_int_equal(evtchn_send_virq(A->vcpu[1], VIRQ_CONSOLE), -EINVAL);
    assert_int_equal(evtchn_send_virq(A->vcpu[1], NR_VIRQS), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_TIMER, 1, &t), 0);
    assert_int_equal(evtchn_send_virq(A->vcpu[0], VIRQ_TIMER), -ENOENT);   /* vCPU 1's */
    assert_int_equal(evtchn_send_virq(A->vcpu[1], VIRQ_TIMER), 0);
    assert_true(pending(A, t));
    assert_int_equal(A->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    assert_int_equal(evtchn_send_global_virq(A, VIRQ_CONSOLE), -ENOENT);
    assert_int_equal(evtchn_send_global_virq(A, VIRQ_TIMER), -EINVAL);
    assert_int_equal(evtchn_bind_virq(A, VIRQ_CONSOLE, 0, &c), 0);
    /* A global VIRQ may move to another vCPU; a per-vCPU one and an IPI may not. */
    assert_int_equal(evtchn_bind_vcpu(A, c, 1), 0);
    assert_int_equal(evtchn_bind_vcpu(A, t, 0), -EINVAL);
    clear_vcpu(A, 1);
    assert_int_equal(evtchn_send_global_virq(A, VIRQ_CONSOLE), 0);
    assert_true(pending(A, c));
    assert_int_equal(A->shared_info->vcpu_info[1].evtchn_upcall_pending, 1);
    assert_int_equal(A->shared_info->vcpu_info[0].evtchn_upcall_pending, 0);
    assert_int_equal(evtchn_bind_vcpu(A, c, 0), 0);
    /* notify_port: any port in use; -EINVAL for the others. */
    assert_int_equal(evtchn_bind_ipi(A, 0, &ipi), 0);
    assert_int_equal(evtchn_notify_port(A, ipi), 0);
    assert_true(pending(A, ipi));
    assert_int_equal(evtchn_notify_port(A, 0), -EINVAL);
    assert_int_equal(evtchn_notify_port(A, 99), -EINVAL);
    assert_int_equal(evtchn_notify_port(A, 5000), -EINVAL);
}

/* A port whose other end is a monitor service: high in the first bucket, shown as
 * interdomain with domain 0, sends only mark the service, the monitor's notify checks it. */
static void monitor_service_ports(void **state)
{
    evtchn_port_t p, q;
    evtchn_status_t st;
    (void)state;
    assert_int_equal(evtchn_alloc_monitor(A, BACKEND_XENSTORE, &p), 0);
    assert_int_equal(p, EVTCHN_BUCKET_PORTS - 1);
    assert_int_equal(evtchn_alloc_monitor(A, BACKEND_CONSOLE, &q), 0);
    assert_int_equal(q, EVTCHN_BUCKET_PORTS - 2);
    assert_int_equal(unbound(A, 2), 1);     /* the guest's own ports still start at 1 */
    st = status_of(A, DOMID_SELF, p);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 0);
    backend_kicks = 0;
    assert_int_equal(evtchn_send(A, p), 0);
    assert_int_equal(backend_kicks, 1);
    assert_false(pending(A, p));
    assert_int_equal(evtchn_notify_monitor(A, p, BACKEND_XENSTORE), 0);
    assert_true(pending(A, p));
    assert_int_equal(evtchn_notify_monitor(A, p, BACKEND_CONSOLE), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(A, p, 1), 0);
    assert_int_equal(evtchn_close(A, p), 0);
    assert_int_equal(evtchn_notify_monitor(A, p, BACKEND_XENSTORE), -EINVAL);
}

static void bind_ipi_and_bind_vcpu(void **state)
{
    evtchn_port_t ipi, u, aport, bport;
    evtchn_status_t st;
    (void)state;
    assert_int_equal(evtchn_bind_ipi(A, 2, &ipi), -ENOENT);
    assert_int_equal(evtchn_bind_ipi(A, 1, &ipi), 0);
    st = status_of(A, DOMID_SELF, ipi);
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 1);
    assert_int_equal(evtchn_bind_vcpu(A, ipi, 0), -EINVAL);
    u = unbound(A, B->id);
    assert_int_equal(evtchn_bind_vcpu(A, u, 2), -ENOENT);
    assert_int_equal(evtchn_bind_vcpu(A, u, 1), 0);
    assert_int_equal(status_of(A, DOMID_SELF, u).vcpu, 1);
    /* The vCPU survives binding the unbound port. */
    assert_int_equal(evtchn_bind_interdomain(B, A->id, u, &bport), 0);
    assert_int_equal(status_of(A, DOMID_SELF, u).vcpu, 1);
    bport = connect_ab(&aport);
    assert_int_equal(evtchn_bind_vcpu(B, bport, 1), 0);
    assert_int_equal(evtchn_bind_vcpu(A, 0, 0), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(A, 90, 0), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(A, 128, 0), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(A, 128, 7), -ENOENT);   /* the vCPU is checked first */
}

static void status_refusals(void **state)
{
    evtchn_status_t st;
    (void)state;
    st = status_of(A, DOMID_SELF, 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(status_of(A, A->id, 127).status, EVTCHNSTAT_closed);
    assert_int_equal(status_rc(A, DOMID_SELF, 128), -EINVAL);
    assert_int_equal(status_rc(A, DOMID_SELF, 0xFFFFFFFFu), -EINVAL);
    assert_int_equal(status_rc(A, 6, 1), -ESRCH);
    /* Xen's order for another domain: a bad port before the permission. */
    assert_int_equal(status_rc(A, B->id, 1), -EPERM);
    assert_int_equal(status_rc(A, B->id, 4000), -EINVAL);
    assert_int_equal(status_of(C, A->id, 1).status, EVTCHNSTAT_closed);
}

static void reset_closes_everything(void **state)
{
    evtchn_port_t aport, bport, p;
    (void)state;
    bport = connect_ab(&aport);
    assert_int_equal(evtchn_bind_virq(B, VIRQ_TIMER, 1, &p), 0);
    assert_int_equal(evtchn_bind_ipi(B, 0, &p), 0);
    unbound(B, A->id);
    assert_int_equal(evtchn_reset(A, B->id), -EPERM);
    assert_int_equal(evtchn_reset(A, 6), -ESRCH);
    assert_int_equal(evtchn_reset(C, B->id), -EINVAL);   /* not paused by its controller */
    assert_int_equal(evtchn_reset(B, DOMID_SELF), 0);
    assert_int_equal(B->evtchn.nr_bound, 0);
    for (evtchn_port_t i = 0; i < 128; i++) {
        assert_int_equal(status_of(B, DOMID_SELF, i).status, EVTCHNSTAT_closed);
    }
    assert_int_equal(B->vcpu[1]->evtchn.virq_to_port[VIRQ_TIMER], 0);
    assert_false(pending(B, bport));
    assert_int_equal(status_of(A, DOMID_SELF, aport).status, EVTCHNSTAT_unbound);
    assert_int_equal(evtchn_reset(B, B->id), 0);          /* nothing left: fine again */
    assert_int_equal(evtchn_bind_virq(B, VIRQ_TIMER, 1, &p), 0);
    assert_int_equal(p, 1);
}

static void destroy_unbinds_peers_and_frees(void **state)
{
    evtchn_port_t aport, bport, p;
    (void)state;
    bport = connect_ab(&aport);
    for (unsigned int i = 0; i < 300; i++) {
        assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
    }
    assert_int_equal(evtchn_buckets_live(), 4);            /* A's three, B's one */
    destroy_domain(A);
    assert_int_equal(evtchn_buckets_live(), 1);
    assert_int_equal(status_of(B, DOMID_SELF, bport).status, EVTCHNSTAT_unbound);
    assert_int_equal(status_of(B, DOMID_SELF, bport).u.unbound.dom, 1);
    /* A domain being destroyed takes no new port and no new peer. */
    A = make_domain(1, 1, false);
    A->evtchn.dying = true;
    assert_int_equal(evtchn_alloc_unbound(A, DOMID_SELF, B->id, &p), -EINVAL);
    assert_int_equal(evtchn_bind_interdomain(B, A->id, 1, &p), -ESRCH);
    assert_int_equal(evtchn_alloc_unbound(C, A->id, B->id, &p), -ESRCH);
    A->evtchn.dying = false;
    /* The new domain with the old id is offered B's end. */
    assert_int_equal(evtchn_bind_interdomain(A, B->id, bport, &p), 0);
}

static void two_level_bits(void **state)
{
    evtchn_port_t p, q;
    vcpu_info_t *vi = &A->shared_info->vcpu_info[0];
    (void)state;
    for (unsigned int i = 0; i < WORD_BITS + 2; i++) {
        assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
    }
    q = p - 1;                                   /* WORD_BITS + 1: in the second word */
    set_mask(A, p);
    assert_int_equal(evtchn_send(A, p), 0);
    assert_true(pending(A, p));
    assert_int_equal(vi->evtchn_pending_sel, 0);   /* masked: nothing more */
    assert_int_equal(vi->evtchn_upcall_pending, 0);
    assert_int_equal(unblocks[1][0], 0);
    assert_int_equal(evtchn_send(A, q), 0);
    assert_int_equal(vi->evtchn_pending_sel, 2);
    assert_int_equal(vi->evtchn_upcall_pending, 1);
    assert_int_equal(unblocks[1][0], 1);
    /* Coalescing: a second send neither sets more nor kicks again. */
    vi->evtchn_pending_sel = 0;
    assert_int_equal(evtchn_send(A, q), 0);
    assert_int_equal(vi->evtchn_pending_sel, 0);
    assert_int_equal(unblocks[1][0], 1);
    /* Unmask of the pending masked port: marked like a new event; kicked only from 0. */
    assert_int_equal(evtchn_unmask(A, p), 0);
    assert_int_equal(vi->evtchn_pending_sel, 2);
    assert_int_equal(unblocks[1][0], 1);
    clear_vcpu(A, 0);
    set_mask(A, p);
    assert_int_equal(evtchn_unmask(A, p), 0);
    assert_int_equal(vi->evtchn_upcall_pending, 1);
    assert_int_equal(unblocks[1][0], 2);
    /* Unmasking an unmasked or unpending port marks nothing. */
    clear_vcpu(A, 0);
    assert_int_equal(evtchn_unmask(A, p), 0);
    assert_int_equal(evtchn_unmask(A, 100), 0);
    assert_int_equal(vi->evtchn_upcall_pending, 0);
    assert_int_equal(evtchn_unmask(A, 1024), -EINVAL);
    assert_int_equal(evtchn_unmask(A, 500), -EINVAL);
}

static void pollers_woken_by_their_ports(void **state)
{
    evtchn_port_t p, q;
    struct vcpu *v = A->vcpu[1];
    uint32_t list[1];
    (void)state;
    assert_int_equal(evtchn_bind_ipi(A, 0, &p), 0);
    assert_int_equal(evtchn_bind_ipi(A, 0, &q), 0);
    set_mask(A, p);
    set_mask(A, q);
    list[0] = p;
    v->blocked = true;
    assert_false(evtchn_poll_begin(v, list, 1));
    assert_int_equal(A->evtchn.pollers, 2);
    /* Another port (masked) does not wake it; its own does, masked or not. */
    assert_int_equal(evtchn_send(A, q), 0);
    assert_true(v->blocked);
    assert_int_equal(evtchn_send(A, p), 0);
    assert_false(v->blocked);
    assert_int_equal(unblocks[1][1], 1);
    assert_int_equal(A->evtchn.pollers, 0);
    /* Already pending when it starts: reported at once. */
    assert_true(evtchn_poll_begin(v, list, 1));
    evtchn_poll_done(v);
    assert_int_equal(A->evtchn.pollers, 0);
    /* No list: only a newly marked vCPU ends the wait (as Xen's kick does). */
    v->blocked = true;
    assert_false(evtchn_poll_begin(v, list, 0));
    evtchn_2l_clear_pending(A, q);
    A->shared_info->evtchn_mask[0] = 0;
    assert_int_equal(evtchn_bind_vcpu(A, q, 0), -EINVAL);   /* an IPI stays put */
    evtchn_2l_set_pending(A, v, q);
    assert_false(v->blocked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ports_valid_by_bucket, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_unbound_and_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(exhaustion_and_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(bind_interdomain_connects_and_sets_pending, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bind_interdomain_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(loopback_interdomain, setup, teardown),
        cmocka_unit_test_setup_teardown(close_interdomain_leaves_peer_unbound, setup, teardown),
        cmocka_unit_test_setup_teardown(send_by_state, setup, teardown),
        cmocka_unit_test_setup_teardown(monitor_service_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(virq_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(monitor_senders, setup, teardown),
        cmocka_unit_test_setup_teardown(bind_ipi_and_bind_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(status_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(reset_closes_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(destroy_unbinds_peers_and_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(two_level_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(pollers_woken_by_their_ports, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
