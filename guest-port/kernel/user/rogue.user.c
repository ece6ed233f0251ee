/* The "rogue" program: reads kernel memory from ring 3, which must end it. */
#include "usys.h"

extern char hypercall_page[];

void user_rogue(void)
{
    volatile uint32_t *kernel = (volatile uint32_t *)hypercall_page;

    uputs_hex("reading kernel memory at ", (uint32_t)(uintptr_t)kernel);
    uputs_hex("read ", *kernel);
    uputs("still alive: the kernel's pages are not protected\n");
    uexit(2);
}
