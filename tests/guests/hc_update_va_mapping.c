/*
 * Test guest: HYPERVISOR_update_va_mapping and update_va_mapping_otherdomain — map, remap
 * read-only, unmap, every flush flag (NONE, TLB_FLUSH, INVLPG with LOCAL, ALL and a vCPU
 * bitmap), refusals.
 */
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

/* A vCPU bitmap for UVMF_MULTI: the pointer goes in the flags' upper bits. */
static uint32_t vcpu_mask = 1;
static uint32_t all_vcpus_mask = 0xFFFFFFFFu;

static unsigned long multi(const uint32_t *mask, unsigned long flush)
{
    return (unsigned long)(uintptr_t)mask | UVMF_MULTI | flush;
}

/* The window maps pfn's frame after each of these, whatever the flush. */
static void test_flush_flags(unsigned long pfn)
{
    volatile uint32_t *direct = pfn_to_va(pfn);
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    pte_t mine = pte_make(va_to_mfn(window), PTE_KERNEL_RW);
    struct mmuext_op flush = {.cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (uintptr_t)window};
    const unsigned long ok[] = {
        UVMF_INVLPG | UVMF_LOCAL,
        UVMF_TLB_FLUSH | UVMF_LOCAL,
        UVMF_INVLPG | UVMF_ALL,
        UVMF_TLB_FLUSH | UVMF_ALL,
        multi(&vcpu_mask, UVMF_INVLPG),
        multi(&vcpu_mask, UVMF_TLB_FLUSH),
        multi(&all_vcpus_mask, UVMF_INVLPG),
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(ok); i++) {
        direct[0] = 0x1000 + i;
        TEST_CHECK(uvm((uintptr_t)window, pte, ok[i]) == 0, "flags %lx", ok[i]);
        TEST_CHECK(*(volatile uint32_t *)window == 0x1000 + i, "flags %lx: window reads %x", ok[i],
                   *(volatile uint32_t *)window);
        TEST_EQ(uvm((uintptr_t)window, mine, ok[i]), 0);
    }
    /* UVMF_NONE: the guest flushes itself; a vCPU set is not looked at without a flush. */
    direct[0] = 0x2000;
    TEST_EQ(uvm((uintptr_t)window, pte, UVMF_NONE), 0);
    TEST_EQ(HYPERVISOR_mmuext_op(&flush, 1, NULL, DOMID_SELF), 0);
    TEST_EQ(*(volatile uint32_t *)window, 0x2000);
    TEST_EQ(uvm((uintptr_t)window, mine, UVMF_NONE | (MONITOR_VA & ~3UL)), 0);
    TEST_EQ(HYPERVISOR_mmuext_op(&flush, 1, NULL, DOMID_SELF), 0);
    TEST_EQ(*(volatile uint32_t *)window, 7);
}

/* Refused flags change nothing: the window still maps its own frame afterwards. */
static void test_flag_refusals(unsigned long pfn)
{
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);

    /* Flush type 3 is no flush type. */
    TEST_EQ(uvm((uintptr_t)window, pte, 3), -XEN_EINVAL);
    TEST_EQ(uvm((uintptr_t)window, pte, 3 | UVMF_ALL), -XEN_EINVAL);
    /* A vCPU bitmap in the monitor, or where nothing is mapped. */
    TEST_EQ(uvm((uintptr_t)window, pte, (MONITOR_VA & ~3UL) | UVMF_INVLPG), -XEN_EFAULT);
    TEST_EQ(uvm((uintptr_t)window, pte, (NO_L1_VA & ~3UL) | UVMF_TLB_FLUSH), -XEN_EFAULT);
    TEST_EQ(uvm((uintptr_t)window, pte, 0xFFFFFFFCUL | UVMF_INVLPG), -XEN_EFAULT);
    TEST_EQ(*(volatile uint32_t *)window, 7);
}

/* Own domain (DOMID_SELF, or its id) as update_va_mapping; any other id -EPERM. */
static void test_otherdomain(unsigned long pfn)
{
    volatile uint32_t *direct = pfn_to_va(pfn);
    pte_t pte = pte_make(pfn_to_mfn(pfn), PTE_KERNEL_RW);
    pte_t mine = pte_make(va_to_mfn(window), PTE_KERNEL_RW);
    static const domid_t others[] = {DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, 0x7FFF, 0xFFFF};
    unsigned int own_ids = 0, eperm = 0;

    direct[0] = 0x3000;
    TEST_EQ(
        HYPERVISOR_update_va_mapping_otherdomain((uintptr_t)window, pte, UVMF_INVLPG, DOMID_SELF),
        0);
    TEST_EQ(*(volatile uint32_t *)window, 0x3000);
    TEST_EQ(
        HYPERVISOR_update_va_mapping_otherdomain((uintptr_t)window, mine, UVMF_INVLPG, DOMID_SELF),
        0);
    /* Our own id is one of the first ones: exactly one of them behaves as DOMID_SELF. */
    for (domid_t id = 0; id < 64; id++) {
        int rc = HYPERVISOR_update_va_mapping_otherdomain((uintptr_t)window, mine, UVMF_INVLPG, id);
        own_ids += rc == 0;
        eperm += rc == -XEN_EPERM;
    }
    TEST_EQ(own_ids, 1);
    TEST_EQ(eperm, 63);
    for (unsigned int i = 0; i < ARRAY_SIZE(others); i++) {
        TEST_CHECK(HYPERVISOR_update_va_mapping_otherdomain((uintptr_t)window, pte, UVMF_INVLPG,
                                                            others[i]) == -XEN_EPERM,
                   "domid %x", others[i]);
    }
    /* Its own checks still apply for DOMID_SELF. */
    TEST_EQ(HYPERVISOR_update_va_mapping_otherdomain(MONITOR_VA, mine, UVMF_INVLPG, DOMID_SELF),
            -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_va_mapping_otherdomain((uintptr_t)window, pte, 3, DOMID_SELF),
            -XEN_EINVAL);
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
    test_flush_flags(pfn);
    test_flag_refusals(pfn);
    test_otherdomain(pfn);
    test_finish();
}
