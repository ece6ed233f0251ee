/* Event callbacks: registration, and the minimal handler that acknowledges every event. */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include "guest/lib.h"

/*
 * Registers the runtime's event and failsafe callbacks, with callback_op or, when that
 * answers -ENOSYS, set_callbacks.  Sets events_usable on success.  The event handler
 * masks and clears every pending port (the runtime uses no events); the failsafe handler
 * panics.  Returns 0 or the errno.
 */
int events_init(void);

/* Events delivered so far. */
extern unsigned long events_seen;

/* The event mask of vCPU 0 (1 = masked), and setting it; no-ops without shared info. */
unsigned int events_mask_get(void);
void events_mask_set(unsigned int mask);

/* Called by the event callback stub. */
struct guest_regs;
void guest_event(struct guest_regs *regs);
void guest_failsafe(uint32_t *frame);

#endif
