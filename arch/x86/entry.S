/*
 * Trap and interrupt entry stubs, generated for all 256 vectors.  Each builds a struct
 * cpu_regs (arch/x86/traps.h) and calls trap_dispatch(regs).  The hypercall gate (0x82,
 * reachable from ring 1 only) has an entry of its own, hypercall_gate, which goes straight
 * to hypercall_entry(regs) in kernel/hypercall.c.
 */
#include "arch/x86/layout.h"
#include "arch/x86/segments.h"

/* struct cpu_regs (arch/x86/traps.h, which asserts both): its size and where CS lies. */
#define CPU_REGS_SIZE 72
#define CPU_REGS_CS   56

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .align 16
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if HAS_ERRCODE(vec)
    nop; nop
    .else
    pushl   $0
    .endif
    pushl   $vec
    jmp     trap_common
    .set vec, vec + 1
    .endr

/* The rest of struct cpu_regs, then the monitor's data segments. */
.macro save_frame
    pushl   %gs
    pushl   %fs
    pushl   %es
    pushl   %ds
    pushl   %eax
    pushl   %ebp
    pushl   %edi
    pushl   %esi
    pushl   %edx
    pushl   %ecx
    pushl   %ebx
    movl    $MONITOR_DS, %eax
    movl    %eax, %ds
    movl    %eax, %es
    cld
.endm

/* The hypercall gate (vector 0x82, VECTOR_HYPERCALL) enters here, not through its stub. */
    .globl hypercall_gate
hypercall_gate:
    pushl   $0
    pushl   $0x82
    save_frame
    pushl   %esp
    call    hypercall_entry
    addl    $4, %esp
    jmp     trap_return

trap_common:
    save_frame
    pushl   %esp
    call    trap_dispatch
    addl    $4, %esp
    .globl trap_return
trap_return:
    /* Back to a guest: deliver its pending event first (arch/x86/vcpu.c). */
    testb   $3, CPU_REGS_CS(%esp)
    jz      6f
    call    guest_exit_events
6:  popl    %ebx
    popl    %ecx
    popl    %edx
    popl    %esi
    popl    %edi
    popl    %ebp
    popl    %eax
    /* Reloading a guest's segments or its iret may fault: see the fixups below. */
1:  popl    %ds
2:  popl    %es
3:  popl    %fs
4:  popl    %gs
    addl    $8, %esp            /* vector, error code */
5:  iret

/* A guest segment that no longer loads: back to the frame's start, then the C handler. */
seg_fault_ds: subl $28, %esp; jmp seg_fault_common
seg_fault_es: subl $32, %esp; jmp seg_fault_common
seg_fault_fs: subl $36, %esp; jmp seg_fault_common
seg_fault_gs: subl $40, %esp; jmp seg_fault_common
seg_fault_common:
    movl    $MONITOR_DS, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %esp, %eax
    pushl   %eax
    call    guest_exit_fault
    addl    $4, %esp
    jmp     trap_return
iret_fault:
    subl    $52, %esp
    jmp     seg_fault_common

    .section ex_table, "a"
    .align 4
    .long   1b, seg_fault_ds
    .long   2b, seg_fault_es
    .long   3b, seg_fault_fs
    .long   4b, seg_fault_gs
    .long   5b, iret_fault
    .text

/* sched_idle_loop(): restart this CPU's stack just below the guest frame, run the idle loop. */
    .globl sched_idle_loop
sched_idle_loop:
    movl    %esp, %eax
    andl    $~(STACK_SIZE - 1), %eax
    addl    $(STACK_SIZE - CPU_INFO_SIZE - CPU_REGS_SIZE - 64), %eax
    movl    %eax, %esp
    xorl    %ebp, %ebp
    call    idle_loop_body
1:  hlt
    jmp     1b

/* The double-fault task: runs on its own stack with the monitor's tables; never returns. */
    .globl double_fault_task
double_fault_task:
    cli
    call    double_fault_report
1:  hlt
    jmp     1b
