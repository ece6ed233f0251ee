/*
 * Entry from a Multiboot 1 or 2 loader (QEMU -kernel, GRUB on BIOS or UEFI).
 *
 * Runs at its load address with paging off, sets a known CPU state (UEFI hand-overs leave
 * CR0/CR4 in unusual states), turns on PAE paging (and NX when present) with a temporary
 * 4 MiB identity map plus the same 4 MiB at MONITOR_VIRT, switches to the high addresses
 * and calls start_monitor(magic, info) on the boot CPU's stack.  paging_init() later
 * replaces these tables and drops the identity map.
 */
#include "arch/x86/layout.h"

#define PA(x)           ((x) - MONITOR_VIRT)

#define MB1_MAGIC       0x1BADB002
#define MB1_FLAGS       0x00000003      /* page-aligned modules, memory information */
#define MB2_MAGIC       0xE85250D6

#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                             /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    /* information request (optional tags): everything start_monitor understands */
    .align 8
1:  .short 1, 1
    .long 2f - 1b
    .long 1, 2, 3, 4, 6, 8, 14, 15, 17
2:  .align 8
    /* console flags: EGA text is supported (the loader may still hand over a framebuffer) */
1:  .short 4, 1
    .long 2f - 1b
    .long 2
2:  .align 8
    /* framebuffer, optional, no preference: lets GRUB on UEFI hand over its GOP mode */
1:  .short 5, 1
    .long 2f - 1b
    .long 0, 0, 32
2:  .align 8
    /* modules page aligned */
1:  .short 6, 0
    .long 2f - 1b
2:  .align 8
    /* end */
    .short 0, 0
    .long 8
mb2_header_end:

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    movl    %eax, %edi                  /* loader magic */
    movl    %ebx, %esi                  /* physical address of the boot information */

    /* Known CR0: protection on, paging/caches/WP off until the page tables are up. */
    movl    $0x00000031, %eax           /* PE | ET | NE */
    movl    %eax, %cr0
    xorl    %eax, %eax
    movl    %eax, %cr4

    lgdt    PA(boot_gdt_ptr)
    ljmp    $0x08, $PA(1f)
1:  movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    %ax, %fs
    movw    %ax, %gs
    movl    $PA(boot_cpu_stack + STACK_SIZE), %esp
    pushl   $0
    popfl

    /* PAE is required (CPUID.1:EDX bit 6). */
    movl    $1, %eax
    cpuid
    testl   $(1 << 6), %edx
    jz      no_pae

    /* Clear the BSS (it holds the boot page tables and the boot stack). */
    movl    $PA(__bss_start), %edx
    movl    $PA(__bss_end), %ecx
2:  cmpl    %ecx, %edx
    jae     3f
    movl    $0, (%edx)
    addl    $4, %edx
    jmp     2b
3:  movl    $PA(boot_cpu_stack + STACK_SIZE), %esp

    /* 2 MiB pages: [0, 4 MiB) at 0 and at MONITOR_VIRT. */
    movl    $(0x000000 | PTE_PS | PTE_RW | PTE_P), PA(boot_l2_low) + 0
    movl    $(0x200000 | PTE_PS | PTE_RW | PTE_P), PA(boot_l2_low) + 8
    movl    $(0x000000 | PTE_PS | PTE_RW | PTE_P), PA(boot_l2_high) + ((MONITOR_VIRT - 0xC0000000) >> 21) * 8
    movl    $(0x200000 | PTE_PS | PTE_RW | PTE_P), PA(boot_l2_high) + ((MONITOR_VIRT - 0xC0000000) >> 21) * 8 + 8
    movl    $(PA(boot_l2_low) + PTE_P), PA(boot_l3) + 0
    movl    $(PA(boot_l2_high) + PTE_P), PA(boot_l3) + 24

    movl    $0x20, %eax                 /* CR4.PAE */
    movl    %eax, %cr4

    /* NX if the CPU has it (CPUID 0x80000001:EDX bit 20). */
    movl    $0x80000000, %eax
    cpuid
    cmpl    $0x80000001, %eax
    jb      4f
    movl    $0x80000001, %eax
    cpuid
    testl   $(1 << 20), %edx
    jz      4f
    movl    $0xC0000080, %ecx
    rdmsr
    orl     $(1 << 11), %eax
    wrmsr
4:
    movl    $PA(boot_l3), %eax
    movl    %eax, %cr3
    movl    %cr0, %eax
    orl     $0x80010000, %eax           /* PG | WP */
    movl    %eax, %cr0

    movl    $high_entry, %eax
    jmp     *%eax

no_pae:
    /* No console yet: say it on COM1 and the VGA text screen, then stop. */
    movl    $PA(no_pae_msg), %ebx
    movl    $0xB8000, %ecx
5:  movb    (%ebx), %al
    testb   %al, %al
    jz      6f
    movb    %al, (%ecx)
    movb    $0x4F, 1(%ecx)
    addl    $2, %ecx
    movw    $0x3F8, %dx
    outb    %al, %dx
    incl    %ebx
    jmp     5b
6:  hlt
    jmp     6b

    .text
high_entry:
    movl    $(boot_cpu_stack + STACK_SIZE - CPU_INFO_SIZE), %esp
    xorl    %ebp, %ebp
    pushl   %esi
    pushl   %edi
    call    start_monitor
7:  cli
    hlt
    jmp     7b

    .section .rodata
no_pae_msg:
    .asciz  "Ringvisor: this CPU has no PAE; cannot boot."

    .align 8
boot_gdt:
    .quad   0
    .quad   0x00CF9A000000FFFF          /* 0x08: flat 32-bit code */
    .quad   0x00CF92000000FFFF          /* 0x10: flat 32-bit data */
boot_gdt_end:
boot_gdt_ptr:
    .short  boot_gdt_end - boot_gdt - 1
    .long   PA(boot_gdt)

    .section .bss.page_aligned, "aw", @nobits
    .align  4096
    .globl  boot_l2_low, boot_l2_high, boot_l3
boot_l2_low:
    .skip   4096
boot_l2_high:
    .skip   4096
boot_l3:
    .skip   32
    .align  STACK_SIZE
    .globl  boot_cpu_stack
boot_cpu_stack:
    .skip   STACK_SIZE
