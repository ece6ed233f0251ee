/* The HPET's main counter as a clock and calibration reference (its timers are not used). */
#ifndef DRIVERS_HPET_H
#define DRIVERS_HPET_H

#include "kernel/types.h"

/*
 * Maps the HPET register block at base (uncached), checks its period, disables every
 * comparator's interrupt, starts the main counter and checks that it moves.  Returns false
 * (with a warning) if the block is unusable.  Boot CPU, once.
 */
bool hpet_init(paddr_t base);

/* True once hpet_init() succeeded. */
bool hpet_present(void);

/* The counter's tick in femtoseconds (at most 10^8, i.e. at least 10 MHz). */
uint32_t hpet_period_fs(void);

/*
 * The main counter, widened to 64 bits.  A 32-bit counter is extended in software, which
 * needs a read at least once per wrap (2^32 ticks: minutes at any legal rate).  Any CPU.
 */
uint64_t hpet_read(void);

#endif
