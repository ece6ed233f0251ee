/* Test guest: HYPERVISOR_vm_assist — the assists a 32-bit PV guest may switch, and refusals. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_vm_assist");

static uint8_t page[4096] PAGE_ALIGNED;
static volatile uint32_t *entry; /* page's L1 entry, through the read-only table mapping */

static void store_entry(void *arg)
{
    entry[0] = (uint32_t)(uintptr_t)arg;
}

/*
 * Writes low into the low half of page's entry: true when the write went through, false
 * when it was a page fault on the entry (checked to be exactly that).
 */
static bool direct_write(uint32_t low)
{
    struct guest_regs r;

    if (!trap_catch(store_entry, (void *)(uintptr_t)low, &r)) {
        return true;
    }
    TEST_EQ(r.vector, 14);
    TEST_EQ(r.error_code, 3); /* present, write, supervisor */
    TEST_EQ(trap_cr2(), (uintptr_t)entry);
    return false;
}

/* writable_pagetables: enabling and disabling it, and what it does. */
static void test_writable_pagetables(void)
{
    pte_t pte;

    page[0] = 1;
    entry = (volatile uint32_t *)pte_lookup((uintptr_t)page);
    if (!entry) {
        test_error("no start-of-day L1 entry maps the test page");
    }
    pte = *(volatile pte_t *)entry;
    TEST_ASSERT(!direct_write((uint32_t)pte & ~_PAGE_RW)); /* off at start of day */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    TEST_ASSERT(direct_write((uint32_t)pte & ~_PAGE_RW));
    TEST_EQ(*(volatile pte_t *)entry, pte & ~_PAGE_RW);
    TEST_EQ(map_page((uintptr_t)page, pte), 0); /* flushes, and puts RW back */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0);
    TEST_ASSERT(!direct_write((uint32_t)pte & ~_PAGE_RW));
    TEST_EQ(*(volatile pte_t *)entry, pte);
    page[0] = 2; /* still writable */
}

int guest_main(void)
{
    /* Enabled at start of day; enabling again is harmless. */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), 0);
    test_writable_pagetables();
    /* Unknown types, and m2p_strict, which is for 64-bit guests. */
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vm_assist(VMASST_CMD_enable, 1000), -XEN_EINVAL);
    /* An unknown command for a valid type. */
    TEST_EQ(HYPERVISOR_vm_assist(2, VMASST_TYPE_pae_extended_cr3), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_vm_assist(2, VMASST_TYPE_writable_pagetables), -XEN_ENOSYS);
    test_finish();
}
