/* The 8254 PIT's channel 2 as a calibration reference: one-shot intervals, polled. */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include "kernel/types.h"

#define PIT_HZ     1193182u
#define PIT_MAX_US 54900u /* the 16-bit count's reach */

/*
 * Starts a one-shot count of about `us` microseconds (1..PIT_MAX_US) on channel 2, gated
 * through port 0x61 with the speaker off, and stores the exact programmed interval in
 * *ns.  Returns false if the PIT is known or found to be absent.  Boot only, one user at a
 * time (the caller serializes), interrupts off for meaningful timing.
 */
bool pit_oneshot_start(uint32_t us, uint64_t *ns);

/*
 * Spins until the count started by pit_oneshot_start() runs out.  Returns false, prints
 * "PIT absent" once and refuses later starts if channel 2's output never rises within
 * bounds far above the longest count, counted both in TSC cycles and in polls (the TSC's
 * rate is not known yet).
 */
bool pit_oneshot_wait(void);

#endif
