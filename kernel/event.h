/*
 * Event channels, Xen's 2-level ABI: each domain has 1024 ports (port 0 reserved), each
 * free, unbound (offered to one remote domain), interdomain, bound to a VIRQ, or an IPI,
 * and each notifying one of the domain's vCPUs.  A port set pending follows the 2-level
 * protocol on the shared-info page; the exit path to the guest delivers the upcall
 * (arch/x86/vcpu.c).
 *
 * kernel/event.c keeps the port table and its state machine, kernel/event_2l.c the bits on
 * the shared-info page and the wake-ups, kernel/hc_evtchn.c the hypercall.
 *
 * Locking: evtchn_global_lock (in event.c) is outermost.  It is held by every operation
 * that reaches into another domain's table (binding to it, closing an interdomain port,
 * naming another domain, reset) and by the teardown, so no table disappears under them.
 * Below it, each domain's d->evtchn.lock (interrupts off: the timer sends VIRQs); two of
 * them are taken in ascending domain id.  Then the scheduler's lock (waking a vCPU).
 * Sending needs only the sender's own lock: while that is held and the port is still
 * interdomain, the peer's teardown (which must take it to unbind the port) cannot finish.
 */
#ifndef KERNEL_EVENT_H
#define KERNEL_EVENT_H

#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "kernel/xen.h"
#include <xen/event_channel.h>

/* 2-level: the pending and mask arrays of a 32-bit guest hold 32 words of 32 bits. */
#define EVTCHN_2L_NR_PORTS   1024u
#define EVTCHN_BUCKET_PORTS  128u
#define EVTCHN_NR_BUCKETS    (EVTCHN_2L_NR_PORTS / EVTCHN_BUCKET_PORTS)

enum evtchn_state {
    ECS_FREE,
    ECS_RESERVED,       /* port 0 */
    ECS_UNBOUND,        /* remote_dom may bind to it */
    ECS_INTERDOMAIN,    /* connected to (remote_dom, remote_port) */
    ECS_VIRQ,           /* virq */
    ECS_IPI,            /* sends notify the port's own vCPU */
    ECS_MONITOR,        /* the other end is a monitor service (remote_port names it) */
};

struct evtchn {
    uint8_t state;          /* enum evtchn_state */
    uint8_t notify_vcpu;    /* the vCPU a pending event marks */
    uint8_t virq;
    uint8_t pad;
    uint16_t remote_dom;    /* unbound: who may bind; interdomain: the peer */
    uint16_t remote_port;   /* interdomain: the peer's port */
};

struct evtchn_bucket {
    struct evtchn port[EVTCHN_BUCKET_PORTS];
};

/* A domain's ports.  Zero is a valid empty table (the domain is allocated zeroed). */
struct evtchn_domain {
    spinlock_t lock;                  /* the fields below */
    bool dying;                       /* teardown began: no new ports, no new peers */
    uint16_t nr_bound;                /* ports not free, port 0 not counted */
    uint8_t nr_buckets;               /* buckets 0..nr_buckets-1 exist, in order */
    uint32_t pollers;                 /* vCPUs in SCHEDOP_poll (atomic; one bit each) */
    struct evtchn_bucket *bucket[EVTCHN_NR_BUCKETS];
};

/* A vCPU's part: its per-vCPU VIRQ bindings (vCPU 0's also hold the global VIRQs). */
struct evtchn_vcpu {
    uint16_t virq_to_port[NR_VIRQS];
    uint32_t poll_ports[EVTCHN_2L_NR_PORTS / 32];   /* SCHEDOP_poll's list, while polling */
};

struct domain;
struct vcpu;

/* ---- the hypercall's operations (kernel/event.c); each returns 0 or a Xen errno ---- */

/* A port of dom (DOMID_SELF, the caller, or any domain for a privileged caller) that
 * remote_dom (DOMID_SELF means the caller) may bind to. */
int evtchn_alloc_unbound(struct domain *caller, domid_t dom, domid_t remote_dom,
                         evtchn_port_t *port);
