/* Hostile test guest: debug registers aimed at the monitor, and #DB raised while it runs. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_debugregs");

#define DR6_B(n) (1u << (n))
#define DR6_BS   (1u << 14)
#define DR7_L(n) (1u << (2 * (n)))
#define DR7_GD   (1u << 13)
/* RW and LEN of breakpoint n: RW 00 execute, 01 write, 11 read/write; LEN 11 four bytes. */
#define DR7_RW(n, rw)   ((uint32_t)(rw) << (16 + 4 * (n)))
#define DR7_LEN(n, len) ((uint32_t)(len) << (18 + 4 * (n)))

/*
 * The MOV SS sites: each loads %ss from dr_ssvar (a data breakpoint watches it), so that
 * the #DB is held back until after the next instruction, which enters the monitor.  The
 * POP SS site pops from dr_ssslot (watched on its own) with dr_popstack below it for any
 * frame bounced meanwhile.  All keep the callee-saved registers (the monitor may change argument registers).
 */
uint32_t dr_ssvar __attribute__((aligned(4))) = FLAT_RING1_DS;
uint32_t dr_result;
__asm__(".text\n"
        "dr_target:   nop\n ret\n"
        "dr_movss82:  pushl %ebx\n pushl %esi\n pushl %edi\n pushl %ebp\n"
        "             movl $17, %eax\n xorl %ebx, %ebx\n xorl %ecx, %ecx\n"
        "             movw dr_ssvar, %ss\n"
        "dr_movss82_i: int $0x82\n"
        "dr_movss82_n: movl %eax, dr_result\n"
        "             popl %ebp\n popl %edi\n popl %esi\n popl %ebx\n ret\n"
        "dr_movss3:   movw dr_ssvar, %ss\n"
        "dr_movss3_i: int3\n"
        "dr_movss3_n: ret\n"
        "dr_movss80:  movw dr_ssvar, %ss\n"
        "dr_movss80_i: int $0x80\n"
        "dr_movss80_n: ret\n"
        "dr_movss81:  movw dr_ssvar, %ss\n"
        "dr_movss81_i: int $0x81\n"
        "dr_movss81_n: ret\n"
        "dr_popss82:  pushl %ebx\n pushl %esi\n pushl %edi\n pushl %ebp\n"
        "             movl $17, %eax\n xorl %ebx, %ebx\n xorl %ecx, %ecx\n"
        "             movl %esp, dr_saved_esp\n"
        "             movl $dr_ssslot, %esp\n"
        "             popl %ss\n"
        "dr_popss82_i: int $0x82\n"
        "dr_popss82_n: movl dr_saved_esp, %esp\n"
        "             movl %eax, dr_result\n"
        "             popl %ebp\n popl %edi\n popl %esi\n popl %ebx\n ret\n"
        "dr_touch:    movl dr_ssvar, %eax\n"
        "dr_touch_n:  ret\n"
        ".data\n"
        ".balign 16\n"
        "dr_popstack: .space 4096\n"
        "dr_ssslot:   .long 0\n"
        "dr_saved_esp: .long 0\n"
        ".text\n");
extern char dr_target[], dr_movss82[], dr_movss82_i[], dr_movss82_n[], dr_movss3[], dr_movss3_i[],
    dr_movss3_n[], dr_movss80[], dr_movss80_i[], dr_movss80_n[], dr_movss81[], dr_movss81_i[],
    dr_movss81_n[], dr_popss82[], dr_popss82_i[], dr_popss82_n[], dr_touch[], dr_touch_n[];
extern uint32_t dr_ssslot;

/* What the recording handlers saw. */
#define MAX_EVENTS 8
struct event {
    uint32_t vector, eip, cs, error_code, dr6;
};
static struct event events[MAX_EVENTS];
static unsigned int nr_events;
/* Set for the POP SS site: a bounce frame covers the watched slot, so stop watching. */
static bool disarm_on_db;

/* Records the trap and goes on: after a software interrupt, after a data breakpoint. */
static void record(struct guest_regs *r)
{
    if (nr_events < MAX_EVENTS) {
        events[nr_events] = (struct event){r->vector, r->eip, r->cs & 0xffff, r->error_code, 0};
        if (r->vector == 1) {
            events[nr_events].dr6 = (uint32_t)HYPERVISOR_get_debugreg(6);
        }
    }
    nr_events++;
    if (r->vector == 1) {
        /* Before touching the frame: its EFLAGS slot may be the watched word. */
        if (disarm_on_db) {
            HYPERVISOR_set_debugreg(7, 0);
        }
        r->eflags |= 0x10000; /* RF: an instruction breakpoint must not fire again at once */
        r->eflags &= ~0x100u;
    }
    if (r->vector == 13) {
        /* Only the "int $0x81" of this test is expected here: step over it. */
        if (r->error_code != ((0x81 << 3) | 2)) {
            trap_dump("hostile_debugregs", r);
            panic("unexpected #GP");
        }
        r->eip += 2;
    }
}

