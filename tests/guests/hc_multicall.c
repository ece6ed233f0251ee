/* Test guest: HYPERVISOR_multicall — a batch runs every call and reports each result. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"

TEST_NAME("hc_multicall");

#define MONITOR_VA 0xFF000000UL

static uint8_t window[4096] PAGE_ALIGNED;
static char line[] = "hc_multicall: written from inside a multicall\n";

static void set_uvm(multicall_entry_t *e, uintptr_t va, pte_t pte, unsigned long flags)
{
    *e = (multicall_entry_t){.op = __HYPERVISOR_update_va_mapping,
                             .args = {va, (uint32_t)pte, (uint32_t)(pte >> 32), flags}};
}

/* Four different calls, one of them unknown: each result lands in its own entry. */
static void test_batch(void)
{
    static multicall_entry_t calls[5];
    pte_t pte = pte_make(va_to_mfn(window), PTE_KERNEL_RW);

    calls[0] = (multicall_entry_t){.op = __HYPERVISOR_xen_version, .args = {XENVER_version}};
    set_uvm(&calls[1], (uintptr_t)window, pte & ~_PAGE_RW, UVMF_INVLPG);
    calls[2] = (multicall_entry_t){.op = 0x7777, .result = 0x1234};
    calls[3] = (multicall_entry_t){
        .op = __HYPERVISOR_console_io,
        .args = {CONSOLEIO_write, sizeof(line) - 1, (uintptr_t)line},
    };
    set_uvm(&calls[4], (uintptr_t)window, pte, UVMF_INVLPG);
    TEST_EQ(HYPERVISOR_multicall(calls, 5), 0);
    TEST_EQ(calls[0].result, HYPERVISOR_xen_version(XENVER_version, NULL));
    TEST_EQ(calls[1].result, 0);
    TEST_EQ((long)calls[2].result, -XEN_ENOSYS);
    TEST_EQ(calls[3].result, 0);
    TEST_EQ(calls[4].result, 0);
    *(volatile uint32_t *)window = 3;
    TEST_EQ(*(volatile uint32_t *)window, 3);
}

/* A failing call does not stop the batch. */
static void test_failure_inside(void)
{
    static multicall_entry_t calls[2];
    pte_t pte = pte_make(va_to_mfn(window), PTE_KERNEL_RW);

    set_uvm(&calls[0], MONITOR_VA, pte, UVMF_INVLPG);
    calls[1] = (multicall_entry_t){.op = __HYPERVISOR_xen_version, .args = {XENVER_version}};
    TEST_EQ(HYPERVISOR_multicall(calls, 2), 0);
    TEST_EQ((long)calls[0].result, -XEN_EINVAL);
    TEST_EQ(calls[1].result, HYPERVISOR_xen_version(XENVER_version, NULL));
}

static void test_refusals(void)
{
    static multicall_entry_t calls[1];

    TEST_EQ(HYPERVISOR_multicall(calls, 0), 0);
    TEST_EQ(HYPERVISOR_multicall((multicall_entry_t *)MONITOR_VA, 1), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_multicall((multicall_entry_t *)(MACH2PHYS_VIRT_START - 16), 1), -XEN_EFAULT);
    /* A multicall may not nest. */
    calls[0] = (multicall_entry_t){.op = __HYPERVISOR_multicall, .args = {(uintptr_t)calls, 1}};
    TEST_EQ(HYPERVISOR_multicall(calls, 1), 0);
    TEST_CHECK((long)calls[0].result < 0, "nested multicall gave %ld", (long)calls[0].result);
}

int guest_main(void)
{
    test_batch();
    test_failure_inside();
    test_refusals();
    test_finish();
}
