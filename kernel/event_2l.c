/*
 * The 2-level event protocol on the shared-info page: evtchn_pending and evtchn_mask (one
 * bit per port), vcpu_info.evtchn_pending_sel (one bit per word of those) and
 * evtchn_upcall_pending, in Xen's order.  The guest changes the same words on its own
 * vCPUs at any time, so every read-modify-write here is atomic.  Also the SCHEDOP_poll
 * bookkeeping, which a pending port consults.
 */
#include "kernel/domain.h"
#include "kernel/event.h"
#include "kernel/sched.h"

/* xen_ulong_t is 32 bits for the guest; the host build of the unit tests has 64. */
#define WORD_BITS (8u * (unsigned int)sizeof(xen_ulong_t))

static xen_ulong_t bit_of(unsigned int nr)
{
    return (xen_ulong_t)1 << (nr % WORD_BITS);
}

static bool test_bit(const xen_ulong_t *words, unsigned int nr)
{
    return __atomic_load_n(&words[nr / WORD_BITS], __ATOMIC_SEQ_CST) & bit_of(nr);
}

static bool test_and_set_bit(xen_ulong_t *words, unsigned int nr)
{
    return __atomic_fetch_or(&words[nr / WORD_BITS], bit_of(nr), __ATOMIC_SEQ_CST) & bit_of(nr);
}

static bool test_and_clear_bit(xen_ulong_t *words, unsigned int nr)
{
    return __atomic_fetch_and(&words[nr / WORD_BITS], ~bit_of(nr), __ATOMIC_SEQ_CST) &
           bit_of(nr);
}

/* The vCPU has something for its upcall; it is woken when the flag was clear (Xen's kick). */
static void mark_events_pending(struct vcpu *v)
{
    if (!__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST)) {
        vcpu_unblock(v);
    }
}

/* Wakes the vCPUs polling this port (whatever the masks say). */
static void check_pollers(struct domain *d, unsigned int port)
{
    uint32_t pollers = __atomic_load_n(&d->evtchn.pollers, __ATOMIC_SEQ_CST);
    while (pollers) {
        unsigned int id = (unsigned int)__builtin_ctz(pollers);
        struct vcpu *v = d->vcpu[id];
        pollers &= pollers - 1;
        if ((v->evtchn.poll_ports[port / 32] & (1u << (port % 32))) &&
            (__atomic_fetch_and(&d->evtchn.pollers, ~(1u << id), __ATOMIC_SEQ_CST) &
             (1u << id))) {
            vcpu_unblock(v);
        }
    }
}

void evtchn_2l_set_pending(struct domain *d, struct vcpu *v, unsigned int port)
{
    shared_info_t *s = d->shared_info;
    if (!s || test_and_set_bit(s->evtchn_pending, port)) {
        return;     /* already pending: events on one port coalesce */
    }
    if (!test_bit(s->evtchn_mask, port) &&
        !test_and_set_bit(&v->vcpu_info->evtchn_pending_sel, port / WORD_BITS)) {
        mark_events_pending(v);
    }
    check_pollers(d, port);
}

void evtchn_2l_clear_pending(struct domain *d, unsigned int port)
{
    if (d->shared_info) {
        test_and_clear_bit(d->shared_info->evtchn_pending, port);
    }
}

bool evtchn_2l_is_pending(const struct domain *d, unsigned int port)
{
    return d->shared_info && test_bit(d->shared_info->evtchn_pending, port);
}

void evtchn_2l_unmask(struct domain *d, struct vcpu *v, unsigned int port)
{
    shared_info_t *s = d->shared_info;
    /* In this order, so that an event that arrived while masked is not lost. */
    if (s && test_and_clear_bit(s->evtchn_mask, port) && test_bit(s->evtchn_pending, port) &&
        !test_and_set_bit(&v->vcpu_info->evtchn_pending_sel, port / WORD_BITS)) {
        mark_events_pending(v);
    }
}

bool evtchn_poll_begin(struct vcpu *v, const uint32_t *ports, unsigned int n)
{
    struct domain *d = v->domain;
    uint32_t *set = v->evtchn.poll_ports;
    for (unsigned int i = 0; i < EVTCHN_2L_NR_PORTS / 32; i++) {
        set[i] = 0;
    }
    for (unsigned int i = 0; i < n; i++) {
        set[ports[i] / 32] |= 1u << (ports[i] % 32);
    }
    /* Recorded first, checked after: a send in between sees us (a full barrier each). */
    __atomic_fetch_or(&d->evtchn.pollers, 1u << v->id, __ATOMIC_SEQ_CST);
    for (unsigned int i = 0; i < n; i++) {
        if (evtchn_2l_is_pending(d, ports[i])) {
            return true;
        }
    }
    return false;
}

void evtchn_poll_done(struct vcpu *v)
{
    __atomic_fetch_and(&v->domain->evtchn.pollers, ~(1u << v->id), __ATOMIC_SEQ_CST);
}
