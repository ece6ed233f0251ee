/* Test guest: HYPERVISOR_vcpu_op — is_up and get_runstate_info for vCPU 0, and refusals. */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_vcpu_op");

#define MONITOR_VA 0xFF000000UL

int guest_main(void)
{
    struct vcpu_runstate_info rs;

    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, XEN_LEGACY_MAX_VCPUS + 100, NULL), -XEN_ENOENT);
    memset(&rs, 0xAA, sizeof(rs));
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs), 0);
    TEST_EQ(rs.state, RUNSTATE_running);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(99, 0, NULL), -XEN_ENOSYS);
    test_finish();
}
