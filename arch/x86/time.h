/* Time: TSC and LAPIC timer calibration, the monotonic clock and per-CPU one-shot timers. */
#ifndef ARCH_X86_TIME_H
#define ARCH_X86_TIME_H

#include "kernel/types.h"

/* TSC and LAPIC timer rates found by time_init(); 0 before it (or without a LAPIC). */
extern uint32_t tsc_khz;
extern uint32_t lapic_timer_khz; /* counts per ms at LAPIC_TIMER_DIVIDE */

/*
 * Calibrates the TSC and the LAPIC timer against the HPET (platform.hpet_base, which it
 * initializes) or else the PIT, prints the result with CPUID's own figures as a
 * cross-check, and starts time_now_ns() at zero.  Every wait is bounded; with no usable
 * reference it warns and guesses.  Boot CPU, once, after platform_init().
 */
void time_init(void);

/*
 * Nanoseconds since time_init() (0 before it), from the TSC through a multiply and shift.
 * Assumes the CPUs' TSCs run in step (the secondary-CPU bring-up must check).  Any context.
 */
uint64_t time_now_ns(void);

/* The time_now_ns() value at the TSC reading tsc (at or after time_init()). */
uint64_t time_tsc_to_ns(uint64_t tsc);

/*
 * The TSC-to-nanoseconds scale in the form of Xen's vcpu_time_info: a TSC interval d is
 * ((d << shift) * mul) >> 32 ns, shift >= 0, the product taken to 96 bits.  Exactly
 * the scale time_now_ns() uses, so floor-rounded the same way.  After time_init().
 */
void time_tsc_scale(uint32_t *mul, int8_t *shift);

/*
 * Arms this CPU's one-shot timer: fn(arg) runs from the LAPIC timer interrupt about ns
 * nanoseconds from now, with interrupts off.  Returns 0; -EINVAL for ns == 0, ns beyond
 * the timer's 32-bit count or fn NULL; -EBUSY if this CPU already has one armed; -ENODEV
 * without a calibrated LAPIC timer.  fn may arm the next one.  Any context, this CPU.
 */
int timer_oneshot_ns(uint64_t ns, void (*fn)(void *), void *arg);

/* Disarms this CPU's one-shot timer, if armed; fn will not run.  Any context, this CPU. */
void timer_oneshot_cancel(void);

/*
 * Boot check: arms a 10 ms one-shot timer, enables interrupts until it fires (at most
 * 1 s by the TSC) and prints the measured interval.  Returns true if it fired within
 * 5-50 ms; false with a pr_err otherwise.  Boot CPU, after time_init(); restores the
 * interrupt flag.
 */
bool time_selftest(void);

/* The LAPIC timer vector's handler calls this after the EOI, interrupts off. */
void time_lapic_timer_interrupt(void);

#endif
