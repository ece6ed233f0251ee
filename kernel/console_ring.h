/*
 * The console ring of each ordinary domain (xen/io/console.h): the monitor takes the
 * guest's output and prints it line by line with the domain's name (as console_io does),
 * and puts the operator's input into it.
 *
 * Locking: cons_lock (console_ring.c, interrupts off) guards every domain's ring state;
 * it comes before a domain's evtchn lock and its mm_lock.
 */
#ifndef KERNEL_CONSOLE_RING_H
#define KERNEL_CONSOLE_RING_H

#include "kernel/types.h"

struct domain;

/* Backend hooks (kernel/backend.c): the port given to the guest (0: no console ring),
 * serving one domain's output (true when more is waiting), teardown. */
uint32_t console_ring_attach(struct domain *d, mfn_t frame);
bool console_ring_serve(unsigned int domid);
void console_ring_detach(struct domain *d);

/*
 * Puts up to len bytes of input into d's ring and notifies it: the number of bytes taken
 * (fewer when the ring is full, 0 when it is), -ENOENT when d has no console ring, -EIO
 * when the guest broke it (indices out of range).
 */
int console_ring_put_input(struct domain *d, const char *buf, size_t len);

#endif