static void reset_events(void)
{
    nr_events = 0;
    memset(events, 0, sizeof(events));
}

static bool monitor_is_64bit(void)
{
    static xen_capabilities_info_t caps;

    return HYPERVISOR_xen_version(XENVER_capabilities, caps) == 0 && strstr(caps, "x86_64") != NULL;
}

/* Breakpoints on monitor addresses, DR7.GD, and registers that do not exist. */
static void test_refusals(void)
{
    static const uint32_t addrs[] = {0xF5800000, 0xF57FFFFD, 0xF57FFFFE, 0xF57FFFFF, 0xF6000000,
                                     0xF6800000, 0xFF100000, 0xFFFFF000, 0xFFFFFFFC, 0xFFFFFFFF};
    static const int bad_regs[] = {4, 5, 8, 9, 15, 16, -1, 0x7fffffff};
    bool wide = monitor_is_64bit();
    long rc;

    for (unsigned int n = 0; n < 4; n++) {
        TEST_EQ(HYPERVISOR_set_debugreg((int)n, 0), 0);
        for (unsigned int i = 0; i < ARRAY_SIZE(addrs); i++) {
            rc = HYPERVISOR_set_debugreg((int)n, addrs[i]);
            TEST_CHECK(rc == -XEN_EPERM || (rc == 0 && wide), "set_debugreg(%u, %#x) gave %ld", n,
                       addrs[i], rc);
            if (rc != 0) {
                TEST_CHECK(HYPERVISOR_get_debugreg((int)n) == 0,
                           "DR%u holds %#lx after a refused %#x", n,
                           HYPERVISOR_get_debugreg((int)n), addrs[i]);
            }
        }
        /* The highest 4-byte breakpoint that stays below the monitor is ordinary. */
        TEST_EQ(HYPERVISOR_set_debugreg((int)n, 0xF57FFFFC), 0);
        TEST_EQ(HYPERVISOR_get_debugreg((int)n), 0xF57FFFFC);
        TEST_EQ(HYPERVISOR_set_debugreg((int)n, 0), 0);
    }
    /* General detect would turn every later debug-register access into a #DB. */
    rc = HYPERVISOR_set_debugreg(7, DR7_GD);
    TEST_CHECK(rc == -XEN_EPERM, "DR7 with GD gave %ld", rc);
    rc = HYPERVISOR_set_debugreg(7, DR7_GD | DR7_L(0));
    TEST_CHECK(rc == -XEN_EPERM, "DR7 with GD and L0 gave %ld", rc);
    TEST_CHECK((HYPERVISOR_get_debugreg(7) & DR7_GD) == 0, "DR7 reads %#lx",
               HYPERVISOR_get_debugreg(7));
    /* Reserved bits: refused, or dropped (Xen clears them). */
    rc = HYPERVISOR_set_debugreg(7, 0x0000D800);
    TEST_CHECK(rc == -XEN_EPERM || (rc == 0 && (HYPERVISOR_get_debugreg(7) & 0xD800) == 0),
               "DR7 reserved bits: %ld, DR7 now %#lx", rc, HYPERVISOR_get_debugreg(7));
    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_regs); i++) {
        TEST_CHECK(HYPERVISOR_set_debugreg(bad_regs[i], 0) == -XEN_EINVAL,
                   "set_debugreg(%d) gave %d", bad_regs[i], HYPERVISOR_set_debugreg(bad_regs[i], 0));
        TEST_CHECK(HYPERVISOR_get_debugreg(bad_regs[i]) == (unsigned long)-XEN_EINVAL,
                   "get_debugreg(%d) gave %#lx", bad_regs[i], HYPERVISOR_get_debugreg(bad_regs[i]));
    }
}

