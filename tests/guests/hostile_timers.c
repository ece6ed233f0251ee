/*
 * Hostile guest: timer storms.  Two roles on the command line:
 *   role=attacker   for STORM_NS of system time: re-arms its single-shot timer in loops
 *                   (just ahead, in the past, through both interfaces) without ever giving
 *                   up the CPU, runs periodic timers at the minimum period on both its
 *                   vCPUs and passes bad arguments; then polls with microsecond timeouts
 *                   and leaves with timers armed.
 *   role=bystander  meanwhile measures the share of the CPU it gets (time between two
 *                   readings of its clock under GAP_NS counts as its own) and checks that
 *                   its own timers still fire on time.
 * Run under -icount, so that time is the emulated CPU's and the host's load does not
 * count: with two runnable domains the round robin gives the bystander half; it must keep
 * at least MIN_SHARE_PCT percent.
 */
#include "timer_test.h"

TEST_NAME("hostile_timers");

#define STORM_NS      (1500 * MS)
#define MEASURE_NS    (1000 * MS)
#define GAP_NS        (50 * US)
#define MIN_SHARE_PCT 35
#define MONITOR_VA    0xFF000000UL

static unsigned long storm_calls;

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

/* One round of every storm; each call's result is checked. */
static void storm_round(evtchn_port_t *idle_port)
{
    struct sched_poll p = {.nr_ports = 1};

    set_xen_guest_handle(p.ports, idle_port);
    for (unsigned int i = 0; i < 50; i++) {
        TEST_EQ(HYPERVISOR_set_timer_op(time_system_ns() + US), 0);
        TEST_EQ(HYPERVISOR_set_timer_op(1), 0);
        TEST_EQ(singleshot(0, time_system_ns() + 2 * US, 0), 0);
        TEST_EQ(singleshot(0, 1, VCPU_SSHOTTMR_future), -XEN_ETIME);
        TEST_EQ(singleshot(0, ~0ull, 0), 0);
        p.timeout = 1; /* past: returns at once (the storm never gives up the CPU) */
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0);
        storm_calls += 6;
    }
    TEST_EQ(periodic(0, MS), 0); /* re-armed at the minimum: never more often than that */
    TEST_EQ(periodic(1, MS), 0);
}

/* Polls that block for a microsecond each: every one is woken by its own timeout. */
static void poll_storm(evtchn_port_t *idle_port)
{
    struct sched_poll p = {.nr_ports = 1};
    unsigned int early = 0;

    set_xen_guest_handle(p.ports, idle_port);
    for (unsigned int i = 0; i < 2000; i++) {
        p.timeout = time_system_ns() + US;
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0);
        early += time_system_ns() < p.timeout;
    }
    /* Only an event (the periodic timer's) may end a poll before its timeout. */
    TEST_CHECK(early < 2000, "all 2000 polls ended early");
}

static void bad_arguments(void)
{
    TEST_EQ(periodic(0, MS - 1), -XEN_EINVAL);
    TEST_EQ(periodic(0, 1ull << 62), -XEN_EINVAL);
    TEST_EQ(periodic(2, MS), -XEN_ENOENT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0xFFFFFFFFu, NULL), -XEN_ENOENT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)(MONITOR_VA - 4)),
            -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)0xF57FFFFCUL), -XEN_EFAULT);
    TEST_EQ(singleshot(1, time_system_ns() + MS, 0), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, NULL), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vcpu_op(99, 0, NULL), -XEN_ENOSYS);
    /* The raw gate with the deadline's high word set: far future, then cancelled. */
    TEST_EQ(hypercall_int82(__HYPERVISOR_set_timer_op, 0, 0x80000000u, 0, 0, 0), 0);
    TEST_EQ(HYPERVISOR_set_timer_op(0), 0);
}

static void attacker(void)
{
    uint64_t end = time_system_ns() + STORM_NS;
    evtchn_port_t idle_port;
    unsigned int rounds = 0;

    if (!TEST_EQ(evtchn_alloc_unbound(DOMID_SELF, &idle_port), 0)) {
        return;
    }
    bad_arguments();
    while (time_system_ns() < end && test_failures() == 0) {
        storm_round(&idle_port);
        rounds++;
    }
    test_note("attacker: %u rounds, %lu timer calls, %u timer events taken", rounds, storm_calls,
              timer_events);
    poll_storm(&idle_port);
    TEST_ASSERT(timer_events > rounds * 50);
    /* Leave with a periodic timer on each vCPU, a single-shot armed and an open port. */
    TEST_EQ(periodic(0, MS), 0);
    TEST_EQ(periodic(1, MS), 0);
    TEST_EQ(singleshot(0, time_system_ns() + 1000 * MS, 0), 0);
}

/* The share of MEASURE_NS that this domain ran, in percent. */
static unsigned int measure_share(void)
{
    uint64_t start = time_system_ns(), prev = start, now = start, ran = 0, maxgap = 0;
    unsigned int gaps = 0;

    while (now - start < MEASURE_NS) {
        now = time_system_ns();
        if (now - prev < GAP_NS) {
            ran += now - prev;
        } else {
            gaps++;
        }
        maxgap = TMAX(maxgap, now - prev);
        prev = now;
    }
    test_note("bystander: %u gaps, longest %llu us", gaps, maxgap / US);
    return (unsigned int)(ran * 100 / (now - start));
}

static void bystander(void)
{
    unsigned int share;
    uint64_t deadline, worst = 0;

    timer_spin_until(time_system_ns() + 100 * MS); /* the storm is under way */
    share = measure_share();
    test_note("bystander: %u%% of the CPU during the storm", share);
    TEST_CHECK(share >= MIN_SHARE_PCT, "only %u%% of the CPU", share);
    /* Its own timers still fire, on time (a 10 ms slice of the attacker may delay them). */
    for (unsigned int i = 0; i < 5; i++) {
        unsigned int seen = timer_events;
        deadline = time_system_ns() + 3 * MS;
        TEST_EQ(HYPERVISOR_set_timer_op(deadline), 0);
        if (TEST_EQ(timer_wait_event(seen, deadline + 1000 * MS), seen + 1)) {
            TEST_ASSERT(timer_event_ns >= deadline);
            worst = TMAX(worst, timer_event_ns - deadline);
        }
    }
    TEST_CHECK(worst < 50 * MS, "a timer fired %llu us late", worst / US);
    test_note("bystander: its timers fired at most %llu us late", worst / US);
}

int guest_main(void)
{
    const char *line = (const char *)start_info->cmd_line;

    timer_test_setup();
    if (strstr(line, "role=attacker")) {
        attacker();
    } else if (strstr(line, "role=bystander")) {
        bystander();
    } else {
        test_error("role=attacker or role=bystander");
    }
    test_finish();
}
