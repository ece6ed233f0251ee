/* Test guest: HYPERVISOR_sched_op — yield, shutdown_code, refusals; shutdown never returns. */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_sched_op");

#define MONITOR_VA 0xFF000000UL

static void test_yield(void)
{
    for (int i = 0; i < 3; i++) {
        TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    }
}

/* shutdown_code only records the reason a later shutdown reports; it does not stop us. */
static void test_shutdown_code(void)
{
    struct sched_shutdown code = {.reason = SHUTDOWN_poweroff};

    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &code), 0);
}

static void test_refusals(void)
{
    struct sched_poll poll = {.nr_ports = 200, .timeout = 0};

    TEST_EQ(HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_sched_op(-1, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown, NULL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, (void *)MONITOR_VA), -XEN_EFAULT);
    /* At most 128 ports may be polled at once. */
    set_xen_guest_handle(poll.ports, NULL);
    TEST_EQ(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL);
}

/*
 * The last step: test_finish() prints the result and calls SCHEDOP_shutdown(poweroff).
 * Should that ever return, the runtime prints what it returned and keeps shutting down,
 * so the run still ends, and its log shows the failure after the result line.
 */
int guest_main(void)
{
    test_yield();
    test_shutdown_code();
    test_refusals();
    test_finish();
}
