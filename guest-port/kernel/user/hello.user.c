/* The "hello" program: prints from ring 3, asks its pid, touches a heap page and exits. */
#include "usys.h"

static uint16_t read_cs(void)
{
    uint16_t cs;

    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    return cs;
}

void user_hello(void)
{
    uint32_t heap = ubrk(0);
    volatile uint32_t *page = (volatile uint32_t *)(uintptr_t)heap;

    uputs_hex("hello from ring 3, cs = ", read_cs());
    uputs_dec("my pid is ", ugetpid());
    if (ubrk(heap + 4096) != heap + 4096) {
        uputs("brk refused one page\n");
        uexit(1);
    }
    uputs_hex("touching my first heap page at ", heap);
    page[0] = 0x600dcafe;
    page[1] = page[0] ^ 0xffffffff;
    if (page[0] == 0x600dcafe && page[1] == 0x9ff23501) {
        uputs("the page is there now and holds what I wrote\n");
    } else {
        uputs("the page does not hold what I wrote\n");
        uexit(1);
    }
    uexit(0);
}
