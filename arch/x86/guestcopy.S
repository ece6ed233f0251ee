/*
 * The one fault-safe copy between monitor and guest memory: whole 32-bit words with
 * `rep movsl`, then the last bytes with `rep movsb`.  A fault inside either resumes at its
 * fixup (ex_table), which returns how many bytes were not copied (counting the word that
 * faulted as not copied).
 */
    .text
    .globl copy_bytes_fault_safe
    /* size_t copy_bytes_fault_safe(void *dst, const void *src, size_t n) */
copy_bytes_fault_safe:
    pushl   %esi
    pushl   %edi
    movl    12(%esp), %edi
    movl    16(%esp), %esi
    movl    20(%esp), %edx
    movl    %edx, %ecx
    shrl    $2, %ecx
    andl    $3, %edx
    cld
1:  rep movsl
    movl    %edx, %ecx
2:  rep movsb
3:  movl    %ecx, %eax
    popl    %edi
    popl    %esi
    ret
    /* A fault among the words: the words left, and the bytes after them. */
4:  leal    (%edx, %ecx, 4), %ecx
    jmp     3b

    .section ex_table, "a"
    .align 4
    .long   1b, 4b
    .long   2b, 3b
