/*
 * The monitor's timers: each CPU keeps its armed timers in one queue ordered by deadline
 * (kernel/timer_queue.h) and its LAPIC one-shot timer programmed for the earliest one.
 * Callbacks run from the LAPIC timer interrupt, interrupts off, with no timer lock held:
 * they may set or stop any timer, their own included.
 *
 * Locking: one lock per CPU's queue (interrupts off), taken after every other lock a
 * caller may hold (a domain's event lock, the scheduler's); a callback runs without it.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include "kernel/timer_queue.h"

/* Prepares t (not armed) to call fn(arg).  Needed once before the first timer_set(). */
void timer_init(struct timer *t, timer_fn fn, void *arg);

/*
 * Arms t for the absolute time deadline (time_now_ns() nanoseconds) on this CPU's queue,
 * first taking it off whatever queue it was on: a timer is armed at most once.  A
 * deadline already past fires at the next timer interrupt, within microseconds.
 * Any context, interrupts on or off.
 */
void timer_set(struct timer *t, uint64_t deadline);

/*
 * Disarms t; returns true when it was armed.  Its callback will not run afterwards
 * unless it is running already on another CPU (nothing runs timers on other CPUs yet).
 */
bool timer_stop(struct timer *t);

/* True while t is armed (a racy snapshot unless the caller serializes with the timer). */
bool timer_armed(const struct timer *t);

/* False when this CPU has no usable LAPIC timer: armed timers would never fire. */
bool timer_usable(void);

/* Armed timers serving a domain (domid not 0), on all CPUs' queues: the leak check once
 * every domain has gone. */
unsigned int timers_armed_for_domains(void);

/* Prints every armed timer of every CPU (the debug key t); at most 64 per CPU. */
void timer_dump(void);

#endif
