/*
 * Test guest: VCPUOP_register_runstate_memory_area.  Runs beside a domain that computes
 * (sched_share mode=spin), so that each yield switches away and back.  The registered
 * record must say "running" whenever we read it, its times must grow across switches
 * (time spent runnable while the other ran), stay within what get_runstate_info reports,
 * and stop changing once the area is unregistered.  An unmapped area is accepted and its
 * writes dropped.  Refusals: an area in the monitor or
 * straddling its start, a bad argument pointer, no such vCPU.
 */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("sched_runstate_area");

#define MONITOR_VA 0xF5800000UL
#define SWITCHES   50

static struct vcpu_runstate_info area;

static int register_area(void *va)
{
    struct vcpu_register_runstate_memory_area r = {.addr.v = va};

    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &r);
}

static uint64_t total(const volatile struct vcpu_runstate_info *rs)
{
    return rs->time[0] + rs->time[1] + rs->time[2] + rs->time[3];
}

static void test_refusals(void)
{
    struct vcpu_register_runstate_memory_area r = {.addr.v = &area};

    TEST_EQ(register_area((void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(register_area((void *)(MONITOR_VA - 8)), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)MONITOR_VA),
            -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 7, &r), -XEN_ENOENT);
}

/* An area nothing maps is accepted (as on Xen); the writes fault and are dropped. */
static void test_unmapped_area(void)
{
    TEST_EQ(register_area((void *)0x10000), 0);
    for (unsigned int i = 0; i < 5; i++) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
    TEST_EQ(register_area(NULL), 0);
}

/* Yields until the record shows time spent runnable, i.e. the other domain ran. */
static void test_updates_across_switches(void)
{
    volatile struct vcpu_runstate_info *a = &area;
    uint64_t runnable0, running0, last_total;
    unsigned int grew = 0;

    TEST_EQ(register_area(&area), 0);
    /* Written at once: we are the vCPU it describes, and we run. */
    TEST_EQ(a->state, RUNSTATE_running);
    runnable0 = a->time[RUNSTATE_runnable];
    running0 = a->time[RUNSTATE_running];
    last_total = total(a);
    for (unsigned int i = 0; i < SWITCHES; i++) {
        struct vcpu_runstate_info now;

        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
        TEST_EQ(a->state, RUNSTATE_running);
        grew += total(a) > last_total;
        last_total = total(a);
        TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &now), 0);
        TEST_ASSERT(now.time[RUNSTATE_running] >= a->time[RUNSTATE_running]);
        TEST_ASSERT(now.state_entry_time >= a->state_entry_time);
    }
    TEST_CHECK(grew >= SWITCHES / 2, "the record changed on %u of %u switches", grew, SWITCHES);
    TEST_ASSERT(a->time[RUNSTATE_runnable] > runnable0);
    TEST_ASSERT(a->time[RUNSTATE_running] > running0);
}

static void test_unregister(void)
{
    uint64_t frozen;

    TEST_EQ(register_area(NULL), 0);
    frozen = total(&area);
    for (unsigned int i = 0; i < 10; i++) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
    TEST_EQ(total(&area), frozen);
}

int guest_main(void)
{
    test_refusals();
    test_unmapped_area();
    test_updates_across_switches();
    test_unregister();
    test_finish();
}
