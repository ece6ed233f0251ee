/* Small freestanding helpers the runtime, the mini kernel and the test guests share. */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef static_assert
#define static_assert _Static_assert
#endif

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)    (((x) + (a)-1) & ~((a)-1))
#define ALIGN_DOWN(x, a)  ((x) & ~((a)-1))
#define barrier()         __asm__ volatile("" ::: "memory")
#define NORETURN          __attribute__((noreturn))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define PAGE_ALIGNED      __attribute__((aligned(4096)))

/* The C library subset the compiler may call on its own, plus a few string helpers. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

/* "EFAULT" for -14 (or 14): the name from <xen/errno.h>, or "?" for an unknown value. */
const char *errname(long err);

#endif
