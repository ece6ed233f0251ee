/*
 * memset and memcpy for the monitor: whole 32-bit words with `rep stosl`/`rep movsl`,
 * then the last bytes.  (Clearing a frame is 1024 word stores instead of a byte loop.)
 * The C calling convention: arguments on the stack, EAX returns the destination,
 * EBX/ESI/EDI/EBP preserved.  The direction flag is clear in the monitor.
 */
    .text

    /* void *memset(void *dst, int c, size_t n) */
    .globl memset
    .type memset, @function
memset:
    pushl   %edi
    movl    8(%esp), %edi
    movzbl  12(%esp), %eax
    movl    16(%esp), %edx
    imull   $0x01010101, %eax, %eax
    movl    %edx, %ecx
    shrl    $2, %ecx
    rep stosl
    movl    %edx, %ecx
    andl    $3, %ecx
    rep stosb
    movl    8(%esp), %eax
    popl    %edi
    ret
    .size memset, . - memset

    /* void *memcpy(void *dst, const void *src, size_t n) */
    .globl memcpy
    .type memcpy, @function
memcpy:
    pushl   %esi
    pushl   %edi
    movl    12(%esp), %edi
    movl    16(%esp), %esi
    movl    20(%esp), %edx
    movl    %edx, %ecx
    shrl    $2, %ecx
    rep movsl
    movl    %edx, %ecx
    andl    $3, %ecx
    rep movsb
    movl    12(%esp), %eax
    popl    %edi
    popl    %esi
    ret
    .size memcpy, . - memcpy
