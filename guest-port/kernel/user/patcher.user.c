/* The "patcher" program: writes to the user code every process shares, which must end it. */
#include "usys.h"

void user_patcher(void)
{
    volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)user_hello;

    uputs_hex("overwriting the shared code of hello at ", (uint32_t)(uintptr_t)code);
    *code = 0xcc;
    uputs("still alive: the shared user code is writable\n");
    uexit(2);
}
