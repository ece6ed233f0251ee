/*
 * Shared by the timer test guests: VIRQ_TIMER bound on vCPU 0 with a handler that counts
 * the events and notes the system time of the last one, and waits bounded by system time.
 */
#ifndef TESTS_GUESTS_TIMER_TEST_H
#define TESTS_GUESTS_TIMER_TEST_H

#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/time.h"

#define MS 1000000ull
#define US 1000ull

#define TMIN(a, b) ((a) < (b) ? (a) : (b))
#define TMAX(a, b) ((a) > (b) ? (a) : (b))

static volatile unsigned int timer_events;
static volatile uint64_t timer_event_ns;
static evtchn_port_t timer_port;

static void timer_handler(evtchn_port_t port, void *arg)
{
    timer_event_ns = time_system_ns();
    timer_events++;
}

/* Binds VIRQ_TIMER on vCPU 0 to the handler and unmasks events; ends the test if it cannot. */
static inline void timer_test_setup(void)
{
    if (!events_usable) {
        test_error("no event callbacks");
    }
    if (evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port) != 0) {
        test_error("cannot bind VIRQ_TIMER");
    }
    evtchn_set_handler(timer_port, timer_handler, NULL);
    evtchn_unmask(timer_port);
    events_mask_set(0);
}

/* Spins until the event count passes `seen` or system time reaches limit; the count. */
static inline unsigned int timer_wait_event(unsigned int seen, uint64_t limit)
{
    while (timer_events == seen && time_system_ns() < limit) {
    }
    return timer_events;
}

/* Spins until system time reaches t. */
static inline void timer_spin_until(uint64_t t)
{
    while (time_system_ns() < t) {
    }
}

#endif
