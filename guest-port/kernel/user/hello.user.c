/* The "hello" program: prints from ring 3, asks its pid, touches a demand page and exits. */
#include "usys.h"

static uint16_t read_cs(void)
{
    uint16_t cs;

    __asm__ volatile("movw %%cs, %0" : "=r"(cs));
    return cs;
}

void user_hello(void)
{
    volatile uint32_t *page = (volatile uint32_t *)(user_demand_area + 4096);

    uputs_hex("hello from ring 3, cs = ", read_cs());
    uputs_dec("my pid is ", ugetpid());
    uputs_hex("touching the unmapped page at ", (uint32_t)(uintptr_t)page);
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
