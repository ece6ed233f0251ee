/* Test guest: HYPERVISOR_console_io — write works for every domain, every refusal. */
#include "guest/hypercall.h"
#include "guest/test.h"

TEST_NAME("hc_console_io");

/* A guest address nothing maps: far above the start-of-day region, below the monitor. */
#define UNMAPPED_VA 0xF5000000UL
/* An address in the monitor's part of every address space. */
#define MONITOR_VA  0xFF000000UL

static void test_write(void)
{
    static char msg[] = "hc_console_io: a line written with CONSOLEIO_write\n";

    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 0, msg), 0);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL), 0);
}

/* Reading the console is for the privileged domain only. */
static void test_read(void)
{
    char buf[16];
    int rc = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf);

    if (start_info->flags & SIF_PRIVILEGED) {
        TEST_CHECK(rc >= 0 && rc <= (int)sizeof(buf), "privileged read: got %d", rc);
    } else {
        TEST_EQ(rc, -XEN_EPERM);
    }
}

/*
 * An unknown command is -ENOSYS.  Xen checks an unprivileged caller's permission before it
 * looks at the command, so there -EPERM is a correct answer too.
 */
static void test_bad_command(int cmd)
{
    int rc = HYPERVISOR_console_io(cmd, 4, "abcd");

    if (start_info->flags & SIF_PRIVILEGED) {
        TEST_EQ(rc, -XEN_ENOSYS);
    } else {
        TEST_CHECK(rc == -XEN_ENOSYS || rc == -XEN_EPERM, "command %d: got %d", cmd, rc);
    }
}

static void test_refusals(void)
{
    test_bad_command(2);
    test_bad_command(-1);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)UNMAPPED_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)MONITOR_VA), -XEN_EFAULT);
    TEST_EQ(HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)0xFFFFFFFCUL), -XEN_EFAULT);
    /* A huge length from an unmapped address: an error, and nothing printed. */
    TEST_CHECK(HYPERVISOR_console_io(CONSOLEIO_write, 0x7FFFFFFF, (char *)UNMAPPED_VA) < 0,
               "huge write from an unmapped buffer did not fail");
    TEST_CHECK(HYPERVISOR_console_io(CONSOLEIO_write, 0xFFFFFFFF, (char *)MONITOR_VA) < 0,
               "huge write from the monitor's addresses did not fail");
}

int guest_main(void)
{
    test_write();
    test_read();
    test_refusals();
    test_finish();
}
