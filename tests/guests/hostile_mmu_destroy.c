/*
 * Hostile test guest: a domain that goes away with its memory tied up every way the PV
 * MMU allows.  vCPU 0 and vCPU 1 run on two different L3s of their own, a third address
 * space is pinned and unused, the builder's stays pinned; L1s and L2s are pinned on their
 * own, tables are shared between address spaces, an L1 maps the shared-info page, a page
 * is a GDT.  With "crash" on its command line the domain then takes a page fault with no
 * handler; otherwise it powers off.  Either way the monitor must take back every reference
 * (the harness checks that no frame leaks).
 */
#include "hostile_mmu.h"

#include <xen/vcpu.h>

TEST_NAME("hostile_mmu_destroy");

#define UNMAPPED_VA 0x10000000UL
#define DATA_SLOT   7

static uint8_t gdt_page[4096] PAGE_ALIGNED;
static uint8_t v1_stack[4096] PAGE_ALIGNED;
static struct vcpu_guest_context v1_ctx;
static volatile unsigned long v1_target;
static volatile int v1_rc = 1;

struct space {
    unsigned long l3, s3, l2, l1, data; /* pfns: the L3, its slot-3 and slot-0 L2s, ... */
};

/*
 * A new address space: slots 1 and 2 as the builder's, slot 3 a fresh slot-3 L2, slot 0
 * a fresh L2 whose entry SPARE_L2 holds a fresh L1 mapping a data page writable.
 */
static void space_build(struct space *s, unsigned long shared_l1)
{
    pte_t *t;

    s->data = scratch_pfn();
    memset(pfn_to_va(s->data), 0x5A, PAGE_SIZE);
    s->l1 = shared_l1 ? shared_l1
                      : table_frame(DATA_SLOT, pte_make(pfn_to_mfn(s->data), PTE_KERNEL_RW));
    s->l2 = table_frame(SPARE_L2, pte_make(pfn_to_mfn(s->l1), UPPER_FLAGS));
    s->l3 = new_l3(&s->s3);
    TEST_EQ(make_writable(s->l3), 0);
    t = pfn_to_va(s->l3);
    t[0] = pte_make(pfn_to_mfn(s->l2), UPPER_FLAGS);
    TEST_EQ(make_readonly(s->l3), 0);
}

static NORETURN void vcpu1_main(void)
{
    struct mmuext_op op = {.cmd = MMUEXT_NEW_BASEPTR};

    op.arg1.mfn = v1_target;
    v1_rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    for (;;) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/*
 * vCPU 1 comes up on its own stack and switches to the L3 l3_mfn; 0 or its error (-1 when
 * it could not be brought up: the domain needs vcpus=2).
 */
static int vcpu1_start(unsigned long l3_mfn)
{
    uint32_t top = (uint32_t)(uintptr_t)(v1_stack + sizeof(v1_stack));

    v1_target = l3_mfn;
    v1_ctx.user_regs.eip = (unsigned long)vcpu1_main;
    v1_ctx.user_regs.esp = top - 16; /* room for the return address it never uses */
    v1_ctx.user_regs.eflags = 0x202;
    v1_ctx.user_regs.cs = FLAT_KERNEL_CS;
    v1_ctx.user_regs.ss = v1_ctx.user_regs.ds = v1_ctx.user_regs.es = FLAT_KERNEL_DS;
    v1_ctx.kernel_ss = FLAT_KERNEL_DS;
    v1_ctx.kernel_sp = top;
    if (HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &v1_ctx) != 0 ||
        HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL) != 0) {
        return -1;
    }
    for (unsigned int i = 0; i < 10000 && v1_rc == 1; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return v1_rc;
}

/* The first word of the current base's data page, through its slot 0. */
static uint32_t space_word(void)
{
    return *(volatile uint32_t *)(((uintptr_t)SPARE_L2 << 21) | (DATA_SLOT << PAGE_SHIFT));
}

/* Pinned tables outside any address space; returns how many were pinned. */
static unsigned int pin_loose_tables(void)
{
    unsigned long si = start_info->shared_info >> PAGE_SHIFT;
    unsigned long si_l1 = table_frame(0, pte_make(si, PTE_KERNEL_RW));
    unsigned long data = scratch_pfn();
    unsigned long l1 = table_frame(3, pte_make(pfn_to_mfn(data), PTE_KERNEL_RW));
    unsigned long l2 = table_frame(5, pte_make(pfn_to_mfn(l1), UPPER_FLAGS));

    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(si_l1), 0), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(l2), 0), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L1_TABLE, pfn_to_mfn(l1), 0), 0); /* in use and pinned */
    return 3;
}

/*
 * Three address spaces (c shares a's L1): a becomes vCPU 0's base, b vCPU 1's, c stays
 * pinned and unused; b's slot-0 L2 is pinned too.  Returns the number of pins.
 */
static unsigned int build_spaces(void)
{
    struct space a, b, c;

    space_build(&a, 0);
    space_build(&b, 0);
    space_build(&c, a.l1);
    TEST_EQ(ext1(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(c.l3), 0), 0);
    TEST_EQ(ext1(MMUEXT_PIN_L2_TABLE, pfn_to_mfn(b.l2), 0), 0);
    TEST_EQ(ext1(MMUEXT_NEW_BASEPTR, pfn_to_mfn(a.l3), 0), 0);
    TEST_EQ(space_word(), 0x5A5A5A5A);
    TEST_EQ(vcpu1_start(pfn_to_mfn(b.l3)), 0);
    /* Everything in use: none of it may become writable. */
    TEST_EQ(make_writable(a.l3), -XEN_EINVAL);
    TEST_EQ(make_writable(b.l3), -XEN_EINVAL);
    TEST_EQ(make_writable(c.l1), -XEN_EINVAL);
    return 2;
}

int guest_main(void)
{
    unsigned long gdt_mfn = va_to_mfn(gdt_page);
    unsigned int pins = 1; /* the builder's L3 */
    bool crash = strstr((const char *)start_info->cmd_line, "crash") != NULL;

    pins += build_spaces();
    pins += pin_loose_tables();
    TEST_EQ(page_set_readonly((uintptr_t)gdt_page), 0);
    TEST_EQ(HYPERVISOR_set_gdt(&gdt_mfn, 512), 0);
    TEST_EQ(make_writable(va_to_pfn(gdt_page)), -XEN_EINVAL);
    test_note("3 address spaces, %u pins, a GDT page; %u checks failed; %s", pins, test_failures(),
              crash ? "crashing" : "powering off");
    if (!crash) {
        test_finish();
    }
    HYPERVISOR_set_trap_table(NULL);
    (void)*(volatile uint32_t *)UNMAPPED_VA;
    test_error("reading an unmapped page with no trap table did not crash the domain");
}
