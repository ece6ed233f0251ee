/* The "hog" program: fills its whole heap, checks it, gives half of it back and exits. */
#include "usys.h"

#define HOG_PAGES ((USER_HEAP_END - USER_HEAP_BASE) / 4096)

static volatile uint32_t *word_of(uint32_t base, uint32_t i)
{
    return (volatile uint32_t *)(uintptr_t)(base + i * 4096 + (i % 1024) * 4);
}

/* True when pages [0, n) still hold what fill() wrote. */
static int check(uint32_t base, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (*word_of(base, i) != 0x40600000 + i) {
            uputs_hex("a page lost its value: page at ", base + i * 4096);
            return 0;
        }
    }
    return 1;
}

void user_hog(void)
{
    uint32_t base = ubrk(0), half = base + HOG_PAGES / 2 * 4096;

    if (ubrk(base + HOG_PAGES * 4096) != base + HOG_PAGES * 4096) {
        uputs("brk refused the heap\n");
        uexit(1);
    }
    for (uint32_t i = 0; i < HOG_PAGES; i++) {
        *word_of(base, i) = 0x40600000 + i;
    }
    if (!check(base, HOG_PAGES)) {
        uexit(1);
    }
    uputs_dec("pages written and read back: ", HOG_PAGES);
    if (ubrk(half) != half || !check(base, HOG_PAGES / 2)) {
        uexit(1);
    }
    uputs_dec("pages given back with brk, the others still hold their values: ", HOG_PAGES / 2);
    if (ubrk(USER_HEAP_END + 4096) != half) {
        uputs("a break past the end of the heap was not refused\n");
        uexit(1);
    }
    uputs("a break past the end of the heap is refused\n");
    uexit(0);
}
