/*
 * Hostile test guest: descriptor frames (an LDT page, a GDT page) that the guest remaps,
 * gives back with memory_op and fights over in multicalls while they are in use.
 *
 * A descriptor page stays what set_ldt or set_gdt made it until the next such call: the
 * linear range of an LDT may map something else meanwhile, and giving the frame back drops
 * only the domain's own reference.  The frame stays the table, stays counted, takes no new
 * reference, and is freed (reservation down, M2P entry gone) by the call that replaces it.
 * In one multicall the entries see each other's effects: a page that just became the LDT
 * cannot be mapped writable by the next entry, and can once a later entry removed the LDT.
 */
#include "guest/hypercall.h"
#include "guest/memory.h"
#include "guest/mm.h"
#include "guest/segments.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_desc_frames");

#define M2P_NONE   (~0UL)
#define LDT_SEL(i) ((uint16_t)(((i) << 3) | 4 | 1))
#define GDT_SEL(i) ((uint16_t)(((i) << 3) | 1))

static uint8_t spare[PAGE_SIZE] PAGE_ALIGNED;
static const uint32_t probe = 0x44455343;
static uint32_t probe_read;

static long current(void)
{
    return xenmem_current_reservation(DOMID_SELF);
}

static long give1(unsigned long mfn)
{
    xen_pfn_t l = mfn;

    return xenmem_decrease(&l, 1, 0);
}

static int set_ldt(uintptr_t base, unsigned int ents)
{
    struct mmuext_op op = {.cmd = MMUEXT_SET_LDT};

    op.arg1.linear_addr = base;
    op.arg2.nr_ents = ents;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

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

/* A fresh frame holding one flat ring-1 data descriptor at index, mapped read-only. */
static unsigned long descriptor_page(unsigned int index, uint64_t **va)
{
    unsigned long pfn = frame_alloc();

    if (!pfn) {
        test_error("no free frame");
    }
    *va = pfn_to_va(pfn);
    memset(*va, 0, PAGE_SIZE);
    (*va)[index] = seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1);
    TEST_EQ(page_set_readonly((uintptr_t)*va), 0);
    return pfn_to_mfn(pfn);
}

/*
 * The LDT's linear range remapped to another frame, then its frame given back: the LDT
 * still reads the frame set_ldt took, until set_ldt(0) frees it.
 */
static void test_ldt_given_back(void)
{
    uint64_t *ldt;
    unsigned long mfn = descriptor_page(1, &ldt);
    long before = current();

    TEST_EQ(set_ldt((uintptr_t)ldt, 2), 0);
    TEST_ASSERT(selector_works(LDT_SEL(1)));
    TEST_EQ(map_page((uintptr_t)ldt, pte_make(va_to_mfn(spare), PTE_KERNEL_RW)), 0);
    TEST_ASSERT(selector_works(LDT_SEL(1)));
    TEST_EQ(give1(mfn), 1);
    TEST_EQ(current(), before); /* the LDT holds it: still counted */
    TEST_EQ(mfn_to_pfn(mfn), va_to_pfn(ldt));
    TEST_ASSERT(selector_works(LDT_SEL(1)));
    /* No new reference on a frame given back: not mapped, not a GDT page. */
    TEST_EQ(map_page((uintptr_t)spare, pte_make(mfn, PTE_KERNEL_RW & ~_PAGE_RW)), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_set_gdt(&mfn, 512), -XEN_EINVAL);
    TEST_ASSERT(selector_works(LDT_SEL(1)));
    TEST_EQ(set_ldt(0, 0), 0); /* the last reference */
    TEST_EQ(current(), before - 1);
    TEST_EQ(mfn_to_pfn(mfn), M2P_NONE);
    TEST_ASSERT(!selector_works(LDT_SEL(1)));
    TEST_EQ(give1(mfn), 0);
    TEST_EQ(unmap_page((uintptr_t)ldt), 0); /* no alias of spare left behind */
}

