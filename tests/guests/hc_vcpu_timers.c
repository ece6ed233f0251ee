/*
 * Test guest (two vCPUs, the second never up): the vcpu_op timer sub-ops and SCHEDOP_poll
 * timeouts.  The single-shot timer with and without VCPU_SSHOTTMR_future, stopping it,
 * refusing it for another vCPU; the periodic timer's bounds, N events at its period,
 * stopping it; bad arguments; a poll's timeout ending it at its deadline, precisely.
 */
#include "timer_test.h"

TEST_NAME("hc_vcpu_timers");

#define MONITOR_VA 0xFF000000UL

static int singleshot(unsigned int vcpu, uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer st = {.timeout_abs_ns = deadline, .flags = flags};

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, vcpu, &st);
}

static int periodic(unsigned int vcpu, uint64_t period)
{
    struct vcpu_set_periodic_timer pt = {.period_ns = period};

    return HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, vcpu, &pt);
}

static void test_singleshot(void)
{
    unsigned int seen = timer_events;
    uint64_t now = time_system_ns(), deadline;

    /* Past with VCPU_SSHOTTMR_future: refused, nothing raised. */
    TEST_EQ(singleshot(0, now - 1, VCPU_SSHOTTMR_future), -XEN_ETIME);
    TEST_EQ(singleshot(0, 1, VCPU_SSHOTTMR_future), -XEN_ETIME);
    TEST_EQ(timer_events, seen);
    /* Past without it: the event before the call returns. */
    TEST_EQ(singleshot(0, 1, 0), 0);
    TEST_EQ(timer_events, seen + 1);
    /* Future, with the flag: fires at or after its deadline. */
    deadline = time_system_ns() + 5 * MS;
    TEST_EQ(singleshot(0, deadline, VCPU_SSHOTTMR_future), 0);
    TEST_EQ(timer_wait_event(seen + 1, deadline + 2000 * MS), seen + 2);
    TEST_ASSERT(timer_event_ns >= deadline);
    /* Stopped: never fires; stopping again is fine. */
    TEST_EQ(singleshot(0, time_system_ns() + 10 * MS, 0), 0);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    timer_spin_until(time_system_ns() + 40 * MS);
    TEST_EQ(timer_events, seen + 2);
    /* set_timer_op and the sub-op share one timer: one replaces the other. */
    now = time_system_ns();
    TEST_EQ(singleshot(0, now + 10 * MS, 0), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(now + 30 * MS), 0);
    timer_spin_until(now + 80 * MS);
    TEST_EQ(timer_events, seen + 3);
    TEST_ASSERT(timer_event_ns >= now + 30 * MS);
}

static void test_singleshot_refusals(void)
{
    /* Only a vCPU's own single-shot timer, as on Xen. */
    TEST_EQ(singleshot(1, time_system_ns() + MS, 0), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL), -XEN_EINVAL);
    TEST_EQ(singleshot(2, time_system_ns() + MS, 0), -XEN_ENOENT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, NULL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, NULL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 32, NULL), -XEN_ENOENT);
}

static void test_periodic_bounds(void)
{
    TEST_EQ(periodic(0, 0), -XEN_EINVAL);
    TEST_EQ(periodic(0, MS - 1), -XEN_EINVAL);
    TEST_EQ(periodic(0, 1ull << 62), -XEN_EINVAL);
    TEST_EQ(periodic(0, ~0ull), -XEN_EINVAL);
    /* Another vCPU's periodic timer may be set and stopped (it is down: events are lost). */
    TEST_EQ(periodic(1, 10 * MS), 0);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 1, NULL), 0);
}

/* N events, each at least a period after the previous, then silence once stopped. */
static void test_periodic(void)
{
    enum { N = 20 };
    const uint64_t period = 2 * MS;
    unsigned int seen = timer_events;
    uint64_t start = time_system_ns(), last = start, shortest = ~0ull, took;

    TEST_EQ(periodic(0, period), 0);
    for (unsigned int i = 1; i <= N; i++) {
        if (!TEST_EQ(timer_wait_event(seen + i - 1, start + 5000 * MS), seen + i)) {
            break;
        }
        shortest = TMIN(shortest, timer_event_ns - last);
        last = timer_event_ns;
    }
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    took = last - start;
    seen = timer_events;
    timer_spin_until(time_system_ns() + 20 * MS);
    TEST_EQ(timer_events, seen);
    /* A late event is followed by the next one a period after it was due, not after it came. */
    TEST_CHECK(took >= N * period, "%u events in %llu us", N, took / US);
    TEST_CHECK(took < N * period + 2000 * MS, "%u events in %llu us", N, took / US);
    test_note("periodic 2 ms: %u events in %llu us, closest two %llu us apart", N, took / US,
              shortest / US);
}

static int poll(evtchn_port_t *port, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = 1, .timeout = timeout};

    set_xen_guest_handle(p.ports, port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/*
 * A poll on a port nobody sends to ends at its timeout: never before it, and (the timeout
 * being a timer of its own, not a check at the 10 ms tick) promptly.  A host that runs
 * many emulators at once delays some polls by its own time slices (~3 ms), so the check
 * is on most of them: at least 12 of 16 end less than 4 ms late.  A check at a 10 ms tick
 * would end each 0-10 ms late, evenly spread, and pass this about 2% of the time.
 */
static void test_poll_timeout(void)
{
    enum { N = 16 };
    evtchn_port_t port;
    unsigned int late = 0;
    uint64_t worst = 0, best = ~0ull;

    if (!TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &port), 0)) {
        return;
    }
    TEST_EQ(poll(&port, 1), 0); /* past: at once */
    for (unsigned int i = 0; i < N; i++) {
        uint64_t deadline = time_system_ns() + (3 + i % 8) * MS, back;
        TEST_EQ(poll(&port, deadline), 0);
        back = time_system_ns();
        TEST_CHECK(back >= deadline, "poll returned %llu ns early", deadline - back);
        late += back - deadline >= 4 * MS;
        worst = TMAX(worst, back - deadline);
        best = TMIN(best, back - deadline);
    }
    TEST_CHECK(late <= N / 4, "%u of %u polls ended 4 ms late or more", late, N);
    TEST_EQ(evtchn_close(port), 0);
    test_note("poll timeouts: %u polls, %llu-%llu us late, %u of them 4 ms or more", N, best / US,
              worst / US, late);
}

int guest_main(void)
{
    timer_test_setup();
    test_singleshot();
    test_singleshot_refusals();
    test_periodic_bounds();
    test_periodic();
    test_poll_timeout();
    test_finish();
}
