/*
 * Test guest: reads what the operator types for it.  Binds VIRQ_CONSOLE, says
 * "console_reader: ready", then blocks; on each event it reads with CONSOLEIO_read (in
 * small pieces) until a line end, and checks the line against its command line:
 *
 *     expect=TEXT ctrl_a=N      the line, Ctrl-A bytes removed, and how many there were
 *
 * (fewer than three Ctrl-As in a row are passed on to the domain with the focus).  The
 * first read after input arrived goes to an unmapped buffer: -EFAULT, and nothing lost.
 * A domain that is not privileged checks that its reads are refused (-EPERM) and ends.
 * With cycles=1 it prints the TSC cycles of a CONSOLEIO_read that finds nothing
 * (instructions under QEMU's -icount).
 */
#include "guest/events.h"
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("console_reader");

#define UNMAPPED_VA 0xF5000000UL /* far above the start-of-day region, below the monitor */
#define MONITOR_VA  0xFF000000UL
#define LINE_MAX    64
#define PIECE       3 /* bytes per read: several reads per line */

static volatile unsigned long events;

static void console_event(evtchn_port_t port, void *arg)
{
    events++;
}

/* The value of key=... on the command line, copied (up to a blank) into buf. */
static const char *arg_text(const char *key, char *buf, size_t size)
{
    const char *line = (const char *)start_info->cmd_line, *p = line;
    size_t n = strlen(key), i = 0;
    while ((p = strstr(p, key)) && !((p == line || p[-1] == ' ') && p[n] == '=')) {
        p += n;
    }
    if (p) {
        for (p += n + 1; *p && *p != ' ' && i + 1 < size; p++) {
            buf[i++] = *p;
        }
    }
    buf[i] = '\0';
    return buf;
}

static void check_refusals(void)
{
    char buf[8];
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 0, buf), 0);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf), 0); /* nothing typed */
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 8, (char *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 8, (char *)0xFFFFFFFCUL), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, 0x7FFFFFFF, (char *)UNMAPPED_VA), -XEN_EFAULT);
}

/* Blocks until an event came, then reads what there is; returns the bytes read. */
static int read_some(char *buf, size_t size, bool first)
{
    int rc;
    while (!events) {
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    if (first) {
        /* A buffer that faults: an error, and the input stays for the next read. */
        TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, PIECE, (char *)UNMAPPED_VA), -XEN_EFAULT);
    }
    rc = HYPERVISOR_console_io(CONSOLEIO_read, size, buf);
    if (rc == 0) {
        events = 0; /* read it all: wait for the next event (one may be on its way) */
    }
    return rc;
}

static void read_line(void)
{
    char line[LINE_MAX], want[LINE_MAX], piece[PIECE];
    size_t len = 0;
    unsigned int ctrl_a = 0;
    bool done = false, first = true;
    while (!done) {
        int rc = read_some(piece, sizeof(piece), first);
        TEST_CHECK(rc >= 0 && rc <= PIECE, "CONSOLEIO_read gave %d", rc);
        if (rc < 0) {
            return;
        }
        first &= rc == 0;
        for (int i = 0; i < rc && !done; i++) {
            done = piece[i] == '\r' || piece[i] == '\n';
            ctrl_a += piece[i] == 1;
            if (!done && piece[i] != 1 && len + 1 < sizeof(line)) {
                line[len++] = piece[i];
            }
        }
    }
    line[len] = '\0';
    test_note("read '%s' (%u Ctrl-A byte(s) passed on) after %lu event(s)", line, ctrl_a, events);
    TEST_CHECK(!strcmp(line, arg_text("expect", want, sizeof(want))), "read '%s', wanted '%s'",
               line, want);
    TEST_EQ(ctrl_a, (unsigned int)(arg_text("ctrl_a", want, sizeof(want))[0] - '0'));
}

/* The cost of a read that finds nothing, averaged over many. */
static void measure_empty_read(void)
{
    enum { ROUNDS = 1000 };
    char buf[4];
    uint64_t t0 = __builtin_ia32_rdtsc();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);
    }
    test_note("%llu cycles per empty CONSOLEIO_read",
              (unsigned long long)((__builtin_ia32_rdtsc() - t0) / ROUNDS));
}

int guest_main(void)
{
    evtchn_port_t port;
    char buf[4];
    if (!(start_info->flags & SIF_PRIVILEGED)) {
        TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf), -XEN_EPERM);
        test_finish();
    }
    if (!events_usable) {
        test_error("needs event callbacks");
    }
    check_refusals();
    if (arg_text("cycles", buf, sizeof(buf))[0] == '1') {
        measure_empty_read();
    }
    TEST_EQ(evtchn_bind_virq(VIRQ_CONSOLE, 0, &port), 0);
    TEST_EQ(evtchn_set_handler(port, console_event, NULL), 0);
    evtchn_unmask(port);
    test_note("ready");
    read_line();
    test_finish();
}
