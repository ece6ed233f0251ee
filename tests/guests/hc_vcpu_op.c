/*
 * Test guest: HYPERVISOR_vcpu_op — is_up, initialise of an offline vCPU (registers, kernel
 * stack, CR3), up, down, get_runstate_info, and refusals.  Runs with vcpus=2.
 */
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/segments.h"
#include "guest/test.h"

TEST_NAME("hc_vcpu_op");

#define MONITOR_VA 0xFF000000UL

static uint8_t second_stack[4096] PAGE_ALIGNED;
static struct vcpu_guest_context ctx;
static volatile uint32_t second_ran, second_ebx, second_cr3;

/* vCPU 1's entry: reports what it started with, then takes itself down. */
static void __attribute__((noreturn, used)) second_main(uint32_t ebx)
{
    uint32_t cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    second_cr3 = cr3;
    second_ebx = ebx;
    second_ran++;
    HYPERVISOR_vcpu_op(VCPUOP_down, 1, NULL);
    for (;;) {
        test_note("vCPU 1 ran after going down");
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* The first instruction of vCPU 1: EBX becomes the argument of second_main. */
__asm__(".text\n"
        "second_entry:\n"
        "    push %ebx\n"
        "    push $0\n"
        "    jmp second_main\n");
extern const char second_entry[];

static uint32_t cr3_of_l3(void)
{
    unsigned long mfn = va_to_mfn((const void *)start_info->pt_base);

    return (uint32_t)((mfn << 12) | (mfn >> 20));
}

static void fill_context(void)
{
    memset(&ctx, 0, sizeof(ctx));
    ctx.user_regs.eip = (uint32_t)(uintptr_t)second_entry;
    ctx.user_regs.esp = (uint32_t)(uintptr_t)(second_stack + sizeof(second_stack));
    ctx.user_regs.ebx = 0x5ec0;
    ctx.user_regs.eflags = 0x202;
    ctx.kernel_ss = FLAT_KERNEL_SS;
    ctx.kernel_sp = ctx.user_regs.esp;
    ctx.ctrlreg[3] = cr3_of_l3();
}

static int runstate(unsigned int id)
{
    struct vcpu_runstate_info rs;

    memset(&rs, 0xAA, sizeof(rs));
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, id, &rs), 0);
    return rs.state;
}

static void test_refusals(void)
{
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, XEN_LEGACY_MAX_VCPUS + 100, NULL), -XEN_ENOENT);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 2, NULL), -XEN_ENOENT); /* vcpus=2 */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_vcpu_op(99, 0, NULL), -XEN_ENOSYS);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 0, &ctx), -XEN_EEXIST); /* running */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL);         /* no context */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, (void *)MONITOR_VA), -XEN_EFAULT);
    fill_context();
    ctx.kernel_ss = FLAT_KERNEL_SS & ~3u; /* ring 0 */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    fill_context();
    ctx.event_callback_cs = 0xe008; /* the monitor's code selector */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    fill_context();
    ctx.ctrlreg[3] = (uint32_t)(va_to_mfn(second_stack) << 12); /* not an L3 */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
}

int guest_main(void)
{
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    TEST_EQ(runstate(0), RUNSTATE_running);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    TEST_EQ(runstate(1), RUNSTATE_offline);
    test_refusals();

    fill_context();
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), 0);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EEXIST);
    TEST_EQ(second_ran, 0); /* initialised, not up */
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 1);
    for (unsigned int i = 0; i < 100 && !second_ran; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    TEST_EQ(second_ran, 1);
    TEST_EQ(second_ebx, 0x5ec0);
    TEST_EQ(second_cr3, cr3_of_l3());
    TEST_EQ(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    TEST_EQ(runstate(1), RUNSTATE_offline);
    test_finish();
}
