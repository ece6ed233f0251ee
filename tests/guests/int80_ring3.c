/* Test guest: int $0x80 from ring 3 to the ring-1 kernel through a DPL-3 trap-table entry. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"
#include "guest/user.h"

TEST_NAME("int80_ring3");

/*
 * Ring-3 code.  System call 1 returns EBX + 1; system call 2 ends the run.  u_esp
 * receives the user ESP right before the int instruction whose frame is checked.
 */
USER_DATA uint32_t u_esp;
USER_BSS uint8_t u_stack[4096] __attribute__((aligned(4096)));
__asm__(".section .user.text, \"ax\"\n"
        "u_syscall:      movl $1, %eax\n"
        "                movl $41, %ebx\n"
        "                movl %esp, u_esp\n"
        "u_syscall_insn: int $0x80\n"
        "u_syscall_next: movl %eax, %ebx\n"
        "                movl $2, %eax\n"
        "                int $0x80\n"
        "                jmp .\n"
        "u_int80:        movl $2, %eax\n"
        "                movl %esp, u_esp\n"
        "u_int80_insn:   int $0x80\n"
        "                jmp .\n"
        "u_int81:        int $0x81\n"
        "                jmp .\n"
        "u_int3:         int3\n"
        "u_int3_next:    jmp .\n"
        "u_cli:          cli\n"
        "                jmp .\n"
        "u_kread:        movl hypercall_page, %eax\n"
        "                jmp .\n"
        ".text\n");
extern char u_syscall[], u_syscall_insn[], u_syscall_next[], u_int80[], u_int80_insn[], u_int81[],
    u_int3[], u_int3_next[], u_cli[], u_kread[];

static struct guest_regs first_call;
static uintptr_t first_call_frame;
static unsigned int calls;

static void sys_handler(struct guest_regs *r)
{
    if (r->eax != 1) {
        user_leave(r);
    }
    if (calls++ == 0) {
        first_call = *r;
        first_call_frame = (uintptr_t)r;
    }
    r->eax = r->ebx + 1;
}

static bool run(char *entry, struct guest_regs *exit_regs)
{
    uint32_t top = (uint32_t)(uintptr_t)(u_stack + sizeof(u_stack));

    return TEST_EQ(user_run((uint32_t)(uintptr_t)entry, top, 0, exit_regs), 0);
}

static void load_int80(unsigned int dpl, bool present)
{
    if (present) {
        trap_set(0x80, TRAP_DPL(dpl), sys_handler);
    } else {
        trap_clear(0x80);
    }
    TEST_EQ(traps_load(), 0);
}

/* A call that returns to ring 3, and the frame the kernel got for it. */
static void test_syscall(void)
{
    struct guest_regs r;

    calls = 0;
    load_int80(3, true);
    if (!run(u_syscall, &r)) {
        return;
    }
    TEST_EQ(r.vector, 0x80);
    TEST_EQ(r.eax, 2);
    TEST_EQ(r.ebx, 42);
    TEST_EQ(calls, 1);
    TEST_EQ(first_call.eip, (uintptr_t)u_syscall_next);
    TEST_EQ(first_call.cs & 0xffff, FLAT_USER_CS);
    TEST_EQ(first_call.ss & 0xffff, FLAT_USER_SS);
    TEST_EQ(first_call.esp, u_esp);
    TEST_EQ(first_call.error_code, 0);
    TEST_CHECK(!events_usable || (first_call.eflags & 0x200), "eflags %#x", first_call.eflags);
    /* Ring 3 -> ring 1 lands on the stack given to stack_switch, the frame at its top. */
    TEST_EQ(first_call_frame + sizeof(struct guest_regs), user_kstack_top());
}

/* Without DPL 3 (or without an entry), int $0x80 from ring 3 is a #GP at the instruction. */
static void test_int80_refused(unsigned int dpl, bool present)
{
    struct guest_regs r;

    load_int80(dpl, present);
    if (!run(u_int80, &r)) {
        return;
    }
    TEST_CHECK(r.vector == 13, "dpl %u present %d: vector %u", dpl, present, r.vector);
    TEST_EQ(r.error_code, (0x80 << 3) | 2);
    TEST_EQ(r.eip, (uintptr_t)u_int80_insn);
    TEST_EQ(r.esp, u_esp);
}

static void test_other_traps(void)
{
    struct guest_regs r;

    load_int80(3, true);
    if (run(u_int81, &r)) {
        TEST_EQ(r.vector, 13);
        TEST_EQ(r.error_code, (0x81 << 3) | 2);
        TEST_EQ(r.eip, (uintptr_t)u_int81);
    }
    if (run(u_int3, &r)) {
        TEST_EQ(r.vector, 3);
        TEST_EQ(r.eip, (uintptr_t)u_int3_next);
    }
    if (run(u_cli, &r)) {
        TEST_EQ(r.vector, 13);
        TEST_EQ(r.error_code, 0);
        TEST_EQ(r.eip, (uintptr_t)u_cli);
    }
    if (run(u_kread, &r)) {
        TEST_EQ(r.vector, 14);
        TEST_EQ(r.error_code, 5); /* present, read, user */
        TEST_EQ(trap_cr2(), (uintptr_t)hypercall_page);
        TEST_EQ(r.eip, (uintptr_t)u_kread);
    }
}

int guest_main(void)
{
    if (user_region_enable() != 0) {
        test_error("update_va_mapping could not make the user pages user-accessible");
    }
    test_syscall();
    test_int80_refused(1, true);
    test_int80_refused(0, true);
    test_int80_refused(3, false);
    test_syscall();
    test_other_traps();
    test_finish();
}
