/*
 * The xenstore's side of each domain's store ring (kernel/xs_conn.c speaks the protocol),
 * and the requests the monitor makes of a guest through the store: shut down, change its
 * memory target.
 *
 * Locking: xs_lock (in xs_ring.c, interrupts off) guards the store, every connection and
 * the per-domain ring state; it comes before a domain's evtchn lock (notifications) and
 * its mm_lock (the ring frame's references).
 */
#ifndef KERNEL_XS_RING_H
#define KERNEL_XS_RING_H

#include "kernel/types.h"

struct domain;

/* How long a guest asked to shut down has before it is destroyed. */
#define XS_SHUTDOWN_TIMEOUT_NS (2000ull * 1000 * 1000)

/* Backend hooks (kernel/backend.c): the port given to the guest (0: no store), serving
 * one domain's ring (true when work is left), teardown, and the shutdown deadlines. */
uint32_t xs_ring_attach(struct domain *d, mfn_t frame);
bool xs_ring_serve(unsigned int domid);
void xs_ring_detach(struct domain *d);
void xs_ring_timeouts(void);

/*
 * Writes control/shutdown ("poweroff", "reboot", ...) for the guest to act on; a guest
 * still running XS_SHUTDOWN_TIMEOUT_NS later is shut down by the monitor with that reason
 * (poweroff for anything but "reboot").  Timed by the scheduler tick.
 */
void xs_request_shutdown(struct domain *d, const char *reason);

/* Writes memory/target (KiB) for the guest's balloon: 0, -EINVAL (above its maximum),
 * -ENOENT (the domain has no store), or the store's error. */
int xs_set_memory_target(struct domain *d, uint64_t kib);

/* Heap bytes the store holds now (the live tree), for reports and leak checks. */
uint32_t xs_store_bytes(void);

#endif
