/* Test guest: HYPERVISOR_vm_assist — the assists a 32-bit PV guest may switch, and refusals. */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_vm_assist");

int guest_main(void)
{
    /* Enabled at start of day; enabling again is harmless. */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), 0);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0);
    /* Unknown types, and m2p_strict, which is for 64-bit guests. */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, 1000), -XEN_EINVAL);
    /* An unknown command for a valid type. */
    TEST_EQ(HYPERVISOR_vm_assist(2, VMASST_TYPE_pae_extended_cr3), -XEN_ENOSYS);
    test_finish();
}
