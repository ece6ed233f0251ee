/* Test guest: HYPERVISOR_fpu_taskswitch — the virtual CR0.TS, #NM, and the FPU state kept. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hc_fpu_taskswitch");

uint64_t fpu_out;
uint32_t cr0_value;
__asm__(".text\n"
        "fp_use:     fld1\n"
        "            fstpl fpu_out\n"
        "            ret\n"
        "fp_push:    fld1\n"
        "            ret\n"
        "fp_pop:     fstpl fpu_out\n"
        "            ret\n"
        "fp_cr0:     movl %cr0, %eax\n"
        "            movl %eax, cr0_value\n"
        "            ret\n");
extern char fp_use[], fp_push[], fp_pop[], fp_cr0[];

#define ONE 0x3FF0000000000000ULL /* 1.0 as a double */

/* Runs an FPU site; returns the vector it trapped with, or -1. */
static int run(char *site)
{
    struct guest_regs r;

    if (!trap_catch((void (*)(void *))site, NULL, &r)) {
        return -1;
    }
    TEST_EQ(r.eip, (uintptr_t)site);
    return (int)r.vector;
}

static uint32_t read_cr0(void)
{
    cr0_value = 0;
    TEST_EQ(run(fp_cr0), -1);
    return cr0_value;
}

int guest_main(void)
{
    /* The FPU starts usable, with TS clear. */
    fpu_out = 0;
    TEST_EQ(run(fp_use), -1);
    TEST_EQ(fpu_out, ONE);
    TEST_EQ(read_cr0() & 8, 0);
    /* TS set: the first FPU instruction is a #NM at that instruction. */
    TEST_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
    TEST_EQ(read_cr0() & 8, 8);
    TEST_EQ(run(fp_use), 7);
    TEST_EQ(HYPERVISOR_fpu_taskswitch(0), 0);
    TEST_EQ(read_cr0() & 8, 0);
    /* The FPU state survives TS being set and cleared around it. */
    TEST_EQ(run(fp_push), -1);
    TEST_EQ(HYPERVISOR_fpu_taskswitch(1), 0);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    TEST_EQ(HYPERVISOR_fpu_taskswitch(0), 0);
    fpu_out = 0;
    TEST_EQ(run(fp_pop), -1);
    TEST_EQ(fpu_out, ONE);
    test_finish();
}
