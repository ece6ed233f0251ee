/* The CMOS real-time clock (MC146818-compatible), read once at boot for the wall clock. */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include "kernel/types.h"

/*
 * Reads the RTC's date and time as seconds since 1970-01-01 00:00 UTC (the RTC is taken to
 * keep UTC, as QEMU's does by default).  Waits for an update in progress to end (bounded)
 * and reads until two passes agree.  Returns false when the clock reads as nonsense.
 * Boot CPU, before anything else touches ports 0x70/0x71.
 */
bool rtc_read_unix(uint64_t *secs);

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 1970).  Pure; host-testable. */
uint32_t rtc_days_since_epoch(uint32_t y, uint32_t m, uint32_t d);

#endif
