/* Ring-3 helpers shared by the mini kernel's programs: string output without libraries. */
#include "usys.h"

static size_t ustrlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

void uputs(const char *s)
{
    uwrite(s, ustrlen(s));
}

/* Writes s followed by v in hex ("0x...") and a newline, in one system call. */
void uputs_hex(const char *s, uint32_t v)
{
    char buf[96];
    size_t n = 0;

    for (; *s && n < sizeof(buf) - 12; s++) {
        buf[n++] = *s;
    }
    buf[n++] = '0';
    buf[n++] = 'x';
    for (int shift = 28; shift >= 0; shift -= 4) {
        buf[n++] = "0123456789abcdef"[(v >> shift) & 15];
    }
    buf[n++] = '\n';
    uwrite(buf, n);
}

/* Writes s followed by v in decimal and a newline, in one system call. */
void uputs_dec(const char *s, long v)
{
    char buf[96], digits[12];
    size_t n = 0, d = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    for (; *s && n < sizeof(buf) - 14; s++) {
        buf[n++] = *s;
    }
    if (v < 0) {
        buf[n++] = '-';
    }
    do {
        digits[d++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (d) {
        buf[n++] = digits[--d];
    }
    buf[n++] = '\n';
    uwrite(buf, n);
}
