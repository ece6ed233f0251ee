/*
 * Trap and interrupt entry stubs, generated for all 256 vectors.  Each builds a struct
 * cpu_regs (arch/x86/traps.h) and calls trap_dispatch(regs).
 */
#include "arch/x86/layout.h"
#include "arch/x86/segments.h"

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

trap_common:
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
    movl    %esp, %eax
    pushl   %eax
    call    trap_dispatch
    addl    $4, %esp
    popl    %ebx
    popl    %ecx
    popl    %edx
    popl    %esi
    popl    %edi
    popl    %ebp
    popl    %eax
    popl    %ds
    popl    %es
    popl    %fs
    popl    %gs
    addl    $8, %esp            /* vector, error code */
    iret

/* The double-fault task: runs on its own stack with the monitor's tables; never returns. */
    .globl double_fault_task
double_fault_task:
    cli
    call    double_fault_report
1:  hlt
    jmp     1b