/* An instruction breakpoint on a guest function: #DB at its first instruction, B0 in DR6. */
static void test_instruction_breakpoint(void)
{
    struct guest_regs r = {0};
    uint32_t dr6;
    bool trapped;

    TEST_EQ(HYPERVISOR_set_debugreg(6, 0), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(0, (uintptr_t)dr_target), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(7, DR7_L(0) | DR7_RW(0, 0) | DR7_LEN(0, 0)), 0);
    trapped = trap_catch((void (*)(void *))dr_target, NULL, &r);
    dr6 = (uint32_t)HYPERVISOR_get_debugreg(6);
    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    if (!TEST_CHECK(trapped, "instruction breakpoint at %p: no #DB", dr_target)) {
        return;
    }
    TEST_CHECK(r.vector == 1 && r.eip == (uintptr_t)dr_target && (r.cs & 0xffff) == FLAT_KERNEL_CS,
               "instruction breakpoint: vector %u at %04x:%08x, expected #DB at %p", r.vector,
               r.cs & 0xffff, r.eip, dr_target);
    TEST_CHECK(dr6 & DR6_B(0), "instruction breakpoint: DR6 reads %#x, B0 clear", dr6);
    /* Disabled, the same call runs through. */
    trapped = trap_catch((void (*)(void *))dr_target, NULL, &r);
    TEST_CHECK(!trapped, "breakpoint disabled, still a trap: vector %u", r.vector);
}

/* A read/write breakpoint on a guest variable: the guest's own access traps, the monitor's not. */
static void test_data_breakpoint(void)
{
    static struct physdev_set_iopl iopl_arg __attribute__((aligned(8)));
    static char extra[XEN_EXTRAVERSION_LEN] __attribute__((aligned(8)));
    uint32_t rw4 = DR7_L(1) | DR7_RW(1, 3) | DR7_LEN(1, 3);
    struct guest_regs r = {0};
    uint32_t dr6;
    bool trapped;

    /* The monitor reads it (copy_from_guest) ... */
    iopl_arg.iopl = 0;
    TEST_EQ(HYPERVISOR_set_debugreg(6, 0), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(1, (uintptr_t)&iopl_arg), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(7, rw4), 0);
    reset_events();
    TEST_EQ(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl_arg), 0);
    TEST_EQ(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl_arg), 0);
    TEST_CHECK(nr_events == 0, "the monitor's read gave the guest %u traps (vector %u at %#x)",
               nr_events, events[0].vector, events[0].eip);

    /* ... and writes it (copy_to_guest). */
    TEST_EQ(HYPERVISOR_set_debugreg(1, (uintptr_t)extra), 0);
    reset_events();
    TEST_EQ(HYPERVISOR_xen_version(XENVER_extraversion, extra), 0);
    TEST_CHECK(nr_events == 0, "the monitor's write gave the guest %u traps (vector %u at %#x)",
               nr_events, events[0].vector, events[0].eip);

    /* The guest's own read: a #DB trap after the instruction, B1 in DR6. */
    TEST_EQ(HYPERVISOR_set_debugreg(6, 0), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(1, (uintptr_t)&dr_ssvar), 0);
    trapped = trap_catch((void (*)(void *))dr_touch, NULL, &r);
    dr6 = (uint32_t)HYPERVISOR_get_debugreg(6);
    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    if (TEST_CHECK(trapped, "data breakpoint on the guest's own read: no #DB")) {
        TEST_CHECK(r.vector == 1 && r.eip == (uintptr_t)dr_touch_n,
                   "data breakpoint: vector %u at %#x, expected #DB at %p", r.vector, r.eip,
                   dr_touch_n);
        TEST_CHECK(dr6 & DR6_B(1), "data breakpoint: DR6 reads %#x, B1 clear", dr6);
    }
    TEST_EQ(HYPERVISOR_set_debugreg(1, 0), 0);
}

/*
 * A #DB that arrived in the guest during a MOV SS site: acceptable only as a ring-1 trap at
 * the instruction after the load (a CPU that does not hold the #DB back: QEMU's TCG) or
 * after the software interrupt; never an address of the monitor's.
 */
static bool noted_early_db;

