/* Freestanding C library subset: strings, memory, number parsing, formatting. */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include "kernel/types.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t size);

/*
 * Parses an unsigned number in base 10, or 16 with a 0x prefix (base 0), or the given base.
 * Returns 0 and stores it in *out when the whole of [s, end) or, with end NULL, the whole
 * string is a number that fits; -EINVAL or -ERANGE otherwise.
 */
int parse_u64(const char *s, const char *end, unsigned int base, uint64_t *out);

/* Size with an optional K/M/G suffix (bytes; default unit given). */
int parse_size(const char *s, const char *end, uint64_t default_unit, uint64_t *out);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
