/* Hostile test guest: TF, NT, AC, DF, IOPL, IF and VM in EFLAGS around hypercalls and iret. */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/test.h"
#include "guest/traps.h"

TEST_NAME("hostile_flags");

#define F_TF   0x00000100u
#define F_IF   0x00000200u
#define F_IOPL 0x00003000u
#define F_NT   0x00004000u
#define F_RF   0x00010000u
#define F_VM   0x00020000u
#define F_AC   0x00040000u

/*
 * hf_call(set): ORs set into EFLAGS with popf, issues xen_version(XENVER_version) at once
 * with int $0x82, stores EAX and the EFLAGS the guest has right after, then clears TF, NT
 * and AC again.  Keeps the callee-saved registers.
 */
uint32_t hf_result, hf_flags_after;
__asm__(".text\n"
        "hf_call:  pushl %ebx\n pushl %esi\n pushl %edi\n pushl %ebp\n"
        "          movl 20(%esp), %edx\n"
        "          movl $17, %eax\n xorl %ebx, %ebx\n xorl %ecx, %ecx\n"
        "          pushfl\n orl %edx, (%esp)\n popfl\n"
        "hf_call_i: int $0x82\n"
        "hf_call_n: movl %eax, hf_result\n"
        "          pushfl\n popl hf_flags_after\n"
        "          pushfl\n andl $~0x44100, (%esp)\n popfl\n"
        "hf_call_e: popl %ebp\n popl %edi\n popl %esi\n popl %ebx\n ret\n"
        /* The landing of HYPERVISOR_iret: EFLAGS, CS and EAX as they arrived. */
        "hf_land:  pushfl\n popl hf_land_flags\n"
        "          movl %eax, hf_land_eax\n"
        "          movw %cs, hf_land_cs\n"
        "          pushfl\n andl $~0x44100, (%esp)\n popfl\n"
        "          pushl $1\n pushl $hf_ctx\n call ctx_restore\n");
extern char hf_call_i[], hf_call_n[], hf_call_e[], hf_land[];
void hf_call(uint32_t set);
uint32_t hf_land_flags, hf_land_eax;
uint16_t hf_land_cs;
struct jmpctx hf_ctx;

static unsigned int nr_steps;
static uint32_t step_eip, step_cs, step_dr6;

/* The single-step #DB: note where it landed, stop stepping. */
static void on_debug(struct guest_regs *r)
{
    if (nr_steps++ == 0) {
        step_eip = r->eip;
        step_cs = r->cs & 0xffff;
        step_dr6 = (uint32_t)HYPERVISOR_get_debugreg(6);
    }
    r->eflags &= ~F_TF;
}

