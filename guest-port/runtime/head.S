/* Guest image entry point, the Xen ELF notes that describe the image, and the hypercall page. */
#include "guest/xen.h"
#include <xen/elfnote.h>

/*
 * One Xen note: name "Xen" (NUL included, padded to 4), then the descriptor, padded to 4:
 * a NUL-terminated string (xen_note_str) or a 32-bit number (xen_note_num).
 */
.macro xen_note_head type:req
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 772f - 771f
    .long \type
    .asciz "Xen"
    .balign 4
771:
.endm

.macro xen_note_tail
772:
    .balign 4
    .popsection
.endm

.macro xen_note_str type:req, value:req
    xen_note_head \type
    .asciz "\value"
    xen_note_tail
.endm

.macro xen_note_num type:req, value:req
    xen_note_head \type
    .long \value
    xen_note_tail
.endm

    xen_note_str XEN_ELFNOTE_GUEST_OS, "Ringvisor-mini"
    xen_note_str XEN_ELFNOTE_GUEST_VERSION, "0.1"
    xen_note_str XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
    xen_note_str XEN_ELFNOTE_LOADER, "generic"
    xen_note_str XEN_ELFNOTE_PAE_MODE, "yes"
    /*
     * The loader puts a segment at p_paddr + VIRT_BASE - PADDR_OFFSET.  guest.ld sets
     * p_paddr = p_vaddr - VIRT_BASE, so PADDR_OFFSET is 0, given explicitly because a
     * loader that reads only the legacy rules would default it to VIRT_BASE.
     */
    xen_note_num XEN_ELFNOTE_VIRT_BASE, 0xC0000000
    xen_note_num XEN_ELFNOTE_PADDR_OFFSET, 0
    xen_note_num XEN_ELFNOTE_ENTRY, _start
    xen_note_num XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
    /*
     * The guest lets its page-table frames sit anywhere in machine memory (its L3 is
     * reached through the extended-CR3 fold).  It claims nothing else: it maps its
     * descriptor and page-table pages read-only and updates them by hypercall.
     */
    xen_note_str XEN_ELFNOTE_FEATURES, "pae_pgdir_above_4gb"

/*
 * The hypercall page: one page-aligned page of the image that the monitor overwrites with
 * its 32-byte stubs before the guest starts.  int3 filler until then.
 */
    .section .text.hypercall_page, "ax", @progbits
    .balign 4096
    .globl hypercall_page
    .type hypercall_page, @object
hypercall_page:
    .fill 4096, 1, 0xcc
    .size hypercall_page, 4096

/*
 * Entry: ESI = virtual address of start_info; ESP = the monitor's boot stack, which we
 * leave for a stack in our own .bss; CS = FLAT_RING1_CS, the data segments FLAT_RING1_DS.
 */
    .section .text.head, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /*
     * The TSC at the first instruction, before anything else runs: under QEMU's -icount
     * it counts the instructions since power-on (make bench reports it).
     */
    rdtsc
    movl %eax, guest_entry_tsc
    movl %edx, guest_entry_tsc + 4
    cld
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    pushl %esi
    call guest_start
    ud2
    .size _start, . - _start

    /* In .data, so that nothing that clears .bss can clear it after entry. */
    .data
    .balign 8
    .globl guest_entry_tsc
    .type guest_entry_tsc, @object
guest_entry_tsc:
    .quad 0
    .size guest_entry_tsc, 8

    .section .bss.stack, "aw", @nobits
    .balign 16
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:
