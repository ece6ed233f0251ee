/* Hostile test guest: the monitor's selectors, far transfers into it, and segment limits. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_segments");

/*
 * 0xe008 and 0xe010 are the monitor's ring-0 code and data selectors (Xen's layout of the
 * reserved GDT page); 0xe009/0xe011 the same with RPL 1.  Each site loads or jumps at
 * its *_i label.
 */
__asm__(".text\n"
        "hs_ds08:   movl $0xe008, %eax\n hs_ds08_i: movl %eax, %ds\n ret\n"
        "hs_ds10:   movl $0xe010, %eax\n hs_ds10_i: movl %eax, %ds\n ret\n"
        "hs_es10:   movl $0xe010, %eax\n hs_es10_i: movl %eax, %es\n ret\n"
        "hs_fs10:   movl $0xe010, %eax\n hs_fs10_i: movl %eax, %fs\n ret\n"
        "hs_gs10:   movl $0xe010, %eax\n hs_gs10_i: movl %eax, %gs\n ret\n"
        "hs_ds11:   movl $0xe011, %eax\n hs_ds11_i: movl %eax, %ds\n ret\n"
        "hs_ss10:   movl $0xe010, %eax\n hs_ss10_i: movl %eax, %ss\n ret\n"
        "hs_ss11:   movl $0xe011, %eax\n hs_ss11_i: movl %eax, %ss\n ret\n"
        "hs_ss33:   movl $0xe033, %eax\n hs_ss33_i: movl %eax, %ss\n ret\n"
        "hs_ldt:    movl $0x0007, %eax\n hs_ldt_i: movl %eax, %ds\n ret\n"
        "hs_far:    movl $0xfff9, %eax\n hs_far_i: movl %eax, %ds\n ret\n"
        "hs_popds:  pushl $0xe010\n hs_popds_i: popl %ds\n ret\n"
        "hs_lfs:    hs_lfs_i: lfs hs_farptr, %eax\n ret\n"
        "hs_ljmp08: hs_ljmp08_i: ljmp $0xe008, $hs_landed\n"
        "hs_ljmp09: hs_ljmp09_i: ljmp $0xe009, $hs_landed\n"
        "hs_lcall08: hs_lcall08_i: lcall $0xe008, $hs_landed\n ret\n"
        "hs_iret08: pushfl\n pushl $0xe008\n pushl $hs_landed\n hs_iret08_i: iret\n"
        "hs_ljmp19: ljmp $0xe019, $hs_ok\n"
        "hs_ok:     ret\n"
        "hs_landed: ud2\n"
        "hs_jmphigh: hs_jmphigh_i: ljmp $0xe019, $0xf6800000\n"
        "hs_readhigh: hs_readhigh_i: movl 0xf6800000, %eax\n ret\n"
        "hs_writemon: hs_writemon_i: movl %eax, 0xff100000\n ret\n"
        ".data\n"
        "hs_farptr: .long 0\n .word 0xe010\n"
        ".text\n");
extern char hs_ds08[], hs_ds08_i[], hs_ds10[], hs_ds10_i[], hs_es10[], hs_es10_i[], hs_fs10[],
    hs_fs10_i[], hs_gs10[], hs_gs10_i[], hs_ds11[], hs_ds11_i[], hs_ss10[], hs_ss10_i[], hs_ss11[],
    hs_ss11_i[], hs_ss33[], hs_ss33_i[], hs_ldt[], hs_ldt_i[], hs_far[], hs_far_i[], hs_popds[],
    hs_popds_i[], hs_lfs[], hs_lfs_i[], hs_ljmp08[], hs_ljmp08_i[], hs_ljmp09[], hs_ljmp09_i[],
    hs_lcall08[], hs_lcall08_i[], hs_iret08[], hs_iret08_i[], hs_ljmp19[], hs_jmphigh[],
    hs_jmphigh_i[], hs_readhigh[], hs_readhigh_i[], hs_writemon[], hs_writemon_i[];

struct gp_site {
    const char *name;
    char *fn, *insn;
    uint32_t error_code; /* the #GP's: the selector without its RPL */
};

