/* Test guest: HYPERVISOR_update_va_mapping — map, remap read-only, unmap, flush flags, refusals. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_update_va_mapping");

#define MONITOR_VA 0xFF000000UL
#define NO_L1_VA   0xF5000000UL /* no L1 table covers it at start of day */

/* The page whose mapping the test changes: one page of our own .bss. */
static uint8_t window[4096] PAGE_ALIGNED;

static int uvm(uintptr_t va, pte_t pte, unsigned long flags)
{
    return HYPERVISOR_update_va_mapping(va, pte, flags);
}

static void read_window(void *arg)
{
    (void)arg;
    (void)*(volatile uint32_t *)window;
}

static void write_window(void *arg)
{
    (void)arg;
    *(volatile uint32_t *)window = 1;
}

/* The vector and error code of the fault fn causes at the window, or -1 without one. */
static int fault_of(void (*fn)(void *), uint32_t *error_code)
{
    struct guest_regs r;

    if (!trap_catch(fn, NULL, &r)) {
        return -1;
    }
    *error_code = r.error_code;
    return trap_cr2() == (uintptr_t)window ? (int)r.vector : -2;
}

/* A free frame mapped at the window shows what its own start-of-day mapping holds. */
static void test_map_other_frame(unsigned long pfn)
{
    volatile uint32_t *direct = pfn_to_va(pfn);
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);

    direct[0] = 0x5a5a1234;
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_INVLPG | UVMF_LOCAL), 0);
    TEST_EQ(*(volatile uint32_t *)window, 0x5a5a1234);
    *(volatile uint32_t *)window = 0x600d;
    TEST_EQ(direct[0], 0x600d);
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_TLB_FLUSH | UVMF_LOCAL), 0);
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_INVLPG | UVMF_ALL), 0);
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_TLB_FLUSH | UVMF_ALL), 0);
}

static void test_readonly_and_unmap(unsigned long pfn)
{
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    uint32_t err = 0;

    TEST_EQ(uvm((uintptr_t)window, pte & ~_PAGE_RW, UVMF_INVLPG), 0);
    TEST_EQ(fault_of(read_window, &err), -1);
    TEST_EQ(fault_of(write_window, &err), 14);
    TEST_EQ(err, 3); /* present, write */
    TEST_EQ(uvm((uintptr_t)window, 0, UVMF_INVLPG), 0);
    TEST_EQ(fault_of(read_window, &err), 14);
    TEST_EQ(err, 0); /* not present, read */
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_INVLPG), 0);
    TEST_EQ(fault_of(write_window, &err), -1);
}

/*
 * A frame the domain may not map this way: the ABI page asks for -EINVAL; Xen answers
 * -EBUSY for a type conflict and -EPERM for a frame that is not RAM it owns.
 */
static void check_refused(int rc, const char *what)
{
    TEST_CHECK(rc == -XEN_EINVAL || rc == -XEN_EBUSY || rc == -XEN_EPERM, "%s: got %d (%s)", what,
               rc, errname(rc));
}

static void test_refusals(void)
{
    unsigned long l3_mfn = va_to_mfn((const void *)start_info->pt_base);
    pte_t mine = pte_make(va_to_mfn(window), PTE_KERNEL_RW);

    /* Monitor addresses, and addresses without an L1 table. */
    TEST_EQ(uvm(MONITOR_VA, mine, UVMF_INVLPG), -XEN_EINVAL);
    TEST_EQ(uvm(MACH2PHYS_VIRT_START, mine, UVMF_INVLPG), -XEN_EINVAL);
    TEST_EQ(uvm(NO_L1_VA, mine, UVMF_INVLPG), -XEN_EINVAL);
    check_refused(uvm((uintptr_t)window, pte_make(l3_mfn, PTE_KERNEL_RW), UVMF_INVLPG),
                  "the L3 page table mapped writable");
    if (!(start_info->flags & SIF_PRIVILEGED)) {
        check_refused(uvm((uintptr_t)window, pte_make(0xFFFFF, PTE_KERNEL_RW), UVMF_INVLPG),
                      "a frame past the end of RAM");
        check_refused(uvm((uintptr_t)window, pte_make(0, PTE_KERNEL_RW), UVMF_INVLPG),
                      "machine frame 0");
    }
    /* The window still maps what it did. */
    TEST_EQ(uvm((uintptr_t)window, mine, UVMF_INVLPG), 0);
    *(volatile uint32_t *)window = 7;
    TEST_EQ(*(volatile uint32_t *)window, 7);
}

int guest_main(void)
{
    unsigned long pfn = frame_alloc();

    if (!pfn || (uintptr_t)pfn_to_va(pfn) >= bootstrap_mapped_end()) {
        test_error("no free frame inside the start-of-day mapping");
    }
    test_map_other_frame(pfn);
    test_readonly_and_unmap(pfn);
    test_refusals();
    test_finish();
}
