/* Console output through HYPERVISOR_console_io(CONSOLEIO_write), with printf formatting. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>

#include "guest/lib.h"

/*
 * Formats like C's printf: flags "-0 +#", width and precision (also "*"), length modifiers
 * hh h l ll z t, conversions d i u x X o c s p %.  Writes at most size bytes, NUL included,
 * and returns the length the whole result would have.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
PRINTF_LIKE(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);

/* Writes len bytes as they are.  Returns 0 or the hypercall's negative errno. */
int console_write(const char *s, size_t len);

/* Formats (up to 511 bytes; longer output is cut) and writes; returns console_write's. */
PRINTF_LIKE(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#endif
