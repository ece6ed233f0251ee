/*
 * The monitor's services to guests over shared rings (the xenstore, kernel/xs_ring.c; the
 * console ring, kernel/console_ring.c): each domain's end of their event channels, and
 * where their work runs.
 *
 * A guest's send on a service port only marks the domain (backend_kick); the service runs
 * later from backend_poll(), which the idle loop and the scheduler tick call, so a request
 * is never served inside the frontend's own send (the ABI's rule for backends).  A guest
 * that sends and then blocks (the usual frontend) is served at once: nothing else to run
 * means the idle loop.
 */
#ifndef KERNEL_BACKEND_H
#define KERNEL_BACKEND_H

#include "kernel/types.h"

struct domain;

enum backend_service {
    BACKEND_XENSTORE = 1,
    BACKEND_CONSOLE = 2,
};

/* A send on d's port for svc: marks it for the next backend_poll().  Any context. */
void backend_kick(struct domain *d, unsigned int svc);

/* Serves the marked domains, and the xenstore's timeouts.  Interrupts off. */
void backend_poll(void);

/*
 * Connects a new domain's store and console rings (their frames: the builder's) and
 * writes its xenstore entries; fills the start_info ports (0 when a service could not be
 * set up: the domain then runs without it, and the log says why).
 */
void backend_attach(struct domain *d, mfn_t store, mfn_t console, uint32_t *store_port,
                    uint32_t *console_port);

/* Disconnects a domain being destroyed: its entries leave the store, the frames are
 * given back.  Before its frames are released (kernel/domain.c). */
void backend_detach(struct domain *d);

/*
 * A ring frame of d the monitor writes into: a general and a writable type reference, so
 * that the guest can neither give it back nor turn it into a page table while the monitor
 * uses it.  false when the frame is not d's or is typed otherwise.
 */
bool backend_frame_get(struct domain *d, mfn_t frame);
void backend_frame_put(struct domain *d, mfn_t frame);

#endif