static void check_site_events(const char *what, uint32_t load_next, uint32_t after,
                              uint32_t want_vector, uint32_t want_eip)
{
    unsigned int saw_want = 0;

    for (unsigned int i = 0; i < nr_events && i < MAX_EVENTS; i++) {
        const struct event *e = &events[i];
        if (e->vector == 1) {
            TEST_CHECK(e->cs == FLAT_KERNEL_CS && (e->eip == load_next || e->eip == after),
                       "%s: #DB at %04x:%08x", what, e->cs, e->eip);
            if (e->eip == load_next && !noted_early_db) {
                noted_early_db = true;
                test_note("this CPU delivers a #DB held back by a stack-segment load before the "
                          "next instruction (QEMU TCG), so it reaches the guest, not the monitor");
            }
        } else if (e->vector == want_vector) {
            TEST_CHECK(e->eip == want_eip, "%s: vector %u at %#x, expected %#x", what, e->vector,
                       e->eip, want_eip);
            saw_want++;
        } else {
            TEST_CHECK(false, "%s: unexpected vector %u at %#x", what, e->vector, e->eip);
        }
    }
    TEST_CHECK(nr_events <= MAX_EVENTS, "%s: %u traps", what, nr_events);
    if (want_vector) {
        TEST_CHECK(saw_want == 1, "%s: vector %u seen %u times", what, want_vector, saw_want);
    }
}

/* CVE-2018-8897: a #DB held back by MOV SS lands inside the monitor's entry. */
static void test_mov_ss(void)
{
    uint32_t watch = DR7_L(2) | DR7_RW(2, 3) | DR7_LEN(2, 3);
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    trap_set(1, TRAP_DPL(0), record);
    trap_set(3, TRAP_DPL(3), record);
    trap_set(0x80, TRAP_DPL(1), record);
    trap_set(13, TRAP_DPL(0), record);
    TEST_EQ(traps_load(), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(2, (uintptr_t)&dr_ssvar), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(7, watch), 0);

    for (unsigned int round = 0; round < 3; round++) {
        reset_events();
        dr_result = 0xdeadbeef;
        ((void (*)(void))dr_movss82)();
        TEST_CHECK((long)dr_result == version, "mov ss; int $0x82: result %#x, expected %#lx",
                   dr_result, version);
        check_site_events("mov ss; int $0x82", (uintptr_t)dr_movss82_i, (uintptr_t)dr_movss82_n,
                          0, 0);
    }

    /* POP SS the same way, watching the slot it pops (with DR3 only). */
    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    dr_ssslot = FLAT_RING1_DS;
    TEST_EQ(HYPERVISOR_set_debugreg(3, (uintptr_t)&dr_ssslot), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(7, DR7_L(3) | DR7_RW(3, 3) | DR7_LEN(3, 3)), 0);
    reset_events();
    dr_result = 0xdeadbeef;
    disarm_on_db = true;
    ((void (*)(void))dr_popss82)();
    disarm_on_db = false;
    TEST_EQ(HYPERVISOR_set_debugreg(7, watch), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(3, 0), 0);
    TEST_CHECK((long)dr_result == version, "pop ss; int $0x82: result %#x", dr_result);
    check_site_events("pop ss; int $0x82", (uintptr_t)dr_popss82_i, (uintptr_t)dr_popss82_n, 0,
                      0);

    reset_events();
    ((void (*)(void))dr_movss3)();
    check_site_events("mov ss; int3", (uintptr_t)dr_movss3_i, (uintptr_t)dr_movss3_n, 3,
                      (uintptr_t)dr_movss3_n);

    reset_events();
    ((void (*)(void))dr_movss80)();
    check_site_events("mov ss; int $0x80", (uintptr_t)dr_movss80_i, (uintptr_t)dr_movss80_n, 0x80,
                      (uintptr_t)dr_movss80_n);

    /* Not in the trap table: #GP(0x81 << 3 | 2), stepped over by the handler. */
    reset_events();
    ((void (*)(void))dr_movss81)();
    check_site_events("mov ss; int $0x81", (uintptr_t)dr_movss81_i, (uintptr_t)dr_movss81_n, 13,
                      (uintptr_t)dr_movss81_i);

    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    TEST_EQ(HYPERVISOR_set_debugreg(2, 0), 0);
    trap_set(1, TRAP_DPL(0), NULL);
    trap_set(3, TRAP_DPL(3), NULL);
    trap_clear(0x80);
    trap_set(13, TRAP_DPL(0), NULL);
    TEST_EQ(traps_load(), 0);
}

int guest_main(void)
{
    test_refusals();
    test_instruction_breakpoint();
    test_data_breakpoint();
    test_mov_ss();
    TEST_EQ(HYPERVISOR_set_debugreg(7, 0), 0);
    TEST_CHECK((HYPERVISOR_get_debugreg(7) & 0xFF) == 0, "DR7 still enables breakpoints: %#lx",
               HYPERVISOR_get_debugreg(7));
    TEST_ASSERT(HYPERVISOR_xen_version(XENVER_version, NULL) >= 0x30000);
    test_finish();
}
