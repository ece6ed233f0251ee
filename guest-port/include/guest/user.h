/* Ring-3 code inside a guest image: the user region and sessions that run it. */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include "guest/traps.h"

/*
 * guest.ld gathers into one page-aligned region [__user_start, __user_end): every section
 * of an object whose name ends in ".user.o", and the sections named below.  Nothing else
 * in the image is user-accessible.  Code placed there must not call code outside it.
 */
#define USER_TEXT   __attribute__((section(".user.text"), noinline))
#define USER_DATA   __attribute__((section(".user.data")))
#define USER_BSS    __attribute__((section(".bss.user")))
#define USER_RODATA __attribute__((section(".user.rodata")))
extern char __user_start[], __user_end[];

/* True when [p, p + len) lies inside the user region (len 0 included). */
bool user_range_ok(uint32_t p, uint32_t len);

/*
 * Makes every page of the user region user-accessible (sets _PAGE_USER in its L1 entry
 * with update_va_mapping).  Returns 0 or the first failing hypercall's errno.
 */
int user_region_enable(void);

/*
 * Runs ring-3 code at eip with stack esp until a handler calls user_leave(); returns the
 * registers that handler passed (the ring-3 state at that trap).  Before entering it
 * points the monitor's ring-3 -> ring-1 stack (stack_switch) at the runtime's user kernel
 * stack, so traps from ring 3 land there; it enters ring 3 with HYPERVISOR_iret, with
 * EFLAGS.IF set only when events_usable.  Returns 0, or the stack_switch error.
 */
int user_run(uint32_t eip, uint32_t esp, uint32_t eax, struct guest_regs *exit_regs);

/* Ends the user_run() in progress: copies *regs for it and resumes it.  From a trap only. */
NORETURN void user_leave(const struct guest_regs *regs);

/* True between user_run() entering ring 3 and user_leave(). */
bool user_active(void);

/* The top of the kernel stack traps from ring 3 land on (what stack_switch was given). */
uint32_t user_kstack_top(void);

#endif
