/*
 * Test guest: prints "ticker: tick N" about every every=M million TSC cycles (default 100)
 * and yields in between, forever: a domain for the operator to list, pause, unpause, shut
 * down and destroy.  It never ends by itself, so a run that uses it must end it.
 */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("ticker");

static unsigned long arg(const char *key, unsigned long def)
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

int guest_main(void)
{
    uint64_t every = (uint64_t)arg("every", 100) * 1000000, next = __builtin_ia32_rdtsc();
    for (unsigned long tick = 1;; tick++) {
        while (__builtin_ia32_rdtsc() < next) {
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        }
        next = __builtin_ia32_rdtsc() + every; /* no burst to catch up after a pause */
        test_note("tick %lu", tick);
    }
}
