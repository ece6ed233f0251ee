/* Test guest: HYPERVISOR_set_gdt and HYPERVISOR_update_descriptor — a GDT page of our own. */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/segments.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_set_gdt");

#define MONITOR_VA 0xFF000000UL
#define SEL(i)     ((uint16_t)(((i) << 3) | 1))

static uint64_t gdt[512] PAGE_ALIGNED;
static const uint32_t probe = 0x47445421;
static uint32_t probe_read;

static void read_through_fs(void *arg)
{
    seg_load_fs((uint16_t)(uintptr_t)arg);
    probe_read = seg_fs_read32((uint32_t)(uintptr_t)&probe);
    seg_load_fs(FLAT_KERNEL_DS);
}

/* True when sel loads into %fs and reads what %ds reads. */
static bool selector_works(uint16_t sel)
{
    struct guest_regs r;
    bool trapped;

    probe_read = 0;
    trapped = trap_catch(read_through_fs, (void *)(uintptr_t)sel, &r);
    seg_load_fs(FLAT_KERNEL_DS);
    return !trapped && probe_read == probe;
}

static uint32_t segment_limit(uint16_t sel)
{
    uint32_t limit = 0;

    __asm__ volatile("lsl %1, %0" : "+r"(limit) : "r"((uint32_t)sel) : "cc");
    return limit;
}

static bool monitor_is_64bit(void)
{
    static xen_capabilities_info_t caps;

    return HYPERVISOR_xen_version(XENVER_capabilities, caps) == 0 && strstr(caps, "x86_64") != NULL;
}

static int update(unsigned int index, uint64_t desc)
{
    return HYPERVISOR_update_descriptor(va_to_maddr(&gdt[index]), desc);
}

static void test_set_gdt(unsigned long *frame)
{
    gdt[2] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    /* Still mapped writable: it cannot become a descriptor page. */
    TEST_EQ(HYPERVISOR_set_gdt(frame, 512), -XEN_EINVAL);
    TEST_EQ(page_set_readonly((uintptr_t)gdt), 0);
    TEST_EQ(HYPERVISOR_set_gdt(frame, FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_set_gdt((unsigned long *)MONITOR_VA, 512), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_set_gdt(frame, 512), 0);
    TEST_ASSERT(selector_works(SEL(2)));
    TEST_ASSERT(!selector_works(SEL(3))); /* an empty slot */
}

static void test_update_descriptor(void)
{
    uint64_t data1 = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    uint64_t data0 = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 0);
    uint64_t flat = seg_descriptor(0, 0xFFFFF, SEG_TYPE_DATA, 1);

    TEST_EQ(update(5, data1), 0);
    TEST_EQ(gdt[5], data1);
    TEST_ASSERT(selector_works(SEL(5)));
    /* DPL 0 is raised to the kernel's ring. */
    TEST_EQ(update(6, data0), 0);
    TEST_EQ((gdt[6] >> 45) & 3, 1);
    TEST_ASSERT(selector_works(SEL(6)));
    /* A segment reaching the monitor is accepted but must end below it on a 32-bit one. */
    TEST_EQ(update(7, flat), 0);
    TEST_CHECK(monitor_is_64bit() || segment_limit(SEL(7)) <= 0xF67FFFFF, "limit %#x",
               segment_limit(SEL(7)));
    TEST_EQ(update(5, 0), 0);
    TEST_ASSERT(!selector_works(SEL(5)));
}

static void test_update_refusals(void)
{
    /* A 32-bit TSS descriptor, and a call gate into the monitor's code selector. */
    uint64_t tss = ((uint64_t)(0x8900 | (1u << 13)) << 32) | 0x67;
    uint64_t gate = ((uint64_t)0xEC00 << 32) | (0xe008u << 16) | 0x1000;

    TEST_EQ(update(8, tss), -XEN_EINVAL);
    TEST_EQ(update(8, gate), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_descriptor(va_to_maddr(&gdt[8]) + 4, 0), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_update_descriptor(0x1000, 0), -XEN_EINVAL);
    TEST_EQ(gdt[8], 0);
}

/* With no entries the page stops being a descriptor page and may be writable again. */
static void test_release(unsigned long *frame)
{
    TEST_EQ(HYPERVISOR_set_gdt(frame, 0), 0);
    TEST_EQ(map_page((uintptr_t)gdt, pte_make(*frame, PTE_KERNEL_RW)), 0);
    gdt[9] = 1;
    TEST_EQ(gdt[9], 1);
}

int guest_main(void)
{
    unsigned long frame = va_to_mfn(gdt);

    test_set_gdt(&frame);
    test_update_descriptor();
    test_update_refusals();
    test_release(&frame);
    test_finish();
}
