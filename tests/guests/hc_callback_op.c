/* Test guest: HYPERVISOR_callback_op and set_callbacks — registrations guests rely on. */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_callback_op");

#define MONITOR_VA 0xFF000000UL

extern char event_callback_entry[], failsafe_callback_entry[];

static int reg(unsigned int type, const void *entry)
{
    struct callback_register cb = {
        .type = (uint16_t)type,
        .address = {.cs = FLAT_KERNEL_CS, .eip = (unsigned long)(uintptr_t)entry},
    };

    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static int unreg(unsigned int type)
{
    struct callback_unregister cb = {.type = (uint16_t)type};

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

int guest_main(void)
{
    int rc;

    /* sysenter and syscall32 succeed although the monitor keeps those instructions off. */
    TEST_EQ(reg(CALLBACKTYPE_event, event_callback_entry), 0);
    TEST_EQ(reg(CALLBACKTYPE_failsafe, failsafe_callback_entry), 0);
    TEST_EQ(reg(CALLBACKTYPE_nmi, failsafe_callback_entry), 0);
    TEST_EQ(reg(CALLBACKTYPE_sysenter, failsafe_callback_entry), 0);
    TEST_EQ(reg(CALLBACKTYPE_syscall32, failsafe_callback_entry), 0);
    /* The NMI callback may be dropped again; the event and failsafe ones may not. */
    TEST_EQ(unreg(CALLBACKTYPE_nmi), 0);
    TEST_EQ(unreg(CALLBACKTYPE_event), -XEN_EINVAL);
    TEST_EQ(unreg(CALLBACKTYPE_failsafe), -XEN_EINVAL);
    rc = reg(99, event_callback_entry);
    TEST_CHECK(rc == -XEN_ENOSYS || rc == -XEN_EINVAL, "unknown type: %d", rc);
    TEST_EQ(HYPERVISOR_callback_op(7, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_callback_op(CALLBACKOP_register, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_callback_op(CALLBACKOP_unregister, (void *)MONITOR_VA), -XEN_EFAULT);
    /* The older interface sets the same two. */
    TEST_EQ(HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, (unsigned long)event_callback_entry,
                                     FLAT_KERNEL_CS, (unsigned long)failsafe_callback_entry),
            0);
    TEST_EQ(events_init(), 0);
    test_finish();
}
