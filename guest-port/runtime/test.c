/* Test guest support: failure counting and the one "Test result:" line that ends a test. */
#include <stdarg.h>

#include "guest/hypercall.h"
#include "guest/test.h"

static unsigned int checks, failures;

/* Formats "name: " + message + "\n" and writes it with one console write. */
static void note_line(const char *fmt, va_list ap)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%s: ", test_name);

    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (n > (int)sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }
    line[n++] = '\n';
    console_write(line, (size_t)n);
}

void test_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    note_line(fmt, ap);
    va_end(ap);
}

bool test_check(bool ok, int line, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    checks++;
    if (ok) {
        return true;
    }
    failures++;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    test_note("FAIL line %d: %s", line, msg);
    return false;
}

bool test_check_eq(long long got, long long want, int line, const char *got_expr,
                   const char *want_expr)
{
    return test_check(got == want, line, "%s == %s: got %lld (%#llx), expected %lld (%#llx)",
                      got_expr, want_expr, got, (unsigned long long)got, want,
                      (unsigned long long)want);
}

unsigned int test_failures(void)
{
    return failures;
}

void test_finish(void)
{
    if (failures == 0) {
        printk("Test result: SUCCESS\n");
    } else {
        printk("Test result: FAILURE (%u of %u checks failed)\n", failures, checks);
    }
    guest_shutdown(SHUTDOWN_poweroff);
}

void test_skip(const char *reason)
{
    printk("Test result: SKIP %s\n", reason);
    guest_shutdown(SHUTDOWN_poweroff);
}

void test_error(const char *reason)
{
    printk("Test result: ERROR %s\n", reason);
    guest_shutdown(SHUTDOWN_poweroff);
}

void guest_panic_hook(const char *msg)
{
    printk("Test result: ERROR panic: %s\n", msg);
    guest_shutdown(SHUTDOWN_crash);
}

unsigned long test_arg(const char *key, unsigned long def)
{
    const char *line = (const char *)start_info->cmd_line, *p = line;
    size_t n = strlen(key);
    unsigned long v = 0;

    while ((p = strstr(p, key)) && !((p == line || p[-1] == ' ') && p[n] == '=')) {
        p += n;
    }
    if (!p) {
        return def;
    }
    for (p += n + 1; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
    }
    return v;
}

bool test_role(const char *role)
{
    const char *r = strstr((const char *)start_info->cmd_line, "role=");

    return r && strncmp(r + 5, role, strlen(role)) == 0;
}
