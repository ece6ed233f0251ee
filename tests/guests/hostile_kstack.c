/* Hostile test guest: a ring-1 stack inside the monitor when a trap comes from ring 3. */
#include "guest/hypercall.h"
#include "guest/test.h"
#include "guest/traps.h"
#include "guest/user.h"

TEST_NAME("hostile_kstack");

/*
 * stack_switch may refuse a stack in the monitor's range (then the test passes at once),
 * or accept it as Xen does and find out at the next trap from ring 3: the frame cannot be
 * written there, so the monitor must crash this domain and nothing else.  In that case
 * this guest prints nothing after "entering ring 3": its result is the monitor's crash
 * report.  Coming back from ring 3 at all is a failure.
 */
#define MONITOR_STACK 0xFF001000UL

USER_BSS uint8_t u_stack[4096] __attribute__((aligned(4096)));
__asm__(".section .user.text, \"ax\"\n"
        "u_trap: int $0x80\n"
        "        jmp .\n"
        ".text\n");
extern char u_trap[];

int guest_main(void)
{
    int rc;

    trap_set(0x80, TRAP_DPL(3), NULL);
    if (traps_load() != 0 || user_region_enable() != 0) {
        test_error("could not set up the trap table or the user pages");
    }
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, MONITOR_STACK);
    if (rc != 0) {
        test_note("stack_switch refused the monitor's stack: %d (%s)", rc, errname(rc));
        test_finish();
    }
    test_note("stack_switch accepted %#lx; entering ring 3: the monitor must crash this domain",
              MONITOR_STACK);
    /* user_run() would point the stack back at our own: enter ring 3 by hand. */
    hypercall_iret(0, (uint32_t)(uintptr_t)u_trap, FLAT_USER_CS, 0x002,
                   (uint32_t)(uintptr_t)(u_stack + sizeof(u_stack)), FLAT_USER_SS);
}
