/* The "stray" program: frees a heap page with brk and touches it again, which must end it. */
#include "usys.h"

void user_stray(void)
{
    uint32_t heap = ubrk(0);
    volatile uint32_t *w = (volatile uint32_t *)(uintptr_t)heap;

    if (ubrk(heap + 4096) != heap + 4096) {
        uputs("brk refused one page\n");
        uexit(1);
    }
    *w = 0x5a5a5a5a;
    ubrk(heap);
    uputs_hex("gave my heap page back; touching it again at ", heap);
    *w = 1;
    uputs("still alive: the page freed with brk is still mapped\n");
    uexit(2);
}
