/*
 * "ping" and "pong": the same heap address in two processes.  ping writes its value and
 * yields; pong, running next, must find a fresh zeroed page there, writes its own value
 * and yields; ping must then still read its own value.
 */
#include "usys.h"

#define PING_VALUE 0x9199aaaau
#define PONG_VALUE 0x9099bbbbu

/* The first page of the heap, mapped on first touch. */
static volatile uint32_t *first_heap_word(void)
{
    uint32_t heap = ubrk(0);

    if (ubrk(heap + 4096) != heap + 4096) {
        uputs("brk refused one page\n");
        uexit(1);
    }
    return (volatile uint32_t *)(uintptr_t)heap;
}

void user_ping(void)
{
    volatile uint32_t *w = first_heap_word();

    *w = PING_VALUE;
    uputs_hex("wrote my value at ", (uint32_t)(uintptr_t)w);
    uyield();
    if (*w != PING_VALUE) {
        uputs_hex("my value was overwritten with ", *w);
        uexit(1);
    }
    uputs_hex("after pong ran, my page still holds my value ", *w);
    uexit(0);
}

void user_pong(void)
{
    volatile uint32_t *w = first_heap_word();
    uint32_t seen = *w;

    if (seen != 0) {
        uputs_hex("the same address holds another process's value: ", seen);
        uexit(1);
    }
    uputs_hex("the same address holds 0 here; writing my value at ", (uint32_t)(uintptr_t)w);
    *w = PONG_VALUE;
    uyield();
    if (*w != PONG_VALUE) {
        uputs_hex("my value was overwritten with ", *w);
        uexit(1);
    }
    uputs_hex("after ping ran, my page still holds my value ", *w);
    uexit(0);
}