static uint32_t eflags_now(void)
{
    uint32_t f;

    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

static void test_hypercall_with(const char *what, uint32_t set, long version)
{
    nr_steps = 0;
    step_eip = 0;
    hf_result = 0xdeadbeef;
    TEST_EQ(HYPERVISOR_set_debugreg(6, 0), 0);
    hf_call(set);
    TEST_CHECK((long)hf_result == version, "%s: xen_version gave %#x, expected %#lx", what,
               hf_result, version);
    /* IOPL and IF as the guest always has them; the flags it set are its own business. */
    TEST_CHECK((hf_flags_after & (F_IOPL | F_IF)) == F_IF, "%s: eflags %#x after the hypercall",
               what, hf_flags_after);
    TEST_CHECK((eflags_now() & (F_TF | F_NT | F_AC)) == 0, "%s: flags left set: %#x", what,
               eflags_now());
    if (set & F_TF) {
        /* After the int $0x82 returns: somewhere from its next instruction to the cleanup. */
        TEST_CHECK(nr_steps >= 1, "%s: no single-step trap", what);
        TEST_CHECK(nr_steps == 0 ||
                       (step_cs == FLAT_KERNEL_CS && step_eip >= (uintptr_t)hf_call_n &&
                        step_eip <= (uintptr_t)hf_call_e),
                   "%s: single step at %04x:%08x, expected %p-%p", what, step_cs, step_eip,
                   hf_call_n, hf_call_e);
        TEST_CHECK(nr_steps == 0 || (step_dr6 & (1u << 14)),
                   "%s: DR6 reads %#x at the single step, BS clear", what, step_dr6);
    } else {
        TEST_CHECK(nr_steps == 0, "%s: %u debug traps without TF", what, nr_steps);
    }
}

static void test_hypercalls(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    static const struct {
        const char *what;
        uint32_t set;
    } cases[] = {
        {"TF", F_TF},
        {"NT", F_NT},
        {"AC", F_AC},
        {"TF|NT|AC", F_TF | F_NT | F_AC},
        {"NT|AC", F_NT | F_AC},
    };

    TEST_ASSERT(version >= 0x30000);
    trap_set(1, TRAP_DPL(0), on_debug);
    TEST_EQ(traps_load(), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        test_hypercall_with(cases[i].what, cases[i].set, version);
    }
    trap_set(1, TRAP_DPL(0), NULL);
    TEST_EQ(traps_load(), 0);
    /* Everything still works with the flags clear. */
    TEST_EQ(HYPERVISOR_xen_version(XENVER_version, NULL), version);
    TEST_EQ(eflags_now() & (F_TF | F_NT | F_AC | F_IOPL), 0);
}

/* popf in ring 1 with IOPL 0 cannot raise IOPL nor clear IF, nor mask events. */
static void test_popf(void)
{
    unsigned int mask = events_mask_get();
    uint32_t after;

    __asm__ volatile("pushfl\n"
                     "orl $0x3000, (%%esp)\n"
                     "andl $~0x200, (%%esp)\n"
                     "popfl\n"
                     "pushfl\n"
                     "popl %0"
                     : "=r"(after)
                     :
                     : "cc");
    TEST_CHECK((after & F_IOPL) == 0, "popf raised IOPL: eflags %#x", after);
    TEST_CHECK(after & F_IF, "popf cleared IF: eflags %#x", after);
    TEST_EQ(events_mask_get(), mask);
    TEST_ASSERT(HYPERVISOR_xen_version(XENVER_version, NULL) >= 0x30000);
}

/* HYPERVISOR_iret with IOPL 3, VM and NT in the frame: all cleared, IF forced on. */
static void iret_with(const char *what, uint32_t cs, uint32_t flags)
{
    unsigned int mask = events_mask_get();
    /* IF in the frame is the event mask to restore: keep the one we have. */
    uint32_t eflags = (flags & ~F_IF) | (mask ? 0 : F_IF) | 2;

    hf_land_flags = 0xffffffff;
    hf_land_cs = 0;
    hf_land_eax = 0;
    if (ctx_save(&hf_ctx) == 0) {
        hypercall_iret(0x1234abcd, (uintptr_t)hf_land, cs, eflags, 0, 0);
    }
    /* A frame with VM set would have sent us on in virtual-8086 mode, never back here. */
    TEST_CHECK(hf_land_cs == FLAT_KERNEL_CS, "%s: landed with cs %#x", what, hf_land_cs);
    TEST_EQ(hf_land_eax, 0x1234abcd);
    TEST_CHECK((hf_land_flags & (F_IOPL | F_NT | F_VM)) == 0, "%s: landed with eflags %#x", what,
               hf_land_flags);
    TEST_CHECK(hf_land_flags & F_IF, "%s: landed with IF clear: %#x", what, hf_land_flags);
    TEST_EQ(events_mask_get(), mask);
    TEST_EQ(eflags_now() & (F_IOPL | F_NT), 0);
}

static void test_iret(void)
{
    iret_with("IOPL 3", FLAT_KERNEL_CS, F_IOPL);
    iret_with("NT", FLAT_KERNEL_CS, F_NT);
    iret_with("VM", FLAT_KERNEL_CS, F_VM);
    iret_with("IOPL 3, VM, NT", FLAT_KERNEL_CS, F_IOPL | F_VM | F_NT);
    iret_with("IOPL 3, VM, NT, IF clear, AC", FLAT_KERNEL_CS, F_IOPL | F_VM | F_NT | F_AC);
    /* An RPL-0 code selector is returned to ring 1, never ring 0. */
    iret_with("RPL 0, IOPL 3, VM, NT", FLAT_KERNEL_CS & ~3u, F_IOPL | F_VM | F_NT);
    TEST_ASSERT(HYPERVISOR_xen_version(XENVER_version, NULL) >= 0x30000);
}

static uint8_t df_pages[3][4096] PAGE_ALIGNED;

/*
 * DF set across a hypercall whose monitor side clears and copies whole frames: the monitor
 * must clear DF for itself, or its string instructions would run backwards over whatever
 * lies below its mapping of the frame.
 */
static void test_direction_flag(void)
{
    struct mmuext_op op = {.cmd = MMUEXT_CLEAR_PAGE};
    long rc;

    memset(df_pages, 0x55, sizeof(df_pages));
    memset(df_pages[1], 0xAA, sizeof(df_pages[1]));
    op.arg1.mfn = va_to_mfn(df_pages[1]);
    __asm__ volatile("std\n\t" HYPERCALL_STUB "\n\tcld"
                     : "=a"(rc)
                     : [off] "i"(__HYPERVISOR_mmuext_op * 32), "b"(&op), "c"(1), "d"(0),
                       "S"(DOMID_SELF)
                     : "memory", "cc");
    TEST_EQ(rc, 0);
    for (unsigned int i = 0; i < sizeof(df_pages[1]); i++) {
        if (df_pages[0][i] != 0x55 || df_pages[1][i] != 0 || df_pages[2][i] != 0x55) {
            TEST_CHECK(false, "DF: byte %u of the pages around the cleared one is wrong", i);
            break;
        }
    }
}

int guest_main(void)
{
    test_direction_flag();
    test_hypercalls();
    test_popf();
    test_iret();
    test_finish();
}