/* Each must be a #GP at its instruction with the selector as error code. */
static void test_selector_loads(void)
{
    const struct gp_site sites[] = {
        {"mov 0xe008 to ds", hs_ds08, hs_ds08_i, 0xe008},
        {"mov 0xe010 to ds", hs_ds10, hs_ds10_i, 0xe010},
        {"mov 0xe010 to es", hs_es10, hs_es10_i, 0xe010},
        {"mov 0xe010 to fs", hs_fs10, hs_fs10_i, 0xe010},
        {"mov 0xe010 to gs", hs_gs10, hs_gs10_i, 0xe010},
        {"mov 0xe011 to ds", hs_ds11, hs_ds11_i, 0xe010},
        {"mov 0xe010 to ss", hs_ss10, hs_ss10_i, 0xe010},
        {"mov 0xe011 to ss", hs_ss11, hs_ss11_i, 0xe010},
        {"mov FLAT_RING3_SS to ss in ring 1", hs_ss33, hs_ss33_i, 0xe030},
        {"mov an LDT selector to ds (no LDT)", hs_ldt, hs_ldt_i, 0x0004},
        {"mov 0xfff9 to ds", hs_far, hs_far_i, 0xfff8},
        {"pop 0xe010 into ds", hs_popds, hs_popds_i, 0xe010},
        {"lfs with 0xe010", hs_lfs, hs_lfs_i, 0xe010},
        {"ljmp 0xe008", hs_ljmp08, hs_ljmp08_i, 0xe008},
        {"ljmp 0xe009", hs_ljmp09, hs_ljmp09_i, 0xe008},
        {"lcall 0xe008", hs_lcall08, hs_lcall08_i, 0xe008},
        {"iret to 0xe008", hs_iret08, hs_iret08_i, 0xe008},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(sites); i++) {
        const struct gp_site *s = &sites[i];
        struct guest_regs r = {0};

        if (!TEST_CHECK(trap_catch((void (*)(void *))s->fn, NULL, &r), "%s: no trap", s->name)) {
            continue;
        }
        TEST_CHECK(r.vector == 13 && r.error_code == s->error_code && r.eip == (uintptr_t)s->insn,
                   "%s: vector %u error %#x at %#x, expected #GP(%#x) at %p", s->name, r.vector,
                   r.error_code, r.eip, s->error_code, s->insn);
    }
}

/* A far jump to our own code selector works: the checks above are not blanket refusals. */
static void test_own_selector(void)
{
    struct guest_regs r = {0};
    bool trapped = trap_catch((void (*)(void *))hs_ljmp19, NULL, &r);

    TEST_CHECK(!trapped, "ljmp FLAT_RING1_CS trapped: vector %u error %#x", r.vector, r.error_code);
}

/* The limit of a selector as the CPU has it (lsl); 0 when lsl refuses it. */
static uint32_t segment_limit(uint32_t sel)
{
    uint32_t limit = 0;
    __asm__ volatile("lsl %1, %0\n jz 1f\n movl $0, %0\n 1:" : "+r"(limit) : "r"(sel) : "cc");
    return limit;
}

/*
 * The monitor's part of the protection: every flat guest segment ends below 0xF6800000,
 * whatever the CPU then does with the limit.
 */
static void test_segment_limits(void)
{
    static const uint32_t sels[] = {FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS};
    for (unsigned int i = 0; i < ARRAY_SIZE(sels); i++) {
        uint32_t limit = segment_limit(sels[i]);
        TEST_CHECK(limit == 0xf67fffff, "selector %#x has limit %#x, not 0xf67fffff", sels[i], limit);
    }
}

/*
 * Past the end of the guest segments: a monitor that guards itself with segment limits
 * answers #GP(0) at the instruction; one whose memory lies out of a 32-bit guest's reach
 * answers a page fault there.  Anything else, or no trap, is a hole -- except a data read
 * on a CPU that does not check data-segment limits at all (QEMU's TCG emulator): the
 * limit itself is checked above, and real hardware enforces it.  That case is reported.
 */
static void test_limits(void)
{
    const struct {
        const char *name;
        char *fn, *insn;
        uint32_t addr;
    } sites[] = {
        {"ljmp to 0xf6800000", hs_jmphigh, hs_jmphigh_i, 0xf6800000},
        {"read at 0xf6800000", hs_readhigh, hs_readhigh_i, 0xf6800000},
        {"write at 0xff100000", hs_writemon, hs_writemon_i, 0xff100000},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(sites); i++) {
        struct guest_regs r = {0};
        bool trapped = trap_catch((void (*)(void *))sites[i].fn, NULL, &r);
        bool gp =
            trapped && r.vector == 13 && r.error_code == 0 && r.eip == (uintptr_t)sites[i].insn;
        bool pf = trapped && r.vector == 14 && trap_cr2() == sites[i].addr;

        if (!trapped && i == 1 && segment_limit(FLAT_RING1_DS) == 0xf67fffff) {
            printk("hostile_segments: note: this CPU ignored DS's limit 0xf67fffff on a read "
                   "(QEMU TCG does not check data-segment limits); not counted\n");
            continue;
        }
        TEST_CHECK(gp || pf, "%s: %s vector %u error %#x at %#x", sites[i].name,
                   trapped ? "trap" : "no trap", r.vector, r.error_code, r.eip);
    }
}

int guest_main(void)
{
    test_selector_loads();
    test_own_selector();
    test_segment_limits();
    test_limits();
    test_finish();
}
