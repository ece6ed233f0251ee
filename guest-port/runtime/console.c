/* Console output: every domain may write with HYPERVISOR_console_io(CONSOLEIO_write). */
#include <stdarg.h>

#include "guest/console.h"
#include "guest/hypercall.h"

int console_write(const char *s, size_t len)
{
    return HYPERVISOR_console_io(CONSOLEIO_write, (unsigned int)len, (char *)s);
}

int vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    if (n >= (int)sizeof(buf)) {
        n = sizeof(buf) - 1;
    }
    return console_write(buf, (size_t)n);
}

int printk(const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vprintk(fmt, ap);
    va_end(ap);
    return rc;
}
