/*
 * Test guest: the CPU share a domain gets, measured from its own run-state times
 * (VCPUOP_get_runstate_info).  Several run side by side, each told on its command line
 * how to behave and what it must get:
 *
 *     mode=spin  share=T [tol=T] [min=1]   computes without a break; checks that its
 *                                          running time over the window is share tenths of
 *                                          a percent, within tol (default 20 = 2 points),
 *                                          or with min=1 at least share - tol
 *     mode=spin                            the same, no check: a vCPU that never yields
 *     mode=yield                           yields in a tight loop the whole time
 *     mode=block [share=T]                 sleeps in SCHEDOP_poll (no ports, a timeout);
 *                                          checks that it ran at most share tenths (default 10)
 *     window=MS   the measured span of system time (default 3000)
 *     tail=MS     keeps behaving so after the window (default 400), so that domains that
 *                 started a little later finish their own windows in the same company
 *
 * The window starts at the guest's first instruction; the run-state times sum to the
 * vCPU's lifetime, so their growth is the system time that passed.
 */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("sched_share");

#define MS 1000000ULL

static bool is_mode(const char *mode)
{
    const char *m = strstr((const char *)start_info->cmd_line, "mode=");

    return m && strncmp(m + 5, mode, strlen(mode)) == 0;
}

static struct vcpu_runstate_info runstate(void)
{
    struct vcpu_runstate_info rs;

    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs)) {
        test_error("VCPUOP_get_runstate_info failed");
    }
    return rs;
}

static uint64_t lifetime(const struct vcpu_runstate_info *rs)
{
    return rs->time[RUNSTATE_running] + rs->time[RUNSTATE_runnable] +
           rs->time[RUNSTATE_blocked] + rs->time[RUNSTATE_offline];
}

static volatile unsigned long work;

/* One step of the chosen behaviour: a bit of computing, a yield, or a short sleep. */
static void step(void)
{
    if (is_mode("yield")) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    } else if (is_mode("block")) {
        struct vcpu_runstate_info rs = runstate();
        /* state_entry_time is when this run began: at most a slice ago. */
        struct sched_poll sp = {.nr_ports = 0, .timeout = rs.state_entry_time + 50 * MS};

        set_xen_guest_handle(sp.ports, NULL);
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    } else {
        for (unsigned int i = 0; i < 20000; i++) {
            work++;
        }
    }
}

/* Behaves until the lifetime has grown by span ns past from; returns the last reading. */
static struct vcpu_runstate_info behave_for(const struct vcpu_runstate_info *from, uint64_t span)
{
    struct vcpu_runstate_info rs = *from;

    while (lifetime(&rs) - lifetime(from) < span) {
        step();
        rs = runstate();
    }
    return rs;
}

int guest_main(void)
{
    uint64_t window = test_arg("window", 3000) * MS, ran, total;
    struct vcpu_runstate_info r0 = runstate(), r1;
    unsigned long share, tol = test_arg("tol", 20);

    TEST_EQ(r0.state, RUNSTATE_running);
    r1 = behave_for(&r0, window);
    ran = r1.time[RUNSTATE_running] - r0.time[RUNSTATE_running];
    total = lifetime(&r1) - lifetime(&r0);
    share = (unsigned long)(ran * 1000 / total);
    test_note("ran %llu ms of %llu ms: %lu.%lu %%", (unsigned long long)(ran / MS),
              (unsigned long long)(total / MS), share / 10, share % 10);
    behave_for(&r1, test_arg("tail", 400) * MS);
    if (is_mode("block")) {
        TEST_CHECK(share <= test_arg("share", 10), "a sleeper ran %lu tenths of a percent", share);
        TEST_ASSERT(r1.time[RUNSTATE_blocked] - r0.time[RUNSTATE_blocked] > window / 2);
    } else if (test_arg("share", 0)) {
        unsigned long want = test_arg("share", 0);

        TEST_CHECK(share + tol >= want, "got %lu tenths of a percent, wanted %lu", share, want);
        TEST_CHECK(test_arg("min", 0) || share <= want + tol,
                   "got %lu tenths of a percent, wanted %lu", share, want);
    }
    test_finish();
}
