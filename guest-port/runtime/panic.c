/* panic(): report and crash the domain; check_hypercall() for calls the guest cannot lose. */
#include <stdarg.h>

#include "guest/console.h"
#include "guest/hypercall.h"
#include "guest/runtime.h"

/* test.c provides the hook in test guests; elsewhere the reference stays NULL. */
#pragma weak guest_panic_hook

void panic(const char *fmt, ...)
{
    static bool in_panic;
    char msg[256];
    va_list ap;

    if (in_panic) {
        guest_shutdown(SHUTDOWN_crash);
    }
    in_panic = true;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printk("guest panic: %s\n", msg);
    if (guest_panic_hook) {
        guest_panic_hook(msg);
    }
    guest_shutdown(SHUTDOWN_crash);
}

int check_hypercall(int rc, const char *what)
{
    if (rc != 0) {
        panic("%s failed: %d (%s)", what, rc, errname(rc));
    }
    return rc;
}
