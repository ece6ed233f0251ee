/*
 * Guest time from the monitor's records, without a hypercall: system time (ns since the
 * monitor started its clock) from a vCPU's time record, and the wall clock (Unix time)
 * from the shared info page.  Both need the shared info page mapped.
 */
#ifndef GUEST_TIME_H
#define GUEST_TIME_H

#include "guest/lib.h"
#include "guest/xen.h"

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/*
 * A TSC interval in ns by a record's scale: ((delta << shift) * mul) >> 32 (a right
 * shift for a negative shift), with the 96-bit product built from two 32x32->64
 * multiplies, as a 32-bit kernel does it.
 */
uint64_t time_scale_tsc(uint64_t delta, uint32_t mul, int8_t shift);

/* A consistent copy of a time record: retried while the monitor is rewriting it. */
void time_record_read(const vcpu_info_t *vi, vcpu_time_info_t *out);

/* System time in ns at the TSC reading tsc by a record (a reading before the record was
 * written counts as its own time). */
uint64_t time_at_tsc(const vcpu_time_info_t *r, uint64_t tsc);

/* System time in ns by vi's record (the vCPU reading must be vi's own: its TSC). */
uint64_t time_system_ns_of(const vcpu_info_t *vi);

/* System time in ns by vCPU 0's record. */
uint64_t time_system_ns(void);

/* The wall clock now: seconds and nanoseconds since 1970-01-01 UTC. */
void time_wallclock(uint64_t *sec, uint32_t *nsec);

/* The civil date of a Unix time (UTC). */
void time_civil(uint64_t secs, uint32_t *year, uint32_t *month, uint32_t *day);

#endif