/* Connects a new local port to (remote_dom, remote_port), which must be unbound and
 * offered to the caller; the new port is set pending (notifications sent to the unbound
 * end were dropped). */
int evtchn_bind_interdomain(struct domain *ld, domid_t remote_dom, evtchn_port_t remote_port,
                            evtchn_port_t *port);
int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, evtchn_port_t *port);
int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, uint32_t vcpu);
int evtchn_close(struct domain *d, evtchn_port_t port);
int evtchn_send(struct domain *d, evtchn_port_t port);
/* Fills st->status, st->vcpu and st->u for (st->dom, st->port). */
int evtchn_status(struct domain *caller, evtchn_status_t *st);
int evtchn_unmask(struct domain *d, evtchn_port_t port);
/* Closes every port of dom (the caller's own: Xen resets another domain only while its
 * controller has paused it, and nothing here pauses one). */
int evtchn_reset(struct domain *caller, domid_t dom);

/* True for a port the domain's table covers (every port of an allocated bucket, and the
 * first bucket always), as Xen's "valid port": the others are -EINVAL everywhere. */
bool evtchn_port_valid(struct domain *d, evtchn_port_t port);

/* ---- for the monitor's own senders (timer, console, xenstore) ---- */

/* Raises a per-vCPU VIRQ on v: 0, -EINVAL (not a per-vCPU VIRQ), -ENOENT (not bound). */
int evtchn_send_virq(struct vcpu *v, unsigned int virq);
/* Raises a global VIRQ of d: 0, -EINVAL (not a global VIRQ), -ENOENT (not bound). */
int evtchn_send_global_virq(struct domain *d, unsigned int virq);
/* Marks port of d pending, as a peer's send would: 0, or -EINVAL for a port not in use.
 * The caller keeps d alive (d->evtchn.lock is taken, interrupts off). */
int evtchn_notify_port(struct domain *d, unsigned int port);

/*
 * A port of d whose other end is the monitor's service svc (the xenstore or the console
 * ring, kernel/backend.h): the guest's sends call backend_kick(d, svc), and the guest sees
 * an interdomain port connected to domain 0.  0, -ENOSPC, -ENOMEM or -EINVAL (dying).
 */
int evtchn_alloc_monitor(struct domain *d, unsigned int svc, evtchn_port_t *port);
/* The monitor's send on such a port: 0, or -EINVAL when the guest closed it (or it now
 * serves something else).  d->evtchn.lock is taken, interrupts off. */
int evtchn_notify_monitor(struct domain *d, evtchn_port_t port, unsigned int svc);

/* Closes every port of a domain being destroyed (peers' ends become unbound, offered to
 * it again, as on Xen) and frees its table.  Its vCPUs no longer run. */
void evtchn_domain_destroy(struct domain *d);

/* Buckets allocated by all domains together (the leak check at the end of a run). */
unsigned int evtchn_buckets_live(void);

/* ---- the 2-level protocol (kernel/event_2l.c) ---- */

/* Sets port pending for vCPU v of d: marks v and wakes it, or wakes a poller of the port. */
void evtchn_2l_set_pending(struct domain *d, struct vcpu *v, unsigned int port);
void evtchn_2l_clear_pending(struct domain *d, unsigned int port);
bool evtchn_2l_is_pending(const struct domain *d, unsigned int port);
/* Clears the port's mask; a pending port then marks v as a new event would. */
void evtchn_2l_unmask(struct domain *d, struct vcpu *v, unsigned int port);

/*
 * SCHEDOP_poll: records v's ports (n of them, each below EVTCHN_2L_NR_PORTS) so that a
 * send on one wakes it; evtchn_poll_done() forgets them (on any wake-up).  Returns true
 * when one of them is pending already, checked after the recording (no lost wake-up).
 */
bool evtchn_poll_begin(struct vcpu *v, const uint32_t *ports, unsigned int n);
void evtchn_poll_done(struct vcpu *v);

#endif