/* A GDT page given back and unmapped: the GDT keeps it until set_gdt replaces it. */
static void test_gdt_given_back(void)
{
    uint64_t *gdt;
    unsigned long mfn = descriptor_page(2, &gdt);
    long before = current();

    TEST_EQ(HYPERVISOR_set_gdt(&mfn, 512), 0);
    TEST_ASSERT(selector_works(GDT_SEL(2)));
    TEST_EQ(give1(mfn), 1);
    TEST_EQ(unmap_page((uintptr_t)gdt), 0);
    TEST_EQ(current(), before);
    TEST_ASSERT(selector_works(GDT_SEL(2)));
    /* Set again: refused (no new reference), and the GDT in place is left alone. */
    TEST_EQ(HYPERVISOR_set_gdt(&mfn, 512), -XEN_EINVAL);
    TEST_ASSERT(selector_works(GDT_SEL(2)));
    TEST_EQ(HYPERVISOR_set_gdt(&mfn, 0), 0);
    TEST_EQ(current(), before - 1);
    TEST_EQ(mfn_to_pfn(mfn), M2P_NONE);
    TEST_ASSERT(!selector_works(GDT_SEL(2)));
}

static void set_uvm(multicall_entry_t *e, uintptr_t va, pte_t pte)
{
    *e = (multicall_entry_t){.op = __HYPERVISOR_update_va_mapping,
                             .args = {va, (uint32_t)pte, (uint32_t)(pte >> 32), UVMF_INVLPG}};
}

static void set_ldt_call(multicall_entry_t *e, struct mmuext_op *op, uintptr_t base,
                         unsigned int ents)
{
    *op = (struct mmuext_op){.cmd = MMUEXT_SET_LDT};
    op->arg1.linear_addr = base;
    op->arg2.nr_ents = ents;
    *e = (multicall_entry_t){.op = __HYPERVISOR_mmuext_op,
                             .args = {(uintptr_t)op, 1, 0, DOMID_SELF}};
}

/* One multicall: LDT on, writable (refused), given back, LDT off (freed), mapped (refused). */
static void test_multicall(void)
{
    static multicall_entry_t calls[5];
    static struct mmuext_op ops[2];
    static xen_pfn_t back[1];
    static struct xen_memory_reservation res = {.nr_extents = 1, .domid = DOMID_SELF};
    uint64_t *ldt;
    unsigned long mfn = descriptor_page(1, &ldt);
    long before = current();

    back[0] = mfn;
    set_xen_guest_handle(res.extent_start, back);
    set_ldt_call(&calls[0], &ops[0], (uintptr_t)ldt, 2);
    set_uvm(&calls[1], (uintptr_t)ldt, pte_make(mfn, PTE_KERNEL_RW));
    calls[2] = (multicall_entry_t){.op = __HYPERVISOR_memory_op,
                                   .args = {XENMEM_decrease_reservation, (uintptr_t)&res}};
    set_ldt_call(&calls[3], &ops[1], 0, 0);
    set_uvm(&calls[4], (uintptr_t)spare, pte_make(mfn, PTE_KERNEL_RW));
    TEST_EQ(HYPERVISOR_multicall(calls, 5), 0);
    TEST_EQ(calls[0].result, 0);
    TEST_EQ((long)calls[1].result, -XEN_EINVAL);
    TEST_EQ(calls[2].result, 1);
    TEST_EQ(calls[3].result, 0);
    TEST_EQ((long)calls[4].result, -XEN_EINVAL);
    /* Still mapped read-only at its own address: the frame is not freed yet. */
    TEST_EQ(current(), before);
    TEST_EQ(ldt[1], seg_descriptor(0, GUEST_SEG_LIMIT_PAGES, SEG_TYPE_DATA, 1));
    TEST_EQ(unmap_page((uintptr_t)ldt), 0);
    TEST_EQ(current(), before - 1);
    TEST_EQ(mfn_to_pfn(mfn), M2P_NONE);
}

int guest_main(void)
{
    test_ldt_given_back();
    test_gdt_given_back();
    test_multicall();
    test_finish();
}
