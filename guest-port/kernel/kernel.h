/* The mini guest kernel's internal interfaces: GDT, virtual memory, processes, system calls. */
#ifndef MINI_KERNEL_H
#define MINI_KERNEL_H

#include "guest/traps.h"

#define MINI_KERNEL_VERSION "0.1"

/* System call numbers (int $0x80, number in EAX, arguments in EBX, ECX, EDX). */
#define SYS_exit   1
#define SYS_write  4
#define SYS_getpid 20

/* gdt.c: builds and loads the kernel's own GDT; panics on any error but -ENOSYS. */
void gdt_setup(void);

/*
 * vm.c: makes the user region user-accessible and unmaps its demand area, whose pages the
 * page-fault handler maps on first touch; vm_release() unmaps them again after a process.
 */
void vm_setup(void);
void vm_release(void);
void page_fault_trap(struct guest_regs *regs);

/* proc.c: runs every process in turn, each until it exits or is killed. */
void proc_run_all(void);
const char *proc_current_name(void);
int proc_current_pid(void);
void proc_note_fault(uint32_t addr);

/* syscall.c: the int $0x80 handler, and the per-process output line buffer. */
void syscall_trap(struct guest_regs *regs);
void syscall_flush_output(void);

/* user/: the programs (ring-3 entry points) and the memory they run in. */
void user_hello(void);
void user_rogue(void);
#define USER_STACK_SIZE   (2 * 4096)
#define USER_DEMAND_PAGES 4
extern char user_stack[USER_STACK_SIZE];
extern char user_demand_area[USER_DEMAND_PAGES * 4096];

#endif
