/* Host versions of the monitor services the modules under test call: printk, panic, locks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

/* Line-buffered output, so the log of a test that crashes still names it. */
__attribute__((constructor)) static void unit_output_init(void)
{
    setvbuf(stdout, NULL, _IOLBF, BUFSIZ);
    setvbuf(stderr, NULL, _IONBF, 0);
}

static char log_text[65536];
static size_t log_len;
static unsigned int log_counts[LOG_DEBUG + 1];

void stub_log_reset(void)
{
    log_len = 0;
    log_text[0] = '\0';
    memset(log_counts, 0, sizeof(log_counts));
}

const char *stub_log_text(void)
{
    return log_text;
}

unsigned int stub_log_count(enum log_level level)
{
    return (unsigned int)level <= LOG_DEBUG ? log_counts[level] : 0;
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
    char line[1024];
    size_t n;
    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    if (log_len + n + 2 < sizeof(log_text)) {
        memcpy(log_text + log_len, line, n);
        log_len += n;
        if (n == 0 || line[n - 1] != '\n') {
            log_text[log_len++] = '\n';
        }
        log_text[log_len] = '\0';
    }
    if ((unsigned int)level <= LOG_DEBUG) {
        log_counts[level]++;
    }
    if (getenv("UNIT_VERBOSE")) {
        fprintf(stderr, "printk(%d): %s", (int)level, line);
    }
}

void printk(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(level, fmt, ap);
    va_end(ap);
}

char stub_panic_msg[512];
unsigned int stub_panic_count;

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(stub_panic_msg, sizeof(stub_panic_msg), fmt, ap);
    va_end(ap);
    stub_panic_count++;
    /* Leaves the test: a failure, or the end of an expect_assert_failure(). */
    mock_assert(0, stub_panic_msg, __FILE__, __LINE__);
    abort();
}

void stub_lock_error(const char *what, const spinlock_t *l)
{
    fail_msg("%s (lock %p)", what, (const void *)l);
    abort();
}

/* glibc before 2.38 has no strlcpy; this one has the monitor's contract (kernel/string.c). */
size_t strlcpy(char *d, const char *s, size_t size)
{
    size_t len = strlen(s);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return len;
}
