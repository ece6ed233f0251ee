/* The ring-3 side of the mini kernel's system calls, and helpers for its programs. */
#ifndef MINI_USYS_H
#define MINI_USYS_H

#include <stddef.h>
#include <stdint.h>

#define MINI_USER_CODE
#include "../kernel.h"

static inline long usys3(long nr, long a1, long a2, long a3)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "0"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
    return ret;
}

static inline long uwrite(const char *buf, size_t len)
{
    return usys3(SYS_write, 1, (long)buf, (long)len);
}

static inline long ugetpid(void)
{
    return usys3(SYS_getpid, 0, 0, 0);
}

/* Moves the break (0: asks for it); returns the new break, or the old one if refused. */
static inline uint32_t ubrk(uint32_t addr)
{
    return (uint32_t)usys3(SYS_brk, (long)addr, 0, 0);
}

/* Lets the other processes run; returns when it is this one's turn again. */
static inline void uyield(void)
{
    usys3(SYS_yield, 0, 0, 0);
}

static inline __attribute__((noreturn)) void uexit(int status)
{
    usys3(SYS_exit, status, 0, 0);
    for (;;) {
    }
}

/* ulib.user.c: write a string, a string and a hex number, a string and a decimal number. */
void uputs(const char *s);
void uputs_hex(const char *s, uint32_t v);
void uputs_dec(const char *s, long v);

#endif
