/* Trap entry stubs, the event and failsafe callbacks, HYPERVISOR_iret, ctx_save/restore. */
#include "guest/xen.h"

/*
 * 256 stubs of 16 bytes each, stub v at trap_stubs + 16 * v.  The monitor's bounce frame
 * has an error code only for vectors 8, 10-14 and 17; the others get a zero so that every
 * frame has the struct guest_regs layout (traps.h).
 */
    .text
    .balign 16
    .globl trap_stubs
trap_stubs:
vector = 0
.rept 256
771:
.if !(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17)
    pushl $0
.endif
    pushl $vector
    jmp trap_common
    .org 771b + 16      /* an error if a stub grows past 16 bytes */
vector = vector + 1
.endr

/*
 * Saves the general and data segment registers under the frame, loads the kernel's data
 * segments, calls guest_trap(regs) and returns with a real iret: the CPU allows iret from
 * ring 1 to ring 1 and to ring 3.  The event mask that the monitor keeps in the upper half
 * of the CS slot is cleared first; guest_trap() restores the mask itself where a vector
 * asked the monitor to set it.
 */
trap_common:
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $FLAT_KERNEL_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    pushl %esp
    call guest_trap
    addl $4, %esp
    .globl trap_return
trap_return:
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    andl $0xffff, 4(%esp)
    iret

/*
 * The event callback.  The frame is an exception frame without an error code; the monitor
 * masked events on delivery (the frame's saved mask, in the upper half of the CS slot, is
 * 0).  After the demultiplexer has run, the return is a direct iret that unmasks events
 * itself: the registers are restored first, then the mask is cleared and the pending flag
 * looked at once more.  With something pending we mask again and go round; otherwise the
 * iret returns.  An event can still arrive between clearing the mask and the iret (the
 * monitor looks on every exit, an interrupt's too): its frame then lies just below ours,
 * with every register already restored to the interrupted values, so the entry drops the
 * new frame and handles the event on the old one.  The stack never grows with the number
 * of events, and none waits for the next exit.  vCPU 0's flags are bytes 0 (pending) and
 * 1 (mask) of the shared info page (asserted in events.c).
 */
    .globl event_callback_entry
event_callback_entry:
    cmpl $event_exit_start, (%esp)
    jb 1f
    cmpl $event_exit_end, (%esp)
    jae 1f
    addl $12, %esp          /* [eip, cs, eflags] of the interruption inside the exit */
1:
event_enter:
    pushl $0
    pushl $256
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $FLAT_KERNEL_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    pushl %esp
    call guest_event
    addl $4, %esp
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    andl $0xffff, 4(%esp)
event_exit_start:
    movb $0, shared_info_window + 1
    testb $0xff, shared_info_window
    jnz 2f
    iret
2:  movb $1, shared_info_window + 1
    jmp event_enter
event_exit_end:

/*
 * The failsafe callback: the monitor could not reload a segment register or return to
 * us.  The frame is [ds, es, fs, gs, eip, cs, eflags, (esp, ss)]; the data segments may
 * be unusable, so reload them before any C code.
 */
    .globl failsafe_callback_entry
failsafe_callback_entry:
    movl $FLAT_KERNEL_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    movl %esp, %eax
    pushl %eax
    call guest_failsafe
    ud2

/* hypercall_iret(eax, eip, cs, eflags, esp, ss): the arguments are the iret frame. */
    .globl hypercall_iret
    .type hypercall_iret, @function
hypercall_iret:
    addl $4, %esp
    popl %eax
    jmp hypercall_page + __HYPERVISOR_iret * 32
    .size hypercall_iret, . - hypercall_iret

/* int ctx_save(struct jmpctx *): 0 now, the value given to ctx_restore() later. */
    .globl ctx_save
    .type ctx_save, @function
ctx_save:
    movl 4(%esp), %eax
    movl %ebx, 0(%eax)
    movl %esi, 4(%eax)
    movl %edi, 8(%eax)
    movl %ebp, 12(%eax)
    leal 4(%esp), %ecx
    movl %ecx, 16(%eax)
    movl (%esp), %ecx
    movl %ecx, 20(%eax)
    xorl %eax, %eax
    ret
    .size ctx_save, . - ctx_save

/* void ctx_restore(const struct jmpctx *, int value): resumes ctx_save()'s caller. */
    .globl ctx_restore
    .type ctx_restore, @function
ctx_restore:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    movl 0(%edx), %ebx
    movl 4(%edx), %esi
    movl 8(%edx), %edi
    movl 12(%edx), %ebp
    movl 16(%edx), %esp
    jmp *20(%edx)
    .size ctx_restore, . - ctx_restore
