/*
 * Test guest: guest time and set_timer_op.  The time record advances monotonically at the
 * rate its TSC scale says and is refreshed within a second; the wall clock is plausible;
 * a timer raises VIRQ_TIMER no earlier than its deadline and not absurdly late; 0 cancels;
 * a new deadline replaces the old; a past deadline fires at once; SCHEDOP_block is woken
 * by the timer.
 */
#include "timer_test.h"

TEST_NAME("hc_set_timer_op");

#define LATE_LIMIT (500 * MS) /* "absurdly late": far beyond any scheduling delay here */

static void test_monotonic(void)
{
    uint64_t prev = time_system_ns(), backwards = 0;

    for (unsigned int i = 0; i < 200000; i++) {
        uint64_t now = time_system_ns();
        backwards += now < prev;
        prev = now;
    }
    TEST_EQ(backwards, 0);
}

/*
 * Across more than a refresh period, system time advances by the TSC interval scaled by
 * the record: each time is taken from a record at a known TSC reading, the second from a
 * newer record (its version moved on), and the two may differ from the scaled interval
 * by the scale's rounding only, a few ns.
 */
static void test_rate_and_refresh(void)
{
    vcpu_time_info_t r0, r1;
    uint64_t t0, tsc0, t1, tsc1, scaled, khz;

    time_record_read(vcpu0(), &r0);
    tsc0 = rdtsc();
    t0 = time_at_tsc(&r0, tsc0);
    timer_spin_until(t0 + 1200 * MS);
    time_record_read(vcpu0(), &r1);
    tsc1 = rdtsc();
    t1 = time_at_tsc(&r1, tsc1);
    scaled = time_scale_tsc(tsc1 - tsc0, r1.tsc_to_system_mul, r1.tsc_shift);
    TEST_CHECK(t1 - t0 + 4 >= scaled && scaled + 4 >= t1 - t0,
               "time advanced %llu ns, the TSC %llu ns", t1 - t0, scaled);
    TEST_CHECK(r1.version != r0.version && !(r1.version & 1), "version %u then %u", r0.version,
               r1.version);
    TEST_CHECK(r1.tsc_shift >= -32 && r1.tsc_shift <= 32 && r1.tsc_to_system_mul != 0,
               "mul %u shift %d", r1.tsc_to_system_mul, r1.tsc_shift);
    khz = (tsc1 - tsc0) * 1000 / ((t1 - t0) / 1000);
    TEST_CHECK(khz > 50000 && khz < 20000000, "TSC %llu kHz", khz);
    test_note("TSC %llu kHz by the time record; record refreshed (version %u -> %u)", khz,
              r0.version, r1.version);
}

static void test_wallclock(void)
{
    uint64_t sec, sec2;
    uint32_t nsec, nsec2, y, m, d;

    TEST_ASSERT(!(shared_info->wc_version & 1) && shared_info->wc_version != 0);
    time_wallclock(&sec, &nsec);
    time_civil(sec, &y, &m, &d);
    TEST_CHECK(y >= 2020 && y < 2100, "year %u", y);
    TEST_ASSERT(nsec < 1000000000u);
    test_note("wall clock %04u-%02u-%02u, %llu s since 1970", y, m, d, sec);
    timer_spin_until(time_system_ns() + 100 * MS);
    time_wallclock(&sec2, &nsec2);
    TEST_ASSERT(sec2 * 1000000000ull + nsec2 >= sec * 1000000000ull + nsec + 100 * MS);
}

/* One timer, delay ns ahead: it fires once, at or after its deadline; the lateness. */
static uint64_t fire_once(uint64_t delay)
{
    unsigned int seen = timer_events;
    uint64_t deadline = time_system_ns() + delay;

    TEST_EQ(HYPERVISOR_set_timer_op(deadline), 0);
    if (!TEST_CHECK(timer_wait_event(seen, deadline + 2000 * MS) == seen + 1,
                    "no VIRQ_TIMER within 2 s of the deadline")) {
        return 0;
    }
    TEST_CHECK(timer_event_ns >= deadline, "fired %llu ns early", deadline - timer_event_ns);
    TEST_CHECK(timer_event_ns < deadline + LATE_LIMIT, "fired %llu ns late",
               timer_event_ns - deadline);
    return timer_event_ns - deadline;
}

static void test_fires(void)
{
    uint64_t worst = 0;

    for (unsigned int i = 0; i < 10; i++) {
        uint64_t late = fire_once((i + 1) * MS);
        worst = late > worst ? late : worst;
    }
    test_note("10 timers of 1-10 ms: the latest fired %llu us after its deadline", worst / US);
}

static void test_cancel_and_replace(void)
{
    unsigned int seen = timer_events;
    uint64_t now = time_system_ns();

    TEST_EQ(HYPERVISOR_set_timer_op(now + 20 * MS), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(0), 0);
    timer_spin_until(now + 60 * MS);
    TEST_EQ(timer_events, seen);

    now = time_system_ns();
    TEST_EQ(HYPERVISOR_set_timer_op(now + 10 * MS), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(now + 30 * MS), 0); /* replaces the first */
    timer_spin_until(now + 100 * MS);
    TEST_EQ(timer_events, seen + 1);
    TEST_ASSERT(timer_event_ns >= now + 30 * MS);
    /* A far deadline just waits; cancelled, it never fires. */
    TEST_EQ(HYPERVISOR_set_timer_op(~0ull), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(0), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(0), 0); /* cancelling nothing */
    timer_spin_until(time_system_ns() + 20 * MS);
    TEST_EQ(timer_events, seen + 1);
}

/* A deadline already past raises the event before the hypercall returns to us. */
static void test_past(void)
{
    unsigned int seen = timer_events;

    TEST_EQ(HYPERVISOR_set_timer_op(1), 0);
    TEST_EQ(timer_events, seen + 1);
    TEST_EQ(HYPERVISOR_set_timer_op(time_system_ns() - 1), 0);
    TEST_EQ(timer_events, seen + 2);
    TEST_EQ(HYPERVISOR_set_timer_op(time_system_ns()), 0);
    TEST_EQ(timer_events, seen + 3);
}

/* SCHEDOP_block sleeps until the timer's event wakes it. */
static void test_block(void)
{
    for (unsigned int i = 0; i < 3; i++) {
        unsigned int seen = timer_events;
        uint64_t deadline = time_system_ns() + 15 * MS;
        unsigned int blocks = 0;

        TEST_EQ(HYPERVISOR_set_timer_op(deadline), 0);
        while (timer_events == seen && time_system_ns() < deadline + 2000 * MS) {
            TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
            blocks++;
        }
        TEST_EQ(timer_events, seen + 1);
        TEST_ASSERT(time_system_ns() >= deadline);
        TEST_CHECK(blocks == 1, "blocked %u times for one timer", blocks);
    }
}

int guest_main(void)
{
    timer_test_setup();
    test_monotonic();
    test_rate_and_refresh();
    test_wallclock();
    test_fires();
    test_cancel_and_replace();
    test_past();
    test_block();
    test_finish();
}
