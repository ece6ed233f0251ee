/*
 * The one fault-safe copy between monitor and guest memory.  A fault inside `rep movsb`
 * resumes at the fixup (ex_table), which returns how many bytes were not copied.
 */
    .text
    .globl copy_bytes_fault_safe
    /* size_t copy_bytes_fault_safe(void *dst, const void *src, size_t n) */
copy_bytes_fault_safe:
    pushl   %esi
    pushl   %edi
    movl    12(%esp), %edi
    movl    16(%esp), %esi
    movl    20(%esp), %ecx
    cld
1:  rep movsb
2:  movl    %ecx, %eax
    popl    %edi
    popl    %esi
    ret

    .section ex_table, "a"
    .align 4
    .long   1b, 2b
