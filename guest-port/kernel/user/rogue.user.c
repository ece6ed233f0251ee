/* The "rogue" program: writes to kernel memory from ring 3, which must end it. */
#include "usys.h"

extern char hypercall_page[];

void user_rogue(void)
{
    volatile uint32_t *kernel = (volatile uint32_t *)hypercall_page;

    uputs_hex("writing kernel memory at ", (uint32_t)(uintptr_t)kernel);
    *kernel = 0xdeadbeef;
    uputs("still alive: the kernel's pages are not protected\n");
    uexit(2);
}
