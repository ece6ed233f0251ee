/*
 * Events: the callbacks, the 2-level demultiplexer behind the event callback with a handler
 * per port, port masking, and wrappers of event_channel_op.
 *
 * The runtime takes events on vCPU 0: bind ports to it (the default for every port but
 * the IPIs and per-vCPU VIRQs bound for another vCPU), whose pending selector the
 * demultiplexer reads.  Handlers run in the event callback with events masked, on the
 * interrupted stack; they must not block.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include "guest/lib.h"
#include "guest/traps.h"
#include "guest/xen.h"
#include <xen/event_channel.h>

#define EVTCHN_PORTS 1024 /* 2-level, 32-bit guest */

/*
 * Registers the runtime's event and failsafe callbacks, with callback_op or, when that
 * answers -ENOSYS, set_callbacks.  Sets events_usable on success.  The failsafe handler
 * panics.  Returns 0 or the errno.
 */
int events_init(void);

/* Ports taken by the demultiplexer so far, and those with no handler (they were masked). */
extern unsigned long events_seen, events_unhandled;

/* While a handler runs: the frame of the interrupted context (ring 1 or 3); else NULL. */
extern const struct guest_regs *events_interrupted;

/* The event mask of vCPU 0 (1 = masked), and setting it; no-ops without shared info.
 * Unmasking with an event pending has it delivered at once. */
unsigned int events_mask_get(void);
void events_mask_set(unsigned int mask);

/*
 * The handler of a port, called with the port and arg each time the port is found pending
 * (its pending bit is cleared first, so a send during the handler calls it again).  NULL
 * removes it; a pending port without a handler is masked and counted in events_unhandled.
 * Does not unmask the port.  Returns 0, or -XEN_EINVAL for a port past the last.
 */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);
int evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg);

/*
 * Port bits in the shared info page.  Unmasking a port that is pending marks vCPU 0 and,
 * when events are unmasked, has the event delivered before evtchn_unmask() returns.
 */
void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
bool evtchn_is_pending(evtchn_port_t port);
bool evtchn_is_masked(evtchn_port_t port);

/* event_channel_op wrappers for the caller's own ports: 0 or a negative Xen errno (the
 * port is written on success only). */
int evtchn_alloc_unbound(domid_t remote_dom, evtchn_port_t *port);
int evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port, evtchn_port_t *port);
int evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
int evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port);
int evtchn_send(evtchn_port_t port);
int evtchn_close(evtchn_port_t port);

/* Called by the event callback stub. */
void guest_event(struct guest_regs *regs);
void guest_failsafe(uint32_t *frame);

#endif
